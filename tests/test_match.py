"""align match: which documents translate each other (symbols from headers and names, content coverage,
shortened versions rejected, documents without counterpart left unpaired, the CSV read back as a manifest)."""

import csv
import os
import subprocess
import sys

import numpy as np
import pytest

from align import match as m
from align.corpus.config import load_config
from align.errors import AlignError
from tests.conftest import TokenEncoder

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sentences(doc: int, n: int, translated: bool = False) -> list[str]:
    """n one-sentence paragraphs of document ``doc``; translated: every token primed (a nearby vector)."""
    mark = "'" if translated else ""
    return [" ".join(f"d{doc}s{i}{w}{mark}" for w in "abc") for i in range(n)]


def write(folder, name: str, paras: list[str]) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n\n".join(paras) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def enc():
    return TokenEncoder(dim=256)


def read(folder, lang, enc):
    warnings = []
    return m.read_side(str(folder), lang, enc, warnings.append, progress=False), warnings


def names(res: m.MatchResult) -> list[tuple[str, ...]]:
    return sorted(tuple(os.path.basename(p) for p in row) for row in res.rows)


def test_content_pairs_and_a_document_without_counterpart(tmp_path, enc):
    for k in range(6):
        write(tmp_path / "en", f"doc{k}.txt", sentences(k, 6))
        write(tmp_path / "fr", f"x{(k * 7) % 10}.txt", sentences(k, 6, translated=True))  # scrambled names
    write(tmp_path / "en", "lonely.txt", sentences(9, 6))
    write(tmp_path / "fr", "stranger.txt", sentences(8, 6, translated=True))
    src, _ = read(tmp_path / "en", "en", enc)
    tgt, _ = read(tmp_path / "fr", "fr", enc)
    res = m.match_many([src, tgt])
    assert names(res) == sorted((f"doc{k}.txt", f"x{(k * 7) % 10}.txt") for k in range(6))
    assert all(s > 0.9 for s in res.scores)
    assert sorted((u.lang, os.path.basename(u.path)) for u in res.unpaired) == \
        [("en", "lonely.txt"), ("fr", "stranger.txt")]
    assert all("below" in u.reason for u in res.unpaired)


def test_full_translation_wins_over_a_shortened_version(tmp_path, enc):
    for k in range(5):
        write(tmp_path / "en", f"doc{k}.txt", sentences(k, 8))
        write(tmp_path / "fr", f"t{k}.txt", sentences(k, 8, translated=True))
    write(tmp_path / "fr", "short0.txt", sentences(0, 4, translated=True))   # the first half of doc0's translation
    src, _ = read(tmp_path / "en", "en", enc)
    tgt, _ = read(tmp_path / "fr", "fr", enc)
    res = m.match_many([src, tgt])
    assert ("doc0.txt", "t0.txt") in names(res)
    assert [os.path.basename(u.path) for u in res.unpaired] == ["short0.txt"]
    # it was a candidate, and lost on coverage and length, not for want of being found
    _, scores = m.match_sides(src, tgt)
    short = tgt.paths.index(str(tmp_path / "fr" / "short0.txt"))
    assert scores[0, short] < m.MIN_SCORE < scores[0, tgt.paths.index(str(tmp_path / "fr" / "t0.txt"))]


HEADER = "United Nations\n\n{sym}\n\nSecurity Council\n\nDistr.: General\n12 March 2019"


def test_symbols_in_headers_pair_documents_whatever_their_content(tmp_path, enc):
    # contents unrelated on purpose: only the header symbols can pair them
    for k, sym in enumerate(("S/2019/101", "S/2019/102", "S/2019/102/Rev.1")):
        write(tmp_path / "en", f"e{k}.txt", [HEADER.format(sym=sym)] + sentences(k, 4))
        write(tmp_path / "fr", f"f{2 - k}.txt", [HEADER.format(sym=sym)] + sentences(10 + k, 4, translated=True))
    src, _ = read(tmp_path / "en", "en", enc)
    tgt, _ = read(tmp_path / "fr", "fr", enc)
    assert src.symbols[2] == {"S/2019/102/Rev.1"}
    res = m.match_many([src, tgt])
    assert names(res) == [("e0.txt", "f2.txt"), ("e1.txt", "f1.txt"), ("e2.txt", "f0.txt")]
    assert res.evidence == ["symbol"] * 3


