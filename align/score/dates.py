"""Dates: the months named on both sides must agree (days and years are compared by the numbers check).

UN Arabic names a month twice, Levantine and Egyptian ("آذار/مارس"); either name counts. Names that are also
ordinary words ("مارس" = "he practised", "May" = the verb) count only next to a number or in the double form.
"""

from __future__ import annotations

import re

from align.score.flags import flag

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]

_AR_LEVANT = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
              "تشرين الثاني", "كانون الأول"]
_AR_EGYPT = [["يناير"], ["فبراير"], ["مارس"], ["أبريل", "ابريل", "إبريل"], ["مايو"], ["يونيو", "يونيه"],
             ["يوليو", "يوليه"], ["أغسطس", "اغسطس"], ["سبتمبر"], ["أكتوبر", "اكتوبر"], ["نوفمبر"], ["ديسمبر"]]
_AR_AMBIGUOUS = {"مارس", "آب"}     # also common words
_EN_AMBIGUOUS = {"May"}

_NUM = r"[0-9٠-٩]"


def _alternation(names: list[str]) -> str:
    return "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))


def _pattern(names, ambiguous, word_start, word_end, after_word=""):
    safe = [n for n in names if n not in ambiguous]
    risky = [n for n in names if n in ambiguous]
    parts = [f"{word_start}(?:{_alternation(safe)}){word_end}"] if safe else []
    if risky:
        r = _alternation(risky)
        # next to a number: "5 May", "May 2015", "May/2015"
        parts.append(f"(?<={_NUM})\\s*(?:{r}){word_end}|{word_start}(?:{r})(?=\\s*,?\\s*{_NUM})")
        if after_word:
            parts.append(f"{after_word}(?:{r}){word_end}")
    return re.compile("|".join(parts))


def _build():
    en = []
    for i, name in enumerate(MONTHS, 1):
        names = [name] + ([name[:3] + "."] if len(name) > 4 else [])   # "Jan.", "Sept." is rare
        # capitalised after a lowercase word ("in May", "late May") is the month; the verb is lowercase there
        en.append((i, _pattern(names, _EN_AMBIGUOUS, r"\b", r"(?![a-z])", after_word=r"(?<=[a-z] )")))
    ar = []
    for i, (lev, egy) in enumerate(zip(_AR_LEVANT, _AR_EGYPT), 1):
        double = re.compile(f"{re.escape(lev)}\\s*/\\s*(?:{_alternation(egy)})")
        # Arabic words take clitics (و, ب, ل, ف, ك) in front; letters after mean another word.
        single = _pattern([lev] + egy, _AR_AMBIGUOUS, r"(?<![\u0621-\u063a\u0641-\u064a])(?:[وبلفك])?",
                          r"(?![\u0621-\u064a])")
        ar.append((i, double, single))
    return en, ar


_EN, _AR = _build()
# Every match contains one of these names as written: most segments contain none, and the 24 searches an Arabic
# segment needs (one per month and form) took 0.35 s of CPU on unpc-ar-en; looking for the names first, 0.05 s.
_NAMES = {"ar": tuple(dict.fromkeys(_AR_LEVANT + [n for names in _AR_EGYPT for n in names])),
          "en": tuple(MONTHS) + tuple(n[:3] + "." for n in MONTHS)}


def months(text: str, lang: str) -> set[int]:
    if lang in _NAMES and not any(name in text for name in _NAMES[lang]):
        return set()
    if lang == "ar":
        found = set()
        for i, double, single in _AR:
            if double.search(text) or single.search(text):
                found.add(i)
        return found
    if lang == "en":
        return {i for i, p in _EN if p.search(text)}
    return set()   # no month names known for this language: say nothing


def check(src: str, tgt: str, src_lang: str, tgt_lang: str) -> list[dict]:
    if src_lang not in ("ar", "en") or tgt_lang not in ("ar", "en"):
        return []
    s, t = months(src, src_lang), months(tgt, tgt_lang)
    if not s or not t:   # one side may say "this month" or leave the date to the heading
        return []
    flags = [flag("dates", "major", f"month {MONTHS[m - 1]} in source is missing from target") for m in sorted(s - t)]
    flags += [flag("dates", "major", f"month {MONTHS[m - 1]} in target is not in source") for m in sorted(t - s)]
    return flags
