"""The command line end to end on small texts, and bad input: one line on stderr, non-zero exit, no traceback."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AR = ("الفقرة الأولى تتحدث عن السلام والأمن الدوليين. وتؤكد على أهمية التعاون.\n\n"
      "اعتمد مجلس الأمن القرار 2231 (2015) في 20 تموز/يوليه 2015.\n\n"
      "وتدعو الجمعية العامة جميع الدول الأعضاء إلى تقديم تقارير.\n")
EN = ("The first paragraph is about international peace and security. It stresses the importance of cooperation.\n\n"
      "The Security Council adopted resolution 2231 (2015) on 20 July 2015.\n\n"
      "The General Assembly invites all Member States to submit reports.\n")


def run(*args, cwd=None):
    env = dict(os.environ, ALIGN_CACHE_DIR=os.path.join(cwd or ROOT, ".cache-test"))
    return subprocess.run([sys.executable, "-m", "align", *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=300)


@pytest.fixture
def texts(tmp_path):
    (tmp_path / "doc.ar.txt").write_text(AR, encoding="utf-8")
    (tmp_path / "doc.en.txt").write_text(EN, encoding="utf-8")
    return tmp_path


def test_pair_writes_jsonl_ladder_tsv(texts):
    r = run("pair", "doc.ar.txt", "doc.en.txt", "--src-lang", "ar", "--tgt-lang", "en",
            "-o", "out.jsonl", "-o", "out.ladder", "-o", "out.tsv", cwd=texts)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(l) for l in (texts / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    head, links = rows[0], rows[1:]
    assert head["signature"].startswith("align:") and "enc:use-m3" in head["signature"]
    paras = [l for l in links if l["level"] == "paragraph"]
    sents = [l for l in links if l["level"] == "sentence"]
    assert [(p["src_ids"], p["tgt_ids"]) for p in paras] == [([0], [0]), ([1], [1]), ([2], [2])]
    assert [(s["src_ids"], s["tgt_ids"]) for s in sents] == [([0], [0]), ([1], [1]), ([2], [2]), ([3], [3])]
    for l in links:
        assert {"src", "tgt", "src_ids", "tgt_ids", "type", "level", "score"} <= set(l)
        assert 0.0 <= l["score"] <= 1.0 and l["type"] == f"{len(l['src_ids'])}-{len(l['tgt_ids'])}"
    assert "2231" in sents[2]["src"] and "2231" in sents[2]["tgt"]
    ladder = (texts / "out.ladder").read_text().splitlines()
    assert ladder[0].startswith("[0]:[0]:") and len(ladder) == 4
    tsv = (texts / "out.tsv").read_text(encoding="utf-8").splitlines()
    assert tsv[0] == "# signature: " + head["signature"] and tsv[1].startswith("level\tsrc_ids")
    assert len(tsv) == 2 + len(links)


def test_pair_written_as_made_equals_pair_held_whole(texts):
    # -o x.jsonl alone: links written as they are made; with an html output the whole alignment is held first
    common = ["pair", "doc.ar.txt", "doc.en.txt", "--src-lang", "ar", "--tgt-lang", "en", "--encoder", "lexical"]
    streamed = run(*common, "-o", "a.jsonl", "-o", "a.ladder", cwd=texts)
    held = run(*common, "-o", "b.jsonl", "-o", "b.ladder", "-o", "b.html", cwd=texts)
    assert streamed.returncode == 0 == held.returncode, streamed.stderr + held.stderr
    assert (texts / "a.jsonl").read_text(encoding="utf-8") == (texts / "b.jsonl").read_text(encoding="utf-8")
    assert (texts / "a.ladder").read_text() == (texts / "b.ladder").read_text() != ""
    assert streamed.stderr.replace("a.", "b.") == held.stderr.replace(", b.html", "")  # the same report
    assert not [n for n in os.listdir(texts) if n.startswith((".tmp", "tmp"))]  # no spool or temporary file left


def test_pair_directories_and_eval(texts):
    for side, text in (("ar", AR), ("en", EN)):
        (texts / side).mkdir()
        for name in ("a", "b"):
            (texts / side / name).write_text(text.replace("\n\n", "\n"), encoding="utf-8")
    r = run("pair", "ar", "en", "--src-lang", "ar", "--tgt-lang", "en", "--segmented", "-o", "pred",
            "--format", "ladder", cwd=texts)
    assert r.returncode == 0, r.stderr
    assert sorted(os.listdir(texts / "pred")) == ["a.ladder", "b.ladder"]
    (texts / "gold").mkdir()
    for name in ("a", "b"):
        (texts / "gold" / name).write_text("[0]:[0]\n[1]:[1]\n[2]:[2]\n")
    r = run("eval", "gold", "pred", "--json", cwd=texts)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["strict"]["f1"] == 1.0


def test_pairs_of_a_folder_align_as_each_pair_alone(tmp_path):
    # `align pair DIR DIR` reads and encodes the next pair in a background thread while one is aligned; the links
    # (and their scores) are those of each pair aligned on its own, in its own process with its own cache
    bench = os.path.join(ROOT, "..", "shared", "bench", "unpc-ar-en")
    if not os.path.isdir(bench):
        pytest.skip("no ../shared/bench here")
    names = sorted(os.listdir(os.path.join(bench, "src")))[:3]
    for side in ("src", "tgt"):
        (tmp_path / side).mkdir()
        for name in names:
            with open(os.path.join(bench, side, name), encoding="utf-8") as f:
                (tmp_path / side / name).write_text(f.read(), encoding="utf-8")
    r = run("pair", "src", "tgt", "--src-lang", "ar", "--tgt-lang", "en", "--segmented", "-o", "all",
            "--format", "ladder", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for name in names:
        r = run("pair", f"src/{name}", f"tgt/{name}", "--src-lang", "ar", "--tgt-lang", "en", "--segmented",
                "-o", f"{name}.ladder", "--no-cache", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert (tmp_path / "all" / f"{name}.ladder").read_text() == (tmp_path / f"{name}.ladder").read_text()


@pytest.mark.parametrize("make,expect", [
    (lambda d: None, "no such file"),
    (lambda d: (d / "x.txt").write_bytes(b""), "empty"),
    (lambda d: (d / "x.txt").write_bytes(bytes(range(256)) * 8), "binary"),
])
def test_bad_input_is_one_clear_line(texts, make, expect):
    make(texts)
    (texts / "out.jsonl").write_text("previous result\n")
    r = run("pair", "x.txt", "doc.en.txt", "--src-lang", "ar", "--tgt-lang", "en", "-o", "out.jsonl", cwd=texts)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and expect in lines[0].lower(), r.stderr
    assert (texts / "out.jsonl").read_text() == "previous result\n"  # nothing already written is touched


def test_pair_japanese_english_with_region_codes(tmp_path):
    # A language of the bundled encoder beyond the UN six, given with region subtags as tools write them.
    (tmp_path / "ja.txt").write_text("安全保障理事会は会合を開いた。決議2231を採択した。\n\n総会は報告を求めた。\n",
                                     encoding="utf-8")
    (tmp_path / "en.txt").write_text("The Security Council held a meeting. It adopted resolution 2231.\n\n"
                                     "The General Assembly requested a report.\n", encoding="utf-8")
    r = run("pair", "ja.txt", "en.txt", "--src-lang", "ja-JP", "--tgt-lang", "en-US", "-o", "o.jsonl", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(l) for l in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()][1:]
    sents = [(l["src_ids"], l["tgt_ids"]) for l in rows if l["level"] == "sentence"]
    assert sents == [([0], [0]), ([1], [1]), ([2], [2])]
    assert "language" not in r.stderr   # no "looks like another language" warning for kanji + kana


def test_unknown_language_and_mismatched_inputs(texts):
    r = run("pair", "doc.ar.txt", "doc.en.txt", "--src-lang", "xx", "--tgt-lang", "en", "-o", "o.jsonl", cwd=texts)
    assert r.returncode != 0 and "unknown language" in r.stderr and "Traceback" not in r.stderr
    (texts / "dir").mkdir()
    r = run("pair", "doc.ar.txt", "dir", "--src-lang", "ar", "--tgt-lang", "en", "-o", "o.jsonl", cwd=texts)
    assert r.returncode != 0 and "both be files or both be directories" in r.stderr


def test_help_teaches():
    r = run("pair", "--help")
    assert r.returncode == 0 and "Examples:" in r.stdout and "--segmented" in r.stdout


def test_a_file_in_another_language_is_warned_about(texts):
    # English text declared as Arabic: aligned anyway (the user may mean it), but told in one line
    r = run("pair", "doc.en.txt", "doc.en.txt", "--src-lang", "ar", "--tgt-lang", "en", "-o", "o.jsonl", cwd=texts)
    assert r.returncode == 0, r.stderr
    warnings = [l for l in r.stderr.splitlines() if l.startswith("align: warning:")]
    assert len(warnings) == 1 and "expected ar" in warnings[0]
    r = run("pair", "doc.ar.txt", "doc.en.txt", "--src-lang", "ar", "--tgt-lang", "en", "-o", "o.jsonl", cwd=texts)
    assert "warning" not in r.stderr
