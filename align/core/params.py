"""The aligner's settings: a frozen dataclass that needs no numpy or numba, so the CLI and configs import it
cheaply. Every field is part of the signature (``short()``), under the short name in its metadata."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

from align.errors import AlignError


def _p(default, sig: str, help: str, low: float, high: float):
    return field(default=default, metadata={"sig": sig, "help": help, "range": (low, high)})


@dataclass(frozen=True)
class Params:
    max_block: int = _p(8, "k", "most segments on one side of a link (more than 4 only where a document calls for "
                                "long links: align.core.aligner.block_limits)", 1, 16)
    max_link: int = _p(10, "n", "most segments in a link, both sides together (10: up to 1-8, 2-8, 8-2; links of more "
                                "than 5 have 1 or 2 segments on one side)", 2, 32)
    skip: float = _p(0.3, "skip", "a 1-0 or 0-1 link costs this times the spread of the document's link "
                                  "similarities", 0.0, 100.0)
    neighbour: float = _p(0.1, "nb", "weight of the local margin (similarity to the segments next to the link)",
                          0.0, 10.0)
    length: float = _p(0.35, "len", "weight of length agreement", 0.0, 1.0)
    # Two sentences translated as two sentences are mostly two 1-1 links; where the encoder cannot tell neighbours
    # apart (vowelled classical verses: 60 wrong 2-2 links on the Quran dev set, none right), a 2-2 link reads as well
    # as the pair of 1-1 links. 0.05 (of a typical good link's gain): the Quran 0.962 -> 0.968, ntrex-ar-en
    # 0.9795 -> 0.9821, unpc-ar-en 0.9940 -> 0.9943, textberg-de-fr (12 real 2-2 links) 0.9201 -> 0.9202; 0.15 cost
    # textberg 0.007 (scripts/bench.py ../shared/bench --dev build/dev, 2026-12-02).
    square: float = _p(0.05, "sq", "gain taken from a 2-2 link, which two 1-1 links usually read better", 0.0, 10.0)
    slack: float = _p(0.15, "slack", "re-encode merges on paths within this gain of the best", 0.0, 10.0)
    optimism: float = _p(0.15, "opt", "similarity added to a block until it is encoded for real", 0.0, 10.0)
    width: int = _p(12, "w", "band half-width (segments) around the coarse path for long documents", 1, 10_000)
    rounds: int = _p(4, "r", "most re-encoding rounds", 1, 100)

    def __post_init__(self):
        for f in fields(self):
            v = getattr(self, f.name)
            low, high = f.metadata["range"]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or (f.type == "int" and not isinstance(v, int)):
                raise AlignError(f"aligner setting {f.name} must be a number, not {v!r}")
            if not math.isfinite(v) or not low <= v <= high:
                raise AlignError(f"aligner setting {f.name} must lie in [{low}, {high}], not {v}")

    def short(self) -> str:
        """The signature part, e.g. ``k.4+n.5+skip.0.3+nb.0.1+len.0.35+sq.0.05+slack.0.15+opt.0.15+w.12+r.4``."""
        return "+".join(f"{f.metadata['sig']}.{getattr(self, f.name)}" for f in fields(self))
