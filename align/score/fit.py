"""Fitting the score mappings (align.score.linkscore) and measuring them; scripts/calibrate.py drives it on the
open benchmark sets and writes align/score/coefficients.json.

Pair score (`align score`): a logistic regression on [encoder cosine, length deviation, has a major-or-worse QA
flag]. Examples come from the gold links of each benchmark document: every gold link (1-0 / 0-1 excluded) is a
correct pair; wrong pairs are the two mistakes an aligner or a corpus really makes: a source with its
neighbour's translation (shifted by one), and part of a merged link with the whole of the other side (a 2-1 link
read as 1-1). The intercept is then lowered, if need be, until pairs scoring 0.5 or more are correct at least
95% of the time on each set's examples, where wrong pairs are as common as right ones (in a real corpus they are
rarer, so the guarantee is conservative).

Link score (`align pair`): fitted (``calibrate_links``) on the links the aligner predicts, a link counting as
correct when gold has exactly that link: one small logistic model for links with text on both sides, one for
1-0 / 0-1 links (whose score is the confidence that the segment really has no counterpart). Each intercept is
then lowered, if need be, until links of that kind scoring 0.5 or more are correct at least 95% of the time on
every set.

Written by hand, and why: the logistic fit (IRLS, a dozen numpy lines) and ROC AUC: scikit-learn would be a
large dependency for two functions, and scipy has neither.
"""

from __future__ import annotations

import json
import os

import numpy as np

from align.core.aligner import align_segments
from align.core.params import Params
from align.eval import read_bench_set
from align.formats import atomic_open
from align.links import Link
from align.score.checks import check_pair
from align.score.linkscore import LINK_FEATURES, Calibration, link_features, link_score, load_calibration
from align.score.similarity import cosines, features

LANGS = {"unpc-ar-en": ("ar", "en"), "ntrex-ar-en": ("ar", "en"), "udhr-ar-en": ("ar", "en"),
         "textberg-de-fr": ("de", "fr")}
TARGET_PRECISION = 0.95


# ------------------------------------------------------------------ statistics (small enough to own)
def roc_auc(scores, labels) -> float:
    """Probability that a random correct example outscores a random wrong one (ties count half)."""
    scores, labels = np.asarray(scores, float), np.asarray(labels, bool)
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    for value in np.unique(scores):           # average ranks of ties
        tie = scores == value
        ranks[tie] = ranks[tie].mean()
    pos, neg = labels.sum(), (~labels).sum()
    return float((ranks[labels].sum() - pos * (pos + 1) / 2) / (pos * neg))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, steps: int = 50) -> tuple[np.ndarray, float]:
    """Logistic regression by Newton's method (IRLS) with a little L2 on the weights."""
    X = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(X.shape[1])
    reg = np.eye(X.shape[1]) * l2
    reg[0, 0] = 0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-X @ w))
        grad = X.T @ (p - y) + reg @ w
        hess = (X * (p * (1 - p))[:, None]).T @ X + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[1:], float(w[0])


def precision_recall_at_half(scores, labels) -> tuple[float, float]:
    scores, labels = np.asarray(scores), np.asarray(labels, bool)
    chosen = scores >= 0.5
    precision = float(labels[chosen].mean()) if chosen.any() else 1.0
    return precision, float(chosen[labels].mean())


def raise_until_precise(sets, weights, intercept, target=TARGET_PRECISION) -> float:
    """The smallest intercept shift (in steps of 0.05) that makes precision at 0.5 reach the target on every
    set of (features, labels)."""
    for shift in np.arange(0, 20, 0.05):
        if all(precision_recall_at_half(1 / (1 + np.exp(-(x @ weights + intercept - shift))), y)[0] >= target
               for x, y in sets):
            return intercept - shift
    return intercept - 20


# ------------------------------------------------------------------ examples from gold links
def pair_examples(bench: str) -> list[tuple[str, str, int]]:
    """(source text, target text, 1 if a correct pair else 0)."""
    out = []
    for _, src, tgt, links in read_bench_set(bench):
        join = lambda lines, ids: " ".join(lines[i] for i in ids)
        full = [(s, t) for s, t in links if s and t]
        for k, (s, t) in enumerate(full):
            out.append((join(src, s), join(tgt, t), 1))
            if k + 1 < len(full):
                out.append((join(src, s), join(tgt, full[k + 1][1]), 0))       # shifted by one
            if len(s) > 1:
                out.append((join(src, s[:-1]), join(tgt, t), 0))              # half of a merge
            elif len(t) > 1:
                out.append((join(src, s), join(tgt, t[:-1]), 0))
    return out


def pair_features(examples, src_lang, tgt_lang, encoder) -> np.ndarray:
    sims = cosines(encoder, [e[0] for e in examples], [e[1] for e in examples])
    # examples have text on both sides, so every cosine exists
    return np.array([features(c or 0.0, s, t, src_lang, tgt_lang, check_pair(s, t, src_lang, tgt_lang))
                     for c, (s, t, _) in zip(sims, examples)])


