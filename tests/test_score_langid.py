"""The batched language identifier gives py3langid's own probabilities, and the language check its findings."""

import numpy as np
import pytest

from align import mapped
from align.score import langid, language

TEXTS = [
    "The Security Council of the United Nations held consultations today on the humanitarian situation.",
    "Ceci est un texte en français qui n'est pas du tout la traduction anglaise attendue ici.",
    "Der Sicherheitsrat der Vereinten Nationen hat heute über die humanitäre Lage beraten.",
    "El Consejo de Seguridad celebró hoy consultas sobre la situación humanitaria.",
    "Совет Безопасности провел сегодня консультации о гуманитарной ситуации.",
    "عقد مجلس الأمن اليوم مشاورات بشأن الحالة الإنسانية في الجمهورية العربية السورية.",
    "安全理事会今天就叙利亚的人道主义局势举行了磋商。",
    "国際連合の安全保障理事会は、本日、シリアの人道状況について協議を行いました。",
    "국제연합 안전보장이사회는 오늘 시리아의 인도적 상황에 대해 협의했습니다.",
    "THE GENERAL ASSEMBLY DECIDES TO INCLUDE THE ITEM IN THE PROVISIONAL AGENDA",   # all upper case: lowered
    "Cafe\u0301 de\u0301ja\u0300 vu",                                                  # decomposed: NFC first
    "",                                                                              # no features at all
    "12 345 678",
    "\U0001f600 \ud800 surrogate",
]


def test_probabilities_are_py3langids_own():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    probs = langid.probabilities(TEXTS)
    assert probs.shape == (len(TEXTS), len(langid.classes()))
    for text, row in zip(TEXTS, probs):
        ranked = ident.rank(text)
        assert langid.classes()[int(row.argmax())] == ranked[0][0]
        for lang, p in ranked:
            assert row[langid.column(lang)] == pytest.approx(p, abs=1e-5)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_unknown_language_has_no_column():
    assert langid.column("xx") is None and langid.column("en") is not None


def test_many_pairs_at_once_flag_as_one_by_one():
    pairs = [(TEXTS[5], TEXTS[0]), (TEXTS[5], TEXTS[1]), (TEXTS[5], TEXTS[5]), (TEXTS[0], TEXTS[6]), ("", "")]
    together = language.check_many(pairs, "ar", "en")
    assert together == [language.check(s, t, "ar", "en") for s, t in pairs]
    assert [[f["severity"] for f in fl] for fl in together] == [[], ["major"], ["critical"], ["major", "major"], []]


def test_script_counts_use_unicode_script_extensions():
    assert language.letters("ab 12 جـد") == 5                       # the tatweel is a letter
    assert language.script_count("ab 12 جـد", ("Arabic",)) == 3    # ... and an Arabic one
    assert language.script_count("ｱｲｳ ー", ("Katakana",)) == 4      # half-width kana, the prolonged sound mark
    assert language.main_script("Ｆｕｌｌｗｉｄｔｈ letters") == "Latin"
    assert language.main_script("12 345") == "other"


def test_decoded_model_is_kept_and_mapped_back_unchanged():
    langid._model()                       # decodes the model and keeps its arrays, or maps the kept ones
    kept, fresh = langid._load_arrays(), langid._decode()
    assert isinstance(kept["ptc"], np.memmap)   # mapped from the files, not decoded again
    assert kept.keys() == fresh.keys()
    for k in fresh:
        assert kept[k].dtype == fresh[k].dtype and np.array_equal(kept[k], fresh[k])


def test_older_decoded_arrays_are_removed(tmp_path):
    for name in ("langid-0.4.0-1-2", "langid-f32-0.4.0-1-2"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "ptc.npy").write_bytes(b"x")
    (tmp_path / "langid._naive_bayes-123.py311.nbi").write_bytes(b"numba's own cache stays")
    mapped.drop_older(str(tmp_path / "langid-f32-0.4.0-1-2"), langid.FAMILY)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["langid-f32-0.4.0-1-2", "langid._naive_bayes-123.py311.nbi"]


def test_script_counts_of_many_texts_at_once_match_one_by_one():
    import random

    rng = random.Random(1)
    pool = ([chr(c) for c in range(0x20, 0x3000)] + [chr(c) for c in range(0xAC00, 0xAD00)]
            + [chr(c) for c in range(0xFF00, 0xFFEF)] + ["\U00020000", "\U0001f600", "\ud800"])
    texts = ["", "ab 12 جـد", ""] + ["".join(rng.choice(pool) for _ in range(rng.randint(0, 40))) for _ in range(500)]
    for scripts in [(s,) for s in language.NAMED] + [("Han", "Hiragana", "Katakana")]:
        n, k = language.count_many(texts, scripts)
        assert n.tolist() == [language.letters(t) for t in texts]
        assert k.tolist() == [language.script_count(t, scripts) for t in texts]


PERSIAN = "این یک متن فارسی است که برای آزمایش نوشته شده است و باید به درستی شناسایی شود"
URDU = "یہ ایک اردو متن ہے جو جانچ کے لیے لکھا گیا ہے اور اسے صحیح طور پر پہچانا جانا چاہیے"


def test_arabic_of_its_own_letters_is_not_identified_but_persian_and_urdu_are(monkeypatch):
    seen = []
    real = langid.probabilities
    monkeypatch.setattr(langid, "probabilities", lambda texts: seen.extend(texts) or real(texts))
    english = TEXTS[0]
    flags = language.check_many([(TEXTS[5], english), (PERSIAN, english), (URDU, english)], "ar", "en")
    assert [[f["message"] for f in fl] for fl in flags] == [
        [], ["source looks like fa (p=1.00), expected ar"], ["source looks like ur (p=1.00), expected ar"]]
    assert TEXTS[5] not in seen and PERSIAN in seen and URDU in seen   # standard Arabic letters only: not identified
    assert english in seen                                               # a Latin-script side always is


def test_identifier_reads_a_texts_opening_only(monkeypatch):
    seen = []
    real = langid.probabilities
    monkeypatch.setattr(langid, "probabilities", lambda texts: seen.extend(texts) or real(texts))
    long_french = " ".join([TEXTS[1]] * 40)                  # 3,500 characters
    flags = language.check(TEXTS[5], long_french, "ar", "en")
    assert [f["message"] for f in flags] == ["target looks like fr (p=1.00), expected en"]
    assert seen == [long_french[:language.LANGID_CHARS]]
