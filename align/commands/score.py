"""`align score`: re-score already-aligned pairs and run the QA checks on them.

Writes REPORT.jsonl with one JSON object per input pair, in input order:
    {"n", "src", "tgt", "score", "sim", "flags": [{check, severity, message}], ["chrf", "bleu"], ...}
(rows from an `align pair` JSONL keep their other fields, e.g. src_ids/tgt_ids). The summary (counts, flags by
check and severity, document quality, encoder signature, sacreBLEU corpus scores and signatures) goes to
stderr and to a side file, REPORT.summary.json (or --summary FILE). With --fail-on SEVERITY the exit status is 4
when any flag of that severity or worse exists: a gate for CI pipelines.
"""

from __future__ import annotations

import json
import os
import sys

import click

from align.errors import AlignError, Exit
from align.score.flags import SEVERITIES, at_least
from align.score.pairs import INPUT_FORMATS, read_aligned_pairs


def _summary_path(report: str) -> str:
    root, ext = os.path.splitext(report)
    return (root if ext in (".jsonl", ".json") else report) + ".summary.json"


def _describe(summary: dict) -> str:
    sev = summary["flags_by_severity"]
    lines = [
        f"align score: {summary['pairs']} pairs, mean score {summary['mean_score']}, "
        f"{summary['confident']} at 0.5 or above, {summary['flagged']} flagged "
        f"({', '.join(f'{n} {s}' for s, n in sev.items())})",
        f"  document quality {summary['quality']['score']:.2f} ({summary['quality']['verdict']})",
    ]
    if not summary["calibrated"]:
        lines.append(f"  note: scores are calibrated for the default encoder, not {summary['encoder']}")
    if summary["flags_by_check"]:
        lines.append("  flags: " + ", ".join(f"{c} {n}" for c, n in summary["flags_by_check"].items()))
    if "reference" in summary:
        r = summary["reference"]
        lines.append(f"  chrF {r['chrf']} ({r['chrf_signature']})")
        lines.append(f"  BLEU {r['bleu']} ({r['bleu_signature']})")
    return "\n".join(lines)


@click.command("score")
@click.argument("pairs_path", metavar="PAIRS")
@click.option("-o", "--output", required=True, metavar="REPORT.jsonl",
              help="Report, one JSON object per pair ('-' = stdout).")
@click.option("--src-lang", required=True, help="Source language code, e.g. ar (as for `align pair`).")
@click.option("--tgt-lang", required=True, help="Target language code, e.g. en.")
@click.option("--format", "fmt", type=click.Choice(INPUT_FORMATS), default="auto", show_default=True,
              help="Input format; auto: .tmx, .jsonl, NAME.<src> beside NAME.<tgt> (Moses), else TSV.")
@click.option("--tgt-file", metavar="FILE", help="Target side of Moses pairs (PAIRS is then the source side).")
@click.option("--encoder", default="use", show_default=True, help="Encoder for the similarity: use, hf:NAME, lexical.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the on-disk vector cache.")
@click.option("--reference", metavar="FILE",
              help="Reference translation or MT output of the source, one line per pair: "
                   "adds chrF and BLEU per pair and for the corpus (sacreBLEU).")
@click.option("--fail-on", type=click.Choice(SEVERITIES),
              help="Exit with status 4 when any flag of this severity or worse exists "
                   "(a CI gate; 1 stays 'internal error').")
@click.option("--plot", metavar="PNG", help="Also draw a histogram of scores and the flag counts.")
@click.option("--summary", "summary_path", metavar="FILE", help="Summary JSON (default: REPORT.summary.json).")
@click.option("--calibration", type=click.Path(dir_okay=False), metavar="FILE",
              help="Score coefficients from a calibration file (its pair model; `align calibrate` keeps the one it "
                   "was given); the summary names it.")
def score(pairs_path, output, src_lang, tgt_lang, fmt, tgt_file, encoder, no_cache, reference, fail_on, plot,
          summary_path, calibration):
    """Re-score aligned pairs (TSV, Moses, TMX/XLIFF or an `align pair` JSONL) and check the translations.

    Writes one JSON object per input pair, in order ({n, src, tgt, score, sim, flags}); the summary goes to
    stderr and to REPORT.summary.json. A pair with an empty side scores 0 (no translation to trust) unless
    an `align pair` JSONL gave the aligner's confidence in the omission.

    \b
    Example:
      align score corpus.tsv -o report.jsonl --src-lang ar --tgt-lang en --fail-on major
    """
    from align.segment import check_lang

    from align.formats import atomic_open, check_output

    side = summary_path or (None if output == "-" else _summary_path(output))
    for path in (None if output == "-" else output, side, plot):
        if path:  # now, not after the scoring
            check_output(path)
    pairs = read_aligned_pairs(pairs_path, src_lang, tgt_lang, fmt, tgt_file)  # raw codes: Moses files are NAME.<code>
    src_lang, tgt_lang = check_lang(src_lang), check_lang(tgt_lang)   # "fr-FR" -> "fr"; unknown: one-line error
    if not pairs:
        raise AlignError(f"{pairs_path}: no pairs found")
    references = None
    if reference:
        from align.score.pairs import read_lines

        references = read_lines(reference)
        if len(references) != len(pairs):
            raise AlignError(f"{reference} has {len(references)} lines but there are {len(pairs)} pairs")
    from align.score.linkscore import load_calibration
    from align.score.rescore import score_pairs

    cal = load_calibration(calibration) if calibration else None
    rows, summary = score_pairs(pairs, src_lang, tgt_lang, encoder, references, cache=not no_cache, calibration=cal)
    if cal is not None:
        summary["calibration"] = cal.signature or "default"
    if output == "-":
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        with atomic_open(output) as out:   # a failed run leaves an earlier report as it was
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    if side:
        with atomic_open(side) as f:
            json.dump(summary, f, ensure_ascii=False, indent=1)
    if plot:
        from align.score.plot import plot_scores

        plot_scores([r["score"] for r in rows], [r["flags"] for r in rows], plot, title=os.path.basename(pairs_path))
    click.echo(_describe(summary), err=True)
    if fail_on:
        failing = [f for r in rows for f in at_least(r["flags"], fail_on)]
        if failing:
            click.echo(f"align score: {len(failing)} flags at or above {fail_on}: failing", err=True)
            sys.exit(Exit.FLAGS)


command = score
