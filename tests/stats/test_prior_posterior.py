"""dprep.stats.prior_posterior: posterior contraction and prior–posterior overlap.

Reference for the overlap: the closed form of the overlapping coefficient of two normal densities
(Inman & Bradley 1989): the densities cross where a quadratic in x vanishes, and on each segment
between the crossings the smaller density contributes its probability mass (normal CDFs). The
draws are normal, so the kernel estimate of the posterior is the only approximation; the tolerance
(0.01 absolute) is what a Gaussian KDE of 20,000 draws attains.
"""

import math

import numpy as np
import pytest
from scipy import stats

from dprep.core.errors import ArgumentError
from dprep.stats.prior_posterior import WEAK_IDENTIFICATION_OVERLAP, prior_posterior


def normal_overlap(m1: float, s1: float, m2: float, s2: float) -> float:
    """Inman & Bradley (1989): ∫ min(φ1, φ2) for two normals, from their crossing points."""
    a = 1 / (2 * s1**2) - 1 / (2 * s2**2)
    b = m2 / s2**2 - m1 / s1**2
    c = m1**2 / (2 * s1**2) - m2**2 / (2 * s2**2) - math.log(s2 / s1)
    cuts = sorted(np.roots([a, b, c]).real) if abs(a) > 1e-15 else [-c / b]
    edges = [-math.inf, *cuts, math.inf]
    f1, f2 = stats.norm(m1, s1), stats.norm(m2, s2)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        x = (lo + hi) / 2 if math.isfinite(lo) and math.isfinite(hi) else (hi - 1 if math.isfinite(hi) else lo + 1)
        low = f1 if f1.pdf(x) < f2.pdf(x) else f2
        total += low.cdf(hi) - low.cdf(lo)
    return total


@pytest.mark.reference
@pytest.mark.parametrize("prior, post", [((0.0, 1.0), (0.5, 0.3)), ((0.23, 0.111), (0.26, 0.110)),
                                         ((0.0, 1.0), (3.0, 0.2))])
def test_overlap_and_contraction_against_the_closed_form(prior, post):
    draws = np.random.default_rng(1).normal(*post, 20_000)
    out = prior_posterior(draws, stats.norm(*prior))
    assert out.overlap == pytest.approx(normal_overlap(*prior, *post), abs=0.01)
    assert out.contraction == pytest.approx(1 - draws.var(ddof=1) / prior[1] ** 2, rel=1e-12)
    assert (out.prior_mean, out.prior_sd) == pytest.approx(prior)
    assert out.weakly_identified == (out.overlap > WEAK_IDENTIFICATION_OVERLAP)


def test_a_posterior_equal_to_its_prior_is_weakly_identified_and_uncontracted():
    out = prior_posterior(np.random.default_rng(2).normal(0.23, 0.111, 20_000), stats.norm(0.23, 0.111))
    assert out.weakly_identified and out.overlap > 0.95 and abs(out.contraction) < 0.03


def test_half_normal_prior_of_a_scale():
    draws = np.abs(np.random.default_rng(3).normal(0.23, 0.06, 20_000))
    out = prior_posterior(draws, stats.halfnorm(scale=0.5))
    assert out.prior_sd == pytest.approx(0.5 * math.sqrt(1 - 2 / math.pi))
    assert 0 < out.overlap < 1 and out.contraction > 0.9


@pytest.mark.parametrize("draws, prior, match", [
    (np.ones(50), stats.norm(0, 1), "vary"),
    (np.arange(5.0), stats.norm(0, 1), "at least 10"),
    (np.arange(50.0), stats.cauchy(0, 1), "finite, positive SD"),
])
def test_bad_input(draws, prior, match):
    with pytest.raises(ArgumentError, match=match):
        prior_posterior(draws, prior)
