"""Align every document of a corpus config, resumably, then build the dataset folder.

Layout of the output folder::

    DIR/README.md, DIR/data/*.parquet, DIR/scores.png, DIR/export/*   the dataset (what `align publish` uploads)
    DIR/failures.jsonl                                                 documents that failed, with the reason
    DIR/.work/parts/<hash of doc_id>.<key>.json                        one finished document each (resume state)
    DIR/.work/lock                                                     held while a run builds the folder

Each finished document's links are written atomically to their own part file, named by a hash of the document
id (any doc_id, however long or in whatever script, gives a short safe file name) and a key of its inputs and
settings; a re-run skips documents whose part exists and redoes the others (failed ones included). The dataset
is then rebuilt from the parts in doc_id order, so a killed and re-run build gives the same bytes as an
uninterrupted one.

One loop (``run_tasks``, also behind `align pair DIR DIR`) drives every backend through the concurrent.futures
interface: the `align` process itself (--workers 1, ``InlineExecutor``), local worker processes
(``ProcessPoolExecutor``, --workers N) or a Dask cluster (``client.get_executor()``, align.corpus.cluster). Every
aligning process is set up the same way: one thread for BLAS/OpenMP and for the encoder (align.corpus.task), so
the bytes do not depend on the backend.
--workers is how many documents are aligned at once, on every backend.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Iterable, Iterator

from align.corpus.config import DEFAULT_TIMEOUT, CorpusConfig, Doc
from align.corpus.task import Job, align_doc, align_multi_doc, doc_key, init_pool_worker, worker_encoder
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


def build_corpus(cfg: CorpusConfig, out: str, workers: int | None = 1, dask: str | None = None, retries: int = 2,
                 progress: bool | None = None, timeout: float | None = DEFAULT_TIMEOUT) -> Summary:
    """Align what is not done yet, then (re)build the dataset folder at ``out``.

    workers: documents aligned at once (None: one per core, or per thread of a Dask cluster); timeout: seconds a
    document may take before it becomes a failure record (None or 0: no limit; not enforced on Dask workers,
    whose tasks run in threads)."""
    from align.corpus.dataset import write_dataset
    from align.corpus.multi_dataset import write_multi_dataset

    if workers is not None and workers < 1:
        raise AlignError("--workers must be at least 1")
    job = Job(cfg.src_lang, cfg.tgt_lang, cfg.encoder, cfg.cache, cfg.params, cfg.calibration, cfg.languages,
              cfg.every_pair)
    parts_dir = os.path.join(out, WORK, "parts")
    # The build replaces data/ and export/ in the folder: never in a folder that is not one of ours.
    if os.path.isdir(out) and os.listdir(out) and not os.path.isdir(os.path.join(out, WORK)):
        raise AlignError(f"{out} is not empty and was not made by `align corpus`; give a new or empty folder")
    try:
        os.makedirs(parts_dir, exist_ok=True)
    except OSError as e:
        raise AlignError(f"{out}: cannot write ({e.strerror})") from None
    with _lock(out):
        have = set(os.listdir(parts_dir))
        for name in [n for n in have if n.startswith(".tmp-")]:  # a part being written when a run was killed
            os.unlink(os.path.join(parts_dir, name))
        keyed = [(d, part_name(d, job)) for d in cfg.docs]
        todo = [d for d, name in keyed if name not in have]
        s = Summary(docs=len(cfg.docs), skipped=len(cfg.docs) - len(todo))
        if todo:
            if dask or workers != 1:
                from align.corpus.dataset import preload

                preload()   # the dataset builder's imports while the workers align
            with executor_for(job, workers, dask) as (executor, in_flight):
                task = _multi_task if job.languages else _task
                results = run_tasks(executor, task, todo, (job, timeout or None), retries, in_flight, _failure)
                _collect(results, s, keyed, parts_dir, progress)
        done = [(d, os.path.join(parts_dir, name)) for d, name in keyed
                if os.path.exists(os.path.join(parts_dir, name))]
        s.failures.sort(key=lambda f: f["doc_id"])
        write = write_multi_dataset if cfg.languages else write_dataset
        s.dataset = write(cfg, out, done, failures=len(s.failures))
        _write_failures(out, s.failures)
    return s


@contextmanager
def _lock(out: str):
    """One run per output folder: a second run into the same folder (which would race on the parts and the
    dataset) is refused with the pid of the one holding it."""
    path = os.path.join(out, WORK, "lock")
    f = open(path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "unknown"
            raise AlignError(f"{out} is being built by another `align corpus` run (pid {holder}); wait for it to "
                             "finish or give another folder") from None
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        yield
    finally:
        f.close()   # closing releases the lock


def part_name(doc: Doc, job: Job) -> str:
    # a hash: any doc_id (slashes, 300 bytes of Arabic) becomes one short safe file name
    return f"{hashlib.sha256(doc.doc_id.encode()).hexdigest()[:24]}.{doc_key(doc, job)}.json"


class InlineExecutor(Executor):
    """Runs each task in this process when it is submitted (--workers 1): the same interface as a pool.
    Exceptions go into the future as a pool's would; Ctrl-C (KeyboardInterrupt) is not caught."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as e:
            fut.set_exception(e)
        return fut


