"""Tests of dprep.stats.meta.influence (influence, baujat, cumul, gosh) against metafor 3.8-1.

Reference values: ``tests/reference/influence_metafor.json``, written by ``tests/reference/influence.R``
(``control=list(threshold=1e-10, maxiter=1000)``); each entry stores its R call. Closed forms and REML
under tight control: relative tolerance 1e-6 (with an absolute floor of 1e-9 for values that are 0 up to
round-off, e.g. a DFBETAS of 1e-10).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from dprep.stats import meta

REF = json.loads((Path(__file__).parents[2] / "reference" / "influence_metafor.json").read_text())
RTOL, ATOL = 1e-6, 1e-9
INFLUENCE_KEYS = ("rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "qe_del", "hat", "weight")


def models(effects, table):
    """The models of influence.R, by the names used in the JSON."""
    bcg, music = table("bcg"), table("music")
    return {
        "bcg_reml": lambda: meta.rma(*effects("bcg")),
        "bcg_ablat_reml": lambda: meta.rma(*effects("bcg"), mods=bcg[["ablat"]]),
        "hack_dl": lambda: meta.rma(*effects("hack"), method="DL"),
        "music_reml_knha": lambda: meta.rma(*effects("music"), test="knha"),
        "music_type_reml_knha": lambda: meta.rma(*effects("music"), mods=music["instrument_type"], test="knha"),
    }


NAMES = ["bcg_reml", "bcg_ablat_reml", "hack_dl", "music_reml_knha", "music_type_reml_knha"]


@pytest.mark.reference
@pytest.mark.parametrize("name", NAMES)
def test_influence_matches_metafor(name, effects, table):
    # reference: REF[f"influence_{name}"], influence(rma(...)) (see "call"): the diagnostics, DFBETAS, "*" flags
    ref = REF[f"influence_{name}"]
    fit = models(effects, table)[name]()
    inf = meta.influence(fit)
    for key in INFLUENCE_KEYS:
        np.testing.assert_allclose(inf.table[key], ref[key], rtol=RTOL, atol=ATOL, err_msg=key)
    for coef, values in zip(fit.coef_names, ref["dfbetas"].values()):
        np.testing.assert_allclose(inf.table[f"dfbetas_{coef}"], values, rtol=RTOL, atol=ATOL, err_msg=coef)
    assert list(inf.table["flagged"]) == ref["flagged"]


@pytest.mark.reference
@pytest.mark.parametrize("name", NAMES)
def test_baujat_matches_metafor(name, effects, table):
    # reference: REF[f"baujat_{name}"], baujat(rma(...)): x = squared Pearson residual, y = influence on the fit
    ref = REF[f"baujat_{name}"]
    b = meta.baujat(models(effects, table)[name]())
    np.testing.assert_allclose(b["x"], ref["x"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(b["y"], ref["y"], rtol=RTOL, atol=ATOL)


@pytest.mark.reference
@pytest.mark.parametrize("name", ["bcg_reml", "music_reml_knha"])
def test_cumul_matches_metafor(name, effects, table):
    # reference: REF[f"cumul_{name}"], cumul(rma(...), order=year) for BCG, in data order for music (KH: the
    # first row, one study, falls back to z as metafor does)
    ref = REF[f"cumul_{name}"]
    fit = models(effects, table)[name]()
    bcg = table("bcg")
    cu = meta.cumul(fit, order=bcg["year"] if name == "bcg_reml" else None,
                    labels=bcg["trial"] if name == "bcg_reml" else None)
    for key in ("estimate", "se", "pval", "ci_lb", "ci_ub", "q", "tau2", "i2"):
        np.testing.assert_allclose(cu[key], ref[key], rtol=RTOL, atol=ATOL, err_msg=key)
    if name == "bcg_reml":
        assert list(cu["added"]) == ref["slab"]  # trials sorted by year, ties in data order
    assert list(cu["k"]) == list(range(1, fit.k + 1))


@pytest.mark.reference
def test_gosh_every_subset_matches_metafor(effects):
    # reference: REF["gosh_normand_dl"], gosh(rma(yi, vi, data=normand, method='DL')): all 511 subsets in
    # metafor's order (incl = bit mask of the studies in each subset)
    ref = REF["gosh_normand_dl"]
    g = meta.gosh(meta.rma(*effects("normand"), method="DL"))
    assert g.exact and g.n_subsets == 511
    assert ((g.included * 2 ** np.arange(9)).sum(axis=1) == ref["incl"]).all()
    for key in ("k", "estimate", "q", "i2", "tau2"):
        np.testing.assert_allclose(g.table[key], ref[key], rtol=RTOL, atol=ATOL, err_msg=key)
    # H²: where τ² > 0 both give Q/(k-1); where DL truncates τ² at 0, metafor's fast GOSH path reports Q/(k-1)
    # (< 1) while its rma() — and dprep — report H² = 1 (no heterogeneity beyond sampling error)
    h2, positive, k = np.array(ref["h2"]), np.array(ref["tau2"]) > 0, np.array(ref["k"])
    np.testing.assert_allclose(g.table["h2"][positive], h2[positive], rtol=RTOL)
    assert (g.table["h2"][~positive] == 1.0).all()
    zero = ~positive & (k > 1)
    np.testing.assert_allclose(h2[zero], np.array(ref["q"])[zero] / (k[zero] - 1), rtol=RTOL)


@pytest.mark.reference
def test_gosh_fixed_effect_batch_matches_metafor(effects):
    # reference: REF["gosh_bcg_fe"], gosh(rma(yi, vi, data=bcg, method='FE')): 8191 subsets, summarised (mean, sd,
    # min, max, quantiles) plus the first and last 20 subsets in metafor's order
    ref = REF["gosh_bcg_fe"]
    g = meta.gosh(meta.rma(*effects("bcg"), method="FE"))
    assert g.n_subsets == ref["n"] == 8191
    for col in ("estimate", "i2", "q", "h2"):
        values, s = g.table[col], ref[col]
        got = [values.mean(), values.std(ddof=1), values.min(), values.max(),
               *values.quantile([0.025, 0.25, 0.5, 0.75, 0.975])]
        np.testing.assert_allclose(got, [s["mean"], s["sd"], s["min"], s["max"], *s["quantiles"]], rtol=1e-10, atol=ATOL)
    np.testing.assert_allclose(g.table["estimate"][:20], ref["first"]["estimate"], rtol=1e-12)
    np.testing.assert_allclose(g.table["i2"][-20:], ref["last"]["i2"], rtol=1e-12, atol=1e-12)


def test_gosh_fixed_effect_batch_equals_refitting(effects):
    yi, vi = effects("music")
    g = meta.gosh(meta.rma(yi, vi, method="FE"))
    assert g.n_subsets == 2**16 - 1
    for row in (0, 500, 30_000, g.n_subsets - 1):
        keep = g.included[row]
        fit = meta.rma(yi[keep], vi[keep], method="FE")
        assert g.table["estimate"][row] == pytest.approx(fit.estimate, rel=1e-12)
        assert g.table["i2"][row] == pytest.approx(fit.i2, rel=1e-10, abs=1e-12)
        assert g.table["q"][row] == pytest.approx(fit.q, rel=1e-9, abs=1e-12)


def test_gosh_samples_subsets_with_a_seed(effects):
    yi, vi = effects("music")
    fit = meta.rma(yi, vi, method="FE")
    a, b = meta.gosh(fit, subsets=2000, seed=1), meta.gosh(fit, subsets=2000, seed=1)
    assert not a.exact and a.n_subsets == 2000 and a.seed == 1
    assert np.array_equal(a.included, b.included) and a.table.equals(b.table)
    assert not np.array_equal(a.included, meta.gosh(fit, subsets=2000, seed=2).included)
    sizes = a.table["k"]
    assert sizes.min() >= 1 and abs(sizes.mean() - 8) < 0.2  # sizes ~ Binomial(16, ½) as metafor draws them
    d = a.to_dict()
    assert {row["quantity"] for row in d["summary"]} == {"estimate", "q", "i2", "h2", "tau2"}


def test_influence_dict_has_one_object_per_study(effects):
    inf = meta.influence(meta.rma(*effects("music")), labels=[f"s{i}" for i in range(16)])
    d = inf.to_dict()
    assert len(d["studies"]) == 16 and d["studies"][0]["study"] == "s0"
    assert set(d["studies"][0]) == {"study", *INFLUENCE_KEYS, "flagged", "dfbetas"}
    assert set(d["studies"][0]["dfbetas"]) == {"intrcpt"}
    assert abs(sum(s["weight"] for s in d["studies"]) - 100) < 1e-9


def test_cumul_needs_intercept_only_model(effects, table):
    with pytest.raises(ValueError, match="The 'result' parameter of cumul must be an intercept-only model"):
        meta.cumul(meta.rma(*effects("bcg"), mods=table("bcg")[["ablat"]]))
    with pytest.raises(ValueError, match="The 'order' parameter of cumul must have one value per study"):
        meta.cumul(meta.rma(*effects("bcg")), order=[1, 2])


def test_gosh_summary_quantiles_follow_the_level(effects):
    # the summary's central interval is the model's level: (1 - level)/2 and (1 + level)/2 quantiles
    for level, tails in ((0.95, ("2.5%", "97.5%")), (0.9, ("5%", "95%"))):
        g = meta.gosh(meta.rma(*effects("bcg"), method="FE", level=level))
        (row,) = [r for r in g.to_dict()["summary"] if r["quantity"] == "estimate"]
        assert g.to_dict()["level"] == level
        for tail, q in zip(tails, ((1 - level) / 2, (1 + level) / 2)):
            assert row[tail] == pytest.approx(g.table["estimate"].quantile(q), rel=1e-12)
