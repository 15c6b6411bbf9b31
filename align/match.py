"""Which documents translate each other, in two folders (or one folder per language).

``match_sides(src, tgt)`` pairs the documents of two ``Side``s (``read_side`` reads and encodes a folder once);
``match_many(sides)`` pairs every language with the first (the pivot) and keeps the rows complete in all of them.
Evidence, cheapest first:

1. **UN document symbol** in the file name (``A_RES_70_1.txt``, ``S-2018-1020.en.txt``) or in the header block the
   structure reader labels (``S/2018/1020``): a symbol found in exactly one document on each side pairs them.
   ``A/70/1`` and ``A/70/1/Rev.1`` are different symbols, so revisions never pair through it.
2. **Content**, for the rest: every document is a set of sentence vectors (``align.encode``). Candidates are each
   document's ``TOP_K`` nearest neighbours, both ways, by the cosine of the mean sentence vectors (a blocked
   matmul: memory is one block, time linear in documents for a fixed block). Each candidate pair is scored by
   *coverage*: the share of the characters on each side whose sentence has a mutual-best counterpart on the other
   side scoring at least ``Z_MIN`` standard deviations above what that sentence scores against unrelated text of
   the other language, the lower of the two shares, times a length-agreement factor. A shortened version of the
   story covers its own text but not the full source, and its length disagrees; a different story on the same
   topic shares few sentences that are close translations.
3. **One-to-one**: competitive linking (best pair first, each document used once) over the candidates scoring at
   least ``MIN_SCORE``; the rest is reported as unpaired, never forced.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from align.document import Document
from align.errors import AlignError

TOP_K = 5        # candidates per document, each way; the right partner ranked first by cosine for all 100 dev pairs
Z_MIN = 4.0      # a sentence is covered when its best counterpart scores this many std above unrelated text
BACKGROUND = 1000  # sentences of the other side sampled as "unrelated text" (seeded)
LEN_TOL = 0.2    # |log length ratio - typical| allowed without penalty (true pairs: within 0.17 ar-en, 0.26 zh-ru)
LEN_SCALE = 0.5  # beyond it, the score falls by e per 0.5 of log ratio (a half-length version: x0.4)
# MIN_SCORE: measured on the dev sets (pairing-ar-en-dev, pairing-zh-ru-dev, use encoder, 2026-12-02): the 100
# true pairs score 0.64-1.0 (ar-en) and 0.60-1.0 (zh-ru), 5th percentile 0.73 / 0.72; over all 800 candidate
# pairs, the best wrong pair involving a document without counterpart or a shortened version scores 0.41 (ar-en:
# a 3-sentence story against a 2-sentence shortened one) and 0.29 (zh-ru: another story on the same hurricane).
# 0.5 is the middle of that gap, not fitted to either edge. Z_MIN 3.5 gives the same true scores and wrong pairs
# up to 0.04 higher.
MIN_SCORE = 0.5
BLOCK = 512      # rows per block of the similarity search: BLOCK x n floats (and int64 ranks) in memory at a time

Warn = Callable[[str], None]


@dataclass
class Side:
    """The readable documents of one folder, read and encoded once."""

    lang: str
    folder: str
    paths: list[str]
    unreadable: list[tuple[str, str]]    # (path, reason)
    symbols: list[frozenset[str]]
    sent_vecs: list[np.ndarray]          # per document, (sentences, dim) float16
    sent_lens: list[np.ndarray]          # per document, characters per sentence
    doc_vecs: np.ndarray                 # (documents, dim) float32, unit rows

    @property
    def chars(self) -> np.ndarray:
        return np.array([lens.sum() for lens in self.sent_lens], dtype=np.float64)


@dataclass(frozen=True)
class Pair:
    src: int          # index into the source Side's paths
    tgt: int
    score: float      # content score in [0, 1]
    evidence: str     # "symbol" or "content"


@dataclass(frozen=True)
class Unpaired:
    lang: str
    path: str
    reason: str


@dataclass
class MatchResult:
    langs: list[str]
    rows: list[list[str]]                # one path per language, pivot first
    scores: list[float]
    evidence: list[str]
    unpaired: list[Unpaired] = field(default_factory=list)


# --- reading ------------------------------------------------------------------------------------------------

def list_folder(folder: str) -> list[str]:
    """The files of ``folder`` (hidden files left out), sorted; AlignError when there are none."""
    if not os.path.isdir(folder):
        raise AlignError(f"{folder}: no such folder")
    paths = sorted(os.path.join(folder, n) for n in os.listdir(folder)
                   if not n.startswith(".") and os.path.isfile(os.path.join(folder, n)))
    if not paths:
        raise AlignError(f"{folder}: the folder holds no files")
    return paths


def name_symbols(path: str) -> set[str]:
    """UN symbols written in a file name, with ``_`` or ``-`` for ``/`` (``A_RES_70_1-EN.pdf``, ``S-2018-1020.txt``)."""
    from align.text import symbols

    name = os.path.basename(path)
    return symbols(name.replace("_", "/")) or symbols(name.replace("-", "/"))


def header_symbols(doc: Document) -> set[str]:
    """UN symbols in the header block the structure reader found (not those cited in the body)."""
    from align.text import symbols

    out: set[str] = set()
    for p in doc.paragraphs[:20]:
        if p.label in ("symbol", "header"):
            out |= symbols(p.text)
    return out


def read_side(folder: str, lang: str, encoder, warn: Warn, progress: bool = True) -> Side:
    """Read and encode every file of ``folder``; unreadable files are skipped with a warning (AlignError when
    none is readable)."""
    from tqdm import tqdm

    from align.io import read_document
    from align.segment import check_lang

    lang = check_lang(lang)
    side = Side(lang, folder, [], [], [], [], [], np.zeros((0, 0), np.float32))
    docs = []
    for path in tqdm(list_folder(folder), desc=f"reading {lang}", unit="doc", disable=None if progress else True):
        try:
            doc = read_document(path, lang)
            if not any(s.strip() for s in doc.sentences):
                raise AlignError(f"{path}: no text")
        except AlignError as e:
            warn(f"skipped: {e}")
            side.unreadable.append((path, str(e)))
            continue
        except Exception as e:  # noqa: BLE001 - a reader library failing on one odd file must not stop thousands
            warn(f"skipped: {path}: could not be read ({type(e).__name__}: {e})")
            side.unreadable.append((path, f"{type(e).__name__}: {e}"))
            continue
        side.paths.append(path)
        side.symbols.append(frozenset(name_symbols(path) | header_symbols(doc)))
        docs.append([s for s in doc.sentences if s.strip()])
    if not side.paths:
        first = side.unreadable[0][1] if side.unreadable else ""
        raise AlignError(f"{folder}: none of its {len(side.unreadable)} files could be read ({first})")
    _encode(side, docs, encoder, progress)
    return side


def _encode(side: Side, docs: list[list[str]], encoder, progress: bool, batch: int = 2048) -> None:
    """Sentence vectors (float16: half the memory, cosines unchanged to 3 decimals) and document vectors (the
    normalised mean of the sentence vectors), encoding many documents per encoder call."""
    from tqdm import tqdm

    means = []
    with tqdm(total=len(docs), desc=f"encoding {side.lang}", unit="doc", disable=None if progress else True) as bar:
        start = 0
        while start < len(docs):
            end, n = start, 0
            while end < len(docs) and (n == 0 or n + len(docs[end]) <= batch):
                n += len(docs[end])
                end += 1
            vecs = np.asarray(encoder.encode([s for d in docs[start:end] for s in d]), dtype=np.float32)
            pos = 0
            for d in docs[start:end]:
                v = vecs[pos:pos + len(d)]
                pos += len(d)
                side.sent_vecs.append(v.astype(np.float16))
                side.sent_lens.append(np.array([len(s) for s in d], dtype=np.float32))
                means.append(v.mean(axis=0))
            bar.update(end - start)
            start = end
    dv = np.stack(means).astype(np.float32)
    dv /= np.maximum(np.linalg.norm(dv, axis=1, keepdims=True), 1e-12)
    side.doc_vecs = dv


# --- candidates ---------------------------------------------------------------------------------------------

def top_k_rows(sim: np.ndarray, k: int, group: int = 16) -> np.ndarray:
    """Column indices of the k largest entries of each row of ``sim``, unordered. Each row is cut into groups of
    ``group`` columns: the k largest entries lie in the k groups with the largest maxima, so one cheap max per group
    and a selection among k x group entries replace a selection over the whole row (argpartition over 20,000
    columns cost 3x the matmul that made them)."""
    rows, n = sim.shape
    if n <= 2 * k * group:
        return np.argpartition(-sim, k - 1, axis=1)[:, :k]
    pad = (-n) % group
    padded = np.pad(sim, ((0, 0), (0, pad)), constant_values=-np.inf) if pad else sim
    groups = padded.reshape(rows, -1, group)
    top_g = np.argpartition(-groups.max(axis=2), k - 1, axis=1)[:, :k]
    cand = np.take_along_axis(groups, top_g[:, :, None], axis=1).reshape(rows, -1)
    idx = (top_g[:, :, None] * group + np.arange(group)).reshape(rows, -1)
    return np.take_along_axis(idx, np.argpartition(-cand, k - 1, axis=1)[:, :k], axis=1)


def top_k_both(a: np.ndarray, b: np.ndarray, k: int = TOP_K, block: int = BLOCK) -> set[tuple[int, int]]:
    """Pairs (i, j) where j is among the k rows of ``b`` nearest to ``a[i]`` or i among the k rows of ``a``
    nearest to ``b[j]`` (cosine of unit rows). Blocks of ``block`` rows of ``a``: memory block x len(b), one
    pass; the column-wise top-k is merged block by block. Written with numpy rather than an ANN library: exact,
    and at 20,000 x 20,000 it takes 9.6 s on 2 cores (scripts/bench_match.py)."""
    na, nb = len(a), len(b)
    ka, kb = min(k, nb), min(k, na)
    pairs: set[tuple[int, int]] = set()
    col_val = np.full((0, nb), -np.inf, dtype=np.float32)
    col_idx = np.zeros((0, nb), dtype=np.int64)
    for start in range(0, na, block):
        sim = a[start:start + block] @ b.T
        for i, js in enumerate(top_k_rows(sim, ka)):
            pairs.update((start + i, int(j)) for j in js)
        kk = min(kb, len(sim))  # this block's column top-k first, then merged with the running one (2k rows)
        top = top_k_rows(np.ascontiguousarray(sim.T), kk).T
        vals = np.concatenate([col_val, np.take_along_axis(sim, top, axis=0)], axis=0)
        idx = np.concatenate([col_idx, start + top], axis=0)
        keep = np.argpartition(-vals, min(kb, len(vals)) - 1, axis=0)[:kb]
        col_val = np.take_along_axis(vals, keep, axis=0)
        col_idx = np.take_along_axis(idx, keep, axis=0)
    pairs.update((int(i), j) for j in range(nb) for i in col_idx[:, j])
    return pairs


# --- scoring ------------------------------------------------------------------------------------------------

def background(side: Side, other: Side, seed: int = 0, block: int = 8192) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per document of ``side``, the centre and spread of each sentence's similarity to ``BACKGROUND`` sentences of
    ``other`` drawn at random: what that sentence scores against unrelated text of the other language. It puts
    every sentence (hubs, short titles, scripts an encoder places closer together) on its own scale."""
    ends = np.cumsum([len(v) for v in other.sent_vecs])
    rng = np.random.default_rng(seed)
    picks = np.sort(rng.choice(int(ends[-1]), min(BACKGROUND, int(ends[-1])), replace=False))
    docs = np.searchsorted(ends, picks, side="right")
    starts = ends - np.array([len(v) for v in other.sent_vecs])
    sample = np.stack([other.sent_vecs[d][k - starts[d]] for d, k in zip(docs, picks)]).astype(np.float32)
    out: list[tuple[np.ndarray, np.ndarray]] = []
    start = 0
    while start < len(side.sent_vecs):  # many documents per matmul: small ones are slow on a busy multi-thread BLAS
        end, n = start, 0
        while end < len(side.sent_vecs) and (n == 0 or n + len(side.sent_vecs[end]) <= block):
            n += len(side.sent_vecs[end])
            end += 1
        sim = np.concatenate(side.sent_vecs[start:end]).astype(np.float32) @ sample.T
        # median and MAD, not mean and std: in a small folder the sample holds the sentence's own translation,
        # an outlier that would inflate the std and hide the very match it should reveal
        mean = np.median(sim, axis=1)
        std = np.maximum(1.4826 * np.median(np.abs(sim - mean[:, None]), axis=1), 1e-3)
        pos = 0
        for v in side.sent_vecs[start:end]:
            out.append((mean[pos:pos + len(v)], std[pos:pos + len(v)]))
            pos += len(v)
        start = end
    return out


