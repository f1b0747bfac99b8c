"""What every command shares: printing results (a readable table, or JSON with ``--json``) and failing
with a one-line message and exit status 2 (bad input) instead of a traceback.

:class:`DprepGroup`, the class of the ``dprep`` command group, turns every error into such a line, so a
command raises :class:`~dprep.core.errors.DprepError` (or lets one through) rather than catching it; a
command catches an error only to add where it happened (file, row, column).

Commands import their statistics inside the command function, so ``dprep --help`` and every command
start without loading SciPy, pandas or PyMC until they are needed.
"""

from __future__ import annotations

import errno
import json
import math
import os
import sys
import warnings
from typing import Any, NoReturn

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError  # typer vendors click
from typer.core import TyperGroup

from dprep.core.errors import DprepError

#: Exit status of a command given bad input (a bad argument or a bad file).
BAD_INPUT = 2
#: Exit status when dprep itself failed: a bug, kept apart from bad input so that it stays visible.
INTERNAL_ERROR = 3
#: Set to 1 to let errors end in their traceback (for debugging dprep).
DEBUG_VARIABLE = "DPREP_DEBUG"


def _jsonable(obj: Any) -> Any:
    """Plain JSON values: results and numpy values converted, NaN and ±inf as ``null``."""
    if hasattr(obj, "to_dict") and callable(obj.to_dict) and not isinstance(obj, dict):
        obj = obj.to_dict()
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "tolist") and not isinstance(obj, (str, bytes)):  # numpy arrays and scalars
        return _jsonable(obj.tolist())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _cell(value: Any) -> str:
    from dprep.core import fmt

    if value is None:
        return fmt.MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e6:
            return str(int(value))
        if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-4):
            return f"{value:.4g}"
        return fmt.num(value, 4)
    if isinstance(value, list) and all(isinstance(v, (int, float, list)) or v is None for v in value):
        return "[" + ", ".join(_cell(v) for v in value) + "]"  # numbers, intervals, lists of intervals
    if isinstance(value, dict) and all(isinstance(v, (int, float, str)) or v is None for v in value.values()):
        return ", ".join(f"{k} {_cell(v)}" for k, v in value.items())  # e.g. a coefficient's robust test
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A record with nested mappings spread into ``outer.inner`` columns."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _tables(data: dict[str, Any], title: str | None) -> list[Any]:
    """Rich tables: one of the scalar entries, one per list of records, one per nested mapping."""
    from rich.table import Table

    scalars = Table(title=title, show_header=False, title_justify="left", box=None, pad_edge=False)
    scalars.add_column(style="bold")
    scalars.add_column()
    out: list[Any] = [scalars]
    for key, value in data.items():
        if isinstance(value, dict) and value:
            out += _tables(value, key)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            table = Table(title=key, title_justify="left")
            value = [_flat(row) for row in value]
            columns = list(dict.fromkeys(c for row in value for c in row))
            for column in columns:
                table.add_column(column, overflow="fold")
            for row in value:
                table.add_row(*(_cell(row.get(c)) for c in columns))
            out.append(table)
        else:
            scalars.add_row(key, _cell(value))
    return out


def emit(result: Any, as_json: bool, *, title: str | None = None) -> None:
    """Print ``result`` as JSON (``--json``: machine-readable, keys as documented) or as readable tables.

    A result object with a ``summary()`` method is printed as that summary; a mapping as a table of
    its scalar entries followed by one table per list of records or nested mapping.
    """
    data = _jsonable(result)
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.console import Console

    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)  # no wrapping when piped
    if hasattr(result, "summary") and callable(result.summary):
        console.print(result.summary(), markup=False)
        return
    if not isinstance(data, dict):
        console.print(_cell(data), markup=False)
        return
    for table in _tables(data, title):
        if table.row_count:
            console.print(table)
            console.print()


def fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    """Print ``message`` on stderr and exit with ``code`` (2: bad input); never a traceback."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def fail_validation(exc: Any, as_json: bool) -> NoReturn:
    """Exit 2 listing every problem of a :class:`~dprep.data.schema.DataValidationError` (file, row,
    column): one line each on stderr, or with ``--json`` a list of records on stdout."""
    if not as_json:
        fail(str(exc))
    emit([e.to_dict() for e in exc.errors], True)
    raise typer.Exit(BAD_INPUT)


def error_line(exc: Exception) -> tuple[str, int]:
    """The message and exit status for an error that ended a command.

    A :class:`~dprep.core.errors.DprepError` (a bad argument or bad data, which names the argument or the
    file, row and column; non-convergence, which names the remedy; a report that cannot be rendered) is
    printed as it is, exit 2; an ``OSError`` as the file and the reason (a missing, unreadable or full
    file), exit 2; anything else is a bug in dprep: exit 3.
    """
    if isinstance(exc, DprepError):
        return str(exc) or type(exc).__name__, BAD_INPUT
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc) or type(exc).__name__
        return (reason if exc.filename is None else f"{exc.filename}: {reason}"), BAD_INPUT
    detail = " ".join(str(exc).split())  # one line
    return f"dprep: internal error (a bug, please report it): {type(exc).__name__}: {detail}", INTERNAL_ERROR


def _warning_line(message, category, filename, lineno, file=None, line=None) -> None:
    """Show a warning as one line (no source line, which reads like part of a traceback)."""
    typer.echo(f"dprep: {category.__name__}: {' '.join(str(message).split())}", err=True)


class DprepGroup(TyperGroup):
    """The ``dprep`` command group: whatever goes wrong ends as a message on stderr, never as a traceback.

    Usage errors are one line naming the option, exit 2; errors raised by a command are mapped by
    :func:`error_line` (exit 2 for bad input, 3 for a bug); warnings are shown one line each, except the
    deprecation notices libraries address to developers (DeprecationWarning, FutureWarning). With the
    environment variable ``DPREP_DEBUG=1`` an error ends in its traceback instead.
    """

    def invoke(self, ctx: Any) -> Any:
        with warnings.catch_warnings():
            warnings.showwarning = _warning_line
            for category in (DeprecationWarning, FutureWarning):  # the libraries' notes to developers
                warnings.simplefilter("ignore", category)
            try:
                return super().invoke(ctx)
            except NoArgsIsHelpError:
                raise
            except UsageError as exc:
                if os.environ.get(DEBUG_VARIABLE) == "1":
                    raise
                command = (exc.ctx or ctx).command_path
                fail(f"{command}: {exc.format_message()} (see '{command} --help')", exc.exit_code)
            except (typer.Exit, typer.Abort, typer.TyperException):
                raise
            except Exception as exc:
                if os.environ.get(DEBUG_VARIABLE) == "1" or getattr(exc, "errno", None) == errno.EPIPE:
                    raise  # a closed pipe is handled by click
                fail(*error_line(exc))
