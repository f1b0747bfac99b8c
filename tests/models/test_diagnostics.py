"""Convergence gates on hand-made draws with known defects (no MCMC, fast)."""

from __future__ import annotations

import arviz as az
import numpy as np
import pytest

from dprep.models.diagnostics import (
    ConvergenceError,
    DiagnosticsReport,
    Thresholds,
    check_diagnostics,
    require_converged,
)

CHAINS, DRAWS = 4, 1000


def _idata(posterior: dict, diverging: np.ndarray | None = None) -> az.InferenceData:
    stats = {"diverging": diverging} if diverging is not None else None
    return az.from_dict(posterior=posterior, sample_stats=stats)


def _good(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal((CHAINS, DRAWS, *shape))


def _ar1(rng: np.random.Generator, phi: float) -> np.ndarray:
    """Stationary AR(1) chains: strong autocorrelation, hence few effective draws."""
    x = np.empty((CHAINS, DRAWS))
    x[:, 0] = rng.standard_normal(CHAINS)
    for t in range(1, DRAWS):
        x[:, t] = phi * x[:, t - 1] + np.sqrt(1 - phi**2) * rng.standard_normal(CHAINS)
    return x


def test_independent_draws_pass():
    rng = np.random.default_rng(1)
    report = check_diagnostics(_idata({"mu": _good(rng), "theta": _good(rng, 3)}))
    assert isinstance(report, DiagnosticsReport)
    assert report.passed and report.failures == []
    assert list(report.table["parameter"]) == ["mu", "theta[0]", "theta[1]", "theta[2]"]
    assert report.table["ess_bulk"].min() > 2000
    assert report.n_draws == CHAINS * DRAWS and report.n_divergent == 0


def test_disagreeing_chains_fail_rhat_with_named_parameter():
    rng = np.random.default_rng(2)
    tau = np.abs(_good(rng))
    tau[0] += 0.5  # one chain stuck elsewhere
    with pytest.raises(ConvergenceError) as err:
        require_converged(_idata({"mu": _good(rng), "tau": tau}))
    message = str(err.value)
    assert "R-hat of tau = " in message and "exceeds 1.01" in message
    assert "the chains disagree; estimates are unreliable" in message
    assert "R-hat of mu" not in message
    assert issubclass(ConvergenceError, RuntimeError)


def test_autocorrelated_draws_fail_bulk_ess():
    rng = np.random.default_rng(3)
    report = check_diagnostics(_idata({"mu": _ar1(rng, 0.97)}), rhat_max=1.1)
    row = report.table.iloc[0]
    assert row["ess_bulk"] < 400 and not row["ok_ess_bulk"]
    assert not report.passed
    assert any(f.startswith("bulk ESS of mu = ") for f in report.failures)
    # the same draws pass a lower bar
    assert check_diagnostics(_idata({"mu": _ar1(rng, 0.97)}), rhat_max=1.1, ess_bulk_min=10,
                             ess_tail_min=10).passed


def test_divergences_fail_unless_allowed():
    rng = np.random.default_rng(4)
    diverging = np.zeros((CHAINS, DRAWS), dtype=bool)
    diverging[1, [5, 50, 500]] = True
    idata = _idata({"mu": _good(rng)}, diverging)
    report = check_diagnostics(idata)
    assert report.n_divergent == 3 and not report.passed
    assert "3 divergent transitions (allowed: 0)" in report.failures[0]
    assert check_diagnostics(idata, allow_divergences=3).passed
    with pytest.raises(ConvergenceError, match="divergent"):
        require_converged(idata, thresholds=Thresholds(allow_divergences=2))


def test_var_names_restricts_the_gate():
    rng = np.random.default_rng(5)
    bad = _good(rng)
    bad[0] += 3
    idata = _idata({"mu": _good(rng), "junk": bad})
    assert not check_diagnostics(idata).passed
    assert check_diagnostics(idata, var_names=["mu"]).passed


def test_constant_deterministic_is_not_failed():
    rng = np.random.default_rng(6)
    report = check_diagnostics(_idata({"mu": _good(rng), "fixed": np.zeros((CHAINS, DRAWS))}))
    assert report.passed


def test_single_chain_is_rejected():
    with pytest.raises(ValueError, match="two chains"):
        check_diagnostics(az.from_dict(posterior={"mu": np.zeros((1, 100))}))


def test_nan_draws_fail():
    rng = np.random.default_rng(7)
    broken = _good(rng)
    broken[2, 10:] = np.nan
    assert not check_diagnostics(_idata({"mu": _good(rng), "broken": broken})).passed
