"""Matching keys, number extraction and document symbols."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.text import anchor_keys, match_key, number_key, numbers, symbols, to_ascii_digits


@pytest.mark.parametrize("a,b", [
    ("أحمد إلى آخر", "احمد الى اخر"),                   # alef with hamza / madda
    ("مدرسة", "مدرسه"),                                 # ta marbuta
    ("مُدَرِّسَةٌ", "مدرسة"),                              # tashkeel
    ("مـــدرسة", "مدرسة"),                               # tatweel
    ("مستشفى شؤون رئيس", "مستشفي شوون رييس"),           # alef maqsura, hamza on waw / ya
    ("عام ٢٠١٨، هل؟", "عام 2018, هل?"),                 # Arabic-Indic digits, comma, question mark
    ("عام ۲۰۱۸", "عام 2018"),                             # Persian digits
    ("«نعم»", '"نعم"'),
    ("  The   Security\tCOUNCIL ", "the security council"),
])
def test_match_key_unifies_variants(a, b):
    assert match_key(a) == match_key(b)


def test_match_key_keeps_different_words_apart():
    assert match_key("كتب") != match_key("كتاب")
    assert match_key("2018") != match_key("2019")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="أإآاةهىيؤئءَُِّـ٠١٢۳٫٬،؛؟ aAbZ1.,\n\t«»", max_size=40))
def test_match_key_is_idempotent_and_digits_keep_length(text):
    assert match_key(match_key(text)) == match_key(text)
    assert len(to_ascii_digits(text)) == len(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬0123456789 .,abcأب٪ۯۺ", max_size=30))
def test_to_ascii_digits_maps_every_arabic_and_persian_digit(text):
    # the search that skips texts without such digits must never skip one that has them
    expected = "".join({**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)},
                        "٫": ".", "٬": ","}.get(c, c) for c in text)
    assert to_ascii_digits(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("15:35", ["15:35"]),
    ("at 3.35 p.m.", ["15:35"]),
    ("at 3 p.m. and 10.30 a.m.", ["15:00", "10:30"]),
    ("12.40 p.m.", ["12:40"]),
    ("the 2nd and 21st", [2.0, 21.0]),
    ("1,234.5", [1234.5]),
    ("1.234,5", [1234.5]),
    ("1,5", [1.5]),
    ("1,234 and 2,500,000", [1234.0, 2500000.0]),
    ("١٢٣٫٥", [123.5]),
    ("٧٣٤ ١٥٦ شخصا", [734156.0]),
    ("734 156", [734156.0]),
    ("in 2015 123 cases", [2015.0, 123.0]),      # a 4-digit head is not a thousands group
    ("2015-2017", [2015.0, 2017.0]),
    ("بين 2015 و2017", [2015.0, 2017.0]),         # Arabic "and" glued to a number
    ("section 1.2.3", ["1.2.3"]),
    ("S/2018/972 of 12 pages", [12.0]),
    ("no numbers here", []),
])
def test_numbers(text, expected):
    assert numbers(text) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789٠١٢٫٬.,: apm/S-\u00a0", max_size=30))
def test_numbers_never_fail_and_keys_are_canonical(text):
    for n in numbers(text):
        key = number_key(n)
        assert isinstance(key, str) and key
        if isinstance(n, float):
            assert float(key) == n


def test_symbols():
    text = ("See S/2018/972. Also A/RES/70/1, E/CN.4/2005/L.10, A/C.3/70/L.5/Rev.1, S/RES/2231 (2015) and "
            "UNEP/GC.27/17; not HIV/AIDS, km/h or 24/7.")
    assert symbols(text) == {"S/2018/972", "A/RES/70/1", "E/CN.4/2005/L.10", "A/C.3/70/L.5/Rev.1",
                             "S/RES/2231 (2015)", "UNEP/GC.27/17"}
    assert symbols("الوثيقة S/٢٠١٨/٩٧٢") == {"S/2018/972"}


def test_anchor_keys_match_across_languages():
    # Real lines from UN documents (UNPC): the English and Arabic versions of one agenda entry.
    en = "To be held on Friday, 6 March 2015, at 12.40 p.m."
    ar = "المقرر عقدها يوم الجمعة 6 آذار/مارس 2015، الساعة 12:40"
    assert anchor_keys(en) == anchor_keys(ar) == {"6", "2015", "12:40"}
    en = "In 2018, 734,156 people were displaced (S/2018/972)."
    ar = "وفي عام ٢٠١٨، شُرِّد ٧٣٤ ١٥٦ شخصا (S/2018/972)."
    assert anchor_keys(en) == anchor_keys(ar) == {"2018", "734156", "sym:S/2018/972"}
