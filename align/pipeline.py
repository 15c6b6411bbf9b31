"""From two documents to an Alignment: paragraphs first, then sentences inside each aligned paragraph group.

    read -> segment -> encode -> align (paragraphs, then sentences) -> score -> Alignment
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from align import __version__
from align.ahead import encode_ahead
from align.core.aligner import Bead, align_segments
from align.core.params import Params
from align.document import Document
from align.encode import get_encoder
from align.encode.base import writes_batched
from align.links import Alignment, Link
from align.score.checks import flag_links
from align.score.linkscore import Calibration, link_score, load_calibration
from align.score.quality import QualityTally
from align.structure import paragraph_key
from align.text import anchor_keys

SEGMENTER = "rules-2"  # rules-2: Arabic verse numbers, Quranic quotations, long chained sentences


def signature(encoder, params: Params, segmented: bool, calibration: Calibration | None = None) -> str:
    """A reproducible description of how links were made, sacreBLEU-style (a non-default calibration adds
    ``|cal:<hash>``)."""
    mode = "segmented" if segmented else "hier"
    seg = "lines" if segmented else SEGMENTER
    sig = f"align:{__version__}|enc:{encoder.signature}|seg:{seg}|mode:{mode}|{params.short()}"
    return sig + (f"|{calibration.signature}" if calibration and calibration.signature else "")


SEVERAL = -1


def paragraph_anchors(src: Document, tgt: Document) -> list[tuple[int, int]]:
    """Cut points for the paragraph alignment: paragraphs that carry the same paragraph number, numbered
    heading, UN document symbol or distinctive number, found exactly once on each side, kept where they agree
    in order.

    A long UN document then cannot drift: whatever happens between two numbered paragraphs stays there.
    """

    def keys(doc: Document) -> dict[str, int]:
        """Each key's paragraph, or SEVERAL when more than one paragraph has it (an int, not a list, per key:
        200,000 numbered paragraphs a side: 52 instead of 91 MB)."""
        found: dict[str, int] = {}
        for k, p in enumerate(doc.paragraphs):
            ks = {x for x in anchor_keys(p.text) if x.startswith("sym:") or _distinctive(x)}
            if p.number and p.label == "numbered":
                ks.add("para:" + (paragraph_key(p.number) or p.number))
            if p.label == "heading":  # "Article 12" / "المادة 12", "Chapter IV" / "الفصل الرابع"
                nums = [x for x in anchor_keys(p.text) if not x.startswith("sym:")]
                if len(nums) == 1:
                    ks.add("head:" + nums[0])
            for x in ks:
                found[x] = k if x not in found else SEVERAL
        return found

    ks, kt = keys(src), keys(tgt)
    pairs = sorted({(ks[x], kt[x]) for x in ks.keys() & kt.keys() if ks[x] != SEVERAL != kt[x]})
    return _increasing_chain(pairs)


def _distinctive(key: str) -> bool:
    """A number worth anchoring on: 4+ digits and not a year (years recur all over UN text)."""
    digits = key.split(".")[0].lstrip("-")
    return digits.isdigit() and len(digits) >= 4 and not 1900 <= int(digits) <= 2100


def _increasing_chain(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest chain of pairs increasing in both coordinates (pairs sorted by the first); of equally long
    chains, the one ending first, each link's predecessor the first possible. O(n log n): a Fenwick tree over
    the second coordinate keeps, per prefix, the best (length, -position) of chains ending there. (Hand-written:
    the quadratic version took 4.1 s for 8,000 anchors and 12 minutes did not finish 200,000 numbered lines.)"""
    js = sorted({j for _, j in pairs})
    rank = {j: r + 1 for r, j in enumerate(js)}
    tree = [(0, 0)] * (len(js) + 1)  # (chain length, -(position + 1)) of the best chain ending at j <= index
    length, parent = [0] * len(pairs), [-1] * len(pairs)
    start = 0
    while start < len(pairs):  # a group of pairs sharing i: none may precede another of the group
        end = start
        while end < len(pairs) and pairs[end][0] == pairs[start][0]:
            end += 1
        for p in range(start, end):
            r, best = rank[pairs[p][1]] - 1, (0, 0)  # best chain ending at a j strictly below
            while r > 0:
                best, r = max(best, tree[r]), r - (r & -r)
            length[p], parent[p] = best[0] + 1, -best[1] - 1
        for p in range(start, end):
            r, key = rank[pairs[p][1]], (length[p], -(p + 1))
            while r <= len(js):
                tree[r], r = max(tree[r], key), r + (r & -r)
        start = end
    if not pairs:
        return []
    p = max(range(len(pairs)), key=lambda q: (length[q], -q))
    chain = []
    while p >= 0:
        chain.append(pairs[p])
        p = parent[p]
    return chain[::-1]


