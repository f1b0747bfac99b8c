"""Standardized mean differences (Cohen's d, Hedges' g) and conversions (r ↔ Fisher's z, d ↔ r)."""

from __future__ import annotations

import math

from scipy import special

from dprep.core import args


def cohens_d_from_t(t: float, n1: int, n2: int) -> float:
    """Cohen's d (pooled-SD standardizer) from an independent-samples Student t: t·√(1/n1 + 1/n2).

    Parameters
    ----------
    t : float
        Student t statistic (sign gives the direction of group 1 − group 2).
    n1, n2 : int
        Group sizes.

    Returns
    -------
    float
        Cohen's d (in pooled-SD units).

    Raises
    ------
    ValueError
        If ``t`` is not finite or a group size is not positive.

    References
    ----------
    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative
    science. *Frontiers in Psychology*, 4, 863 (d_s from t).
    """
    t = args.finite("t", "cohens_d_from_t", t)
    n1 = args.positive("n1", "cohens_d_from_t", n1)
    n2 = args.positive("n2", "cohens_d_from_t", n2)
    return t * math.sqrt(1.0 / n1 + 1.0 / n2)


def cohens_d_from_t_df(t: float, df: float) -> float:
    """The common shortcut d = 2t / √df (exact only as N → ∞ with equal groups).

    For equal groups of n it differs from :func:`cohens_d_from_t` by the factor
    √((2n − 2) / (2n))⁻¹, i.e. it is slightly larger in absolute value.

    Parameters
    ----------
    t : float
        t statistic.
    df : float
        Degrees of freedom of the t test.

    Returns
    -------
    float
        d = 2t/√df.

    Raises
    ------
    ValueError
        If ``t`` is not finite or ``df`` is not positive.

    References
    ----------
    Rosenthal, R. (1991). *Meta-analytic procedures for social research* (rev. ed.), Sage;
    Friedman, H. (1982). *Educational and Psychological Measurement*, 42(2), 521–526.
    """
    t = args.finite("t", "cohens_d_from_t_df", t)
    df = args.positive("df", "cohens_d_from_t_df", df)
    return 2.0 * t / math.sqrt(df)


def cohens_d_from_means(
    mean1: float, mean2: float, sd1: float, sd2: float, n1: int, n2: int
) -> float:
    """Cohen's d from group means and SDs with the pooled SD as standardizer.

    d = (mean1 − mean2) / s_p, s_p = √(((n1 − 1)·sd1² + (n2 − 1)·sd2²) / (n1 + n2 − 2)).

    Parameters
    ----------
    mean1, mean2 : float
        Group means (outcome units, e.g. hours).
    sd1, sd2 : float
        Group standard deviations (same units, ddof = 1).
    n1, n2 : int
        Group sizes.

    Returns
    -------
    float
        Cohen's d.

    Raises
    ------
    ValueError
        If an SD is negative, both SDs are 0, n1 + n2 ≤ 2, or d lies beyond the float range (|d| > 1.8e308).

    Notes
    -----
    Computed as s_p = hypot(√w₁·sd1, √w₂·sd2) with wᵢ = (nᵢ − 1)/(n1 + n2 − 2) and d = 2·((mean1/2 − mean2/2)/s_p),
    which equal the formulas above but overflow only when d itself does (sd² or n·sd² beyond 1.8e308, or a
    mean difference of two values near ±1.8e308, are not an obstacle).

    References
    ----------
    Cohen, J. (1988). *Statistical power analysis for the behavioral sciences* (2nd ed.);
    Lakens (2013), *Frontiers in Psychology*, 4, 863.
    """
    mean1 = args.finite("mean1", "cohens_d_from_means", mean1)
    mean2 = args.finite("mean2", "cohens_d_from_means", mean2)
    sd1 = args.nonnegative("sd1", "cohens_d_from_means", sd1)
    sd2 = args.nonnegative("sd2", "cohens_d_from_means", sd2)
    n1 = args.positive("n1", "cohens_d_from_means", n1)
    n2 = args.positive("n2", "cohens_d_from_means", n2)
    half1, half2 = (n1 - 1) / 2, (n2 - 1) / 2  # halved: their sum stays finite
    args.check(half1 + half2 > 0, "n1", "cohens_d_from_means", "sum with 'n2' to more than 2", f"{n1!r} and {n2!r}",
               raw=True)
    w1, w2 = half1 / (half1 + half2), half2 / (half1 + half2)
    pooled = math.hypot(math.sqrt(w1) * sd1, math.sqrt(w2) * sd2)
    args.check(pooled > 0, "sd1", "cohens_d_from_means", "not be 0 together with 'sd2'", "0 and 0", raw=True)
    d = 2 * ((mean1 / 2 - mean2 / 2) / pooled)  # the halves are exact: (mean1 - mean2) / pooled without overflow
    args.check(math.isfinite(d), "mean1", "cohens_d_from_means",
               "differ from 'mean2' by at most 1.8e308 pooled SDs (the float range)",
               f"{mean1!r} and {mean2!r} with a pooled SD of {pooled!r}", raw=True)
    return d


