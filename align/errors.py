"""The one exception the CLI turns into a one-line message (never a traceback), and the exit statuses of every
command, in one place."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0            # everything done
    INTERNAL = 1      # a bug or a crashed worker (re-run to resume where a command can)
    USAGE = 2         # bad options, input or config: one line on stderr says which
    PARTIAL = 3       # some document pairs failed, the others are written (align pair DIR DIR, align corpus)
    FLAGS = 4         # align score --fail-on: flags at or above the given severity were found
    INTERRUPTED = 130  # Ctrl-C


class AlignError(Exception):
    """A problem with the user's input or options, worded for the user."""
