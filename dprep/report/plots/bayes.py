"""Figures for the Bayesian fits of :mod:`dprep.models`, each with an alt-text description.

Every function returns a :class:`Plot` ``(figure, alt_text)``: a matplotlib figure (save it with
:func:`dprep.data.io.save_figure`, close it with ``matplotlib.pyplot.close(figure)``) and a plain-language
description with the plotted numbers, for the report's ``alt`` attribute.  Intervals are 95% highest
density intervals (HDI) unless stated.
"""

from __future__ import annotations

from typing import Callable, Sequence

import arviz as az
import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from dprep.report.plots._style import Plot

__all__ = [
    "Plot",
    "plot_trace",
    "plot_posterior_hdi",
    "plot_beta_prior_posterior",
    "plot_mu_vs_reml",
]

_STYLE = {
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
}
HDI_PROB = 0.95


def _draws(idata: az.InferenceData, var_name: str) -> np.ndarray:
    if var_name not in idata.posterior:
        raise KeyError(f"{var_name!r} is not in the posterior; available: {list(idata.posterior.data_vars)}")
    return np.asarray(idata.posterior[var_name]).reshape(-1)


def _hdi(x: np.ndarray) -> tuple[float, float]:
    low, high = az.hdi(x, hdi_prob=HDI_PROB)
    return float(low), float(high)


def _names(idata: az.InferenceData, var_names: Sequence[str] | None) -> list[str]:
    return list(var_names) if var_names is not None else list(idata.posterior.data_vars)


def plot_trace(idata: az.InferenceData, var_names: Sequence[str] | None = None) -> Plot:
    """Trace plot: per-chain density (left) and draws in sampling order (right) per parameter.

    Parameters
    ----------
    idata : arviz.InferenceData
    var_names : sequence of str, optional
        Posterior variables; default all (vector variables overlay their elements).

    Returns
    -------
    Plot
    """
    names = _names(idata, var_names)
    with plt.rc_context(_STYLE):
        axes = az.plot_trace(idata, var_names=names, compact=True, figsize=(10, 2.4 * len(names)))
        fig = np.atleast_1d(axes).ravel()[0].figure
        fig.tight_layout()
    n_chain = idata.posterior.sizes["chain"]
    n_draw = idata.posterior.sizes["draw"]
    alt = (
        f"Trace plot of {', '.join(names)}: for each parameter, the left panel overlays the posterior "
        f"density of each of {n_chain} chains and the right panel shows the {n_draw} draws of each "
        "chain in order. Well-mixed chains overlap and look like stationary noise."
    )
    return Plot(fig, alt)


def plot_posterior_hdi(
    idata: az.InferenceData,
    var_names: Sequence[str],
    *,
    ref_val: float | None = None,
    labels: Sequence[str] | None = None,
) -> Plot:
    """Posterior density of each scalar variable with its mean and 95% HDI.

    Parameters
    ----------
    idata : arviz.InferenceData
    var_names : sequence of str
        Scalar posterior variables (e.g. ``["mu", "tau"]``).
    ref_val : float, optional
        Reference value (e.g. 0) drawn on each panel with the posterior mass either side.
    labels : sequence of str, optional
        Panel titles (e.g. ``["μ (Fisher z)", "τ"]``); default the variable names.

    Returns
    -------
    Plot
    """
    names = list(var_names)
    titles = list(labels) if labels is not None else names
    if len(titles) != len(names):
        raise ValueError(f"labels has {len(titles)} entries for {len(names)} variables.")
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(1, len(names), figsize=(4.5 * len(names), 3.6), squeeze=False)
        for ax, name, title in zip(axes[0], names, titles):
            az.plot_posterior(idata, var_names=[name], hdi_prob=HDI_PROB, ref_val=ref_val, ax=ax,
                              textsize=11)
            ax.set_title(title)
        fig.tight_layout()
    parts = []
    for name, title in zip(names, titles):
        x = _draws(idata, name)
        low, high = _hdi(x)
        part = f"{title}: mean {x.mean():.3g}, 95% HDI {low:.3g} to {high:.3g}"
        if ref_val is not None:
            part += f", {100 * np.mean(x > ref_val):.1f}% of the mass above {ref_val:g}"
        parts.append(part)
    alt = "Posterior densities with 95% highest-density intervals. " + "; ".join(parts) + "."
    return Plot(fig, alt)


