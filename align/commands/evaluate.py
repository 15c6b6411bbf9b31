"""`align eval`: strict and lax precision/recall/F1 of predicted links against gold."""

from __future__ import annotations

import json

import click



@click.command("eval")
@click.argument("gold", type=click.Path())
@click.argument("pred", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
def evaluate(gold, pred, as_json):
    """Score predicted links PRED against GOLD (files, or directories paired by file name).

    \b
    Files hold one link per line, `[i, j]:[k]` (Vecalign/Bertalign ladder, an optional `:score` after), or
    are `align pair` JSONL (its sentence-level links are used), or a JSONL reviewed with `align review`
    (its approved, corrected and unreviewed links; rejected links are left out), e.g. as GOLD:
    `align eval doc.reviewed.jsonl doc.jsonl`. Definitions as in Vecalign/Bertalign:
    precision over predicted links including 1-0/0-1, recall over gold links without them; strict = identical
    link, lax = overlapping link. Counts are summed over documents. Also: recall of the gold 1-0/0-1 links.
    """
    from align.eval import evaluate_paths

    r = evaluate_paths(gold, pred)
    if as_json:
        click.echo(json.dumps(r))
        return
    click.echo(f"{'':8}{'precision':>10}{'recall':>10}{'F1':>10}")
    for k in ("strict", "lax"):
        click.echo(f"{k:8}{r[k]['precision']:>10.4f}{r[k]['recall']:>10.4f}{r[k]['f1']:>10.4f}")
    om = r["omission_recall"]
    click.echo(f"1-0/0-1 recall: {'n/a' if om is None else f'{om:.4f}'} ({r['omissions_in_gold']} in gold); "
               f"{r['documents']} document(s)")


command = evaluate
