"""Figures of the multiverse: the specification curve and the simulation study (with alt texts)."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from dprep.core import fmt
from dprep.report.plots._style import FONT_SIZE, POOLED_COLOUR, STUDY_COLOUR, Plot
from dprep.stats.speccurve import curve

MUTED = "#9aa5b1"


def specification_curve(table: pd.DataFrame, choices: Sequence[str], *, alpha: float = 0.05,
                        ylabel: str = "Estimate", transform: Callable[[np.ndarray], np.ndarray] | None = None,
                        title: str | None = None) -> Plot:
    """The specification curve (Simonsohn et al., 2020): sorted estimates with CIs, choices below.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per specification: the ``choices`` columns, ``estimate, ci_lb, ci_ub, pval`` and
        ``primary`` (the primary analysis is drawn in red).
    choices : sequence of str
        The choices to show as indicator rows (options "not applicable" to a specification are blank).
    alpha : float
        Significance level: specifications with p < alpha are drawn dark, the others grey.
    ylabel : str
        Label of the estimate axis (after ``transform``).
    transform : callable, optional
        Applied to estimates and bounds before plotting (e.g. ``np.tanh`` for Fisher z → r).
    title : str, optional

    Returns
    -------
    Plot
        ``(figure, alt_text)``.
    """
    ranked, indicators = curve(table, choices)
    f = transform or (lambda x: x)
    est, lb, ub = (np.asarray(f(ranked[c].to_numpy(float)), dtype=float) for c in ("estimate", "ci_lb", "ci_ub"))
    sig = (ranked["pval"] < alpha).to_numpy()
    rows = [(c, str(o)) for c in choices for o in pd.unique(table[c].astype(str)) if o in set(indicators["option"].astype(str))]
    fig = Figure(figsize=(11, 3.6 + 0.2 * len(rows)), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3.4, 0.2 * len(rows) + 0.2]})
    x = ranked["rank"].to_numpy()
    colours = np.where(sig, STUDY_COLOUR, MUTED)
    top.vlines(x, lb, ub, colors=colours, lw=0.8, alpha=0.5)
    top.scatter(x, est, c=colours, s=6, zorder=3)
    primary = ranked["primary"].to_numpy(bool)
    top.scatter(x[primary], est[primary], c=POOLED_COLOUR, s=30, zorder=4, label="primary analysis")
    top.axhline(0, color="0.4", lw=0.8)
    # very wide intervals (Knapp–Hartung on 1 df) would flatten the curve: the axis spans the estimates
    # plus the lower quartile of the interval half-widths
    half = np.nanpercentile((ub - lb) / 2, 25)
    low, high = min(np.nanmin(est) - half, 0.0), max(np.nanmax(est) + half, 0.0)
    clipped = bool(np.any(lb < low) or np.any(ub > high))
    pad = 0.05 * (high - low)
    top.set_ylim(low - pad, high + pad)
    top.set_ylabel(ylabel, fontsize=FONT_SIZE)
    top.legend(loc="upper left", fontsize=FONT_SIZE - 1, frameon=False)
    if title:
        top.set_title(title, fontsize=FONT_SIZE + 1)
    y_of = {row: i for i, row in enumerate(reversed(rows))}
    ys = [y_of[(c, str(o))] for c, o in zip(indicators["choice"], indicators["option"])]
    dot = np.where(sig[indicators["rank"].to_numpy()], STUDY_COLOUR, MUTED)
    bottom.scatter(indicators["rank"], ys, c=dot, s=4, marker="|")
    bottom.set_yticks(range(len(rows)), [f"{c}: {o}" for c, o in reversed(rows)], fontsize=FONT_SIZE - 3)
    bottom.set_xlabel(f"Specification (ranked by estimate); dark = p < {alpha:g}"
                      + ("; intervals clipped at the axis" if clipped else ""), fontsize=FONT_SIZE)
    bottom.set_ylim(-0.8, len(rows) - 0.2)
    alt = (f"Specification curve of {len(ranked)} specifications{f' ({title})' if title else ''}: estimates "
           f"({ylabel}) sorted from {fmt.num(est.min())} to {fmt.num(est.max())}, median {fmt.num(np.median(est))}, "
           f"with {fmt.pct(sig.mean())} significant at p < {alpha:g}; the primary analysis "
           f"({fmt.num(est[primary][0]) if primary.any() else fmt.MISSING}) is ranked "
           f"{int(x[primary][0]) + 1 if primary.any() else fmt.MISSING} of {len(ranked)}. Below, one row per "
           f"option of the choices {', '.join(choices)} marks the specifications that use it."
           + (" The widest intervals are clipped at the edge of the plot." if clipped else ""))
    return Plot(fig, alt)


METRICS = (("bias", "Bias"), ("rmse", "RMSE"), ("coverage", "CI coverage"), ("power", "Rejection rate"))


def simulation_plot(results: pd.DataFrame, *, level: float = 0.95, alpha: float = 0.05) -> Plot:
    """Bias, RMSE, coverage and rejection rate of each estimator against the true bias of unblinded studies.

    One column per share of unblinded studies, one row per metric; the other conditions are held at
    their last (largest) level: number of studies, true effect and heterogeneity (named in the title).
    Error bars are ±2 Monte Carlo standard errors.

    Parameters
    ----------
    results : pandas.DataFrame
        :func:`dprep.stats.simulation.summarise` output.
    level, alpha : float
        Nominal coverage and significance level (reference lines).

    Returns
    -------
    Plot
    """
    fixed = {c: results[c].max() for c in ("k", "effect", "tau")}
    part = results[(results["k"] == fixed["k"]) & (results["effect"] == fixed["effect"]) & (results["tau"] == fixed["tau"])]
    shares = sorted(part["share_unblinded"].unique())
    estimators = list(pd.unique(part["estimator"]))
    fig = Figure(figsize=(3.2 * len(shares) + 1, 9))
    axes = fig.subplots(len(METRICS), len(shares), sharex=True, sharey="row", squeeze=False)
    for j, share in enumerate(shares):
        for i, (metric, label) in enumerate(METRICS):
            ax = axes[i, j]
            for e, name in enumerate(estimators):
                rows = part[(part["share_unblinded"] == share) & (part["estimator"] == name)].sort_values("bias_unblinded")
                ax.errorbar(rows["bias_unblinded"], rows[metric], yerr=2 * rows[f"{metric}_mcse"], marker="o",
                            ms=4, capsize=2, label=name, color=f"C{e}")
            if metric == "coverage":
                ax.axhline(level, color="0.4", lw=0.8, ls="--")
            elif metric == "bias":
                ax.axhline(0, color="0.4", lw=0.8)
            if i == 0:
                ax.set_title(f"{fmt.pct(share, 0)} unblinded", fontsize=FONT_SIZE)
            if j == 0:
                ax.set_ylabel(label, fontsize=FONT_SIZE)
            if i == len(METRICS) - 1:
                ax.set_xlabel("bias of unblinded studies (d)", fontsize=FONT_SIZE)
    axes[0, 0].legend(fontsize=FONT_SIZE - 2, frameon=False)
    fig.suptitle(f"k = {fixed['k']:g} studies, true effect d = {fixed['effect']:g}, τ = {fixed['tau']:g} "
                 f"(error bars ±2 MCSE)", fontsize=FONT_SIZE)
    fig.tight_layout()
    worst = part.loc[part.groupby("estimator")["bias"].apply(lambda b: b.abs().idxmax())]
    alt = (f"Simulation study, k = {fixed['k']:g}, true effect {fixed['effect']:g}, τ = {fixed['tau']:g}: bias, RMSE, "
           f"{round(100 * level):g}% CI coverage and rejection rate at α = {alpha:g} of the estimators "
           f"{', '.join(estimators)} against the bias of unblinded studies, one column per share unblinded. "
           + " ".join(f"{r.estimator}: largest absolute bias {fmt.num(r.bias, 3)} (bias of unblinded studies "
                      f"{r.bias_unblinded:g}, {fmt.pct(r.share_unblinded, 0)} unblinded), coverage there "
                      f"{fmt.pct(r.coverage)}." for r in worst.itertuples()))
    return Plot(fig, alt)
