"""Corpus building: many document pairs -> a Hugging Face dataset folder (``align corpus``).

    config.py    CSV manifest or YAML corpus config -> CorpusConfig (documents, languages, settings)
    task.py      the per-document task: read, check, align one pair -> links or a failure reason
    run.py       resumable driver: in-process, local worker processes, or cluster.py (Dask); parts on disk
    dataset.py   parts -> parquet shards under data/, with filters.py, card.py (README + plot), export.py

Entry points: ``align.corpus.config.load_config(path, **overrides)`` and
``align.corpus.run.build_corpus(cfg, out, workers=..., dask=...)``. Nothing is imported here, so that the CLI can
read the corpus options (align.corpus.config) without loading the runner (half of `align --help`'s import time).
"""
