"""Replication metrics for an original / replication pair of standardized mean differences.

Everything works from published summaries: Cohen's d (pooled-SD standardized mean difference,
*not* bias-corrected Hedges' g) and the two group sizes of each study. :func:`d_from_f` converts an
F(1, df) contrast to d; :func:`dprep.stats.effects.cohens_d_from_t` and :func:`dprep.stats.effects.r_to_d`
convert a t or a point-biserial r. The effect direction is that of the original study:
positive d means "in the direction the original hypothesis predicts".

Metrics (each cites the paper it implements):

* confidence intervals for d (noncentral-t inversion by default, or the normal approximation) and
  whether each estimate lies inside the other's interval;
* the 95% prediction interval for the replication estimate given the original (Patil, Peng & Leek
  2016), as ``ReplicationSuccess::predictionInterval(designPrior = "predictive", tau = 0)``;
* small telescopes (Simonsohn 2015): d33 and the one-sided test of the replication against it;
* the replication Bayes factor for t tests (Verhagen & Wagenmakers 2014) and for F tests
  (Harms 2018);
* the sceptical p-value (Held 2020; recalibrated "golden" version of Held, Micheloud & Pawel 2022),
  as ``ReplicationSuccess::pSceptical``;
* TOST equivalence of the replication against a smallest effect size of interest (Lakens 2017);
* the Q test of the difference and the fixed-effect (inverse-variance) combination.

:func:`replication_report` bundles all of them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
from scipy import integrate, optimize, stats

from dprep.core.args import finite as _finite
from dprep.core.args import integer as _integer
from dprep.core.args import positive as _positive
from dprep.stats.effects import cohens_d_from_t, nct_limits
from dprep.stats.noncentral import nct_cdf, nct_logpdf

__all__ = [
    "GOLDEN_RATIO",
    "d_from_f",
    "d_standard_error",
    "DInterval",
    "d_confidence_interval",
    "prediction_interval",
    "SmallTelescopes",
    "small_telescopes",
    "ReplicationBF",
    "replication_bf_t",
    "replication_bf_f",
    "z_sceptical",
    "p_sceptical",
    "TOSTResult",
    "tost_equivalence",
    "QTest",
    "q_test",
    "FixedEffect",
    "fixed_effect",
    "ReplicationReport",
    "replication_report",
]

#: (√5 + 1) / 2, used by the "golden" recalibration of the sceptical p-value.
GOLDEN_RATIO = (math.sqrt(5.0) + 1.0) / 2.0


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------


def _count(name: str, func: str, value, minimum: int = 2) -> int:
    return _integer(name, func, value, minimum)


def _level(func: str, level) -> float:
    out = _finite("level", func, level)
    if not 0 < out < 1:
        raise ValueError(f"The 'level' parameter of {func} must be in (0, 1). Got {level!r} instead.")
    return out


def _alpha(func: str, alpha) -> float:
    out = _finite("alpha", func, alpha)
    if not 0 < out < 0.5:
        raise ValueError(f"The 'alpha' parameter of {func} must be in (0, 0.5). Got {alpha!r} instead.")
    return out


def _df(func: str, df, n1: int, n2: int) -> int:
    if df is None:
        return n1 + n2 - 2
    return _count("df", func, df, 1)


def _scale(n1: int, n2: int) -> float:
    """√(1/n1 + 1/n2): t = d / scale for a two-sample design."""
    return math.sqrt(1.0 / n1 + 1.0 / n2)


# --------------------------------------------------------------------------------------------
# conversions
# --------------------------------------------------------------------------------------------
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
    f = _finite("f", func, f)
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
    d = _finite("d", func, d)
    n1, n2 = _count("n1", func, n1), _count("n2", func, n2)
    return math.sqrt((n1 + n2) / (n1 * n2) + d * d / (2.0 * (n1 + n2)))


# --------------------------------------------------------------------------------------------
# confidence interval for d
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DInterval:
    """Cohen's d with its confidence interval.

    Attributes
    ----------
    d, low, high : float
        Estimate and interval limits (d units).
    level : float
        Confidence level.
    method : str
        ``"nct"`` (noncentral-t inversion) or ``"normal"`` (d ± z·SE).
    df : int
        Degrees of freedom of the t statistic (n1 + n2 − 2 unless a pooled error term was given).
    """

    d: float
    low: float
    high: float
    level: float
    method: str
    df: int

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside the closed interval."""
        return bool(self.low <= value <= self.high)

    def to_dict(self) -> dict:
        """Return the interval as a plain dict."""
        return asdict(self)


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

    Raises
    ------
    ValueError
        On non-finite ``d``, group sizes < 2, ``level`` outside (0, 1), or an unknown method.

    References
    ----------
    Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation and the evaluation of
    statistical models. In Harlow, Mulaik & Steiger (Eds.), What if there were no significance
    tests?, pp. 221–257; Cumming, G., & Finch, S. (2001). Educ. Psychol. Meas., 61, 532–574.
    """
    func = "d_confidence_interval"
    d = _finite("d", func, d)
    n1, n2 = _count("n1", func, n1), _count("n2", func, n2)
    level = _level(func, level)
    df = _df(func, df, n1, n2)
    alpha = 1.0 - level
    if method == "nct":
        s = _scale(n1, n2)
        lo_ncp, hi_ncp = nct_limits(d / s, df, level)
        low, high = lo_ncp * s, hi_ncp * s
    elif method == "normal":
        se = d_standard_error(d, n1, n2)
        z = stats.norm.ppf(1.0 - alpha / 2)
        low, high = d - z * se, d + z * se
    else:
        raise ValueError(f"The 'method' parameter of {func} must be 'nct' or 'normal'. Got {method!r} instead.")
    return DInterval(d=d, low=float(low), high=float(high), level=level, method=method, df=df)


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
    theta = _finite("orig_estimate", func, orig_estimate)
    se_o, se_r = _positive("orig_se", func, orig_se), _positive("rep_se", func, rep_se)
    tau = _finite("tau", func, tau)
    if tau < 0:
        raise ValueError(f"The 'tau' parameter of {func} must be >= 0. Got {tau!r} instead.")
    level = _level(func, level)
    z = stats.norm.ppf(0.5 + level / 2)
    half = float(z * math.sqrt(se_o ** 2 + se_r ** 2 + 2 * tau ** 2))
    return (theta - half, theta + half)


# --------------------------------------------------------------------------------------------
# small telescopes (Simonsohn 2015)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SmallTelescopes:
    """Small-telescopes test of a replication.

    Attributes
    ----------
    d33 : float
        Effect size (d, in the original's direction) the original design had ``power`` to detect
        with a two-sided test at ``alpha``.
    power, alpha : float
        Power defining the small effect (1/3) and the original test's significance level.
    rep_t : float
        Replication t statistic, signed so that positive = the original's direction.
    rep_df : int
        Replication degrees of freedom.
    ncp : float
        Noncentrality of the replication t under δ = d33.
    p_value : float
        One-sided P(T ≤ rep_t | δ = d33): small values mean the replication effect is significantly
        smaller than d33.
    too_small : bool
        ``p_value < alpha``: the original's telescope was too small to have seen this effect.
    """

    d33: float
    power: float
    alpha: float
    rep_t: float
    rep_df: int
    ncp: float
    p_value: float
    too_small: bool

    def to_dict(self) -> dict:
        """Return the result as a plain dict."""
        return asdict(self)


def _two_sided_power(d: float, n1: int, n2: int, df: int, alpha: float) -> float:
    ncp = d / _scale(n1, n2)
    crit = stats.t.ppf(1.0 - alpha / 2, df)
    return float(stats.nct.sf(crit, df, ncp) + stats.nct.cdf(-crit, df, ncp))


def small_telescopes(orig_n1: int, orig_n2: int, rep_d: float, rep_n1: int, rep_n2: int, *,
                     power: float = 1.0 / 3.0, alpha: float = 0.05, orig_df: int | None = None,
                     rep_df: int | None = None) -> SmallTelescopes:
    """Small-telescopes test: is the replication effect significantly smaller than d33?

    Parameters
    ----------
    orig_n1, orig_n2 : int
        Group sizes of the original study.
    rep_d : float
        Replication Cohen's d, signed so that positive = the original study's direction.
    rep_n1, rep_n2 : int
        Group sizes of the replication.
    power : float, default 1/3
        Power that defines a "small" effect.
    alpha : float, default 0.05
        Two-sided level of the original test and one-sided level of the small-telescopes test.
    orig_df, rep_df : int, optional
        Degrees of freedom (default n1 + n2 − 2).

    Returns
    -------
    SmallTelescopes

    Raises
    ------
    ValueError
        On invalid sizes, ``power`` ∉ (alpha, 1), or ``alpha`` ∉ (0, 0.5).

    Notes
    -----
    d33 solves power(d) = 1/3 for the original two-sample t test, power counting both rejection
    tails (as ``pwr::pwr.t2n.test`` used in Simonsohn's code). The replication is then tested with
    H0: δ = d33 against H1: δ < d33 using the noncentral t distribution.

    References
    ----------
    Simonsohn, U. (2015). Small telescopes: Detectability and the evaluation of replication
    results. Psychological Science, 26, 559–569.
    """
    func = "small_telescopes"
    on1, on2 = _count("orig_n1", func, orig_n1), _count("orig_n2", func, orig_n2)
    rn1, rn2 = _count("rep_n1", func, rep_n1), _count("rep_n2", func, rep_n2)
    rep_d = _finite("rep_d", func, rep_d)
    alpha = _alpha(func, alpha)
    power = _finite("power", func, power)
    if not alpha < power < 1:
        raise ValueError(f"The 'power' parameter of {func} must be in (alpha, 1). Got {power!r} instead.")
    odf, rdf = _df(func, orig_df, on1, on2), _df(func, rep_df, rn1, rn2)
    hi = 1.0
    while _two_sided_power(hi, on1, on2, odf, alpha) < power:
        hi *= 2.0
    d33 = optimize.brentq(lambda d: _two_sided_power(d, on1, on2, odf, alpha) - power, 0.0, hi,
                          xtol=1e-12, rtol=1e-12)
    s = _scale(rn1, rn2)
    rep_t = rep_d / s
    ncp = d33 / s
    p = nct_cdf(rep_t, rdf, ncp)
    return SmallTelescopes(d33=float(d33), power=power, alpha=alpha, rep_t=rep_t, rep_df=rdf,
                           ncp=ncp, p_value=p, too_small=bool(p < alpha))


# --------------------------------------------------------------------------------------------
# replication Bayes factor
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReplicationBF:
    """Replication Bayes factor B_r0 (proponent's H_r against the sceptic's H0).

    Attributes
    ----------
    bf_r0 : float
        p(replication data | δ ~ posterior of the original) / p(replication data | δ = 0).
    bf_0r : float
        1 / bf_r0.
    log_bf_r0 : float
        Natural log of ``bf_r0``.
    test : str
        ``"t"`` or ``"F"``.
    method : str
        ``"exact"`` (quadrature over the flat-prior posterior) or ``"normal"`` (normal approximation
        of that posterior as in Verhagen & Wagenmakers 2014 / ReplicationBF ``NormApprox``).
    posterior_mean, posterior_sd : float
        Mean and SD of the original's posterior for δ (t test) or for f² (F test).
    """

    bf_r0: float
    bf_0r: float
    log_bf_r0: float
    test: str
    method: str
    posterior_mean: float
    posterior_sd: float

    def to_dict(self) -> dict:
        """Return the result as a plain dict."""
        return asdict(self)


def _quad_log(fun_log, lo: float, hi: float, centre: float, width: float) -> float:
    """log ∫_lo^hi exp(fun_log(x)) dx; ``fun_log`` must accept arrays and scalars.

    The support is located on a grid of ±40 widths around ``centre`` (where the integrand is
    > e^-80 of its peak), then integrated adaptively with the integrand scaled by its peak.
    """
    pts = np.linspace(max(lo, centre - 40 * width), min(hi, centre + 40 * width), 801)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.asarray(fun_log(pts), dtype=float)
    peak = float(np.nanmax(logs))
    keep = np.isfinite(logs) & (logs > peak - 80)
    step = pts[1] - pts[0]
    a, b = max(lo, float(pts[keep].min()) - 2 * step), min(hi, float(pts[keep].max()) + 2 * step)
    brk = list(np.linspace(a, b, 9)[1:-1])
    val, _ = integrate.quad(lambda x: math.exp(float(fun_log(x)) - peak), a, b, points=brk, limit=400,
                            epsabs=0.0, epsrel=1e-10)
    return peak + math.log(val)


def replication_bf_t(t_orig: float, n_orig: tuple[int, ...], t_rep: float, n_rep: tuple[int, ...], *,
                     df_orig: int | None = None, df_rep: int | None = None,
                     method: Literal["exact", "normal"] = "exact") -> ReplicationBF:
    """Replication Bayes factor for one- or two-sample t tests.

    Parameters
    ----------
    t_orig, t_rep : float
        t statistics of the original and the replication (same sign = same direction).
    n_orig, n_rep : tuple of int
        Group sizes: ``(n,)`` for a one-sample / paired test, ``(n1, n2)`` for two groups; both
        studies must have the same design.
    df_orig, df_rep : int, optional
        Degrees of freedom (default n − 1 or n1 + n2 − 2).
    method : {"exact", "normal"}, default "exact"
        ``"exact"``: the original's posterior under a flat prior on δ, p(δ | t_o) ∝
        nct(t_o; df_o, δ√N_o), integrated numerically. ``"normal"``: N(t_o/√N_o, s²) with s from the
        95% noncentral-t interval, as in Verhagen & Wagenmakers' (2014) code and R ReplicationBF
        ``RBF_ttest(method = "NormApprox")`` (there evaluated by Monte Carlo, here by quadrature).

    Returns
    -------
    ReplicationBF

    Raises
    ------
    ValueError
        On non-finite t, mismatched designs, invalid sizes or an unknown method.

    Notes
    -----
    B_r0 = ∫ nct(t_r; df_r, δ√N_r) p(δ | t_o) dδ / t(t_r; df_r), with N = n (one sample) or
    n1 n2/(n1 + n2) (two samples) (Verhagen & Wagenmakers 2014, eq. 7 and appendix). The noncentral
    t density comes from :func:`dprep.stats.noncentral.nct_logpdf`, which stays finite in the far tails
    where SciPy's does not. The exact method reproduces the 16 t-test rows of Pawel & Held (2022,
    Table 1; R package BayesRep, ``BFrSMD(..., ss = 0)``) to better than 1e-6 relative.

    References
    ----------
    Verhagen, J., & Wagenmakers, E.-J. (2014). Bayesian tests to quantify the result of a
    replication attempt. Journal of Experimental Psychology: General, 143, 1457–1475.
    doi:10.1037/a0036731
    Pawel, S., & Held, L. (2022). The sceptical Bayes factor for the assessment of replication
    success. Journal of the Royal Statistical Society B, 84, 879–911. doi:10.1111/rssb.12491
    """
    func = "replication_bf_t"
    t_o, t_r = _finite("t_orig", func, t_orig), _finite("t_rep", func, t_rep)
    n_orig, n_rep = tuple(n_orig), tuple(n_rep)
    if len(n_orig) not in (1, 2) or len(n_rep) != len(n_orig):
        raise ValueError(
            f"The 'n_rep' parameter of {func} must have the same length (1 or 2) as 'n_orig'. "
            f"Got {n_rep!r} instead."
        )
    no = [_count("n_orig", func, v) for v in n_orig]
    nr = [_count("n_rep", func, v) for v in n_rep]
    if len(no) == 1:
        neff_o, neff_r = float(no[0]), float(nr[0])
        dfo_default, dfr_default = no[0] - 1, nr[0] - 1
    else:
        neff_o, neff_r = no[0] * no[1] / sum(no), nr[0] * nr[1] / sum(nr)
        dfo_default, dfr_default = sum(no) - 2, sum(nr) - 2
    dfo = dfo_default if df_orig is None else _count("df_orig", func, df_orig, 1)
    dfr = dfr_default if df_rep is None else _count("df_rep", func, df_rep, 1)
    so, sr = math.sqrt(neff_o), math.sqrt(neff_r)

    centre = t_o / so
    width = math.sqrt(1.0 + t_o * t_o / (2.0 * dfo)) / so

    if method == "exact":
        def log_post_unnorm(delta):
            return nct_logpdf(t_o, dfo, delta * so)

        log_norm = _quad_log(log_post_unnorm, -np.inf, np.inf, centre, width)
        log_num = _quad_log(lambda x: log_post_unnorm(x) + nct_logpdf(t_r, dfr, x * sr),
                            -np.inf, np.inf, centre, width)
        log_marg = log_num - log_norm
        mean = integrate.quad(lambda x: x * math.exp(log_post_unnorm(x) - log_norm),
                              centre - 40 * width, centre + 40 * width, limit=400)[0]
        second = integrate.quad(lambda x: x * x * math.exp(log_post_unnorm(x) - log_norm),
                                centre - 40 * width, centre + 40 * width, limit=400)[0]
        sd = math.sqrt(max(second - mean * mean, 0.0))
    elif method == "normal":
        lower_ncp = nct_limits(t_o, dfo, 0.95)[0]
        mean = t_o / so
        sd = abs((t_o - lower_ncp) / stats.norm.ppf(0.025)) / so
        log_marg = _quad_log(lambda x: stats.norm.logpdf(x, mean, sd) + nct_logpdf(t_r, dfr, x * sr),
                             -np.inf, np.inf, mean, sd)
    else:
        raise ValueError(f"The 'method' parameter of {func} must be 'exact' or 'normal'. Got {method!r} instead.")
    log_bf = log_marg - float(stats.t.logpdf(t_r, dfr))
    return ReplicationBF(bf_r0=math.exp(log_bf), bf_0r=math.exp(-log_bf), log_bf_r0=log_bf, test="t",
                         method=method, posterior_mean=float(mean), posterior_sd=float(sd))


def replication_bf_f(f_orig: float, df_orig: tuple[int, int], n_orig: int, f_rep: float,
                     df_rep: tuple[int, int], n_rep: int) -> ReplicationBF:
    """Replication Bayes factor for F tests of balanced fixed-effect between-subjects ANOVAs.

    Parameters
    ----------
    f_orig, f_rep : float
        F statistics (≥ 0) of the original and the replication.
    df_orig, df_rep : (int, int)
        Numerator and denominator degrees of freedom of each F test.
    n_orig, n_rep : int
        Total number of observations in each study.

    Returns
    -------
    ReplicationBF
        ``posterior_mean``/``posterior_sd`` refer to Cohen's f² under the original's posterior.

    Raises
    ------
    ValueError
        On negative or non-finite F, invalid degrees of freedom or sample sizes.

    Notes
    -----
    With a flat prior on f² ≥ 0 and noncentrality λ = f²·N, the original's posterior is
    p(f² | F_o) ∝ ncF(F_o; df1, df2, f² N_o); B_r0 = ∫ ncF(F_r; ·, f² N_r) p(f² | F_o) df² /
    F(F_r; ·). Here the integral is evaluated by quadrature rather than Harms' importance sampling;
    the two agree within the Monte Carlo error of R's ``ReplicationBF::RBF_Ftest`` (tests record
    the runs). The F test is blind to the direction and pattern of effects: check those separately.

    References
    ----------
    Harms, C. (2018). A Bayes factor for replications of ANOVA results. The American Statistician,
    72, 327–339. doi:10.1080/00031305.2018.1518787 (eqs. 5–8)
    """
    func = "replication_bf_f"
    fo, fr = _finite("f_orig", func, f_orig), _finite("f_rep", func, f_rep)
    if fo < 0 or fr < 0:
        raise ValueError(f"The 'f_orig' parameter of {func} must be >= 0 (as must 'f_rep'). Got {fo!r} instead.")
    d1o, d2o = (_count("df_orig", func, v, 1) for v in df_orig)
    d1r, d2r = (_count("df_rep", func, v, 1) for v in df_rep)
    no, nr = _count("n_orig", func, n_orig), _count("n_rep", func, n_rep)

    def log_lik_o(theta):
        return stats.ncf.logpdf(fo, d1o, d2o, np.maximum(theta, 0.0) * no)

    def log_lik_r(theta):
        return stats.ncf.logpdf(fr, d1r, d2r, np.maximum(theta, 0.0) * nr)

    # scale of λ: the observed F times df1 estimates λ + df1; width of order 2√(λ + df1) on λ scale
    lam_hat = max(fo * d1o - d1o, 0.0)
    centre = lam_hat / no
    width = (2.0 * math.sqrt(lam_hat + d1o) + 1.0) / no
    log_norm = _quad_log(log_lik_o, 0.0, np.inf, centre, width)
    log_num = _quad_log(lambda x: log_lik_o(x) + log_lik_r(x), 0.0, np.inf, centre, width)
    hi = centre + 60 * width
    mean = integrate.quad(lambda x: x * math.exp(log_lik_o(x) - log_norm), 0.0, hi, limit=400)[0]
    second = integrate.quad(lambda x: x * x * math.exp(log_lik_o(x) - log_norm), 0.0, hi, limit=400)[0]
    log_bf = log_num - log_norm - float(stats.f.logpdf(fr, d1r, d2r))
    return ReplicationBF(bf_r0=math.exp(log_bf), bf_0r=math.exp(-log_bf), log_bf_r0=log_bf, test="F",
                         method="exact", posterior_mean=float(mean),
                         posterior_sd=float(math.sqrt(max(second - mean * mean, 0.0))))


# --------------------------------------------------------------------------------------------
# sceptical p-value (Held 2020)
# --------------------------------------------------------------------------------------------
def z_sceptical(zo: float, zr: float, c: float) -> float:
    """Sceptical z-value z_S (Held 2020, eq. 6), as ``ReplicationSuccess::zSceptical``.

    Parameters
    ----------
    zo, zr : float
        z-values of the original and the replication estimate.
    c : float
        Variance ratio σo²/σr² (≈ n_rep / n_orig), ≥ 0.

    Returns
    -------
    float
        z_S ≥ 0, from z_S² = [√(z²_A (z²_A + (c−1) z²_H)) − z²_A] / (c − 1), with z²_A and z²_H the
        arithmetic and harmonic means of zo² and zr² (z_S² = z²_H / 2 when c = 1).

    Raises
    ------
    ValueError
        On non-finite input or negative ``c``.

    References
    ----------
    Held, L. (2020). A new standard for the analysis and design of replication studies (with
    discussion). JRSS-A, 183, 431–448. doi:10.1111/rssa.12493
    """
    func = "z_sceptical"
    zo, zr, c = _finite("zo", func, zo), _finite("zr", func, zr), _finite("c", func, c)
    if c < 0:
        raise ValueError(f"The 'c' parameter of {func} must be >= 0. Got {c!r} instead.")
    a, b = zo * zo, zr * zr
    if a == 0 or b == 0:
        return 0.0
    z2a = (a + b) / 2.0
    z2h = 2.0 / (1.0 / a + 1.0 / b)
    if c == 1:
        z2 = z2h / 2.0
    else:
        z2 = (math.sqrt(z2a * (z2a + (c - 1.0) * z2h)) - z2a) / (c - 1.0)
    return math.sqrt(max(z2, 0.0))


def _fz(z: float, c: float) -> float:
    """CDF of z_S² under H0 (Micheloud, Balabdaoui & Held 2023), as ReplicationSuccess:::FZ."""
    if z <= 0:
        return 0.0
    if c == 0:
        return 1.0 - 4.0 * stats.norm.sf(math.sqrt(z)) ** 2
    if c == 1:
        return float(stats.gamma.cdf(z, a=0.5, scale=0.5))

    # exp(-(c-1) z / (sqrt(1+(c-1)t) - 1)) rewritten as exp(-z (sqrt(1+(c-1)t) + 1) / t), which avoids
    # the cancellation near c = 1; the 1/sqrt(t(1-t)) factor is handled by quad's algebraic weight.
    def f(t: float) -> float:
        if t <= 0.0:
            return 0.0
        return math.exp(-z * (math.sqrt(1.0 + (c - 1.0) * t) + 1.0) / t)

    val, _ = integrate.quad(f, 0.0, 1.0, weight="alg", wvar=(-0.5, -0.5), limit=200)
    return 1.0 - val / math.pi


def p_sceptical(zo: float, zr: float, c: float, *, alternative: Literal["one.sided", "two.sided"] = "one.sided",
                type: Literal["golden", "nominal", "controlled"] = "golden") -> float:  # noqa: A002
    """Sceptical p-value, as ``ReplicationSuccess::pSceptical`` (version 1.3.x).

    Parameters
    ----------
    zo, zr : float
        z-values of the original and the replication estimate (same sign = same direction).
    c : float
        Variance ratio σo²/σr² (≈ n_rep / n_orig), ≥ 0.
    alternative : {"one.sided", "two.sided"}, default "one.sided"
        One-sided: replication success in the original's direction (a replication in the opposite
        direction gets p > 0.5).
    type : {"golden", "nominal", "controlled"}, default "golden"
        Recalibration. ReplicationSuccess's default is "golden" (since 1.1; Held, Micheloud & Pawel
        2022): z_S is multiplied by √φ, φ the golden ratio, so that the one-sided p can be compared
        with 0.025. "nominal" is the uncalibrated p of Held (2020); "controlled" uses the exact null
        distribution of z_S² (Micheloud, Balabdaoui & Held 2023).

    Returns
    -------
    float
        The sceptical p-value.

    Raises
    ------
    ValueError
        On non-finite input, negative ``c`` or unknown options.

    References
    ----------
    Held, L. (2020). JRSS-A, 183, 431–448. Held, L., Micheloud, C., & Pawel, S. (2022). The
    assessment of replication success based on relative effect size. Annals of Applied Statistics,
    16, 706–720. Micheloud, C., Balabdaoui, F., & Held, L. (2023). Statistica Neerlandica, 77, 486–505.
    """
    func = "p_sceptical"
    z = z_sceptical(zo, zr, c)
    if type == "nominal":
        res = 2.0 * stats.norm.sf(z)
    elif type == "golden":
        res = 2.0 * stats.norm.sf(z * math.sqrt(GOLDEN_RATIO))
    elif type == "controlled":
        res = math.sqrt(max(1.0 - _fz(z * z, float(c)), 0.0))
    else:
        raise ValueError(
            f"The 'type' parameter of {func} must be 'golden', 'nominal' or 'controlled'. Got {type!r} instead."
        )
    if alternative == "one.sided":
        res = res / 2.0 if np.sign(zo) == np.sign(zr) else 1.0 - res / 2.0
    elif alternative != "two.sided":
        raise ValueError(
            f"The 'alternative' parameter of {func} must be 'one.sided' or 'two.sided'. Got {alternative!r} instead."
        )
    return float(res)


# --------------------------------------------------------------------------------------------
# TOST, Q test, fixed-effect combination
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TOSTResult:
    """Two one-sided tests of |δ| < SESOI for Cohen's d (Student t, pooled SD).

    Attributes
    ----------
    d, sesoi : float
        Estimate and smallest effect size of interest (d units, > 0).
    t_lower, t_upper : float
        t statistics against −SESOI (H0: δ ≤ −SESOI) and +SESOI (H0: δ ≥ +SESOI).
    p_lower, p_upper, p_value : float
        One-sided p-values and the TOST p = max of both.
    df : int
        Degrees of freedom.
    ci_low, ci_high : float
        (1 − 2α) noncentral-t interval for δ; equivalence ⇔ it lies within ±SESOI (approximately).
    equivalent : bool
        ``p_value < alpha``.
    alpha : float
        Level of each one-sided test.
    """

    d: float
    sesoi: float
    t_lower: float
    t_upper: float
    p_lower: float
    p_upper: float
    p_value: float
    df: int
    ci_low: float
    ci_high: float
    equivalent: bool
    alpha: float

    def to_dict(self) -> dict:
        """Return the result as a plain dict."""
        return asdict(self)


def tost_equivalence(d: float, n1: int, n2: int, *, sesoi: float, alpha: float = 0.05,
                     df: int | None = None) -> TOSTResult:
    """TOST equivalence test for a standardized mean difference.

    Parameters
    ----------
    d : float
        Cohen's d.
    n1, n2 : int
        Group sizes (≥ 2 each).
    sesoi : float
        Smallest effect size of interest, in d units (> 0); bounds are ±sesoi.
    alpha : float, default 0.05
        Level of each one-sided test.
    df : int, optional
        Degrees of freedom (default n1 + n2 − 2).

    Returns
    -------
    TOSTResult

    Raises
    ------
    ValueError
        On non-finite ``d``, sizes < 2, ``sesoi`` ≤ 0 or ``alpha`` ∉ (0, 0.5).

    Notes
    -----
    The bounds ±SESOI·s_pooled on the raw scale give t_lower = (d + SESOI)/√(1/n1+1/n2) and
    t_upper = (d − SESOI)/√(1/n1+1/n2) with Student's df, as TOSTER's ``TOSTtwo`` with bounds in d.

    References
    ----------
    Lakens, D. (2017). Equivalence tests: A practical primer for t tests, correlations, and
    meta-analyses. Social Psychological and Personality Science, 8, 355–362. Schuirmann, D. J.
    (1987). J. Pharmacokinet. Biopharm., 15, 657–680.
    """
    func = "tost_equivalence"
    d = _finite("d", func, d)
    n1, n2 = _count("n1", func, n1), _count("n2", func, n2)
    sesoi = _positive("sesoi", func, sesoi)
    alpha = _alpha(func, alpha)
    df = _df(func, df, n1, n2)
    s = _scale(n1, n2)
    t_lo, t_hi = (d + sesoi) / s, (d - sesoi) / s
    p_lo, p_hi = float(stats.t.sf(t_lo, df)), float(stats.t.cdf(t_hi, df))
    ci = d_confidence_interval(d, n1, n2, level=1 - 2 * alpha, df=df)
    p = max(p_lo, p_hi)
    return TOSTResult(d=d, sesoi=sesoi, t_lower=t_lo, t_upper=t_hi, p_lower=p_lo, p_upper=p_hi, p_value=p,
                      df=df, ci_low=ci.low, ci_high=ci.high, equivalent=bool(p < alpha), alpha=alpha)


@dataclass(frozen=True)
class QTest:
    """Q test of the difference between two estimates (Cochran's Q with k = 2).

    Attributes
    ----------
    difference : float
        Replication minus original.
    se : float
        √(se_o² + se_r²).
    q : float
        Q = difference² / (se_o² + se_r²), χ²(1) under H0.
    p_value : float
        Upper-tail χ²(1) probability.
    """

    difference: float
    se: float
    q: float
    p_value: float

    def to_dict(self) -> dict:
        """Return the result as a plain dict."""
        return asdict(self)


def q_test(orig: float, orig_se: float, rep: float, rep_se: float) -> QTest:
    """Q test of compatibility of the original and replication estimates.

    Parameters
    ----------
    orig, rep : float
        Estimates.
    orig_se, rep_se : float
        Their standard errors (> 0).

    Returns
    -------
    QTest

    Raises
    ------
    ValueError
        On non-finite estimates or non-positive standard errors.

    References
    ----------
    Hedges, L. V., & Schauer, J. M. (2019). More than one replication study is needed for
    unambiguous tests of replication. J. Educ. Behav. Stat., 44, 543–570;
    ``ReplicationSuccess::Qtest``.
    """
    func = "q_test"
    o, r = _finite("orig", func, orig), _finite("rep", func, rep)
    so, sr = _positive("orig_se", func, orig_se), _positive("rep_se", func, rep_se)
    se = math.sqrt(so * so + sr * sr)
    q = (r - o) ** 2 / (se * se)
    return QTest(difference=r - o, se=se, q=q, p_value=float(stats.chi2.sf(q, 1)))


@dataclass(frozen=True)
class FixedEffect:
    """Inverse-variance (fixed-effect) combination of two or more estimates.

    Attributes
    ----------
    estimate, se : float
        Σwθ/Σw and 1/√Σw with w = 1/se².
    ci_low, ci_high : float
        estimate ∓ z·se.
    z, p_value : float
        Wald z and two-sided p.
    level : float
        Confidence level.
    weights : tuple of float
        Normalized weights.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float
    level: float
    weights: tuple = field(default_factory=tuple)

    def to_dict(self) -> dict:
        """Return the result as a plain dict."""
        return asdict(self)


def fixed_effect(estimates, ses, *, level: float = 0.95) -> FixedEffect:
    """Fixed-effect (inverse-variance) pooled estimate.

    Parameters
    ----------
    estimates : sequence of float
        Effect estimates.
    ses : sequence of float
        Their standard errors (> 0), same length.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    FixedEffect

    Raises
    ------
    ValueError
        On empty or mismatched input, non-finite values, or non-positive standard errors.

    References
    ----------
    Borenstein et al. (2009), Introduction to Meta-Analysis, ch. 11 (eqs. 11.2–11.5).
    """
    func = "fixed_effect"
    y = np.asarray(estimates, dtype=float).ravel()
    s = np.asarray(ses, dtype=float).ravel()
    if y.size == 0 or y.size != s.size:
        raise ValueError(f"The 'ses' parameter of {func} must have the same non-zero length as 'estimates'. Got {s.size} instead.")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(s)) and np.all(s > 0)):
        raise ValueError(f"The 'ses' parameter of {func} must hold finite values > 0 (and 'estimates' finite values). Got {list(s)!r} instead.")
    level = _level(func, level)
    w = 1.0 / s ** 2
    est = float(np.sum(w * y) / np.sum(w))
    se = float(1.0 / math.sqrt(np.sum(w)))
    zc = stats.norm.ppf(0.5 + level / 2)
    z = est / se
    return FixedEffect(estimate=est, se=se, ci_low=float(est - zc * se), ci_high=float(est + zc * se), z=z,
                       p_value=float(2 * stats.norm.sf(abs(z))), level=level,
                       weights=tuple(float(v) for v in w / np.sum(w)))


