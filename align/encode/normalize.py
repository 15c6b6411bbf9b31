"""What an encoder sees: text folded per script to the forms the models were trained on. Never written out.

The bundled encoder (and most sentence encoders) learnt from undiacritised web and news text, so vowel marks
and Quranic signs reach it as unknown or rare pieces and a fully vowelled verse loses its meaning (issue 10:
classical Arabic F1 0.53 with the marks, 0.90 without). Every encoder (``use``, ``hf:``, ``lexical``) passes
its input through ``normalise_texts``; the text in results stays exactly as written, and each encoder's
signature carries ``TAG`` so vectors of one normalisation never mix with another's in the cache.

Per script, for the 16 languages the bundled encoder covers:

* Arabic: harakat, tanwin, shadda, sukun, dagger alef, Quranic annotation signs (U+0610-U+061A, U+064B-U+065F,
  U+0670, U+06D6-U+06ED, U+08D3-U+08FF) and tatweel dropped; alef wasla -> alef; Persian/Urdu yeh and keheh
  -> Arabic yeh and kaf; Arabic-Indic and Persian digits -> ASCII; presentation forms (ligatures such as
  lam-alef, isolated/final shapes) -> base letters by NFKC; bidi controls (ALM, LRM, RLM, embeddings) dropped.
* Russian (Cyrillic): combining stress accents (U+0301, U+0300 after a Cyrillic letter) dropped, as in
  dictionaries and textbooks; French and Spanish accents are letters and stay.
* Chinese, Japanese, Korean: full-width ASCII and half-width katakana, CJK compatibility and small forms ->
  their ordinary forms (NFKC); the ideographic space -> a space.
* Latin ligatures (U+FB00-U+FB06, "ﬁ" from PDFs) -> letters.
* A decomposed hamza or madda (alef + U+0654) is composed first (NFC), so it stays a hamza and is not
  stripped as a mark.
* Uthmani (Quranic) spelling, in a text that shows signs or spellings only it uses (the Quranic sukun
  U+06E1, small high letters and zeros, open tanwin, pause signs, a dagger alef on a tatweel...), is
  respelled the standard way before the marks go:
  - a dagger alef is the long alef standard spelling writes (ٱلۡكِتَٰبُ -> الكتاب, ٱلصَّلَوٰةَ -> الصلاة,
    ٱلۡعَٰلَمِينَ -> العالمين), except in the words that have none (هٰذا, ذٰلك, لٰكن, الرحمٰن, إلٰه...);
  - the small high yeh is a yeh (إِبۡرَٰهِـۧمَ -> إبراهيم);
  - a hamza on a tatweel takes its seat (يَسۡـَٔلُونَكَ -> يسألونك, شَيۡـٔٗا -> شيئا);
  - hamza + alef is an alef madda (ءَامَنُواْ -> آمنوا), and the madd sign is dropped (ٱلۡمَلَـٰٓئِكَةُ -> الملائكة).
  Stripped only, such a verse reads as other words (الكتب "the books", العلمين, الصلوة): on the Quran with its
  English translation (scripts/make_dev_sets.py, classical-quran-ar-en) strict F1 0.948 stripped only, 0.962
  respelled.

Everything is one ``str.translate`` plus a regex over the rare compatibility runs; pure ASCII is returned at
once. Cost on unpc-ar-en: see the README (within noise of encoding without it).
"""

from __future__ import annotations

import re
import unicodedata

# Bump when the mapping changes: the tag goes into every encoder's signature, which keys the vector cache.
TAG = "norm.2"

_DROP = [
    *range(0x0610, 0x061B),   # Quranic honorifics and small high signs
    *range(0x064B, 0x0660),   # tanwin, harakat, shadda, sukun, madda/hamza above and below, subscript alef...
    0x0670,                   # dagger (superscript) alef
    *range(0x06D6, 0x06EE),   # Quranic annotation signs (small high ligatures, stops, end of ayah, small waw/yeh)
    *range(0x08D3, 0x0900),   # Arabic Extended-A marks (Quranic open tanwin, small high signs)
    0x0640,                   # tatweel (kashida)
    0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A),  # bidi controls
    0x200C, 0x200D, 0xFEFF,   # zero-width (non-)joiners, BOM / zero-width no-break space
]
_MAP = {
    0x0671: "ا",   # alef wasla
    0x06CC: "ي",   # Farsi yeh
    0x06D2: "ي",   # Urdu yeh barree
    0x06A9: "ك",   # keheh (Persian kaf)
    0x06AA: "ك",   # swash kaf
    0x06C1: "ه",   # heh goal (Urdu)
    0x06D5: "ه",   # ae (Kurdish, Quranic pause heh)
    **{0x0660 + i: str(i) for i in range(10)},   # Arabic-Indic digits
    **{0x06F0 + i: str(i) for i in range(10)},   # Persian (Extended Arabic-Indic) digits
    0x066B: ".", 0x066C: ",",                    # Arabic decimal and thousands separators
    0x3000: " ",                                 # ideographic space
    **{0xFF01 + i: chr(0x21 + i) for i in range(94)},  # full-width ASCII
}
_TABLE = str.maketrans({**dict.fromkeys(_DROP), **_MAP})
# str.translate costs ~100 ns a character on non-ASCII text; most text has nothing to change, which one regex
# scan tells ~10x faster (unpc-ar-en, 1.26 M characters: 0.17 s -> see the README).
_TOUCHED = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TABLE)) + "]")
# Runs of compatibility characters NFKC folds: Latin/Arabic presentation forms, vertical, CJK compatibility and
# small forms, half-width katakana and hangul. Rare, so only these runs pay for NFKC.
_COMPAT = re.compile("[\uFB00-\uFDFF\uFE10-\uFE1F\uFE30-\uFE6F\uFE70-\uFEFE\uFF5F-\uFFEF]+")
_DECOMPOSED_HAMZA = re.compile("[\u0653-\u0655]")
_STRESS = re.compile("(?<=[\u0400-\u04FF])[\u0300\u0301]")