def coverage(sv: np.ndarray, tv: np.ndarray, sbg, tbg, slen: np.ndarray, tlen: np.ndarray) -> float:
    """The lower of the two sides' covered character shares: a sentence is covered when it and its best
    counterpart are each other's best (mutual: two stories on one event share loose matches, not mutual close
    ones; on the dev sets requiring it took the worst same-topic story from 0.59 to 0.25) and score at least
    Z_MIN on both sentences' own scales."""
    sim = sv.astype(np.float32) @ tv.astype(np.float32).T
    z = np.minimum((sim - sbg[0][:, None]) / sbg[1][:, None], (sim - tbg[0][None, :]) / tbg[1][None, :])
    best_t, best_s = z.argmax(axis=1), z.argmax(axis=0)
    rows = np.arange(len(best_t))
    ok = (best_s[best_t] == rows) & (z[rows, best_t] >= Z_MIN)
    ok_t = np.zeros(z.shape[1], dtype=bool)
    ok_t[best_t[ok]] = True
    return min(float(slen[ok].sum() / max(slen.sum(), 1.0)), float(tlen[ok_t].sum() / max(tlen.sum(), 1.0)))


def length_factor(log_ratio: float, typical: float) -> float:
    """1 within LEN_TOL of the typical log length ratio of this language pair, falling off beyond."""
    return float(np.exp(-max(0.0, abs(log_ratio - typical) - LEN_TOL) / LEN_SCALE))


