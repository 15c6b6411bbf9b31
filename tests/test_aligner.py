"""The aligner recovers known alignments: 1-1 runs, merges, omissions, long documents, repeated passages."""

import numpy as np
import pytest

from align.core.aligner import align_segments
from align.core.params import Params
from align.core import band as band_mod
from align.core import dp
from align.core.aligner import link_types


def words(prefix, n):
    return [f"{prefix}{i}" for i in range(n)]


def build(spec):
    """spec: list of (src tokens, tgt tokens) per gold link; tokens "w" on the source, "w'" on the target."""
    src, tgt, gold = [], [], []
    for s_toks, t_toks in spec:
        s_ids = list(range(len(src), len(src) + len(s_toks)))
        t_ids = list(range(len(tgt), len(tgt) + len(t_toks)))
        src += s_toks
        tgt += t_toks
        gold.append((s_ids, t_ids))
    return src, tgt, gold


def links_of(links):
    return [(list(l.src_ids), list(l.tgt_ids)) for l in links]


def sentence(k):
    # a "sentence" of three content tokens; its translation uses the primed tokens
    return f"s{k}a s{k}b s{k}c", f"s{k}a' s{k}b' s{k}c'"


def one_to_one(k):
    s, t = sentence(k)
    return [s], [t]


def test_plain_one_to_one(token_encoder):
    spec = [one_to_one(k) for k in range(30)]
    src, tgt, gold = build(spec)
    assert links_of(align_segments(src, tgt, token_encoder)) == gold


@pytest.mark.parametrize("shape", [(2, 1), (1, 2), (3, 1), (1, 3), (2, 2)])
def test_merges_are_found(token_encoder, shape):
    a, b = shape
    spec = [one_to_one(k) for k in range(12)]
    # at position 6: a source sentences together translate b target sentences (text split differently)
    toks = [f"m{i}" for i in range(6 * max(a, b))]
    s_parts = np.array_split(toks, a)
    t_parts = np.array_split([t + "'" for t in toks], b)
    if a == b:  # sentence boundaries far apart on the two sides, or it would just be a run of 1-1 links
        cut = len(toks) // 6
        s_parts = [toks[:cut], toks[cut:]]
        t_parts = [[t + "'" for t in toks[:5 * cut]], [t + "'" for t in toks[5 * cut:]]]
    spec.insert(6, ([" ".join(p) for p in s_parts], [" ".join(p) for p in t_parts]))
    src, tgt, gold = build(spec)
    assert links_of(align_segments(src, tgt, token_encoder)) == gold


def test_omissions_and_additions(token_encoder):
    spec = [one_to_one(k) for k in range(20)]
    spec.insert(5, (["lost1 lost2 lost3"], []))        # a source sentence with no translation
    spec.insert(14, ([], ["extra1' extra2' extra3'"]))  # a target sentence with no source
    src, tgt, gold = build(spec)
    got = links_of(align_segments(src, tgt, token_encoder))
    assert got == gold


def test_every_segment_in_exactly_one_link_in_order(token_encoder):
    rng = np.random.default_rng(3)
    src = [f"x{i} y{rng.integers(50)}" for i in range(40)]
    tgt = [f"x{i}' z{rng.integers(50)}" for i in rng.permutation(40)[:33]]  # scrambled, shorter
    links = align_segments(src, tgt, token_encoder)
    assert [i for l in links for i in l.src_ids] == list(range(len(src)))
    assert [j for l in links for j in l.tgt_ids] == list(range(len(tgt)))


def test_empty_side():
    links = align_segments(["a", "b"], [], encoder=None)
    assert links_of(links) == [([0], []), ([1], [])]


def test_banded_search_finds_the_same_path_as_the_full_one(token_encoder, monkeypatch):
    spec = [one_to_one(k) for k in range(300)]
    for pos in (40, 120, 200):
        spec.insert(pos, ([f"p{pos}a p{pos}b", f"p{pos}c p{pos}d"], [f"p{pos}a' p{pos}b' p{pos}c' p{pos}d'"]))
    spec.insert(250, (["gone1 gone2"], []))
    src, tgt, gold = build(spec)
    full = links_of(align_segments(src, tgt, token_encoder))
    monkeypatch.setattr(band_mod, "FULL_CELLS", 5_000)  # force coarse-to-fine on this small document
    lo, hi = band_mod.find_band(token_encoder.encode(src), token_encoder.encode(tgt),
                                np.ones(len(src)), np.ones(len(tgt)), dp.GainParams(0.0, -0.05, 0.5, 1.0, 0.25))
    assert (hi - lo + 1).max() < len(tgt) / 3  # really a band, not the full matrix
    banded = links_of(align_segments(src, tgt, token_encoder))
    assert banded == full == gold


