"""Fitting the score mappings on the open benchmark sets (gold links), and measuring them.

    python -m align.score.calibrate pairs [--bench DIR ...] [--write]

``pairs`` fits the mapping `align score` uses (align.score.similarity): a logistic regression on
[encoder cosine, length deviation, has a major-or-worse QA flag]. Examples come from the gold links of each
benchmark document: every gold link (1-0 / 0-1 excluded) is a correct pair; wrong pairs are the two mistakes an
aligner or a corpus really makes: a source with its neighbour's translation (shifted by one), and part of a
merged link with the whole of the other side (a 2-1 link read as 1-1). The intercept is then lowered, if need
be, until pairs scoring 0.5 or more are correct at least 95% of the time on each set's examples, where wrong pairs
are as common as right ones (in a real corpus they are rarer, so the guarantee is conservative).
Reported: ROC AUC per set and the precision and recall of "score >= 0.5". ``--write`` stores the coefficients in
align/score/coefficients.py.

``link_score(link)`` is the score `align pair` gives every link it makes. It is fitted by
scripts/calibrate_links.py (``calibrate_links`` below) on the links the aligner predicts for the open benchmark
sets, a link counting as correct when gold has exactly that link: one small logistic model for links with text
on both sides, one for 1-0 / 0-1 links (whose score is the confidence that the segment really has no
counterpart). Each intercept is then lowered, if need be, until links of that kind scoring 0.5 or more are
correct at least 95% of the time on every set.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pprint
import re

import numpy as np

from align.eval import read_bench_set
from align.links import Link
from align.score import coefficients
from align.score.similarity import logistic
from align.text import to_ascii_digits

HERE = os.path.dirname(__file__)
DEFAULT_BENCH = [os.path.join(HERE, "..", "..", "..", "shared", "bench", s) for s in ("unpc-ar-en", "ntrex-ar-en")]
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
    from align.score.checks import check_pair
    from align.score.similarity import cosines, features

    sims = cosines(encoder, [e[0] for e in examples], [e[1] for e in examples])
    return np.array([features(c, s, t, src_lang, tgt_lang, check_pair(s, t, src_lang, tgt_lang))
                     for c, (s, t, _) in zip(sims, examples)])


def calibrate_pairs(benches: list[str], encoder_spec: str = "use") -> dict:
    from align.encode import get_encoder

    encoder = get_encoder(encoder_spec)
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


def write_coefficients(pair: dict | None = None, link: dict | None = None,
                       path: str = os.path.join(HERE, "coefficients.py")) -> None:
    """Store the fitted mappings; the one not given keeps its current coefficients."""
    if pair is not None:
        keep = {k: pair[k] for k in ("weights", "intercept", "features", "encoder", "fitted_on")}
        keep["sets"] = {n: {k: v for k, v in s.items() if k in ("roc_auc", "precision_at_0.5")}
                        for n, s in pair["sets"].items()}
        pair = keep
    if link is not None:
        link = {k: link[k] for k in ("both", "one", "encoder", "fitted_on")} | {"sets": {
            n: {k: s[k] for k in ("roc_auc", "precision_at_0.5", "share_at_0.5")} for n, s in link["sets"].items()}}
    with open(path, "w", encoding="utf-8") as f:
        f.write('"""Fitted score mappings (written by `python -m align.score.calibrate pairs --write` and\n'
                '`python scripts/calibrate_links.py --write`; refit there rather than edit here)."""\n\n')
        f.write("# Pair score for `align score`: logistic on [cosine, length deviation, has a major-or-worse flag].\n")
        f.write("PAIR = " + pprint.pformat(pair or coefficients.PAIR, width=110, sort_dicts=False) + "\n\n")
        f.write("# Link score for `align pair` (align.score.calibrate.link_score): logistic models fitted on the\n"
                "# links the aligner (default Params, `use` encoder) predicts for the open benchmark sets, correct =\n"
                "# gold has exactly that link; each intercept then lowered until links of its kind scoring >= 0.5\n"
                "# are correct >= 95% of the time on every set. 'both' = text on both sides, 'one' = 1-0 / 0-1.\n")
        f.write("LINK = " + pprint.pformat(link or coefficients.LINK, width=110, sort_dicts=False) + "\n")


# ------------------------------------------------------------------ link scores (align pair)
LINK_FEATURES = {"both": ["sim", "extra_segments", "digits_differ", "margin"], "one": ["sim", "log_chars", "margin"]}
_DIGITS = re.compile(r"\d+")


