"""Length-ratio outliers: a target much shorter or longer than its source is often a partial translation.

The ratio is in characters, divided by the usual ratio for the language pair (Arabic is shorter than
English: the median en/ar ratio of UN sentence pairs is about 1.17). Short segments vary too much to judge.
"""

from __future__ import annotations

from align.score.flags import flag

# characters of `b` per character of `a` in typical translations; unknown pairs use 1.0
USUAL_RATIO = {("ar", "en"): 1.17, ("ar", "fr"): 1.3, ("ar", "es"): 1.3, ("ar", "ru"): 1.25, ("ar", "zh"): 0.35}
FACTOR = 2.2    # beyond usual*FACTOR or usual/FACTOR: under 0.5% of correct UN pairs are that far off
MIN_CHARS = 30  # below this on both sides the ratio says little ("3 December")


def usual_ratio(src_lang: str, tgt_lang: str) -> float:
    if (src_lang, tgt_lang) in USUAL_RATIO:
        return USUAL_RATIO[src_lang, tgt_lang]
    if (tgt_lang, src_lang) in USUAL_RATIO:
        return 1 / USUAL_RATIO[tgt_lang, src_lang]
    return 1.0


def check(src: str, tgt: str, src_lang: str, tgt_lang: str) -> list[dict]:
    ls, lt = len(src.strip()), len(tgt.strip())
    if max(ls, lt) < MIN_CHARS or not ls or not lt:
        return []
    rel = (lt / ls) / usual_ratio(src_lang, tgt_lang)
    if rel > FACTOR:
        return [flag("length", "minor", f"target is {rel:.1f}x longer than usual for its source ({lt} vs {ls} chars)")]
    if rel < 1 / FACTOR:
        return [flag("length", "minor",
                     f"target is {1 / rel:.1f}x shorter than usual for its source ({lt} vs {ls} chars)")]
    return []
