"""``--help`` reads as the terminal wraps it: every paragraph of a command's description is one line of
help text (Typer ≥ 0.29 would otherwise print the docstring's own line breaks, ragged, inside the
terminal's wrapping), and with a wide terminal each paragraph prints whole on one line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.main import get_command

from dprep.cli import app


def _commands(command, path=()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


ENTRY = "import sys; from dprep.cli import app; sys.argv = ['dprep', *sys.argv[1:]]; app()"
COMMANDS = [(path, command) for path, command in _commands(get_command(app)) if path]


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_help_paragraphs_are_single_lines(path, command):
    paragraphs = (command.help or "").split("\n\n")
    assert all(p and "\n" not in p for p in paragraphs), f"dprep {' '.join(path)}: {command.help!r}"


def test_wide_terminal_prints_each_paragraph_whole():
    env = {**os.environ, "TERMINAL_WIDTH": "4000", "NO_COLOR": "1"}
    for path, command in COMMANDS:
        if not command.help:
            continue
        out = subprocess.run([sys.executable, "-c", ENTRY, *path, "--help"], capture_output=True, text=True,
                             env=env, check=True).stdout
        lines = [" ".join(line.split()) for line in out.splitlines()]
        for paragraph in command.help.split("\n\n"):
            assert " ".join(paragraph.split()) in lines, f"dprep {' '.join(path)}: {paragraph[:60]!r} is broken"
