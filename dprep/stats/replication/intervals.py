"""Cohen's d from an F contrast, its standard error and confidence interval, and the prediction
interval of a replication estimate."""

from __future__ import annotations

import math
from typing import Literal

from scipy import stats

from dprep.core import args
from dprep.stats.effects import DInterval, cohens_d_from_t, d_ci
from dprep.stats.replication._common import _count, _df, _scale


def d_from_f(f: float, n1: int, n2: int, *, sign: int = 1) -> float:
    """Cohen's d from an F(1, df) contrast between two groups: d = ±√F·√(1/n1 + 1/n2).

    Parameters
    ----------
    f : float
        F statistic with one numerator degree of freedom (F = t²), ≥ 0.
    n1, n2 : int
        Sizes of the two contrasted groups (≥ 2 each).
    sign : {1, -1}, default 1
        Direction, which F cannot carry: +1 when the first group's mean is the larger (the
        hypothesized direction).

    Returns
    -------
    float
        Cohen's d. If the error term pools more groups than the two contrasted (e.g. F(1, 27) from
        three groups of 10), d is standardized by that pooled SD; pass ``df`` to the interval
        functions accordingly.

    Raises
    ------
    ValueError
        If ``f`` is negative or not finite, a group size < 2, or ``sign`` not ±1.

    References
    ----------
    Rosenthal, R. (1994). Parametric measures of effect size. In Cooper & Hedges (Eds.), The
    Handbook of Research Synthesis, pp. 231–244 (t = √F for a 1-df contrast).
    """
    func = "d_from_f"
    f = args.finite("f", func, f)
    if f < 0:
        raise ValueError(f"The 'f' parameter of {func} must be >= 0. Got {f!r} instead.")
    if sign not in (1, -1):
        raise ValueError(f"The 'sign' parameter of {func} must be 1 or -1. Got {sign!r} instead.")
    n1, n2 = _count("n1", func, n1), _count("n2", func, n2)
    return sign * cohens_d_from_t(math.sqrt(f), n1, n2)


def d_standard_error(d: float, n1: int, n2: int) -> float:
    """Large-sample standard error of Cohen's d: √[(n1+n2)/(n1 n2) + d²/(2(n1+n2))].

    Parameters
    ----------
    d : float
        Cohen's d.
    n1, n2 : int
        Group sizes (≥ 2 each).

    Returns
    -------
    float
        Standard error (d units).

    Raises
    ------
    ValueError
        If ``d`` is not finite or a group size < 2.

    References
    ----------
    Hedges, L. V., & Olkin, I. (1985). Statistical Methods for Meta-Analysis, ch. 5; Borenstein et
    al. (2009), eq. 4.20.
    """
    func = "d_standard_error"
    d = args.finite("d", func, d)
    n1, n2 = _count("n1", func, n1), _count("n2", func, n2)
    return math.sqrt((n1 + n2) / (n1 * n2) + d * d / (2.0 * (n1 + n2)))


def d_confidence_interval(d: float, n1: int, n2: int, *, level: float = 0.95, df: int | None = None,
                          method: Literal["nct", "normal"] = "nct") -> DInterval:
    """Confidence interval for Cohen's d of two independent groups.

    Parameters
    ----------
    d : float
        Cohen's d.
    n1, n2 : int
        Group sizes (≥ 2 each).
    level : float, default 0.95
        Confidence level.
    df : int, optional
        Degrees of freedom of the pooled SD (default n1 + n2 − 2). Give the ANOVA error df when d was
        standardized by an error term pooled over more groups.
    method : {"nct", "normal"}, default "nct"
        ``"nct"``: invert the noncentral t distribution of t = d/√(1/n1+1/n2) (exact under normality
        and equal variances). ``"normal"``: d ± z·SE with :func:`d_standard_error`.

    Returns
    -------
    DInterval
        ``estimate`` (= ``d``), ``ci_lb``, ``ci_ub``, ``method`` and ``df``.

    Raises
    ------
    ArgumentError
        On non-finite ``d``, group sizes < 2, ``level`` outside (0, 1), or an unknown method.

    References
    ----------
    Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation and the evaluation of
    statistical models. In Harlow, Mulaik & Steiger (Eds.), What if there were no significance
    tests?, pp. 221–257; Cumming, G., & Finch, S. (2001). Educ. Psychol. Meas., 61, 532–574.
    """
    func = "d_confidence_interval"
    d = args.finite("d", func, d)
    n1, n2 = _count("n1", func, n1), _count("n2", func, n2)
    level = args.level(func, level)
    df = _df(func, df, n1, n2)
    args.option("method", func, method, ("nct", "normal"))
    if method == "nct":
        ci = d_ci(d / _scale(n1, n2), n1, n2, level, df=df)
        return DInterval(estimate=d, ci_lb=ci.ci_lb, ci_ub=ci.ci_ub, level=level, method="nct", df=float(df),
                         ncp_lb=ci.ncp_lb, ncp_ub=ci.ncp_ub, n1=float(n1), n2=float(n2))
    half = float(stats.norm.ppf(0.5 + level / 2) * d_standard_error(d, n1, n2))
    return DInterval(estimate=d, ci_lb=d - half, ci_ub=d + half, level=level, method="normal", df=float(df),
                     ncp_lb=float("nan"), ncp_ub=float("nan"), n1=float(n1), n2=float(n2))


# --------------------------------------------------------------------------------------------
# prediction interval (Patil, Peng & Leek 2016)
# --------------------------------------------------------------------------------------------
def prediction_interval(orig_estimate: float, orig_se: float, rep_se: float, *,
                        level: float = 0.95, tau: float = 0.0) -> tuple[float, float]:
    """Prediction interval for the replication estimate given the original one.

    Parameters
    ----------
    orig_estimate : float
        Original effect estimate θ̂o.
    orig_se, rep_se : float
        Standard errors of the original and replication estimates (> 0).
    level : float, default 0.95
        Prediction level.
    tau : float, default 0
        Between-study heterogeneity SD (0: the two studies estimate the same effect).

    Returns
    -------
    (float, float)
        θ̂o ∓ z·√(se_o² + se_r² + 2τ²).

    Raises
    ------
    ValueError
        On non-finite input, non-positive standard errors, negative ``tau`` or ``level`` ∉ (0, 1).

    References
    ----------
    Patil, P., Peng, R. D., & Leek, J. T. (2016). What should researchers expect when they replicate
    studies? Perspectives on Psychological Science, 11, 539–544 (the 95% prediction interval).
    Pawel, S., & Held, L. (2020). PLoS ONE 15(4):e0231416 (the τ term);
    ``ReplicationSuccess::predictionInterval(designPrior = "predictive")``.
    """
    func = "prediction_interval"
    theta = args.finite("orig_estimate", func, orig_estimate)
    se_o, se_r = args.positive("orig_se", func, orig_se), args.positive("rep_se", func, rep_se)
    tau = args.finite("tau", func, tau)
    if tau < 0:
        raise ValueError(f"The 'tau' parameter of {func} must be >= 0. Got {tau!r} instead.")
    level = args.level(func, level)
    z = stats.norm.ppf(0.5 + level / 2)
    half = float(z * math.sqrt(se_o ** 2 + se_r ** 2 + 2 * tau ** 2))
    return (theta - half, theta + half)
