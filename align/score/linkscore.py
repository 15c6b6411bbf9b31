"""The score of every link `align pair` makes and of every pair `align score` re-scores, at run time.

Small logistic models whose coefficients are a JSON resource: align/score/coefficients.json (fitted on the open
benchmark sets by scripts/calibrate.py), or a file of the same shape given with ``--calibration`` (what a refit on
reviewed links writes). Fitting lives in align.score.fit; this module only reads coefficients and applies them.

Link score: for a link with text on both sides, the confidence that the link is exactly right; for a 1-0 / 0-1
link, the confidence that the segment really has no counterpart. Calibrated so that links scoring >= 0.5 were
correct >= 95% of the time on each open set (README, "Scores and translation QA").
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, Sequence

from align.errors import AlignError
from align.text import to_ascii_digits

DEFAULT_PATH = os.path.join(os.path.dirname(__file__), "coefficients.json")
LINK_FEATURES = {"both": ["sim", "extra_segments", "digits_differ", "margin"], "one": ["sim", "log_chars", "margin"]}
_DIGITS = re.compile(r"\d+")


class LinkLike(Protocol):
    """What a link score reads: align.links.Link has it, so does any row with these fields."""

    @property
    def src_ids(self) -> Sequence[int]: ...
    @property
    def tgt_ids(self) -> Sequence[int]: ...
    @property
    def src(self) -> str: ...
    @property
    def tgt(self) -> str: ...
    @property
    def sim(self) -> float | None: ...
    @property
    def margin(self) -> float | None: ...


@dataclass(frozen=True)
class Calibration:
    """Coefficients of the link model ("both", "one") and of the pair model; `name` is "default" or the first
    12 hex digits of the file's SHA-256, which the signature carries so results say which calibration made them."""

    link: dict
    pair: dict
    name: str = "default"

    @property
    def signature(self) -> str:
        return "" if self.name == "default" else f"cal:{self.name}"


@lru_cache(maxsize=8)
def load_calibration(path: str | None = None) -> Calibration:
    """The default coefficients, or those of a calibration file (one the fit wrote: JSON with "link" and "pair")."""
    try:
        with open(path or DEFAULT_PATH, "rb") as f:
            raw = f.read()
        data = json.loads(raw)
    except OSError as e:
        raise AlignError(f"{path}: cannot read calibration ({e.strerror})") from None
    except ValueError as e:
        raise AlignError(f"{path}: not a calibration file (bad JSON: {e})") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), dict) for k in ("link", "pair")) or \
            not all(isinstance(data["link"].get(k), dict) for k in LINK_FEATURES):
        raise AlignError(f"{path}: not a calibration file (needs \"link\" with \"both\"/\"one\" and \"pair\")")
    name = "default" if path is None else hashlib.sha256(raw).hexdigest()[:12]
    return Calibration(data["link"], data["pair"], name)


def logistic(weights: list[float], intercept: float, x: list[float]) -> float:
    z = intercept + sum(w * v for w, v in zip(weights, x))
    return 1 / (1 + math.exp(-min(max(z, -700.0), 700.0)))


def _digits(text: str) -> set[str]:
    return set(_DIGITS.findall(to_ascii_digits(text)))


def link_features(link: LinkLike) -> tuple[str, list[float]]:
    """("both", features) for a link with text on both sides, ("one", features) for a 1-0 / 0-1 link.

    both: the similarity; how many segments beyond 1-1 it joins (merges are wrong more often); whether a number
    is written in digits on one side only (a merge that swallowed an untranslated segment often shows it).
    one: the similarity of the unlinked segment to its closest counterpart (high = probably not omitted); the
    log of its length (a long segment that matches nothing is more surely omitted than a short heading).
    Both: the aligner's margin for the link (align.core.dp.link_margins).
    """
    sim = link.sim if link.sim is not None else 0.0   # None: the other side was empty, nothing to compare with
    # the aligner's margin: how much worse its best alignment without this link was (capped: beyond 2 it is
    # simply sure); None (a link no DP chose, e.g. re-scored pairs) is no evidence either way
    margin = min(link.margin, 2.0) if link.margin is not None else 0.0
    if link.src_ids and link.tgt_ids:
        return "both", [sim, len(link.src_ids) + len(link.tgt_ids) - 2,
                        float(_digits(link.src) != _digits(link.tgt)), margin]
    return "one", [sim, math.log(1 + len(link.src or link.tgt)), margin]


def link_score(link: LinkLike, calibration: Calibration | None = None) -> float:
    """Confidence in [0, 1] that the link is correct; for a 1-0 / 0-1 link, that the segment really is omitted
    (or added)."""
    kind, x = link_features(link)
    c = (calibration or load_calibration()).link[kind]
    return logistic(c["weights"], c["intercept"], x)
