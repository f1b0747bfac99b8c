"""Effect sizes from test statistics, sums of squares and summary statistics, with exact CIs.

Variance-explained indices (η², partial η², ω², ε², and the rank-based η²_H and ε²_R of the
Kruskal–Wallis test), standardized mean differences (Cohen's d, Hedges' g), conversions
(r ↔ Fisher's z, d ↔ r), and confidence intervals obtained by inverting the noncentral F
distribution (for η²) and the noncentral t distribution (for d).

All variance-explained indices are proportions on the 0–1 scale (ω² and ε² can be slightly
negative, which is reported as is).

Conventions for the η² CI
-------------------------
The noncentral-F method finds the noncentrality limits λ_lb, λ_ub such that the observed F is
at the upper / lower α/2 quantile of F(df1, df2, λ), then maps λ to the η² scale. Two mappings
are in use:

``"N"`` (default)
    η² = λ / (λ + N) with N = df1 + df2 + 1, the total sample size of a one-way
    between-subjects design. This is the mapping of Steiger (2004), Smithson (2001),
    Fidler & Thompson (2001) and of MBESS (``conf.limits.ncf`` followed by
    ``λ / (λ + N)``, as in ``ci.pvaf``).
``"df_error"``
    η² = λ / (λ + df2). This is what the R package *effectsize* does: ``.get_ncp_F``
    returns the limits on the F scale (λ / df1) and ``F_to_eta2`` then applies
    η²_p = F·df1 / (F·df1 + df2), which is λ / (λ + df2). Note that recent effectsize
    versions default to a *one-sided* interval (``alternative = "greater"``, upper bound
    fixed at 1); its two-sided interval (``alternative = "two.sided"``) is the one
    reproduced here.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
from scipy import optimize, special, stats

LambdaToEta2 = Literal["N", "df_error"]

__all__ = [
    "DInterval",
    "Eta2Interval",
    "cohens_d_from_means",
    "cohens_d_from_t",
    "cohens_d_from_t_df",
    "d_ci",
    "d_to_r",
    "epsilon2_from_f",
    "epsilon2_from_ss",
    "epsilon2_kruskal",
    "eta2_ci",
    "eta2_ci_from_eta2",
    "eta2_from_f",
    "eta2_from_ss",
    "eta2_kruskal",
    "f_from_eta2",
    "fisher_z",
    "fisher_z_inverse",
    "hedges_correction",
    "hedges_g",
    "ncf_limits",
    "nct_limits",
    "omega2_from_f",
    "omega2_from_ss",
    "partial_eta2_from_ss",
    "r_to_d",
]


# ----------------------------------------------------------------------------- validation
def _positive(name: str, func: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(
            f"The '{name}' parameter of {func} must be a positive finite number. Got {value!r} instead."
        )
    return value


def _nonnegative(name: str, func: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(
            f"The '{name}' parameter of {func} must be a non-negative finite number. "
            f"Got {value!r} instead."
        )
    return value


def _finite(name: str, func: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"The '{name}' parameter of {func} must be a finite number. Got {value!r} instead.")
    return value


def _level(func: str, level: float) -> float:
    level = float(level)
    if not 0 < level < 1:
        raise ValueError(
            f"The 'level' parameter of {func} must be strictly between 0 and 1. Got {level!r} instead."
        )
    return level


def _proportion(name: str, func: str, value: float) -> float:
    value = float(value)
    if not 0 <= value < 1:
        raise ValueError(
            f"The '{name}' parameter of {func} must be in [0, 1). Got {value!r} instead."
        )
    return value


# ------------------------------------------------------------------ variance explained
def eta2_from_f(f: float, df1: float, df2: float) -> float:
    """Partial η² from an F statistic: F·df1 / (F·df1 + df2).

    In a one-way between-subjects ANOVA this is the (non-partial) η² of the factor; for a
    1-df contrast it is the partial η² of the contrast (contrast SS over contrast SS + error SS).

    Parameters
    ----------
    f : float
        F statistic (≥ 0).
    df1, df2 : float
        Numerator (effect) and denominator (error) degrees of freedom.

    Returns
    -------
    float
        Partial η² on the 0–1 scale.

    Raises
    ------
    ValueError
        If ``f`` is negative or a df is not positive.

    References
    ----------
    Cohen, J. (1973). Eta-squared and partial eta-squared in fixed factor ANOVA designs.
    *Educational and Psychological Measurement*, 33, 107–112.
    """
    f = _nonnegative("f", "eta2_from_f", f)
    df1 = _positive("df1", "eta2_from_f", df1)
    df2 = _positive("df2", "eta2_from_f", df2)
    return f * df1 / (f * df1 + df2)


def f_from_eta2(eta2: float, df1: float, df2: float) -> float:
    """The F statistic implied by a partial η²: (η²/df1) / ((1 − η²)/df2).

    Parameters
    ----------
    eta2 : float
        Partial η² on [0, 1).
    df1, df2 : float
        Numerator and denominator degrees of freedom.

    Returns
    -------
    float
        F statistic (inverse of :func:`eta2_from_f`).

    Raises
    ------
    ValueError
        If ``eta2`` is outside [0, 1) or a df is not positive.

    References
    ----------
    Cohen, J. (1973). *Educational and Psychological Measurement*, 33, 107–112 (the identity
    η²_p = F·df1 / (F·df1 + df2), solved for F).
    """
    eta2 = _proportion("eta2", "f_from_eta2", eta2)
    df1 = _positive("df1", "f_from_eta2", df1)
    df2 = _positive("df2", "f_from_eta2", df2)
    return (eta2 / df1) / ((1.0 - eta2) / df2)


def omega2_from_f(f: float, df1: float, df2: float) -> float:
    """(Partial) ω² from F: df1·(F − 1) / (df1·F + df2 + 1).

    Exact for a one-way between-subjects ANOVA (where N = df1 + df2 + 1); for other designs it
    is the usual partial-ω² approximation (as in effectsize::F_to_omega2).

    Parameters
    ----------
    f : float
        F statistic (≥ 0).
    df1, df2 : float
        Numerator and denominator degrees of freedom.

    Returns
    -------
    float
        ω² (may be negative when F < 1).

    Raises
    ------
    ValueError
        If ``f`` is negative or a df is not positive.

    References
    ----------
    Hays, W. L. (1963). *Statistics for psychologists*. Holt, Rinehart & Winston.
    Olejnik, S., & Algina, J. (2003). Generalized eta and omega squared statistics.
    *Psychological Methods*, 8(4), 434–447.
    """
    f = _nonnegative("f", "omega2_from_f", f)
    df1 = _positive("df1", "omega2_from_f", df1)
    df2 = _positive("df2", "omega2_from_f", df2)
    return df1 * (f - 1.0) / (df1 * f + df2 + 1.0)


def epsilon2_from_f(f: float, df1: float, df2: float) -> float:
    """(Partial) ε² (adjusted η²) from F: df1·(F − 1) / (df1·F + df2).

    Parameters
    ----------
    f : float
        F statistic (≥ 0).
    df1, df2 : float
        Numerator and denominator degrees of freedom.

    Returns
    -------
    float
        ε² (may be negative when F < 1).

    Raises
    ------
    ValueError
        If ``f`` is negative or a df is not positive.

    References
    ----------
    Kelley, T. L. (1935). An unbiased correlation ratio measure. *PNAS*, 21(9), 554–559.
    Mordkoff, J. T. (2019). A simple method for removing bias from a popular measure of
    standardized effect size: adjusted partial eta squared. *AMPPS*, 2(3), 228–232.
    """
    f = _nonnegative("f", "epsilon2_from_f", f)
    df1 = _positive("df1", "epsilon2_from_f", df1)
    df2 = _positive("df2", "epsilon2_from_f", df2)
    return df1 * (f - 1.0) / (df1 * f + df2)


def eta2_from_ss(ss_effect: float, ss_total: float) -> float:
    """η² = SS_effect / SS_total.

    Parameters
    ----------
    ss_effect : float
        Sum of squares of the effect (squared outcome units, e.g. hours²).
    ss_total : float
        Total (corrected) sum of squares, same units.

    Returns
    -------
    float
        η² on the 0–1 scale.

    Raises
    ------
    ValueError
        If ``ss_effect`` is negative or ``ss_total`` is not positive.

    References
    ----------
    Pearson, K. (1905); Cohen, J. (1973). *Educational and Psychological Measurement*, 33.
    """
    ss_effect = _nonnegative("ss_effect", "eta2_from_ss", ss_effect)
    ss_total = _positive("ss_total", "eta2_from_ss", ss_total)
    return ss_effect / ss_total


def partial_eta2_from_ss(ss_effect: float, ss_error: float) -> float:
    """Partial η² = SS_effect / (SS_effect + SS_error).

    Parameters
    ----------
    ss_effect, ss_error : float
        Sums of squares of the effect and of its error term (squared outcome units).

    Returns
    -------
    float
        Partial η² on the 0–1 scale.

    Raises
    ------
    ValueError
        If a sum of squares is negative or both are zero.

    References
    ----------
    Cohen, J. (1973). *Educational and Psychological Measurement*, 33, 107–112.
    """
    ss_effect = _nonnegative("ss_effect", "partial_eta2_from_ss", ss_effect)
    ss_error = _nonnegative("ss_error", "partial_eta2_from_ss", ss_error)
    if ss_effect + ss_error == 0:
        raise ValueError(
            "The 'ss_effect' and 'ss_error' parameters of partial_eta2_from_ss must not both be 0. "
            "Got 0 and 0 instead."
        )
    return ss_effect / (ss_effect + ss_error)


def omega2_from_ss(ss_effect: float, df_effect: float, ss_total: float, ms_error: float) -> float:
    """ω² = (SS_effect − df_effect·MS_error) / (SS_total + MS_error).

    Parameters
    ----------
    ss_effect : float
        Sum of squares of the effect.
    df_effect : float
        Degrees of freedom of the effect.
    ss_total : float
        Total sum of squares.
    ms_error : float
        Error mean square (MSE).

    Returns
    -------
    float
        ω² (may be negative).

    Raises
    ------
    ValueError
        If an input is negative or ``ss_total`` is not positive.

    References
    ----------
    Hays, W. L. (1963). *Statistics for psychologists*; Olejnik & Algina (2003), Table 2.
    """
    ss_effect = _nonnegative("ss_effect", "omega2_from_ss", ss_effect)
    df_effect = _positive("df_effect", "omega2_from_ss", df_effect)
    ss_total = _positive("ss_total", "omega2_from_ss", ss_total)
    ms_error = _nonnegative("ms_error", "omega2_from_ss", ms_error)
    return (ss_effect - df_effect * ms_error) / (ss_total + ms_error)


def epsilon2_from_ss(ss_effect: float, df_effect: float, ss_total: float, ms_error: float) -> float:
    """ε² = (SS_effect − df_effect·MS_error) / SS_total.

    Parameters
    ----------
    ss_effect : float
        Sum of squares of the effect.
    df_effect : float
        Degrees of freedom of the effect.
    ss_total : float
        Total sum of squares.
    ms_error : float
        Error mean square (MSE).

    Returns
    -------
    float
        ε² (may be negative).

    Raises
    ------
    ValueError
        If an input is negative or ``ss_total`` is not positive.

    References
    ----------
    Kelley, T. L. (1935). *PNAS*, 21(9), 554–559.
    """
    ss_effect = _nonnegative("ss_effect", "epsilon2_from_ss", ss_effect)
    df_effect = _positive("df_effect", "epsilon2_from_ss", df_effect)
    ss_total = _positive("ss_total", "epsilon2_from_ss", ss_total)
    ms_error = _nonnegative("ms_error", "epsilon2_from_ss", ms_error)
    return (ss_effect - df_effect * ms_error) / ss_total


def eta2_kruskal(h: float, k: int, n: int) -> float:
    """Rank-based η²_H of a Kruskal–Wallis test: (H − k + 1) / (n − k).

    Parameters
    ----------
    h : float
        Kruskal–Wallis H statistic (reported as χ²(k − 1)).
    k : int
        Number of groups.
    n : int
        Total sample size.

    Returns
    -------
    float
        η²_H (may be negative when H < k − 1).

    Raises
    ------
    ValueError
        If ``h`` is negative, ``k`` < 2 or ``n`` ≤ ``k``.

    References
    ----------
    Tomczak, M., & Tomczak, E. (2014). The need to report effect size estimates revisited.
    *Trends in Sport Sciences*, 1(21), 19–25 (η²_H after Cohen, 2008).
    """
    h = _nonnegative("h", "eta2_kruskal", h)
    if int(k) != k or k < 2:
        raise ValueError(f"The 'k' parameter of eta2_kruskal must be an integer ≥ 2. Got {k!r} instead.")
    if int(n) != n or n <= k:
        raise ValueError(f"The 'n' parameter of eta2_kruskal must be an integer > k. Got {n!r} instead.")
    return (h - k + 1) / (n - k)


def epsilon2_kruskal(h: float, n: int) -> float:
    """Rank-based ε²_R of a Kruskal–Wallis test: H / ((n² − 1)/(n + 1)) = H / (n − 1).

    Parameters
    ----------
    h : float
        Kruskal–Wallis H statistic.
    n : int
        Total sample size.

    Returns
    -------
    float
        ε²_R on the 0–1 scale.

    Raises
    ------
    ValueError
        If ``h`` is negative or ``n`` < 2.

    References
    ----------
    Tomczak, M., & Tomczak, E. (2014). *Trends in Sport Sciences*, 1(21), 19–25 (ε²_R after
    Kelley, 1935).
    """
    h = _nonnegative("h", "epsilon2_kruskal", h)
    if int(n) != n or n < 2:
        raise ValueError(f"The 'n' parameter of epsilon2_kruskal must be an integer ≥ 2. Got {n!r} instead.")
    return h / ((n * n - 1) / (n + 1))


# ------------------------------------------------------------ standardized differences
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
    t = _finite("t", "cohens_d_from_t", t)
    n1 = _positive("n1", "cohens_d_from_t", n1)
    n2 = _positive("n2", "cohens_d_from_t", n2)
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
    t = _finite("t", "cohens_d_from_t_df", t)
    df = _positive("df", "cohens_d_from_t_df", df)
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
        If an SD is negative, both SDs are 0, or n1 + n2 ≤ 2.

    References
    ----------
    Cohen, J. (1988). *Statistical power analysis for the behavioral sciences* (2nd ed.);
    Lakens (2013), *Frontiers in Psychology*, 4, 863.
    """
    mean1 = _finite("mean1", "cohens_d_from_means", mean1)
    mean2 = _finite("mean2", "cohens_d_from_means", mean2)
    sd1 = _nonnegative("sd1", "cohens_d_from_means", sd1)
    sd2 = _nonnegative("sd2", "cohens_d_from_means", sd2)
    n1 = _positive("n1", "cohens_d_from_means", n1)
    n2 = _positive("n2", "cohens_d_from_means", n2)
    if n1 + n2 <= 2:
        raise ValueError(
            f"The 'n1' and 'n2' parameters of cohens_d_from_means must sum to more than 2. "
            f"Got {n1!r} and {n2!r} instead."
        )
    pooled = math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (n1 + n2 - 2))
    if pooled == 0:
        raise ValueError("The 'sd1' and 'sd2' parameters of cohens_d_from_means must not both be 0. Got 0 and 0 instead.")
    return (mean1 - mean2) / pooled


