"""The alignment dynamic program, compiled (~5 ns/cell instead of ~470 in pure Python): built ahead of time at
set-up, else by numba (align.kernels).

The search space is a band: for each source position i (0..n) the target positions lo[i]..hi[i] (inclusive,
non-decreasing in i). A full DP is the band lo=0, hi=m. Cell (i, j) holds the best total gain of an alignment of
the first i source and first j target segments; a link of type (a, b) enters it from (i-a, j-b).

Gain of a link joining source block s (a segments ending at i-1) and target block t (b segments ending at j-1):
    sim  = cos(s, t) - nb_w * neighbours(s, t) + bonus(s) + bonus(t) - offset
    gain = sim * ((1 - len_w) + len_w * log2(1 + short/long))
bonus() is the optimism given to a block whose vector is still an estimate (see align.core.aligner);
neighbours() is the mean similarity of each block to the single segments just outside the other block: a link
is only good if it beats its neighbours (a local margin; it is what separates a real 2-1 merge from a 1-1 link
plus an unrelated sentence). short/long compares the two blocks' lengths after scaling by the document's length
ratio. A 1-0 or 0-1 link gains `skip`. The numbers come in one GainParams (built by gain_params).
The DP maximises the total gain.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from align.kernels import kernel

NEG = -1e30
# Before a document's spread of link similarities is measured (the first DP round), a 1-0/0-1 link costs `skip`
# times this guess of it: the median spread (50th - 10th percentile of 1-1 link similarities) on unpc-ar-en.
INITIAL_SPREAD = 0.15


class GainParams(NamedTuple):
    """What the gain of a link depends on besides the vectors; numba reads it as a typed tuple."""

    offset: float     # subtracted from every similarity: what an unrelated pair scores on the document's scale
    skip: float       # gain of a 1-0 or 0-1 link (negative: a cost)
    length: float     # weight of length agreement
    ratio: float      # source length / target length of the whole document
    neighbour: float  # weight of the local margin
    square: float = 0.0   # taken from the gain of a 2-2 link (Params.square)


def gain_params(params, ratio: float, offset: float = 0.0, spread: float = INITIAL_SPREAD) -> GainParams:
    """The DP's view of the aligner settings (align.core.params.Params) for one document or span."""
    return GainParams(float(offset), -params.skip * float(spread), float(params.length), float(ratio),
                      float(params.neighbour), float(params.square))


def block_vectors(v: np.ndarray, lens: np.ndarray, k_max: int) -> tuple[np.ndarray, np.ndarray]:
    """Estimated block vectors (k_max, n, d) and block lengths (k_max, n); block [k-1, i] ends at segment i."""
    n, d = v.shape
    cum = np.vstack([np.zeros((1, d), np.float32), np.cumsum(v, axis=0, dtype=np.float32)])
    clen = np.concatenate([[0.0], np.cumsum(lens)])
    out = np.zeros((k_max, n, d), np.float32)
    blen = np.zeros((k_max, n))
    for k in range(1, k_max + 1):
        if k > n:
            break
        s = cum[k:] - cum[:-k]
        s /= np.maximum(np.linalg.norm(s, axis=1, keepdims=True), 1e-9)
        out[k - 1, k - 1:] = s
        blen[k - 1, k - 1:] = clen[k:] - clen[:-k]
    out[0] = v
    return out, blen


@kernel(fastmath=True)
def _dot(u, v):
    acc = 0.0
    for d in range(u.shape[0]):
        acc += u[d] * v[d]
    return acc


@kernel(fastmath=True)
def _neighbours(vec, singles, k, end):
    """Mean similarity of vec to the single segments just before and after the block of k ending at end-1."""
    tot = 0.0
    cnt = 0
    if end - k - 1 >= 0:
        tot += _dot(vec, singles[end - k - 1])
        cnt += 1
    if end < singles.shape[0]:
        tot += _dot(vec, singles[end])
        cnt += 1
    return tot / cnt if cnt else 0.0


@kernel(fastmath=True)
def _finish(sim, nb_s, nb_t, ls, lt, bonus, params):
    """(gain, sim) from a link's raw similarity and its blocks' similarities to the neighbouring segments."""
    sim = sim - params.neighbour * 0.5 * (nb_s + nb_t) + bonus - params.offset
    lt = lt * params.ratio
    fit = np.log2(1.0 + min(ls, lt) / max(ls, lt))
    return sim * (1.0 - params.length + params.length * fit), sim


@kernel(fastmath=True)
def link_gain(S, T, lenS, lenT, bonS, bonT, a, b, i, j, params):
    """(gain, sim) of the link of a source and b target segments ending at cell (i, j)."""
    if a == 0 or b == 0:
        return params.skip, 0.0
    sv = S[a - 1, i - 1]
    tv = T[b - 1, j - 1]
    nb_s = _neighbours(sv, T[0], b, j) if params.neighbour != 0.0 else 0.0
    nb_t = _neighbours(tv, S[0], a, i) if params.neighbour != 0.0 else 0.0
    return _finish(_dot(sv, tv), nb_s, nb_t, lenS[a - 1, i - 1] + 1.0, lenT[b - 1, j - 1] + 1.0,
                   bonS[a - 1, i - 1] + bonT[b - 1, j - 1], params)


