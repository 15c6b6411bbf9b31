"""Reading files into Documents. Entry point: ``read_document(path, lang, segmented=False)``.

Plain text is decoded from UTF-8 (with or without BOM), UTF-16 (with BOM) or Windows-1256 (detected);
paragraphs are blank-line separated, or one per line when a file has (almost) no blank lines.
"""

from __future__ import annotations

import os
import re

from align.document import Document, Paragraph
from align.errors import AlignError
from align.segment import check_lang, split_sentences


def read_text(path: str) -> str:
    if not os.path.exists(path):
        raise AlignError(f"{path}: no such file")
    if os.path.isdir(path):
        raise AlignError(f"{path}: is a directory, expected a file")
    with open(path, "rb") as f:
        raw = f.read()
    if not raw.strip():
        raise AlignError(f"{path}: file is empty")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw:
        raise AlignError(f"{path}: looks like a binary file, not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1256")
    except UnicodeDecodeError:
        raise AlignError(f"{path}: cannot decode (not UTF-8, UTF-16 or Windows-1256)") from None
    return text


def split_paragraphs(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    nonblank = sum(1 for l in lines if l.strip())
    blank_runs = len(re.findall(r"\n[ \t]*\n", text.replace("\r\n", "\n")))
    if blank_runs < 0.05 * nonblank:  # (almost) no blank lines: one paragraph per line
        return [l.strip() for l in lines if l.strip()]
    blocks = re.split(r"\n[ \t]*\n", "\n".join(lines))
    return [re.sub(r"\s*\n\s*", " ", b).strip() for b in blocks if b.strip()]


def read_document(path: str, lang: str, segmented: bool = False) -> Document:
    lang = check_lang(lang)
    text = read_text(path)
    if segmented:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        paras = [Paragraph(text=l, sentences=[l]) for l in lines]
        return Document(paras, lang, path, segmented=True)
    paras = [Paragraph(text=p) for p in split_paragraphs(text)]
    for p in paras:
        p.sentences = split_sentences(p.text, lang) or [p.text]
    return Document(paras, lang, path)
