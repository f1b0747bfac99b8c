"""Default (JZS) Bayes factors from published summary statistics.

Two tests are covered, both computed by one-dimensional numerical integration over the
variance hyper-parameter ``g`` of the Zellner–Siow (Cauchy) prior:

* the one- and two-sample *t* test (Rouder, Speckman, Sun, Morey & Iverson 2009, eq. 1, with a
  Cauchy prior of scale ``r`` on the standardized effect δ), as R ``BayesFactor::ttest.tstat``;
* the balanced one-way ANOVA from its *F* statistic (Rouder, Morey, Speckman & Province 2012,
  the single-``g`` fixed-effects model), as R ``BayesFactor::oneWayAOV.Fstat``.

Scales follow BayesFactor (≥ 0.9.9): the t-test scale ``r`` is on δ itself ("medium" = √2/2 for
one- and two-sample tests); the ANOVA scale is on the orthonormal effect contrasts ("medium" =
1/2).  For J = 2 groups the two coincide when ``r_ttest = r_anova · √2`` (δ = √2·θ for the single
orthonormal contrast θ); BayesFactor's own ``anovaBF`` uses exactly this mapping for two levels.

Numerics: the integrand is evaluated on the log scale (t² and F enter through their logarithms, so any
finite statistic is accepted), the substitution g = exp(u) is used, and the integral is taken in pieces
around the mode of the log-integrand, the mode of the prior and the "knee" where the likelihood stops
growing with g, so log BF₁₀ is computed to ~1e-10 relative accuracy from t = 0 to t = 1e308 (the reference
tolerance in the tests is 1e-4 relative).

Overflow convention (every Bayes factor of dprep, here and in :mod:`dprep.stats.replication`): the log
Bayes factor is always given; the factor itself and its reciprocal are floats while both are finite and
non-zero (|log BF| ≤ log of the largest float, :data:`LOG_FLOAT_MAX` ≈ 709.78); beyond that both are
``None`` (``null`` in JSON) and ``bf_overflow`` is True: read the log Bayes factor.
"""

from __future__ import annotations

import math
import sys
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np
from scipy import integrate, optimize

from dprep.core.args import finite as _check_finite
from dprep.core.args import integer as _check_int
from dprep.core.args import positive as _check_positive

__all__ = [
    "LOG_FLOAT_MAX",
    "R_TTEST_MEDIUM",
    "R_ANOVA_MEDIUM",
    "BayesFactorResult",
    "jzs_ttest_bf",
    "jzs_anova_bf",
    "EVIDENCE_CATEGORIES",
    "evidence_category",
    "bf_from_log",
]

#: BayesFactor's "medium" Cauchy scale for t tests (one- and two-sample), r = √2/2.
R_TTEST_MEDIUM = math.sqrt(2.0) / 2.0
#: BayesFactor's "medium" scale for fixed effects in ANOVA, r = 1/2.
R_ANOVA_MEDIUM = 0.5
#: Lee & Wagenmakers' (2013, Table 7.1) labels of a Bayes factor ≥ 1, adapted from Jeffreys (1961):
#: (upper limit, label); a factor of 100 or more is "extreme".
EVIDENCE_CATEGORIES = ((3.0, "anecdotal"), (10.0, "moderate"), (30.0, "strong"), (100.0, "very strong"))
#: log of the largest float (≈ 709.78): a Bayes factor with |log BF| above it is not a float.
LOG_FLOAT_MAX = math.log(sys.float_info.max)


def bf_from_log(log_bf: float) -> tuple[float | None, float | None, bool]:
    """A Bayes factor and its reciprocal from its logarithm, with the overflow flag.

    Parameters
    ----------
    log_bf : float
        Natural log of the Bayes factor (finite).

    Returns
    -------
    (float or None, float or None, bool)
        ``(exp(log_bf), exp(-log_bf), False)`` while |log_bf| ≤ :data:`LOG_FLOAT_MAX`, so that both are
        finite and non-zero floats; else ``(None, None, True)``: the factor is beyond the float range and
        only its log is exact.

    Raises
    ------
    ArgumentError
        If ``log_bf`` is not finite.

    Examples
    --------
    >>> bf_from_log(0.0)
    (1.0, 1.0, False)
    >>> bf_from_log(805.7)
    (None, None, True)
    """
    log_bf = _check_finite("log_bf", "bf_from_log", log_bf)
    if abs(log_bf) > LOG_FLOAT_MAX:
        return None, None, True
    return math.exp(log_bf), math.exp(-log_bf), False


