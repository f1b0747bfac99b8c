"""Bias model: translation of meta-epidemiological estimates and bias-adjusted DL pooling (dprep.stats.meta.rma).

References: hand computation from the stated formulas, statsmodels' independent DerSimonian–Laird
implementation, Chinn (2000) for the logistic constant, and exact identities.
"""

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

from dprep.data.priors import read_bias_priors
from dprep.stats.bias import (
    LOGIT_TO_SMD,
    bias_adjusted_meta,
    smd_bias_to_fisher_z,
    predictive_priors,
    translate_bias_prior,
)

EVIDENCE = Path(__file__).resolve().parents[2] / "data" / "raw" / "blinding_bias_priors.csv"
Z975 = stats.norm.ppf(0.975)


@pytest.mark.reference
def test_logistic_constant_matches_chinn_2000():
    # Chinn (2000), Stat Med 19:3127, abstract: "the log odds ratio ... divided by 1.81" gives the SMD.
    # Tolerance 0.005 (1.81 printed to two decimals).
    assert 1 / LOGIT_TO_SMD == pytest.approx(1.81, abs=0.005)


@pytest.mark.reference
def test_ratio_of_odds_ratios_translation_hand_computed():
    # Wood et al. (2008) BMJ, subjective outcomes: ROR 0.75 (95% CI 0.61 to 0.93), ROR < 1 = unblinded
    # trials exaggerate. Hand formula: bias = -ln(0.75)*sqrt(3)/pi, SE = ln(0.93/0.61)/(2*1.96)*sqrt(3)/pi.
    row = {"source": "Wood et al. 2008", "scale": "ratio_of_odds_ratios", "estimate": "0.75",
           "ci_low": "0.61", "ci_high": "0.93", "phi_between_ma_sd": "", "kappa_extra_heterogeneity": ""}
    p = translate_bias_prior(row)
    assert p.bias_smd == pytest.approx(-math.log(0.75) * math.sqrt(3) / math.pi, rel=1e-12)
    assert p.bias_smd > 0  # exaggeration in the hypothesis direction
    se = math.log(0.93 / 0.61) / (2 * Z975) * math.sqrt(3) / math.pi
    assert p.bias_smd_se == pytest.approx(se, rel=1e-12)
    assert p.bias_var_smd == pytest.approx(se ** 2, rel=1e-12)
    assert p.log_ror == pytest.approx(math.log(0.75), rel=1e-12)
    assert any("phi" in a for a in p.assumptions)


@pytest.mark.reference
def test_difference_in_smd_translation_hand_computed():
    # Hrobjartsson et al. (2013) CMAJ: difference in SMD -0.23 (-0.40 to -0.06), unblinded minus blinded,
    # negative = exaggeration. Hand formula: bias = 0.23, SE = 0.34 / (2 * 1.96).
    row = {"scale": "difference_in_smd", "estimate": -0.23, "ci_low": -0.40, "ci_high": -0.06}
    p = translate_bias_prior(row)
    assert p.bias_smd == pytest.approx(0.23, rel=1e-12)
    assert p.bias_smd_se == pytest.approx(0.34 / (2 * Z975), rel=1e-12)
    assert p.log_ror is None


def test_phi_and_kappa_enter_the_bias_variance():
    # Welton et al. (2009): predictive variance of a new study's bias = se^2 + phi^2 + kappa^2 (SMD scale).
    row = {"scale": "ratio_of_odds_ratios", "estimate": 0.99, "ci_low": 0.86, "ci_high": 1.09,
           "phi_between_ma_sd": 0.07, "kappa_extra_heterogeneity": 0.06}
    p = translate_bias_prior(row)
    assert p.phi_smd == pytest.approx(0.07 * LOGIT_TO_SMD, rel=1e-12)
    assert p.kappa_smd == pytest.approx(0.06 * LOGIT_TO_SMD, rel=1e-12)
    assert p.bias_var_smd == pytest.approx(p.bias_smd_se ** 2 + p.phi_smd ** 2 + p.kappa_smd ** 2, rel=1e-12)


def test_predictive_priors_borrow_the_largest_phi_and_kappa_or_flag_the_row():
    """A source without φ and κ: the bias of one study needs them (Welton et al. 2009); the choice is explicit."""
    priors = read_bias_priors(EVIDENCE)
    hrob = next(p for p in priors if p.source == "Hrobjartsson et al. 2013")
    assert hrob.between_basis == "not reported: mean-bias SE only"
    assert hrob.bias_var_smd == pytest.approx(hrob.bias_smd_se ** 2, rel=1e-12)
    assert predictive_priors(priors, missing="none") == priors
    out = {p.source + p.outcome_type: p for p in predictive_priors(priors)}
    wide = out["Hrobjartsson et al. 2013subjective measurement scale"]
    # the largest φ (0.11) and κ (0.06) of the table, both MetaBLIND rows, on the log-ROR scale
    phi, kappa = 0.11 * LOGIT_TO_SMD, 0.06 * LOGIT_TO_SMD
    assert wide.bias_var_smd == pytest.approx(hrob.bias_smd_se ** 2 + phi ** 2 + kappa ** 2, rel=1e-12)
    assert wide.predictive_sd == pytest.approx(math.sqrt(wide.bias_var_smd))
    assert wide.between_basis.startswith("borrowed from Moustgaard et al. 2020")
    assert any("largest reported" in a for a in wide.assumptions)
    reported = out["Moustgaard et al. 2020 (MetaBLIND)all outcomes"]
    assert reported.between_basis == "reported" and reported.phi_smd == pytest.approx(0.07 * LOGIT_TO_SMD)
    with pytest.raises(ValueError, match="missing"):
        predictive_priors(priors, missing="guess")


