"""Compile every numba function once, at set-up, so that no run compiles at run time, then build them ahead of
time so that a run need not even load numba.

    python -m align.warmup          (make demo / make test run it after installing)

The DP (align.core.dp, align.core.band) and the language identifier (align.score.langid) are numba functions
with ``cache=True``: compiled on their first call, then stored beside their sources (``__pycache__/*.nbi,
*.nbc``; numba falls back to a per-user cache directory where that is read-only) and loaded from there by every
later process. Without this step the first `align pair` after an install spent 11 s compiling, and so did every
fresh CI runner, container and Dask worker without the cache.

A compiled function is stored per argument types, so the warm-up goes through the real code paths, with the
types a run uses: it aligns made-up documents read from files, as `align pair` does, small ones (the full DP
matrix), a long one (the banded coarse-to-fine DP) and raw text (paragraphs with anchors, then sentences), with
the lexical encoder (float32 vectors like every encoder's, no model to load), QA checks included.

Then the same functions are built ahead of time for the argument types the warm-up met (align.kernels_build:
numba.pycc, 5.5 s here: set-up 9.7 -> 15.1 s), into one extension module a run calls without importing numba
(a 2-sentence `align pair`: 0.77 -> 0.40 s). Where that cannot be built (no C compiler, a numba without pycc),
runs use numba's cache filled above.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from align import kernels

# Two languages in two scripts, with numbers (paragraph anchors) and sentences long enough for the language check.
_AR = "المادة {i}: لكل شخص الحق في التعليم والعمل والراحة وفقا للقرار رقم {i} الذي اعتمدته الجمعية العامة في دورتها."
_EN = "Article {i}: everyone has the right to education, work and rest under resolution {i} of the General Assembly."


def _lines(template: str, n: int) -> list[str]:
    return [template.format(i=i + 1) for i in range(n)]


def _write(path: str, text: str) -> str:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def warm_up(verbose: bool = False) -> float:
    """Align the made-up documents; seconds taken (compiling, the first time)."""
    from align.core.params import Params
    from align.encode import get_encoder
    from align.pipeline import align_files

    start = time.perf_counter()
    encoder = get_encoder("lexical")
    # through numba, even where a build exists: its cache is the fallback, and the build is made for these types
    with kernels.numba_only(), tempfile.TemporaryDirectory() as tmp:
        runs = []
        for name, n, segmented in (("small", 12, True), ("long", 600, True), ("raw", 8, False)):
            sep = "\n" if segmented else "\n\n"
            src = _write(os.path.join(tmp, f"{name}.ar"), sep.join(_lines(_AR, n)) + "\n")
            # the target merges two sentences: multi-segment links are encoded for real
            en = _lines(_EN, n)
            en[1:3] = [en[1] + " " + en[2]]
            tgt = _write(os.path.join(tmp, f"{name}.en"), sep.join(en) + "\n")
            runs.append((name, src, tgt, segmented))
        for name, src, tgt, segmented in runs:
            t0 = time.perf_counter()
            align_files(src, tgt, "ar", "en", segmented=segmented, encoder=encoder, params=Params())
            if verbose:
                print(f"align warm-up: {name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        _corpus_worker(runs[0][1], runs[0][2], encoder)
    return time.perf_counter() - start


def _corpus_worker(src: str, tgt: str, encoder) -> None:
    """One document as a corpus worker aligns it (align.corpus.task): its fresh memo hands the aligner the new
    vectors read-only, another argument type than `align pair` gives (a fresh Dask worker compiled it: 1 s)."""
    from align.corpus.config import Doc
    from align.corpus.task import Job, align_doc

    result = align_doc(Doc("warm-up", src, tgt, segmented=True), Job("ar", "en", encoder="lexical"), encoder)
    if not result["ok"]:
        raise RuntimeError(f"warm-up: the corpus worker's document failed: {result['reason']}")


def decode_model() -> None:
    """Leave the bundled model's weights decoded for later processes to map (align.encode.use_weights)."""
    from align.encode.use import USEEncoder

    USEEncoder()._model()


def _first_line(e: BaseException) -> str:
    """An error's type and first line (pycc's error for a missing C compiler goes on with advice for conda)."""
    lines = str(e).strip().splitlines()
    return f"{type(e).__name__}: {lines[0] if lines else ''}"


def build_ahead() -> None:
    """Build the kernels ahead of time (after warm_up in this process), or say why runs will use numba."""
    from align import kernels_build

    start = time.perf_counter()
    try:
        built = kernels_build.build()
    except Exception as e:  # no C compiler, no numba.pycc, a read-only package folder: numba's cache does it
        print(f"align: numba functions not built ahead of time, runs will load them from numba's cache "
              f"({_first_line(e)})", file=sys.stderr)
        return
    what = "built ahead of time" if built else "already built ahead of time"
    print(f"align: numba functions {what} ({time.perf_counter() - start:.1f} s)", file=sys.stderr)


def main() -> None:
    secs = warm_up(verbose="-v" in sys.argv[1:])
    print(f"align: numba functions compiled and cached ({secs:.1f} s)", file=sys.stderr)
    build_ahead()
    decode_model()


if __name__ == "__main__":
    main()
