"""The on-disk vector cache: hits and misses, LRU size limit, signatures kept apart, parallel writers."""

from __future__ import annotations

import multiprocessing as mp
import os
import sqlite3
import zlib

import numpy as np

from align.encode import get_encoder
from align.encode.cache import ROW_OVERHEAD, CachedEncoder, VectorCache, key


class FakeEncoder:
    """Deterministic vectors seeded by (signature, text); remembers what it was asked to encode."""

    def __init__(self, signature: str = "fake:1", dim: int = 8):
        self.name, self.signature, self.dim = "fake", signature, dim
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.stack([self.vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def vec(self, text: str) -> np.ndarray:
        v = np.random.default_rng(zlib.crc32(f"{self.signature}|{text}".encode())).normal(size=self.dim)
        return (v / np.linalg.norm(v)).astype(np.float32)


def test_only_missing_texts_are_encoded(tmp_path):
    fake = FakeEncoder()
    enc = CachedEncoder(fake, VectorCache(tmp_path))
    first = enc.encode(["a", "b", "a"])
    assert fake.calls == [["a", "b"]] and (enc.hits, enc.misses) == (0, 2)
    second = enc.encode(["b", "c", "a"])
    assert fake.calls[-1] == ["c"] and (enc.hits, enc.misses) == (2, 3)
    np.testing.assert_allclose(second, np.stack([fake.vec(t) for t in "bca"]), atol=1e-6)
    np.testing.assert_array_equal(first[0], first[2])
    # A new process (new connection, new wrapper) reads the same vectors back without encoding anything.
    again = CachedEncoder(fake2 := FakeEncoder(), VectorCache(tmp_path))
    np.testing.assert_array_equal(again.encode(["c", "a"]), second[[1, 2]])
    assert fake2.calls == [] and again.hits == 2


def test_signatures_do_not_collide(tmp_path):
    cache = VectorCache(tmp_path)
    v1, v2 = FakeEncoder("model:1"), FakeEncoder("model:2")
    a = CachedEncoder(v1, cache).encode(["same text"])
    b = CachedEncoder(v2, cache).encode(["same text"])
    assert len(v2.calls) == 1  # model:2 had to encode: model:1's vector is not served to it
    assert np.abs(a - b).max() > 1e-3
    np.testing.assert_array_equal(CachedEncoder(FakeEncoder("model:1"), cache).encode(["same text"]), a)
    assert key("model:1", "same text") != key("model:2", "same text")


def test_size_limit_evicts_least_recently_used(tmp_path):
    row = 8 * 4 + ROW_OVERHEAD  # one 8-dim float32 vector
    cache = VectorCache(tmp_path, max_bytes=100 * row)
    fake = FakeEncoder()
    enc = CachedEncoder(fake, cache)
    old, mid, new = ([f"{s} {i}" for i in range(n)] for s, n in (("old", 22), ("mid", 40), ("new", 48)))
    enc.encode(old)
    enc.encode(mid)
    enc.encode(old[:2])  # read again: now recently used
    enc.encode(new)  # 110 rows: over the limit, evicted down to 90% of it, least recently used first
    assert len(cache) == 90 and cache.total_bytes() == 90 * row
    kept = {t for t in old + mid + new if key(fake.signature, t) in cache.get([key(fake.signature, t)])}
    assert kept == set(old[:2] + mid + new)


def test_file_stops_growing_at_the_limit(tmp_path):
    cache = VectorCache(tmp_path, max_bytes=200 * (64 * 4 + ROW_OVERHEAD))
    enc = CachedEncoder(FakeEncoder(dim=64), cache)
    sizes = []
    for batch in range(40):
        enc.encode([f"text {batch} {i}" for i in range(50)])  # 2,000 texts in all, 10x the limit
        if batch in (9, 39):
            cache.close()  # checkpoints the write-ahead log into the file
            sizes.append(os.path.getsize(cache.path))
    assert len(cache) <= 200
    assert sizes[1] <= sizes[0] * 1.25  # evicted pages are reused, not appended


def _writer(path: str, worker: int, rounds: int) -> None:
    enc = CachedEncoder(FakeEncoder(), VectorCache(path))
    for r in range(rounds):
        # Overlapping texts: both workers race to insert the same keys.
        enc.encode([f"t{(r * 7 + i) % 300}" for i in range(25)] + [f"w{worker} r{r}"])


def test_parallel_writers_do_not_corrupt(tmp_path):
    ctx = mp.get_context("spawn")  # a fresh interpreter per worker, as process pools use
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), w, 40)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    cache = VectorCache(tmp_path)
    db = sqlite3.connect(cache.path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    fake = FakeEncoder()
    expected = sorted({f"t{(r * 7 + i) % 300}" for r in range(40) for i in range(25)})
    expected += [f"w{w} r{r}" for w in range(2) for r in range(40)]
    got = cache.get([key(fake.signature, t) for t in expected])
    assert len(got) == len(expected) == len(cache)
    for t in expected:
        np.testing.assert_allclose(got[key(fake.signature, t)], fake.vec(t), atol=1e-6)
    assert cache.total_bytes() == len(expected) * (8 * 4 + ROW_OVERHEAD)  # the size counter stayed exact


def test_default_location_and_switches(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "env"))
    # lexical is never cached: it computes faster than a lookup, so no wrapper and no cache file.
    assert not isinstance(get_encoder("lexical", memo=False, cache=True), CachedEncoder)
    assert not (tmp_path / "env").exists()
    assert VectorCache().path.parent == tmp_path / "env"
    assert VectorCache(tmp_path / "x.sqlite3").path == tmp_path / "x.sqlite3"


