"""align calibrate: refitting the link score on reviewed links, measured on held-out ones."""

import json
import random

import pytest
from click.testing import CliRunner

from align.cli import main
from align.errors import AlignError
from align.encode import get_encoder
from align.review.calibrate import examples, refit, split, write
from align.score.linkscore import load_calibration

SIG = "align:0.1.0|enc:use-m3:0.2.1+spm|seg:lines|mode:segmented|k.4"


def reviewed_file(path, n=200, seed=1, sim=True):
    """A reviewed alignment from a domain where the built-in model is wrong: here the aligner's margin says
    nothing (random) and only the similarity tells right links (sim > 0.6) from wrong ones."""
    rng = random.Random(seed)
    rows = [{"signature": SIG, "src_lang": "ar", "tgt_lang": "en", "review": {"links": n}}]
    for i in range(n):
        s = rng.random()
        correct = (s > 0.6) != (rng.random() < 0.05)
        row = {"src": f"s{i}", "tgt": f"t{i}", "src_ids": [i], "tgt_ids": [i], "type": "1-1", "level": "sentence",
               "score": 0.5, "margin": round(rng.random() * 0.3, 4), "flags": []}
        if sim:
            row["sim"] = round(s, 4)
        if correct:
            row["review"] = {"status": "approved", "at": "2026-12-02T05:00:00Z"}
        elif i % 2:
            row["review"] = {"status": "rejected", "at": "2026-12-02T05:00:00Z"}
        else:   # corrected: the link in the file is the reviewer's, the aligner's is in replaces
            row = {**row, "src_ids": [i], "tgt_ids": [], "type": "1-0", "score": 1.0, "review": {
                "status": "corrected", "at": "2026-12-02T05:00:00Z", "replaces": [{k: row[k] for k in (
                    "src_ids", "tgt_ids", "src", "tgt", "score", "margin") + (("sim",) if sim else ())}]}}
        rows.append(row)
    rows.append({"src": "x", "tgt": "y", "src_ids": [n], "tgt_ids": [n], "type": "1-1", "level": "sentence",
                 "score": 0.9, "sim": 0.9, "review": {"status": "unreviewed", "at": None}})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def test_examples_read_verdicts_and_replaced_links(tmp_path):
    judged = examples(reviewed_file(tmp_path / "r.jsonl"))
    exs = judged.links
    assert judged.encoder == "use-m3:0.2.1+spm" and len(exs) == 200    # the unreviewed link is not evidence
    replaced = [e for e in exs if e.link.tgt_ids and not e.correct]
    assert replaced and all(e.link.type == "1-1" for e in replaced)    # the aligner's link, not the correction
    # pairs: every judged two-sided link (the corrections here are 1-0: no pair)
    assert len(judged.pairs) == 200 and all(e.link.src_ids and e.link.tgt_ids for e in judged.pairs)


def test_held_out_share_is_stratified_and_reproducible(tmp_path):
    exs = examples(reviewed_file(tmp_path / "r.jsonl")).links
    fit, held = split(exs, 0.3, seed=0)
    assert len(fit) + len(held) == 200 and abs(len(held) - 60) <= 1
    wrong = sum(not e.correct for e in exs)
    assert sum(not e.correct for e in held) == round(wrong * 0.3)
    assert split(exs, 0.3, seed=0) == (fit, held) and split(exs, 0.3, seed=1) != (fit, held)


def test_refit_improves_the_held_out_auc_and_writes_a_calibration(tmp_path):
    r = refit([reviewed_file(tmp_path / "a.jsonl"), reviewed_file(tmp_path / "b.jsonl", seed=2)]).link
    assert r.fitted + r.held_out == 400
    assert r.before.auc < 0.8 < 0.9 < r.after.auc
    assert r.before.precision < 0.5 < 0.8 < r.after.precision   # the built-in model trusts the margin here
    assert "one" in r.kept and "0 judged 1-0/0-1" in r.kept["one"]        # nothing to refit it on
    out = tmp_path / "cal.json"
    write(refit([reviewed_file(tmp_path / "a.jsonl"), reviewed_file(tmp_path / "b.jsonl", seed=2)]), str(out))
    cal = load_calibration(str(out))
    assert cal.link["one"] == load_calibration().link["one"] and cal.link["both"] != load_calibration().link["both"]
    assert cal.signature.startswith("cal:") and cal.link["fitted_on"] == ["a.jsonl", "b.jsonl"]


