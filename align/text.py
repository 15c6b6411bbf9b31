"""Matching keys: normalised views of a text used to compare and anchor, never written to output.

* ``match_key(text)``: a string for equality/similarity tests across spelling variants (Arabic letter
  forms, diacritics, digits, punctuation, case, spacing).
* ``numbers(text)``: the numbers written in a text, in order, as ``float`` (quantities) or ``"HH:MM"``
  (clock times).
* ``symbols(text)``: UN document symbols (``S/2018/972``, ``A/RES/70/1``, ``E/CN.4/2005/L.10``).
* ``anchor_keys(text)``: numbers and symbols as strings, for pinning paragraphs to each other.
"""

from __future__ import annotations

import re
import unicodedata

# Arabic-Indic (U+0660..) and Extended/Persian (U+06F0..) digits, and the Arabic decimal/thousands marks.
_DIGITS = {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)}}
_TO_ASCII_DIGITS = str.maketrans({**_DIGITS, 0x066B: ".", 0x066C: ","})
_NON_ASCII_DIGITS = re.compile("[\u0660-\u066c\u06f0-\u06f9]")

_KEY_MAP = str.maketrans({
    **{c: "ا" for c in "أإآٱ"},          # alef with hamza/madda/wasla
    "ؤ": "و", "ئ": "ي", "ى": "ي", "ی": "ي", "ک": "ك", "ة": "ه",
    "؟": "?", "،": ",", "؛": ";", "٪": "%",
    **{c: '"' for c in "«»“”„‟"}, **{c: "'" for c in "‘’‚‛"},
})
# Tashkeel (harakat, tanwin, shadda, sukun, dagger alef), Quranic marks, and tatweel.
_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def to_ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits to 0-9; ``٫`` to ``.`` and ``٬`` to ``,``. Same length as the input."""
    # looked for first: most texts have none, and translate() looks every character up in a dict (17 us for 300
    # Arabic characters, the search 0.7 us); the QA checks call this 25,600 times on unpc-ar-en's links
    return text.translate(_TO_ASCII_DIGITS) if _NON_ASCII_DIGITS.search(text) else text


def match_key(text: str) -> str:
    """A comparison key: NFKC, ASCII digits, no tashkeel or tatweel, one alef/ya/ha form, ``؟``→``?``,
    ``،``→``,``, one kind of quote, case-folded, whitespace collapsed. Never shown to users."""
    text = unicodedata.normalize("NFKC", text)
    text = _MARKS.sub("", to_ascii_digits(text)).translate(_KEY_MAP)
    return " ".join(text.casefold().split())


# --- UN document symbols ------------------------------------------------------------------------------
# A series symbol: an upper-case body ("A", "S", "E", "ST", "UNEP", "CEDAW") then "/"-separated parts
# ("RES", "CN.4", "2018", "L.10", "Rev.1", "Add.2"), at least one with a digit; "S/RES/2231 (2015)" keeps
# its year. Lower-case runs ("km/h") and digit-free pairs ("HIV/AIDS") are not symbols.
SYMBOL_RE = re.compile(
    r"(?<![\w/])[A-Z]{1,8}(?:\.\d+)?(?:/(?:[A-Z][A-Za-z]*\.?\d*(?:\.\d+)*|\d+(?:\.\d+)*[A-Za-z]?))+"
    r"(?:\s\(\d{4}\))?"
)


def symbols(text: str) -> set[str]:
    """UN document symbols in ``text``, digits made ASCII, any sentence-final dot removed."""
    out: set[str] = set()
    # every symbol has a "/", most segments none: the symbols check took 0.068 s of CPU on unpc-ar-en's links, 0.007 now
    if "/" not in text:
        return out
    for m in SYMBOL_RE.finditer(to_ascii_digits(text)):
        sym = m.group().rstrip(".")
        if re.search(r"\d", sym) and "/" in sym:
            out.add(sym)
    return out


# --- numbers ------------------------------------------------------------------------------------------
_SPACES = " \u00a0\u202f\u2009"
_NUMBER = re.compile(
    rf"""(?<!\d)(?<!\d[.,])(?:
        (?P<time>\d{{1,2}})[:.](?P<min>\d{{2}})\s?(?P<ampm>[ap])\.?m\.?(?!\w)   # 3.35 p.m. / 10:05am
      | (?P<hour>\d{{1,2}})\s?(?P<ampm2>[ap])\.?m\.?(?!\w)                     # 3 p.m.
      | (?P<clock>\d{{1,2}}:\d{{2}})(?![\d:])                                  # 15:35
      | (?P<grouped>\d{{1,3}}(?:[{_SPACES}]\d{{3}})+(?:[.,]\d+)?)(?!\d)          # 734 156 (Arabic, French)
      | (?P<num>\d+(?:[.,]\d+)*)                                               # 1,234.5 / 1.234,5 / 12
    )""",
    re.VERBOSE,
)


def _parse_number(s: str) -> float | str:
    """``1,234.5`` / ``1.234,5`` / ``1,5`` / ``1,234`` → float; ``1.2.3`` (a section number) → ``"1.2.3"``.

    With both separators the last is the decimal one. With one kind: three-digit groups throughout are
    thousands grouping (``1,234``, ``2.500.000``); a single separator before other than three digits is a
    decimal one; anything else is not a quantity and is returned as written."""
    seps = set(re.findall(r"[.,]", s))
    if not seps:
        return float(s)
    last = max(s.rfind("."), s.rfind(","))
    head, tail = s[:last], s[last + 1:]
    if len(seps) == 2:
        return float(re.sub(r"[.,]", "", head) + "." + tail)
    groups = re.split(r"[.,]", s)
    if all(len(g) == 3 for g in groups[1:]) and len(groups[0]) <= 3:
        return float("".join(groups))
    if len(groups) == 2:
        return float(head + "." + tail)
    return s


def numbers(text: str) -> list[float | str]:
    """The numbers written in ``text``, in order of appearance.

    ================  ===========================  =================================================
    written           returns                      why
    ================  ===========================  =================================================
    ``15:35``         ``"15:35"``                  a clock time is one value, not 15 and 35
    ``3.35 p.m.``     ``"15:35"``                  UN English times, made 24-hour to meet Arabic ones
    ``3 p.m.``        ``"15:00"``
    ``2nd``, ``1er``  ``2.0``, ``1.0``             ordinals give their number; letters around digits
                                                   are ignored (``COVID-19`` → ``19.0``)
    ``1,234.5``       ``1234.5``                   the last separator followed by other than three
    ``1.234,5``       ``1234.5``                   digits, or after the other kind, is the decimal one
    ``1,5``           ``1.5``
    ``1,234``         ``1234.0``                   one separator + three digits reads as grouping
    ``١٢٣٫٥``         ``123.5``                    Arabic-Indic digits, ``٫`` decimal, ``٬`` grouping
    ``734 156``       ``734156.0``                 space / no-break space / thin space grouping of
                                                   three-digit groups (a 4+ digit head is not grouped)
    ``2015-2017``     ``2015.0, 2017.0``           no signs: a hyphen is a range or a dash
    ``S/2018/972``    nothing                      document symbols are ``symbols()``' business
    ================  ===========================  =================================================
    """
    text = to_ascii_digits(unicodedata.normalize("NFKC", text))
    text = SYMBOL_RE.sub(lambda m: " " * len(m.group()), text)
    out: list[float | str] = []
    for m in _NUMBER.finditer(text):
        g = m.groupdict()
        if g["time"] or g["hour"]:
            hour = int(g["time"] or g["hour"])
            minute = int(g["min"] or 0)
            pm = (g["ampm"] or g["ampm2"]).lower() == "p"
            if hour <= 12:
                hour = hour % 12 + (12 if pm else 0)
            out.append(f"{hour:02d}:{minute:02d}")
        elif g["clock"]:
            h, mi = g["clock"].split(":")
            out.append(f"{int(h):02d}:{mi}")
        elif g["grouped"]:
            out.append(_parse_number(re.sub(rf"[{_SPACES}]", "", g["grouped"])))
        else:
            out.append(_parse_number(g["num"]))
    return out


def number_key(n: float | str) -> str:
    """A number from ``numbers()`` as a canonical string: ``734156``, ``123.5``, ``15:35``."""
    if isinstance(n, str):
        return n
    return str(int(n)) if n.is_integer() else repr(n)


def anchor_keys(text: str) -> set[str]:
    """Numbers (``number_key``) and document symbols (prefixed ``sym:``) of ``text``: strings two translations
    of the same paragraph share whatever their language."""
    return {number_key(n) for n in numbers(text)} | {"sym:" + s for s in symbols(text)}
