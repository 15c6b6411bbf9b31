"""A vector cache on disk, content-addressed by (encoder signature, text).

One SQLite file in WAL mode: readers never block, writers queue on SQLite's own lock, so parallel worker
processes can share it safely. Keys are sha1(signature NUL text), so two encoders never collide and the texts
themselves are not stored. A size limit evicts the least recently used vectors.

Location: ``$ALIGN_CACHE_DIR`` or ``~/.cache/align/vectors``; limit ``$ALIGN_CACHE_MAX_BYTES`` or 2 GiB.
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from align.encode.base import normalise_rows

DEFAULT_MAX_BYTES = 2 * 1024**3
ROW_OVERHEAD = 256  # key, timestamp, index and page slack per row (measured), so the limit tracks the file size
_SMALL_FILE = 1 << 20
_CHUNK = 500  # keys per query, below SQLite's bound-parameter limit on every build

# Rows in order of writing (rowid), looked up through the key index: a document's new vectors are appended, a few
# pages. Keyed by the hash itself (the table of version 1, WITHOUT ROWID), every write landed on random 64 kB pages
# across the file: 8,000 vectors (unpc-ar-en) took 1.2 s to store, 0.1 s now.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS vec (id INTEGER PRIMARY KEY, key BLOB NOT NULL UNIQUE, data BLOB NOT NULL,
                                size INTEGER NOT NULL, used INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS vec_used ON vec(used);
CREATE TABLE IF NOT EXISTS meta (id INTEGER PRIMARY KEY CHECK (id = 0), total INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES (0, 0);
CREATE TRIGGER IF NOT EXISTS vec_ins AFTER INSERT ON vec BEGIN UPDATE meta SET total = total + NEW.size; END;
CREATE TRIGGER IF NOT EXISTS vec_del AFTER DELETE ON vec BEGIN UPDATE meta SET total = total - OLD.size; END;
"""
# A cache file of the first layout is emptied and laid out anew (a cache: its vectors are encoded again when needed).
_OLD_LAYOUT = "DROP TABLE IF EXISTS vec; DROP TABLE IF EXISTS meta;"


def default_dir() -> Path:
    return Path(os.environ.get("ALIGN_CACHE_DIR") or Path.home() / ".cache" / "align" / "vectors")


def key(signature: str, text: str) -> bytes:
    return hashlib.sha1(f"{signature}\0{text}".encode("utf-8", "surrogatepass")).digest()


