"""The ``dprep`` command line.  Each topic is a module of this package with a ``register(app)``.

Every error ends as a message on stderr (exit 2 for bad input, 3 for a bug in dprep), never as a
traceback: see :class:`dprep.cli._common.DprepGroup`.
"""

from __future__ import annotations

import importlib
import inspect
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


def _reflow_help(typer_app: typer.Typer) -> None:
    """Give each command the help of its docstring with every paragraph on one line.

    Typer (≥ 0.29, rich mode) keeps the single line breaks of a docstring, so a paragraph wrapped at the
    source's width would print as ragged, broken lines; joined, the terminal wraps it to its own width.
    """
    for info in typer_app.registered_commands:
        if info.help is None and info.callback is not None:
            paragraphs = (inspect.getdoc(info.callback) or "").split("\n\n")
            info.help = "\n\n".join(" ".join(p.split()) for p in paragraphs)
    for group in typer_app.registered_groups:
        _reflow_help(group.typer_instance)


for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if not _info.name.startswith("_"):
        importlib.import_module(f"dprep.cli.{_info.name}").register(app)
_reflow_help(app)

if __name__ == "__main__":  # pragma: no cover
    app()