def test_too_few_links_are_refused(tmp_path):
    with pytest.raises(AlignError, match="29 reviewed links .* at least 30 are needed"):
        refit([reviewed_file(tmp_path / "r.jsonl", n=29)])


def test_files_that_cannot_teach_are_refused(tmp_path):
    with pytest.raises(AlignError, match="aligned by an older `align pair`"):
        refit([reviewed_file(tmp_path / "r.jsonl", sim=False)])
    plain = tmp_path / "plain.jsonl"
    plain.write_text('{"signature": "x"}\n{"src_ids": [0], "tgt_ids": [0], "src": "a", "tgt": "b", "score": 1}\n')
    with pytest.raises(AlignError, match="not a reviewed file"):
        refit([str(plain)])
    other = tmp_path / "other.jsonl"
    other.write_text(open(reviewed_file(tmp_path / "o.jsonl")).read().replace("use-m3", "labse"))
    with pytest.raises(AlignError, match="different encoders"):
        refit([reviewed_file(tmp_path / "r.jsonl"), str(other)])


def test_cli_reports_before_and_after_and_pair_signs_with_the_calibration(tmp_path):
    runner = CliRunner()
    cal = tmp_path / "cal.json"
    r = runner.invoke(main, ["calibrate", reviewed_file(tmp_path / "r.jsonl"), "-o", str(cal)])
    assert r.exit_code == 0, r.output
    assert "200 judged links" in r.output and "ROC AUC" in r.output and f"--calibration {cal}" in r.output
    few = runner.invoke(main, ["calibrate", reviewed_file(tmp_path / "few.jsonl", n=5), "-o", str(tmp_path / "x.json")])
    assert few.exit_code == 2 and "at least 30 are needed" in few.output and not (tmp_path / "x.json").exists()
    (tmp_path / "a.txt").write_text("Article 1.\nArticle 2 of 1948.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Article 1.\nArticle 2 of 1948.\n", encoding="utf-8")
    out = tmp_path / "p.jsonl"
    r = runner.invoke(main, ["pair", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--src-lang", "en",
                             "--tgt-lang", "en", "--segmented", "--encoder", "lexical", "-o", str(out),
                             "--calibration", str(cal)])
    assert r.exit_code == 0, r.output
    head = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert head["signature"].endswith("|" + load_calibration(str(cal)).signature)


def pairs_file(path, encoder_signature, n=120, seed=3):
    """Judged pairs from a domain where a right translation is much longer than its source (here: each word
    said three times) and wrong pairs are as long as their source and half right: the built-in pair score, which
    distrusts long translations, ranks them the wrong way round."""
    rng = random.Random(seed)
    rows = [{"signature": f"align:0.1.0|enc:{encoder_signature}|seg:lines|mode:segmented|k.4", "src_lang": "ar",
             "tgt_lang": "en"}]
    for i in range(n):
        words = [f"w{i}x{k}" for k in range(4)]
        right = i % 2 == 0
        tgt = " ".join(f"{w}'" for w in words for _ in range(3)) if right else \
            " ".join([f"{w}'" for w in words[:2]] + [f"v{i}x{k}'" for k in range(2)])
        rows.append({"src": " ".join(words), "tgt": tgt, "src_ids": [i], "tgt_ids": [i], "type": "1-1",
                     "level": "sentence", "score": 0.5, "sim": round(rng.random(), 3), "margin": 0.1, "flags": [],
                     "review": {"status": "approved" if right else "rejected", "at": "2026-12-02T05:00:00Z"}})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def test_the_pair_score_is_refitted_with_the_encoder_that_made_the_files(tmp_path, token_encoder):
    path = pairs_file(tmp_path / "p.jsonl", token_encoder.signature)
    r = refit([path], encoder=token_encoder)
    assert r.pair.fitted + r.pair.held_out == 120 and "all" not in r.pair.kept
    assert r.pair.before.auc < 0.5 < 0.9 < r.pair.after.auc
    out = tmp_path / "cal.json"
    write(r, str(out))
    cal = load_calibration(str(out))
    assert cal.pair["encoder"] == token_encoder.signature and cal.pair["fitted_on"] == ["p.jsonl"]
    # another encoder than the one that made the files: the pair score is left alone
    lexical = get_encoder("lexical")
    kept = refit([path], encoder=lexical).pair
    assert kept.coefficients is None and "the files were aligned with tokens:test" in kept.kept["pair"]
