"""`align calibrate`: refit the link scores on reviewed links."""

from __future__ import annotations

import click


def _num(x: float | None, fmt: str = "{:.3f}") -> str:
    return "–" if x is None else fmt.format(x)


@click.command("calibrate")
@click.argument("reviewed", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), metavar="CALIBRATION.json",
              help="The calibration file to write (for --calibration on pair, score and corpus).")
@click.option("--holdout", type=float, default=0.3, show_default=True,
              help="Share of the reviewed links held out to measure the scores before and after.")
@click.option("--seed", type=int, default=0, show_default=True, help="Which links are held out.")
@click.option("--base", "base", type=click.Path(dir_okay=False), metavar="FILE",
              help="The calibration the files were aligned with (default: the built-in one).")
def calibrate(reviewed, output, holdout, seed, base):
    """Refit the link scores on links reviewed with `align review` (REVIEWED: one or more reviewed JSONL).

    \b
    An approved link counts as correct; a rejected link, and every link a correction replaced, as wrong;
    unreviewed links are not used. The two link models (two-sided links; 1-0/0-1 links) are refitted as the
    built-in ones were, on the benchmark sets: links scoring >= 0.5 must be right >= 95% of the time on the
    links fitted on. A share of the links is held out, and the precision of links scoring >= 0.5 and the
    ROC AUC on them are printed before and after. At least 30 judged links are needed.
    Scores are calibrated for one encoder: files aligned with different encoders are refused.

    \b
    Examples:
      align calibrate a.reviewed.jsonl b.reviewed.jsonl -o my-calibration.json
      align pair doc.ar.txt doc.en.txt --src-lang ar --tgt-lang en -o doc.jsonl --calibration my-calibration.json
    """
    from align.review.calibrate import refit, write

    r = refit(list(reviewed), base, holdout, seed)
    write(r, output)
    click.echo(f"{r.fitted + r.held_out:,} judged links, {r.wrong:,} of them wrong: fitted on {r.fitted:,}, "
               f"held out {r.held_out:,}")
    click.echo(f"{'held-out links':24}{'before':>10}{'after':>10}")
    click.echo(f"{'precision at >= 0.5':24}{_num(r.before.precision):>10}{_num(r.after.precision):>10}")
    click.echo(f"{'share at >= 0.5':24}{_num(r.before.share):>10}{_num(r.after.share):>10}")
    click.echo(f"{'ROC AUC':24}{_num(r.before.auc):>10}{_num(r.after.auc):>10}")
    if r.before.auc is not None and r.after.auc is not None and r.after.auc <= r.before.auc:
        click.echo("note: the refit ranks the held-out links no better than the calibration they were made with; "
                   "keep that one unless more reviewed links change this")
    for kind, why in r.kept.items():
        click.echo(f"note: the {'1-0/0-1' if kind == 'one' else 'two-sided'} link model: {why}")
    click.echo(f"wrote {output}: use it with --calibration {output} on align pair, score and corpus")


command = calibrate
