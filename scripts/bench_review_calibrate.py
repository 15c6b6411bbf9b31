#!/usr/bin/env python
"""Does a refit on reviewed links help? A reviewer is simulated on a benchmark set: every link `align pair`
predicts is approved when gold has exactly that link, else rejected; `align calibrate`'s refit
(align.review.calibrate) is then run on those reviewed files and the held-out precision and AUC of the link
score and of the pair score are printed before (the built-in calibration) and after.

    python scripts/bench_review_calibrate.py [--bench ../shared/bench] [--sets textberg-de-fr,ntrex-ar-en]
                                             [--encoder use] [--holdout 0.3]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from align.document import Document, Paragraph  # noqa: E402
from align.eval import read_bench_set  # noqa: E402
from align.formats import header  # noqa: E402
from align.pipeline import align_documents  # noqa: E402
from align.review.calibrate import refit  # noqa: E402
from align.score.fit import LANGS  # noqa: E402


def lines_doc(lines: list[str], lang: str) -> Document:
    return Document([Paragraph(text=l, sentences=[l]) for l in lines], lang, segmented=True)


def simulate_review(set_dir: str, out_dir: str, encoder) -> list[str]:
    src_lang, tgt_lang = LANGS[os.path.basename(os.path.normpath(set_dir))]
    paths = []
    for doc, src, tgt, gold in read_bench_set(set_dir):
        al = align_documents(lines_doc(src, src_lang), lines_doc(tgt, tgt_lang), encoder)
        gold_links = {(tuple(s), tuple(t)) for s, t in gold}
        path = os.path.join(out_dir, doc + ".reviewed.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            f.write(json.dumps(header(al), ensure_ascii=False) + "\n")
            for l in al.links:
                ok = (tuple(l.src_ids), tuple(l.tgt_ids)) in gold_links
                row = {**l.as_dict(), "review": {"status": "approved" if ok else "rejected", "at": None}}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=os.path.join(HERE, "..", "..", "shared", "bench"))
    ap.add_argument("--sets", default="textberg-de-fr,ntrex-ar-en")
    ap.add_argument("--encoder", default="use")
    ap.add_argument("--holdout", type=float, default=0.3)
    args = ap.parse_args()
    from align.encode import get_encoder

    encoder = get_encoder(args.encoder, cache=False)
    fmt = lambda x: "  –  " if x is None else f"{x:.3f}"
    print(f"{'set':16}{'score':6}{'judged':>7}{'wrong':>7}{'held':>6}  precision@0.5 before/after  "
          "share@0.5 before/after  AUC before/after")
    for name in args.sets.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            r = refit(simulate_review(os.path.join(args.bench, name), tmp, encoder), holdout=args.holdout,
                      encoder=encoder)
        for what, f in (("link", r.link), ("pair", r.pair)):
            if f.before is None or f.after is None:
                print(f"{name:16}{what:6}  {f.kept}")
                continue
            print(f"{name:16}{what:6}{f.fitted + f.held_out:>7}{f.before.wrong:>7}{f.held_out:>6}  "
                  f"{fmt(f.before.precision)} / {fmt(f.after.precision)}            {fmt(f.before.share)} / "
                  f"{fmt(f.after.share)}         {fmt(f.before.auc)} / {fmt(f.after.auc)}"
                  + (f"   kept: {f.kept}" if f.kept else ""))


if __name__ == "__main__":
    main()
