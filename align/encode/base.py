"""What every encoder is (``Encoder``), row normalisation, and the per-run memo of vectors."""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import nullcontext
from typing import Any, Protocol

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
    max_bytes of vectors), its first MAX_ENCODED characters. Threads may share it (align.ahead.encode_ahead
    encodes the next document while the aligner works): a text another thread is encoding is waited for, not
    encoded twice; the encoding itself runs outside the memo's lock."""

    def __init__(self, inner: Encoder, max_bytes: int = MEMO_BYTES):
        self.inner = inner
        self.name = inner.name
        self.signature = inner.signature
        self.max_bytes = max_bytes
        self._vecs: OrderedDict[str, np.ndarray] = OrderedDict()
        self._bytes = 0
        self.encoded = 0  # strings actually sent to the inner encoder (for benchmarks)
        self._lock = threading.Lock()
        self._busy: dict[str, threading.Event] = {}  # texts being encoded by some thread, set when done
        # an encoder not declared thread_safe (a transformers tokenizer may fail when two threads use it) encodes
        # for one thread at a time
        self._one_at_a_time = nullcontext() if getattr(innermost(inner), "thread_safe", False) else threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        return self._fetch(texts, lambda todo: self.inner.encode([t[:MAX_ENCODED] for t in todo]))

    def encode_joined(self, groups: list[list[str]]) -> np.ndarray:
        """The vectors of " ".join(group) for each group, as encode() of the joined texts gives them (an inner
        encoder that can builds them from the segments' parts: see encode_joined below)."""
        texts = [" ".join(g) for g in groups]
        long = [t for t in texts if len(t) > MAX_ENCODED]
        if long:  # encoded as encode() does: their first MAX_ENCODED characters
            self.encode(long)
        by_text = dict(zip(texts, groups))
        return self._fetch(texts, lambda todo: encode_joined(self.inner, [by_text[t] for t in todo]))

    def _fetch(self, texts: list[str], compute) -> np.ndarray:
        """The vectors of texts: those in the memo, those another thread is encoding (waited for), the others
        computed here by ``compute(list of texts)``."""
        while True:
            with self._lock:
                wanted = dict.fromkeys(texts)
                todo = [t for t in wanted if t not in self._vecs and t not in self._busy]
                waits = {id(e): e for t in wanted if (e := self._busy.get(t)) is not None}
                done = threading.Event()
                for t in todo:
                    self._busy[t] = done
            vecs = None
            got: dict[str, np.ndarray] = {}
            if todo:
                try:
                    with self._one_at_a_time:
                        vecs = normalise_rows(compute(todo))
                    got = dict(zip(todo, vecs))
                    with self._lock:
                        self._keep(todo, vecs)
                        self.encoded += len(todo)
                finally:
                    with self._lock:
                        for t in todo:
                            del self._busy[t]
                    done.set()
            for e in waits.values():
                e.wait()
            if not waits or all(t in self._vecs or t in got for t in wanted):  # else another thread failed: again
                break
        if vecs is not None and len(todo) == len(texts):  # all new and distinct (a document's sentences, mostly):
            vecs.setflags(write=False)  # no second copy, which doubled the peak (200,000 lexical vectors: 1.24 GB)
            return vecs
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            rows: dict[str, Any] = {t: got[t] if t in got else self._vecs.get(t) for t in wanted}
        missing = [t for t, v in rows.items() if v is None]
        if missing:  # dropped past max_bytes meanwhile by another thread's batch: encoded again
            with self._one_at_a_time:
                rows.update(zip(missing, normalise_rows(compute(missing))))
        return np.stack([rows[t] for t in texts])

    def _keep(self, texts: list[str], vecs: np.ndarray) -> None:
        """Remember these vectors (under the lock), dropping the oldest past max_bytes (rows of one batch share its
        memory, which is freed when its last row is dropped)."""
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


def encode_joined(encoder, groups: list[list[str]]) -> np.ndarray:
    """The vectors of " ".join(group) for each group of segments: what encoder.encode gives the joined texts. An
    encoder with an ``encode_joined`` of its own (the bundled USE model, and the memo and disk cache around it)
    builds them from what it kept of the segments, for a fraction of the cost; others encode the joined texts."""
    if hasattr(encoder, "encode_joined"):
        return encoder.encode_joined(groups)
    return encoder.encode([" ".join(g) for g in groups])


def _layers(encoder):
    """An encoder and those it wraps (Memo, disk cache, model), outermost first."""
    while encoder is not None:
        yield encoder
        encoder = getattr(encoder, "inner", None)


def innermost(encoder):
    """The model under every Memo and cache layer of an encoder."""
    return list(_layers(encoder))[-1]


def run_on_one_thread(encoder) -> None:
    """Before its first use: the model behind an encoder runs on one thread (no lanes), for a process that is one
    of several aligning side by side (align.folders)."""
    layer = _layer_with(encoder, "threads")
    if layer is not None:
        layer.threads = 1


def close_cache(encoder) -> None:
    """Close the connection of an encoder's disk cache (reopened on its next use): before a fork, which an SQLite
    connection must not cross (a child dropping the inherited one would close it under the parent)."""
    layer = _layer_with(encoder, "cache")
    if layer is not None:
        layer.cache.close()


def _layer_with(encoder, attr: str):
    """The outermost layer of an encoder that has ``attr``, or None."""
    return next((e for e in _layers(encoder) if hasattr(e, attr)), None)


def writes_batched(encoder):
    """A context in which an encoder with a disk cache (align.encode.cache.CachedEncoder, under any Memo) holds its
    cache writes back and makes them in one transaction at the end: a document's worth. Nothing for others."""
    layer = _layer_with(encoder, "batch")
    return layer.batch() if layer is not None else nullcontext()


def preload(encoder) -> None:
    """Start loading the model behind an encoder (under any Memo or cache) in the background, where it can."""
    layer = _layer_with(encoder, "preload")
    if layer is not None:
        layer.preload()


def wait_loaded(encoder) -> None:
    """Wait until the model behind an encoder (under any Memo or cache) is loaded, where preload() loads it."""
    layer = _layer_with(encoder, "preload")
    if layer is not None:
        layer.loaded()
