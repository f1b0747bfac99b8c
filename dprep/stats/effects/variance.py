"""Variance-explained effect sizes: η², partial η², ω², ε² (from F or sums of squares) and the
rank-based η²_H and ε²_R of the Kruskal–Wallis test; proportions on the 0–1 scale."""

from __future__ import annotations



from dprep.core import args


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
    f = args.nonnegative("f", "eta2_from_f", f)
    df1 = args.positive("df1", "eta2_from_f", df1)
    df2 = args.positive("df2", "eta2_from_f", df2)
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
    eta2 = args.between("eta2", "f_from_eta2", eta2, 0.0, 1.0, closed="left")
    df1 = args.positive("df1", "f_from_eta2", df1)
    df2 = args.positive("df2", "f_from_eta2", df2)
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
    f = args.nonnegative("f", "omega2_from_f", f)
    df1 = args.positive("df1", "omega2_from_f", df1)
    df2 = args.positive("df2", "omega2_from_f", df2)
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
    f = args.nonnegative("f", "epsilon2_from_f", f)
    df1 = args.positive("df1", "epsilon2_from_f", df1)
    df2 = args.positive("df2", "epsilon2_from_f", df2)
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
    ss_effect = args.nonnegative("ss_effect", "eta2_from_ss", ss_effect)
    ss_total = args.positive("ss_total", "eta2_from_ss", ss_total)
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
    ss_effect = args.nonnegative("ss_effect", "partial_eta2_from_ss", ss_effect)
    ss_error = args.nonnegative("ss_error", "partial_eta2_from_ss", ss_error)
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
    ss_effect = args.nonnegative("ss_effect", "omega2_from_ss", ss_effect)
    df_effect = args.positive("df_effect", "omega2_from_ss", df_effect)
    ss_total = args.positive("ss_total", "omega2_from_ss", ss_total)
    ms_error = args.nonnegative("ms_error", "omega2_from_ss", ms_error)
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
    ss_effect = args.nonnegative("ss_effect", "epsilon2_from_ss", ss_effect)
    df_effect = args.positive("df_effect", "epsilon2_from_ss", df_effect)
    ss_total = args.positive("ss_total", "epsilon2_from_ss", ss_total)
    ms_error = args.nonnegative("ms_error", "epsilon2_from_ss", ms_error)
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
    h = args.nonnegative("h", "eta2_kruskal", h)
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
    h = args.nonnegative("h", "epsilon2_kruskal", h)
    if int(n) != n or n < 2:
        raise ValueError(f"The 'n' parameter of epsilon2_kruskal must be an integer ≥ 2. Got {n!r} instead.")
    return h / ((n * n - 1) / (n + 1))