def test_repeated_passages_do_not_derail(token_encoder):
    spec = [one_to_one(k) for k in range(25)]
    spec.insert(10, (["q1 q2", "q3 q4"], ["q1' q2' q3' q4'"]))
    src, tgt, gold = build(spec)
    n, m = len(src), len(tgt)
    gold4 = [([i + r * n for i in s], [j + r * m for j in t]) for r in range(4) for s, t in gold]
    assert links_of(align_segments(src * 4, tgt * 4, token_encoder)) == gold4


def test_only_near_best_merges_are_encoded(token_encoder):
    spec = [one_to_one(k) for k in range(60)]
    spec.insert(30, (["r1 r2", "r3 r4"], ["r1' r2' r3' r4'"]))
    src, tgt, gold = build(spec)
    token_encoder.calls = 0
    align_segments(src, tgt, token_encoder)
    # every segment once, plus a few real block encodings, far from the ~3x of encoding every overlap
    assert len(src) + len(tgt) < token_encoder.calls < 1.5 * (len(src) + len(tgt))


def test_link_types_respect_the_bounds():
    t = {tuple(x) for x in link_types(Params(max_block=4, max_link=5))}
    assert {(1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2), (1, 3), (3, 1), (1, 4), (4, 1), (2, 3), (3, 2)} == t
    t = {tuple(x) for x in link_types(Params(max_block=3, max_link=4))}
    assert (2, 3) not in t and (2, 2) in t and (3, 1) in t


def test_dp_on_a_handmade_similarity_matrix():
    # three source and three target "sentences" with an identity similarity: the DP must take the diagonal,
    # and with source 1 orthogonal to everything it must leave it out (1-0) when skipping is cheap
    eye = np.eye(3, dtype=np.float32)
    S = np.zeros((1, 3, 3), np.float32)
    S[0] = eye
    T = S.copy()
    lens = np.ones((1, 3))
    types = np.array([(1, 1), (1, 0), (0, 1)], np.int64)
    lo, hi = np.zeros(4, np.int64), np.full(4, 3, np.int64)
    prm = dp.GainParams(offset=0.0, skip=-0.1, length=0.0, ratio=1.0, neighbour=0.0)
    z = np.zeros((1, 3))
    fwd, back = dp.forward(dp.gain_table(S, T, lens, lens, z, z, types, lo, hi, prm, dp.dense_sims(S, T))[0],
                           types, lo, hi)
    assert [(i, j) for i, j, _ in dp.trace(back, types, lo, 3, 3)] == [(1, 1), (2, 2), (3, 3)]
    T2 = np.zeros((1, 2, 3), np.float32)
    T2[0, 0], T2[0, 1] = eye[0], eye[2]
    lo2, hi2 = np.zeros(4, np.int64), np.full(4, 2, np.int64)
    no_sims = np.zeros((0, 0, 0, 0), np.float32)
    fwd, back = dp.forward(dp.gain_table(S, T2, lens, lens[:, :2], z, z[:, :2], types, lo2, hi2, prm, no_sims)[0],
                           types, lo2, hi2)
    path = dp.trace(back, types, lo2, 3, 2)
    assert [tuple(types[t]) for _, _, t in path] == [(1, 1), (1, 0), (1, 1)]


def test_dense_and_per_cell_gains_agree():
    # the BLAS path (full band) and the per-cell dot products must give the same table
    rng = np.random.default_rng(1)
    v1 = rng.standard_normal((9, 16)).astype(np.float32)
    v2 = rng.standard_normal((7, 16)).astype(np.float32)
    S, lenS = dp.block_vectors(v1 / np.linalg.norm(v1, axis=1, keepdims=True), rng.uniform(5, 50, 9), 3)
    T, lenT = dp.block_vectors(v2 / np.linalg.norm(v2, axis=1, keepdims=True), rng.uniform(5, 50, 7), 3)
    types = link_types(Params(max_block=3, max_link=4))
    lo, hi = np.zeros(10, np.int64), np.full(10, 7, np.int64)
    prm = dp.GainParams(offset=0.1, skip=-0.05, length=0.35, ratio=1.2, neighbour=0.1)
    bonS, bonT = np.full(lenS.shape, 0.15), np.full(lenT.shape, 0.15)
    G1, S1 = dp.gain_table(S, T, lenS, lenT, bonS, bonT, types, lo, hi, prm, dp.dense_sims(S, T))
    G2, S2 = dp.gain_table(S, T, lenS, lenT, bonS, bonT, types, lo, hi, prm, np.zeros((0, 0, 0, 0), np.float32))
    assert np.allclose(G1, G2, atol=1e-5) and np.allclose(S1, S2, atol=1e-5)
    assert (G1 > dp.NEG).sum() > 100


