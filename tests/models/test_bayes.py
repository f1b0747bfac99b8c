"""Bayesian models: agreement with exact/grid answers, seeded repeatability, gates, save/load, plots.

MCMC tests use 2 chains x 1000 draws (tune 1000): enough for bulk ESS >= 400 on every parameter
while keeping the file to about a minute on 2 cores.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from dprep.models import groups as bgroups  # noqa: E402
from dprep.models import blinding  # noqa: E402
from dprep.models import meta as bmeta  # noqa: E402
from dprep.data import idata  # noqa: E402
from dprep.report.plots import bayes as bayes_plots  # noqa: E402
from dprep.models.diagnostics import ConvergenceError, Thresholds  # noqa: E402
from dprep.data.io import save_figure  # noqa: E402

MUSIC = Path(__file__).resolve().parents[2] / "data" / "raw" / "music_correlations_macnamara2014.csv"
SEED = 20190821
FAST = dict(draws=1000, tune=1000, chains=2, seed=SEED)
LOOSE = Thresholds(rhat_max=1.1, ess_bulk_min=20, ess_tail_min=20)
HROBJARTSSON = (0.23, (0.40 - 0.06) / (2 * 1.96))  # positive = unblinded assessment exaggerates


def _d_se(d: float, n1: int, n2: int) -> float:
    """Large-sample SE of Cohen's d (Hedges & Olkin 1985, ch. 5): √((n1+n2)/(n1·n2) + d²/(2(n1+n2)))."""
    return float(np.sqrt((n1 + n2) / (n1 * n2) + d**2 / (2 * (n1 + n2))))


@pytest.fixture(scope="module")
def music() -> tuple[np.ndarray, np.ndarray]:
    df = pd.read_csv(MUSIC)
    assert len(df) == 16
    return np.arctanh(df["r"].to_numpy()), 1 / np.sqrt(df["n"].to_numpy() - 3)


@pytest.fixture(scope="module")
def pair() -> tuple[list[float], list[float], list[int]]:
    """Best vs good violinists: original d from F(1, 27) = 4.59 with 10/10, replication d = -0.38 with 13/13."""
    d_orig = float(np.sqrt(4.59) * np.sqrt(1 / 10 + 1 / 10))
    return [d_orig, -0.38], [_d_se(d_orig, 10, 10), _d_se(-0.38, 13, 13)], [1, 0]


@pytest.fixture(scope="module")
def meta_fit(music) -> bmeta.BayesMetaResult:
    yi, sei = music
    return bmeta.bayesian_meta(yi, sei, fisher_z=True, new_study_se=0.1, **FAST)


@pytest.fixture(scope="module")
def sensitivity(pair) -> blinding.SensitivityResult:
    return blinding.prior_sensitivity(*pair, {"Hróbjartsson 2013": HROBJARTSSON}, **FAST)


@pytest.fixture(scope="module")
def groups_data() -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(SEED)
    values = np.concatenate([rng.normal(m, 2000, 13) for m in (7410, 5301, 3420)])
    return values, ["best"] * 13 + ["good"] * 13 + ["teachers"] * 13


@pytest.fixture(scope="module")
def group_fit(groups_data) -> bgroups.GroupComparisonResult:
    contrasts = {
        "best − good": {"best": 1, "good": -1},
        "mean(best, good) − teachers": {"best": 0.5, "good": 0.5, "teachers": -1},
    }
    return bgroups.bayesian_group_comparison(*groups_data, contrasts=contrasts, **FAST)


# --- grid (deterministic, fast) -------------------------------------------------------------


def test_grid_reduces_to_conjugate_normal_when_tau_is_tiny():
    y, se = np.array([0.2, 0.5, 0.3]), np.array([0.1, 0.2, 0.15])
    g = bmeta.grid_posterior_meta(y, se, mu_prior=(0, 1), tau_prior_sd=1e-4, n_grid=300)
    precision = 1 + np.sum(1 / se**2)
    assert g.mu_mean == pytest.approx(np.sum(y / se**2) / precision, abs=1e-4)
    assert g.mu_sd == pytest.approx(1 / np.sqrt(precision), rel=1e-3)


def test_grid_error_is_small(music):
    g = bmeta.grid_posterior_meta(*music)
    assert max(g.grid_error.values()) < 1e-5
    assert g.density.shape == (400, 400)


