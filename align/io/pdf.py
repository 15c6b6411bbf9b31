"""PDF text layer -> paragraphs, with pdfminer.six.

pdfminer finds the text lines and their reading order (columns included). Each line's text is rebuilt here
from its glyphs, first put in visual (left-to-right) order whatever order the producer wrote them in:
- Arabic presentation forms and Latin ligature glyphs are folded to plain letters (NFKC on those only);
- combining marks (shadda, tashkeel) stay with the letter they belong to;
- right-to-left lines are turned from visual back into logical order (reverse, then re-reverse the
  left-to-right runs such as numbers, symbols like S/2018/972 and Latin words).
Lines are then grouped into paragraphs by vertical gaps, indentation and whether a line is full to the
column edge; running headers/footers repeated on several pages and bare page numbers are dropped, and
end-of-line hyphens are undone.
"""

from __future__ import annotations

import re
import statistics
import threading
import unicodedata
import zlib
from dataclasses import dataclass

from align.errors import AlignError
from align.io.plain import ends_open, continues, join_lines, vocabulary

_FOLD = re.compile(r"[\uFB00-\uFB06\uFB50-\uFDFF\uFE70-\uFEFF]")  # Latin ligatures, Arabic presentation forms
_CID = re.compile(r"\(cid:\d+\)")  # how pdfminer writes a glyph its font maps to no character
_PAGE_NUMBER = re.compile(r"^\W*(page\s*)?\d+(\s*(/|of)\s*\d+)?\W*$", re.I)


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float  # distance from the top of the page
    bottom: float
    size: float  # glyph height, ~ the font size
    rtl: bool
    first_word: float  # width of the line's first word in reading order
    page: int
    page_height: float


def _direction(ch: str) -> str:
    d = unicodedata.bidirectional(ch)
    if d in ("R", "AL"):
        return "R"
    if d in ("L", "EN", "AN"):  # digits read left to right inside Arabic too
        return "L"
    return "N"


def _reorder(clusters: list[str], rtl: bool) -> list[str]:
    """Visual (left-to-right) clusters -> logical order, for a line of base direction ``rtl``: runs of the
    other direction (with neutrals inside them) keep their order, the rest is reversed for RTL lines."""
    dirs = [_direction(c[0]) if c.strip() else "N" for c in clusters]  # marks are "N": they join their run
    base, other = ("R", "L") if rtl else ("L", "R")
    out = clusters[::-1] if rtl else list(clusters)
    dirs = dirs[::-1] if rtl else dirs
    i = 0
    while i < len(out):
        if dirs[i] != other:
            i += 1
            continue
        # The run goes on through neutrals up to the last cluster of the other direction before the next
        # cluster of the base direction: "S/2018/972" or "Human Rights" in Arabic, an Arabic phrase in English.
        j = k = i
        while j + 1 < len(out) and dirs[j + 1] != base:
            j += 1
            if dirs[j] == other:
                k = j
        out[i : k + 1] = out[i : k + 1][::-1]
        i = k + 1
    return out


def _visual(chars, rtl: bool) -> list:
    """The line's glyphs in visual (left-to-right) order, marks included. Producers write a run either left to
    right (shaping engines emit RTL text reversed, each mark just before its letter) or in logical order
    (right to left): in both cases the content-stream order is kept, which places marks exactly. Only a
    stream that jumps about is sorted by position, each mark then put next to the letter under it."""
    bases = [c for c in chars if not _is_mark(c)]
    tol = 0.3 * max(c.height for c in bases)
    xs = [c.x0 for c in bases]
    if all(b >= a - tol for a, b in zip(xs, xs[1:])):
        return list(chars)
    if all(b <= a + tol for a, b in zip(xs, xs[1:])):
        return list(chars)[::-1]
    out = sorted(bases, key=lambda c: c.x0)
    for m in (c for c in chars if _is_mark(c)):
        mid = (m.x0 + m.x1) / 2
        i = min(range(len(out)), key=lambda i: abs((out[i].x0 + out[i].x1) / 2 - mid) if not _is_mark(out[i]) else 1e9)
        out.insert(i if rtl else i + 1, m)  # a mark follows its letter in logical order
    return out


