"""Sensitivity figures: bias-adjusted estimates side by side, the Baujat plot, the GOSH plot and the
cumulative meta-analysis (and their alt texts)."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from dprep.report.plots._style import FILLED_COLOUR, FONT_SIZE, POOLED_COLOUR, STUDY_COLOUR
from dprep.stats.meta import GoshResult

Transform = Callable[[np.ndarray], np.ndarray] | None


def _apply(values, transform: Transform) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return values if transform is None else transform(values)


def _clean(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=FONT_SIZE)


def _intervals(rows: pd.DataFrame, labels: list[str], *, transform: Transform, xlabel: str, title: str,
               colours: list[str], reference: int) -> Figure:
    """Dot-and-whisker rows, top to bottom, with the value and interval printed on the right; a dashed line
    marks the estimate of row ``reference``."""
    est, lb, ub = (_apply(rows[c], transform) for c in ("estimate", "ci_lb", "ci_ub"))
    n = len(rows)
    fig = Figure(figsize=(9.0, 1.4 + 0.42 * n))
    ax = fig.add_subplot()
    y = np.arange(n, 0, -1, dtype=float)
    ok = np.isfinite(est)
    ax.hlines(y[ok], lb[ok], ub[ok], color=[c for c, good in zip(colours, ok) if good], linewidth=1.6)
    ax.scatter(est[ok], y[ok], color=[c for c, good in zip(colours, ok) if good], s=40, zorder=3)
    ax.axvline(est[reference], color="0.6", linewidth=0.8, linestyle="--")
    ax.axvline(0.0, color="0.5", linewidth=0.8, linestyle=":")
    ax.set_yticks(y, labels, fontsize=FONT_SIZE)
    ax.set_ylim(0.4, n + 0.6)
    ax.set_xlabel(xlabel, fontsize=FONT_SIZE)
    ax.tick_params(axis="y", length=0)
    _clean(ax)
    ax.spines["left"].set_visible(False)
    transform_y = ax.get_yaxis_transform()
    for yy, e, a, b in zip(y, est, lb, ub):
        text = "not estimable" if not np.isfinite(e) else f"{e:5.2f} [{a:5.2f}, {b:5.2f}]"
        ax.text(1.02, yy, text, transform=transform_y, va="center", ha="left", fontsize=FONT_SIZE, family="monospace")
    fig.suptitle(title, fontsize=FONT_SIZE + 2, x=0.01, ha="left")
    fig.subplots_adjust(left=0.34, right=0.74, top=1 - 0.7 / fig.get_figheight(), bottom=0.8 / fig.get_figheight())
    return fig


def bias_estimates_plot(estimates: pd.DataFrame, *, transform: Transform = None, xlabel: str = "Estimate",
                        title: str = "Pooled estimate and its bias-adjusted versions") -> Figure:
    """The pooled estimate (first row, dashed line) beside each bias-adjusted estimate, with its CI.

    Parameters
    ----------
    estimates : pandas.DataFrame
        ``SensitivityResult.estimates``: columns ``analysis, estimate, ci_lb, ci_ub`` (NaN for an analysis
        that could not be fitted: "not estimable").
    transform : callable, optional
        Applied to every value (e.g. :func:`dprep.stats.meta.z_to_r` for correlations).
    xlabel, title : str
        Axis label (state the scale) and title.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Stanley & Doucouliagos (2014); Vevea & Hedges (1995); Duval & Tweedie (2000).
    """
    colours = [POOLED_COLOUR] + [FILLED_COLOUR] * (len(estimates) - 1)
    return _intervals(estimates, list(estimates["analysis"]), transform=transform, xlabel=xlabel, title=title,
                      colours=colours, reference=0)


def bias_estimates_alt_text(estimates: pd.DataFrame, *, transform: Transform = None, unit: str = "estimate") -> str:
    """One-sentence description of :func:`bias_estimates_plot`'s figure."""
    est = _apply(estimates["estimate"], transform)
    parts = [f"{a}: {e:.2f}" if np.isfinite(e) else f"{a}: not estimable" for a, e in zip(estimates["analysis"], est)]
    return (f"Dot-and-whisker plot of the pooled {unit} and {len(estimates) - 1} bias-adjusted versions with their "
            f"confidence intervals ({'; '.join(parts)}).")


def cumulative_plot(cumulative: pd.DataFrame, *, transform: Transform = None, xlabel: str = "Estimate",
                    title: str = "Cumulative meta-analysis") -> Figure:
    """The pooled estimate and CI after each study is added (rows labelled by the added study and its order
    value; the dashed line is the estimate from all studies), as metafor's ``forest(cumul(...))``.

    Parameters
    ----------
    cumulative : pandas.DataFrame
        Output of :func:`dprep.stats.meta.cumul`.
    transform, xlabel, title
        As in :func:`bias_estimates_plot`.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Lau et al. (1992).
    """
    labels = [f"+ {a} ({o})" for a, o in zip(cumulative["added"], cumulative["order"])]
    return _intervals(cumulative, labels, transform=transform, xlabel=xlabel, title=title,
                      colours=[STUDY_COLOUR] * len(cumulative), reference=-1)


