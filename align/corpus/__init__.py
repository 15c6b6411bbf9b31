"""Corpus building: many document pairs -> a Hugging Face dataset folder (``align corpus``).

    config.py    CSV manifest or YAML corpus config -> CorpusConfig (documents, languages, settings)
    task.py      the per-document task: read, check, align one pair -> links or a failure reason
    run.py       resumable driver: in-process, local worker processes, or cluster.py (Dask); parts on disk
    dataset.py   parts -> parquet shards under data/, with filters.py, card.py (README + plot), export.py

Entry points: ``load_config(path, **overrides)`` and ``build_corpus(cfg, out, workers=..., dask=...)``.
"""

from align.corpus.config import CorpusConfig, Doc, load_config
from align.corpus.run import FAILURES, Summary, build_corpus

__all__ = ["CorpusConfig", "Doc", "load_config", "build_corpus", "Summary", "FAILURES"]
