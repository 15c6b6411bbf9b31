"""Sentence segmentation for the six UN languages, German, and the other languages of the bundled encoder.

Entry points: ``split_sentences(text, lang) -> list[str]`` and ``sentence_spans(text, lang)``, which cuts
the input into consecutive ``(start, end)`` spans covering every character exactly once (whitespace
between sentences goes with the sentence before it), so offsets map back to the untouched input.

A break is made
* after a run of terminal punctuation (plus closing quotes/brackets) that is followed by whitespace
  (Chinese: by anything), unless a veto applies (``_vetoed``: abbreviations, initials, list markers,
  a lower-case next word, German ordinals) -- or just before it when the dot belongs to a paragraph
  number run into a heading ("Other matters 2. The ...", ``_relocated``);
* at a blank line (a single newline is a wrapped line);
* before a numbered paragraph (``1.``, ``IV.``, ``A.``, ``2 -``) that follows ``;`` or ``:``, and in
  Arabic before every ``12 -`` paragraph number: UN documents set those as paragraphs of their own.

Arabic literary and classical prose (``_arabic_breaks``, ``_clause_breaks``):
* a Quranic quotation in ornate brackets ``﴿...﴾`` is never split, whatever punctuation it holds;
* a verse number (``﴿٢﴾``, ``۝٢``, ``٢۝``) ends its verse: a break after it;
* after a closing quote, a verb of saying continues the sentence (``«...؟» قال الرجل``), as a lower-case
  word does in English;
* a sentence of more than ``LONG_SENTENCE`` words, chained with commas and و as literary Arabic writes, is
  cut at ``؛`` and at a comma before a clause-opening connective (``، وقد``, ``، ثم``, ``، فإن`` ...), never
  into pieces shorter than ``MIN_CLAUSE`` words.
Language-specific knowledge lives in the tables of ``align.segment.rules``.
"""

from __future__ import annotations

import bisect
import re

from align.errors import AlignError
from align.segment.rules import RULES, Rules

LANGS = set(RULES)

_ARABIC_LETTER = "\u0621-\u064a"
# A list marker as UN documents write them. \d also matches Arabic-Indic digits.
_ENUM = (
    r"(?:\d{1,3}(?:\.\d{1,3})*\.|\(?\d{1,3}\)"
    rf"|\((?:[a-z]{{1,4}}|[{_ARABIC_LETTER}]{{1,2}})\)|[a-z]\)"
    r"|[IVXLC]{1,6}\.|[A-Z]\.|[ivx]{1,5}\.|[a-z]\.)"
)
# A whole segment that is only a marker ending in a dot ("1.", "IV.", "a."): the dot is the marker's.
_ENUM_ONLY = re.compile(rf"[\"'“‘«(\[]*{_ENUM}")
# A numbered paragraph starting after ";" or ":". Lettered sub-items ("(a) ...; (b) ...") are left
# alone: they run inline within one sentence far more often than they stand alone.
_PARA_AFTER_COLON = re.compile(r"(?<=[;:؛])\s+(?=(?:\d{1,3}(?:\.\d{1,3})*\.|[IVXLC]{1,6}\.|[A-Z]\.|\d{1,3}\s?-)\s)")
# Arabic UN paragraphs are numbered "12 -" (or "١٢ -"), a form that never occurs inside a sentence
# (ranges have digits on both sides), so it starts a segment wherever it stands.
_AR_PARA = re.compile(rf"(?<=\s)\d{{1,3}}\s?-\s?(?=[{_ARABIC_LETTER}])")
# Arabic literary and classical prose (see the module docstring).
_ORNATE = "\ufd3e\ufd3f"   # ﴾ ﴿: Unicode's names and the order texts type them in disagree, so either opens
_QURAN_QUOTE = re.compile(f"[{_ORNATE}][^{_ORNATE}]*[{_ORNATE}]")
_VERSE_NUMBER = re.compile(rf"[{_ORNATE}]\s*\d{{1,3}}\s*[{_ORNATE}]|\u06dd\s*\d{{1,3}}|\d{{1,3}}\s*\u06dd")
# ("answered" is left out: '"...؟" أجاب فلان: "..."' starts the answer, a new sentence, in ntrex-ar-en.)
_SAYING = frozenset("قال قالت قالوا يقول تقول يقولون أضاف أضافت سأل سألت صاح صاحت همس همست تابع تابعت".split())
# Set on scripts/bench_segment.py (unpc-ar-en, space join): 60/15 found 90 more true sentence boundaries
# (recall 0.778 -> 0.804) for 72 spurious breaks inside UN sentences; 80/20 finds 38 for 30 (0.789); ntrex-ar-en
# news is unaffected either way. Literary Arabic chains far longer sentences than UN prose does.
LONG_SENTENCE = 80   # words
MIN_CLAUSE = 20      # words a piece cut from a long sentence keeps at least
_CONNECTIVES = ("وقد وكان وكانت ولكن ولكنه ولكنها وإن وإنه وإنها وأن ولم ولا ولن وهو وهي وهم وكما وبعد وعندما"
                " ولما وحين وإذا وإذ فقد فإن فكان فكانت فلما فإذا ثم حتى بل بينما غير").split()
