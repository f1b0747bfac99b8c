"""Bayesian models: random-effects meta-analysis, a blinding-bias model, and a robust group comparison.

Every fit is seeded (same seed, same draws), passes the convergence gates of
:func:`dprep.models.diagnostics.require_converged` before it returns, and records how long compilation and
sampling took and the effective sample size (ESS) per second.

Models
------
* :func:`bayesian_meta` — normal–normal random-effects meta-analysis, non-centred
  (Higgins, Thompson & Spiegelhalter 2009), with the predictive distribution of a new study.
* :func:`grid_posterior_meta` — the same model's posterior of (μ, τ) by deterministic quadrature:
  an MCMC-free check of :func:`bayesian_meta`.
* :func:`blinding_bias_meta` and :func:`prior_sensitivity` — a bias-adjusted meta-analysis in which
  studies with unblinded outcome assessment carry an additive bias β (Welton et al. 2009), with a
  prior for β from meta-epidemiology (e.g. Hróbjartsson et al. 2013).
* :func:`bayesian_group_comparison` — Student-t model of participant-level values per group
  (Kruschke 2013, "BEST"), with contrasts and a finite-population η².

References
----------
Higgins, J. P. T., Thompson, S. G. & Spiegelhalter, D. J. (2009). A re-evaluation of random-effects
meta-analysis. *J. R. Stat. Soc. A* 172(1), 137–159 (normal–normal random-effects model and the predictive distribution θ_new ~ N(μ, τ²) of a new study).
Welton, N. J., Ades, A. E., Carlin, J. B., Altman, D. G. & Sterne, J. A. C. (2009). Models for
potentially biased evidence in meta-analysis using empirically based priors. *J. R. Stat. Soc. A*
172(1), 119–136 (additive bias model y_i ~ N(θ + β·x_i + u_i, se_i²) with an empirically based prior on β).
Hróbjartsson, A. et al. (2013). Observer bias in randomized clinical trials with measurement scale
outcomes. *CMAJ* 185(4), E201–E211. doi:10.1503/cmaj.120744.
Kruschke, J. K. (2013). Bayesian estimation supersedes the t test. *J. Exp. Psychol. Gen.* 142(2),
573–603 (t likelihood per group; prior on ν − 1: Exponential with mean 29).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
from scipy import stats

from dprep.models.diagnostics import DiagnosticsReport, Thresholds, require_converged
from dprep.data.io import atomic_path

__all__ = [
    "FitTiming",
    "BayesMetaResult",
    "GridPosterior",
    "BlindingResult",
    "SensitivityResult",
    "GroupComparisonResult",
    "bayesian_meta",
    "grid_posterior_meta",
    "blinding_bias_meta",
    "prior_sensitivity",
    "bayesian_group_comparison",
    "save_idata",
    "load_idata",
]

HDI_PROB = 0.95


# ---------------------------------------------------------------------------------------------
# Shared machinery
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FitTiming:
    """Wall-clock cost of one fit.

    Attributes
    ----------
    compile_seconds : float
        Time in :func:`pymc.sample` outside the sampling loop: graph compilation (C code is cached
        on disk by PyTensor, so a repeat run of the same model compiles faster), initialisation and
        process start-up.
    sample_seconds : float
        Time spent drawing (tuning included), as recorded by PyMC.
    min_ess_bulk : float
        Smallest bulk ESS over the gated parameters.
    """

    compile_seconds: float
    sample_seconds: float
    min_ess_bulk: float

    @property
    def total_seconds(self) -> float:
        """Compilation plus sampling, in seconds."""
        return self.compile_seconds + self.sample_seconds

    @property
    def ess_per_second(self) -> float:
        """Smallest bulk ESS divided by the total time (compilation included)."""
        return self.min_ess_bulk / self.total_seconds

    @property
    def ess_per_sampling_second(self) -> float:
        """Smallest bulk ESS divided by the sampling time alone."""
        return self.min_ess_bulk / self.sample_seconds


def _sample(
    model: pm.Model, *, draws: int, tune: int, chains: int, cores: int | None, seed: int,
    target_accept: float,
) -> tuple[az.InferenceData, float, float]:
    """Draw from ``model`` with NUTS; return the draws, compile/setup seconds and sampling seconds."""
    start = time.perf_counter()
    with model:
        idata = pm.sample(
            draws=draws, tune=tune, chains=chains, cores=cores, random_seed=seed,
            target_accept=target_accept, progressbar=False, compute_convergence_checks=False,
        )
    total = time.perf_counter() - start
    sampling = float(idata.sample_stats.attrs["sampling_time"])
    return idata, max(total - sampling, 0.0), sampling


def _gate(
    idata: az.InferenceData, compile_s: float, sample_s: float, thresholds: Thresholds
) -> tuple[DiagnosticsReport, FitTiming]:
    report = require_converged(idata, thresholds=thresholds)
    return report, FitTiming(compile_s, sample_s, report.min_ess_bulk)


def _summary(idata: az.InferenceData, var_names: Sequence[str]) -> pd.DataFrame:
    """Tidy posterior table: one row per scalar parameter, 95% HDI, MCSE and diagnostics."""
    s = az.summary(idata, var_names=list(var_names), hdi_prob=HDI_PROB, round_to="none")
    s = s.rename(columns={"hdi_2.5%": "hdi_low", "hdi_97.5%": "hdi_high"})
    s.index.name = "parameter"
    return s.reset_index()


def _row(summary: pd.DataFrame, parameter: str) -> pd.Series:
    match = summary.loc[summary["parameter"] == parameter]
    if match.empty:
        raise KeyError(f"{parameter!r} is not in the summary table")
    return match.iloc[0]


def _hdi(summary: pd.DataFrame, parameter: str) -> tuple[float, float]:
    row = _row(summary, parameter)
    return float(row["hdi_low"]), float(row["hdi_high"])


def _check_prior(name: str, prior: tuple[float, float]) -> tuple[float, float]:
    mean, sd = (float(v) for v in prior)
    if not (np.isfinite(mean) and np.isfinite(sd) and sd > 0):
        raise ValueError(f"{name} must be (mean, sd) with a finite mean and sd > 0; got {prior!r}.")
    return mean, sd


def _check_studies(yi: Sequence[float], sei: Sequence[float], min_k: int) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(yi, dtype=float)
    se = np.asarray(sei, dtype=float)
    if y.ndim != 1 or se.shape != y.shape:
        raise ValueError(f"yi and sei must be 1-D of equal length; got shapes {y.shape} and {se.shape}.")
    if y.size < min_k:
        raise ValueError(f"At least {min_k} studies are needed; got {y.size}.")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(se)) and np.all(se > 0)):
        raise ValueError("yi must be finite and sei finite and positive (a zero SE gives a study infinite weight).")
    return y, se


def save_idata(idata: az.InferenceData, path: str | Path) -> None:
    """Write ``idata`` to NetCDF (HDF5 engine) atomically: a failed write leaves ``path`` untouched.

    Parameters
    ----------
    idata : arviz.InferenceData
    path : path-like
        Destination, conventionally ``*.nc``; its folder is created if missing.
    """
    with atomic_path(path) as tmp:
        idata.to_netcdf(str(tmp), engine="h5netcdf")


def load_idata(path: str | Path) -> az.InferenceData:
    """Read an ``InferenceData`` written by :func:`save_idata`, fully into memory (no open file handle)."""
    with az.rc_context({"data.load": "eager"}):
        return az.from_netcdf(str(path), engine="h5netcdf")


# ---------------------------------------------------------------------------------------------
# Random-effects meta-analysis
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BayesMetaResult:
    """Posterior of a normal–normal random-effects meta-analysis.

    Attributes
    ----------
    idata : arviz.InferenceData
        Posterior of ``mu``, ``tau``, ``eta`` (study, standardised), ``theta`` (study) and the derived
        draws ``theta_new`` (true effect of a new study), ``y_new`` (its observed estimate, when
        ``new_study_se`` was given) and, for Fisher-z input, ``mu_r`` and ``theta_new_r`` (tanh).
    summary : pandas.DataFrame
        One row per scalar parameter: mean, sd, 95% HDI (``hdi_low``, ``hdi_high``), MCSE, bulk/tail
        ESS, R-hat.
    diagnostics : DiagnosticsReport
    timing : FitTiming
    fisher_z : bool
        Whether the input was Fisher z and the ``*_r`` rows are correlations.
    """

    idata: az.InferenceData
    summary: pd.DataFrame
    diagnostics: DiagnosticsReport
    timing: FitTiming
    fisher_z: bool

    @property
    def post_mean_mu(self) -> float:
        """Posterior mean of μ (analysis scale)."""
        return float(_row(self.summary, "mu")["mean"])

    @property
    def post_sd_mu(self) -> float:
        """Posterior standard deviation of μ."""
        return float(_row(self.summary, "mu")["sd"])

    @property
    def post_mean_tau(self) -> float:
        """Posterior mean of τ (between-study SD, analysis scale)."""
        return float(_row(self.summary, "tau")["mean"])

    @property
    def mu_hdi_95(self) -> tuple[float, float]:
        """95% highest-density interval of μ."""
        return _hdi(self.summary, "mu")

    @property
    def theta_new_hdi_95(self) -> tuple[float, float]:
        """95% HDI of a new study's true effect θ_new ~ Normal(μ, τ) (prediction interval)."""
        return _hdi(self.summary, "theta_new")

    @property
    def mu_r_hdi_95(self) -> tuple[float, float] | None:
        """95% HDI of tanh(μ), the pooled correlation (None unless the input was Fisher z)."""
        return _hdi(self.summary, "mu_r") if self.fisher_z else None

    @property
    def theta_new_r_hdi_95(self) -> tuple[float, float] | None:
        """95% HDI of tanh(θ_new), a new study's true correlation (None unless Fisher z input)."""
        return _hdi(self.summary, "theta_new_r") if self.fisher_z else None

    def as_dict(self) -> dict[str, object]:
        """Headline numbers and costs, JSON-ready."""
        out: dict[str, object] = {
            "post_mean_mu": self.post_mean_mu,
            "post_sd_mu": self.post_sd_mu,
            "post_mean_tau": self.post_mean_tau,
            "mu_hdi_95": list(self.mu_hdi_95),
            "theta_new_hdi_95": list(self.theta_new_hdi_95),
            "compile_seconds": self.timing.compile_seconds,
            "sample_seconds": self.timing.sample_seconds,
            "min_ess_bulk": self.timing.min_ess_bulk,
            "ess_per_second": self.timing.ess_per_second,
            "n_divergent": self.diagnostics.n_divergent,
        }
        if self.fisher_z:
            out["post_mean_mu_r"] = float(_row(self.summary, "mu_r")["mean"])
            out["mu_r_hdi_95"] = list(self.mu_r_hdi_95)
            out["theta_new_r_hdi_95"] = list(self.theta_new_r_hdi_95)
        return out


