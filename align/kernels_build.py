"""Build the kernels (align.kernels) ahead of time with numba.pycc, for the argument types a warm-up met.

    python -m align.warmup     (set-up: warms numba up, then builds; nothing to do when the current build is there)

One extension module of every kernel called from Python, one exported function per argument types (a kernel
called with two layouts is built twice), compiled from the same Python functions numba JIT-compiles, with the
same types, for the host's CPU, as numba's JIT does: the two give the same numbers. Kernels only called by other
kernels are compiled into their callers.

numba.pycc is pending deprecation (since numba 0.57; present and working in 0.68.1): when numba drops it, build()
raises the ImportError, the warm-up prints it, and runs use numba's cache as before. Likewise without a C compiler
(pycc compiles numba's runtime helpers with it) or where the package folder is read-only.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import warnings
from typing import Any

import numpy as np

from align import kernels
from align.formats import atomic_open


class Unsupported(Exception):
    """An argument type the run-time check (align.kernels.matches_one) cannot recognise: not built."""


def spec(ty: Any) -> list:
    """A numba argument type as align.kernels.matches_one reads it (JSON)."""
    from numba.core import types

    if isinstance(ty, types.Array):
        if not ty.aligned:
            raise Unsupported(str(ty))
        np.dtype(str(ty.dtype))  # a dtype numpy names the same way, or TypeError
        return ["array", str(ty.dtype), ty.ndim, ty.layout, not ty.mutable]
    if isinstance(ty, (types.NamedTuple, types.NamedUniTuple)):
        cls = ty.instance_class
        return ["tuple", f"{cls.__module__}.{cls.__qualname__}", [spec(t) for t in ty.types]]
    if isinstance(ty, (types.Float, types.Integer, types.Boolean)) and str(ty) in kernels._SCALARS:
        return ["scalar", str(ty)]
    raise Unsupported(str(ty))


def entries() -> list[tuple[kernels.Kernel, Any]]:
    """(kernel, full signature) for every kernel called from Python through numba in this process, per argument
    types it was called with."""
    out = []
    for k in kernels.kernels():
        if not k.called or k.dispatcher is None:
            continue
        if k.options:
            # pycc compiles an exported function with numba's default options: this one stays with numba
            print(f"align: {k.name} not built ahead of time: numba options {k.options}", file=sys.stderr)
            continue
        out += [(k, k.dispatcher.overloads[sig].signature) for sig in k.dispatcher.signatures]
    return out


def _compiler(name: str) -> Any:
    """pycc's compiler of one extension module, for this CPU (numba's JIT targets it too)."""
    from numba.core.errors import NumbaPendingDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumbaPendingDeprecationWarning)  # said in the docstring above
        from numba.pycc import CC
    cc = CC(name, source_module=kernels)
    cc.target_cpu = "host"
    return cc


def _remove_others(keep: str) -> None:
    """Builds of other stamps: stale (a loaded one stays mapped in its process)."""
    for f in os.listdir(kernels.BUILD_DIR):
        if f.startswith(kernels.PREFIX) and not f.startswith(kernels.build_name(keep) + "."):
            try:
                os.unlink(os.path.join(kernels.BUILD_DIR, f))
            except OSError:
                pass


def _symbol(k: kernels.Kernel, specs: list) -> str:
    """An exported function's name, from its kernel and argument types: a description and a module of two builds
    (one replacing the other) can only miss each other's names, never call one with another's types."""
    return f"{k.py_func.__name__}__{hashlib.sha1(json.dumps(specs).encode()).hexdigest()[:12]}"


def plan() -> list[tuple[str, kernels.Kernel, Any, list]]:
    """(exported name, kernel, signature, argument types) of every function to build."""
    out = []
    for k, sig in entries():
        try:
            specs = [spec(t) for t in sig.args]
        except Unsupported as e:
            print(f"align: {k.name}{sig.args} not built ahead of time: argument type {e}", file=sys.stderr)
            continue
        out.append((_symbol(k, specs), k, sig, specs))
    return out


def _table(todo: list[tuple[str, kernels.Kernel, Any, list]]) -> dict[str, list]:
    """The description's exports: kernel name -> [[exported name, argument types], ...]."""
    table: dict[str, list] = {}
    for symbol, k, _, specs in todo:
        table.setdefault(k.name, []).append([symbol, specs])
    return table


def build() -> bool:
    """Build the module of the current stamp from the kernels called in this process (after a warm-up); False
    when it is there already, for the same argument types. The module is moved into place whole, then its
    description, which makes it used."""
    stamp = kernels.stamp()
    so, desc = kernels.build_paths(stamp)
    todo = plan()
    if not todo:
        raise RuntimeError("no kernel was called through numba in this process: warm up first")
    table = _table(todo)
    if os.path.exists(so) and kernels.exports(desc) == table:
        return False
    cc = _compiler(kernels.build_name(stamp))
    for symbol, k, sig, _ in todo:
        cc.export(symbol, sig)(k.dispatcher.py_func)  # the function numba compiled, in its namespace of dispatchers
    os.makedirs(kernels.BUILD_DIR, exist_ok=True)
    cc.output_dir = kernels.BUILD_DIR
    cc.output_file = f"{os.path.basename(so)}.{os.getpid()}.tmp"
    cc.compile()
    os.replace(os.path.join(kernels.BUILD_DIR, cc.output_file), so)
    with atomic_open(desc) as f:
        json.dump({"stamp": stamp, "exports": table}, f)
    _remove_others(stamp)
    return True
