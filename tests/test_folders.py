"""`align pair DIR DIR`: forked worker processes or this process alone give the same outputs and reports."""

import os

import pytest

from align import folders
from align.core.params import Params
from align.encode import get_encoder

AR = ["عقد مجلس الأمن اليوم مشاورات بشأن الحالة الإنسانية في الجمهورية العربية السورية.",
      "واعتمد المجلس القرار 2231 في 20 تموز/يوليه 2015.",
      "وتدعو الجمعية العامة جميع الدول الأعضاء إلى تقديم تقارير."]
EN = ["The Security Council held consultations today on the humanitarian situation in the Syrian Arab Republic.",
      "The Council adopted resolution 2231 on 20 July 2015.",
      "The General Assembly invites all Member States to submit reports."]
FR = ["Le Conseil de sécurité a tenu aujourd'hui des consultations sur la situation humanitaire en Syrie, longuement.",
      "Le Conseil a adopté la résolution 2231 le 20 juillet 2015 après un long débat entre ses membres.",
      "L'Assemblée générale invite tous les États Membres à présenter des rapports sur la question."]


@pytest.fixture
def pairs(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "tgt").mkdir()
    docs = {"a": (AR, EN), "b": (AR[::-1], EN[::-1]), "c": (AR * 3, EN * 3), "french": (AR, FR), "empty": ([], EN)}
    for name, (src, tgt) in docs.items():
        (tmp_path / "src" / name).write_text("".join(s + "\n" for s in src), encoding="utf-8")
        (tmp_path / "tgt" / name).write_text("".join(t + "\n" for t in tgt), encoding="utf-8")
    return [(n, str(tmp_path / "src" / n), str(tmp_path / "tgt" / n)) for n in sorted(docs)]


def _run(pairs, out, workers, capsys):
    enc = get_encoder("lexical")
    counts = folders.align_folders(pairs, str(out), "jsonl", "ar", "en", True, enc, Params(), workers=workers)
    files = {n: (out / n).read_text(encoding="utf-8") for n in sorted(os.listdir(out))}
    return counts, files, sorted(capsys.readouterr().err.splitlines())


def test_forked_workers_write_and_report_what_one_process_does(pairs, tmp_path, capsys):
    alone = _run(pairs, tmp_path / "alone", 1, capsys)
    forked = _run(pairs, tmp_path / "forked", 2, capsys)
    assert forked == alone
    counts, files, err = forked
    assert counts == (4, 1) and sorted(files) == ["a.jsonl", "b.jsonl", "c.jsonl", "french.jsonl"]
    assert [l for l in err if "empty" in l and "error" in l]                    # the bad pair, reported once
    assert [l for l in err if "french" in l and "looks like fr" in l]           # a worker's warning reaches stderr


def test_worker_count(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    lexical = get_encoder("lexical")
    assert folders.process_workers(lexical, 10) == 4
    assert folders.process_workers(lexical, 3) == 3
    assert folders.process_workers(lexical, 1) == 1            # one pair: this process and its lanes
    assert folders.process_workers(get_encoder("lexical", memo=False), 10) == 4

    class Torchy:  # an encoder that does not declare itself safe to fork (torch's thread pools)
        name = signature = "torchy"
        threads = 4

    assert folders.process_workers(Torchy(), 10) == 1
    assert folders.process_workers(lexical, 10, asked=1) == 1    # --workers 1
    assert folders.process_workers(lexical, 10, asked=8) == 8
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert folders.process_workers(lexical, 10) == 1
