"""Reading already-aligned pairs for `align score`: TSV, Moses, TMX or an `align pair` JSONL.

Each reader returns a list of dicts with at least ``src`` and ``tgt``; JSONL rows keep their other fields
(``src_ids``, ``tgt_ids``, ``score`` ...). Formats:

- ``tsv``:   one pair per line, ``source<TAB>target``; a line without a tab is an error (a stray tab in the
             text would shift the columns, so more than one tab is an error too).
- ``moses``: two files with the same number of lines, line i of one translating line i of the other:
             ``PAIRS`` plus ``--tgt-file``, or ``NAME.<src-lang>`` with ``NAME.<tgt-lang>`` beside it.
- ``tmx``:   a translation memory, TMX or XLIFF, read by align.io (translate-toolkit); variants are picked
             by language (``ar`` matches ``ar-SA``); units without both languages are skipped.
- ``jsonl``: the output of ``align pair --format jsonl``: rows with ``src`` and ``tgt`` are pairs, any other
             row (the signature/header line) is skipped; when both levels are present only sentence links are
             read.
"""

from __future__ import annotations

import os

from align.errors import AlignError

INPUT_FORMATS = ("auto", "tsv", "moses", "tmx", "jsonl")


def _text(path: str) -> str:
    from align.io.plain import read_text   # UTF-8 with or without BOM, UTF-16, Windows-1256, clear errors

    return read_text(path)


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()                      # the newline that ends the last line
    return [l.rstrip("\r") for l in lines]


def read_tsv(path: str) -> list[dict]:
    pairs = []
    for n, line in enumerate(_lines(_text(path)), 1):
        if line.count("\t") != 1:
            raise AlignError(f"{path}:{n}: expected 'source<TAB>target', found {line.count(chr(9))} tabs")
        src, tgt = line.split("\t")
        pairs.append({"src": src, "tgt": tgt})
    return pairs


def read_moses(src_path: str, tgt_path: str) -> list[dict]:
    src, tgt = _lines(_text(src_path)), _lines(_text(tgt_path))
    if len(src) != len(tgt):
        raise AlignError(f"{src_path} has {len(src)} lines but {tgt_path} has {len(tgt)}: not Moses pairs")
    return [{"src": s, "tgt": t} for s, t in zip(src, tgt)]


def read_tm(path: str, src_lang: str, tgt_lang: str) -> list[dict]:
    from align.io import read_tm_pairs   # TMX and XLIFF, with translate-toolkit

    return [{"src": s, "tgt": t} for s, t in read_tm_pairs(path, src_lang, tgt_lang)]


def read_jsonl(path: str) -> list[dict]:
    from align.formats import json_lines

    rows = []
    for n, row in json_lines(_text(path), path):
        if isinstance(row, dict) and "src" in row and "tgt" in row:
            if not (isinstance(row["src"], str) and isinstance(row["tgt"], str)):
                raise AlignError(f"{path}:{n}: src and tgt must be text (strings)")
            rows.append(row)
    if any(r.get("level") == "sentence" for r in rows):
        rows = [r for r in rows if r.get("level", "sentence") == "sentence"]
    return rows


def detect_format(path: str, tgt_file: str | None, src_lang: str, tgt_lang: str) -> tuple[str, str | None]:
    """(format, target file for Moses) from the options and the file name."""
    if tgt_file:
        return "moses", tgt_file
    lower = path.lower()
    if lower.endswith((".tmx", ".xlf", ".xliff")):
        return "tmx", None
    if lower.endswith((".jsonl", ".json")):
        return "jsonl", None
    root, ext = os.path.splitext(path)
    if ext == f".{src_lang}" and os.path.isfile(f"{root}.{tgt_lang}"):
        return "moses", f"{root}.{tgt_lang}"
    return "tsv", None


def read_aligned_pairs(path: str, src_lang: str, tgt_lang: str, fmt: str = "auto",
                       tgt_file: str | None = None) -> list[dict]:
    if fmt == "auto":
        fmt, tgt_file = detect_format(path, tgt_file, src_lang, tgt_lang)
    if fmt == "moses":
        if not tgt_file:
            raise AlignError("Moses pairs need the target file: "
                             "--tgt-file FILE (or NAME.<src-lang> beside NAME.<tgt-lang>)")
        return read_moses(path, tgt_file)
    if fmt == "tmx":
        return read_tm(path, src_lang, tgt_lang)
    if fmt == "jsonl":
        return read_jsonl(path)
    if fmt == "tsv":
        return read_tsv(path)
    raise AlignError(f"unknown input format {fmt!r}; choose one of: {', '.join(INPUT_FORMATS)}")


def read_lines(path: str) -> list[str]:
    """The lines of a UTF-8 text file (a reference translation: one line per pair)."""
    return _lines(_text(path))
