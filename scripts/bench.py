#!/usr/bin/env python
"""Benchmark the aligner on ../shared/bench (Vecalign/Bertalign layout) against gold links.

    python scripts/bench.py [BENCH_DIR] [--sets unpc-ar-en,...] [--baselines] [--scale] [--repeat] [--out bench.json]
    python scripts/bench.py --dev build/dev [--sets ''] [--dev-sets literary-ntrex-ar-en,...]

--dev DIR: also the sets built by scripts/make_dev_sets.py (diacritised and literary Arabic, issue 10), every
set found in DIR unless --dev-sets names some; --sets '' runs those alone.

Per set: strict/lax P/R/F1, recall of gold 1-0/0-1 links, segments per second, peak memory (RSS of a fresh
process per run), strings encoded, and the time it takes just to encode the set's sentences once with the same
encoder (the issue's yardstick: a whole run should take at most 1.5x that). Every run gets a fresh encoder
and no disk cache, the model loaded before the clock starts.

--baselines also runs, with the same encoder, Vecalign's DP (`sentalign` from PyPI) and Bertalign's algorithm
(`bertalign` 2.0.1 from PyPI) when they are installed. bertalign 2.0.1 declares Python >= 3.12 and its
`aligner` module uses 3.12-only syntax, so it is installed with
    pip install --no-deps --ignore-requires-python bertalign==2.0.1   (plus scipy, which its numba code needs)
and only its `corelib` (the two DP passes) is loaded here, by file path; the Bertalign class flow is repeated
below. Those patches live in this script only, never in the package.
--scale: one long document: the aligner alone at 2,500 / 10,000 / 40,000 segments a side (hashed-token vectors),
and the whole run with the real encoder on 10,000 x 10,000 segments of unpc-ar-en: time and peak memory.
--repeat: each textberg-de-fr document concatenated with itself 4 times (gold shifted): F1 against one copy.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from align.eval import read_bench_set, score  # noqa: E402

DEFAULT_SETS = ["unpc-ar-en", "ntrex-ar-en", "udhr-ar-en", "textberg-de-fr"]


def read_set(bench: str, name: str):
    return list(read_bench_set(os.path.join(bench, name)))


def make_encoder(spec: str):
    from align.encode import get_encoder

    enc = get_encoder(spec, cache=False)
    enc.encode(["warm up", "إحماء"])  # load the model before the clock starts
    enc.inner_encoded = 0
    return enc


# --- systems: each takes (docs, encoder) and returns predicted links per document --------------------------

def run_ours(docs, enc):
    from align.core.aligner import align_segments
    from align.core.params import Params

    p = Params()
    return [[(tuple(l.src_ids), tuple(l.tgt_ids)) for l in align_segments(s, t, enc, p)] for _, s, t, _ in docs]


def run_encode_once(docs, enc):
    for _, s, t, _ in docs:
        enc.encode(s)
        enc.encode(t)
    return None


def run_sentalign(docs, enc):
    from sentalign import sentalign

    out = []
    for _, s, t, _ in docs:
        r = sentalign(s, t, enc, alignment_max_size=5)
        out.append([(tuple(a.src_indices), tuple(a.tgt_indices)) for a in r.alignments])
    return out


def _bertalign_corelib():
    import importlib.metadata as md
    import importlib.util

    path = next(f for f in md.files("bertalign") if str(f).endswith("corelib.py")).locate()
    spec = importlib.util.spec_from_file_location("bertalign_corelib", str(path))
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bertalign_corelib"] = mod  # numba's on-disk cache needs a module it can find again
    spec.loader.exec_module(mod)
    return mod


def run_bertalign(docs, enc, max_align=5, top_k=3, win=5, skip=-0.1):
    import numpy as np

    C = _bertalign_corelib()

    def transform(sents, k_max):  # bertalign.encoder.Encoder.transform with our encoder
        proc = [line.strip() or "BLANK_LINE" for line in sents]
        texts = []
        for k in range(1, k_max + 1):
            texts += ["PAD"] * min(k - 1, len(proc)) + [" ".join(proc[i:i + k]) for i in range(len(proc) - k + 1)]
        vecs = enc.encode(texts).reshape(k_max, len(sents), -1)
        lens = np.array([len(x.encode("utf-8")) for x in texts]).reshape(k_max, len(sents))
        return vecs, lens

    out = []
    for _, src, tgt, _ in docs:
        sv, sl = transform(src, max_align - 1)
        tv, tl = transform(tgt, max_align - 1)
        ratio = float(sl[0].sum() / tl[0].sum())
        D, I = C.find_top_k_sents(sv[0], tv[0], k=top_k)
        t1 = C.get_alignment_types(2)
        w1, p1 = C.find_first_search_path(len(src), len(tgt))
        a1 = C.first_back_track(len(src), len(tgt), C.first_pass_align(len(src), len(tgt), w1, p1, t1, D, I), p1, t1)
        t2 = C.get_alignment_types(max_align)
        w2, p2 = C.find_second_search_path(a1, win, len(src), len(tgt))
        ptr = C.second_pass_align(sv, tv, sl, tl, w2, p2, t2, ratio, skip, margin=True, len_penalty=True)
        out.append([(tuple(a), tuple(b)) for a, b in C.second_back_track(len(src), len(tgt), ptr, p2, t2)])
    return out


SYSTEMS = {"ours": run_ours, "encode-once": run_encode_once, "vecalign-dp": run_sentalign, "bertalign": run_bertalign}


def _job(args):
    system, docs, spec = args
    enc = make_encoder(spec)
    t0 = time.perf_counter()
    pred = SYSTEMS[system](docs, enc)
    secs = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"pred": pred, "seconds": secs, "peak_mb": peak_mb, "encoded": getattr(enc, "encoded", None)}


def run(system, docs, spec):
    # a fresh process per run: its peak RSS is this run's alone
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.map(_job, [(system, docs, spec)])[0]


def measure(name, docs, systems, spec):
    nseg = sum(len(s) + len(t) for _, s, t, _ in docs)
    nchar = sum(len(x) for _, s, t, _ in docs for x in s + t)
    row = {"set": name, "documents": len(docs), "segments": nseg, "characters": nchar}
    base = run("encode-once", docs, spec)
    row["encode_once_s"] = round(base["seconds"], 2)
    for system in systems:
        try:
            r = run(system, docs, spec)
        except Exception as e:  # a baseline that is not installed or fails: say so, go on
            row[system] = {"error": f"{type(e).__name__}: {e}"[:200]}
            continue
        sc = score([(g, p) for (_, _, _, g), p in zip(docs, r["pred"])])
        row[system] = {"strict_f1": sc["strict"]["f1"], "lax_f1": sc["lax"]["f1"], "strict": sc["strict"],
                       "omission_recall": sc["omission_recall"], "seconds": round(r["seconds"], 2),
                       "segments_per_s": round(nseg / max(r["seconds"], 1e-9), 1),
                       "ms_per_1000_chars": round(1e6 * r["seconds"] / max(nchar, 1), 2),
                       "x_encode_once": round(r["seconds"] / max(base["seconds"], 1e-9), 2),
                       "peak_mb": round(r["peak_mb"], 1), "strings_encoded": r["encoded"]}
        print(f"{name:16} {system:12} strict F1 {sc['strict']['f1']:.3f}  lax F1 {sc['lax']['f1']:.3f}  "
              f"1-0/0-1 recall {sc['omission_recall'] if sc['omission_recall'] is not None else 'n/a'}  "
              f"{r['seconds']:.1f}s ({row[system]['x_encode_once']}x encode-once {base['seconds']:.1f}s)  "
              f"{row[system]['segments_per_s']} seg/s  {row[system]['ms_per_1000_chars']} ms/1000 chars  "
              f"peak {r['peak_mb']:.0f} MB  encoded {r['encoded']}", flush=True)
    return row


class HashEncoder:
    """Vectors from hashed tokens (a token and its primed "translation" get nearby vectors): the aligner's own
    cost at any size, without the encoder's."""

    name, signature, dim = "hash", "hash:bench", 256

    def encode(self, texts):
        import zlib

        import numpy as np

        out = np.zeros((len(texts), self.dim), np.float32)
        for k, t in enumerate(texts):
            for tok in t.split():
                seed = zlib.crc32(tok.rstrip("'").encode())
                base = np.random.default_rng(seed).standard_normal(self.dim)
                rng = np.random.default_rng(zlib.crc32(tok.encode()))
                noise = rng.standard_normal(self.dim) if tok.endswith("'") else 0
                out[k] += base + 0.3 * noise
            out[k] /= np.linalg.norm(out[k]) or 1.0
        return out


