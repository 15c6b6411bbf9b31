"""The work on one multi-language document (a manifest row ``doc_id,en,ar,fr,...``), the same wherever it runs.

Every language is read and encoded once (one ``Memo`` per document, shared by all pairs). The pivot pairs are
aligned and scored as a pair corpus aligns them (``align_documents``: links, scores, QA flags), one per pair
config; their sentence links and the other pairs' alignments give the multi-way rows (``align.multiway``).
``align_multi_doc`` never raises for a bad input (a language file missing, empty or in another language): it
returns a failure with the reason, as ``align.corpus.task.align_doc`` does for a pair.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass

from align.corpus.config import Doc, pair_name, pivot_pairs
from align.core.params import Params
from align.errors import AlignError

LANGUAGE_SAMPLE = 20_000  # characters per side looked at by the wrong-language check, as for a pair


@dataclass(frozen=True)
class MultiJob:
    """Everything besides the document that shapes its rows (small and picklable: sent with every task)."""

    languages: tuple[str, ...]   # the pivot first
    encoder: str = "use"
    cache: bool = False
    params: Params = Params()


def align_multi_doc(doc: Doc, job: MultiJob, encoder) -> dict:
    """{"doc_id", "ok": True, "part": {...}, "links": n} or {"doc_id", "ok": False, "reason"}; plus the worker's
    pid, peak memory and encoder id, for reports. The part holds each pair config's links and the rows."""
    from align.encode import Memo
    from align.io import read_document
    from align.multiway import align_multiway
    from align.pipeline import align_documents

    try:
        paths = dict(doc.paths)
        docs = {}
        for lang in job.languages:
            if not os.path.isfile(paths[lang]):
                raise AlignError(f"{lang} {paths[lang]}: no such file")
            docs[lang] = read_document(paths[lang], lang, segmented=doc.segmented)
            if not any(s.strip() for s in docs[lang].sentences):
                raise AlignError(f"{lang} {paths[lang]} has no text")
        memo = Memo(encoder)
        pairs = {}
        for a, b in pivot_pairs(job.languages):
            _check_languages(docs[a], docs[b])
            pairs[(a, b)] = align_documents(docs[a], docs[b], memo, job.params)
        links = {ab: [(l.src_ids, l.tgt_ids) for l in al.at("sentence")] for ab, al in pairs.items()}
        rows = align_multiway({lang: d.sentences for lang, d in docs.items()}, memo, job.params,
                              pivot=job.languages[0], links=links)
    except AlignError as e:
        return _with_worker({"doc_id": doc.doc_id, "ok": False, "reason": str(e)}, encoder)
    first = next(iter(pairs.values()))
    part: dict = {
        "doc_id": doc.doc_id,
        "signature": f"{first.signature}|multiway:pivot.{job.languages[0]}",
        "pairs": {pair_name(a, b): {"signature": al.signature, "quality": al.quality,
                                    "links": [l.as_dict() for l in al.links]} for (a, b), al in pairs.items()},
        "rows": [{"ids": {lang: list(ids) for lang, ids in r.ids.items()}, "score": round(r.score, 4),
                  "translation": {lang: " ".join(docs[lang].sentences[i] for i in ids)
                                  for lang, ids in r.ids.items()}}
                 for r in rows],
    }
    n = sum(len(p["links"]) for p in part["pairs"].values()) + len(part["rows"])
    return _with_worker({"doc_id": doc.doc_id, "ok": True, "part": part, "links": n}, encoder)


def _check_languages(src, tgt) -> None:
    """A language file mostly in another language (a wrong file in the manifest) is a failure, not rows."""
    from align.score.language import document_check

    flags = document_check(src, tgt, LANGUAGE_SAMPLE)
    if flags:
        raise AlignError(f"wrong language: {flags[0]['message']}")


def _with_worker(result: dict, encoder) -> dict:
    return {**result, "pid": os.getpid(), "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "encoder_id": id(encoder)}
