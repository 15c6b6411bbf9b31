"""Untranslated or wrong-language text, with py3langid (offline, on PyPI).

Two tests, cheapest first:
1. script: an English target written mostly in Arabic letters (or the reverse) was not translated;
2. py3langid: on enough text (short lines like "3 December" fool any identifier), a confident guess of another
   language than the expected one. A guess equal to the other side's language means "untranslated".
Both sides are checked: a source in the wrong language means the pair itself is wrong.
"""

from __future__ import annotations

import functools
import unicodedata

from align.score.flags import flag

# Languages whose scripts tell them apart from Latin-script languages (Japanese mixes three, Korean two).
SCRIPTS = {"ar": ("ARABIC",), "fa": ("ARABIC",), "ur": ("ARABIC",), "ru": ("CYRILLIC",), "zh": ("CJK",),
           "ja": ("CJK", "HIRAGANA", "KATAKANA"), "ko": ("HANGUL", "CJK"), "th": ("THAI",), "el": ("GREEK",),
           "he": ("HEBREW",)}
MIN_LETTERS_SCRIPT = 8     # a name or acronym in the other script is normal ("UNDP", "MINUSMA")
MIN_LETTERS_LANGID = 40    # below this, py3langid guesses wrong on UN headings
CONFIDENT = 0.95           # normalised probability of the guess ...
IMPLAUSIBLE = 0.01         # ... and of the expected language


@functools.lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if name.startswith("CJK"):
        return "CJK"
    return name.split(" ")[0]     # "ARABIC LETTER ALEF" -> "ARABIC", "LATIN SMALL LETTER A" -> "LATIN"


def script_share(text: str) -> tuple[int, dict[str, float]]:
    letters = [c for c in text if c.isalpha()]
    shares: dict[str, float] = {}
    for c in letters:
        s = _script(c)
        shares[s] = shares.get(s, 0) + 1 / len(letters)
    return len(letters), shares


def guess(text: str) -> tuple[str, float, float]:
    """(best language, its probability, probability table) from py3langid."""
    ranked = _identifier().rank(text)
    return ranked[0][0], ranked[0][1], dict(ranked)


def _side(text: str, lang: str, other_lang: str, side: str) -> list[dict]:
    n, shares = script_share(text)
    want = SCRIPTS.get(lang, ("LATIN",))
    other = SCRIPTS.get(other_lang, ("LATIN",))
    if n >= MIN_LETTERS_SCRIPT and sum(shares.get(w, 0) for w in want) < 0.5:
        main = max(shares, key=shares.get)
        if main in other and main not in want and side == "target":
            return [flag("language", "critical", f"target is untranslated: written in {main.lower()} script like the source, expected {lang}")]
        return [flag("language", "major", f"{side} is written in {main.lower()} script, expected {lang}")]
    if n < MIN_LETTERS_LANGID:
        return []
    best, p, table = guess(text)
    if best != lang and p >= CONFIDENT and table.get(lang, 0) < IMPLAUSIBLE:
        if best == other_lang and side == "target":
            return [flag("language", "critical", f"{side} is untranslated: looks like {best}, expected {lang}")]
        return [flag("language", "major", f"{side} looks like {best} (p={p:.2f}), expected {lang}")]
    return []


def check(src: str, tgt: str, src_lang: str, tgt_lang: str) -> list[dict]:
    return _side(src, src_lang, tgt_lang, "source") + _side(tgt, tgt_lang, src_lang, "target")


def document_check(src_doc, tgt_doc, sample_chars: int = 4000) -> list[dict]:
    """The same check on the opening text of two whole documents: flags when a file is mostly in another
    language than the one it was declared in (a wrong file, or swapped language codes)."""
    text = lambda d: "\n".join(p.text for p in d.paragraphs)[:sample_chars]
    return check(text(src_doc), text(tgt_doc), src_doc.lang, tgt_doc.lang)