def synthetic_doc(n, seed=0):
    """n source segments; the target merges 10% of neighbouring pairs and drops 3% (deterministic)."""
    import random

    rnd = random.Random(seed)
    src = [f"a{i} b{i} c{i} d{i}" for i in range(n)]
    tgt, i = [], 0
    while i < n:
        r = rnd.random()
        if r < 0.03:
            i += 1
        elif r < 0.13 and i + 1 < n:
            tgt.append(" ".join(f"{w}'" for w in (src[i] + " " + src[i + 1]).split()))
            i += 2
        else:
            tgt.append(" ".join(f"{w}'" for w in src[i].split()))
            i += 1
    return src, tgt


def _scale_job(args):
    n, real, bench = args
    from align.core.aligner import align_segments
    from align.core.params import Params
    from align.encode import Memo

    if real:  # one long real document from unpc-ar-en, its documents concatenated and repeated up to n
        docs = read_set(bench, "unpc-ar-en")
        src = [x for _, s, _, _ in docs for x in s]
        tgt = [x for _, _, t, _ in docs for x in t]
        reps = -(-n // min(len(src), len(tgt)))
        src, tgt = (src * reps)[:n], (tgt * reps)[:n]
        enc = make_encoder("use")
    else:
        src, tgt = synthetic_doc(n)
        enc = Memo(HashEncoder())
        enc.encode(src + tgt)  # vectors ready: time the aligner alone
    t0 = time.perf_counter()
    align_segments(src, tgt, enc, Params())
    secs = time.perf_counter() - t0
    return {"secs": secs, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def scale_rows(bench, spec):
    """Time and peak memory on one long document: the aligner alone at 2,500 / 10,000 / 40,000 segments a side
    (hashed-token vectors, so only the aligner's cost shows), and the whole run with the real encoder at 10,000."""
    rows = []
    with mp.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        for n in (2500, 10000, 40000):
            r = pool.map(_scale_job, [(n, False, bench)])[0]
            rows.append({"segments_per_side": n, "encoder": "hash (aligner only)", "seconds": round(r["secs"], 2),
                         "peak_mb": round(r["peak_mb"], 1)})
            print(f"scale: aligner alone, {n} x ~{n} segments  {r['secs']:.1f}s  peak {r['peak_mb']:.0f} MB",
                  flush=True)
        r = pool.map(_scale_job, [(10000, True, bench)])[0]
        rows.append({"segments_per_side": 10000, "encoder": spec, "seconds": round(r["secs"], 2),
                     "peak_mb": round(r["peak_mb"], 1)})
        print(f"scale: whole run with the real encoder, 10000 x 10000  {r['secs']:.1f}s  peak {r['peak_mb']:.0f} MB",
              flush=True)
    ratios = [round(rows[k + 1]["seconds"] / rows[k]["seconds"], 2) for k in (0, 1)]
    rows.append({"time_ratio_4x": ratios})
    print(f"scale: 4x the segments took {ratios[0]}x, then {ratios[1]}x the time", flush=True)
    return rows


def repeat_rows(bench, spec, systems):
    docs = read_set(bench, "textberg-de-fr")
    rep = []
    for d, s, t, g in docs:
        gold = [(tuple(i + k * len(s) for i in a), tuple(j + k * len(t) for j in b)) for k in range(4) for a, b in g]
        rep.append((d, s * 4, t * 4, gold))
    out = {}
    for system in systems:
        one = run(system, docs, spec)
        four = run(system, rep, spec)
        f1 = score([(g, p) for (_, _, _, g), p in zip(docs, one["pred"])])["strict"]["f1"]
        f4 = score([(g, p) for (_, _, _, g), p in zip(rep, four["pred"])])["strict"]["f1"]
        out[system] = {"single_f1": f1, "repeated_x4_f1": f4, "drop": round(f1 - f4, 4)}
        print(f"repeat: {system:12} single {f1:.3f}  x4 {f4:.3f}  drop {f1 - f4:+.3f}", flush=True)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bench", nargs="?", default=os.path.join(HERE, "..", "..", "shared", "bench"))
    ap.add_argument("--sets", default=",".join(DEFAULT_SETS))
    ap.add_argument("--dev", help="a folder of dev sets (scripts/make_dev_sets.py writes build/dev)")
    ap.add_argument("--dev-sets", help="comma-separated dev sets to run (default: every set in --dev)")
    ap.add_argument("--encoder", default="use")
    ap.add_argument("--baselines", action="store_true", help="also run sentalign (Vecalign DP) and bertalign")
    ap.add_argument("--scale", action="store_true", help="time and memory on one long document")
    ap.add_argument("--repeat", action="store_true", help="textberg documents repeated 4 times")
    ap.add_argument("--out", default="bench.json")
    a = ap.parse_args()
    if not os.path.isdir(a.bench):
        sys.exit(f"bench.py: no benchmark folder at {a.bench} (give its path as the first argument)")
    systems = ["ours"] + (["bertalign", "vecalign-dp"] if a.baselines else [])
    result = {"encoder": a.encoder, "sets": []}
    for name in filter(None, a.sets.split(",")):
        result["sets"].append(measure(name, read_set(a.bench, name), systems, a.encoder))
    if a.dev:
        names = a.dev_sets.split(",") if a.dev_sets else sorted(
            d for d in os.listdir(a.dev) if os.path.isdir(os.path.join(a.dev, d, "gold")))
        for name in names:
            result["sets"].append(measure(name, read_set(a.dev, name), systems, a.encoder))
    if a.scale:
        result["scale"] = scale_rows(a.bench, a.encoder)
    if a.repeat:
        result["repeat"] = repeat_rows(a.bench, a.encoder, systems[:2])
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
