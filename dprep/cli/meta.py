"""``dprep meta``: random-effects meta-analysis of a CSV of correlations (r, n) or of (yi, vi).

Options add a Bayesian random-effects fit (``--bayes``) and, for a column recording whether outcome
assessment was blinded (``--blinding-col``), the subgroup analysis and meta-regression on blinding and
the bias-adjusted estimate (Turner et al. 2009) under a meta-epidemiological bias prior. ``--levels``
fits a multilevel model (effects nested in studies, ``rma.mv``) instead of the two-level one, and
``--robust`` adds cluster-robust inference (CR1 or CR2 with Satterthwaite df and the HTZ test).

Rows are numbered as the user sees the data: row 1 is the first line after the header (file line 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from dprep.cli._common import emit

#: Seed of ``--bayes`` when none is given (params.yaml's seed).
DEFAULT_SEED = 20190821


def register(app: typer.Typer) -> None:
    """Add ``dprep meta`` to the CLI."""

    @app.command("meta")
    def meta_command(
        csv: Path = typer.Argument(..., help="CSV file with a header line."),
        r_col: str = typer.Option("r", "--r-col", help="Column of correlations r."),
        n_col: str = typer.Option("n", "--n-col", help="Column of sample sizes n."),
        yi_col: Optional[str] = typer.Option(None, "--yi-col", help="Column of effect sizes (instead of r/n)."),
        vi_col: Optional[str] = typer.Option(None, "--vi-col", help="Column of sampling variances (with --yi-col)."),
        method: str = typer.Option("REML", "--method", help="τ² estimator: DL, REML, PM, ML or HE "
                                   "(default REML, as the pipeline's params.yaml)."),
        test: Optional[str] = typer.Option(None, "--test", help="knha (Knapp–Hartung t tests; the default, as "
                                           "the pipeline) or z (Wald; the default with --levels)."),
        level: float = typer.Option(0.95, "--level", help="Confidence level in (0, 1)."),
        moderator: Optional[str] = typer.Option(
            None, "--moderator", help="Moderator column: numeric if all cells are numbers, else categorical."
        ),
        influence: bool = typer.Option(False, "--influence", help="Add case-deletion diagnostics per study "
                                       "(rstudent, dffits, cook_d, cov_r, tau2_del, qe_del, hat, weight, dfbetas)."),
        cumul_col: Optional[str] = typer.Option(None, "--cumul-col", help="Column ordering a cumulative "
                                                "meta-analysis (e.g. year)."),
        bayes: bool = typer.Option(False, "--bayes", help="Add a Bayesian random-effects fit (PyMC, gated)."),
        seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Seed of the Bayesian sampler."),
        draws: int = typer.Option(2000, "--draws", min=100, help="Posterior draws per chain (--bayes)."),
        blinding_col: Optional[str] = typer.Option(
            None, "--blinding-col", help="Column of blinded/unblinded/unclear: subgroups, meta-regression, "
            "bias-adjusted estimate."
        ),
        bias_prior: Optional[str] = typer.Option(
            None, "--bias-prior", help="Bias prior (source name); default bayes.default_bias_prior of --params."
        ),
        bias_priors: Path = typer.Option(
            Path("data/raw/blinding_bias_priors.csv"), "--bias-priors", help="CSV of meta-epidemiological bias estimates."
        ),
        params: Path = typer.Option(Path("params.yaml"), "--params", help="Params file (default bias prior)."),
        levels: Optional[str] = typer.Option(
            None, "--levels", help="OUTER,INNER grouping columns (e.g. study,esid): multilevel model (rma.mv)."
        ),
        robust: Optional[str] = typer.Option(
            None, "--robust", help="Cluster column (e.g. study): cluster-robust SEs, df, tests and CIs."
        ),
        cr: str = typer.Option("CR2", "--cr", help="Robust adjustment: CR0, CR1 (metafor's default) or CR2 "
                               "(clubSandwich: Satterthwaite df, HTZ test)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Random-effects meta-analysis of correlations (Fisher z) or of any (yi, vi).

        Defaults match the pipeline: REML τ² with Knapp–Hartung tests (the output's method and test keys say
        which were used). Bad input exits with code 2 and names the file, the row (rows counted from 1 after the header
        line) and the column.
        """
        from dprep.cli._meta import analyse

        emit(analyse(csv, r_col=r_col, n_col=n_col, yi_col=yi_col, vi_col=vi_col, method=method,
                     test=test, level=level, moderator=moderator, influence=influence, cumul_col=cumul_col,
                     bayes=bayes, seed=seed, draws=draws,
                     blinding_col=blinding_col, bias_prior=bias_prior, bias_priors=bias_priors,
                     params=params, levels=levels, robust=robust, cr=cr), as_json)
