"""The ``dprep`` command line.  Each topic is a module of this package with a ``register(app)``."""

from __future__ import annotations

import importlib
import pkgutil

import typer

app = typer.Typer(
    help="dprep: recompute, audit and meta-analyse the evidence on deliberate practice.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main() -> None:
    """dprep: recompute, audit and meta-analyse the evidence on deliberate practice."""

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if not _info.name.startswith("_"):
        importlib.import_module(f"dprep.cli.{_info.name}").register(app)

if __name__ == "__main__":  # pragma: no cover
    app()
