"""`align calibrate`: refit the scores on links a reviewer judged, and measure them on held-out reviewed links.

Evidence from a reviewed file (align review): an approved link is a correct prediction; a rejected link, and
every original link a corrected link `replaces`, a wrong one; unreviewed links say nothing.

- The link score (`align pair`, `align corpus`; align.score.linkscore): its two models ("both": text on both
  sides, "one": 1-0 / 0-1) are refitted on the judged predictions.
- The pair score (`align score`): refitted on the judged pairs with text on both sides, the reviewer's own
  corrected links counting as correct pairs too, when the encoder that made the files is given (the pair score
  reads the encoder's raw cosine, which the files do not hold).

Each is fitted as scripts/calibrate.py fits it on the benchmark sets (align.score.fit: a logistic fit, then the
intercept lowered until examples scoring >= 0.5 are right >= 95% of the time), on a share of the examples; the
rest is held out to compare the scores before (the calibration that made the files) and after.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

from align.errors import AlignError
from align.links import Link
from align.review import store

MIN_LINKS = 30       # fewer judged links than this would fit noise: refused
MIN_PER_KIND = 10    # a model with fewer examples, or only one outcome among them, keeps its coefficients
HOLDOUT = 0.3


@dataclass(frozen=True)
class Example:
    link: Link
    correct: bool
    file: str
    langs: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class Judged:
    """What one reviewed file teaches: judged predictions (link score) and judged pairs (pair score)."""

    encoder: str                # the encoder signature of the alignment
    links: list[Example]
    pairs: list[Example]


@dataclass(frozen=True)
class Measure:
    links: int
    wrong: int
    precision: float | None    # of examples scoring >= 0.5 (None: none scores that high)
    share: float               # of examples scoring >= 0.5
    auc: float | None          # ROC AUC, correct vs wrong (None: only one outcome among them)


@dataclass(frozen=True)
class Fitted:
    """One refitted score: sizes, held-out measures before and after, the coefficients (or why none)."""

    fitted: int
    held_out: int
    before: Measure | None
    after: Measure | None
    coefficients: dict | None   # None: kept as it was
    kept: dict[str, str]        # model -> why its coefficients were kept


@dataclass(frozen=True)
class Refit:
    judged: int
    wrong: int
    link: Fitted
    pair: Fitted
    encoder: str
    files: list[str]


def examples(path: str) -> Judged:
    header, rows = store.read_rows(path)
    if not any("review" in r for r in rows):
        raise AlignError(f"{path}: not a reviewed file (no `review` on its links); `align review` writes them")
    level = "sentence" if any(r.get("level") == "sentence" for r in rows) else "paragraph"
    langs = (header.get("src_lang") or "", header.get("tgt_lang") or "")
    links, pairs, wrong = [], [], {}
    for r in rows:
        if r.get("level", level) != level:
            continue
        review = r.get("review") or {}
        link = store.link_from_row(r, path)
        if review.get("status") in ("approved", "rejected"):
            links.append(Example(link, review["status"] == "approved", path, langs))
        elif review.get("status") == "corrected":
            for old in review.get("replaces") or []:
                wrong[tuple(old["src_ids"]), tuple(old["tgt_ids"])] = old
            if link.src_ids and link.tgt_ids:
                pairs.append(Example(link, True, path, langs))
    links += [Example(store.link_from_row(old, path), False, path, langs) for old in wrong.values()]
    if links and all(e.link.sim is None for e in links):
        raise AlignError(f"{path}: its links carry no similarity (`sim`): it was aligned by an older `align pair`; "
                         "align and review it again")
    pairs += [e for e in links if e.link.src_ids and e.link.tgt_ids]
    return Judged(_encoder(header.get("signature", "")), links, pairs)


def _encoder(signature: str) -> str:
    return next((p[4:] for p in signature.split("|") if p.startswith("enc:")), "")


def split(exs: list[Example], holdout: float = HOLDOUT, seed: int = 0) -> tuple[list[Example], list[Example]]:
    """(to fit, held out): the same share of correct and of wrong examples held out, at random but reproducibly."""
    rng = random.Random(seed)
    fit, held = [], []
    for outcome in (True, False):
        group = [e for e in exs if e.correct == outcome]
        rng.shuffle(group)
        k = round(len(group) * holdout)
        held += group[:k]
        fit += group[k:]
    return fit, held


def measure(scores: list[float], labels: list[bool]) -> Measure:
    from align.score.fit import precision_recall_at_half, roc_auc

    confident = [s >= 0.5 for s in scores]
    precision = precision_recall_at_half(scores, labels)[0] if any(confident) else None
    auc = roc_auc(scores, labels) if 0 < sum(labels) < len(labels) else None
    return Measure(len(scores), labels.count(False), precision, sum(confident) / len(scores) if scores else 0.0, auc)


def _fit(x, y) -> dict:
    """Logistic fit, then the intercept lowered until examples scoring >= 0.5 are right >= 95% of the time."""
    from align.score.fit import fit_logistic, raise_until_precise

    weights, intercept = fit_logistic(x, y)
    intercept = raise_until_precise([(x, y)], weights, intercept)
    return {"weights": [round(float(w), 4) for w in weights], "intercept": round(float(intercept), 4)}


def _too_little(n: int, y, what: str) -> str | None:
    if n < MIN_PER_KIND:
        return f"{n} judged {what}: kept as it was"
    if y.min() == y.max():
        return f"{n} judged {what}, all with one outcome: kept as it was"
    return None


def refit_links(fit: list[Example], held: list[Example], base) -> Fitted:
    """The link models refitted on `fit`; a kind with too little evidence keeps `base`'s coefficients."""
    import numpy as np

    from align.score.linkscore import LINK_FEATURES, Calibration, link_features, link_score

    coefficients: dict = {}
    kept = {}
    for kind, names in LINK_FEATURES.items():
        rows = [(link_features(e.link)[1], float(e.correct)) for e in fit if link_features(e.link)[0] == kind]
        y = np.array([r[1] for r in rows])
        why = _too_little(len(rows), y, "1-0/0-1 links" if kind == "one" else "two-sided links")
        if why:
            kept[kind] = why
            coefficients[kind] = base.link[kind]
            continue
        coefficients[kind] = {**_fit(np.array([r[0] for r in rows]), y), "features": names}
    after = Calibration(coefficients, base.pair, "refit")
    labels = [e.correct for e in held]
    return Fitted(len(fit), len(held), measure([link_score(e.link, base) for e in held], labels),
                  measure([link_score(e.link, after) for e in held], labels), coefficients, kept)


