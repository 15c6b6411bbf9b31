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
"""

from __future__ import annotations

import argparse
import json
import os
import pprint

import numpy as np

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
def gold_documents(bench: str):
    """(doc, source lines, target lines, gold links) for every document of a benchmark set."""
    for doc in sorted(os.listdir(os.path.join(bench, "gold"))):
        def read(side):
            with open(os.path.join(bench, side, doc), encoding="utf-8") as f:
                lines = f.read().split("\n")
            return lines[:-1] if lines and lines[-1] == "" else lines   # a final newline is not an empty segment
        links = []
        for line in open(os.path.join(bench, "gold", doc), encoding="utf-8"):
            if line.strip():
                s, t = (json.loads(p) for p in line.strip().split(":")[:2])
                links.append((s, t))
        yield doc, read("src"), read("tgt"), links


def pair_examples(bench: str) -> list[tuple[str, str, int]]:
    """(source text, target text, 1 if a correct pair else 0)."""
    out = []
    for _, src, tgt, links in gold_documents(bench):
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


def write_coefficients(pair: dict) -> None:
    path = os.path.join(HERE, "coefficients.py")
    keep = {k: pair[k] for k in ("weights", "intercept", "features", "encoder", "fitted_on")}
    keep["sets"] = {n: {k: v for k, v in s.items() if k in ("roc_auc", "precision_at_0.5")} for n, s in pair["sets"].items()}
    with open(path, "w", encoding="utf-8") as f:
        f.write('"""Fitted score mappings (written by `python -m align.score.calibrate`; edit there, not here)."""\n\n')
        f.write("# Pair score for `align score`: logistic on [cosine, length deviation, has a major-or-worse flag].\n")
        f.write("PAIR = " + pprint.pformat(keep, width=110, sort_dicts=False) + "\n")


def calibrate_links(per_set):
    raise SystemExit("not yet")


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
        write_coefficients(report)


if __name__ == "__main__":
    main()
