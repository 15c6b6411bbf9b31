"""From two documents to an Alignment: paragraphs first, then sentences inside each aligned paragraph group.

    read -> segment -> encode -> align (paragraphs, then sentences) -> score -> Alignment
"""

from __future__ import annotations

import numpy as np

from align import __version__
from align.core.aligner import align_segments
from align.core.params import Params
from align.document import Document
from align.encode import get_encoder
from align.links import Alignment, Link
from align.score.calibrate import link_score

SEGMENTER = "rules-1"


def signature(encoder, params: Params, segmented: bool) -> str:
    """A reproducible description of how links were made, sacreBLEU-style."""
    mode = "segmented" if segmented else "hier"
    return f"align:{__version__}|enc:{encoder.signature}|seg:{'lines' if segmented else SEGMENTER}|mode:{mode}|{params.short()}"


def paragraph_anchors(src: Document, tgt: Document) -> list[tuple[int, int]]:
    """Cut points for the paragraph alignment: paragraphs that carry the same paragraph number, numbered
    heading, UN document symbol or distinctive number, found exactly once on each side, kept where they agree
    in order.

    A long UN document then cannot drift: whatever happens between two numbered paragraphs stays there.
    """
    from align.structure import number_key
    from align.text import anchor_keys

    def keys(doc: Document) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for k, p in enumerate(doc.paragraphs):
            ks = {x for x in anchor_keys(p.text) if x.startswith("sym:") or _distinctive(x)}
            if p.number and p.label == "numbered":
                ks.add("para:" + (number_key(p.number) or p.number))
            if p.label == "heading":  # "Article 12" / "المادة 12", "Chapter IV" / "الفصل الرابع"
                nums = [x for x in anchor_keys(p.text) if not x.startswith("sym:")]
                if len(nums) == 1:
                    ks.add("head:" + nums[0])
            for x in ks:
                found.setdefault(x, []).append(k)
        return found

    ks, kt = keys(src), keys(tgt)
    pairs = sorted({(ks[x][0], kt[x][0]) for x in ks.keys() & kt.keys() if len(ks[x]) == 1 == len(kt[x])})
    return _increasing_chain(pairs)


def _distinctive(key: str) -> bool:
    """A number worth anchoring on: 4+ digits and not a year (years recur all over UN text)."""
    digits = key.split(".")[0].lstrip("-")
    return digits.isdigit() and len(digits) >= 4 and not 1900 <= int(digits) <= 2100


def _increasing_chain(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest chain of pairs increasing in both coordinates (pairs sorted by the first)."""
    best: list[list[tuple[int, int]]] = []
    for i, j in pairs:
        options = [c for c in best if c[-1][0] < i and c[-1][1] < j]
        best.append(max(options, key=len, default=[]) + [(i, j)])
    return max(best, key=len, default=[])


def _sentence_links(src: Document, tgt: Document, para_links: list[Link], encoder, params: Params) -> list[Link]:
    """Align sentences inside each paragraph link; indices are global sentence indices."""
    s_off = np.cumsum([0] + [len(p.sentences) for p in src.paragraphs])
    t_off = np.cumsum([0] + [len(p.sentences) for p in tgt.paragraphs])
    s_all, t_all = src.sentences, tgt.sentences
    out = []
    for k, pl in enumerate(para_links):
        s_ids = [i for p in pl.src_ids for i in range(s_off[p], s_off[p + 1])]
        t_ids = [j for p in pl.tgt_ids for j in range(t_off[p], t_off[p + 1])]
        if not s_ids or not t_ids:  # the sentences of an omitted paragraph share its evidence
            out += [Link([i], [], 0.0, src=s_all[i], paragraph=k, sim=pl.sim, margin=pl.margin) for i in s_ids]
            out += [Link([], [j], 0.0, tgt=t_all[j], paragraph=k, sim=pl.sim, margin=pl.margin) for j in t_ids]
            continue
        if len(s_ids) == 1 and len(t_ids) == 1:
            out.append(Link(s_ids, t_ids, 0.0, src=s_all[s_ids[0]], tgt=t_all[t_ids[0]], paragraph=k, sim=pl.sim,
                            margin=pl.margin))
            continue
        for l in align_segments([s_all[i] for i in s_ids], [t_all[j] for j in t_ids], encoder, params):
            out.append(Link([s_ids[i] for i in l.src_ids], [t_ids[j] for j in l.tgt_ids], 0.0,
                            src=l.src, tgt=l.tgt, paragraph=k, sim=l.sim, margin=l.margin))
    return out


def align_documents(src: Document, tgt: Document, encoder=None, params: Params | None = None) -> Alignment:
    encoder = encoder or get_encoder("use")
    params = params or Params()
    segmented = src.segmented and tgt.segmented
    if segmented:
        links = align_segments(src.sentences, tgt.sentences, encoder, params)
        for l in links:
            l.level = "sentence"
    else:
        para_links = align_segments([p.text for p in src.paragraphs], [p.text for p in tgt.paragraphs], encoder,
                                    params, anchors=paragraph_anchors(src, tgt))
        for l in para_links:
            l.level = "paragraph"
            labels = {"src": [src.paragraphs[i].label for i in l.src_ids], "tgt": [tgt.paragraphs[j].label for j in l.tgt_ids]}
            if any(labels["src"]) or any(labels["tgt"]):
                l.labels = labels
        links = para_links + _sentence_links(src, tgt, para_links, encoder, params)
    for l in links:
        l.score = link_score(l)   # calibrated; for a 1-0 / 0-1 link: confidence that it really is an omission
    al = Alignment(links, signature(encoder, params, segmented), src.lang, tgt.lang, src.path, tgt.path)
    _annotate(al)
    return al


def _annotate(al: Alignment) -> None:
    """QA flags on every link (align.score.checks) and the document quality (align.score.quality)."""
    from align import score

    score.flag_alignment(al)
    al.quality = score.document_quality(al)


def align_files(src_path: str, tgt_path: str, src_lang: str, tgt_lang: str, segmented: bool = False,
                encoder=None, params: Params | None = None, warn=None) -> Alignment:
    """Read, align, score. `warn(message)` hears about a file that seems to be in another language."""
    from align.io import read_document
    from align.score.language import document_check

    src = read_document(src_path, src_lang, segmented=segmented)
    tgt = read_document(tgt_path, tgt_lang, segmented=segmented)
    if warn:
        for flag in document_check(src, tgt):
            warn(f"{flag['message']} (check the file and --src-lang/--tgt-lang)")
    return align_documents(src, tgt, encoder, params)
