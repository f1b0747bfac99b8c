"""CLI commands, one module per topic; each defines ``register(app)``."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from dprep.data.io import to_jsonable


def emit(result: Any, as_json: bool) -> None:
    """Print ``result`` as JSON (``--json``) or as a readable key/value listing."""
    if as_json:
        sys.stdout.write(json.dumps(to_jsonable(result), indent=2, ensure_ascii=False) + "\n")
        return
    from rich.console import Console
    from rich.pretty import Pretty

    Console().print(Pretty(to_jsonable(result)))


def fail(message: str, code: int = 2) -> None:
    """Print ``message`` on stderr and exit with ``code`` (2: bad input)."""
    typer.echo(message, err=True)
    raise typer.Exit(code)
