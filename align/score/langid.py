"""py3langid's language identifier for many texts at once: the same model, features and probabilities as
``LanguageIdentifier.rank(text)``, for a whole document's segments in one compiled pass.

Why by hand: py3langid walks its byte automaton in a Python loop and scores each text with a float16 table
gathered per call (numpy converts float16 slowly): 0.28 ms a segment, 2.0 s of CPU for unpc-ar-en's 7,060
segments, a fifth of the whole run. Here the walk and the naive-Bayes sums run in numba over all texts
together: the model's own arrays, read from py3langid's public attributes, so a new py3langid model is picked up
as is; tests/test_score_langid.py compares the probabilities with py3langid's own on every test text.
Decoding py3langid's compressed model takes 0.5-0.9 s, so its arrays are kept decoded beside the compiled code
(93 MB, written by the first process, `python -m align.warmup` at set-up) and mapped by the next ones (3 ms).
"""

from __future__ import annotations

import functools
import math
import os
import unicodedata
from dataclasses import dataclass

import numpy as np

from align import mapped
from align.kernels import kernel


@dataclass(frozen=True)
class _Model:
    nextmove: np.ndarray   # distinct automaton rows, 256 next states each, flattened
    rowbase: np.ndarray    # state -> offset of its row in nextmove
    output: np.ndarray     # state -> feature id emitted on entering it, or -1
    ptc: np.ndarray        # (features, classes) log P(feature | class): py3langid's float16 values in float32
    counts: np.ndarray     # scratch: a text's count per feature, all 0 between calls (zeroing it per call cost
                           # more than identifying a segment)
    pc: np.ndarray         # (classes,) log P(class)
    classes: tuple[str, ...]
    first: dict[str, int]  # language -> its column (a language listed twice, as "sr" is, is folded into the first)
    aliases: tuple[tuple[int, int], ...]


_ARRAYS = ("nextmove", "rowbase", "output", "ptc", "pc")
FAMILY = "langid-"   # the decoded arrays' folders: langid-f32-<py3langid version>-<model file size>-<time>


def _decoded_dir() -> str:
    """Where the model's decoded arrays are kept, beside the compiled code, named by the model file it was read
    from (py3langid's version, the file's size and time)."""
    import py3langid
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    st = os.stat(MODEL_DIR / MODEL_FILE)
    name = f"{FAMILY}f32-{getattr(py3langid, '__version__', '')}-{st.st_size}-{st.st_mtime_ns}"
    return os.path.join(os.path.dirname(__file__), "__pycache__", name)


def _decode() -> dict[str, np.ndarray]:
    """The model's arrays from py3langid's compressed file: 0.5-0.9 s a process (LZMA, then list and array
    copies), more than the checks of a whole UN document."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return {"nextmove": np.asarray(ident.tk_nextmove, dtype=np.uint32),
            "rowbase": np.asarray(ident.tk_row, dtype=np.int64) << 8,
            "output": np.asarray(ident.tk_output, dtype=np.int32),
            # float32, exactly py3langid's float16 values: numba has no float16 on the CPU, and converting the rows
            # of the features a run meets cost 0.09 s of CPU a process (ntrex-ar-en), more than identifying them
            "ptc": np.ascontiguousarray(np.asarray(ident.nb_ptc, dtype=np.float16), dtype=np.float32),
            "pc": np.asarray(ident.nb_pc, dtype=np.float32),
            "classes": np.array(ident.nb_classes)}


def _load_arrays() -> dict[str, np.ndarray]:
    """The decoded arrays, mapped from their files when an earlier process (python -m align.warmup at set-up)
    left them, else decoded and left for the next one (align.mapped)."""
    where = _decoded_dir()
    arrays = mapped.load(where, _ARRAYS + ("classes",))
    if arrays is None:
        arrays = _decode()
        mapped.save(where, arrays, FAMILY)
    return arrays


@functools.lru_cache(maxsize=1)
def _model() -> _Model:
    a = _load_arrays()
    classes = tuple(str(c) for c in a["classes"])
    first: dict[str, int] = {}
    aliases = []
    for i, c in enumerate(classes):
        if c in first:
            aliases.append((first[c], i))
        else:
            first[c] = i
    n = len(a["ptc"])
    return _Model(a["nextmove"], a["rowbase"], a["output"], a["ptc"], np.zeros(n, dtype=np.int32), a["pc"], classes,
                  first, tuple(aliases))


def _bytes(text: str) -> bytes:
    """What py3langid reads: the text lower-cased when it is all upper case, NFC, UTF-8."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")


@kernel()
def _naive_bayes(data, starts, nextmove, rowbase, output, ptc, counts, pc):  # pragma: no cover
    """Raw class scores per text: sum over the features the automaton emits of log(1 + count) x log P(f|c),
    plus log P(c); 0 for a text without features (as py3langid's normalised mode has it)."""
    n, ncls = len(starts) - 1, ptc.shape[1]
    out = np.zeros((n, ncls), dtype=np.float32)
    longest = 0
    for i in range(n):
        longest = max(longest, starts[i + 1] - starts[i])
    seen = np.empty(longest, dtype=np.int64)
    for i in range(n):
        state, m = 0, 0
        for b in range(starts[i], starts[i + 1]):
            state = nextmove[rowbase[state] + data[b]]
            f = output[state]
            if f >= 0:
                if counts[f] == 0:
                    seen[m] = f
                    m += 1
                counts[f] += 1
        if m == 0:
            continue
        for t in range(m):
            f = seen[t]
            w = np.float32(math.log1p(counts[f]))
            counts[f] = 0
            for k in range(ncls):
                out[i, k] += w * ptc[f, k]
        for k in range(ncls):
            out[i, k] += pc[k]
    return out


def probabilities(texts: list[str]) -> np.ndarray:
    """(texts, classes) probabilities, rows summing to 1; the columns are ``classes()``."""
    m = _model()
    encoded = [_bytes(t) for t in texts]
    starts = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=starts[1:])
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    scores = _naive_bayes(data, starts, m.nextmove, m.rowbase, m.output, m.ptc, m.counts, m.pc)
    # softmax at temperature sqrt(bytes), py3langid's calibration across lengths
    scores *= (1.0 / np.sqrt(np.maximum(np.diff(starts), 1))).astype(np.float32)[:, None]
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    for i, j in m.aliases:
        scores[:, i] += scores[:, j]
        scores[:, j] = 0.0
    return scores


def classes() -> tuple[str, ...]:
    return _model().classes


def column(lang: str) -> int | None:
    """The column of a language in ``probabilities``, None if the model does not know it."""
    return _model().first.get(lang)
