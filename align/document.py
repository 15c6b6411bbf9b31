"""What a read file becomes: a document of paragraphs, each later split into sentences."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Paragraph:
    text: str
    # UN structure label ("header", "symbol", "title", "numbered", "item", "signature", "body", ...)
    # set by align.structure when it recognises one; None when nothing is known.
    label: str | None = None
    # Paragraph number as written ("12", "(a)", "١٢"), normalised to ASCII digits where numeric.
    number: str | None = None
    sentences: list[str] = field(default_factory=list)


@dataclass
class Document:
    paragraphs: list[Paragraph]
    lang: str
    path: str | None = None
    # True when the input was one segment per line, taken as is (no paragraph level).
    segmented: bool = False

    @property
    def sentences(self) -> list[str]:
        return [s for p in self.paragraphs for s in (p.sentences or [p.text])]