def plot_beta_prior_posterior(
    idata: az.InferenceData,
    beta_prior: tuple[float, float],
    *,
    var_name: str = "beta",
    scale_label: str = "SMD",
) -> Plot:
    """Prior density of the blinding bias β against its posterior, with the no-bias line β = 0.

    The prior is the normal curve Normal(mean, sd); the posterior is a Gaussian kernel density estimate
    of the draws.  When the posterior matches the prior, the data carried no information about β.

    Parameters
    ----------
    idata : arviz.InferenceData
        Fit of :func:`dprep.models.blinding.blinding_bias_meta` with β estimated.
    beta_prior : (float, float)
        The prior mean and SD used in the fit.
    var_name : str
        Name of β in the posterior.
    scale_label : str
        Unit of β for the axis label (positive = unblinded assessment exaggerates).

    Returns
    -------
    Plot
    """
    mean, sd = (float(v) for v in beta_prior)
    x = _draws(idata, var_name)
    lo = min(mean - 4 * sd, np.quantile(x, 0.001), -0.05)
    hi = max(mean + 4 * sd, np.quantile(x, 0.999), 0.05)
    grid = np.linspace(lo, hi, 400)
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(6.5, 4))
        ax.plot(grid, stats.norm.pdf(grid, mean, sd), color="0.45", ls="--", lw=2,
                label=f"prior Normal({mean:.2f}, {sd:.3f})")
        ax.plot(grid, stats.gaussian_kde(x)(grid), color="C0", lw=2.5, label="posterior (KDE)")
        ax.axvline(0.0, color="C3", lw=1.5, label="no bias (β = 0)")
        ax.set_xlabel(f"β, bias of unblinded assessment ({scale_label}; > 0 exaggerates)")
        ax.set_ylabel("density")
        ax.legend(frameon=False)
        fig.tight_layout()
    low, high = _hdi(x)
    alt = (
        f"Prior and posterior of the blinding bias β on the {scale_label} scale. The dashed prior curve "
        f"is centred at {mean:.2f} (SD {sd:.3f}); the posterior has mean {x.mean():.2f} and 95% HDI "
        f"{low:.2f} to {high:.2f}, with {100 * np.mean(x > 0):.1f}% of its mass above the no-bias line "
        f"at 0. Posterior SD / prior SD = {x.std() / sd:.2f} (1 means the data said nothing about β)."
    )
    return Plot(fig, alt)


def plot_mu_vs_reml(
    idata: az.InferenceData,
    reml_estimate: float,
    reml_ci: tuple[float, float],
    *,
    var_name: str = "mu",
    prediction_var: str | None = "theta_new",
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
    scale_label: str = "Fisher z",
    reml_label: str = "REML (frequentist), 95% CI",
) -> Plot:
    """Forest-style comparison of the Bayesian pooled effect with a frequentist REML estimate.

    Rows: posterior mean of μ with its 95% HDI; the REML estimate with its confidence interval (passed
    in as numbers, e.g. from :mod:`dprep.stats.meta`); optionally the 95% HDI of a new study's true effect
    θ_new (the Bayesian prediction interval).

    Parameters
    ----------
    idata : arviz.InferenceData
        Fit of :func:`dprep.models.meta.bayesian_meta`.
    reml_estimate : float
        REML pooled estimate, on the same scale as the plot.
    reml_ci : (float, float)
        Its confidence interval.
    var_name : str
        Posterior variable of the pooled effect.
    prediction_var : str or None
        Posterior variable of the new-study effect; None omits the row.
    transform : callable, optional
        Applied to the draws before summarising (e.g. ``numpy.tanh`` to plot on the r scale; pass the
        REML numbers on that scale too).
    scale_label : str
        Axis label.
    reml_label : str
        Label of the REML row.

    Returns
    -------
    Plot
    """
    f = transform if transform is not None else (lambda v: v)
    mu = f(_draws(idata, var_name))
    rows = [("Bayesian μ: posterior mean, 95% HDI", float(mu.mean()), _hdi(mu), "C0")]
    rows.append((reml_label, float(reml_estimate), (float(reml_ci[0]), float(reml_ci[1])), "0.3"))
    if prediction_var is not None:
        new = f(_draws(idata, prediction_var))
        rows.append(("Bayesian new study θ_new, 95% HDI", float(new.mean()), _hdi(new), "C1"))
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 0.8 * len(rows) + 1.4))
        for i, (label, est, (lo, hi), color) in enumerate(rows):
            y = len(rows) - 1 - i
            ax.plot([lo, hi], [y, y], color=color, lw=3)
            ax.plot(est, y, "s" if i == 1 else "o", color=color, ms=9)  # square: the frequentist row
        ax.set_yticks(range(len(rows))[::-1], [r[0] for r in rows])
        ax.axvline(0.0, color="0.6", lw=1, ls=":")
        ax.set_xlabel(scale_label)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        fig.tight_layout()
    desc = "; ".join(f"{label}: {est:.3f} ({lo:.3f} to {hi:.3f})" for label, est, (lo, hi), _ in rows)
    alt = f"Forest-style comparison on the {scale_label} scale, dotted line at 0. {desc}."
    return Plot(fig, alt)