class VectorCache:
    def __init__(self, path: str | os.PathLike | None = None, max_bytes: int | None = None):
        path = Path(path) if path else default_dir()
        self.path = path / "vectors.sqlite3" if path.suffix not in (".sqlite3", ".db") else path
        self.max_bytes = int(max_bytes or os.environ.get("ALIGN_CACHE_MAX_BYTES") or DEFAULT_MAX_BYTES)
        self._conn: sqlite3.Connection | None = None
        self._pid: int | None = None
        self._db()  # fail now (unwritable directory...) rather than in the middle of a run

    def _db(self) -> sqlite3.Connection:
        # A connection must not cross a fork: each worker process opens its own.
        if self._conn is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for attempt in range(50):
                try:
                    conn = self._open()
                    break
                except sqlite3.OperationalError:
                    # switching a new file to WAL does not wait on the busy timeout: another process creating
                    # the same cache at the same moment gets "database is locked" at once; try again shortly
                    if attempt == 49:
                        raise
                    time.sleep(0.1)
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        # shared by threads one at a time (CachedEncoder's lock): a thread encoding ahead reads it too
        conn = sqlite3.connect(self.path, timeout=120, isolation_level=None, check_same_thread=False)
        try:
            # Big pages for kB-sized vectors (4 kB pages would hold one 2-3 kB vector each, half empty); this
            # only takes effect when the file is created.
            conn.execute("PRAGMA page_size=65536")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a crash may lose the last writes, never corrupt
            # The write-ahead log is checkpointed every 1000 pages (64 MB) by default and never shrinks: with a
            # 5 MB limit the files held 13x the limit. Checkpoint at a tenth of the limit and truncate to it.
            wal = max(self.max_bytes // 10, 1 << 16)
            conn.execute(f"PRAGMA journal_size_limit={int(wal)}")
            conn.execute(f"PRAGMA wal_autocheckpoint={max(1, min(1000, int(wal) >> 16))}")
            cols = [r[1] for r in conn.execute("PRAGMA table_info(vec)")]
            old = _OLD_LAYOUT if cols and "id" not in cols else ""
            conn.executescript("BEGIN IMMEDIATE;" + old + _SCHEMA + "COMMIT;")
        except sqlite3.OperationalError:
            conn.close()
            raise
        return conn

    def get(self, keys: list[bytes], touch: bool = True) -> dict[bytes, np.ndarray]:
        """The stored vectors of these keys (damaged rows dropped). touch: stamp the hits as recently used now, in
        a write of their own (False: the caller passes them to a later ``put`` instead)."""
        db = self._db()
        blobs: dict[bytes, bytes] = {}
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i : i + _CHUNK]
            q = f"SELECT key, data FROM vec WHERE key IN ({','.join('?' * len(chunk))})"
            blobs.update((k, d) for k, d in db.execute(q, chunk))
        found, bad = _valid(blobs)
        if bad:  # damaged rows (a crash mid-write, a disk error): dropped, and encoded again by the caller
            _warn(f"vector cache: {len(bad)} damaged vector(s) dropped, encoding them again")
            with self._write() as db:
                for i in range(0, len(bad), _CHUNK):
                    chunk = bad[i : i + _CHUNK]
                    db.execute(f"DELETE FROM vec WHERE key IN ({','.join('?' * len(chunk))})", chunk)
        if found and touch:  # mark as recently used, for eviction
            with self._write() as db:
                self._touch(db, list(found))
        return found

    def put(self, keys: list[bytes], vecs: np.ndarray, touched: list[bytes] | None = None) -> None:
        """Store these vectors, and stamp ``touched`` (keys read earlier) as recently used: one transaction."""
        vecs, now = np.ascontiguousarray(vecs, dtype=np.float32), time.time_ns()
        rows = [(k, v.tobytes(), v.nbytes + ROW_OVERHEAD, now) for k, v in zip(keys, vecs)]
        with self._write() as db:
            if touched:  # before eviction, so that what was just read is not what goes
                self._touch(db, list(touched), now)
            if rows:
                self._evict(db, incoming=sum(r[2] for r in rows))  # room first: the file never passes the limit
                # OR IGNORE: another worker may have stored the same text meanwhile; its vector is the same.
                db.executemany("INSERT OR IGNORE INTO vec (key, data, size, used) VALUES (?, ?, ?, ?)", rows)

    @staticmethod
    def _touch(db: sqlite3.Connection, keys: list[bytes], now: int | None = None) -> None:
        now = now or time.time_ns()
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i : i + _CHUNK]
            db.execute(f"UPDATE vec SET used = ? WHERE key IN ({','.join('?' * len(chunk))})", [now, *chunk])

    def _evict(self, db: sqlite3.Connection, incoming: int = 0) -> None:
        """Make room for ``incoming`` more bytes of rows."""
        total, disk = self.total_bytes(db), _pages_in_use(db)
        # bytes on disk per counted byte, once the file is past its first pages (a nearly empty file is a few
        # 64 kB pages whatever it holds)
        scale = max(disk, total) / total if total and disk > _SMALL_FILE else 1.0
        if (total + incoming) * scale <= self.max_bytes:
            return
        # Down to 90% of the limit, so that eviction runs once per many writes rather than on every one. The
        # pages in use count too: 2 kB vectors on 64 kB pages took 1.3x their counted size on disk.
        target = int(self.max_bytes * 0.9)
        while total and (total + incoming) * scale > target:
            n, avg = db.execute("SELECT COUNT(*), AVG(size) FROM vec").fetchone()
            if not n:
                break
            k = max(1, math.ceil((total + incoming - target / scale) / avg))
            db.execute("DELETE FROM vec WHERE id IN (SELECT id FROM vec ORDER BY used LIMIT ?)", (k,))
            total = self.total_bytes(db)

    def total_bytes(self, db: sqlite3.Connection | None = None) -> int:
        return (db or self._db()).execute("SELECT total FROM meta").fetchone()[0]

    def __len__(self) -> int:
        return self._db().execute("SELECT COUNT(*) FROM vec").fetchone()[0]

    def _write(self):
        return _Transaction(self._db())

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None


def _pages_in_use(db: sqlite3.Connection) -> int:
    """Bytes of the database file holding data (free pages, reused by later writes, excluded)."""
    size = db.execute("PRAGMA page_size").fetchone()[0]
    return (db.execute("PRAGMA page_count").fetchone()[0] - db.execute("PRAGMA freelist_count").fetchone()[0]) * size


