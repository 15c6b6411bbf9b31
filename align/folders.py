"""`align pair DIR DIR`: many document pairs, each written to its own output file, through the corpus runner's
loop (align.corpus.run.run_tasks) in this process, so failures, retries and progress behave as in `align corpus`."""

from __future__ import annotations

import os
import sys
from concurrent.futures import Future, ThreadPoolExecutor

from tqdm import tqdm

from align.ahead import encode_ahead, stopping
from align.core.params import Params
from align.corpus.run import InlineExecutor, run_tasks
from align.encode.base import wait_loaded
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
               ahead: _Ahead | None = None) -> tuple[str, str | None]:
    """(name, None) once the pair's output is written, (name, reason) for a bad input."""
    from align.pipeline import align_files  # numba and the aligner: imported while the first pairs are encoded

    name, src, tgt = item
    try:
        docs = ahead.take(name) if ahead else None
        al = align_files(src, tgt, src_lang, tgt_lang, segmented=segmented, encoder=encoder, params=params,
                         warn=lambda msg: tqdm.write(f"align: warning: {name}: {msg}", file=sys.stderr),
                         calibration=calibration, docs=docs)
        write(al, os.path.join(out, name + EXTENSIONS[fmt]), fmt)
    except AlignError as e:
        return name, str(e)
    return name, None


def _crashed(item: tuple[str, str, str], e: BaseException) -> tuple[str, str]:
    return item[0], f"internal error: {type(e).__name__}: {e}"


def align_folders(pairs: list[tuple[str, str, str]], out: str, fmt: str, src_lang: str, tgt_lang: str,
                  segmented: bool, encoder, params: Params, calibration: Calibration | None = None) -> tuple[int, int]:
    """Align (name, src, tgt) pairs into out/NAME.<fmt>; (aligned, failed)."""
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        raise AlignError(f"{out}: cannot create the output folder ({e.strerror})") from None
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
