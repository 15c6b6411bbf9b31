"""UN document structure: label each paragraph with what it is.

``label_paragraphs(paragraphs, lang)`` sets ``Paragraph.label`` and ``Paragraph.number``:

=====================  ===============================================================================
label                  paragraph
=====================  ===============================================================================
``organ``              "Security Council", "General Assembly", "مجلس الأمن" (document header)
``distribution``       "Distr.: General", "التوزيع: عام"
``date``               "14 November 2018", "14 تشرين الثاني/نوفمبر 2018"
``symbol``             "S/2018/1020" (a whole paragraph that is a document symbol)
``original-language``  "Original: Arabic", "الأصل: بالعربية"
``language``           "English" (the language of this version)
``header``             other header lines ("United Nations", "Sixty-ninth session", "Agenda item 68"),
                       or several header fields run into one paragraph
``title``              up to three unpunctuated paragraphs right after a recognised header
``numbered``           "12. The Committee ..." / "12 - ترى اللجنة"; ``number`` = "12"
``item``               "(a) ..." / "(iv) ..." / "(أ) ..."; ``number`` = "(a)", "(iv)", "(أ)"
``heading``            "II. Conclusions" (``number`` "II"), "ألف - ..." (``number`` "ألف"), or a short
                       unpunctuated line
``signature``          "(Signed) ..." / "(توقيع) ..." and the short lines after it
``body``               anything else
=====================  ===============================================================================

Header labels and ``title`` are only given at the top of a document whose first paragraphs are UN
header fields, so ordinary text gets no more than body/numbered/item/heading. ``number`` keeps the
marker as written, digits made ASCII; ``paragraph_key`` maps Arabic markers to their Latin counterparts
for comparison across languages.
"""

from __future__ import annotations

import re

from align.document import Paragraph
from align.text import SYMBOL_RE, to_ascii_digits

LABELS = frozenset({"organ", "distribution", "date", "symbol", "original-language", "language", "header", "title",
                    "numbered", "item", "heading", "signature", "body"})

_LANG_NAMES = "Arabic|Chinese|English|French|Russian|Spanish"
_AR_LANG_NAMES = "العربية|الإنكليزية|الإنجليزية|الفرنسية|الروسية|الصينية|الإسبانية"
_EN_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_AR_MONTHS = "يناير|فبراير|مارس|أبريل|ابريل|مايو|يونيه|يونيو|يوليه|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر"
_AR_SYRIAC_MONTHS = r"(?:(?:كانون|تشرين)\s(?:الأول|الثاني)|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول)"

# Each header field, tried in this order; a header paragraph is one or more of them separated by spaces.
_FIELDS = [
    ("distribution", r"Distr\.?\s?:\s?(?:General|Limited|Restricted)|التوزيع\s?:\s?(?:عام|محدود)"),
    ("original-language", rf"Original\s?:\s?(?:{_LANG_NAMES})(?:(?:,\s?|\sand\s)(?:{_LANG_NAMES}))*"
                          rf"|الأصل\s?:\s?(?:ب?(?:{_AR_LANG_NAMES}))"),
    ("date", rf"\d{{1,2}}\s(?:{_EN_MONTHS})\s\d{{4}}"
             rf"|\d{{1,2}}\s(?:{_AR_SYRIAC_MONTHS}/)?(?:{_AR_MONTHS})\s\d{{4}}"),
    ("symbol", SYMBOL_RE.pattern + r"\**"),
    ("organ", r"General Assembly|Security Council|Economic and Social Council|Trusteeship Council"
              r"|Human Rights Council|International Court of Justice|Conference on Disarmament"
              r"|الجمعية العامة|مجلس الأمن|المجلس الاقتصادي والاجتماعي|مجلس الوصاية|مجلس حقوق الإنسان"
              r"|محكمة العدل الدولية|مؤتمر نزع السلاح"),
    ("language", rf"{_LANG_NAMES}|عربي|{_AR_LANG_NAMES}"),
    ("header", r"United Nations|الأمم المتحدة|[A-Z][a-z]+(?:-[a-z]+)? (?:session|year)"
               r"|(?:Agenda i|I)tem \d+(?: \([a-z]\))?(?: of the (?:provisional|preliminary) (?:agenda|list))?\**"
               r"|(?:الدورة|السنة) ال[\u0621-\u064a]+(?: وال[\u0621-\u064a]+)?"
               r"|البند \d+(?: \([\u0621-\u064a]\))? من (?:جدول الأعمال|القائمة)(?: المؤقت| الأولية)?\**"
               r"|\d{2}-\d{5} \([A-Z]\)(?: \d{6})?|\*\d{7}\*|Please recycle"),
]
_FIELD = re.compile("|".join(f"(?P<f{i}>{p})" for i, (_, p) in enumerate(_FIELDS)))

