"""Optional row filters, applied while the dataset is built (so changing them never re-aligns anything).

In order, the first that applies names the reason a row is dropped:
``unaligned`` (a 1-0/0-1 link, unless kept), ``min_score``, ``length_ratio`` (characters of the longer side over
the shorter), ``duplicate`` (``exact``: same level and texts; ``normalised``: same level and
``align.text.match_key`` of both sides, which ignores case, spacing, Arabic letter variants, diacritics and digit
forms). Duplicates keep their first occurrence in doc_id order.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from align.corpus.config import Filters


class RowFilter:
    def __init__(self, f: Filters):
        self.f = f
        self.seen: set[bytes] = set()   # 16-byte digests, not the texts, to keep memory small
        self.dropped: Counter[str] = Counter()

    def keep(self, level: str, src: str, tgt: str, score: float) -> bool:
        reason = self._reason(level, src, tgt, score)
        if reason:
            self.dropped[reason] += 1
        return reason is None

    def _reason(self, level, src, tgt, score):
        f = self.f
        if not (src and tgt):
            return None if f.keep_unaligned else "unaligned"
        if f.min_score is not None and score < f.min_score:
            return "min_score"
        if f.max_length_ratio is not None:
            a, b = len(src), len(tgt)
            if max(a, b) > f.max_length_ratio * max(min(a, b), 1):
                return "length_ratio"
        if f.dedup != "none":
            if f.dedup == "normalised":
                from align.text import match_key

                src, tgt = match_key(src), match_key(tgt)
            key = hashlib.blake2b("\0".join((level, src, tgt)).encode("utf-8", "surrogatepass"),
                                  digest_size=16).digest()
            if key in self.seen:
                return "duplicate"
            self.seen.add(key)
        return None