def evidence_category(bf10: float) -> tuple[str, str]:
    """The verbal category of a Bayes factor and the hypothesis it favours.

    Parameters
    ----------
    bf10 : float
        BF₁₀ (> 0).

    Returns
    -------
    (str, str)
        The label of max(BF₁₀, BF₀₁) on Lee & Wagenmakers' scale (:data:`EVIDENCE_CATEGORIES`) and
        ``"H1"`` (BF₁₀ ≥ 1) or ``"H0"``.

    Raises
    ------
    ArgumentError
        If ``bf10`` is not a positive finite number.

    References
    ----------
    Lee, M. D., & Wagenmakers, E.-J. (2013). *Bayesian Cognitive Modeling: A Practical Course*.
    Cambridge University Press (Table 7.1). Jeffreys, H. (1961). *Theory of Probability* (3rd ed.).
    Oxford University Press (Appendix B).

    Examples
    --------
    >>> evidence_category(0.5)
    ('anecdotal', 'H0')
    """
    bf = _check_positive("bf10", "evidence_category", bf10)
    side, value = ("H1", bf) if bf >= 1 else ("H0", 1.0 / bf)
    return next((label for limit, label in EVIDENCE_CATEGORIES if value < limit), "extreme"), side


@dataclass(frozen=True)
class BayesFactorResult:
    """A Bayes factor for H1 (effect) against H0 (no effect).

    Attributes
    ----------
    test : str
        ``"ttest_one_sample"``, ``"ttest_two_sample"`` or ``"anova_oneway"``.
    statistic : float
        The t or F statistic the Bayes factor was computed from.
    bf10 : float or None
        Evidence for H1 over H0 (BF₁₀); ``None`` when it or BF₀₁ is beyond the float range
        (``bf_overflow``).
    bf01 : float or None
        Evidence for H0 over H1 (BF₀₁ = 1 / BF₁₀); ``None`` with ``bf10``.
    log_bf10 : float
        Natural logarithm of BF₁₀, always given (exact even when BF₁₀ over- or underflows).
    bf_overflow : bool
        True when |log BF₁₀| > :data:`LOG_FLOAT_MAX` (≈ 709.78): BF₁₀ or BF₀₁ exceeds the largest float, so
        both are ``None`` and ``log_bf10`` carries the evidence.
    r : float
        Cauchy prior scale used.
    n : dict
        Sample sizes (``n1``/``n2`` or ``groups``/``n_per_group``) and degrees of freedom.
    method : str
        How the integral was evaluated.
    reference : str
        Paper and equation implemented.
    """

    test: str
    statistic: float
    bf10: float | None
    bf01: float | None
    log_bf10: float
    bf_overflow: bool
    r: float
    n: dict
    method: str
    reference: str

    def to_dict(self) -> dict:
        """Return the result as a plain dict (JSON-ready)."""
        return asdict(self)


# --------------------------------------------------------------------------------------------
# integration on the log scale
# --------------------------------------------------------------------------------------------
def _log1pexp(x: float) -> float:
    """log(1 + eˣ) without overflow (x may be -inf)."""
    return x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))


