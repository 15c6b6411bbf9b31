"""Model arrays kept decoded beside the code as .npy files, so that a process maps them instead of decoding the
model's own compressed file (align.score.langid: py3langid's model; align.encode.use_weights: the USE weights).

A folder per model file, named by the family and what the arrays were built from; written whole or not at all
(a temporary folder renamed into place), by `python -m align.warmup` at set-up or the first process that needs
it; nothing is written where the package folder is read-only. Mapped copy-on-write: pages are read as they are
used and shared by every process, and the arrays stay writable (the type numba compiled for).
"""

from __future__ import annotations

import os
import shutil
import tempfile

import numpy as np


def load(where: str, names: list[str] | tuple[str, ...]) -> dict[str, np.ndarray] | None:
    """The arrays of a folder save() wrote, mapped (np.memmap); None when it is not there or not whole."""
    try:
        return {k: np.load(os.path.join(where, k + ".npy"), mmap_mode="c") for k in names}
    except (OSError, ValueError):
        return None


def save(where: str, arrays: dict[str, np.ndarray], family: str) -> None:
    """Write the arrays as the folder ``where`` in one step, then remove the folders of the same family (names
    starting with ``family``) that an earlier version or layout left beside it (tens of MB each)."""
    if os.path.isdir(where):
        return
    folder = os.path.dirname(where)
    tmp = None
    try:
        os.makedirs(folder, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".tmp-" + family, dir=folder)
        for k, a in arrays.items():
            np.save(os.path.join(tmp, k + ".npy"), a)
        os.replace(tmp, where)  # all the files at once; a process that lost the race keeps its own
        tmp = None
        drop_older(where, family)
    except OSError:
        pass
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def drop_older(where: str, family: str) -> None:
    """Remove the folders of this family beside ``where`` other than it."""
    folder, mine = os.path.split(where)
    for name in os.listdir(folder):
        if name.startswith(family) and name != mine:
            shutil.rmtree(os.path.join(folder, name), ignore_errors=True)
