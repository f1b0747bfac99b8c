"""dprep.stats.simulation: the estimators are the models they name, and the performance measures add up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dprep.stats import meta, simulation
from dprep.stats.bias import bias_adjusted_meta

CONDITION = {"k": 8, "share_unblinded": 0.5, "effect": 0.3, "bias_unblinded": 0.4, "tau": 0.1}
PRIOR = (0.23, 0.0075)


def test_estimators_are_the_named_models():
    """Re-draw the same data with the same seed and fit each estimator with the one-table functions."""
    raw = simulation.simulate(CONDITION, 5, np.random.default_rng(1), prior=PRIOR)
    rng = np.random.default_rng(1)
    n = rng.integers(10, 41, (5, 8))
    u = (np.arange(8) < 4).astype(float)
    delta = rng.normal(0.3, 0.1, (5, 8)) + 0.4 * u
    y = rng.normal(delta, np.sqrt(2 / n + delta**2 / (4 * n)))
    v = 2 / n + y**2 / (4 * n)
    for r in range(5):
        row = raw[raw["replication"] == r].set_index("estimator")
        assert row.loc["naive", "estimate"] == pytest.approx(meta.rma(y[r], v[r], method="DL").estimate, rel=1e-10)
        adj = bias_adjusted_meta(y[r], v[r], u.astype(bool), bias_mean=PRIOR[0], bias_var=PRIOR[1])
        assert row.loc["bias-adjusted", "estimate"] == pytest.approx(adj.adjusted.estimate, rel=1e-10)
        assert row.loc["bias-adjusted", "ci_lb"] == pytest.approx(adj.adjusted.ci_lb[0], rel=1e-10)
        sub = meta.rma(y[r], v[r], method="DL", mods=u)
        assert row.loc["subgroup", "estimate"] == pytest.approx(sub.beta[0], rel=1e-10)


def test_subgroup_not_estimable_without_both_groups():
    raw = simulation.simulate({**CONDITION, "share_unblinded": 0.0}, 3, np.random.default_rng(2), prior=PRIOR)
    sub = raw[raw["estimator"] == "subgroup"]
    assert sub["estimate"].isna().all() and not sub["converged"].any()
    summary = simulation.summarise(raw, 0.3)
    assert summary.set_index("estimator").loc["subgroup", "n_valid"] == 0


def test_summarise_by_hand():
    raw = pd.DataFrame({"replication": [0, 1, 2, 3], "estimator": "x", "estimate": [0.1, 0.3, 0.5, 0.7],
                        "ci_lb": [0.0, 0.35, 0.2, 0.5], "ci_ub": [0.2, 0.6, 0.8, 0.9],
                        "pval": [0.2, 0.01, 0.03, 0.001], "converged": True})
    s = simulation.summarise(raw, 0.3, alpha=0.05).iloc[0]
    err = np.array([-0.2, 0.0, 0.2, 0.4])
    assert s["bias"] == pytest.approx(0.1) and s["bias_mcse"] == pytest.approx(err.std(ddof=1) / 2)
    assert s["rmse"] == pytest.approx(np.sqrt(np.mean(err**2)))
    assert s["coverage"] == pytest.approx(0.25) and s["power"] == pytest.approx(0.75)
    assert s["coverage_mcse"] == pytest.approx(np.sqrt(0.25 * 0.75 / 4))
