"""The work on one document pair, the same wherever it runs: in the main process, a local worker process or a
Dask worker. ``align_doc(doc, job, encoder)`` never raises for a bad input: it returns a failure with the reason.
``align_multi_doc`` does the same for one document of a multi-language corpus (``Job.languages``).

Determinism: each document gets a fresh in-memory memo around the encoder, so its vectors depend on nothing but
its own text. (The encoder's vector for a string differs by ~1e-7 with the batch it was encoded in; a memo or
disk cache shared across documents would make a document's scores depend on which documents came before it,
and a re-run or a run with another number of workers would not be byte-identical. That is why the corpus
builder leaves the on-disk vector cache off unless asked.)
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import resource
import signal
from dataclasses import asdict, dataclass

from align import __version__
from align.corpus.config import Doc, pair_name, pivot_pairs
from align.core.params import Params
from align.errors import AlignError

LANGUAGE_SAMPLE = 20_000  # characters per side looked at by the wrong-language check


@dataclass(frozen=True)
class Job:
    """Everything besides the document that shapes its links (small and picklable: sent with every task)."""

    src_lang: str
    tgt_lang: str
    encoder: str = "use"
    cache: bool = False
    params: Params = Params()
    calibration: str | None = None   # a calibration file (align calibrate); None: the built-in coefficients
    languages: tuple[str, ...] = ()   # a multi-language corpus: every language, the pivot first (align_multi_doc)
    every_pair: bool = False          # ... and a pair config for every pair of languages, not just the pivot's


def doc_key(doc: Doc, job: Job) -> str:
    """Identifies a finished result: the inputs (path, size, modification time) and every setting. A re-run
    reuses a document's result only when its key is unchanged."""
    def stat(p):
        try:
            s = os.stat(p)
            return [s.st_size, s.st_mtime_ns]
        except OSError:
            return None

    d = {"v": __version__, "src": doc.src, "tgt": doc.tgt, "src_stat": stat(doc.src), "tgt_stat": stat(doc.tgt),
         "segmented": doc.segmented, "job": asdict(job)}
    if job.calibration:   # the file's content, not only its name
        d["calibration_stat"] = stat(job.calibration)
    if doc.reviewed:      # a review saved again is read again
        d["reviewed"], d["reviewed_stat"] = doc.reviewed, stat(doc.reviewed)
    if doc.refused:  # a result made with --allow-outside is not reused without it
        d["refused"] = doc.refused
    if doc.paths:  # a multi-language document: every language's file
        d["paths"] = [[lang, p, stat(p)] for lang, p in doc.paths]
    return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]


def load_encoder(job: Job, threads: int | None = None):
    """The encoder without a memo (align_doc adds one per document); the disk cache only if asked."""
    from align.encode import get_encoder

    return get_encoder(job.encoder, memo=False, cache=job.cache, threads=threads)


_encoders: dict[tuple[str, bool], object] = {}


def worker_encoder(job: Job):
    """This process's encoder for the job, loaded once, on one thread: every aligning process (the `align`
    process itself with --workers 1, a pool worker, a Dask worker) runs the model single-threaded, so the
    vectors, and the dataset bytes, do not depend on how the work was spread."""
    key = (job.encoder, job.cache)
    if key not in _encoders:
        from align.encode.base import preload

        _encoders[key] = load_encoder(job, threads=1)
        preload(_encoders[key])  # the weights load while the first document is read and checked
    return _encoders[key]


def align_doc(doc: Doc, job: Job, encoder) -> dict:
    """{"doc_id", "ok": True, "part": {...}, "links": n} or {"doc_id", "ok": False, "reason"}; plus the worker's
    pid, peak memory and encoder id, for reports (never written into the dataset)."""
    from align.encode import Memo
    from align.pipeline import align_documents
    from align.score.linkscore import load_calibration

    if doc.refused:  # an input outside the allowed folders: never opened
        return _with_worker({"doc_id": doc.doc_id, "ok": False, "reason": doc.refused}, encoder)
    if doc.reviewed:
        return _with_worker(_reviewed_result(doc, doc.reviewed), encoder)
    try:
        src = _read_text(doc.src, job.src_lang, doc.segmented, "source")
        tgt = _read_text(doc.tgt, job.tgt_lang, doc.segmented, "target")
        _check_languages(src, tgt, job)
        calibration = load_calibration(job.calibration) if job.calibration else None
        al = align_documents(src, tgt, Memo(encoder), job.params, calibration)
    except AlignError as e:
        return _with_worker({"doc_id": doc.doc_id, "ok": False, "reason": str(e)}, encoder)
    part = {"doc_id": doc.doc_id, "signature": al.signature, "quality": al.quality,
            "links": [l.as_dict() for l in al.links]}
    return _with_worker({"doc_id": doc.doc_id, "ok": True, "part": part, "links": len(al.links)}, encoder)


