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
from typing import Any

from align.errors import AlignError

Links = list[tuple[tuple[int, ...], tuple[int, ...]]]

_IDS = r"\[\s*(\d+(?:\s*,\s*\d+)*)?\s*\]"
_LINE = re.compile(rf"^\s*{_IDS}\s*:\s*{_IDS}\s*(?::\s*(\S+))?\s*$")


def parse_ladder(text: str, where: str = "") -> Links:
    """Parse `[i, j]:[k]` or `[i]:[k]:score` lines (Vecalign format). Anything else on a line is an error,
    never skipped: `[1,,2]` or junk after a link would otherwise score as something else."""
    links = []
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if not m or (m.group(3) is not None and not _is_number(m.group(3))):
            raise AlignError(f"{where}:{n}: not a link line (expected '[i, j]:[k]' or '[i]:[k]:score'): {line[:60]!r}")
        links.append((_ids(m.group(1)), _ids(m.group(2))))
    return links


def _ids(group: str | None) -> tuple[int, ...]:
    return tuple(int(x) for x in group.split(",")) if group else ()


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def read_bench_set(set_dir: str):
    """(doc, source lines, target lines, gold links) for every document of a benchmark set in the
    Vecalign/Bertalign layout: `<set>/{src,tgt,gold}/<doc>`, one segment per line."""
    for doc in sorted(os.listdir(os.path.join(set_dir, "gold"))):
        def lines(side, doc=doc):
            with open(os.path.join(set_dir, side, doc), encoding="utf-8") as f:
                out = f.read().split("\n")
            return out[:-1] if out and out[-1] == "" else out   # a final newline is not an empty segment
        with open(os.path.join(set_dir, "gold", doc), encoding="utf-8") as f:
            gold = parse_ladder(f.read(), doc)
        yield doc, lines("src"), lines("tgt"), gold


def read_links(path: str) -> Links:
    """Links from a ladder file or an `align pair` JSONL (sentence level when it has both levels). A JSONL
    reviewed with `align review` gives its approved, corrected and unreviewed links: a rejected link is left out
    (the reviewer said it is wrong without saying what is right). Lines are split on "\n" only: a segment may
    hold U+2028, which str.splitlines() would take for a line break."""
    from align.io.plain import read_text  # BOMs, UTF-16, binary files: one-line errors

    if not os.path.isfile(path):
        raise AlignError(f"{path}: no such file")
    text = read_text(path)
    return _read_jsonl(text, path) if text.lstrip().startswith("{") else parse_ladder(text, path)


def _read_jsonl(text: str, path: str) -> Links:
    from align.formats import json_lines

    rows = []
    for n, row in json_lines(text, path):
        if not isinstance(row, dict):
            raise AlignError(f"{path}:{n}: expected a JSON object per line")
        if "src_ids" in row or "tgt_ids" in row:
            src, tgt = row.get("src_ids"), row.get("tgt_ids")
            if not all(isinstance(v, list) and all(type(i) is int and i >= 0 for i in v) for v in (src, tgt)):
                raise AlignError(f"{path}:{n}: src_ids and tgt_ids must both be lists of sentence numbers")
            rows.append((row.get("level"), (tuple(src), tuple(tgt)), row.get("review")))  # type: ignore[arg-type]
    want = "sentence" if any(level == "sentence" for level, _, _ in rows) else None
    return [link for level, link, review in rows
            if (want is None or level == want) and (review or {}).get("status") != "rejected"]


def check_links(links: Links, where: str) -> None:
    """Each sentence in at most one link per side: a prediction that links one twice is not an alignment.
    (Gold is not held to it: textberg-de-fr/gold/002 has source sentence 218 in two links.)"""
    for side, name in ((0, "source"), (1, "target")):
        seen: set[int] = set()
        for link in links:
            for i in link[side]:
                if i in seen:
                    raise AlignError(f"{where}: {name} sentence {i} is in two links")
                seen.add(i)


def _check_range(gold: Links, pred: Links, where: str) -> None:
    """Predicted links may only name sentences the gold alignment has (it covers every sentence)."""
    for side, name in ((0, "source"), (1, "target")):
        top = max((i for link in gold for i in link[side]), default=-1)
        bad = next((i for link in pred for i in link[side] if i > top), None)
        if bad is not None:
            raise AlignError(f"{where}: {name} sentence {bad} is out of range (gold has {top + 1})")


def _counts(gold: Links, test: Links) -> list[int]:
    """[tp_strict, fp_strict, tp_lax, fp_lax] of `test` links judged against `gold` links."""
    gold_set = {(tuple(s), tuple(t)) for s, t in gold if len(s) or len(t)}
    test_set = {(tuple(s), tuple(t)) for s, t in test if len(s) or len(t)}
    gold_tgt_of_src: defaultdict[int, set[int]] = defaultdict(set)
    for s, t in gold_set:
        for i in s:
            gold_tgt_of_src[i].update(t)
    tp_s = fp_s = tp_l = fp_l = 0
    for s, t in test_set:
        if (s, t) in gold_set:
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

    out: dict[str, Any] = {}
    for name, k in (("strict", 0), ("lax", 2)):
        p, r = ratio(pc[k], pc[k + 1]), ratio(rc[k], rc[k + 1])
        out[name] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(_f(p, r), 4)}
    out["omission_recall"] = round(om_hit / om_gold, 4) if om_gold else None
    out["omissions_in_gold"] = om_gold
    out["documents"] = len(pairs)
    return out


def evaluate_paths(gold_path: str, pred_path: str) -> dict:
    """Gold and prediction as two files, or two directories whose files are paired by name."""
    for p in (gold_path, pred_path):
        if not os.path.exists(p):
            raise AlignError(f"{p}: no such file or directory")
    if os.path.isdir(gold_path) != os.path.isdir(pred_path):
        raise AlignError("GOLD and PRED must both be files or both be directories")
    if os.path.isdir(gold_path):
        names = sorted(n for n in os.listdir(gold_path) if not n.startswith("."))
        if not names:
            raise AlignError(f"{gold_path}: no gold files")
        preds = {n: _find_pred(pred_path, n) for n in names}
        missing = [n for n, p in preds.items() if p is None]
        if missing:  # scoring them as empty predictions would report a low score, not a missing file
            raise AlignError(f"{pred_path}: no prediction for {len(missing)} gold file(s), e.g. {missing[0]}")
        return score([_pair(os.path.join(gold_path, n), str(preds[n])) for n in names])
    return score([_pair(gold_path, pred_path)])


def _pair(gold_path: str, pred_path: str) -> tuple[Links, Links]:
    gold, pred = read_links(gold_path), read_links(pred_path)
    check_links(pred, pred_path)
    _check_range(gold, pred, pred_path)
    return gold, pred


def _find_pred(pred_dir: str, name: str) -> str | None:
    for cand in (name, name + ".ladder", name + ".jsonl", name + ".txt"):
        p = os.path.join(pred_dir, cand)
        if os.path.isfile(p):
            return p
    return None