def _digits(text: str) -> set[str]:
    return set(_DIGITS.findall(to_ascii_digits(text)))


def link_features(link: Link) -> tuple[str, list[float]]:
    """("both", features) for a link with text on both sides, ("one", features) for a 1-0 / 0-1 link.

    both: the similarity; how many segments beyond 1-1 it joins (merges are wrong more often); whether a number
    is written in digits on one side only (a merge that swallowed an untranslated segment often shows it).
    one: the similarity of the unlinked segment to its closest counterpart (high = probably not omitted); the
    log of its length (a long segment that matches nothing is more surely omitted than a short heading).
    Both: the aligner's margin for the link (align.core.dp.link_margins).
    """
    sim = link.sim if link.sim is not None else 0.0   # None: the other side was empty, nothing to compare with
    # the aligner's margin: how much worse its best alignment without this link was (capped: beyond 2 it is
    # simply sure); None (a link no DP chose, e.g. re-scored pairs) is no evidence either way
    margin = min(link.margin, 2.0) if link.margin is not None else 0.0
    if link.src_ids and link.tgt_ids:
        return "both", [sim, len(link.src_ids) + len(link.tgt_ids) - 2,
                        float(_digits(link.src) != _digits(link.tgt)), margin]
    return "one", [sim, math.log(1 + len(link.src or link.tgt)), margin]


def link_score(link: Link, coef: dict | None = None) -> float:
    """Confidence in [0, 1] that the link is correct; for a 1-0 / 0-1 link, that the segment really is omitted
    (or added). Calibrated so that links scoring >= 0.5 were correct >= 95% of the time on each open set."""
    kind, x = link_features(link)
    c = (coef or coefficients.LINK)[kind]
    return logistic(c["weights"], c["intercept"], x)


def link_examples(bench: str, encoder, params=None) -> list[dict]:
    """Every link the aligner predicts for a benchmark set: the fields link_features reads, the document, and
    whether gold has exactly that link."""
    from align.core.aligner import align_segments
    from align.core.params import Params

    rows = []
    for doc, src, tgt, gold in read_bench_set(bench):
        gold = {(tuple(s), tuple(t)) for s, t in gold}
        for l in align_segments(src, tgt, encoder, params or Params()):
            rows.append({"doc": doc, "src_ids": l.src_ids, "tgt_ids": l.tgt_ids, "sim": l.sim, "margin": l.margin,
                         "src": l.src, "tgt": l.tgt, "correct": (tuple(l.src_ids), tuple(l.tgt_ids)) in gold})
    return rows


def calibrate_links(per_set: dict[str, list[dict]]) -> dict:
    """Fit link_score on predicted links: per set, dicts with src_ids, tgt_ids, sim, src, tgt and correct."""
    links = {name: [Link(r["src_ids"], r["tgt_ids"], 0.0, src=r["src"], tgt=r["tgt"], sim=r["sim"],
                         margin=r.get("margin")) for r in rows]
             for name, rows in per_set.items()}
    labels = {name: np.array([float(r["correct"]) for r in rows]) for name, rows in per_set.items()}
    kinds = {name: np.array([link_features(l)[0] for l in ls]) for name, ls in links.items()}
    report = {"encoder": "", "fitted_on": sorted(per_set), "sets": {}}
    for kind, names in LINK_FEATURES.items():
        sets = [(np.array([link_features(l)[1] for l, k in zip(links[n], kinds[n]) if k == kind]),
                 labels[n][kinds[n] == kind]) for n in per_set if (kinds[n] == kind).any()]
        weights, intercept = fit_logistic(np.vstack([x for x, _ in sets]), np.concatenate([y for _, y in sets]))
        intercept = raise_until_precise(sets, weights, intercept)
        report[kind] = {"weights": [round(float(w), 4) for w in weights], "intercept": round(float(intercept), 4),
                        "features": names}
    for name in per_set:
        scores, y = np.array([link_score(l, report) for l in links[name]]), labels[name]
        precision, recall = precision_recall_at_half(scores, y)
        entry = {"links": len(y), "correct": round(float(y.mean()), 4),
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["pairs"])
    ap.add_argument("--bench", nargs="+", default=DEFAULT_BENCH)
    ap.add_argument("--encoder", default="use")
    ap.add_argument("--write", action="store_true", help="store the coefficients in align/score/coefficients.py")
    args = ap.parse_args()
    report = calibrate_pairs(args.bench, args.encoder)
    print(json.dumps(report, indent=1))
    if args.write:
        write_coefficients(pair=report)


if __name__ == "__main__":
    main()
