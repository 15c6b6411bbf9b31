"""align: align a document with its translation, score the links, publish the corpus."""

__version__ = "0.1.0"
