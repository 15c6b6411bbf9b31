"""Document quality: confident share, omissions, order breaks, score and verdict."""

import pytest

from align.links import Alignment, Link
from align.score.quality import document_quality, order_breaks


def link(s, t, score, src="", tgt=""):
    return Link(s, t, score, src=src, tgt=tgt)


def test_confident_share_counts_text_in_links_at_or_above_half():
    al = Alignment([link([0], [0], 0.9, "a" * 30, "b" * 30),     # 60 chars, confident
                    link([1], [1], 0.2, "c" * 10, "d" * 10),     # 20 chars, not confident
                    link([2], [], 0.8, "e" * 20)],               # 20 chars, omitted: never confident
                   "sig", "ar", "en")
    q = document_quality(al)
    assert q["confident_share"] == pytest.approx(0.6)
    assert q["omitted"] == 1 and q["added"] == 0 and q["omitted_share"] == pytest.approx(0.2)
    assert q["score"] == pytest.approx(0.6)
    assert q["verdict"].startswith("doubtful: 60% of the text in confident links, 1 omitted")


def test_order_breaks_lower_the_score():
    links = [link([0], [1], 1.0, "x", "y"), link([1], [0], 1.0, "x", "y"), link([2], [2], 1.0, "x", "y")]
    assert order_breaks(links) == 1
    q = document_quality(Alignment(links, "sig", "ar", "en"))
    assert q["order_breaks"] == 1 and q["score"] == pytest.approx(2 / 3, abs=1e-4)
    assert "1 order break" in q["verdict"]


def test_a_clean_document_is_good():
    links = [link([i], [i], 0.95, "نص", "text") for i in range(5)]
    q = document_quality(Alignment(links, "sig", "ar", "en"))
    assert q["score"] == 1.0 and q["verdict"] == "good: 100% of the text in confident links"


def test_sentence_level_is_preferred_and_flags_are_counted():
    para = Link([0], [0], 0.1, level="paragraph", src="p", tgt="p")
    sent = Link([0], [0], 0.9, level="sentence", src="s", tgt="s",
                flags=[{"check": "numbers", "severity": "major", "message": "m"}])
    q = document_quality(Alignment([para, sent], "sig", "ar", "en"))
    assert q["level"] == "sentence" and q["links"] == 1 and q["score"] == 1.0
    assert q["flags"] == {"critical": 0, "major": 1, "minor": 0}


def test_empty_alignment():
    q = document_quality(Alignment([], "sig", "ar", "en"))
    assert q["score"] == 0.0 and q["verdict"].startswith("poor")


def test_order_breaks_counted_as_the_pairs_read_in_source_order():
    import random

    def by_hand(links):  # the definition, one pair at a time
        pairs = sorted((min(l.src_ids), min(l.tgt_ids), max(l.tgt_ids)) for l in links if l.src_ids and l.tgt_ids)
        breaks, furthest = 0, -1
        for _, first, last in pairs:
            breaks += first <= furthest
            furthest = max(furthest, last)
        return breaks

    rng = random.Random(5)
    for _ in range(200):
        links = [Link([i], rng.sample(range(8), rng.randint(0, 2)), 0.9) for i in range(rng.randint(0, 7))]
        links += [Link([], [3], 0.5)]
        assert order_breaks(links) == by_hand(links)
    assert order_breaks([Link([0], [2, 3], 1.0), Link([1], [3], 1.0), Link([2], [4], 1.0)]) == 1
