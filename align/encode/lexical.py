"""A no-model encoder: length, numbers, symbols, names and character n-grams, hashed into a fixed vector.

For languages or machines where no neural model fits. Across scripts (Arabic-English) words never match, so the
similarity comes from what survives translation: segment length (the Gale-Church signal), numbers (any digits,
Arabic-Indic included), symbols, Latin names and acronyms, list letters like ``(a)``/``(أ)``. Between languages
sharing a script, shared tokens and character n-grams add cognates and names. Absolute cosines are low; what an
aligner needs is that the true partner scores higher than its neighbours, and that merged segments (overlap
strings) match their translation's length.

The vector is four blocks, each L2-normalised then weighted, so one block's size does not drown another:

* length: Gaussian bumps over sqrt(length); cos(a, b) ~ exp(-(sqrt la - sqrt lb)^2 / 4 sigma^2). In sqrt space the
  spread of a translation's length is about constant whatever the length (Gale & Church's variance grows with
  length); Arabic-script letters count 1.15 Latin letters (Arabic writes no short vowels; measured on UNPC and
  NTREX ar-en);
* anchors: numbers, symbols and names as a multiset hashed with signs, so the block cosine is about
  (shared anchors) / sqrt(|A| |B|);
* tokens: every word, lowercased and accent-stripped (same-script pairs: names, cognates, numbers in words);
* n-grams: character 3-grams inside words, signed hashing (random collisions cancel out on average).
"""

from __future__ import annotations

import re
import unicodedata
import zlib

import numpy as np

# Length multiplier per script, relative to Latin letters: only scripts measured against English here.
_ARABIC = [(0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)]
ARABIC_LENGTH = 1.15

# UN Arabic enumerates lists with abjad-ordered letters where English uses a, b, c: "(أ)" is "(a)".
_ABJAD = "أبجدهوزحطيكلمنسعفصقرشتثخذضظغ"
_ABJAD_LATIN = {c: chr(ord("a") + i) for i, c in enumerate(_ABJAD)}
_ABJAD_LATIN.update({"ا": "a", "ه": "e", "هـ": "e"})

