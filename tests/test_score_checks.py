"""The QA checks other than numbers, check_pair / check_link / flag_alignment, on handmade pairs."""

from align.links import Alignment, Link
from align.score.checks import check_link, check_pair, flag_alignment
from align.score import dates, language, length, punctuation, symbols, urls
from align.score.flags import at_least, worst


def names(flags):
    return [f["check"] for f in flags]


def test_dates_double_arabic_month_names_match_english():
    assert dates.check("في 6 آذار/مارس 2015", "on 6 March 2015", "ar", "en") == []
    assert dates.check("في 29 تموز/ يوليه 2014", "on 29 July 2014", "ar", "en") == []


def test_dates_wrong_month_is_flagged():
    flags = dates.check("خلال شباط/فبراير 2015", "for the month of January 2015", "ar", "en")
    assert [f["message"] for f in flags] == ["month February in source is missing from target",
                                             "month January in target is not in source"]


def test_dates_ambiguous_words_are_not_months():
    # "مارس" also means "exercised"; "may" is a verb
    assert dates.months("وقد مارس المجلس سلطته", "ar") == set()
    assert dates.months("The Council may decide", "en") == set()
    assert dates.months("by late May.", "en") == {5}
    assert dates.months("on 3 May 2015", "en") == {5}


def test_urls_and_emails_must_be_carried_over():
    src = "انظر www.un.org/ar/documents أو راسل info@un.org."
    assert urls.check(src, "See www.un.org/ar/documents or write to info@un.org.", "ar", "en") == []
    flags = urls.check(src, "See www.un.org/en/documents or write to info@un.org.", "ar", "en")
    assert names(flags) == ["urls", "urls"] and "www.un.org/ar/documents" in flags[0]["message"]
    flags = urls.check("راسل info@un.org أو ohchr@un.org", "Write to info@un.org.", "ar", "en")
    assert [f["message"] for f in flags] == ["address ohchr@un.org in source is missing from target"]
    assert urls.addresses("no address here, only a slash / and a dot.") == set()


def test_symbols_must_match():
    assert symbols.check("الوثيقة S/2015/123", "document S/2015/123.", "ar", "en") == []
    assert names(symbols.check("الوثيقة A/69/L.5", "document A/69/L.6", "ar", "en")) == ["symbols", "symbols"]


def test_untranslated_target_is_critical():
    (f,) = language.check("هذا نص عربي", "هذا نص عربي لم يترجم إلى الإنكليزية", "ar", "en")
    assert f["severity"] == "critical" and "untranslated" in f["message"]


def test_wrong_language_target_is_major():
    tgt = "Ceci est un texte en français qui n'est pas du tout la traduction anglaise attendue ici."
    (f,) = language.check("هذا نص عربي", tgt, "ar", "en")
    assert f["severity"] == "major" and "fr" in f["message"]


def test_languages_written_in_several_scripts():
    ja = "国際連合の安全保障理事会は、本日、シリアの人道状況について協議を行い、声明を発表しました。"
    ko = "국제연합 안전보장이사회는 오늘 시리아의 인도적 상황에 대해 협의하고 성명을 발표했습니다."
    en = "The Security Council of the United Nations held consultations today on the humanitarian situation."
    # kanji + kana is Japanese, hangul is Korean: neither is "another script"
    assert language.check(en, ja, "en", "ja") == []
    assert language.check(en, ko, "en", "ko") == []
    # but an English target declared Japanese is, and a Japanese one left in the target is untranslated
    assert names(language.check(ja, en, "ko", "ja")) == ["language", "language"]
    (f,) = language.check(ja, ja, "ja", "en")
    assert f["severity"] == "critical" and "untranslated" in f["message"]


def test_short_or_mixed_text_is_not_judged():
    # names and acronyms in Latin letters inside Arabic, and short headings, are normal
    assert language.check("برنامج الأمم المتحدة الإنمائي (UNDP)", "3 December", "ar", "en") == []


def test_length_ratio_outlier():
    src = "مؤتمر الأطراف في اتفاقية روتردام المتعلقة بتطبيق إجراء الموافقة المسبقة عن علم على مواد كيميائية"
    (f,) = length.check(src, "Conference of the Parties", "ar", "en")
    assert f["severity"] == "minor" and "shorter" in f["message"]
    assert length.check(src, "Conference of the Parties to the Rotterdam Convention on the Prior Informed "
                             "Consent Procedure for Certain Chemicals", "ar", "en") == []


def test_terminal_punctuation_arabic_question_mark_matches():
    assert punctuation.check("هل توافق؟", "Do you agree?", "ar", "en") == []
    assert names(punctuation.check("هل توافق؟", "You agree.", "ar", "en")) == ["punctuation"]
    assert names(punctuation.check("التأكيد على الدعم؛", "Affirm its support.", "ar", "en")) == ["punctuation"]
    # a time written "3 p.m." ends in an abbreviation, not a full stop
    assert punctuation.check("الساعة 15:00", "at 3 p.m.", "ar", "en") == []


def test_check_pair_runs_every_check_and_can_be_limited():
    src, tgt = "في عام 2014، انظر www.un.org", "In 2015, see www.un.int"
    assert set(names(check_pair(src, tgt, "ar", "en"))) == {"numbers", "urls"}
    assert set(names(check_pair(src, tgt, "ar", "en", checks={"urls"}))) == {"urls"}


def test_check_link_omissions_and_additions():
    omitted = Link([3], [], 0.9, src="فقرة لم تترجم إلى الإنكليزية.")
    added = Link([], [4], 0.9, tgt="A sentence with no source.")
    stray = Link([], [5], 0.9, tgt="12")
    assert [(f["check"], f["severity"]) for f in check_link(omitted, "ar", "en")] == [("omission", "major")]
    assert [(f["check"], f["severity"]) for f in check_link(added, "ar", "en")] == [("addition", "major")]
    assert [(f["check"], f["severity"]) for f in check_link(stray, "ar", "en")] == [("addition", "minor")]
    ok = Link([0], [0], 0.9, src="اعتماد جدول الأعمال.", tgt="Adoption of the agenda.")
    assert check_link(ok, "ar", "en") == []


def test_flag_alignment_sets_flags_in_place():
    al = Alignment([Link([0], [0], 0.9, src="في عام 2014", tgt="in 2015"), Link([1], [], 0.5, src="نص")],
                   "sig", "ar", "en")
    flag_alignment(al)
    assert names(al.links[0].flags) == ["numbers", "numbers"]
    assert names(al.links[1].flags) == ["omission"]


def test_severity_helpers():
    flags = [{"check": "a", "severity": "minor", "message": ""}, {"check": "b", "severity": "major", "message": ""}]
    assert worst(flags) == "major" and worst([]) is None
    assert names(at_least(flags, "major")) == ["b"]
    assert names(at_least(flags, "minor")) == ["a", "b"]
    assert at_least(flags, "critical") == []
