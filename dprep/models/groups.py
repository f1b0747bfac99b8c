"""Robust Bayesian group comparison (Kruschke 2013, "BEST"): a Student-t likelihood per group, contrasts
and a finite-population η².

Kruschke, J. K. (2013). Bayesian estimation supersedes the t test. *J. Exp. Psychol. Gen.* 142(2),
573–603.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
from scipy import stats

from dprep.core.results import Result, internal, result
from dprep.models._sampling import (FitTiming, _gate, _hdi, _prior_posterior, _row, _sample,
                                    _summary)
from dprep.models.diagnostics import DiagnosticsReport, Thresholds


@result(eq=False)
class GroupComparisonResult(Result):
    """Posterior of the robust (Student-t) group model.

    Attributes
    ----------
    idata : arviz.InferenceData
        Posterior of ``mu`` and ``sigma`` (group; data units), ``nu``, ``contrast`` (dimension ``comparison``) and
        ``eta2``, plus the standardised internals ``mu_z``, ``sigma_z``, ``nu_minus_one``.
    groups : pandas.DataFrame
        Per group: ``group``, ``n``, ``mu_mean``, ``mu_hdi_lb``, ``mu_hdi_ub``, ``sigma_mean``,
        ``sigma_hdi_lb``, ``sigma_hdi_ub``.
    contrasts : pandas.DataFrame
        Per contrast: ``contrast``, ``weights`` (as text), ``mean``, ``sd``, ``hdi_lb``, ``hdi_ub``,
        ``p_positive``, and how much the data moved it: ``prior_sd`` (the contrast's prior is
        Normal(0, 5·s_y·‖w‖), implied by the group-mean priors), ``contraction``, ``overlap`` and
        ``weakly_identified`` (:func:`dprep.stats.prior_posterior.prior_posterior`).
    posterior : pandas.DataFrame
        Full table (mu, sigma, nu, contrast, eta2) with MCSE, ESS and R-hat (also ``to_frame()``).
    diagnostics : DiagnosticsReport
    timing : FitTiming
    """

    title = "Bayesian group comparison (Student-t likelihood)"

    idata: az.InferenceData = internal()
    groups: pd.DataFrame
    contrasts: pd.DataFrame
    posterior: pd.DataFrame = internal()
    diagnostics: DiagnosticsReport = internal(default=None)
    timing: FitTiming = internal(default=None)

    def to_frame(self) -> pd.DataFrame:
        """The posterior of each contrast."""
        return self.contrasts

    @property
    def eta2_mean(self) -> float:
        """Posterior mean of the finite-population η²."""
        return float(_row(self.posterior, "eta2")["mean"])

    @property
    def eta2_hdi(self) -> tuple[float, float]:
        """95% HDI of η² as (hdi_lb, hdi_ub)."""
        return _hdi(self.posterior, "eta2")


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

    References
    ----------
    Kruschke, J. K. (2013). Bayesian estimation supersedes the t test. *J. Exp. Psychol. Gen.*, 142(2),
    573–603 (the likelihood and priors; ν − 1 ~ Exponential(1/29)).
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
        pm.Deterministic("sigma", s_y * sigma_z, dims="group")
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
            "mu_mean": float(mu_row["mean"]), "mu_hdi_lb": float(mu_row["hdi_lb"]),
            "mu_hdi_ub": float(mu_row["hdi_ub"]),
            "sigma_mean": float(sd_row["mean"]), "sigma_hdi_lb": float(sd_row["hdi_lb"]),
            "sigma_hdi_ub": float(sd_row["hdi_ub"]),
        })
    # μ_j = ȳ + s_y·μz_j with μz_j ~ N(0, 5) independent, and Σ w_j = 0: the contrast's prior is N(0, 5·s_y·‖w‖)
    moved = _prior_posterior(idata, {f"contrast[{label}]": stats.norm(0.0, 5.0 * s_y * float(np.sqrt((row**2).sum())))
                                     for label, row in zip(labels, weights)}).set_index("parameter")
    contrast_rows = []
    for label, row in zip(labels, weights):
        c_row = _row(summary, f"contrast[{label}]")
        m_row = moved.loc[f"contrast[{label}]"]
        contrast_rows.append({
            "contrast": label,
            "weights": ", ".join(f"{wt:+g}·{name}" for wt, name in zip(row, names) if wt != 0),
            "mean": float(c_row["mean"]), "sd": float(c_row["sd"]),
            "hdi_lb": float(c_row["hdi_lb"]), "hdi_ub": float(c_row["hdi_ub"]),
            "p_positive": float((post["contrast"].sel(comparison=label) > 0).mean()),
            "prior_sd": float(m_row["prior_sd"]), "contraction": float(m_row["contraction"]),
            "overlap": float(m_row["overlap"]), "weakly_identified": bool(m_row["weakly_identified"]),
        })
    return GroupComparisonResult(
        idata, pd.DataFrame(group_rows), pd.DataFrame(contrast_rows), summary, report, timing
    )