@dataclass(frozen=True)
class _Texts:
    """The segments a bead's indices point into, and the calibration that scores the finished links."""

    src: list[str]
    tgt: list[str]
    calibration: Calibration

    def link(self, bead: Bead, level: str, paragraph: int | None = None, labels: dict | None = None) -> Link:
        """The final Link of a bead, built once: text and calibrated score (QA flags: align_documents sets those
        of all links at once)."""
        link = Link(list(bead.src_ids), list(bead.tgt_ids), 0.0, level=level,
                    src=" ".join(self.src[i] for i in bead.src_ids), tgt=" ".join(self.tgt[j] for j in bead.tgt_ids),
                    paragraph=paragraph, sim=bead.sim, margin=bead.margin, labels=labels or {})
        # calibrated; for a 1-0 / 0-1 link: the confidence that it really is an omission
        link.score = link_score(link, self.calibration)
        return link


# Links are made, flagged and handed on this many at a time (the language check's batch): a caller that writes
# them as they come (`align pair`) never holds a huge document's links. 200,000 raw lines a side held 600,000
# sentence links and their flags: 1.54 GB peak, 0.58 GB of it links and flags.
CHUNK = 4096


def _sentence_links(src: Document, tgt: Document, para_beads: list[Bead], encoder, params: Params,
                    texts: _Texts) -> Iterator[list[Link]]:
    """Align sentences inside each paragraph link; indices are global sentence indices. Chunks of about CHUNK
    links, in order."""
    s_off = np.cumsum([0] + [len(p.sentences) for p in src.paragraphs])
    t_off = np.cumsum([0] + [len(p.sentences) for p in tgt.paragraphs])
    out: list[Link] = []
    for k, pl in enumerate(para_beads):
        s_ids = [i for p in pl.src_ids for i in range(s_off[p], s_off[p + 1])]
        t_ids = [j for p in pl.tgt_ids for j in range(t_off[p], t_off[p + 1])]
        if not s_ids or not t_ids:  # an omitted paragraph's sentences share its evidence
            beads = [Bead((i,), (), pl.sim, pl.margin) for i in s_ids]
            beads += [Bead((), (j,), pl.sim, pl.margin) for j in t_ids]
        elif len(s_ids) == 1 and len(t_ids) == 1:  # a paragraph of one sentence on each side is that link
            beads = [Bead((s_ids[0],), (t_ids[0],), pl.sim, pl.margin)]
        else:
            found = align_segments([texts.src[i] for i in s_ids], [texts.tgt[j] for j in t_ids], encoder, params)
            beads = [Bead(tuple(s_ids[i] for i in b.src_ids), tuple(t_ids[j] for j in b.tgt_ids), b.sim, b.margin)
                     for b in found]
        out += [texts.link(b, "sentence", paragraph=k) for b in beads]
        if len(out) >= CHUNK:
            yield out
            out = []
    if out:
        yield out