def test_skip_trades_omissions_for_links(token_encoder):
    # six unrelated pairs among good ones: free skipping leaves some unaligned, costly skipping links them all,
    # and the number of 1-0/0-1 links never grows with the cost
    spec = [one_to_one(k) for k in range(30)]
    for pos in (4, 9, 14, 19, 24, 29):
        spec.insert(pos, ([f"x{pos}a x{pos}b x{pos}c"], [f"y{pos}a' y{pos}b' y{pos}c'"]))
    src, tgt, gold = build(spec)
    unaligned = [sum(1 for l in align_segments(src, tgt, token_encoder, Params(skip=k))
                     if not (l.src_ids and l.tgt_ids))
                 for k in (0.0, 0.3, 2.0, 20.0)]
    assert unaligned[0] > 0 and unaligned[-1] == 0
    assert unaligned == sorted(unaligned, reverse=True)


def test_a_huge_document_is_aligned_window_by_window_with_the_same_links(token_encoder):
    # windows of 30 segments over 200: seams everywhere, merges and omissions on both sides of them
    spec = [one_to_one(k) for k in range(180)]
    for pos in (25, 29, 61, 118):
        spec.insert(pos, ([f"p{pos}a p{pos}b", f"p{pos}c p{pos}d"], [f"p{pos}a' p{pos}b' p{pos}c' p{pos}d'"]))
    spec.insert(90, (["gone1 gone2 gone3"], []))
    spec.insert(150, ([], ["new1' new2' new3'"]))
    src, tgt, gold = build(spec)
    whole = links_of(align_segments(src, tgt, token_encoder))
    windowed = links_of(align_segments(src, tgt, token_encoder, window=30))
    assert whole == windowed == gold


def test_windows_hold_only_a_window_of_vectors(token_encoder, monkeypatch):
    from align.core import aligner

    sizes = []
    inner = aligner._align_whole
    monkeypatch.setattr(aligner, "_align_whole", lambda s, t, *a: sizes.append((len(s), len(t))) or inner(s, t, *a))
    src, tgt, gold = build([one_to_one(k) for k in range(100)] + [(["tail1 tail2"], [])])
    assert links_of(align_segments(src, tgt, token_encoder, window=20)) == gold
    assert len(sizes) > 5 and max(max(s) for s in sizes) <= 20


def test_an_omission_longer_than_what_a_window_keeps_is_still_found(token_encoder):
    # 12 source sentences missing from the target, in windows of 30 segments (each keeps ~22)
    spec = [one_to_one(k) for k in range(120)]
    spec[50:62] = [(s, []) for s, _ in spec[50:62]]
    src, tgt, gold = build(spec)
    assert links_of(align_segments(src, tgt, token_encoder, window=30)) == gold


def test_windows_pass_on_the_anchors_inside_them(token_encoder, monkeypatch):
    from align.core import aligner

    src, tgt, gold = build([one_to_one(k) for k in range(120)])
    seen = set()
    inner = aligner._align_whole

    def spy(s, t, enc, params, anchors):
        i0, j0 = src.index(s[0]), tgt.index(t[0])  # where this window starts (every sentence is distinct)
        seen.update((i + i0, j + j0) for i, j in anchors)
        return inner(s, t, enc, params, anchors)

    monkeypatch.setattr(aligner, "_align_whole", spy)
    anchors = [(40, 40), (80, 80), (100, 100)]
    assert links_of(align_segments(src, tgt, token_encoder, anchors=anchors, window=25)) == gold
    assert seen == set(anchors)  # each reached a window holding it, in that window's numbering


def test_square_links_give_way_to_two_one_to_one_links():
    # two sentences each side whose 1-1 pairs read a little worse than the two together (as neighbouring verses
    # do when the encoder can hardly tell them apart): without the 2-2 penalty the DP joins them, with it it keeps
    # the two 1-1 links, and a 2-2 link that reads much better than its halves survives the penalty
    def path(sim11: float, sim22: float, square: float) -> list[tuple[int, int]]:
        S = np.zeros((2, 2, 1), np.float32)
        S[:, :, 0] = 1.0
        T = S.copy()
        D = np.zeros((2, 2, 2, 2), np.float32)
        D[0, 0] = sim11          # every single sentence against every single sentence
        D[1, 1, 1, 1] = sim22    # the two source sentences against the two target ones
        types = np.array([(1, 1), (1, 0), (0, 1), (2, 2)], np.int64)
        lo, hi = np.zeros(3, np.int64), np.full(3, 2, np.int64)
        lens, z = np.ones((2, 2)), np.zeros((2, 2))
        prm = dp.GainParams(offset=0.0, skip=-0.5, length=0.0, ratio=1.0, neighbour=0.0, square=square)
        _, back = dp.forward(dp.gain_table(S, T, lens, lens, z, z, types, lo, hi, prm, D)[0], types, lo, hi)
        return [tuple(types[t]) for _, _, t in dp.trace(back, types, lo, 2, 2)]

    assert path(0.5, 1.02, square=0.0) == [(2, 2)]
    assert path(0.5, 1.02, square=Params().square) == [(1, 1), (1, 1)]
    assert path(0.5, 1.2, square=Params().square) == [(2, 2)]
