"""`align calibrate`: refit the link scores on reviewed links."""

from __future__ import annotations

import click


MODELS = {"one": "the 1-0/0-1 model", "both": "the two-sided model", "pair": "the pair model", "all": "the refit"}


def _num(x: float | None, fmt: str = "{:.3f}") -> str:
    return "–" if x is None else fmt.format(x)


@click.command("calibrate")
@click.argument("reviewed", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), metavar="CALIBRATION.json",
              help="The calibration file to write (for --calibration on pair, score and corpus).")
@click.option("--encoder", default="use", show_default=True,
              help="The encoder the files were aligned with (as for `align pair`): the pair score of `align score` "
                   "is refitted on its cosines; another encoder keeps the pair score as it was.")
@click.option("--holdout", type=float, default=0.3, show_default=True,
              help="Share of the reviewed links held out to measure the scores before and after.")
@click.option("--seed", type=int, default=0, show_default=True, help="Which links are held out.")
@click.option("--base", "base", type=click.Path(dir_okay=False), metavar="FILE",
              help="The calibration the files were aligned with (default: the built-in one).")
def calibrate(reviewed, output, encoder, holdout, seed, base):
    """Refit the scores on links reviewed with `align review` (REVIEWED: one or more reviewed JSONL).

    \b
    An approved link counts as correct; a rejected link, and every link a correction replaced, as wrong;
    unreviewed links are not used. Refitted as the built-in scores were on the benchmark sets (examples scoring
    >= 0.5 must be right >= 95% of the time): the link score of `align pair` (two-sided links; 1-0/0-1 links)
    and, on the judged pairs and the reviewer's corrected links, the pair score of `align score`. A share of
    the examples is held out: precision at >= 0.5, share at >= 0.5 and ROC AUC on them are printed before and
    after. At least 30 judged links are needed; a model with under 10 examples keeps its coefficients.
    Scores are calibrated for one encoder: files aligned with different encoders are refused.

    \b
    Examples:
      align calibrate a.reviewed.jsonl b.reviewed.jsonl -o my-calibration.json
      align pair doc.ar.txt doc.en.txt --src-lang ar --tgt-lang en -o doc.jsonl --calibration my-calibration.json
      align score pairs.tsv -o report.jsonl --src-lang ar --tgt-lang en --calibration my-calibration.json
    """
    from align.encode import get_encoder
    from align.review.calibrate import refit, write

    r = refit(list(reviewed), base, holdout, seed, get_encoder(encoder))
    write(r, output)
    click.echo(f"{r.judged:,} judged links, {r.wrong:,} of them wrong")
    for name, f in (("link score (align pair)", r.link), ("pair score (align score)", r.pair)):
        for model, why in f.kept.items():
            if model != "all":
                click.echo(f"{name}, {MODELS[model]}: {why}")
        if f.before is None or f.after is None:
            continue
        click.echo(f"{name}: fitted on {f.fitted:,}, held out {f.held_out:,} ({f.after.wrong:,} wrong)")
        click.echo(f"  {'held out':22}{'before':>10}{'after':>10}")
        click.echo(f"  {'precision at >= 0.5':22}{_num(f.before.precision):>10}{_num(f.after.precision):>10}")
        click.echo(f"  {'share at >= 0.5':22}{_num(f.before.share):>10}{_num(f.after.share):>10}")
        click.echo(f"  {'ROC AUC':22}{_num(f.before.auc):>10}{_num(f.after.auc):>10}")
        if "all" in f.kept:
            click.echo(f"  not written: {f.kept['all']}")
    click.echo(f"wrote {output}: use it with --calibration {output} on align pair, score and corpus")


command = calibrate
