"""Figures: forest and funnel plots, group means and effect sizes of the two studies.

Figures are built on :class:`matplotlib.figure.Figure` directly, so they work under the Agg backend and
are not kept alive by pyplot; save them with :func:`dprep.data.io.save_figure`. Text is at least 10 pt.
"""

from __future__ import annotations

import textwrap
from typing import Literal, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from scipy import stats

from dprep.stats.meta import RMAResult, TrimFillResult, predict, z_to_r

Scale = Literal["r", "z"] | None

FONT_SIZE = 11
STUDY_COLOUR = "#1f4e79"
POOLED_COLOUR = "#8b1a1a"
FILLED_COLOUR = "#d9822b"

_AXIS_LABELS = {
    "r": "Correlation r (back-transformed from Fisher z)",
    "z": "Fisher z",
    None: "Effect size (analysis scale)",
}


def _check_scale(scale: Scale, func: str) -> None:
    if scale not in _AXIS_LABELS:
        raise ValueError(f"The 'scale' parameter of {func} must be 'r', 'z' or None. Got {scale!r} instead.")


def _check_pooled(result: RMAResult, func: str) -> None:
    if not result.int_only:
        raise ValueError(
            f"The 'result' parameter of {func} must be an intercept-only model. "
            f"Got coefficients {result.coef_names} instead."
        )


def _transform(values: np.ndarray, scale: Scale) -> np.ndarray:
    return z_to_r(values) if scale == "r" else np.asarray(values, dtype=float)


def _labels(labels: Sequence[str], k: int, func: str) -> list[str]:
    labels = [str(x) for x in labels]
    if len(labels) != k:
        raise ValueError(f"The 'labels' parameter of {func} must have one label per study ({k}). Got {len(labels)} instead.")
    return labels


def _pooled_summary(result: RMAResult, scale: Scale) -> tuple[float, float, float, float, float]:
    pred = predict(result)
    est, lb, ub, pi_lb, pi_ub = (float(_transform(getattr(pred, key)[0], scale))
                                  for key in ("estimate", "ci_lb", "ci_ub", "pi_lb", "pi_ub"))
    return est, lb, ub, pi_lb, pi_ub


