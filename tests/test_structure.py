"""UN document structure labels, on the seed letter and on Arabic and non-UN text."""

import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.document import Paragraph
from align.structure import LABELS, label_paragraphs, paragraph_key

SEED = os.path.join(os.path.dirname(__file__), "..", "seeds", "S-2018-letter-syria-hajin.en.txt")


def labelled(texts, lang="en"):
    paras = [Paragraph(text=t) for t in texts]
    label_paragraphs(paras, lang)
    return [(p.label, p.number) for p in paras]


def seed_text():
    with open(SEED, encoding="utf-8") as f:
        return f.read()


def test_seed_letter_blank_line_paragraphs():
    # Paragraphs as blank-line blocks with their lines joined, the way the plain-text reader makes them.
    blocks = [" ".join(b.split()) for b in re.split(r"\n[ \t]*\n", seed_text()) if b.strip()]
    paras = [Paragraph(text=b) for b in blocks]
    label_paragraphs(paras, "en")
    assert [p.label for p in paras] == ["organ", "header", "title"] + ["body"] * 8 + ["signature"]
    assert paras[1].text == "Distr.: General 14 November 2018 English Original: Arabic"
    assert paras[2].text.startswith("Identical letters dated 10 November 2018")
    assert paras[-1].text.startswith("(Signed)")
    assert all(p.number is None for p in paras)


def test_seed_letter_one_paragraph_per_line():
    lines = [l.strip() for l in seed_text().splitlines() if l.strip()]
    got = labelled(lines)
    assert [g[0] for g in got[:6]] == ["organ", "distribution", "date", "language", "original-language", "title"]
    assert [g[0] for g in got[-3:]] == ["signature"] * 3
    assert lines[-2:] == ["Ambassador", "Permanent Representative"]
    assert {g[0] for g in got[6:-3]} == {"body"}


def test_arabic_document():
    texts = [
        "الأمم المتحدة", "S/2018/1020*", "مجلس الأمن", "Distr.: General", "14 تشرين الثاني/نوفمبر ٢٠١٨", "Arabic",
        "الأصل: بالعربية",
        "رسالتان متطابقتان مؤرختان 10 تشرين الثاني/نوفمبر 2018 موجهتان إلى الأمين العام ورئيس مجلس الأمن",
        "بناء على تعليمات من حكومتي، أود أن أنقل إليكم ما يلي:",
        "١٢ - تطلب اللجنة إلى الأمين العام تقديم تقرير.",
        "(أ) تعزيز التعاون؛",
        "(هـ) إصدار بيانات عامة مشتركة.",
        "ثانيا - الاستنتاجات",
        "(توقيع) بشار الجعفري", "السفير", "المندوب الدائم",
    ]
    assert labelled(texts, "ar") == [
        ("header", None), ("symbol", None), ("organ", None), ("distribution", None), ("date", None),
        ("language", None), ("original-language", None), ("title", None), ("body", None), ("numbered", "12"),
        ("item", "(أ)"), ("item", "(هـ)"), ("heading", "ثانيا"),
        ("signature", None), ("signature", None), ("signature", None),
    ]


def test_english_markers_after_header():
    texts = ["General Assembly", "Sixty-ninth session", "Agenda item 68", "A/69/123",
             "II. Conclusions and recommendations",
             "12. The Committee notes the report.", "(iv) the fourth point;", "a) another point;",
             "10-year plans are common.", "Annex"]
    assert labelled(texts) == [
        ("organ", None), ("header", None), ("header", None), ("symbol", None),
        ("heading", "II"), ("numbered", "12"), ("item", "(iv)"), ("item", "(a)"), ("body", None), ("heading", None),
    ]


def test_non_un_text_gets_no_header_or_title():
    # The opening of the UDHR as its plain-text edition lays it out.
    texts = ["Universal Declaration of Human Rights", "Preamble",
             "Whereas recognition of the inherent dignity and of the equal and inalienable rights of all members of "
             "the human family is the foundation of freedom, justice and peace in the world,",
             "Article 1", "All human beings are born free and equal in dignity and rights."]
    got = labelled(texts)
    assert [g[0] for g in got] == ["heading", "heading", "body", "heading", "body"]
    assert labelled([]) == []
    assert labelled(["", "English"]) == [("body", None), ("heading", None)]


@pytest.mark.parametrize("written,key", [
    ("(أ)", "(a)"), ("(ب)", "(b)"), ("(هـ)", "(e)"), ("(و)", "(f)"), ("ألف", "A"), ("دال", "D"),
    ("أولا", "I"), ("ثانيا", "II"), ("رابعا", "IV"), ("12", "12"), ("(iv)", "(iv)"), (None, None),
])
def test_number_key(written, key):
    assert paragraph_key(written) == key


PIECES = ["Security Council", "Distr.: General", "14 November 2018", "S/2018/1", "Original: Arabic", "(Signed) X",
          "12. Text.", "(a) text;", "II. Heading", "Some body text, long enough to be a sentence of its own.",
          "مجلس الأمن", "١٢ - نص.", "(أ) نص؛", "", "  ", "Title without a full stop"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_any_sequence_gets_known_labels_and_untouched_text(texts):
    paras = [Paragraph(text=t) for t in texts]
    label_paragraphs(paras, "en")
    assert [p.text for p in paras] == texts
    assert all(p.label in LABELS for p in paras)
    assert all(p.number is None or p.label in {"numbered", "item", "heading"} for p in paras)
