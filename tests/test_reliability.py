"""Issue 15, tried as a hostile or unlucky user would: one test (or a few) per item, security first.

Confined inputs and outputs, bounded readers, timeouts, no silent corruption, exit statuses that mean what they
say, garbage refused. The lexical encoder keeps the end-to-end cases fast.
"""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from align.cli import main
from align.errors import AlignError, Exit

AR = "اعتمدت الجمعية العامة جدول الأعمال. عقد المجلس 25 جلسة في عام 2015.\n"
EN = "The General Assembly adopted the agenda. The Council held 25 meetings in 2015.\n"


def write(path, text: str | bytes = "") -> str:
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    with open(path, "wb" if isinstance(text, bytes) else "w", **({} if isinstance(text, bytes) else {"encoding": "utf-8"})) as f:
        f.write(text)
    return str(path)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line_error(r, status=Exit.USAGE) -> str:
    """The run ended with a one-line message (no traceback, not 'internal error') and the given status."""
    assert r.exit_code == status, (r.exit_code, r.output)
    assert "internal error" not in r.output and "Traceback" not in r.output, r.output
    lines = [l for l in r.output.splitlines() if l.startswith("align: error")]
    assert len(lines) == 1, r.output
    return lines[0]


# --- 1. manifest paths confined to the manifest's folder ------------------------------------------------------

@pytest.fixture
def outside(tmp_path):
    """A manifest folder with one good pair, plus a secret beside it (outside) and a symbolic link to it."""
    root = tmp_path / "corpus"
    write(root / "a.ar", AR)
    write(root / "a.en", EN)
    secret = write(tmp_path / "secret" / "passwd.en", "root:x:0:0:root:/root:/bin/bash\n" * 3)
    os.symlink(secret, root / "link.en")
    return root, secret


@pytest.mark.parametrize("tgt", ["SECRET", "../secret/passwd.en", "link.en"])
def test_manifest_paths_outside_its_folder_are_failure_records(outside, tmp_path, tgt):
    import pyarrow.parquet as pq

    root, secret = outside
    tgt = secret if tgt == "SECRET" else tgt
    m = write(root / "m.csv", f"doc_id,src,tgt\nok,a.ar,a.en\nbad,a.ar,{tgt}\n")
    out = tmp_path / "out"
    r = run("corpus", m, "-o", out, "--src-lang", "ar", "--tgt-lang", "en", "--encoder", "lexical", "--segmented")
    assert r.exit_code == Exit.PARTIAL, r.output
    (fail,) = [json.loads(l) for l in open(out / "failures.jsonl", encoding="utf-8")]
    assert fail["doc_id"] == "bad" and "outside the allowed folders" in fail["reason"] and "--allow-outside" in fail["reason"]
    rows = pq.read_table(str(out / "data")).to_pylist()
    assert {r["doc_id"] for r in rows} == {"ok"} and not any("root:x" in r["translation"]["en"] for r in rows)
    # opting in, or naming the folder, reads it
    for extra in (["--allow-outside"], ["--root", os.path.dirname(secret)]):
        out2 = tmp_path / ("out-" + extra[0].strip("-"))
        r = run("corpus", m, "-o", out2, "--src-lang", "ar", "--tgt-lang", "en", "--encoder", "lexical",
                "--segmented", *extra)
        assert r.exit_code == Exit.OK, r.output
        assert "bad" in {r["doc_id"] for r in pq.read_table(str(out2 / "data")).to_pylist()}


def test_yaml_inputs_are_confined_too(outside, tmp_path):
    from align.corpus import load_config

    root, secret = outside
    y = write(root / "c.yaml", f"src_lang: ar\ntgt_lang: en\ninputs:\n  - {{src: a.ar, tgt: a.en}}\n"
                               f"  - {{src: a.ar, tgt: {secret}, doc_id: s}}\n")
    cfg = load_config(y)
    assert [bool(d.refused) for d in cfg.docs] == [False, True]
    assert not any(d.refused for d in load_config(y, allow_outside=True).docs)


# --- 2. the recipe's name cannot escape the output folder ----------------------------------------------------

@pytest.mark.parametrize("name", ["/tmp/escaped-by-align", "../../../x", "..", "a/b", "a\\\\b"])
def test_recipe_name_cannot_be_a_path(tmp_path, name):
    write(tmp_path / "a.ar", AR)
    write(tmp_path / "a.en", EN)
    y = write(tmp_path / "c.yaml", f"name: '{name}'\nsrc_lang: ar\ntgt_lang: en\nencoder: lexical\n"
                                   "inputs: [{src: a.ar, tgt: a.en}]\nexport: [moses, tmx]\n")
    before = set(os.listdir("/tmp"))
    r = run("corpus", y, "-o", tmp_path / "out")
    assert "plain name" in one_line_error(r)
    assert set(os.listdir("/tmp")) - before == set() and not os.path.exists(tmp_path / "out")


def test_exporter_never_writes_outside_its_folder(tmp_path):
    from align.corpus.config import CorpusConfig
    from align.corpus.export import Exporter

    cfg = CorpusConfig(docs=[], src_lang="ar", tgt_lang="en", exports=("moses",), card={"name": "../../evil"})
    with pytest.raises(AlignError, match="outside"):
        Exporter(cfg, str(tmp_path / "build"), "sentence")
