"""`align pair DIR DIR`: many document pairs, each written to its own output file, through the corpus runner's
loop (align.corpus.run.run_tasks), so failures, retries and progress behave as in `align corpus`.

Two ways to use the cores, chosen by ``process_workers``:
- one process per core, forked from this one once the model is loaded (the model's weights are mapped, so shared;
  nothing to import or load again), each aligning whole pairs one after the other on one thread;
- this process alone (one core, or an encoder that must not be forked): the encoder's lanes on every core, and
  the next pairs read and encoded ahead in background threads while a pair's DP and checks run.
Processes win because a pair's DP, joints and QA checks are Python holding the GIL: beside the lanes, every second
of them cost the run about a second (the lanes wait for the GIL between their numpy calls), while two processes
each doing everything in turn keep both cores busy. unpc-ar-en (100 pairs): 9.4-9.5 s against 11.3-11.7 s with
--workers 1; ntrex-ar-en (123 small pairs): 4.9-5.0 s against 6.1-6.3 s (2-core machine, 2026-12-02, a fresh
vector cache, the same links).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor

from tqdm import tqdm

from align.ahead import encode_ahead, stopping
from align.core.params import Params
from align.corpus.run import InlineExecutor, WorkerDied, run_tasks
from align.encode.base import close_cache, innermost, wait_loaded
from align.errors import AlignError
from align.formats import EXTENSIONS, write
from align.score.linkscore import Calibration


# Pairs read and encoded ahead of the one being aligned, by READERS threads at once, up to AHEAD_BYTES of input
# files (at least one pair). One pair ahead, read by one thread, left both cores idle between pairs (the thread's own
# reading, tokenizing and bookkeeping, ~3 ms a pair) and whenever a pair's DP and QA checks outlasted the next
# pair's encoding. unpc-ar-en, lanes timed in the process (machine shared, load 2.7-4.5): no lane at work 1.8-2.7 s
# of the run and one of two 1.2-3.3 s; three pairs ahead, 0.0-0.1 s and 0.2-0.6 s, but ntrex-ar-en's small pairs
# still left a 0.4 s hole while the first pair's DP loaded numba's cache (0.5-0.6 s). 256 kB is ~15 unpc-ar-en
# pairs, ~50 ntrex-ar-en ones, 1-2 s of encoding; their vectors (~4,000 segments: 8 MB) stay far within the memo.
AHEAD_BYTES = 256 * 1024
READERS = 2


def _size(item: tuple[str, str, str]) -> int:
    try:
        return os.path.getsize(item[1]) + os.path.getsize(item[2])
    except OSError:  # reported when the pair is read in turn
        return 0


class _Ahead:
    """While one pair is aligned, background threads read the next pairs and encode their segments (the DP, QA
    checks and writing of a pair leave one of two cores idle). Two at a time: one thread's reading and bookkeeping
    overlaps the other's encoding, so the encoder's lanes always have a micro-batch waiting."""

    def __init__(self, pairs: list[tuple[str, str, str]], src_lang: str, tgt_lang: str, segmented: bool, encoder):
        self.pairs = pairs
        self.index = {p[0]: k for k, p in enumerate(pairs)}
        self.langs, self.segmented, self.encoder = (src_lang, tgt_lang), segmented, encoder
        self.futures: dict[str, Future] = {}
        self.sizes: dict[str, int] = {}  # input bytes of the pairs handed to the readers and not taken yet
        self.submitted = 0  # pairs[:submitted] have been handed to the readers
        self.pool: ThreadPoolExecutor | None = None

    def start(self) -> None:
        """Start on the first pairs (before the aligner's own modules are imported: align pair)."""
        self._submit()

    def take(self, name: str):
        """The pair's documents, read and encoded ahead (None if reading failed: read again in turn, where the
        error is reported); starts on the pairs after it, up to AHEAD_BYTES."""
        while self.submitted <= self.index[name] and not stopping.is_set():
            self._submit_one()
        fut = self.futures.pop(name, None)
        self.sizes.pop(name, None)
        self._submit()
        docs = fut.result() if fut is not None else None
        if self.submitted >= len(self.pairs) and not self.futures and self.pool is not None:
            self.pool.shutdown(wait=False)
        return docs

    def _submit(self) -> None:
        while self.submitted < len(self.pairs) and not stopping.is_set():
            if self.sizes and sum(self.sizes.values()) + _size(self.pairs[self.submitted]) > AHEAD_BYTES:
                return
            self._submit_one()

    def _submit_one(self) -> None:
        if self.pool is None:
            # its threads are not daemons (see align.ahead.stopping) and are joined when the interpreter exits
            self.pool = ThreadPoolExecutor(READERS, thread_name_prefix="read-ahead")
        item = self.pairs[self.submitted]
        self.sizes[item[0]] = _size(item)
        self.futures[item[0]] = self.pool.submit(self._read, item)
        self.submitted += 1

    def _read(self, item: tuple[str, str, str]):
        from align.io import read_document

        _, src, tgt = item
        if stopping.is_set():
            return None
        try:
            docs = (read_document(src, self.langs[0], segmented=self.segmented),
                    read_document(tgt, self.langs[1], segmented=self.segmented))
        except Exception:  # noqa: BLE001 - read again in turn, where the error is reported
            return None
        # a pair alone ahead (larger than AHEAD_BYTES) is encoded up to half the memo, as when it was the only one
        thread = encode_ahead(self.encoder, *docs)
        if thread is not None:
            thread.join()
        return docs


def _align_one(item: tuple[str, str, str], out: str, fmt: str, src_lang: str, tgt_lang: str, segmented: bool,
               encoder, params: Params, calibration: Calibration | None = None,
               ahead: _Ahead | None = None, warn=None) -> tuple[str, str | None]:
    """(name, None) once the pair's output is written, (name, reason) for a bad input. Without `ahead`, the pair is
    read here, and nothing is encoded in the background."""
    from align.io import read_document
    from align.pipeline import align_files  # the aligner: imported while the first pairs are read and encoded

    name, src, tgt = item
    try:
        docs = ahead.take(name) if ahead else (read_document(src, src_lang, segmented=segmented),
                                               read_document(tgt, tgt_lang, segmented=segmented))
        al = align_files(src, tgt, src_lang, tgt_lang, segmented=segmented, encoder=encoder, params=params,
                         warn=warn or (lambda msg: _warn(name, msg)), calibration=calibration, docs=docs)
        write(al, os.path.join(out, name + EXTENSIONS[fmt]), fmt)
    except AlignError as e:
        return name, str(e)
    return name, None


def _crashed(item: tuple[str, str, str], e: BaseException) -> tuple[str, str]:
    return item[0], f"internal error: {type(e).__name__}: {e}"


def _crashed_forked(item: tuple[str, str, str], e: BaseException) -> tuple[str, str, list[str]]:
    return (*_crashed(item, e), [])


def process_workers(encoder, pairs: int, asked: int | None = None) -> int:
    """Processes to align `pairs` pairs with: `asked`, else one per core this process may use; never more than the
    pairs, and 1 (this process alone) where a fork is not safe: not Linux, or an encoder that does not declare
    ``fork_safe`` (numpy models with mapped weights do; torch, whose thread pools do not survive a fork, does not)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if not sys.platform.startswith("linux") or not getattr(innermost(encoder), "fork_safe", False):
        return 1
    return max(1, min(asked or cores, pairs))


_forked: dict = {}  # what forked workers inherit: the encoder (set before the fork, never pickled)


def _init_forked() -> None:
    """In each forked worker: Ctrl-C is the parent's to handle; die with the parent; BLAS on one thread."""
    from align.corpus.task import die_with_parent, pin_threads

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    pin_threads()


def _align_forked(item: tuple[str, str, str], out: str, fmt: str, src_lang: str, tgt_lang: str, segmented: bool,
                  params: Params, calibration: Calibration | None) -> tuple[str, str | None, list[str]]:
    """One pair in a forked worker, start to end on its one thread: (name, failure reason or None, warnings)."""
    warnings: list[str] = []
    name, reason = _align_one(item, out, fmt, src_lang, tgt_lang, segmented, _forked["encoder"], params, calibration,
                              warn=warnings.append)
    return name, reason, warnings


def _warn(name: str, msg: str) -> None:
    tqdm.write(f"align: warning: {name}: {msg}", file=sys.stderr)


def align_folders(pairs: list[tuple[str, str, str]], out: str, fmt: str, src_lang: str, tgt_lang: str,
                  segmented: bool, encoder, params: Params, calibration: Calibration | None = None,
                  workers: int = 1) -> tuple[int, int]:
    """Align (name, src, tgt) pairs into out/NAME.<fmt>; (aligned, failed). workers > 1: that many forked
    processes (see process_workers), the encoder built for one thread each."""
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        raise AlignError(f"{out}: cannot create the output folder ({e.strerror})") from None
    if workers > 1:
        return _align_forked_pairs(pairs, out, fmt, src_lang, tgt_lang, segmented, encoder, params, calibration,
                                   workers)
    failed = 0
    ahead = _Ahead(pairs, src_lang, tgt_lang, segmented, encoder)
    ahead.start()
    # The aligner's imports (numba: 0.4 s) wait for the model: both hold the GIL most of the time, and loaded side by
    # side the model took 0.35-0.5 s instead of 0.2 s, each lane idle until it was in; the imports are done while
    # the lanes encode the first pairs.
    wait_loaded(encoder)
    args = (out, fmt, src_lang, tgt_lang, segmented, encoder, params, calibration, ahead)
    for name, reason in tqdm(run_tasks(InlineExecutor(), _align_one, pairs, args, 0, 1, _crashed), total=len(pairs),
                             desc="aligning", unit="doc", disable=None):
        if reason:
            failed += 1
            tqdm.write(f"align: error: {name}: {reason}", file=sys.stderr)
    return len(pairs) - failed, failed


def _align_forked_pairs(pairs: list[tuple[str, str, str]], out: str, fmt: str, src_lang: str, tgt_lang: str,
                        segmented: bool, encoder, params: Params, calibration: Calibration | None,
                        workers: int) -> tuple[int, int]:
    """align_folders in `workers` forked processes: the largest pairs first (the last pair to finish is then a small
    one, not a long document on one core while the other idles); outputs, warnings and errors as in one process."""
    ex = _start_workers(encoder, workers)
    try:
        return _collect(ex, sorted(pairs, key=_size, reverse=True),
                        (out, fmt, src_lang, tgt_lang, segmented, params, calibration), workers)
    except WorkerDied:
        raise AlignError("a worker process died (out of memory?); the pairs written so far are kept") from None
    finally:
        ex.shutdown(wait=True, cancel_futures=True)
        _forked.clear()


def _start_workers(encoder, workers: int) -> ProcessPoolExecutor:
    """Fork the workers once this process has what they need: the aligner imported, the model loaded."""
    import align.pipeline  # noqa: F401 - imported once here, inherited by every worker

    wait_loaded(encoder)   # the model, loaded in the background while the aligner was imported
    close_cache(encoder)
    _forked["encoder"] = encoder
    ex = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_init_forked)
    ex.submit(os.getpid).result()  # fork every worker now, before the progress bar starts its thread
    return ex


def _collect(ex: ProcessPoolExecutor, pairs: list[tuple[str, str, str]], args: tuple, workers: int
             ) -> tuple[int, int]:
    """Hand the pairs to the workers, 2 each in flight; report each as it finishes: (aligned, failed)."""
    failed = 0
    for name, reason, warnings in tqdm(run_tasks(ex, _align_forked, pairs, args, 0, 2 * workers, _crashed_forked),
                                       total=len(pairs), desc="aligning", unit="doc", disable=None):
        for msg in warnings:
            _warn(name, msg)
        if reason:
            failed += 1
            tqdm.write(f"align: error: {name}: {reason}", file=sys.stderr)
    return len(pairs) - failed, failed
