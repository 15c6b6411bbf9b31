"""`align pair`: align a document with its translation (two files, or two directories paired by name)."""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack

import click

from align.core.params import Params
from align.errors import AlignError, Exit
from align.formats import OUTPUT_FORMATS, check_output, write


def _pairs_in_dirs(src_dir: str, tgt_dir: str) -> list[tuple[str, str, str]]:
    names = lambda d: {n for n in os.listdir(d) if not n.startswith(".") and os.path.isfile(os.path.join(d, n))}
    src_names, tgt_names = names(src_dir), names(tgt_dir)
    common = sorted(src_names & tgt_names)
    if not common:
        raise AlignError(f"no file names in common between {src_dir} and {tgt_dir}")
    missing = sorted(src_names ^ tgt_names)
    if missing:
        click.echo(f"align: warning: {len(missing)} file(s) without a partner skipped (e.g. {missing[0]})", err=True)
    return [(n, os.path.join(src_dir, n), os.path.join(tgt_dir, n)) for n in common]


@click.command("pair")
@click.argument("src", type=click.Path())
@click.argument("tgt", type=click.Path())
@click.option("-o", "--output", "outs", required=True, multiple=True, type=click.Path(),
              help="Output file (format from its extension); repeat for several formats at once. "
                   "A directory when SRC and TGT are directories.")
@click.option("--src-lang", required=True,
              help="Source language code: ar, en, fr, es, ru, zh, de, it, pt, nl, pl, tr, ja, ko, th "
                   "(zh-CN, pt-BR... are read as zh, pt).")
@click.option("--tgt-lang", required=True, help="Target language code.")
@click.option("--segmented", is_flag=True, help="Input is one segment per line, taken as is (no paragraph level).")
@click.option("--format", "fmt", type=click.Choice(OUTPUT_FORMATS), default=None,
              help="Output format [default: from each output's extension, else jsonl].")
@click.option("--encoder", default="use", show_default=True,
              help="use (bundled USE multilingual), hf:NAME_OR_PATH (transformers model), lexical (no model).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the on-disk vector cache.")
@click.option("--skip", type=float, default=Params.skip, show_default=True,
              help="Cost of leaving a segment unaligned (1-0/0-1), in units of the spread of this document's "
                   "link similarities: lower finds more omissions, higher fewer.")
@click.option("--max-link", type=int, default=Params.max_link, show_default=True,
              help="Most segments in one link, both sides together, at most 8 on a side. Up to 5 any shape "
                   "(1-4, 2-3, 3-2, 4-1); longer links (1-5 ... 1-8, 2-4 ... 2-8 and their mirror images) where a "
                   "document calls for them, as literary prose does (one long sentence translated as several).")
@click.option("-j", "--workers", type=click.IntRange(min=1), default=None,
              help="Folders: how many pairs are aligned at once, each in a process of its own on one core "
                   "[default: one per core]. 1: one process, the encoder on every core.")
@click.option("--calibration", type=click.Path(dir_okay=False), metavar="FILE",
              help="Link score coefficients from `align calibrate` (default: the built-in ones); the signature "
                   "then ends with cal:<its hash>.")
