"""`align corpus`: align many document pairs into a Hugging Face dataset folder."""

from __future__ import annotations

import os
import sys

import click

from align.corpus.config import DEDUP, DEFAULT_TIMEOUT, EXPORTS
from align.errors import Exit



@click.command("corpus")
@click.argument("manifest", type=click.Path())
@click.option("-o", "--output", "out", type=click.Path(), default=None,
              help="Dataset folder to write [default: `output` in a YAML config].")
@click.option("--src-lang", default=None, help="Source language code (overrides the config).")
@click.option("--tgt-lang", default=None, help="Target language code.")
@click.option("--pivot", default=None,
              help="Multi-language manifest: the language every pair config is aligned with [default: the first "
                   "language column].")
@click.option("--pair-configs", type=click.Choice(["pivot", "every"]), default=None,
              help="Multi-language manifest: a pair config for each pivot pair (default; the other pairs are "
                   "aligned too, to check the multiway rows) or for every pair of languages (15 for six; their "
                   "QA checks and scores cost more).")
@click.option("--segmented", is_flag=True, default=None, help="Inputs are one segment per line, taken as is.")
@click.option("--encoder", default=None, help="use (default), hf:NAME_OR_PATH, or lexical (no model).")
@click.option("--cache/--no-cache", default=None,
              help="Use the on-disk vector cache [default: no: vectors then depend only on their own document, "
                   "which keeps re-runs byte-identical].")
@click.option("--skip", type=float, default=None,
              help="Aligner setting for unaligned segments (see align pair --help).")
@click.option("--max-link", type=int, default=None,
              help="Most segments in one link, both sides together (default 10, at most 8 on a side; see align pair "
                   "--help).")
@click.option("-j", "--workers", type=click.IntRange(min=1), default=None,
              help="Documents aligned at once: worker processes here (default 1: this process), Dask worker "
                   "processes with --dask local (default: one per core), or at most this many documents in flight "
                   "on a running Dask cluster (default: one per worker thread).")
@click.option("--dask", metavar="ADDRESS|local", default=None,
              help="Run on a Dask cluster: a scheduler address (tcp://host:8786) or `local`.")
@click.option("--retries", type=click.IntRange(min=0), default=2, show_default=True,
              help="Retries of a document whose task crashed (bad inputs are not retried).")
