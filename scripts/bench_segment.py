"""Segmentation benchmark: re-join each document of a one-segment-per-line set and see whether
``split_sentences`` finds the line boundaries again.

    python scripts/bench_segment.py [BENCH_DIR] [--set unpc-ar-en] [--out FILE] [--show N]

Every line boundary is a boundary to recover. A predicted break anywhere else is spurious, with one
exception reported separately: the benchmark seeds merges (a target line that is 2-3 original sentences
joined, gold link "[i, j]:[k]"), and a break inside such a line is finding an original sentence
boundary, so up to (parts - 1) breaks inside a merged line count as "merge-internal" rather than spurious.
The figures are also split by whether the line before the boundary ends in sentence-final punctuation:
boundaries after headings, ";"-items or ","-clauses leave no trace once lines are joined with a space.
Both joins are reported: "space" (every line joined with one space) and "layout" (a line without final
punctuation followed by a paragraph break, as headings and list items stand in a real UN document).
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import re
import sys
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from align.eval import parse_ladder  # noqa: E402
from align.segment import sentence_spans  # noqa: E402

FINAL = re.compile(r"[.!?؟…。！？][\"'”’»)\]]*$")


def merged_parts(gold_path: str) -> tuple[dict[int, int], dict[int, int]]:
    """For each side, line index -> number of original sentences it merges (only lines with >= 2)."""
    src, tgt = {}, {}
    if not os.path.exists(gold_path):
        return src, tgt
    with open(gold_path, encoding="utf-8") as f:
        for s, t in parse_ladder(f.read(), gold_path):
            if len(s) == 1 and len(t) >= 2:
                src[s[0]] = len(t)
            if len(t) == 1 and len(s) >= 2:
                tgt[t[0]] = len(s)
    return src, tgt


def score_doc(lines: list[str], lang: str, parts: dict[int, int], c: Counter, examples: list,
              join: str = "space") -> None:
    # "space": every line joined with one space (the wording). "layout": as the lines would stand in a
    # UN document: running sentences joined with a space, but a line without sentence-final punctuation (a
    # heading, "Sixty-ninth session", an item ending in ";") followed by a paragraph break.
    seps = [" " if join == "space" or FINAL.search(l) else "\n\n" for l in lines[:-1]] + [""]
    text = "".join(l + sep for l, sep in zip(lines, seps))
    starts, pos = [], 0
    for line, sep in zip(lines, seps):
        starts.append(pos)
        pos += len(line) + len(sep)
    gold = set(starts[1:])
    pred = [b for b, _ in sentence_spans(text, lang)][1:]
    inside = Counter()
    for p in pred:
        if p in gold:
            continue
        k = bisect.bisect_right(starts, p) - 1
        inside[k] += 1
        if inside[k] < parts.get(k, 1):
            c["merge_internal"] += 1
        else:
            c["spurious"] += 1
            examples.append(("spurious", text[max(0, p - 70):p] + " ‖ " + text[p:p + 40]))
    for i, s in enumerate(starts[1:], 1):
        kind = "final" if FINAL.search(lines[i - 1]) else "unpunctuated"
        c[f"gold_{kind}"] += 1
        if s in pred:
            c[f"hit_{kind}"] += 1
        elif kind == "final":
            examples.append(("missed", lines[i - 1][-70:] + " ‖ " + lines[i][:40]))
    c["predicted"] += len(pred)


def run(bench: str, name: str, show: int, join: str = "space") -> dict:
    root = os.path.join(bench, name)
    langs = {"src": "ar", "tgt": "en"} if name.endswith("ar-en") else {"src": name[-5:-3], "tgt": name[-2:]}
    out = {}
    for side, lang in langs.items():
        c, examples = Counter(), []
        for doc in sorted(os.listdir(os.path.join(root, side))):
            with open(os.path.join(root, side, doc), encoding="utf-8") as f:
                lines = [l.strip() for l in f.read().split("\n")]
            lines = [l for l in lines if l]
            src_parts, tgt_parts = merged_parts(os.path.join(root, "gold", doc))
            score_doc(lines, lang, src_parts if side == "src" else tgt_parts, c, examples, join)
        gold = c["gold_final"] + c["gold_unpunctuated"]
        hits = c["hit_final"] + c["hit_unpunctuated"]
        res = {
            "boundaries": gold,
            "recovered": round(hits / gold, 4),
            "recovered_after_final_punct": round(c["hit_final"] / max(1, c["gold_final"]), 4),
            "recovered_unpunctuated": round(c["hit_unpunctuated"] / max(1, c["gold_unpunctuated"]), 4),
            "share_unpunctuated": round(c["gold_unpunctuated"] / gold, 4),
            "predicted_breaks": c["predicted"],
            "spurious": c["spurious"],
            "spurious_rate": round(c["spurious"] / max(1, c["predicted"]), 4),
            "merge_internal": c["merge_internal"],
            "spurious_rate_counting_merge_internal":
                round((c["spurious"] + c["merge_internal"]) / max(1, c["predicted"]), 4),
        }
        out[lang] = res
        print(f"{name} {lang} ({join} join): " + ", ".join(f"{k}={v}" for k, v in res.items()))
        for kind, ex in examples[:show]:
            print(f"   {kind}: {ex}")
    return out


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bench", nargs="?", default=os.path.join(here, "..", "..", "shared", "bench"))
    ap.add_argument("--set", default="unpc-ar-en", dest="name")
    ap.add_argument("--out", default="bench_segment.json", help="where to write the JSON (default: %(default)s)")
    ap.add_argument("--show", type=int, default=0, help="print this many failure examples per language")
    a = ap.parse_args()
    if not os.path.isdir(os.path.join(a.bench, a.name)):
        sys.exit(f"bench_segment: no {a.name} in {a.bench}")
    res = {"set": a.name, "joins": {j: run(a.bench, a.name, a.show, j) for j in ("space", "layout")}}
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(res, f, indent=2, ensure_ascii=False)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
