"""Multi-way alignment (align.multiway) on constructed documents of known rows (the fake token encoder of known
geometry), the consensus rules on hand-made pair alignments, and a multi-language corpus end to end: config per
pair plus `multiway`, read back with `datasets.load_dataset`, a missing language file as a failure record."""

from __future__ import annotations

import json
import os

import pytest

from align.corpus.config import load_config

from align.corpus.run import build_corpus
from align.errors import AlignError
from align.multiway import align_multiway, consensus_rows


def sentence(k: int, variant: int) -> str:
    """Underlying sentence k in language `variant`: six tokens of its own, each a near copy in every language."""
    return " ".join(f"w{k}_{t}" + "'" * variant for t in range(6))


def lang(variant: int, lines: list[list[int]]) -> list[str]:
    return [" ".join(sentence(k, variant) for k in line) for line in lines]


def test_three_languages_give_the_known_rows(token_encoder):
    segs = {
        "a": lang(0, [[0], [1], [2], [3], [4], [5], [6], [7]]),
        "b": lang(1, [[0], [1, 2], [3], [4], [6], [7]]),        # 1+2 merged, 5 omitted
        "c": lang(2, [[0], [1], [2], [3, 4], [5], [6], [7]]),   # 3+4 merged
    }
    rows = align_multiway(segs, token_encoder)
    assert [r.ids for r in rows] == [
        {"a": (0,), "b": (0,), "c": (0,)},
        {"a": (1, 2), "b": (1,), "c": (1, 2)},
        {"a": (3, 4), "b": (2, 3), "c": (3,)},
        # sentence 5 is missing in b: no row
        {"a": (6,), "b": (4,), "c": (5,)},
        {"a": (7,), "b": (5,), "c": (6,)},
    ]
    assert all(r.score == 1.0 for r in rows)  # every pair alignment gives exactly these rows


def test_each_segment_is_encoded_once_for_all_pairs(token_encoder):
    seen = []
    inner = token_encoder.encode
    token_encoder.encode = lambda texts: seen.extend(texts) or inner(texts)
    segs = {v: lang(i, [[k] for k in range(6)]) for i, v in enumerate("abcd")}
    align_multiway(segs, token_encoder)
    assert len(seen) == len(set(seen))           # one Memo around the six pairs
    assert set(seen) >= {s for lines in segs.values() for s in lines}


def one_to_one(n: int) -> list:
    return [([i], [i]) for i in range(n)]


def test_a_majority_of_partners_outvotes_one_wrong_pair():
    links = {(a, b): one_to_one(4) for a, b in [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("b", "d")]}
    links[("c", "d")] = [([0, 1], [0, 1]), ([2], [2]), ([3], [3])]   # misses the cut after segment 0
    rows = consensus_rows({"a": 4, "b": 4, "c": 4, "d": 4}, links)
    assert [r.ids["a"] for r in rows] == [(0,), (1,), (2,), (3,)]
    assert rows[0].score < 1.0 and rows[2].score == 1.0


def test_the_pivot_pair_alone_cannot_make_a_boundary():
    merged = [([0, 1], [0, 1]), ([2], [2])]
    links = {(a, b): merged for a, b in [("a", "c"), ("a", "d"), ("b", "c"), ("b", "d"), ("c", "d")]}
    links[("a", "b")] = one_to_one(3)   # only a-b cuts after segment 0: c and d disagree
    rows = consensus_rows({"a": 3, "b": 3, "c": 3, "d": 3}, links)
    assert [r.ids["a"] for r in rows] == [(0, 1), (2,)]


def test_an_omission_takes_two_pairs_to_drop_a_row():
    links = {(a, b): one_to_one(3) for a, b in [("a", "b"), ("a", "c"), ("b", "c")]}
    one = {**links, ("a", "b"): [([0], [0]), ([1], []), ([], [1]), ([2], [2])]}   # a-b alone leaves 1 unlinked
    kept = consensus_rows({"a": 3, "b": 3, "c": 3}, one)
    assert [r.ids["a"] for r in kept] == [(0,), (1,), (2,)] and kept[1].score < 1.0
    two = {**one, ("b", "c"): [([0], [0]), ([1], []), ([], [1]), ([2], [2])]}
    assert [r.ids["a"] for r in consensus_rows({"a": 3, "b": 3, "c": 3}, two)] == [(0,), (2,)]


def test_pivot_and_language_count_are_checked(token_encoder):
    with pytest.raises(AlignError, match="at least 3"):
        align_multiway({"a": ["x"], "b": ["y"]}, token_encoder)
    with pytest.raises(AlignError, match="pivot 'zz'"):
        align_multiway({"a": ["x"], "b": ["y"], "c": ["z"]}, token_encoder, pivot="zz")


# --- a multi-language corpus ---------------------------------------------------------------------------------