def _is_mark(c) -> bool:
    return bool(unicodedata.combining(c.get_text()[:1] or " "))


def _line_from_chars(chars, page: int, page_height: float) -> _Line | None:
    bases = [c for c in chars if not _is_mark(c)]
    if not bases:
        return None
    strong = [_direction(ch) for c in bases for ch in c.get_text()[:1]]
    rtl = strong.count("R") > strong.count("L")
    size = statistics.median(c.height for c in bases)
    items: list[str] = []
    prev = None
    for c in _visual(chars, rtl):
        t = _FOLD.sub(lambda m: unicodedata.normalize("NFKC", m.group()), _CID.sub("", c.get_text()))
        if not _is_mark(c):
            # Many PDFs have no space glyphs: a gap wider than a fifth of the font size is a word space.
            if prev is not None and not t.isspace() and not prev.get_text().isspace() and c.x0 - prev.x1 > 0.2 * size:
                items.append(" ")
            prev = c
        items.append(t)
    text = re.sub(r"\s+", " ", "".join(_reorder(items, rtl))).strip()
    if not text:
        return None
    # Width of the first word in reading order (the rightmost one for RTL lines): used to tell whether the
    # previous line had room for it, i.e. whether that line ended a paragraph.
    ordered = sorted(bases, key=lambda c: -c.x1 if rtl else c.x0)
    first = _first_word(ordered, size)
    first_width = max(c.x1 for c in first) - min(c.x0 for c in first) if first else 0.0
    return _Line(text, min(c.x0 for c in bases), max(c.x1 for c in bases), page_height - max(c.y1 for c in bases),
                 page_height - min(c.y0 for c in bases), size, rtl, first_width, page, page_height)


def _first_word(seq, size: float) -> list:
    """The glyphs of the first word of ``seq`` (glyphs in reading order): up to a space glyph or a gap."""
    out: list = []
    for c in seq:
        if c.get_text().isspace() or (out and max(c.x0 - out[-1].x1, out[-1].x0 - c.x1) > 0.2 * size):
            break
        out.append(c)
    return out


# Budget of inflated (Flate) stream bytes per PDF. A 1 MB Flate bomb inflates to 1 GB; real text PDFs
# inflate to a few MB (content streams and fonts, ~5-10x their compressed size). Checked stream by stream,
# in 1 MB chunks, before pdfminer inflates a stream whole.
MAX_INFLATED = 256 * 1024**2
_REF_HOPS = 32  # an indirect object that is itself a reference: at most this many hops (a loop never ends)
_budget = threading.local()


def _bounded_document_class():
    """pdfminer's PDFDocument whose ``getobj`` never returns a bare reference: it follows a chain of
    references itself, refusing a loop. (pdfminer's ``resolve1`` loops forever on ``6 0 obj 6 0 R endobj``,
    e.g. as a stream's /Length: a 684-byte PDF hung ``align corpus`` for good.)"""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.pdftypes import PDFObjRef

    class BoundedDocument(PDFDocument):
        def getobj(self, objid: int) -> object:
            obj, seen = super().getobj(objid), {objid}
            while isinstance(obj, PDFObjRef):
                if obj.objid in seen or len(seen) > _REF_HOPS:
                    _budget.loop = f"object {objid} refers to itself through {len(seen)} reference(s)"
                    raise PDFSyntaxError(_budget.loop)
                seen.add(obj.objid)
                obj = super().getobj(obj.objid)
            return obj

    return BoundedDocument


