"""Encoders: list[str] -> L2-normalised float32 array (n, dim).

Every encoder has a ``name``, a ``signature`` (name + version, written into every result) and ``encode``.
``get_encoder(spec)`` builds one from a CLI spec:

    use                   the bundled Universal Sentence Encoder Multilingual v3 (default, offline)
    hf:NAME_OR_PATH[?OPTS] any transformers model (align.encode.hf), e.g. hf:/models/LaBSE,
                          hf:/models/e5?pooling=mean&prefix=query:%20  (options: pooling, prefix, batch_size,
                          max_length, device, fp16)
    lexical               no model: length, numbers, symbols, names, character n-grams (align.encode.lexical)

Whatever the encoder, identical strings are encoded once per run (``Memo``), and model encoders keep their
vectors in an on-disk cache across runs (``align.encode.cache``; ``cache=False`` turns it off).
"""

from __future__ import annotations

import os

from align.encode.base import Encoder, Memo, normalise_rows
from align.errors import AlignError

__all__ = ["ENCODERS", "Encoder", "Memo", "get_encoder", "normalise_rows"]


ENCODERS = ("use", "hf:NAME_OR_PATH", "lexical")


def get_encoder(
    spec: str = "use",
    memo: bool = True,
    cache: bool | str | os.PathLike | None = True,
    cache_max_bytes: int | None = None,
    threads: int | None = None,
) -> Encoder:
    """Build an encoder from a CLI spec.

    cache: True = the default cache directory ($ALIGN_CACHE_DIR or ~/.cache/align/vectors), a path = that
    directory (or .sqlite3 file), False or None = no disk cache (--no-cache). cache_max_bytes: the cache's size
    limit ($ALIGN_CACHE_MAX_BYTES, else 2 GiB). The lexical encoder is never cached: it computes faster than
    the cache could look it up. threads: the model's CPU threads (parallel workers pass 1; default: every core).
    """
    spec = (spec or "use").strip()
    if spec in ("use", "usem3", "default"):
        from align.encode.use import USEEncoder

        enc: Encoder = USEEncoder(threads=threads)
    elif spec.startswith("hf:"):
        from align.encode.hf import HFEncoder, parse_spec

        name, opts = parse_spec(spec[3:])
        enc = HFEncoder(name, threads=threads, **opts)
    elif spec == "lexical":
        from align.encode.lexical import LexicalEncoder

        enc = LexicalEncoder()
        cache = False
    else:
        raise AlignError(f"unknown encoder {spec!r}; choose one of: {', '.join(ENCODERS)}")
    if cache is not None and cache is not False:
        enc = _with_cache(enc, None if cache is True else cache, cache_max_bytes)
    return Memo(enc) if memo else enc


def _with_cache(enc: Encoder, path, max_bytes: int | None) -> Encoder:
    import sqlite3
    import sys

    from align.encode.cache import CachedEncoder, VectorCache

    try:
        return CachedEncoder(enc, VectorCache(path, max_bytes))
    except (OSError, sqlite3.Error) as e:  # read-only home, full disk...: align anyway, just without the cache
        print(f"align: warning: vector cache unavailable ({e}); encoding without it", file=sys.stderr)
        return enc
