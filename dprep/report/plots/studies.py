"""Figures of the primary studies: group means, effect sizes, accumulated practice by age."""

from __future__ import annotations

import textwrap
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from dprep.core import fmt
from dprep.data.studies import StudyFile
from dprep.report.plots._style import FILLED_COLOUR, FONT_SIZE, POOLED_COLOUR, STUDY_COLOUR


def _group_label(studies: StudyFile, study_id: str, group: str) -> str:
    """The study file's label of a group (its id when the study or group is not in the file)."""
    study = studies.studies.get(study_id)
    return next((g.label for g in study.groups if g.id == group), group) if study else group


def _study_title(studies: StudyFile, study_id: str) -> str:
    study = studies.studies.get(study_id)
    return study.title if study else study_id


def group_means_plot(groups: pd.DataFrame, pooled_sd: dict[str, float], *, studies: StudyFile) -> Figure:
    """Accumulated practice alone by age 18 per group, both studies, with ±1 SE bars.

    The means are reported; the SEs are *derived* (pooled SD implied by a reported test,
    divided by √n) and the figure says so. A group whose mean was not found is marked as
    missing rather than drawn.

    Parameters
    ----------
    groups : DataFrame
        ``study_id, group, n, mean`` (hours) for the studies to show.
    pooled_sd : dict
        study_id → pooled SD in hours implied by the reported tests (derived value).
    studies : StudyFile
        The study file: panel titles and group labels (``data/studies.yaml``).

    Returns
    -------
    Figure
    """
    ids = list(dict.fromkeys(groups["study_id"]))
    fig = Figure(figsize=(3.8 * len(ids), 3.8))
    axes = fig.subplots(1, len(ids), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, study_id in zip(axes, ids):
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
        ax.set_xticks(x, [textwrap.fill(_group_label(studies, study_id, str(v)), 12) for v in g["group"]],
                      fontsize=FONT_SIZE - 1)
        ax.set_xlim(-0.6, len(g) - 0.4)
        ax.set_title(textwrap.fill(_study_title(studies, study_id), 40), fontsize=FONT_SIZE)
        ax.grid(axis="y", color="#dddddd")
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_ylabel("Accumulated practice alone\nby age 18 (hours)", fontsize=FONT_SIZE)
    axes[0].set_ylim(bottom=0)
    fig.text(0.01, -0.02, "Points: reported means. Bars: ±1 SE derived from the pooled SD implied by a "
             "reported test (equal SDs assumed); no SDs were published.", fontsize=FONT_SIZE - 2,
             ha="left", va="top", color="#444444")
    fig.tight_layout()
    return fig


def effect_sizes_plot(comparisons: pd.DataFrame, *, studies: StudyFile, level: float = 0.95) -> Figure:
    """Effect sizes of the group comparisons with their CIs, one panel per effect-size type.

    Parameters
    ----------
    comparisons : DataFrame
        ``study_id, comparison, effect_size, estimate, ci_lb, ci_ub, basis`` as made by
        :func:`dprep.studies.primary.group_comparisons`. Derived rows are drawn hollow.
    studies : StudyFile
        The study file: how the studies are named on the axis.
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
        ax.set_yticks(y, [textwrap.fill(f"{_study_title(studies, r.study_id)}: {r.comparison}", 52)
                          for r in rows.itertuples()],
                      fontsize=FONT_SIZE - 1)
        ax.axvline(0, color="grey", lw=0.8, ls=":")
        ax.set_xlabel(f"{kind} with {level:.0%} CI", fontsize=FONT_SIZE)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_ylim(-0.7, len(rows) - 0.3)
    axes[0].legend(handles=[
        Line2D([], [], marker="o", ls="", color=STUDY_COLOUR, label="from a reported statistic"),
        Line2D([], [], marker="o", ls="", color=STUDY_COLOUR, mfc="white",
               label="needs a derived value")],
        loc="lower right", fontsize=FONT_SIZE - 2, frameon=False, bbox_to_anchor=(1, 1.02), ncol=2)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------------

#: Label carried by every figure of reconstructed data.
RECONSTRUCTED_LABEL = "RECONSTRUCTED (synthetic) data — not the studies' data"


RECONSTRUCTED_FOOTNOTE = ("Thin lines: invented participants; thick lines: group means (equal by construction to "
                          "the published, or derived, means at the study's target age).")


def accumulated_by_age_plot(trajectories: pd.DataFrame, studies: StudyFile, *, label: str = RECONSTRUCTED_LABEL,
                            stamp: str | None = "RECONSTRUCTED\n(synthetic)",
                            footnote: str = RECONSTRUCTED_FOOTNOTE) -> Figure:
    """Accumulated practice alone by age per group, as in Ericsson et al.'s (1993) figure.

    One panel per study (and per scenario of its unreported means, when it has several): each
    participant's accumulated hours by age as a thin transparent line, the group mean as a thick
    line, and a visible label saying what the data are (by default: reconstructed, synthetic).

    Parameters
    ----------
    trajectories : DataFrame
        ``study_id, participant_id, group, age_years, accumulated_hours`` (hours accumulated
        over the years of age start … age − 1), optionally ``scenario``, e.g. from
        :func:`dprep.studies.reconstruct.accumulated_by_age`.
    studies : StudyFile
        The study file: panel titles, group labels and colours (groups without a colour are grey).
    label : str
        What the data are, in the figure's title.
    stamp : str, optional
        Text stamped on every panel (``None``: no stamp, e.g. for real data).
    footnote : str
        The note under the panels.

    Returns
    -------
    Figure
    """
    frame = trajectories.assign(scenario=trajectories.get("scenario", "")).fillna({"scenario": ""})
    panels = list(dict.fromkeys(zip(frame["study_id"], frame["scenario"])))
    fig = Figure(figsize=(4.2 * len(panels), 4.4))
    axes = np.atleast_1d(fig.subplots(1, len(panels), sharey=True))
    for ax, (study_id, scenario) in zip(axes, panels):
        t = frame[(frame["study_id"] == study_id) & (frame["scenario"] == scenario)]
        colours = studies[study_id].colours if study_id in studies.studies else {}
        for group, g in t.groupby("group", sort=False):
            colour = colours.get(str(group), "#555555")
            for _, person in g.groupby("participant_id", sort=False):
                ax.plot(person["age_years"], person["accumulated_hours"], color=colour, lw=0.8, alpha=0.25)
            mean = g.groupby("age_years")["accumulated_hours"].mean()
            ax.plot(mean.index, mean.to_numpy(), color=colour, lw=3, label=_group_label(studies, study_id, str(group)))
        title = textwrap.fill(_study_title(studies, study_id), 34) + (f"\nscenario: {scenario}" if scenario else "")
        ax.set_title(title, fontsize=FONT_SIZE)
        ax.set_xlabel("Age (years)", fontsize=FONT_SIZE)
        ax.grid(color="#eeeeee")
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", fontsize=FONT_SIZE - 2, frameon=False)
        if stamp:
            ax.text(0.03, 0.62, stamp, transform=ax.transAxes, ha="left", va="top",
                    fontsize=FONT_SIZE, color=POOLED_COLOUR, fontweight="bold", alpha=0.8)
    axes[0].set_ylabel("Accumulated practice alone (hours)", fontsize=FONT_SIZE)
    axes[0].set_ylim(bottom=0)
    fig.suptitle(f"Accumulated practice alone by age — {label}", fontsize=FONT_SIZE, color=POOLED_COLOUR)
    fig.text(0.01, -0.01, footnote, fontsize=FONT_SIZE - 2, ha="left", va="top", color="#444444")
    fig.tight_layout()
    return fig


def replication_plot(rows: Sequence[Mapping], titles: Mapping[str, str], *, level: float = 0.95) -> tuple[Figure, str]:
    """Original and replication Cohen's d with their CIs and the replication's prediction interval.

    Parameters
    ----------
    rows : sequence of mapping
        One per pair, with ``pair`` (the contrast and its scenario, if any), ``replication_source, orig_d,
        orig_ci_lb, orig_ci_ub, rep_d, rep_ci_lb, rep_ci_ub, pi_lb, pi_ub, rep_in_pi`` (the
        ``replication.csv`` of the pipeline).
    titles : mapping
        ``{"original": ..., "replication": ...}``: how the two studies are named on the axis.
    level : float
        Level of the confidence and prediction intervals (for the labels).

    Returns
    -------
    (Figure, str)
        The figure (one panel per contrast) and its alt text.
    """
    fig = Figure(figsize=(7.5, 2.3 * len(rows)))
    axes = np.atleast_1d(fig.subplots(len(rows), 1, sharex=True, squeeze=False)[:, 0])
    level = fmt.pct(level, 0)
    alt = [f"Original and replication Cohen's d with {level} confidence intervals, and the {level} prediction "
           "interval for the replication given the original (Patil et al. 2016), one panel per contrast."]
    for ax, row in zip(axes, rows):
        items = [(titles["original"], row["orig_d"], row["orig_ci_lb"], row["orig_ci_ub"], STUDY_COLOUR),
                 (f"{titles['replication']} ({row['replication_source']})", row["rep_d"], row["rep_ci_lb"],
                  row["rep_ci_ub"], FILLED_COLOUR)]
        for y, (label, d, lo, hi, colour) in enumerate(items[::-1]):
            ax.errorbar(d, y, xerr=[[d - lo], [hi - d]], fmt="o", color=colour, capsize=4, ms=7)
        ax.plot([row["pi_lb"], row["pi_ub"]], [-0.35, -0.35], color="0.35", lw=6, alpha=0.5, solid_capstyle="butt")
        ax.set_yticks([-0.35, 0, 1], ["prediction interval\nfor the replication", items[1][0], items[0][0]])
        ax.axvline(0, color="0.6", lw=1)
        ax.set_title(row["pair"], fontsize=FONT_SIZE + 1)
        ax.set_ylim(-0.8, 1.5)
        alt.append(
            f"{row['pair']}: original d = {row['orig_d']:.2f} ({level} CI {row['orig_ci_lb']:.2f} to "
            f"{row['orig_ci_ub']:.2f}); replication d = {row['rep_d']:.2f} ({row['rep_ci_lb']:.2f} to "
            f"{row['rep_ci_ub']:.2f}, {row['replication_source']}); prediction interval "
            f"{row['pi_lb']:.2f} to {row['pi_ub']:.2f}, which "
            f"{'contains' if row['rep_in_pi'] else 'does not contain'} the replication estimate.")
    axes[-1].set_xlabel("Cohen's d (positive = more practice in the more accomplished group)")
    fig.tight_layout()
    return fig, " ".join(alt)