# --------------------------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReplicationReport:
    """All replication metrics for one original / replication pair (d scale).

    Attributes
    ----------
    original, replication : DInterval
        Estimates with their confidence intervals.
    original_se, replication_se : float
        Large-sample standard errors (used by the normal-theory metrics).
    original_in_replication_ci, replication_in_original_ci : bool
        Whether each estimate lies inside the other's confidence interval.
    prediction_interval : tuple of float
        Patil et al. (2016) interval for the replication estimate.
    replication_in_prediction_interval : bool
        Whether the replication estimate falls inside it.
    small_telescopes : SmallTelescopes
    replication_bf : ReplicationBF
        Verhagen & Wagenmakers (2014) t-test version (exact posterior).
    sceptical_p : float
        ReplicationSuccess ``pSceptical(zo, zr, c, alternative = "one.sided", type = "golden")``,
        zo = d_o/se_o, zr = d_r/se_r, c = se_o²/se_r².
    sceptical_c : float
        The variance ratio c used.
    tost : TOSTResult
        Equivalence test of the replication against ±SESOI.
    q_test : QTest
    fixed_effect : FixedEffect
    sesoi, level : float
        Settings used (``sesoi`` in d units, after resolving ``"d33"``).
    sesoi_rule : str
        How the SESOI was set: ``"d33"`` (the original's small-telescopes d33) or ``"fixed"``.
    notes : tuple of str
        Assumptions behind the numbers.
    """

    original: DInterval
    replication: DInterval
    original_se: float
    replication_se: float
    original_in_replication_ci: bool
    replication_in_original_ci: bool
    prediction_interval: tuple
    replication_in_prediction_interval: bool
    small_telescopes: SmallTelescopes
    replication_bf: ReplicationBF
    sceptical_p: float
    sceptical_c: float
    tost: TOSTResult
    q_test: QTest
    fixed_effect: FixedEffect
    sesoi: float
    level: float
    notes: tuple
    sesoi_rule: str = "fixed"

    def to_dict(self) -> dict:
        """Return the report as a nested plain dict (JSON-ready)."""
        return asdict(self)


