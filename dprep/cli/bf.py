"""``dprep bf``: default (JZS) Bayes factors from a t or F statistic."""

from __future__ import annotations

from typing import Optional

import typer

from dprep.cli._common import emit, fail


def register(app: typer.Typer) -> None:
    """Add the ``bf`` command group (``ttest``, ``anova``) to ``app``."""
    bf_app = typer.Typer(help="Default JZS Bayes factors (BF10, BF01) from summary statistics.",
                         no_args_is_help=True)

    @bf_app.command("ttest")
    def ttest(
        t: float = typer.Option(..., "--t", help="t statistic (Student, pooled variance)."),
        n1: int = typer.Option(..., "--n1", help="Size of group 1 (or the only group)."),
        n2: int = typer.Option(0, "--n2", help="Size of group 2; 0 for a one-sample/paired test."),
        r: Optional[float] = typer.Option(None, "--r", help="Cauchy prior scale on delta (default √2/2, BayesFactor's 'medium')."),
        df: Optional[int] = typer.Option(None, "--df", help="Error df of t if pooled over more groups (default from n)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """JZS t-test Bayes factor (Rouder et al. 2009), as BayesFactor::ttest.tstat."""
        from dprep.stats.bayes_factors import R_TTEST_MEDIUM, jzs_ttest_bf

        try:
            res = jzs_ttest_bf(t, n1, n2 or None, r=R_TTEST_MEDIUM if r is None else r, df=df)
        except ValueError as exc:
            fail(str(exc))
        emit(res, as_json)

    @bf_app.command("anova")
    def anova(
        f: float = typer.Option(..., "--f", help="F statistic of the balanced one-way ANOVA."),
        groups: int = typer.Option(..., "--groups", help="Number of groups J."),
        n_per_group: int = typer.Option(..., "--n-per-group", help="Observations per group."),
        r: Optional[float] = typer.Option(None, "--r", help="Prior scale of the effects (default 0.5, BayesFactor's 'medium')."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """JZS one-way ANOVA Bayes factor (Rouder et al. 2012), as BayesFactor::oneWayAOV.Fstat."""
        from dprep.stats.bayes_factors import R_ANOVA_MEDIUM, jzs_anova_bf

        try:
            res = jzs_anova_bf(f, groups, n_per_group, r=R_ANOVA_MEDIUM if r is None else r)
        except ValueError as exc:
            fail(str(exc))
        emit(res, as_json)

    app.add_typer(bf_app, name="bf")
