"""The numbers check: every number of the source must be in the target, and the reverse.

Values are read by ``align.text.numbers`` (Arabic-Indic digits, space-grouped thousands, decimal commas,
ordinals like "2nd", 12-hour times made 24-hour). This module decides which differences are legitimate:

- **words**: a number written in digits on one side may be written in words on the other ("12 critical
  areas" = "اثني عشر مجالاً", "2nd" = "الثانية"); words only ever *account for* digits (align.score.numwords).
- **times**: "15:35" = "3.35 p.m."; a time without a.m./p.m. may be either half of the day; UN Arabic
  sometimes shows "الساعة 47/10" (10:47 with its parts swapped by right-to-left layout), and "الساعة 10"
  is 10:00.
- **reversed groups**: right-to-left layout also swaps the groups of space-grouped numbers: Arabic
  "734 156" can be 156,734.
- **section numbers**: Arabic "2-1" is English "2.1".
- **scale words**: "1.5 million" = "1 500 000"; both readings count.
- **paragraph numbers** at the start of a segment ("51.", "١٢ -") are compared only when both sides have one
  (a segmenter may keep the number on one side only); so are **codes**, digits glued to a capital letter
  ("P3", "G77", "BP13"), which may be translated as words ("P3" = "France, the United Kingdom and ...").
- **footnote markers** glued to a word ("Convention.12", "المشتركة3") are often dropped in translation
  (Arabic writes "()" or nothing) and are never required.
- **document symbols**: their numbers count like any other ("S/2015/123" must not become "S/2015/124").

A number is compared by its value, as a set: the same value twice on one side and once on the other is fine.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from align.score.flags import flag
from align.score.numwords import word_values
from align.text import number_key, to_ascii_digits
from align.text import numbers as read_numbers

_SP = " \u00a0\u202f\u2009"
# Where numbers are. Space-grouped numbers first, in either order of their groups ("24 042 875", or reversed by
# right-to-left layout "875 042 24"); then digits joined by separators when a digit follows.
_SPAN = re.compile(rf"(?<![\d.,])\d{{1,3}}(?:[.,]\d+)?(?:[{_SP}]\d{{1,3}}(?:[.,]\d+)?)+(?!\d|[.,]\d)"
                   rf"|\d+(?:[.,:/\-]\d+)*")
_AMPM = re.compile(r"\s?[ap]\.?m\.?(?![a-z])", re.IGNORECASE)
_CLOCK_BEFORE = re.compile(r"(?:الساعة|الساعه|\bat)\s*$", re.IGNORECASE)   # "at 0300", "الساعة 10"
_CLOCK_AFTER = re.compile(r"\s?(?:hours|hrs|h\b|Z\b|GMT|UTC)")
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9,
           "ألف": 1e3, "آلاف": 1e3, "الف": 1e3, "مليون": 1e6, "ملايين": 1e6, "مليار": 1e9, "مليارات": 1e9,
           "بليون": 1e9, "بلايين": 1e9}
_SCALE = re.compile(r"\s?(" + "|".join(sorted(_SCALES, key=len, reverse=True)) + r")(?![a-z\u0621-\u064a])")
# A paragraph number opening the segment: "51.", "51 -", "(3)", "'2`" (Arabic for "(ii)"), "2-1 ", "2.1 "
_ENUM = re.compile(r"\s*[(\['‘`]?(\d+(?:[.\-]\d+)*)(\s*[).\-–—\]'’`]|(?=\s))")
# ... or opening a later sentence of a link of several: "... تطبيقها. 10- اتفقت", "... done. 12. The" (not
# after an abbreviation: "Act No. 18561.", "para. 66")
_ENUM_INSIDE = re.compile(r"(?<=[.!?؟]\s)(\d{1,3})(\s*[-–—]\s|\.\s+(?=[A-Z]))")
_ABBREVIATION = re.compile(r"\b(?:No|Nos|p|pp|para|paras|art|arts|ibid|vol|chap|sect|fig|op|cit|al|cf)\.\s$",
                           re.IGNORECASE)
# A paragraph number in words, Arabic style: "الرابع - ", "ثانيا - "
_WORD_ENUM = re.compile(r"\s*([^\W\d]+)\s*[-–—]\s")
# Figures of speech, not quantities: "24 hours a day, 7 days a week" = "على مدار الساعة وطوال أيام الأسبوع"
_IDIOMS = re.compile(r"\b(?:24|twenty-four) hours a day\b|\b(?:7|seven) days a week\b|\b24/7\b"
                     r"|\b365 days a year\b", re.IGNORECASE)
# Footnote marker: 1-3 digits glued to a lower-case word, or after punctuation or a bracket glued to one.
_LOWER = r"a-z\u0621-\u064a"
_FOOTNOTE_BEFORE = re.compile(rf"[{_LOWER}][\"'”’»)]?[.,;:(]?$")
# A code: digits glued to a capital letter ("P3", "G77", "H5N1", "B2C", "CO2"): a name, often translated
# into words ("P3" = "France, the United Kingdom and the United States").
_CODE_BEFORE = re.compile(r"[A-Z]$")


@dataclass
class Quantity:
    text: str                        # as written ("3.35 p.m.", "734 156")
    alts: list[tuple[str, ...]]      # readings; a reading is matched when all its keys are on the other side
    kind: str = "number"             # "number", "enumerator", "footnote" or "code"
    keys: set[str] = field(default_factory=set)

    def __post_init__(self):
        self.keys = {k for alt in self.alts for k in alt}


def _keys(text: str) -> tuple[str, ...]:
    return tuple(number_key(v) for v in read_numbers(text))


def _times(hour: int, minute: int) -> list[tuple[str, ...]]:
    """A time without a.m./p.m. may be in either half of the day; each reading is one alternative."""
    if not (0 <= hour <= 24 and 0 <= minute < 60):
        return []
    return [(f"{h % 24:02d}:{minute:02d}",) for h in dict.fromkeys((hour, hour + 12, hour - 12)) if 0 <= h <= 24]


def _grouped(span: str) -> list[tuple[str, ...]]:
    """Readings of a space-grouped number: as written ("24 042 875"), and with its groups in reverse order
    ("875 042 24", "731.5 1" for 1,731.5). Groups other than the head have three digits; only the last group
    of the reading may have decimals. No reading: these are separate numbers."""
    groups = re.split(f"[{_SP}]", span)

    def reading(gs: list[str]) -> tuple[str, ...] | None:
        ints = [re.split(r"[.,]", g)[0] for g in gs]
        if all(len(i) == 3 for i in ints[1:]) and all(i == g for i, g in zip(ints[:-1], gs[:-1])):
            return _keys("".join(ints[:-1]) + gs[-1].replace(",", "."))
        return None

    return [r for r in dict.fromkeys([reading(groups), reading(groups[::-1])]) if r]


def _readings(span: str, before: str, after: str) -> list[tuple[str, ...]]:
    if re.search(f"[{_SP}]\\d", span) and not _AMPM.search(span):
        return _scaled(_grouped(span), after)
    alts = [_keys(span)]
    for key in alts[0]:
        if ":" in key and key.endswith(":00"):      # "10 p.m." = "العاشرة مساءً": the hour alone
            hour = int(key[:2])
            alts += [(number_key(float(hour)),), (number_key(float(hour % 12 or 12)),)]
    parts = span.split(":") if ":" in span else span.split("/") if "/" in span else span.split(".")
    clock = bool(_CLOCK_BEFORE.search(before) or _CLOCK_AFTER.match(after))
    if len(parts) == 2 and all(p.isdigit() for p in parts) and len(parts[1]) == 2:
        a, b = int(parts[0]), int(parts[1])
        if ":" in span or (clock and "/" not in span) or "." in span:
            alts += _times(a, b)              # "15:35", "3:35", "15.35"
        if clock and ("/" in span or ":" in span):
            alts += _times(b, a)              # "الساعة 47/10", "الساعة 00:10": parts swapped by RTL layout
    if clock and span.isdigit():
        if len(span) <= 2:
            alts += _times(int(span), 0)      # "الساعة 10"
        elif len(span) == 4:
            alts += _times(int(span[:2]), int(span[2:]))    # "0300 hours", "2359Z"
    elif re.fullmatch(r"0\d{3}", span):
        alts += _times(int(span[:2]), int(span[2:]))        # "At 0300": a leading zero is no quantity
    if re.fullmatch(r"\d{1,3}-\d{1,3}", span):
        alts.append(_keys(span.replace("-", ".")))           # section numbers: "2-1" = "2.1"
    if re.fullmatch(r"\d{1,3}(?:[.\-]\d{1,3}){2,}", span):
        alts.append(tuple(number_key(float(p)) for p in re.split(r"[.\-]", span)))   # "3-2-1" = "3.2.1"
    if re.fullmatch(r"[1-9]\d+", span) and len(span) in (4, 6, 8):
        half = len(span) // 2                                # a range whose dash got lost: "20142015", "4653"
        first, second = span[:half], span[half:]
        if second[0] != "0" and int(second) > int(first):
            alts.append((first, second))
    if re.fullmatch(r"1\d\d0|20\d0", span) and after.startswith("s"):
        alts.append((span[2:],))                             # "the 1960s" = "الستينيات" (the sixties)
    return _scaled([a for a in dict.fromkeys(alts) if a], after)


def _scaled(alts: list[tuple[str, ...]], after: str) -> list[tuple[str, ...]]:
    """Add the value times a following scale word: "1.5 million" = 1 500 000."""
    m = _SCALE.match(after)
    if m:
        alts += [(number_key(round(float(a[0]) * _SCALES[m.group(1)], 6)),) for a in alts
                 if len(a) == 1 and ":" not in a[0]]
    return alts


def _spans(text: str):
    """(span, start, end) of each number; a space-grouped candidate that reads as no one number ("44 45")
    gives its groups separately."""
    for m in _SPAN.finditer(text):
        if re.search(f"[{_SP}]", m.group()) and not _grouped(m.group()):
            for g in re.finditer(r"[^\s\u00a0\u202f\u2009]+", m.group()):
                yield g.group(), m.start() + g.start(), m.start() + g.end()
        else:
            yield m.group(), m.start(), m.end()


def _before(text: str, end: int) -> str:
    """The 16 characters before ``end``: enough for the end-anchored patterns above (at most 8 characters and
    the one before them), where searching all of text[:end] made a text's numbers cost quadratic time (a 1 MB
    segment: 50 s)."""
    return text[max(0, end - 16):end]


def quantities(text: str) -> list[Quantity]:
    """The numbers of a text with their possible readings (see the module docstring)."""
    text = to_ascii_digits(unicodedata.normalize("NFKC", text))
    enums = {m.span(1) for m in _ENUM_INSIDE.finditer(text) if not _ABBREVIATION.search(_before(text, m.start()))}
    for enum in filter(None, [_ENUM.match(text)]):   # at most one: the opening number, if any
        head, parts = enum.group(1), re.split(r"[.\-]", enum.group(1))
        if (not enum.group(2).strip() and len(parts) == 1                        # "15 February 2015"
                or re.match(r"\s*\d", text[enum.end():])                          # "17 - 25 February"
                or "-" in head and len(parts) == 2 and int(parts[1]) > int(parts[0])):   # "17-25 February"
            continue    # a sentence opening with a date or a range, not with a paragraph number
        enums.add(enum.span(1))
    out = []
    for span, start, end in _spans(text):
        ampm = _AMPM.match(text, end)
        if ampm and re.fullmatch(r"\d{1,2}(?:[.:]\d{2})?", span):
            span, end = span + ampm.group(), ampm.end()
        alts = _readings(span, text[max(0, start - 12):start], text[end:end + 14])
        if not alts:
            continue
        kind = "number"
        glued_after = re.match(r"[.,]\d|\w", text[end:end + 2])
        if (start, end) in enums:
            kind = "enumerator"
        elif _CODE_BEFORE.search(_before(text, start)):
            kind = "code"
        elif re.fullmatch(r"\d{1,3}", span) and _FOOTNOTE_BEFORE.search(_before(text, start)) and not glued_after:
            kind = "footnote"
        out.append(Quantity(span, alts, kind))
    return out


def _missing(qs: list[Quantity], other: list[Quantity], other_text: str, other_lang: str, other_enum: set[str]
             ) -> list[Quantity]:
    """The quantities of one side that the other side's numbers, written in digits or in words, do not give."""
    digits = set().union(*(q.keys for q in other)) if other else set()
    missing = _unmatched(qs, digits, other, other_enum)
    # the numbers in words ("three", "ثلاثة") only when the digits leave some unmatched: the same flags (9,308
    # right and shifted pairs of the open sets), and the check on unpc-ar-en's links went from 0.31 to 0.26 s of CPU
    if missing:
        words = {number_key(float(v)) for v in word_values(other_text, other_lang)}
        missing = _unmatched(missing, digits | words, other, other_enum)
    return missing


