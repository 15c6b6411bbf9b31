"""Document quality: how much of a document pair can be trusted, as one number and a short verdict.

``document_quality(alignment)`` looks at the finest level the alignment has (sentence links if there are any,
otherwise paragraph links) and measures:

- **confident share**: the share of the document's text (characters, source and target together) that lies in
  links scoring at least 0.5, omitted and added segments (1-0 / 0-1 links) excluded. Link scores are calibrated
  so that a link at 0.5 or above is correct at least 95% of the time, so this is the share of text whose
  translation can be found with confidence.
- **omissions**: the 1-0 links (source text with no translation) and 0-1 links (target text with no source),
  counted and as a share of the text.
- **order breaks**: places where, reading the source in order, the target goes back to an earlier segment (a
  moved or duplicated passage; an aligner that only links in order never produces them, re-scored pairs can).
- **flags**: the QA flags on the links, counted by severity (reported, not part of the score).

The score is ``confident_share * (1 - order_breaks / links)``, in [0, 1]. The verdict reads it:
``good`` (>= 0.9), ``usable`` (>= 0.7), ``doubtful`` (>= 0.4), ``poor`` (below), followed by the
facts behind it, e.g. ``"usable: 82% of the text in confident links, 3 omitted and 1 added segments"``.
"""

from __future__ import annotations

from array import array

import numpy as np

from align.links import Alignment, Link
from align.score.flags import SEVERITIES

CONFIDENT = 0.5
VERDICTS = ((0.9, "good"), (0.7, "usable"), (0.4, "doubtful"), (0.0, "poor"))


def finest_links(alignment: Alignment) -> list[Link]:
    return alignment.at("sentence") or alignment.links


def order_breaks(links: list[Link]) -> int:
    """How many times the target goes backwards while the source goes forwards."""
    tally = QualityTally()
    tally.add(links)
    return tally.order_breaks()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def document_quality(alignment: Alignment) -> dict:
    tally = QualityTally()
    tally.add(finest_links(alignment))
    return tally.result()


class QualityTally:
    """document_quality over links given a chunk at a time (``align pair`` writes a huge document's links as they
    are made instead of holding them all): per link only its size, type, score, flag severities and the three
    indices the order check needs, in flat arrays (24 bytes a link)."""

    def __init__(self) -> None:
        self.links = 0
        self.level: str | None = None
        self.total = self.confident = self.unpaired_size = 0
        self.omitted = self.added = 0
        self.flags = dict.fromkeys(SEVERITIES, 0)
        self._order = (array("q"), array("q"), array("q"))  # first source, first target, last target of pairs

    def add(self, links: list[Link]) -> None:
        for l in links:
            if self.level is None:
                self.level = l.level
            self.links += 1
            size = len(l.src) + len(l.tgt)
            self.total += size
            if l.src_ids and l.tgt_ids:
                self.confident += size if l.score >= CONFIDENT else 0
                for column, value in zip(self._order, (min(l.src_ids), min(l.tgt_ids), max(l.tgt_ids))):
                    column.append(value)
            elif l.src_ids or l.tgt_ids:
                self.omitted += bool(l.src_ids)
                self.added += bool(l.tgt_ids)
                self.unpaired_size += size
            for f in l.flags:
                self.flags[f["severity"]] += 1

    def order_breaks(self) -> int:
        """Reading the pairs in source order (ties by target), how often a pair starts at or before the furthest
        target an earlier pair reached."""
        first_src, first_tgt, last_tgt = (np.frombuffer(c, dtype=np.int64) for c in self._order)
        if not len(first_src):
            return 0
        order = np.lexsort((last_tgt, first_tgt, first_src))
        first_tgt, last_tgt = first_tgt[order], last_tgt[order]
        furthest = np.maximum.accumulate(np.concatenate(([-1], last_tgt[:-1])))
        return int(np.count_nonzero(first_tgt <= furthest))

    def result(self) -> dict:
        confident_share = self.confident / self.total if self.total else 0.0
        breaks = self.order_breaks()
        score = confident_share * (1 - breaks / self.links) if self.links else 0.0
        verdict = next(word for floor, word in VERDICTS if score >= floor)
        facts = [f"{confident_share:.0%} of the text in confident links"]
        if self.omitted or self.added:
            facts.append(f"{self.omitted} omitted and {self.added} added segments")
        if breaks:
            facts.append(_plural(breaks, "order break"))
        return {
            "score": round(score, 4),
            "verdict": f"{verdict}: " + ", ".join(facts),
            "level": self.level,
            "links": self.links,
            "confident_share": round(confident_share, 4),
            "omitted": self.omitted,
            "added": self.added,
            "omitted_share": round(self.unpaired_size / self.total, 4) if self.total else 0.0,
            "order_breaks": breaks,
            "flags": dict(self.flags),
        }
