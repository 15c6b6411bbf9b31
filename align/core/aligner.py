"""Align two lists of segments: overlap embeddings, a local-margin similarity and a banded DP.

How it stays fast: a link joining several segments needs the embedding of their concatenation, and encoding
every concatenation of up to 4 segments (as Vecalign and Bertalign do) costs 3-4x encoding the sentences. Here
each segment is encoded once; a block of k segments starts as the normalised sum of its segments' vectors. The
DP then runs forwards and backwards, and only the multi-segment links on paths within `slack` of the best path
are encoded for real (typically a fraction of the segments); the DP reruns with those until the best path uses
no estimated block. Every link gets its similarity on the document's own scale (0 = unrelated, 1 = typical).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from typing import NamedTuple

from align.core import dp
from align.core.band import FULL_CELLS, find_band
from align.core.params import Params
from align.encode.base import encode_joined
from align.encode.normalize import normalise


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


# Long links (issue 10): literary Arabic writes one long sentence where English has 2-8. Links of more than
# ORDINARY segments are allowed only with 1 or 2 segments on one side, and only in documents that call for them
# (block_limits, or the DP hitting the ordinary limit on SATURATED of its links), so ordinary documents are
# aligned exactly as before. Set on the literary dev sets (scripts/make_dev_sets.py), checked on the four open sets.
ORDINARY = 5          # links of up to 5 segments take any shape (1-4, 2-3, 3-2, 4-1)
ORDINARY_SIDE = 4
LONG_SPAN = 4.5       # 95th percentile of segments spanned above which a side gets long links
WIDEN = 1.5           # a long side's block limit: this times that percentile (at most max_block)
SATURATED = 0.1       # share of links at ORDINARY_SIDE on a side (and at least 2) that widens it to max_block
LONG_SKIP = 5.0       # 1-0/0-1 cost multiplier where links are long: literary translations leave little out,
                      # and the DP would rather leave out a long sentence's middle than widen the link
JOIN = 0.06           # similarity gain (cosine) that joins two neighbouring links into one 2-k link


def link_types(p: Params, k_src: int | None = None, k_tgt: int | None = None) -> np.ndarray:
    """Link shapes (a, b) the DP may use: every shape of up to ORDINARY segments with at most ORDINARY_SIDE on
    a side, and, on a side whose block limit (k_src, k_tgt: default max_block) is larger, long links of 1 or 2
    segments against up to that many; none over max_link segments or max_block on a side."""
    ks = min(p.max_block, p.max_block if k_src is None else k_src)
    kt = min(p.max_block, p.max_block if k_tgt is None else k_tgt)
    t = [(1, 1), (1, 0), (0, 1)]
    for a in range(1, ks + 1):
        for b in range(1, kt + 1):
            if (a, b) == (1, 1) or a + b > p.max_link:
                continue
            ordinary = a + b <= ORDINARY and max(a, b) <= ORDINARY_SIDE
            long_t = a <= 2 and kt > ORDINARY_SIDE and a + b > ORDINARY
            long_s = b <= 2 and ks > ORDINARY_SIDE and a + b > ORDINARY
            if ordinary or long_t or long_s:
                t.append((a, b))
    return np.array(t, dtype=np.int64)


def block_limits(ls: np.ndarray, lt: np.ndarray, p: Params) -> tuple[int, int]:
    """Most segments a link may join on each side of this document, from its segment lengths: a long source
    segment (scaled by the document's length ratio) spans several target segments of typical length. Where
    the 95th percentile of that span exceeds LONG_SPAN (literary prose: 6-8; UN, news and UDHR documents stay
    below 4 but for 1 ntrex document in 123), links of up to WIDEN times that span are allowed on the other side;
    elsewhere ORDINARY_SIDE, as always."""
    ratio = max(ls.sum(), 1.0) / max(lt.sum(), 1.0)

    def limit(span):
        q = float(np.quantile(span, 0.95))
        widest = max(ORDINARY_SIDE, math.ceil(WIDEN * q)) if q > LONG_SPAN else ORDINARY_SIDE
        return min(p.max_block, widest)

    return limit(lt * ratio / max(np.median(ls), 1.0)), limit(ls / ratio / max(np.median(lt), 1.0))


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
    # lengths of what the encoder sees: vowel marks (40% of a fully vowelled text's characters) do not count
    ls = np.array([len(normalise(s)) for s in src], float)
    lt = np.array([len(normalise(t)) for t in tgt], float)
    ratio = max(ls.sum(), 1.0) / max(lt.sum(), 1.0)
    lo, hi = find_band(vs, vt, ls, lt, dp.gain_params(params, ratio), params.width)
    # One scale for every document: 0 = what an unrelated pair scores here, 1 = what a typical good link scores.
    # Raw cosines differ a lot between language pairs and genres (UN sentences ~0.8, literary de-fr ~0.6).
    good, unrelated = dp.typical_match(vs, vt, lo, hi)
    scale = 1.0 / max(good - unrelated, 0.05)
    cuts = [(0, 0)] + [(i, j) for i, j in (anchors or []) if 0 < i < n and 0 < j < m] + [(n, m)]

    def run(limits: tuple[int, int]) -> list[list[Bead]]:
        """The beads of each span between anchors, indices local to the span."""
        # where long links are called for (literary prose), an omission costs more
        prm = dataclasses.replace(params, skip=params.skip * LONG_SKIP) if max(limits) > ORDINARY_SIDE else params
        gp = dp.gain_params(prm, ratio, offset=unrelated * scale)
        out = []
        for (i0, j0), (i1, j1) in zip(cuts, cuts[1:]):
            if i1 < i0 or j1 < j0:
                raise ValueError("anchors must increase on both sides")
            band = (lo, hi) if len(cuts) == 2 else None
            span = (src[i0:i1], tgt[j0:j1], vs[i0:i1], vt[j0:j1], ls[i0:i1], lt[j0:j1])
            out.append(_align_span(*span, encoder, prm, gp, scale, band, limits))
        return out

    limits = block_limits(ls, lt, params)
    spans = run(limits)
    if max(limits) <= ORDINARY_SIDE:
        # The DP hit the ordinary limit again and again: the text calls for longer links than its lengths said.
        flat = [b for beads in spans for b in beads]
        full = (sum(len(b.src_ids) == ORDINARY_SIDE for b in flat), sum(len(b.tgt_ids) == ORDINARY_SIDE for b in flat))
        wider = tuple(params.max_block if k >= max(2, SATURATED * len(flat)) else lim for k, lim in zip(full, limits))
        if wider != limits:
            limits = (int(wider[0]), int(wider[1]))
            spans = run(limits)
    out: list[Bead] = []
    for (i0, j0), (i1, j1), beads in zip(cuts, cuts[1:], spans):
        if max(limits) > ORDINARY_SIDE:  # the last passes with real vectors, where links are long
            text = (src[i0:i1], tgt[j0:j1], encoder, params, limits)
            beads = fold_unlinked(shift_boundaries(join_straddling(beads, *text), *text), *text)
        out += [b.shifted(i0, j0) for b in beads]
    return out


def _both(encoder, src_groups: list[list[str]], tgt_groups: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """encode_joined of both sides' groups in one call (the model's batches are fuller that way)."""
    v = encode_joined(encoder, src_groups + tgt_groups)
    return v[:len(src_groups)], v[len(src_groups):]


def _sims(encoder, src, tgt, links) -> np.ndarray:
    vs, vt = _both(encoder, [[src[i] for i in b.src_ids] for b in links], [[tgt[j] for j in b.tgt_ids] for b in links])
    return np.einsum("nd,nd->n", vs, vt)


def join_straddling(beads, src, tgt, encoder, params, limits):
    """Two neighbouring links that read better as one: a sentence on the long side straddles the boundary of
    the short side (one English sentence translating the end of one Arabic sentence and the start of the
    next), which only a 2-k link gets right. Joined when the joined link's real similarity beats the
    length-weighted mean of the two by JOIN."""
    beads = list(beads)
    allowed = {tuple(t) for t in link_types(params, *limits)}
    while True:
        cands = []
        for k in range(len(beads) - 1):
            x, y = beads[k], beads[k + 1]
            if not (x.src_ids and x.tgt_ids and y.src_ids and y.tgt_ids):
                continue
            shape = (len(x.src_ids) + len(y.src_ids), len(x.tgt_ids) + len(y.tgt_ids))
            if shape in allowed and min(shape) == 2 and max(shape) >= 3:  # 2-3 ... 2-8 and mirrored
                cands.append(k)
        if not cands:
            return beads
        joined = [_widened(beads[k], beads[k + 1]) for k in cands]
        trio = [b for k, w in zip(cands, joined) for b in (beads[k], beads[k + 1], w)]
        sims = _sims(encoder, src, tgt, trio).reshape(-1, 3)
        best, best_k = JOIN, None
        for c, k in enumerate(cands):
            w = np.array([_chars(src, tgt, beads[k]), _chars(src, tgt, beads[k + 1])], float)
            gain = sims[c, 2] - (w @ sims[c, :2]) / w.sum()
            if gain > best:
                best, best_k = gain, c
        if best_k is None:
            return beads
        k = cands[best_k]
        beads[k:k + 2] = [joined[best_k]._replace(sim=beads[k].sim, margin=beads[k].margin)]


def shift_boundaries(beads, src, tgt, encoder, params, limits):
    """Between two neighbouring long links, the segment at their boundary goes to the link it fits better:
    each side's real similarity summed, as the DP's estimated block vectors decide such close calls badly."""
    beads = list(beads)
    for _ in range(3):
        moved = False
        for k in range(len(beads) - 1):
            x, y = beads[k], beads[k + 1]
            if not (x.src_ids and x.tgt_ids and y.src_ids and y.tgt_ids):
                continue
            options = [(x, y)]
            for side in ("src_ids", "tgt_ids"):
                a, b = getattr(x, side), getattr(y, side)
                lim = limits[0] if side == "src_ids" else limits[1]
                if len(a) > 1 and len(b) < lim and _size(y) < params.max_link:
                    options.append((x._replace(**{side: a[:-1]}), y._replace(**{side: (a[-1],) + b})))
                if len(b) > 1 and len(a) < lim and _size(x) < params.max_link:
                    options.append((x._replace(**{side: a + (b[0],)}), y._replace(**{side: b[1:]})))
            if len(options) == 1:
                continue
            sims = _sims(encoder, src, tgt, [l for o in options for l in o]).reshape(-1, 2)
            tot = sims.sum(1)
            best = int(np.argmax(tot))
            if best and tot[best] > tot[0] + 1e-6:
                beads[k:k + 2] = list(options[best])
                moved = True
        if not moved:
            break
    return beads


def _size(b: Bead) -> int:
    return len(b.src_ids) + len(b.tgt_ids)


def _chars(src, tgt, b) -> int:
    return sum(len(src[i]) for i in b.src_ids) + sum(len(tgt[j]) for j in b.tgt_ids)


def fold_unlinked(beads: list[Bead], src: list[str], tgt: list[str], encoder, params: Params,
                  limits: tuple[int, int]) -> list[Bead]:
    """A last pass, as SentAlign makes: a 1-0 or 0-1 segment joins the neighbouring link whose real similarity
    it raises the most, if it raises it at all (the middle English sentence of a long Arabic one that the DP
    left alone). Links only take shapes the DP may use (link_types)."""
    beads = list(beads)
    allowed = {tuple(t) for t in link_types(params, *limits)}
    while True:
        best = None  # (gain, k, neighbour index)
        cands = []
        for k, b in enumerate(beads):
            if b.src_ids and b.tgt_ids:
                continue
            for nb in (k - 1, k + 1):
                if not 0 <= nb < len(beads) or not (beads[nb].src_ids and beads[nb].tgt_ids):
                    continue
                w = _widened(beads[nb], b)
                if (len(w.src_ids), len(w.tgt_ids)) in allowed:
                    cands.append((k, nb, w))
        if not cands:
            return beads
        texts_s = [[src[i] for i in x.src_ids] for _, nb, w in cands for x in (beads[nb], w)]
        texts_t = [[tgt[j] for j in x.tgt_ids] for _, nb, w in cands for x in (beads[nb], w)]
        vs, vt = _both(encoder, texts_s, texts_t)
        sims = np.einsum("nd,nd->n", vs, vt)
        for c, (k, nb, w) in enumerate(cands):
            gain = sims[2 * c + 1] - sims[2 * c]
            if gain > 0 and (best is None or gain > best[0]):
                best = (gain, k, nb, w)
        if best is None:
            return beads
        _, k, nb, w = best
        beads[nb] = w._replace(sim=beads[nb].sim, margin=beads[nb].margin)
        del beads[k]


def _widened(link: Bead, extra: Bead) -> Bead:
    return link._replace(src_ids=tuple(sorted(link.src_ids + extra.src_ids)),
                         tgt_ids=tuple(sorted(link.tgt_ids + extra.tgt_ids)))


def _unlinked(n: int, m: int) -> list[Bead]:
    """Every segment on its own, for a side with nothing to align against."""
    return [Bead((i,), ()) for i in range(n)] + [Bead((), (j,)) for j in range(m)]


def _align_span(src, tgt, vs, vt, ls, lt, encoder, params: Params, gp: dp.GainParams, scale: float,
                band=None, limits=(None, None)) -> list[Bead]:
    """The DP over one stretch between anchors (the whole document when there are none); ls, lt: lengths."""
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return _unlinked(n, m)
    types = link_types(params, *limits)
    S, lenS = dp.block_vectors(vs, ls, int(types[:, 0].max()))
    T, lenT = dp.block_vectors(vt, lt, int(types[:, 1].max()))
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
        if not (want_s or want_t):
            return False
        vs, vt = _both(encoder, [src[i - k:i] for k, i in want_s], [tgt[j - k:j] for k, j in want_t])
        if want_s:
            rows, cols = [k - 1 for k, _ in want_s], [i - 1 for _, i in want_s]
            S[rows, cols] = scale * vs
            bonS[rows, cols] = 0.0
            real_s.update(want_s)
        if want_t:
            rows, cols = [k - 1 for k, _ in want_t], [j - 1 for _, j in want_t]
            T[rows, cols] = vt
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
