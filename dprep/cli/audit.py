"""``dprep audit``: statcheck-style consistency audit of a table of reported tests."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from dprep.cli._common import emit, fail

ROW_FIELDS = (
    "test_id", "statistic", "value", "df1", "df2", "p_reported", "recomputed_p", "recomputed_p_lb",
    "recomputed_p_ub", "effect_size", "effect_value", "recomputed_es", "recomputed_es_lb",
    "recomputed_es_ub", "es_definition", "ci_convention", "verdict", "explanation", "checks",
)


def _read(path: Path, reader):
    import pandas as pd

    from dprep.stats.audit import AuditInputError

    if not path.is_file():
        fail(f"{path}: no such file.")
    try:
        return reader(path)
    except AuditInputError as err:
        fail(str(err))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        fail(f"{path}: cannot be read as CSV ({err}).")
    raise AssertionError("unreachable")  # pragma: no cover


def register(app: typer.Typer) -> None:
    """Add the ``audit`` command to ``app``."""

    @app.command("audit")
    def audit(
        csv: Path = typer.Argument(..., help="Reported tests (layout of reported_tests.csv)."),
        groups: Optional[Path] = typer.Option(None, "--groups", help="Group summaries (layout of group_summaries.csv)."),
        alpha: float = typer.Option(0.05, "--alpha", help="Significance threshold for decision errors."),
        rounding: bool = typer.Option(True, "--rounding/--no-rounding", help="Allow ± half a unit in the last reported digit."),
        derived: bool = typer.Option(False, "--derived", help="Print the derived values (implied MSE, SD, means) instead."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON: a list with one object per row."),
    ) -> None:
        """Recompute p-values and effect sizes of reported tests and flag inconsistencies."""
        from dprep.data import tables
        from dprep.stats import audit as audit_mod

        tests = _read(csv, tables.read_reported_tests)
        group_table = None if groups is None else _read(groups, tables.read_group_summaries)
        try:
            result = audit_mod.audit(tests, group_table, alpha=alpha, rounding=rounding)
        except ValueError as err:
            fail(str(err))
        if derived:
            emit(result.derived.to_dict(orient="records"), as_json)
            return
        rows = result.tests[list(ROW_FIELDS)].to_dict(orient="records")
        if as_json:
            emit(rows, True)
            return
        from rich.console import Console

        console = Console()
        for row in rows:
            p = row["recomputed_p"]
            stat = f"{row['statistic']} = {row['value']}" if row["statistic"] else "no statistic"
            p_text = "" if p is None or p != p else f", recomputed p = {p:.3g}"
            console.print(f"[bold]{row['test_id']}[/bold]: {row['verdict']} ({stat}, reported p {row['p_reported'] or 'none'}{p_text})")
            console.print(f"  {row['explanation']}", markup=False, highlight=False)