@kernel(fastmath=True)
def _mean2(x, ok_x, y, ok_y):
    if ok_x and ok_y:
        return 0.5 * (x + y)
    if ok_x:
        return x
    if ok_y:
        return y
    return 0.0


@kernel(fastmath=True)
def link_gain_dense(D, lenS, lenT, bonS, bonT, a, b, i, j, params):
    """link_gain reading precomputed similarities D[a-1, b-1] = S[a-1] @ T[b-1].T (full band only)."""
    if a == 0 or b == 0:
        return params.skip, 0.0
    n = D.shape[2]
    m = D.shape[3]
    nb_s = _mean2(D[a - 1, 0, i - 1, max(j - b - 1, 0)], j - b - 1 >= 0, D[a - 1, 0, i - 1, min(j, m - 1)], j < m)
    nb_t = _mean2(D[0, b - 1, max(i - a - 1, 0), j - 1], i - a - 1 >= 0, D[0, b - 1, min(i, n - 1), j - 1], i < n)
    return _finish(D[a - 1, b - 1, i - 1, j - 1], nb_s, nb_t, lenS[a - 1, i - 1] + 1.0, lenT[b - 1, j - 1] + 1.0,
                   bonS[a - 1, i - 1] + bonT[b - 1, j - 1], params)


@kernel()
def _width(lo, hi):
    w = 0
    for i in range(lo.shape[0]):
        if hi[i] - lo[i] + 1 > w:
            w = hi[i] - lo[i] + 1
    return w


def dense_sims(S: np.ndarray, T: np.ndarray) -> np.ndarray:
    """D[a-1, b-1] = S[a-1] @ T[b-1].T: every block-to-block similarity, by BLAS, for a full-band document."""
    return np.einsum("aid,bjd->abij", S, T, optimize=True).astype(np.float32)


@kernel()
def gain_table(S, T, lenS, lenT, bonS, bonT, types, lo, hi, params, D):
    """Gain and similarity of every link the band allows: G[i, j - lo[i], t] for the link of type t ending at
    cell (i, j), NEG where it cannot be. Computed once per round; the passes below only read it.
    D: dense_sims(S, T) when the band is the full matrix (faster), else an empty array."""
    dense = D.shape[0] > 0
    n = S.shape[1]
    w = _width(lo, hi)
    G = np.full((n + 1, w, types.shape[0]), NEG, dtype=np.float32)
    SIM = np.zeros((n + 1, w, types.shape[0]), dtype=np.float32)
    for i in range(n + 1):
        for j in range(lo[i], hi[i] + 1):
            for t in range(types.shape[0]):
                a = types[t, 0]
                b = types[t, 1]
                pi = i - a
                pj = j - b
                if (i == 0 and j == 0) or pi < 0 or pj < lo[max(pi, 0)] or pj > hi[max(pi, 0)]:
                    continue
                if dense:
                    g, sim = link_gain_dense(D, lenS, lenT, bonS, bonT, a, b, i, j, params)
                else:
                    g, sim = link_gain(S, T, lenS, lenT, bonS, bonT, a, b, i, j, params)
                G[i, j - lo[i], t] = g - params.square if a == 2 and b == 2 else g
                SIM[i, j - lo[i], t] = sim
    return G, SIM


@kernel()
def forward(G, types, lo, hi):
    """Best gain of every band cell from (0, 0), and the link type that reached it."""
    n = G.shape[0] - 1
    score = np.full((n + 1, G.shape[1]), NEG)
    back = np.full((n + 1, G.shape[1]), -1, dtype=np.int8)
    score[0, 0 - lo[0]] = 0.0
    for i in range(n + 1):
        for j in range(lo[i], hi[i] + 1):
            best = NEG
            arg = -1
            for t in range(types.shape[0]):
                g = G[i, j - lo[i], t]
                if g <= NEG:
                    continue
                pi = i - types[t, 0]
                prev = score[pi, j - types[t, 1] - lo[pi]]
                if prev > NEG and prev + g > best:
                    best = prev + g
                    arg = t
            if arg >= 0:
                score[i, j - lo[i]] = best
                back[i, j - lo[i]] = arg
    return score, back


@kernel()
def backward(G, types, lo, hi):
    """Best gain from every band cell to the end (n, hi[n])."""
    n = G.shape[0] - 1
    m = hi[n]
    score = np.full((n + 1, G.shape[1]), NEG)
    score[n, m - lo[n]] = 0.0
    for i in range(n, -1, -1):
        for j in range(hi[i], lo[i] - 1, -1):
            here = score[i, j - lo[i]]
            if here <= NEG:
                continue
            # push this cell's best continuation back to every cell a link into it starts from
            for t in range(types.shape[0]):
                g = G[i, j - lo[i], t]
                if g <= NEG:
                    continue
                pi = i - types[t, 0]
                pj = j - types[t, 1]
                if here + g > score[pi, pj - lo[pi]]:
                    score[pi, pj - lo[pi]] = here + g
    return score


