"""Benchmark of `align corpus` on unpc-ar-en (issue 5, must reach), through the command line as a user runs it.

    throughput  the 100 documents (--segmented, ar -> en, --no-cache) with --workers 1 (as is, and with every
                thread pool pinned to 1), --workers 2 and --dask local --workers 2, each --repeat times from an
                empty output folder; wall-clock time of the whole command (start-up, encoder loading and the
                dataset build included); target: 2 workers >= 1.7x the throughput of 1
    memory      peak resident memory of each worker process with 25, 50 and 100 documents (2 workers); target:
                flat as the corpus grows
    resume      a run killed (SIGKILL to the whole process group) once half the documents are done, then re-run:
                the dataset must equal an uninterrupted run's byte for byte
    corrupt     one of the 100 source files overwritten with binary junk: 99 documents in the dataset, one
                failure record, exit status 3

The machine may be shared: before each run the load average and the CPU capacity two processes get at that
moment (2.0 = two idle cores) are recorded. --snapshot runs a copy of the align package taken at the start, so
that others editing the working tree meanwhile do not change the code between runs that must give equal bytes.

    .venv/bin/python scripts/bench_corpus.py [--bench DIR] [--work DIR] [--repeat 2] [--steps a,b] [--snapshot]
                                             [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_BENCH = os.path.join(HERE, "..", "..", "shared", "bench", "unpc-ar-en")


def manifest(bench: str, path: str, n: int | None = None, src_dir: str | None = None) -> str:
    docs = sorted(os.listdir(os.path.join(bench, "src")))[:n]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["doc_id", "src", "tgt"])
        for d in docs:
            w.writerow([d, os.path.join(src_dir or os.path.join(bench, "src"), d), os.path.join(bench, "tgt", d)])
    return path


def command(man: str, out: str, workers: int, encoder: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "align", "corpus", man, "-o", out, "--src-lang", "ar", "--tgt-lang", "en",
            "--segmented", "--no-cache", "--encoder", encoder, "--workers", str(workers), "--no-progress",
            "--allow-outside", *extra]   # the manifests here are our own, pointing into the bench folder


ENV: dict = {}  # PYTHONPATH of a snapshot of the code, with --snapshot
PINNED = {v: "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "ALIGN_ENCODER_THREADS")}


def _spin(n: int) -> None:
    s = 0
    for i in range(n):
        s += i


def capacity() -> float:
    """How many cores' worth of CPU two processes get right now (2.0 on an idle 2-core machine): the same pure
    Python loop timed alone and as two processes at once. Other people's work on a shared machine shows here."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")

    def timed(k):
        ps = [ctx.Process(target=_spin, args=(15_000_000,)) for _ in range(k)]
        t = time.perf_counter()
        for p in ps:
            p.start()
        for p in ps:
            p.join()
        return time.perf_counter() - t

    return round(2 * timed(1) / timed(2), 2)


def run(cmd: list[str], env: dict | None = None) -> dict:
    load, cap = os.getloadavg()[0], capacity()
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **ENV, **(env or {})})
    out = {"seconds": time.perf_counter() - t, "exit": p.returncode, "load_before": load, "capacity_before": cap,
           "load_after": os.getloadavg()[0], "stderr": p.stderr.strip().splitlines()[-3:]}
    m = re.search(r"aligned (\d+) document pair\(s\) in ([\d.]+) s.*?(\d+) rows from (\d+) documents", p.stderr)
    if m:  # the aligning phase alone: worker start-up included, the command's start and the dataset build not
        out.update(aligned=int(m[1]), align_seconds=float(m[2]), rows=int(m[3]), docs=int(m[4]))
    m = re.search(r"peak memory per aligning process: ([\d, ]+) MiB", p.stderr)
    if m:
        out["rss_mib"] = [int(x) for x in m[1].split(",")]
    return out


