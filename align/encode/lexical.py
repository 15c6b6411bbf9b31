"""A no-model encoder: length, numbers, symbols, names and character n-grams, hashed into a fixed vector.

For languages or machines where no neural model fits. Across scripts (Arabic-English) words never match, so the
similarity comes from what survives translation: segment length (the Gale-Church signal), numbers (any script's
digits), symbols, Latin names, acronyms and codes, list letters like ``(a)``/``(أ)``. Between languages sharing a
script, character n-grams add names and cognates. Absolute cosines are low; what an aligner needs is that the
true partner scores above its neighbours and that merged segments (overlap strings) match their translation's
length.

The vector is three blocks, each L2-normalised then weighted, so that one block's size does not drown another:

* length: Gaussian bumps over sqrt(length), so that cos(a, b) ~ exp(-(sqrt la - sqrt lb)^2 / 2 sigma^2). In sqrt
  space the spread of a translation's length is about the same at any length (Gale & Church: the variance grows
  with the length). Spaces do not count, and an Arabic-script letter counts 1.15 (Arabic writes no short vowels;
  measured on UNPC and NTREX Arabic-English);
* anchors: numbers, symbols and names as a multiset (the 2nd "2014" is its own feature), hashed with random signs,
  so the block cosine is about shared / sqrt(|A| |B|) and unrelated features cancel rather than add up;
* n-grams: character 3-grams inside words, lowercased and accent-stripped, signed hashing. Across scripts this
  block is near-orthogonal, which is useful too: it keeps cosines of true pairs well below 1, as a neural
  encoder's are, so an aligner's per-sentence costs for merges still bite.

Weights and sigma were set on the open unpc/ntrex/textberg sets with this project's aligner, and checked with a
Vecalign-style DP: a broad optimum, no setting within it is more than ~0.01 F1 apart.
"""

from __future__ import annotations

import re
import unicodedata
import zlib

import numpy as np

from align.encode.normalize import TAG, normalise_texts

ARABIC_LENGTH = 1.15
BATCH = 4096  # texts encoded at once
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_SPACE = re.compile(r"\s")
# Arabic harakat and tatweel, zero-width characters: invisible, optional, so they must not count or split words.
_MARKS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200B-\u200F\u2060\uFEFF]")
_COMBINING = re.compile(r"[\u0300-\u036F\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F]")

_NUMBER = re.compile(r"\d+")  # any script's decimal digits (Arabic-Indic too); int() reads them all
_WORD = re.compile(r"[^\W\d_]+")
_L = "A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F"  # Latin letters, accented ones included
_LATIN_WORD = re.compile(f"[{_L}][{_L}'\\-]*[{_L}]|[A-Z]")
_CODE = re.compile(r"\b(?=\w*\d)(?=\w*[A-Za-z])[A-Za-z0-9]+\b")  # codes: "TP16", "B59", "25C"
_LIST_LETTER = re.compile(r"\((\w{1,2})\)")
# UN Arabic enumerates lists with abjad-ordered letters where English uses a, b, c: "(أ)" is "(a)".
_ABJAD_LATIN = {c: chr(ord("a") + i) for i, c in enumerate("أبجدهوزحطيكلمنسعفصقرشتثخذضظغ")}
_SYMBOLS = {  # symbol -> class; Arabic and typographic forms count as their ASCII counterparts
    "(": "(", ")": ")", "[": "(", "]": ")", "{": "(", "}": ")",
    '"': '"', "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'",
    ":": ":", ";": ";", "؛": ";", "?": "?", "؟": "?", "!": "!", "%": "%", "٪": "%", "/": "/",
    "§": "§", "$": "$", "€": "€", "£": "£", "&": "&", "+": "+", "=": "=", "*": "*", "#": "#", "@": "@",
    "…": "…", "•": "•",
}  # fmt: skip
_SYMBOL = re.compile("[" + re.escape("".join(_SYMBOLS)) + "]")


