"""dprep.noncentral.nct_logpdf against SciPy and against an exact closed form (mpmath)."""

import itertools
import math

import mpmath
import numpy as np
import pytest
from scipy import stats

from dprep.noncentral import nct_logpdf


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