def _cap_flate() -> None:
    """Make pdfminer check a Flate stream's inflated size against this thread's budget before inflating it
    (pdfminer has no such setting; other users of pdfminer, with no budget set, are unaffected)."""
    from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream

    if getattr(PDFStream.decode, "_align_capped", False):
        return
    decode = PDFStream.decode

    def capped(self) -> None:
        left = getattr(_budget, "left", None)
        if left is not None and not self.decipher and self.rawdata is not None and any(
                f in LITERALS_FLATE_DECODE for f, _ in self.get_filters()):
            _budget.left = left - _inflated_size(self.rawdata, left)
        decode(self)

    capped._align_capped = True  # type: ignore[attr-defined]
    PDFStream.decode = capped  # type: ignore[method-assign]


def _inflated_size(data: bytes, limit: int) -> int:
    """Bytes ``data`` inflates to, counted 1 MB at a time; AlignError past ``limit``. Broken data counts as
    what inflated before the error (pdfminer then does its own recovery)."""
    d, n = zlib.decompressobj(), 0
    try:
        chunk = d.decompress(data, 1 << 20)
        while True:
            n += len(chunk)
            if n > limit:
                raise AlignError(f"the PDF's compressed streams inflate to more than {MAX_INFLATED >> 20} MB "
                                 f"(a decompression bomb?); not read")
            if not d.unconsumed_tail:
                break
            chunk = d.decompress(d.unconsumed_tail, 1 << 20)
    except zlib.error:
        pass
    return n


def _layouts(path: str):
    """pdfminer's ``extract_pages``, with reference loops refused and Flate streams capped."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    _cap_flate()
    with open(path, "rb") as fp:
        doc = _bounded_document_class()(PDFParser(fp))
        manager = PDFResourceManager()
        device = PDFPageAggregator(manager, laparams=LAParams())
        interpreter = PDFPageInterpreter(manager, device)
        for page in PDFPage.create_pages(doc):
            interpreter.process_page(page)
            yield device.get_result()


def _lines(path: str) -> list[_Line]:
    from pdfminer.layout import LTChar, LTTextBox, LTTextLine
    from pdfminer.pdfdocument import PDFPasswordIncorrect, PDFEncryptionError

    lines: list[_Line] = []
    glyphs = unmapped = 0
    _budget.left, _budget.loop = MAX_INFLATED, None
    try:
        for pno, page in enumerate(_layouts(path)):
            for box in _reading_order([b for b in page if isinstance(b, LTTextBox)]):
                for tl in box:
                    if isinstance(tl, LTTextLine):
                        chars = [c for c in tl if isinstance(c, LTChar)]
                        glyphs += len(chars)
                        unmapped += sum(1 for c in chars if _CID.fullmatch(c.get_text()))
                        line = _line_from_chars(chars, pno, page.height) if chars else None
                        if line:
                            lines.append(line)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise AlignError(f"{path}: the PDF is encrypted and needs a password") from None
    except AlignError as e:
        raise AlignError(f"{path}: {e}") from None
    except RecursionError:  # nesting deeper than Python's stack (arrays in arrays..., forms drawing forms)
        raise AlignError(f"{path}: cannot read the PDF (its objects nest too deeply)") from None
    except Exception as e:  # pdfminer raises many kinds (PDFSyntaxError, PSEOF, KeyError...) on broken files
        raise AlignError(f"{path}: cannot read the PDF ({type(e).__name__}: {e})".split("\n")[0]) from None
    finally:
        _budget.left, loop = None, _budget.loop
    if not lines and loop:  # pdfminer skipped what it could not parse: say why nothing was left
        raise AlignError(f"{path}: cannot read the PDF (damaged: {loop})")
    if unmapped > 0.5 * glyphs:
        raise AlignError(f"{path}: the PDF's fonts do not say which characters their glyphs are; run OCR first")
    return lines


def _reading_order(boxes: list) -> list:
    """pdfminer orders text boxes for left-to-right layouts (columns included), which puts the short last
    line of a right-aligned Arabic paragraph after the text below it. When no two boxes stand side by side
    the page is a single column, and plain top-to-bottom order is right for both directions; otherwise
    pdfminer's column order is kept."""
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if min(a.y1, b.y1) > max(a.y0, b.y0) and (a.x1 < b.x0 or b.x1 < a.x0):
                return boxes
    return sorted(boxes, key=lambda b: -b.y1)


