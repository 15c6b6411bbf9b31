"""Corpus configs: CSV manifests and YAML recipes are read as documented, the command line overrides the file,
mistakes get one-line errors, and the shipped configs (configs/, corpora/) stay valid and in step with the code."""

from __future__ import annotations

import dataclasses
import os
import shutil

import pytest
import yaml

from align.core.params import Params
from align.corpus.config import load_config
from align.corpus.config import Filters
from align.errors import AlignError

REPO = os.path.join(os.path.dirname(__file__), "..")


def write(path, text=""):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return str(path)


def test_csv_manifest_paths_are_relative_to_it_and_extra_columns_become_metadata(tmp_path):
    m = write(tmp_path / "sub" / "m.csv", "doc_id,src,tgt,year,source\nd1,ar/1.txt,en/1.txt,2015,un\n")
    cfg = load_config(m, src_lang="ar", tgt_lang="en")
    (d,) = cfg.docs
    assert d.src == str(tmp_path / "sub" / "ar" / "1.txt") and d.tgt == str(tmp_path / "sub" / "en" / "1.txt")
    assert cfg.meta_columns == ("year", "source") and dict(d.meta) == {"year": "2015", "source": "un"}
    assert not d.segmented and load_config(m, src_lang="ar", tgt_lang="en", segmented=True).docs[0].segmented


@pytest.mark.parametrize("text, overrides, message", [
    ("doc_id,src\nd,a\n", {}, "missing tgt"),
    ("doc_id,src,tgt\nd,a,b\nd,c,e\n", {}, "appears twice"),
    ("doc_id,src,tgt\nd,a,b\n", {"tgt_lang": None}, "languages are needed"),
    ("doc_id,src,tgt\nd,a,b\n", {"tgt_lang": "ar"}, "both 'ar'"),
    ("doc_id,src,tgt,score\nd,a,b,1\n", {}, "clashes"),
    ("doc_id,src,tgt\n", {}, "no documents"),
])
def test_manifest_mistakes_are_one_line_errors(tmp_path, text, overrides, message):
    m = write(tmp_path / "m.csv", text)
    with pytest.raises(AlignError, match=message) as e:
        load_config(m, **{"src_lang": "ar", "tgt_lang": "en", **overrides})
    assert "\n" not in str(e.value)


def test_yaml_glob_pairing_meta_optional_and_extends(tmp_path):
    for name in ("x.txt", "y.txt"):
        write(tmp_path / "ar" / name, "نص")
        write(tmp_path / "en" / name, "text")
    write(tmp_path / "base.yaml", "encoder: lexical\nalign: {max_link: 3, skip: 0.2}\nfilters: {dedup: exact}\n")
    y = write(tmp_path / "c.yaml", """
extends: base.yaml
src_lang: ar
tgt_lang: en
align: {skip: 0.1}
inputs:
  - {src: "ar/*.txt", tgt: "en/{name}", doc_id: "un/{stem}", meta: {source: un}}
  - {src: missing/a.txt, tgt: missing/b.txt, optional: true}
output: out
""")
    cfg = load_config(y)
    assert [d.doc_id for d in cfg.docs] == ["un/x", "un/y"]
    assert cfg.docs[1].tgt == str(tmp_path / "en" / "y.txt") and dict(cfg.docs[0].meta) == {"source": "un"}
    assert cfg.encoder == "lexical" and cfg.filters.dedup == "exact"
    assert (cfg.params.max_link, cfg.params.skip) == (3, 0.1)  # merged key by key, the extending file wins
    assert cfg.output == str(tmp_path / "out")
    # the command line wins over the file; options not given leave it alone
    cli = load_config(y, skip=0.3, encoder=None, output=str(tmp_path / "o2"), dedup="normalised")
    assert (cli.params.skip, cli.params.max_link, cli.encoder, cli.filters.dedup) == (0.3, 3, "lexical", "normalised")
    assert cli.output == str(tmp_path / "o2")


