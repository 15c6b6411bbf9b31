#!/usr/bin/env python
"""Raw UDHR through every reader: render the bundled Arabic and English texts as .docx and .pdf (the same way
the tests do), align each pair with `align pair` (no pre-segmentation), and report the share of gold paragraph
links (../shared/bench/udhr-ar-en, compared by whitespace-normalised text) the paragraph-level output reproduces.

    python scripts/bench_udhr_formats.py [BENCH_DIR]
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from align.eval import parse_ladder  # noqa: E402
from align.io import read_document  # noqa: E402


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def gold_links(bench: Path) -> set[tuple[str, str]]:
    d = bench / "udhr-ar-en"
    src = (d / "src" / "udhr").read_text(encoding="utf-8").split("\n")
    tgt = (d / "tgt" / "udhr").read_text(encoding="utf-8").split("\n")
    gold = parse_ladder((d / "gold" / "udhr").read_text(encoding="utf-8"))
    return {(norm(" ".join(src[i] for i in a)), norm(" ".join(tgt[j] for j in b))) for a, b in gold}


def reproduced(jsonl: Path, gold: set) -> float:
    rows = [json.loads(l) for l in jsonl.read_text(encoding="utf-8").splitlines()][1:]
    pred = {(norm(r["src"]), norm(r["tgt"])) for r in rows if r["level"] == "paragraph"}
    return len(gold & pred) / len(gold)


def main():
    from test_io_formats import make_docx, make_pdf  # the renderings the tests make

    bench = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "bench"
    gold = gold_links(bench)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for ext in ("txt", "docx", "pdf"):
            files = {}
            for lang, name in (("ar", "udhr_arb.txt"), ("en", "udhr_eng.txt")):
                paras = [p.text for p in read_document(str(ROOT / "seeds" / name), lang).paragraphs]
                files[lang] = tmp / f"udhr.{lang}.{ext}"
                if ext == "txt":
                    files[lang].write_text((ROOT / "seeds" / name).read_text(encoding="utf-8"), encoding="utf-8")
                elif ext == "docx":
                    make_docx(files[lang], paras, rtl=lang == "ar")
                else:
                    make_pdf(files[lang], paras, rtl=lang == "ar")
            res = tmp / f"{ext}.jsonl"
            r = subprocess.run([sys.executable, "-m", "align", "pair", str(files["ar"]), str(files["en"]),
                                "--src-lang", "ar", "--tgt-lang", "en", "-o", str(res)], capture_output=True, text=True)
            if r.returncode:
                out[ext] = {"error": r.stderr.strip()}
            else:
                out[ext] = {"gold_paragraph_links_reproduced": round(reproduced(res, gold), 4)}
            print(ext, out[ext], flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