def hedges_correction(df: float) -> float:
    """Exact small-sample correction J(df) = Γ(df/2) / (√(df/2)·Γ((df − 1)/2)).

    Parameters
    ----------
    df : float
        Degrees of freedom of the standardizer (n1 + n2 − 2); must exceed 1.

    Returns
    -------
    float
        J, slightly below 1 (≈ 1 − 3/(4·df − 1)).

    Raises
    ------
    ValueError
        If ``df`` ≤ 1.

    References
    ----------
    Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and related
    estimators. *Journal of Educational Statistics*, 6(2), 107–128.
    """
    df = _positive("df", "hedges_correction", df)
    if df <= 1:
        raise ValueError(f"The 'df' parameter of hedges_correction must exceed 1. Got {df!r} instead.")
    return math.exp(special.gammaln(df / 2) - 0.5 * math.log(df / 2) - special.gammaln((df - 1) / 2))


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
    d = _finite("d", "hedges_g", d)
    n1 = _positive("n1", "hedges_g", n1)
    n2 = _positive("n2", "hedges_g", n2)
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
    return math.tanh(_finite("z", "fisher_z_inverse", z))


def _biserial_a(func: str, n1, n2) -> float:
    """a = (n1 + n2)² / (n1·n2) of the d ↔ point-biserial r conversion; 4 when both sizes are None."""
    if (n1 is None) != (n2 is None):
        raise ValueError(
            f"The 'n1' and 'n2' parameters of {func} must be given together. Got {n1!r} and {n2!r} instead."
        )
    if n1 is None:
        return 4.0
    n1, n2 = _positive("n1", func, n1), _positive("n2", func, n2)
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
    d = _finite("d", "d_to_r", d)
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
    r = _finite("r", "r_to_d", r)
    if not -1 < r < 1:
        raise ValueError(f"The 'r' parameter of r_to_d must be in (-1, 1). Got {r!r} instead.")
    a = _biserial_a("r_to_d", n1, n2)
    return r * math.sqrt(a) / math.sqrt(1.0 - r * r)


