#!/usr/bin/env python
"""CPU time of each QA check alone, on the gold links of a benchmark set (what `align pair` flags on a good
alignment), in this process: the checks' own cost, without the encoder beside them.

    python scripts/bench_checks.py [BENCH_DIR] [--set unpc-ar-en] [--langs ar,en] [--repeat 3]

Each document's links go through the checks together, as `align pair` hands them on; the language check once per
document on all its pairs (its batched form), every other check pair by pair. A first pass warms the language
model; then the best of --repeat passes per check.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from align.eval import read_bench_set  # noqa: E402
from align.score import checks  # noqa: E402


def gold_pairs(set_dir: str) -> list[list[tuple[str, str]]]:
    """Per document, the (source, target) texts of its gold links with text on both sides."""
    return [[(" ".join(s[i] for i in a), " ".join(t[j] for j in b)) for a, b in gold if a and b]
            for _, s, t, gold in read_bench_set(set_dir)]


def time_check(name: str, docs: list[list[tuple[str, str]]], langs: tuple[str, str]) -> float:
    t0 = time.process_time()
    for pairs in docs:
        if name in checks.BATCHED:
            checks.BATCHED[name](pairs, *langs)
        else:
            for s, t in pairs:
                checks.CHECKS[name](s, t, *langs)
    return time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bench", nargs="?", default=os.path.join(HERE, "..", "..", "shared", "bench"))
    ap.add_argument("--set", default="unpc-ar-en")
    ap.add_argument("--langs", default="ar,en")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    set_dir = os.path.join(a.bench, a.set)
    if not os.path.isdir(set_dir):
        sys.exit(f"bench_checks.py: no benchmark set at {set_dir}")
    langs = tuple(a.langs.split(","))
    docs = gold_pairs(set_dir)
    for name in checks.CHECKS:   # warm-up: the language model's arrays and compiled code
        time_check(name, docs[:1], langs)
    best = {name: min(time_check(name, docs, langs) for _ in range(a.repeat)) for name in checks.CHECKS}
    print(f"{a.set}: {sum(map(len, docs))} pairs, CPU s per check (best of {a.repeat}): "
          + ", ".join(f"{k} {v:.3f}" for k, v in sorted(best.items(), key=lambda kv: -kv[1]))
          + f"; all {sum(best.values()):.3f}")


if __name__ == "__main__":
    main()