@kernel()
def through_table(G, types, lo, hi, fwd, bwd):
    """Best total of a path through each link: fwd before it + its gain + bwd after it (NEG where none)."""
    n = G.shape[0] - 1
    TH = np.full(G.shape, NEG)
    for i in range(n + 1):
        for j in range(lo[i], hi[i] + 1):
            after = bwd[i, j - lo[i]]
            if after <= NEG:
                continue
            for t in range(types.shape[0]):
                g = G[i, j - lo[i], t]
                if g <= NEG:
                    continue
                pi = i - types[t, 0]
                before = fwd[pi, j - types[t, 1] - lo[pi]]
                if before > NEG:
                    TH[i, j - lo[i], t] = before + g + after
    return TH


def near_best_links(TH, types, lo, best, slack):
    """Links (i, j, type) of at least 3 segments on some path scoring within `slack` of the best path.

    These are the merges worth checking with real (re-encoded) block vectors.
    """
    merge = (types[:, 0] > 0) & (types[:, 1] > 0) & (types.sum(1) >= 3)
    i, jj, t = np.nonzero((TH >= best - slack) & merge[None, None, :])
    return list(zip(i.tolist(), (jj + lo[i]).tolist(), t.tolist()))


def trace(back, types, lo, n, m):
    """The best path as a list of (i, j, type index) link ends, from (0, 0) to (n, m)."""
    links = []
    i, j = n, m
    while i > 0 or j > 0:
        t = int(back[i, j - lo[i]])
        if t < 0:
            raise RuntimeError("alignment band has no path to the end")  # a bug, not a user error
        links.append((i, j, t))
        i -= int(types[t, 0])
        j -= int(types[t, 1])
    links.reverse()
    return links


@kernel()
def typical_match(vs, vt, lo, hi):
    """(median cosine of mutual nearest neighbours, mean cosine) within the band: what a good 1-1 link and
    what an unrelated pair score in this document.

    Similarities differ a lot between language pairs and genres (UN sentences ~0.8, literary German-French ~0.6);
    dividing by this puts every document on one scale, so one skip gain fits all.
    """
    n = vs.shape[0]
    m = vt.shape[0]
    best_j = np.full(n, -1)
    best_i = np.full(m, -1)
    row_best = np.full(n, -2.0)
    col_best = np.full(m, -2.0)
    total = 0.0
    cells = 0
    for i in range(n):
        for j in range(lo[i], min(hi[i + 1], m)):
            c = _dot(vs[i], vt[j])
            total += c
            cells += 1
            if c > row_best[i]:
                row_best[i] = c
                best_j[i] = j
            if c > col_best[j]:
                col_best[j] = c
                best_i[j] = i
    vals = []
    for i in range(n):
        j = best_j[i]
        if j >= 0 and best_i[j] == i:
            vals.append(row_best[i])
    base = total / cells if cells else 0.0
    if len(vals) == 0:
        return 1.0, base
    return np.median(np.array(vals)), base


@kernel()
def link_margins(TH, types, lo, hi, best, path_i, path_j, path_t):
    """For each link of the best path: how much worse the best path that does *not* use it is.

    Any path without link L covers L's segments with other links, one of which overlaps L; so the margin is
    the best total minus the best total through any link overlapping L but other than L. A large margin means
    the DP had no close alternative: the strongest sign that a link is right.
    """
    n = TH.shape[0] - 1
    m = hi[n]
    owner_s = np.full(n, -1)
    owner_t = np.full(m, -1)
    for k in range(path_i.shape[0]):
        for x in range(path_i[k] - types[path_t[k], 0], path_i[k]):
            owner_s[x] = k
        for y in range(path_j[k] - types[path_t[k], 1], path_j[k]):
            owner_t[y] = k
    rival_s = np.full(n, NEG)
    rival_t = np.full(m, NEG)
    for i in range(n + 1):
        for j in range(lo[i], hi[i] + 1):
            for t in range(types.shape[0]):
                through = TH[i, j - lo[i], t]
                if through <= NEG:
                    continue
                for x in range(i - types[t, 0], i):
                    k = owner_s[x]
                    if not (path_i[k] == i and path_j[k] == j and path_t[k] == t) and through > rival_s[x]:
                        rival_s[x] = through
                for y in range(j - types[t, 1], j):
                    k = owner_t[y]
                    if not (path_i[k] == i and path_j[k] == j and path_t[k] == t) and through > rival_t[y]:
                        rival_t[y] = through
    out = np.empty(path_i.shape[0])
    for k in range(path_i.shape[0]):
        rival = NEG
        for x in range(path_i[k] - types[path_t[k], 0], path_i[k]):
            rival = max(rival, rival_s[x])
        for y in range(path_j[k] - types[path_t[k], 1], path_j[k]):
            rival = max(rival, rival_t[y])
        out[k] = best - rival if rival > NEG else 10.0
    return out