# ------------------------------------------------------------------ noncentral inversion
def _expanding_root(func, start: float, step: float) -> float:
    """Root of an increasing ``func`` found by bracketing outward from ``start``."""
    lo, hi = start - step, start + step
    for _ in range(200):
        if func(lo) < 0 < func(hi):
            return optimize.brentq(func, lo, hi, xtol=1e-12, rtol=1e-14, maxiter=500)
        if func(lo) >= 0:
            lo -= step
        if func(hi) <= 0:
            hi += step
        step *= 2
    raise RuntimeError("could not bracket the noncentrality parameter")  # pragma: no cover


def ncf_limits(f: float, df1: float, df2: float, level: float = 0.95) -> tuple[float, float]:
    """Two-sided confidence limits for the noncentrality λ of F(df1, df2, λ).

    λ_lb solves P(F ≥ f | λ) = α/2 and λ_ub solves P(F ≥ f | λ) = 1 − α/2 (α = 1 − level);
    a limit is 0 when the central F already gives a tail probability at least as large.

    Parameters
    ----------
    f : float
        Observed F (≥ 0).
    df1, df2 : float
        Degrees of freedom.
    level : float, default 0.95
        Confidence level on (0, 1).

    Returns
    -------
    tuple of float
        (λ_lb, λ_ub).

    Raises
    ------
    ValueError
        If ``f`` is negative, a df is not positive, or ``level`` is outside (0, 1).

    References
    ----------
    Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation and the
    evaluation of statistical models. In *What if there were no significance tests?*
    (pp. 221–257). Erlbaum. Steiger, J. H. (2004). *Psychological Methods*, 9(2), 164–182.
    """
    f = _nonnegative("f", "ncf_limits", f)
    df1 = _positive("df1", "ncf_limits", df1)
    df2 = _positive("df2", "ncf_limits", df2)
    level = _level("ncf_limits", level)
    alpha = 1.0 - level
    p_central = stats.f.sf(f, df1, df2)

    def limit(target: float) -> float:
        if p_central >= target:
            return 0.0
        func = lambda lam: stats.ncf.sf(f, df1, df2, max(lam, 0.0)) - target  # noqa: E731
        return max(_expanding_root(func, max(f * df1, 1.0), max(f * df1, 1.0)), 0.0)

    return limit(alpha / 2), limit(1 - alpha / 2)


