"""The result of aligning: links between source and target segments."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Link:
    src_ids: list[int]          # indices into the source segments of this level
    tgt_ids: list[int]          # indices into the target segments of this level
    score: float                # confidence in [0, 1]; 1-0 / 0-1 links carry the confidence that it *is* an omission
    level: str = "sentence"     # "sentence" or "paragraph"
    src: str = ""               # the linked source text (segments joined by a space)
    tgt: str = ""
    paragraph: int | None = None   # for sentence links: index of the paragraph link they lie in
    # similarity on the document's own scale (0 = an unrelated pair, 1 = a typical good link); for a 1-0 / 0-1
    # link, that of the unlinked segment to its closest counterpart nearby
    sim: float | None = None
    # how much worse the best alignment without this link is (on the same scale): small = a close call
    margin: float | None = None
    flags: list[dict] = field(default_factory=list)  # QA flags {check, severity, message}
    # UN structure labels of a paragraph link, one per paragraph: {"src": ["numbered"], "tgt": ["numbered"]}
    labels: dict[str, list[str | None]] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return f"{len(self.src_ids)}-{len(self.tgt_ids)}"

    def as_dict(self) -> dict:
        d = {
            "src": self.src,
            "tgt": self.tgt,
            "src_ids": self.src_ids,
            "tgt_ids": self.tgt_ids,
            "type": self.type,
            "level": self.level,
            "score": round(float(self.score), 4),
        }
        if self.paragraph is not None:
            d["paragraph"] = self.paragraph
        # the aligner's evidence, which the link score reads: kept so a reviewed file can refit the score
        # (align calibrate); absent for links no aligner made
        if self.sim is not None:
            d["sim"] = round(float(self.sim), 4)
        if self.margin is not None:
            d["margin"] = round(float(self.margin), 4)
        if self.labels:
            d["labels"] = self.labels
        d["flags"] = self.flags
        return d


@dataclass
class Alignment:
    """All links of one document pair, plus how they were made."""

    links: list[Link]
    signature: str
    src_lang: str
    tgt_lang: str
    src_path: str | None = None
    tgt_path: str | None = None
    quality: dict = field(default_factory=dict)   # document score and verdict (align.score)

    def at(self, level: str) -> list[Link]:
        return [l for l in self.links if l.level == level]