def test_inputs_are_validated(music):
    yi, sei = music
    with pytest.raises(ValueError, match="sei"):
        bmeta.bayesian_meta(yi, np.zeros_like(sei), seed=1)
    with pytest.raises(ValueError, match="tau_prior_sd"):
        bmeta.grid_posterior_meta(yi, sei, tau_prior_sd=0)
    with pytest.raises(ValueError, match="unblinded"):
        blinding.blinding_bias_meta([0.1, 0.2], [0.1, 0.1], [1, 2], beta_prior=(0, 1), seed=1)
    with pytest.raises(ValueError, match="sum to 0"):
        bgroups.bayesian_group_comparison([1, 2, 3, 4], ["a", "a", "b", "b"],
                                        contrasts={"bad": {"a": 1}}, seed=1)


# --- random-effects meta-analysis -------------------------------------------------------------


@pytest.mark.slow
def test_meta_mcmc_agrees_with_grid(meta_fit, music):
    g = bmeta.grid_posterior_meta(*music)
    for name, grid_mean in (("mu", g.mu_mean), ("tau", g.tau_mean)):
        row = meta_fit.posterior.set_index("parameter").loc[name]
        tolerance = 4 * row["mcse_mean"] + g.grid_error[f"{name}_mean"]
        assert abs(row["mean"] - grid_mean) < tolerance, (name, row["mean"], grid_mean, tolerance)
    assert meta_fit.post_sd_mu == pytest.approx(g.mu_sd, rel=0.1)


@pytest.mark.slow
def test_meta_result_fields(meta_fit):
    post = meta_fit.idata.posterior
    np.testing.assert_allclose(post["mu_r"], np.tanh(post["mu"]))
    np.testing.assert_allclose(post["theta_new_r"], np.tanh(post["theta_new"]))
    lo, hi = meta_fit.mu_hdi
    assert lo < meta_fit.post_mean_mu < hi
    new_lo, new_hi = meta_fit.theta_new_hdi
    assert new_lo < lo and new_hi > hi  # prediction interval is wider than the interval for μ
    assert 0 < meta_fit.mu_r_hdi[0] < meta_fit.mu_r_hdi[1] < 1
    assert meta_fit.diagnostics.passed and meta_fit.diagnostics.n_divergent == 0
    assert meta_fit.timing.sample_seconds > 0 and meta_fit.timing.ess_per_second > 0
    assert meta_fit.to_dict()["min_ess_bulk"] >= 400


@pytest.mark.slow
def test_same_seed_same_draws_other_seed_other_draws(music):
    yi, sei = music
    kw = dict(draws=100, tune=100, chains=2, thresholds=LOOSE)
    a = bmeta.bayesian_meta(yi, sei, seed=7, **kw).idata.posterior
    b = bmeta.bayesian_meta(yi, sei, seed=7, **kw).idata.posterior
    c = bmeta.bayesian_meta(yi, sei, seed=8, **kw).idata.posterior
    for name in ("mu", "tau", "theta", "theta_new"):
        np.testing.assert_array_equal(a[name].values, b[name].values)
    assert not np.array_equal(a["mu"].values, c["mu"].values)


@pytest.mark.slow
def test_gate_rejects_short_runs(music):
    with pytest.raises(ConvergenceError, match="ESS of"):
        bmeta.bayesian_meta(*music, draws=30, tune=30, chains=2, seed=SEED)


@pytest.mark.slow
def test_save_load_roundtrip(meta_fit, tmp_path):
    path = tmp_path / "fits" / "meta.nc"
    idata.save_idata(meta_fit.idata, path)
    idata.save_idata(meta_fit.idata, path)  # overwriting works too
    assert [p.name for p in path.parent.iterdir()] == ["meta.nc"]  # no temporary file left
    loaded = idata.load_idata(path)
    np.testing.assert_array_equal(loaded.posterior["mu"].values, meta_fit.idata.posterior["mu"].values)
    assert list(loaded.posterior["theta"].coords["study"].values) == [str(i) for i in range(16)]


# --- blinding-bias model ----------------------------------------------------------------------


def _gaussian_posterior(y, se, x, theta_prior, beta_prior):
    """Exact posterior of (θ, β) for τ = 0: a conjugate linear-Gaussian model."""
    X = np.column_stack([np.ones(len(y)), x])
    W = np.diag(1 / np.asarray(se) ** 2)
    prior_mean = np.array([theta_prior[0], beta_prior[0]])
    prior_prec = np.diag([1 / theta_prior[1] ** 2, 1 / beta_prior[1] ** 2])
    cov = np.linalg.inv(X.T @ W @ X + prior_prec)
    return cov @ (X.T @ W @ np.asarray(y) + prior_prec @ prior_mean), cov