def pair(src, tgt, outs, src_lang, tgt_lang, segmented, fmt, encoder, no_cache, skip, max_link, workers, calibration):
    """Align SRC with its translation TGT and write the links.

    \b
    Examples:
      align pair report.ar.txt report.en.txt -o report.jsonl --src-lang ar --tgt-lang en
      align pair ar/ en/ -o aligned/ --src-lang ar --tgt-lang en --format ladder
      align pair src.txt tgt.txt -o links.jsonl -o review.html --src-lang ar --tgt-lang en --segmented

    Raw text is aligned paragraph by paragraph, then sentence by sentence inside each paragraph link; JSONL
    output holds both levels (field "level"), ladder output the sentence level. Every output carries a
    signature saying how it was made.
    """
    from align.encode import get_encoder
    from align.encode.base import preload, run_on_one_thread
    from align.score.linkscore import load_calibration
    from align.segment import check_lang

    check_lang(src_lang)
    check_lang(tgt_lang)
    if os.path.isdir(src) != os.path.isdir(tgt):
        raise AlignError("SRC and TGT must both be files or both be directories")

    def fmt_of(path):
        if fmt:
            return fmt
        ext = os.path.splitext(path)[1].lstrip(".").lower()
        return ext if ext in OUTPUT_FORMATS else "jsonl"

    params = Params(skip=skip, max_link=max_link)
    cal = load_calibration(calibration) if calibration else None
    _one_blas_thread()
    enc = get_encoder(encoder, cache=not no_cache)
    preload(enc)  # the model loads while the rest is imported and the first documents read
    if not os.path.isdir(src):
        for p in (src, tgt):
            if not os.path.exists(p):
                raise AlignError(f"{p}: no such file")
        for out in outs:  # now, not after the whole alignment
            check_output(out)
        _align_one(src, tgt, [(out, fmt_of(out)) for out in outs],
                   dict(src_lang=src_lang, tgt_lang=tgt_lang, segmented=segmented, encoder=enc, params=params,
                        warn=lambda msg: click.echo(f"align: warning: {msg}", err=True), calibration=cal))
        click.echo(f"wrote {', '.join(outs)}", err=True)
        return

    if len(outs) != 1:
        raise AlignError("give one output directory (-o DIR) when SRC and TGT are directories")
    out = outs[0]
    if os.path.exists(out) and not os.path.isdir(out):
        raise AlignError(f"{out}: is a file; give a folder (-o DIR) when SRC and TGT are folders")
    check_output(os.path.join(out, "x"))  # a folder that can be created or written in, before any work
    from align.folders import align_folders, process_workers

    pairs = _pairs_in_dirs(src, tgt)
    workers = process_workers(enc, len(pairs), workers)
    if workers > 1:
        run_on_one_thread(enc)  # one forked process per core, each on one thread (alone, its lanes use every core)
    aligned, failed = align_folders(pairs, out, fmt or "jsonl", src_lang, tgt_lang, segmented, enc, params, cal,
                                    workers)
    click.echo(f"aligned {aligned} of {aligned + failed} document pairs into {out}", err=True)
    if failed:
        sys.exit(Exit.PARTIAL)  # as `align corpus`: some pairs failed, the others are written


def _one_blas_thread() -> None:
    """BLAS on one thread in this process. The encoder runs its own lanes, one per core, and a background thread
    encodes the next document while the DP runs: a multi-threaded BLAS in the DP's products would only contend
    with them (OpenBLAS's waiting threads spin: unpc-ar-en's DP took 19 s instead of 1 s that way)."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
    except Exception:  # noqa: BLE001 - a speed matter only
        pass


def _align_one(src: str, tgt: str, outs: list[tuple[str, str]], how: dict) -> None:
    """Align one pair into every (path, format) of outs. Links are written as they are made, so a huge document's
    are never all held (200,000 raw lines a side: 1.54 GB peak when held); only the review page (html) needs the
    whole alignment at once, so with an html output they are kept for it."""
    from collections import Counter

    from align.formats import LinkWriter
    from align.pipeline import align_files

    kinds: dict[str, Counter] = {"paragraph": Counter(), "sentence": Counter()}
    held: list | None = [] if any(fmt == "html" for _, fmt in outs) else None
    with ExitStack() as stack:
        writers = [stack.enter_context(LinkWriter(path, fmt)) for path, fmt in outs if fmt != "html"]

        def sink(links):
            for w in writers:
                w.add(links)
            kinds[links[0].level].update(l.type for l in links)
            if held is not None:
                held.extend(links)

        al = align_files(src, tgt, sink=sink, **how)
        for w in writers:
            w.finish(al)
    if held is not None:
        al.links = held
        for path, fmt in outs:
            if fmt == "html":
                write(al, path, fmt)
    _report(kinds, al.quality)


def _report(kinds: dict, quality: dict) -> None:
    """Links by level and shape, and the document's verdict, on stderr."""
    for level, counts in kinds.items():
        if counts:
            top = ", ".join(f"{k} x{v}" for k, v in counts.most_common(6))
            click.echo(f"{level}: {sum(counts.values())} links ({top})", err=True)
    if (quality or {}).get("verdict"):
        click.echo(f"quality: {quality.get('score', 0):.2f} - {quality['verdict']}", err=True)


command = pair