def test_unusable_cache_dir_warns_and_encodes(tmp_path, capsys):
    from align.encode import _with_cache

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    fake = FakeEncoder()
    enc = _with_cache(fake, blocker / "cache", None)
    assert enc is fake and "vector cache unavailable" in capsys.readouterr().err


def test_a_batch_writes_once_at_its_end(tmp_path):
    fake = FakeEncoder()
    cache = VectorCache(tmp_path)
    enc = CachedEncoder(fake, cache)
    enc.encode(["old"])
    writes = []
    put = cache.put
    cache.put = lambda *a, **k: (writes.append(a), put(*a, **k))[1]
    with enc.batch():
        first = enc.encode(["a", "b", "old"])
        enc.encode(["b", "c"])  # "b" is served from what the batch holds, not encoded again
        assert len(cache) == 1 and writes == []  # nothing written yet
    assert fake.calls[1:] == [["a", "b"], ["c"]]
    assert len(writes) == 1 and len(cache) == 4  # one transaction: the new vectors and the read one's stamp
    np.testing.assert_array_equal(CachedEncoder(FakeEncoder(), VectorCache(tmp_path)).encode(["a", "b", "old"]), first)


def test_a_cache_of_the_first_layout_is_laid_out_anew(tmp_path):
    path = tmp_path / "vectors.sqlite3"
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE vec (key BLOB PRIMARY KEY, data BLOB NOT NULL, size INTEGER NOT NULL, "
                     "used INTEGER NOT NULL) WITHOUT ROWID; CREATE TABLE meta (id INTEGER PRIMARY KEY, total INTEGER);"
                     "INSERT INTO meta VALUES (0, 100); INSERT INTO vec VALUES (x'00', x'00', 100, 0);")
    db.commit()
    db.close()
    enc = CachedEncoder(FakeEncoder(), VectorCache(tmp_path))
    assert len(enc.cache) == 0 and enc.cache.total_bytes() == 0
    enc.encode(["a"])
    assert len(enc.cache) == 1


def test_threads_sharing_a_memo_encode_each_text_once():
    import threading
    import time

    from align.encode import Memo

    class Slow(FakeEncoder):
        def encode(self, texts):
            time.sleep(0.05)
            return super().encode(texts)

    slow = Slow()
    memo = Memo(slow)
    texts = [f"t{i}" for i in range(20)]
    out = {}
    ahead = threading.Thread(target=lambda: out.setdefault("ahead", memo.encode(texts)))
    ahead.start()
    time.sleep(0.01)  # the other thread has started on them: wait for it rather than encode them again
    out["main"] = memo.encode(texts[5:] + ["new"])
    ahead.join()
    assert sorted(t for call in slow.calls for t in call) == sorted(texts + ["new"])
    np.testing.assert_array_equal(out["main"][:15], out["ahead"][5:])
