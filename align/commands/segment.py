"""`align segment`: show how a file is read: paragraphs, their UN structure labels, and sentences."""

from __future__ import annotations

import json

import click



@click.command("segment")
@click.argument("path", type=click.Path())
@click.option("--lang", required=True,
              help="Language code of the file: ar, en, fr, es, ru, zh, de, it, pt, nl, pl, tr, ja, ko, th.")
@click.option("-o", "--output", "out", type=click.Path(), default=None, help="Write here instead of stdout.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="One JSON object per paragraph instead of text.")
def segment(path, lang, out, as_jsonl):
    """Read PATH (.txt, .docx, .pdf, .html, .tmx, .xlf) and print its paragraphs and sentences.

    Useful to check what the aligner will see: paragraph boundaries, UN document structure (header, symbol,
    title, numbered paragraphs, signature) and sentence breaks.

    \b
    Example:
      align segment seeds/S-2018-letter-syria-hajin.en.txt --lang en
    """
    from align.formats import atomic_open
    from align.io import read_document

    doc = read_document(path, lang)
    lines = []
    for k, p in enumerate(doc.paragraphs):
        if as_jsonl:
            lines.append(json.dumps({"paragraph": k, "label": p.label, "number": p.number, "text": p.text,
                                     "sentences": p.sentences}, ensure_ascii=False))
            continue
        tag = p.label or "body"
        if p.number:
            tag += f" {p.number}"
        lines.append(f"[{k}] {tag}")
        lines += [f"    {s}" for s in p.sentences]
    text = "\n".join(lines) + "\n"
    if out:
        with atomic_open(out) as f:
            f.write(text)
        click.echo(f"{len(doc.paragraphs)} paragraphs, {len(doc.sentences)} sentences -> {out}", err=True)
    else:
        click.echo(text, nl=False)


command = segment
