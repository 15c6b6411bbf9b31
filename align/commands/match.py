"""`align match`: find which documents of two folders (or one folder per language) translate each other."""

from __future__ import annotations

import os
import sys

import click

from align.errors import AlignError, Exit


@click.command("match")
@click.argument("folders", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "out", required=True, type=click.Path(),
              help="The CSV to write: a manifest `align corpus` reads as is (paths relative to it).")
@click.option("--src-lang", default=None, help="Language of the first folder (two folders).")
@click.option("--tgt-lang", default=None, help="Language of the second folder (two folders).")
@click.option("--langs", default=None,
              help="Comma-separated languages, one per folder, in order; the first is the pivot every row needs.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=None,
              help="Least content score for a pair [default: 0.5, calibrated on the dev sets, see align/match.py]. "
                   "Higher pairs fewer documents, more surely.")
@click.option("--unpaired", "unpaired_out", type=click.Path(), default=None,
              help="Also write the documents left without a counterpart, and why, to this CSV (lang,path,reason).")
@click.option("--encoder", default="use", show_default=True,
              help="use (bundled USE multilingual), hf:NAME_OR_PATH (transformers model), lexical (no model).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the on-disk vector cache.")
def match(folders, out, src_lang, tgt_lang, langs, min_score, unpaired_out, encoder, no_cache):
    """Pair the documents of FOLDERS that translate each other and write a corpus manifest.

    \b
    Examples:
      align match ar/ en/ --src-lang ar --tgt-lang en -o pairs.csv --unpaired unpaired.csv
      align match en/ ar/ fr/ es/ ru/ zh/ --langs en,ar,fr,es,ru,zh -o manifest.csv
      align corpus pairs.csv -o un-ar-en/ --src-lang ar --tgt-lang en

    Two folders give `doc_id,src,tgt,match_score`; more give `doc_id,<lang>,...,match_score`, one row per document
    of the first (pivot) folder with a counterpart in every other language. A UN document symbol in the file name
    or header pairs documents first; the rest are paired by content (sentence vectors: the share of each text
    that has a close translation in the other, and the length ratio), one to one, best pair first. Documents
    without a convincing counterpart are never forced into a pair: they are listed on stderr and in --unpaired.
    Exit status 3 when some files could not be read (they are listed as unpaired), 2 on bad input.
    """
    from align.encode import get_encoder
    from align.match import MIN_SCORE, match_many, read_side, write_manifest, write_unpaired
    from align.segment import check_lang

    codes = _languages(folders, src_lang, tgt_lang, langs)
    codes = [check_lang(c) for c in codes]
    if len(set(codes)) != len(codes):
        raise AlignError(f"each folder needs its own language (got {', '.join(codes)})")
    for folder in folders:
        if not os.path.isdir(folder):
            raise AlignError(f"{folder}: no such folder")
    enc = get_encoder(encoder, cache=not no_cache)
    warn = lambda msg: click.echo(f"align: warning: {msg}", err=True)
    sides = [read_side(folder, lang, enc, warn) for folder, lang in zip(folders, codes)]
    res = match_many(sides, MIN_SCORE if min_score is None else min_score)
    two = len(folders) == 2  # src,tgt columns whichever way the languages were given: what the manifest reader takes
    write_manifest(res, out, ("src", "tgt") if two else None)
    if unpaired_out:
        write_unpaired(res, unpaired_out)
    _summary(res, sides, out, unpaired_out)
    if any(s.unreadable for s in sides):
        sys.exit(Exit.PARTIAL)


def _languages(folders, src_lang, tgt_lang, langs) -> list[str]:
    if langs:
        if src_lang or tgt_lang:
            raise AlignError("give either --langs or --src-lang/--tgt-lang, not both")
        codes = [c.strip() for c in langs.split(",") if c.strip()]
        if len(codes) != len(folders):
            raise AlignError(f"--langs names {len(codes)} languages for {len(folders)} folders; give one per folder")
        return codes
    if len(folders) != 2:
        raise AlignError("with more than two folders, name their languages with --langs (one per folder, in order)")
    if not src_lang or not tgt_lang:
        raise AlignError("name the folders' languages: --src-lang and --tgt-lang (or --langs)")
    return [src_lang, tgt_lang]


def _summary(res, sides, out, unpaired_out) -> None:
    from collections import Counter

    by = Counter(res.evidence)
    how = ", ".join(f"{n} by {k}" for k, n in sorted(by.items()))
    click.echo(f"paired {len(res.rows)} documents ({how or 'none'}) into {out}", err=True)
    if res.unpaired:
        per = Counter(u.lang for u in res.unpaired)
        click.echo("unpaired: " + ", ".join(f"{per[s.lang]} of {len(s.paths) + len(s.unreadable)} {s.lang}"
                                            for s in sides if per[s.lang]), err=True)
        for u in res.unpaired[:10]:
            click.echo(f"  {u.lang} {u.path}: {u.reason}", err=True)
        if len(res.unpaired) > 10:
            click.echo(f"  ... {len(res.unpaired) - 10} more" + (f" in {unpaired_out}" if unpaired_out else
                                                                 " (--unpaired FILE lists them all)"), err=True)


command = match
