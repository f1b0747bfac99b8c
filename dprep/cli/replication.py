"""``dprep replication``: every replication metric for an original / replication pair of d's."""

from __future__ import annotations

from typing import Optional

import typer

from dprep.cli._common import emit, fail


def _sesoi(text: str) -> float | str:
    """``--sesoi`` value: ``"d33"`` or a number (anything else is left for the library to reject)."""
    try:
        return float(text)
    except ValueError:
        return text


def register(app: typer.Typer) -> None:
    """Add the ``replication`` command to ``app``."""

    @app.command("replication")
    def replication(
        orig_d: float = typer.Option(..., "--orig-d", help="Original Cohen's d (its sign is the hypothesized direction)."),
        orig_n1: int = typer.Option(..., "--orig-n1", help="Original group 1 size."),
        orig_n2: int = typer.Option(..., "--orig-n2", help="Original group 2 size."),
        rep_d: float = typer.Option(..., "--rep-d", help="Replication Cohen's d (same sign convention)."),
        rep_n1: int = typer.Option(..., "--rep-n1", help="Replication group 1 size."),
        rep_n2: int = typer.Option(..., "--rep-n2", help="Replication group 2 size."),
        sesoi: str = typer.Option("d33", "--sesoi",
                                  help="Smallest effect size of interest for the TOST: a d in (0, 100] or 'd33', the effect "
                                       "the original had 33% power to detect (Lakens, Scheel & Isager 2018)."),
        level: float = typer.Option(0.95, "--level", help="Confidence / prediction level."),
        orig_df: Optional[int] = typer.Option(None, "--orig-df", help="Original error df, 1 to 2e9 (default n1+n2-2)."),
        rep_df: Optional[int] = typer.Option(None, "--rep-df", help="Replication error df, 1 to 2e9 (default n1+n2-2)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """CIs, prediction interval, small telescopes, replication BF, sceptical p, TOST, Q test, pooled d."""
        from dprep.stats.replication import replication_report

        try:
            rep = replication_report(orig_d, orig_n1, orig_n2, rep_d, rep_n1, rep_n2, sesoi=_sesoi(sesoi),
                                     level=level, orig_df=orig_df, rep_df=rep_df)
        except ValueError as exc:
            fail(str(exc))
        emit(rep, as_json)
