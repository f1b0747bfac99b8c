"""The blinding-bias model (Welton et al. 2009): studies with unblinded outcome assessment carry an
additive bias β with an empirically based prior; and the prior-sensitivity table over many priors.

Welton, N. J., Ades, A. E., Carlin, J. B., Altman, D. G. & Sterne, J. A. C. (2009). Models for
potentially biased evidence in meta-analysis using empirically based priors. *J. R. Stat. Soc. A*
172(1), 119–136.
"""

from __future__ import annotations

import warnings
from typing import Mapping, Sequence

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
class BlindingResult(Result):
    """Posterior of the bias-adjusted meta-analysis.

    Attributes
    ----------
    idata : arviz.InferenceData
        Posterior of ``theta`` (bias-free effect), ``beta`` (unless fixed at 0), ``tau`` and ``u``
        (unless τ is fixed at 0).
    posterior : pandas.DataFrame
        Rows ``theta``, ``beta``, ``tau`` (those that were estimated): mean, sd, 95% HDI, MCSE, ESS, R-hat.
    p_theta_positive : float
        Posterior probability that θ > 0.
    beta_prior : (float, float) or None
        Prior (mean, SD) of β; None when β was fixed at 0.
    tau_prior_sd : float
        Half-normal scale of τ actually used (0: τ fixed at 0).
    diagnostics : DiagnosticsReport
    timing : FitTiming
    prior_posterior : pandas.DataFrame
        How much the data moved θ and β (and τ): prior against posterior mean and SD, posterior
        contraction and prior–posterior overlap (:func:`dprep.stats.prior_posterior.prior_posterior`).
        With two studies β is informed only by their difference; an overlap above 35% means β's
        posterior mostly restates its prior.
    """

    title = "Blinding-bias meta-analysis (Welton et al. 2009)"

    idata: az.InferenceData = internal()
    posterior: pd.DataFrame = internal()
    p_theta_positive: float = float("nan")
    beta_prior: tuple[float, float] | None = None
    tau_prior_sd: float = 0.0
    diagnostics: DiagnosticsReport = internal(default=None)
    timing: FitTiming = internal(default=None)
    prior_posterior: pd.DataFrame = internal(default=None)

    def to_frame(self) -> pd.DataFrame:
        """The posterior table."""
        return self.posterior

    @property
    def theta_hdi(self) -> tuple[float, float]:
        """95% HDI of θ as (hdi_lb, hdi_ub)."""
        return _hdi(self.posterior, "theta")

    @property
    def beta_post_mean(self) -> float:
        """Posterior mean of β (0 when β was fixed at 0)."""
        return float(_row(self.posterior, "beta")["mean"]) if self.beta_prior is not None else 0.0


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
    −0.23 (95% CI −0.40 to −0.06) with negative meaning exaggeration, i.e. a mean of 0.23 on this
    sign convention. Its SD should be that of the bias of *one* new study, the predictive SD
    √(se² + φ² + κ²) of :func:`dprep.stats.bias.translate_bias_prior`, not the SE of the mean bias
    alone (0.087 here), which describes how well the average bias is known.

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

    References
    ----------
    Welton, N. J., Ades, A. E., Carlin, J. B., Altman, D. G., & Sterne, J. A. C. (2009). Models for
    potentially biased evidence in meta-analysis using empirically based priors. *J. R. Stat. Soc. A*,
    172(1), 119–136 (the additive bias model, section 3). Turner, R. M., et al. (2009). Bias modelling
    in evidence synthesis. *J. R. Stat. Soc. A*, 172(1), 21–47.
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
    priors = {"theta": stats.norm(m, s)}
    if b_prior is not None:
        priors["beta"] = stats.norm(*b_prior)
    if tau_sd > 0:
        priors["tau"] = stats.halfnorm(scale=tau_sd)
    return BlindingResult(idata, _summary(idata, names), p_pos, b_prior, tau_sd, report, timing,
                          _prior_posterior(idata, priors))


@result(eq=False)
class SensitivityResult(Result):
    """θ under several β priors.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per prior: ``prior``, ``beta_prior_mean``, ``beta_prior_sd`` (NaN when β = 0),
        ``theta_mean``, ``theta_sd``, ``theta_hdi_lb``, ``theta_hdi_ub``, ``p_theta_positive``,
        ``beta_post_mean``, ``beta_post_sd``, ``tau_prior_sd`` (0: τ fixed at 0), and how much the data moved θ and β: ``theta_contraction``,
        ``theta_overlap``, ``beta_contraction``, ``beta_overlap``, ``beta_weakly_identified`` (NaN when β = 0).
    fits : dict of str to BlindingResult
        The fits by prior name, each holding its ``idata``.
    """

    title = "Prior sensitivity of the blinding-bias model"

    table: pd.DataFrame
    fits: dict[str, BlindingResult] = internal()

    def to_frame(self) -> pd.DataFrame:
        """One row per prior."""
        return self.table

    def summary(self) -> str:
        """The sensitivity table."""
        return f"{self.title}\n\n" + self.table.to_string(index=False, float_format=lambda x: f"{x:.3f}")

    @property
    def idatas(self) -> dict[str, az.InferenceData]:
        """The posterior draws by prior name."""
        return {name: fit.idata for name, fit in self.fits.items()}


def _moved(table: pd.DataFrame) -> dict[str, float]:
    """θ's and β's contraction and overlap as flat columns (NaN for a β fixed at 0)."""
    rows = table.set_index("parameter")
    out = {}
    for name in ("theta", "beta"):
        row = rows.loc[name] if name in rows.index else None
        if name == "beta":
            out["beta_post_sd"] = np.nan if row is None else float(row["posterior_sd"])
        out[f"{name}_contraction"] = np.nan if row is None else float(row["contraction"])
        out[f"{name}_overlap"] = np.nan if row is None else float(row["overlap"])
    out["beta_weakly_identified"] = None if "beta" not in rows.index else bool(rows.loc["beta", "weakly_identified"])
    return out


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
        theta = _row(fit.posterior, "theta")
        rows.append({
            "prior": name,
            "beta_prior_mean": np.nan if fit.beta_prior is None else fit.beta_prior[0],
            "beta_prior_sd": np.nan if fit.beta_prior is None else fit.beta_prior[1],
            "theta_mean": float(theta["mean"]),
            "theta_sd": float(theta["sd"]),
            "theta_hdi_lb": float(theta["hdi_lb"]),
            "theta_hdi_ub": float(theta["hdi_ub"]),
            "p_theta_positive": fit.p_theta_positive,
            "beta_post_mean": fit.beta_post_mean,
            "tau_prior_sd": fit.tau_prior_sd,
            **_moved(fit.prior_posterior),
        })
    return SensitivityResult(pd.DataFrame(rows), fits)
