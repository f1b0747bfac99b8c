"""dprep.stats.noncentral.nct_logpdf against SciPy and against an exact closed form (mpmath)."""

import itertools
import math

import mpmath
import numpy as np
import pytest
from scipy import stats

from dprep.stats.noncentral import nct_cdf, nct_logcdf, nct_logpdf


def closed_form_logpdf(t: float, nu: float, lam: float) -> float:
    """log f(t; ν, λ) from the confluent hypergeometric closed form, in exact arithmetic.

    f(t) = ν^{ν/2} Γ(ν+1) e^{−λ²/2} / (2^ν (ν+t²)^{ν/2} Γ(ν/2))
           × [√2 λ t/(ν+t²) · 1F1(ν/2+1; 3/2; z)/Γ((ν+1)/2) + 1F1((ν+1)/2; 1/2; z)/(Γ(ν/2+1) √(ν+t²))],
    z = λ²t²/(2(ν+t²)) (Johnson, Kotz & Balakrishnan 1995, ch. 31). The two terms cancel when
    λt < 0, so the working precision grows with z.
    """
    z_approx = lam * lam * t * t / (2 * (nu + t * t))
    with mpmath.workdps(60 + int(z_approx)):
        t_, nu_, lam_ = mpmath.mpf(t), mpmath.mpf(nu), mpmath.mpf(lam)
        s = nu_ + t_ ** 2
        z = lam_ ** 2 * t_ ** 2 / (2 * s)
        log_pre = (nu_ / 2 * mpmath.log(nu_) + mpmath.loggamma(nu_ + 1) - lam_ ** 2 / 2
                   - nu_ * mpmath.log(2) - nu_ / 2 * mpmath.log(s) - mpmath.loggamma(nu_ / 2))
        a = mpmath.sqrt(2) * lam_ * t_ / s * mpmath.hyp1f1(nu_ / 2 + 1, mpmath.mpf(3) / 2, z) / mpmath.gamma((nu_ + 1) / 2)
        b = mpmath.hyp1f1((nu_ + 1) / 2, mpmath.mpf(1) / 2, z) / (mpmath.gamma(nu_ / 2 + 1) * mpmath.sqrt(s))
        return float(log_pre + mpmath.log(a + b))


GRID = list(itertools.product([-5.0, -1.0, -0.3, 0.0, 0.5, 2.6, 10.0], [1.0, 5.0, 38.0, 600.0, 3000.0],
                              [-20.0, -1.0, 0.0, 1.0, 5.0, 12.0]))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_matches_scipy_where_scipy_is_finite():
    """Where SciPy's value is finite (and not deep in its underflow zone) the two agree."""
    checked = 0
    for t, nu, lam in GRID:
        try:
            ref = float(stats.nct.logpdf(t, nu, lam))
        except OverflowError:
            continue
        if not math.isfinite(ref) or ref < -300:
            continue
        assert nct_logpdf(t, nu, lam) == pytest.approx(ref, rel=1e-9, abs=1e-9), (t, nu, lam)
        checked += 1
    assert checked > 100


@pytest.mark.parametrize("t, nu, lam", [
    (-5.0, 600.0, 5.0),       # SciPy raises OverflowError; R's dt() gives −24.67 (wrong)
    (-0.78, 284.0, 12.0),     # SciPy returns NaN
    (1.5351, 597.0, 50.0),    # SciPy raises
    (-1.0, 3000.0, 20.0),     # SciPy raises
    (-5.0, 100.0, -50.0),     # SciPy underflows to −inf
    (40.0, 3.0, 60.0),
    (-5.0, 5.0, 30.0),        # opposite signs: cancellation in the closed form
])
def test_matches_closed_form_where_scipy_fails(t, nu, lam):
    assert nct_logpdf(t, nu, lam) == pytest.approx(closed_form_logpdf(t, nu, lam), rel=1e-11, abs=1e-9)


def test_vectorised_and_scalar_agree():
    t = np.array([-5.0, 2.6, -0.78])
    nu = np.array([600.0, 38.0, 284.0])
    lam = np.array([5.0, 5.0, 12.0])
    vec = nct_logpdf(t, nu, lam)
    assert vec.shape == (3,)
    assert all(vec[i] == pytest.approx(nct_logpdf(t[i], nu[i], lam[i]), rel=1e-13) for i in range(3))
    assert isinstance(nct_logpdf(1.0, 10.0, 0.5), float)