def forest_plot(
    result: RMAResult,
    labels: Sequence[str],
    *,
    scale: Scale = None,
    title: str | None = None,
    synthetic: bool = False,
    xlabel: str | None = None,
) -> Figure:
    """Forest plot: study estimates with CIs, the pooled diamond and the prediction interval.

    Each study is a square whose area is proportional to its random-effects weight, with its
    ``result.level`` Wald CI :math:`y_i \\pm z\\sqrt{v_i}`. The pooled estimate is a diamond spanning its
    CI; the prediction interval is drawn as a bar beneath the diamond. A right-hand column lists each
    estimate, its CI and its weight (%).

    Parameters
    ----------
    result : RMAResult
        Intercept-only model from :func:`dprep.stats.meta.rma`.
    labels : sequence of str, shape (k,)
        Study labels, in the order of ``result.yi``.
    scale : {"r", "z", None}
        ``"r"`` back-transforms every value (Fisher z → r, tanh) and labels the axis as a correlation;
        ``"z"`` labels it as Fisher z; ``None`` leaves the analysis scale with a generic label.
    title : str, optional
        Figure title.
    synthetic : bool
        Mark the figure, in its title and a red note, as showing synthetic (made-up) data.
    xlabel : str, optional
        Overrides the axis label (state the units).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If the model has moderators, ``labels`` has the wrong length, or ``scale`` is invalid.

    References
    ----------
    Lewis, S., & Clarke, M. (2001). Forest plots: trying to see the wood and the trees. BMJ, 322, 1479;
    metafor ``forest.rma`` (prediction interval with ``addpred=TRUE``).
    """
    _check_scale(scale, "forest_plot")
    _check_pooled(result, "forest_plot")
    labels = _labels(labels, result.k, "forest_plot")
    k = result.k
    crit = stats.norm.isf((1 - result.level) / 2)
    yi, sei = np.asarray(result.yi), np.sqrt(result.vi)
    est_i = _transform(yi, scale)
    lb_i, ub_i = _transform(yi - crit * sei, scale), _transform(yi + crit * sei, scale)
    weights = result.weights
    est, lb, ub, pi_lb, pi_ub = _pooled_summary(result, scale)

    fig = Figure(figsize=(9.0, 1.6 + 0.36 * (k + 3)))
    ax = fig.add_subplot()
    rows = np.arange(k, 0, -1, dtype=float)
    ax.hlines(rows, lb_i, ub_i, color=STUDY_COLOUR, linewidth=1.2)
    ax.scatter(est_i, rows, marker="s", s=25 + 225 * weights / weights.max(), color=STUDY_COLOUR, zorder=3)

    y_pool, y_pi = -0.6, -1.4
    ax.fill([lb, est, ub, est], [y_pool, y_pool + 0.35, y_pool, y_pool - 0.35], color=POOLED_COLOUR, zorder=3)
    ax.hlines(y_pi, pi_lb, pi_ub, color=POOLED_COLOUR, linewidth=2.5)
    ax.vlines([pi_lb, pi_ub], y_pi - 0.15, y_pi + 0.15, color=POOLED_COLOUR, linewidth=2.5)
    ax.axvline(0.0, color="0.5", linewidth=0.8, linestyle=":")

    pct = f"{100 * result.level:g}%"
    ytick_labels = labels + [f"RE model ({result.method}), {pct} CI", f"{pct} prediction interval"]
    ax.set_yticks(np.r_[rows, y_pool, y_pi], ytick_labels, fontsize=FONT_SIZE)
    ax.set_ylim(y_pi - 0.8, k + 0.8)
    ax.set_xlabel(xlabel or _AXIS_LABELS[scale], fontsize=FONT_SIZE)
    ax.tick_params(axis="x", labelsize=FONT_SIZE)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)

    text_rows = [f"{e:5.2f} [{a:5.2f}, {b:5.2f}] {w:5.1f}%" for e, a, b, w in zip(est_i, lb_i, ub_i, weights)]
    text_rows += [f"{est:5.2f} [{lb:5.2f}, {ub:5.2f}]", f"      [{pi_lb:5.2f}, {pi_ub:5.2f}]"]
    transform = ax.get_yaxis_transform()
    for y, text in zip(np.r_[rows, y_pool, y_pi], text_rows):
        ax.text(1.02, y, text, transform=transform, va="center", ha="left", fontsize=FONT_SIZE, family="monospace")
    ax.text(1.02, k + 0.8, f"Estimate [{pct} CI]  Weight", transform=transform, va="bottom", ha="left",
            fontsize=FONT_SIZE, fontweight="bold")

    heading = title or "Forest plot"
    if synthetic:
        heading = f"{heading} (SYNTHETIC DATA)"
        fig.text(0.01, 0.005, "Synthetic data for illustration: these are not real studies.",
                 color="red", fontsize=FONT_SIZE, ha="left", va="bottom")
    fig.suptitle(heading, fontsize=FONT_SIZE + 2, x=0.01, ha="left")
    fig.subplots_adjust(left=0.28, right=0.68, top=1 - 0.85 / fig.get_figheight(),
                        bottom=0.9 / fig.get_figheight())
    return fig


def forest_plot_alt_text(result: RMAResult, labels: Sequence[str], *, scale: Scale = None) -> str:
    """One-sentence description of :func:`forest_plot`'s figure, for alt text.

    Parameters
    ----------
    result : RMAResult
        Intercept-only model.
    labels : sequence of str, shape (k,)
        Study labels, in the order of ``result.yi``.
    scale : {"r", "z", None}
        As in :func:`forest_plot`.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        As :func:`forest_plot`.
    """
    _check_scale(scale, "forest_plot_alt_text")
    _check_pooled(result, "forest_plot_alt_text")
    labels = _labels(labels, result.k, "forest_plot_alt_text")
    est_i = _transform(np.asarray(result.yi), scale)
    est, lb, ub, pi_lb, pi_ub = _pooled_summary(result, scale)
    unit = {"r": "correlation r", "z": "Fisher z", None: "effect size"}[scale]
    pct = f"{100 * result.level:g}%"
    return (
        f"Forest plot of {result.k} studies (first {labels[0]!r}, last {labels[-1]!r}) whose {unit} estimates range from "
        f"{est_i.min():.2f} to {est_i.max():.2f}, with a random-effects ({result.method}) pooled {unit} of "
        f"{est:.2f} ({pct} CI {lb:.2f} to {ub:.2f}; {pct} prediction interval {pi_lb:.2f} to {pi_ub:.2f}) "
        f"and I² = {result.i2:.0f}%."
    )