def calibrate_pairs(benches: list[str], encoder) -> dict:
    per_set = {}
    for bench in benches:
        name = os.path.basename(os.path.normpath(bench))
        src_lang, tgt_lang = LANGS.get(name, ("ar", "en"))
        ex = pair_examples(bench)
        per_set[name] = (pair_features(ex, src_lang, tgt_lang, encoder), np.array([e[2] for e in ex], float))
    x = np.vstack([f for f, _ in per_set.values()])
    y = np.concatenate([l for _, l in per_set.values()])
    weights, intercept = fit_logistic(x, y)
    intercept = raise_until_precise(list(per_set.values()), weights, intercept)
    report = {"weights": [round(float(w), 4) for w in weights], "intercept": round(float(intercept), 4),
              "features": ["cos", "len_dev", "major_flag"], "encoder": encoder.signature,
              "fitted_on": sorted(per_set), "sets": {}}
    for name, (f, l) in per_set.items():
        s = 1 / (1 + np.exp(-(f @ weights + intercept)))
        p, r = precision_recall_at_half(s, l)
        report["sets"][name] = {"examples": len(l), "correct": int(l.sum()), "roc_auc": round(roc_auc(s, l), 4),
                                "auc_cosine_only": round(roc_auc(f[:, 0], l), 4),
                                "precision_at_0.5": round(p, 4), "recall_at_0.5": round(r, 4)}
    return report


# ------------------------------------------------------------------ link scores (align pair)
def link_examples(bench: str, encoder, params=None) -> list[dict]:
    """Every link the aligner predicts for a benchmark set: the fields link_features reads, the document, and
    whether gold has exactly that link."""
    rows = []
    for doc, src, tgt, gold in read_bench_set(bench):
        gold = {(tuple(s), tuple(t)) for s, t in gold}
        for b in align_segments(src, tgt, encoder, params or Params()):
            rows.append({"doc": doc, "src_ids": list(b.src_ids), "tgt_ids": list(b.tgt_ids), "sim": b.sim,
                         "margin": b.margin, "src": " ".join(src[i] for i in b.src_ids),
                         "tgt": " ".join(tgt[j] for j in b.tgt_ids), "correct": (b.src_ids, b.tgt_ids) in gold})
    return rows


def calibrate_links(per_set: dict[str, list[dict]]) -> dict:
    """Fit link_score on predicted links: per set, dicts with src_ids, tgt_ids, sim, src, tgt and correct."""
    links = {name: [Link(r["src_ids"], r["tgt_ids"], 0.0, src=r["src"], tgt=r["tgt"], sim=r["sim"],
                         margin=r.get("margin")) for r in rows]
             for name, rows in per_set.items()}
    labels = {name: np.array([float(r["correct"]) for r in rows]) for name, rows in per_set.items()}
    kinds = {name: np.array([link_features(l)[0] for l in ls]) for name, ls in links.items()}
    report: dict = {"encoder": "", "fitted_on": sorted(per_set), "sets": {}}
    for kind, names in LINK_FEATURES.items():
        sets = [(np.array([link_features(l)[1] for l, k in zip(links[n], kinds[n]) if k == kind]),
                 labels[n][kinds[n] == kind]) for n in per_set if (kinds[n] == kind).any()]
        weights, intercept = fit_logistic(np.vstack([x for x, _ in sets]), np.concatenate([y for _, y in sets]))
        intercept = raise_until_precise(sets, weights, intercept)
        report[kind] = {"weights": [round(float(w), 4) for w in weights], "intercept": round(float(intercept), 4),
                        "features": names}
    for name in per_set:
        fitted = Calibration(link=report, pair={})
        scores, y = np.array([link_score(l, fitted) for l in links[name]]), labels[name]
        precision, recall = precision_recall_at_half(scores, y)
        entry: dict[str, object] = {"links": len(y), "correct": round(float(y.mean()), 4),
                 "roc_auc": round(roc_auc(scores, y), 4) if 0 < y.sum() < len(y) else None,
                 "precision_at_0.5": round(precision, 4), "share_at_0.5": round(float((scores >= 0.5).mean()), 4),
                 "recall_at_0.5": round(recall, 4)}
        for kind in LINK_FEATURES:   # is one kind of link over- or under-confident? mean score against accuracy
            mine = kinds[name] == kind
            if mine.any():
                entry[kind] = {"links": int(mine.sum()), "correct": round(float(y[mine].mean()), 4),
                               "mean_score": round(float(scores[mine].mean()), 4),
                               "precision_at_0.5": round(precision_recall_at_half(scores[mine], y[mine])[0], 4),
                               "share_at_0.5": round(float((scores[mine] >= 0.5).mean()), 4)}
        report["sets"][name] = entry
    return report


def write_calibration(path: str, pair: dict | None = None, link: dict | None = None) -> None:
    """Store fitted mappings as a calibration JSON (the default resource, or a file for --calibration); the one
    not given keeps the default's coefficients. Only the coefficients and the per-set summary are kept."""
    base = load_calibration()
    if pair is not None:
        keep = {k: pair[k] for k in ("weights", "intercept", "features", "encoder", "fitted_on")}
        keep["sets"] = {n: {k: v for k, v in s.items() if k in ("roc_auc", "precision_at_0.5")}
                        for n, s in pair["sets"].items()}
        pair = keep
    if link is not None:
        link = {k: link[k] for k in ("both", "one", "encoder", "fitted_on") if k in link} | {"sets": {
            n: {k: s[k] for k in ("roc_auc", "precision_at_0.5", "share_at_0.5")} for n, s in link["sets"].items()}}
    data = {"_comment": ["Fitted score mappings, written by align.score.fit.write_calibration (scripts/calibrate.py "
                         "for the default); refit rather than edit."],
            "pair": pair or base.pair, "link": link or base.link}
    with atomic_open(path) as f:
        json.dump(data, f, indent=1, ensure_ascii=False)
        f.write("\n")
