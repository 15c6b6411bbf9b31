"""What every encoder is (``Encoder``), row normalisation, and the per-run memo of vectors."""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

import numpy as np


class Encoder(Protocol):
    name: str
    signature: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


def normalise_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


# Characters of a segment an encoder sees. Models read a few hundred tokens anyway and the lexical encoder's length
# feature stops at 22,500 characters; the whole of a 5 MB segment cost gigabytes (`align score` on a 5.4 MB
# pair: 6.4 GB). No segment of the open benchmark sets is longer than 1,425 characters.
MAX_ENCODED = 20_000


# Vectors a Memo keeps. Unbounded, it held every vector of a run: 200,000 lexical segments a side are 2.6 GB, and a
# corpus worker's memo grew with every document. 128 MB is 65,000 vectors of 512 dimensions (20,000 of the lexical
# encoder's 1,658): every repeat within a document, or a window of a huge one, is still a hit.
MEMO_BYTES = 128 * 2**20


class Memo:
    """Wraps an encoder so each distinct string is encoded once per run (kept in memory, the oldest dropped past
    max_bytes of vectors), its first MAX_ENCODED characters."""

    def __init__(self, inner: Encoder, max_bytes: int = MEMO_BYTES):
        self.inner = inner
        self.name = inner.name
        self.signature = inner.signature
        self.max_bytes = max_bytes
        self._vecs: OrderedDict[str, np.ndarray] = OrderedDict()
        self._bytes = 0
        self.encoded = 0  # strings actually sent to the inner encoder (for benchmarks)

    def encode(self, texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self._vecs))
        if todo:
            vecs = normalise_rows(self.inner.encode([t[:MAX_ENCODED] for t in todo]))
            self.encoded += len(todo)
            if len(todo) == len(texts):  # all new and distinct (a document's sentences, mostly): no second copy,
                vecs.setflags(write=False)  # which doubled the peak (200,000 lexical vectors: 1.24 GB a side)
                self._keep(todo, vecs)
                return vecs
            found = dict(zip(todo, vecs))
            out = np.stack([found[t] if t in found else self._vecs[t] for t in texts])
            self._keep(todo, vecs)
            return out
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vecs[t] for t in texts])

    def _keep(self, texts: list[str], vecs: np.ndarray) -> None:
        """Remember these vectors, dropping the oldest past max_bytes (rows of one batch share its memory, which
        is freed when its last row is dropped)."""
        self._vecs.update(zip(texts, vecs))
        self._bytes += vecs.nbytes
        while self._bytes > self.max_bytes and len(self._vecs) > len(texts):
            _, old = self._vecs.popitem(last=False)
            self._bytes -= old.nbytes

    @property
    def dim(self) -> int:
        if self._vecs:
            return len(next(iter(self._vecs.values())))
        return len(self.inner.encode(["x"])[0])
