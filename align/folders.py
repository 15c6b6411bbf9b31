"""`align pair DIR DIR`: many document pairs, each written to its own output file, through the corpus runner's
loop (align.corpus.run.run_tasks) in this process, so failures, retries and progress behave as in `align corpus`."""

from __future__ import annotations

import os
import sys

from tqdm import tqdm

from align.core.params import Params
from align.corpus.run import InlineExecutor, run_tasks
from align.errors import AlignError
from align.formats import EXTENSIONS, write
from align.pipeline import align_files
from align.score.linkscore import Calibration


def _align_one(item: tuple[str, str, str], out: str, fmt: str, src_lang: str, tgt_lang: str, segmented: bool,
               encoder, params: Params, calibration: Calibration | None = None) -> tuple[str, str | None]:
    """(name, None) once the pair's output is written, (name, reason) for a bad input."""
    name, src, tgt = item
    try:
        al = align_files(src, tgt, src_lang, tgt_lang, segmented=segmented, encoder=encoder, params=params,
                         warn=lambda msg: tqdm.write(f"align: warning: {name}: {msg}", file=sys.stderr),
                         calibration=calibration)
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
    args = (out, fmt, src_lang, tgt_lang, segmented, encoder, params, calibration)
    for name, reason in tqdm(run_tasks(InlineExecutor(), _align_one, pairs, args, 0, 1, _crashed), total=len(pairs),
                             desc="aligning", unit="doc", disable=None):
        if reason:
            failed += 1
            tqdm.write(f"align: error: {name}: {reason}", file=sys.stderr)
    return len(pairs) - failed, failed
