#!/usr/bin/env python
"""How fast is the review page on a long document? A synthetic alignment of N links (default 5,000: Arabic and
English sentences of typical length), the review server in this process, headless Chromium over the DevTools
protocol (the browser test's driver). Prints: the state download, first rows drawn, one cursor move (a page of
rows redrawn), and an edit's round trip (the server saves the whole reviewed file before it answers).

    python scripts/bench_review.py [--links 5000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

from test_review_browser import Browser  # noqa: E402

from align.review import store  # noqa: E402
from align.review.server import ReviewServer, Session  # noqa: E402

AR = "وتؤكد الجمعية العامة من جديد التزامها بتعزيز حقوق الإنسان والحريات الأساسية للجميع في الفقرة {}."
EN = ("The General Assembly reaffirms its commitment to promoting human rights and fundamental freedoms for all "
      "in paragraph {}.")


def write_alignment(path: Path, n: int) -> None:
    head = {"signature": "align:0.1.0|enc:use-m3:0.2.1+spm|seg:lines|mode:segmented|k.4", "src_path": "doc.ar.txt",
            "tgt_path": "doc.en.txt", "src_lang": "ar", "tgt_lang": "en", "quality": {"score": 0.9, "verdict": "good"}}
    rows = [{"src": AR.format(i), "tgt": EN.format(i), "src_ids": [i], "tgt_ids": [i], "type": "1-1",
             "level": "sentence", "score": (i * 37 % 100) / 100, "sim": 0.8, "margin": 0.2,
             "flags": [{"check": "numbers", "severity": "minor", "message": f"number {i}"}] if i % 9 == 0 else []}
            for i in range(n)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [head] + rows), encoding="utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--links", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_alignment(tmp / "doc.jsonl", args.links)
        t = time.perf_counter()
        doc, items = store.load(str(tmp / "doc.jsonl"), str(tmp / "out.jsonl"))
        print(f"{args.links:,} links: loaded in {time.perf_counter() - t:.2f} s")
        srv = ReviewServer(Session(doc, items, str(tmp / "out.jsonl")))
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        t = time.perf_counter()
        b = Browser(tmp, srv.url)
        b.wait(f"typeof links !== 'undefined' && links.length === {args.links} && "
               "document.querySelectorAll('tr.link').length > 0", timeout=120)
        drawn = time.perf_counter() - t
        rows = b.js("document.querySelectorAll('tr.link').length")
        print(f"browser start to first rows drawn: {drawn:.2f} s ({rows} rows on the page)")
        moves = [b.js("(() => { const t = performance.now(); go(cur + 1); return performance.now() - t; })()")
                 for _ in range(args.repeat)]
        print(f"cursor move on the page: median {statistics.median(moves):.1f} ms, max {max(moves):.1f} ms")
        flips = [b.js("(() => { const t = performance.now(); go(cur + 100); return performance.now() - t; })()")
                 for _ in range(args.repeat)]
        print(f"next page: median {statistics.median(flips):.1f} ms, max {max(flips):.1f} ms")
        trips = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            b.press("a")
            trips.append((time.perf_counter() - t) * 1000)
        print(f"approve, saved and redrawn (key to answer, as the test driver sees it): median "
              f"{statistics.median(trips):.0f} ms, max {max(trips):.0f} ms; the file is "
              f"{os.path.getsize(tmp / 'out.jsonl') / 1e6:.1f} MB")
        b.close()
        srv.shutdown()


if __name__ == "__main__":
    main()
