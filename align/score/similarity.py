"""Scores for pairs re-scored by `align score`: encoder cosine (plus length ratio and QA flags) -> [0, 1].

The mapping is a logistic regression whose coefficients are the "pair" part of a calibration
(align.score.linkscore; fitted by align.score.fit on the open benchmark sets' gold pairs against wrong pairs), so
that a score of 0.5 or more means a correct translation pair far more often than not.
"""

from __future__ import annotations

import math

import numpy as np

from align.score.flags import RANK
from align.score.length import usual_ratio
from align.score.linkscore import Calibration, load_calibration, logistic


def cosines(encoder, srcs: list[str], tgts: list[str]) -> list[float | None]:
    """Cosine of each pair (vectors are L2-normalised); None where a side is empty."""
    keep = [i for i, (s, t) in enumerate(zip(srcs, tgts)) if s.strip() and t.strip()]
    out: list[float | None] = [None] * len(srcs)
    if keep:
        a = encoder.encode([srcs[i] for i in keep])
        b = encoder.encode([tgts[i] for i in keep])
        for i, c in zip(keep, np.sum(a * b, axis=1)):
            out[i] = float(c)
    return out


def length_deviation(src: str, tgt: str, src_lang: str, tgt_lang: str) -> float:
    """|log| of the length ratio relative to the usual one for the pair: 0 = usual, 0.69 = twice off."""
    ls, lt = max(len(src.strip()), 1), max(len(tgt.strip()), 1)
    return abs(math.log(lt / ls / usual_ratio(src_lang, tgt_lang)))


def features(cos: float, src: str, tgt: str, src_lang: str, tgt_lang: str, flags: list[dict]) -> list[float]:
    major = any(RANK[f["severity"]] <= RANK["major"] for f in flags)
    return [cos, length_deviation(src, tgt, src_lang, tgt_lang), float(major)]


def pair_score(cos: float, src: str, tgt: str, src_lang: str, tgt_lang: str, flags: list[dict],
               calibration: Calibration | None = None) -> float:
    c = (calibration or load_calibration()).pair
    return logistic(c["weights"], c["intercept"], features(cos, src, tgt, src_lang, tgt_lang, flags))
