"""UN document symbols (S/2015/123, A/RES/70/1, E/CN.4/2005/L.10) are never translated: both sides must
carry the same ones. Found by align.text.symbols; "S/RES/2231 (2015)" and "S/RES/2231" are the same symbol."""

from __future__ import annotations

import re

from align.score.flags import flag
from align.text import symbols as read_symbols


def _norm(symbol: str) -> str:
    return re.sub(r"\s*\(\d{4}\)$", "", symbol)


def check(src: str, tgt: str, src_lang: str, tgt_lang: str) -> list[dict]:
    s = {_norm(x) for x in read_symbols(src)}
    t = {_norm(x) for x in read_symbols(tgt)}
    flags = [flag("symbols", "major", f"document symbol {x} in source is missing from target") for x in sorted(s - t)]
    flags += [flag("symbols", "major", f"document symbol {x} in target is not in source") for x in sorted(t - s)]
    return flags
