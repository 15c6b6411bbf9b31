"""Reading files into Documents. Entry point: ``read_document(path, lang, segmented=False)``.

The reader is chosen by file extension: .docx (python-docx), .pdf (pdfminer.six), .html/.htm (BeautifulSoup),
.tmx and .xlf/.xliff (translate-toolkit; ``read_tm_pairs`` gives their aligned pairs), anything else is plain text
(UTF-8 with or without BOM, UTF-16 with BOM, Windows-1256 Arabic, or a detected legacy encoding). Every
problem with the input is raised as ``AlignError`` with a one-line message.
"""

from __future__ import annotations

import os

from align.document import Document, Paragraph
from align.errors import AlignError
from align.io.plain import read_bytes, read_text, split_paragraphs
from align.segment import check_lang, split_long, split_sentences

__all__ = ["read_text", "split_paragraphs", "read_document", "read_tm_pairs", "read_paragraphs"]

_TM = (".tmx", ".xlf", ".xliff")
# Binary office formats that would otherwise be rejected as "binary file": say what to do instead.
_UNSUPPORTED = (".doc", ".odt", ".rtf", ".xls", ".xlsx", ".ppt", ".pptx", ".epub")


def _ext(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def _supported_ext(path: str) -> str:
    ext = _ext(path)
    if ext in _UNSUPPORTED:
        raise AlignError(f"{path}: {ext} files are not supported; save it as .docx, .pdf, .html or .txt")
    return ext


def read_paragraphs(path: str) -> list[str]:
    """The paragraphs of any supported file, as text."""
    ext = _supported_ext(path)
    if ext == ".docx":
        from align.io.word import read_docx

        read_bytes(path)  # same missing/empty-file messages as for text
        return read_docx(path)
    if ext == ".pdf":
        from align.io.pdf import read_pdf

        read_bytes(path)
        return read_pdf(path)
    if ext in (".html", ".htm", ".xhtml"):
        from align.io.web import read_html

        return read_html(path, read_bytes(path))
    return split_paragraphs(read_text(path))


def read_tm_pairs(path: str, src_lang: str, tgt_lang: str) -> list[tuple[str, str]]:
    """(source, target) segment pairs of a TMX or XLIFF file, for re-scoring an existing translation memory."""
    src_lang, tgt_lang = check_lang(src_lang), check_lang(tgt_lang)
    if _ext(path) not in _TM:
        raise AlignError(f"{path}: pairs can only be read from .tmx, .xlf or .xliff files")
    from align.io.tm import read_units

    return read_units(path, read_bytes(path), src_lang, tgt_lang)


def _label(paras: list[Paragraph], lang: str) -> list[Paragraph]:
    # align.structure (UN header, numbered paragraphs, signature...) is optional: used once it exists.
    try:
        from align.structure import label_paragraphs
    except ImportError as e:
        if e.name not in (None, "align.structure"):  # structure.py exists but one of its imports is broken
            raise
        return paras
    label_paragraphs(paras, lang)  # sets `label` and `number` in place
    return paras


def read_document(path: str, lang: str, segmented: bool = False) -> Document:
    lang = check_lang(lang)
    if _supported_ext(path) in _TM:
        # A translation memory is already segmented: its units for this language, one segment each.
        from align.io.tm import read_side

        units = read_side(path, read_bytes(path), lang)
        return Document([Paragraph(text=u, sentences=[u]) for u in units], lang, path, segmented=True)
    if segmented:
        if _ext(path) in (".docx", ".pdf", ".html", ".htm", ".xhtml"):
            lines = read_paragraphs(path)  # one segment per paragraph: these formats have no "lines"
        else:
            lines = read_text(path).replace("\r\n", "\n").replace("\r", "\n").split("\n")
            if lines and lines[-1] == "":
                lines.pop()
        return Document([Paragraph(text=l, sentences=[l]) for l in lines], lang, path, segmented=True)
    paras = [Paragraph(text=p) for p in read_paragraphs(path)]
    for p in paras:
        p.sentences = [piece for s in (split_sentences(p.text, lang) or [p.text]) for piece in split_long(s)]
    return Document(_label(paras, lang), lang, path)
