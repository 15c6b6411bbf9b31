"""Benchmark of the numbers check on real UN sentence pairs (issue 4, must reach).

Draws 300 of the 1-1 gold links of unpc-ar-en (Arabic source, English target) with a fixed seed and changes one
number in a third of the English sides (one digit replaced, a value moved by a small step, or two digits
swapped: the slips a translator makes); the third is drawn among the sampled pairs whose English side has a
number in digits, since only those can be changed. Reports the share of changed pairs the numbers check flags
(must be >= 95%) and the share of untouched pairs it flags (must be <= 2%), on stdout and as JSON.

Two populations are reported: "all" (the 300 pairs are any 1-1 pairs, as the issue states it) and "numbers"
(the 300 pairs all have a number in their English side, so every untouched pair is a chance of a false alarm:
the harder test). Untouched pairs are as the UN published them, real translation slips included; --show lists
the misses and the flagged untouched pairs to study.

    .venv/bin/python scripts/bench_numbers.py [--bench DIR] [--n 300] [--seed 4] [--json out.json] [--show]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from align.eval import read_bench_set  # noqa: E402
from align.score.numbers import check as numbers_check  # noqa: E402

DEFAULT_BENCH = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "bench", "unpc-ar-en")
DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def gold_pairs(bench: str) -> list[tuple[str, str, str]]:
    """(doc, source line, target line) of every 1-1 gold link."""
    return [(doc, src[s[0]], tgt[t[0]])
            for doc, src, tgt, gold in read_bench_set(bench) for s, t in gold if len(s) == 1 and len(t) == 1]


def change_number(text: str, rng: random.Random) -> str:
    """The text with one of its digit numbers changed to a different value, formatting kept."""
    m = rng.choice(list(DIGITS.finditer(text)))
    old = m.group(0)
    digit_at = [i for i, c in enumerate(old) if c.isdigit()]
    new = old
    while new == old:
        how = rng.choice(("digit", "step", "swap"))
        chars = list(old)
        if how == "digit":
            i = rng.choice(digit_at)
            chars[i] = rng.choice([d for d in "0123456789"
                                   if d != old[i] and not (d == "0" and i == 0 and len(digit_at) > 1)])
        elif how == "step":
            # move the last group by a small amount: 2015 -> 2013, 45 -> 48
            last = re.search(r"\d+$", old)
            value = int(last.group(0)) + rng.choice([-3, -2, -1, 1, 2, 3, 10])
            if value < 0:
                continue
            chars = list(old[: last.start()] + str(value).zfill(len(last.group(0))))
        else:
            pairs = [i for i in range(len(chars) - 1) if chars[i].isdigit() and chars[i + 1].isdigit()
                     and chars[i] != chars[i + 1] and not (i == 0 and chars[1] == "0")]
            if not pairs:
                continue
            i = rng.choice(pairs)
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        new = "".join(chars)
    return text[: m.start()] + new + text[m.end():]


def run(bench: str, n: int, seed: int, population: str = "all", changed_share: float = 1 / 3) -> dict:
    rng = random.Random(seed)
    candidates = gold_pairs(bench)
    if population == "numbers":
        candidates = [p for p in candidates if DIGITS.search(p[2])]
    sample = rng.sample(candidates, min(n, len(candidates)))
    changeable = [i for i, p in enumerate(sample) if DIGITS.search(p[2])]
    to_change = set(rng.sample(changeable, min(len(changeable), round(len(sample) * changed_share))))
    changed_hits, untouched_alarms, misses, alarms = 0, 0, [], []
    for i, (doc, src, tgt) in enumerate(sample):
        if i in to_change:
            new_tgt = change_number(tgt, rng)
            flags = numbers_check(src, new_tgt, "ar", "en")
            changed_hits += bool(flags)
            if not flags:
                misses.append({"doc": doc, "src": src, "tgt": new_tgt, "original": tgt})
        else:
            flags = numbers_check(src, tgt, "ar", "en")
            untouched_alarms += bool(flags)
            if flags:
                alarms.append({"doc": doc, "src": src, "tgt": tgt, "flags": flags})
    n_changed, n_untouched = len(to_change), len(sample) - len(to_change)
    return {
        "bench": os.path.basename(os.path.normpath(bench)),
        "population": population,
        "pairs": len(sample),
        "seed": seed,
        "changed": n_changed,
        "changed_flagged": changed_hits,
        "changed_flagged_rate": round(changed_hits / n_changed, 4) if n_changed else None,
        "untouched": n_untouched,
        "untouched_flagged": untouched_alarms,
        "untouched_flagged_rate": round(untouched_alarms / n_untouched, 4) if n_untouched else None,
        "misses": misses,
        "false_alarms": alarms,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=DEFAULT_BENCH)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--json", help="write the result here as JSON")
    ap.add_argument("--show", action="store_true", help="print the misses and false alarms")
    args = ap.parse_args()
    results = {pop: run(args.bench, args.n, args.seed, pop) for pop in ("all", "numbers")}
    for pop, result in results.items():
        if args.show:
            for m in result["misses"]:
                print(f"MISS  [{pop}] {m['doc']}\n  ar: {m['src']}\n  en: {m['tgt']}\n  was: {m['original']}")
            for a in result["false_alarms"]:
                print(f"ALARM [{pop}] {a['doc']}\n  ar: {a['src']}\n  en: {a['tgt']}\n  "
                      + "; ".join(f["message"] for f in a["flags"]))
    for pop, r in results.items():
        print(f"[{pop:7}] changed pairs flagged:   {r['changed_flagged']}/{r['changed']} = "
              f"{r['changed_flagged_rate']:.1%}  (must be >= 95%)")
        print(f"[{pop:7}] untouched pairs flagged: {r['untouched_flagged']}/{r['untouched']} = "
              f"{r['untouched_flagged_rate']:.1%}  (must be <= 2%)")
    print(json.dumps({pop: {k: v for k, v in r.items() if k not in ("misses", "false_alarms")}
                      for pop, r in results.items()}))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
