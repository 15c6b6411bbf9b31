#!/usr/bin/env python
"""Fit the score mappings (align.score.linkscore) on the open benchmark sets and report how they do.

    python scripts/calibrate.py links [--bench ../shared/bench] [--sets unpc-ar-en,...] [--cache /tmp/calibrate_links]
                                      [--out links_calibration.json] [--write]
    python scripts/calibrate.py pairs [--bench ../shared/bench] [--sets unpc-ar-en,ntrex-ar-en] [--write]

links: aligns every document of each set with the default encoder and Params() (sentence lines as given, as
scripts/bench.py does), labels each predicted link correct when that exact link is in gold, fits the two
logistic models (2-sided links, 1-0/0-1 links) and prints per set: ROC AUC, precision and share of links at
score >= 0.5. The predicted links are cached as JSON under --cache (aligning all four sets takes minutes);
delete the cache after changing the aligner.
pairs: fits the pair score of `align score` on gold pairs against shifted and half-merged ones.
--write stores the coefficients in align/score/coefficients.json (the other mapping is kept).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from align.score import fit  # noqa: E402
from align.score.linkscore import DEFAULT_PATH  # noqa: E402

SETS = ["unpc-ar-en", "ntrex-ar-en", "udhr-ar-en", "textberg-de-fr"]
PAIR_SETS = ["unpc-ar-en", "ntrex-ar-en"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["links", "pairs"])
    ap.add_argument("--bench", default=os.path.join(HERE, "..", "..", "shared", "bench"))
    ap.add_argument("--sets", help=f"comma-separated [links: {','.join(SETS)}; pairs: {','.join(PAIR_SETS)}]")
    ap.add_argument("--cache", default="/tmp/calibrate_links")
    ap.add_argument("--encoder", default="use")
    ap.add_argument("--out", help="write the report as JSON here")
    ap.add_argument("--write", action="store_true", help="store the coefficients in align/score/coefficients.json")
    args = ap.parse_args()
    if args.what == "pairs":
        return fit_pairs(args)
    args.sets = args.sets or ",".join(SETS)

    os.makedirs(args.cache, exist_ok=True)
    encoder, per_set, signatures = None, {}, set()
    for name in args.sets.split(","):
        path = os.path.join(args.cache, f"{name}.{args.encoder.replace('/', '_')}.json")
        if not os.path.exists(path):
            if encoder is None:
                from align.encode import get_encoder

                encoder = get_encoder(args.encoder)
            print(f"aligning {name} ...", file=sys.stderr, flush=True)
            links = fit.link_examples(os.path.join(args.bench, name), encoder)
            with open(path, "w", encoding="utf-8") as f:
                json.dump({"encoder": encoder.signature, "links": links}, f, ensure_ascii=False)
        with open(path, encoding="utf-8") as f:
            cached = json.load(f)
        per_set[name] = cached["links"]
        signatures.add(cached["encoder"])

    report = fit.calibrate_links(per_set)
    report["encoder"] = " + ".join(sorted(signatures))
    print(json.dumps(report, indent=1))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
    if args.write:
        fit.write_calibration(DEFAULT_PATH, link=report)


def fit_pairs(args) -> None:
    from align.encode import get_encoder

    sets = (args.sets or ",".join(PAIR_SETS)).split(",")
    report = fit.calibrate_pairs([os.path.join(args.bench, s) for s in sets], get_encoder(args.encoder))
    print(json.dumps(report, indent=1))
    if args.write:
        fit.write_calibration(DEFAULT_PATH, pair=report)


if __name__ == "__main__":
    main()
