"""`align score` end to end on small files: every input format, the report, the summary, the CI gate,
sacreBLEU scores against a reference, and the plot. Uses the lexical encoder (no model, fast)."""

import json

import pytest
from click.testing import CliRunner

from align.cli import main

PAIRS = [
    ("المقرر عقدها يوم الجمعة 6 آذار/مارس 2015، الساعة 12:40", "To be held on Friday, 6 March 2015, at 12.40 p.m."),
    ("وبلغ عدد المشاركين 000 2 شخص.", "There were 3,000 participants."),
    ("اعتماد جدول الأعمال.", "Adoption of the agenda."),
]


def run(*args):
    result = CliRunner().invoke(main, ["score", *map(str, args), "--src-lang", "ar", "--tgt-lang", "en",
                                       "--encoder", "lexical"])
    return result


def report(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def tsv(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("".join(f"{s}\t{t}\n" for s, t in PAIRS), encoding="utf-8")
    return path


def test_tsv_report_one_object_per_pair_in_order(tmp_path, tsv):
    out = tmp_path / "report.jsonl"
    result = run(tsv, "-o", out)
    assert result.exit_code == 0, result.output
    rows = report(out)
    assert [(r["src"], r["tgt"]) for r in rows] == PAIRS and [r["n"] for r in rows] == [0, 1, 2]
    assert all(0 <= r["score"] <= 1 and -1 <= r["sim"] <= 1 for r in rows)
    assert [bool(r["flags"]) for r in rows] == [False, True, False]
    assert {f["check"] for f in rows[1]["flags"]} == {"numbers"}
    summary = json.loads((tmp_path / "report.summary.json").read_text())
    assert summary["pairs"] == 3 and summary["flagged"] == 1
    assert summary["flags_by_check"] == {"numbers": 2} and summary["encoder"].startswith("lexical")
    assert 0 <= summary["quality"]["score"] <= 1
    assert "3 pairs" in result.output and "numbers 2" in result.output


def test_fail_on_is_a_ci_gate(tmp_path, tsv):
    assert run(tsv, "-o", tmp_path / "r.jsonl", "--fail-on", "major").exit_code == 4
    assert run(tsv, "-o", tmp_path / "r.jsonl", "--fail-on", "critical").exit_code == 0
    clean = tmp_path / "clean.tsv"
    clean.write_text(f"{PAIRS[2][0]}\t{PAIRS[2][1]}\n", encoding="utf-8")
    assert run(clean, "-o", tmp_path / "r.jsonl", "--fail-on", "minor").exit_code == 0


def test_moses_pairs_by_option_and_by_name(tmp_path):
    (tmp_path / "corpus.ar").write_text("".join(s + "\n" for s, _ in PAIRS), encoding="utf-8")
    (tmp_path / "corpus.en").write_text("".join(t + "\n" for _, t in PAIRS), encoding="utf-8")
    for args in ([tmp_path / "corpus.ar", "--tgt-file", tmp_path / "corpus.en"], [tmp_path / "corpus.ar"]):
        out = tmp_path / "r.jsonl"
        assert run(*args, "-o", out).exit_code == 0
        assert [(r["src"], r["tgt"]) for r in report(out)] == PAIRS


def test_moses_files_must_have_the_same_length(tmp_path):
    (tmp_path / "a.ar").write_text("س\nص\n", encoding="utf-8")
    (tmp_path / "a.en").write_text("x\n", encoding="utf-8")
    result = run(tmp_path / "a.ar", "-o", tmp_path / "r.jsonl")
    assert result.exit_code == 2 and "2 lines" in result.output and "1" in result.output


def test_tmx(tmp_path):
    units = "".join(f'<tu><tuv xml:lang="ar-SA"><seg>{s}</seg></tuv><tuv xml:lang="en-US"><seg>{t}</seg></tuv></tu>'
                    for s, t in PAIRS)
    path = tmp_path / "memory.tmx"
    path.write_text('<?xml version="1.0" encoding="utf-8"?><tmx version="1.4"><header srclang="ar" '
                    'datatype="plaintext" segtype="sentence" adminlang="en" creationtool="t" '
                    f'creationtoolversion="1" o-tmf="t"/><body>{units}</body></tmx>', encoding="utf-8")
    out = tmp_path / "r.jsonl"
    assert run(path, "-o", out).exit_code == 0
    assert [(r["src"], r["tgt"]) for r in report(out)] == PAIRS


def test_align_pair_jsonl_header_skipped_ids_kept(tmp_path):
    rows = [{"signature": "align:0.1|enc:x", "src_lang": "ar", "tgt_lang": "en"},
            {"src": PAIRS[0][0], "tgt": PAIRS[0][1], "src_ids": [0], "tgt_ids": [0], "level": "sentence", "score": 0.9},
            {"src": "فقرة محذوفة.", "tgt": "", "src_ids": [1], "tgt_ids": [], "level": "sentence", "score": 0.7}]
    path = tmp_path / "aligned.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "r.jsonl"
    assert run(path, "-o", out).exit_code == 0
    got = report(out)
    assert len(got) == 2 and got[0]["src_ids"] == [0] and got[1]["tgt_ids"] == []
    # an omission keeps the aligner's confidence in it and is flagged as one
    assert got[1]["score"] == 0.7 and got[1]["sim"] is None
    assert [f["check"] for f in got[1]["flags"]] == ["omission"]


def test_reference_adds_sacrebleu_scores_and_signatures(tmp_path, tsv):
    ref = tmp_path / "ref.en"
    ref.write_text("To be held on Friday, 6 March 2015, at 12.40 p.m.\n"
                   "The number of participants was 2,000.\n"
                   "Completely unrelated words about fisheries.\n", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    assert run(tsv, "-o", out, "--reference", ref).exit_code == 0
    rows = report(out)
    assert rows[0]["chrf"] == 100.0 and rows[0]["bleu"] == 100.0
    assert rows[2]["chrf"] < 20 and "reference" in [f["check"] for f in rows[2]["flags"]]
    assert 0 < rows[1]["chrf"] < 100
    summary = json.loads((tmp_path / "r.summary.json").read_text())["reference"]
    assert summary["chrf_signature"].startswith("nrefs:1|") and "version:" in summary["bleu_signature"]
    assert 0 < summary["chrf"] < 100


def test_reference_must_have_one_line_per_pair(tmp_path, tsv):
    ref = tmp_path / "ref.en"
    ref.write_text("only one line\n", encoding="utf-8")
    result = run(tsv, "-o", tmp_path / "r.jsonl", "--reference", ref)
    assert result.exit_code == 2 and "1 lines but there are 3 pairs" in result.output


def test_plot_writes_a_png(tmp_path, tsv):
    png = tmp_path / "scores.png"
    assert run(tsv, "-o", tmp_path / "r.jsonl", "--plot", png).exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5_000


def test_bad_tsv_line_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("no tab here\n", encoding="utf-8")
    result = run(bad, "-o", tmp_path / "r.jsonl")
    assert result.exit_code == 2 and "bad.tsv:1" in result.output and "0 tabs" in result.output


def test_language_codes_are_checked_and_region_subtags_read(tmp_path, tsv):
    out = tmp_path / "report.jsonl"
    out.write_text("earlier report\n", encoding="utf-8")
    bad = CliRunner().invoke(main, ["score", str(tsv), "-o", str(out), "--src-lang", "xx", "--tgt-lang", "en",
                                    "--encoder", "lexical"])
    assert bad.exit_code == 2 and "unknown language code 'xx'" in bad.output
    assert out.read_text(encoding="utf-8") == "earlier report\n"   # untouched by a failed run
    ok = CliRunner().invoke(main, ["score", str(tsv), "-o", str(out), "--src-lang", "ar-EG", "--tgt-lang", "en-GB",
                                   "--encoder", "lexical"])
    assert ok.exit_code == 0, ok.output
    assert len(report(out)) == len(PAIRS)
