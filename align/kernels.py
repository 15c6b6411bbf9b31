"""The compiled functions ("kernels": the DP of align.core.dp, the naive Bayes of align.score.langid), without
numba at run time when they were built ahead of time.

A kernel is written once, in Python, under ``@kernel()`` where it had numba's ``@njit(cache=True)``. Called from
Python, it runs

1. the ahead-of-time build, when there is one for the current sources: `python -m align.warmup` (set-up) builds
   the kernels with numba.pycc, for the argument types its warm-up met, into one extension module beside the
   package (align/__pycache__/kernels_<stamp>*.so, git-ignored, as numba's cache is). Its stamp hashes the
   kernels' source files, numba's and numpy's versions, the Python ABI and the CPU (the code uses the host's
   instruction set); a module of another stamp is never loaded. A process that calls only built kernels never
   imports numba: `import numba` cost 0.19 s of CPU, numba's target set-up 0.16 s and each cached function
   loaded 0.01-0.03 s, ~0.6 s of a 2-sentence `align pair`'s 0.95 s and ~0.5 s of the main thread on
   ntrex-ar-en's 123 documents (issue 14);
2. else numba, as before: @njit(cache=True) on the same functions (compiled, or loaded from numba's cache that
   the warm-up filled). So no build, a stale one, or argument types it was not built for are only slower.

The built functions do not check their arguments (pycc's wrapper reads any array as the type it was built for),
so a call goes to one only when every argument has exactly the type numba would give it (dtype, dimensions,
layout, writeable; a scalar's type; a named tuple's class and fields), checked here without numba.typeof (that
would import numba).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.machinery
import importlib.util
import json
import os
import types
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

# The modules holding kernels: the one list of them (the stamp hashes their files; the build imports them).
KERNEL_MODULES = ("align.core.dp", "align.score.langid")
# Bumped when the layout of the description below changes, so that an older build is stale.
FORMAT = 1

ROOT = os.path.dirname(os.path.abspath(__file__))
BUILD_DIR = os.path.join(ROOT, "__pycache__")
PREFIX = "kernels_"

_KERNELS: dict[str, Kernel] = {}
_state = {"use_built": True}


class Kernel:
    """A numba function that is called through its ahead-of-time build when one fits the arguments."""

    def __init__(self, py_func: Callable[..., Any], options: dict[str, Any]):
        self.py_func = py_func
        self.options = options  # numba options besides cache=True (fastmath)
        self.name = f"{py_func.__module__}.{py_func.__qualname__}"
        self.dispatcher: Any = None  # numba's, made on the first call that needs it
        self.called = False          # called from Python through numba: the build exports it
        self._built: list[tuple[list, Callable[..., Any]]] | None = None  # (argument types, built function)
        functools.update_wrapper(self, py_func)

    def __call__(self, *args: Any) -> Any:
        if self._built is None:
            self._built = built_functions(self.name)
        for specs, fn in self._built:
            if matches(args, specs):
                return fn(*args)
        self.called = True
        return self.jit()(*args)

    def jit(self) -> Any:
        """numba's dispatcher for this function (imports numba)."""
        if self.dispatcher is None:
            _jit_module(self.py_func.__module__)
        return self.dispatcher


def kernel(**options: Any) -> Callable[[Callable[..., Any]], Kernel]:
    """Decorator: a kernel, compiled with numba's @njit(cache=True, **options) when not built ahead of time."""

    def wrap(f: Callable[..., Any]) -> Kernel:
        if f.__module__ not in KERNEL_MODULES:  # its source would not be in the stamp: a changed one would be used
            raise ValueError(f"{f.__module__}.{f.__qualname__}: add {f.__module__} to align.kernels.KERNEL_MODULES")
        k = Kernel(f, options)
        _KERNELS[k.name] = k
        return k

    return wrap


def kernels() -> list[Kernel]:
    """Every kernel of the modules imported so far."""
    return list(_KERNELS.values())


def _jit_module(module: str) -> None:
    """numba dispatchers for all the kernels of a module at once. A kernel calls the others by their global names,
    which numba must find to be dispatchers: each is compiled in a copy of the module's namespace where they are
    (the module's own names stay the kernels, which try the build first)."""
    from numba import njit

    mine = [k for k in _KERNELS.values() if k.py_func.__module__ == module]
    namespace = dict(mine[0].py_func.__globals__)
    for k in mine:
        f = k.py_func
        copy = types.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__, f.__closure__)
        copy.__qualname__, copy.__doc__ = f.__qualname__, f.__doc__
        # the same function, file and line: numba's cache is found under the same names as before
        k.dispatcher = njit(cache=True, **k.options)(copy)
        namespace[f.__name__] = k.dispatcher


# --- which build is current ----------------------------------------------------------------------------------

def _module_file(module: str) -> str:
    return os.path.join(os.path.dirname(ROOT), *module.split(".")) + ".py"


