#!/usr/bin/env python
"""Long segments: does the aligner's time per character stay near that of ordinary UN sentences?

    python scripts/bench_long.py [BENCH_DIR] [--set unpc-ar-en] [--min-words 60] [--max-words 150]

Builds a long-segment version of a benchmark set: consecutive gold links of each document are joined until the
English side has at least --min-words words (at most --max-words), so every segment is a paragraph of 60-150 words
and the seeded merges and omissions stay inside it; then a tenth of neighbouring target segments are joined
(2-1 links of long segments). Then, in fresh processes with the model loaded before the
clock starts, for the original set and the long one: the encoder's floor (each sentence encoded once), the whole
aligner (align_segments, no disk cache), the characters it sent to the encoder (merged blocks included), and the
time per character of input.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from align.eval import read_bench_set  # noqa: E402


def long_segments(docs, min_words: int, max_words: int):
    """The documents with consecutive gold links joined into segments of min_words..max_words (target side)."""
    out = []
    for doc, src, tgt, gold in docs:
        new_s, new_t, group_s, group_t = [], [], [], []
        for a, b in sorted(gold, key=lambda l: (min(l[0], default=1e9), min(l[1], default=1e9))):
            group_s += [src[i] for i in a]
            group_t += [tgt[j] for j in b]
            words = sum(len(t.split()) for t in group_t)
            if words >= min_words or words + 30 > max_words:
                if group_s and group_t:
                    new_s.append(" ".join(group_s))
                    new_t.append(" ".join(group_t))
                group_s, group_t = [], []
        if group_s and group_t:
            new_s.append(" ".join(group_s))
            new_t.append(" ".join(group_t))
        out.append((doc, new_s, _merge_some(new_t, random.Random(doc))))
    return out


def _merge_some(segments: list[str], rnd: random.Random, share: float = 0.1) -> list[str]:
    """Join a tenth of neighbouring segments: 2-1 links of long segments, as a translation makes them."""
    out: list[str] = []
    i = 0
    while i < len(segments):
        if i + 1 < len(segments) and rnd.random() < share:
            out.append(segments[i] + " " + segments[i + 1])
            i += 2
        else:
            out.append(segments[i])
            i += 1
    return out


class Counting:
    """Counts the strings and characters sent to the encoder."""

    def __init__(self, inner):
        self.inner, self.name, self.signature = inner, inner.name, inner.signature
        self.strings = self.chars = self.calls = 0

    def encode(self, texts):
        self.calls += 1
        self.strings += len(texts)
        self.chars += sum(map(len, texts))
        return self.inner.encode(texts)


def _job(args):
    mode, docs = args
    from align.core.aligner import align_segments
    from align.core.params import Params
    from align.encode import Memo, get_encoder

    raw = get_encoder("use", memo=False, cache=False)
    raw.encode(["warm up", "إحماء"])
    counting = Counting(raw)
    t0 = time.perf_counter()
    for _, s, t in docs:
        enc = Memo(counting)
        if mode == "floor":
            enc.encode(s)
            enc.encode(t)
        else:
            align_segments(s, t, enc, Params())
    return {"seconds": time.perf_counter() - t0, "strings": counting.strings, "chars_encoded": counting.chars,
            "calls": counting.calls}


def measure(label: str, docs) -> dict:
    chars = sum(len(x) for _, s, t in docs for x in s + t)
    row = {"set": label, "documents": len(docs), "segments": sum(len(s) + len(t) for _, s, t in docs),
           "chars": chars, "words_per_tgt_segment": round(sum(len(x.split()) for _, _, t in docs for x in t)
                                                          / max(1, sum(len(t) for _, _, t in docs)), 1)}
    with mp.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        for mode in ("floor", "align"):
            r = pool.map(_job, [(mode, docs)])[0]
            row[mode] = {**r, "seconds": round(r["seconds"], 2),
                         "us_per_char": round(1e6 * r["seconds"] / chars, 2)}
    row["x_floor"] = round(row["align"]["seconds"] / row["floor"]["seconds"], 2)
    row["encoded_chars_x_input"] = round(row["align"]["chars_encoded"] / chars, 2)
    print(json.dumps(row), flush=True)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bench", nargs="?", default=os.path.join(HERE, "..", "..", "shared", "bench"))
    ap.add_argument("--set", default="unpc-ar-en")
    ap.add_argument("--min-words", type=int, default=60)
    ap.add_argument("--max-words", type=int, default=150)
    ap.add_argument("--out", default="bench_long.json")
    a = ap.parse_args()
    docs = list(read_bench_set(os.path.join(a.bench, a.set)))
    base = measure(a.set, [(d, s, t) for d, s, t, _ in docs])
    long = measure(f"{a.set} long segments", long_segments(docs, a.min_words, a.max_words))
    ratio = round(long["align"]["us_per_char"] / base["align"]["us_per_char"], 2)
    print(f"time per character, long segments vs {a.set}: {ratio}x", flush=True)
    with open(a.out, "w") as f:
        json.dump({"base": base, "long": long, "per_char_ratio": ratio}, f, indent=1)


if __name__ == "__main__":
    main()