@pytest.mark.parametrize("text, message", [
    ("src_lang: ar\ntgt_lang: en\ninputs: [{src: 'nothing/*', tgt: '{name}'}]\n", "no file matches"),
    ("src_lang: ar\ntgt_lang: en\nfilter: {}\n", "unknown key 'filter'"),
    ("src_lang: ar\ntgt_lang: en\nalign: {skp: 1}\ninputs: [{src: a, tgt: b}]\n", "skp"),
    ("src_lang: ar\ntgt_lang: en\ninputs: [{src: a, tgt: b}]\nfilters: {dedup: fuzzy}\n", "dedup must be"),
    ("src_lang: ar\ntgt_lang: en\ninputs: [{src: 'a*', tgt: '{nme}'}]\n", None),
    ("[1, 2\n", "not valid YAML"),
])
def test_yaml_mistakes_are_one_line_errors(tmp_path, text, message):
    write(tmp_path / "a1", "x")
    y = write(tmp_path / "c.yaml", text)
    with pytest.raises(AlignError, match=message or "placeholder") as e:
        load_config(y)
    assert "\n" not in str(e.value)


def test_default_config_matches_the_code_defaults():
    with open(os.path.join(REPO, "configs", "default.yaml"), encoding="utf-8") as f:
        y = yaml.safe_load(f)
    assert y["align"] == dataclasses.asdict(Params()), "configs/default.yaml is out of step with align.core.Params"
    assert y["filters"] == dataclasses.asdict(Filters())
    cfg = load_config(write_pair_config(REPO))
    assert (y["encoder"], y["cache"], tuple(y["levels"]), y["shard_rows"]) == \
        (cfg.encoder, cfg.cache, cfg.levels, cfg.shard_rows)


def write_pair_config(repo):
    """A config with no settings at all, to read the built-in defaults."""
    import tempfile

    d = tempfile.mkdtemp()
    return write(os.path.join(d, "c.yaml"), "src_lang: ar\ntgt_lang: en\n"
                 f"inputs: [{{src: {repo}/seeds/udhr_arb.txt, tgt: {repo}/seeds/udhr_eng.txt}}]\n")


def test_example_config_is_valid(tmp_path):
    shutil.copy(os.path.join(REPO, "configs", "corpus-example.yaml"), tmp_path)
    shutil.copy(os.path.join(REPO, "configs", "default.yaml"), tmp_path)
    write(tmp_path / "letters" / "manifest.csv", "doc_id,src,tgt,year\nl1,ar/1.txt,en/1.txt,2018\n")
    write(tmp_path / "letters" / "ar" / "2.txt", "نص")
    cfg = load_config(str(tmp_path / "corpus-example.yaml"))
    assert [d.doc_id for d in cfg.docs] == ["l1", "letters/2"]  # the optional pair is absent: skipped
    assert cfg.meta_columns == ("year", "source") and cfg.exports == ("tmx", "moses")
    assert cfg.card["license"] == "other" and cfg.publish["repo_id"].endswith("/un-letters-ar-en")


def test_recipe_reads_from_a_fresh_clone():
    cfg = load_config(os.path.join(REPO, "corpora", "udhr-ar-en", "corpus.yaml"),
                      roots=(os.path.join(REPO, "seeds"), os.path.join(REPO, "..", "shared", "bench")))
    assert not any(d.refused for d in cfg.docs)
    udhr = cfg.docs[0]
    assert udhr.doc_id == "udhr" and not udhr.segmented
    assert os.path.isfile(udhr.src) and os.path.isfile(udhr.tgt)
    # the benchmark documents come from ../shared beside the repository, when it is there
    bench = cfg.docs[1:]
    assert all(d.segmented and "/shared/bench/unpc-ar-en/" in d.src for d in bench)
    assert cfg.output == os.path.abspath(os.path.join(REPO, "build", "udhr-ar-en"))
