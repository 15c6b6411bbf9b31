"""The link score: its shape (bounded, monotonic in similarity, omissions read the other way) and the fit that
makes it, run end to end on small synthetic data."""

import numpy as np
import pytest

from align.links import Link
from align.score.fit import calibrate_links, link_examples, precision_recall_at_half, roc_auc, write_calibration
from align.score.linkscore import link_score, load_calibration

SIMS = np.linspace(-1.0, 2.0, 31)


def _link(src_ids, tgt_ids, sim, src="Le comité a adopté l'ordre du jour.", tgt="The committee adopted the agenda.",
          margin=0.2):
    return Link(src_ids, tgt_ids, 0.0, src=src if src_ids else "", tgt=tgt if tgt_ids else "", sim=sim,
                margin=margin)


@pytest.mark.parametrize("src_ids,tgt_ids", [([0], [0]), ([0, 1], [0]), ([0], [0, 1, 2])])
def test_two_sided_score_is_bounded_and_rises_with_similarity(src_ids, tgt_ids):
    scores = [link_score(_link(src_ids, tgt_ids, s)) for s in SIMS]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert np.all(np.diff(scores) > 0)
    assert scores[0] < 0.5 < scores[-1]   # an unrelated pair is not trusted, a very good one is


@pytest.mark.parametrize("src_ids,tgt_ids", [([3], []), ([], [3])])
def test_omission_is_less_sure_when_a_close_counterpart_exists(src_ids, tgt_ids):
    scores = [link_score(_link(src_ids, tgt_ids, s)) for s in SIMS]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert np.all(np.diff(scores) < 0)
    # a segment nothing nearby resembles is surely omitted; one as close as a typical link is surely not
    assert link_score(_link(src_ids, tgt_ids, -0.2)) > 0.5 > link_score(_link(src_ids, tgt_ids, 1.0))


def test_a_wider_margin_means_more_confidence():
    for ids in (([0], [0]), ([0, 1], [0]), ([4], [])):
        scores = [link_score(_link(*ids, 0.8, margin=m)) for m in (0.0, 0.1, 0.3, 1.0)]
        assert np.all(np.diff(scores) > 0)


def test_omission_without_a_measured_similarity_counts_as_matching_nothing():
    # sentences of an omitted paragraph have no counterpart to compare with: scored like similarity 0
    assert link_score(_link([2], [], None)) == link_score(_link([2], [], 0.0))


def _synthetic_set(rng, n, wrong_shift):
    """Links whose correctness follows their similarity (and, for omissions, the lack of it); `wrong_shift`
    makes one set harder than the other, as textberg is harder than unpc."""
    rows = []
    for _ in range(n):
        kind = rng.choice(["1-1", "2-1", "1-0"], p=[0.75, 0.15, 0.10])
        sim = float(rng.normal(0.9, 0.35))
        if kind == "1-0":
            sim = float(rng.normal(0.3, 0.3))
            p_ok = 1 / (1 + np.exp(-(4 - 8 * sim - wrong_shift)))
            src_ids, tgt_ids = [0], []
        else:
            p_ok = 1 / (1 + np.exp(-(8 * sim - 3 - wrong_shift - (kind == "2-1"))))
            src_ids, tgt_ids = ([0], [0]) if kind == "1-1" else ([0, 1], [0])
        rows.append({"src_ids": src_ids, "tgt_ids": tgt_ids, "sim": sim, "src": "Item 12 is closed.",
                     "tgt": "" if not tgt_ids else "Item 12 est clos.", "correct": bool(rng.random() < p_ok)})
    return rows


def test_fit_round_trip_keeps_the_precision_promise(tmp_path):
    rng = np.random.default_rng(7)
    per_set = {"easy": _synthetic_set(rng, 1500, 0.0), "hard": _synthetic_set(rng, 800, 2.5)}
    report = calibrate_links(per_set)
    assert report["both"]["weights"][0] > 0 > report["one"]["weights"][0]

    path = tmp_path / "calibration.json"
    write_calibration(str(path), link=report)
    stored = load_calibration(str(path))
    assert stored.signature.startswith("cal:") and len(stored.signature) == 16

    for name, rows in per_set.items():
        links = [Link(r["src_ids"], r["tgt_ids"], 0.0, src=r["src"], tgt=r["tgt"], sim=r["sim"]) for r in rows]
        scores = [link_score(l, stored) for l in links]
        labels = [r["correct"] for r in rows]
        precision, _ = precision_recall_at_half(scores, labels)
        assert precision >= 0.95, name
        assert precision == pytest.approx(report["sets"][name]["precision_at_0.5"], abs=1e-4)
        assert np.mean(np.array(scores) >= 0.5) > 0.3   # the promise is not kept by trusting nothing
        assert roc_auc(scores, labels) > 0.8
    assert stored.pair == load_calibration().pair   # the pair mapping is carried over untouched


def test_link_examples_label_predicted_links_against_gold(tmp_path):
    from align.encode import get_encoder

    for d in ("src", "tgt", "gold"):
        (tmp_path / d).mkdir()
    src = ["Article 1 was adopted in 1948.", "Article 2 has 30 parts.", "Article 3 cost 512 dollars."]
    tgt = ["L'article 1 a été adopté en 1948.", "L'article 2 compte 30 parties.",
           "L'article 3 a coûté 512 dollars."]
    (tmp_path / "src" / "doc").write_text("\n".join(src) + "\n", encoding="utf-8")
    (tmp_path / "tgt" / "doc").write_text("\n".join(tgt) + "\n", encoding="utf-8")
    # gold says the first two are crossed, which an in-order aligner cannot produce: those links are wrong
    (tmp_path / "gold" / "doc").write_text("[0]:[1]\n[1]:[0]\n[2]:[2]\n", encoding="utf-8")
    rows = link_examples(str(tmp_path), get_encoder("lexical"))
    assert sorted(i for r in rows for i in r["src_ids"]) == [0, 1, 2]   # the final newline added no segment
    assert sorted(j for r in rows for j in r["tgt_ids"]) == [0, 1, 2]
    assert {(tuple(r["src_ids"]), tuple(r["tgt_ids"])): r["correct"] for r in rows}[(2,), (2,)] is True
    assert all(not r["correct"] for r in rows if r["src_ids"] != [2])
    assert all(r["sim"] is not None for r in rows)