def test_density_integrates_to_one_in_the_far_tail_regime():
    """A density SciPy cannot evaluate over most of its support still integrates to 1."""
    xs = np.linspace(-20.0, 80.0, 20001)
    dens = np.exp(nct_logpdf(xs, 600.0, 30.0))
    assert np.trapezoid(dens, xs) == pytest.approx(1.0, abs=1e-8)


@pytest.mark.parametrize("args, match", [((1.0, 0.0, 1.0), "df"), ((1.0, -2.0, 1.0), "df"),
                                         ((math.nan, 5.0, 1.0), "finite"), ((1.0, 5.0, math.inf), "finite")])
def test_bad_arguments_raise(args, match):
    with pytest.raises(ValueError, match=match):
        nct_logpdf(*args)


def mixture_logcdf_reference(t: float, nu: float, lam: float) -> float:
    """log P(T ≤ t) = log ∫ Φ(t e^{u/2} − λ) Gamma(e^u; ν/2, rate ν/2) e^u du by mpmath at 40 digits.

    Breakpoints every 0.01 on u ∈ [−3, 6] (where these cases put their mass; the integrand's
    width is at least 0.025 for ν ≤ 3000) and every 0.5 beyond, so tanh-sinh never straddles
    a narrow peak.
    """
    with mpmath.workdps(40):
        t_, a, lam_ = mpmath.mpf(t), mpmath.mpf(nu) / 2, mpmath.mpf(lam)
        log_norm = a * mpmath.log(a) - mpmath.loggamma(a)

        def g(u):
            return mpmath.ncdf(t_ * mpmath.exp(u / 2) - lam_) * mpmath.exp(log_norm + a * u - a * mpmath.exp(u))

        points = ([mpmath.mpf(-40) + mpmath.mpf(i) / 2 for i in range(74)]
                  + [mpmath.mpf(-3) + mpmath.mpf(i) / 100 for i in range(901)]
                  + [mpmath.mpf(6) + mpmath.mpf(i) / 2 for i in range(1, 11)])
        return float(mpmath.log(mpmath.quad(g, points)))


@pytest.mark.parametrize("t, nu, lam", [
    (-3.674234614174767, 598.0, 8.842280732515247),  # small telescopes: n = 300/300 vs a d33 of 0.72; SciPy NaN
    (-5.0, 24.0, 5.0),                               # SciPy NaN
    (-8.0, 3000.0, 20.0),                            # SciPy NaN
    (5.0, 24.0, 50.0),                               # SciPy NaN
    (1.0, 10.0, 0.5),                                # SciPy fine: checks the reference itself
])
def test_logcdf_matches_mpmath_quadrature(t, nu, lam):
    assert nct_logcdf(t, nu, lam) == pytest.approx(mixture_logcdf_reference(t, nu, lam), rel=1e-10, abs=1e-10)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_cdf_matches_scipy_where_scipy_is_finite():
    checked = 0
    for t, nu, lam in GRID:
        ref = float(stats.nct.cdf(t, nu, lam))
        if math.isfinite(ref) and ref > 1e-300:
            assert nct_cdf(t, nu, lam) == pytest.approx(ref, rel=1e-12), (t, nu, lam)
            checked += 1
    assert checked > 150


def test_small_telescopes_no_longer_returns_nan_for_large_replications():
    from dprep.stats.replication import small_telescopes

    res = small_telescopes(10, 10, -0.3, 300, 300)
    ref = math.exp(mixture_logcdf_reference(res.rep_t, res.rep_df, res.ncp))
    assert res.pval == pytest.approx(ref, rel=1e-9)
    assert res.too_small


@pytest.mark.parametrize("args, match", [((1.0, 0.0, 1.0), "df"), ((math.nan, 5.0, 1.0), "finite")])
def test_logcdf_bad_arguments_raise(args, match):
    with pytest.raises(ValueError, match=match):
        nct_logcdf(*args)