def typical_log_ratio(cov: dict[tuple[int, int], float], log_ratio: dict[tuple[int, int], float]) -> float:
    """The language pair's typical log(target chars / source chars): the median over the confident pairs (coverage
    >= MIN_SCORE), measured here because it differs a lot between pairs (zh/ru ~ -1.2, ar/en ~ -0.06)."""
    sure = [log_ratio[p] for p, c in cov.items() if c >= MIN_SCORE]
    return float(np.median(sure)) if sure else 0.0


def score_candidates(src: Side, tgt: Side, cands: set[tuple[int, int]]) -> dict[tuple[int, int], float]:
    sbg, tbg = background(src, tgt), background(tgt, src)
    schars, tchars = src.chars, tgt.chars
    cov, log_ratio = {}, {}
    # one BLAS thread for these small products: with several, a 10 x 30 matmul took 15x as long on a busy machine
    with threadpool_limits(1):
        for i, j in sorted(cands):
            cov[i, j] = coverage(src.sent_vecs[i], tgt.sent_vecs[j], sbg[i], tbg[j], src.sent_lens[i], tgt.sent_lens[j])
            log_ratio[i, j] = float(np.log(max(tchars[j], 1.0) / max(schars[i], 1.0)))
    typical = typical_log_ratio(cov, log_ratio)
    return {p: c * length_factor(log_ratio[p], typical) for p, c in cov.items()}


