"""Tests of dprep.stats.meta.permutation (permutest) against metafor 3.8-1's exact permutation tests.

Reference values: ``tests/reference/influence_metafor.json`` (``influence.R``): ``permutest(..., exact=TRUE)``
p-values of the intercept (every sign flip) and of a binary moderator (every distinct permutation); each
entry stores its R call. Exact tests count permutations, so the p-values must agree to round-off.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from dprep.stats import meta

REF = json.loads((Path(__file__).parents[2] / "reference" / "influence_metafor.json").read_text())


@pytest.mark.reference
@pytest.mark.parametrize(("name", "data", "method"), [("permutest_bcg_dl", "bcg", "DL"),
                                                      ("permutest_normand_reml", "normand", "REML")])
def test_exact_sign_flip_test_matches_metafor(name, data, method, effects):
    # reference: REF[name], permutest(rma(yi, vi, method=...), exact=TRUE): 2^13 and 2^9 sign flips
    ref = REF[name]
    res = meta.permutest(meta.rma(*effects(data), method=method), exact=True)
    assert res.exact and res.n_perm == ref["n"]
    assert res.pval[0] == pytest.approx(ref["pval"], rel=1e-12) and res.qm_pval == pytest.approx(ref["qm_pval"], rel=1e-12)
    assert res.pval_mc_se[0] == 0.0


@pytest.mark.reference
@pytest.mark.slow
@pytest.mark.parametrize(("name", "data", "column", "test"), [
    ("permutest_music_type_dl", "music", "instrument_type", "z"),
    ("permutest_molloy_design_dl_knha", "molloy", "design", "knha")])
def test_exact_moderator_permutation_matches_metafor(name, data, column, test, effects, table):
    # reference: REF[name], permutest(rma(yi, vi, mods=~column, method='DL', test=test), exact=TRUE): all
    # C(16, 6) = 8008 and C(16, 5) = 4368 distinct permutations of the binary moderator
    ref = REF[name]
    res = meta.permutest(meta.rma(*effects(data), mods=table(data)[column], method="DL", test=test), exact=True)
    assert res.exact and res.n_perm == ref["n"]
    np.testing.assert_allclose(res.pval, ref["pval"], rtol=1e-12)
    assert res.qm_pval == pytest.approx(ref["qm_pval"], rel=1e-12)


def test_monte_carlo_test_is_seeded_and_close_to_the_exact_one(effects):
    # 2^13 = 8192 > iter: random sign flips; within 4 Monte Carlo SEs of the exact p (REF: 0.0017)
    fit = meta.rma(*effects("bcg"), method="DL")
    a, b = meta.permutest(fit, iter=2000, seed=11), meta.permutest(fit, iter=2000, seed=11)
    assert not a.exact and a.n_perm == 2000 and np.array_equal(a.pval, b.pval)
    exact = REF["permutest_bcg_dl"]["pval"]
    assert abs(a.pval[0] - exact) <= 4 * np.sqrt(exact * (1 - exact) / 2000)
    assert a.pval_mc_se[0] == pytest.approx(np.sqrt(a.pval[0] * (1 - a.pval[0]) / 2000))
    assert a.pval[0] >= 1 / 2000  # the observed data are one of the permutations


def test_exact_when_feasible_by_default(effects):
    fit = meta.rma(*effects("normand"), method="DL")
    assert meta.permutest(fit).exact  # 2^9 = 512 ≤ iter = 1000
    assert not meta.permutest(fit, iter=100, seed=1).exact
    with pytest.raises(ValueError, match="The 'iter' parameter of permutest must be an integer ≥ 2"):
        meta.permutest(fit, iter=1)