# --- Uthmani spelling ---------------------------------------------------------------------------------------
# Signs only Uthmani spelling uses: open tanwin (U+0656-U+0657, U+065E, U+08F0-U+08F2), pause signs, the Quranic
# sukun, small high letters and zeros; not U+06E7, which alone is a mark like the others
_UTHMANI = re.compile("[\u0656\u0657\u065E\u06D6-\u06DC\u06DF-\u06E6\u06E8\u06EA-\u06ED\u08F0-\u08F2]"
                      # ... and spellings only it has: a dagger alef on a tatweel (ٱلنَّـٰصِحِينَ), the madd sign on
                      # an alef after a fatha (مَآ), an alef maqsura with a dagger alef inside a word (أَتَىٰهَا)
                      "|\u0640\u0670|\u064E\u0627\u0653|\u0649\u0670[\u0621-\u064A]")
_MARKS = "\u064B-\u065F\u06D6-\u06ED\u08D3-\u08FF"
_WORD = re.compile(f"[\u0621-\u064A\u0671\u0640\u0670{_MARKS}]+")
_BARE = re.compile(f"[{_MARKS}\u0640\u0670]")
# the words (and their stems) that standard spelling writes without the alef Uthmani marks with a dagger alef
_NO_ALEF = ("هذا", "هذه", "هذان", "هذين", "هؤلاء", "ذلك", "لكن", "رحمن", "إله", "اله", "الله", "أولئك", "اولئك")
_HAMZA_SEAT = re.compile(f"(ي[{_MARKS}]*)?\u0640?\u0654([{_MARKS}]*)")
_HAMZA_ALEF = re.compile("[ءأ](\u064E?)ا")   # not with a tanwin between: جُزۡءٗا is جزءا


def _dagger_alef(m: re.Match) -> str:
    word = m.group()
    if "\u0670" not in word:
        return word
    if any(stem in _BARE.sub("", word.replace("\u0671", "ا")) for stem in _NO_ALEF):
        return word.replace("\u0670", "")
    # صلوٰة: the waw is the alef's seat (الصلاة); ىٰ: the alef maqsura stays (على, موسى)
    return word.replace("\u0648\u0670", "ا").replace("\u0649\u0670", "ى").replace("\u0670", "ا")


def _hamza_seat(m: re.Match) -> str:
    after_yeh, marks = m.group(1) or "", m.group(2)
    if after_yeh or "\u0650" in marks or "\u064D" in marks:
        return after_yeh + "ئ" + marks
    return ("ؤ" if "\u064F" in marks or "\u064C" in marks else "أ") + marks


def uthmani(text: str) -> str:
    """Uthmani spelling the standard way (see the module docstring); other text comes back unchanged."""
    if not (_UTHMANI.search(text) or "\u0671" in text and "\u0670" in text):   # or an alef wasla beside a dagger alef
        return text
    # the madd sign, on its own or composed with its alef (آ), only lengthens the vowel here (ٱلسَّآئِلِينَ)
    text = text.replace("\u06E7", "ي").replace("\u0653", "").replace("\u0622", "ا")
    text = _WORD.sub(_dagger_alef, text)
    text = _HAMZA_SEAT.sub(_hamza_seat, text)
    return _HAMZA_ALEF.sub(lambda m: "آ" + m.group(1), text)


def normalise(text: str) -> str:
    """``text`` as an encoder should see it (see the module docstring); ASCII comes back unchanged."""
    if text.isascii():
        return text
    text = uthmani(text)
    if _DECOMPOSED_HAMZA.search(text):
        text = unicodedata.normalize("NFC", text)
    text = _COMPAT.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    if _TOUCHED.search(text):
        text = text.translate(_TABLE)
    if "\u0301" in text or "\u0300" in text:
        text = _STRESS.sub("", text)
    return text


def normalise_texts(texts: list[str]) -> list[str]:
    return [normalise(t) for t in texts]
