#!/usr/bin/env python
"""Fit the link score (align.score.calibrate.link_score) on the open benchmark sets and report how it does.

    python scripts/calibrate_links.py [--bench ../shared/bench] [--sets unpc-ar-en,...] [--cache /tmp/calibrate_links]
                                      [--out links_calibration.json] [--write]

Aligns every document of each set with the default encoder and Params() (sentence lines as given, as
scripts/bench.py does), labels each predicted link correct when that exact link is in gold, fits the two
logistic models (2-sided links, 1-0/0-1 links) and prints per set: ROC AUC, precision and share of links at
score >= 0.5. The predicted links are cached as JSON under --cache (aligning all four sets takes minutes);
delete the cache after changing the aligner. --write stores the coefficients in align/score/coefficients.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from align.score import calibrate  # noqa: E402

SETS = ["unpc-ar-en", "ntrex-ar-en", "udhr-ar-en", "textberg-de-fr"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=os.path.join(HERE, "..", "..", "shared", "bench"))
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--cache", default="/tmp/calibrate_links")
    ap.add_argument("--encoder", default="use")
    ap.add_argument("--out", help="write the report as JSON here")
    ap.add_argument("--write", action="store_true", help="store the coefficients in align/score/coefficients.py")
    args = ap.parse_args()

    os.makedirs(args.cache, exist_ok=True)
    encoder, per_set, signatures = None, {}, set()
    for name in args.sets.split(","):
        path = os.path.join(args.cache, f"{name}.{args.encoder.replace('/', '_')}.json")
        if not os.path.exists(path):
            if encoder is None:
                from align.encode import get_encoder

                encoder = get_encoder(args.encoder)
            print(f"aligning {name} ...", file=sys.stderr, flush=True)
            links = calibrate.link_examples(os.path.join(args.bench, name), encoder)
            with open(path, "w", encoding="utf-8") as f:
                json.dump({"encoder": encoder.signature, "links": links}, f, ensure_ascii=False)
        with open(path, encoding="utf-8") as f:
            cached = json.load(f)
        per_set[name] = cached["links"]
        signatures.add(cached["encoder"])

    report = calibrate.calibrate_links(per_set)
    report["encoder"] = " + ".join(sorted(signatures))
    print(json.dumps(report, indent=1))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
    if args.write:
        calibrate.write_coefficients(link=report)


if __name__ == "__main__":
    main()