def replication_report(orig_d: float, orig_n1: int, orig_n2: int, rep_d: float, rep_n1: int, rep_n2: int,
                       *, sesoi: float | Literal["d33"] = "d33", level: float = 0.95, orig_df: int | None = None,
                       rep_df: int | None = None, ci_method: Literal["nct", "normal"] = "nct") -> ReplicationReport:
    """Every replication metric of this module for one pair of Cohen's d estimates.

    Parameters
    ----------
    orig_d : float
        Original Cohen's d; its sign defines the hypothesized direction (must be non-zero).
    orig_n1, orig_n2 : int
        Original group sizes.
    rep_d : float
        Replication Cohen's d, on the same sign convention (negative = opposite direction).
    rep_n1, rep_n2 : int
        Replication group sizes.
    sesoi : float or "d33", default "d33"
        Smallest effect size of interest for the TOST, in d units (> 0), or ``"d33"``: the effect
        the original study had 33% power to detect (:func:`small_telescopes`). d33 is the SESOI
        Lakens, Scheel & Isager (2018, "Equivalence testing for psychological research", AMPPS 1,
        259–269) propose for replications when no theory fixes one: an effect smaller than d33
        could not have been detected reliably by the original, so the original cannot count as
        evidence for it (Simonsohn 2015).
    level : float, default 0.95
        Level of the confidence and prediction intervals; TOST and small telescopes use
        α = 1 − level.
    orig_df, rep_df : int, optional
        Degrees of freedom of each t (default n1 + n2 − 2); e.g. 27 for an F(1, 27) contrast from
        a three-group ANOVA.
    ci_method : {"nct", "normal"}, default "nct"
        Interval method for d.

    Returns
    -------
    ReplicationReport

    Raises
    ------
    ValueError
        If ``orig_d`` is zero or any argument is invalid.

    References
    ----------
    See the functions called: :func:`d_confidence_interval`, :func:`prediction_interval`,
    :func:`small_telescopes`, :func:`replication_bf_t`, :func:`p_sceptical`,
    :func:`tost_equivalence`, :func:`q_test`, :func:`fixed_effect`.
    """
    func = "replication_report"
    orig_d = _finite("orig_d", func, orig_d)
    if orig_d == 0:
        raise ValueError(f"The 'orig_d' parameter of {func} must be non-zero (it sets the direction). Got {orig_d!r} instead.")
    rep_d = _finite("rep_d", func, rep_d)
    level = _level(func, level)
    alpha = round(1.0 - level, 12)
    on1, on2 = _count("orig_n1", func, orig_n1), _count("orig_n2", func, orig_n2)
    rn1, rn2 = _count("rep_n1", func, rep_n1), _count("rep_n2", func, rep_n2)
    odf, rdf = _df(func, orig_df, on1, on2), _df(func, rep_df, rn1, rn2)

    orig_ci = d_confidence_interval(orig_d, on1, on2, level=level, df=odf, method=ci_method)
    rep_ci = d_confidence_interval(rep_d, rn1, rn2, level=level, df=rdf, method=ci_method)
    se_o, se_r = d_standard_error(orig_d, on1, on2), d_standard_error(rep_d, rn1, rn2)
    pi = prediction_interval(orig_d, se_o, se_r, level=level)
    direction = 1.0 if orig_d > 0 else -1.0
    st = small_telescopes(on1, on2, direction * rep_d, rn1, rn2, alpha=min(alpha, 0.49), orig_df=odf, rep_df=rdf)
    rbf = replication_bf_t(orig_d / _scale(on1, on2), (on1, on2), rep_d / _scale(rn1, rn2), (rn1, rn2),
                           df_orig=odf, df_rep=rdf)
    c = se_o ** 2 / se_r ** 2
    ps = p_sceptical(orig_d / se_o, rep_d / se_r, c, alternative="one.sided", type="golden")
    if isinstance(sesoi, str):
        if sesoi != "d33":
            raise ValueError(f"The 'sesoi' parameter of {func} must be a positive number or 'd33'. Got {sesoi!r} instead.")
        sesoi_rule, sesoi = "d33", st.d33
    else:
        sesoi_rule, sesoi = "fixed", _positive("sesoi", func, sesoi)
    tost = tost_equivalence(rep_d, rn1, rn2, sesoi=sesoi, alpha=min(alpha, 0.49), df=rdf)
    qt = q_test(orig_d, se_o, rep_d, se_r)
    fe = fixed_effect([orig_d, rep_d], [se_o, se_r], level=level)
    notes = (
        "Effect sizes are Cohen's d (pooled SD), not bias-corrected Hedges' g.",
        f"Confidence intervals: {'noncentral-t inversion' if ci_method == 'nct' else 'normal approximation'}; "
        f"df original = {odf}, replication = {rdf}.",
        "Standard errors for the prediction interval, sceptical p, Q test and fixed-effect pool: "
        "sqrt((n1+n2)/(n1 n2) + d^2/(2(n1+n2))) (normal approximation).",
        "Sceptical p: one-sided, golden recalibration (ReplicationSuccess >= 1.1 default); "
        "c = se_o^2/se_r^2; threshold 0.025.",
        "Replication Bayes factor: Verhagen & Wagenmakers (2014), flat prior on delta for the original "
        "posterior, exact quadrature.",
        f"Small telescopes and TOST use alpha = {min(alpha, 0.49):.3g}; TOST bounds are +/- SESOI in d units"
        + (" (SESOI = d33 of the original, Lakens, Scheel & Isager 2018)." if sesoi_rule == "d33" else " (fixed SESOI)."),
        "The fixed-effect pool assumes both studies estimate the same effect; see the Q test.",
    )
    return ReplicationReport(
        original=orig_ci, replication=rep_ci, original_se=se_o, replication_se=se_r,
        original_in_replication_ci=rep_ci.contains(orig_d), replication_in_original_ci=orig_ci.contains(rep_d),
        prediction_interval=pi, replication_in_prediction_interval=bool(pi[0] <= rep_d <= pi[1]),
        small_telescopes=st, replication_bf=rbf, sceptical_p=ps, sceptical_c=c, tost=tost, q_test=qt,
        fixed_effect=fe, sesoi=float(sesoi), level=level, notes=notes, sesoi_rule=sesoi_rule,
    )
