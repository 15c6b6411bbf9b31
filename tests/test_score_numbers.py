"""The numbers check on small handmade Arabic-English pairs: legitimate differences pass, changed numbers don't."""

import pytest

from align.score.numbers import check, quantities
from align.score.numwords import roman_values, word_values


def flagged(src, tgt, src_lang="ar", tgt_lang="en"):
    return check(src, tgt, src_lang, tgt_lang)


# Each pair says the same numbers in two ways a UN translation legitimately does.
SAME = [
    ("المقرر عقدها يوم الخميس 26 شباط/فبراير 2015، الساعة 15:35",
     "To be held on Thursday, 26 February 2015, at 3.35 p.m."),
    ("المقرر عقدها الساعة 15:00", "To be held at 3 p.m."),
    ("المقرر عقدها يوم الخميس 12 شباط/فبراير 2015، الساعة 47/10",
     "To be held on Thursday, 12 February 2015, at 10.47 a.m."),
    ("يعقد الاجتماع في الساعة 00:10 في مجلس الأمن.", "The meeting will be held at 10 a.m. in the Council."),
    ("حظر فتح الحانات بعد الساعة العاشرة مساء.", "Bars may not stay open later than 10 p.m."),
    ("لقَّمت 734 156 كغم من سادس فلوريد اليورانيوم", "Iran had fed 156,734 kg of natural UF6"),
    ("الغاية 2016-2017: 000 350", "Target 2016-2017: 350,000"),
    ("مبلغا إجماليه 875 042 24 دولارا", "the amount of 24,042,875 dollars"),
    ("ما مجموعه 731.5 1 مليون دولار", "a total of $1,731.5 million"),
    ("تعهدات شاملة في اثني عشر مجالاً من مجالات الاهتمام", "commitments under 12 critical areas of concern"),
    ("في دورتها الثامنة والخمسين", "at its 58th session"),
    ("للمرة الثانية", "for the 2nd time"),
    ("التي أقرتها الجمعية الحادية والثلاثون بعد المائة", "Endorsed by the 131st Assembly"),
    ("منذ أوائل الستينيات", "since the early 1960s"),
    ("٣٩ - واستمرت الهجمات خلال عام ٢٠١٤.", "39. Attacks continued during 2014."),
    ("ساهمت بما يربو على 1,5 مليون يورو", "contributed over 1.5 million euros"),
    ("بلغ عدد الزوار 1.5 مليون", "visitors reached 1 500 000"),
    ("2-1 زيادة الكفاءة", "2.1 Increased efficiency"),
    ("3-2-1 إحراز تقدم", "3.2.1 Progress is made"),
    ("165- وأعاد فريق الخبراء التأكيد على أهمية الرصد", "The Expert Group reiterated the importance of monitoring"),
    ("الرابع - عدد مقدمي الإقرارات", "4. Number of financial disclosure filers"),
    ("وفقا للاتفاقية.", "under the Convention.12 The next"),
    ("قرار اللجنة 683 (د-35)", "Commission resolution 683 (XXXV)"),
    ("بدعم من فرنسا والمملكة المتحدة والولايات المتحدة.", "with the support of the P3 member countries."),
    ("على مدار الساعة وطوال أيام الأسبوع", "24 hours a day, 7 days a week"),
    ("اعتبارا من الساعة 00:00 في 15 شباط/فبراير 2015", "as from 0000 hours on 15 February 2015"),
    ("في الفترة من 13-17 نيسان/أبريل 2015", "from 13 to 17 April 2015"),
    ("للفترة 2014-2015", "for the biennium 20142015"),
    ("في عامي 2013 و2014، وفي عام 2013 أيضا", "in 2013 and 2014"),   # a value said twice on one side
]


@pytest.mark.parametrize("src,tgt", SAME)
def test_legitimate_differences_are_not_flagged(src, tgt):
    assert flagged(src, tgt) == []


