"""The metric against hand-computed counts (Vecalign/Bertalign definitions)."""

import pytest

from align.errors import AlignError
from align.eval import evaluate_paths, parse_ladder, read_links, score

GOLD = [((0,), (0,)), ((1, 2), (1,)), ((3,), ()), ((4,), (2, 3)), ((), (4,))]


def test_perfect_prediction():
    r = score([(GOLD, GOLD)])
    assert r["strict"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert r["omission_recall"] == 1.0 and r["omissions_in_gold"] == 2


def test_hand_computed_counts():
    pred = [((0,), (0,)), ((1,), (1,)), ((2,), ()), ((3,), ()), ((4,), (2,)), ((), (3,)), ((), (4,))]
    r = score([(GOLD, pred)])
    # precision over 7 predicted links: strict hits (0)-(0), (3)-(), ()-(4) = 3/7
    assert r["strict"]["precision"] == round(3 / 7, 4)
    # lax: also (1)-(1) and (4)-(2) share a gold pair; (2)-() and ()-(3) have no target in common -> 5/7
    assert r["lax"]["precision"] == round(5 / 7, 4)
    # recall over the 3 gold links with both sides: strict only (0)-(0) = 1/3; lax all three = 3/3
    assert r["strict"]["recall"] == round(1 / 3, 4)
    assert r["lax"]["recall"] == 1.0
    p, rc = 3 / 7, 1 / 3
    assert r["strict"]["f1"] == round(2 * p * rc / (p + rc), 4)
    # both gold omissions predicted exactly
    assert r["omission_recall"] == 1.0


def test_counts_are_summed_over_documents_not_averaged():
    one = [((0,), (0,))]
    wrong = [((0,), (1,)), ((1,), (0,))]
    r = score([(one, one), (one * 1, []), ([((0,), (0,)), ((1,), (1,))], wrong)])
    # predicted: 1 + 0 + 2 = 3 links, 1 strict hit; gold with both sides: 1 + 1 + 2 = 4, 1 hit
    assert r["strict"]["precision"] == round(1 / 3, 4)
    assert r["strict"]["recall"] == 0.25


def test_parse_ladder_with_scores_and_blank_lines():
    text = "[0]:[0]:0.91\n\n[1, 2]:[1]\n[3]:[]:0.0\n[]:[2]\n"
    assert parse_ladder(text) == [((0,), (0,)), ((1, 2), (1,)), ((3,), ()), ((), (2,))]
    with pytest.raises(AlignError, match="not a link line"):
        parse_ladder("0 - 0\n", "x")


def test_jsonl_uses_sentence_level(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text('{"signature": "s"}\n'
                 '{"src_ids": [0, 1], "tgt_ids": [0], "level": "paragraph"}\n'
                 '{"src_ids": [0], "tgt_ids": [0], "level": "sentence"}\n'
                 '{"src_ids": [1], "tgt_ids": [], "level": "sentence"}\n', encoding="utf-8")
    assert read_links(str(p)) == [((0,), (0,)), ((1,), ())]


def test_directories_pair_by_name(tmp_path):
    (tmp_path / "g").mkdir()
    (tmp_path / "p").mkdir()
    (tmp_path / "g" / "doc1").write_text("[0]:[0]\n[1]:[1]\n")
    (tmp_path / "p" / "doc1.ladder").write_text("[0]:[0]:0.9\n[1]:[1]:0.8\n")
    (tmp_path / "g" / "doc2").write_text("[0]:[0]\n")
    (tmp_path / "p" / "doc2").write_text("[0]:[]\n[]:[0]\n")
    r = evaluate_paths(str(tmp_path / "g"), str(tmp_path / "p"))
    assert r["documents"] == 2
    assert r["strict"]["precision"] == 0.5 and r["strict"]["recall"] == round(2 / 3, 4)


def test_reviewed_jsonl_gives_its_reviewed_links(tmp_path):
    p = tmp_path / "doc.reviewed.jsonl"
    p.write_text('{"signature": "s", "review": {"links": 4, "reviewed": 3}}\n'
                 '{"src_ids": [0, 1], "tgt_ids": [0], "level": "sentence", "review": {"status": "corrected"}}\n'
                 '{"src_ids": [2], "tgt_ids": [1], "level": "sentence", "review": {"status": "rejected"}}\n'
                 '{"src_ids": [3], "tgt_ids": [2], "level": "sentence", "review": {"status": "approved"}}\n'
                 '{"src_ids": [4], "tgt_ids": [], "level": "sentence", "review": {"status": "unreviewed"}}\n',
                 encoding="utf-8")
    assert read_links(str(p)) == [((0, 1), (0,)), ((3,), (2,)), ((4,), ())]
    pred = tmp_path / "pred.ladder"
    pred.write_text("[0]:[0]\n[1]:[]\n[2]:[1]\n[3]:[2]\n[4]:[]\n")
    r = evaluate_paths(str(p), str(pred))
    # gold (the review): 3 links; predicted 5: (3)-(2) and (4)-() are right
    assert r["strict"]["precision"] == 0.4 and r["strict"]["recall"] == 0.5


def test_jsonl_that_is_not_json_is_a_user_error(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"src_ids": [0]\n')
    with pytest.raises(AlignError, match="bad.jsonl:1: not JSON"):
        read_links(str(p))