def _log_integral(h: Callable[[float], float], anchors: tuple[float, ...]) -> float:
    """Return log ∫ exp(h(u)) du over the real line, ``h`` the log integrand in u = log g.

    ``anchors`` are points near which the integrand lives (the prior's mode, the knee of the likelihood);
    the mode is searched between them, and the integral is taken in pieces around the mode and every
    anchor. The integrand is smooth and unimodal or flat-topped in u; 80 beyond the outermost anchor or
    mode it is below e^-40 of its peak (super-exponential decay on the left, at least as fast as e^-u on
    the right for every design accepted here), which bounds the range.
    """
    lo, hi = min(anchors) - 60.0, max(anchors) + 60.0
    res = optimize.minimize_scalar(lambda u: -h(u), bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    u0, h0 = float(res.x), h(float(res.x))
    # a grid of candidate starting points guards against a boundary optimum of the bounded search
    for u in np.arange(lo, hi + 1.0, 1.0):
        hu = h(float(u))
        if hu > h0:
            u0, h0 = float(u), hu
    centres = (u0, *anchors)
    edges = sorted({c + d for c in centres for d in (-80, -20, -5, -1, 0, 1, 5, 20, 80)})
    total = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        val, _ = integrate.quad(lambda u: math.exp(h(u) - h0), a, b, epsabs=0.0, epsrel=1e-12, limit=200)
        total += val
    return h0 + math.log(total)


# --------------------------------------------------------------------------------------------
# t test
# --------------------------------------------------------------------------------------------
def jzs_ttest_bf(t: float, n1: int, n2: int | None = None, *, r: float = R_TTEST_MEDIUM,
                 df: int | None = None) -> BayesFactorResult:
    """JZS Bayes factor for a one- or two-sample *t* test from its *t* statistic.

    Parameters
    ----------
    t : float
        Classical (Student, pooled-variance) t statistic. Its sign does not matter (two-sided test).
    n1 : int
        Size of the first group, or of the only group for a one-sample / paired test (n1 ≥ 2).
    n2 : int, optional
        Size of the second group for an independent-groups test (n2 ≥ 1). ``None`` (default), 0
        or 1 gives the one-sample test, as in ``ttest.tstat(t, n1)`` with ``n2 = 0``.
    r : float, default √2/2
        Scale of the Cauchy prior on the standardized effect size δ (BayesFactor "medium").
    df : int, optional
        Degrees of freedom ν of t. Default n1 − 1 (one sample) or n1 + n2 − 2 (two samples), as in
        BayesFactor. Give the error df when the t (or F(1, df) = t²) contrast uses an error term pooled
        over more groups than the two compared; the Bayes factor is then the ratio of the noncentral-t
        and central-t likelihoods of the observed t averaged over the Cauchy prior, which is what eq. 1
        computes for general ν (not an option of ``ttest.tstat``).

    Returns
    -------
    BayesFactorResult
        ``bf10`` = p(t | H1) / p(t | H0), with δ ~ Cauchy(0, r) under H1 and δ = 0 under H0.

    Raises
    ------
    ValueError
        If ``t`` is not finite, a sample size is too small, or ``r`` is not > 0.

    Notes
    -----
    With effective sample size N (n1 for one sample; n1·n2/(n1+n2) for two) and ν degrees of
    freedom (n1 − 1; n1 + n2 − 2), Rouder et al. (2009, eq. 1), generalized to prior scale r::

        BF10 = ∫₀^∞ (1+Ngr²)^(-1/2) [1 + t²/((1+Ngr²)ν)]^(-(ν+1)/2) (2π)^(-1/2) g^(-3/2) e^(-1/(2g)) dg
               / (1 + t²/ν)^(-(ν+1)/2)

    References
    ----------
    Rouder, J. N., Speckman, P. L., Sun, D., Morey, R. D., & Iverson, G. (2009). Bayesian t tests
    for accepting and rejecting the null hypothesis. Psychonomic Bulletin & Review, 16, 225–237,
    eq. 1. doi:10.3758/PBR.16.2.225

    Morey, R. D., & Rouder, J. N. BayesFactor R package, ``ttest.tstat``.
    """
    func = "jzs_ttest_bf"
    t = _check_finite("t", func, t)
    r = _check_positive("r", func, r)
    n1 = _check_int("n1", func, n1, 2)
    one_sample = n2 is None or n2 in (0, 1)
    if one_sample:
        n_eff, nu = float(n1), n1 - 1
        test = "ttest_one_sample"
        sizes = {"n1": n1, "n2": None, "df": nu}
    else:
        n2 = _check_int("n2", func, n2, 1)
        n_eff, nu = n1 * n2 / (n1 + n2), n1 + n2 - 2
        test = "ttest_two_sample"
        sizes = {"n1": n1, "n2": n2, "df": nu}
    if df is not None:
        nu = _check_int("df", func, df, 1)
        sizes["df"] = nu

    # log integrand in u = log g (Jacobian e^u included); t² enters as its log, so any finite t works
    log_t2 = 2.0 * math.log(abs(t)) if t != 0 else -math.inf
    log_scale = math.log(n_eff) + 2.0 * math.log(r)  # log(N r²): r² overflows from r = 1.3e154

    def h(u: float) -> float:
        log_a = _log1pexp(log_scale + u)  # log(1 + N g r²)
        return (-0.5 * log_a - (nu + 1) / 2.0 * _log1pexp(log_t2 - log_a - math.log(nu))
                - 0.5 * math.log(2 * math.pi) - 0.5 * u - 0.5 * math.exp(-u))

    log_null = -(nu + 1) / 2.0 * _log1pexp(log_t2 - math.log(nu))
    # anchors: the prior's mode (u = 0) and the knee N g r² = t²/ν beyond which the likelihood is flat
    log_bf = _log_integral(h, (0.0, max(log_t2 - math.log(nu) - log_scale, 0.0))) - log_null
    return _result(test, t, log_bf, r, sizes, "Rouder et al. (2009) eq. 1, scale r on delta")


# --------------------------------------------------------------------------------------------
# one-way ANOVA
# --------------------------------------------------------------------------------------------
def jzs_anova_bf(f: float, groups: int, n_per_group: int, *, r: float = R_ANOVA_MEDIUM) -> BayesFactorResult:
    """JZS Bayes factor for a balanced one-way fixed-effects ANOVA from its *F* statistic.

    Parameters
    ----------
    f : float
        F statistic with (J − 1, J·n − J) degrees of freedom (≥ 0).
    groups : int
        Number of groups J (≥ 2).
    n_per_group : int
        Observations per group n (≥ 2); the design must be balanced.
    r : float, default 0.5
        Prior scale of the fixed effects (BayesFactor "medium" = 1/2).

    Returns
    -------
    BayesFactorResult
        BF₁₀ of "group means differ" against "all group means equal".

    Raises
    ------
    ValueError
        If ``f`` is negative or not finite, ``groups`` < 2, ``n_per_group`` < 2, or ``r`` ≤ 0.

    Notes
    -----
    With N = J·n and R² = (J−1)F / ((J−1)F + N − J), the effects on the J − 1 orthonormal
    contrasts are N(0, gσ²) given g, and g ~ inverse-gamma(1/2, r²/2) (Rouder et al. 2012). Because
    the contrast design is orthogonal with X'X = n·I, the conditional Bayes factor is the
    Zellner g-prior one with g' = n·g (Liang et al. 2008, eq. 5)::

        B(g) = (1 + ng)^(-(J-1)/2) · [(1 + ng(1 − R²)) / (1 + ng)]^(-(N-1)/2)

    and BF10 = ∫ B(g) · r (2π)^(-1/2) g^(-3/2) exp(−r²/(2g)) dg. For J = 2 this equals the two-sample
    t-test Bayes factor with scale r·√2.

    References
    ----------
    Rouder, J. N., Morey, R. D., Speckman, P. L., & Province, J. M. (2012). Default Bayes factors
    for ANOVA designs. Journal of Mathematical Psychology, 56, 356–374 (one-way model, the
    one-dimensional integral over g). doi:10.1016/j.jmp.2012.08.001

    Liang, F., Paulo, R., Molina, G., Clyde, M. A., & Berger, J. O. (2008). Mixtures of g priors
    for Bayesian variable selection. JASA, 103, 410–423, eq. 5.

    Morey, R. D., & Rouder, J. N. BayesFactor R package, ``oneWayAOV.Fstat``.
    """
    func = "jzs_anova_bf"
    f = _check_finite("f", func, f)
    if f < 0:
        raise ValueError(f"The 'f' parameter of {func} must be >= 0. Got {f!r} instead.")
    groups = _check_int("groups", func, groups, 2)
    n = _check_int("n_per_group", func, n_per_group, 2)
    r = _check_positive("r", func, r)
    big_n = groups * n
    p = groups - 1
    # log(1 − R²) = log((N − J) / ((J − 1)F + N − J)), from log F so that any finite F works
    log_1mr2 = -_log1pexp(math.log(p) + math.log(f) - math.log(big_n - groups)) if f > 0 else 0.0
    log_n, log_r = math.log(n), math.log(r)

    def h(u: float) -> float:  # log integrand in u = log g, Jacobian e^u included
        log_ng = log_n + u
        log1p_ng = _log1pexp(log_ng)
        return (-p / 2.0 * log1p_ng - (big_n - 1) / 2.0 * (_log1pexp(log_ng + log_1mr2) - log1p_ng)
                + log_r - 0.5 * math.log(2 * math.pi) - 0.5 * u - 0.5 * math.exp(2 * log_r - u))

    # anchors: the prior's mode (g = r²) and the knee n g (1 − R²) = 1
    log_bf = _log_integral(h, (2 * log_r, max(-log_n - log_1mr2, 2 * log_r)))
    sizes = {"groups": groups, "n_per_group": n, "df1": p, "df2": big_n - groups}
    return _result("anova_oneway", f, log_bf, r, sizes, "Rouder et al. (2012) one-way model, single g")


def _result(test: str, stat: float, log_bf: float, r: float, sizes: dict, reference: str) -> BayesFactorResult:
    bf10, bf01, overflow = bf_from_log(log_bf)
    return BayesFactorResult(
        test=test, statistic=float(stat), bf10=bf10, bf01=bf01, log_bf10=float(log_bf), bf_overflow=overflow,
        r=float(r), n=sizes, method="adaptive quadrature over log g around the mode", reference=reference,
    )