# --- pairing ------------------------------------------------------------------------------------------------

def symbol_pairs(src: Side, tgt: Side) -> list[tuple[int, int]]:
    """Documents sharing a symbol found in exactly one document on each side (and no conflicting one)."""
    def index(side: Side) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for i, syms in enumerate(side.symbols):
            for s in syms:
                out.setdefault(s, []).append(i)
        return out

    si, ti = index(src), index(tgt)
    links = {(si[s][0], ti[s][0]) for s in si.keys() & ti.keys() if len(si[s]) == 1 == len(ti[s])}
    per_src: dict[int, set[int]] = {}
    per_tgt: dict[int, set[int]] = {}
    for i, j in links:
        per_src.setdefault(i, set()).add(j)
        per_tgt.setdefault(j, set()).add(i)
    return sorted((i, j) for i, j in links if len(per_src[i]) == 1 == len(per_tgt[j]))


def competitive_linking(scores: dict[tuple[int, int], float], min_score: float,
                        taken_src: set[int] | None = None, taken_tgt: set[int] | None = None) -> list[tuple[int, int]]:
    """Best-scoring pair first, each document used once, pairs below ``min_score`` never linked. Greedy rather than
    an optimal assignment (scipy's linear_sum_assignment): on a sparse candidate set where the right pair is
    usually far ahead of the rest, it gives the same pairs, and it never trades a strong pair for two weak ones."""
    us, ut = set(taken_src or ()), set(taken_tgt or ())
    out = []
    for (i, j), s in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])):
        if s < min_score:
            break
        if i not in us and j not in ut:
            us.add(i)
            ut.add(j)
            out.append((i, j))
    return out


def match_sides(src: Side, tgt: Side, min_score: float = MIN_SCORE) -> tuple[list[Pair], dict[tuple[int, int], float]]:
    """The one-to-one pairs of two sides: symbols first, then content (see the module docstring); and the scores
    of all candidate pairs."""
    by_symbol = symbol_pairs(src, tgt)
    cands = top_k_both(src.doc_vecs, tgt.doc_vecs) | set(by_symbol)
    scores = score_candidates(src, tgt, cands)
    pairs = [Pair(i, j, scores[i, j], "symbol") for i, j in by_symbol]
    content = competitive_linking(scores, min_score, {i for i, _ in by_symbol}, {j for _, j in by_symbol})
    pairs += [Pair(i, j, scores[i, j], "content") for i, j in content]
    return sorted(pairs, key=lambda p: p.src), scores


