"""Sizes, number ranges and non-convergence of dprep.stats.meta (issue 11): memory linear in k, documented
limits for what is quadratic, sampling variances the float arithmetic can carry, and ConvergenceErrors that
name their remedy. Deterministic (no hypothesis): each test pins one reproducer."""

from __future__ import annotations

import math
import re
import tracemalloc

import numpy as np
import pytest

from dprep.core.errors import ArgumentError, ConvergenceError
from dprep.stats import meta
from dprep.stats.meta._common import REMEDY, VI_MIN, VI_RATIO_MAX, _wls1


def _random_effects(k: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(0.2, 0.25, k), 1.0 / rng.integers(20, 200, k)


def test_default_meta_path_has_no_k_by_k_matrix():
    # issue 11: `dprep meta` on 100k rows asked for a 100,000 × 100,000 matrix (74.5 GiB). With k = 20,000 one
    # such matrix is 3.2 GB; rma (REML, Knapp–Hartung), confint and predict must stay far below that.
    yi, vi = _random_effects(20_000)
    tracemalloc.start()
    try:
        fit = meta.rma(yi, vi, test="knha")
        meta.confint(fit)
        meta.predict(fit)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50e6, f"peak {peak / 1e6:.0f} MB"


def test_vector_traces_equal_the_residual_maker():
    # the vector forms against P = W - WX(X'WX)⁻¹X'W formed explicitly (Viechtbauer 2005, eq. 9); 1e-12 relative
    rng = np.random.default_rng(7)
    k = 40
    X = np.column_stack([np.ones(k), rng.normal(size=k), rng.integers(0, 2, k)])
    y, w = rng.normal(size=k), rng.uniform(5, 50, k)
    for design in (X, X[:, :1]):
        WX = design * w[:, None]
        P = np.diag(w) - WX @ np.linalg.solve(design.T @ WX, WX.T)
        fit = _wls1(design, w, y)
        assert fit["ypy"] == pytest.approx(y @ P @ y, rel=1e-12)
        assert fit["py"] == pytest.approx(P @ y, rel=1e-10, abs=1e-12)
        assert fit["tr_p"] == pytest.approx(np.trace(P), rel=1e-12)
        assert fit["tr_pp"] == pytest.approx(np.sum(P * P), rel=1e-12)


@pytest.mark.parametrize("analysis", [meta.influence, meta.leave1out, meta.cumul, meta.baujat])
def test_case_deletion_refuses_above_its_limit(analysis):
    yi, vi = _random_effects(meta.MAX_REFITS_K + 1)
    fit = meta.rma(yi, vi, method="DL")
    with pytest.raises(ArgumentError, match=f"at most {meta.MAX_REFITS_K:,} studies .*k = 10,001"):
        analysis(fit)


def test_gosh_refuses_an_inclusion_matrix_above_its_limit():
    yi, vi = _random_effects(60)
    fit = meta.rma(yi, vi, method="FE")
    with pytest.raises(ArgumentError, match=r"'subsets' parameter of gosh .* at most 833,333 subsets"):
        meta.gosh(fit, seed=1)  # default 10⁶ random subsets × 60 studies
    assert meta.gosh(fit, subsets=1000, seed=1).n_subsets == 1000


def test_huge_n_is_refused_with_the_mechanism():
    # issue 11: correlations with n = 1e308 gave I² = 100 [100, 100] (or a ZeroDivisionError): vi = 1/(n - 3)
    # = 1e-308 is subnormal and the traces need 1/vi³. A 1e11-person study among n ≈ 50 gave a τ² CI of
    # [0, 0] around τ² > 0: the fixed-effect weights differ by more than double precision carries.
    r = np.array([0.3, 0.2, 0.4, 0.1, 0.35])
    yi, vi = meta.escalc_zcor(r, np.full(5, 1e308))
    assert vi[0] < VI_MIN
    with pytest.raises(ArgumentError, match=r"at least 1e-100 .* Got 1e-308 at position 0"):
        meta.rma(yi, vi)
    yi, vi = meta.escalc_zcor(r, np.array([1e11, 50, 60, 70, 80]))
    with pytest.raises(ArgumentError, match=r"ratio of largest to smallest sampling variance below 10,000,000 .* "
                                            r"Got 2.13e\+09 \(0.0212\d* at position 1, 1.0\d*e-11 at position 0\)"):
        meta.rma(yi, vi)
    for fit in (meta.rma_batch, meta.rma_mv):
        with pytest.raises(ArgumentError, match="ratio of largest to smallest sampling variance"):
            fit(yi[None], vi[None]) if fit is meta.rma_batch else fit(yi, vi, levels=[np.arange(5)])


def test_variances_just_inside_the_limits_give_the_exact_answer():
    # at a ratio just below 10⁷ the pooled fixed-effect estimate is still Σwy/Σw to rounding
    yi, vi = np.array([0.1, 0.5, 0.3]), np.array([1e-7 * 1.0000001, 0.5, 1.0])
    fit = meta.rma(yi, vi, method="FE")
    w = 1 / vi
    assert vi.max() / vi.min() < VI_RATIO_MAX
    assert fit.estimate == pytest.approx(np.sum(w * yi) / np.sum(w), rel=1e-14)


def test_k1_has_no_tau2_se_and_says_so():
    # issue 11: rma at k = 1 returned a NaN tau2_se without a word; it is documented (metafor: NA, silently)
    fit = meta.rma([0.5], [0.04])
    assert fit.tau2 == 0.0 and math.isnan(fit.tau2_se)
    assert "(SE = —)" in fit.summary()
    assert "tau2_se" in meta.rma.__doc__ and "NaN" in meta.RMAResult.__doc__


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_fisher_scoring_names_its_remedy(method):
    yi, vi = _random_effects(30)
    with pytest.raises(ConvergenceError, match=rf"Fisher scoring for τ² \({method}\) did not converge in 1 "
                                               rf"iterations; try method='DL'"):
        meta.rma(yi, vi, method=method, maxiter=1)


def test_paule_mandel_and_q_profile_name_their_remedy():
    # one effect 3e7 from four at 0 (unit variances): the median absolute deviation is 0, so the root search of
    # PM starts at τ² = 100 and passes 1e12 before Q(τ²) = k - 1. Two effects 141,421 apart with variances 1e10:
    # DL τ² = 0 but the upper Q-profile bound lies beyond 1e12.
    with pytest.raises(ConvergenceError, match=f"Paule–Mandel .* below τ² = 1e12; {re.escape(REMEDY)}"):
        meta.rma(np.array([0.0, 0, 0, 0, 3e7]), np.ones(5), method="PM")
    fit = meta.rma(np.array([0.0, 141421.0]), np.array([1e10, 1e10]), method="DL")
    with pytest.raises(ConvergenceError, match="Q-profile .* below τ² = 1e12; .* rescale them"):
        meta.confint(fit)


def test_multilevel_fisher_scoring_names_its_remedy():
    yi, vi = _random_effects(24)
    levels = [np.repeat(np.arange(8), 3), np.arange(24)]
    with pytest.raises(ConvergenceError, match="did not converge in 1 iterations; try method='ML'"):
        meta.rma_mv(yi, vi, levels=levels, maxiter=1)


def test_no_runtime_error_is_raised_raw_by_the_statistics():
    # every deliberate non-convergence is a ConvergenceError (a DprepError); SciPy's RuntimeErrors are wrapped
    import pathlib

    import dprep.stats

    root = pathlib.Path(dprep.stats.__file__).parent
    raw = [str(p.relative_to(root)) for p in root.rglob("*.py") if "raise RuntimeError" in p.read_text()]
    assert raw == []
