"""`align pair DIR DIR`: the pairs after the one being aligned are read and encoded ahead."""

import threading

from align.encode import Memo
from align.folders import DEPTH, _Ahead


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


def test_read_ahead_keeps_depth_pairs_read_and_encoded(tmp_path):
    pairs = _pairs(tmp_path, DEPTH + 3)
    inner = _CountingEncoder()
    ahead = _Ahead(pairs, "en", "en", True, Memo(inner))
    src, tgt = ahead.take("d0.txt")
    assert src.sentences == ["src document 0, line one", "src 0 two"] and tgt.sentences[1] == "tgt 0 two"
    # the next DEPTH pairs are on their way, not further
    assert sorted(ahead.futures) == [f"d{k}.txt" for k in range(1, DEPTH + 1)]
    for f in ahead.futures.values():
        f.result()
    assert {f"src {k} two" for k in range(DEPTH + 1)} <= set(inner.texts)
    assert "src 4 two" not in inner.texts
    ahead.take("d1.txt")
    assert sorted(ahead.futures) == [f"d{k}.txt" for k in range(2, DEPTH + 2)]
    for name, _, _ in pairs[2:]:
        assert ahead.take(name) is not None
    assert not ahead.futures and len(inner.texts) == 2 * 2 * len(pairs)  # each text encoded once


def test_read_ahead_failure_is_left_to_the_caller(tmp_path):
    pairs = _pairs(tmp_path, 2)
    (tmp_path / "tgt" / "d1.txt").unlink()
    ahead = _Ahead(pairs, "en", "en", True, Memo(_CountingEncoder()))
    assert ahead.take("d0.txt") is not None
    assert ahead.take("d1.txt") is None  # read again in turn by the caller, which reports the missing file