# ----------------------------------------------------------------- limits of the CI inversions (issue 11)
@pytest.mark.parametrize("df1, df2", [(1, 3), (2, 30), (1, 100000), (50, 60)])
def test_ncf_limits_at_their_largest_f_follow_the_large_lambda_asymptote(df1, df2):
    # For λ → ∞, F·df1 ≈ λ·df2/χ²_df2 (the numerator's relative spread 2/√λ vanishes), so the limits tend to
    # λ = F·df1·χ²_{df2; q}/df2 − df1 (q = .025, .975). At F·df1 = NCF_MAX_LAMBDA = 1e9 the relative gap,
    # which shrinks as 1/λ, is below 1e-6 (measured ≤ 8.8e-7 at df2 = 1e5): the inversion is still accurate.
    from dprep.stats.noncentral import NCF_MAX_LAMBDA, ncf_limits

    f = NCF_MAX_LAMBDA / df1
    lo, hi = ncf_limits(f, df1, df2)
    for got, q in ((lo, 0.025), (hi, 0.975)):
        assert got == pytest.approx(f * df1 * stats.chi2.ppf(q, df2) / df2 - df1, rel=1e-6)


@pytest.mark.parametrize("df", [2, 30, 100000])
def test_nct_limits_at_their_largest_t_follow_the_large_t_asymptote(df):
    # For |t| → ∞, T ≈ δ/√(χ²_df/df): the limits tend to t·√(χ²_{df; q}/df); at NCT_MAX_T = 1e4 within 1e-5
    # (measured ≤ 4.4e-6 at df = 1e5).
    from dprep.stats.noncentral import NCT_MAX_T, nct_limits

    lo, hi = nct_limits(NCT_MAX_T, df)
    for got, q in ((lo, 0.025), (hi, 0.975)):
        assert got == pytest.approx(NCT_MAX_T * math.sqrt(stats.chi2.ppf(q, df) / df), rel=1e-5)


def test_inversions_beyond_their_limits_are_refused():
    # issue 11: `effect eta2-ci --f 1e308` raised a ConvergenceError traceback after a long search; d-ci with
    # |t| ≥ ~7e4 the same. Both now say why at once.
    from dprep.core.errors import ArgumentError
    from dprep.stats.effects import d_ci, eta2_ci

    with pytest.raises(ArgumentError, match="'f' parameter of ncf_limits .* not accurate enough to invert"):
        eta2_ci(1e308, 2, 30)
    with pytest.raises(ArgumentError, match=r"'t' parameter of nct_limits must have \|t\| ≤ 10,000"):
        d_ci(1e6, 10, 10)


# ----------------------------------------------------------------- the root finder of the inversions
@pytest.mark.parametrize("f, df1, df2, level", [(11.86, 1, 27, 0.95), (0.4, 3, 12, 0.90), (250.0, 5, 400, 0.99),
                                                (3.2, 12, 12, 0.80), (1e6, 1, 3, 0.95)])
def test_ncf_limits_solve_their_equations_under_scipy_stats(f, df1, df2, level):
    # checked with scipy.stats.ncf.sf (Boost's complement), not the ncfdtr the module inverts
    from dprep.stats.noncentral import ncf_limits

    lo, hi = ncf_limits(f, df1, df2, level)
    alpha = 1 - level
    for lam, target in ((lo, alpha / 2), (hi, 1 - alpha / 2)):
        if lam > 0:
            assert stats.ncf.sf(f, df1, df2, lam) == pytest.approx(target, rel=1e-9)
        else:
            assert stats.f.sf(f, df1, df2) >= target


@pytest.mark.parametrize("t, df, level", [(-0.93, 24, 0.95), (3.5, 5, 0.90), (-40.0, 300, 0.99), (0.0, 2, 0.95)])
def test_nct_limits_solve_their_equations_under_scipy_stats(t, df, level):
    from dprep.stats.noncentral import nct_limits

    lo, hi = nct_limits(t, df, level)
    alpha = 1 - level
    assert stats.nct.cdf(t, df, lo) == pytest.approx(1 - alpha / 2, rel=1e-9)
    assert stats.nct.cdf(t, df, hi) == pytest.approx(alpha / 2, rel=1e-9)


@pytest.mark.parametrize("func, root", [(lambda x: x ** 3 - 2.0, 2.0 ** (1 / 3)),
                                        (lambda x: math.tanh(50 * (x - 0.3)), 0.3),  # flat ends, steep middle
                                        (lambda x: math.expm1(x) - 1e-9, math.log1p(1e-9))])
def test_illinois_finds_known_roots_to_its_tolerance(func, root):
    from dprep.stats.noncentral import _illinois

    x = _illinois(func, -1.0, 3.0, func(-1.0), func(3.0))
    assert abs(x - root) <= 1e-12 + 1e-14 * abs(root)
