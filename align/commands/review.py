"""`align review`: check and correct an alignment in the browser."""

from __future__ import annotations

import click


@click.command("review")
@click.argument("alignment", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="The reviewed file (default: ALIGNMENT.reviewed.jsonl). Re-opening it resumes the review.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port on 127.0.0.1 (0: a free one).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
def review(alignment, output, port, open_browser):
    """Review the links of ALIGNMENT (an `align pair` JSONL) in the browser and correct them.

    \b
    A local web page (127.0.0.1 only; the address carries a secret token) shows the links side by side,
    grouped by paragraph, with filters and sorting by score and flag. Keys: j/k next/previous, n next doubtful
    link, a approve, r reject, m merge with the next link, s split, ] [ } { move a boundary segment to the
    next/previous link (source/target), o/i a source/target segment has no counterpart, u undo, ? help.
    Every change is saved at once to the output (the same JSONL, every link with
    `review: {status: approved|corrected|rejected|unreviewed, at}`); ALIGNMENT itself is never modified.
    One `align review` at a time per output file.

    \b
    Examples:
      align pair doc.ar.txt doc.en.txt --src-lang ar --tgt-lang en -o doc.jsonl
      align review doc.jsonl --open                 # saves to doc.reviewed.jsonl
      align review doc.jsonl -o checked.jsonl --port 8765
      align eval doc.reviewed.jsonl doc.jsonl       # how right was the aligner?
    """
    from align.review.server import serve
    from align.review.store import default_output

    serve(alignment, output or default_output(alignment), port, open_browser, echo=click.echo)


command = review
