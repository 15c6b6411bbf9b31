"""Align every document of a corpus config, resumably, then build the dataset folder.

Layout of the output folder::

    DIR/README.md, DIR/data/*.parquet, DIR/scores.png, DIR/export/*   the dataset (what `align publish` uploads)
    DIR/failures.jsonl                                                 documents that failed, with the reason
    DIR/.work/parts/<doc_id>.<key>.json                                one finished document each (resume state)

Each finished document's links are written atomically to their own part file, named by the document and a key
of its inputs and settings; a re-run skips documents whose part exists and redoes the others (failed ones
included). The dataset is then rebuilt from the parts in doc_id order, so a killed and re-run build gives the
same bytes as an uninterrupted one.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import quote

from align.corpus.config import CorpusConfig, Doc
from align.corpus.task import THREAD_VARS, Job, align_doc, doc_key, init_worker, load_encoder, run_in_worker
from align.errors import AlignError
from align.formats import atomic_open

WORK = ".work"
FAILURES = "failures.jsonl"


class WorkerDied(RuntimeError):
    """A worker process was killed (out of memory, signal): the run stops; a re-run resumes it."""


@dataclass
class Summary:
    docs: int = 0                 # in the config
    skipped: int = 0              # already done by an earlier run
    aligned: int = 0              # done by this run
    failures: list = field(default_factory=list)   # {doc_id, src, tgt, reason}
    links: int = 0                # links aligned by this run
    seconds: float = 0.0          # aligning time of this run (building the dataset excluded)
    worker_rss_kib: dict = field(default_factory=dict)   # pid -> peak resident memory
    worker_encoders: dict = field(default_factory=dict)  # pid -> ids of the encoders it used (1: loaded once)
    dataset: dict = field(default_factory=dict)          # what align.corpus.dataset.write_dataset reports


def build_corpus(cfg: CorpusConfig, out: str, workers: int = 1, dask: str | None = None, retries: int = 2,
                 progress: bool | None = None) -> Summary:
    """Align what is not done yet, then (re)build the dataset folder at ``out``."""
    from align.corpus.dataset import write_dataset

    if workers < 1:
        raise AlignError("--workers must be at least 1")
    job = Job(cfg.src_lang, cfg.tgt_lang, cfg.encoder, cfg.cache, cfg.params)
    parts_dir = os.path.join(out, WORK, "parts")
    # The build replaces data/ and export/ in the folder: never in a folder that is not one of ours.
    if os.path.isdir(out) and os.listdir(out) and not os.path.isdir(os.path.join(out, WORK)):
        raise AlignError(f"{out} is not empty and was not made by `align corpus`; give a new or empty folder")
    try:
        os.makedirs(parts_dir, exist_ok=True)
    except OSError as e:
        raise AlignError(f"{out}: cannot write ({e.strerror})") from None
    have = set(os.listdir(parts_dir))
    for name in [n for n in have if n.startswith(".tmp-")]:  # a part being written when a run was killed
        os.unlink(os.path.join(parts_dir, name))
    keyed = [(d, part_name(d, job)) for d in cfg.docs]
    todo = [d for d, name in keyed if name not in have]
    s = Summary(docs=len(cfg.docs), skipped=len(cfg.docs) - len(todo))

    if todo:
        if dask:
            from align.corpus.cluster import run_dask

            results = run_dask(todo, job, dask, workers, retries)
        elif workers == 1:
            results = _in_process(todo, job, retries)
        else:
            results = _in_pool(todo, job, workers, retries)
        _collect(results, s, keyed, parts_dir, progress)

    done = [(d, os.path.join(parts_dir, name)) for d, name in keyed if os.path.exists(os.path.join(parts_dir, name))]
    s.failures.sort(key=lambda f: f["doc_id"])
    s.dataset = write_dataset(cfg, out, done, failures=len(s.failures))
    _write_failures(out, s.failures)
    return s


def part_name(doc: Doc, job: Job) -> str:
    # quote(): any doc_id (slashes included) becomes one safe file name
    return f"{quote(doc.doc_id, safe='')}.{doc_key(doc, job)}.json"


def _collect(results, s: Summary, keyed, parts_dir: str, progress) -> None:
    from tqdm import tqdm

    names = {d.doc_id: name for d, name in keyed}
    docs = {d.doc_id: d for d, _ in keyed}
    start = time.perf_counter()
    bar = tqdm(total=s.docs, initial=s.skipped, unit="doc", desc="aligning", disable=None if progress is None else not progress,
               file=sys.stderr)
    try:
        for r in results:
            if r["ok"]:
                with atomic_open(os.path.join(parts_dir, names[r["doc_id"]])) as f:
                    json.dump(r["part"], f, ensure_ascii=False, sort_keys=True)
                s.aligned += 1
                s.links += r["links"]
            else:
                d = docs[r["doc_id"]]
                s.failures.append({"doc_id": d.doc_id, "src": d.src, "tgt": d.tgt, "reason": r["reason"]})
                bar.write(f"align: warning: {d.doc_id}: {r['reason']}", file=sys.stderr)
            if "pid" in r:
                s.worker_rss_kib[r["pid"]] = max(s.worker_rss_kib.get(r["pid"], 0), r["rss_kib"])
                s.worker_encoders.setdefault(r["pid"], set()).add(r["encoder_id"])
            s.seconds = time.perf_counter() - start
            bar.set_postfix_str(f"{s.links / max(s.seconds, 1e-9):.0f} links/s, {len(s.failures)} failed", refresh=False)
            bar.update(1)
    finally:
        bar.close()


def _failure(doc: Doc, e: BaseException) -> dict:
    return {"doc_id": doc.doc_id, "ok": False, "reason": f"internal error: {type(e).__name__}: {e}"}


def _in_process(todo: list[Doc], job: Job, retries: int):
    """--workers 1: no worker process, but the same single-thread setting as a worker. (Threads change how
    BLAS and torch sum, so a score's 4th decimal can differ, e.g. 0.7353 vs 0.7354 on unpc-ar-en: with the
    same setting everywhere, every --workers/--dask choice gives the same bytes, and a run can be resumed
    with another. Several cores are for --workers N, which beats threads: see scripts/bench_corpus.py.)"""
    from threadpoolctl import threadpool_limits

    saved = os.environ.get("ALIGN_ENCODER_THREADS")
    os.environ["ALIGN_ENCODER_THREADS"] = "1"  # read by the encoder when it loads
    try:
        with threadpool_limits(limits=1):  # numpy's BLAS and OpenMP, already loaded in this process
            encoder = load_encoder(job)
            for doc in todo:
                for attempt in range(retries + 1):
                    try:
                        result = align_doc(doc, job, encoder)
                        break
                    except Exception as e:  # not a bad input (those come back as failures): maybe transient
                        result = _failure(doc, e)
                yield result
    finally:
        if saved is None:
            os.environ.pop("ALIGN_ENCODER_THREADS", None)
        else:
            os.environ["ALIGN_ENCODER_THREADS"] = saved


def _in_pool(todo: list[Doc], job: Job, workers: int, retries: int):
    """Worker processes (spawned, so they start clean), each loading the encoder once, threads pinned to 1."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    saved = {v: os.environ.get(v) for v in THREAD_VARS}
    os.environ.update({v: "1" for v in THREAD_VARS})  # inherited by the workers, read before numpy loads
    ex = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=init_worker, initargs=(job,))
    try:
        queue, pending = iter(todo), {}

        def submit(doc, attempt):
            pending[ex.submit(run_in_worker, doc, job)] = (doc, attempt)

        for doc in queue:  # a few documents in flight per worker, not the whole corpus
            submit(doc, 0)
            if len(pending) >= 2 * workers:
                break
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                doc, attempt = pending.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    raise WorkerDied("a worker process died (out of memory?); finished documents are kept, "
                                     "re-run the same command to resume") from None
                except Exception as e:
                    if attempt < retries:
                        submit(doc, attempt + 1)
                        continue
                    result = _failure(doc, e)
                yield result
                nxt = next(queue, None)
                if nxt is not None:
                    submit(nxt, 0)
    finally:
        # Interrupted or done: drop what has not started; the workers finish their document and exit.
        ex.shutdown(wait=True, cancel_futures=True)
        for v, old in saved.items():
            if old is None:
                os.environ.pop(v, None)
            else:
                os.environ[v] = old


def _write_failures(out: str, failures: list[dict]) -> None:
    path = os.path.join(out, FAILURES)
    if not failures:
        if os.path.exists(path):
            os.unlink(path)  # from an earlier run whose failures are now fixed
        return
    with atomic_open(path) as f:
        for r in failures:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
