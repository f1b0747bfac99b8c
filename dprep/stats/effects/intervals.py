"""Exact confidence intervals of η² (noncentral F) and Cohen's d (noncentral t)."""

from __future__ import annotations

import math
from typing import Literal

from dprep.core import args
from dprep.core.results import Interval, result
from dprep.stats.effects.variance import eta2_from_f, f_from_eta2
from dprep.stats.noncentral import ncf_limits, nct_limits

LambdaToEta2 = Literal["N", "df_error"]


@result
class Eta2Interval(Interval):
    """Partial η² with a two-sided noncentral-F confidence interval.

    Attributes
    ----------
    estimate, ci_lb, ci_ub : float
        Point estimate η²_p = F·df1/(F·df1 + df2) and CI limits (0–1 scale).
    level : float
        Confidence level.
    lambda_to_eta2 : str
        ``"N"`` (λ/(λ + df1 + df2 + 1)) or ``"df_error"`` (λ/(λ + df2)).
    ncp_lb, ncp_ub : float
        Noncentrality limits λ.
    f, df1, df2 : float
        Inputs.
    """

    title = "Partial η² with a noncentral-F confidence interval"

    lambda_to_eta2: str
    ncp_lb: float
    ncp_ub: float
    f: float
    df1: float
    df2: float


def eta2_ci(
    f: float,
    df1: float,
    df2: float,
    level: float = 0.95,
    lambda_to_eta2: LambdaToEta2 = "N",
) -> Eta2Interval:
    """Partial η² from F and its two-sided CI by inverting the noncentral F distribution.

    Parameters
    ----------
    f : float
        Observed F (≥ 0).
    df1, df2 : float
        Numerator and denominator degrees of freedom.
    level : float, default 0.95
        Confidence level (0.90 is the interval that matches a one-sided F test at α = .05).
    lambda_to_eta2 : {"N", "df_error"}, default "N"
        Mapping of the noncentrality limits to η²: ``"N"`` uses λ/(λ + N) with
        N = df1 + df2 + 1 (Steiger 2004; MBESS; Smithson 2001); ``"df_error"`` uses
        λ/(λ + df2) (R package effectsize, ``F_to_eta2(..., alternative = "two.sided")``).
        See the module docstring.

    Returns
    -------
    Eta2Interval
        ``estimate`` (η²), ``ci_lb``, ``ci_ub`` and the noncentrality limits.

    Raises
    ------
    ValueError
        On invalid F, df, level, or an unknown ``lambda_to_eta2``.

    References
    ----------
    Steiger, J. H. (2004). Beyond the F test: effect size confidence intervals and tests of
    close fit in the analysis of variance and contrast analysis. *Psychological Methods*,
    9(2), 164–182. Smithson, M. (2001). Correct confidence intervals for various regression
    effect sizes and parameters. *Educational and Psychological Measurement*, 61(4), 605–632.
    Fidler, F., & Thompson, B. (2001). Computing correct confidence intervals for ANOVA fixed-
    and random-effects effect sizes. *Educational and Psychological Measurement*, 61(4),
    575–604.
    """
    args.level("eta2_ci", level)
    args.option("lambda_to_eta2", "eta2_ci", lambda_to_eta2, ("N", "df_error"))
    eta2 = eta2_from_f(f, df1, df2)
    lam_lb, lam_ub = ncf_limits(f, df1, df2, level)
    denom = float(df1) + float(df2) + 1.0 if lambda_to_eta2 == "N" else float(df2)
    return Eta2Interval(
        estimate=eta2,
        ci_lb=lam_lb / (lam_lb + denom),
        ci_ub=lam_ub / (lam_ub + denom),
        level=float(level),
        lambda_to_eta2=lambda_to_eta2,
        ncp_lb=lam_lb,
        ncp_ub=lam_ub,
        f=float(f),
        df1=float(df1),
        df2=float(df2),
    )


