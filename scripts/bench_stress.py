"""Stress benchmark (issue 15, item 5): peak memory and time of `align pair` / `align score` on large or odd inputs,
through the command line as a user runs it, each run capped in memory and time so that a blow-up cannot take the
machine down.

    lines      N numbered lines a side (default 200,000), --segmented --encoder lexical     goal: <= 1 GB, linear
    raw        the same lines as raw text (paragraph anchors, then sentences)
    oneline    one line a side (SIZE bytes of English, default 5 MB), no line break at all  goal: <= 1 GB
    unbroken   real UN text (the unpc-ar-en bench set) with its line breaks removed, 1 MB a side
    score      `align score` on one pair of SIZE bytes (default 5.4 MB) in a TSV

Peak memory is the child's ru_maxrss; every run gets `--cap` GB of address space (RLIMIT_AS) and `--timeout`
seconds. Run one measurement at a time on a shared machine:

    flock /tmp/bench.lock .venv/bin/python scripts/bench_stress.py [--cases lines,oneline] [--lines 200000]
        [--size 5000000] [--encoder lexical] [--cap 4] [--timeout 900] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BENCH = os.path.join(REPO, "..", "shared", "bench", "unpc-ar-en")
ALIGN = [sys.executable, "-m", "align"]

AR = ["اعتمدت الجمعية العامة جدول الأعمال", "عقد المجلس جلسة في عام", "وقدم الأمين العام تقريره السنوي",
      "ناقشت اللجنة مسألة تغير المناخ", "تقرر عقد الدورة المقبلة في جنيف", "رحب الرئيس بالوفود"]
EN = ["The General Assembly adopted the agenda", "The Council held a meeting in", "The Secretary-General presented "
      "his annual report", "The Committee discussed climate change", "It was decided to meet next in Geneva",
      "The President welcomed the delegations"]


def numbered(n: int, words: list[str]) -> str:
    return "".join(f"{k + 1}. {words[k % len(words)]} {k + 1}.\n" for k in range(n))


def one_line(count: int, words: list[str]) -> str:
    """``count`` numbered sentences without any line break."""
    return "".join(f"{words[k % len(words)]} {k}. " for k in range(count))


def sentences_for(size: int) -> int:
    """How many sentences make ``size`` bytes on the longer (English) side."""
    return size // (len(one_line(600, EN).encode()) // 600)


def unbroken(size: int) -> tuple[str, str]:
    """The unpc-ar-en documents, whole and in order, each side on one line, until the source side has ``size``
    bytes (the set repeated when it is smaller): parallel text with every line break removed."""
    names = sorted(os.listdir(os.path.join(BENCH, "src")))
    src: list[str] = []
    tgt: list[str] = []
    k = 0
    while sum(len(t.encode()) for t in src) < size:
        for side, out in (("src", src), ("tgt", tgt)):
            with open(os.path.join(BENCH, side, names[k % len(names)]), encoding="utf-8") as f:
                out.append(f.read().replace("\n", " "))
        k += 1
    return " ".join(src), " ".join(tgt)


def measure(cmd: list[str], cap_gb: float, timeout: float) -> dict:
    """Run ``cmd`` capped; its wall time, peak resident memory (os.wait4: this child alone) and exit status."""
    import threading

    cap = int(cap_gb * 1024**3)

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, preexec_fn=limit, stdout=subprocess.DEVNULL, stderr=err,
                             env={**os.environ, "PYTHONPATH": REPO})
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        _, status, usage = os.wait4(p.pid, 0)
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        err.seek(0)
        tail = err.read().strip().splitlines()[-1:]
    return {"seconds": round(seconds, 1), "peak_mb": round(usage.ru_maxrss / 1024),
            "status": "killed (timeout)" if p.returncode == -9 else p.returncode,
            "last_line": tail[0][:200] if tail else ""}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default="lines,raw,oneline,unbroken,score")
    ap.add_argument("--lines", type=int, default=200_000)
    ap.add_argument("--size", type=int, default=5_000_000)
    ap.add_argument("--unbroken-size", type=int, default=1_000_000)
    ap.add_argument("--score-size", type=int, default=5_400_000)
    ap.add_argument("--encoder", default="lexical")
    ap.add_argument("--cap", type=float, default=4.0, help="address-space cap per run, GB")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--json")
    a = ap.parse_args()
    results = {"load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as tmp:
        def files(name, src, tgt):
            paths = [os.path.join(tmp, f"{name}.ar"), os.path.join(tmp, f"{name}.en")]
            for p, text in zip(paths, (src, tgt)):
                with open(p, "w", encoding="utf-8") as f:
                    f.write(text)
            return paths

        pair = ALIGN + ["pair", "--src-lang", "ar", "--tgt-lang", "en", "--encoder", a.encoder, "--no-cache"]
        for case in a.cases.split(","):
            if case in ("lines", "raw"):
                src, tgt = files(case, numbered(a.lines, AR), numbered(a.lines, EN))
                cmd = pair + [src, tgt, "-o", os.path.join(tmp, f"{case}.jsonl")]
                cmd += ["--segmented"] if case == "lines" else []
            elif case == "oneline":
                k = sentences_for(a.size)  # as many sentences a side, ~size bytes of English
                src, tgt = files(case, one_line(k, AR), one_line(k, EN))
                cmd = pair + [src, tgt, "-o", os.path.join(tmp, f"{case}.jsonl")]
            elif case == "unbroken":
                if not os.path.isdir(BENCH):
                    print(f"{case}: skipped, no {BENCH}", file=sys.stderr)
                    continue
                src_text, tgt_text = unbroken(a.unbroken_size)
                src, tgt = files(case, src_text, tgt_text)
                cmd = pair + [src, tgt, "-o", os.path.join(tmp, f"{case}.jsonl")]
            elif case == "score":
                path = os.path.join(tmp, "pair.tsv")
                with open(path, "w", encoding="utf-8") as f:
                    k = sentences_for(a.score_size // 2)  # one pair, ~score_size bytes in all
                    f.write(one_line(k, AR) + "\t" + one_line(k, EN) + "\n")
                cmd = ALIGN + ["score", path, "-o", os.path.join(tmp, "report.jsonl"), "--src-lang", "ar",
                               "--tgt-lang", "en", "--encoder", a.encoder, "--no-cache"]
            else:
                raise SystemExit(f"unknown case {case}")
            r = measure(cmd, a.cap, a.timeout)
            results[case] = r
            print(f"{case:10} {r['seconds']:>8} s  peak {r['peak_mb']} MB  exit {r['status']}  {r['last_line']}",
                  flush=True)
    results["load_after"] = os.getloadavg()[0]
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