def _word_enumerator(text: str, lang: str) -> set[str]:
    """The value of a paragraph number written as a word: "الرابع -" (fourth), "ثانيا -" (secondly)."""
    m = _WORD_ENUM.match(text)
    return {number_key(float(v)) for v in word_values(m.group(1), lang)} if m else set()


def _unmatched(qs: list[Quantity], pool: set[str], other: list[Quantity], other_enum: set[str]) -> list[Quantity]:
    other_kinds = {q.kind for q in other}
    missing = []
    for q in qs:
        if q.kind == "footnote":
            continue      # never required: Arabic drops them or writes "()"
        if q.kind == "code" and "code" not in other_kinds:
            continue      # "P3" may be spelled out on the other side
        if q.kind == "enumerator":
            if not other_enum:
                continue  # the other side's paragraph number may be elsewhere, or cut off by the segmenter
            # paragraph number against paragraph number: "3." must not be matched by "annex III" or "schedule 3"
            if not any(set(alt) <= other_enum for alt in q.alts):
                missing.append(q)
            continue
        if not any(set(alt) <= pool for alt in q.alts):
            missing.append(q)
    return missing


def _enumerator_keys(qs: list[Quantity], text: str, lang: str) -> set[str]:
    return set().union(*(q.keys for q in qs if q.kind == "enumerator")) | _word_enumerator(text, lang)


def check(src: str, tgt: str, src_lang: str, tgt_lang: str) -> list[dict]:
    src, tgt = _IDIOMS.sub(" ", src), _IDIOMS.sub(" ", tgt)
    sq, tq = quantities(src), quantities(tgt)
    if not sq and not tq:
        return []
    s_enum, t_enum = _enumerator_keys(sq, src, src_lang), _enumerator_keys(tq, tgt, tgt_lang)
    missing = _missing(sq, tq, tgt, tgt_lang, t_enum)
    added = _missing(tq, sq, src, src_lang, s_enum)
    # a paragraph number that differs is a numbering slip, not a changed fact: minor
    return ([flag("numbers", _severity(q), f"{_what(q)} {q.text} in source is missing from target") for q in missing]
            + [flag("numbers", _severity(q), f"{_what(q)} {q.text} in target is not in source") for q in added])


def _severity(q: Quantity) -> str:
    return "minor" if q.kind == "enumerator" else "major"


def _what(q: Quantity) -> str:
    if q.kind == "enumerator":
        return "paragraph number"
    return "time" if any(":" in k for k in q.alts[0]) else "number"