class LexicalEncoder:
    name = "lexical"
    fork_safe = True  # pure numpy: a forked process encodes as this one does

    def __init__(
        self,
        weights: tuple[float, float, float] = (0.8, 1.4, 0.8),  # length, anchors, n-grams
        sigma: float = 2.5,
        anchor_dim: int = 512,
        ngram_dim: int = 1024,
        ngram: int = 3,
        max_sqrt_len: float = 150.0,
    ):
        self.weights, self.sigma, self.ngram = weights, sigma, ngram
        self.anchor_dim, self.ngram_dim = anchor_dim, ngram_dim
        # Bump centres every sigma/2 up to sqrt(22,500 characters): smooth, and long paragraphs still fit.
        self.centres = np.arange(0.0, max_sqrt_len + sigma, sigma / 2)
        params = f"{weights},{sigma:g},{anchor_dim},{ngram_dim},{ngram},{max_sqrt_len:g},{ARABIC_LENGTH:g}"
        self.signature = f"lexical:1:{zlib.crc32(params.encode()):08x}+{TAG}"

    @property
    def dim(self) -> int:
        return len(self.centres) + self.anchor_dim + self.ngram_dim

    def encode(self, texts: list[str]) -> np.ndarray:
        """Rows are computed independently: in batches, the float64 work arrays stay small (200,000 texts at once
        needed 1.5 GB for the n-gram block alone; the float32 result is 6.6 kB a text)."""
        out = np.empty((len(texts), self.dim), np.float32)
        for start in range(0, len(texts), BATCH):
            out[start:start + BATCH] = self._encode(texts[start:start + BATCH])
        return out

    def _encode(self, texts: list[str]) -> np.ndarray:
        # normalise_texts drops Arabic marks and folds presentation forms; NFKC here also folds what only this
        # encoder's features care about (superscripts, fractions), and _MARKS the zero-width space.
        texts = [_MARKS.sub("", unicodedata.normalize("NFKC", t)) for t in normalise_texts(texts)]
        folded = [_COMBINING.sub("", unicodedata.normalize("NFD", t)).casefold() for t in texts]  # é -> e
        blocks = (self._length(texts), self._anchors(texts), self._ngrams(folded))
        out = np.hstack([w * _unit(b) for w, b in zip(self.weights, blocks)])
        return _unit(out).astype(np.float32)

    def _length(self, texts: list[str]) -> np.ndarray:
        n = np.array([len(t) - len(_SPACE.findall(t)) + (ARABIC_LENGTH - 1) * len(_ARABIC.findall(t)) for t in texts])
        # Past the last centre (22,500 characters) every text looks equally long rather than of no length at all.
        u = np.minimum(np.sqrt(n, dtype=np.float64), self.centres[-1] - self.sigma)[:, None]
        # Bumps exp(-d^2/sigma^2) (width sigma/sqrt 2): two such vectors have cosine exp(-du^2 / 2 sigma^2).
        return np.exp(-((u - self.centres) ** 2) / self.sigma**2)

    def _anchors(self, texts: list[str]) -> np.ndarray:
        rows, feats = [], []
        for i, t in enumerate(texts):
            fs = _anchor_features(t)
            rows += [i] * len(fs)
            feats += fs
        # (Weighting numbers or names above symbols was tried: no better on the open sets.)
        h = np.array([zlib.crc32(f"{kind}:{tok}".encode("utf-8", "surrogatepass")) for kind, tok in feats], np.int64)
        signs = np.where(h & 0x80000000, 1.0, -1.0)  # signed hashing: collisions cancel on average
        flat = np.bincount(np.array(rows, np.int64) * self.anchor_dim + h % self.anchor_dim, signs,
                           minlength=len(texts) * self.anchor_dim)  # fmt: skip
        return flat.reshape(len(texts), self.anchor_dim)

    def _ngrams(self, folded: list[str]) -> np.ndarray:
        """Character n-grams of all texts at once: one code-point array, a rolling hash, one bincount."""
        n, dim = self.ngram, self.ngram_dim
        # " word word " per text, texts separated by NUL; n-grams may start or end at a space (word edges).
        big = "".join(" " + " ".join(_WORD.findall(t.replace("\0", ""))) + " \0" for t in folded)
        cp = np.frombuffer(big.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
        row = np.cumsum(cp == 0) - (cp == 0)  # index of the text each code point belongs to
        m = len(cp) - n + 1
        h = np.full(max(m, 0), 0xCBF29CE484222325, dtype=np.uint64)
        ok = np.ones(max(m, 0), dtype=bool)
        for k in range(n):  # FNV-1a over n consecutive code points
            h = (h ^ cp[k : m + k]) * np.uint64(0x100000001B3)
            ok &= cp[k : m + k] != 0  # never across two texts
            if 0 < k < n - 1:
                ok &= cp[k : m + k] != 32  # a space only at the edges: one word's start or end, not two words
        h, row = h[ok], row[:m][ok]
        h ^= h >> np.uint64(29)
        signs = np.where(h & np.uint64(1 << 40), 1.0, -1.0)
        cols = (h % np.uint64(dim)).astype(np.int64)
        return np.bincount(row * dim + cols, signs, minlength=len(folded) * dim).reshape(len(folded), dim)


def _anchor_features(text: str) -> list[tuple[str, str]]:
    """(kind, token) for numbers, symbols, list letters and names; the k-th repeat of a token is its own feature."""
    feats = [("number", str(int(d))) for d in _NUMBER.findall(text)]  # int(): "٢٠١٤" == "2014", "05" == "5"
    feats += [("symbol", _SYMBOLS[c]) for c in _SYMBOL.findall(text)]
    feats += [("list", _ABJAD_LATIN.get(m, m.lower())) for m in _LIST_LETTER.findall(text)]
    latin = _LATIN_WORD.findall(text)
    if len(latin) * 3 < len(_WORD.findall(text)):
        # Latin words inside another script's text are names, acronyms or titles: all of them count.
        names = latin
    else:
        # In Latin-script text: capitalised words past the first, acronyms.
        names = [w for i, w in enumerate(latin) if (i and w[0].isupper()) or (w.isupper() and len(w) > 1)]
    feats += [("name", _COMBINING.sub("", unicodedata.normalize("NFD", w)).lower()) for w in names]
    feats += [("name", c.lower()) for c in _CODE.findall(text)]
    seen: dict[tuple[str, str], int] = {}
    out = []
    for f in feats:
        seen[f] = seen.get(f, 0) + 1
        out.append((f[0], f"{f[1]}#{seen[f]}"))
    return out


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms
