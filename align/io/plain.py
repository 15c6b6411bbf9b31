"""Plain text: decoding (BOM, UTF-8, Windows-1256 Arabic, detected others) and paragraph splitting."""

from __future__ import annotations

import codecs
import os
import re
import sys
import threading

from align.errors import AlignError

# Single-byte/CJK encodings charset-normalizer may propose that we accept. On short inputs it also proposes
# exotic code pages (cp1006, utf_16_be without BOM, ...) that turn plain Latin text into garbage, so anything
# outside this list is ignored and Windows-1252 is used instead.
_COMMON = {
    "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258", "latin_1",
    "iso8859_2", "iso8859_5", "iso8859_6", "iso8859_7", "iso8859_8", "iso8859_9", "iso8859_15", "koi8_r",
    "koi8_u", "mac_cyrillic", "gb2312", "gbk", "gb18030", "big5", "big5hkscs", "shift_jis", "cp932",
    "euc_jp", "euc_kr", "cp949",
}
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3]")


def read_bytes(path: str) -> bytes:
    if not os.path.exists(path):
        raise AlignError(f"{path}: no such file")
    if os.path.isdir(path):
        raise AlignError(f"{path}: is a directory, expected a file")
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise AlignError(f"{path}: cannot read ({e.strerror})") from None
    if not raw.strip():
        raise AlignError(f"{path}: file is empty")
    return raw