#: From this df on, :func:`hedges_correction` sums the asymptotic series of ln J (exact to double precision,
#: relative error < 1e-16 from df = 200); below it, the log-gamma difference (error < 1e-13).
J_SERIES_DF = 200.0
#: ln J(m) = −(3/(4m) + 1/(2m²) + 3/(8m³) + 1/(4m⁴) + 3/(20m⁵) + 1/(6m⁶) + …), the coefficients of 1/m, 1/m², …:
#: the difference of the expansions of lnΓ(z + h) in Bernoulli polynomials (DLMF 5.11.8) for h = 0 and h = −½,
#: z = m/2.
_LOG_J_SERIES = (3 / 4, 1 / 2, 3 / 8, 1 / 4, 3 / 20, 1 / 6)


def hedges_correction(df: float) -> float:
    """Exact small-sample correction J(df) = Γ(df/2) / (√(df/2)·Γ((df − 1)/2)).

    Parameters
    ----------
    df : float
        Degrees of freedom of the standardizer (n1 + n2 − 2); must exceed 1. ``inf`` (groups too large
        for their sum to be a float) gives the limit J = 1.

    Returns
    -------
    float
        J, slightly below 1 (≈ 1 − 3/(4·df − 1)).

    Raises
    ------
    ValueError
        If ``df`` ≤ 1 or is not a number.

    Notes
    -----
    For df < :data:`J_SERIES_DF` the ratio of gamma functions is taken on the log scale; from it on, where
    the log-gamma difference cancels (it gave J = 7.4 at df = 1e15 and NaN at 1e308), the asymptotic series
    of ln J (:data:`_LOG_J_SERIES`) in 1/df, exact to double precision there.

    References
    ----------
    Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and related
    estimators. *Journal of Educational Statistics*, 6(2), 107–128. NIST DLMF 5.11.8 (the expansion of
    lnΓ(z + a) − lnΓ(z + b)).
    """
    try:
        df = float(df)
    except (TypeError, ValueError):
        df = math.nan
    args.check(df > 1, "df", "hedges_correction", "be a number > 1 (inf for the limit J = 1)", df)
    if df < J_SERIES_DF:
        return math.exp(special.gammaln(df / 2) - 0.5 * math.log(df / 2) - special.gammaln((df - 1) / 2))
    x, log_j = 1.0 / df, 0.0
    for c in reversed(_LOG_J_SERIES):
        log_j = x * (c + log_j)
    return math.exp(-log_j)


def hedges_g(d: float, n1: int, n2: int) -> float:
    """Hedges' g = J(n1 + n2 − 2)·d (bias-corrected Cohen's d).

    Parameters
    ----------
    d : float
        Cohen's d with the pooled-SD standardizer.
    n1, n2 : int
        Group sizes.

    Returns
    -------
    float
        Hedges' g.

    Raises
    ------
    ValueError
        If ``d`` is not finite or n1 + n2 − 2 ≤ 1.

    References
    ----------
    Hedges, L. V. (1981). *Journal of Educational Statistics*, 6(2), 107–128.
    """
    d = args.finite("d", "hedges_g", d)
    n1 = args.positive("n1", "hedges_g", n1)
    n2 = args.positive("n2", "hedges_g", n2)
    return hedges_correction(n1 + n2 - 2) * d