@pytest.mark.slow
def test_blinding_pair_matches_exact_gaussian_posterior(sensitivity, pair):
    fit = sensitivity.fits["Hróbjartsson 2013"]
    assert fit.tau_prior_sd == 0 and "tau" not in fit.idata.posterior  # pair default: common effect
    mean, cov = _gaussian_posterior(*pair, (0.0, 1.0), HROBJARTSSON)
    table = fit.posterior.set_index("parameter")
    for i, name in enumerate(("theta", "beta")):
        assert abs(table.loc[name, "mean"] - mean[i]) < 4 * table.loc[name, "mcse_mean"]
        assert table.loc[name, "sd"] == pytest.approx(np.sqrt(cov[i, i]), rel=0.05)


@pytest.mark.slow
def test_prior_sensitivity_table(sensitivity):
    t = sensitivity.table
    assert list(t["prior"]) == ["no bias (β = 0)", "Hróbjartsson 2013", "wide"]
    assert np.isnan(t.loc[0, "beta_prior_mean"]) and t.loc[0, "beta_post_mean"] == 0
    assert "beta" not in sensitivity.idatas["no bias (β = 0)"].posterior
    # the unblinded original has the larger d: allowing more bias lowers θ and P(θ > 0)
    assert t["theta_mean"].is_monotonic_decreasing
    assert t["p_theta_positive"].is_monotonic_decreasing
    assert (t["theta_hdi_lb"] < t["theta_mean"]).all() and (t["theta_mean"] < t["theta_hdi_ub"]).all()
    # the data pull β above its prior mean: the pair's discrepancy is larger than the prior expects
    assert t.loc[1, "beta_post_mean"] > HROBJARTSSON[0]


@pytest.mark.slow
def test_blinding_with_small_tau(pair):
    fit = blinding.blinding_bias_meta(*pair, beta_prior=HROBJARTSSON, tau_prior_sd=0.1,
                                   target_accept=0.95, **FAST)
    assert {"theta", "beta", "tau"} <= set(fit.posterior["parameter"])
    assert fit.diagnostics.n_divergent == 0


# --- robust group comparison ----------------------------------------------------------------


@pytest.mark.slow
def test_group_comparison(group_fit, groups_data):
    values, labels = groups_data
    labels = np.asarray(labels)
    c = group_fit.contrasts.set_index("contrast")
    sample_diff = values[labels == "best"].mean() - values[labels == "good"].mean()
    assert c.loc["best − good", "hdi_lb"] < sample_diff < c.loc["best − good", "hdi_ub"]
    assert c.loc["mean(best, good) − teachers", "p_positive"] > 0.99
    assert list(group_fit.groups["n"]) == [13, 13, 13]
    # η² is the finite-population share recomputed from the group means and scales of each draw
    post = group_fit.idata.posterior
    mu, sigma = post["mu"].values, post["sigma"].values
    grand = mu.mean(axis=-1, keepdims=True)
    between = ((mu - grand) ** 2).mean(axis=-1)
    np.testing.assert_allclose(post["eta2"].values, between / (between + (sigma**2).mean(axis=-1)), rtol=1e-6)
    lo, hi = group_fit.eta2_hdi
    assert 0 < lo < group_fit.eta2_mean < hi < 1


def test_default_contrasts_are_pairwise():
    labels, weights = bgroups._contrast_matrix(["a", "b", "c"], None)
    assert labels == ["a − b", "a − c", "b − c"]
    np.testing.assert_array_equal(weights, [[1, -1, 0], [1, 0, -1], [0, 1, -1]])


# --- plots ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_plots_return_figures_and_alt_text(meta_fit, sensitivity, tmp_path):
    blinding = sensitivity.fits["Hróbjartsson 2013"].idata
    plots = [
        bayes_plots.plot_trace(meta_fit.idata, ["mu", "tau"]),
        bayes_plots.plot_posterior_hdi(meta_fit.idata, ["mu", "tau"], ref_val=0, labels=["μ (z)", "τ"]),
        bayes_plots.plot_beta_prior_posterior(blinding, HROBJARTSSON),
        bayes_plots.plot_mu_vs_reml(meta_fit.idata, 0.41, (0.30, 0.52), transform=np.tanh, scale_label="r"),
    ]
    for i, (fig, alt) in enumerate(plots):
        assert isinstance(fig, matplotlib.figure.Figure)
        assert len(alt) > 60 and any(ch.isdigit() for ch in alt)
        save_figure(tmp_path / f"fig{i}.png", fig)
        assert (tmp_path / f"fig{i}.png").stat().st_size > 1000
        plt.close(fig)
    assert "REML (frequentist), 95% CI: 0.410 (0.300 to 0.520)" in plots[3].alt_text
    assert "no-bias line" in plots[2].alt_text