def bayesian_meta(
    yi: Sequence[float],
    sei: Sequence[float],
    *,
    mu_prior: tuple[float, float] = (0.0, 1.0),
    tau_prior_sd: float = 0.5,
    fisher_z: bool = False,
    new_study_se: float | None = None,
    study_labels: Sequence[str] | None = None,
    draws: int = 2000,
    tune: int = 1000,
    chains: int = 4,
    cores: int | None = None,
    seed: int,
    target_accept: float = 0.9,
    thresholds: Thresholds = Thresholds(),
) -> BayesMetaResult:
    """Bayesian random-effects meta-analysis, non-centred, with the predictive distribution of a new study.

    Model (Higgins et al. 2009)::

        y_i ~ Normal(θ_i, se_i)        θ_i = μ + τ·η_i,  η_i ~ Normal(0, 1)
        μ ~ Normal(m, s)               τ ~ HalfNormal(σ_τ)

    and, per posterior draw, θ_new = μ + τ·ε (ε ~ Normal(0, 1)) for a new study's true effect and
    y_new = θ_new + se_new·ε' for its estimate.  The non-centred form (η instead of θ) removes the
    funnel between τ and θ that makes the centred form diverge when τ is small.

    Parameters
    ----------
    yi, sei : sequence of float, shape (k,)
        Study estimates and standard errors on the analysis scale (e.g. Fisher z = atanh r with
        se = 1/√(n − 3)); k ≥ 2.
    mu_prior : (float, float)
        Mean and SD of the normal prior on μ. The default (0, 1) is weakly informative on the Fisher
        z or standardised-mean-difference scale.
    tau_prior_sd : float
        Scale σ_τ of the half-normal prior on τ (> 0). The default 0.5 on the z scale puts 95% prior
        mass below τ ≈ 0.98.
    fisher_z : bool
        Input is Fisher z: add ``mu_r = tanh(μ)`` and ``theta_new_r = tanh(θ_new)`` to the posterior.
        Their HDIs are computed on the r scale (an HDI is not invariant under tanh).
    new_study_se : float, optional
        Standard error of a hypothetical new study; adds ``y_new`` to the posterior.
    study_labels : sequence of str, optional
        Coordinates of the ``study`` dimension; default ``"0" … "k-1"``.
    draws, tune, chains, cores, target_accept
        Passed to :func:`pymc.sample` (NUTS).
    seed : int
        Seeds the sampler and the new-study draws; the same seed reproduces every draw.
    thresholds : Thresholds
        Convergence gates applied to every posterior variable.

    Returns
    -------
    BayesMetaResult

    Raises
    ------
    ValueError
        On malformed input or priors.
    dprep.models.diagnostics.ConvergenceError
        If the draws fail R-hat, ESS or divergence checks.
    """
    y, se = _check_studies(yi, sei, min_k=2)
    m, s = _check_prior("mu_prior", mu_prior)
    if not (np.isfinite(tau_prior_sd) and tau_prior_sd > 0):
        raise ValueError(f"tau_prior_sd must be positive; got {tau_prior_sd!r}.")
    labels = [str(v) for v in (study_labels if study_labels is not None else range(y.size))]
    if len(labels) != y.size:
        raise ValueError(f"study_labels has {len(labels)} entries for {y.size} studies.")
    if new_study_se is not None and not (np.isfinite(new_study_se) and new_study_se > 0):
        raise ValueError(f"new_study_se must be positive; got {new_study_se!r}.")

    with pm.Model(coords={"study": labels}) as model:
        mu = pm.Normal("mu", m, s)
        tau = pm.HalfNormal("tau", tau_prior_sd)
        eta = pm.Normal("eta", 0.0, 1.0, dims="study")
        theta = pm.Deterministic("theta", mu + tau * eta, dims="study")
        pm.Normal("y", theta, se, observed=y, dims="study")
    idata, compile_s, sample_s = _sample(
        model, draws=draws, tune=tune, chains=chains, cores=cores, seed=seed, target_accept=target_accept
    )

    post = idata.posterior
    rng = np.random.default_rng([seed, 1])
    theta_new = post["mu"] + post["tau"] * rng.standard_normal(post["mu"].shape)
    derived = {"theta_new": theta_new}
    if new_study_se is not None:
        derived["y_new"] = theta_new + new_study_se * rng.standard_normal(theta_new.shape)
    if fisher_z:
        derived["mu_r"] = np.tanh(post["mu"])
        derived["theta_new_r"] = np.tanh(theta_new)
    idata.posterior = post.assign(derived)

    report, timing = _gate(idata, compile_s, sample_s, thresholds)
    names = ["mu", "tau", "theta_new"] + [v for v in ("y_new", "mu_r", "theta_new_r") if v in derived]
    names += ["theta"]
    return BayesMetaResult(idata, _summary(idata, names), report, timing, fisher_z)


