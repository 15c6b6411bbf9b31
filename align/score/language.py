"""Untranslated or wrong-language text, with py3langid (offline, on PyPI).

Two tests, cheapest first:
1. script: an English target written mostly in Arabic letters (or the reverse) was not translated;
2. py3langid: on enough text (short lines like "3 December" fool any identifier), a confident guess of another
   language than the expected one. A guess equal to the other side's language means "untranslated".
Both sides are checked: a source in the wrong language means the pair itself is wrong.

A wrong-language sentence can hide anywhere in a document written in the right one, so every segment is
identified (but Arabic written only in the Arabic alphabet's letters: see FOREIGN_LETTERS), all of an
alignment's segments in one batch (align.score.langid), their letters counted per script in one numpy pass: on
unpc-ar-en's 7,060 segments the check went from 4.3 s of CPU (a Python loop per character for the scripts,
py3langid once per segment) to 0.2 s, then 0.12 s.
"""

from __future__ import annotations

import functools

import numpy as np
import regex

from align.score.flags import flag

# Languages whose scripts tell them apart from Latin-script languages (Japanese mixes three, Korean two), as
# Unicode script names: a letter belongs to a script when its Script_Extensions property lists it (the Arabic
# tatweel belongs to Arabic, the Japanese prolonged sound mark to both kana).
SCRIPTS = {"ar": ("Arabic",), "fa": ("Arabic",), "ur": ("Arabic",), "ru": ("Cyrillic",), "zh": ("Han",),
           "ja": ("Han", "Hiragana", "Katakana"), "ko": ("Hangul", "Han"), "th": ("Thai",), "el": ("Greek",),
           "he": ("Hebrew",)}
LATIN = ("Latin",)
# The scripts a flag can name as the one a text is written in.
NAMED = ("Latin", "Arabic", "Cyrillic", "Han", "Hiragana", "Katakana", "Hangul", "Thai", "Greek", "Hebrew",
         "Devanagari", "Armenian", "Georgian", "Ethiopic")
MIN_LETTERS_SCRIPT = 8     # a name or acronym in the other script is normal ("UNDP", "MINUSMA")
MIN_LETTERS_LANGID = 40    # below this, py3langid guesses wrong on UN headings
CONFIDENT = 0.95           # normalised probability of the guess ...
IMPLAUSIBLE = 0.01         # ... and of the expected language
_BATCH = 4096              # texts identified at once: a (texts, 142) float32 table, 2.3 MB
# py3langid reads a text's first LANGID_CHARS characters: enough for a confident guess (a segment is rarely longer;
# a document's opening sample, 4,000 characters for the script test, was a third of the identifier's work on
# unpc-ar-en and ntrex-ar-en).
LANGID_CHARS = 1000
# Languages whose script's other languages write letters they do not: a text of only the language's own letters is
# not identified (py3langid could only call it a dialect: ary, arz). Arabic: Persian, Urdu, Pashto, Uyghur and
# Kurdish write پ چ ژ گ ک ی ے ٹ ڈ ں ۆ ێ... (letters of the script, Lo, outside the Arabic alphabet; tatweel and the
# small waw and yeh are Lm, a mark's place). Measured on the 15,609 Arabic segments of unpc, ntrex, udhr and the
# diac, classical and literary dev sets: py3langid flagged none (the 10 flags were all the script test's), and
# identifying them was half the identifier's work on unpc-ar-en (Arabic is two bytes a letter in UTF-8).
FOREIGN_LETTERS = {"ar": regex.compile(r"[[\p{scx=Arabic}&&\p{Lo}]--[\u0621-\u063A\u0641-\u064A\u0671]]", regex.V1)}


@functools.lru_cache(maxsize=None)
def _letters_of(scripts: tuple[str, ...]) -> regex.Pattern:
    """One pattern for runs of letters of any of these scripts (a letter in two of them counts once); runs,
    not single letters: 3x faster to count."""
    union = "".join(rf"\p{{scx={s}}}" for s in scripts)
    return regex.compile(rf"[[{union}]&&\p{{L}}]+", regex.V1)


def letters(text: str) -> int:
    return sum(map(str.isalpha, text))


def script_count(text: str, scripts: tuple[str, ...]) -> int:
    """How many letters of the text belong to one of these scripts."""
    return sum(map(len, _letters_of(scripts).findall(text)))


@functools.lru_cache(maxsize=1)
def _bmp_table() -> np.ndarray:
    """Per code point of the Basic Multilingual Plane: bit 0 set for a letter, bit 1 + i for a letter of NAMED[i]
    (as ``letters`` and ``script_count`` count them). Built from the same patterns, a span per run of code points:
    20 ms, once a process."""
    chars = "".join(map(chr, range(0x10000)))
    table = np.fromiter(map(str.isalpha, chars), dtype=np.uint16, count=0x10000)
    for i, script in enumerate(NAMED):
        for m in _letters_of((script,)).finditer(chars):
            table[m.start():m.end()] |= 1 << (i + 1)
    return table


def _mask(scripts: tuple[str, ...]) -> int:
    return sum(1 << (NAMED.index(s) + 1) for s in scripts)


