"""`align pair DIR DIR`: in one process, the pairs after the one being aligned are read and encoded ahead; forked
worker processes write and report what one process does."""

import os
import threading

import pytest

from align import folders
from align.core.params import Params
from align.encode import Memo, get_encoder
from align.folders import _Ahead


class _CountingEncoder:
    name = signature = "count"
    thread_safe = True

    def __init__(self):
        self.texts: list[str] = []
        self.lock = threading.Lock()

    def encode(self, texts):
        import numpy as np

        with self.lock:
            self.texts += texts
        return np.ones((len(texts), 4), dtype=np.float32)


def _pairs(tmp_path, n):
    out = []
    for k in range(n):
        for side in ("src", "tgt"):
            (tmp_path / side).mkdir(exist_ok=True)
            (tmp_path / side / f"d{k}.txt").write_text(f"{side} document {k}, line one\n{side} {k} two\n")
        out.append((f"d{k}.txt", str(tmp_path / "src" / f"d{k}.txt"), str(tmp_path / "tgt" / f"d{k}.txt")))
    return out


def test_read_ahead_keeps_pairs_read_and_encoded_up_to_a_size(tmp_path, monkeypatch):
    pairs = _pairs(tmp_path, 7)
    size = folders._size(pairs[1])
    monkeypatch.setattr(folders, "AHEAD_BYTES", 3 * size)
    inner = _CountingEncoder()
    ahead = _Ahead(pairs, "en", "en", True, Memo(inner))
    ahead.start()
    src, tgt = ahead.take("d0.txt")
    assert src.sentences == ["src document 0, line one", "src 0 two"] and tgt.sentences[1] == "tgt 0 two"
    # the next pairs are on their way, as many as AHEAD_BYTES holds, not further
    assert sorted(ahead.futures) == ["d1.txt", "d2.txt", "d3.txt"]
    for f in ahead.futures.values():
        f.result()
    assert {f"src {k} two" for k in range(4)} <= set(inner.texts)
    assert "src 4 two" not in inner.texts
    ahead.take("d1.txt")
    assert sorted(ahead.futures) == ["d2.txt", "d3.txt", "d4.txt"]
    for name, _, _ in pairs[2:]:
        assert ahead.take(name) is not None
    assert not ahead.futures and len(inner.texts) == 2 * 2 * len(pairs)  # each text encoded once


def test_a_pair_larger_than_the_limit_is_still_read_ahead(tmp_path, monkeypatch):
    pairs = _pairs(tmp_path, 3)
    monkeypatch.setattr(folders, "AHEAD_BYTES", 1)
    ahead = _Ahead(pairs, "en", "en", True, Memo(_CountingEncoder()))
    ahead.start()
    assert sorted(ahead.futures) == ["d0.txt"]
    assert ahead.take("d0.txt") is not None and sorted(ahead.futures) == ["d1.txt"]


def test_read_ahead_failure_is_left_to_the_caller(tmp_path):
    pairs = _pairs(tmp_path, 2)
    (tmp_path / "tgt" / "d1.txt").unlink()
    ahead = _Ahead(pairs, "en", "en", True, Memo(_CountingEncoder()))
    ahead.start()
    assert ahead.take("d0.txt") is not None
    assert ahead.take("d1.txt") is None  # read again in turn by the caller, which reports the missing file


def test_reading_ahead_needs_no_aligner_import():
    # `align pair DIR DIR` starts reading and encoding its first pairs before numba and the aligner are imported
    # (0.45 s of a run's start on unpc-ar-en)
    import subprocess
    import sys

    code = "import sys, align.folders, align.encode.use; print('numba' in sys.modules, 'align.pipeline' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


AR = ["عقد مجلس الأمن اليوم مشاورات بشأن الحالة الإنسانية في الجمهورية العربية السورية.",
      "واعتمد المجلس القرار 2231 في 20 تموز/يوليه 2015.",
      "وتدعو الجمعية العامة جميع الدول الأعضاء إلى تقديم تقارير."]
EN = ["The Security Council held consultations today on the humanitarian situation in the Syrian Arab Republic.",
      "The Council adopted resolution 2231 on 20 July 2015.",
      "The General Assembly invites all Member States to submit reports."]
FR = ["Le Conseil de sécurité a tenu aujourd'hui des consultations sur la situation humanitaire en Syrie, longuement.",
      "Le Conseil a adopté la résolution 2231 le 20 juillet 2015 après un long débat entre ses membres.",
      "L'Assemblée générale invite tous les États Membres à présenter des rapports sur la question."]


@pytest.fixture
def pairs(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "tgt").mkdir()
    docs = {"a": (AR, EN), "b": (AR[::-1], EN[::-1]), "c": (AR * 3, EN * 3), "french": (AR, FR), "empty": ([], EN)}
    for name, (src, tgt) in docs.items():
        (tmp_path / "src" / name).write_text("".join(s + "\n" for s in src), encoding="utf-8")
        (tmp_path / "tgt" / name).write_text("".join(t + "\n" for t in tgt), encoding="utf-8")
    return [(n, str(tmp_path / "src" / n), str(tmp_path / "tgt" / n)) for n in sorted(docs)]


def _run(pairs, out, workers, capsys):
    enc = get_encoder("lexical")
    counts = folders.align_folders(pairs, str(out), "jsonl", "ar", "en", True, enc, Params(), workers=workers)
    files = {n: (out / n).read_text(encoding="utf-8") for n in sorted(os.listdir(out))}
    return counts, files, sorted(capsys.readouterr().err.splitlines())


def test_forked_workers_write_and_report_what_one_process_does(pairs, tmp_path, capsys):
    alone = _run(pairs, tmp_path / "alone", 1, capsys)
    forked = _run(pairs, tmp_path / "forked", 2, capsys)
    assert forked == alone
    counts, files, err = forked
    assert counts == (4, 1) and sorted(files) == ["a.jsonl", "b.jsonl", "c.jsonl", "french.jsonl"]
    assert [l for l in err if "empty" in l and "error" in l]                    # the bad pair, reported once
    assert [l for l in err if "french" in l and "looks like fr" in l]           # a worker's warning reaches stderr


def test_worker_count(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    lexical = get_encoder("lexical")
    assert folders.process_workers(lexical, 10) == 4
    assert folders.process_workers(lexical, 3) == 3
    assert folders.process_workers(lexical, 1) == 1            # one pair: this process and its lanes
    assert folders.process_workers(get_encoder("lexical", memo=False), 10) == 4

    class Torchy:  # an encoder that does not declare itself safe to fork (torch's thread pools)
        name = signature = "torchy"
        threads = 4

    assert folders.process_workers(Torchy(), 10) == 1
    assert folders.process_workers(lexical, 10, asked=1) == 1    # --workers 1
    assert folders.process_workers(lexical, 10, asked=8) == 8
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert folders.process_workers(lexical, 10) == 1