@contextmanager
def executor_for(job: Job, workers: int | None, dask: str | None = None) -> Iterator[tuple[Executor, int]]:
    """(executor, documents in flight) for the backend asked for, set up and shut down here."""
    if dask:
        from align.corpus.cluster import dask_executor

        with dask_executor(dask, workers, job) as (ex, in_flight):
            yield ex, in_flight
        return
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        # The same single-thread setting as a worker (threads change how BLAS and torch sum, so a score's 4th
        # decimal can differ, e.g. 0.7353 vs 0.7354 on unpc-ar-en: with the same setting everywhere, every
        # --workers/--dask choice gives the same bytes, and a run can be resumed with another). Several cores are
        # for --workers N, which beats threads: see scripts/bench_corpus.py. Restored when the run ends.
        import numpy  # noqa: F401  (BLAS must be loaded for threadpoolctl to limit it)
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            yield InlineExecutor(), 1
        return
    # spawned, so workers start clean; a few documents in flight per worker, not the whole corpus
    ex = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=init_pool_worker, initargs=(job,))
    try:
        yield ex, 2 * workers
    finally:
        # Interrupted or done: drop what has not started; the workers finish their document and exit.
        ex.shutdown(wait=True, cancel_futures=True)


def run_tasks(executor: Executor, task: Callable, items: Iterable, args: tuple, retries: int, in_flight: int,
              failure: Callable) -> Iterator:
    """The one loop of every backend: `task(item, *args)` for each item, yielded as they finish, at most
    `in_flight` submitted at a time. A task that raised (not a bad input: tasks return those as failure records)
    is resubmitted `retries` times, then `failure(item, exception)` is yielded in its place."""
    finished: queue.Queue = queue.Queue()
    pending: dict = {}
    docs = iter(items)

    def submit(doc, attempt: int) -> None:
        fut = executor.submit(task, doc, *args)
        pending[id(fut)] = (fut, doc, attempt)   # by id: a Dask future need not be hashable like a local one
        fut.add_done_callback(finished.put)

    for doc in islice(docs, in_flight):
        submit(doc, 0)
    while pending:
        fut, doc, attempt = pending.pop(id(finished.get()))
        try:
            result = fut.result()
        except BrokenProcessPool:
            raise WorkerDied("a worker process died (out of memory?); finished documents are kept, "
                             "re-run the same command to resume") from None
        except Exception as e:
            if attempt < retries:
                submit(doc, attempt + 1)
                continue
            result = failure(doc, e)
        yield result
        nxt = next(docs, None)
        if nxt is not None:
            submit(nxt, 0)


class DocumentTimeout(Exception):
    """A document took longer than its time limit."""


def _task(doc: Doc, job: Job, timeout: float | None) -> dict:
    """What every backend runs for one document (a module-level function: pool workers import it)."""
    return _limited(align_doc, doc, job, timeout)


def _multi_task(doc: Doc, job: Job, timeout: float | None) -> dict:
    """The same for one document of a multi-language corpus (every language, pair configs and multiway rows)."""
    return _limited(align_multi_doc, doc, job, timeout)


def _limited(work: Callable, doc: Doc, job: Job, timeout: float | None) -> dict:
    try:
        with _time_limit(timeout):
            return work(doc, job, worker_encoder(job))
    except DocumentTimeout:
        return {"doc_id": doc.doc_id, "ok": False,
                "reason": f"took longer than {timeout:g} s (the time limit per document: --timeout)"}


@contextmanager
def _time_limit(seconds: float | None):
    """Interrupt the document after `seconds` (SIGALRM; a reader stuck in a loop, say a PDF whose stream length
    refers to itself). Only in a process's main thread, where signals arrive: the `align` process and pool
    workers; a Dask task runs in a thread and gets no limit."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise DocumentTimeout()

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _collect(results, s: Summary, keyed, parts_dir: str, progress) -> None:
    from tqdm import tqdm

    names = {d.doc_id: name for d, name in keyed}
    docs = {d.doc_id: d for d, _ in keyed}
    start = time.perf_counter()
    bar = tqdm(total=s.docs, initial=s.skipped, unit="doc", desc="aligning",
               disable=None if progress is None else not progress, file=sys.stderr)
    try:
        for r in results:
            if r["ok"]:
                with atomic_open(os.path.join(parts_dir, names[r["doc_id"]])) as f:
                    json.dump(r["part"], f, ensure_ascii=False, sort_keys=True)
                s.aligned += 1
                s.links += r["links"]
            else:
                d = docs[r["doc_id"]]
                where = {"paths": dict(d.paths)} if d.paths else {"src": d.src, "tgt": d.tgt}
                s.failures.append({"doc_id": d.doc_id, **where, "reason": r["reason"]})
                bar.write(f"align: warning: {d.doc_id}: {r['reason']}", file=sys.stderr)
            if "pid" in r:
                s.worker_rss_kib[r["pid"]] = max(s.worker_rss_kib.get(r["pid"], 0), r["rss_kib"])
                s.worker_encoders.setdefault(r["pid"], set()).add(r["encoder_id"])
            s.seconds = time.perf_counter() - start
            rate = s.links / max(s.seconds, 1e-9)
            bar.set_postfix_str(f"{rate:.0f} links/s, {len(s.failures)} failed", refresh=False)
            bar.update(1)
    finally:
        bar.close()


def _failure(doc: Doc, e: BaseException) -> dict:
    return {"doc_id": doc.doc_id, "ok": False, "reason": f"internal error: {type(e).__name__}: {e}"}


def _write_failures(out: str, failures: list[dict]) -> None:
    path = os.path.join(out, FAILURES)
    if not failures:
        if os.path.exists(path):
            os.unlink(path)  # from an earlier run whose failures are now fixed
        return
    with atomic_open(path) as f:
        for r in failures:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
