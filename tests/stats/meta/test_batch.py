"""rma_batch against rma, table by table, on random ragged batches (every estimator, z and Knapp–Hartung).

The reference is the project's own :func:`dprep.stats.meta.rma`, itself checked against metafor 3.8-1 in
``test_rma.py``. Tolerance: 1e-10 relative, with an absolute floor of 1e-12 for values that are zero
up to rounding (a τ² on the boundary, an estimate near 0): both fits stop their τ² iterations within
``tol`` = 1e-12 of the root.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dprep.core.errors import ArgumentError, ConvergenceError
from dprep.stats import meta

RTOL, ATOL = 1e-10, 1e-12
ATOL_PCT = 1e-8  # I² (%) = 100 τ²/(ṽ + τ²) magnifies the 1e-12 floor of τ² by 100/ṽ
COLUMNS = ("estimate", "se", "stat", "pval", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2", "tau2_se",
           "q", "q_p", "i2", "h2")


def ragged(n: int, k_max: int, seed: int, k_min: int = 2):
    """n tables of k_min..k_max studies: heterogeneous effects, varied variances, random padding values."""
    rng = np.random.default_rng(seed)
    k = rng.integers(k_min, k_max + 1, n)
    mask = np.arange(k_max)[None, :] < k[:, None]
    vi = rng.uniform(0.005, 0.2, (n, k_max))
    tau = rng.choice([0.0, 0.05, 0.2, 0.6], n)
    yi = rng.normal(rng.normal(0.3, 0.3, n)[:, None], np.sqrt(vi + tau[:, None] ** 2))
    # padded cells hold garbage that must be ignored
    return np.where(mask, yi, 1e3), np.where(mask, vi, -1.0), mask


def expected(yi, vi, mask, mods=None, **kw):
    rows = []
    for i in range(len(yi)):
        m = mask[i]
        try:
            fit = meta.rma(yi[i, m], vi[i, m], mods=None if mods is None else mods[i, m], **kw)
        except ConvergenceError:  # Fisher scoring oscillates (metafor fails on these tables too)
            rows.append({"k": int(m.sum()), "converged": False})
            continue
        x0 = np.r_[1.0, np.zeros(fit.p - 1)]
        pred = meta.predict(fit, newmods=x0[1:] if fit.p > 1 else None)
        rows.append({"estimate": fit.beta[0], "se": fit.se[0], "stat": fit.stat[0], "pval": fit.pval[0],
                     "ci_lb": fit.ci_lb[0], "ci_ub": fit.ci_ub[0], "pi_lb": pred.pi_lb[0],
                     "pi_ub": pred.pi_ub[0], "tau2": fit.tau2, "tau2_se": fit.tau2_se, "q": fit.q,
                     "q_p": fit.q_p, "i2": fit.i2, "h2": fit.h2, "qm": fit.qm if fit.p > 1 else np.nan,
                     "qm_p": fit.qm_p if fit.p > 1 else np.nan, "k": fit.k, "converged": True})
    return pd.DataFrame(rows)


def assert_same(got: pd.DataFrame, want: pd.DataFrame, columns=COLUMNS):
    """Same convergence flags, and the same numbers where rma converged (NaN in rma_batch elsewhere)."""
    np.testing.assert_array_equal(got["converged"], want["converged"])
    np.testing.assert_array_equal(got["k"], want["k"])
    assert got["converged"].mean() > 0.8
    got, want = got[want["converged"]], want[want["converged"]]
    for col in columns:
        np.testing.assert_allclose(got[col], want[col], rtol=RTOL, atol=ATOL_PCT if col == "i2" else ATOL,
                                   err_msg=col, equal_nan=True)


@pytest.mark.parametrize("test", meta.TESTS)
@pytest.mark.parametrize("method", meta.METHODS)
def test_equals_rma_on_ragged_tables(method, test):
    yi, vi, mask = ragged(150, 25, seed=10 * meta.METHODS.index(method) + meta.TESTS.index(test))
    assert_same(meta.rma_batch(yi, vi, mask, method=method, test=test), expected(yi, vi, mask, method=method, test=test))


@pytest.mark.parametrize("method", meta.METHODS)
def test_equals_rma_with_a_moderator(method):
    """A 0/1 moderator (the subgroup model): intercept columns and the QM test."""
    yi, vi, mask = ragged(60, 12, seed=7, k_min=4)
    rng = np.random.default_rng(8)
    mods = (np.arange(12)[None, :] % 2 == 1).astype(float)[..., None] * np.ones((60, 1, 1))
    yi = yi + 0.4 * mods[..., 0] * rng.uniform(0, 1, (60, 1))
    for test in meta.TESTS:
        got = meta.rma_batch(yi, vi, mask, mods=mods, method=method, test=test)
        assert_same(got, expected(yi, vi, mask, mods=mods[..., 0], method=method, test=test),
                    COLUMNS + ("qm", "qm_p"))


def test_single_study_convention():
    yi, vi = np.array([[0.3, 0.0], [0.1, 0.5]]), np.array([[0.04, 1.0], [0.02, 0.03]])
    mask = np.array([[True, False], [True, True]])
    for test in meta.TESTS:
        got = meta.rma_batch(yi, vi, mask, test=test)
        want = expected(yi, vi, mask, test=test)
        assert_same(got, want)
        assert (got.loc[0, "tau2"], got.loc[0, "q"], got.loc[0, "i2"], got.loc[0, "h2"]) == (0.0, 0.0, 0.0, 1.0)


def test_bcg_against_rma():
    """The metafor BCG data as a batch of one (and the same table twice)."""
    bcg = pd.read_csv(__import__("pathlib").Path(__file__).parents[2] / "reference" / "bcg_logrr.csv")
    yi, vi = np.tile(bcg["yi"].to_numpy(), (2, 1)), np.tile(bcg["vi"].to_numpy(), (2, 1))
    for method in meta.METHODS:
        got = meta.rma_batch(yi, vi, method=method)
        fit = meta.rma(bcg["yi"], bcg["vi"], method=method)
        np.testing.assert_allclose(got["estimate"], fit.estimate, rtol=RTOL)
        np.testing.assert_allclose(got["tau2"], fit.tau2, rtol=RTOL)


def test_non_convergence_is_flagged_per_table():
    """With one Fisher-scoring iteration allowed, exactly the tables rma cannot fit are flagged."""
    yi, vi, mask = ragged(40, 10, seed=3)
    got = meta.rma_batch(yi, vi, mask, method="REML", maxiter=1)
    fails = []
    for i in range(40):
        try:
            meta.rma(yi[i, mask[i]], vi[i, mask[i]], method="REML", maxiter=1)
            fails.append(False)
        except ConvergenceError:
            fails.append(True)
    assert any(fails) and not all(fails)
    np.testing.assert_array_equal(~got["converged"].to_numpy(), fails)
    assert got.loc[~got["converged"], "estimate"].isna().all()


@pytest.mark.parametrize("bad, message", [
    (dict(vi=np.array([[0.1, -0.1]])), "positive sampling variances"),
    (dict(mask=np.array([[False, False]])), "more studies than model coefficients"),
    (dict(method="EB"), "The 'method' parameter of rma_batch"),
    (dict(yi=np.array([0.1, 0.2])), "2-d array"),
    (dict(yi=np.zeros((1, 3)), vi=np.ones((1, 3)), mods=np.ones((1, 3, 1))), "full column rank"),
])
def test_bad_input(bad, message):
    kw = dict(yi=np.array([[0.1, 0.3]]), vi=np.array([[0.1, 0.1]])) | bad
    with pytest.raises(ArgumentError, match=message):
        meta.rma_batch(**kw)
