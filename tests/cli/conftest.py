"""Shared helpers of the CLI tests: a command registered on a fresh Typer app (with a callback, so it is
invoked as a sub-command exactly as under ``dprep``, and dprep's group class, so errors end as they do
under ``dprep``), run with typer's CliRunner."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from dprep.cli._common import DprepGroup


class Command:
    """One ``dprep`` command (or command group) of ``module``, callable as ``run(*args)``."""

    def __init__(self, module: ModuleType, name: str):
        self.name = name
        self.app = typer.Typer(cls=DprepGroup, add_completion=False, pretty_exceptions_enable=False)

        @self.app.callback()
        def _main() -> None:
            """dprep (test app)."""

        module.register(self.app)

    def run(self, *args: Any):
        """The CliRunner result of ``dprep <name> *args``."""
        return CliRunner().invoke(self.app, [self.name, *map(str, args)])

    def run_json(self, *args: Any) -> Any:
        """The parsed ``--json`` output of a successful run."""
        result = self.run(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture(scope="module")
def command():
    """``command(module, name)`` → a :class:`Command`."""
    return Command