@click.option("--timeout", type=click.FloatRange(min=0), default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds one document may take before it is recorded as a failure (0: no limit; "
                   "not enforced on Dask workers).")
@click.option("--min-score", type=float, default=None, help="Drop links scoring below this.")
@click.option("--max-length-ratio", type=float, default=None,
              help="Drop links whose longer side is this many times the shorter.")
@click.option("--dedup", type=click.Choice(DEDUP), default=None, help="Drop duplicate links [default: none].")
@click.option("--export", "exports", type=click.Choice(EXPORTS), multiple=True,
              help="Also write export/*.tmx or Moses files.")
@click.option("--publish", "do_publish", is_flag=True,
              help="Upload after a complete build, to --repo-id or the config's publish.repo_id (see align publish).")
@click.option("--repo-id", default=None, help="Hub dataset to publish to (ORG/NAME).")
@click.option("--root", "roots", multiple=True, type=click.Path(file_okay=False),
              help="A folder input files may lie in, besides the manifest's own folder (repeatable).")
@click.option("--allow-outside", is_flag=True,
              help="Read input files wherever the manifest points (by default a pair with a file outside the "
                   "manifest's folder and --root folders is refused, a failure record saying why).")
@click.option("--progress/--no-progress", default=None, help="Progress bar [default: when stderr is a terminal].")
@click.option("--calibration", type=click.Path(dir_okay=False), metavar="FILE", default=None,
              help="Link score coefficients from `align calibrate` (default: the built-in ones); the signature "
                   "of every document then ends with cal:<its hash>.")
def corpus(manifest, out, src_lang, tgt_lang, pivot, pair_configs, segmented, encoder, cache, skip, max_link, workers,
           dask, retries, timeout, min_score, max_length_ratio, dedup, exports, do_publish, repo_id, roots,
           allow_outside, progress, calibration):
    """Align every document pair of MANIFEST into a dataset folder loadable with `datasets.load_dataset`.

    MANIFEST is a CSV file with the columns doc_id,src,tgt (paths relative to it; any other column becomes a
    dataset column; a `reviewed` column names a file saved by `align review`, whose links are then taken as
    reviewed, rejected links left out, instead of aligning the pair) or a YAML corpus config (see
    configs/corpus-example.yaml). Options override the config.
    Input files must lie in the manifest's folder or a --root folder (links resolved), else the pair fails.
    A CSV file with doc_id and three or more language columns (doc_id,en,ar,fr,es,ru,zh) builds one dataset with
    a config per pivot pair (ar-en, en-fr, ...) and a config `multiway`: one row per group of segments that
    translate each other in every language.

    \b
    Examples:
      align corpus pairs.csv -o un-ar-en/ --src-lang ar --tgt-lang en --workers 4
      align corpus corpora/udhr-ar-en/corpus.yaml --root seeds --root ../shared/bench
      align corpus pairs.csv -o out/ --src-lang ar --tgt-lang en --dask tcp://scheduler:8786
      align corpus un6.csv -o un6/ --segmented --pivot en

    Re-running the same command skips the documents already done (kept in DIR/.work) and gives the same
    dataset, byte for byte. A pair that cannot be aligned is listed in DIR/failures.jsonl with the reason.
    Exit status: 0 all documents aligned; 3 some failed (the dataset holds the others); 2 bad options or
    config; 1 internal error or a worker crash (re-run to resume); 130 interrupted (re-run to resume).
    """
    from align.corpus.config import load_config
    from align.corpus.run import build_corpus
    from align.corpus.run import WorkerDied
    from align.errors import AlignError

    cfg = load_config(manifest, roots=roots, allow_outside=allow_outside, src_lang=src_lang, tgt_lang=tgt_lang,
                      pivot=pivot, pair_configs=pair_configs, segmented=segmented, encoder=encoder,
                      cache=cache, skip=skip, max_link=max_link, output=out, min_score=min_score,
                      max_length_ratio=max_length_ratio, dedup=dedup, exports=exports, repo_id=repo_id,
                      calibration=calibration)
    if not cfg.output:
        raise AlignError("no output folder: give -o DIR (or `output` in the YAML config)")
    if do_publish and not cfg.publish.get("repo_id"):
        raise AlignError("--publish needs --repo-id ORG/NAME (or publish.repo_id in the YAML config)")
    token = None
    if do_publish:  # fail now, not after hours of aligning
        from align.publish import resolve_token

        token = resolve_token(cfg.publish.get("token_env", "HF_TOKEN"))

    try:
        s = build_corpus(cfg, cfg.output, workers=workers if workers or dask else 1, dask=dask, retries=retries,
                        progress=progress, timeout=timeout)
    except WorkerDied as e:
        click.echo(f"align: error: {e}", err=True)
        sys.exit(Exit.INTERNAL)
    d = s.dataset
    unit = "document(s)" if cfg.languages else "document pair(s)"   # a multi-language manifest: each in K languages
    rate = f", {s.aligned / s.seconds:.2f} docs/s, {s.links / s.seconds:.0f} links/s" if s.seconds else ""
    rows = f"{d['rows']} multiway rows" if cfg.languages else f"{d['rows']} rows"
    click.echo(f"aligned {s.aligned} {unit} in {s.seconds:.1f} s{rate} ({s.skipped} already done, "
               f"{len(s.failures)} failed); {rows} from {d['docs']} documents in {cfg.output}", err=True)
    if s.worker_rss_kib:  # to size --workers against the machine's memory
        peaks = ", ".join(f"{v / 1024:.0f}" for v in sorted(s.worker_rss_kib.values()))
        click.echo(f"peak memory per aligning process: {peaks} MiB", err=True)
    if s.failures:
        failures = os.path.join(cfg.output, "failures.jsonl")
        click.echo(f"align: {len(s.failures)} {unit} failed: see {failures}", err=True)
        sys.exit(Exit.PARTIAL)
    if do_publish:
        from align.publish import publish

        url = publish(cfg.output, cfg.publish["repo_id"], token, private=bool(cfg.publish.get("private", False)),
                      say=lambda message: click.echo(f"align: {message}", err=True))
        click.echo(f"published {url}", err=True)


command = corpus
