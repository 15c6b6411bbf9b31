"""`align corpus` end to end on a tiny corpus written in tmp: the dataset folder reads back with `datasets`, rows
point at the right input lines, failures are recorded without stopping the run, an interrupted build resumes to
the same bytes, worker processes give the same bytes as one process, filters and exports do what they say.
The lexical encoder (no model) keeps it fast; the other test modules import `make_corpus` from here."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from click.testing import CliRunner

from align.cli import main
from align.corpus.config import load_config
from align.corpus.run import build_corpus
from align.corpus.config import Doc, Filters
from align.corpus.filters import RowFilter

PAIRS = [
    ("اعتمدت الجمعية العامة جدول الأعمال.", "The General Assembly adopted the agenda."),
    ("عقد المجلس 25 جلسة في عام 2015.", "The Council held 25 meetings in 2015."),
    ("وقدم الأمين العام تقريره السنوي.", "The Secretary-General presented his annual report."),
    ("ناقشت اللجنة مسألة تغير المناخ.", "The Committee discussed the question of climate change."),
    ("بلغ عدد المشاركين 3000 شخص.", "There were 3,000 participants."),
    ("تقرر عقد الدورة المقبلة في جنيف.", "It was decided to hold the next session in Geneva."),
    ("رحب الرئيس بالوفود.", "The President welcomed the delegations."),
    ("اختتمت الجلسة في الساعة 12:40.", "The meeting rose at 12.40 p.m."),
    ("وافقت الدول الأعضاء على الميزانية.", "The Member States approved the budget."),
    ("طلب المجلس تقريرا بحلول 30 حزيران/يونيه 2016.", "The Council requested a report by 30 June 2016."),
    ("أكد الممثل أهمية التعاون الدولي.", "The representative stressed the importance of international cooperation."),
    ("ولم يتخذ أي قرار بشأن هذا البند.", "No decision was taken on this item."),
]


def make_corpus(root, broken: bool = False) -> str:
    """Three segmented documents (a CSV manifest with a metadata column) and one raw two-paragraph document, in
    a YAML config. ``broken`` adds a binary file and an empty file as two more pairs. Returns the YAML path."""
    root = str(root)
    os.makedirs(os.path.join(root, "seg"), exist_ok=True)
    rows = ["doc_id,src,tgt,topic"]
    for k, doc in enumerate(("c", "a", "b")):  # not in doc_id order: the dataset must sort them
        chunk = PAIRS[4 * k: 4 * k + 4]
        for side, lang in ((0, "ar"), (1, "en")):
            with open(os.path.join(root, "seg", f"{doc}.{lang}"), "w", encoding="utf-8") as f:
                f.write("".join(p[side] + "\n" for p in chunk))
        rows.append(f"{doc},{doc}.ar,{doc}.en,topic-{doc}")
    if broken:
        with open(os.path.join(root, "seg", "bin.ar"), "wb") as f:
            f.write(bytes(range(256)) * 8)
        open(os.path.join(root, "seg", "empty.en"), "w").close()
        rows += ["bin,bin.ar,a.en,x", "empty,a.ar,empty.en,x"]
    with open(os.path.join(root, "seg", "manifest.csv"), "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    for side, lang in ((0, "ar"), (1, "en")):
        with open(os.path.join(root, f"raw.{lang}"), "w", encoding="utf-8") as f:
            f.write(" ".join(p[side] for p in PAIRS[:2]) + "\n\n" + " ".join(p[side] for p in PAIRS[2:4]) + "\n")
    with open(os.path.join(root, "corpus.yaml"), "w", encoding="utf-8") as f:
        f.write(
            "name: tiny\nlicense: cc-by-4.0\nsrc_lang: ar\ntgt_lang: en\nencoder: lexical\n"
            "inputs:\n"
            "  - manifest: seg/manifest.csv\n    segmented: true\n"
            "  - {src: raw.ar, tgt: raw.en, doc_id: raw, meta: {topic: raw}}\n"
            "export: [tmx, moses]\n"
        )
    return os.path.join(root, "corpus.yaml")


def folder_bytes(path) -> dict:
    """sha256 of every file of a dataset folder, the work folder excepted."""
    out = {}
    for d, dirs, names in os.walk(path):
        dirs[:] = [x for x in dirs if x != ".work"]
        for n in names:
            p = os.path.join(d, n)
            out[os.path.relpath(p, path)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return out


def load_offline(path, cache_dir, name=None):
    """datasets.load_dataset on the folder (config ``name``), with the Hub unreachable as it is here."""
    from unittest import mock

    import datasets
    from huggingface_hub import constants

    # The libraries read these variables when imported (earlier, by the build): set both the variables and
    # what was read from them, so any attempt to reach the Hub fails instead of waiting on the network.
    with mock.patch.dict(os.environ, {"HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}), \
            mock.patch.object(datasets.config, "HF_HUB_OFFLINE", True), \
            mock.patch.object(datasets.config, "HF_DATASETS_OFFLINE", True), \
            mock.patch.object(constants, "HF_HUB_OFFLINE", True):
        return datasets.load_dataset(str(path), name, split="train", cache_dir=str(cache_dir))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    cfg = load_config(make_corpus(root, broken=True))
    out = str(root / "out")
    summary = build_corpus(cfg, out, progress=False)
    return cfg, out, summary, root


def test_dataset_reads_back_offline_with_identical_rows_and_features(built, tmp_path):
    import pyarrow.parquet as pq

    from align.corpus.dataset import features

    cfg, out, _, _ = built
    ds = load_offline(out, tmp_path / "hf")
    assert ds.features == features(cfg)
    assert repr(ds.features["translation"]) == "Translation(languages=['ar', 'en'])"
    table = pq.read_table(os.path.join(out, "data"))  # another reader of the same files
    assert ds.to_list() == table.to_pylist() and len(ds) > 0
    assert [r["doc_id"] for r in ds] == sorted(r["doc_id"] for r in ds)  # doc_id order, whatever the manifest order


def test_rows_point_at_the_input_lines_and_carry_the_metadata(built):
    import pyarrow.parquet as pq

    _, out, _, root = built
    rows = pq.read_table(os.path.join(out, "data")).to_pylist()
    seg = [r for r in rows if r["doc_id"] in ("a", "b", "c")]
    assert {r["doc_id"] for r in seg} == {"a", "b", "c"} and {r["level"] for r in seg} == {"sentence"}
    for r in seg:
        lines = {lang: open(root / "seg" / f"{r['doc_id']}.{lang}", encoding="utf-8").read().splitlines()
                 for lang in ("ar", "en")}
        assert r["translation"]["ar"] == " ".join(lines["ar"][i] for i in r["src_ids"])
        assert r["translation"]["en"] == " ".join(lines["en"][j] for j in r["tgt_ids"])
        assert r["topic"] == f"topic-{r['doc_id']}" and r["type"] == f"{len(r['src_ids'])}-{len(r['tgt_ids'])}"
        assert 0.0 <= r["score"] <= 1.0
    raw = [r for r in rows if r["doc_id"] == "raw"]
    # raw text: both levels, sentence links pointing at their paragraph link
    assert {r["level"] for r in raw} == {"paragraph", "sentence"} and {r["topic"] for r in raw} == {"raw"}
    assert all(r["paragraph"] is not None for r in raw if r["level"] == "sentence")


def test_failed_pairs_are_recorded_and_the_others_kept(built):
    import pyarrow.parquet as pq

    _, out, summary, root = built
    with open(os.path.join(out, "failures.jsonl"), encoding="utf-8") as f:
        failures = [json.loads(line) for line in f]
    assert [f["doc_id"] for f in failures] == ["bin", "empty"]
    assert set(failures[0]) == {"doc_id", "src", "tgt", "reason"}
    assert "binary" in failures[0]["reason"] and failures[0]["src"] == str(root / "seg" / "bin.ar")
    assert "empty" in failures[1]["reason"]
    docs = set(pq.read_table(os.path.join(out, "data"), columns=["doc_id"]).column("doc_id").to_pylist())
    assert docs == {"a", "b", "c", "raw"} and summary.aligned == 4


def test_card_is_valid_and_describes_the_data(built):
    from huggingface_hub import DatasetCard

    from align.publish import card_problems

    _, out, summary, _ = built
    assert card_problems(out) == []
    card = DatasetCard.load(os.path.join(out, "README.md"))
    assert card.data.task_categories == ["translation"] and card.data.language == ["ar", "en"]
    assert card.data.license == "cc-by-4.0" and card.data.size_categories == ["n<1K"]
    assert card.data.dataset_info["splits"][0]["num_examples"] == summary.dataset["rows"]
    assert "enc:lexical" in card.text and "scores.png" in card.text and "load_dataset" in card.text
    with open(os.path.join(out, "scores.png"), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_exports_hold_the_sentence_links(built):
    import pyarrow.parquet as pq
    from translate.storage import tmx

    _, out, _, _ = built
    rows = [r for r in pq.read_table(os.path.join(out, "data")).to_pylist() if r["level"] == "sentence"]
    with open(os.path.join(out, "export", "tiny.ar-en.tmx"), "rb") as f:
        units = tmx.tmxfile(f.read()).units
    assert [(u.source, u.target) for u in units] == [(r["translation"]["ar"], r["translation"]["en"]) for r in rows]
    for lang in ("ar", "en"):
        with open(os.path.join(out, "export", f"tiny.ar-en.{lang}"), encoding="utf-8") as f:
            assert f.read().splitlines() == [r["translation"][lang] for r in rows]


def test_interrupted_build_resumes_to_the_same_bytes(built, tmp_path, monkeypatch):
    import align.corpus.run as run

    cfg, out, _, _ = built
    real, calls = run.align_doc, []

    def dies_on_third(doc, job, encoder):
        calls.append(doc.doc_id)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as if killed in the middle of the run
        return real(doc, job, encoder)

    monkeypatch.setattr(run, "align_doc", dies_on_third)
    with pytest.raises(KeyboardInterrupt):
        build_corpus(cfg, str(tmp_path / "out"), progress=False)
    assert not os.path.exists(tmp_path / "out" / "data")  # no dataset from a killed run
    monkeypatch.setattr(run, "align_doc", real)
    again = build_corpus(cfg, str(tmp_path / "out"), progress=False)
    assert again.skipped == 2 and again.aligned == 2  # the two finished before the kill are not redone
    assert folder_bytes(tmp_path / "out") == folder_bytes(out)


def test_worker_processes_give_the_same_bytes(built, tmp_path):
    cfg, out, _, _ = built
    before = os.environ.get("OMP_NUM_THREADS")
    s = build_corpus(cfg, str(tmp_path / "out"), workers=2, progress=False)
    assert os.environ.get("OMP_NUM_THREADS") == before  # the workers' pinning does not leak into this process
    assert s.aligned == 4 and len(s.failures) == 2
    assert len(s.worker_rss_kib) == 2 and os.getpid() not in s.worker_rss_kib  # two other processes did it
    assert all(len(ids) == 1 for ids in s.worker_encoders.values())  # each loaded its encoder once
    assert folder_bytes(tmp_path / "out") == folder_bytes(out)


def test_settings_change_redoes_only_what_it_must(built, tmp_path):
    import dataclasses
    import shutil

    cfg, out, first, _ = built
    shutil.copytree(out, tmp_path / "out")
    strict = dataclasses.replace(cfg, filters=Filters(min_score=0.999))
    s = build_corpus(strict, str(tmp_path / "out"), progress=False)
    assert s.aligned == 0 and s.skipped == 4  # filters apply at build time: nothing re-aligned
    assert s.dataset["dropped"]["min_score"] > 0
    assert s.dataset["rows"] == first.dataset["rows"] - s.dataset["dropped"]["min_score"]
    other = dataclasses.replace(cfg, params=dataclasses.replace(cfg.params, max_link=3))
    assert build_corpus(other, str(tmp_path / "out"), progress=False).aligned == 4  # aligner settings: redone


def test_transient_crash_is_retried_then_recorded(built, tmp_path, monkeypatch):
    import align.corpus.run as run

    cfg, _, _, _ = built
    real, seen = run.align_doc, {}

    def flaky(doc, job, encoder):
        seen[doc.doc_id] = seen.get(doc.doc_id, 0) + 1
        if doc.doc_id == "a" and seen["a"] == 1:
            raise OSError("stale file handle")  # fails once: the retry succeeds
        if doc.doc_id == "b":
            raise RuntimeError("always")
        return real(doc, job, encoder)

    monkeypatch.setattr(run, "align_doc", flaky)
    s = build_corpus(cfg, str(tmp_path / "out"), retries=1, progress=False)
    assert seen["a"] == 2 and seen["b"] == 2
    assert [f["doc_id"] for f in s.failures] == ["b", "bin", "empty"]
    assert "internal error: RuntimeError: always" in s.failures[0]["reason"]


def test_shards_split_and_load_in_order(built, tmp_path):
    import dataclasses

    cfg, _, _, _ = built
    s = build_corpus(dataclasses.replace(cfg, shard_rows=5, exports=()), str(tmp_path / "out"), progress=False)
    n = s.dataset["shards"]
    assert n == -(-s.dataset["rows"] // 5) and n > 1
    assert sorted(os.listdir(tmp_path / "out" / "data")) == [f"train-{i:05d}-of-{n:05d}.parquet" for i in range(n)]
    ds = load_offline(tmp_path / "out", tmp_path / "hf")
    assert len(ds) == s.dataset["rows"] and [r["doc_id"] for r in ds] == sorted(r["doc_id"] for r in ds)
    assert not os.path.exists(tmp_path / "out" / "export")


def test_filters():
    f = RowFilter(Filters(min_score=0.5, max_length_ratio=2.0, dedup="normalised"))
    kept = [f.keep("sentence", s, t, sc) for s, t, sc in [
        ("مرحبا بكم", "Welcome", 0.9),
        ("", "orphan", 0.9),                      # unaligned
        ("نص", "text", 0.2),                      # low score
        ("قصير", "a much much longer target text", 0.9),  # length ratio
        ("مَرْحَباً بكم", "WELCOME ", 0.8),         # same as the first once normalised
    ]]
    assert kept == [True, False, False, False, False]
    assert dict(f.dropped) == {"unaligned": 1, "min_score": 1, "length_ratio": 1, "duplicate": 1}
    exact = RowFilter(Filters(dedup="exact", keep_unaligned=True))
    assert [exact.keep("sentence", s, t, 0.5) for s, t in [("a b", "c"), ("A  b", "c"), ("a b", "c"), ("", "x")]] \
        == [True, True, False, True]
    assert exact.keep("paragraph", "a b", "c", 0.5)  # the same text at another level is not a duplicate


def test_cli_exit_statuses(tmp_path):
    yaml_path = make_corpus(tmp_path / "ok")
    r = CliRunner().invoke(main, ["corpus", yaml_path, "-o", str(tmp_path / "ok-out"), "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "aligned 4 document pair(s)" in r.output
    assert not os.path.exists(tmp_path / "ok-out" / "failures.jsonl")
    broken = make_corpus(tmp_path / "broken", broken=True)
    r = CliRunner().invoke(main, ["corpus", broken, "-o", str(tmp_path / "b-out"), "--no-progress"])
    assert r.exit_code == 3 and "2 document pair(s) failed" in r.output
    r = CliRunner().invoke(main, ["corpus", broken, "--no-progress"])  # no -o and no output in the YAML
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "no output folder" in r.output
    # a folder of the user's with a data/ in it is not overwritten
    (tmp_path / "mine" / "data").mkdir(parents=True)
    (tmp_path / "mine" / "data" / "thesis.txt").write_text("precious")
    r = CliRunner().invoke(main, ["corpus", yaml_path, "-o", str(tmp_path / "mine"), "--no-progress"])
    assert r.exit_code == 2 and "not made by `align corpus`" in r.output
    assert (tmp_path / "mine" / "data" / "thesis.txt").read_text() == "precious"


class _KillsItsWorker(Doc):
    """Unpickling it in the worker process ends that process, as the out-of-memory killer would."""

    def __reduce__(self):
        return (os._exit, (9,))


def test_a_dead_worker_stops_the_run_with_a_resume_hint(built, tmp_path):
    import dataclasses

    from align.corpus.run import WorkerDied

    cfg, _, _, _ = built
    killer = _KillsItsWorker("killer", cfg.docs[0].src, cfg.docs[0].tgt, True)
    with pytest.raises(WorkerDied, match="re-run the same command to resume"):
        build_corpus(dataclasses.replace(cfg, docs=[killer, *cfg.docs]), str(tmp_path / "out"), workers=2,
                     progress=False)


def test_one_worker_runs_single_threaded_like_every_worker(built, tmp_path, monkeypatch):
    """Threads change how BLAS sums: --workers 1 must use the workers' setting to give the same bytes."""
    from threadpoolctl import threadpool_info

    import align.corpus.run as run
    from align.corpus.task import load_encoder

    cfg, _, _, _ = built
    real, seen, asked = run.align_doc, [], []

    def spy(doc, job, encoder):
        seen.append({i["num_threads"] for i in threadpool_info()})
        return real(doc, job, encoder)

    def loads(job, threads=None):
        asked.append(threads)
        return load_encoder(job, threads)

    before = {i["num_threads"] for i in threadpool_info()}
    monkeypatch.setattr(run, "align_doc", spy)
    monkeypatch.setattr("align.corpus.task._encoders", {})
    monkeypatch.setattr("align.corpus.task.load_encoder", loads)
    build_corpus(cfg, str(tmp_path / "out"), progress=False)
    assert seen and all(s == {1} for s in seen)
    assert asked == [1]   # the encoder itself is asked for one thread, once
    assert {i["num_threads"] for i in threadpool_info()} == before
