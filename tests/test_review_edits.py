"""The review edits: pure functions from links to a patch, each checked on exact links."""

import pytest

from align.errors import AlignError
from align.links import Link
from align.review.edits import (
    REVIEWER_SCORE,
    Item,
    SideTexts,
    Texts,
    apply,
    detach,
    edit,
    invert,
    merge,
    move,
    reviewed,
    set_status,
    split,
)

NOW = "2026-12-02T05:00:00Z"
SRC = {i: f"s{i}" for i in range(6)}
TGT = {j: f"t{j}" for j in range(6)}
TEXTS = Texts(SideTexts(SRC), SideTexts(TGT))


def items(*pairs, scores=None):
    out = []
    for k, (s, t) in enumerate(pairs):
        out.append(Item(Link(list(s), list(t), (scores or {}).get(k, 0.9), src=" ".join(SRC[i] for i in s),
                             tgt=" ".join(TGT[j] for j in t), paragraph=0)))
    return tuple(out)


def links(its):
    return [(tuple(it.link.src_ids), tuple(it.link.tgt_ids)) for it in its]


def run(its, patch):
    out = apply(its, patch)
    assert apply(out, invert(its, patch)) == its          # every edit can be undone exactly
    return out


def test_approve_and_reject_set_the_verdict_and_time():
    its = items(([0], [0]), ([1], [1]))
    out = run(its, set_status(its, 1, "approved", NOW))
    assert [(it.status, it.at) for it in out] == [("unreviewed", None), ("approved", NOW)]
    out = run(out, set_status(out, 0, "rejected", NOW))
    assert [it.status for it in out] == ["rejected", "approved"] and reviewed(out) == 2
    assert out[0].link is its[0].link                      # the link itself is untouched
    out = run(out, set_status(out, 0, "unreviewed", NOW))
    assert (out[0].status, out[0].at) == ("unreviewed", None)
    with pytest.raises(AlignError, match="unknown verdict"):
        set_status(its, 0, "corrected", NOW)


def test_approving_a_corrected_link_keeps_it_corrected():
    its = run(items(([0], [0]), ([1], [1])), merge(items(([0], [0]), ([1], [1])), 0, TEXTS, NOW))
    assert run(its, set_status(its, 0, "approved", NOW)) == its


def test_merge_joins_ids_and_texts_in_order():
    its = items(([0], [0]), ([1], []), ([2], [1]))
    out = run(its, merge(its, 0, TEXTS, NOW))
    assert links(out) == [((0, 1), (0,)), ((2,), (1,))]
    new = out[0]
    assert (new.status, new.at, new.link.score) == ("corrected", NOW, REVIEWER_SCORE)
    assert (new.link.src, new.link.tgt, new.link.type, new.link.paragraph) == ("s0 s1", "t0", "2-1", 0)
    assert new.link.flags == []                            # the old link's flags judged another link
    with pytest.raises(AlignError, match="no next link"):
        merge(its, 2, TEXTS, NOW)


def test_split_defaults_cut_each_side_in_the_middle():
    its = items(([0, 1], [0, 1]), ([2, 3], [2]), ([4], [3]), ([5], [4, 5]))
    out = run(its, split(its, 0, TEXTS, NOW))
    assert links(out)[:2] == [((0,), (0,)), ((1,), (1,))]
    assert links(apply(its, split(its, 1, TEXTS, NOW)))[1:3] == [((2,), (2,)), ((3,), ())]
    # a 1-1 link: neither side translates the other
    assert links(apply(its, split(its, 2, TEXTS, NOW)))[2:4] == [((4,), ()), ((), (3,))]
    assert links(apply(its, split(its, 3, TEXTS, NOW)))[3:] == [((5,), (4,)), ((), (5,))]
    out = apply(its, split(its, 1, TEXTS, NOW, src_at=1, tgt_at=0))
    assert links(out)[1:3] == [((2,), ()), ((3,), (2,))] and out[2].link.src == "s3"


def test_split_refuses_what_cannot_be_cut():
    its = items(([0], []), ([1, 2], [0]))
    with pytest.raises(AlignError, match="cannot be split"):
        split(its, 0, TEXTS, NOW)
    with pytest.raises(AlignError, match="cannot cut"):
        split(its, 1, TEXTS, NOW, src_at=3, tgt_at=0)
    with pytest.raises(AlignError, match="cannot be split"):
        split(its, 1, TEXTS, NOW, src_at=0, tgt_at=0)


