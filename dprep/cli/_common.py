"""What every command shares: printing results (a readable table, or JSON with ``--json``) and failing
with a one-line message and exit status 2 (bad input) instead of a traceback.

Commands import their statistics inside the command function, so ``dprep --help`` and every command
start without loading SciPy, pandas or PyMC until they are needed.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any, NoReturn

import typer

#: Exit status of a command given bad input (a bad argument or a bad file).
BAD_INPUT = 2


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
