"""Sentence segmentation. Entry point: ``split_sentences(text, lang) -> list[str]``.

Placeholder rules (to be replaced by per-language rule tables): a sentence ends at . ! ? ؟ … 。！？
followed by space and an upper-case/non-Latin letter, except after known abbreviations.
"""

from __future__ import annotations

import re

from align.errors import AlignError

LANGS = {"ar", "en", "fr", "es", "ru", "zh", "de"}

_ABBREV = {"mr", "mrs", "ms", "dr", "no", "nos", "para", "paras", "e.g", "i.e", "art", "arts", "vol", "p", "pp", "st", "etc", "cf", "vs"}
_END = re.compile(r"([.!?؟…]+[\"'”»)\]]*)(\s+)")


def check_lang(lang: str) -> str:
    lang = (lang or "").lower()
    if lang not in LANGS:
        raise AlignError(f"unknown language code {lang!r}; known: {', '.join(sorted(LANGS))}")
    return lang


def split_sentences(text: str, lang: str) -> list[str]:
    check_lang(lang)
    text = text.strip()
    if not text:
        return []
    out, start = [], 0
    for m in _END.finditer(text):
        before = text[start:m.start(1)]
        word = re.split(r"\s", before)[-1].lower() if before else ""
        if m.group(1) == "." and (word in _ABBREV or re.fullmatch(r"[\d/]*\d", word)):
            continue
        nxt = text[m.end():m.end() + 1]
        if nxt and nxt.islower():
            continue
        out.append(text[start:m.end(1)])
        start = m.end()
    if start < len(text):
        out.append(text[start:])
    return [s.strip() for s in out if s.strip()]
