"""All QA checks of a link, one module per check family, run in a fixed order.

Every check is ``check(src, tgt, src_lang, tgt_lang) -> list[flag]``; a flag is ``{check, severity, message}``
with an MQM-style severity (critical, major, minor). To add a check, write a module with such a function and
list it in CHECKS. A check that is much cheaper on many pairs at once also has
``check_many(pairs, src_lang, tgt_lang) -> list[list[flag]]``, listed in BATCHED; whole alignments use it.
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
BATCHED = {"language": language.check_many}


def check_pair(src: str, tgt: str, src_lang: str, tgt_lang: str, checks=None) -> list[dict]:
    """Flags for a source segment and its translation; `checks` limits them to some names of CHECKS."""
    flags = []
    for name, fn in CHECKS.items():
        if checks is None or name in checks:
            flags += fn(src, tgt, src_lang, tgt_lang)
    return flags


def _has_words(text: str) -> bool:
    return sum(c.isalpha() for c in text) >= 2


def _unpaired(link: Link) -> list[dict] | None:
    """The flags of a link without text on both sides, None for a pair. A 1-0 link is an omission, a 0-1 link
    an addition; a bare number or mark left over (a page number, "* * *") is only a minor one."""
    if link.src_ids and not link.tgt_ids:
        sev = "major" if _has_words(link.src) else "minor"
        return [flag("omission", sev, f"source segment has no translation: \u201c{short(link.src)}\u201d")]
    if link.tgt_ids and not link.src_ids:
        sev = "major" if _has_words(link.tgt) else "minor"
        return [flag("addition", sev, f"target segment has no source: \u201c{short(link.tgt)}\u201d")]
    if not link.src_ids and not link.tgt_ids:
        return []
    return None


def check_link(link: Link, src_lang: str, tgt_lang: str, checks=None) -> list[dict]:
    """Flags for a link: omission and addition for 1-0 and 0-1 links, every check for a pair."""
    flags = _unpaired(link)
    return check_pair(link.src, link.tgt, src_lang, tgt_lang, checks) if flags is None else flags


def check_links(links: list[Link], src_lang: str, tgt_lang: str, checks=None) -> list[list[dict]]:
    """``check_link`` on many links, the BATCHED checks on all their pairs at once; same flags, same order."""
    unpaired = [_unpaired(l) for l in links]
    paired = [k for k, f in enumerate(unpaired) if f is None]
    pairs = [(links[k].src, links[k].tgt) for k in paired]
    batched = {name: fn(pairs, src_lang, tgt_lang) for name, fn in BATCHED.items() if checks is None or name in checks}
    out = [f or [] for f in unpaired]
    for row, k in enumerate(paired):
        for name, fn in CHECKS.items():
            if name in batched:
                out[k] += batched[name][row]
            elif checks is None or name in checks:
                out[k] += fn(pairs[row][0], pairs[row][1], src_lang, tgt_lang)
    return out


def flag_links(links: list[Link], src_lang: str, tgt_lang: str, checks=None) -> None:
    """Set the flags of these links (in place)."""
    for link, link_flags in zip(links, check_links(links, src_lang, tgt_lang, checks)):
        link.flags = link_flags


def flag_alignment(alignment: Alignment, checks=None) -> Alignment:
    """Set the flags of every link (in place) and return the alignment."""
    flag_links(alignment.links, alignment.src_lang, alignment.tgt_lang, checks)
    return alignment