# ---------------------------------------------------------------------------------------------
# Grid posterior (MCMC-free check)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridPosterior:
    """Posterior of (μ, τ) by quadrature on a regular grid.

    Attributes
    ----------
    mu_mean, mu_sd, tau_mean, tau_sd : float
        Posterior moments.
    grid_error : dict of str to float
        Absolute change of each moment (keys ``mu_mean``, ``mu_sd``, ``tau_mean``, ``tau_sd``) when the
        grid is halved in each direction; an upper estimate of the quadrature error at ``n_grid``
        (trapezoid error falls as 1/n², so the error at n is about a third of this).
    mu_grid, tau_grid : numpy.ndarray, shape (n_grid,)
        Grid nodes.
    density : numpy.ndarray, shape (n_grid, n_grid)
        Normalised posterior density at (mu_grid[i], tau_grid[j]).
    """

    mu_mean: float
    mu_sd: float
    tau_mean: float
    tau_sd: float
    grid_error: dict[str, float]
    mu_grid: np.ndarray
    tau_grid: np.ndarray
    density: np.ndarray


def _grid_moments(y, se, m, s, tau_sd, mu_lim, tau_max, n):
    mu_g = np.linspace(mu_lim[0], mu_lim[1], n)
    tau_g = np.linspace(0.0, tau_max, n)
    var = se[None, None, :] ** 2 + tau_g[None, :, None] ** 2  # (1, T, k)
    resid = y[None, None, :] - mu_g[:, None, None]  # (M, 1, k)
    loglik = -0.5 * np.sum(np.log(2 * np.pi * var) + resid**2 / var, axis=2)  # (M, T)
    logpost = loglik + stats.norm.logpdf(mu_g, m, s)[:, None] + stats.halfnorm.logpdf(tau_g, scale=tau_sd)[None, :]
    dens = np.exp(logpost - logpost.max())
    dens /= np.trapezoid(np.trapezoid(dens, tau_g, axis=1), mu_g)
    p_mu = np.trapezoid(dens, tau_g, axis=1)
    p_tau = np.trapezoid(dens, mu_g, axis=0)
    mu_mean = np.trapezoid(mu_g * p_mu, mu_g)
    tau_mean = np.trapezoid(tau_g * p_tau, tau_g)
    mom = {
        "mu_mean": float(mu_mean),
        "mu_sd": float(np.sqrt(np.trapezoid((mu_g - mu_mean) ** 2 * p_mu, mu_g))),
        "tau_mean": float(tau_mean),
        "tau_sd": float(np.sqrt(np.trapezoid((tau_g - tau_mean) ** 2 * p_tau, tau_g))),
    }
    return mom, mu_g, tau_g, dens