def nct_limits(t: float, df: float, level: float = 0.95) -> tuple[float, float]:
    """Two-sided confidence limits for the noncentrality δ of t(df, δ).

    δ_lb solves P(T ≤ t | δ) = 1 − α/2 and δ_ub solves P(T ≤ t | δ) = α/2.

    Parameters
    ----------
    t : float
        Observed t.
    df : float
        Degrees of freedom.
    level : float, default 0.95
        Confidence level on (0, 1).

    Returns
    -------
    tuple of float
        (δ_lb, δ_ub).

    Raises
    ------
    ValueError
        If ``t`` is not finite, ``df`` is not positive, or ``level`` is outside (0, 1).

    References
    ----------
    Cumming, G., & Finch, S. (2001). A primer on the understanding, use, and calculation of
    confidence intervals that are based on central and noncentral distributions.
    *Educational and Psychological Measurement*, 61(4), 532–574.
    """
    t = _finite("t", "nct_limits", t)
    df = _positive("df", "nct_limits", df)
    level = _level("nct_limits", level)
    alpha = 1.0 - level

    def limit(target: float) -> float:
        # P(T <= t | delta) decreases in delta; negate to get an increasing function.
        return _expanding_root(lambda delta: target - stats.nct.cdf(t, df, delta), t, 1.0 + abs(t) / 4)

    return limit(1 - alpha / 2), limit(alpha / 2)