def _valid(rows: dict[bytes, bytes]) -> tuple[dict[bytes, np.ndarray], list[bytes]]:
    """Vectors from blobs, and the keys of damaged ones: a length that is not whole float32s or not that of
    the other rows, a NaN or infinity, a norm that is neither 0 nor 1 (vectors are stored normalised)."""
    lengths = [len(d) for d in rows.values()]
    usual = max(set(lengths), key=lengths.count) if lengths else 0
    good, bad = {}, []
    for k, d in rows.items():
        v = np.frombuffer(d, dtype=np.float32) if len(d) % 4 == 0 else None
        norm = float(np.dot(v, v)) if v is not None and len(d) == usual else float("nan")
        if v is not None and math.isfinite(norm) and (norm == 0.0 or abs(norm - 1.0) < 1e-3):
            good[k] = v
        else:
            bad.append(k)
    return good, bad


class _Transaction:
    """BEGIN IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, *_):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


class CachedEncoder:
    """Wraps an encoder: texts already in the cache are read back, only the missing ones are encoded.

    Each call writes its new vectors (and the read ones' recently-used stamps) at once, in a transaction of its own;
    inside ``with encoder.batch():`` (a document: align_documents) they wait in memory and go in one transaction
    at the end (~400 calls on unpc-ar-en: 1.3 s of commits -> 100 transactions)."""

    BATCH_ROWS = 4096  # vectors held back at most (8 MB of USE vectors); more are written at once

    def __init__(self, inner, cache: VectorCache):
        self.inner, self.cache = inner, cache
        self.name, self.signature = inner.name, inner.signature
        self.hits = self.misses = 0
        self._depth = 0
        self._new: dict[bytes, np.ndarray] = {}  # inside batch(): written at its end
        self._read: dict[bytes, None] = {}
        self._lock = threading.RLock()  # threads may share it (a thread encoding ahead): the connection, batch state

    def encode(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self.inner.encode)

    def encode_joined(self, groups: list[list[str]]) -> np.ndarray:
        """encode() of the joined groups, the missing ones through the inner encoder's encode_joined."""
        from align.encode.base import encode_joined

        texts = [" ".join(g) for g in groups]
        by_text = dict(zip(texts, groups))
        return self._encode(texts, lambda todo: encode_joined(self.inner, [by_text[t] for t in todo]))

    def _encode(self, texts: list[str], encode) -> np.ndarray:
        keys = [key(self.signature, t) for t in texts]
        with self._lock:  # the lock guards the connection and what batch() holds, not the encoding
            batched = self._depth > 0
            wanted = list(dict.fromkeys(k for k in keys if k not in self._new))
            try:
                found = self.cache.get(wanted, touch=not batched) if wanted else {}
            except sqlite3.Error as e:  # a broken or locked cache must not stop an alignment
                _warn(f"vector cache unreadable ({e}); encoding without it")
                found = None
            if found is not None:
                if batched:
                    self._read.update(dict.fromkeys(found))
                found.update((k, self._new[k]) for k in keys if k in self._new)
        if found is None:
            return normalise_rows(encode(texts))
        todo = {k: t for k, t in zip(keys, texts) if k not in found}
        self.hits += len(found)  # distinct texts
        self.misses += len(todo)
        if todo:
            vecs = normalise_rows(encode(list(todo.values())))
            found.update(zip(todo, vecs))
            with self._lock:
                if self._depth > 0:
                    self._new.update(zip(todo, vecs))
                    if len(self._new) >= self.BATCH_ROWS:
                        self._flush()
                else:
                    self._store(list(todo), vecs, [])
        if not texts:
            return self.inner.encode([])
        return np.stack([found[k] for k in keys])

    @contextmanager
    def batch(self):
        """Hold the cache writes of every call inside back, and write them in one transaction at the end."""
        with self._lock:
            self._depth += 1
        try:
            yield self
        finally:
            with self._lock:
                self._depth -= 1
                if not self._depth:
                    self._flush()

    def flush(self) -> None:
        """Write what batch() held back."""
        with self._lock:
            self._flush()

    def _flush(self) -> None:
        new, read = self._new, self._read
        self._new, self._read = {}, {}
        if new or read:
            keys = list(new)
            self._store(keys, np.stack([new[k] for k in keys]) if keys else np.zeros((0, 0), np.float32), list(read))

    def _store(self, keys: list[bytes], vecs: np.ndarray, touched: list[bytes]) -> None:
        try:
            self.cache.put(keys, vecs, touched)
        except sqlite3.Error as e:
            _warn(f"vector cache not written ({e})")


def _warn(msg: str) -> None:
    print(f"align: warning: {msg}", file=sys.stderr)