def test_load_shipped_evidence_file():
    priors = read_bias_priors(EVIDENCE)
    assert len(priors) == 7
    by = {(p.source, p.outcome_type): p for p in priors}
    # sign convention: every ROR < 1 (and negative SMD difference) becomes a positive bias
    for p in priors:
        assert (p.bias_smd > 0) == (p.estimate < (1 if p.scale == "ratio_of_odds_ratios" else 0))
        assert p.assumptions and p.bias_var_smd > 0
    assert by[("Hrobjartsson et al. 2013", "subjective measurement scale")].bias_smd == pytest.approx(0.23)


@pytest.mark.parametrize("row, name", [
    ({"scale": "risk_ratio", "estimate": 1, "ci_low": 0.5, "ci_high": 2}, "scale"),
    ({"scale": "ratio_of_odds_ratios", "estimate": 0.5, "ci_low": 0.6, "ci_high": 0.9}, "estimate"),
    ({"scale": "ratio_of_odds_ratios", "estimate": "x", "ci_low": 0.6, "ci_high": 0.9}, "estimate"),
])
def test_translation_rejects_bad_rows(row, name):
    with pytest.raises(ValueError, match=f"The '{name}' parameter of translate_bias_prior"):
        translate_bias_prior(row)


def test_fisher_z_translation():
    # z(d) = atanh(d / sqrt(d^2 + 4)) for equal groups; at d = 0 the shift is z(bias) and the delta-method
    # slope is 1/sqrt(a) = 1/2. Exact identities, tolerance 1e-12.
    shift, se, note = smd_bias_to_fisher_z(0.2, 0.1)
    assert shift == pytest.approx(math.atanh(0.2 / math.sqrt(0.04 + 4)), rel=1e-12)
    assert se == pytest.approx(0.05, rel=1e-12)
    assert "a = 4" in note
    shift2, se2, _ = smd_bias_to_fisher_z(0.2, 0.1, at_d=0.8, n1=10, n2=30)
    a = 40 ** 2 / 300
    z = lambda d: math.atanh(d / math.sqrt(d * d + a))  # noqa: E731
    assert shift2 == pytest.approx(z(1.0) - z(0.8), rel=1e-12)
    assert se2 == pytest.approx(0.1 / math.sqrt(0.64 + a), rel=1e-12)


# ------------------------------------------------------------------------------------------------
# pooling
# ------------------------------------------------------------------------------------------------
def test_unadjusted_pool_is_dersimonian_laird_hand_computed():
    # y = (0, 1, 3), v = (1, 1, 1): ybar = 4/3, Q = 42/9, C = 3 - 3/3 = 2, tau2 = (42/9 - 2)/2 = 4/3,
    # estimate = 4/3 (equal weights), se = sqrt((1 + 4/3)/3); Wald interval with z(0.975).
    r = bias_adjusted_meta([0, 1, 3], [1, 1, 1], [False] * 3, bias_mean=0.0, bias_var=0.0).unadjusted
    assert (r.method, r.test) == ("DL", "z")
    assert r.q == pytest.approx(42 / 9, rel=1e-12)
    assert r.tau2 == pytest.approx(4 / 3, rel=1e-12)
    assert r.estimate == pytest.approx(4 / 3, rel=1e-12)
    assert r.se[0] == pytest.approx(math.sqrt(7 / 9), rel=1e-12)
    assert r.ci_lb[0] == pytest.approx(4 / 3 - Z975 * math.sqrt(7 / 9), rel=1e-12)
    # Q below its df truncates tau2 at 0: y = (0, 1), v = (1, 1): Q = 0.5 < 1
    r2 = bias_adjusted_meta([0, 1], [1, 1], [False, False], bias_mean=0.0, bias_var=0.0).unadjusted
    assert r2.tau2 == 0 and r2.estimate == pytest.approx(0.5) and r2.se[0] == pytest.approx(math.sqrt(0.5))