def folder_hash(path: str) -> str:
    """The dataset's bytes: every file but the work folder (resume state and the lock, which holds a pid)."""
    h = hashlib.sha256()
    for d, _, names in sorted(os.walk(path)):
        if ".work" in os.path.relpath(d, path).split(os.sep):   # walked in full first, so pruned here
            continue
        for n in sorted(names):
            p = os.path.join(d, n)
            h.update(os.path.relpath(p, path).encode() + b"\0" + open(p, "rb").read())
    return h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench", default=DEFAULT_BENCH)
    ap.add_argument("--work", default=None, help="scratch folder [default: a new temporary one, removed after]")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--encoder", default="use")
    ap.add_argument("--steps", default="throughput,memory,resume,corrupt")
    ap.add_argument("--json", default=None)
    ap.add_argument("--snapshot", action="store_true",
                    help="run a copy of the align package taken now (others may be editing the working tree)")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="bench-corpus-")
    os.makedirs(work, exist_ok=True)
    if a.snapshot:
        snap = os.path.join(work, "snapshot")
        shutil.rmtree(snap, ignore_errors=True)
        shutil.copytree(os.path.join(HERE, "..", "align"), os.path.join(snap, "align"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        ENV["PYTHONPATH"] = snap
        subprocess.run(command(manifest(a.bench, os.path.join(work, "warm.csv"), 2), os.path.join(work, "warm"), 1,
                               a.encoder), capture_output=True, env={**os.environ, **ENV})  # numba's cache, once
    steps = a.steps.split(",")
    man = manifest(a.bench, os.path.join(work, "all.csv"))
    report = {"bench": os.path.abspath(a.bench), "encoder": a.encoder, "cpus": os.cpu_count()}
    say = lambda *x: print(*x, file=sys.stderr, flush=True)
    reference = None  # an uninterrupted 2-worker dataset, for the resume step

    if "throughput" in steps:
        # "1": --workers 1 as it is (in-process, the encoder on all cores); "1-pinned": the same with every
        # thread pool at 1, i.e. exactly one worker's share; "2": --workers 2. Interleaved, so that a change
        # in the machine's load hits every setting alike.
        # "2-dask": --dask local --workers 2, for comparison.
        settings = {"1": (1, None, ()), "1-pinned": (1, PINNED, ()), "2": (2, None, ()),
                    "2-dask": (2, None, ("--dask", "local"))}
        runs = {k: [] for k in settings}
        for r in range(a.repeat):
            for k, (w, env, extra) in settings.items():
                out = os.path.join(work, f"tp-{k}-{r}")
                shutil.rmtree(out, ignore_errors=True)
                res = run(command(man, out, w, a.encoder, *extra), env)
                runs[k].append(res)
                say(f"throughput: {k} worker(s), run {r + 1}: {res['seconds']:.1f} s, exit {res['exit']}, "
                    f"load {res['load_before']:.1f}->{res['load_after']:.1f}, capacity {res['capacity_before']}, "
                    f"rss {res.get('rss_mib')}")
                if k == "2" and reference is None:
                    reference = out
        med = {k: statistics.median(x["seconds"] for x in v) for k, v in runs.items()}
        phase = {k: statistics.median(x["align_seconds"] for x in v) for k, v in runs.items()}
        report["throughput"] = {
            "runs": runs, "median_seconds": med, "docs_per_s": {k: 100 / t for k, t in med.items()},
            "speedup_vs_1": med["1"] / med["2"], "speedup_vs_1_pinned": med["1-pinned"] / med["2"],
            "median_align_seconds": phase, "align_phase_speedup": phase["1"] / phase["2"],
            "same_bytes_1_vs_2": folder_hash(os.path.join(work, "tp-1-0")) == folder_hash(reference),
            "same_bytes_dask_vs_2": folder_hash(os.path.join(work, "tp-2-dask-0")) == folder_hash(reference)}
        say(f"throughput: median {med['1']:.1f} s (1 worker), {med['1-pinned']:.1f} s (1 worker, 1 thread), "
            f"{med['2']:.1f} s (2 workers), {med['2-dask']:.1f} s (2 Dask workers): "
            f"{med['1'] / med['2']:.2f}x, {med['1-pinned'] / med['2']:.2f}x")

    if "memory" in steps:
        mem = {}
        for n in (25, 50, 100):
            out = os.path.join(work, f"mem-{n}")
            if n == 100 and reference:
                mem[n] = report["throughput"]["runs"]["2"][0].get("rss_mib")
            else:
                shutil.rmtree(out, ignore_errors=True)
                mem[n] = run(command(manifest(a.bench, os.path.join(work, f"m{n}.csv"), n), out, 2,
                                     a.encoder)).get("rss_mib")
            say(f"memory: {n} documents: peak per worker {mem[n]} MiB")
        report["memory_mib"] = mem

    if "resume" in steps:
        if reference is None:
            reference = os.path.join(work, "ref")
            shutil.rmtree(reference, ignore_errors=True)
            run(command(man, reference, 2, a.encoder))
        out = os.path.join(work, "killed")
        shutil.rmtree(out, ignore_errors=True)
        parts = os.path.join(out, ".work", "parts")
        p = subprocess.Popen(command(man, out, 2, a.encoder), stderr=subprocess.DEVNULL, start_new_session=True,
                             env={**os.environ, **ENV})
        while p.poll() is None and (not os.path.isdir(parts) or len(os.listdir(parts)) < 50):
            time.sleep(0.2)
        os.killpg(p.pid, signal.SIGKILL)  # the command and its workers, as a node failure would
        p.wait()
        done_at_kill = len(os.listdir(parts))
        res = run(command(man, out, 2, a.encoder))
        report["resume"] = {"parts_at_kill": done_at_kill, "rerun": res,
                            "identical": folder_hash(out) == folder_hash(reference)}
        say(f"resume: killed with {done_at_kill} documents done; re-run aligned {res.get('aligned')}, exit "
            f"{res['exit']}; dataset identical to an uninterrupted run: {report['resume']['identical']}")

    if "corrupt" in steps:
        src = os.path.join(work, "corrupt-src")
        shutil.rmtree(src, ignore_errors=True)
        shutil.copytree(os.path.join(a.bench, "src"), src)
        victim = sorted(os.listdir(src))[42]
        with open(os.path.join(src, victim), "wb") as f:
            f.write(os.urandom(4096))
        out = os.path.join(work, "corrupt")
        shutil.rmtree(out, ignore_errors=True)
        res = run(command(manifest(a.bench, os.path.join(work, "corrupt.csv"), src_dir=src), out, 2, a.encoder))
        with open(os.path.join(out, "failures.jsonl"), encoding="utf-8") as f:
            failures = [json.loads(line) for line in f]
        report["corrupt"] = {"exit": res["exit"], "docs": res.get("docs"), "failures": failures}
        say(f"corrupt: exit {res['exit']}, {res.get('docs')} documents in the dataset, failures: {failures}")

    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
    print(json.dumps({k: v for k, v in report.items() if k != "throughput"} |
                     {"throughput": {k: v for k, v in report.get("throughput", {}).items() if k != "runs"}}, indent=2))
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
