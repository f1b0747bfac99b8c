"""``dprep bias``: publication-bias analyses of a CSV of correlations (r, n) or of (yi, vi): selection
models (``selmodel``) and PET-PEESE (``pet-peese``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from dprep.cli._common import emit, fail


def _effects(csv: Path, r_col: str, n_col: str, yi_col: str | None, vi_col: str | None):
    from dprep.cli._meta import _read_table, read_effects

    yi, vi, correlations = read_effects(_read_table(csv), csv, r_col=r_col, n_col=n_col, yi_col=yi_col,
                                        vi_col=vi_col)
    return yi, vi, "fisher_z" if correlations else "yi"


def _steps(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        fail(f"--steps must be comma-separated numbers in (0, 1], e.g. 0.025,0.5,1; got {text!r}.")


def register(app: typer.Typer) -> None:
    """Add the ``bias`` command group (``selmodel``, ``pet-peese``) to ``app``."""
    bias_app = typer.Typer(help="Publication-bias analyses: selection models and PET-PEESE.", no_args_is_help=True)
    r_opt = typer.Option("r", "--r-col", help="Column of correlations r (analysed as Fisher z).")
    n_opt = typer.Option("n", "--n-col", help="Column of sample sizes n.")
    yi_opt = typer.Option(None, "--yi-col", help="Column of effect sizes (instead of r/n).")
    vi_opt = typer.Option(None, "--vi-col", help="Column of sampling variances (with --yi-col).")
    json_opt = typer.Option(False, "--json", help="Print JSON.")

    @bias_app.command("selmodel")
    def selmodel_command(
        csv: Path = typer.Argument(..., help="CSV file with a header line."),
        r_col: str = r_opt, n_col: str = n_opt, yi_col: Optional[str] = yi_opt, vi_col: Optional[str] = vi_opt,
        type: str = typer.Option("stepfun", "--type", help="stepfun (Vevea & Hedges 1995) or beta (Citkowicz & Vevea 2017)."),
        steps: str = typer.Option("0.025,0.5,1", "--steps", help="Cut points of the step function (one-sided p)."),
        alternative: str = typer.Option("greater", "--alternative", help="greater, less or two.sided p-values."),
        method: str = typer.Option("REML", "--method", help="Model without selection: a τ² estimator (refitted by "
                                   "ML) or FE (τ² = 0)."),
        as_json: bool = json_opt,
    ) -> None:
        """Selection model fitted by ML as metafor's selmodel: δ, the adjusted estimate, τ² and the LRT.

        JSON keys: delta, estimate, se, tau2, lrt, lrt_pval (and the coefficient table, δ's standard errors,
        the log-likelihoods and the number of p-values per interval).
        """
        from dprep.core.errors import ConvergenceError
        from dprep.stats import meta

        yi, vi, scale = _effects(csv, r_col, n_col, yi_col, vi_col)
        cuts = _steps(steps) if type == "stepfun" else None
        try:
            fit = meta.selmodel(meta.rma(yi, vi, method=method), type, steps=cuts, alternative=alternative)
        except (ValueError, ConvergenceError) as err:
            fail(f"{csv}: {err}")
        out: dict[str, Any] = {"file": str(csv), "scale": scale, **fit.to_dict()}
        emit(out, as_json)

    @bias_app.command("pet-peese")
    def petpeese_command(
        csv: Path = typer.Argument(..., help="CSV file with a header line."),
        r_col: str = r_opt, n_col: str = n_opt, yi_col: Optional[str] = yi_opt, vi_col: Optional[str] = vi_opt,
        method: str = typer.Option("FE", "--method", help="FE (weighted least squares, Stanley & Doucouliagos) "
                                   "or a τ² estimator (REML, …) for the random-effects version."),
        test: str = typer.Option("knha", "--test", help="knha (t tests on k - 2 df) or z."),
        alpha: float = typer.Option(0.05, "--alpha", help="Level of PET's test that picks PET or PEESE."),
        as_json: bool = json_opt,
    ) -> None:
        """PET, PEESE and conditional PET-PEESE (Stanley & Doucouliagos 2014).

        JSON keys: pet and peese (each estimate, se, stat, pval, ci_lb, ci_ub), chosen and its estimate, and
        the funnel-asymmetry test (fat_stat, fat_pval).
        """
        from dprep.core.errors import ConvergenceError
        from dprep.stats import meta

        yi, vi, scale = _effects(csv, r_col, n_col, yi_col, vi_col)
        try:
            res = meta.petpeese(yi, vi, method=method, test=test, alpha=alpha)
        except (ValueError, ConvergenceError) as err:
            fail(f"{csv}: {err}")
        emit({"file": str(csv), "scale": scale, **res.to_dict()}, as_json)

    app.add_typer(bias_app, name="bias")
