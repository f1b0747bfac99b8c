"""Meta-analysis figures: forest and funnel plots (and their alt texts)."""

from __future__ import annotations

from typing import Literal, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from scipy import stats

from dprep.report.plots._style import FILLED_COLOUR, FONT_SIZE, POOLED_COLOUR, STUDY_COLOUR
from dprep.stats.meta import RMAResult, TrimFillResult, predict, z_to_r

Scale = Literal["r", "z"] | None

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
    scale: Scale = None,
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
        Axis label for the effect sizes (state the units); default the label of ``scale``.
    scale : {"r", "z", None}
        The analysis scale, which the funnel always uses (the standard errors live on it). ``"z"``
        (Fisher z of correlations) labels the axis "Fisher z" and gives every estimate in the legend
        also as a correlation, r = tanh(z), so that the legend reads on the scale of a text that
        reports r; ``"r"`` is refused (a funnel of back-transformed values has no standard errors).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If the model has moderators, or ``scale`` is ``"r"`` or invalid.

    References
    ----------
    Sterne, J. A. C., & Egger, M. (2001). Funnel plots for detecting bias in meta-analysis. Journal of
    Clinical Epidemiology, 54(10), 1046-1055; metafor ``funnel.rma``.
    """
    _check_pooled(result, "funnel_plot")
    _check_scale(scale, "funnel_plot")
    if scale == "r":
        raise ValueError("The 'scale' parameter of funnel_plot must be 'z' or None (the analysis scale). Got 'r' instead.")

    def shown(z: float) -> str:
        return f"z = {z:.2f} (r = {float(z_to_r(z)):.2f})" if scale == "z" else f"{z:.2f}"

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
        Line2D([], [], color=POOLED_COLOUR, label=f"RE estimate ({result.method}): {shown(est)}"),
        Line2D([], [], color="0.55", linestyle="--", label=f"Pseudo {pct} region"),
    ]
    if trimfill is not None and trimfill.k0 > 0:
        ax.scatter(trimfill.yi_filled, np.sqrt(trimfill.vi_filled), facecolors="none", edgecolors=FILLED_COLOUR,
                   linewidths=1.6, s=44, zorder=3)
        ax.axvline(trimfill.fit.estimate, color=FILLED_COLOUR, linewidth=1.2, linestyle="--")
        handles += [
            Line2D([], [], marker="o", linestyle="", markerfacecolor="none", markeredgecolor=FILLED_COLOUR,
                   markeredgewidth=1.6, label=f"Imputed by trim-and-fill (k0 = {trimfill.k0}, {trimfill.side})"),
            Line2D([], [], color=FILLED_COLOUR, linestyle="--", label=f"Adjusted estimate: {shown(trimfill.fit.estimate)}"),
        ]
    ax.set_ylim(se_max, 0.0)
    ax.set_xlabel(xlabel or _AXIS_LABELS[scale], fontsize=FONT_SIZE)
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
