"""`align pair DIR DIR`: the pairs after the one being aligned are read and encoded ahead."""

import threading

from align.encode import Memo
from align import folders
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
