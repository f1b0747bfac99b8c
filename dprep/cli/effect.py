"""``dprep effect``: effect sizes with exact confidence intervals from reported statistics."""

from __future__ import annotations

import typer

from dprep.cli._common import emit, fail


def register(app: typer.Typer) -> None:
    """Add the ``effect`` command group (``eta2-ci``, ``d-ci``) to ``app``."""
    effect_app = typer.Typer(help="Effect sizes and their exact (noncentral) confidence intervals.", no_args_is_help=True)

    @effect_app.command("eta2-ci")
    def eta2_ci(
        f: float = typer.Option(..., "--f", help="Observed F statistic."),
        df1: float = typer.Option(..., "--df1", help="Numerator (effect) degrees of freedom."),
        df2: float = typer.Option(..., "--df2", help="Denominator (error) degrees of freedom."),
        level: float = typer.Option(0.95, "--level", help="Confidence level (two-sided)."),
        lambda_to_eta2: str = typer.Option(
            "N", "--lambda-to-eta2", help="λ → η² mapping: 'N' = λ/(λ+df1+df2+1) (Steiger 2004, MBESS); 'df_error' = λ/(λ+df2) (effectsize)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Partial η² from F(df1, df2) with its CI by inverting the noncentral F distribution."""
        from dprep.stats import effects

        try:
            result = effects.eta2_ci(f, df1, df2, level=level, lambda_to_eta2=lambda_to_eta2)
        except ValueError as err:
            fail(str(err))
        out = result.to_dict()
        out["convention"] = (
            "lambda/(lambda + df1 + df2 + 1) (Steiger 2004; MBESS)" if lambda_to_eta2 == "N"
            else "lambda/(lambda + df2) (effectsize, alternative = 'two.sided')"
        )
        emit(out, as_json)

    @effect_app.command("d-ci")
    def d_ci(
        t: float = typer.Option(..., "--t", help="Student (pooled-variance) t statistic."),
        n1: int = typer.Option(..., "--n1", help="Size of group 1."),
        n2: int = typer.Option(..., "--n2", help="Size of group 2."),
        level: float = typer.Option(0.95, "--level", help="Confidence level (two-sided)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Cohen's d = t·√(1/n1 + 1/n2) with its CI by inverting the noncentral t distribution."""
        from dprep.stats import effects

        try:
            result = effects.d_ci(t, n1, n2, level=level)
        except ValueError as err:
            fail(str(err))
        out = result.to_dict()
        out["hedges_g"] = effects.hedges_g(result.estimate, n1, n2)
        emit(out, as_json)

    app.add_typer(effect_app, name="effect")
