#!/usr/bin/env python
"""The README screenshots of `align review`: the UDHR alignment (`align pair seeds/udhr_arb.txt
seeds/udhr_eng.txt -o udhr.jsonl`), the review page in headless Chromium, a few links approved with `a` and the
real mistake of that alignment corrected with `m` ("Now, therefore," left as an addition instead of joining
the next link), then a screenshot of the page and one of the help.

    align pair seeds/udhr_arb.txt seeds/udhr_eng.txt --src-lang ar --tgt-lang en -o /tmp/udhr.jsonl
    python scripts/review_screenshots.py /tmp/udhr.jsonl docs/
"""

from __future__ import annotations

import base64
import os
import sys
import tempfile
import threading
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

from test_review_browser import Browser  # noqa: E402

from align.review import store  # noqa: E402
from align.review.server import ReviewServer, Session  # noqa: E402


def shot(b: Browser, path: str) -> None:
    import io

    from PIL import (
        Image,  # matplotlib's dependency: 256 colours keep the README's PNGs small
    )

    data = base64.b64decode(b.call("Page.captureScreenshot", format="png")["data"])
    Image.open(io.BytesIO(data)).convert("RGB").quantize(256).save(path, optimize=True)
    print(f"wrote {path} ({os.path.getsize(path) // 1024} KB)")


def main():
    alignment, out_dir = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        doc, items = store.load(alignment, os.path.join(tmp, "reviewed.jsonl"))
        srv = ReviewServer(Session(doc, items, os.path.join(tmp, "reviewed.jsonl")))
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        b = Browser(Path(tmp), srv.url)
        b.call("Emulation.setDeviceMetricsOverride", width=1200, height=760, deviceScaleFactor=1, mobile=False)
        b.wait("typeof links !== 'undefined' && links.length > 0")
        target = b.js("links.findIndex(l => l.tgt === 'Now, therefore,')")
        b.goto(target - 3)
        for _ in range(3):
            b.press("a")
        b.press("m")                 # "Now, therefore," joins "The General Assembly proclaims ..."
        b.press("a")
        b.press("k")
        b.js("document.querySelector('tr.cur').scrollIntoView({block: 'center'})")
        shot(b, os.path.join(out_dir, "review-corrected.png"))
        b.press("?")
        shot(b, os.path.join(out_dir, "review-keys.png"))
        b.close()
        srv.shutdown()


if __name__ == "__main__":
    main()
