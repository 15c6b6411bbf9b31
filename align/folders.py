"""`align pair DIR DIR`: many document pairs, each written to its own output file, through the corpus runner's
loop (align.corpus.run.run_tasks) in this process, so failures, retries and progress behave as in `align corpus`."""

from __future__ import annotations

import os
import sys
from concurrent.futures import Future, ThreadPoolExecutor

from tqdm import tqdm

from align.core.params import Params
from align.corpus.run import InlineExecutor, run_tasks
from align.errors import AlignError
from align.formats import EXTENSIONS, write
from align.pipeline import align_files
from align.score.linkscore import Calibration


# Pairs read and encoded ahead of the one being aligned, by READERS threads at once. One pair ahead, read by one
# thread, left both cores idle between pairs (the thread's own reading, tokenizing and bookkeeping, ~3 ms a pair)
# and whenever a pair's DP and QA checks outlasted the next pair's encoding (the first pair's: numba's cache load).
# unpc-ar-en, lanes timed in the process (machine shared, load 2.7-4.5): no lane at work 1.8-2.7 s of the run and
# one of two 1.2-3.3 s; this way 0.0-0.1 s and 0.2-0.6 s. Each pair's vectors stay within 1 / (DEPTH + 1) of the memo.
DEPTH = 3
READERS = 2


class _Ahead:
    """While one pair is aligned, background threads read the next DEPTH pairs and encode their segments (the DP, QA
    checks and writing of a pair leave one of two cores idle). Two at a time: one thread's reading and bookkeeping
    overlaps the other's encoding, so the encoder's lanes always have a micro-batch waiting."""

    def __init__(self, pairs: list[tuple[str, str, str]], src_lang: str, tgt_lang: str, segmented: bool, encoder):
        self.pairs = pairs
        self.index = {p[0]: k for k, p in enumerate(pairs)}
        self.langs, self.segmented, self.encoder = (src_lang, tgt_lang), segmented, encoder
        self.futures: dict[str, Future] = {}
        self.submitted = 0  # pairs[:submitted] have been handed to the readers
        self.pool: ThreadPoolExecutor | None = None

    def take(self, name: str):
        """The pair's documents, read and encoded ahead (None if reading failed: read again in turn, where the
        error is reported); starts on the DEPTH pairs after it."""
        k = self.index[name]
        self._submit_until(k + 1 + DEPTH)
        fut = self.futures.pop(name, None)
        docs = fut.result() if fut is not None else None
        if k + 1 >= len(self.pairs) and self.pool is not None:
            self.pool.shutdown(wait=False)
        return docs

    def _submit_until(self, end: int) -> None:
        from align.pipeline import stopping

        if self.pool is None:
            # its threads are not daemons (see align.pipeline.stopping) and are joined when the interpreter exits
            self.pool = ThreadPoolExecutor(READERS, thread_name_prefix="read-ahead")
        while self.submitted < min(end, len(self.pairs)) and not stopping.is_set():
            item = self.pairs[self.submitted]
            self.futures[item[0]] = self.pool.submit(self._read, item)
            self.submitted += 1

    def _read(self, item: tuple[str, str, str]):
        from align.io import read_document
        from align.pipeline import encode_ahead, stopping

        _, src, tgt = item
        if stopping.is_set():
            return None
        try:
            docs = (read_document(src, self.langs[0], segmented=self.segmented),
                    read_document(tgt, self.langs[1], segmented=self.segmented))
        except Exception:  # noqa: BLE001 - read again in turn, where the error is reported
            return None
        # each pair's share of the memo: the vectors of DEPTH + 1 pairs are held at once
        thread = encode_ahead(self.encoder, *docs, share=1 / (DEPTH + 1))
        if thread is not None:
            thread.join()
        return docs


def _align_one(item: tuple[str, str, str], out: str, fmt: str, src_lang: str, tgt_lang: str, segmented: bool,
               encoder, params: Params, calibration: Calibration | None = None,
               ahead: _Ahead | None = None) -> tuple[str, str | None]:
    """(name, None) once the pair's output is written, (name, reason) for a bad input."""
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
    args = (out, fmt, src_lang, tgt_lang, segmented, encoder, params, calibration, ahead)
    for name, reason in tqdm(run_tasks(InlineExecutor(), _align_one, pairs, args, 0, 1, _crashed), total=len(pairs),
                             desc="aligning", unit="doc", disable=None):
        if reason:
            failed += 1
            tqdm.write(f"align: error: {name}: {reason}", file=sys.stderr)
    return len(pairs) - failed, failed
