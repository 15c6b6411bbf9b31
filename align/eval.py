"""Strict and lax precision/recall/F1 of predicted links against gold, as Vecalign and Bertalign define them.

Precision is over predicted links (1-0 / 0-1 included); recall is over gold links with 1-0 / 0-1 removed from
both sides. A *strict* hit is an identical link; a *lax* hit shares at least one source sentence and one of the
target sentences that source sentence has in gold. Counts are summed over documents, then divided.
Also reported: recall of gold 1-0 / 0-1 links (omission detection), which neither tool reports.

Written by hand rather than imported: Vecalign's score.py is not packaged on PyPI; this keeps its definitions.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict

from align.errors import AlignError

Links = list[tuple[tuple[int, ...], tuple[int, ...]]]

_LINE = re.compile(r"^\s*\[([\d,\s]*)\]\s*:\s*\[([\d,\s]*)\]")


def parse_ladder(text: str, where: str = "") -> Links:
    """Parse `[i, j]:[k]` or `[i]:[k]:score` lines (Vecalign format)."""
    links = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if not m:
            raise AlignError(f"{where}:{n}: not a link line (expected '[i, j]:[k]'): {line[:60]!r}")
        src = tuple(int(x) for x in m.group(1).replace(",", " ").split())
        tgt = tuple(int(x) for x in m.group(2).replace(",", " ").split())
        links.append((src, tgt))
    return links


def read_bench_set(set_dir: str):
    """(doc, source lines, target lines, gold links) for every document of a benchmark set in the
    Vecalign/Bertalign layout: `<set>/{src,tgt,gold}/<doc>`, one segment per line."""
    for doc in sorted(os.listdir(os.path.join(set_dir, "gold"))):
        def lines(side):
            with open(os.path.join(set_dir, side, doc), encoding="utf-8") as f:
                out = f.read().split("\n")
            return out[:-1] if out and out[-1] == "" else out   # a final newline is not an empty segment
        with open(os.path.join(set_dir, "gold", doc), encoding="utf-8") as f:
            gold = parse_ladder(f.read(), doc)
        yield doc, lines("src"), lines("tgt"), gold


def read_links(path: str) -> Links:
    """Links from a ladder file or an `align pair` JSONL (sentence level when it has both levels)."""
    if not os.path.isfile(path):
        raise AlignError(f"{path}: no such file")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text.lstrip().startswith("{"):
        import json

        rows = [json.loads(l) for l in text.splitlines() if l.strip()]
        rows = [r for r in rows if "src_ids" in r]
        levels = {r.get("level") for r in rows}
        want = "sentence" if "sentence" in levels else None
        return [(tuple(r["src_ids"]), tuple(r["tgt_ids"])) for r in rows if want is None or r.get("level") == want]
    return parse_ladder(text, path)


def _counts(gold: Links, test: Links) -> list[int]:
    """[tp_strict, fp_strict, tp_lax, fp_lax] of `test` links judged against `gold` links."""
    gold = {(tuple(s), tuple(t)) for s, t in gold if len(s) or len(t)}
    test = {(tuple(s), tuple(t)) for s, t in test if len(s) or len(t)}
    gold_tgt_of_src = defaultdict(set)
    for s, t in gold:
        for i in s:
            gold_tgt_of_src[i].update(t)
    tp_s = fp_s = tp_l = fp_l = 0
    for s, t in test:
        if (s, t) in gold:
            tp_s += 1
            tp_l += 1
            continue
        fp_s += 1
        reach = set().union(*(gold_tgt_of_src[i] for i in s)) if s else set()
        if reach.intersection(t):
            tp_l += 1
        else:
            fp_l += 1
    return [tp_s, fp_s, tp_l, fp_l]


def _f(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(pairs: list[tuple[Links, Links]]) -> dict:
    """pairs: (gold links, predicted links) per document. Returns strict/lax P/R/F1 and omission recall."""
    pc = [0, 0, 0, 0]
    rc = [0, 0, 0, 0]
    om_gold = om_hit = 0
    for gold, test in pairs:
        pc = [a + b for a, b in zip(pc, _counts(gold, test))]
        # recall = precision with roles swapped, 1-0/0-1 removed on both sides
        g = [(s, t) for s, t in gold if len(s) and len(t)]
        p = [(s, t) for s, t in test if len(s) and len(t)]
        rc = [a + b for a, b in zip(rc, _counts(p, g))]
        test_set = {(tuple(s), tuple(t)) for s, t in test}
        for s, t in gold:
            if bool(len(s)) != bool(len(t)):
                om_gold += 1
                om_hit += (tuple(s), tuple(t)) in test_set

    def ratio(a, b):
        return a / (a + b) if a + b else 0.0

    out = {}
    for name, k in (("strict", 0), ("lax", 2)):
        p, r = ratio(pc[k], pc[k + 1]), ratio(rc[k], rc[k + 1])
        out[name] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(_f(p, r), 4)}
    out["omission_recall"] = round(om_hit / om_gold, 4) if om_gold else None
    out["omissions_in_gold"] = om_gold
    out["documents"] = len(pairs)
    return out


def evaluate_paths(gold_path: str, pred_path: str) -> dict:
    """Gold and prediction as two files, or two directories whose files are paired by name."""
    if os.path.isdir(gold_path) != os.path.isdir(pred_path):
        raise AlignError("GOLD and PRED must both be files or both be directories")
    if os.path.isdir(gold_path):
        names = sorted(n for n in os.listdir(gold_path) if not n.startswith("."))
        if not names:
            raise AlignError(f"{gold_path}: no gold files")
        pairs = []
        for n in names:
            pred = _find_pred(pred_path, n)
            pairs.append((read_links(os.path.join(gold_path, n)), read_links(pred) if pred else []))
        return score(pairs)
    return score([(read_links(gold_path), read_links(pred_path))])


def _find_pred(pred_dir: str, name: str) -> str | None:
    for cand in (name, name + ".ladder", name + ".jsonl", name + ".txt"):
        p = os.path.join(pred_dir, cand)
        if os.path.isfile(p):
            return p
    return None
