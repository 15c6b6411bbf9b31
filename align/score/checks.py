"""All QA checks of a link, one module per check family, run in a fixed order.

Every check is ``check(src, tgt, src_lang, tgt_lang) -> list[flag]``; a flag is ``{check, severity, message}``
with an MQM-style severity (critical, major, minor). To add a check, write a module with such a function and
list it in CHECKS.
"""

from __future__ import annotations

from align.links import Alignment, Link
from align.score import dates, language, length, numbers, punctuation, symbols, urls
from align.score.flags import flag, short

CHECKS = {
    "numbers": numbers.check,
    "symbols": symbols.check,
    "dates": dates.check,
    "urls": urls.check,
    "language": language.check,
    "length": length.check,
    "punctuation": punctuation.check,
}


def check_pair(src: str, tgt: str, src_lang: str, tgt_lang: str, checks=None) -> list[dict]:
    """Flags for a source segment and its translation; `checks` limits them to some names of CHECKS."""
    flags = []
    for name, fn in CHECKS.items():
        if checks is None or name in checks:
            flags += fn(src, tgt, src_lang, tgt_lang)
    return flags


def _has_words(text: str) -> bool:
    return sum(c.isalpha() for c in text) >= 2


def check_link(link: Link, src_lang: str, tgt_lang: str, checks=None) -> list[dict]:
    """Flags for a link. A 1-0 link is an omission, a 0-1 link an addition; a bare number or mark left over
    (a page number, "* * *") is only a minor one."""
    if link.src_ids and not link.tgt_ids:
        sev = "major" if _has_words(link.src) else "minor"
        return [flag("omission", sev, f"source segment has no translation: \u201c{short(link.src)}\u201d")]
    if link.tgt_ids and not link.src_ids:
        sev = "major" if _has_words(link.tgt) else "minor"
        return [flag("addition", sev, f"target segment has no source: \u201c{short(link.tgt)}\u201d")]
    if not link.src_ids and not link.tgt_ids:
        return []
    return check_pair(link.src, link.tgt, src_lang, tgt_lang, checks)


def flag_alignment(alignment: Alignment, checks=None) -> Alignment:
    """Set the flags of every link (in place) and return the alignment."""
    for link in alignment.links:
        link.flags = check_link(link, alignment.src_lang, alignment.tgt_lang, checks)
    return alignment
