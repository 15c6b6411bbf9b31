"""What every encoder is (``Encoder``), row normalisation, and the per-run memo of vectors."""

from __future__ import annotations

import threading
from contextlib import nullcontext
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
    characters. One call at a time: a thread encoding ahead (align.pipeline.encode_ahead) and the aligner share it."""

    def __init__(self, inner: Encoder):
        self.inner = inner
        self.name = inner.name
        self.signature = inner.signature
        self._vecs: dict[str, np.ndarray] = {}
        self.encoded = 0  # strings actually sent to the inner encoder (for benchmarks)
        self._lock = threading.RLock()

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
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

    def encode_joined(self, groups: list[list[str]]) -> np.ndarray:
        """The vectors of " ".join(group) for each group, as encode() of the joined texts gives them (an inner
        encoder that can builds them from the segments' parts: see encode_joined below)."""
        with self._lock:
            return self._encode_joined(groups)

    def _encode_joined(self, groups: list[list[str]]) -> np.ndarray:
        texts = [" ".join(g) for g in groups]
        todo = {t: g for t, g in zip(texts, groups) if t not in self._vecs}
        long = [t for t in todo if len(t) > MAX_ENCODED]
        if long:  # encoded as encode() does: their first MAX_ENCODED characters
            self._encode(long)
            todo = {t: g for t, g in todo.items() if len(t) <= MAX_ENCODED}
        if todo:
            vecs = normalise_rows(encode_joined(self.inner, list(todo.values())))
            self.encoded += len(todo)
            self._vecs.update(zip(todo, vecs))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vecs[t] for t in texts])

    @property
    def dim(self) -> int:
        if self._vecs:
            return len(next(iter(self._vecs.values())))
        return len(self.inner.encode(["x"])[0])


def encode_joined(encoder, groups: list[list[str]]) -> np.ndarray:
    """The vectors of " ".join(group) for each group of segments: what encoder.encode gives the joined texts. An
    encoder with an ``encode_joined`` of its own (the bundled USE model, and the memo and disk cache around it)
    builds them from what it kept of the segments, for a fraction of the cost; others encode the joined texts."""
    if hasattr(encoder, "encode_joined"):
        return encoder.encode_joined(groups)
    return encoder.encode([" ".join(g) for g in groups])


def writes_batched(encoder):
    """A context in which an encoder with a disk cache (align.encode.cache.CachedEncoder, under any Memo) holds its
    cache writes back and makes them in one transaction at the end: a document's worth. Nothing for others."""
    while encoder is not None:
        if hasattr(encoder, "batch"):
            return encoder.batch()
        encoder = getattr(encoder, "inner", None)
    return nullcontext()


def preload(encoder) -> None:
    """Start loading the model behind an encoder (under any Memo or cache) in the background, where it can."""
    while encoder is not None:
        if hasattr(encoder, "preload"):
            encoder.preload()
            return
        encoder = getattr(encoder, "inner", None)
