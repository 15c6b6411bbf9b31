"""Sentence segmentation: hand-checked cases per language, and properties of the spans."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.errors import AlignError
from align.segment import LANGS, check_lang, sentence_spans, split_sentences

CASES = [
    # English: abbreviations, decimals, symbols, dates, list numbers, quotes, case.
    ("en", "Mr. Smith met Dr. Jones. They spoke at length.", ["Mr. Smith met Dr. Jones.", "They spoke at length."]),
    ("en", "See para. 5 and No. 12 of the list, e.g. the first. Then vote.",
     ["See para. 5 and No. 12 of the list, e.g. the first.", "Then vote."]),
    ("en", "The rate rose to 3.5 per cent in 2018. It fell to 1,234.5 later.",
     ["The rate rose to 3.5 per cent in 2018.", "It fell to 1,234.5 later."]),
    ("en", "Document E/CN.4/2005/L.10 and A/RES/70/1 are cited in S/2018/972. The Council met.",
     ["Document E/CN.4/2005/L.10 and A/RES/70/1 are cited in S/2018/972.", "The Council met."]),
    ("en", "It was signed on 14 Nov. 2018 in Geneva. It entered into force.",
     ["It was signed on 14 Nov. 2018 in Geneva.", "It entered into force."]),
    ("en", "1. The Committee met. 2. It adopted the report.", ["1. The Committee met.", "2. It adopted the report."]),
    ("en", "The Committee decided as follows: 1. To note the report; 2. To close the item.",
     ["The Committee decided as follows:", "1. To note the report;", "2. To close the item."]),
    ("en", "It should cover (a) education; (b) health; and (c) housing.",
     ["It should cover (a) education; (b) health; and (c) housing."]),
    ("en", "The list is contained in annex I. The Council took note.",
     ["The list is contained in annex I.", "The Council took note."]),
    ("en", "Other matters 2. The minimum payments are due.", ["Other matters", "2. The minimum payments are due."]),
    ("en", "See paragraph 2. The payments are due.", ["See paragraph 2.", "The payments are due."]),
    ("en", 'He said "Stop." Then he left (see above.) It ended.',
     ['He said "Stop."', "Then he left (see above.)", "It ended."]),
    ("en", "The meeting rose at 3.35 p.m. and resumed on the 2nd. Was it late? Yes! It was.",
     ["The meeting rose at 3.35 p.m. and resumed on the 2nd.", "Was it late?", "Yes!", "It was."]),
    ("en", "The U.S. Navy and H.E. Mr. J. K. Smith attended. Good.",
     ["The U.S. Navy and H.E. Mr. J. K. Smith attended.", "Good."]),
    # A blank line always ends a segment; a single newline is a wrapped line.
    ("en", "Title\n\nThe first paragraph\nwraps here. Next", ["Title", "The first paragraph\nwraps here.", "Next"]),
    # Arabic: ، ؛ do not end sentences; ؟ ! . … do; Arabic-Indic paragraph numbers; « » quotes.
    ("ar", "وقال السيد أحمد إن الوضع خطير. وأضاف: هل يتحرك المجلس؟ نعم! وهكذا… انتهى.",
     ["وقال السيد أحمد إن الوضع خطير.", "وأضاف: هل يتحرك المجلس؟", "نعم!", "وهكذا…", "انتهى."]),
    ("ar", "أولا، نرحب بالتقرير؛ وثانيا، ندعو إلى تنفيذه.", ["أولا، نرحب بالتقرير؛ وثانيا، ندعو إلى تنفيذه."]),
    ("ar", "١ - تقرر اللجنة تمديد الولاية. ٢ - تطلب إلى الأمين العام تقديم تقرير.",
     ["١ - تقرر اللجنة تمديد الولاية.", "٢ - تطلب إلى الأمين العام تقديم تقرير."]),
    ("ar", "مسائل أخرى 2 - وأبرز مقدما المقترح أهميته.", ["مسائل أخرى", "2 - وأبرز مقدما المقترح أهميته."]),
    ("ar", "قال «انتهى الأمر.» ثم غادر القاعة.", ["قال «انتهى الأمر.»", "ثم غادر القاعة."]),
    ("ar", "انظر الوثيقة S/2018/972. وفي الفترة 2015-2017 بلغت النسبة 3.5 في المائة.",
     ["انظر الوثيقة S/2018/972.", "وفي الفترة 2015-2017 بلغت النسبة 3.5 في المائة."]),
    ("ar", "ألقى د. محمد كلمة. ثم انصرف.", ["ألقى د. محمد كلمة.", "ثم انصرف."]),
    # Chinese: no spaces; closing quotes stay with their sentence.
    ("zh", "会议开始了。代表们发言！有问题吗？没有。", ["会议开始了。", "代表们发言！", "有问题吗？", "没有。"]),
    ("zh", "他说：“好。”然后离开。增长了3.5%。", ["他说：“好。”", "然后离开。", "增长了3.5%。"]),
    # French: M. is Monsieur, spaced punctuation and guillemets.
    ("fr", "M. Dupont est arrivé. Pourquoi ? « C'est fini. » Il part, voir par. 5 du rapport.",
     ["M. Dupont est arrivé.", "Pourquoi ?", "« C'est fini. »", "Il part, voir par. 5 du rapport."]),
    ("es", "El Sr. García llegó. ¿Por qué? Véase el párr. 5 del informe.",
     ["El Sr. García llegó.", "¿Por qué?", "Véase el párr. 5 del informe."]),
    ("ru", "Г-н Иванов выступил. См. п. 5 доклада. А. С. Пушкин родился в Москве.",
     ["Г-н Иванов выступил.", "См. п. 5 доклада.", "А. С. Пушкин родился в Москве."]),
    ("de", "Am 3. Oktober 1990 wurde es vereinigt, z. B. durch Art. 5 GG. Das war ein Fest.",
     ["Am 3. Oktober 1990 wurde es vereinigt, z. B. durch Art. 5 GG.", "Das war ein Fest."]),
    # The other languages of the bundled encoder: titles, references before a number, ordinals, no-space scripts.
    ("it", "Il sig. Rossi è arrivato. Si veda l'art. 5 della legge. Perché?",
     ["Il sig. Rossi è arrivato.", "Si veda l'art. 5 della legge.", "Perché?"]),
    ("pt", "O Sr. Silva chegou. Ver o art. 5 do relatório. Por quê?",
     ["O Sr. Silva chegou.", "Ver o art. 5 do relatório.", "Por quê?"]),
    ("nl", "Dhr. Jansen kwam aan, bijv. om 9 uur. Zie art. 5 van de wet.",
     ["Dhr. Jansen kwam aan, bijv. om 9 uur.", "Zie art. 5 van de wet."]),
    ("pl", "Prof. Nowak przyjechał 3. dnia, np. rano. Zob. art. 5 ustawy.",
     ["Prof. Nowak przyjechał 3. dnia, np. rano.", "Zob. art. 5 ustawy."]),
    ("tr", "Dr. Yılmaz 15. yüzyılı anlattı. Toplantı bitti.", ["Dr. Yılmaz 15. yüzyılı anlattı.", "Toplantı bitti."]),
    ("ja", "会議が始まった。代表が発言した！質問は？「はい。」と答えた。",
     ["会議が始まった。", "代表が発言した！", "質問は？", "「はい。」と答えた。"]),
    ("ko", "회의가 시작되었다. 대표가 발언했다! 질문이 있습니까?",
     ["회의가 시작되었다.", "대표가 발언했다!", "질문이 있습니까?"]),
]


@pytest.mark.parametrize("lang,text,expected", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_cases(lang, text, expected):
    assert split_sentences(text, lang) == expected


def test_unknown_language_is_a_one_line_error():
    with pytest.raises(AlignError) as e:
        split_sentences("Hello.", "xx")
    assert "\n" not in str(e.value) and "'xx'" in str(e.value)
    assert check_lang("EN") == "en"
    # region and script subtags name the same language
    assert check_lang("zh-CN") == "zh" and check_lang("pt_BR") == "pt" and check_lang("en-US") == "en"
    with pytest.raises(AlignError):
        check_lang("xx-YY")


def test_empty_and_blank_text():
    assert sentence_spans("", "en") == []
    assert split_sentences("   \n ", "ar") == []
    assert sentence_spans("  \n", "en") == [(0, 3)]


ALPHABET = "ab AZ.!?…;:,،؛؟()\"«»”12٣\n\tمنة。！？一"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=80), st.sampled_from(sorted(LANGS)))
def test_spans_cover_every_character_once_in_order(text, lang):
    spans = sentence_spans(text, lang)
    if not text:
        assert spans == []
        return
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a < b for a, b in spans)
    assert all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1))
    assert split_sentences(text, lang) == [s for a, b in spans if (s := text[a:b].strip())]


# Sentences full of traps; any sequence of them joined by spaces must come apart as it was put together.
POOL = {
    "en": ["Mr. Smith spoke on 14 Nov. 2018 about S/2018/972.", "The rate was 3.5 per cent, e.g. in para. 12.",
           "Was it adopted?", "It was adopted by No. 5 of E/CN.4/2005/L.10!", "The vote took place at 3 p.m.",
           '"We agree."', "See annex I."],
    "ar": ["وقال السيد أحمد إن الوضع خطير، وإنه يتطلب العمل.", "هل يتحرك المجلس؟", "انظر الوثيقة S/2018/972.",
           "بلغت النسبة 3.5 في المائة؛ وهي مرتفعة.", "قال «انتهى الأمر.»", "ألقى د. محمد كلمة!"],
    "zh": ["会议开始了。", "代表们发言！", "有问题吗？", "他说：“好。”", "增长了3.5%。"],
}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(POOL)).flatmap(
    lambda l: st.tuples(st.just(l), st.lists(st.sampled_from(POOL[l]), min_size=1, max_size=8))))
def test_joined_sentences_come_apart_again(case):
    lang, sents = case
    sep = "" if lang == "zh" else " "
    assert split_sentences(sep.join(sents), lang) == sents


# --- Arabic literary and classical prose (issue 10) ---------------------------------------------------------
VERSE_QUOTE = "قال تعالى: ﴿إِنَّا أَنزَلْنَاهُ. فِي لَيْلَةِ الْقَدْرِ﴾ [القدر: 1]. ثم قال."


@pytest.mark.parametrize("text, expected", [
    # a Quranic quotation in ornate brackets is never split, whatever punctuation it holds
    (VERSE_QUOTE, [VERSE_QUOTE[:-len(" ثم قال.")], "ثم قال."]),
    # verse numbers end their verse: in ornate brackets, after or before the end-of-ayah sign
    ("بسم الله الرحمن الرحيم ﴿١﴾ الحمد لله رب العالمين ﴿٢﴾ الرحمن الرحيم ﴿٣﴾",
     ["بسم الله الرحمن الرحيم ﴿١﴾", "الحمد لله رب العالمين ﴿٢﴾", "الرحمن الرحيم ﴿٣﴾"]),
    ("الحمد لله ۝١ الرحمن الرحيم ۝٢ مالك يوم الدين ۝٣", ["الحمد لله ۝١", "الرحمن الرحيم ۝٢", "مالك يوم الدين ۝٣"]),
    ("مالك يوم الدين ٤۝ إياك نعبد ٥۝", ["مالك يوم الدين ٤۝", "إياك نعبد ٥۝"]),
    # a verb of saying after a quoted question continues the sentence; a full stop in the quote still ends it
    ("«هل أنت بخير؟» قال الرجل. «نعم.» ثم مضى.", ["«هل أنت بخير؟» قال الرجل.", "«نعم.»", "ثم مضى."]),
    ("“أين كنت؟” سألت أمه. ثم جلست.", ["“أين كنت؟” سألت أمه.", "ثم جلست."]),
    ("«انتهى الأمر.» وقال إنه راحل.", ["«انتهى الأمر.»", "وقال إنه راحل."]),
    # a comma-chained sentence of ordinary length stays whole
    ("دخل البيت، وقد كان الليل قد حل، ثم نام.", ["دخل البيت، وقد كان الليل قد حل، ثم نام."]),
])
def test_arabic_literary_and_classical(text, expected):
    assert split_sentences(text, "ar") == expected


def test_long_chained_arabic_sentence_is_cut_at_clauses():
    clause = ("مشى الرجل في الطريق الطويل نحو البيت القديم الذي عاش فيه أجداده منذ زمن بعيد جدا"
              " قبل أن يرحلوا عن القرية كلها")
    text = f"{clause}، {clause}، وقد {clause}؛ {clause}، ثم {clause}، وزير {clause}."
    pieces = split_sentences(text, "ar")
    # cut after "؛" and before the connectives وقد / ثم; "، وزير" (a noun that starts with و) is no clause break
    assert [p.split()[0] for p in pieces] == ["مشى", "وقد", "مشى", "ثم"]
    assert all(len(p.split()) >= 20 for p in pieces)
    assert " ".join(pieces) == text