def grid_posterior_meta(
    yi: Sequence[float],
    sei: Sequence[float],
    *,
    mu_prior: tuple[float, float] = (0.0, 1.0),
    tau_prior_sd: float = 0.5,
    n_grid: int = 400,
) -> GridPosterior:
    """Posterior moments of μ and τ of the :func:`bayesian_meta` model by 2-D quadrature.

    The study effects θ_i are integrated out analytically, y_i | μ, τ ~ Normal(μ, √(se_i² + τ²))
    (the marginal likelihood of Higgins et al. 2009), leaving p(μ, τ | y) ∝ p(μ) p(τ) Π_i N(y_i; μ, se_i² + τ²), which is
    evaluated on an n_grid × n_grid trapezoid grid.  A coarse first pass over a wide box locates the
    posterior; the second pass covers μ ± 10 SD and τ from 0 to its mean + 12 SD.

    Parameters
    ----------
    yi, sei : sequence of float, shape (k,)
        Study estimates and standard errors.
    mu_prior : (float, float)
        Normal prior (mean, SD) of μ.
    tau_prior_sd : float
        Half-normal prior scale of τ (> 0).
    n_grid : int
        Nodes per axis (≥ 50); cost is O(n_grid² k).

    Returns
    -------
    GridPosterior

    Raises
    ------
    ValueError
        On malformed input or priors.
    """
    y, se = _check_studies(yi, sei, min_k=1)
    m, s = _check_prior("mu_prior", mu_prior)
    if not (np.isfinite(tau_prior_sd) and tau_prior_sd > 0):
        raise ValueError(f"tau_prior_sd must be positive; got {tau_prior_sd!r}.")
    if n_grid < 50:
        raise ValueError(f"n_grid must be at least 50 for a usable quadrature; got {n_grid}.")
    # Pass 1: a box wide enough to contain the posterior whatever the prior/data conflict.
    spread = max(se.max(), 8 * tau_prior_sd)
    box = (min(y.min(), m) - 10 * spread, max(y.max(), m) + 10 * spread)
    coarse, *_ = _grid_moments(y, se, m, s, tau_prior_sd, box, 8 * tau_prior_sd, n_grid)
    # Pass 2: zoom in on the posterior mass.
    mu_lim = (coarse["mu_mean"] - 10 * coarse["mu_sd"], coarse["mu_mean"] + 10 * coarse["mu_sd"])
    tau_max = min(8 * tau_prior_sd, coarse["tau_mean"] + 12 * coarse["tau_sd"])
    fine, mu_g, tau_g, dens = _grid_moments(y, se, m, s, tau_prior_sd, mu_lim, tau_max, n_grid)
    half, *_ = _grid_moments(y, se, m, s, tau_prior_sd, mu_lim, tau_max, n_grid // 2)
    err = {key: abs(fine[key] - half[key]) for key in fine}
    return GridPosterior(
        mu_mean=fine["mu_mean"], mu_sd=fine["mu_sd"], tau_mean=fine["tau_mean"], tau_sd=fine["tau_sd"],
        grid_error=err, mu_grid=mu_g, tau_grid=tau_g, density=dens,
    )


# ---------------------------------------------------------------------------------------------
# Blinding-bias model
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlindingResult:
    """Posterior of the bias-adjusted meta-analysis.

    Attributes
    ----------
    idata : arviz.InferenceData
        Posterior of ``theta`` (bias-free effect), ``beta`` (unless fixed at 0), ``tau`` and ``u``
        (unless τ is fixed at 0).
    summary : pandas.DataFrame
        Rows ``theta``, ``beta``, ``tau`` (those that were estimated): mean, sd, 95% HDI, MCSE, ESS, R-hat.
    p_theta_positive : float
        Posterior probability that θ > 0.
    beta_prior : (float, float) or None
        Prior (mean, SD) of β; None when β was fixed at 0.
    tau_prior_sd : float
        Half-normal scale of τ actually used (0: τ fixed at 0).
    diagnostics : DiagnosticsReport
    timing : FitTiming
    """

    idata: az.InferenceData
    summary: pd.DataFrame
    p_theta_positive: float
    beta_prior: tuple[float, float] | None
    tau_prior_sd: float
    diagnostics: DiagnosticsReport
    timing: FitTiming

    @property
    def theta_hdi_95(self) -> tuple[float, float]:
        """95% HDI of θ."""
        return _hdi(self.summary, "theta")

    @property
    def beta_post_mean(self) -> float:
        """Posterior mean of β (0 when β was fixed at 0)."""
        return float(_row(self.summary, "beta")["mean"]) if self.beta_prior is not None else 0.0


def blinding_bias_meta(
    yi: Sequence[float],
    sei: Sequence[float],
    unblinded: Sequence[int | bool],
    *,
    beta_prior: tuple[float, float] | None,
    mu_prior: tuple[float, float] = (0.0, 1.0),
    tau_prior_sd: float | None = None,
    draws: int = 2000,
    tune: int = 1000,
    chains: int = 4,
    cores: int | None = None,
    seed: int,
    target_accept: float = 0.9,
    thresholds: Thresholds = Thresholds(),
) -> BlindingResult:
    """Meta-analysis in which unblinded studies carry an additive bias β (Welton et al. 2009).

    Model::

        y_i ~ Normal(θ + β·unblinded_i + u_i, se_i)     u_i = τ·η_i,  η_i ~ Normal(0, 1)
        θ ~ Normal(m, s)    β ~ Normal(b, s_b)    τ ~ HalfNormal(σ_τ)

    θ is the effect a blinded study would estimate; β > 0 means unblinded assessment exaggerates it.
    β is identified only through its prior plus the blinded/unblinded contrast, so its prior carries
    the external (meta-epidemiological) evidence, e.g. Hróbjartsson et al. (2013): difference in SMD
    −0.23 (95% CI −0.40 to −0.06) with negative meaning exaggeration, i.e. Normal(0.23, 0.087) on this
    sign convention.

    Parameters
    ----------
    yi, sei : sequence of float, shape (k,)
        Study estimates and SEs on the analysis scale (e.g. Cohen's d); k ≥ 2.
    unblinded : sequence of {0, 1}, shape (k,)
        1 where outcome assessment was not blinded.
    beta_prior : (float, float) or None
        Prior mean and SD of β; None fixes β = 0 (no bias).
    mu_prior : (float, float)
        Normal prior (mean, SD) of θ. Default (0, 1): weakly informative on the SMD scale.
    tau_prior_sd : float or None
        Half-normal scale of τ; 0 fixes τ = 0 (common effect, no u_i).  The default None means 0 when
        k < 3 and 0.5 otherwise.  With a pair (one original, one replication of the same contrast)
        there is a single difference between studies, and β, τ and sampling error all compete to
        explain it: a free τ would absorb the very discrepancy β is meant to measure, and its
        posterior would be the prior.  The pair default therefore treats both studies as estimating
        the same contrast (what a replication is designed to do), leaving β as the only source of
        systematic difference.  Pass a small positive value (e.g. 0.1) to test that assumption.
    draws, tune, chains, cores, target_accept
        Passed to :func:`pymc.sample`.
    seed : int
        Sampler seed.
    thresholds : Thresholds
        Convergence gates.

    Returns
    -------
    BlindingResult

    Raises
    ------
    ValueError
        On malformed input or priors, or ``unblinded`` not 0/1.
    dprep.models.diagnostics.ConvergenceError
        If the draws fail the gates.

    Warns
    -----
    UserWarning
        When every study has the same blinding status and β is estimated: β is then confounded with θ
        and θ merely shifts by the β prior mean.
    """
    y, se = _check_studies(yi, sei, min_k=2)
    x = np.asarray(unblinded, dtype=float)
    if x.shape != y.shape or not np.all(np.isin(x, (0.0, 1.0))):
        raise ValueError("unblinded must hold one 0/1 value per study.")
    m, s = _check_prior("mu_prior", mu_prior)
    b_prior = None if beta_prior is None else _check_prior("beta_prior", beta_prior)
    if b_prior is not None and np.unique(x).size == 1:
        warnings.warn(
            "All studies share the same blinding status: β is not identified by the data, so the "
            "posterior of θ is only shifted by the β prior.",
            UserWarning, stacklevel=2,
        )
    tau_sd = (0.0 if y.size < 3 else 0.5) if tau_prior_sd is None else float(tau_prior_sd)
    if not (np.isfinite(tau_sd) and tau_sd >= 0):
        raise ValueError(f"tau_prior_sd must be ≥ 0 (0 fixes τ = 0); got {tau_prior_sd!r}.")

    with pm.Model(coords={"study": [str(i) for i in range(y.size)]}) as model:
        mean = pm.Normal("theta", m, s)
        if b_prior is not None:
            mean = mean + pm.Normal("beta", *b_prior) * x
        if tau_sd > 0:
            tau = pm.HalfNormal("tau", tau_sd)
            eta = pm.Normal("eta", 0.0, 1.0, dims="study")
            mean = mean + pm.Deterministic("u", tau * eta, dims="study")
        pm.Normal("y", mean, se, observed=y, dims="study")
    idata, compile_s, sample_s = _sample(
        model, draws=draws, tune=tune, chains=chains, cores=cores, seed=seed, target_accept=target_accept
    )
    report, timing = _gate(idata, compile_s, sample_s, thresholds)
    names = ["theta"] + (["beta"] if b_prior is not None else []) + (["tau"] if tau_sd > 0 else [])
    p_pos = float((idata.posterior["theta"] > 0).mean())
    return BlindingResult(idata, _summary(idata, names), p_pos, b_prior, tau_sd, report, timing)


@dataclass(frozen=True)
class SensitivityResult:
    """θ under several β priors.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per prior: ``prior``, ``beta_prior_mean``, ``beta_prior_sd`` (NaN when β = 0),
        ``theta_mean``, ``theta_sd``, ``theta_hdi_low``, ``theta_hdi_high``, ``p_theta_positive``,
        ``beta_post_mean``.
    fits : dict of str to BlindingResult
        The fits by prior name, each holding its ``idata``.
    """

    table: pd.DataFrame
    fits: dict[str, BlindingResult]

    @property
    def idatas(self) -> dict[str, az.InferenceData]:
        """The posterior draws by prior name."""
        return {name: fit.idata for name, fit in self.fits.items()}


def prior_sensitivity(
    yi: Sequence[float],
    sei: Sequence[float],
    unblinded: Sequence[int | bool],
    priors: Mapping[str, tuple[float, float] | None],
    *,
    wide_prior: tuple[float, float] | None = (0.0, 1.0),
    mu_prior: tuple[float, float] = (0.0, 1.0),
    tau_prior_sd: float | None = None,
    draws: int = 2000,
    tune: int = 1000,
    chains: int = 4,
    cores: int | None = None,
    seed: int,
    target_accept: float = 0.9,
    thresholds: Thresholds = Thresholds(),
) -> SensitivityResult:
    """Fit :func:`blinding_bias_meta` under a reference, the given and a wide prior on β.

    Rows, in order: ``"no bias (β = 0)"`` (β fixed at 0), each entry of ``priors`` (None fixes β = 0),
    and ``"wide"`` (``wide_prior``, default Normal(0, 1): bias of either sign up to about ±2 SMD,
    i.e. data-dominated).  All fits share ``seed``.

    Parameters
    ----------
    yi, sei, unblinded
        As in :func:`blinding_bias_meta`.
    priors : mapping of str to (float, float) or None
        Named β priors (mean, SD), e.g. ``{"Hróbjartsson 2013": (0.23, 0.0867)}``. Names must not
        repeat the reference rows.
    wide_prior : (float, float) or None
        The wide prior row; None omits it.
    mu_prior, tau_prior_sd, draws, tune, chains, cores, seed, target_accept, thresholds
        As in :func:`blinding_bias_meta`.

    Returns
    -------
    SensitivityResult

    Raises
    ------
    ValueError
        If a name in ``priors`` collides with a reference row, or as :func:`blinding_bias_meta`.
    dprep.models.diagnostics.ConvergenceError
        If any fit fails the gates.
    """
    spec: dict[str, tuple[float, float] | None] = {"no bias (β = 0)": None}
    for name, prior in priors.items():
        if name in spec or (wide_prior is not None and name == "wide"):
            raise ValueError(f"Prior name {name!r} collides with a reference row; rename it.")
        spec[name] = prior
    if wide_prior is not None:
        spec["wide"] = wide_prior

    fits: dict[str, BlindingResult] = {}
    rows = []
    for name, prior in spec.items():
        fit = blinding_bias_meta(
            yi, sei, unblinded, beta_prior=prior, mu_prior=mu_prior, tau_prior_sd=tau_prior_sd,
            draws=draws, tune=tune, chains=chains, cores=cores, seed=seed,
            target_accept=target_accept, thresholds=thresholds,
        )
        fits[name] = fit
        theta = _row(fit.summary, "theta")
        rows.append({
            "prior": name,
            "beta_prior_mean": np.nan if fit.beta_prior is None else fit.beta_prior[0],
            "beta_prior_sd": np.nan if fit.beta_prior is None else fit.beta_prior[1],
            "theta_mean": float(theta["mean"]),
            "theta_sd": float(theta["sd"]),
            "theta_hdi_low": float(theta["hdi_low"]),
            "theta_hdi_high": float(theta["hdi_high"]),
            "p_theta_positive": fit.p_theta_positive,
            "beta_post_mean": fit.beta_post_mean,
        })
    return SensitivityResult(pd.DataFrame(rows), fits)


# ---------------------------------------------------------------------------------------------
# Robust group comparison (BEST)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupComparisonResult:
    """Posterior of the robust (Student-t) group model.

    Attributes
    ----------
    idata : arviz.InferenceData
        Posterior of ``mu`` and ``sigma`` (group; data units), ``nu``, ``contrast`` (dimension ``comparison``) and
        ``eta2``, plus the standardised internals ``mu_z``, ``sigma_z``, ``nu_minus_one``.
    groups : pandas.DataFrame
        Per group: ``group``, ``n``, ``mu_mean``, ``mu_hdi_low``, ``mu_hdi_high``, ``sigma_mean``,
        ``sigma_hdi_low``, ``sigma_hdi_high``.
    contrasts : pandas.DataFrame
        Per contrast: ``contrast``, ``weights`` (as text), ``mean``, ``sd``, ``hdi_low``, ``hdi_high``,
        ``p_positive``.
    summary : pandas.DataFrame
        Full table (mu, sigma, nu, contrast, eta2) with MCSE, ESS and R-hat.
    diagnostics : DiagnosticsReport
    timing : FitTiming
    """

    idata: az.InferenceData
    groups: pd.DataFrame
    contrasts: pd.DataFrame
    summary: pd.DataFrame
    diagnostics: DiagnosticsReport
    timing: FitTiming

    @property
    def eta2_mean(self) -> float:
        """Posterior mean of the finite-population η²."""
        return float(_row(self.summary, "eta2")["mean"])

    @property
    def eta2_hdi_95(self) -> tuple[float, float]:
        """95% HDI of η²."""
        return _hdi(self.summary, "eta2")


def _contrast_matrix(
    names: list[str], contrasts: Mapping[str, Mapping[str, float]] | None
) -> tuple[list[str], np.ndarray]:
    if contrasts is None:
        contrasts = {
            f"{a} − {b}": {a: 1.0, b: -1.0} for i, a in enumerate(names) for b in names[i + 1:]
        }
    labels, rows = [], []
    for label, weights in contrasts.items():
        unknown = set(weights) - set(names)
        if unknown:
            raise ValueError(f"Contrast {label!r} names unknown groups {sorted(unknown)}; groups are {names}.")
        row = np.array([float(weights.get(g, 0.0)) for g in names])
        if not np.isclose(row.sum(), 0.0) or not np.any(row):
            raise ValueError(f"Contrast {label!r} weights must be non-zero and sum to 0; they sum to {row.sum():g}.")
        labels.append(str(label))
        rows.append(row)
    return labels, np.vstack(rows)


def bayesian_group_comparison(
    values: Sequence[float],
    groups: Sequence[str],
    *,
    contrasts: Mapping[str, Mapping[str, float]] | None = None,
    group_order: Sequence[str] | None = None,
    draws: int = 2000,
    tune: int = 1000,
    chains: int = 4,
    cores: int | None = None,
    seed: int,
    target_accept: float = 0.9,
    thresholds: Thresholds = Thresholds(),
) -> GroupComparisonResult:
    """Robust Bayesian comparison of group means (Kruschke 2013, BEST, extended to k groups).

    Model, on the data standardised by the overall mean ȳ and SD s_y (so the priors scale with the
    data; results are reported back in data units)::

        y_j ~ StudentT(ν, μ_g[j], σ_g[j])
        μ_g ~ Normal(ȳ, 5·s_y)            (weakly informative: group means within ±10 overall SDs)
        σ_g ~ HalfNormal(2·s_y)           (one scale per group; unequal variances allowed)
        ν − 1 ~ Exponential(1/29)         (Kruschke 2013: mean ν = 30, heavy tails when outliers)

    Contrasts c = Σ_g w_g μ_g (weights sum to 0) are Deterministics. So is the finite-population η²:
    with the observed group sizes n_g as weights (N = Σ n_g, μ̄ = Σ n_g μ_g / N),

        η² = Σ n_g (μ_g − μ̄)² / [Σ n_g (μ_g − μ̄)² + Σ n_g σ_g²],

    the share of variance between these k groups (treated as the whole population of groups, not a
    sample of groups) in a population with these group sizes.  σ_g is the t scale, used as the
    within-group spread: the t SD σ_g√(ν/(ν − 2)) is infinite for ν ≤ 2, and the scale is the robust
    analogue of the SD; for normal-like data (large ν) the two coincide.

    Parameters
    ----------
    values : sequence of float, shape (N,)
        Participant-level outcome (e.g. accumulated practice hours).
    groups : sequence of str, shape (N,)
        Group label per participant; at least 2 groups with at least 2 participants each.
    contrasts : mapping of str to mapping of str to float, optional
        Named contrasts as group → weight, e.g. ``{"best − good": {"best": 1, "good": -1},
        "mean(best, good) − teachers": {"best": .5, "good": .5, "teachers": -1}}``. Default: all
        pairwise differences in group order.
    group_order : sequence of str, optional
        Order of the ``group`` dimension; default order of first appearance.
    draws, tune, chains, cores, target_accept
        Passed to :func:`pymc.sample`.
    seed : int
        Sampler seed.
    thresholds : Thresholds
        Convergence gates (all posterior variables).

    Returns
    -------
    GroupComparisonResult

    Raises
    ------
    ValueError
        On malformed input, unknown groups in contrasts, or contrast weights not summing to 0.
    dprep.models.diagnostics.ConvergenceError
        If the draws fail the gates.
    """
    y = np.asarray(values, dtype=float)
    g = np.asarray([str(v) for v in groups])
    if y.ndim != 1 or g.shape != y.shape:
        raise ValueError(f"values and groups must be 1-D of equal length; got {y.shape} and {g.shape}.")
    if not np.all(np.isfinite(y)):
        raise ValueError("values must be finite (drop or impute missing values first).")
    names = list(dict.fromkeys(g)) if group_order is None else [str(v) for v in group_order]
    if set(names) != set(g) or len(names) != len(set(names)):
        raise ValueError(f"group_order {names} must list each group in the data exactly once.")
    n_g = np.array([np.sum(g == name) for name in names])
    if len(names) < 2 or n_g.min() < 2:
        raise ValueError(f"Need at least 2 groups of at least 2 participants; sizes are {dict(zip(names, n_g))}.")
    labels, weights = _contrast_matrix(names, contrasts)
    idx = np.array([names.index(v) for v in g])
    y_bar, s_y = float(y.mean()), float(y.std(ddof=1))
    if s_y <= 0:
        raise ValueError("values are all equal: there is no variation to model.")
    z = (y - y_bar) / s_y
    w = n_g / n_g.sum()

    with pm.Model(coords={"group": names, "comparison": labels, "obs": np.arange(y.size)}) as model:
        mu_z = pm.Normal("mu_z", 0.0, 5.0, dims="group")
        sigma_z = pm.HalfNormal("sigma_z", 2.0, dims="group")
        nu_minus_one = pm.Exponential("nu_minus_one", 1 / 29)
        nu = pm.Deterministic("nu", nu_minus_one + 1)
        mu = pm.Deterministic("mu", y_bar + s_y * mu_z, dims="group")
        sigma = pm.Deterministic("sigma", s_y * sigma_z, dims="group")
        pm.Deterministic("contrast", (weights * mu[None, :]).sum(axis=1), dims="comparison")
        grand = pm.math.sum(w * mu_z)
        between = pm.math.sum(w * (mu_z - grand) ** 2)
        pm.Deterministic("eta2", between / (between + pm.math.sum(w * sigma_z**2)))
        pm.StudentT("y", nu=nu, mu=mu_z[idx], sigma=sigma_z[idx], observed=z, dims="obs")
    idata, compile_s, sample_s = _sample(
        model, draws=draws, tune=tune, chains=chains, cores=cores, seed=seed, target_accept=target_accept
    )
    report, timing = _gate(idata, compile_s, sample_s, thresholds)

    post = idata.posterior
    summary = _summary(idata, ["mu", "sigma", "nu", "contrast", "eta2"])
    group_rows = []
    for name, n in zip(names, n_g):
        mu_row, sd_row = _row(summary, f"mu[{name}]"), _row(summary, f"sigma[{name}]")
        group_rows.append({
            "group": name, "n": int(n),
            "mu_mean": float(mu_row["mean"]), "mu_hdi_low": float(mu_row["hdi_low"]),
            "mu_hdi_high": float(mu_row["hdi_high"]),
            "sigma_mean": float(sd_row["mean"]), "sigma_hdi_low": float(sd_row["hdi_low"]),
            "sigma_hdi_high": float(sd_row["hdi_high"]),
        })
    contrast_rows = []
    for label, row in zip(labels, weights):
        c_row = _row(summary, f"contrast[{label}]")
        contrast_rows.append({
            "contrast": label,
            "weights": ", ".join(f"{wt:+g}·{name}" for wt, name in zip(row, names) if wt != 0),
            "mean": float(c_row["mean"]), "sd": float(c_row["sd"]),
            "hdi_low": float(c_row["hdi_low"]), "hdi_high": float(c_row["hdi_high"]),
            "p_positive": float((post["contrast"].sel(comparison=label) > 0).mean()),
        })
    return GroupComparisonResult(
        idata, pd.DataFrame(group_rows), pd.DataFrame(contrast_rows), summary, report, timing
    )
