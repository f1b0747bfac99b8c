"""The ``dprep`` command line.  Each topic lives in :mod:`dprep.commands`."""

from __future__ import annotations

import importlib
import pkgutil

import typer

import dprep.commands

app = typer.Typer(
    help="dprep: recompute, audit and meta-analyse the evidence on deliberate practice.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main() -> None:
    """dprep: recompute, audit and meta-analyse the evidence on deliberate practice."""

for _info in sorted(pkgutil.iter_modules(dprep.commands.__path__), key=lambda m: m.name):
    if not _info.name.startswith("_"):
        importlib.import_module(f"dprep.commands.{_info.name}").register(app)

if __name__ == "__main__":  # pragma: no cover
    app()