_CLAUSE = re.compile(rf"؛\s+|،\s+(?=(?:{'|'.join(_CONNECTIVES)})\s)")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_OPENERS = "\"'“‘«„‹¿¡[{"
_NUMBERISH = re.compile(r"[\d(]|[IVXLC]+\b|[A-Z]{1,8}(?:\.\d+)?/")
_MULTI_INITIALS = re.compile(r"(?:\w\.)+\w")
_CANDIDATES: dict[str, re.Pattern] = {}


def check_lang(lang: str) -> str:
    """The language code the splitter knows for `lang`, region or script subtag dropped ("zh-CN", "pt_BR" ->
    "zh", "pt"); an AlignError naming the known codes when it knows none."""
    lang = re.split(r"[-_]", (lang or "").strip().lower())[0]
    if lang not in LANGS:
        raise AlignError(f"unknown language code {lang!r}; known: {', '.join(sorted(LANGS))}")
    return lang


def _candidates(lang: str, r: Rules) -> re.Pattern:
    if lang not in _CANDIDATES:
        t, c, sc = re.escape(r.terminals), re.escape(r.closers), re.escape(r.spaced_closers)
        closers = rf"(?:[{c}]|\s+(?=[{sc}]))*"
        after = r"(?=\s|$)" if r.spaced else ""
        _CANDIDATES[lang] = re.compile(rf"(?P<term>[{t}]+){closers}{after}")
    return _CANDIDATES[lang]


def _prev_token(text: str, end: int) -> str:
    """The whitespace-delimited token ending at ``end``, without opening quotes or brackets."""
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end].lstrip(_OPENERS + "(")


def _word_before(text: str, pos: int) -> str:
    """The token before ``pos``, skipping whitespace (cheap: never looks further back than that token)."""
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    return _prev_token(text, pos)


def _vetoed(text: str, term_start: int, term: str, nxt: int, seg_start: int, lang: str, r: Rules) -> bool:
    """True when the terminal at ``term_start`` does not end a sentence; the next sentence would start at ``nxt``."""
    follow = text[nxt:nxt + 40].lstrip(_OPENERS)
    if not follow:
        return False
    if follow[0] in ",;:" or follow[0] in r.continuations:
        return True
    if r.cased and follow[0].islower() and not re.match(rf"{_ENUM}\s", follow):
        return True
    if term != ".":
        return False
    tok = _prev_token(text, term_start)
    low = tok.lower()
    bare = re.split(r"['’]", low)[-1]  # an elided article goes with the abbreviation: "l'art.", "dell'art."
    if {low, bare} & r.abbrev or ({low, bare} & r.abbrev_num and _NUMBERISH.match(follow)):
        return True
    # Initials and one-letter abbreviations ("J. Smith", "p. 5", "د."); I, V and X are roman numerals,
    # which do end sentences ("contained in annex I.").
    if len(tok) == 1 and tok.isalpha() and tok not in "IVX":
        return True
    # "e.g."-style tokens in a script without case: nothing else can tell, keep them whole.
    if not r.cased and _MULTI_INITIALS.fullmatch(tok):
        return True
    if term_start - seg_start < 24 and _ENUM_ONLY.fullmatch(text[seg_start:term_start + 1].strip()):
        return True
    if r.ordinal_dot and re.fullmatch(r"\d{1,2}", tok) and \
            not _refers(_word_before(text, term_start - len(tok)), r.refs):
        return True
    return False


def _refers(word: str, refs: frozenset) -> bool:
    word = word.lower().strip(_OPENERS + "()")
    return word in refs or any(s.endswith("*") and word.startswith(s[:-1]) for s in refs)


def _relocated(text: str, term_start: int, seg_start: int, r: Rules) -> int | None:
    """Where the break goes when "N." is a paragraph number glued to a heading (``r.refs``), else None."""
    if not r.refs or r.ordinal_dot:
        return None
    tok = _prev_token(text, term_start)
    tok_start = term_start - len(tok)
    # Roman numerals stay out: "Habitat III." and "World War II." end sentences.
    if not re.fullmatch(r"\d{1,3}", tok) or tok_start <= seg_start:
        return None
    before = _word_before(text, tok_start)
    if not before or before[-1] in r.terminals:
        return None
    # "..., 10. Requests": a clause ending in a comma is not followed by a sentence-final bare number
    # ("paragraphs 5, 10." has a number before the comma).
    if before[-1] in ",;" and not before[:-1].isdigit():
        return tok_start
    return None if _refers(before, r.refs) else tok_start


