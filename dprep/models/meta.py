"""Bayesian random-effects meta-analysis (PyMC) and its MCMC-free check by quadrature.

Higgins, J. P. T., Thompson, S. G. & Spiegelhalter, D. J. (2009). A re-evaluation of random-effects
meta-analysis. *J. R. Stat. Soc. A* 172(1), 137–159.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
from scipy import stats

from dprep.core.results import Result, internal, result
from dprep.models._sampling import (FitTiming, _check_prior, _check_studies, _gate, _hdi, _prior_posterior, _row,
                                    _sample, _summary)
from dprep.models.diagnostics import DiagnosticsReport, Thresholds


@result(eq=False)
class BayesMetaResult(Result):
    """Posterior of a normal–normal random-effects meta-analysis.

    Attributes
    ----------
    idata : arviz.InferenceData
        Posterior of ``mu``, ``tau``, ``eta`` (study, standardised), ``theta`` (study) and the derived
        draws ``theta_new`` (true effect of a new study), ``y_new`` (its observed estimate, when
        ``new_study_se`` was given) and, for Fisher-z input, ``mu_r`` and ``theta_new_r`` (tanh).
    posterior : pandas.DataFrame
        One row per scalar parameter: mean, sd, 95% HDI (``hdi_lb``, ``hdi_ub``), MCSE, bulk/tail
        ESS, R-hat (also ``to_frame()``).
    diagnostics : DiagnosticsReport
    timing : FitTiming
    fisher_z : bool
        Whether the input was Fisher z and the ``*_r`` rows are correlations.
    prior_posterior : pandas.DataFrame
        How much the data moved μ and τ: prior against posterior mean and SD, posterior contraction
        and prior–posterior overlap (:func:`dprep.stats.prior_posterior.prior_posterior`).
    """

    title = "Bayesian random-effects meta-analysis (NUTS)"

    idata: az.InferenceData = internal()
    posterior: pd.DataFrame = internal()
    diagnostics: DiagnosticsReport = internal()
    timing: FitTiming = internal()
    fisher_z: bool = False
    prior_posterior: pd.DataFrame = internal(default=None)

    @property
    def post_mean_mu(self) -> float:
        """Posterior mean of μ (analysis scale)."""
        return float(_row(self.posterior, "mu")["mean"])

    @property
    def post_sd_mu(self) -> float:
        """Posterior standard deviation of μ."""
        return float(_row(self.posterior, "mu")["sd"])

    @property
    def post_mean_tau(self) -> float:
        """Posterior mean of τ (between-study SD, analysis scale)."""
        return float(_row(self.posterior, "tau")["mean"])

    @property
    def mu_hdi(self) -> tuple[float, float]:
        """95% highest-density interval of μ. as (hdi_lb, hdi_ub)."""
        return _hdi(self.posterior, "mu")

    @property
    def theta_new_hdi(self) -> tuple[float, float]:
        """95% HDI of a new study's true effect θ_new ~ Normal(μ, τ) (prediction interval). as (hdi_lb, hdi_ub)."""
        return _hdi(self.posterior, "theta_new")

    @property
    def mu_r_hdi(self) -> tuple[float, float] | None:
        """95% HDI of tanh(μ), the pooled correlation (None unless the input was Fisher z). as (hdi_lb, hdi_ub)."""
        return _hdi(self.posterior, "mu_r") if self.fisher_z else None

    @property
    def theta_new_r_hdi(self) -> tuple[float, float] | None:
        """95% HDI of tanh(θ_new), a new study's true correlation (None unless Fisher z input). as (hdi_lb, hdi_ub)."""
        return _hdi(self.posterior, "theta_new_r") if self.fisher_z else None

    def to_frame(self) -> pd.DataFrame:
        """The posterior table (one row per scalar parameter)."""
        return self.posterior

    def _headline(self) -> dict[str, object]:
        lb, ub = self.mu_hdi
        return {"post_mean_mu": self.post_mean_mu, "mu_hdi_lb": lb, "mu_hdi_ub": ub, "post_mean_tau": self.post_mean_tau}

    def summary(self) -> str:
        """The posterior table and the diagnostics gate."""
        cols = ["parameter", "mean", "sd", "hdi_lb", "hdi_ub", "ess_bulk", "r_hat"]
        return (f"{self.title}\n\n" + self.posterior[[c for c in cols if c in self.posterior]].to_string(
            index=False, float_format=lambda x: f"{x:.4f}") + f"\n\ndivergences: {self.diagnostics.n_divergent}; "
                f"gates passed: {self.diagnostics.passed}")

    def to_dict(self) -> dict[str, object]:
        """Headline numbers and gate results, JSON-ready (wall-clock costs are in ``timing``)."""
        mu_lb, mu_ub = self.mu_hdi
        new_lb, new_ub = self.theta_new_hdi
        out: dict[str, object] = {
            "post_mean_mu": self.post_mean_mu,
            "post_sd_mu": self.post_sd_mu,
            "post_mean_tau": self.post_mean_tau,
            "mu_hdi_lb": mu_lb, "mu_hdi_ub": mu_ub,
            "theta_new_hdi_lb": new_lb, "theta_new_hdi_ub": new_ub,
            "min_ess_bulk": self.timing.min_ess_bulk,
            "n_divergent": self.diagnostics.n_divergent,
        }
        if self.fisher_z:
            out["post_mean_mu_r"] = float(_row(self.posterior, "mu_r")["mean"])
            out["mu_r_hdi_lb"], out["mu_r_hdi_ub"] = self.mu_r_hdi
            out["theta_new_r_hdi_lb"], out["theta_new_r_hdi_ub"] = self.theta_new_r_hdi
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

    References
    ----------
    Higgins, J. P. T., Thompson, S. G., & Spiegelhalter, D. J. (2009). A re-evaluation of random-effects
    meta-analysis. *J. R. Stat. Soc. A*, 172(1), 137–159 (the model, section 3; the predictive
    distribution of a new study, eq. 8). Non-centred parameterisation: Betancourt, M., & Girolami, M.
    (2015). Hamiltonian Monte Carlo for hierarchical models. In *Current trends in Bayesian methodology*.
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
    moved = _prior_posterior(idata, {"mu": stats.norm(m, s), "tau": stats.halfnorm(scale=tau_prior_sd)})
    return BayesMetaResult(idata, _summary(idata, names), report, timing, fisher_z, moved)


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


