"""Tests of dprep.stats.meta: against metafor 3.8-1 on the BCG trials, and internal identities on music data.

Reference values: ``tests/reference/bcg_metafor.json`` (a byte-identical copy of the project's shared
reference), produced by the R calls stored in its ``call`` field:

    ctl <- list(tol=1e-12, threshold=1e-12, maxiter=10000)
    dat <- escalc(measure='RR', ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)
    res <- rma(yi, vi, data=dat, method=M, control=ctl); confint(res, control=list(tol=1e-12)); predict(res)
    rma(yi, vi, data=dat, method=M, test='knha', control=ctl)
    regtest(res_REML); trimfill(res_REML); leave1out(res_REML)
    rma(yi, vi, mods=~ablat, data=dat, method='REML', control=ctl)

Tolerance: relative 1e-6 throughout. p-values below 1e-20 (only Q's p, ~2e-26) are compared on the log
scale, |log p - log p_ref| <= 1e-6, which is the same relative tolerance without the underflow concern.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from dprep.stats import meta

REF_DIR = Path(__file__).parents[2] / "reference"
REF = json.loads((REF_DIR / "bcg_metafor.json").read_text())
BCG = pd.read_csv(REF_DIR / "bcg_logrr.csv")
RTOL = 1e-6

# Cumming & Calin-Jageman (2nd ed.), Table 11.1, as in the project's evidence file
# music_correlations_macnamara2014.csv (r, n, instrument_type), inlined so the tests are self-contained.
MUSIC_R = np.array([0.67, 0.51, 0.4, 0.46, 0.47, 0.228, -0.224, 0.104, 0.322, 0.231, 0.67, 0.41, 0.34, 0.31, 0.54, 0.583])
MUSIC_N = np.array([109, 55, 19, 30, 19, 52, 24, 52, 16, 97, 57, 107, 178, 64, 19, 135])
MUSIC_GROUP = np.array(["Strings", "Strings"] + ["Non-Strings"] * 10 + ["Strings"] * 4)


def close(actual, expected, rtol=RTOL):
    """Relative comparison; tiny p-values on the log scale (see module docstring)."""
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    if np.all(expected < 1e-20) and np.all(expected > 0):
        return np.allclose(np.log(actual), np.log(expected), rtol=0, atol=rtol)
    return np.allclose(actual, expected, rtol=rtol, atol=0)


def bcg_fit(method="REML", test="z", **kwargs):
    return meta.rma(BCG["yi"], BCG["vi"], method=method, test=test, **kwargs)


def fitted_values(method: str) -> dict[str, object]:
    """Every per-method quantity the JSON records, computed by dprep, keyed like the JSON."""
    fit = bcg_fit(method)
    het = meta.confint(fit)
    pred = meta.predict(fit)
    knha = bcg_fit(method, "knha")
    return {
        "estimate": fit.estimate, "se": fit.se[0], "ci_lb": fit.ci_lb[0], "ci_ub": fit.ci_ub[0],
        "zval": fit.stat[0], "pval": fit.pval[0], "tau2": fit.tau2, "tau2_se": fit.tau2_se,
        "i2": fit.i2, "h2": fit.h2, "q": fit.q, "q_df": fit.q_df, "q_p": fit.q_p,
        "tau2_ci": het.tau2_ci, "i2_ci": het.i2_ci, "h2_ci": het.h2_ci,
        "pi_lb": pred.pi_lb[0], "pi_ub": pred.pi_ub[0],
        "knha_se": knha.se[0], "knha_ci_lb": knha.ci_lb[0], "knha_ci_ub": knha.ci_ub[0], "knha_pval": knha.pval[0],
    }


# --------------------------------------------------------------------------------------------------
# metafor references (BCG)
# --------------------------------------------------------------------------------------------------


@pytest.mark.reference
def test_reference_grid_is_complete():
    """Every method and every recorded quantity is checked by the parametrised test below."""
    assert set(REF) >= set(meta.METHODS)
    for method in meta.METHODS:
        assert set(REF[method]) == set(fitted_values(method)), method


@pytest.mark.reference
@pytest.mark.parametrize("method", meta.METHODS)
@pytest.mark.parametrize("key", sorted(REF["REML"]))
def test_rma_matches_metafor(method, key):
    # reference: REF[method][key], from rma(yi, vi, method=method, control=ctl) & co. (module docstring)
    assert close(fitted_values(method)[key], REF[method][key]), (method, key)


@pytest.mark.reference
def test_knha_is_not_truncated():
    # metafor's test="knha" does not truncate s² at 1: for PM, Q(τ²_PM) = k - 1 makes s² = 1 exactly, so the
    # KH se equals the Wald se (REF["PM"]["knha_se"] == REF["PM"]["se"]).
    pm = bcg_fit("PM", "knha")
    assert pm.s2w == pytest.approx(1.0, rel=1e-10)
    assert close(pm.se[0], REF["PM"]["se"])
    # homogeneous data (τ² = 0, Q < k - 1): s² = Q/(k-1) < 1 is kept, so the KH se is *smaller*
    yi, vi = np.array([0.30, 0.32, 0.29, 0.31, 0.30]), np.array([0.02, 0.03, 0.025, 0.04, 0.05])
    z, kh = meta.rma(yi, vi, method="DL"), meta.rma(yi, vi, method="DL", test="knha")
    assert kh.s2w == pytest.approx(z.q / 4, rel=1e-12) and kh.s2w < 1
    assert kh.se[0] == pytest.approx(z.se[0] * math.sqrt(z.q / 4), rel=1e-12)


@pytest.mark.reference
def test_regtest_matches_metafor():
    # reference: regtest(rma(yi, vi, method='REML', control=ctl)) -> zval, pval, est (limit estimate)
    egger = meta.regtest(bcg_fit())
    assert close(egger.stat, REF["egger"]["zval"])
    assert close(egger.pval, REF["egger"]["pval"])
    assert close(egger.estimate, REF["egger"]["limit_estimate"])


@pytest.mark.reference
def test_trimfill_matches_metafor():
    # reference: trimfill(rma(yi, vi, method='REML', control=ctl)) -> k0, side, beta, ci.lb, ci.ub.
    # metafor 3.8 refits the augmented data without 'control' (Fisher-scoring threshold 1e-5), dprep with
    # 1e-12: the two agree to ~5e-7 relative, inside RTOL; the next test pins that explanation down.
    tf = meta.trimfill(bcg_fit())
    assert (tf.k0, tf.side) == (REF["trimfill"]["k0"], REF["trimfill"]["side"])
    for key in ("estimate", "ci_lb", "ci_ub"):
        value = tf.fit.estimate if key == "estimate" else getattr(tf.fit, key)[0]
        assert close(value, REF["trimfill"][key]), key


@pytest.mark.reference
def test_trimfill_matches_metafor_default_threshold_to_1e9():
    # same reference; refitting the augmented data with metafor's default threshold (1e-5) reproduces it
    # to 1e-9 relative, so the 5e-7 gap above is metafor's looser convergence, not a different method.
    tf = meta.trimfill(bcg_fit())
    loose = meta.rma(tf.fit.yi, tf.fit.vi, method="REML", tol=1e-5)
    assert close([loose.estimate, loose.ci_lb[0], loose.ci_ub[0]],
                 [REF["trimfill"][k] for k in ("estimate", "ci_lb", "ci_ub")], rtol=1e-9)


@pytest.mark.reference
def test_leave1out_matches_metafor():
    # reference: leave1out(rma(yi, vi, method='REML', control=ctl))$estimate
    loo = meta.leave1out(bcg_fit(), labels=BCG["author"])
    assert close(loo["estimate"], REF["leave1out_estimate"])
    assert list(loo["omitted"]) == list(BCG["author"])


@pytest.mark.reference
def test_meta_regression_matches_metafor():
    # reference: rma(yi, vi, mods=~ablat, method='REML', control=ctl) -> beta, se, QM, QMp, QE, QEp, tau2, R2
    ref = REF["metareg_ablat_REML"]
    fit = meta.rma(BCG["yi"], BCG["vi"], mods=BCG[["ablat"]], method="REML")
    assert fit.coef_names == ("intrcpt", "ablat")
    assert close(fit.beta, ref["coef"]) and close(fit.se, ref["se"])
    for key, value in {"qm": fit.qm, "qm_p": fit.qm_p, "qe": fit.q, "qe_p": fit.q_p, "tau2": fit.tau2, "r2": fit.r2}.items():
        assert close(value, ref[key]), key
    assert fit.qm_df == (1,) and fit.q_df == 11


# --------------------------------------------------------------------------------------------------
# Identities (music correlations, Cumming & Calin-Jageman Table 11.1): each can fail independently
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def music():
    return meta.escalc_zcor(MUSIC_R, MUSIC_N)


def test_escalc_zcor_values():
    # Fisher (1921): z = ½ ln((1+r)/(1-r)), var = 1/(n-3); hand-computed for r = .67, n = 109
    yi, vi = meta.escalc_zcor([0.67], [109])
    assert yi[0] == pytest.approx(0.5 * math.log(1.67 / 0.33), rel=1e-14)
    assert vi[0] == pytest.approx(1 / 106, rel=1e-14)
    assert meta.z_to_r(yi)[0] == pytest.approx(0.67, rel=1e-14)


@pytest.mark.parametrize(("r", "n", "match"), [
    ([1.0], [20], r"'r' parameter of escalc_zcor must lie strictly inside \(-1, 1\)"),
    ([0.3], [3], r"'n' parameter of escalc_zcor must be greater than 3"),
    ([0.3, 0.2], [20], r"'n' parameter of escalc_zcor must have the same length"),
    ([np.nan], [20], r"'r' parameter of escalc_zcor must contain finite numbers"),
])
def test_escalc_zcor_rejects_bad_input(r, n, match):
    with pytest.raises(ValueError, match=match):
        meta.escalc_zcor(r, n)


def test_dl_equals_textbook_formula(music):
    # DerSimonian & Laird (1986), eq. 8: τ² = max(0, (Q - (k-1)) / (Σw - Σw²/Σw)), w = 1/v;
    # then μ̂ = Σw*y/Σw*, se = 1/√Σw* with w* = 1/(v + τ²), computed here by hand.
    yi, vi = music
    w = 1 / vi
    mu_fe = np.sum(w * yi) / np.sum(w)
    q = np.sum(w * (yi - mu_fe) ** 2)
    tau2 = max(0.0, (q - (yi.size - 1)) / (w.sum() - np.sum(w**2) / w.sum()))
    ws = 1 / (vi + tau2)
    fit = meta.rma(yi, vi, method="DL")
    assert fit.q == pytest.approx(q, rel=1e-12)
    assert fit.tau2 == pytest.approx(tau2, rel=1e-12)
    assert fit.estimate == pytest.approx(np.sum(ws * yi) / ws.sum(), rel=1e-12)
    assert fit.se[0] == pytest.approx(1 / math.sqrt(ws.sum()), rel=1e-12)
    # for DL, I² reduces to Higgins & Thompson's (Q - df)/Q (2002, eq. 9)
    assert fit.i2 == pytest.approx(100 * (q - (yi.size - 1)) / q, rel=1e-12)


def test_zero_tau2_gives_fixed_effect_estimate():
    # homogeneous data (Q < k - 1): every estimator truncates τ² at 0 and μ̂ is the inverse-variance mean
    yi = np.array([0.30, 0.32, 0.29, 0.31, 0.30])
    vi = np.array([0.02, 0.03, 0.025, 0.04, 0.05])
    w = 1 / vi
    for method in meta.METHODS:
        fit = meta.rma(yi, vi, method=method)
        assert fit.tau2 == 0.0, method
        assert fit.estimate == pytest.approx(np.sum(w * yi) / w.sum(), rel=1e-13), method
        assert fit.i2 == 0.0 and fit.h2 == 1.0
        assert meta.confint(fit).tau2_ci == (0.0, 0.0)  # Q(0) below both critical values: the null set


@pytest.mark.parametrize("method", meta.METHODS)
def test_i2_h2_identity(music, method):
    # I² = 100 (H² - 1) / H² holds for any τ² (Higgins & Thompson 2002, eqs. 9-10)
    fit = meta.rma(*music, method=method)
    assert fit.i2 == pytest.approx(100 * (fit.h2 - 1) / fit.h2, rel=1e-12)


def _generalised_q(tau2, yi, vi):
    w = 1 / (vi + tau2)
    mu = np.sum(w * yi) / w.sum()
    return np.sum(w * (yi - mu) ** 2)


def test_pm_solves_generalised_q(music):
    # Paule & Mandel (1982): Q(τ²) = k - 1 at the estimate, Q computed by hand
    yi, vi = music
    fit = meta.rma(yi, vi, method="PM")
    assert _generalised_q(fit.tau2, yi, vi) == pytest.approx(yi.size - 1, rel=1e-10)


def _neg_loglik(tau2, yi, vi, reml):
    w = 1 / (vi + tau2)
    mu = np.sum(w * yi) / w.sum()
    ll = -0.5 * np.sum(np.log(vi + tau2)) - 0.5 * np.sum(w * (yi - mu) ** 2)
    return -(ll - 0.5 * math.log(w.sum())) if reml else -ll


@pytest.mark.parametrize("method", ["ML", "REML"])
def test_ml_reml_maximise_likelihood(music, method):
    # Viechtbauer (2005), eqs. 10-11: the estimate maximises the (restricted) log-likelihood, written out
    # here by hand and maximised with scipy's bounded Brent search.
    yi, vi = music
    opt = optimize.minimize_scalar(_neg_loglik, bounds=(0, 1), args=(yi, vi, method == "REML"),
                                   method="bounded", options={"xatol": 1e-12})
    assert meta.rma(yi, vi, method=method).tau2 == pytest.approx(opt.x, rel=1e-6)


def test_qprofile_bounds_solve_their_equations(music):
    # Viechtbauer (2007), eq. 6: Q(τ²_lb) = χ²_{k-1; .975}, Q(τ²_ub) = χ²_{k-1; .025}
    yi, vi = music
    het = meta.confint(meta.rma(yi, vi))
    lb, ub = het.tau2_ci
    assert _generalised_q(lb, yi, vi) == pytest.approx(stats.chi2.isf(0.025, 15), rel=1e-9)
    assert _generalised_q(ub, yi, vi) == pytest.approx(stats.chi2.ppf(0.025, 15), rel=1e-9)
    # the CI of τ² is the same whatever the estimator
    for method in meta.METHODS:
        assert meta.confint(meta.rma(yi, vi, method=method)).tau2_ci == pytest.approx(het.tau2_ci, rel=1e-12)


def test_prediction_interval_formula(music):
    # Riley et al. (2011): μ̂ ± z √(se² + τ²); under KH: μ̂ ± t_{k-1} √(se_KH² + τ²)
    for test, crit in (("z", stats.norm.isf(0.025)), ("knha", stats.t.isf(0.025, 15))):
        fit = meta.rma(*music, test=test)
        pred = meta.predict(fit)
        half = crit * math.sqrt(fit.se[0] ** 2 + fit.tau2)
        assert (pred.pi_lb[0], pred.pi_ub[0]) == pytest.approx((fit.estimate - half, fit.estimate + half), rel=1e-12)


def test_knha_scaling_by_hand(music):
    # Knapp & Hartung (2003), eq. 8: se² = Σw*(y - μ̂)² / ((k-1) Σw*), t on k - 1 df
    yi, vi = music
    z, kh = meta.rma(yi, vi), meta.rma(yi, vi, test="knha")
    ws = 1 / (vi + z.tau2)
    se = math.sqrt(np.sum(ws * (yi - z.estimate) ** 2) / (15 * ws.sum()))
    assert kh.se[0] == pytest.approx(se, rel=1e-12)
    assert kh.pval[0] == pytest.approx(2 * stats.t.sf(abs(kh.estimate / se), 15), rel=1e-10)
    assert kh.ddf == 15 and z.ddf is None


def test_leave1out_equals_refitting(music):
    yi, vi = music
    fit = meta.rma(yi, vi, method="PM", test="knha")
    loo = meta.leave1out(fit)
    for i in (0, 6, 15):
        keep = np.arange(16) != i
        refit = meta.rma(yi[keep], vi[keep], method="PM", test="knha")
        assert loo.loc[i, "estimate"] == pytest.approx(refit.estimate, rel=1e-12)
        assert loo.loc[i, "tau2"] == pytest.approx(refit.tau2, rel=1e-12)
        assert loo.loc[i, "ci_ub"] == pytest.approx(refit.ci_ub[0], rel=1e-12)


def test_subgroups_equal_separate_fits_and_qm_is_wald(music):
    yi, vi = music
    sub = meta.subgroup_analysis(yi, vi, MUSIC_GROUP, name="instrument_type")
    assert list(sub.subgroups["group"]) == ["Non-Strings", "Strings"]
    for _, row in sub.subgroups.iterrows():
        mask = MUSIC_GROUP == row["group"]
        assert row["k"] == mask.sum()
        assert row["estimate"] == pytest.approx(meta.rma(yi[mask], vi[mask]).estimate, rel=1e-12)
    mod = sub.moderator
    assert mod.coef_names == ("intrcpt", "instrument_typeStrings")
    # with one dummy, QM is the squared z of its coefficient
    assert sub.qm == pytest.approx(mod.stat[1] ** 2, rel=1e-12)
    assert sub.qm_p == pytest.approx(mod.pval[1], rel=1e-12)
    # QE with fixed-effect weights is the sum of the within-group Q statistics
    assert mod.q == pytest.approx(sub.subgroups["q"].sum(), rel=1e-12)


def test_categorical_mods_equal_dummy_matrix(music):
    yi, vi = music
    by_label = meta.rma(yi, vi, mods=pd.Series(MUSIC_GROUP, name="g"))
    by_matrix = meta.rma(yi, vi, mods=(MUSIC_GROUP == "Strings").astype(float))
    assert by_label.beta == pytest.approx(by_matrix.beta, rel=1e-12)
    assert by_label.r2 == pytest.approx(by_matrix.r2, rel=1e-12)
    # pseudo-R² (Raudenbush 2009): 100 (τ²_RE - τ²_ME) / τ²_RE with τ²_RE from the intercept-only model
    tau2_re = meta.rma(yi, vi).tau2
    assert by_label.r2 == pytest.approx(100 * (tau2_re - by_label.tau2) / tau2_re, rel=1e-12)


def test_knha_qm_is_f_test(music):
    yi, vi = music
    fit = meta.rma(yi, vi, mods=pd.Series(MUSIC_GROUP, name="g"), test="knha")
    assert fit.qm_df == (1, 14)
    assert fit.qm == pytest.approx(fit.stat[1] ** 2, rel=1e-12)
    assert fit.qm_p == pytest.approx(stats.f.sf(fit.qm, 1, 14), rel=1e-12)


def test_trimfill_mirrors_about_trimmed_estimate():
    # BCG, side "right" (studies missing on the right): the most extreme study on the left is trimmed and
    # its mirror image 2·μ̂_trimmed - y is imputed
    fit = bcg_fit()
    tf = meta.trimfill(fit)
    extreme = int(np.argmin(BCG["yi"]))
    mu_trim = meta.rma(np.delete(BCG["yi"].to_numpy(), extreme), np.delete(BCG["vi"].to_numpy(), extreme)).estimate
    assert tf.yi_filled[0] == pytest.approx(2 * mu_trim - BCG["yi"][extreme], rel=1e-10)
    assert tf.vi_filled[0] == BCG["vi"][extreme]
    assert tf.filled.sum() == 1 and tf.filled[-1]


def test_correlation_summary(music):
    fit = meta.rma(*music)
    summ = meta.correlation_summary(fit)
    pred = meta.predict(fit)
    assert summ.estimate_r == pytest.approx(math.tanh(fit.estimate), rel=1e-14)
    assert summ.pi_r == pytest.approx((math.tanh(pred.pi_lb[0]), math.tanh(pred.pi_ub[0])), rel=1e-14)
    assert summ.pct_variance == pytest.approx(100 * summ.estimate_r**2, rel=1e-14)


def test_result_frames_and_dicts(music):
    fit = meta.rma(*music)
    frame = fit.to_frame()
    assert list(frame.columns) == ["name", "estimate", "se", "stat", "pval", "ci_lb", "ci_ub"]
    assert frame.loc[0, "estimate"] == fit.estimate
    d = fit.to_dict()
    assert d["k"] == 16 and d["estimate"] == fit.estimate and d["i2"] == fit.i2
    assert meta.confint(fit).to_dict()["tau2_ci"] == list(meta.confint(fit).tau2_ci)
    with pytest.raises(ValueError):
        fit.beta[0] = 1.0  # read-only arrays


def test_meta_regression_has_no_single_estimate():
    fit = meta.rma(BCG["yi"], BCG["vi"], mods=BCG[["ablat"]])
    with pytest.raises(ValueError, match="intercept-only models only"):
        _ = fit.estimate
    with pytest.raises(ValueError, match="intercept-only model"):
        meta.trimfill(fit)
    pred = meta.predict(fit, newmods=[[0.0], [33.0]])
    assert pred.estimate == pytest.approx([fit.beta[0], fit.beta[0] + 33 * fit.beta[1]], rel=1e-12)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"method": "SJ"}, r"The 'method' parameter of rma must be one of 'DL', 'REML', 'PM', 'ML', 'HE', 'FE'. Got 'SJ' instead."),
    ({"test": "t"}, r"The 'test' parameter of rma must be one of 'z', 'knha'. Got 't' instead."),
    ({"level": 95}, r"The 'level' parameter of rma must be in \(0, 1\)"),
    ({"vi": [0.1, 0.0, 0.2, 0.1]}, r"The 'vi' parameter of rma must contain positive sampling variances"),
    ({"vi": [0.1, 0.2]}, r"The 'vi' parameter of rma must have the same length as 'yi'"),
    ({"mods": [1.0, 2.0], "yi": [0.1, 0.2], "vi": [0.1, 0.1]}, r"must have more studies than model coefficients"),
    ({"mods": [[1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [4.0, 8.0]]}, r"full column rank"),
])
def test_rma_rejects_bad_input(kwargs, match):
    args = {"yi": [0.1, 0.3, 0.2, 0.5], "vi": [0.1, 0.2, 0.1, 0.3], **kwargs}
    with pytest.raises(ValueError, match=match):
        meta.rma(**args)


def test_single_study_subgroup_is_the_study_itself():
    # metafor fits k = 1 with τ² = 0: the estimate is y₁ with se √v₁; Knapp–Hartung falls back to z
    yi, vi = np.array([0.1, 0.3, 0.2, 0.5, 0.4]), np.array([0.01, 0.02, 0.03, 0.01, 0.02])
    rows = meta.subgroup_analysis(yi, vi, ["a", "a", "b", "b", "c"]).subgroups.set_index("group")
    assert rows.loc["c", "k"] == 1 and rows.loc["c", "tau2"] == 0.0
    assert (rows.loc["c", "estimate"], rows.loc["c", "se"]) == pytest.approx((0.4, math.sqrt(0.02)), rel=1e-14)
    with pytest.warns(UserWarning, match="Setting test='z' since k = 1"):
        knha = meta.subgroup_analysis(yi, vi, ["a", "a", "b", "b", "c"], test="knha").subgroups.set_index("group")
    assert knha.loc["c", "pval"] == pytest.approx(rows.loc["c", "pval"], rel=1e-14)


FIXES = json.loads((REF_DIR / "meta_fixes.json").read_text())


@pytest.mark.reference
def test_single_study_knha_switches_to_z():
    # issue #12, bug 2; reference: FIXES["single_knha"], rma(0.5, 0.04, test='knha') (metafor warns, uses z)
    ref = FIXES["single_knha"]
    with pytest.warns(UserWarning, match="Setting test='z' since k = 1"):
        fit = meta.rma([0.5], [0.04], test="knha")
    assert fit.test == ref["test"] == "z" and fit.ddf is None
    for key in ("se", "ci_lb", "ci_ub", "pval"):
        assert close(getattr(fit, key)[0], ref[key]), key


@pytest.mark.reference
def test_r2_is_zero_when_both_tau2_vanish():
    # issue #12, bug 3: Fisher scoring stops at τ² ~ 1e-13 rather than 0 on both fits; the old exact-zero rule
    # gave R² = 100 (τ²_RE - τ²)/τ²_RE ≈ 80 %. Reference: FIXES["zero_tau2_r2"] (metafor: τ² ~ 1e-11 both, R² = 0;
    # the coefficients at τ² ≈ 0 agree to 1e-6).
    ref = FIXES["zero_tau2_r2"]
    fit = meta.rma(ref["yi"], ref["vi"], mods=np.array(ref["xi"]), method="REML")
    tau2_re = meta.rma(ref["yi"], ref["vi"], method="REML").tau2
    assert tau2_re < 1e-10 and fit.tau2 < 1e-10
    assert fit.r2 == ref["r2"] == 0.0
    assert close(fit.beta, ref["coef"]) and close(fit.se, ref["se"])


BIAS = json.loads((REF_DIR / "bias_metafor.json").read_text())


@pytest.mark.reference
@pytest.mark.parametrize("name", ["bcg", "hack", "music", "molloy"])
def test_fixed_effect_model_matches_metafor(name, effects):
    # reference: BIAS[f"{name}_FE"], rma(yi, vi, data=..., method='FE'): τ² = 0, I² = (Q - df)/Q, H² = Q/df
    ref = BIAS[f"{name}_FE"]
    fit = meta.rma(*effects(name), method="FE")
    assert fit.tau2 == 0.0 and math.isnan(fit.tau2_se)
    for key in ("se", "pval", "ci_lb", "ci_ub"):
        assert close(getattr(fit, key)[0], ref[key]), key
    assert close(fit.estimate, ref["beta"])
    assert close([fit.q, fit.i2, fit.h2], [ref["q"], ref["i2"], ref["h2"]])


@pytest.mark.reference
def test_fixed_effect_meta_regression_matches_metafor():
    # reference: BIAS["bcg_FE_ablat"], rma(yi, vi, mods=~ablat, data=bcg, method='FE'); R² is the adjusted R² of
    # the weighted regression lm(yi ~ ablat, weights = 1/vi), as metafor computes it for FE models
    ref = BIAS["bcg_FE_ablat"]
    fit = meta.rma(BCG["yi"], BCG["vi"], mods=BCG[["ablat"]], method="FE")
    assert close(fit.beta, ref["beta"]) and close(fit.se, ref["se"])
    assert close([fit.q, fit.qm, fit.r2], [ref["qe"], ref["qm"], ref["r2"]])
    assert fit.summary().startswith("Fixed-Effects with Moderators Model (k = 13)")
