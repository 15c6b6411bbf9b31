#!/usr/bin/env python
"""Why `align pair DIR DIR` aligns in forked processes: the encoder's lanes beside a thread running Python.

    python scripts/bench_gil.py [BENCH_DIR] [--docs 40] [--repeat 3]

Encodes the sentences of the first --docs documents of ntrex-ar-en with the bundled encoder (its lanes on every
core, no memo, no cache), alone and with a thread beside it running the numbers and dates checks on unpc-ar-en's
gold pairs in a loop (pure Python, as a pair's DP glue and QA checks are), at three switch intervals. Prints the
encoding's wall time and how many pairs the checking thread got through. Diagnostic: the lanes need the GIL between
their numpy calls, so Python in another thread of the same process slows them about second for second.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bench", nargs="?", default=os.path.join(HERE, "..", "..", "shared", "bench"))
    ap.add_argument("--docs", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()

    from bench_checks import gold_pairs

    from align.encode.use import USEEncoder
    from align.eval import read_bench_set
    from align.score import dates, numbers

    docs = list(read_bench_set(os.path.join(a.bench, "ntrex-ar-en")))[:a.docs]
    texts = [s for _, src, tgt, _ in docs for s in src + tgt]
    pairs = [p for d in gold_pairs(os.path.join(a.bench, "unpc-ar-en"))[:30] for p in d]
    enc = USEEncoder()
    enc.encode(["warm up"])

    def check_loop(stop: threading.Event, done: list[int]) -> None:
        while not stop.is_set():
            for s, t in pairs:
                numbers.check(s, t, "ar", "en")
                dates.check(s, t, "ar", "en")
                done[0] += 1
                if stop.is_set():
                    return

    results: dict[tuple[float, bool], list[tuple[float, int]]] = {}
    for _ in range(a.repeat):
        for interval in (0.005, 0.001, 0.0002):
            for beside in (False, True):
                sys.setswitchinterval(interval)
                stop, done = threading.Event(), [0]
                thread = threading.Thread(target=check_loop, args=(stop, done)) if beside else None
                if thread:
                    thread.start()
                t0 = time.perf_counter()
                enc.encode(texts)   # no memo: encoded again every time
                seconds = time.perf_counter() - t0
                stop.set()
                if thread:
                    thread.join()
                results.setdefault((interval, beside), []).append((seconds, done[0]))
    print(f"{len(texts)} sentences encoded, {a.repeat} times each; load average {os.getloadavg()[0]:.2f}")
    for (interval, beside), runs in sorted(results.items()):
        what = "with a checking thread" if beside else "alone"
        print(f"switch interval {interval * 1000:g} ms, {what}: "
              + ", ".join(f"{s:.2f} s ({n} pairs checked)" if beside else f"{s:.2f} s" for s, n in runs))


if __name__ == "__main__":
    main()
