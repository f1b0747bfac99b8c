"""dprep.stats.speccurve: expansion, pooling of specifications (batched = one by one), null draws, the joint test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dprep.core.errors import ArgumentError
from dprep.stats import meta, speccurve
from dprep.stats.speccurve import MetaSpecs

# the 16 music correlations (r, n) of tests/stats/meta/test_rma.py
R = np.array([0.67, 0.51, 0.4, 0.46, 0.47, 0.228, -0.224, 0.104, 0.322, 0.231, 0.67, 0.41, 0.34, 0.31, 0.54, 0.583])
N = np.array([109, 55, 19, 30, 19, 52, 24, 52, 16, 97, 57, 107, 178, 64, 19, 135])
YI, VI = meta.escalc_zcor(R, N)


def specs() -> MetaSpecs:
    subsets = [np.arange(16), np.arange(2, 12), np.flatnonzero(N >= 30)]
    table = speccurve.expand({"subset": [0, 1, 2], "method": ["REML", "DL", "PM"], "test": ["z", "knha"],
                              "adjustment": ["none", "trimfill"]})
    data = [(YI[subsets[s]], VI[subsets[s]], subsets[s]) for s in table["subset"]]
    return MetaSpecs.from_lists(data, table["method"], table["test"], table["adjustment"])


def test_expand_is_the_cartesian_product_in_declared_order():
    table = speccurve.expand({"a": [1, 2], "b": ["x", "y", "z"]})
    assert len(table) == 6 and list(table.iloc[0]) == [1, "x"] and list(table.iloc[-1]) == [2, "z"]
    with pytest.raises(ArgumentError, match="distinct"):
        speccurve.expand({"a": [1, 1]})


def test_fit_specs_equals_rma_and_trimfill_one_by_one():
    s = specs()
    fit = speccurve.fit_specs(s)
    for i in range(s.n):
        m = s.mask[i]
        want = speccurve.ADJUSTMENTS[s.adjustment[i]](s.yi[i, m], s.vi[i, m], s.method[i], s.test[i], 0.95)
        for key in ("estimate", "ci_lb", "ci_ub", "pval", "tau2"):
            assert fit[key][i] == pytest.approx(want[key], rel=1e-10, abs=1e-12), (i, key)
    assert fit["converged"].all()
    fit0 = meta.rma(YI, VI, method="REML", test="z")
    assert fit["estimate"][0] == pytest.approx(fit0.estimate, rel=1e-12)


def test_fit_specs_on_draws_matches_a_refit_per_draw():
    s = specs()
    draws = speccurve.null_draws(s, np.full(s.n, 0.02), np.random.SeedSequence(3).spawn(2))
    many = speccurve.fit_specs(s, draws)
    for j in range(2):
        one = speccurve.fit_specs(MetaSpecs(draws[j], s.vi, s.mask, s.keys, s.method, s.test, s.adjustment))
        np.testing.assert_allclose(many["estimate"][j], one["estimate"], rtol=1e-12)


def test_null_draws_share_one_normal_per_study():
    s = specs()
    tau2 = np.linspace(0, 0.1, s.n)
    seeds = np.random.SeedSequence(11).spawn(3)
    y = speccurve.null_draws(s, tau2, seeds)
    z = np.stack([np.random.default_rng(q).standard_normal(16) for q in seeds])
    for i in (0, 5, s.n - 1):
        m = s.mask[i]
        np.testing.assert_allclose(y[:, i, m], np.sqrt(s.vi[i, m] + tau2[i]) * z[:, s.keys[i, m]])
        assert np.all(y[:, i, ~m] == 0)
    np.testing.assert_array_equal(y, speccurve.null_draws(s, tau2, seeds))  # seeded


def test_inferential_test_counts_by_hand():
    est = np.array([0.3, 0.2, -0.1, 0.5, np.nan])
    p = np.array([0.01, 0.2, 0.01, 0.04, np.nan])
    null_est = np.array([[0.1, 0.1, 0.0, 0.0, 0.0], [0.4, 0.3, 0.3, 0.3, 0.0], [-0.2, -0.3, 0.0, 0.1, 0.0]])
    null_p = np.array([[0.01, 0.5, 0.5, 0.5, 0.5], [0.01, 0.01, 0.01, 0.5, 0.5], [0.01, 0.01, 0.5, 0.5, 0.5]])
    t = speccurve.inferential_test(est, p, null_est, null_p, alpha=0.05)
    # observed: median of (0.3, 0.2, -0.1, 0.5) = 0.25; significant and positive: 0.3, 0.5 → 2/4
    assert (t.estimate, t.direction, t.share_significant, t.n_specs) == (0.25, 1, 0.5, 4)
    # null medians 0.0, 0.3, 0.0 → one of three ≥ 0.25; null shares (positive and p < .05): 1/5, 3/5, 0 → one ≥ 0.5
    np.testing.assert_allclose(t.null_median, [0.0, 0.3, 0.0])
    np.testing.assert_allclose(t.null_share, [0.2, 0.6, 0.0])
    assert t.pval_median == pytest.approx(1 / 3) and t.pval_share == pytest.approx(1 / 3)


def test_curve_and_choice_summary():
    table = pd.DataFrame({"a": ["x", "y", "x", "y"], "b": ["u", "u", "not applicable", "v"],
                          "estimate": [0.4, 0.1, 0.3, np.nan], "pval": [0.01, 0.5, 0.02, np.nan]})
    ranked, indicators = speccurve.curve(table, ["a", "b"])
    assert list(ranked["estimate"]) == [0.1, 0.3, 0.4] and list(ranked["rank"]) == [0, 1, 2]
    assert len(indicators) == 5  # 3 × a, 2 × b ("not applicable" left out)
    summary = speccurve.choice_summary(table, ["a", "b"]).set_index(["choice", "option"])
    assert summary.loc[("a", "x"), "median"] == pytest.approx(0.35)
    assert summary.loc[("a", "y"), "spread"] == pytest.approx(0.25)
    assert ("b", "not applicable") not in summary.index
