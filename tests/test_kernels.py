"""The kernels built ahead of time (align.kernels): used when current, the same results as numba's, no numba
imported; numba when the build is stale, missing or not made for the arguments."""

import os
import shutil
import subprocess
import sys
import sysconfig

import numpy as np
import pytest

from align import kernels
from align.core import dp
from align.core.band import full
from align.core.params import Params

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "seeds")


def _set_up() -> subprocess.CompletedProcess:
    """python -m align.warmup in its own process, as `make setup-test` runs it."""
    return subprocess.run([sys.executable, "-m", "align.warmup"], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": ROOT})


@pytest.fixture(scope="module")
def built():
    """The build of the current sources: `make setup-test` made it; made here (~15 s) when it did not run."""
    kernels._forget()
    if kernels._load() is None:
        if not shutil.which(str(sysconfig.get_config_var("CC") or "cc").split()[0]):
            pytest.skip("no C compiler: the kernels cannot be built ahead of time (runs use numba)")
        out = _set_up()
        assert out.returncode == 0, out.stderr
        kernels._forget()
    assert kernels._load() is not None
    yield
    kernels._forget()


def _forbid_numba(monkeypatch):
    """From here on, a kernel call that would go to numba instead of the build fails the test."""
    def jit(self):
        raise AssertionError(f"{self.name} went to numba")

    monkeypatch.setattr(kernels.Kernel, "jit", jit)


def _doc(n, m, d=16, seed=0):
    rng = np.random.default_rng(seed)
    vs, vt = rng.standard_normal((n, d)).astype(np.float32), rng.standard_normal((m, d)).astype(np.float32)
    vs /= np.linalg.norm(vs, axis=1, keepdims=True)
    vt /= np.linalg.norm(vt, axis=1, keepdims=True)
    return vs, vt, rng.uniform(5, 40, n), rng.uniform(5, 40, m)


def _dp_round(vs, vt, ls, lt, dense):
    """One DP round as the aligner runs it: every DP kernel, with the argument types a run gives them."""
    from align.core.aligner import link_types

    types = link_types(Params())
    lo, hi = full(len(vs), len(vt))
    S, lenS = dp.block_vectors(vs, ls, int(types[:, 0].max()))
    T, lenT = dp.block_vectors(vt, lt, int(types[:, 1].max()))
    bonS, bonT = np.full(S.shape[:2], 0.05), np.full(T.shape[:2], 0.05)
    bonS[0] = bonT[0] = 0.0
    gp = dp.gain_params(Params(), 1.1, offset=0.1)
    D = dp.dense_sims(S, T) if dense else np.zeros((0, 0, 0, 0), np.float32)
    G, SIM = dp.gain_table(S, T, lenS, lenT, bonS, bonT, types, lo, hi, gp, D)
    fwd, back = dp.forward(G, types, lo, hi)
    n, m = len(vs), len(vt)
    path = dp.trace(back, types, lo, n, m)
    TH = dp.through_table(G, types, lo, hi, fwd, dp.backward(G, types, lo, hi))
    p_i, p_j, p_t = (np.array(x, dtype=np.int64) for x in zip(*path))
    margins = dp.link_margins(TH, types, lo, hi, fwd[n, m - lo[n]], p_i, p_j, p_t)
    ro_s, ro_t = vs.copy(), vt.copy()
    ro_s.setflags(write=False)
    ro_t.setflags(write=False)  # as a corpus worker's fresh memo hands them over
    return [dp.typical_match(vs, vt, lo, hi), dp.typical_match(ro_s, ro_t, lo, hi), G, SIM, fwd, back, TH, margins]


def _same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert np.array_equal(np.asarray(x), np.asarray(y))


@pytest.mark.parametrize("dense", [True, False])
def test_built_dp_gives_numba_numbers(built, monkeypatch, dense):
    doc = _doc(23, 27)
    with kernels.numba_only():
        want = _dp_round(*doc, dense)
    _forbid_numba(monkeypatch)
    _same(_dp_round(*doc, dense), want)


def test_built_language_identifier_gives_numba_probabilities(built, monkeypatch):
    from align.score import langid

    texts = ["Everyone has the right to education.", "لكل شخص الحق في التعليم.", "", "Jeder hat das Recht, ECHT."]
    with kernels.numba_only():
        want = langid.probabilities(texts)
    _forbid_numba(monkeypatch)
    _same(langid.probabilities(texts), want)


def test_a_run_with_the_build_imports_no_numba(built, tmp_path):
    code = ("import sys\n"
            "from align.encode import get_encoder\n"
            "from align.pipeline import align_files\n"
            f"align_files({os.path.join(SEEDS, 'udhr_arb.txt')!r}, {os.path.join(SEEDS, 'udhr_eng.txt')!r}, 'ar', 'en',"
            " encoder=get_encoder('lexical'))\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numba', 'llvmlite')))\n")
    env = {**os.environ, "PYTHONPATH": ROOT, "ALIGN_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.fixture
def stale(monkeypatch):
    """The build no longer matches: another numba version."""
    monkeypatch.setattr(kernels, "_numba_version_file", lambda: b"version 0.0")
    kernels._forget()
    yield
    monkeypatch.undo()
    kernels._forget()


def test_a_stale_build_is_not_used_and_numba_gives_the_same(built, stale):
    assert kernels._load() is None
    assert kernels.built_functions("align.core.dp.forward") == []
    doc = _doc(9, 11, seed=3)
    got = _dp_round(*doc, True)
    assert dp.forward.dispatcher is not None  # numba did it
    kernels._forget()
    with kernels.numba_only():
        _same(got, _dp_round(*doc, True))


def test_a_missing_build_is_not_used(monkeypatch, tmp_path):
    monkeypatch.setattr(kernels, "BUILD_DIR", str(tmp_path))
    kernels._forget()
    try:
        assert kernels._load() is None and kernels.built_functions("align.core.dp.forward") == []
    finally:
        monkeypatch.undo()
        kernels._forget()


def test_the_stamp_follows_the_kernel_sources(monkeypatch, tmp_path):
    copy = tmp_path / "dp.py"
    shutil.copy(os.path.join(ROOT, "align", "core", "dp.py"), copy)
    monkeypatch.setattr(kernels, "_module_file", lambda m: str(copy) if m == "align.core.dp" else
                        os.path.join(ROOT, *m.split(".")) + ".py")
    kernels.stamp.cache_clear()
    before = kernels.stamp()
    copy.write_text(copy.read_text() + "\n# edited\n")
    kernels.stamp.cache_clear()
    assert kernels.stamp() != before
    monkeypatch.undo()
    kernels._forget()


def test_set_up_again_does_not_build_again(built):
    out = _set_up()
    assert out.returncode == 0 and "already built ahead of time" in out.stderr, out.stderr


def test_arguments_match_only_the_types_numba_would_give_them():
    f32 = ["array", "float32", 2, "C", False]
    a = np.zeros((3, 4), np.float32)
    assert kernels.matches_one(a, f32)
    assert not kernels.matches_one(a.astype(np.float64), f32)        # dtype
    assert not kernels.matches_one(a[None], f32)                     # dimensions
    assert not kernels.matches_one(a[:, ::2], f32)                   # layout: not contiguous
    assert kernels.matches_one(a[:, ::2], ["array", "float32", 2, "A", False])
    assert not kernels.matches_one(np.asfortranarray(a), f32)
    ro = np.frombuffer(b"abc", dtype=np.uint8)                       # read-only, as langid's text bytes
    assert kernels.matches_one(ro, ["array", "uint8", 1, "C", True])
    assert not kernels.matches_one(ro, ["array", "uint8", 1, "C", False])
    assert not kernels.matches_one(a.tolist(), f32)
    assert kernels.matches_one(1.5, ["scalar", "float64"]) and kernels.matches_one(np.float64(1), ["scalar", "float64"])
    assert not kernels.matches_one(1, ["scalar", "float64"]) and not kernels.matches_one(True, ["scalar", "int64"])
    gp = dp.gain_params(Params(), 1.0)
    tup = ["tuple", "align.core.dp.GainParams", [["scalar", "float64"]] * len(gp)]
    assert kernels.matches_one(gp, tup)
    assert not kernels.matches_one(tuple(gp), tup)                   # a plain tuple: another numba type
    assert not kernels.matches_one(gp._replace(offset=1), tup)       # an int field
    assert kernels.matches((a, 1.5), [f32, ["scalar", "float64"]]) and not kernels.matches((a,), [f32, f32])


def test_set_up_without_a_compiler_says_so_in_one_line(monkeypatch, capsys):
    from align import kernels_build, warmup

    def fail():
        raise RuntimeError("Attempted to compile AOT function without the compiler\n\n#> conda install gcc")

    monkeypatch.setattr(kernels_build, "build", fail)
    warmup.build_ahead()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not built ahead of time" in err and "without the compiler" in err


def test_a_kernel_outside_the_listed_modules_is_refused():
    def f(x):
        return x

    f.__module__ = "align.elsewhere"
    with pytest.raises(ValueError, match="KERNEL_MODULES"):
        kernels.kernel()(f)
