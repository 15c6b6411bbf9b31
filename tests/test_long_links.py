"""Long links (issue 10): up to 8 segments on one side when a document calls for them, --max-link honoured,
ordinary documents aligned as before."""

import numpy as np
import pytest

from align.core.aligner import align_segments, block_limits, link_types
from align.core.params import Params
from align.errors import AlignError


def sentence(k):
    return f"s{k}a s{k}b s{k}c", f"s{k}a' s{k}b' s{k}c'"


def long_doc(parts=6, before=8, after=4):
    """1-1 sentences, then one long source sentence translated as `parts` target sentences, then 1-1 again."""
    src, tgt, gold = [], [], []
    for k in range(before):
        s, t = sentence(k)
        gold.append(([len(src)], [len(tgt)]))
        src.append(s)
        tgt.append(t)
    toks = [f"long{i}" for i in range(4 * parts)]
    gold.append(([len(src)], list(range(len(tgt), len(tgt) + parts))))
    src.append(" ".join(toks))
    tgt += [" ".join(t + "'" for t in toks[4 * p:4 * p + 4]) for p in range(parts)]
    for k in range(before, before + after):
        s, t = sentence(k)
        gold.append(([len(src)], [len(tgt)]))
        src.append(s)
        tgt.append(t)
    return src, tgt, gold


def links_of(beads):
    return [(list(b.src_ids), list(b.tgt_ids)) for b in beads]


def test_a_one_to_six_link_is_found(token_encoder):
    src, tgt, gold = long_doc(6)
    assert links_of(align_segments(src, tgt, token_encoder)) == gold


@pytest.mark.parametrize("parts", [5, 8])
def test_one_to_eight_and_mirrored(token_encoder, parts):
    src, tgt, gold = long_doc(parts)
    assert links_of(align_segments(src, tgt, token_encoder)) == gold
    # the mirror image: a long target sentence, many source sentences
    assert links_of(align_segments(tgt, src, token_encoder)) == [(b, a) for a, b in gold]


@pytest.mark.parametrize("max_link", [2, 3, 5, 6])
def test_max_link_is_honoured(token_encoder, max_link):
    src, tgt, _ = long_doc(6)
    beads = align_segments(src, tgt, token_encoder, Params(max_link=max_link))
    assert max(len(b.src_ids) + len(b.tgt_ids) for b in beads) <= max_link
    assert [i for b in beads for i in b.src_ids] == list(range(len(src)))
    assert [j for b in beads for j in b.tgt_ids] == list(range(len(tgt)))


def test_max_link_ten_reaches_eight_on_a_side():
    t = {tuple(x) for x in link_types(Params(max_link=10), 8, 8)}
    assert {(1, 8), (8, 1), (2, 8), (8, 2), (1, 5), (2, 4)} <= t
    assert all(a + b <= 10 and a <= 8 and b <= 8 for a, b in t)
    t = {tuple(x) for x in link_types(Params(max_link=12, max_block=6), 8, 8)}
    assert max(max(a, b) for a, b in t) == 6  # max_block bounds a side whatever max_link allows
    t = {tuple(x) for x in link_types(Params(max_link=7), 8, 8)}
    assert (1, 6) in t and (1, 7) not in t and (2, 6) not in t


def test_ordinary_documents_keep_the_ordinary_shapes(token_encoder):
    ls = np.array([40, 80, 35, 120, 60, 45, 90, 70] * 5, float)
    lt = ls * 1.1 + np.tile([5, -3, 8, 0], 10)
    assert block_limits(ls, lt, Params()) == (4, 4)
    ordinary = {tuple(x) for x in link_types(Params(), 4, 4)}
    assert ordinary == {(1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2), (1, 3), (3, 1), (1, 4), (4, 1), (2, 3), (3, 2)}
    # literary prose: long source segments, each spanning several target ones
    ls_long = np.array([600, 90, 800, 700, 650, 120, 900, 750], float)
    lt_short = np.full(40, 110.0)
    assert block_limits(ls_long, lt_short, Params()) == (4, 8)


def test_max_block_range_is_checked():
    with pytest.raises(AlignError):
        Params(max_block=0)
