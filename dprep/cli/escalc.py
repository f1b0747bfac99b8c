"""``dprep escalc``: effect sizes and sampling variances from what the studies report (metafor's ``escalc``)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from dprep.cli._common import emit, fail

#: The columns ``dprep escalc`` can read, by the argument of :func:`dprep.stats.meta.escalc` they feed.
INPUTS = {
    "m1i": "group 1 means", "sd1i": "group 1 SDs", "n1i": "group 1 sizes",
    "m2i": "group 2 means", "sd2i": "group 2 SDs", "n2i": "group 2 sizes",
    "ai": "group 1 events", "bi": "group 1 non-events", "ci": "group 2 events", "di": "group 2 non-events",
    "ri": "correlations", "ni": "sample sizes",
    "ti": "t statistics", "fi": "F(1, df) statistics", "pi": "two-sided p-values", "sign": "+1/-1 direction of F or p",
}


def register(app: typer.Typer) -> None:
    """Add ``dprep escalc`` to the CLI."""

    @app.command("escalc")
    def escalc_command(
        csv: Path = typer.Argument(..., help="CSV file with a header line, one study per row."),
        measure: str = typer.Option(..., "--measure", help="SMD, MD, OR, RR, RD, COR or ZCOR."),
        m1i: Optional[str] = typer.Option(None, "--m1i", help="Column of group 1 means (SMD, MD)."),
        sd1i: Optional[str] = typer.Option(None, "--sd1i", help="Column of group 1 SDs."),
        n1i: Optional[str] = typer.Option(None, "--n1i", help="Column of group 1 sizes (SMD, MD; OR/RR/RD with --ai)."),
        m2i: Optional[str] = typer.Option(None, "--m2i", help="Column of group 2 means."),
        sd2i: Optional[str] = typer.Option(None, "--sd2i", help="Column of group 2 SDs."),
        n2i: Optional[str] = typer.Option(None, "--n2i", help="Column of group 2 sizes."),
        ai: Optional[str] = typer.Option(None, "--ai", help="Column of events in group 1 (OR, RR, RD)."),
        bi: Optional[str] = typer.Option(None, "--bi", help="Column of non-events in group 1 (or give --n1i)."),
        ci: Optional[str] = typer.Option(None, "--ci", help="Column of events in group 2."),
        di: Optional[str] = typer.Option(None, "--di", help="Column of non-events in group 2 (or give --n2i)."),
        ri: Optional[str] = typer.Option(None, "--ri", help="Column of correlations (COR, ZCOR)."),
        ni: Optional[str] = typer.Option(None, "--ni", help="Column of sample sizes (COR, ZCOR)."),
        ti: Optional[str] = typer.Option(None, "--ti", help="Column of t statistics (SMD with n1i/n2i; COR/ZCOR with ni)."),
        fi: Optional[str] = typer.Option(None, "--fi", help="Column of F(1, df) statistics (instead of --ti)."),
        pi: Optional[str] = typer.Option(None, "--pi", help="Column of two-sided p-values (instead of --ti)."),
        sign: Optional[str] = typer.Option(None, "--sign", help="Column of +1/-1: the direction of each F or p."),
        cohen_d: bool = typer.Option(False, "--cohen-d", help="SMD: Cohen's d instead of Hedges' g."),
        add: float = typer.Option(0.5, "--add", help="Continuity correction of 2×2 tables."),
        to: str = typer.Option("only0", "--to", help="Tables that get --add: only0 (with a zero cell), all, if0all, none."),
        output: Optional[Path] = typer.Option(None, "--output", help="Write the table with yi, vi, sei appended "
                                              "(ready for dprep meta --yi-col yi --vi-col vi)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Effect sizes (yi) and sampling variances (vi) per study, as metafor's escalc.

        SMD: Hedges' g (or Cohen's d) with the large-sample variance, from means, SDs and group sizes or from a
        t, F(1, df) or p with the group sizes; MD; OR, RR (log scale) and RD from 2×2 counts with the ½
        correction; COR and ZCOR from r (or a t, F or p) and n. Bad input exits with code 2 and names the
        file, row (counted from 1 after the header) and column.
        """
        from dprep.cli._meta import _numbers, _read_table
        from dprep.data.io import write_csv
        from dprep.stats import meta

        if measure not in meta.MEASURES:
            fail(f"--measure must be one of {', '.join(meta.MEASURES)}; got {measure!r}.")
        table = _read_table(csv)
        columns = {name: col for name, col in dict(m1i=m1i, sd1i=sd1i, n1i=n1i, m2i=m2i, sd2i=sd2i, n2i=n2i, ai=ai,
                                                   bi=bi, ci=ci, di=di, ri=ri, ni=ni, ti=ti, fi=fi, pi=pi,
                                                   sign=sign).items() if col is not None}
        values = {name: _numbers(table, col, csv, f"--{name}") for name, col in columns.items()}
        try:
            es = meta.escalc(measure, correct=not cohen_d, add=add, to=to, **values)
        except ValueError as err:
            given = ", ".join(f"'{name}' = column {col!r} (--{name})" for name, col in columns.items())
            fail(f"{csv}: {err} (studies are rows counted from 1 after the header; {given or 'no columns given'}).")
        if output is not None:
            write_csv(output, table.assign(yi=es.yi, vi=es.vi, sei=es.to_frame()["sei"]))
        rows = [{"row": i + 1, **rec} for i, rec in enumerate(es.to_frame().to_dict(orient="records"))]
        emit({"file": str(csv), "measure": es.measure, "scale": es.scale, "source": es.source, "k": es.k,
              "output": None if output is None else str(output), "rows": rows}, as_json)
