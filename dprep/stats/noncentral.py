"""Log-density and CDF of the noncentral t distribution that stay finite far in the tails.

SciPy evaluates the noncentral t density in linear space with Boost's series: it underflows to
−inf, returns NaN or raises ``OverflowError`` once the density is small (for example
t = −5, df = 600, noncentrality 5, where the log-density is −49.94; R's
``dt(-5, 600, 5, log = TRUE)`` is wrong there too, −24.67).
The replication Bayes factor integrates such densities in log space, so one bad point can spoil
a whole integral; ``scipy.stats.nct.cdf`` returns NaN in the same regions (t = −3.67,
df = 598, noncentrality 8.84: a large replication against a small original's d33), which would
turn a small-telescopes test into a silent "not too small". :func:`nct_logpdf` and
:func:`nct_cdf` use SciPy where SciPy returns a finite value and a log-space quadrature of the
normal–gamma mixture representation everywhere else.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import special

from dprep.core import args
from dprep.core.errors import ConvergenceError

__all__ = ["NCF_MAX_LAMBDA", "NCT_MAX_T", "nct_cdf", "nct_logcdf", "nct_logpdf"]

#: Largest F·df1 (the scale of the noncentrality λ) whose confidence limits :func:`ncf_limits` inverts:
#: up to it SciPy's noncentral F gives limits that agree with the large-λ asymptote
#: λ ≈ F·df1·χ²_{df2, q}/df2 to its own order of error; from ~1e10 they drift (0.4% at F·df1 = 2e10).
NCF_MAX_LAMBDA = 1e9
#: Largest |t| whose noncentrality limits :func:`nct_limits` inverts: SciPy's noncentral t stays accurate to
#: ~1e-8 at |t| = 3e4 and loses digits from 5e4 (df = 2; no bracket at all from ~7e4).
NCT_MAX_T = 1e4

_NODES = np.linspace(-40.0, 40.0, 2001)  # trapezoid nodes, in units of the integrand's width


def _nct_logpdf_mixture(t: np.ndarray, df: np.ndarray, nc: np.ndarray) -> np.ndarray:
    """log f(t; ν, λ) by the normal–gamma mixture, all arguments 1-D arrays of one length.

    T = (Z + λ)/√W with W ~ Gamma(ν/2, rate ν/2) gives f(t) = E_W[√W φ(t√W − λ)]
    = C · E_V[φ(t√V − λ)] with V ~ Gamma(a = (ν + 1)/2, rate b = ν/2) and
    C = Γ((ν + 1)/2) / (Γ(ν/2) √(ν/2)). In u = log V the integrand h(u) has one mode,
    at x = e^{u/2} solving a + (λt/2)x − (t²/2 + b)x² = 0, with curvature h'' = −a − λt x/4.
    The trapezoid rule on ±40 widths around it is accurate to rounding error.
    """
    a, b = (df + 1.0) / 2.0, df / 2.0
    c = t * t / 2.0 + b
    half = nc * t / 2.0
    x_mode = (half + np.sqrt(half * half + 4.0 * a * c)) / (2.0 * c)
    width = 1.0 / np.sqrt(a + half * x_mode / 2.0)
    u = 2.0 * np.log(x_mode)[:, None] + width[:, None] * _NODES[None, :]
    ex = np.exp(u / 2.0)
    h = (-0.5 * (t[:, None] * ex - nc[:, None]) ** 2 - 0.5 * np.log(2.0 * np.pi)
         + (a * np.log(b) - special.gammaln(a))[:, None] + a[:, None] * u - b[:, None] * ex * ex)
    log_int = special.logsumexp(h, axis=1) + np.log(width * (_NODES[1] - _NODES[0]))
    log_c = special.gammaln(a) - special.gammaln(df / 2.0) - 0.5 * np.log(b)
    return log_c + log_int


def _nct_logcdf_mixture(t: float, df: float, nc: float) -> float:
    """log P(T ≤ t) = log E_W[Φ(t√W − λ)], W ~ Gamma(ν/2, rate ν/2), by the trapezoid rule in u = log W.

    A coarse pass over u ∈ [−80, 10] locates the peak of the log-integrand; a fine pass of
    ±60 widths of log W (√(2/ν), at most 1) around it integrates it.
    """
    a = df / 2.0
    log_norm = a * np.log(a) - special.gammaln(a)

    def h(u):
        return special.log_ndtr(t * np.exp(u / 2.0) - nc) + log_norm + a * u - a * np.exp(u)

    coarse = np.linspace(-80.0, 10.0, 6001)
    peak = coarse[np.argmax(h(coarse))]
    width = min(1.0, float(np.sqrt(2.0 / df)))
    fine = np.linspace(peak - 60.0 * width, min(peak + 60.0 * width, 12.0), 4801)
    return float(special.logsumexp(h(fine)) + np.log(fine[1] - fine[0]))


def nct_logcdf(t: float, df: float, nc: float) -> float:
    """Natural log of P(T ≤ t) for T ~ noncentral t(df, nc), finite far in the lower tail.

    Parameters
    ----------
    t : float
        Point at which to evaluate the CDF.
    df : float
        Degrees of freedom (> 0).
    nc : float
        Noncentrality parameter.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``df`` is not positive or an argument is not finite.

    Notes
    -----
    SciPy's ``nct.cdf`` where it is finite and positive; otherwise P(T ≤ t) = E_W[Φ(t√W − λ)]
    with W ~ χ²_ν/ν, integrated in log space (see the module docstring). Tested against SciPy
    and against an mpmath quadrature at 50 digits (``tests/test_noncentral.py``).
    """
    t, df, nc = (float(v) for v in (t, df, nc))
    if not all(np.isfinite(v) for v in (t, df, nc)):
        raise ValueError("The arguments of nct_logcdf must be finite.")
    if df <= 0:
        raise ValueError(f"The 'df' parameter of nct_logcdf must be > 0. Got {df!r} instead.")
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        p = float(special.nctdtr(df, nc, t))  # what scipy.stats.nct.cdf evaluates
    if np.isfinite(p) and 1e-300 < p <= 1.0:
        return float(np.log(p))
    return _nct_logcdf_mixture(t, df, nc)


def nct_cdf(t: float, df: float, nc: float) -> float:
    """P(T ≤ t) for T ~ noncentral t(df, nc); ``exp`` of :func:`nct_logcdf` (may underflow to 0)."""
    return float(np.exp(nct_logcdf(t, df, nc)))


def nct_logpdf(t, df, nc):
    """Natural log of the noncentral t density, finite wherever the density is positive.

    Parameters
    ----------
    t : float or array_like
        Points at which to evaluate the density.
    df : float or array_like
        Degrees of freedom (> 0).
    nc : float or array_like
        Noncentrality parameter.

    Returns
    -------
    float or numpy.ndarray
        log f(t; df, nc), broadcast over the arguments (a float when all are scalars).

    Raises
    ------
    ValueError
        If any ``df`` is not positive or any argument is not finite.

    Notes
    -----
    Uses ``scipy.stats.nct.logpdf`` where it returns a finite number and, elsewhere, a
    trapezoid quadrature in log space of the normal–gamma mixture representation of the
    noncentral t, T = (Z + λ)/√(W) with W ~ χ²_ν/ν (Johnson, Kotz & Balakrishnan 1995,
    *Continuous Univariate Distributions* vol. 2, ch. 31). ``tests/test_noncentral.py`` checks it
    against SciPy where SciPy is finite and against the closed form in confluent hypergeometric
    functions evaluated with mpmath at 60 digits where SciPy fails.
    """
    scalar = all(np.ndim(v) == 0 for v in (t, df, nc))
    t_b, df_b, nc_b = (a.ravel() for a in np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float))
                                                                 for v in (t, df, nc))))
    shape = np.broadcast_shapes(*(np.shape(v) for v in (t, df, nc)))
    if not (np.all(np.isfinite(t_b)) and np.all(np.isfinite(df_b)) and np.all(np.isfinite(nc_b))):
        raise ValueError("The arguments of nct_logpdf must be finite.")
    if np.any(df_b <= 0):
        raise ValueError(f"The 'df' parameter of nct_logpdf must be > 0. Got {df!r} instead.")
    from scipy import stats  # imported here: scipy.stats takes ~0.4 s, and the CIs below do not need it

    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out = np.asarray(stats.nct.logpdf(t_b, df_b, nc_b), dtype=float)
    except OverflowError:  # SciPy raises for the whole array if one element overflows
        out = np.full(t_b.shape, np.nan)
    bad = ~np.isfinite(out)
    if bad.any():
        out[bad] = _nct_logpdf_mixture(t_b[bad], df_b[bad], nc_b[bad])
    return float(out[0]) if scalar else out.reshape(shape)


# ----------------------------------------------------------------- confidence limits of λ and δ
def _expanding_root(func, start: float, step: float) -> float:
    """Root of an increasing ``func`` found by bracketing outward from ``start``."""
    lo, hi = start - step, start + step
    for _ in range(200):
        f_lo, f_hi = float(func(lo)), float(func(hi))
        if f_lo < 0 < f_hi:
            return _illinois(func, lo, hi, f_lo, f_hi)
        if f_lo >= 0:
            lo -= step
        if f_hi <= 0:
            hi += step
        step *= 2
    raise ConvergenceError("could not bracket the noncentrality parameter")  # pragma: no cover


def _illinois(func, lo: float, hi: float, f_lo: float, f_hi: float) -> float:
    """Root of an increasing ``func`` with f(lo) < 0 < f(hi), to |Δx| ≤ 1e-12 + 1e-14·|x|.

    The Illinois variant of regula falsi (Dowell & Jarratt 1971, *BIT* 11, 168–174): a false-position
    step, halving the kept end's function value when the same end is kept twice, so both ends close
    in superlinearly. Written here rather than imported because ``scipy.optimize`` alone adds ~0.2 s
    to every command that computes a CI.
    """
    kept = 0
    for _ in range(500):
        x = float(hi - f_hi * (hi - lo) / (f_hi - f_lo))
        if not lo < x < hi:  # rounding put the secant step on an end: bisect instead
            x = 0.5 * (lo + hi)
        f_x = float(func(x))
        if f_x == 0 or hi - lo <= 1e-12 + 1e-14 * abs(x):
            return x
        if f_x < 0:
            lo, f_lo = x, f_x
            f_hi = f_hi / 2 if kept == 1 else f_hi
            kept = 1
        else:
            hi, f_hi = x, f_x
            f_lo = f_lo / 2 if kept == -1 else f_lo
            kept = -1
    raise ConvergenceError("the noncentrality parameter did not converge in 500 steps")  # pragma: no cover


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
        If ``f`` is negative or F·df1 > :data:`NCF_MAX_LAMBDA`, a df is not positive, or ``level`` is outside
        (0, 1).

    References
    ----------
    Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation and the
    evaluation of statistical models. In *What if there were no significance tests?*
    (pp. 221–257). Erlbaum. Steiger, J. H. (2004). *Psychological Methods*, 9(2), 164–182.
    """
    f = args.nonnegative("f", "ncf_limits", f)
    df1 = args.positive("df1", "ncf_limits", df1)
    df2 = args.positive("df2", "ncf_limits", df2)
    args.check(f * df1 <= NCF_MAX_LAMBDA, "f", "ncf_limits",
               f"be at most {NCF_MAX_LAMBDA:.0e}/df1 (F·df1 ≤ {NCF_MAX_LAMBDA:.0e}: beyond it SciPy's noncentral F is "
               "not accurate enough to invert; η² exceeds 1 − df2·1e-9 there)", f)
    level = args.level("ncf_limits", level)
    alpha = 1.0 - level
    p_central = special.fdtrc(df1, df2, f)  # P(F ≥ f | λ = 0)

    def limit(target: float) -> float:
        if p_central >= target:
            return 0.0
        # P(F ≥ f | λ) − target = (1 − target) − P(F ≤ f | λ), increasing in λ
        func = lambda lam: (1.0 - target) - special.ncfdtr(df1, df2, max(lam, 0.0), f)  # noqa: E731
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
        If ``t`` is not finite or |t| > :data:`NCT_MAX_T`, ``df`` is not positive, or ``level`` is outside
        (0, 1).

    References
    ----------
    Cumming, G., & Finch, S. (2001). A primer on the understanding, use, and calculation of
    confidence intervals that are based on central and noncentral distributions.
    *Educational and Psychological Measurement*, 61(4), 532–574.
    """
    t = args.finite("t", "nct_limits", t)
    args.check(abs(t) <= NCT_MAX_T, "t", "nct_limits",
               f"have |t| ≤ {NCT_MAX_T:,.0f} (beyond it SciPy's noncentral t is not accurate enough to invert)", t)
    df = args.positive("df", "nct_limits", df)
    level = args.level("nct_limits", level)
    alpha = 1.0 - level

    def limit(target: float) -> float:
        # P(T <= t | delta) decreases in delta; negate to get an increasing function.
        return _expanding_root(lambda delta: target - special.nctdtr(df, delta, t), t, 1.0 + abs(t) / 4)

    return limit(1 - alpha / 2), limit(alpha / 2)
