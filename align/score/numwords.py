"""Numbers written as words, in English and Arabic: "twelve", "fifty-eighth", "اثني عشر", "التاسعة والستين".

`word_values(text, lang)` returns every value the words can stand for: each number word alone and each run of
number words added up the usual way ("three hundred and five" = 305, "الخامسة والعشرين" = 25). The numbers check
uses them only to *account for* digits on the other side ("12 critical areas" = "اثني عشر مجالاً"), never to
raise a flag by themselves, so a generous reading costs nothing but a rare missed error.
"""

from __future__ import annotations

import functools
import re

# ---------------------------------------------------------------- English
_EN_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
             "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
            "ninety": 90}
_EN_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
           "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12}
EN_WORDS: dict[str, int] = {w: i for i, w in enumerate(_EN_UNITS)}
EN_WORDS |= _EN_TENS | _EN_ORD
EN_WORDS |= {w + "th": i for i, w in enumerate(_EN_UNITS) if i >= 13}                 # thirteenth
EN_WORDS |= {w[:-1] + "ieth": v for w, v in _EN_TENS.items()}                          # twentieth
EN_WORDS |= {"twice": 2, "dozen": 12, "decade": 10, "hundred": 100, "hundredth": 100}
EN_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
EN_SCALES |= {w + "th": v for w, v in EN_SCALES.items()} | {w + "s": v for w, v in EN_SCALES.items()}
EN_WORDS |= {"hundreds": 100}

# ---------------------------------------------------------------- Arabic (spelled after normalise_ar)
_AR_UNITS = {
    1: "واحد واحده احد احدي حادي حاديه اول اولي اولا",
    2: "اثنان اثنين اثنتان اثنتين اثنا اثني اثنتا اثنتي ثاني ثانيه ثانيا",
    3: "ثلاث ثلاثه ثالث ثالثه ثالثا",
    4: "اربع اربعه رابع رابعه رابعا",
    5: "خمس خمسه خامس خامسه خامسا",
    6: "ست سته سادس سادسه سادسا",
    7: "سبع سبعه سابع سابعه سابعا",
    8: "ثمان ثماني ثمانيه ثامن ثامنه ثامنا",
    9: "تسع تسعه تاسع تاسعه تاسعا",
    10: "عشر عشره عاشر عاشره عاشرا",
}
_AR_TENS = {2: "عشرون عشرين", 3: "ثلاثون ثلاثين", 4: "اربعون اربعين", 5: "خمسون خمسين", 6: "ستون ستين",
            7: "سبعون سبعين", 8: "ثمانون ثمانين", 9: "تسعون تسعين"}
AR_WORDS: dict[str, int] = {}
for _v, _forms in _AR_UNITS.items():
    AR_WORDS |= dict.fromkeys(_forms.split(), _v)
for _v, _forms in _AR_TENS.items():
    AR_WORDS |= dict.fromkeys(_forms.split(), _v * 10)
    AR_WORDS[_forms.split()[1] + "يات"] = _v * 10         # decades: "الستينيات" = the sixties
AR_WORDS |= dict.fromkeys(["مائه", "مئه"], 100)
AR_WORDS |= dict.fromkeys(["مائتان", "مائتين", "مائتي", "مئتان", "مئتين", "مئتي"], 200)
for _stem, _v in (("ثلاث", 3), ("اربع", 4), ("خمس", 5), ("ست", 6), ("سبع", 7), ("ثمان", 8), ("تسع", 9)):
    AR_WORDS |= {_stem + "مائه": _v * 100, _stem + "مئه": _v * 100}
AR_SCALES = dict.fromkeys(["الف", "الاف", "الفا"], 10**3) | dict.fromkeys(["الفان", "الفين", "الفي"], 2 * 10**3)
AR_SCALES |= dict.fromkeys(["مليون", "ملايين", "مليونا"], 10**6)
AR_SCALES |= dict.fromkeys(["مليونان", "مليونين", "مليوني"], 2 * 10**6)
AR_SCALES |= dict.fromkeys(["مليار", "مليارات", "بليون", "بلايين"], 10**9)