def _drop_furniture(lines: list[_Line]) -> list[_Line]:
    """Drop page numbers and running headers/footers: lines in the top or bottom 8% of a page that are a bare
    page number ("3", "- 3 -", "3/12", "Page 3 of 12"), or whose exact text recurs in the same margin of
    another page. The first occurrence of a recurring one is kept: on the first page it is usually real
    content (a document symbol). Digits are not masked, or "Article 17" at the top of one page and
    "Article 23" at the top of another would count as a running header."""
    if len({l.page for l in lines}) < 2:
        return lines

    def zone(l: _Line) -> str | None:
        return "top" if l.top < 0.08 * l.page_height else "bottom" if l.bottom > 0.92 * l.page_height else None

    pages: dict[tuple, set[int]] = {}
    for l in lines:
        if zone(l):
            pages.setdefault((zone(l), l.text), set()).add(l.page)
    out, kept = [], set()
    for l in lines:
        z = zone(l)
        if z and _PAGE_NUMBER.match(l.text):
            continue
        if z and len(pages[(z, l.text)]) > 1:
            if (z, l.text) in kept:
                continue
            kept.add((z, l.text))
        out.append(l)
    return out


def _paragraphs(lines: list[_Line]) -> list[str]:
    if not lines:
        return []
    # Typical distance between consecutive lines of one paragraph, relative to the font size.
    # (a low percentile: many pairs are paragraph ends with extra spacing; the tightest are lines wrapped
    # inside a paragraph).
    pitches = sorted((b.top - a.top) / a.size for a, b in zip(lines, lines[1:]) if a.page == b.page and b.top > a.top)
    pitch = pitches[len(pitches) // 10] if pitches else 1.2
    # Column edges per page: text lines reach these when they wrap.
    left = {p: min(l.x0 for l in lines if l.page == p) for p in {l.page for l in lines}}
    right = {p: max(l.x1 for l in lines if l.page == p) for p in {l.page for l in lines}}
    # Does the layout put space between paragraphs? Then a full line at the normal pitch is always a wrap.
    # Without that space a full line that closes a sentence may as well end its paragraph; as for plain text,
    # such a line is joined only when the sentence goes on. The same holds across a page break.
    spaced = sum(p > 1.25 * pitch for p in pitches) >= 0.1 * len(pitches) if pitches else False
    groups: list[list[_Line]] = [[lines[0]]]
    for a, b in zip(lines, lines[1:]):
        free = (a.x0 - left[a.page]) if a.rtl else (right[a.page] - a.x1)
        # Full: the next line's first word (plus a space) would not have fitted on this line.
        full = free < b.first_word + a.size  # (one em of slack: engines differ in padding)
        goes_on = ends_open(a.text) or b.text[:1].islower()
        if b.page != a.page:
            same = full and a.rtl == b.rtl and goes_on
        else:
            gap = (b.top - a.top) / a.size
            indent = (a.x1 - b.x1) if a.rtl else (b.x0 - a.x0)
            same = (full and a.rtl == b.rtl and gap < pitch * 1.25 and indent < a.size
                    and abs(b.size - a.size) < 0.15 * a.size and (spaced or goes_on))
        # A line left open followed by one in lower case continues it, whatever the layout says.
        if same or continues(a.text, b.text):
            groups[-1].append(b)
        else:
            groups.append([b])
    vocab = vocabulary("\n".join(l.text for l in lines))
    return [join_lines([l.text for l in g], vocab) for g in groups]


def read_pdf(path: str) -> list[str]:
    lines = _lines(path)
    if not lines:
        raise AlignError(f"{path}: the PDF has no text layer (a scanned image?); run OCR first")
    return [p for p in _paragraphs(_drop_furniture(lines)) if p]