def test_symbols_in_file_names(tmp_path, enc):
    assert m.name_symbols("A_RES_70_1-EN.pdf") == {"A/RES/70/1"}
    assert m.name_symbols("S-2018-1020.en.txt") == {"S/2018/1020"}
    assert m.name_symbols("A_70_1_Rev.1.txt") == {"A/70/1/Rev.1"}
    assert m.name_symbols("03a50e33e476.txt") == set() == m.name_symbols("report-2018-12.txt")
    write(tmp_path / "en", "A_RES_70_1.txt", sentences(0, 3))
    write(tmp_path / "en", "A_RES_70_2.txt", sentences(1, 3))
    write(tmp_path / "fr", "A-RES-70-2.fr.txt", sentences(20, 3, translated=True))
    write(tmp_path / "fr", "A-RES-70-1.fr.txt", sentences(21, 3, translated=True))
    src, _ = read(tmp_path / "en", "en", enc)
    tgt, _ = read(tmp_path / "fr", "fr", enc)
    res = m.match_many([src, tgt])
    assert names(res) == [("A_RES_70_1.txt", "A-RES-70-1.fr.txt"), ("A_RES_70_2.txt", "A-RES-70-2.fr.txt")]


def test_manifest_reads_back_as_a_corpus_manifest(tmp_path, enc):
    for k in range(4):
        write(tmp_path / "in" / "ar", f"a{k}.txt", sentences(k, 5))
        write(tmp_path / "in" / "en", f"b{3 - k}.txt", sentences(k, 5, translated=True))
    src, _ = read(tmp_path / "in" / "ar", "ar", enc)
    tgt, _ = read(tmp_path / "in" / "en", "en", enc)
    res = m.match_many([src, tgt])
    out = tmp_path / "out" / "pairs.csv"
    m.write_manifest(res, str(out), ("src", "tgt"))
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["doc_id", "src", "tgt", "match_score"]
    assert rows[1][:3] == ["a0", "../in/ar/a0.txt", "../in/en/b3.txt"]
    cfg = load_config(str(out), src_lang="ar", tgt_lang="en")
    assert [(d.doc_id, os.path.basename(d.src), os.path.basename(d.tgt)) for d in cfg.docs] == \
        [(f"a{k}", f"a{k}.txt", f"b{3 - k}.txt") for k in range(4)]
    assert all(os.path.isfile(d.src) and os.path.isfile(d.tgt) for d in cfg.docs)
    assert cfg.meta_columns == ("match_score",)


def test_many_languages_rows_need_every_language(tmp_path, enc):
    for k in range(4):
        write(tmp_path / "en", f"en{k}.txt", sentences(k, 5))
        write(tmp_path / "fr", f"fr{k}.txt", sentences(k, 5, translated=True))
        if k != 3:  # doc 3 has no Spanish version
            write(tmp_path / "es", f"es{k}.txt", [s.replace("'", "''") for s in sentences(k, 5, translated=True)])
    sides = [read(tmp_path / lang, lang, enc)[0] for lang in ("en", "fr", "es")]
    res = m.match_many(sides)
    assert names(res) == [(f"en{k}.txt", f"fr{k}.txt", f"es{k}.txt") for k in range(3)]
    why = {os.path.basename(u.path): u.reason for u in res.unpaired}
    assert set(why) == {"en3.txt", "fr3.txt"}
    assert why["en3.txt"].startswith("no counterpart in es") and "has no es" in why["fr3.txt"]
    out = tmp_path / "manifest.csv"
    m.write_manifest(res, str(out))
    assert out.read_text().splitlines()[0] == "doc_id,en,fr,es,match_score"


def test_unreadable_files_are_skipped_and_listed(tmp_path, enc):
    for k in range(3):
        write(tmp_path / "en", f"doc{k}.txt", sentences(k, 4))
        write(tmp_path / "fr", f"t{k}.txt", sentences(k, 4, translated=True))
    (tmp_path / "en" / "empty.txt").write_text("")
    (tmp_path / "en" / "binary.txt").write_bytes(b"\x00\x01\x02garbage")
    src, warnings = read(tmp_path / "en", "en", enc)
    assert len(warnings) == 2 and all(w.startswith("skipped:") for w in warnings)
    res = m.match_many([src, read(tmp_path / "fr", "fr", enc)[0]])
    assert len(res.rows) == 3
    assert sorted(os.path.basename(u.path) for u in res.unpaired if u.reason.startswith("unreadable")) == \
        ["binary.txt", "empty.txt"]


