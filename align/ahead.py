"""Work done ahead of the aligner in background threads: a document's segments encoded into the encoder's memo
while this thread does something else. Light imports only (no numba): `align pair DIR DIR` starts reading and
encoding its first pairs while the aligner's modules are still being imported."""

from __future__ import annotations

import threading

from align.document import Document

# Work ahead stops when the interpreter starts exiting (an error, Ctrl-C, the end): its threads are not daemons,
# because a daemon thread stopped inside the tokenizer's C++ aborted the process ("terminate called without an
# active exception", exit status 134), so exiting waits for the piece in hand, up to AHEAD_CHUNK texts.
AHEAD_CHUNK = 512
stopping = threading.Event()
if hasattr(threading, "_register_atexit"):  # called before the interpreter joins its threads (Python >= 3.9)
    threading._register_atexit(stopping.set)


def encode_ahead(encoder, src: Document, tgt: Document) -> threading.Thread | None:
    """Encode what align_documents will encode first (paragraphs, sentences) in a background thread, into the
    encoder's memo, while this thread does other work: the language check, or the previous document's DP and QA
    checks (align.folders), which leave a core idle. The aligner's own calls find the vectors in the memo, or wait
    for those still being encoded. Without a memo, nothing."""
    from align.encode.base import Memo

    if not isinstance(encoder, Memo):
        return None
    sides = [[p.text for p in src.paragraphs], [p.text for p in tgt.paragraphs]] if not (
        src.segmented and tgt.segmented) else []
    sides += [src.sentences, tgt.sentences]

    def run():
        # both sides together: the encoder's lanes stay busy to the end of the document, not of each side
        texts = [t for side in sides for t in side]
        kept = 0
        try:
            for start in range(0, len(texts), AHEAD_CHUNK):
                # no further than half the memo holds: a huge document's vectors would be dropped before the
                # aligner's windows reached them, and encoded twice
                if stopping.is_set() or kept >= encoder.max_bytes // 2:
                    return
                kept += encoder.encode(texts[start:start + AHEAD_CHUNK]).nbytes
        except Exception:  # noqa: BLE001 - the aligner's own call meets the same problem and reports it
            pass

    thread = threading.Thread(target=run, name="encode-ahead")
    thread.start()
    return thread