def _best(scores: dict[tuple[int, int], float], side: int) -> dict[int, float]:
    """Each document's best candidate score (``side`` 0: source documents, 1: target documents)."""
    out: dict[int, float] = {}
    for p, s in scores.items():
        out[p[side]] = max(out.get(p[side], 0.0), s)
    return out


def _why(best: float | None, min_score: float) -> str:
    return "" if best is None else f" (best candidate scored {best:.2f}, below {min_score:g})" if best < min_score \
        else f" (its best candidate, {best:.2f}, went to a better-scoring document)"


def match_many(sides: list[Side], min_score: float = MIN_SCORE) -> MatchResult:
    """Rows of documents that translate each other in every language, the first side being the pivot. A row needs
    the pivot document and a partner in every other language (the corpus manifest reader takes no empty cell):
    documents of incomplete rows are listed as unpaired, saying which language was missing."""
    pivot = sides[0]
    matched = [match_sides(pivot, other, min_score) for other in sides[1:]]
    links = [{p.src: p for p in pairs} for pairs, _ in matched]
    best_src = [_best(scores, 0) for _, scores in matched]
    res = MatchResult([s.lang for s in sides], [], [], [])
    for side in sides:
        res.unpaired += [Unpaired(side.lang, p, f"unreadable: {why}") for p, why in side.unreadable]
    for i, path in enumerate(pivot.paths):
        got = [lk.get(i) for lk in links]
        missing = [s.lang for s, p in zip(sides[1:], got) if p is None]
        if missing:
            best = min((b.get(i, 0.0) for b, p in zip(best_src, got) if p is None), default=None)
            lacking = ", ".join(missing)
            res.unpaired.append(Unpaired(pivot.lang, path, f"no counterpart in {lacking}" + _why(best, min_score)))
            for side, p in zip(sides[1:], got):
                if p is not None:
                    res.unpaired.append(Unpaired(side.lang, side.paths[p.tgt],
                                                 f"its row (pivot {os.path.basename(path)}) has no {lacking}"))
            continue
        pairs = [p for p in got if p is not None]
        res.rows.append([path] + [side.paths[p.tgt] for side, p in zip(sides[1:], pairs)])
        res.scores.append(min(p.score for p in pairs))
        res.evidence.append("symbol" if all(p.evidence == "symbol" for p in pairs) else "content")
    for side, lk, (_, scores) in zip(sides[1:], links, matched):
        used = {p.tgt for p in lk.values()}
        best_tgt = _best(scores, 1)
        res.unpaired += [Unpaired(side.lang, path, f"no counterpart in {pivot.lang}" + _why(best_tgt.get(j), min_score))
                         for j, path in enumerate(side.paths) if j not in used]
    return res


# --- output -------------------------------------------------------------------------------------------------

def doc_ids(paths: list[str]) -> list[str]:
    """File stems (``report.ar.txt`` -> ``report.ar``), or names where two stems collide."""
    stems = [os.path.splitext(os.path.basename(p))[0] for p in paths]
    if len(set(stems)) == len(stems):
        return stems
    return [os.path.basename(p) for p in paths]


def write_manifest(res: MatchResult, path: str, pair_columns: tuple[str, str] | None = None) -> None:
    """The CSV: ``doc_id,src,tgt,match_score`` (two sides; ``pair_columns`` names the path columns) or
    ``doc_id,<lang>,...,match_score``; paths relative to the CSV. Not ``score``: the corpus builder reserves that
    name for link scores, and extra manifest columns become dataset columns."""
    import csv

    from align.formats import atomic_open

    base = os.path.dirname(os.path.abspath(path))
    ids = doc_ids([r[0] for r in res.rows])
    header = list(pair_columns) if pair_columns else list(res.langs)
    with atomic_open(path) as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["doc_id", *header, "match_score"])
        for doc_id, row, score in zip(ids, res.rows, res.scores):
            w.writerow([doc_id, *(os.path.relpath(p, base) for p in row), f"{score:.3f}"])


def write_unpaired(res: MatchResult, path: str) -> None:
    """CSV ``lang,path,reason``, paths relative to the file."""
    import csv

    from align.formats import atomic_open

    base = os.path.dirname(os.path.abspath(path))
    with atomic_open(path) as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lang", "path", "reason"])
        for u in res.unpaired:
            w.writerow([u.lang, os.path.relpath(u.path, base), u.reason])

