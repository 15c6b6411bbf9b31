"""The calibration helpers: ROC AUC, the logistic fit, the examples drawn from gold links, and the pair score."""

import numpy as np
import pytest

from align.score.fit import fit_logistic, pair_examples, precision_recall_at_half, roc_auc
from align.score.similarity import pair_score


def test_roc_auc():
    assert roc_auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1.0
    assert roc_auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]) == 0.0
    assert roc_auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]) == 0.5
    assert roc_auc([0.1, 0.6, 0.4, 0.9], [0, 0, 1, 1]) == 0.75


def test_fit_logistic_finds_the_separating_direction():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] - 0.2 > rng.normal(scale=0.3, size=400)).astype(float)   # depends on feature 0 only
    w, b = fit_logistic(x, y)
    assert w[0] > 2 and abs(w[1]) < 0.2 * w[0]
    p = 1 / (1 + np.exp(-(x @ w + b)))
    assert roc_auc(p, y) > 0.9


def test_precision_recall_at_half():
    assert precision_recall_at_half([0.9, 0.6, 0.4, 0.7], [1, 0, 1, 1]) == (pytest.approx(2 / 3), pytest.approx(2 / 3))


def test_pair_examples_from_gold(tmp_path):
    for d in ("src", "tgt", "gold"):
        (tmp_path / d).mkdir()
    (tmp_path / "src" / "doc").write_text("a\nb\nc\nd\n", encoding="utf-8")
    (tmp_path / "tgt" / "doc").write_text("A\nBC\nD\n", encoding="utf-8")
    (tmp_path / "gold" / "doc").write_text("[0]:[0]\n[1, 2]:[1]\n[3]:[]\n", encoding="utf-8")
    ex = pair_examples(str(tmp_path))
    assert [e for e in ex if e[2] == 1] == [("a", "A", 1), ("b c", "BC", 1)]
    # the neighbour's translation, and half of the 2-1 merge; the omission gives no pair
    assert sorted(e for e in ex if e[2] == 0) == [("a", "BC", 0), ("b", "BC", 0)]


def test_pair_score_rises_with_similarity_and_falls_with_flags():
    src, tgt = "اعتماد جدول الأعمال.", "Adoption of the agenda."
    low, high = pair_score(0.3, src, tgt, "ar", "en", []), pair_score(0.8, src, tgt, "ar", "en", [])
    assert 0 <= low < 0.5 < high <= 1
    flagged = pair_score(0.8, src, tgt, "ar", "en", [{"check": "numbers", "severity": "major", "message": ""}])
    assert flagged < high
