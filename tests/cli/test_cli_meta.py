"""Tests of ``dprep meta`` (typer CliRunner): BCG against metafor, music correlations, bad input,
``--bayes``, ``--blinding-col``, and ``--levels`` and ``--robust`` against metafor and clubSandwich.

The command is registered on a fresh Typer app with a callback, so it is invoked as a sub-command
exactly as under ``dprep`` whatever other commands exist.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from scipy import stats
from typer.testing import CliRunner

from dprep.stats import meta
from dprep.cli import meta as meta_command

REF_DIR = Path(__file__).parents[1] / "reference"
REF = json.loads((REF_DIR / "bcg_metafor.json").read_text())
BCG_CSV = REF_DIR / "bcg_logrr.csv"

# Cumming & Calin-Jageman (2nd ed.), Table 11.1 (as in the project's music_correlations_macnamara2014.csv)
MUSIC_CSV = """row,sample,r,n,instrument_type
1,"Violin, viola",0.67,109,Strings
2,Strings,0.51,55,Strings
3,Piano,0.4,19,Non-Strings
4,Piano,0.46,30,Non-Strings
5,Piano,0.47,19,Non-Strings
6,Piano,0.228,52,Non-Strings
7,Piano,-0.224,24,Non-Strings
8,Piano,0.104,52,Non-Strings
9,Piano,0.322,16,Non-Strings
10,All,0.231,97,Non-Strings
11,Piano,0.67,57,Non-Strings
12,Piano,0.41,107,Non-Strings
13,Band,0.34,178,Strings
14,Music majors,0.31,64,Strings
15,Music majors,0.54,19,Strings
16,All,0.583,135,Strings
"""

MUSIC_R = np.array([0.67, 0.51, 0.4, 0.46, 0.47, 0.228, -0.224, 0.104, 0.322, 0.231, 0.67, 0.41, 0.34, 0.31, 0.54, 0.583])
MUSIC_N = np.array([109, 55, 19, 30, 19, 52, 24, 52, 16, 97, 57, 107, 178, 64, 19, 135])
TRAILING = ["r", "n", "instrument_type"]  # the columns after the quoted sample label

RTOL = 1e-6


@pytest.fixture(scope="module")
def app(command) -> typer.Typer:
    return command(meta_command, "meta").app  # under dprep's group class: errors end as under dprep


@pytest.fixture
def music_csv(tmp_path) -> Path:
    path = tmp_path / "music.csv"
    path.write_text(MUSIC_CSV)
    return path


def run(app, *args):
    return CliRunner().invoke(app, ["meta", *map(str, args)])


def run_json(app, *args):
    result = run(app, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.reference
@pytest.mark.parametrize("method", ["REML", "DL", "PM"])
def test_bcg_yi_vi_matches_metafor(app, method):
    # reference: tests/reference/bcg_metafor.json[method], from rma(yi, vi, method=method, control=ctl),
    # confint() and predict() (see that file's "call"); relative tolerance 1e-6
    out = run_json(app, BCG_CSV, "--yi-col", "yi", "--vi-col", "vi", "--method", method, "--test", "z")
    ref = REF[method]
    assert out["k"] == 13 and out["scale"] == "yi" and "estimate_r" not in out
    for key in ("estimate", "se", "ci_lb", "ci_ub", "tau2", "i2", "h2", "q", "pi_lb", "pi_ub"):
        assert out[key] == pytest.approx(ref[key], rel=RTOL), key
    for key in ("tau2_ci", "i2_ci"):
        assert out[key] == pytest.approx(ref[key], rel=RTOL), key
    assert out["q_df"] == 12


@pytest.mark.reference
def test_bcg_numeric_moderator_matches_metafor(app):
    # reference: rma(yi, vi, mods=~ablat, method='REML', control=ctl) -> bcg_metafor.json["metareg_ablat_REML"]
    ref = REF["metareg_ablat_REML"]
    out = run_json(app, BCG_CSV, "--yi-col", "yi", "--vi-col", "vi", "--moderator", "ablat", "--test", "z")
    assert out["moderator_type"] == "numeric" and "subgroups" not in out
    assert [c["name"] for c in out["coefficients"]] == ["intrcpt", "ablat"]
    assert [c["estimate"] for c in out["coefficients"]] == pytest.approx(ref["coef"], rel=RTOL)
    assert [c["se"] for c in out["coefficients"]] == pytest.approx(ref["se"], rel=RTOL)
    for key in ("qm", "qm_p", "qe", "qe_p", "r2"):
        assert out[key] == pytest.approx(ref[key], rel=RTOL), key


def test_music_correlations(app, music_csv):
    out = run_json(app, music_csv)  # default columns r and n; REML and Knapp–Hartung as the pipeline
    fit = meta.rma(*meta.escalc_zcor(MUSIC_R, MUSIC_N), method="REML", test="knha")
    assert out["k"] == 16 and out["scale"] == "fisher_z"
    assert (out["method"], out["test"], out["ddf"]) == ("REML", "knha", 15)
    assert out["se"] == pytest.approx(float(fit.se[0]), rel=1e-12)
    assert out["estimate"] == pytest.approx(fit.estimate, rel=1e-12)
    assert out["estimate_r"] == pytest.approx(math.tanh(out["estimate"]), rel=1e-12)
    assert out["ci_r"] == pytest.approx([math.tanh(out["ci_lb"]), math.tanh(out["ci_ub"])], rel=1e-12)
    assert out["pi_r"] == pytest.approx([math.tanh(out["pi_lb"]), math.tanh(out["pi_ub"])], rel=1e-12)
    assert out["pct_variance"] == pytest.approx(100 * out["estimate_r"] ** 2, rel=1e-12)
    assert len(out["tau2_ci"]) == 2 and out["tau2_ci"][0] < out["tau2"] < out["tau2_ci"][1]


def test_music_categorical_moderator_knha(app, music_csv):
    out = run_json(app, music_csv, "--moderator", "instrument_type", "--test", "knha", "--method", "PM")
    assert out["moderator_type"] == "categorical" and out["test"] == "knha" and out["ddf"] == 15
    assert out["qm_df"] == [1, 14]
    assert [g["group"] for g in out["subgroups"]] == ["Non-Strings", "Strings"]
    assert [g["k"] for g in out["subgroups"]] == [10, 6]
    for group in out["subgroups"]:
        assert group["estimate_r"] == pytest.approx(math.tanh(group["estimate"]), rel=1e-12)
    slope = out["coefficients"][1]
    assert slope["name"] == "instrument_typeStrings"
    assert out["qm"] == pytest.approx(slope["stat"] ** 2, rel=1e-12)


def test_pretty_output(app, music_csv):
    result = run(app, music_csv)
    assert result.exit_code == 0 and "estimate_r" in result.stdout


@pytest.mark.parametrize(("edit", "args", "needles"), [
    # edit = (data row as the user counts it, column, new cell text); extra args; fragments of the message
    (None, ["--r-col", "corr"], ["music.csv", "column 'corr'", "--r-col", "not found"]),
    ((3, "r", "n/a"), [], ["music.csv", "row 3", "file line 4", "column 'r'", "'n/a'"]),
    ((5, "n", ""), [], ["row 5", "column 'n'", "empty cell"]),
    ((7, "r", "1.2"), [], ["row 7", "column 'r'", "strictly between -1 and 1", "1.2"]),
    ((2, "r", "-1"), [], ["row 2", "column 'r'", "strictly between -1 and 1"]),
    ((9, "n", "3"), [], ["row 9", "column 'n'", "greater than 3"]),
    ((4, "instrument_type", ""), ["--moderator", "instrument_type"], ["row 4", "column 'instrument_type'", "empty"]),
    (None, ["--method", "SJ"], ["--method", "DL, REML, PM, ML, HE", "'SJ'"]),
    (None, ["--test", "t"], ["--test", "'t'"]),
    (None, ["--level", "95"], ["--level", "(0, 1)"]),
    (None, ["--yi-col", "r"], ["--yi-col and --vi-col must be given together"]),
])
def test_bad_input_exits_2_with_location(app, tmp_path, edit, args, needles):
    lines = MUSIC_CSV.strip().splitlines()  # lines[0] is the header, so lines[row] is data row `row`
    if edit is not None:
        row, column, text = edit
        head, *tail = lines[row].rsplit(",", len(TRAILING))  # the sample label may contain a comma
        tail[TRAILING.index(column)] = text
        lines[row] = ",".join([head, *tail])
    path = tmp_path / "music.csv"
    path.write_text("\n".join(lines) + "\n")
    result = run(app, path, *args)
    assert result.exit_code == 2, result.output
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def test_too_few_studies_for_the_model_exits_2(app, tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("r,n,year\n0.3,40,1990\n0.5,60,2000\n")
    result = run(app, path, "--moderator", "year")
    assert result.exit_code == 2
    assert "two.csv" in result.stderr and "more studies than model coefficients" in result.stderr


def test_missing_file_exits_2(app, tmp_path):
    result = run(app, tmp_path / "absent.csv")
    assert result.exit_code == 2 and "absent.csv" in result.stderr


def test_registered_in_dprep_cli():
    from dprep.cli import app as dprep_app

    result = CliRunner().invoke(dprep_app, ["meta", "--help"])
    assert result.exit_code == 0 and "--moderator" in result.stdout


# ----------------------------------------------------------------------------------------------
# --blinding-col and --bayes.  References: the DerSimonian–Laird formulas computed by hand in
# numpy (not dprep.stats.meta), the bias prior of Hróbjartsson et al. (2013) (ΔSMD −0.23, 95% CI −0.40
# to −0.06), and the REML fit of the same data for the Bayesian fit (a weakly informative prior
# must not move μ far from the likelihood).
# ----------------------------------------------------------------------------------------------
PRIORS = Path(__file__).resolve().parents[2] / "data" / "raw" / "blinding_bias_priors.csv"
HROB = "Hrobjartsson et al. 2013"
HROB_SD = (0.40 - 0.06) / (2 * stats.norm.ppf(0.975))  # SE from the reported 95% CI

# Standardized mean differences: two unblinded, two blinded, one unclear.
SMD_CSV = "study,yi,vi,blind\na,0.80,0.05,unblinded\nb,0.30,0.04,blinded\nc,0.70,0.06,Unblinded\nd,0.20,0.05,blinded\ne,0.50,0.08,unclear\n"
# The 16 music correlations (Macnamara et al. 2014, as in the project's data): enough heterogeneity that
# τ is away from 0, where NUTS runs without divergences.
R_CSV = "study,r,n,blind\na,0.5,40,unblinded\nb,0.3,60,blinded\nc,0.45,35,unblinded\nd,0.2,80,blinded\ne,0.35,50,unclear\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def dl_pool(y, v):
    """DerSimonian–Laird estimate, by the textbook formulas (independent of dprep.stats.meta)."""
    y, v = np.asarray(y, float), np.asarray(v, float)
    w = 1 / v
    q = np.sum(w * (y - np.sum(w * y) / w.sum()) ** 2)
    tau2 = max(0.0, (q - (y.size - 1)) / (w.sum() - np.sum(w**2) / w.sum()))
    ws = 1 / (v + tau2)
    return float(np.sum(ws * y) / ws.sum()), float(1 / math.sqrt(ws.sum())), tau2


def test_bias_adjusted_estimate_hand_computed(app, tmp_path):
    out = run_json(app, write(tmp_path, "smd.csv", SMD_CSV), "--yi-col", "yi", "--vi-col", "vi",
                   "--blinding-col", "blind", "--bias-prior", HROB, "--bias-priors", PRIORS)
    adj = out["bias_adjusted"]
    assert adj["prior"] == "Hrobjartsson et al. 2013: subjective measurement scale"
    assert adj["bias"] == pytest.approx(0.23, abs=1e-12)
    assert adj["bias_var"] == pytest.approx(HROB_SD**2, rel=1e-9)
    assert adj["n_adjusted"] == 3  # unblinded and unclear studies are at risk of bias
    y = np.array([0.80, 0.30, 0.70, 0.20, 0.50])
    v = np.array([0.05, 0.04, 0.06, 0.05, 0.08])
    risk = np.array([True, False, True, False, True])
    est, se, tau2 = dl_pool(np.where(risk, y - 0.23, y), np.where(risk, v + HROB_SD**2, v))
    assert adj["adjusted"]["estimate"] == pytest.approx(est, rel=1e-9)
    assert adj["adjusted"]["se"] == pytest.approx(se, rel=1e-9)
    assert adj["adjusted"]["tau2"] == pytest.approx(tau2, abs=1e-12)
    assert adj["unadjusted"]["estimate"] == pytest.approx(dl_pool(y, v)[0], rel=1e-9)


def test_blinding_subgroups_and_regression(app, tmp_path):
    out = run_json(app, write(tmp_path, "smd.csv", SMD_CSV), "--yi-col", "yi", "--vi-col", "vi", "--method", "DL",
                   "--test", "z", "--blinding-col", "blind", "--bias-prior", HROB, "--bias-priors", PRIORS)
    blind = out["blinding"]
    assert blind["counts"] == {"blinded": 2, "unblinded": 2, "unclear": 1}  # case folded
    groups = {row["group"]: row for row in blind["subgroups"]}
    # each subgroup is its own DL fit: blinded (0.30, 0.20), unblinded (0.80, 0.70), unclear alone
    assert groups["blinded"]["estimate"] == pytest.approx(dl_pool([0.30, 0.20], [0.04, 0.05])[0], rel=1e-9)
    assert groups["unblinded"]["estimate"] == pytest.approx(dl_pool([0.80, 0.70], [0.05, 0.06])[0], rel=1e-9)
    assert groups["unclear"]["estimate"] == pytest.approx(0.50)
    reg = blind["regression"]
    assert reg["qm_df"] == [2]
    names = [c["name"] for c in reg["coefficients"]]
    assert names == ["intrcpt", "blindunblinded", "blindunclear"]  # blinded is the reference level
    assert reg["coefficients"][1]["estimate"] > 0.3  # unblinded studies report larger effects here


def test_correlations_use_the_fisher_z_translation(app, tmp_path):
    out = run_json(app, write(tmp_path, "r.csv", R_CSV), "--blinding-col", "blind", "--bias-prior", HROB,
                   "--bias-priors", PRIORS)
    # at d = 0 with equal groups: shift = atanh(0.23/sqrt(0.23^2 + 4)), SE = 0.5 * SE_SMD
    assert out["bias_adjusted"]["bias"] == pytest.approx(math.atanh(0.23 / math.sqrt(0.23**2 + 4)), rel=1e-12)
    assert out["bias_adjusted"]["bias_var"] == pytest.approx((HROB_SD / 2) ** 2, rel=1e-9)
    adjusted = out["bias_adjusted"]["adjusted"]
    assert adjusted["estimate_r"] == pytest.approx(math.tanh(adjusted["estimate"]), rel=1e-12)
    assert adjusted["estimate"] < out["bias_adjusted"]["unadjusted"]["estimate"]


def test_default_prior_comes_from_the_params_file(app, tmp_path):
    params = write(tmp_path, "params.yaml", f"bayes:\n  default_bias_prior: \"{HROB}\"\n")
    out = run_json(app, write(tmp_path, "smd.csv", SMD_CSV), "--yi-col", "yi", "--vi-col", "vi",
                   "--blinding-col", "blind", "--bias-priors", PRIORS, "--params", params)
    assert out["bias_adjusted"]["prior"].startswith(HROB)
    missing = run(app, write(tmp_path, "smd2.csv", SMD_CSV), "--yi-col", "yi", "--vi-col", "vi",
                  "--blinding-col", "blind", "--bias-priors", PRIORS, "--params", tmp_path / "none.yaml")
    assert missing.exit_code == 2 and "bias-prior" in missing.output


def test_bad_blinding_value_names_row_and_column(app, tmp_path):
    bad = SMD_CSV.replace("d,0.20,0.05,blinded", "d,0.20,0.05,single-blind")
    result = run(app, write(tmp_path, "bad.csv", bad), "--yi-col", "yi", "--vi-col", "vi", "--blinding-col", "blind",
                 "--bias-prior", HROB, "--bias-priors", PRIORS)
    assert result.exit_code == 2
    assert "row 4" in result.output and "'blind'" in result.output and "single-blind" in result.output


def test_ambiguous_prior_lists_the_choices(app, tmp_path):
    result = run(app, write(tmp_path, "smd.csv", SMD_CSV), "--yi-col", "yi", "--vi-col", "vi",
                 "--blinding-col", "blind", "--bias-prior", "Wood et al. 2008", "--bias-priors", PRIORS)
    assert result.exit_code == 2
    assert "matches 2 rows" in result.output and "Wood et al. 2008: subjective" in result.output


@pytest.mark.slow
def test_bayes_adds_posterior_summaries_near_reml(app, tmp_path):
    csv = write(tmp_path, "music.csv", MUSIC_CSV)
    out = run_json(app, csv, "--bayes", "--draws", 2000, "--seed", 7)
    for key in ("post_mean_mu", "post_sd_mu", "post_mean_tau", "mu_hdi_lb", "mu_hdi_ub", "post_mean_mu_r",
                "mu_r_hdi_lb", "mu_r_hdi_ub"):
        assert key in out
    low, high = out["mu_hdi_lb"], out["mu_hdi_ub"]
    assert low < out["post_mean_mu"] < high
    # A Normal(0, 1) prior is weak next to 16 studies (SE of μ ≈ 0.07): μ stays near the REML estimate.
    assert out["post_mean_mu"] == pytest.approx(out["estimate"], abs=0.05)
    assert math.tanh(low) == pytest.approx(out["mu_r_hdi_lb"], abs=0.02)
    assert out["bayes"]["n_divergent"] == 0 and out["bayes"]["max_r_hat"] < 1.01
    again = run_json(app, csv, "--bayes", "--draws", 2000, "--seed", 7)
    assert again["post_mean_mu"] == out["post_mean_mu"]  # same seed, same draws


# ----------------------------------------------------------------------------------------------
# --influence and --cumul-col: the same numbers as dprep.stats.meta.influence / cumul (checked against
# metafor in tests/stats/meta/test_influence.py), one object per study / step, keys as documented.
# ----------------------------------------------------------------------------------------------


@pytest.mark.reference
def test_influence_and_cumulative_match_metafor(app):
    # reference: tests/reference/influence_metafor.json, influence(rma(yi, vi, data=bcg, method='REML')) and
    # cumul(..., order=year), written by tests/reference/influence.R; relative tolerance 1e-6
    ref = json.loads((REF_DIR / "influence_metafor.json").read_text())
    out = run_json(app, BCG_CSV, "--yi-col", "yi", "--vi-col", "vi", "--test", "z", "--influence", "--cumul-col", "year")
    rows = out["influence"]
    assert [r["study"] for r in rows] == [str(i) for i in range(1, 14)]
    assert set(rows[0]) == {"study", "rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "qe_del", "hat", "weight",
                            "dfbetas", "flagged"}
    inf = ref["influence_bcg_reml"]
    for key in ("rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "qe_del", "hat", "weight"):
        assert [r[key] for r in rows] == pytest.approx(inf[key], rel=RTOL), key
    assert [r["dfbetas"]["intrcpt"] for r in rows] == pytest.approx(inf["dfbetas"]["intrcpt"], rel=RTOL)
    cu, ref_cu = out["cumulative"], ref["cumul_bcg_reml"]
    assert [c["added"] for c in cu] == ref_cu["slab"] and [c["order"] for c in cu] == sorted(c["order"] for c in cu)
    assert [c["estimate"] for c in cu] == pytest.approx(ref_cu["estimate"], rel=RTOL)


def test_cumul_column_must_exist(app, music_csv):
    result = run(app, music_csv, "--cumul-col", "year")
    assert result.exit_code == 2 and "--cumul-col" in result.stderr and "'year'" in result.stderr


# --- --levels (multilevel model) and --robust (cluster-robust inference) -----------------------------------
# reference: tests/reference/multilevel_metafor.json (tests/reference/multilevel_metafor.R), each value
# beside its R call, e.g. rma.mv(yi, vi, random = ~ 1 | district/school, data = dat, control = ctl_mv(2)),
# confint(res, control = list(tol = 1e-12)), predict(res), robust(res, cluster = dat$study,
# clubSandwich = TRUE), Wald_test(res, constraints = constrain_zero(res$btt), vcov = 'CR2', ..., test = 'HTZ')
ML_REF = json.loads((REF_DIR / "multilevel_metafor.json").read_text())
KONST_CSV = REF_DIR / "konstantopoulos2011.csv"
ASSINK_CSV = REF_DIR / "assink2016.csv"
YI_VI = ("--yi-col", "yi", "--vi-col", "vi")


def ref_value(section, case, key):
    return ML_REF[section][case][key]["value"]


@pytest.mark.reference
def test_levels_match_metafor_rma_mv(app):
    out = run_json(app, KONST_CSV, *YI_VI, "--levels", "district,school")
    case = "konstantopoulos_reml"
    assert out["model"] == "multilevel" and out["levels"] == ["district", "district/school"]
    assert out["n_groups"] == [11, 56] and out["k"] == 56 and "tau2" not in out
    for key, ref in [("estimate", "beta"), ("se", "se"), ("stat", "zval"), ("pval", "pval"), ("ci_lb", "ci_lb"),
                     ("ci_ub", "ci_ub"), ("sigma2", "sigma2"), ("i2_levels", "i2_levels"), ("i2", "i2_total"),
                     ("loglik", "loglik"), ("q", "qe"), ("pi_lb", "pi_lb"), ("pi_ub", "pi_ub")]:
        assert out[key] == pytest.approx(ref_value("multilevel", case, ref), rel=RTOL), key
    assert out["q_df"] == 55 and math.log(out["q_p"]) == pytest.approx(math.log(ref_value("multilevel", case, "qe_p")))
    assert out["sigma2_ci"] == [pytest.approx(ref_value("multilevel", case, f"sigma2_{j}_ci"), rel=RTOL)
                                for j in (1, 2)]


@pytest.mark.reference
def test_levels_moderator_and_cr2_match_metafor_and_clubsandwich(app):
    out = run_json(app, ASSINK_CSV, *YI_VI, "--levels", "study,esid", "--moderator", "deltype", "--robust", "study")
    fit, rob = "assink_deltype_reml", "assink_mv_deltype_study"
    assert [c["name"] for c in out["coefficients"]] == ["intrcpt", "deltypegeneral", "deltypeovert"]
    assert [c["estimate"] for c in out["coefficients"]] == pytest.approx(ref_value("multilevel", fit, "beta"), rel=RTOL)
    assert out["sigma2_residual"] == pytest.approx(ref_value("multilevel", fit, "sigma2"), rel=RTOL)
    assert out["qm"] == pytest.approx(ref_value("multilevel", fit, "qm"), rel=RTOL) and out["qm_df"] == [2]
    for key, ref in [("se", "cr2_se"), ("df", "cr2_df"), ("tval", "cr2_tval"), ("pval", "cr2_pval"),
                     ("ci_lb", "cr2_ci_lb"), ("ci_ub", "cr2_ci_ub")]:
        assert [c["robust"][key] for c in out["coefficients"]] == pytest.approx(ref_value("robust", rob, ref),
                                                                                rel=RTOL), key
    qm = out["robust_qm"]
    assert qm["test"] == "HTZ" and qm["qm"] == pytest.approx(ref_value("robust", rob, "htz_f"), rel=RTOL)
    assert qm["qm_df"] == pytest.approx([2, ref_value("robust", rob, "htz_df_denom")], rel=RTOL)
    assert qm["qm_p"] == pytest.approx(ref_value("robust", rob, "htz_p"), rel=RTOL)
    pooled = out["robust"]  # the intercept-only model: robust(rma.mv(... ~ 1 ...), cluster = dat$study, ...)
    assert pooled["cluster"] == "study" and pooled["adjust"] == "CR2" and pooled["n_clusters"] == 17
    assert pooled["se"] == pytest.approx(ref_value("robust", "assink_mv_study", "cr2_se"), rel=RTOL)
    assert pooled["df"] == pytest.approx(ref_value("robust", "assink_mv_study", "cr2_df"), rel=RTOL)


@pytest.mark.reference
def test_robust_cr1_of_the_two_level_model_matches_metafor(app):
    out = run_json(app, BCG_CSV, *YI_VI, "--robust", "trial", "--cr", "CR1", "--moderator", "ablat")
    assert "tau2" in out and "model" not in out  # the two-level output, plus the robust keys
    for key, ref in [("se", "cr1_se"), ("df", "cr1_df"), ("tval", "cr1_tval"), ("pval", "cr1_pval"),
                     ("ci_lb", "cr1_ci_lb"), ("ci_ub", "cr1_ci_ub")]:
        assert out["robust"][key] == pytest.approx(ref_value("robust", "bcg_trial", ref), rel=RTOL), key
        assert [c["robust"][key] for c in out["coefficients"]] == pytest.approx(
            np.broadcast_to(ref_value("robust", "bcg_ablat_trial", ref), (2,)), rel=RTOL), key
    assert out["robust_qm"]["test"] == "F" and out["robust_qm"]["qm_df"] == [1, 11]
    assert out["robust_qm"]["qm_p"] == pytest.approx(ref_value("robust", "bcg_ablat_trial", "cr1_qm_p"), rel=RTOL)


def test_levels_pretty_output(app):
    result = run(app, KONST_CSV, *YI_VI, "--levels", "district,school", "--robust", "district")
    assert result.exit_code == 0, result.output
    assert "sigma2_ci" in result.stdout and "district/school" in result.stdout and "n_clusters" in result.stdout


@pytest.mark.parametrize(("args", "needles"), [
    (["--levels", "study,nope"], ["assink2016.csv", "column 'nope'", "--levels", "not found"]),
    (["--robust", "nope"], ["assink2016.csv", "column 'nope'", "--robust", "not found"]),
    (["--levels", "study,blank"], ["row 4", "file line 5", "column 'blank'", "empty"]),
    (["--robust", "one"], ["column 'one'", "--robust", "single cluster"]),
    (["--levels", "one,esid"], ["--levels", "at least 2 groups at the outermost level", "'one'"]),
    (["--levels", "study,esid", "--test", "knha"], ["--levels", "--test knha"]),
    (["--robust", "study", "--cr", "HC3"], ["--cr", "CR0, CR1, CR2", "'HC3'"]),
])
def test_levels_and_robust_bad_input_exits_2(app, tmp_path, args, needles):
    table = pd.read_csv(ASSINK_CSV).assign(one="x", blank="b")
    table.loc[3, "blank"] = ""
    path = tmp_path / "assink2016.csv"
    table.to_csv(path, index=False)
    result = run(app, path, *YI_VI, *args)
    assert result.exit_code == 2, result.output
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


@pytest.mark.parametrize(("text", "needles"), [
    # issue 11 reproducers: each a one-line message and exit 2, never a traceback
    ("r,n\n", ["no data rows"]),                                             # header only
    ("r,n,r\n0.3,50,0.9\n0.2,60,0.9\n", ["column 'r'", "more than once"]),    # meta used the first 'r'
    ("r,n\n0.3,50.5\n0.2,60\n", ["row 1", "column 'n'", "whole number", "50.5"]),
    ("r,n\n0.3,1e308\n0.2,1e308\n", ["row 1", "column 'n'", "at most 1e+100", "1e+308"]),
    ("r,n\n0.3,50\n0.2,1e11\n0.4,60\n", ["rows 1 and 2", "column 'n'", "ratio of 2.13e+09"]),
    ("yi,vi\n0.3,0.02\n0.2,1e-300\n", ["row 2", "column 'vi'", "at least 1e-100"]),
])
def test_inputs_the_analysis_cannot_carry_exit_2(app, tmp_path, text, needles):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    args = ["--yi-col", "yi", "--vi-col", "vi"] if text.startswith("yi") else []
    result = run(app, path, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def test_case_deletion_above_its_limit_exits_2_before_fitting(app, tmp_path):
    rng = np.random.default_rng(3)
    k = meta.MAX_REFITS_K + 1
    path = tmp_path / "many.csv"
    pd.DataFrame({"r": rng.uniform(-0.2, 0.6, k).round(3), "n": rng.integers(20, 200, k)}).to_csv(path, index=False)
    result = run(app, path, "--influence")
    assert result.exit_code == 2 and "at most 10,000 studies, found 10,001" in result.stderr


def test_non_convergence_exits_2_with_the_remedy(app, tmp_path):
    # one effect far from four identical ones: Paule–Mandel's root search passes τ² = 1e12
    path = tmp_path / "far.csv"
    path.write_text("yi,vi\n0,1\n0,1\n0,1\n0,1\n30000000,1\n")
    result = run(app, path, "--yi-col", "yi", "--vi-col", "vi", "--method", "PM")
    assert result.exit_code == 2 and "far.csv" in result.stderr and "try method='DL'" in result.stderr
    # the multilevel fit of the same kind of data: Fisher scoring for σ² runs out of iterations
    path.write_text("yi,vi,s,e\n0,1,a,1\n0,1,a,2\n0,1,b,3\n0,1,b,4\n30000000,1,c,5\n1e9,1,c,6\n")
    result = run(app, path, "--yi-col", "yi", "--vi-col", "vi", "--levels", "s,e")
    assert result.exit_code == 2 and result.stderr.startswith(f"{path}: --levels: Fisher scoring")
    assert "try method='ML'" in result.stderr and len(result.stderr.splitlines()) == 1


def test_bayes_that_fails_its_gates_exits_2(app, tmp_path, monkeypatch):
    # exit 1 before: --bayes handled its ConvergenceError itself; dprep's group maps it as every DprepError
    from dprep.models import diagnostics
    from dprep.models import meta as bmeta

    def failing(*args, **kwargs):
        raise diagnostics.ConvergenceError("MCMC convergence checks failed; the posterior summaries are not "
                                           "reported.\n- R-hat of tau = 1.030 exceeds 1.01: the chains disagree; "
                                           "estimates are unreliable. Increase tune/draws or reparameterise.")

    monkeypatch.setattr(bmeta, "bayesian_meta", failing)
    result = run(app, write(tmp_path, "music.csv", MUSIC_CSV), "--bayes")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith("MCMC convergence checks failed") and "Increase tune/draws" in result.stderr
