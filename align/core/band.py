"""Where the DP searches: a band around the diagonal found coarse-to-fine, so long documents cost linear time.

Small documents get the full matrix. Larger ones are aligned first at half resolution (neighbouring segment
vectors averaged), recursively, and the fine DP only searches within `width` cells of the coarse path
(the approach of Vecalign). Memory and time then grow with (n + m) * width instead of n * m.
"""

from __future__ import annotations

import numpy as np

from align.core.dp import GainParams, block_vectors, forward, gain_table, trace

FULL_CELLS = 250_000       # below this many cells, search everything (the gain table: ~30 MB at most)
COARSE_TYPES = np.array([(1, 1), (1, 0), (0, 1), (1, 2), (2, 1)], dtype=np.int64)


def full(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)


def _halve(v: np.ndarray) -> np.ndarray:
    """Average neighbouring pairs of rows (last row alone when odd), renormalised."""
    n = len(v)
    pad = v if n % 2 == 0 else np.vstack([v, v[-1:]])
    out = pad[0::2] + pad[1::2]
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    return out.astype(np.float32)


def _lengths(lens: np.ndarray) -> np.ndarray:
    pad = lens if len(lens) % 2 == 0 else np.append(lens, 0.0)
    return pad[0::2] + pad[1::2]


def find_band(vs: np.ndarray, vt: np.ndarray, ls: np.ndarray, lt: np.ndarray, params: GainParams,
              width: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) per source row for single-segment vectors vs, vt (L2-normalised) and lengths ls, lt."""
    n, m = len(vs), len(vt)
    if (n + 1) * (m + 1) <= FULL_CELLS or n < 4 or m < 4:
        return full(n, m)
    params = params._replace(offset=0.0)  # raw cosines here, not the document's scale: no offset
    cs, ct = _halve(vs), _halve(vt)
    cls, clt = _lengths(ls), _lengths(lt)
    clo, chi = find_band(cs, ct, cls, clt, params, width)
    S, lenS = block_vectors(cs, cls, 2)
    T, lenT = block_vectors(ct, clt, 2)
    G, _ = gain_table(S, T, lenS, lenT, np.zeros(lenS.shape), np.zeros(lenT.shape), COARSE_TYPES, clo, chi, params,
                      np.zeros((0, 0, 0, 0), np.float32))
    _, back = forward(G, COARSE_TYPES, clo, chi)
    path = trace(back, COARSE_TYPES, clo, len(cs), len(ct))
    # Each coarse link covers source rows [2*pi, 2*i] and target columns [2*pj, 2*j] at full resolution.
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    pi = pj = 0
    for i, j, _ in path:
        r0, r1 = 2 * pi, min(2 * i, n)
        c0, c1 = 2 * pj, min(2 * j, m)
        lo[r0:r1 + 1] = np.minimum(lo[r0:r1 + 1], c0)
        hi[r0:r1 + 1] = np.maximum(hi[r0:r1 + 1], c1)
        pi, pj = i, j
    lo = np.maximum(lo - width, 0)
    hi = np.minimum(hi + width, m)
    # widen vertically too, and keep both bounds monotone so every row connects to the next
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    lo = np.concatenate([np.zeros(width, np.int64), lo[:-width]]) if width < len(lo) else np.zeros_like(lo)
    hi = np.maximum.accumulate(hi)
    hi = np.concatenate([hi[width:], np.full(width, m, np.int64)]) if width < len(hi) else np.full_like(hi, m)
    lo[0], hi[n] = 0, m
    return lo, np.maximum(hi, lo)