_SYMBOLS = {  # symbol -> class; the Arabic forms count as their Latin counterparts
    "(": "(", ")": ")", "[": "(", "]": ")", "{": "(", "}": ")",
    '"': '"', "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "`": "'",
    ":": ":", ";": ";", "؛": ";", "?": "?", "؟": "?", "!": "!", "%": "%", "٪": "%", "/": "/",
    "§": "§", "$": "$", "€": "€", "£": "£", "&": "&", "+": "+", "=": "=", "*": "*", "#": "#", "@": "@",
    "…": "…", "•": "•", "·": "•",
}  # fmt: skip

_NUMBER = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Z]")
_LIST_LETTER = re.compile(r"\((\w{1,2})\)")
_MARKS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200b-\u200f]")  # harakat, tatweel, ZW*


def _hash(token: str) -> int:
    return zlib.crc32(token.encode("utf-8", "surrogatepass"))


def _strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


class LexicalEncoder:
    name = "lexical"

    def __init__(
        self,
        anchor_dim: int = 512,
        token_dim: int = 512,
        ngram_dim: int = 512,
        sigma: float = 1.0,
        max_sqrt_len: float = 120.0,
        weights: tuple[float, float, float, float] = (1.0, 0.8, 0.4, 0.4),  # length, anchors, tokens, n-grams
        ngram: int = 3,
    ):
        self.anchor_dim, self.token_dim, self.ngram_dim, self.ngram = anchor_dim, token_dim, ngram_dim, ngram
        self.sigma, self.weights = sigma, weights
        # Bump centres every sigma/2 up to sqrt(14,400 chars): smooth, and long paragraphs still fit.
        self.centres = np.arange(0.0, max_sqrt_len + sigma, sigma / 2, dtype=np.float64)
        params = f"{anchor_dim},{token_dim},{ngram_dim},{ngram},{sigma:g},{max_sqrt_len:g},{weights}"
        self.signature = f"lexical:2:{zlib.crc32(params.encode()):08x}"

    @property
    def dim(self) -> int:
        return len(self.centres) + self.anchor_dim + self.token_dim + self.ngram_dim

    def encode(self, texts: list[str]) -> np.ndarray:
        texts = [_MARKS.sub("", unicodedata.normalize("NFKC", t)) for t in texts]
        blocks = [
            self._length(texts),
            self._hashed([self._anchors(t) for t in texts], self.anchor_dim),
            self._hashed([self._tokens(t) for t in texts], self.token_dim),
            self._ngrams(texts),
        ]
        out = np.hstack([w * _unit(b) for w, b in zip(self.weights, blocks)])
        return _unit(out).astype(np.float32)

    # --- blocks ---------------------------------------------------------------------------------------

    def _length(self, texts: list[str]) -> np.ndarray:
        u = np.sqrt(_lengths(texts))[:, None]
        # Bumps of width sigma/sqrt2: two bump vectors then have cosine exp(-(du)^2 / (2 sigma^2)).
        return np.exp(-((u - self.centres[None, :]) ** 2) / self.sigma**2)

    @staticmethod
    def _anchors(text: str) -> list[tuple[str, float]]:
        """Numbers, symbols, Latin names and list letters; the n-th repeat is its own feature (a multiset)."""
        feats = [("n" + str(int(n)), 1.0) for n in _NUMBER.findall(text)]  # int(): any script's digits, no 0-padding
        feats += [("s" + _SYMBOLS[c], 0.5) for c in text if c in _SYMBOLS]
        feats += [("l" + _ABJAD_LATIN.get(m, m.lower()), 1.0) for m in _LIST_LETTER.findall(text)]
        latin = _LATIN_WORD.findall(text)
        if len(latin) * 3 < len(_WORD.findall(text)):
            # Latin words inside another script's text are names, acronyms or titles: all of them count.
            names = latin
        else:
            # In Latin-script text: capitalised words past the first, acronyms, codes like "A-400" or "TP16".
            names = [w for i, w in enumerate(latin) if i and w[0].isupper() or w.isupper() and len(w) > 1]
        feats += [("w" + _strip_accents(w).lower(), 1.0) for w in names]
        return _multiset(feats)

    @staticmethod
    def _tokens(text: str) -> list[tuple[str, float]]:
        return _multiset([("t" + _strip_accents(w).lower(), 1.0) for w in _WORD.findall(text)])

    def _hashed(self, feats: list[list[tuple[str, float]]], dim: int) -> np.ndarray:
        rows, cols, vals = [], [], []
        for i, fs in enumerate(feats):
            for tok, w in fs:
                h = _hash(tok)
                rows.append(i)
                cols.append(h % dim)
                vals.append(w if h & 0x80000000 else -w)  # signed: collisions cancel on average
        out = np.zeros((len(feats), dim), dtype=np.float64)
        np.add.at(out, (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)), np.array(vals))
        return out

    def _ngrams(self, texts: list[str]) -> np.ndarray:
        """Character n-grams of all texts at once: one code-point array, a rolling hash, one bincount."""
        n, dim = self.ngram, self.ngram_dim
        cp, row = _codepoints([" " + " ".join(_WORD.findall(_strip_accents(t).casefold())) + " " for t in texts])
        m = len(cp) - n + 1
        if m <= 0:
            return np.zeros((len(texts), dim))
        h = np.full(m, 0xCBF29CE484222325, dtype=np.uint64)
        valid = np.ones(m, dtype=bool)
        for k in range(n):  # FNV-1a over n consecutive code points
            h = (h ^ cp[k : m + k]) * np.uint64(0x100000001B3)
            valid &= cp[k : m + k] != 0  # not across two texts
            if 0 < k < n - 1:
                valid &= cp[k : m + k] != ord(" ")  # a space only at the edges: word start/end, not two words
        h, r = h[valid], row[:m][valid]
        h ^= h >> np.uint64(31)
        sign = np.where(h & np.uint64(1 << 40), 1.0, -1.0)
        cols = (h % np.uint64(dim)).astype(np.int64)
        return np.bincount(r * dim + cols, weights=sign, minlength=len(texts) * dim).reshape(len(texts), dim)


def _codepoints(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """All texts as one array of code points, each followed by a 0; and each code point's text index."""
    big = "".join(t.replace("\0", "") + "\0" for t in texts)
    cp = np.frombuffer(big.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    row = np.concatenate([[0], np.cumsum(cp == 0)[:-1]]).astype(np.int64) if len(cp) else np.zeros(0, np.int64)
    return cp, row


_SPACES = np.array([0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
                   + list(range(0x2000, 0x200B)), dtype=np.uint64)  # fmt: skip


def _lengths(texts: list[str]) -> np.ndarray:
    """Visible characters (no spaces), Arabic-script letters weighted to match their Latin length."""
    cp, row = _codepoints(texts)
    w = np.ones(len(cp))
    for a, b in _ARABIC:
        w[(cp >= a) & (cp <= b)] = ARABIC_LENGTH
    w[np.isin(cp, _SPACES) | (cp == 0)] = 0.0
    return np.bincount(row, weights=w, minlength=len(texts))


def _multiset(feats: list[tuple[str, float]]) -> list[tuple[str, float]]:
    seen: dict[str, int] = {}
    out = []
    for tok, w in feats:
        seen[tok] = seen.get(tok, 0) + 1
        out.append((f"{tok}#{seen[tok]}", w))
    return out


def _unit(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return x / n
