"""align corpus with reviewed files (a `reviewed` manifest column) and with --calibration."""

import glob
import json
import os

import pytest

from align.corpus.config import load_config

from align.corpus.run import build_corpus
from align.encode import get_encoder
from align.formats import write
from align.pipeline import align_files
from align.review import store
from align.review.edits import apply, merge, set_status
from tests.test_corpus import PAIRS


def rows(out):
    import pyarrow.parquet as pq

    table = pq.read_table(sorted(glob.glob(os.path.join(out, "data", "*.parquet"))))
    return table.to_pylist()


@pytest.fixture
def corpus(tmp_path):
    """Two segmented pairs; a.jsonl aligned, then reviewed: its first two links merged, the next two-sided link
    rejected."""
    for doc, chunk in (("a", PAIRS[:6]), ("b", PAIRS[6:])):
        for side, lang in ((0, "ar"), (1, "en")):
            (tmp_path / f"{doc}.{lang}").write_text("".join(p[side] + "\n" for p in chunk), encoding="utf-8")
    al = align_files(str(tmp_path / "a.ar"), str(tmp_path / "a.en"), "ar", "en", segmented=True,
                     encoder=get_encoder("lexical", cache=False))
    write(al, str(tmp_path / "a.jsonl"), "jsonl")
    doc, items = store.load(str(tmp_path / "a.jsonl"), str(tmp_path / "a.reviewed.jsonl"))
    items = apply(items, merge(items, 0, doc.texts, "2026-12-02T06:00:00Z"))
    k = next(i for i, it in enumerate(items) if i > 0 and it.link.src_ids and it.link.tgt_ids)
    items = apply(items, set_status(items, k, "rejected", "2026-12-02T06:00:00Z"))
    store.save(doc, items, str(tmp_path / "a.reviewed.jsonl"))
    (tmp_path / "pairs.csv").write_text("doc_id,src,tgt,reviewed\na,a.ar,a.en,a.reviewed.jsonl\nb,b.ar,b.en,\n",
                                        encoding="utf-8")
    return tmp_path, doc, items


def kept(items):
    """The reviewed links a dataset holds: not rejected, and (by default) with text on both sides."""
    return [(it.link.src_ids, it.link.tgt_ids) for it in items
            if it.status != "rejected" and it.link.src_ids and it.link.tgt_ids]


def config(path, **kw):
    return load_config(str(path), src_lang="ar", tgt_lang="en", encoder="lexical", segmented=True, **kw)


def test_reviewed_links_are_kept_and_the_other_pairs_aligned(corpus):
    root, doc, items = corpus
    cfg = config(root / "pairs.csv")
    assert [d.reviewed for d in cfg.docs] == [str(root / "a.reviewed.jsonl"), None]
    assert "reviewed" not in cfg.meta_columns                    # not a dataset column
    s = build_corpus(cfg, str(root / "out"), progress=False)
    assert s.aligned == 2 and not s.failures
    got = [(r["src_ids"], r["tgt_ids"]) for r in rows(root / "out") if r["doc_id"] == "a"]
    assert got == kept(items) and got[0] == ([0, 1], [0, 1])     # the reviewer's merge, the rejected link gone
    assert len(kept(items)) < len([it for it in items if it.link.src_ids and it.link.tgt_ids])
    assert [r for r in rows(root / "out") if r["doc_id"] == "b"]               # aligned as usual

    # the review goes on: a re-run reads the reviewed file again (and only that document)
    items = apply(items, merge(items, 2, doc.texts, "2026-12-02T06:01:00Z"))
    store.save(doc, items, str(root / "a.reviewed.jsonl"))
    s = build_corpus(config(root / "pairs.csv"), str(root / "out"), progress=False)
    assert (s.aligned, s.skipped) == (1, 1)
    got = [(r["src_ids"], r["tgt_ids"]) for r in rows(root / "out") if r["doc_id"] == "a"]
    assert got == kept(items)


def test_a_review_of_another_pair_or_outside_the_folder_is_a_failure(corpus, tmp_path_factory):
    root, _, _ = corpus
    (root / "pairs.csv").write_text("doc_id,src,tgt,reviewed\nb,b.ar,b.en,a.reviewed.jsonl\n", encoding="utf-8")
    s = build_corpus(config(root / "pairs.csv"), str(root / "out"), progress=False)
    assert len(s.failures) == 1 and "is the review of a.ar / a.en, not of b.ar / b.en" in s.failures[0]["reason"]
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "x.reviewed.jsonl"
    elsewhere.write_text((root / "a.reviewed.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "pairs.csv").write_text(f"doc_id,src,tgt,reviewed\na,a.ar,a.en,{elsewhere}\n", encoding="utf-8")
    s = build_corpus(config(root / "pairs.csv"), str(root / "out2"), progress=False)
    assert len(s.failures) == 1 and "lies outside the allowed folders" in s.failures[0]["reason"]


def test_calibration_is_used_and_signed(corpus):
    from align.score.fit import write_calibration
    from align.score.linkscore import load_calibration

    root, _, _ = corpus
    (root / "pairs.csv").write_text("doc_id,src,tgt\nb,b.ar,b.en\n", encoding="utf-8")
    base = load_calibration()
    link = {**base.link, "both": {**base.link["both"], "intercept": base.link["both"]["intercept"] - 50}}
    write_calibration(str(root / "cal.json"), link=link)
    s = build_corpus(config(root / "pairs.csv"), str(root / "out"), progress=False)
    plain = {r["score"] for r in rows(root / "out")}
    s = build_corpus(config(root / "pairs.csv", calibration=str(root / "cal.json")), str(root / "out"), progress=False)
    assert s.aligned == 1                                          # a new calibration re-aligns
    scores = [r["score"] for r in rows(root / "out")]
    assert max(plain) > 0.5 and max(scores) < 0.01                 # the -50 intercept: every link scores ~0
    newest = max(glob.glob(str(root / "out" / ".work" / "parts" / "*.json")), key=os.path.getmtime)
    part = json.load(open(newest, encoding="utf-8"))
    assert part["signature"].endswith("|" + load_calibration(str(root / "cal.json")).signature)
    from align.errors import AlignError

    (root / "bad.json").write_text("{}")
    with pytest.raises(AlignError, match="not a calibration file"):
        config(root / "pairs.csv", calibration=str(root / "bad.json"))
