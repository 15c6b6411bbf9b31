"""`align pair DIR DIR`: many document pairs, each written to its own output file, through the corpus runner's
loop (align.corpus.run.run_tasks) in this process, so failures, retries and progress behave as in `align corpus`."""

from __future__ import annotations

import os
import sys
import threading

from tqdm import tqdm

from align.core.params import Params
from align.corpus.run import InlineExecutor, run_tasks
from align.errors import AlignError
from align.formats import EXTENSIONS, write
from align.pipeline import align_files
from align.score.linkscore import Calibration


class _Ahead:
    """While one pair is aligned, a background thread reads the next and encodes its segments (the DP, QA checks
    and writing of a pair leave one of two cores idle)."""

    def __init__(self, pairs: list[tuple[str, str, str]], src_lang: str, tgt_lang: str, segmented: bool, encoder):
        self.after = {a[0]: b for a, b in zip(pairs, pairs[1:])}
        self.langs, self.segmented, self.encoder = (src_lang, tgt_lang), segmented, encoder
        self.thread: threading.Thread | None = None
        self.docs: dict[str, tuple] = {}

    def take(self, name: str):
        """The pair's documents if they were read ahead, else None; and starts on the next pair."""
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        docs = self.docs.pop(name, None)
        nxt = self.after.get(name)
        if nxt is not None:
            # not a daemon: see align.pipeline.stopping
            self.thread = threading.Thread(target=self._read, args=(nxt,), name="read-ahead")
            self.thread.start()
        return docs

    def _read(self, item: tuple[str, str, str]) -> None:
        from align.io import read_document
        from align.pipeline import encode_ahead, stopping

        name, src, tgt = item
        if stopping.is_set():
            return
        try:
            docs = (read_document(src, self.langs[0], segmented=self.segmented),
                    read_document(tgt, self.langs[1], segmented=self.segmented))
        except Exception:  # noqa: BLE001 - read again in turn, where the error is reported
            return
        self.docs[name] = docs
        thread = encode_ahead(self.encoder, *docs)
        if thread is not None:
            thread.join()


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