def align_documents(src: Document, tgt: Document, encoder=None, params: Params | None = None,
                    calibration: Calibration | None = None, sink: Callable[[list[Link]], None] | None = None
                    ) -> Alignment:
    """Align, score and flag. sink: called with each chunk of finished links, in output order (paragraph links,
    then sentence links), which the returned Alignment then does not hold: its links stay empty, its quality is
    the whole document's. `align pair` writes a huge document that way."""
    encoder = encoder or get_encoder("use")
    params = params or Params()
    calibration = calibration or load_calibration()
    segmented = src.segmented and tgt.segmented
    al = Alignment([], signature(encoder, params, segmented, calibration), src.lang, tgt.lang, src.path, tgt.path)
    tally = {"paragraph": QualityTally(), "sentence": QualityTally()}
    with writes_batched(encoder):  # the document's new vectors go into the disk cache in one transaction
        for chunk in _link_chunks(src, tgt, segmented, encoder, params, calibration):
            # a chunk's links together: the language check identifies all their segments in one pass (3x cheaper
            # than link by link: 0.25 vs 0.75 s of CPU on unpc-ar-en)
            flag_links(chunk, src.lang, tgt.lang)
            tally[chunk[0].level].add(chunk)
            if sink:
                sink(chunk)
            else:
                al.links += chunk
    al.quality = (tally["sentence"] if tally["sentence"].links else tally["paragraph"]).result()
    return al


def _link_chunks(src: Document, tgt: Document, segmented: bool, encoder, params: Params, calibration: Calibration
                 ) -> Iterator[list[Link]]:
    """The links of a document pair in output order, unflagged, a chunk (one level) at a time."""
    sentences = _Texts(src.sentences, tgt.sentences, calibration)
    if segmented:
        beads = align_segments(sentences.src, sentences.tgt, encoder, params)
        for start in range(0, len(beads), CHUNK):
            yield [sentences.link(b, "sentence") for b in beads[start:start + CHUNK]]
        return
    paragraphs = _Texts([p.text for p in src.paragraphs], [p.text for p in tgt.paragraphs], calibration)
    beads = align_segments(paragraphs.src, paragraphs.tgt, encoder, params, anchors=paragraph_anchors(src, tgt))
    for start in range(0, len(beads), CHUNK):
        yield [paragraphs.link(b, "paragraph", labels=_labels(src, tgt, b)) for b in beads[start:start + CHUNK]]
    yield from _sentence_links(src, tgt, beads, encoder, params, sentences)


def _labels(src: Document, tgt: Document, bead: Bead) -> dict[str, list[str | None]]:
    """The UN structure labels of a paragraph link's paragraphs, one per paragraph (empty when none is known)."""
    labels = {"src": [src.paragraphs[i].label for i in bead.src_ids],
              "tgt": [tgt.paragraphs[j].label for j in bead.tgt_ids]}
    return labels if any(labels["src"]) or any(labels["tgt"]) else {}


def align_files(src_path: str, tgt_path: str, src_lang: str, tgt_lang: str, segmented: bool = False,
                encoder=None, params: Params | None = None, warn=None,
                calibration: Calibration | None = None, docs: tuple[Document, Document] | None = None,
                sink: Callable[[list[Link]], None] | None = None) -> Alignment:
    """Read, align, score. `warn(message)` hears about a file that seems to be in another language. docs: the two
    documents, already read (align.folders reads the next pair ahead). sink: as in align_documents."""
    from align.io import read_document
    from align.score.language import document_check

    if docs:
        src, tgt = docs
    else:
        src = read_document(src_path, src_lang, segmented=segmented)
        tgt = read_document(tgt_path, tgt_lang, segmented=segmented)
        encode_ahead(encoder, src, tgt)  # while the language check runs
    if warn:
        for flag in document_check(src, tgt):
            warn(f"{flag['message']} (check the file and --src-lang/--tgt-lang)")
    return align_documents(src, tgt, encoder, params, calibration, sink)