def decode(raw: bytes, path: str) -> str:
    """Bytes -> text. BOMs first, then strict UTF-8, then Windows-1256 when it yields Arabic, then detection."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            try:
                return _check_text(raw.decode(enc), path)
            except UnicodeDecodeError:
                raise AlignError(f"{path}: starts with a {enc.upper()} byte-order mark "
                                 "but does not decode as it") from None
    if b"\x00" in raw:  # NUL never occurs in 8-bit or UTF-8 text; UTF-16 without a BOM is not supported
        raise AlignError(f"{path}: looks like a binary file, not text")
    try:
        return _check_text(raw.decode("utf-8"), path)
    except UnicodeDecodeError:
        pass
    text = _mostly_utf8(raw, path)
    if text is not None:
        return _check_text(text, path)
    # Arabic Windows-1256 is the legacy encoding this toolkit meets most; detectors confuse it on short files,
    # so test it directly: when most letters it yields are Arabic, it is right (Latin-1 text gives at most a
    # few stray Arabic letters for its upper-case accented capitals).
    text = raw.decode("cp1256", errors="replace")
    letters = [c for c in text if c.isalpha()]
    if letters and sum(1 for c in letters if _ARABIC_LETTER.match(c)) >= 0.5 * len(letters):
        return _check_text(text, path)
    from charset_normalizer import from_bytes

    candidates = [m for m in from_bytes(raw) if m.encoding in _COMMON]
    if candidates:
        # Least mess, then most language coherence; on short text with no language evidence (coherence 0)
        # every Latin code page ties, and Windows-1252 is by far the most likely. Otherwise ties keep the
        # detector's order.
        best = min(candidates, key=lambda m: (m.chaos, -m.coherence, m.coherence == 0 and m.encoding != "cp1252"))
        return _check_text(str(best), path)
    try:
        return _check_text(raw.decode("cp1252"), path)
    except UnicodeDecodeError:
        raise AlignError(f"{path}: cannot decode "
                         "(not UTF-8, UTF-16 with BOM, Windows-1256 or a known encoding)") from None


# A file is UTF-8 with a few damaged bytes, not a legacy code page, when its valid multi-byte characters
# outnumber its invalid bytes this many times. Windows-1256 Arabic decodes to next to no valid UTF-8
# sequence (its letters are lead bytes followed by other letters, not by continuation bytes): the whole UDHR
# in Windows-1256 has 0 valid ones for ~20,000 invalid bytes; a UTF-8 file with one stray byte, thousands to 1.
_UTF8_MAJORITY = 20
_stray = threading.local()


def _record_stray(e: UnicodeError) -> tuple[str, int]:
    assert isinstance(e, UnicodeDecodeError)
    _stray.positions.extend(range(e.start, e.end))
    return "\ufffd", e.end


codecs.register_error("align-stray-bytes", _record_stray)


def _mostly_utf8(raw: bytes, path: str) -> str | None:
    """The text when ``raw`` is UTF-8 but for a few bytes (replaced by U+FFFD, with a warning naming where
    they are), else None. Decoding such a file whole as Windows-1256 turned it into mojibake, silently."""
    _stray.positions = []
    try:
        text = raw.decode("utf-8", errors="align-stray-bytes")
        bad = _stray.positions
    finally:
        _stray.positions = []
    valid = sum(1 for c in text if ord(c) > 127) - len(bad)
    if valid < _UTF8_MAJORITY * len(bad):
        return None
    newline = b"\n"
    where = ", ".join(f"line {raw.count(newline, 0, p) + 1} (byte {p})" for p in bad[:5])
    more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
    print(f"align: warning: {path}: {len(bad)} byte(s) that are not UTF-8 replaced by U+FFFD: {where}{more}",
          file=sys.stderr)
    return text


# Unicode's control characters (category Cc: U+0000-001F, U+007F-009F) other than tab, newline, vertical tab,
# form feed and carriage return. Counted by regex: a Python loop per character took 0.25 s on unpc-ar-en's 1.7 MB.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _check_text(text: str, path: str) -> str:
    # Control characters other than tab/newline/form feed mean a binary file that happened to decode.
    ctrl = len(_CONTROL.findall(text))
    if ctrl > 0.01 * len(text):
        raise AlignError(f"{path}: looks like a binary file, not text")
    if not text.strip():
        raise AlignError(f"{path}: file is empty")
    return text


def read_text(path: str) -> str:
    return decode(read_bytes(path), path)


# ---- paragraphs ---------------------------------------------------------------------------------------------

# A line "ends a sentence" when its last visible character, after closing quotes/brackets, is one of these.
# Colon and semicolon count too: what follows them is usually a list item, not a continuation.
_CLOSED = re.compile(r"[.!?؟…:;۔。！？]['\"’”»)\]]*\s*$")
_WORD = re.compile(r"\w+(?:[-\u2010]\w+)*")


def ends_open(line: str) -> bool:
    return bool(line.strip()) and not _CLOSED.search(line)


def continues(prev: str, nxt: str) -> bool:
    """True when ``nxt`` carries on the sentence ``prev`` left open (a wrap or a page break in mid-sentence):
    ``prev`` lacks final punctuation and ``nxt`` starts with a lower-case letter. Scripts without case
    (Arabic) never match: there is no safe signal for them."""
    s = nxt.lstrip()
    return ends_open(prev) and bool(s) and s[0].islower()


def join_lines(lines: list[str], vocab: set[str] | None = None) -> str:
    """Join wrapped lines with spaces, undoing end-of-line hyphenation: a soft hyphen always goes; a hard
    hyphen goes unless the hyphenated form is attested elsewhere in the document (``vocab``) and the joined
    form is not, so "inter-/national" -> "international" but "co-/operation" stays when written so elsewhere."""
    out = ""
    for line in lines:
        line = line.strip()
        if not out:
            out = line
            continue
        m = re.search(r"(\w+)([-\u2010\u00ad])$", out)
        if m and line[:1].islower():
            left, hyph = m.group(1), m.group(2)
            word = _WORD.match(line)
            right = word.group(0) if word else ""
            keep = (
                hyph != "\u00ad"
                and vocab is not None
                and f"{left}-{right}".lower() in vocab
                and f"{left}{right}".lower() not in vocab
            )
            out = (out if keep else out[:-1]) + line
        else:
            out = out + " " + line
    return re.sub(r"\s+", " ", out).strip()


def vocabulary(text: str) -> set[str]:
    return {w.lower().replace("\u2010", "-") for w in _WORD.findall(text)}


def _wrap_width(blocks: list[list[str]]) -> int | None:
    """The column a hard-wrapped text was wrapped at, or None when lines are not hard-wrapped.

    Only lines followed by another line of the same block can be wrapped. In hard-wrapped text many of them
    end just short of one column and next to none pass it; in text written one paragraph per line (the
    UDHR exports, UN plain text) lengths are spread out with a long tail. So: take the 90th percentile of
    their lengths as the candidate column, and call the text wrapped when at least 30% of those lines lie
    within 20% below it and hardly any (2%) lie more than 10% beyond it."""
    lens = sorted(len(line.rstrip()) for b in blocks for line in b[:-1])
    if len(lens) < 3:
        return None
    width = lens[int(0.9 * (len(lens) - 1))]
    near = sum(1 for n in lens if 0.8 * width <= n <= width)
    over = sum(1 for n in lens if n > 1.1 * width)
    return width if width >= 20 and near >= 0.3 * len(lens) and over <= 0.02 * len(lens) else None


def _is_wrap(prev: str, nxt: str, width: int) -> bool:
    """A greedy wrapper moves a word to the next line only when it does not fit: so ``prev`` is full when
    prev + space + the next line's first word would pass the wrap column. A full line that ends a sentence
    before a line starting in upper case may just as well end a paragraph; splitting there costs the aligner
    little, a wrong merge costs more, so only lines continuing mid-sentence are joined."""
    first = nxt.strip().split(" ", 1)[0]
    full = len(prev.rstrip()) + 1 + len(first) > width and len(prev.rstrip()) >= 0.6 * width
    return full and (ends_open(prev) or nxt.strip()[:1].islower())


def _is_rule(line: str) -> bool:
    # A line without any letter or digit ("---", "* * *", "____") is a visual separator, not text.
    return not any(c.isalnum() for c in line)


def split_paragraphs(text: str) -> list[str]:
    """Blank lines separate blocks; inside a block each line is a paragraph (UN exports, UDHR: one
    paragraph, title or list item per line) unless the text is hard-wrapped, in which case only lines
    that are full to the wrap column are joined to the next. Finally a paragraph left open (no final
    punctuation) followed by one starting in lower case is the same paragraph split by a wrap or a page
    break, and they are joined."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n").expandtabs()
    blocks, cur = [], []
    for line in text.split("\n"):
        if line.strip() and not _is_rule(line):
            cur.append(line.rstrip())
        elif cur:  # a blank line or a rule ends the block
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    width = _wrap_width(blocks)
    groups: list[list[str]] = []
    for block in blocks:
        groups.append([block[0]])
        for prev, line in zip(block, block[1:]):
            if width and _is_wrap(prev, line, width):
                groups[-1].append(line)
            else:
                groups.append([line])
    merged: list[list[str]] = []
    for g in groups:
        if merged and continues(merged[-1][-1], g[0]):
            merged[-1].extend(g)
        else:
            merged.append(g)
    vocab = vocabulary(text)
    return [p for p in (join_lines(g, vocab) for g in merged) if p]
