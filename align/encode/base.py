"""What every encoder is (``Encoder``), row normalisation, and the per-run memo of vectors."""

from __future__ import annotations

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


class Memo:
    """Wraps an encoder so each distinct string is encoded once per run (kept in memory), its first MAX_ENCODED
    characters."""

    def __init__(self, inner: Encoder):
        self.inner = inner
        self.name = inner.name
        self.signature = inner.signature
        self._vecs: dict[str, np.ndarray] = {}
        self.encoded = 0  # strings actually sent to the inner encoder (for benchmarks)

    def encode(self, texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self._vecs))
        if todo:
            vecs = normalise_rows(self.inner.encode([t[:MAX_ENCODED] for t in todo]))
            self.encoded += len(todo)
            self._vecs.update(zip(todo, vecs))
            if len(todo) == len(texts):  # all new and distinct (a document's sentences, mostly): no second copy,
                vecs.setflags(write=False)  # which doubled the peak (200,000 lexical vectors: 1.24 GB a side)
                return vecs
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vecs[t] for t in texts])

    @property
    def dim(self) -> int:
        if self._vecs:
            return len(next(iter(self._vecs.values())))
        return len(self.inner.encode(["x"])[0])
