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

from align.links import Alignment, Link
from align.score.flags import SEVERITIES

CONFIDENT = 0.5
VERDICTS = ((0.9, "good"), (0.7, "usable"), (0.4, "doubtful"), (0.0, "poor"))


def finest_links(alignment: Alignment) -> list[Link]:
    return alignment.at("sentence") or alignment.links


def order_breaks(links: list[Link]) -> int:
    """How many times the target goes backwards while the source goes forwards."""
    paired = sorted((min(l.src_ids), min(l.tgt_ids), max(l.tgt_ids)) for l in links if l.src_ids and l.tgt_ids)
    breaks, furthest = 0, -1
    for _, first_tgt, last_tgt in paired:
        if first_tgt <= furthest:
            breaks += 1
        furthest = max(furthest, last_tgt)
    return breaks


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def document_quality(alignment: Alignment) -> dict:
    links = finest_links(alignment)
    size = {id(l): len(l.src) + len(l.tgt) for l in links}
    total = sum(size.values())
    paired = [l for l in links if l.src_ids and l.tgt_ids]
    omitted = [l for l in links if l.src_ids and not l.tgt_ids]
    added = [l for l in links if l.tgt_ids and not l.src_ids]
    confident = sum(size[id(l)] for l in paired if l.score >= CONFIDENT)
    confident_share = confident / total if total else 0.0
    breaks = order_breaks(links)
    score = confident_share * (1 - breaks / len(links)) if links else 0.0
    verdict = next(word for floor, word in VERDICTS if score >= floor)
    facts = [f"{confident_share:.0%} of the text in confident links"]
    if omitted or added:
        facts.append(f"{len(omitted)} omitted and {len(added)} added segments")
    if breaks:
        facts.append(_plural(breaks, "order break"))
    flags = {sev: sum(f["severity"] == sev for l in links for f in l.flags) for sev in SEVERITIES}
    return {
        "score": round(score, 4),
        "verdict": f"{verdict}: " + ", ".join(facts),
        "level": links[0].level if links else None,
        "links": len(links),
        "confident_share": round(confident_share, 4),
        "omitted": len(omitted),
        "added": len(added),
        "omitted_share": round(sum(size[id(l)] for l in omitted + added) / total, 4) if total else 0.0,
        "order_breaks": breaks,
        "flags": flags,
    }