def test_move_gives_a_boundary_segment_to_the_neighbour():
    its = items(([0, 1], [0]), ([2], [1]), ([3], [2, 3]))
    out = run(its, move(its, 0, "src", 1, TEXTS, NOW))
    assert links(out) == [((0,), (0,)), ((1, 2), (1,)), ((3,), (2, 3))]
    assert [it.status for it in out] == ["corrected", "corrected", "unreviewed"]
    assert out[1].link.src == "s1 s2"
    out = run(its, move(its, 2, "tgt", -1, TEXTS, NOW))
    assert links(out) == [((0, 1), (0,)), ((2,), (1, 2)), ((3,), (3,))]


def test_move_removes_a_link_left_empty_and_crosses_omissions():
    its = items(([0], [0]), ([], [1]), ([1], [2]))
    out = run(its, move(its, 1, "tgt", -1, TEXTS, NOW))
    assert links(out) == [((0,), (0, 1)), ((1,), (2,))]
    out = run(its, move(its, 0, "src", 1, TEXTS, NOW))   # into a 0-1 link: it becomes 1-1
    assert links(out) == [((), (0,)), ((0,), (1,)), ((1,), (2,))]
    with pytest.raises(AlignError, match="no source segment"):
        move(its, 1, "src", 1, TEXTS, NOW)
    with pytest.raises(AlignError, match="no previous link"):
        move(its, 0, "src", -1, TEXTS, NOW)
    with pytest.raises(AlignError, match="one link up or down"):
        move(its, 0, "src", 2, TEXTS, NOW)


def test_detach_marks_a_segment_as_having_no_counterpart():
    its = items(([0, 1], [0]), ([2], [1, 2]), ([3], []))
    out = run(its, detach(its, 0, "src", TEXTS, NOW))
    assert links(out) == [((0,), (0,)), ((1,), ()), ((2,), (1, 2)), ((3,), ())]
    out = run(its, detach(its, 0, "src", TEXTS, NOW, last=False))
    assert links(out)[:2] == [((0,), ()), ((1,), (0,))]
    out = run(its, detach(its, 1, "tgt", TEXTS, NOW))
    assert links(out)[1:3] == [((2,), (1,)), ((), (2,))] and out[2].link.tgt == "t2"
    with pytest.raises(AlignError, match="already has no counterpart"):
        detach(its, 2, "src", TEXTS, NOW)
    with pytest.raises(AlignError, match="no target segment"):
        detach(its, 2, "tgt", TEXTS, NOW)


def test_edit_dispatches_by_name_and_checks_its_arguments():
    its = items(([0], [0]), ([1], [1]))
    assert links(apply(its, edit(its, "merge", 0, TEXTS, NOW))) == [((0, 1), (0, 1))]
    assert apply(its, edit(its, "reject", 1, TEXTS, NOW))[1].status == "rejected"
    moved = apply(its, edit(its, "move", 0, TEXTS, NOW, {"side": "tgt", "step": 1}))
    assert links(moved) == [((0,), ()), ((1,), (0, 1))]
    for op, args, msg in [("move", {"side": "x", "step": 1}, "side must be"),
                          ("move", {"side": "src", "step": "1"}, "whole number"),
                          ("delete", {}, "unknown edit"), ("split", {"src_at": True}, "whole number")]:
        with pytest.raises(AlignError, match=msg):
            edit(its, op, 0, TEXTS, NOW, args)
    with pytest.raises(AlignError, match="no link 3"):
        edit(its, "approve", 2, TEXTS, NOW)


def test_blocks_of_unknown_boundaries_move_only_as_a_whole():
    texts = Texts(SideTexts({0: "a"}, {(1, 2): "b. c"}), SideTexts({0: "x", 1: "y"}))
    its = (Item(Link([0], [0], 0.9, src="a", tgt="x")), Item(Link([1, 2], [1], 0.9, src="b. c", tgt="y")))
    assert apply(its, merge(its, 0, texts, NOW))[0].link.src == "a b. c"
    with pytest.raises(AlignError, match="begin and end is unknown"):
        split(its, 1, texts, NOW)
    with pytest.raises(AlignError, match="not in this alignment"):
        texts.src.text([7])