def test_nothing_readable_or_no_files_is_one_error(tmp_path, enc):
    (tmp_path / "empty").mkdir()
    with pytest.raises(AlignError, match="holds no files"):
        m.read_side(str(tmp_path / "empty"), "en", enc, print, progress=False)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "a.txt").write_bytes(b"\x00\x00")
    (tmp_path / "bad" / "b.txt").write_text("   \n")
    with pytest.raises(AlignError, match="none of its 2 files could be read"):
        m.read_side(str(tmp_path / "bad"), "en", enc, lambda msg: None, progress=False)


@pytest.mark.parametrize("na,nb,k,block", [(50, 37, 3, 7), (300, 437, 5, 64), (130, 1000, 1, 1000)])
def test_top_k_search_in_blocks_equals_the_full_matrix(na, nb, k, block):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((na, 16)).astype(np.float32)
    b = rng.standard_normal((nb, 16)).astype(np.float32)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    sim = a @ b.T
    want = {(i, int(j)) for i in range(na) for j in np.argsort(-sim[i])[:k]} | \
           {(int(i), j) for j in range(nb) for i in np.argsort(-sim[:, j])[:k]}
    assert m.top_k_both(a, b, k=k, block=block) == want


def test_competitive_linking_takes_the_best_pair_first_and_respects_the_threshold():
    scores = {(0, 0): 0.9, (0, 1): 0.95, (1, 1): 0.8, (1, 0): 0.7, (2, 2): 0.3}
    assert m.competitive_linking(scores, 0.5) == [(0, 1), (1, 0)]


def run(*args, cwd):
    env = dict(os.environ, ALIGN_CACHE_DIR=os.path.join(cwd, ".cache-test"), PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "align", *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=300, check=False)


def test_cli_bad_input_is_one_error_with_exit_2(tmp_path):
    (tmp_path / "empty").mkdir()
    write(tmp_path / "en", "a.txt", ["Some text here."])
    for args, msg in ((["empty", "en", "--src-lang", "ar", "--tgt-lang", "en"], "holds no files"),
                      (["en", "en2", "--src-lang", "en", "--tgt-lang", "fr"], "no such folder"),
                      (["en", "en", "--src-lang", "xx", "--tgt-lang", "en"], "unknown language code 'xx'"),
                      (["en", "en", "en", "--src-lang", "en", "--tgt-lang", "fr"], "--langs")):
        p = run("match", *args, "-o", "out.csv", "--encoder", "lexical", cwd=str(tmp_path))
        assert p.returncode == 2, p.stderr
        assert msg in p.stderr and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.csv").exists()


def test_cli_writes_pairs_and_unpaired_and_exits_3_on_unreadable_files(tmp_path):
    texts = ["The Council met on 12 March 2019 and adopted resolution 2456 with 15 votes.",
             "The Assembly approved a budget of 5,400,000 dollars for 2020 and 2021.",
             "The Secretary-General reported 37 incidents in 14 provinces during 2018."]
    fr = ["Le Conseil s'est réuni le 12 mars 2019 et a adopté la résolution 2456 par 15 voix.",
          "L'Assemblée a approuvé un budget de 5 400 000 dollars pour 2020 et 2021.",
          "Le Secrétaire général a signalé 37 incidents dans 14 provinces en 2018."]
    for k in range(3):
        write(tmp_path / "en", f"e{k}.txt", [texts[k]])
        write(tmp_path / "fr", f"f{k}.txt", [fr[k]])
    (tmp_path / "en" / "broken.txt").write_bytes(b"\x00binary")
    p = run("match", "en", "fr", "--src-lang", "en", "--tgt-lang", "fr", "-o", "pairs.csv", "--unpaired", "un.csv",
            "--encoder", "lexical", "--min-score", "0", cwd=str(tmp_path))
    assert p.returncode == 3, p.stderr
    assert "skipped" in p.stderr and "broken.txt" in p.stderr
    with open(tmp_path / "pairs.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["doc_id"], r["src"], r["tgt"]) for r in rows] == \
        [(f"e{k}", f"en/e{k}.txt", f"fr/f{k}.txt") for k in range(3)]
    with open(tmp_path / "un.csv", newline="") as f:
        un = list(csv.DictReader(f))
    assert [(u["lang"], u["path"]) for u in un] == [("en", "en/broken.txt")]
    assert un[0]["reason"].startswith("unreadable")