def refit_pairs(fit: list[Example], held: list[Example], base, encoder) -> Fitted:
    """The pair model refitted on judged pairs, their cosines from `encoder`."""
    import numpy as np

    from align.score.checks import check_pair
    from align.score.linkscore import logistic
    from align.score.similarity import cosines, features

    def table(exs: list[Example]):
        cos = cosines(encoder, [e.link.src for e in exs], [e.link.tgt for e in exs])
        x = [features(c or 0.0, e.link.src, e.link.tgt, *e.langs, check_pair(e.link.src, e.link.tgt, *e.langs))
             for c, e in zip(cos, exs)]
        return np.array(x).reshape(len(exs), 3), np.array([float(e.correct) for e in exs])

    x, y = table(fit)
    why = _too_little(len(fit), y, "pairs")
    if why:
        return Fitted(len(fit), len(held), None, None, None, {"pair": why})
    coefficients = {**_fit(x, y), "features": base.pair.get("features", ["cos", "len_dev", "major_flag"]),
                    "encoder": encoder.signature}
    hx, hy = table(held)
    labels = [bool(v) for v in hy]

    def scores(c):
        return [logistic(c["weights"], c["intercept"], list(row)) for row in hx]

    return Fitted(len(fit), len(held), measure(scores(base.pair), labels), measure(scores(coefficients), labels),
                  coefficients, {})


def refit(paths: list[str], base_path: str | None = None, holdout: float = HOLDOUT, seed: int = 0,
          encoder=None) -> Refit:
    """Refit the link score (and the pair score when `encoder`, the one that made the files, is given)."""
    from align.score.linkscore import load_calibration

    if not 0 < holdout < 1:
        raise AlignError(f"--holdout must be between 0 and 1, not {holdout}")
    judged = [examples(p) for p in paths]
    encoders = {j.encoder for j in judged}
    links = [e for j in judged for e in j.links]
    if len(links) < MIN_LINKS:
        raise AlignError(f"{len(links)} reviewed links (approved, rejected or replaced by a correction): at least "
                         f"{MIN_LINKS} are needed to refit the scores; fewer would fit noise. Review more links")
    if len(encoders) > 1:
        raise AlignError(f"the files were aligned with different encoders ({', '.join(sorted(encoders))}): a score "
                         "is calibrated for one; calibrate each encoder's files apart")
    made_by = encoders.pop()
    base = load_calibration(base_path)
    link = refit_links(*split(links, holdout, seed), base)
    pairs = [e for j in judged for e in j.pairs]
    if encoder is None:
        pair = Fitted(0, 0, None, None, None, {"pair": "no --encoder given: kept as it was"})
    elif encoder.signature != made_by:
        pair = Fitted(0, 0, None, None, None, {"pair": f"the files were aligned with {made_by}, --encoder is "
                                                       f"{encoder.signature}: kept as it was"})
    else:
        pair = refit_pairs(*split(pairs, holdout, seed), base, encoder)
    link = _unless_no_better(link, {k: base.link[k] for k in ("both", "one")})
    pair = _unless_no_better(pair, None)
    return Refit(len(links), sum(not e.correct for e in links), link, pair, made_by,
                 sorted({os.path.basename(p) for p in paths}))


def _unless_no_better(f: Fitted, old: dict | None) -> Fitted:
    """A refit that ranks the held-out examples no better than the old coefficients is not kept."""
    if f.before is None or f.after is None or f.before.auc is None or f.after.auc is None:
        return f
    if f.after.auc > f.before.auc:
        return f
    why = (f"the refit ranked the held-out examples no better (ROC AUC {f.before.auc:.3f} -> {f.after.auc:.3f}): "
           "kept as it was")
    return Fitted(f.fitted, f.held_out, f.before, f.after, old, {**f.kept, "all": why})


def write(result: Refit, path: str) -> None:
    """The calibration file: the refitted models, the others as in the built-in calibration."""
    from align.score.fit import write_calibration

    def sets(f: Fitted) -> dict:
        after = f.after
        return {"held-out reviewed links": {"roc_auc": _r(after.auc) if after else None,
                                            "precision_at_0.5": _r(after.precision) if after else None,
                                            "share_at_0.5": _r(after.share) if after else None}}

    link = None
    if "all" not in result.link.kept:
        link = {**(result.link.coefficients or {}), "encoder": result.encoder, "fitted_on": result.files,
                "sets": sets(result.link)}
    pair = None
    if result.pair.coefficients is not None and "all" not in result.pair.kept:
        pair = {**result.pair.coefficients, "fitted_on": result.files, "sets": sets(result.pair)}
    write_calibration(path, pair=pair, link=link)


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