_AR_DIACRITICS = re.compile("[\u064b-\u0652\u0670\u0640]")    # harakat, dagger alef, tatweel
_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
# clitics that stick to the front of a number word: و ف ب ل ك, then the article ال (or لل for ل+ال)
_AR_PREFIX = re.compile("^(?:[وف])?(?:[بلك])?(?:ال|ل(?=ل))?")


def normalise_ar(word: str) -> str:
    return _AR_DIACRITICS.sub("", word).translate(_AR_FOLD)


AR_WORDS = {normalise_ar(k): v for k, v in AR_WORDS.items()}    # spell the lexicon as the text will be
AR_SCALES = {normalise_ar(k): v for k, v in AR_SCALES.items()}


@functools.lru_cache(maxsize=1 << 16)   # the same words recur all through a corpus: 0.3 -> 0.05 s on unpc-ar-en
def _ar_lookup(token: str) -> tuple[str, int] | None:
    """('word' | 'scale', value) for an Arabic token, trying it whole first ("الف" is a word, not "ال"+"ف")."""
    token = normalise_ar(token)
    for cand in dict.fromkeys([token, _AR_PREFIX.sub("", token), token[1:] if token[:1] in "وفبلك" else token]):
        if cand in AR_SCALES:
            return "scale", AR_SCALES[cand]
        if cand in AR_WORDS:
            return "word", AR_WORDS[cand]
    return None


@functools.lru_cache(maxsize=1 << 16)
def _en_lookup(token: str) -> tuple[str, int] | None:
    token = token.lower()
    if token in EN_SCALES:
        return "scale", EN_SCALES[token]
    if token in EN_WORDS:
        return "word", EN_WORDS[token]
    return None


# "one hundred and five"; Arabic "و" is usually glued on, sometimes alone; "الحادية والثلاثون بعد المائة" = 131st
_JOINERS = {"and", "و", "بعد"}


_ROMAN = re.compile(r"\b(?=[MDCLXVI])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})\b"
                    r"|(?<=\()(?=[ivxl])(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})(?=\))")
_ROMAN_DIGITS = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def roman_values(text: str) -> set[int]:
    """Roman numerals: "resolution 683 (XXXV)" = "683 (د-35)", "article IV", sub-item "(iv)"."""
    values = set()
    for m in _ROMAN.finditer(text):
        digits = [_ROMAN_DIGITS[c] for c in m.group().lower()]
        if digits:
            values.add(sum(-d if i + 1 < len(digits) and d < digits[i + 1] else d for i, d in enumerate(digits)))
    return values


def word_values(text: str, lang: str) -> set[float]:
    return _word_values(text, lang) | roman_values(text)


def _word_values(text: str, lang: str) -> set[float]:
    if lang == "ar":
        lookup, tokens = _ar_lookup, re.findall(r"[\u0621-\u064a\u0670\u064b-\u0652\u0640]+|[^\s\w]|\d+", text)
    elif lang == "en":
        # "fifty-eighth" -> fifty, eighth; digits and punctuation end a run of number words
        lookup, tokens = _en_lookup, re.findall(r"[A-Za-z]+|[^\s\w-]|\d+", text)
    else:
        return set()
    values: set[float] = set()
    total = current = 0
    in_run = False
    for tok in tokens + [""]:
        hit = lookup(tok) if tok else None
        if hit is None:
            if tok.lower() in _JOINERS and in_run:
                continue
            if in_run:
                values.add(total + current)
            total = current = 0
            in_run = False
            continue
        kind, v = hit
        values.add(v)
        in_run = True
        if kind == "scale":
            values.add(total + current)     # the count before its scale: "ثلاثة" of "ثلاثة آلاف"
            total += max(current, 1) * v
            current = 0
        elif v == 100 and 0 < current < 10:
            current *= 100           # "three hundred", "ثلاث مائة"
        else:
            current += v             # "twenty one", "خمسة وعشرين", "ثلاثة عشر" (3 + 10)
    return values
