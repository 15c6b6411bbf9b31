#!/usr/bin/env python
"""Does aligning a huge document window by window (align.core.aligner.align_windows) cost accuracy?

Every document of a benchmark set is joined, in order, into one long document (gold links shifted to match), which
is then aligned whole and window by window with small windows (so the windows are many and their seams fall
everywhere). Strict F1 of both, against the same gold, and the time each took:

    .venv/bin/python scripts/bench_window.py ../shared/bench [--sets unpc-ar-en,ntrex-ar-en] [--windows 500,1000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from align.eval import read_bench_set, score  # noqa: E402


def joined(set_dir: str):
    """(source lines, target lines, gold links) of the whole set as one document."""
    src: list[str] = []
    tgt: list[str] = []
    gold = []
    for _, s, t, g in read_bench_set(set_dir):
        gold += [(tuple(i + len(src) for i in a), tuple(j + len(tgt) for j in b)) for a, b in g]
        src += s
        tgt += t
    return src, tgt, gold


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bench", nargs="?", default=os.path.join("..", "shared", "bench"))
    ap.add_argument("--sets", default="unpc-ar-en,ntrex-ar-en")
    ap.add_argument("--windows", default="500,1000", help="window sizes (segments a side) to try")
    ap.add_argument("--encoder", default="use")
    args = ap.parse_args()

    from align.core.aligner import align_segments
    from align.encode import get_encoder

    for name in args.sets.split(","):
        src, tgt, gold = joined(os.path.join(args.bench, name))
        enc = get_encoder(args.encoder, cache=False)
        enc.encode(src)  # every sentence's vector in the memo first: the runs below time the aligner itself
        enc.encode(tgt)
        for window in [max(len(src), len(tgt))] + [int(w) for w in args.windows.split(",")]:
            t0 = time.perf_counter()
            beads = align_segments(src, tgt, enc, window=window)
            took = time.perf_counter() - t0
            f1 = score([(gold, [(b.src_ids, b.tgt_ids) for b in beads])])["strict"]["f1"]
            what = "whole" if window >= max(len(src), len(tgt)) else f"window {window}"
            print(f"{name} ({len(src)} x {len(tgt)} segments) {what}: strict F1 {f1:.4f}, {took:.1f} s", flush=True)


if __name__ == "__main__":
    main()
