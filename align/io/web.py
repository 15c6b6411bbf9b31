""".html -> paragraphs, with BeautifulSoup (lxml parser): each block element's own text is a paragraph."""

from __future__ import annotations

import re

from align.errors import AlignError

_DROP = ["script", "style", "noscript", "template", "head", "nav", "svg", "math", "iframe", "object", "button", "select"]
_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    "br",
}


def _walk(node, out: list[str], cur: list[str]) -> None:
    from bs4 import NavigableString, Tag
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction, CData

    for child in node.children:
        if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction, CData)):
            continue
        if isinstance(child, NavigableString):
            cur.append(str(child))
        elif isinstance(child, Tag):
            block = child.name in _BLOCK
            if block:  # text before a block element ends a paragraph, and so does the block itself
                _flush(out, cur)
            _walk(child, out, cur)
            if block:
                _flush(out, cur)


def _flush(out: list[str], cur: list[str]) -> None:
    text = re.sub(r"\s+", " ", "".join(cur).replace("\u00ad", "")).strip()
    if text:
        out.append(text)
    cur.clear()


def read_html(path: str, raw: bytes) -> list[str]:
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(raw, "lxml")  # decodes using the page's declared charset, else detects
    except Exception as e:
        raise AlignError(f"{path}: cannot parse the HTML ({type(e).__name__}: {e})".split("\n")[0]) from None
    for tag in soup(_DROP):
        tag.decompose()
    out: list[str] = []
    cur: list[str] = []
    _walk(soup, out, cur)
    _flush(out, cur)
    if not out:
        raise AlignError(f"{path}: the HTML page has no text")
    return out