@pytest.mark.reference
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_adjusted_pool_matches_statsmodels(seed):
    # Independent implementation: statsmodels.stats.meta_analysis.combine_effects(method_re = "dl"),
    # applied to the hand-adjusted estimates (y - 0.3 and v + 0.005 for the unblinded). statsmodels does not
    # truncate tau2 at 0, so the settings give tau2 > 0 for these seeds (asserted). Tolerance 1e-10.
    rng = np.random.default_rng(seed)
    y = rng.normal(0.4, 0.3, 9)
    v = rng.uniform(0.01, 0.1, 9)
    mask = np.arange(9) % 2 == 0
    r = bias_adjusted_meta(y, v, mask, bias_mean=0.3, bias_var=0.005).adjusted
    ref = combine_effects(np.where(mask, y - 0.3, y), np.where(mask, v + 0.005, v), method_re="dl")
    assert ref.tau2 > 0
    assert r.tau2 == pytest.approx(ref.tau2, abs=1e-10)
    assert r.q == pytest.approx(ref.q, abs=1e-10)
    assert r.estimate == pytest.approx(ref.mean_effect_re, abs=1e-10)
    assert r.se[0] == pytest.approx(ref.sd_eff_w_re, abs=1e-10)


def test_zero_bias_and_zero_variance_give_unadjusted_estimate():
    y, v = [0.5, 0.2, 0.9, 0.4], [0.05, 0.04, 0.08, 0.03]
    res = bias_adjusted_meta(y, v, [True, False, True, False], bias_mean=0.0, bias_var=0.0)
    assert res.adjusted.to_dict() == res.unadjusted.to_dict()
    assert res.n_unblinded == 2


def test_all_unblinded_without_bias_variance_is_a_pure_shift():
    # Translation equivariance of DL pooling: Q and tau2 unchanged, estimate shifted by direction * bias.
    y, v = [0.5, 0.2, 0.9, 0.4], [0.05, 0.04, 0.08, 0.03]
    res = bias_adjusted_meta(y, v, [True] * 4, bias_mean=0.15, bias_var=0.0)
    assert res.adjusted.estimate == pytest.approx(res.unadjusted.estimate - 0.15, abs=1e-12)
    assert res.adjusted.tau2 == pytest.approx(res.unadjusted.tau2, abs=1e-12)
    neg = bias_adjusted_meta(y, v, [True] * 4, bias_mean=0.15, bias_var=0.0, direction=-1)
    assert neg.adjusted.estimate == pytest.approx(res.unadjusted.estimate + 0.15, abs=1e-12)


def test_adjustment_hand_computed_with_variance_inflation():
    # Two unblinded (y = 0.6, 0.8; v = 0.04) and one blinded (y = 0.1; v = 0.04) study, bias 0.2, var 0.02.
    # Adjusted: y* = (0.4, 0.6, 0.1), v* = (0.06, 0.06, 0.04); w = (1/0.06, 1/0.06, 25).
    res = bias_adjusted_meta([0.6, 0.8, 0.1], [0.04, 0.04, 0.04], [True, True, False], bias_mean=0.2, bias_var=0.02)
    assert res.yi_adjusted == pytest.approx((0.4, 0.6, 0.1))
    assert res.vi_adjusted == pytest.approx((0.06, 0.06, 0.04))
    w = np.array([1 / 0.06, 1 / 0.06, 25.0])
    y = np.array([0.4, 0.6, 0.1])
    ybar = np.sum(w * y) / np.sum(w)
    q = np.sum(w * (y - ybar) ** 2)
    tau2 = max(0.0, (q - 2) / (np.sum(w) - np.sum(w ** 2) / np.sum(w)))
    ws = 1 / (np.array([0.06, 0.06, 0.04]) + tau2)
    assert res.adjusted.tau2 == pytest.approx(tau2, rel=1e-12)
    assert res.adjusted.estimate == pytest.approx(np.sum(ws * y) / np.sum(ws), rel=1e-12)


@pytest.mark.parametrize("kwargs, name", [
    ({"bias_mean": 0.1, "bias_var": -0.1}, "bias_var"),
    ({"bias_mean": float("inf"), "bias_var": 0.1}, "bias_mean"),
    ({"bias_mean": 0.1, "bias_var": 0.1, "direction": 2}, "direction"),
])
def test_bias_adjusted_meta_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=f"The '{name}' parameter of bias_adjusted_meta"):
        bias_adjusted_meta([0.1, 0.2], [0.1, 0.1], [True, False], **kwargs)


def test_bias_adjusted_meta_rejects_bad_variances():
    with pytest.raises(ValueError, match="The 'vi' parameter of rma"):
        bias_adjusted_meta([0.1, 0.2], [0.1, 0.0], [False, False], bias_mean=0.1, bias_var=0.0)


def test_to_dict_nests_the_fits():
    res = bias_adjusted_meta([0.6, 0.8, 0.1], [0.04, 0.04, 0.04], [True, True, False], bias_mean=0.2, bias_var=0.02)
    out = res.to_dict()
    assert out["adjusted"]["estimate"] == pytest.approx(res.adjusted.estimate)
    assert out["unadjusted"]["method"] == "DL" and out["n_unblinded"] == 2