def eta2_ci_from_eta2(
    eta2: float,
    df1: float,
    df2: float,
    level: float = 0.95,
    lambda_to_eta2: LambdaToEta2 = "N",
) -> Eta2Interval:
    """CI of a reported partial η² (F recovered with :func:`f_from_eta2`).

    Parameters
    ----------
    eta2 : float
        Partial η² on [0, 1).
    df1, df2 : float
        Degrees of freedom of the F test behind it.
    level : float, default 0.95
        Confidence level.
    lambda_to_eta2 : {"N", "df_error"}, default "N"
        See :func:`eta2_ci`.

    Returns
    -------
    Eta2Interval

    Raises
    ------
    ValueError
        On invalid inputs.

    References
    ----------
    Steiger, J. H. (2004). *Psychological Methods*, 9(2), 164–182.
    """
    return eta2_ci(f_from_eta2(eta2, df1, df2), df1, df2, level, lambda_to_eta2)


@result
class DInterval(Interval):
    """Cohen's d with a two-sided confidence interval.

    Attributes
    ----------
    estimate, ci_lb, ci_ub : float
        Cohen's d and its CI limits (pooled-SD units).
    level : float
        Confidence level.
    method : str
        ``"nct"`` (inversion of the noncentral t) or ``"normal"`` (d ± z·SE).
    df : float
        Degrees of freedom of the t statistic (n1 + n2 − 2 unless an error term pooled over more
        groups was used).
    ncp_lb, ncp_ub : float
        Noncentrality limits δ of t(df, δ) (NaN for the normal method).
    n1, n2 : float
        Group sizes.
    """

    title = "Cohen's d with a confidence interval"

    method: str
    df: float
    ncp_lb: float
    ncp_ub: float
    n1: float
    n2: float


def d_ci(t: float, n1: int, n2: int, level: float = 0.95, *, df: float | None = None) -> DInterval:
    """Cohen's d from a Student t and its CI by inverting the noncentral t distribution.

    d = t·√(1/n1 + 1/n2); the CI limits are δ_lb·√(1/n1 + 1/n2) and δ_ub·√(1/n1 + 1/n2) where
    δ are the noncentrality limits of t(df, δ) (as in MBESS::ci.smd and effectsize::cohens_d).

    Parameters
    ----------
    t : float
        Student (pooled-variance) t statistic.
    n1, n2 : int
        Group sizes (> 0, n1 + n2 > 2).
    level : float, default 0.95
        Confidence level.
    df : float, optional
        Degrees of freedom of t (default n1 + n2 − 2); give the error df of an ANOVA when the SD is
        pooled over more groups.

    Returns
    -------
    DInterval
        ``estimate`` (d), ``ci_lb``, ``ci_ub``, ``method="nct"`` and the noncentrality limits.

    Raises
    ------
    ArgumentError
        On invalid inputs (n1 + n2 must exceed 2).

    References
    ----------
    Cumming, G., & Finch, S. (2001). *Educational and Psychological Measurement*, 61(4),
    532–574. Steiger, J. H., & Fouladi, R. T. (1997), in *What if there were no significance
    tests?*, Erlbaum.
    """
    args.level("d_ci", level)
    n1 = args.positive("n1", "d_ci", n1)
    n2 = args.positive("n2", "d_ci", n2)
    args.check(n1 + n2 > 2, "n1", "d_ci", "sum with 'n2' to more than 2", (n1, n2))
    df = n1 + n2 - 2 if df is None else args.positive("df", "d_ci", df)
    scale = math.sqrt(1.0 / n1 + 1.0 / n2)
    lo, hi = nct_limits(t, df, level)
    return DInterval(estimate=float(t) * scale, ci_lb=lo * scale, ci_ub=hi * scale, level=float(level),
                     method="nct", df=float(df), ncp_lb=lo, ncp_ub=hi, n1=n1, n2=n2)
