"""The ``dprep`` command line.  Each topic is a module of this package with a ``register(app)``.

Every error ends as a message on stderr (exit 2 for bad input, 3 for a bug in dprep), never as a
traceback: see :class:`dprep.cli._common.DprepGroup`.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

from dprep.cli._common import DprepGroup

app = typer.Typer(
    cls=DprepGroup,
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
