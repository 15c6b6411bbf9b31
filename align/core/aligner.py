"""Align two lists of segments: overlap embeddings, a local-margin similarity and a banded DP.

How it stays fast: a link joining several segments needs the embedding of their concatenation, and encoding
every concatenation of up to 4 segments (as Vecalign and Bertalign do) costs 3-4x encoding the sentences. Here
each segment is encoded once; a block of k segments starts as the normalised sum of its segments' vectors. The
DP then runs forwards and backwards, and only the multi-segment links on paths within `slack` of the best path
are encoded for real (typically a fraction of the segments); the DP reruns with those until the best path uses
no estimated block. Every link gets its similarity on the document's own scale (0 = unrelated, 1 = typical).
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import re

import numpy as np

from typing import Any, NamedTuple

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
SATURATED = 0.1       # share of links at ORDINARY_SIDE on a side (at least SATURATED_LINKS) that widens it to max_block
# A short document (one to four long lines, under 10 links) has room for one link at the limit: that one is as telling
# as two in a longer one. With 2, 15 of literary-ntrex's 123 documents stayed ordinary, and a 1-5 or 1-3 link came
# out as 1-4 / 1-2 beside a 0-1 (7 misses); with 1, strict F1 0.902 -> 0.910 (literary-unpc unchanged). No document
# of the four open sets is widened by it (F1 and strings encoded unchanged): the widened run still has to pass
# LONG_FIT.
SATURATED_LINKS = 1
LONG_SKIP = 5.0       # 1-0/0-1 cost multiplier where links are long: literary translations leave little out,
                      # and the DP would rather leave out a long sentence's middle than widen the link
# A document's links longer than ORDINARY_SIDE must have a median similarity of LONG_FIT (its own scale) or it is
# aligned as an ordinary one (_long_links_fit). Per document, the median of its long links: literary-ntrex /
# literary-unpc (all 100 documents of each have long links) at least 0.57 / 1.07; each document's source with the
# next one's target, unrelated text: ntrex-ar-en 15 documents of 60 with long links, median 0.24 (all but one
# below 0.5); literary-ntrex 89, a third below 0.45; literary-unpc 100, from 0.35 (their own scale is set by
# unrelated text, so the check catches only the worst of those).
LONG_FIT = 0.45
JOIN = 0.06           # similarity gain (cosine) that joins two neighbouring links into one 2-k link
# The last passes (join_straddling, shift_boundaries) encode concatenations of long segments, which cost more than
# the DP's own encoding did (literary-unpc-ar-en: 2.5M characters on top of its 2.3M). Each candidate is first
# scored from its segments' vectors (_estimated_sims, no encoding), and only those that come close are encoded.
# On the literary dev sets (ntrex / unpc): a boundary shift is encoded only if its estimated summed similarity is
# within SHIFT_ESTIMATED of the current split's: 0.03 cut the pass's encoding 373k -> 53k / 1,587k -> 194k
# characters, strict F1 0.836 -> 0.840 / 0.879 -> 0.879 (0.02 the same F1, 0.0: 0.847 / 0.871, no limit as before).
# With the windows that now decide the shifts (_move_margins): 0.01 0.897 / 0.930, 0.03 0.902 / 0.937, 0.1
# 0.902 / 0.935, no limit 0.888 / 0.925 (the estimate also keeps implausible moves out).
SHIFT_ESTIMATED = 0.03
# A join is encoded only if its estimated gain (as JOIN's, from the segments' vectors) exceeds JOIN_ESTIMATED: of
# 889 join candidates on the two sets, the 113 that joined had estimated gains >= 0.002; -0.01 keeps 80% of the
# candidates (0.0: 66%), join encoding 283k -> 275k / 960k -> 743k characters, F1 unchanged.
JOIN_ESTIMATED = -0.01
# Windows (_window_sims): a sentence of a long link compared with the stretch of the other side's line that would
# translate it (as many words as the span's word ratio gives it, at least STRADDLE_WORDS), at the end of one line,
# the start of the next, or across the two. A long link's similarity barely moves when one sentence goes from it
# to its neighbour; a window of that sentence's size does.
# * Shifts: between long lines, the boundary sentence goes where its window matches better. On the literary dev
#   sets' links after the joins below (ntrex / unpc), of the neighbouring 1-k links right in gold (204 / 414)
#   the windows would move none; of the 13 boundaries one sentence off, they set 12 right. Strict F1 with the
#   windows deciding the shifts: 0.862 -> 0.902 / 0.907 -> 0.937 (the joins below in both); without the probed
#   joins 0.879 / 0.904.
# * Joins: gold joins had gains of 0.011-0.111 (ntrex, 10th-90th percentile) / 0.029-0.156 (unpc), correct splits
#   -0.008-0.041 / -0.009-0.031: no threshold serves both (the 0.05 / 0.07 trade). Whether the boundary sentence
#   matches the window across the two lines best tells them apart better (AUC 0.93 / 0.92, the gain's 0.78 /
#   0.92). A join whose gain exceeds JOIN_PROBED but not JOIN is made when it does: strict F1 0.840 -> 0.862 /
#   0.878 -> 0.907 (shifts by summed similarities, as before); with the windowed shifts, JOIN_PROBED 0.01: 0.904 /
#   0.931, 0.02: 0.902 / 0.937, 0.03: 0.895 / 0.936, no probe: 0.879 / 0.904. Only joins into long links (more
#   than ORDINARY segments) are probed: the DP weighed ordinary shapes itself, and a 3-2 join of short news
#   sentences on ntrex-ar-en cost it 0.001. The across window at a third, half and two thirds of the sentence
#   (the best of three) gave 0.915 / 0.941, for 82k / 37k more characters encoded whole: literary-unpc's cost per
#   character would pass 1.5x unpc-ar-en's (estimated from the characters: 1.52x), so halves only.
JOIN_PROBED = 0.02
# The smallest window, in words: the window of a short sentence (a heading, "Rule 30") is at least this long.
# Literary-unpc / literary-ntrex strict F1 (thirds, rounds): 3 words 0.942 / 0.920, 4: 0.946 / 0.920, 5: 0.946 /
# 0.920, 6: 0.942 / 0.916; open sets unchanged.
STRADDLE_WORDS = 4
PASS_ROUNDS = 4       # most rounds of joins and shifts (last_passes); two sufficed on the literary dev sets
# Where the windows across a boundary split (the share taken from the second line): a sentence that straddles two
# lines rarely takes half of each. Literary-unpc / literary-ntrex strict F1 with one round of the last passes:
# halves 0.937 / 0.902, thirds and halves (1/3, 1/2, 2/3) 0.941 / 0.908, quarters (1/4, 1/2, 3/4) 0.934 / 0.904,
# five (0.15 ... 0.85) 0.935 / 0.900 (more splits also find straddles where there are none); with the rounds of
# last_passes, halves 0.941 / 0.914, thirds 0.942 / 0.920, for 6% more strings encoded (430 / 265 windows).
ACROSS = (1 / 3, 1 / 2, 2 / 3)
# Pieces: a segment at the boundary on the long side that holds a sentence break of its own (two sentences kept
# on one line: a headline and its lede's first words, "... were falsified. D. Prevention", "Item 8 22. Moreover,
# ...") straddles the short side's boundary when its outer piece (the last sentence of x's last segment, the first
# of y's first) reads as the other line's end or start: the window of the piece's size there matches the piece
# better, by PIECE_MARGIN, than the window where it is now. A long sentence's whole window does not show the few
# words that cross. On the literary dev sets' neighbouring links after the last passes (ntrex / unpc), of the joins
# gold wants that the passes missed (10 / 15), 10 / 9 have a piece reading across (margins 0.03-0.79); of the
# correct splits (218 / 441), none of a shape the DP may use. Their joined gains went down to -0.026 (PIECE_GAIN).
# A piece that stays where it is also settles the close calls: the windows' straddle is not asked where a boundary
# segment has a piece (it had made 4 / 2 wrong joins there, mostly a lede repeating its headline, and 0 / 2 right).
# Strict F1 literary-ntrex / literary-unpc 0.920 / 0.946 -> 0.946 / 0.959 with the pieces joining, 0.953 / 0.963
# with their veto as well; PIECE_MARGIN 0.0 the same, 0.05: 0.950 / 0.957; PIECE_GAIN 0.0: 0.950 / 0.958, -0.06 the
# same. The four open sets, diac-* and the Quran unchanged; fewer strings encoded (4,196 -> 4,106 / 7,685 -> 7,482).
# A join with a break at its boundary is encoded from an estimated gain of PIECE_GAIN (not JOIN_ESTIMATED):
# literary-unpc 0.963 -> 0.967 (strings encoded 7,519 -> 7,720), literary-ntrex unchanged; -0.06 the same F1.
# Unlike the windows, the pieces also settle joins of ordinary size (a 2-3 link of a headline glued to its lede):
# literary-ntrex 0.953 -> 0.958, literary-unpc unchanged (only documents with long links get the last passes).
PIECE_MARGIN = 0.02
PIECE_GAIN = -0.03
_BREAK = re.compile(r"[.!?:;\u061f\u061b][\"'\u201d\u2019)\]*]*\s+(?=\S)")  # a sentence mark, closing quotes, a space


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

# Huge documents (issue 15): what the aligner holds grows with the segments it aligns at once: each segment's
# vector, the estimated vectors of the blocks of up to 4 segments ending there, the band's gain tables (~85 MB per
# 1,000 segments a side with the lexical encoder's 1,658 dimensions; 200,000 lines a side needed ~17 GB). Past
# WINDOW segments on a side, a document is aligned a window at a time: up to WINDOW segments of one side against
# the other side's stretch of the same length in characters (by the document's length ratio); the links ending in
# the first COMMIT of the window on both sides are kept, and the next window starts after them, so every kept link
# was found with the text around it on both sides. Cost in accuracy, measured on unpc-ar-en / ntrex-ar-en joined
# into one document each (scripts/bench_window.py): windows of 1,000 give strict F1 0.9930 / 0.9683, whole
# 0.9930 / 0.9699. The largest document of the open sets has 293 segments: they never take this path.
WINDOW = 2500
COMMIT = 0.75


def align_segments(src: list[str], tgt: list[str], encoder, params: Params = DEFAULTS,
                   anchors: list[tuple[int, int]] | None = None, window: int = WINDOW) -> list[Bead]:
    """Links between src and tgt segments (indices into them), every segment in exactly one link.

    anchors: (i, j) cut points the alignment must pass through: src[:i] aligns with tgt[:j] and src[i:] with
    tgt[j:] (paragraph numbers or document symbols found on both sides, say). Increasing in i and j.
    window: a document with more segments than this on a side is aligned window by window (align_windows).
    """
    if max(len(src), len(tgt)) > window:
        return align_windows(src, tgt, encoder, params, anchors or [], window)
    return _align_whole(src, tgt, encoder, params, anchors)


def align_windows(src: list[str], tgt: list[str], encoder, params: Params = DEFAULTS,
                  anchors: list[tuple[int, int]] | None = None, window: int = WINDOW) -> list[Bead]:
    """align_segments for a document of any length, in memory bounded by `window`. The part of a window kept
    (COMMIT) leaves room for an omission of up to a quarter of a window; a longer one throws the next windows
    out of step until the text realigns."""
    n, m = len(src), len(tgt)
    cs = np.concatenate([[0.0], np.cumsum([len(s) for s in src], dtype=float)])
    ct = np.concatenate([[0.0], np.cumsum([len(t) for t in tgt], dtype=float)])
    ratio = max(cs[-1], 1.0) / max(ct[-1], 1.0)
    anchors = sorted(anchors or [])
    starts = [i for i, _ in anchors]
    out: list[Bead] = []
    i0 = j0 = 0
    while i0 < n and j0 < m:
        i1, j1 = _window_end(cs, ct, i0, j0, window, ratio)
        inside = anchors[bisect.bisect_right(starts, i0):bisect.bisect_left(starts, i1)]
        local = [(i - i0, j - j0) for i, j in inside if j0 < j < j1]
        beads = _align_whole(src[i0:i1], tgt[j0:j1], encoder, params, local)
        keep = beads if (i1, j1) == (n, m) else _committed(beads, i1 - i0, j1 - j0)
        out += [b.shifted(i0, j0) for b in keep]
        i0 += sum(len(b.src_ids) for b in keep)
        j0 += sum(len(b.tgt_ids) for b in keep)
    return out + [b.shifted(i0, j0) for b in _unlinked(n - i0, m - j0)]


def _window_end(cs: np.ndarray, ct: np.ndarray, i0: int, j0: int, window: int, ratio: float) -> tuple[int, int]:
    """Ends of the window starting at (i0, j0): the same text on both sides (by the length ratio), at most
    `window` segments on either. Windows must be balanced: with more text on one side, the DP has to use up
    the excess, and did so with merges and omissions all through the window (a quarter more source text:
    unpc-ar-en joined into one document, windows of 1,000: strict F1 0.993 -> 0.989)."""
    n, m = len(cs) - 1, len(ct) - 1
    chars = min(cs[min(n, i0 + window)] - cs[i0], (ct[min(m, j0 + window)] - ct[j0]) * ratio)
    return _reach(cs, i0, chars), _reach(ct, j0, chars / ratio)


def _reach(cum: np.ndarray, start: int, chars: float) -> int:
    """End of the run of segments from `start` holding `chars` characters (at least one segment)."""
    end = int(np.searchsorted(cum, cum[start] + chars - 1e-9))
    return min(len(cum) - 1, max(end, start + 1))


def _committed(beads: list[Bead], n: int, m: int) -> list[Bead]:
    """The links of a window to keep: those ending within its first COMMIT on both sides (at least one)."""
    keep: list[Bead] = []
    i = j = 0
    for b in beads:
        i, j = i + len(b.src_ids), j + len(b.tgt_ids)
        if keep and (i > COMMIT * n or j > COMMIT * m):
            break
        keep.append(b)
    return keep


def _align_whole(src: list[str], tgt: list[str], encoder, params: Params = DEFAULTS,
                 anchors: list[tuple[int, int]] | None = None) -> list[Bead]:
    """align_segments over the whole document at once."""
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
    ordinary = (min(limits[0], ORDINARY_SIDE), min(limits[1], ORDINARY_SIDE))
    if max(limits) <= ORDINARY_SIDE:
        # The DP hit the ordinary limit again and again: the text calls for longer links than its lengths said.
        flat = [b for beads in spans for b in beads]
        full = (sum(len(b.src_ids) == ORDINARY_SIDE for b in flat), sum(len(b.tgt_ids) == ORDINARY_SIDE for b in flat))
        least = max(SATURATED_LINKS, SATURATED * len(flat))
        wider = tuple(params.max_block if k >= least else lim for k, lim in zip(full, limits))
        if wider != limits:
            ordinary_spans = spans
            limits = (int(wider[0]), int(wider[1]))
            spans = run(limits)
            if not _long_links_fit(spans):
                limits, spans = ordinary, ordinary_spans
    elif not _long_links_fit(spans):
        limits = ordinary
        spans = run(limits)
    out: list[Bead] = []
    for (i0, j0), (i1, j1), beads in zip(cuts, cuts[1:], spans):
        if max(limits) > ORDINARY_SIDE:  # the last passes with real vectors, where links are long
            sp = _Span(src[i0:i1], tgt[j0:j1], vs[i0:i1], vt[j0:j1], ls[i0:i1], lt[j0:j1], encoder, params, limits,
                       _word_ratio(src[i0:i1], tgt[j0:j1]))
            beads = last_passes(beads, sp)
        out += [b.shifted(i0, j0) for b in beads]
    return out


def last_passes(beads: list[Bead], sp: _Span) -> list[Bead]:
    """The passes with real vectors over a span's links, where links are long: joins and shifts by turns until
    neither changes anything (a shift can bring a straddling sentence to the boundary where a join looks for it:
    the DP's 1-2 + 1-6 of a headline glued to the next sentence's start, whose wrong second sentence goes right,
    and then the join), then the unlinked segments folded in. Literary-unpc / literary-ntrex strict F1 with one
    round: 0.937 / 0.910; rounds until nothing changes: 0.941 / 0.914, 28 / 25 more strings encoded (the
    repeated candidates are the memo's)."""
    for _ in range(PASS_ROUNDS):
        done = shift_boundaries(join_straddling(beads, sp), sp)
        if done == beads:
            break
        beads = done
    return fold_unlinked(beads, sp)


class _Span(NamedTuple):
    """One stretch between anchors as the long-link passes see it: texts, single-segment vectors and lengths."""

    src: list[str]
    tgt: list[str]
    vs: np.ndarray
    vt: np.ndarray
    ls: np.ndarray
    lt: np.ndarray
    encoder: Any
    params: Params
    limits: tuple[int, int]
    words: float = 1.0  # source words per target word over the span (sizes the windows of _window_sims)

    def allowed(self) -> set[tuple[int, int]]:
        return {(int(a), int(b)) for a, b in link_types(self.params, *self.limits)}


def _long_links_fit(spans: list[list[Bead]]) -> bool:
    """Whether the links longer than ORDINARY_SIDE on a side read as translations: their median similarity (the
    document's scale, 1 = a typical good link) at least LONG_FIT. Unrelated text has lengths that call for long
    links too, and the DP then makes 7-1 and 8-1 links of nothing."""
    sims = [b.sim for beads in spans for b in beads
            if b.sim is not None and max(len(b.src_ids), len(b.tgt_ids)) > ORDINARY_SIDE]
    return not sims or float(np.median(sims)) >= LONG_FIT


def _both(encoder, src_groups: list[list[str]], tgt_groups: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """encode_joined of both sides' groups in one call (the model's batches are fuller that way)."""
    v = encode_joined(encoder, src_groups + tgt_groups)
    return v[:len(src_groups)], v[len(src_groups):]


def _sims(sp: _Span, links: list[Bead]) -> np.ndarray:
    """Real similarity (cosine) of each link: its two sides' concatenations encoded, in one encoder call."""
    vs, vt = _both(sp.encoder, [[sp.src[i] for i in b.src_ids] for b in links],
                   [[sp.tgt[j] for j in b.tgt_ids] for b in links])
    return np.einsum("nd,nd->n", vs, vt)


def _estimate(v: np.ndarray, lens: np.ndarray, ids: tuple[int, ...]) -> np.ndarray:
    """A block's estimated vector from its segments' vectors, weighted by length (a long sentence carries more of
    the block's meaning: the right split of two 1-k links on the literary sets, by summed similarity, 95.3% /
    95.7% of 235 / 443 boundaries weighted, 90.2% / 91.4% plain sums)."""
    if len(ids) == 1:
        return v[ids[0]]
    x = (v[list(ids)] * (lens[list(ids)] + 1.0)[:, None]).sum(0)
    return x / max(float(np.linalg.norm(x)), 1e-9)


def _estimated_sims(sp: _Span, links: list[Bead]) -> np.ndarray:
    """Similarity of each link from its segments' vectors alone, no encoding."""
    return np.array([float(_estimate(sp.vs, sp.ls, b.src_ids) @ _estimate(sp.vt, sp.lt, b.tgt_ids)) for b in links])


def _linked(b: Bead) -> bool:
    return bool(b.src_ids and b.tgt_ids)


def _plausible(sp: _Span, options: list[tuple[Bead, Bead]]) -> list[tuple[Bead, Bead]]:
    """The current split (first) and the re-splits whose estimated similarities, summed, come within
    SHIFT_ESTIMATED of its own: only those are worth encoding for real."""
    if len(options) == 1:
        return options
    est = _estimated_sims(sp, [b for o in options for b in o]).reshape(-1, 2).sum(1)
    return [options[0]] + [o for o, e in zip(options[1:], est[1:]) if e > est[0] - SHIFT_ESTIMATED]


def shift_boundaries(beads: list[Bead], sp: _Span) -> list[Bead]:
    """Between two neighbouring long links, the segment at their boundary goes to the link it fits better, as the
    DP's estimated block vectors decide such close calls badly. Only the moves _plausible lets through are
    weighed: by windows of the moving segment's size at the boundary (_move_margins) where those are parts of
    the lines, else by the two links' real similarities, summed (a window of a whole line would say no more)."""
    beads = list(beads)
    for _ in range(3):
        moved = False
        for k in range(len(beads) - 1):
            x, y = beads[k], beads[k + 1]
            if not (_linked(x) and _linked(y)):
                continue
            options = [(x, y)]
            moves = [_Move(_Probe("", 0, 0, 0), 0)]  # the current split: nothing moves
            for side in ("src_ids", "tgt_ids"):
                a, b = getattr(x, side), getattr(y, side)
                other = "tgt_ids" if side == "src_ids" else "src_ids"
                oa, ob = getattr(x, other)[-1], getattr(y, other)[0]
                lim = sp.limits[0] if side == "src_ids" else sp.limits[1]
                if len(a) > 1 and len(b) < lim and _size(y) < sp.params.max_link:
                    options.append((x._replace(**{side: a[:-1]}), y._replace(**{side: (a[-1],) + b})))
                    moves.append(_Move(_Probe(side, a[-1], oa, ob), 1))
                if len(b) > 1 and len(a) < lim and _size(x) < sp.params.max_link:
                    options.append((x._replace(**{side: a + (b[0],)}), y._replace(**{side: b[1:]})))
                    moves.append(_Move(_Probe(side, b[0], oa, ob), -1))
            kept = _plausible(sp, options)
            if len(kept) == 1:
                continue
            mv = [moves[options.index(o)] for o in kept[1:]]
            options = kept
            if all(_windows_are_parts(sp, m.probe) for m in mv):
                tot = np.concatenate([[0.0], _move_margins(sp, mv)])
            else:  # a window would be a whole segment: the links' real similarities, summed, decide
                tot = _sims(sp, [b for o in options for b in o]).reshape(-1, 2).sum(1)
            best = int(np.argmax(tot))
            if best and tot[best] > tot[0] + 1e-6:
                beads[k:k + 2] = list(options[best])
                moved = True
        if not moved:
            break
    return beads


def _size(b: Bead) -> int:
    return len(b.src_ids) + len(b.tgt_ids)


def join_straddling(beads: list[Bead], sp: _Span) -> list[Bead]:
    """Two neighbouring links that read better as one: a sentence on the long side straddles the boundary of
    the short side (one English sentence translating the end of one Arabic sentence and the start of the
    next), which only a 2-k link gets right. Joined when the joined link's real similarity beats the
    length-weighted mean of the two by JOIN, or by PIECE_GAIN if a sentence inside a boundary segment reads as the
    other line's (_pieces_across), or, when the joined link is long, by JOIN_PROBED if no boundary segment holds a
    sentence break and one reads across the two lines (_straddles)."""
    beads = list(beads)
    allowed = sp.allowed()
    while True:
        cands = []
        for k in range(len(beads) - 1):
            x, y = beads[k], beads[k + 1]
            if not (_linked(x) and _linked(y)):
                continue
            shape = (len(x.src_ids) + len(y.src_ids), len(x.tgt_ids) + len(y.tgt_ids))
            if shape in allowed and min(shape) == 2 and max(shape) >= 3:  # 2-3 ... 2-8 and mirrored
                cands.append(k)
        if not cands:
            return beads
        joined = [_widened(beads[k], beads[k + 1]) for k in cands]
        trio = [b for k, w in zip(cands, joined) for b in (beads[k], beads[k + 1], w)]
        # only the joins their segments' vectors make plausible are encoded (JOIN_ESTIMATED)
        # (or PIECE_GAIN where a boundary segment holds a sentence break, for the pieces to settle)
        est = _gains(sp, trio, _estimated_sims(sp, trio))
        keep = [c for c, g in enumerate(est) if g > JOIN_ESTIMATED
                or (g > PIECE_GAIN and _has_break(sp, beads[cands[c]], beads[cands[c] + 1]))]
        if not keep:
            return beads
        cands, joined = [cands[c] for c in keep], [joined[c] for c in keep]
        trio = [b for c in keep for b in trio[3 * c:3 * c + 3]]
        gains = _gains(sp, trio, _sims(sp, trio))
        low = min(PIECE_GAIN, JOIN_PROBED)
        probed = [c for c, g in enumerate(gains) if low < g <= JOIN]
        pairs = [(beads[cands[c]], beads[cands[c] + 1]) for c in probed]
        pieces = _pieces_across(sp, pairs)
        for c, yes in zip(probed, pieces):
            if yes and gains[c] > PIECE_GAIN:  # a sentence inside the boundary segment reads as the other line's
                gains[c] += JOIN - PIECE_GAIN
        # a close call that no piece settled goes to the windows, unless a boundary segment's piece stays put
        close = [n for n, c in enumerate(probed) if JOIN_PROBED < gains[c] <= JOIN and pieces[n] is None
                 and _size(joined[c]) > ORDINARY]
        for n, yes in zip(close, _straddles(sp, [pairs[n] for n in close])):
            if yes:  # a close call that the boundary sentence settles: it reads across the two lines
                gains[probed[n]] += JOIN
        best = int(np.argmax(gains))
        if gains[best] <= JOIN:
            return beads
        k = cands[best]
        beads[k:k + 2] = [joined[best]._replace(sim=beads[k].sim, margin=beads[k].margin)]


def _word_ratio(src: list[str], tgt: list[str]) -> float:
    return sum(len(t.split()) for t in src) / max(1, sum(len(t.split()) for t in tgt))


class _Probe(NamedTuple):
    """A segment e on one side (src_ids or tgt_ids) and two neighbouring segments a, b on the other, where e's
    translation is looked for: at the end of a, at the start of b, or across their boundary."""

    side: str
    e: int
    a: int
    b: int


def _window(sp: _Span, p: _Probe) -> int:
    """Words of the other side that would translate p.e (the span's word ratio), at least STRADDLE_WORDS."""
    mine = sp.src if p.side == "src_ids" else sp.tgt
    ratio = 1.0 / sp.words if p.side == "src_ids" else sp.words  # other-side words per word of e's side
    return max(STRADDLE_WORDS, round(len(mine[p.e].split()) * ratio))


def _window_sims(sp: _Span, probes: list[_Probe], splits: tuple[float, ...]) -> np.ndarray:
    """Cosines (n, 2 + len(splits)) of each probe's e with windows of the other side, _window words long: the end
    of a, the start of b, and for each split f the end of a and the start of b joined, f of the window from b.
    All windows in one encoder call; e's own vector is the span's."""
    if not probes:
        return np.zeros((0, 2 + len(splits)))
    windows = []
    for p in probes:
        other = sp.tgt if p.side == "src_ids" else sp.src
        wa, wb = other[p.a].split(), other[p.b].split()
        n = _window(sp, p)
        windows += [" ".join(wa[-n:]), " ".join(wb[:n])]
        windows += [" ".join(wa[-(n - int(n * f)):] + wb[:int(n * f)]) for f in splits]
    v = sp.encoder.encode(windows).reshape(len(probes), 2 + len(splits), -1)
    mine = np.stack([(sp.vs if p.side == "src_ids" else sp.vt)[p.e] for p in probes])
    return np.einsum("nd,nkd->nk", mine, v)


class _Move(NamedTuple):
    """A boundary segment moving to the neighbouring link: probe.e from a's link to b's (way 1) or back (-1)."""

    probe: _Probe
    way: int


def _windows_are_parts(sp: _Span, p: _Probe) -> bool:
    """Whether p's windows are parts of a and b, not the whole of either."""
    other = sp.tgt if p.side == "src_ids" else sp.src
    return _window(sp, p) < min(len(other[p.a].split()), len(other[p.b].split()))


def _move_margins(sp: _Span, moves: list[_Move]) -> np.ndarray:
    """How much better each moving segment's window matches where it goes than where it is (cosine)."""
    cos = _window_sims(sp, [m.probe for m in moves], ())
    return np.array([m.way for m in moves]) * (cos[:, 1] - cos[:, 0])


def _straddles(sp: _Span, pairs: list[tuple[Bead, Bead]]) -> list[bool]:
    """For neighbouring links x, y with one segment each on the short side (A, B) and several on the long side:
    does a segment at their boundary on the long side (x's last or y's first) read as the translation of text
    running across the end of A and the start of B (the window across their boundary matches it best)?"""
    probes = []
    for x, y in pairs:
        side, other = ("src_ids", "tgt_ids") if len(x.src_ids) + len(y.src_ids) > 2 else ("tgt_ids", "src_ids")
        a, b = getattr(x, other)[-1], getattr(y, other)[0]
        probes += [_Probe(side, getattr(x, side)[-1], a, b), _Probe(side, getattr(y, side)[0], a, b)]
    cos = _window_sims(sp, probes, ACROSS)
    across = (cos[:, 2:].max(1) > cos[:, :2].max(1)).reshape(-1, 2)
    return [bool(v) for v in across.any(1)]


def _has_break(sp: _Span, x: Bead, y: Bead) -> bool:
    """Whether a segment at the boundary of neighbouring links x, y on the long side holds a sentence break."""
    side = "src_ids" if len(x.src_ids) + len(y.src_ids) > 2 else "tgt_ids"
    mine = sp.src if side == "src_ids" else sp.tgt
    return any(_BREAK.search(mine[e].strip()) for e in (getattr(x, side)[-1], getattr(y, side)[0]))


def _outer_piece(text: str, last: bool) -> str | None:
    """The last sentence of text (or the first), if text holds a sentence break."""
    cuts = [m.end() for m in _BREAK.finditer(text.strip())]
    if not cuts:
        return None
    return text.strip()[cuts[-1]:] if last else text.strip()[:cuts[0]]


def _pieces_across(sp: _Span, pairs: list[tuple[Bead, Bead]]) -> list[bool | None]:
    """For neighbouring links x, y with one segment each on the short side (A, B) and several on the long side:
    does x's last segment on the long side end with a sentence that matches the start of B better than the end of
    A (by PIECE_MARGIN), or y's first segment begin with one that matches the end of A better than the start of B?
    Windows sized as _window_sims's, all in one encoder call."""
    found = []  # (pair, piece, way: 1 if the piece now sits in x and reads as B's, -1 the reverse)
    windows: list[str] = []
    for n, (x, y) in enumerate(pairs):
        side, other = ("src_ids", "tgt_ids") if len(x.src_ids) + len(y.src_ids) > 2 else ("tgt_ids", "src_ids")
        mine, theirs = (sp.src, sp.tgt) if side == "src_ids" else (sp.tgt, sp.src)
        ratio = 1.0 / sp.words if side == "src_ids" else sp.words
        wa, wb = theirs[getattr(x, other)[-1]].split(), theirs[getattr(y, other)[0]].split()
        for e, way in ((getattr(x, side)[-1], 1), (getattr(y, side)[0], -1)):
            piece = _outer_piece(mine[e], last=way == 1)
            if piece is None:
                continue
            k = max(STRADDLE_WORDS, round(len(piece.split()) * ratio))
            found.append((n, piece, way))
            windows += [" ".join(wa[-k:]), " ".join(wb[:k])]
    out: list[bool | None] = [None] * len(pairs)
    if not found:
        return out
    v = sp.encoder.encode([f[1] for f in found] + windows)
    w = v[len(found):].reshape(len(found), 2, -1)
    cos = np.einsum("nd,nkd->nk", v[:len(found)], w)
    margins = np.array([f[2] for f in found]) * (cos[:, 1] - cos[:, 0])  # toward the other line
    for (n, _, _), margin in zip(found, margins):
        out[n] = bool(out[n]) or bool(margin > PIECE_MARGIN)
    return out


def _gains(sp: _Span, trio: list[Bead], sims: np.ndarray) -> np.ndarray:
    """For (x, y, x and y joined) triples: the joined link's similarity minus the length-weighted mean of x's and
    y's."""
    w = np.array([_chars(sp, b) for b in trio], float).reshape(-1, 3)[:, :2]
    s = sims.reshape(-1, 3)
    return s[:, 2] - (w * s[:, :2]).sum(1) / w.sum(1)


def _chars(sp: _Span, b: Bead) -> int:
    return sum(len(sp.src[i]) for i in b.src_ids) + sum(len(sp.tgt[j]) for j in b.tgt_ids)


def fold_unlinked(beads: list[Bead], sp: _Span) -> list[Bead]:
    """A last pass, as SentAlign makes: a 1-0 or 0-1 segment joins the neighbouring link whose real similarity
    it raises the most, if it raises it at all (the middle English sentence of a long Arabic one that the DP
    left alone). Links only take shapes the DP may use (link_types)."""
    beads = list(beads)
    allowed = sp.allowed()
    while True:
        best = None  # (gain, k, neighbour index)
        cands = []
        for k, b in enumerate(beads):
            if _linked(b):
                continue
            for nb in (k - 1, k + 1):
                if not 0 <= nb < len(beads) or not _linked(beads[nb]):
                    continue
                w = _widened(beads[nb], b)
                if (len(w.src_ids), len(w.tgt_ids)) in allowed:
                    cands.append((k, nb, w))
        if not cands:
            return beads
        sims = _sims(sp, [x for _, nb, w in cands for x in (beads[nb], w)])
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

