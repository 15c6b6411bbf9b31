"""Benchmark of `align match` (issue 11): accuracy on the pairing dev sets, time and memory at scale.

1. Dev sets (``pairing-ar-en-dev``, ``pairing-zh-ru-dev`` under --bench): runs ``align match SRC TGT`` as a
   separate process, as a user would (--no-cache: encoding included), and scores its CSV against ``gold.csv``:
   precision (pairs written that are in gold), recall (gold pairs written). Goal: >= 0.99 and >= 0.98 on each.
2. Scale (--docs N, default 20,000 a side): synthetic documents, 5-15 random unit sentence vectors each (512
   dimensions, float16 as align.match keeps them), N*0.9 of them with a planted translation on the other side
   (the same sentences, each moved by noise to a cosine of ~0.8, as a real encoder places translations), the rest
   without counterpart. Runs the search, scoring and assignment stages (``align.match.match_sides``; reading and
   encoding are not part of it: at ~900 sentences/s a real 20,000-document folder costs minutes to encode) and
   reports the time of each stage, peak memory (resident set, and above what the synthetic data itself takes),
   and precision/recall of the planted pairs.

    .venv/bin/python scripts/bench_match.py [--bench DIR] [--docs 20000 ...] [--skip-dev] [--skip-scale] [--json F]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from align import match as m

DEFAULT_BENCH = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "bench")
DEV_SETS = (("pairing-ar-en-dev", "ar", "en"), ("pairing-zh-ru-dev", "zh", "ru"))


def read_pairs(path: str) -> set[tuple[str, str]]:
    """(src name, tgt name) pairs of a gold.csv or an align match CSV (file names only)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(line.replace("\r", "") for line in f))
    return {(os.path.basename(r["src"].strip()), os.path.basename(r["tgt"].strip())) for r in rows}


def dev_set(bench: str, name: str, src_lang: str, tgt_lang: str, encoder: str) -> dict:
    d = os.path.join(bench, name)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "pairs.csv")
        cmd = [sys.executable, "-m", "align", "match", os.path.join(d, "src"), os.path.join(d, "tgt"),
               "--src-lang", src_lang, "--tgt-lang", tgt_lang, "-o", out, "--encoder", encoder, "--no-cache"]
        t0 = time.perf_counter()
        root = os.path.join(os.path.dirname(__file__), "..")
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=root)
        seconds = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(f"{name}: align match failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
        pred = read_pairs(out)
    gold = read_pairs(os.path.join(d, "gold.csv"))
    hit = len(pred & gold)
    return {"set": name, "pairs": len(pred), "gold": len(gold), "precision": hit / max(len(pred), 1),
            "recall": hit / len(gold), "seconds": round(seconds, 1)}


def synthetic_side(lang: str, sents: list[np.ndarray]) -> m.Side:
    means = np.stack([v.astype(np.float32).mean(axis=0) for v in sents])
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    return m.Side(lang, "synthetic", [f"{lang}/{i}" for i in range(len(sents))], [], [frozenset()] * len(sents),
                  sents, [np.full(len(v), 100.0, dtype=np.float32) for v in sents], means)


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def scale(n: int, dim: int = 512, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    planted = int(n * 0.9)
    src = [unit(rng.standard_normal((rng.integers(5, 16), dim))).astype(np.float16) for _ in range(n)]
    tgt = []
    for i in range(n):
        if i < planted:  # the translation of source i: each sentence at cosine ~0.8 to its original
            v = src[i].astype(np.float32)
            tgt.append(unit(v + 0.75 * unit(rng.standard_normal(v.shape))).astype(np.float16))
        else:
            tgt.append(unit(rng.standard_normal((rng.integers(5, 16), dim))).astype(np.float16))
    order = rng.permutation(n)  # targets in another order than their sources
    tgt = [tgt[k] for k in order]
    truth = {(int(k), j) for j, k in enumerate(order) if k < planted}
    s, t = synthetic_side("xx", src), synthetic_side("yy", tgt)
    data_mb = sum(v.nbytes for v in src + tgt) / 2**20
    rss_data = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    t0 = time.perf_counter()
    cands = m.top_k_both(s.doc_vecs, t.doc_vecs)
    t1 = time.perf_counter()
    scores = m.score_candidates(s, t, cands)
    t2 = time.perf_counter()
    links = set(m.competitive_linking(scores, m.MIN_SCORE))
    t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hit = len(links & truth)
    return {"docs": n, "planted": planted, "candidates": len(cands), "search_s": round(t1 - t0, 1),
            "score_s": round(t2 - t1, 1), "link_s": round(t3 - t2, 2), "total_s": round(t3 - t0, 1),
            "data_mb": round(data_mb), "peak_rss_mb": round(peak / 1024),
            "above_data_mb": round((peak - rss_data) / 1024),
            "start_rss_mb": round(rss0 / 1024), "precision": hit / max(len(links), 1), "recall": hit / planted}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=DEFAULT_BENCH)
    ap.add_argument("--docs", type=int, nargs="+", default=[20_000], help="documents a side; several: one run each")
    ap.add_argument("--encoder", default="use")
    ap.add_argument("--skip-dev", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    report: dict = {"dev": [], "scale": []}
    if not a.skip_dev:
        for name, sl, tl in DEV_SETS:
            if not os.path.isdir(os.path.join(a.bench, name)):
                print(f"{name}: not under {a.bench}, skipped")
                continue
            r = dev_set(a.bench, name, sl, tl, a.encoder)
            report["dev"].append(r)
            print(f"{name}: precision {r['precision']:.3f} recall {r['recall']:.3f} ({r['pairs']} pairs written, "
                  f"{r['gold']} in gold, {r['seconds']} s for the whole command)")
    for n in [] if a.skip_scale else a.docs:
        r = scale(n)
        report["scale"].append(r)
        print(f"scale {r['docs']} x {r['docs']} documents ({r['planted']} planted pairs, {r['candidates']} candidate "
              f"pairs): search {r['search_s']} s, scoring {r['score_s']} s, linking {r['link_s']} s, total "
              f"{r['total_s']} s; peak RSS {r['peak_rss_mb']} MB ({r['data_mb']} MB of sentence vectors, "
              f"{r['above_data_mb']} MB above them); precision {r['precision']:.4f} recall {r['recall']:.4f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