def _numba_version_file() -> bytes:
    """numba's _version.py (its version and revision), found without importing numba."""
    spec = importlib.util.find_spec("numba")
    if spec is None or spec.origin is None:
        return b""
    try:
        with open(os.path.join(os.path.dirname(spec.origin), "_version.py"), "rb") as f:
            return f.read()
    except OSError:
        return b""


def _cpu() -> str:
    """The CPU's model and instruction-set flags (Linux: the first processor of /proc/cpuinfo), else the machine
    name: the build targets the host's instruction set, so a copy on another CPU must not be used."""
    keep = []
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.strip():
                    break
                if line.startswith(("model name", "flags", "Features", "CPU implementer", "CPU part", "isa")):
                    keep.append(line.strip())
    except OSError:
        pass
    if keep:
        return "\n".join(keep)
    import platform

    return platform.machine()


@functools.lru_cache(maxsize=1)
def stamp() -> str:
    """What a build must have been built from to be used: ~0.2 ms (three small files read)."""
    h = hashlib.sha256(f"{FORMAT}|{np.__version__}|{importlib.machinery.EXTENSION_SUFFIXES[0]}".encode())
    for module in KERNEL_MODULES:
        with open(_module_file(module), "rb") as f:
            h.update(f.read())
    h.update(_numba_version_file())
    h.update(_cpu().encode())
    return h.hexdigest()[:20]


def build_name(s: str) -> str:
    return PREFIX + s


def build_paths(s: str) -> tuple[str, str]:
    """(extension module, its description: what it exports for which argument types), in BUILD_DIR."""
    base = os.path.join(BUILD_DIR, build_name(s))
    return base + importlib.machinery.EXTENSION_SUFFIXES[0], base + ".json"


# --- the build, loaded ---------------------------------------------------------------------------------------

def exports(desc: str) -> dict[str, list] | None:
    """A build's description: {kernel name: [[symbol, argument types], ...]}; None when missing or half written."""
    try:
        with open(desc, encoding="utf-8") as f:
            return json.load(f)["exports"]
    except (OSError, ValueError, KeyError):
        return None


@functools.lru_cache(maxsize=1)
def _load() -> tuple[Any, dict[str, list]] | None:
    """(module, its exports) of the current build; None without one."""
    so, desc = build_paths(stamp())
    table = exports(desc)
    if table is None:
        return None
    try:
        spec = importlib.util.spec_from_file_location(build_name(stamp()), so)
        if spec is None or spec.loader is None:
            return None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except (OSError, ImportError):
        return None  # missing or unloadable: numba does it
    return module, table


def built_functions(name: str) -> list[tuple[list, Callable[..., Any]]]:
    """A kernel's built functions with the argument types each takes; none when builds are off or missing."""
    if not _state["use_built"]:
        return []
    loaded = _load()
    if loaded is None:
        return []
    module, table = loaded
    # a name the module lacks: its description was replaced by a newer build's while this process started
    return [(specs, getattr(module, symbol)) for symbol, specs in table.get(name, []) if hasattr(module, symbol)]


@contextlib.contextmanager
def numba_only() -> Iterator[None]:
    """Kernels called inside go through numba, built or not (the warm-up: numba's cache is the fallback, and the
    argument types it meets are what the build is for)."""
    before = _state["use_built"]
    _state["use_built"] = False
    _forget()
    try:
        yield
    finally:
        _state["use_built"] = before
        _forget()


def _forget() -> None:
    """Every kernel looks again for its built functions on its next call."""
    _load.cache_clear()
    stamp.cache_clear()
    for k in _KERNELS.values():
        k._built = None


# --- argument types, as numba would see them -----------------------------------------------------------------

# numba's name of a scalar type -> the Python types numba gives it
_SCALARS: dict[str, tuple[type, ...]] = {
    "float64": (float, np.float64), "float32": (np.float32,),
    "int64": (int, np.int64), "int32": (np.int32,), "uint8": (np.uint8,), "bool": (bool, np.bool_),
}


def _layout(a: np.ndarray) -> str:
    return "C" if a.flags.c_contiguous else "F" if a.flags.f_contiguous else "A"


def matches_one(x: Any, spec: list) -> bool:
    """Whether numba would type x as spec: ["array", dtype, ndim, layout, readonly], ["scalar", name] or
    ["tuple", class, [field specs]] (a named tuple)."""
    kind = spec[0]
    if kind == "array":
        return (isinstance(x, np.ndarray) and x.dtype == np.dtype(spec[1]) and x.ndim == spec[2]
                and _layout(x) == spec[3] and (not x.flags.writeable) == spec[4] and x.flags.aligned)
    if kind == "scalar":
        return type(x) in _SCALARS.get(spec[1], ())
    if kind == "tuple":
        cls = type(x)
        return (f"{cls.__module__}.{cls.__qualname__}" == spec[1] and len(x) == len(spec[2])
                and all(matches_one(v, s) for v, s in zip(x, spec[2])))
    return False


def matches(args: tuple, specs: list) -> bool:
    return len(args) == len(specs) and all(matches_one(x, s) for x, s in zip(args, specs))
