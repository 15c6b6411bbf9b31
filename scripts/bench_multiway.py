"""Benchmark of multi-way alignment (issue 11 part 2) on ntrex6-dev: 62 news documents in en, ar, fr, es, ru, zh,
one segment per line, `gold/<doc>.json` the full rows. A row is right when every language's id set equals the
gold row's. Goal: exact-row precision >= 0.97 and recall >= 0.95 with `use`; time <= 1.2x the five pivot
pairwise alignments.

    pivot-join   the baseline: the five pivot pairs (pivot = the first column), each aligned on its own (a fresh
                 memo each, as five separate pair builds), rows joined through the pivot's segments; a row
                 whose pivot segment is left unlinked by any pair, or with a language empty, is dropped
    multiway     align.multiway.align_multiway: all 15 pairs with one memo per document, consensus rows

Per document the two run one after the other on the same encoder (no disk cache unless --cache), so the load
of a shared machine falls on both alike; times are this process's CPU time and wall-clock time. Every thread pool
is pinned to one thread, as `align corpus` runs each document: unpinned on this loaded 2-core machine, the
aligner's small block products took 3.5-8 ms a call instead of 0.2-1 ms.

    flock /tmp/bench.lock .venv/bin/python scripts/bench_multiway.py [--bench DIR] [--encoder use] [--docs N]
                                                                       [--cache] [--json out.json]
    .venv/bin/python scripts/bench_multiway.py --dataset DIR    # score the multiway config of a dataset built by
                                                                # `align corpus ntrex6-dev/manifest.csv --segmented`
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_v] = "1"  # before numpy loads (see above)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
DEFAULT_BENCH = os.path.join(HERE, "..", "..", "shared", "bench", "ntrex6-dev")


def read_set(bench: str):
    """(doc_id, {lang: segments}, gold rows) per document, languages in the manifest's column order."""
    with open(os.path.join(bench, "manifest.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            segs = {lang: _lines(os.path.join(bench, path)) for lang, path in row.items() if lang != "doc_id"}
            with open(os.path.join(bench, "gold", row["doc_id"] + ".json"), encoding="utf-8") as g:
                yield row["doc_id"], segs, json.load(g)


def _lines(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        out = f.read().split("\n")
    return out[:-1] if out and out[-1] == "" else out


def pivot_join(sizes: dict[str, int], links: dict) -> list[dict[str, tuple[int, ...]]]:
    """The baseline rows: pivot segments linked together by any pair form one group (union-find), with every
    language's segments linked to them."""
    langs = list(sizes)
    pivot = langs[0]
    parent = list(range(sizes[pivot]))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    unlinked, partner = set(), {}
    for lang in langs[1:]:
        for p_ids, l_ids in links[(pivot, lang)]:
            if p_ids and not l_ids:
                unlinked.update(p_ids)
            elif p_ids:
                for i in p_ids[1:]:
                    parent[find(i)] = find(p_ids[0])
                for i in p_ids:
                    partner.setdefault((lang, i), []).extend(l_ids)
    groups: dict[int, list[int]] = {}
    for i in range(sizes[pivot]):
        groups.setdefault(find(i), []).append(i)
    rows = []
    for g in groups.values():
        row = {pivot: tuple(g), **{lang: tuple(sorted({j for i in g for j in partner.get((lang, i), ())}))
                                   for lang in langs[1:]}}
        if not unlinked & set(g) and all(row.values()):
            rows.append(row)
    return rows


def hits(pred: list[dict], gold: list[dict]) -> int:
    def key(r):
        return tuple(sorted((lang, tuple(sorted(ids))) for lang, ids in r.items()))

    want = {key(r) for r in gold}
    return sum(key(r) in want for r in pred)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench", default=DEFAULT_BENCH)
    ap.add_argument("--encoder", default="use")
    ap.add_argument("--docs", type=int, default=None, help="only the first N documents")
    ap.add_argument("--cache", default=None, help="a vector cache directory (default: none, for honest times)")
    ap.add_argument("--json", default=None)
    ap.add_argument("--dataset", default=None, help="only score the multiway config of this dataset folder")
    args = ap.parse_args()
    if not os.path.isdir(args.bench):
        sys.exit(f"no benchmark set at {args.bench}")
    if args.dataset:
        score_dataset(args.bench, args.dataset)
        return


    from align.core.aligner import align_segments
    from align.encode import Memo, get_encoder
    from align.multiway import align_multiway

    enc = get_encoder(args.encoder, memo=False, cache=args.cache or False, threads=1)
    docs = list(read_set(args.bench))[:args.docs]
    first = docs[0][1]
    align_segments(first[list(first)[0]][:3], first[list(first)[1]][:3], Memo(enc))  # model load, numba compile
    tot = {m: {"hits": 0, "rows": 0, "cpu": 0.0, "wall": 0.0, "encoded": 0} for m in ("pivot-join", "multiway")}
    gold_rows = 0
    scores = []  # (row score, right) of multiway rows
    for _doc_id, segs, gold in docs:
        langs = list(segs)
        sizes = {lang: len(s) for lang, s in segs.items()}
        gold_rows += len(gold)

        t, w = time.process_time(), time.perf_counter()
        links, encoded = {}, 0
        for lang in langs[1:]:
            memo = Memo(enc)
            links[(langs[0], lang)] = [(l.src_ids, l.tgt_ids) for l in align_segments(segs[langs[0]], segs[lang], memo)]
            encoded += memo.encoded
        base = pivot_join(sizes, links)
        _add(tot["pivot-join"], base, gold, t, w, encoded)

        t, w = time.process_time(), time.perf_counter()
        memo = Memo(enc)
        rows = align_multiway(segs, memo)
        pred = [r.ids for r in rows]
        _add(tot["multiway"], pred, gold, t, w, memo.encoded)
        want = {json.dumps(sorted((k, sorted(v)) for k, v in g.items())) for g in gold}
        scores += [(r.score, json.dumps(sorted((k, sorted(v)) for k, v in r.ids.items())) in want) for r in rows]

    report = {"set": os.path.basename(os.path.normpath(args.bench)), "docs": len(docs), "gold_rows": gold_rows,
              "encoder": enc.signature, "load_before": os.getloadavg()}
    for m, d in tot.items():
        report[m] = {**d, "precision": d["hits"] / max(d["rows"], 1), "recall": d["hits"] / max(gold_rows, 1)}
    report["cost_ratio_cpu"] = tot["multiway"]["cpu"] / max(tot["pivot-join"]["cpu"], 1e-9)
    report["cost_ratio_wall"] = tot["multiway"]["wall"] / max(tot["pivot-join"]["wall"], 1e-9)
    perfect = [right for s, right in scores if s == 1.0]
    report["score_1_rows"] = len(perfect)
    report["score_1_precision"] = sum(perfect) / max(len(perfect), 1)
    for m in ("pivot-join", "multiway"):
        d = report[m]
        print(f"{m:10s}  precision {d['precision']:.3f}  recall {d['recall']:.3f}  ({d['hits']} right of {d['rows']} "
              f"rows, {gold_rows} gold)  CPU {d['cpu']:.1f} s  wall {d['wall']:.1f} s  strings encoded {d['encoded']}")
    print(f"multiway / five pivot pairs: CPU x{report['cost_ratio_cpu']:.2f}, wall x{report['cost_ratio_wall']:.2f}; "
          f"rows scoring 1.0: {len(perfect)} ({report['score_1_precision']:.3f} right)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)


def score_dataset(bench: str, folder: str) -> None:
    import pyarrow.parquet as pq

    table = pq.read_table(os.path.join(folder, "data", "multiway")).to_pylist()
    gold = {doc_id: rows for doc_id, _, rows in read_set(bench)}
    pred: dict[str, list] = {}
    for r in table:
        pred.setdefault(r["doc_id"], []).append(r["ids"])
    right = sum(hits(pred.get(d, []), g) for d, g in gold.items())
    n_gold = sum(len(g) for g in gold.values())
    print(f"{folder}: multiway precision {right / max(len(table), 1):.3f}  recall {right / max(n_gold, 1):.3f}  "
          f"({right} right of {len(table)} rows, {n_gold} gold)")


def _add(d: dict, pred: list[dict], gold: list[dict], t: float, w: float, encoded: int) -> None:
    d["cpu"] += time.process_time() - t
    d["wall"] += time.perf_counter() - w
    d["hits"] += hits(pred, gold)
    d["rows"] += len(pred)
    d["encoded"] += encoded


if __name__ == "__main__":
    main()
