"""The corpus runner's guards: one run per output folder, a time limit per document, short work-file names for
any doc_id, pool workers that die with their parent, and one loop for every executor."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from align.corpus.config import load_config

from align.corpus.run import build_corpus
from align.corpus.run import InlineExecutor, part_name, run_tasks
from align.corpus.task import Job
from align.errors import AlignError
from test_corpus import make_corpus


@pytest.fixture()
def cfg(tmp_path):
    return load_config(make_corpus(tmp_path / "in"))


def test_a_second_run_into_the_same_folder_is_refused_with_the_holder(cfg, tmp_path):
    import fcntl

    out = tmp_path / "out"
    build_corpus(cfg, str(out), progress=False)
    with open(out / ".work" / "lock", "a+") as held:   # as a run in progress holds it
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.truncate(0)
        held.write("4242")
        held.flush()
        with pytest.raises(AlignError, match=r"being built by another `align corpus` run \(pid 4242\)"):
            build_corpus(cfg, str(out), progress=False)
    assert build_corpus(cfg, str(out), progress=False).skipped == 4   # free again: resumes as usual


def test_a_document_over_its_time_limit_becomes_a_failure_record(cfg, tmp_path, monkeypatch):
    import align.corpus.run as run

    real = run.align_doc

    def stuck_on_b(doc, job, encoder):
        if doc.doc_id == "b":
            while True:   # a reader in an endless loop
                time.sleep(0.01)
        return real(doc, job, encoder)

    monkeypatch.setattr(run, "align_doc", stuck_on_b)
    start = time.perf_counter()
    s = build_corpus(cfg, str(tmp_path / "out"), progress=False, timeout=0.5)
    assert time.perf_counter() - start < 30
    assert [f["doc_id"] for f in s.failures] == ["b"]
    assert "took longer than 0.5 s" in s.failures[0]["reason"]
    assert s.aligned == 3
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)   # no alarm left behind


def test_any_doc_id_gets_a_short_safe_work_file_name(cfg, tmp_path):
    long_id = "تقرير الأمين العام عن أعمال المنظمة للفترة ٢٠١٨-٢٠١٩/الملحق"   # 59 characters, ~110 bytes
    job = Job("ar", "en")
    name = part_name(dataclasses.replace(cfg.docs[0], doc_id=long_id * 3), job)
    assert len(name.encode()) < 80 and "/" not in name
    docs = [dataclasses.replace(d, doc_id=long_id * 3 + d.doc_id) for d in cfg.docs]
    s = build_corpus(dataclasses.replace(cfg, docs=docs), str(tmp_path / "out"), progress=False)
    assert s.aligned == 4 and not s.failures


def test_run_tasks_retries_then_records_and_keeps_order_of_completion():
    calls: dict[int, int] = {}

    def task(x, offset):
        calls[x] = calls.get(x, 0) + 1
        if x == 2 and calls[x] == 1:
            raise OSError("transient")
        if x == 3:
            raise ValueError("always")
        return x + offset

    out = list(run_tasks(InlineExecutor(), task, [1, 2, 3, 4], (10,), 1, 1, lambda x, e: f"failed {x}: {e}"))
    assert out == [11, 12, "failed 3: always", 14]
    assert calls == {1: 1, 2: 2, 3: 2, 4: 1}


def test_pool_workers_die_with_their_parent(tmp_path):
    """kill -9 of the parent must not leave workers blocked forever (PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux only")
    pidfile = tmp_path / "child.pid"
    script = textwrap.dedent(f"""
        import multiprocessing, os, time
        from align.corpus.task import die_with_parent

        def child():
            die_with_parent()
            open({str(pidfile)!r}, "w").write(str(os.getpid()))
            time.sleep(60)

        if __name__ == "__main__":
            p = multiprocessing.get_context("spawn").Process(target=child)
            p.start()
            time.sleep(60)
    """)
    (tmp_path / "parent.py").write_text(script)
    parent = subprocess.Popen([sys.executable, str(tmp_path / "parent.py")], cwd=tmp_path,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        for _ in range(200):
            if pidfile.exists() and pidfile.read_text():
                break
            time.sleep(0.1)
        child = int(pidfile.read_text())
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        for _ in range(100):
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            os.kill(child, signal.SIGKILL)
            pytest.fail("the worker outlived its parent")
    finally:
        parent.kill()
