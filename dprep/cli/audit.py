"""``dprep audit``: statcheck-style consistency audit of a table of reported tests (``dprep audit CSV``,
also ``dprep audit tests CSV``) and the granularity checks of single reported values
(``dprep audit grim``, ``grimmer``, ``debit``)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperGroup

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


class _TestsByDefault(TyperGroup):
    """``dprep audit CSV ...`` (no subcommand named) runs ``dprep audit tests CSV ...``."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["tests", *args]
        return super().parse_args(ctx, args)


def _granularity(check, as_json: bool, **kwargs) -> None:
    from dprep.core.errors import ArgumentError

    try:
        out = check(**kwargs)
    except ArgumentError as err:
        fail(str(err))
    emit(out.to_dict() if as_json else out, as_json)


_N = typer.Option(..., "--n", help="Number of participants.")
_ITEMS = typer.Option(1, "--items", help="Integer items averaged into each participant's score.")
_MIN = typer.Option(None, "--scale-min", help="Lowest possible response.")
_MAX = typer.Option(None, "--scale-max", help="Highest possible response.")
_ROUNDING = typer.Option("up_or_down", "--rounding", help="Ties: up_or_down (either), up, down or even.")
_JSON = typer.Option(False, "--json", help="Machine-readable output.")


def register(app: typer.Typer) -> None:
    """Add the ``audit`` command group to ``app``."""
    group = typer.Typer(cls=_TestsByDefault, no_args_is_help=True,
                        help="Consistency audits: reported tests (dprep audit CSV) and GRIM-family checks.")
    app.add_typer(group, name="audit")

    @group.command("grim")
    def grim(
        mean: str = typer.Option(..., "--mean", help="The mean as printed (keeps its decimals: 8.00)."),
        n: int = _N,
        items: int = _ITEMS,
        scale_min: Optional[float] = _MIN,
        scale_max: Optional[float] = _MAX,
        rounding: str = _ROUNDING,
        as_json: bool = _JSON,
    ) -> None:
        """GRIM (Brown & Heathers 2017): is a mean of integer responses possible with this n?"""
        from dprep.stats.audit import grim as check

        _granularity(check, as_json, mean=mean, n=n, items=items, scale_min=scale_min, scale_max=scale_max,
                     rounding=rounding)

    @group.command("grimmer")
    def grimmer(
        mean: str = typer.Option(..., "--mean", help="The mean as printed."),
        sd: str = typer.Option(..., "--sd", help="The sample SD as printed."),
        n: int = _N,
        items: int = _ITEMS,
        scale_min: Optional[float] = _MIN,
        scale_max: Optional[float] = _MAX,
        rounding: str = _ROUNDING,
        as_json: bool = _JSON,
    ) -> None:
        """GRIMMER (Anaya 2016): are a mean and SD of integer responses possible together with this n?"""
        from dprep.stats.audit import grimmer as check

        _granularity(check, as_json, mean=mean, sd=sd, n=n, items=items, scale_min=scale_min,
                     scale_max=scale_max, rounding=rounding)

    @group.command("debit")
    def debit(
        mean: str = typer.Option(..., "--mean", help="The proportion (0–1) as printed."),
        sd: str = typer.Option(..., "--sd", help="Its SD as printed."),
        n: int = typer.Option(..., "--n", help="Number of observations."),
        population: bool = typer.Option(False, "--population", help="The SD has denominator n (default n − 1)."),
        rounding: str = _ROUNDING,
        as_json: bool = _JSON,
    ) -> None:
        """DEBIT (Heathers & Brown 2019): are a mean and SD of binary data possible together with this n?"""
        from dprep.stats.audit import debit as check

        _granularity(check, as_json, mean=mean, sd=sd, n=n, sd_type="population" if population else "sample",
                     rounding=rounding)

    @group.command("tests")
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
