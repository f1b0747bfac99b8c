"""Tests of dprep.stats.meta.robust against metafor 3.8-1 ``robust()`` and clubSandwich 0.5.8.

Reference values: ``tests/reference/multilevel_metafor.json["robust"]``, written by
``tests/reference/multilevel_metafor.R``; each value sits next to the R expression that produced it, e.g.

    res <- rma(yi, vi, mods = ~ ablat, data = dat, method = 'REML', control = ctl_uni)
    robust(res, cluster = dat$trial)$se                                 # CR1, t on m - p df
    robust(res, cluster = dat$trial, clubSandwich = TRUE)$dfs           # CR2, Satterthwaite df
    coef_test(res, vcov = 'CR2', cluster = dat$trial)$df_Satt
    Wald_test(res, constraints = constrain_zero(res$btt), vcov = 'CR2', cluster = dat$trial, test = 'HTZ')$Fstat

on the BCG trials (one trial per cluster), Bangert-Drowns et al. (2004) and Konstantopoulos (2011) (metafor's
documentation examples), and Assink & Wibbelink (2016), for rma() and rma.mv() fits. Tolerance: relative
1e-6 (closed forms given the fit; the rma.mv cases also carry the ~1e-8 agreement of σ² with metafor).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dprep.core.errors import ArgumentError
from dprep.stats import meta

REF_DIR = Path(__file__).parents[2] / "reference"
REF = json.loads((REF_DIR / "multilevel_metafor.json").read_text())["robust"]
KONST = pd.read_csv(REF_DIR / "konstantopoulos2011.csv")
KONST["year_c"] = KONST["year"] - KONST["year"].mean()  # I(year - mean(year))
ASSINK = pd.read_csv(REF_DIR / "assink2016.csv")
BCG = pd.read_csv(REF_DIR / "bcg_logrr.csv")
BANGERT = pd.read_csv(REF_DIR / "bangertdrowns2004.csv")
BANGERT_LENGTH = BANGERT.dropna(subset=["length"])  # subset(dat.bangertdrowns2004, !is.na(length))
RTOL = 1e-6

CASES = {  # name: (fit, cluster)
    "bcg_trial": (lambda: meta.rma("yi", "vi", data=BCG), BCG["trial"]),
    "bcg_ablat_trial": (lambda: meta.rma("yi", "vi", data=BCG, mods="ablat"), BCG["trial"]),
    "bangertdrowns_id": (lambda: meta.rma("yi", "vi", data=BANGERT), BANGERT["id"]),
    "bangertdrowns_length_id": (lambda: meta.rma("yi", "vi", data=BANGERT_LENGTH, mods="length"),
                                BANGERT_LENGTH["id"]),
    "konstantopoulos_uni_district": (lambda: meta.rma("yi", "vi", data=KONST), KONST["district"]),
    "konstantopoulos_uni_year_district": (lambda: meta.rma("yi", "vi", data=KONST, mods="year_c"),
                                          KONST["district"]),
    "assink_uni_deltype_study": (lambda: meta.rma("yi", "vi", data=ASSINK, mods="deltype"), ASSINK["study"]),
    "konstantopoulos_mv_district": (lambda: meta.rma_mv("yi", "vi", data=KONST, levels=["district", "school"]),
                                    KONST["district"]),
    "konstantopoulos_mv_year_district": (
        lambda: meta.rma_mv("yi", "vi", data=KONST, levels=["district", "school"], mods="year_c"), KONST["district"]),
    "assink_mv_study": (lambda: meta.rma_mv("yi", "vi", data=ASSINK, levels=["study", "esid"]), ASSINK["study"]),
    "assink_mv_deltype_study": (
        lambda: meta.rma_mv("yi", "vi", data=ASSINK, levels=["study", "esid"], mods="deltype"), ASSINK["study"]),
}


def value(case: str, key: str):
    return np.atleast_1d(np.asarray(REF[case][key]["value"], dtype=float))


def close(actual, expected, rtol=RTOL):
    actual = np.atleast_1d(np.asarray(actual, float))
    return actual.shape == expected.shape and np.allclose(actual, expected, rtol=rtol, atol=0)


def usable(case: str) -> np.ndarray:
    """Coefficients whose CR0/CR1 variance is not degenerate.

    In assink_uni_deltype_study every 'covert' effect comes from one study, so that study's weighted
    residuals sum to zero and the CR0/CR1 variance of the intercept is 0 (metafor: se 1.9e-9, rounding
    noise; dprep: NaN, see robust's Notes). Only the other coefficients can be compared.
    """
    keep = np.ones(value(case, "beta").size, bool)
    if case == "assink_uni_deltype_study":
        keep[0] = False
    return keep


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    make, cluster = CASES[request.param]
    return request.param, make(), cluster.to_numpy()


@pytest.mark.reference
@pytest.mark.parametrize("adjust", ["CR0", "CR1"])
def test_cr0_cr1_match_metafor_robust(case, adjust):
    name, fit, cluster = case
    rob = meta.robust(fit, cluster, adjust=adjust)
    key = adjust.lower()
    keep = usable(name)
    vcov = value(name, f"{key}_vcov").reshape(fit.p, fit.p)
    assert close(rob.vb[np.ix_(keep, keep)], vcov[np.ix_(keep, keep)])
    assert np.all(np.isnan(rob.se[~keep]))
    if adjust == "CR1":
        assert close(rob.df, np.full(fit.p, value(name, "cr1_df")[0]))
        for ours, ref in [(rob.se, "cr1_se"), (rob.tval, "cr1_tval"), (rob.pval, "cr1_pval"),
                          (rob.ci_lb, "cr1_ci_lb"), (rob.ci_ub, "cr1_ci_ub")]:
            assert close(ours[keep], value(name, ref)[keep]), ref
        assert close([rob.qm, *rob.qm_df, rob.qm_p], np.r_[value(name, "cr1_qm"), value(name, "cr1_qm_df"),
                                                          value(name, "cr1_qm_p")])
        assert rob.qm_test == "F"


@pytest.mark.reference
def test_cr2_matches_metafor_and_clubsandwich(case):
    name, fit, cluster = case
    rob = meta.robust(fit, cluster, adjust="CR2")
    assert close(rob.vb.ravel(), value(name, "cr2_vcov"))
    for ours, ref in [(rob.se, "cr2_se"), (rob.df, "cr2_df"), (rob.tval, "cr2_tval"), (rob.pval, "cr2_pval"),
                      (rob.ci_lb, "cr2_ci_lb"), (rob.ci_ub, "cr2_ci_ub"), (rob.se, "cs_se"),
                      (rob.tval, "cs_tstat"), (rob.df, "cs_df"), (rob.pval, "cs_p")]:
        assert close(ours, value(name, ref)), ref
    # metafor: for an intercept-only model QM = t² on (1, df); else clubSandwich's HTZ test
    assert close([rob.qm, *rob.qm_df, rob.qm_p], np.r_[value(name, "cr2_qm"), value(name, "cr2_qm_df"),
                                                      value(name, "cr2_qm_p")])
    if not rob.int_only:
        assert rob.qm_test == "HTZ"
        assert close([rob.qm, rob.qm_df[0], rob.qm_df[1], rob.qm_p],
                     np.r_[value(name, "htz_f"), value(name, "htz_df_num"), value(name, "htz_df_denom"),
                           value(name, "htz_p")])


@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e4])
def test_degenerate_variance_rule_is_relative(scale):
    # robust's Notes: a CR0/CR1 se is NaN when it is at most √ε times the same sums of absolute values, so
    # the rule is free of units: with yi·c and vi·c² the intercept (only study 16 has 'covert' effects) stays
    # NaN and the other se scale by c (DL, a closed form, keeps the fit exactly equivariant). The same model
    # without an intercept tests every coefficient in QM, the degenerate 'deltypecovert' too: QM is NaN.
    def fit(c, intercept=True):
        return meta.rma(ASSINK["yi"] * c, ASSINK["vi"] * c**2, mods=ASSINK["deltype"], method="DL",
                        intercept=intercept)
    base, rob = (meta.robust(fit(c), ASSINK["study"], adjust="CR1") for c in (1.0, scale))
    assert np.isnan(rob.vb[0]).all() and np.isnan(rob.vb[:, 0]).all()
    assert np.isnan([rob.se[0], rob.tval[0], rob.pval[0], rob.ci_lb[0], rob.ci_ub[0]]).all()
    assert close(rob.se[1:], scale * base.se[1:], rtol=1e-9) and close([rob.qm], np.array([base.qm]), rtol=1e-9)
    cells = meta.robust(fit(scale, intercept=False), ASSINK["study"], adjust="CR0")
    assert cells.coef_names[0] == "deltypecovert" and np.isnan(cells.se[0]) and np.isfinite(cells.se[1:]).all()
    assert np.isnan(cells.qm) and np.isnan(cells.qm_p)


@pytest.mark.reference
def test_clusters_finer_than_the_random_effects():
    # robust(res, cluster = dat$study) of the district/school model: metafor's CR0/CR1 keep W = M⁻¹;
    # CR2 needs the random effects nested in the clusters, as clubSandwich
    fit = meta.rma_mv("yi", "vi", data=KONST, levels=["district", "school"])
    ref = "konstantopoulos_mv_school"
    assert close(meta.robust(fit, KONST["study"], adjust="CR0").vb.ravel(), value(ref, "cr0_vcov"))
    rob = meta.robust(fit, KONST["study"], adjust="CR1")
    assert close(rob.se, value(ref, "cr1_se")) and close(rob.df, value(ref, "cr1_df"))
    assert close(rob.pval, value(ref, "cr1_pval"))
    with pytest.raises(ArgumentError, match="nest the model's random effects"):
        meta.robust(fit, KONST["study"], adjust="CR2")


@pytest.mark.reference
def test_metafor_published_values():
    # metafor's tests/testthat/test_misc_robust.r: rma(yi, vi, data=dat) on the BCG trials and the same
    # model as rma.mv(yi, vi, random = ~ 1 | trial): vcov(robust(res, cluster=dat$trial)) = 0.032106 and
    # with adjust=FALSE 0.029636 (6 decimals)
    for fit in (meta.rma("yi", "vi", data=BCG), meta.rma_mv("yi", "vi", data=BCG, levels=["trial"])):
        assert meta.robust(fit, BCG["trial"], adjust="CR1").vb[0, 0] == pytest.approx(0.032106, abs=5e-7)
        assert meta.robust(fit, BCG["trial"], adjust="CR0").vb[0, 0] == pytest.approx(0.029636, abs=5e-7)


def test_the_fits_test_does_not_change_the_sandwich():
    # see robust's Notes: metafor 3.8 scales the CR1 variance of a knha fit by s2w² (0.032834 on BCG)
    z, knha = meta.rma("yi", "vi", data=BCG), meta.rma("yi", "vi", data=BCG, test="knha")
    for adjust in ("CR1", "CR2"):
        assert meta.robust(knha, BCG["trial"], adjust=adjust).vb == pytest.approx(
            meta.robust(z, BCG["trial"], adjust=adjust).vb, rel=1e-12)


def test_cr2_with_one_effect_per_cluster_is_hc2():
    # With singleton clusters CR2 is the HC2 estimator: residuals scaled by 1/sqrt(1 - h_ii)
    fit = meta.rma("yi", "vi", data=BCG, mods="ablat")
    X, w = np.asarray(fit.X), 1.0 / (fit.vi + fit.tau2)
    B = np.linalg.inv(X.T @ (X * w[:, None]))
    h = w * np.einsum("ip,pq,iq->i", X, B, X)
    e = (fit.yi - X @ fit.beta) / np.sqrt(1 - h)
    hc2 = B @ (X * (w * e)[:, None]).T @ (X * (w * e)[:, None]) @ B
    assert np.allclose(meta.robust(fit, BCG["trial"], adjust="CR2").vb, hc2, rtol=1e-12)


def test_result_convention():
    fit = CASES["assink_mv_deltype_study"][0]()
    rob = meta.robust(fit, ASSINK["study"])
    out = rob.to_dict()
    assert rob.adjust == "CR2" and out["n_clusters"] == 17 and out["qm_test"] == "HTZ"
    assert [c["name"] for c in out["coefficients"]] == list(fit.coef_names)
    assert list(rob.to_frame().columns) == ["name", "estimate", "se", "df", "tval", "pval", "ci_lb", "ci_ub"]
    assert "Test of Moderators (HTZ)" in rob.summary() and "qm=" in repr(rob)
    pooled = meta.robust(meta.rma("yi", "vi", data=BCG), BCG["trial"], adjust="CR1")
    assert set(pooled.to_dict()) >= {"estimate", "se", "df", "tval", "pval", "ci_lb", "ci_ub"}
    assert pooled.to_dict()["df"] == 12 and "df=12" in repr(pooled)


@pytest.mark.parametrize("cluster, adjust, message", [
    (BCG["trial"][:5], "CR1", "one value per effect size"),
    (BCG["trial"].where(BCG.index != 2), "CR1", "no missing values"),
    (np.ones(13), "CR1", r"more clusters than model coefficients \(1\) and at least 2"),
    (BCG["trial"], "HC3", "'adjust' parameter of robust"),
])
def test_bad_arguments(cluster, adjust, message):
    with pytest.raises(ArgumentError, match=message):
        meta.robust(meta.rma("yi", "vi", data=BCG), cluster, adjust=adjust)


def test_as_many_clusters_as_coefficients_is_refused():
    fit = meta.rma("yi", "vi", data=BCG, mods="ablat")
    with pytest.raises(ArgumentError, match=r"\(2\) and at least 2. Got 2 cluster"):
        meta.robust(fit, np.repeat([1, 2], [6, 7]))