def sentence_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """Consecutive ``(start, end)`` spans that cover ``text`` exactly, one per sentence."""
    lang = check_lang(lang)
    r = RULES[lang]
    if not text:
        return []
    n = len(text)
    forced = {m.end() for m in _BLANK_LINE.finditer(text)}
    if r.spaced:
        forced |= {m.end() for m in _PARA_AFTER_COLON.finditer(text)}
    quotes: list[tuple[int, int]] = []
    if lang == "ar":
        forced |= {m.start() for m in _AR_PARA.finditer(text)}
        verses = list(_VERSE_NUMBER.finditer(text))
        forced |= {m.end() + len(text[m.end():]) - len(text[m.end():].lstrip()) for m in verses}
        numbers = {m.span() for m in verses}
        quotes = [m.span() for m in _QURAN_QUOTE.finditer(text) if m.span() not in numbers]
    end = len(text.rstrip())
    cuts = sorted(p for p in forced if 0 < p < end)
    breaks = set(cuts)
    last = 0
    for m in _candidates(lang, r).finditer(text):
        nxt = m.end()
        while nxt < n and text[nxt].isspace():
            nxt += 1
        if nxt >= n:
            break
        i = bisect.bisect_right(cuts, m.start())
        seg_start = max(last, cuts[i - 1] if i else 0)
        term = m.group("term")
        if any(a < m.start() < b - 1 for a, b in quotes):
            continue  # inside a Quranic quotation
        if lang == "ar" and _saying_follows(text, m, nxt):
            continue
        if not _vetoed(text, m.start(), term, nxt, seg_start, lang, r):
            at = _relocated(text, m.start(), seg_start, r) if term == "." else None
            breaks.add(at or nxt)
            last = at or nxt
    bounds = [0, *sorted(breaks), n]
    spans = list(zip(bounds, bounds[1:]))
    if lang == "ar":
        spans = [piece for a, b in spans for piece in _clause_breaks(text, a, b, quotes)]
    return spans


def _saying_follows(text: str, m: re.Match, nxt: int) -> bool:
    """A closing quote after the terminal, then a verb of saying: ``«...؟» قال الرجل`` is one sentence."""
    # Only after "؟" or "!": a full stop inside the quote ends the sentence in news Arabic ("...» وقال"), 1.3%
    # of ntrex-ar-en's sentence ends lost when it counted too.
    group = text[m.start():m.end()]
    if not any(c in "»”\"" for c in group) or not any(c in "؟!?" for c in group):
        return False
    word = text[nxt:nxt + 12].split(maxsplit=1)
    return bool(word) and word[0].rstrip("،,:.؟!") in _SAYING


def _clause_breaks(text: str, a: int, b: int, quotes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Span [a, b) cut at clause boundaries when it is a long chained sentence (more than LONG_SENTENCE words);
    every piece keeps at least MIN_CLAUSE words."""
    words = text.count(" ", a, b) + 1
    if words <= LONG_SENTENCE:
        return [(a, b)]
    out, start = [], a
    for m in _CLAUSE.finditer(text, a, b):
        cut = m.end()
        if any(q0 < cut < q1 for q0, q1 in quotes):
            continue
        if len(text[start:cut].split()) >= MIN_CLAUSE and len(text[cut:b].split()) >= MIN_CLAUSE:
            out.append((start, cut))
            start = cut
    return out + [(start, b)]


def split_sentences(text: str, lang: str) -> list[str]:
    """The sentences of ``text``, stripped of surrounding whitespace; inner text is left as written."""
    return [s for a, b in sentence_spans(text, lang) if (s := text[a:b].strip())]


# Longest "sentence" handed on whole. The longest segment of the open benchmark sets has 1,425 characters; a
# text without sentence punctuation (a 5 MB line, a data dump, Thai) would otherwise be one giant segment.
MAX_SENTENCE = 5_000
_CLAUSE_END = re.compile(r"[;:,،؛、，；]\s")


def split_long(sentence: str, limit: int = MAX_SENTENCE) -> list[str]:
    """``sentence`` in pieces of at most ``limit`` characters, cut after the last clause mark in the second half
    of each window, else at its last space, else (scripts without spaces) at the limit."""
    pieces, start = [], 0
    while len(sentence) - start > limit:
        window = sentence[start:start + limit]
        marks = [m.end() for m in _CLAUSE_END.finditer(window, limit // 2)]
        cut = marks[-1] if marks else window.rfind(" ", limit // 2) + 1 or limit
        pieces.append(window[:cut].strip())
        start += cut
    pieces.append(sentence[start:].strip())
    return [p for p in pieces if p]

