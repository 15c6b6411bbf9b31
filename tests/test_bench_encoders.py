"""scripts/bench_encoders.py: the retrieval measure on a hand-made similarity matrix, and the script end to end
on a tiny Tatoeba-like folder (no bench data needed)."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "scripts", "bench_encoders.py")


def _module():
    spec = importlib.util.spec_from_file_location("bench_encoders", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_margin_discounts_a_hub_that_cosine_falls_for():
    # Column 0 is a "hub": close to every row. By cosine rows 1 and 2 pick it; the ratio margin sees that
    # the hub is close to everything and picks each row's own translation.
    sim = np.array([[0.90, 0.20, 0.10],
                    [0.85, 0.80, 0.10],
                    [0.85, 0.10, 0.80]])
    r = _module().retrieval(sim, k=2)
    assert r["cosine_src2tgt"] == 1 / 3
    assert r["margin_src2tgt"] == 1.0
    assert r["cosine_tgt2src"] == 1.0


def test_script_end_to_end(tmp_path):
    ar = ["في عام 1945 تأسست الأمم المتحدة.", "عقد الاجتماع 12 في جنيف.", "اعتمد القرار 2334 (2016).", "شكراً."]
    en = ["In 1945 the United Nations was founded.", "Meeting 12 was held in Geneva.",
          "Resolution 2334 (2016) was adopted.", "Thank you."]
    (tmp_path / "ar.txt").write_text("\n".join(ar) + "\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("\n".join(en) + "\n", encoding="utf-8")
    out = tmp_path / "r.json"
    p = subprocess.run([sys.executable, SCRIPT, "--bench", str(tmp_path), "--encoder", "lexical", "--json", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    r = json.loads(out.read_text())["lexical"]
    assert r["pairs"] == 4 and r["sentences_per_second"] > 0
    assert r["cosine_src2tgt"] >= 0.75   # numbers and length carry these pairs across scripts
    assert "lexical" in p.stdout


def test_script_missing_folder_is_one_line(tmp_path):
    p = subprocess.run([sys.executable, SCRIPT, "--bench", str(tmp_path / "nope")], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode != 0
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
