#!/usr/bin/env python
"""Does a refit on reviewed links help? A reviewer is simulated on a benchmark set: every link `align pair`
predicts is approved when gold has exactly that link, else rejected; `align calibrate`'s refit
(align.review.calibrate) is then run on those reviewed files and the held-out precision and AUC are printed
before (the built-in calibration) and after.

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

from align.document import Document, Paragraph
from align.eval import read_bench_set
from align.formats import header
from align.pipeline import align_documents
from align.review.calibrate import refit
from align.score.fit import LANGS


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
    print(f"{'set':16}{'links':>7}{'wrong':>7}{'held':>6}  precision@0.5 before/after  share@0.5 before/after  AUC before/after")
    for name in args.sets.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            r = refit(simulate_review(os.path.join(args.bench, name), tmp, encoder), holdout=args.holdout)
        print(f"{name:16}{r.fitted + r.held_out:>7}{r.wrong:>7}{r.held_out:>6}  {fmt(r.before.precision)} / "
              f"{fmt(r.after.precision)}            {fmt(r.before.share)} / {fmt(r.after.share)}         "
              f"{fmt(r.before.auc)} / {fmt(r.after.auc)}" + (f"   kept: {r.kept}" if r.kept else ""))


if __name__ == "__main__":
    main()