# The same pairs with one number changed on the English side must be flagged.
CHANGED = [
    ("المقرر عقدها الساعة 15:35", "To be held at 3.36 p.m."),
    ("المقرر عقدها الساعة 15:35", "To be held at 4.35 p.m."),
    ("المقرر عقدها الساعة 47/10", "To be held at 10.48 a.m."),
    ("لقَّمت 734 156 كغم", "Iran had fed 156,743 kg"),
    ("تعهدات في اثني عشر مجالاً", "commitments under 13 critical areas"),
    ("في دورتها الثامنة والخمسين", "at its 59th session"),
    ("٣٩ - واستمرت الهجمات خلال عام ٢٠١٤.", "39. Attacks continued during 2015."),
    ("اعتمدت في عام 2014 واستكملت في عام 2014", "adopted in 2012 and updated in 2014"),
    ("بلغ عدد الزوار 1.5 مليون", "visitors reached 1 600 000"),
    ("3 - يستعاض عن الجدول 4 في العقد بالمرفق الثالث", "4. Schedule 4 shall be replaced by annex III"),
    ("النقطة الحدودية BP13", "border point BP31"),
    ("الوثيقة S/2015/123", "document S/2015/124"),
]


@pytest.mark.parametrize("src,tgt", CHANGED)
def test_changed_numbers_are_flagged(src, tgt):
    flags = flagged(src, tgt)
    assert flags and all(f["check"] == "numbers" for f in flags)


def test_messages_say_which_number_and_which_side():
    flags = flagged("في عام 2014", "in 2015")
    assert [f["message"] for f in flags] == ["number 2014 in source is missing from target",
                                             "number 2015 in target is not in source"]
    assert {f["severity"] for f in flags} == {"major"}


def test_times_are_named_as_times():
    (f,) = [f for f in flagged("الساعة 15:35", "at 3.40 p.m.") if "not in source" in f["message"]]
    assert f["message"] == "time 3.40 p.m. in target is not in source"


def test_a_differing_paragraph_number_is_minor():
    flags = flagged("51 - وواصل الفريق العامل نظره", "52. The working group continued")
    assert [(f["severity"], f["message"]) for f in flags] == [
        ("minor", "paragraph number 51 in source is missing from target"),
        ("minor", "paragraph number 52 in target is not in source"),
    ]


def test_no_numbers_no_flags():
    assert flagged("اعتماد جدول الأعمال.", "Adoption of the agenda.") == []


def test_english_to_arabic_direction_works_too():
    assert flagged("12 critical areas", "اثني عشر مجالاً", "en", "ar") == []
    assert flagged("13 critical areas", "اثني عشر مجالاً", "en", "ar")


def test_quantities_reads_reversed_space_groups_both_ways():
    (q,) = quantities("000 350")
    assert set(q.alts) == {("350",), ("350000",)}


def test_footnote_and_code_kinds():
    kinds = [q.kind for q in quantities("the Convention.12 and G77 met on 3 May")]
    assert kinds == ["footnote", "code", "number"]


def test_word_values_compound_numbers():
    assert 25 in word_values("خمسة وعشرين", "ar")
    assert 300_000 in word_values("ثلاثمائة ألف", "ar")
    assert 69 in word_values("الدورة التاسعة والستين", "ar")
    assert 305 in word_values("three hundred and five", "en")
    assert 58 in word_values("fifty-eighth session", "en")
    assert word_values("no numbers here", "en") == set()


def test_roman_numerals():
    assert roman_values("resolution 1894 (LVII) and article IV") == {57, 4}
    assert roman_values("sub-item (iv)") == {4}


def test_paragraph_number_inside_a_merged_link_is_optional():
    # a 2-1 link: the Arabic second sentence opens with its paragraph number, the English one has none
    src = "ولا يمكن لأي إصلاح أن يقوض تطبيقها. 10- اتفقت اللجنة على تنظيم خمس مناقشات"
    assert flagged(src, "No reform can undermine it. The Commission agreed to organize five discussions") == []
    # but "No. 18561." is a number, not a paragraph number
    assert flagged("بمقتضى القانون رقم 18561", "under Act No. 18562.")