_SIGNED = re.compile(r"^\s*[(（]\s*(?:Signed|Signé|Firmado|Подпись|签名|توقيع)\s*[)）]", re.IGNORECASE)
_AR_LETTER = "\u0621-\u064a"
# "12. ", and the Arabic "12 - " / "12- " (a hyphen with no space either side is a compound: "10-year").
_NUMBERED = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)(?:\.\s|\s-\s?|-\s)")
_ITEM = re.compile(rf"^\(?((?:[a-z]{{1,2}}|[ivxlc]{{1,6}}|\d{{1,3}}|[{_AR_LETTER}]ـ?)\))\s")
_ROMAN_HEADING = re.compile(r"^([IVXLC]{1,6}|[A-Z])\.\s")
_AR_ORDINALS = "أولا ثانيا ثالثا رابعا خامسا سادسا سابعا ثامنا تاسعا عاشرا".split()
_AR_LETTER_NAMES = ("ألف باء جيم دال هاء واو زاي حاء طاء ياء كاف لام ميم نون سين عين فاء صاد قاف راء شين تاء ثاء"
                    " خاء ذال ضاد").split()
_AR_HEADING = re.compile(rf"^((?:{'|'.join(_AR_ORDINALS + _AR_LETTER_NAMES)})ً?)\s?-\s")
_FINAL = re.compile(r"[.!?؟…:;؛。！？][\"'”’»)\]*]*$")


def _header_fields(text: str) -> list[str] | None:
    """The header fields that make up ``text`` exactly, or None if it is anything else."""
    text = to_ascii_digits(" ".join(text.split()))
    labels, pos = [], 0
    while pos < len(text):
        m = _FIELD.match(text, pos)
        if not m or (m.end() < len(text) and text[m.end()] != " "):
            return None
        assert m.lastgroup is not None  # every alternative of _FIELD is a named group, and one matched
        labels.append(_FIELDS[int(m.lastgroup[1:])][0])
        pos = m.end() + 1
    return labels or None


def _int_to_roman(n: int) -> str:
    out = ""
    for v, r in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        out += r * (n // v)
        n %= v
    return out


def paragraph_key(number: str | None) -> str | None:
    """A paragraph number as a language-neutral key: Arabic sub-item letters in UN (abjad) order to Latin
    ("(أ)" → "(a)"), Arabic heading letter names and ordinals to Latin letters and roman numerals
    ("ألف" → "A", "ثانيا" → "II"); other numbers unchanged."""
    if not number:
        return number
    bare = number.strip("()").rstrip("ـً")
    if bare in _AR_ORDINALS:
        return _int_to_roman(_AR_ORDINALS.index(bare) + 1)
    if bare in _AR_LETTER_NAMES:
        return chr(ord("A") + _AR_LETTER_NAMES.index(bare))
    abjad = "أبجدهوزحطيكلمنسعفصقرشتثخذضظغ"
    if len(bare) == 1 and bare in abjad[:26] and number.startswith("("):
        return f"({chr(ord('a') + abjad.index(bare))})"
    return number


def _marker(text: str) -> tuple[str, str] | None:
    """(label, number) when ``text`` opens with a paragraph, item or heading marker."""
    text = to_ascii_digits(text.lstrip())
    if m := _NUMBERED.match(text):
        return "numbered", m.group(1)
    if m := _ITEM.match(text):
        return "item", "(" + m.group(1).rstrip(")").lstrip("(") + ")"
    if m := _ROMAN_HEADING.match(text):
        return "heading", m.group(1)
    if m := _AR_HEADING.match(text):
        return "heading", m.group(1)
    return None


def _short_unpunctuated(text: str, words: int = 12) -> bool:
    return len(text.split()) <= words and not _FINAL.search(text.strip())


def label_paragraphs(paragraphs: list[Paragraph], lang: str) -> None:
    """Set ``label`` and ``number`` on each paragraph in place (see the module docstring).

    ``lang`` is accepted for symmetry with the segmenter; the patterns cover English and Arabic together
    because Arabic UN documents carry English header fields ("Distr.: General")."""
    i, n = 0, len(paragraphs)
    # Header block: leading paragraphs made only of header fields. Two or more fields make it a UN header.
    fields = []
    while i < n and i < 20 and (f := _header_fields(paragraphs[i].text)):
        fields.append(f)
        i += 1
    if sum(len(f) for f in fields) >= 2:
        for p, f in zip(paragraphs, fields):
            p.label, p.number = (f[0] if len(f) == 1 else "header"), None
        for _ in range(3):
            if i < n and _marker(paragraphs[i].text) is None and not _FINAL.search(paragraphs[i].text.strip()) \
                    and not _SIGNED.match(paragraphs[i].text):
                paragraphs[i].label, paragraphs[i].number = "title", None
                i += 1
    else:
        i = 0
    in_signature = False
    for p in paragraphs[i:]:
        text = p.text.strip()
        p.number = None
        if _SIGNED.match(text):
            p.label, in_signature = "signature", True
            continue
        if in_signature and _short_unpunctuated(text, 8):
            p.label = "signature"
            continue
        in_signature = False
        if mk := _marker(text):
            p.label, p.number = mk
        elif text and _short_unpunctuated(text):
            p.label = "heading"
        else:
            p.label = "body"
