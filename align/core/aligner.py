"""Align two lists of segments: overlap embeddings, a local-margin similarity and a banded DP.

How it stays fast: a link joining several segments needs the embedding of their concatenation, and encoding
every concatenation of up to 4 segments (as Vecalign and Bertalign do) costs 3-4x encoding the sentences. Here
each segment is encoded once; a block of k segments starts as the normalised sum of its segments' vectors. The
DP then runs forwards and backwards, and only the multi-segment links on paths within `slack` of the best path
are encoded for real (typically a fraction of the segments); the DP reruns with those until the best path uses
no estimated block. Every link gets its similarity on the document's own scale (0 = unrelated, 1 = typical).
"""

from __future__ import annotations

import numpy as np

from typing import NamedTuple

from align.core import dp
from align.core.band import FULL_CELLS, find_band
from align.core.params import Params


class Bead(NamedTuple):
    """One link as the aligner found it: indices into the two segment lists, and its evidence.

    sim: similarity on the document's own scale (0 = an unrelated pair, 1 = a typical good link); for a 1-0 / 0-1
    link, that of the unlinked segment to its closest counterpart nearby; None when the other side is empty.
    margin: how much worse the best alignment without this link is (small = a close call); None likewise.
    """

    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    sim: float | None = None
    margin: float | None = None

    def shifted(self, di: int, dj: int) -> "Bead":
        return self._replace(src_ids=tuple(i + di for i in self.src_ids), tgt_ids=tuple(j + dj for j in self.tgt_ids))


def link_types(p: Params) -> np.ndarray:
    t = [(1, 1), (1, 0), (0, 1)]
    t += [(a, b) for a in range(1, p.max_block + 1) for b in range(1, p.max_block + 1)
          if a + b <= p.max_link and (a, b) != (1, 1)]
    return np.array(t, dtype=np.int64)


DEFAULTS = Params()


def align_segments(src: list[str], tgt: list[str], encoder, params: Params = DEFAULTS,
                   anchors: list[tuple[int, int]] | None = None) -> list[Bead]:
    """Links between src and tgt segments (indices into them), every segment in exactly one link.

    anchors: (i, j) cut points the alignment must pass through: src[:i] aligns with tgt[:j] and src[i:] with
    tgt[j:] (paragraph numbers or document symbols found on both sides, say). Increasing in i and j.
    """
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return _unlinked(n, m)
    vs, vt = encoder.encode(src), encoder.encode(tgt)
    ls = np.array([len(s) for s in src], float)
    lt = np.array([len(t) for t in tgt], float)
    ratio = max(ls.sum(), 1.0) / max(lt.sum(), 1.0)
    lo, hi = find_band(vs, vt, ls, lt, dp.gain_params(params, ratio), params.width)
    # One scale for every document: 0 = what an unrelated pair scores here, 1 = what a typical good link scores.
    # Raw cosines differ a lot between language pairs and genres (UN sentences ~0.8, literary de-fr ~0.6).
    good, unrelated = dp.typical_match(vs, vt, lo, hi)
    scale = 1.0 / max(good - unrelated, 0.05)
    gp = dp.gain_params(params, ratio, offset=unrelated * scale)
    beads: list[Bead] = []
    cuts = [(0, 0)] + [(i, j) for i, j in (anchors or []) if 0 < i < n and 0 < j < m] + [(n, m)]
    for (i0, j0), (i1, j1) in zip(cuts, cuts[1:]):
        if i1 < i0 or j1 < j0:
            raise ValueError("anchors must increase on both sides")
        band = (lo, hi) if len(cuts) == 2 else None
        span = (src[i0:i1], tgt[j0:j1], vs[i0:i1], vt[j0:j1], ls[i0:i1], lt[j0:j1])
        beads += [b.shifted(i0, j0) for b in _align_span(*span, encoder, params, gp, scale, band)]
    return beads


def _unlinked(n: int, m: int) -> list[Bead]:
    """Every segment on its own, for a side with nothing to align against."""
    return [Bead((i,), ()) for i in range(n)] + [Bead((), (j,)) for j in range(m)]


