"""Untranslated or wrong-language text, with py3langid (offline, on PyPI).

Two tests, cheapest first:
1. script: an English target written mostly in Arabic letters (or the reverse) was not translated;
2. py3langid: on enough text (short lines like "3 December" fool any identifier), a confident guess of another
   language than the expected one. A guess equal to the other side's language means "untranslated".
Both sides are checked: a source in the wrong language means the pair itself is wrong.

A wrong-language sentence can hide anywhere in a document written in the right one, so every segment is
identified, but all of an alignment's segments in one batch (align.score.langid): on unpc-ar-en's 7,060
segments the check went from 4.3 s of CPU (a Python loop per character for the scripts, py3langid once per
segment) to 0.2 s.
"""

from __future__ import annotations

import functools

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


def main_script(text: str) -> str:
    """The script most of the text's letters are written in, among NAMED ("other" when none)."""
    counts = {s: script_count(text, (s,)) for s in NAMED}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else "other"


def _script_flag(text: str, n: int, lang: str, other_lang: str, side: str) -> list[dict]:
    """Flags when most of the n letters of the text are not in the language's script."""
    want = SCRIPTS.get(lang, LATIN)
    if n < MIN_LETTERS_SCRIPT or script_count(text, want) >= 0.5 * n:
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


def _sides(texts: list[str], lang: str, other_lang: str, side: str) -> list[list[dict]]:
    """The flags of one side of many pairs: the script test on each, py3langid on all that pass it at once."""
    from align.score import langid

    n = [letters(t) for t in texts]
    out = [_script_flag(t, n[k], lang, other_lang, side) for k, t in enumerate(texts)]
    todo = [k for k in range(len(texts)) if not out[k] and n[k] >= MIN_LETTERS_LANGID]
    if not todo:
        return out
    col, names = langid.column(lang), langid.classes()
    for start in range(0, len(todo), _BATCH):
        chunk = todo[start:start + _BATCH]
        probs = langid.probabilities([texts[k] for k in chunk])
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
