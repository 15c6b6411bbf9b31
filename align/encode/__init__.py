"""Encoders: list[str] -> L2-normalised float32 array (n, dim).

Every encoder has a ``name``, a ``signature`` (name + version, written into every result) and ``encode``.
``get_encoder(spec)`` builds one from a CLI spec:

    use              the bundled Universal Sentence Encoder Multilingual v3 (default, offline)
    hf:NAME_OR_PATH  any transformers model (align.encode.hf), e.g. LaBSE
    lexical          no model: length, numbers, symbols, character n-grams (align.encode.lexical)

Whatever the encoder, identical strings are encoded once per run (``Memo``).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from align.errors import AlignError


class Encoder(Protocol):
    name: str
    signature: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


def normalise_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


class Memo:
    """Wraps an encoder so each distinct string is encoded once per run (kept in memory)."""

    def __init__(self, inner: Encoder):
        self.inner = inner
        self.name = inner.name
        self.signature = inner.signature
        self._vecs: dict[str, np.ndarray] = {}
        self.encoded = 0  # strings actually sent to the inner encoder (for benchmarks)

    def encode(self, texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self._vecs))
        if todo:
            vecs = normalise_rows(self.inner.encode(todo))
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


ENCODERS = ("use", "hf:NAME_OR_PATH", "lexical")


def get_encoder(spec: str = "use", memo: bool = True) -> Encoder:
    spec = (spec or "use").strip()
    if spec in ("use", "usem3", "default"):
        from align.encode.use import USEEncoder

        enc = USEEncoder()
    elif spec.startswith("hf:"):
        from align.encode.hf import HFEncoder

        enc = HFEncoder(spec[3:])
    elif spec == "lexical":
        from align.encode.lexical import LexicalEncoder

        enc = LexicalEncoder()
    else:
        raise AlignError(f"unknown encoder {spec!r}; choose one of: {', '.join(ENCODERS)}")
    return Memo(enc) if memo else enc
