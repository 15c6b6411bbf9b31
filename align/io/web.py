""".html -> paragraphs, with BeautifulSoup (lxml parser): each block element's own text is a paragraph."""

from __future__ import annotations

import re

from align.errors import AlignError

_DROP = ["script", "style", "noscript", "template", "head", "nav", "svg", "math", "iframe", "object", "button",
         "select"]
_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    "br",
}


def _walk(root, out: list[str], cur: list[str]) -> None:
    """The text of ``root`` in document order into ``cur``, a paragraph flushed to ``out`` before and after each
    block element. With a stack, not recursion: a page nesting 100,000 elements passed Python's limit."""
    from bs4 import NavigableString, Tag
    from bs4.element import CData, Comment, Declaration, Doctype, ProcessingInstruction

    stack, blocks = [iter(root.children)], [False]
    while stack:
        child = next(stack[-1], None)
        if child is None:  # the element is done: a block ends its paragraph
            stack.pop()
            if blocks.pop():
                _flush(out, cur)
        elif isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction, CData)):
            continue
        elif isinstance(child, NavigableString):
            cur.append(str(child))
        elif isinstance(child, Tag):
            if child.name in _BLOCK:  # text before a block element ends a paragraph
                _flush(out, cur)
            stack.append(iter(child.children))
            blocks.append(child.name in _BLOCK)


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
    try:
        _walk(soup, out, cur)
    except RecursionError:  # inside BeautifulSoup, on a page nested deeper than Python's stack
        raise AlignError(f"{path}: cannot read the HTML (its elements nest too deeply)") from None
    _flush(out, cur)
    if not out:
        raise AlignError(f"{path}: the HTML page has no text")
    return out
