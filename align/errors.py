"""The one exception the CLI turns into a one-line message (never a traceback)."""


class AlignError(Exception):
    """A problem with the user's input or options, worded for the user."""