def _align_span(src, tgt, vs, vt, ls, lt, encoder, params: Params, gp: dp.GainParams, scale: float,
                band=None) -> list[Bead]:
    """The DP over one stretch between anchors (the whole document when there are none); ls, lt: lengths."""
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return _unlinked(n, m)
    types = link_types(params)
    S, lenS = dp.block_vectors(vs, ls, params.max_block)
    T, lenT = dp.block_vectors(vt, lt, params.max_block)
    S *= scale  # the source side carries the document's scale, so every dot product is on it
    lo, hi = band or find_band(vs, vt, ls, lt, gp, params.width)
    # An estimated block (sum of its segments' vectors) scores below its real embedding when the merge is right
    # (UN Arabic-English: 0.70 estimated vs 0.81 real cosine for true 2-1 links), about the same otherwise.
    # Estimates get `optimism` on top until encoded for real, so a small slack still catches the true merges.
    bonS = np.full(S.shape[:2], params.optimism)
    bonT = np.full(T.shape[:2], params.optimism)
    bonS[0] = bonT[0] = 0.0
    real_s = {(1, i) for i in range(1, n + 1)}  # (k, end) blocks holding a real embedding
    real_t = {(1, j) for j in range(1, m + 1)}

    def encode_blocks(cands):
        want_s = sorted({(int(types[t, 0]), i) for i, j, t in cands} - real_s)
        want_t = sorted({(int(types[t, 1]), j) for i, j, t in cands} - real_t)
        want_s = [(k, i) for k, i in want_s if k > 1]
        want_t = [(k, j) for k, j in want_t if k > 1]
        if want_s:
            rows, cols = [k - 1 for k, _ in want_s], [i - 1 for _, i in want_s]
            S[rows, cols] = scale * encoder.encode([" ".join(src[i - k:i]) for k, i in want_s])
            bonS[rows, cols] = 0.0
            real_s.update(want_s)
        if want_t:
            rows, cols = [k - 1 for k, _ in want_t], [j - 1 for _, j in want_t]
            T[rows, cols] = encoder.encode([" ".join(tgt[j - k:j]) for k, j in want_t])
            bonT[rows, cols] = 0.0
            real_t.update(want_t)
        return bool(want_s or want_t)

    full_band = (n + 1) * (m + 1) <= FULL_CELLS and lo.max() == 0 and hi.min() == m

    def solve():
        D = dp.dense_sims(S, T) if full_band else np.zeros((0, 0, 0, 0), np.float32)
        G, SIM = dp.gain_table(S, T, lenS, lenT, bonS, bonT, types, lo, hi, gp, D)
        fwd, back = dp.forward(G, types, lo, hi)
        return G, SIM, fwd, dp.trace(back, types, lo, n, m)

    for rnd in range(params.rounds):
        G, SIM, fwd, path = solve()
        if rnd == 0:
            # How far below a typical link a real link can fall here: tight for clean UN text, wide for noisy
            # or literary text. A 1-0/0-1 link must beat that spread, not a fixed number.
            sims = [SIM[i, j - lo[i], t] for i, j, t in path if t == 0]  # the 1-1 links
            if len(sims) >= 5:
                mid, low = np.percentile(sims, [50, 10])
                gp = dp.gain_params(params, gp.ratio, offset=gp.offset, spread=max(mid - low, 0.02))
                G, SIM, fwd, path = solve()
        cands = [(i, j, t) for i, j, t in path if types[t, 0] + types[t, 1] >= 3]
        if params.slack > 0:
            TH = dp.through_table(G, types, lo, hi, fwd, dp.backward(G, types, lo, hi))
            cands += dp.near_best_links(TH, types, lo, fwd[n, m - lo[n]], params.slack)
        if not encode_blocks(cands):
            break
    else:
        G, SIM, fwd, path = solve()  # the last round's encodings are in: solve once more

    TH = dp.through_table(G, types, lo, hi, fwd, dp.backward(G, types, lo, hi))
    p_i, p_j, p_t = (np.array(x, dtype=np.int64) for x in zip(*path))
    margins = dp.link_margins(TH, types, lo, hi, fwd[n, m - lo[n]], p_i, p_j, p_t)
    beads = []
    for (i, j, t), margin in zip(path, margins):
        a, b = int(types[t, 0]), int(types[t, 1])
        if a and b:
            sim = SIM[i, j - lo[i], t]
        elif a:  # 1-0: how close the unlinked segment comes to any target segment near it
            near = T[0, max(lo[i - 1] - 2, 0):min(hi[i] + 2, m)]
            sim = float((near @ S[0, i - 1]).max()) - gp.offset if len(near) else 0.0
        else:
            rows = [r for r in range(max(i - 3, 0), min(i + 3, n)) if lo[r] <= j <= hi[r + 1] + 2]
            sim = float((S[0, rows] @ T[0, j - 1]).max()) - gp.offset if rows else 0.0
        beads.append(Bead(tuple(range(i - a, i)), tuple(range(j - b, j)), float(sim), float(margin)))
    return beads
