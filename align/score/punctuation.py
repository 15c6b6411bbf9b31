"""Terminal punctuation: a question must stay a question, a list item a list item.

Arabic marks are mapped to their Latin counterparts first (؟ = ?, ، = ,, ؛ = ;). Only explicit marks are
compared: a segment ending in a letter or digit (a heading, a time like "3 p.m.") says nothing.
"""

from __future__ import annotations

from align.score.flags import flag

_SAME = str.maketrans({"؟": "?", "،": ",", "؛": ";", "۔": ".", "…": ".", "。": ".", "？": "?", "！": "!"})
_MARKS = set(".?!:;,")
# closing quotes and brackets may follow the mark: 'he said "yes."'
_CLOSERS = " \t\"'”’»)]}*"
_ABBREV = ("a.m.", "p.m.", "etc.", "e.g.", "i.e.")   # a full stop that belongs to a word


def final_mark(text: str) -> str | None:
    text = text.translate(_SAME).rstrip(_CLOSERS)
    if not text or text[-1] not in _MARKS:
        return None
    if text[-1] == "." and text.lower().endswith(_ABBREV):
        return None
    if text.endswith("..."):
        return "."
    return text[-1]


def check(src: str, tgt: str, src_lang: str, tgt_lang: str) -> list[dict]:
    s, t = final_mark(src), final_mark(tgt)
    if s and t and s != t:
        return [flag("punctuation", "minor", f"source ends with {s!r}, target with {t!r}")]
    if (s == "?") != (t == "?"):    # a question answered by a statement, or the reverse
        return [flag("punctuation", "minor", f"source ends with {s or 'no mark'!r}, target with {t or 'no mark'!r}")]
    return []