# ---------------------------------------------------------------------------- intervals
@dataclass(frozen=True)
class Eta2Interval:
    """Partial η² with a two-sided noncentral-F confidence interval.

    Attributes
    ----------
    eta2, ci_lb, ci_ub : float
        Point estimate F·df1/(F·df1 + df2) and CI limits (0–1 scale).
    level : float
        Confidence level.
    lambda_to_eta2 : str
        ``"N"`` (λ/(λ + df1 + df2 + 1)) or ``"df_error"`` (λ/(λ + df2)).
    ncp_lb, ncp_ub : float
        Noncentrality limits λ.
    f, df1, df2 : float
        Inputs.
    """

    eta2: float
    ci_lb: float
    ci_ub: float
    level: float
    lambda_to_eta2: str
    ncp_lb: float
    ncp_ub: float
    f: float
    df1: float
    df2: float

    def to_dict(self) -> dict:
        """Plain-dict view (JSON-ready)."""
        return asdict(self)


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
        ``eta2``, ``ci_lb``, ``ci_ub`` and the noncentrality limits.

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
    _level("eta2_ci", level)
    if lambda_to_eta2 not in ("N", "df_error"):
        raise ValueError(
            "The 'lambda_to_eta2' parameter of eta2_ci must be 'N' or 'df_error'. "
            f"Got {lambda_to_eta2!r} instead."
        )
    eta2 = eta2_from_f(f, df1, df2)
    lam_lb, lam_ub = ncf_limits(f, df1, df2, level)
    denom = float(df1) + float(df2) + 1.0 if lambda_to_eta2 == "N" else float(df2)
    return Eta2Interval(
        eta2=eta2,
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


@dataclass(frozen=True)
class DInterval:
    """Cohen's d with a two-sided noncentral-t confidence interval.

    Attributes
    ----------
    d, ci_lb, ci_ub : float
        Point estimate and CI limits (pooled-SD units).
    level : float
        Confidence level.
    ncp_lb, ncp_ub : float
        Noncentrality limits δ of t(n1 + n2 − 2, δ).
    t : float
        Student t used.
    n1, n2 : float
        Group sizes.
    """

    d: float
    ci_lb: float
    ci_ub: float
    level: float
    ncp_lb: float
    ncp_ub: float
    t: float
    n1: float
    n2: float

    def to_dict(self) -> dict:
        """Plain-dict view (JSON-ready)."""
        return asdict(self)


def d_ci(t: float, n1: int, n2: int, level: float = 0.95) -> DInterval:
    """Cohen's d from a Student t and its CI by inverting the noncentral t distribution.

    d = t·√(1/n1 + 1/n2); the CI limits are δ_lb·√(1/n1 + 1/n2) and δ_ub·√(1/n1 + 1/n2) where
    δ are the noncentrality limits of t(n1 + n2 − 2, δ) (as in MBESS::ci.smd and
    effectsize::cohens_d).

    Parameters
    ----------
    t : float
        Student (pooled-variance) t statistic.
    n1, n2 : int
        Group sizes.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    DInterval

    Raises
    ------
    ValueError
        On invalid inputs (n1 + n2 must exceed 2).

    References
    ----------
    Cumming, G., & Finch, S. (2001). *Educational and Psychological Measurement*, 61(4),
    532–574. Steiger, J. H., & Fouladi, R. T. (1997), in *What if there were no significance
    tests?*, Erlbaum.
    """
    _level("d_ci", level)
    n1 = _positive("n1", "d_ci", n1)
    n2 = _positive("n2", "d_ci", n2)
    if n1 + n2 <= 2:
        raise ValueError(f"The 'n1' and 'n2' parameters of d_ci must sum to more than 2. Got {n1!r} and {n2!r} instead.")
    scale = math.sqrt(1.0 / n1 + 1.0 / n2)
    lo, hi = nct_limits(t, n1 + n2 - 2, level)
    return DInterval(
        d=float(t) * scale,
        ci_lb=lo * scale,
        ci_ub=hi * scale,
        level=float(level),
        ncp_lb=lo,
        ncp_ub=hi,
        t=float(t),
        n1=n1,
        n2=n2,
    )