def count_many(texts: list[str], scripts: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(letters, letters of these scripts) of each text: ``letters`` and ``script_count`` over all texts in one
    numpy pass over their code points (a Python call per text and a loop per character before: 0.2 s of CPU on
    unpc-ar-en's links). Texts with a character outside the BMP (a rare Han ideograph, an emoji) are counted
    one by one."""
    if not texts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    cps = np.frombuffer("".join(texts).encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    bits = _bmp_table()[np.minimum(cps, 0xFFFF)]
    bits[cps > 0xFFFF] = 0
    nonempty = lengths > 0
    n = np.zeros(len(texts), dtype=np.int64)
    k = np.zeros(len(texts), dtype=np.int64)
    # reduceat over the non-empty texts only: an empty one would take its next neighbour's first value
    n[nonempty] = np.add.reduceat((bits & 1).astype(np.int64), starts[nonempty])
    k[nonempty] = np.add.reduceat(((bits & _mask(scripts)) != 0).astype(np.int64), starts[nonempty])
    if len(cps) and cps.max() > 0xFFFF:
        wide = np.add.reduceat((cps > 0xFFFF).astype(np.int64), starts[nonempty])
        for row in np.flatnonzero(nonempty)[wide > 0]:
            n[row], k[row] = letters(texts[row]), script_count(texts[row], scripts)
    return n, k


def main_script(text: str) -> str:
    """The script most of the text's letters are written in, among NAMED ("other" when none)."""
    counts = {s: script_count(text, (s,)) for s in NAMED}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else "other"


def _script_flag(text: str, n: int, in_script: int, lang: str, other_lang: str, side: str) -> list[dict]:
    """Flags when most of the n letters of the text are not in the language's script (in_script of them are)."""
    want = SCRIPTS.get(lang, LATIN)
    if n < MIN_LETTERS_SCRIPT or in_script >= 0.5 * n:
        return []
    main = main_script(text)
    if main in SCRIPTS.get(other_lang, LATIN) and main not in want and side == "target":
        return [flag("language", "critical",
                     f"target is untranslated: written in {main.lower()} script like the source, expected {lang}")]
    return [flag("language", "major", f"{side} is written in {main.lower()} script, expected {lang}")]


def _guess_flag(best: str, p: float, p_expected: float, lang: str, other_lang: str, side: str) -> list[dict]:
    if best != lang and p >= CONFIDENT and p_expected < IMPLAUSIBLE:
        if best == other_lang and side == "target":
            return [flag("language", "critical", f"{side} is untranslated: looks like {best}, expected {lang}")]
        return [flag("language", "major", f"{side} looks like {best} (p={p:.2f}), expected {lang}")]
    return []


def _may_be_other(text: str, lang: str) -> bool:
    """Whether py3langid could take a text that passed the script test for another language than `lang`."""
    foreign = FOREIGN_LETTERS.get(lang)
    return foreign is None or foreign.search(text) is not None


def _sides(texts: list[str], lang: str, other_lang: str, side: str) -> list[list[dict]]:
    """The flags of one side of many pairs: the script test on each, py3langid on all that pass it at once."""
    from align.score import langid

    n, in_script = count_many(texts, SCRIPTS.get(lang, LATIN))
    out = [_script_flag(t, n[k], in_script[k], lang, other_lang, side) for k, t in enumerate(texts)]
    todo = [k for k in range(len(texts)) if not out[k] and n[k] >= MIN_LETTERS_LANGID and _may_be_other(texts[k], lang)]
    if not todo:
        return out
    col, names = langid.column(lang), langid.classes()
    for start in range(0, len(todo), _BATCH):
        chunk = todo[start:start + _BATCH]
        probs = langid.probabilities([texts[k][:LANGID_CHARS] for k in chunk])
        best = probs.argmax(axis=1)
        for row, k in enumerate(chunk):
            p_expected = float(probs[row, col]) if col is not None else 0.0
            out[k] = _guess_flag(names[best[row]], float(probs[row, best[row]]), p_expected, lang, other_lang, side)
    return out


def check_many(pairs: list[tuple[str, str]], src_lang: str, tgt_lang: str) -> list[list[dict]]:
    """``check`` on many pairs at once (much faster than one by one)."""
    src = _sides([s for s, _ in pairs], src_lang, tgt_lang, "source")
    tgt = _sides([t for _, t in pairs], tgt_lang, src_lang, "target")
    return [a + b for a, b in zip(src, tgt)]


def check(src: str, tgt: str, src_lang: str, tgt_lang: str) -> list[dict]:
    return check_many([(src, tgt)], src_lang, tgt_lang)[0]


def document_check(src_doc, tgt_doc, sample_chars: int = 4000) -> list[dict]:
    """The same check on the opening text of two whole documents: flags when a file is mostly in another
    language than the one it was declared in (a wrong file, or swapped language codes)."""
    text = lambda d: "\n".join(p.text for p in d.paragraphs)[:sample_chars]
    return check(text(src_doc), text(tgt_doc), src_doc.lang, tgt_doc.lang)