def _reviewed_result(doc: Doc, reviewed: str) -> dict:
    """The document's links as its reviewer left them (align review, saved in `reviewed`), not aligned again."""
    from align.review.store import dataset_part

    try:
        part = dataset_part(reviewed, doc.doc_id, (doc.src, doc.tgt))
    except AlignError as e:
        return {"doc_id": doc.doc_id, "ok": False, "reason": f"reviewed file: {e}"}
    return {"doc_id": doc.doc_id, "ok": True, "part": part, "links": len(part["links"])}


def align_multi_doc(doc: Doc, job: Job, encoder) -> dict:
    """One document in every language of a multi-language corpus (``job.languages``, the pivot first), as
    ``align_doc`` returns a pair: the part holds each pair config's links (the pivot pairs, aligned and scored as
    a pair corpus aligns them) and the multi-way rows (``align.multiway``, from those and the other pairs). One
    memo for the whole document: each language and each merge is encoded once for all the pairs. A language
    file missing, empty or in another language is a failure with the reason."""
    from align.encode import Memo
    from align.multiway import align_multiway
    from align.pipeline import align_documents
    from align.score.linkscore import load_calibration

    if doc.refused:  # an input outside the allowed folders: never opened
        return _with_worker({"doc_id": doc.doc_id, "ok": False, "reason": doc.refused}, encoder)
    try:
        paths = dict(doc.paths)
        docs = {}
        for lang in job.languages:
            if not os.path.isfile(paths[lang]):
                raise AlignError(f"{lang} {paths[lang]}: no such file")
            docs[lang] = _read_text(paths[lang], lang, doc.segmented, lang)
        for a, b in pivot_pairs(job.languages):   # each language once, against the pivot
            _check_languages(docs[a], docs[b], job)
        memo = Memo(encoder)
        calibration = load_calibration(job.calibration) if job.calibration else None
        pairs = {(a, b): align_documents(docs[a], docs[b], memo, job.params, calibration)
                 for a, b in pivot_pairs(job.languages, job.every_pair)}
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


def _read_text(path: str, lang: str, segmented: bool, side: str):
    """The document at `path`; a file with no text is a bad input (`side` names it in the message)."""
    from align.io import read_document

    d = read_document(path, lang, segmented=segmented)
    if not any(s.strip() for s in d.sentences):
        raise AlignError(f"{side} {path} has no text")
    return d


def _check_languages(src, tgt, job: Job) -> None:
    """A pair whose source or target is mostly in another language (a wrong file in the manifest) is a failure,
    not a document of bad links."""
    from align.score.language import document_check

    flags = document_check(src, tgt, LANGUAGE_SAMPLE)
    if flags:
        raise AlignError(f"wrong language: {flags[0]['message']}")


def _with_worker(result: dict, encoder) -> dict:
    # ru_maxrss is in KiB on Linux: the peak resident memory of this process so far. The encoder's id shows
    # whether a worker reused its encoder (one id per process) or loaded it again.
    return {**result, "pid": os.getpid(), "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "encoder_id": id(encoder)}


def pin_threads() -> None:
    """One thread for BLAS and OpenMP in this (worker) process, for good (threadpoolctl: also for libraries
    already loaded, as in a Dask worker that had numpy before our set-up ran)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def die_with_parent() -> None:
    """Linux: this process gets SIGKILL when the process that started it dies (kill -9 of `align corpus` would
    otherwise leave its pool workers blocked on a pipe forever, ~380 MB each). Elsewhere: nothing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def init_pool_worker(job: Job) -> None:
    """Runs once in each local worker process: Ctrl-C is left to the parent, dies with the parent, one thread,
    the encoder loaded."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    # Before numpy loads (a spawned worker has not loaded it yet): OpenBLAS/OpenMP then start one thread, not one
    # per core that threadpoolctl can only limit afterwards. Measured: 50 unpc-ar-en documents, --workers 2,
    # 13.2 s with the limit alone, 9.9 s with these set first.
    os.environ.update({v: "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")})
    pin_threads()
    worker_encoder(job)