def funnel_plot(
    result: RMAResult,
    *,
    trimfill: TrimFillResult | None = None,
    title: str | None = None,
    xlabel: str | None = None,
) -> Figure:
    """Funnel plot: effect sizes against their standard errors (inverted axis) with a pseudo-CI region.

    The shaded region is :math:`\\hat\\mu \\pm z_{1-\\alpha/2}\\,SE` for SE from 0 to the largest
    standard error (pseudo confidence region at ``result.level``). With ``trimfill``, the imputed studies
    are drawn as hollow orange circles, labelled in the legend, and the adjusted estimate is a dashed line.

    Parameters
    ----------
    result : RMAResult
        Intercept-only model (on the analysis scale).
    trimfill : TrimFillResult, optional
        Output of :func:`dprep.stats.meta.trimfill` for ``result``.
    title : str, optional
        Figure title.
    xlabel : str, optional
        Axis label for the effect sizes (state the units); default "Effect size (analysis scale)".

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If the model has moderators.

    References
    ----------
    Sterne, J. A. C., & Egger, M. (2001). Funnel plots for detecting bias in meta-analysis. Journal of
    Clinical Epidemiology, 54(10), 1046-1055; metafor ``funnel.rma``.
    """
    _check_pooled(result, "funnel_plot")
    yi, sei = np.asarray(result.yi), np.sqrt(result.vi)
    crit = stats.norm.isf((1 - result.level) / 2)
    est = result.estimate
    se_max = 1.05 * max(sei.max(), np.sqrt(trimfill.vi_filled).max() if trimfill and trimfill.k0 else 0.0)

    fig = Figure(figsize=(9.5, 5.5), layout="constrained")
    ax = fig.add_subplot()
    se_grid = np.array([0.0, se_max])
    ax.fill_betweenx(se_grid, est - crit * se_grid, est + crit * se_grid, color="0.92", zorder=0)
    ax.plot(est - crit * se_grid, se_grid, color="0.55", linewidth=0.8, linestyle="--")
    ax.plot(est + crit * se_grid, se_grid, color="0.55", linewidth=0.8, linestyle="--")
    ax.axvline(est, color=POOLED_COLOUR, linewidth=1.2)
    ax.scatter(yi, sei, color=STUDY_COLOUR, s=36, zorder=3)

    pct = f"{100 * result.level:g}%"
    handles = [
        Line2D([], [], marker="o", linestyle="", color=STUDY_COLOUR, label=f"Observed studies (k = {result.k})"),
        Line2D([], [], color=POOLED_COLOUR, label=f"RE estimate ({result.method}) = {est:.2f}"),
        Line2D([], [], color="0.55", linestyle="--", label=f"Pseudo {pct} region"),
    ]
    if trimfill is not None and trimfill.k0 > 0:
        ax.scatter(trimfill.yi_filled, np.sqrt(trimfill.vi_filled), facecolors="none", edgecolors=FILLED_COLOUR,
                   linewidths=1.6, s=44, zorder=3)
        ax.axvline(trimfill.fit.estimate, color=FILLED_COLOUR, linewidth=1.2, linestyle="--")
        handles += [
            Line2D([], [], marker="o", linestyle="", markerfacecolor="none", markeredgecolor=FILLED_COLOUR,
                   markeredgewidth=1.6, label=f"Imputed by trim-and-fill (k0 = {trimfill.k0}, {trimfill.side})"),
            Line2D([], [], color=FILLED_COLOUR, linestyle="--", label=f"Adjusted estimate = {trimfill.fit.estimate:.2f}"),
        ]
    ax.set_ylim(se_max, 0.0)
    ax.set_xlabel(xlabel or _AXIS_LABELS[None], fontsize=FONT_SIZE)
    ax.set_ylabel("Standard error", fontsize=FONT_SIZE)
    ax.tick_params(labelsize=FONT_SIZE)
    ax.legend(handles=handles, fontsize=FONT_SIZE - 1, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    ax.set_title(title or "Funnel plot", fontsize=FONT_SIZE + 2, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


# --------------------------------------------------------------------------------------------------
# The two primary studies
# --------------------------------------------------------------------------------------------------

def group_means_plot(groups: pd.DataFrame, pooled_sd: dict[str, float]) -> Figure:
    """Accumulated practice alone by age 18 per group, both studies, with ±1 SE bars.

    The means are reported; the SEs are *derived* (pooled SD implied by a reported test,
    divided by √n) and the figure says so. A group whose mean was not found is marked as
    missing rather than drawn.

    Parameters
    ----------
    groups : DataFrame
        ``study_id, study, group, n, mean`` (hours) for the studies to show.
    pooled_sd : dict
        study_id → pooled SD in hours implied by the reported tests (derived value).

    Returns
    -------
    Figure
    """
    studies = list(dict.fromkeys(groups["study_id"]))
    fig = Figure(figsize=(7.5, 3.6))
    axes = fig.subplots(1, len(studies), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, study_id in zip(axes, studies):
        g = groups[groups["study_id"] == study_id].reset_index(drop=True)
        x = np.arange(len(g))
        mean = pd.to_numeric(g["mean"], errors="coerce").to_numpy(float)
        n = pd.to_numeric(g["n"], errors="coerce").to_numpy(float)
        se = pooled_sd.get(study_id, np.nan) / np.sqrt(n)
        ok = np.isfinite(mean)
        ax.errorbar(x[ok], mean[ok], yerr=se[ok], fmt="o", color=STUDY_COLOUR, capsize=5, ms=8)
        for xi in x[~ok]:
            ax.text(xi, 0.5, "mean not\nreported", transform=ax.get_xaxis_transform(), ha="center",
                    va="center", fontsize=FONT_SIZE - 1, color="grey")
        ax.set_xticks(x, [str(v).replace("_", "\n") for v in g["group"]], fontsize=FONT_SIZE)
        ax.set_xlim(-0.6, len(g) - 0.4)
        ax.set_title(str(g["study"].iloc[0]).split(" (")[0] + f" ({study_id[-4:] if study_id[-4:].isdigit() else study_id[3:7]})",
                     fontsize=FONT_SIZE)
        ax.grid(axis="y", color="#dddddd")
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_ylabel("Accumulated practice alone\nby age 18 (hours)", fontsize=FONT_SIZE)
    axes[0].set_ylim(bottom=0)
    fig.text(0.01, -0.02, "Points: reported means. Bars: ±1 SE derived from the pooled SD implied by a "
             "reported test (equal SDs assumed); no SDs were published.", fontsize=FONT_SIZE - 2,
             ha="left", va="top", color="#444444")
    fig.tight_layout()
    return fig


def effect_sizes_plot(comparisons: pd.DataFrame, *, level: float = 0.95) -> Figure:
    """Effect sizes of the group comparisons with their CIs, one panel per effect-size type.

    Parameters
    ----------
    comparisons : DataFrame
        ``study_id, comparison, effect_size, estimate, ci_lb, ci_ub, basis`` as made by
        :func:`dprep.studies.primary.group_comparisons`. Derived rows are drawn hollow.
    level : float
        Confidence level, for the axis label.

    Returns
    -------
    Figure
    """
    kinds = list(dict.fromkeys(comparisons["effect_size"]))
    heights = [max(1, (comparisons["effect_size"] == k).sum()) for k in kinds]
    fig = Figure(figsize=(8, 0.55 * sum(heights) + 1.4 * len(kinds)))
    axes = np.atleast_1d(fig.subplots(len(kinds), 1, gridspec_kw={"height_ratios": heights}))
    for ax, kind in zip(axes, kinds):
        rows = comparisons[comparisons["effect_size"] == kind].reset_index(drop=True)
        y = np.arange(len(rows))[::-1]
        for yi, (_, r) in zip(y, rows.iterrows()):
            derived = r["basis"] == "derived"
            ax.plot([r["ci_lb"], r["ci_ub"]], [yi, yi], color=STUDY_COLOUR, lw=2)
            ax.plot(r["estimate"], yi, "o", ms=8, color=STUDY_COLOUR,
                    mfc="white" if derived else STUDY_COLOUR)
        ax.set_yticks(y, [textwrap.fill(f"{r.study_id}: {r.comparison}", 48) for r in rows.itertuples()],
                      fontsize=FONT_SIZE - 1)
        ax.axvline(0, color="grey", lw=0.8, ls=":")
        ax.set_xlabel(f"{kind} with {level:.0%} CI", fontsize=FONT_SIZE)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_ylim(-0.7, len(rows) - 0.3)
    axes[0].legend(handles=[
        Line2D([], [], marker="o", ls="", color=STUDY_COLOUR, label="from a reported statistic"),
        Line2D([], [], marker="o", ls="", color=STUDY_COLOUR, mfc="white",
               label="needs a derived value (see Table 3)")],
        loc="lower right", fontsize=FONT_SIZE - 2, frameon=False, bbox_to_anchor=(1, 1.02), ncol=2)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------------

#: Label carried by every figure of reconstructed data.
RECONSTRUCTED_LABEL = "RECONSTRUCTED (synthetic) data — not the studies' data"

_GROUP_COLOURS = {"best": STUDY_COLOUR, "good": FILLED_COLOUR, "music_teachers": POOLED_COLOUR,
                  "less_accomplished": POOLED_COLOUR}


def accumulated_by_age_plot(trajectories: pd.DataFrame, titles: dict[str, str] | None = None) -> Figure:
    """Accumulated practice alone by age per group, as in Ericsson et al.'s (1993) figure.

    One panel per study: each participant's accumulated hours by age as a thin transparent
    line, the group mean as a thick line, and a visible label that the data are
    reconstructed (synthetic).

    Parameters
    ----------
    trajectories : DataFrame
        ``study_id, participant_id, group, age_years, accumulated_hours`` (hours accumulated
        over the years of age start … age − 1), e.g. from
        :func:`dprep.studies.reconstruct.accumulated_by_age`.
    titles : dict, optional
        study_id → panel title; default the study_id.

    Returns
    -------
    Figure
    """
    studies = list(dict.fromkeys(trajectories["study_id"]))
    fig = Figure(figsize=(4.2 * len(studies), 4.2))
    axes = np.atleast_1d(fig.subplots(1, len(studies), sharey=True))
    for ax, study_id in zip(axes, studies):
        t = trajectories[trajectories["study_id"] == study_id]
        for group, g in t.groupby("group", sort=False):
            colour = _GROUP_COLOURS.get(str(group), "#555555")
            for _, person in g.groupby("participant_id", sort=False):
                ax.plot(person["age_years"], person["accumulated_hours"], color=colour, lw=0.8, alpha=0.25)
            mean = g.groupby("age_years")["accumulated_hours"].mean()
            ax.plot(mean.index, mean.to_numpy(), color=colour, lw=3, label=str(group).replace("_", " "))
        ax.set_title((titles or {}).get(study_id, study_id), fontsize=FONT_SIZE)
        ax.set_xlabel("Age (years)", fontsize=FONT_SIZE)
        ax.grid(color="#eeeeee")
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", fontsize=FONT_SIZE - 1, frameon=False)
        ax.text(0.03, 0.62, "RECONSTRUCTED\n(synthetic)", transform=ax.transAxes, ha="left", va="top",
                fontsize=FONT_SIZE, color=POOLED_COLOUR, fontweight="bold", alpha=0.8)
    axes[0].set_ylabel("Accumulated practice alone (hours)", fontsize=FONT_SIZE)
    axes[0].set_ylim(bottom=0)
    fig.suptitle(f"Accumulated practice alone by age — {RECONSTRUCTED_LABEL}", fontsize=FONT_SIZE,
                 color=POOLED_COLOUR)
    fig.text(0.01, -0.01, "Thin lines: invented participants; thick lines: group means (equal by "
             "construction to the published means at age 18).", fontsize=FONT_SIZE - 2, ha="left",
             va="top", color="#444444")
    fig.tight_layout()
    return fig