def cumulative_alt_text(cumulative: pd.DataFrame, *, transform: Transform = None, unit: str = "estimate") -> str:
    """One-sentence description of :func:`cumulative_plot`'s figure."""
    est = _apply(cumulative["estimate"], transform)
    return (f"Cumulative meta-analysis of {len(cumulative)} studies in order of {cumulative['order'].iloc[0]} to "
            f"{cumulative['order'].iloc[-1]}: the pooled {unit} moves from {est[0]:.2f} (first study alone) to "
            f"{est[-1]:.2f} (all studies), ranging between {np.nanmin(est):.2f} and {np.nanmax(est):.2f}.")


def baujat_plot(coordinates: pd.DataFrame, *, labels: list[str] | None = None, title: str = "Baujat plot") -> Figure:
    """Baujat plot: each study's contribution to the heterogeneity (x) against its influence on the pooled
    result (y), labelled by study.

    Parameters
    ----------
    coordinates : pandas.DataFrame
        Output of :func:`dprep.stats.meta.baujat` (``study, x, y``).
    labels : list of str, optional
        Short text next to each point (e.g. row numbers, as metafor's ids); default the ``study`` column.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Baujat et al. (2002); metafor ``baujat``.
    """
    fig = Figure(figsize=(8.0, 6.0), layout="constrained")
    ax = fig.add_subplot()
    ax.scatter(coordinates["x"], coordinates["y"], color=STUDY_COLOUR, s=30, zorder=3)
    texts = coordinates["study"].astype(str).tolist() if labels is None else [str(x) for x in labels]
    for text, x, y in zip(texts, coordinates["x"], coordinates["y"]):
        ax.annotate(text, (x, y), xytext=(4, 3), textcoords="offset points", fontsize=FONT_SIZE - 1)
    ax.set_xlabel("Contribution to the heterogeneity (squared Pearson residual)", fontsize=FONT_SIZE)
    ax.set_ylabel("Influence on the pooled result", fontsize=FONT_SIZE)
    ax.set_title(title, fontsize=FONT_SIZE + 2, loc="left")
    _clean(ax)
    return fig


def baujat_alt_text(coordinates: pd.DataFrame) -> str:
    """One-sentence description of :func:`baujat_plot`'s figure."""
    x, y = coordinates["x"].to_numpy(), coordinates["y"].to_numpy()
    top_x, top_y = coordinates["study"].iloc[int(np.nanargmax(x))], coordinates["study"].iloc[int(np.nanargmax(y))]
    return (f"Baujat plot of {len(coordinates)} studies: study {top_x} contributes most to the heterogeneity "
            f"({np.nanmax(x):.2f}) and study {top_y} has the largest influence on the pooled result "
            f"({np.nanmax(y):.2f}).")


def gosh_plot(result: GoshResult, *, transform: Transform = None, xlabel: str = "Pooled estimate",
              title: str = "GOSH plot") -> Figure:
    """GOSH plot: I² against the pooled estimate of every fitted subset (hexagonal bins when there are many),
    with the marginal histograms, as metafor's ``plot(gosh(...))``.

    Parameters
    ----------
    result : GoshResult
        Output of :func:`dprep.stats.meta.gosh` for an intercept-only model.
    transform, xlabel, title
        As in :func:`bias_estimates_plot`.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Olkin, Dahabreh & Trikalinos (2012); metafor ``plot.gosh.rma``.
    """
    table = result.table.dropna(subset=["estimate", "i2"])
    est, i2 = _apply(table["estimate"], transform), table["i2"].to_numpy()
    fig = Figure(figsize=(8.0, 7.0))
    grid = fig.add_gridspec(2, 2, width_ratios=(4, 1), height_ratios=(1, 4), hspace=0.05, wspace=0.05)
    ax = fig.add_subplot(grid[1, 0])
    top, right = fig.add_subplot(grid[0, 0], sharex=ax), fig.add_subplot(grid[1, 1], sharey=ax)
    if len(table) > 2000:
        ax.hexbin(est, i2, gridsize=60, cmap="Blues", mincnt=1, bins="log")
    else:
        ax.scatter(est, i2, color=STUDY_COLOUR, s=8, alpha=0.5)
    top.hist(est, bins=60, color=STUDY_COLOUR)
    right.hist(i2, bins=60, color=STUDY_COLOUR, orientation="horizontal")
    for axis in (top, right):
        axis.tick_params(labelbottom=False, labelleft=False, labelsize=FONT_SIZE)
        axis.set_axis_off()
    ax.set_xlabel(xlabel, fontsize=FONT_SIZE)
    ax.set_ylabel("I² (%)", fontsize=FONT_SIZE)
    _clean(ax)
    kind = "all" if result.exact else f"{result.n_subsets:,} random"
    fig.suptitle(f"{title}: {kind} subsets ({result.method} model)", fontsize=FONT_SIZE + 2, x=0.01, ha="left")
    return fig


def gosh_alt_text(result: GoshResult, *, transform: Transform = None, unit: str = "estimate") -> str:
    """One-sentence description of :func:`gosh_plot`'s figure."""
    table = result.table.dropna(subset=["estimate", "i2"])
    est = _apply(table["estimate"], transform)
    lo, hi = np.quantile(est, [0.025, 0.975])
    return (f"GOSH plot of {len(table):,} {'(all)' if result.exact else 'random'} subsets of the studies: I² against "
            f"the pooled {unit}; 95% of the subset estimates lie between {lo:.2f} and {hi:.2f} and I² ranges from "
            f"{table['i2'].min():.0f}% to {table['i2'].max():.0f}%.")