# --------------------------------------------------------------------------- conversions
def fisher_z(r: float) -> float:
    """Fisher's z = atanh(r).

    Parameters
    ----------
    r : float
        Correlation in (−1, 1).

    Returns
    -------
    float
        Fisher's z.

    Raises
    ------
    ValueError
        If ``r`` is not in (−1, 1).

    References
    ----------
    Fisher, R. A. (1921). On the "probable error" of a coefficient of correlation deduced from
    a small sample. *Metron*, 1, 3–32.
    """
    r = float(r)
    if not -1 < r < 1:
        raise ValueError(f"The 'r' parameter of fisher_z must be in (-1, 1). Got {r!r} instead.")
    return math.atanh(r)


def fisher_z_inverse(z: float) -> float:
    """Back-transform Fisher's z to r = tanh(z).

    Parameters
    ----------
    z : float
        Fisher's z.

    Returns
    -------
    float
        Correlation r.

    Raises
    ------
    ValueError
        If ``z`` is not finite.

    References
    ----------
    Fisher, R. A. (1921). *Metron*, 1, 3–32.
    """
    return math.tanh(args.finite("z", "fisher_z_inverse", z))


def _biserial_a(func: str, n1, n2) -> float:
    """a = (n1 + n2)² / (n1·n2) of the d ↔ point-biserial r conversion; 4 when both sizes are None."""
    if (n1 is None) != (n2 is None):
        raise ValueError(
            f"The 'n1' and 'n2' parameters of {func} must be given together. Got {n1!r} and {n2!r} instead."
        )
    if n1 is None:
        return 4.0
    n1, n2 = args.positive("n1", func, n1), args.positive("n2", func, n2)
    return (n1 + n2) ** 2 / (n1 * n2)


def d_to_r(d: float, n1: int | None = None, n2: int | None = None) -> float:
    """Convert Cohen's d to the point-biserial r: r = d / √(d² + a), a = (n1 + n2)² / (n1·n2).

    With no group sizes a = 4 (equal groups).

    Parameters
    ----------
    d : float
        Cohen's d.
    n1, n2 : int, optional
        Group sizes (both or neither).

    Returns
    -------
    float
        Point-biserial correlation.

    Raises
    ------
    ValueError
        If only one group size is given or a size is not positive.

    References
    ----------
    Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R. (2009).
    *Introduction to meta-analysis*, Wiley, chapter 7 ("Converting among effect sizes").
    """
    d = args.finite("d", "d_to_r", d)
    a = _biserial_a("d_to_r", n1, n2)
    return d / math.sqrt(d * d + a)


def r_to_d(r: float, n1: int | None = None, n2: int | None = None) -> float:
    """Convert a point-biserial r to Cohen's d = r·√a / √(1 − r²), a = (n1 + n2)² / (n1·n2).

    The inverse of :func:`d_to_r`. With no group sizes a = 4 (equal groups): d = 2r / √(1 − r²).

    Parameters
    ----------
    r : float
        Correlation in (−1, 1).
    n1, n2 : int, optional
        Group sizes (both or neither).

    Returns
    -------
    float
        Cohen's d.

    Raises
    ------
    ValueError
        If ``r`` is not in (−1, 1), only one group size is given, or a size is not positive.

    References
    ----------
    Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R. (2009).
    *Introduction to meta-analysis*, Wiley, chapter 7 ("Converting among effect sizes").
    """
    r = args.finite("r", "r_to_d", r)
    if not -1 < r < 1:
        raise ValueError(f"The 'r' parameter of r_to_d must be in (-1, 1). Got {r!r} instead.")
    a = _biserial_a("r_to_d", n1, n2)
    return r * math.sqrt(a) / math.sqrt(1.0 - r * r)