def grid_check(fit: BayesMetaResult, grid: GridPosterior) -> dict[str, object]:
    """MCMC against quadrature: for the mean and SD of μ and τ, |difference| ≤ 4 MCSE + the grid's own
    error bound.

    Parameters
    ----------
    fit : BayesMetaResult
        The NUTS fit of :func:`bayesian_meta`.
    grid : GridPosterior
        The same model's posterior by :func:`grid_posterior_meta`.

    Returns
    -------
    dict
        Per moment ``mcmc, grid, abs_diff, tolerance, ok``, and ``passed`` (all ok).
    """
    rows = fit.posterior.set_index("parameter")
    out: dict[str, object] = {}
    for par in ("mu", "tau"):
        for moment, mcse in (("mean", "mcse_mean"), ("sd", "mcse_sd")):
            key = f"{par}_{moment}"
            diff = abs(float(rows.loc[par, moment]) - getattr(grid, key))
            tol = 4 * float(rows.loc[par, mcse]) + grid.grid_error[key]
            out[key] = {"mcmc": float(rows.loc[par, moment]), "grid": getattr(grid, key), "abs_diff": diff,
                        "tolerance": tol, "ok": diff <= tol}
    out["passed"] = all(v["ok"] for v in out.values() if isinstance(v, dict))
    return out
