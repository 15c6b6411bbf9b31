"""`align calibrate`: refit the link score on links a reviewer judged, and measure it on held-out reviewed links.

Evidence from a reviewed file (align review): an approved link is a correct prediction; a rejected link, and
every original link a corrected link `replaces`, a wrong one; unreviewed links say nothing. The two link models
of align.score.linkscore ("both": text on both sides, "one": 1-0 / 0-1) are refitted as scripts/calibrate.py
fits them on the benchmark sets (align.score.fit: logistic fit, then the intercept lowered until links scoring
>= 0.5 are right >= 95% of the time), on a share of the reviewed links; the rest is held out to compare the
scores before (the calibration that made the files) and after.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

from align.errors import AlignError
from align.links import Link
from align.review import store

MIN_LINKS = 30       # fewer reviewed links than this would fit noise: refused
MIN_PER_KIND = 10    # a model ("both" / "one") with fewer examples, or only one outcome, keeps its coefficients
HOLDOUT = 0.3


@dataclass(frozen=True)
class Example:
    link: Link
    correct: bool
    file: str


@dataclass(frozen=True)
class Measure:
    links: int
    wrong: int
    precision: float | None    # of links scoring >= 0.5 (None: no link scores that high)
    share: float               # of links scoring >= 0.5
    auc: float | None          # ROC AUC, correct vs wrong (None: only one outcome among these links)


@dataclass(frozen=True)
class Refit:
    fitted: int
    held_out: int
    wrong: int                 # judged wrong, among all
    before: Measure
    after: Measure
    kept: dict[str, str]       # model kind -> why its coefficients were kept
    report: dict               # the link coefficients and summary, as align.score.fit.write_calibration takes them


def examples(path: str) -> tuple[str, list[Example]]:
    """(encoder of the alignment, the judged links of one reviewed file)."""
    header, rows = store.read_rows(path)
    if not any("review" in r for r in rows):
        raise AlignError(f"{path}: not a reviewed file (no `review` on its links); `align review` writes them")
    level = "sentence" if any(r.get("level") == "sentence" for r in rows) else "paragraph"
    out, wrong = [], {}
    for r in rows:
        if r.get("level", level) != level:
            continue
        status = (r.get("review") or {}).get("status")
        if status in ("approved", "rejected"):
            out.append(Example(store.link_from_row(r, path), status == "approved", path))
        elif status == "corrected":
            for old in r["review"].get("replaces") or []:
                wrong[tuple(old["src_ids"]), tuple(old["tgt_ids"])] = old
    out += [Example(store.link_from_row(old, path), False, path) for old in wrong.values()]
    if out and all(e.link.sim is None for e in out):
        raise AlignError(f"{path}: its links carry no similarity (`sim`): it was aligned by an older `align pair`; "
                         "align and review it again")
    return _encoder(header.get("signature", "")), out


def _encoder(signature: str) -> str:
    return next((p[4:] for p in signature.split("|") if p.startswith("enc:")), "")


def split(exs: list[Example], holdout: float = HOLDOUT, seed: int = 0) -> tuple[list[Example], list[Example]]:
    """(to fit, held out): the same share of correct and of wrong links held out, at random but reproducibly."""
    rng = random.Random(seed)
    fit, held = [], []
    for outcome in (True, False):
        group = [e for e in exs if e.correct == outcome]
        rng.shuffle(group)
        k = round(len(group) * holdout)
        held += group[:k]
        fit += group[k:]
    return fit, held


def measure(exs: list[Example], calibration) -> Measure:
    from align.score.fit import precision_recall_at_half, roc_auc
    from align.score.linkscore import link_score

    scores = [link_score(e.link, calibration) for e in exs]
    labels = [e.correct for e in exs]
    confident = [s >= 0.5 for s in scores]
    precision = precision_recall_at_half(scores, labels)[0] if any(confident) else None
    auc = roc_auc(scores, labels) if 0 < sum(labels) < len(labels) else None
    return Measure(len(exs), labels.count(False), precision, sum(confident) / len(exs) if exs else 0.0, auc)


def fit_links(exs: list[Example], base) -> tuple[dict, dict[str, str]]:
    """The link coefficients refitted on `exs`; a kind with too little evidence keeps `base`'s."""
    import numpy as np

    from align.score.fit import fit_logistic, raise_until_precise
    from align.score.linkscore import LINK_FEATURES, link_features

    report: dict = {}
    kept = {}
    for kind, names in LINK_FEATURES.items():
        rows = [(link_features(e.link)[1], float(e.correct)) for e in exs if link_features(e.link)[0] == kind]
        y = np.array([r[1] for r in rows])
        if len(rows) < MIN_PER_KIND or y.min(initial=1) == y.max(initial=0):
            kept[kind] = (f"{len(rows)} reviewed {'1-0/0-1' if kind == 'one' else 'two-sided'} links"
                          + (", all with one outcome" if len(rows) >= MIN_PER_KIND else "") + ": kept as it was")
            report[kind] = base.link[kind]
            continue
        x = np.array([r[0] for r in rows])
        weights, intercept = fit_logistic(x, y)
        intercept = raise_until_precise([(x, y)], weights, intercept)
        report[kind] = {"weights": [round(float(w), 4) for w in weights], "intercept": round(float(intercept), 4),
                        "features": names}
    return report, kept


def refit(paths: list[str], base_path: str | None = None, holdout: float = HOLDOUT, seed: int = 0) -> Refit:
    from align.score.linkscore import Calibration, load_calibration

    if not 0 < holdout < 1:
        raise AlignError(f"--holdout must be between 0 and 1, not {holdout}")
    encoders, exs = set(), []
    for path in paths:
        encoder, mine = examples(path)
        encoders.add(encoder)
        exs += mine
    if len(exs) < MIN_LINKS:
        raise AlignError(f"{len(exs)} reviewed links (approved, rejected or replaced by a correction): at least "
                         f"{MIN_LINKS} are needed to refit the scores; fewer would fit noise. Review more links")
    if len(encoders) > 1:
        raise AlignError(f"the files were aligned with different encoders ({', '.join(sorted(encoders))}): a score "
                         "is calibrated for one; calibrate each encoder's files apart")
    fit, held = split(exs, holdout, seed)
    base = load_calibration(base_path)
    coefficients, kept = fit_links(fit, base)
    after_cal = Calibration(coefficients, base.pair, "refit")
    before, after = measure(held, base), measure(held, after_cal)
    report = {**coefficients, "encoder": encoders.pop(), "fitted_on": sorted({os.path.basename(e.file) for e in exs}),
              "sets": {"held-out reviewed links": {"roc_auc": _r(after.auc), "precision_at_0.5": _r(after.precision),
                                                   "share_at_0.5": _r(after.share)}}}
    return Refit(len(fit), len(held), sum(not e.correct for e in exs), before, after, kept, report)


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def write(result: Refit, path: str) -> None:
    from align.score.fit import write_calibration

    write_calibration(path, link=result.report)