EN_FR_ES = [
    ("The council met in Geneva on 12 March 2019.", "Le conseil s'est réuni à Genève le 12 mars 2019.",
     "El consejo se reunió en Ginebra el 12 de marzo de 2019."),
    ("Maria Lopez opened the 45th session.", "Maria Lopez a ouvert la 45e session.",
     "Maria Lopez abrió el 45º período de sesiones."),
    ("The budget of 3,500,000 dollars was approved.", "Le budget de 3 500 000 dollars a été approuvé.",
     "Se aprobó el presupuesto de 3.500.000 dólares."),
    ("Delegates from 27 countries attended.", "Des délégués de 27 pays étaient présents.",
     "Asistieron delegados de 27 países."),
    ("The report A/74/250 was adopted.", "Le rapport A/74/250 a été adopté.", "Se aprobó el informe A/74/250."),
    ("Peter Novak spoke about UNICEF in 2018.", "Peter Novak a parlé de l'UNICEF en 2018.",
     "Peter Novak habló del UNICEF en 2018."),
    ("The meeting ended at 18:30.", "La séance a pris fin à 18 h 30.", "La sesión terminó a las 18.30 horas."),
]


def make_multi_corpus(root) -> str:
    """Two documents in en, fr, es (one segment per line; the second with fr lines 1+2 merged) and a third whose
    Spanish file is missing. Returns the manifest path."""
    root = str(root)
    for doc, rows in (("d1", EN_FR_ES[:4]), ("d2", EN_FR_ES[3:])):
        for k, code in enumerate(("en", "fr", "es")):
            lines = [r[k] for r in rows]
            if doc == "d2" and code == "fr":
                lines = [lines[0], lines[1] + " " + lines[2], *lines[3:]]
            with open(os.path.join(root, f"{doc}.{code}.txt"), "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
    with open(os.path.join(root, "manifest.csv"), "w", encoding="utf-8") as f:
        f.write("doc_id,en,fr,es\nd2,d2.en.txt,d2.fr.txt,d2.es.txt\nd1,d1.en.txt,d1.fr.txt,d1.es.txt\n"
                "gone,d1.en.txt,d1.fr.txt,nowhere.es.txt\n")
    return os.path.join(root, "manifest.csv")


@pytest.fixture(scope="module")
def multi_built(tmp_path_factory):
    root = tmp_path_factory.mktemp("multi")
    cfg = load_config(make_multi_corpus(root), segmented=True, encoder="lexical", exports=("tmx",))
    out = str(root / "out")
    return cfg, out, build_corpus(cfg, out)


def test_multi_manifest_languages_and_pivot(tmp_path):
    man = make_multi_corpus(tmp_path)
    assert load_config(man).languages == ("en", "fr", "es")
    assert load_config(man, pivot="fr").languages == ("fr", "en", "es")
    with open(tmp_path / "bad.csv", "w", encoding="utf-8") as f:
        f.write("doc_id,en,xx,fr,yy\nd1,a,b,c,d\n")
    with pytest.raises(AlignError, match=r"unknown language codes in the header: 'xx', 'yy'; known: "):
        load_config(str(tmp_path / "bad.csv"))
    with pytest.raises(AlignError, match="--pivot de: not among"):
        load_config(man, pivot="de")


def test_missing_language_file_is_a_failure_record(multi_built):
    cfg, out, s = multi_built
    assert s.aligned == 2 and [f["doc_id"] for f in s.failures] == ["gone"]
    assert "nowhere.es.txt" in s.failures[0]["reason"]
    with open(os.path.join(out, "failures.jsonl"), encoding="utf-8") as f:
        assert [json.loads(line)["doc_id"] for line in f] == ["gone"]


def test_multiway_and_pair_configs_load_with_datasets(multi_built, tmp_path):
    from tests.test_corpus import load_offline

    cfg, out, s = multi_built
    rows = load_offline(out, tmp_path / "c1", "multiway")
    got = [(r["doc_id"], r["ids"]) for r in rows]
    assert got == [
        ("d1", {"en": [0], "fr": [0], "es": [0]}), ("d1", {"en": [1], "fr": [1], "es": [1]}),
        ("d1", {"en": [2], "fr": [2], "es": [2]}), ("d1", {"en": [3], "fr": [3], "es": [3]}),
        ("d2", {"en": [0], "fr": [0], "es": [0]}), ("d2", {"en": [1, 2], "fr": [1], "es": [1, 2]}),
        ("d2", {"en": [3], "fr": [2], "es": [3]}),
    ]
    assert rows[5]["translation"] == {"en": EN_FR_ES[4][0] + " " + EN_FR_ES[5][0],
                                      "fr": EN_FR_ES[4][1] + " " + EN_FR_ES[5][1],
                                      "es": EN_FR_ES[4][2] + " " + EN_FR_ES[5][2]}
    pair = load_offline(out, tmp_path / "c2", "en-fr")
    assert pair.features["translation"].languages == ["en", "fr"]
    d2 = [(r["src_ids"], r["tgt_ids"]) for r in pair if r["doc_id"] == "d2"]
    assert d2 == [([0], [0]), ([1, 2], [1]), ([3], [2])]
    es = load_offline(out, tmp_path / "c3", "en-es")
    assert len(es) == 8


def test_multi_card_lists_every_config_and_language(multi_built):
    from huggingface_hub import DatasetCard

    from align.publish import _upload_files, card_problems

    cfg, out, s = multi_built
    card = DatasetCard.load(os.path.join(out, "README.md"))
    assert card.data.language == ["en", "fr", "es"]
    assert card.data.multilinguality == ["multilingual"]
    assert sorted(c["config_name"] for c in card.data.configs) == ["en-es", "en-fr", "multiway"]
    assert card_problems(out) == []
    sent = {os.path.relpath(f, out) for f in _upload_files(out)}   # what `align publish` uploads
    assert {"data/multiway/train-00000-of-00001.parquet", "data/en-fr/train-00000-of-00001.parquet"} <= sent


def test_multi_tmx_holds_every_language_of_a_row(multi_built):
    from lxml import etree

    cfg, out, s = multi_built
    tree = etree.parse(os.path.join(out, "export", "manifest.multiway.tmx"))
    units = tree.findall(".//tu")
    assert len(units) == 7
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert [t.get(xml_lang) for t in units[0].findall("tuv")] == ["en", "fr", "es"]
    assert [t.findtext("seg") for t in units[0].findall("tuv")] == list(EN_FR_ES[0])


def test_cli_multi_manifest(tmp_path):
    from click.testing import CliRunner

    from align.cli import main

    man = make_multi_corpus(tmp_path)
    r = CliRunner().invoke(main, ["corpus", man, "-o", str(tmp_path / "out"), "--segmented", "--encoder", "lexical",
                                  "--pivot", "fr", "--no-progress"])
    assert r.exit_code == 3 and "align: 1 document(s) failed" in r.output, r.output   # the missing Spanish file
    assert sorted(os.listdir(tmp_path / "out" / "data")) == ["en-fr", "es-fr", "multiway"]
    with open(tmp_path / "bad.csv", "w", encoding="utf-8") as f:
        f.write("doc_id,en,fr,qq\nd1,a,b,c\n")
    r = CliRunner().invoke(main, ["corpus", str(tmp_path / "bad.csv"), "-o", str(tmp_path / "bad")])
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "unknown language code in the header: 'qq'" in r.output


def test_multi_rerun_skips_finished_documents_and_gives_the_same_bytes(multi_built, tmp_path):
    import shutil

    from tests.test_corpus import folder_bytes

    cfg, out, s = multi_built
    copy = str(tmp_path / "copy")
    shutil.copytree(out, copy)
    before = folder_bytes(copy)
    again = build_corpus(cfg, copy)
    assert (again.skipped, again.aligned, len(again.failures)) == (2, 0, 1)
    assert folder_bytes(copy) == before


def test_every_pair_gets_a_config_when_asked(tmp_path):
    """--pair-configs every: es-fr too, the same multiway rows, and the pivot pairs' links unchanged."""
    from huggingface_hub import DatasetCard

    from tests.test_corpus import load_offline

    (tmp_path / "in").mkdir()
    man = make_multi_corpus(tmp_path / "in")
    with pytest.raises(AlignError, match="--pivot and --pair-configs are for a manifest with three or more"):
        load_config(make_corpus_pair(tmp_path), pair_configs="every")
    pivot_only = load_config(man, segmented=True, encoder="lexical")
    every = load_config(man, segmented=True, encoder="lexical", pair_configs="every")
    assert every.every_pair and not pivot_only.every_pair
    build_corpus(pivot_only, str(tmp_path / "pivot"))
    build_corpus(every, str(tmp_path / "every"))
    card = DatasetCard.load(os.path.join(tmp_path / "every", "README.md"))
    assert sorted(c["config_name"] for c in card.data.configs) == ["en-es", "en-fr", "es-fr", "multiway"]
    es_fr = load_offline(tmp_path / "every", tmp_path / "c1", "es-fr")
    assert es_fr.features["translation"].languages == ["es", "fr"]
    d2 = [(r["src_ids"], r["tgt_ids"]) for r in es_fr if r["doc_id"] == "d2"]
    assert d2 == [([0], [0]), ([1, 2], [1]), ([3], [2])]   # fr lines 1+2 are merged, es has them apart
    for name in ("multiway", "en-fr"):
        a = load_offline(tmp_path / "pivot", tmp_path / f"p-{name}", name)
        b = load_offline(tmp_path / "every", tmp_path / f"e-{name}", name)
        assert a.to_list() == b.to_list()


def make_corpus_pair(root) -> str:
    os.makedirs(root, exist_ok=True)
    path = os.path.join(root, "pairs.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("doc_id,src,tgt\nd1,a.txt,b.txt\n")
    return path
