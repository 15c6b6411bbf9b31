"""Encoder check on Tatoeba Arabic-English (bench/tatoeba-ar-en): bitext retrieval P@1 and encoding speed.

Line i of ar.txt translates line i of en.txt. Every Arabic sentence looks for its translation among all 1,000
English ones (and the other way round); P@1 is the share that find it first. Two scorings:

* cosine: the nearest neighbour;
* margin: the ratio margin of Artetxe & Schwenk (2019), cos(x, y) / mean of the k nearest neighbours' cosines
  of x and of y; it discounts "hub" sentences that are close to everything, as an aligner's local margin does.

Speed: sentences per second for encoding the 2,000 sentences once (model loaded before the clock starts, no
disk cache). This is a check of the encoder, not of the aligner: it says whether an `--encoder` knows the
language pair at all before you align a corpus with it.

    .venv/bin/python scripts/bench_encoders.py [--bench DIR] [--encoder use --encoder lexical ...] [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from align.encode import get_encoder  # noqa: E402

DEFAULT_BENCH = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "bench", "tatoeba-ar-en")


def retrieval(sim: np.ndarray, k: int = 4) -> dict[str, float]:
    """P@1 of row i finding column i (and column j finding row j) by cosine and by ratio margin."""
    n = len(sim)
    gold = np.arange(n)
    k = min(k, n)
    knn_rows = np.sort(sim, axis=1)[:, -k:].mean(axis=1)   # mean of each row's k best
    knn_cols = np.sort(sim, axis=0)[-k:, :].mean(axis=0)
    margin = sim / ((knn_rows[:, None] + knn_cols[None, :]) / 2)
    out = {}
    for name, m in (("cosine", sim), ("margin", margin)):
        out[f"{name}_src2tgt"] = float((m.argmax(axis=1) == gold).mean())
        out[f"{name}_tgt2src"] = float((m.argmax(axis=0) == gold).mean())
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=DEFAULT_BENCH, help="folder with ar.txt and en.txt")
    ap.add_argument("--encoder", action="append", help="encoder spec, repeatable (default: use and lexical)")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    read = lambda name: open(os.path.join(args.bench, name), encoding="utf-8").read().splitlines()  # noqa: E731
    try:
        ar, en = read("ar.txt"), read("en.txt")
    except OSError as e:
        sys.exit(f"bench_encoders: {e.filename}: {e.strerror} (give the tatoeba-ar-en folder with --bench)")
    if len(ar) != len(en):
        sys.exit(f"bench_encoders: {len(ar)} Arabic lines but {len(en)} English lines")
    results = {}
    for spec in args.encoder or ["use", "lexical"]:
        enc = get_encoder(spec, cache=False)
        enc.encode(["warm up"])  # load the model before the clock starts
        t = time.perf_counter()
        va, ve = enc.encode(ar), enc.encode(en)
        secs = time.perf_counter() - t
        r = retrieval(va @ ve.T)
        r["sentences_per_second"] = round((len(ar) + len(en)) / secs, 1)
        r["pairs"] = len(ar)
        results[spec] = r
        print(f"{spec:>10}: P@1 cosine {r['cosine_src2tgt']:.3f} ar->en / {r['cosine_tgt2src']:.3f} en->ar, "
              f"margin {r['margin_src2tgt']:.3f} / {r['margin_tgt2src']:.3f}; "
              f"{r['sentences_per_second']:.0f} sentences/s ({len(ar)} pairs)", flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
