"""Individual-level comparisons of skill groups: one-way ANOVA with η² and ω² CIs, planned contrasts,
and robust alternatives alongside (Welch ANOVA, Kruskal–Wallis, Games–Howell); activity ratings
against their grand mean; the estimate-vs-diary mixed ANOVA.

These are the analyses of the deliberate-practice studies (references below) run on per-person data
in any labelling: groups are whatever the data call them, and planned contrasts are passed in (a
study declares its own in ``data/studies.yaml``).

Every function takes a tidy DataFrame with one row per participant (or per participant and
activity), drops rows whose outcome is missing, and returns a tidy DataFrame.

References
----------
Ericsson, K. A., Krampe, R. Th., & Tesch-Römer, C. (1993). The role of deliberate practice in
the acquisition of expert performance. *Psychological Review, 100*(3), 363–406.
https://doi.org/10.1037/0033-295X.100.3.363

Macnamara, B. N., & Maitra, M. (2019). The role of deliberate practice in expert performance:
revisiting Ericsson, Krampe & Tesch-Römer (1993). *Royal Society Open Science, 6*, 190327.
https://doi.org/10.1098/rsos.190327
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats

from dprep.core import args
from dprep.core.errors import DataError
from dprep.stats.effects import eta2_ci, omega2_from_f

#: Ratings collected for every activity (0–10 scales).
RATING_DIMENSIONS = ("relevance", "effort", "enjoyment")

#: Labels of the two measures compared by :func:`estimate_diary_mixed_anova`.
MEASURES = ("retrospective_estimate", "diary")


def _complete(data: pd.DataFrame, dv: str, between: str, *, pooled: bool = False) -> pd.DataFrame:
    """Rows with a non-missing outcome; check that an ANOVA is defined on them (with ``pooled``, that the
    pooled within-group variance, its error term, is not 0)."""
    for column in (dv, between):
        if column not in data.columns:
            raise ValueError(f"column {column!r} not found (have: {', '.join(map(str, data.columns))})")
    frame = data.loc[data[dv].notna(), [between, dv]].copy()
    frame[dv] = frame[dv].astype(float)
    counts = frame[between].value_counts()
    if len(counts) < 2:
        raise ValueError(f"need at least two groups with a value of {dv!r}, got {len(counts)}")
    if len(frame) <= len(counts):
        raise ValueError(f"need more participants ({len(frame)}) than groups ({len(counts)})")
    if pooled and (frame.groupby(between)[dv].nunique() == 1).all():
        raise DataError(f"{dv!r} does not vary within any group of {between!r} (each group's values are all "
                        "equal): the within-group variance is 0, and F, η², ω² and the contrasts' t are not defined")
    return frame


def group_descriptives(data: pd.DataFrame, dv: str, between: str = "group") -> pd.DataFrame:
    """Size, mean and SD of ``dv`` per group.

    Parameters
    ----------
    data : DataFrame
        One row per participant; columns ``between`` and ``dv``.
    dv : str
        Outcome column (e.g. ``accumulated_hours``).
    between : str
        Group column.

    Returns
    -------
    DataFrame
        One row per group: ``group``, ``n``, ``mean``, ``sd`` (SD with ddof = 1), in ``dv``'s unit.
    """
    frame = _complete(data, dv, between)
    out = frame.groupby(between, sort=True)[dv].agg(n="size", mean="mean", sd="std").reset_index()
    return out.rename(columns={between: "group"})


def anova_oneway(
    data: pd.DataFrame,
    dv: str,
    between: str = "group",
    *,
    level: float = 0.95,
    lambda_to: str = "N",
) -> pd.DataFrame:
    """Classic one-way ANOVA with η² and ω² and their noncentral-F confidence intervals.

    Parameters
    ----------
    data : DataFrame
        One row per participant; columns ``between`` and ``dv``.
    dv : str
        Outcome column.
    between : str
        Group column.
    level : float
        Confidence level of the intervals.
    lambda_to : {"N", "df_error"}
        How a noncentrality bound λ becomes an η² bound (``params.yaml``,
        ``effect_size.eta2_ci_lambda``): ``"N"`` maps λ to λ / (λ + N), ``"df_error"`` to
        λ / (λ + df2); see :func:`dprep.stats.effects.eta2_ci`.

    Returns
    -------
    DataFrame
        One row: ``F``, ``df1``, ``df2``, ``pval``, ``eta2``, ``eta2_ci_lb``, ``eta2_ci_ub``,
        ``omega2``, ``omega2_ci_lb``, ``omega2_ci_ub``. η² = SS_between / SS_total;
        ω² = (SS_between − df1·MS_within) / (SS_total + MS_within) (may be negative). The
        intervals invert the noncentral F distribution (:func:`dprep.stats.effects.eta2_ci`); the ω²
        limits put F = λ / df1 at each noncentrality limit λ into ω²(F), floored at 0, as the
        R package effectsize does.

    Raises
    ------
    ValueError
        If a column is missing, fewer than two groups have data, or N ≤ number of groups.
    DataError (a ValueError)
        If ``dv`` does not vary within any group (the within-group variance, F's denominator, is 0).
    """
    frame = _complete(data, dv, between, pooled=True)
    table = pg.anova(data=frame, dv=dv, between=between, detailed=True)
    ss_between, ss_within = float(table.loc[0, "SS"]), float(table.loc[1, "SS"])
    df1, df2 = int(table.loc[0, "DF"]), int(table.loc[1, "DF"])
    f_value, p_value = float(table.loc[0, "F"]), float(table.loc[0, "p_unc"])
    ms_within = ss_within / df2
    ci = eta2_ci(f_value, df1, df2, level=level, lambda_to_eta2=lambda_to)
    # ω² bounds: the F at each noncentrality limit (F = λ / df1) through ω²(F), floored at 0.
    omega2_low, omega2_high = (max(0.0, omega2_from_f(lam / df1, df1, df2)) for lam in (ci.ncp_lb, ci.ncp_ub))
    return pd.DataFrame(
        {
            "F": [f_value],
            "df1": [df1],
            "df2": [df2],
            "pval": [p_value],
            "eta2": [ss_between / (ss_between + ss_within)],
            "eta2_ci_lb": [ci.ci_lb],
            "eta2_ci_ub": [ci.ci_ub],
            "omega2": [(ss_between - df1 * ms_within) / (ss_between + ss_within + ms_within)],
            "omega2_ci_lb": [omega2_low],
            "omega2_ci_ub": [omega2_high],
        }
    )



def welch_anova(data: pd.DataFrame, dv: str, between: str = "group") -> pd.DataFrame:
    """Welch's heteroscedastic one-way ANOVA.

    Parameters
    ----------
    data : DataFrame
        One row per participant; columns ``between`` and ``dv``.
    dv, between : str
        Outcome and group columns.

    Returns
    -------
    DataFrame
        One row: ``F``, ``df1``, ``df2`` (Welch–Satterthwaite, fractional), ``pval``.

    References
    ----------
    Welch, B. L. (1951). On the comparison of several mean values: an alternative approach.
    *Biometrika, 38*(3/4), 330–336. https://doi.org/10.2307/2332579
    """
    frame = _complete(data, dv, between)
    table = pg.welch_anova(data=frame, dv=dv, between=between)
    return pd.DataFrame(
        {
            "F": [float(table.loc[0, "F"])],
            "df1": [float(table.loc[0, "ddof1"])],
            "df2": [float(table.loc[0, "ddof2"])],
            "pval": [float(table.loc[0, "p_unc"])],
        }
    )


def kruskal_wallis(data: pd.DataFrame, dv: str, between: str = "group") -> pd.DataFrame:
    """Kruskal–Wallis rank test (tie-corrected H, χ² approximation).

    Parameters
    ----------
    data : DataFrame
        One row per participant; columns ``between`` and ``dv``.
    dv, between : str
        Outcome and group columns.

    Returns
    -------
    DataFrame
        One row: ``H``, ``df``, ``pval``.
    """
    frame = _complete(data, dv, between)
    table = pg.kruskal(data=frame, dv=dv, between=between)
    return pd.DataFrame(
        {
            "H": [float(table["H"].iloc[0])],
            "df": [int(table["ddof1"].iloc[0])],
            "pval": [float(table["p_unc"].iloc[0])],
        }
    )


def games_howell(data: pd.DataFrame, dv: str, between: str = "group") -> pd.DataFrame:
    """Games–Howell pairwise comparisons (unequal variances and sizes).

    Parameters
    ----------
    data : DataFrame
        One row per participant; columns ``between`` and ``dv``.
    dv, between : str
        Outcome and group columns.

    Returns
    -------
    DataFrame
        One row per pair: ``group_a``, ``group_b``, ``mean_a``, ``mean_b``, ``difference``
        (a − b, in ``dv``'s unit), ``se``, ``t``, ``df``, ``pval`` (Studentized-range adjusted),
        ``hedges_g``.

    References
    ----------
    Games, P. A., & Howell, J. F. (1976). Pairwise multiple comparison procedures with unequal
    n's and/or variances: a Monte Carlo study. *Journal of Educational Statistics, 1*(2), 113–125.
    """
    frame = _complete(data, dv, between)
    table = pg.pairwise_gameshowell(data=frame, dv=dv, between=between)
    return pd.DataFrame(
        {
            "group_a": table["A"].astype(str),
            "group_b": table["B"].astype(str),
            "mean_a": table["mean_A"].astype(float),
            "mean_b": table["mean_B"].astype(float),
            "difference": table["diff"].astype(float),
            "se": table["se"].astype(float),
            "t": table["T"].astype(float),
            "df": table["df"].astype(float),
            "pval": table["pval"].astype(float),
            "hedges_g": table["hedges"].astype(float),
        }
    )


def _hypothesis(weights: Mapping[str, float]) -> str:
    """The directional H₁ of a contrast: the positive side > the negative side."""
    pos = [g for g, w in weights.items() if w > 0]
    neg = [g for g, w in weights.items() if w < 0]
    return f"{' and '.join(pos)} > {' and '.join(neg)}"


def contrast_label(weights: Mapping[str, float]) -> str:
    """A contrast as its difference of (averaged) group means: ``best − good``, ``(best + good)/2 − third``.

    Parameters
    ----------
    weights : mapping of str to float
        Group → weight; weights sum to 0.

    Returns
    -------
    str
        The positive side minus the negative side; a side of several equally weighted groups is
        written as their mean, unequal weights as ``w·group`` terms.
    """
    def side(positive: bool) -> str:
        items = [(g, abs(w)) for g, w in weights.items() if (w > 0) == positive and w != 0]
        if len(items) == 1:
            return items[0][0]
        if len({w for _, w in items}) == 1 and abs(sum(w for _, w in items) - 1) < 1e-12:
            return f"({' + '.join(g for g, _ in items)})/{len(items)}"
        return "(" + " + ".join(f"{w:g}·{g}" for g, w in items) + ")"

    return f"{side(True)} − {side(False)}"


def planned_contrasts(
    data: pd.DataFrame, dv: str, contrasts: Mapping[str, Mapping[str, float]], between: str = "group"
) -> pd.DataFrame:
    """Planned contrasts of group means, with one- and two-tailed p side by side.

    Each contrast ψ = Σ cᵢ·meanᵢ uses the pooled within-group variance of the one-way ANOVA on all
    groups present: t = ψ / √(MS_within · Σ cᵢ² / nᵢ), df = N − k. The one-tailed p tests the
    direction of the weights (the positive side larger), as a preregistered directional hypothesis.

    Parameters
    ----------
    data : DataFrame
        One row per participant; columns ``between`` and ``dv``.
    dv : str
        Outcome column (e.g. ``accumulated_hours``).
    contrasts : mapping of str to mapping of str to float
        Contrast name → {group: weight}; weights sum to 0 (e.g. ``{"best_vs_good": {"best": 1,
        "good": -1}}``; a study's planned contrasts are declared in ``data/studies.yaml``).
    between : str, default "group"
        Group column.

    Returns
    -------
    DataFrame
        One row per contrast: ``contrast``, ``hypothesis`` (the directional H₁ of the one-tailed p),
        ``estimate`` (ψ, in ``dv``'s unit), ``se``, ``t``, ``df``, ``pval_two_tailed``,
        ``pval_one_tailed``.

    Raises
    ------
    ArgumentError
        If a contrast names a group without data or its weights do not sum to 0.
    DataError (a ValueError)
        If ``dv`` does not vary within any group (MS_within is 0).

    References
    ----------
    Maxwell, S. E., Delaney, H. D., & Kelley, K. (2018). *Designing experiments and analyzing data*
    (3rd ed.), ch. 4 (planned contrasts with the pooled error term).
    """
    frame = _complete(data, dv, between, pooled=True)
    summary = frame.groupby(between, sort=True)[dv].agg(n="size", mean="mean", var="var")
    df_within = int(summary["n"].sum() - len(summary))
    ms_within = float(((summary["n"] - 1) * summary["var"]).sum() / df_within)
    rows = []
    for name, weights in contrasts.items():
        missing = [g for g in weights if g not in summary.index]
        args.check(not missing, "contrasts", "planned_contrasts", f"name groups with data ({', '.join(summary.index)})",
                   f"{name!r} with {', '.join(missing)}", raw=True)
        args.check(abs(sum(weights.values())) < 1e-12, "contrasts", "planned_contrasts", "have weights summing to 0",
                   f"{name!r} summing to {sum(weights.values()):g}", raw=True)
        w = pd.Series(weights, dtype=float)
        estimate = float((w * summary.loc[w.index, "mean"]).sum())
        se = float(np.sqrt(ms_within * (w**2 / summary.loc[w.index, "n"]).sum()))
        t_value = estimate / se
        rows.append(
            {
                "contrast": name,
                "hypothesis": _hypothesis(weights),
                "estimate": estimate,
                "se": se,
                "t": t_value,
                "df": df_within,
                "pval_two_tailed": float(2.0 * stats.t.sf(abs(t_value), df_within)),
                "pval_one_tailed": float(stats.t.sf(t_value, df_within)),
            }
        )
    return pd.DataFrame(rows)


def compare_groups(
    data: pd.DataFrame,
    dv: str,
    between: str = "group",
    *,
    level: float = 0.95,
    lambda_to: str = "N",
    contrasts: Mapping[str, Mapping[str, float]] | None = None,
) -> dict[str, pd.DataFrame]:
    """All between-group analyses of one outcome.

    Parameters
    ----------
    data : DataFrame
        One row per participant; columns ``between`` and ``dv``.
    dv, between : str
        Outcome and group columns.
    level, lambda_to : float, str
        Passed to :func:`anova_oneway`.
    contrasts : mapping, optional
        Planned contrasts for :func:`planned_contrasts` (name → {group: weight}); left out when
        not given.

    Returns
    -------
    dict of str to DataFrame
        ``descriptives``, ``anova``, ``welch``, ``kruskal``, ``games_howell`` and, when
        defined, ``contrasts``.
    """
    out = {
        "descriptives": group_descriptives(data, dv, between),
        "anova": anova_oneway(data, dv, between, level=level, lambda_to=lambda_to),
        "welch": welch_anova(data, dv, between),
        "kruskal": kruskal_wallis(data, dv, between),
        "games_howell": games_howell(data, dv, between),
    }
    if contrasts:
        out["contrasts"] = planned_contrasts(data, dv, contrasts, between)
    return out


def estimate_diary_mixed_anova(comparison: pd.DataFrame) -> pd.DataFrame:
    """Group × measure mixed ANOVA of retrospective estimate vs diary week.

    Both studies asked whether the retrospective estimate of weekly practice for the current
    year matched the diary week, and whether the gap differed between groups.

    Parameters
    ----------
    comparison : DataFrame
        Output of :func:`dprep.data.diaries.estimate_vs_diary`: one row per participant with
        ``participant_id``, ``group``, ``estimate_hours_per_week`` and
        ``diary_hours_per_week``.

    Returns
    -------
    DataFrame
        Rows ``group`` (between), ``measure`` (within) and ``interaction``; columns
        ``source``, ``SS``, ``df1``, ``df2``, ``MS``, ``F``, ``pval``, ``partial_eta2``
        (sums of squares in (hours per week)²).
    """
    wide = comparison.dropna(subset=["estimate_hours_per_week", "diary_hours_per_week"])
    long = pd.DataFrame(
        {
            "participant_id": pd.concat([wide["participant_id"]] * 2, ignore_index=True),
            "group": pd.concat([wide["group"]] * 2, ignore_index=True),
            "measure": np.repeat(MEASURES, len(wide)),
            "hours_per_week": np.concatenate(
                [wide["estimate_hours_per_week"].to_numpy(float), wide["diary_hours_per_week"].to_numpy(float)]
            ),
        }
    )
    table = pg.mixed_anova(
        data=long, dv="hours_per_week", within="measure", subject="participant_id", between="group"
    )
    return pd.DataFrame(
        {
            "source": ["group", "measure", "interaction"],
            "SS": table["SS"].astype(float).to_numpy(),
            "df1": table["DF1"].astype(int).to_numpy(),
            "df2": table["DF2"].astype(int).to_numpy(),
            "MS": table["MS"].astype(float).to_numpy(),
            "F": table["F"].astype(float).to_numpy(),
            "pval": table["p_unc"].astype(float).to_numpy(),
            "partial_eta2": table["np2"].astype(float).to_numpy(),
        }
    )


def ratings_vs_grand_mean(ratings: pd.DataFrame) -> pd.DataFrame:
    """One-sample t test of each activity's ratings against the grand mean of all ratings.

    Ericsson et al. (1993) and Macnamara & Maitra (2019) called an activity highly relevant
    (effortful, enjoyable) when its mean rating exceeded the mean of all activities' ratings
    on that scale. The grand mean is the mean of every rating on the scale (all participants,
    all activities); each activity is tested against it with a one-sample t test.

    Parameters
    ----------
    ratings : DataFrame
        The ``activity_ratings`` table: ``participant_id``, ``activity`` and the 0–10 scales
        ``relevance``, ``effort``, ``enjoyment`` (missing = not rated).

    Returns
    -------
    DataFrame
        One row per scale and activity rated by at least two participants: ``dimension``,
        ``activity``, ``n``, ``mean_rating``, ``grand_mean``, ``t``, ``df``, ``pval``
        (two-tailed), ``cohen_d`` (signed: (mean − grand mean) / SD).
    """
    rows = []
    for dimension in RATING_DIMENSIONS:
        values = ratings[["activity", dimension]].dropna()
        grand_mean = float(values[dimension].mean())
        for activity, scores in values.groupby("activity", sort=True)[dimension]:
            if len(scores) < 2:
                continue
            test = pg.ttest(scores.to_numpy(float), grand_mean)
            rows.append(
                {
                    "dimension": dimension,
                    "activity": str(activity),
                    "n": len(scores),
                    "mean_rating": float(scores.mean()),
                    "grand_mean": grand_mean,
                    "t": float(test["T"].iloc[0]),
                    "df": int(test["dof"].iloc[0]),
                    "pval": float(test["p_val"].iloc[0]),
                    "cohen_d": float((scores.mean() - grand_mean) / scores.std(ddof=1)),
                }
            )
    columns = ["dimension", "activity", "n", "mean_rating", "grand_mean", "t", "df", "pval", "cohen_d"]
    return pd.DataFrame(rows, columns=columns)
