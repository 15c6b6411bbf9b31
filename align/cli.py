"""The `align` command line. Each sub-command only composes the modules that do the work."""

from __future__ import annotations

import errno
import os
import sys

import click

from align import __version__
from align.errors import AlignError, Exit


class Group(click.Group):
    """Turns AlignError (bad input, bad options) into one line on stderr and exit status 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AlignError as e:
            click.echo(f"align: error: {e}", err=True)
            sys.exit(Exit.USAGE)
        except KeyboardInterrupt:
            click.echo("align: interrupted", err=True)
            sys.exit(Exit.INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as e:  # a bug, not the user's fault: one line, the traceback only on request
            if _disk_full(e):  # in a library's writer (parquet, matplotlib...): the user's to fix, not a bug
                click.echo(f"align: error: the disk is full ({e}); free some space and run the command again",
                           err=True)
                sys.exit(Exit.USAGE)
            if os.environ.get("ALIGN_DEBUG"):
                raise
            if isinstance(e, MemoryError):  # a limit of this machine, not a bug: say so (status 1 as a crash)
                click.echo(f"align: error: out of memory ({e or 'no detail'}); the input is too large for this "
                           f"machine's memory or its limit (ulimit -v)", err=True)
                sys.exit(Exit.INTERNAL)
            click.echo(f"align: internal error: {type(e).__name__}: {e} (set ALIGN_DEBUG=1 for the traceback)",
                       err=True)
            sys.exit(Exit.INTERNAL)


def _disk_full(e: Exception) -> bool:
    return isinstance(e, OSError) and (e.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left" in str(e))


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="align")
def main():
    """Align a document with its translation, score the links, publish the corpus.

    \b
    Quick start:
      align pair report.ar.txt report.en.txt -o report.jsonl --src-lang ar --tgt-lang en
      align eval gold/ pred/            # strict/lax P/R/F1 against gold links
    Run `align COMMAND --help` for the options of each command.
    """


def _register() -> None:
    """Every sub-command, in the order --help lists them. Command modules import only click and light modules
    (no numpy/numba at import time), so `align --help` stays fast; the work is imported when a command runs."""
    from align.commands import calibrate, corpus, evaluate, match, pair, publish, review, score, segment

    for module in (pair, segment, score, evaluate, match, review, calibrate, corpus, publish):
        main.add_command(module.command)


_register()
