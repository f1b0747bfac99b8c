"""Reconstructed (synthetic) participant-level data consistent with the published summaries.

Neither Ericsson, Krampe & Tesch-Römer (1993, Study 1) nor Macnamara & Maitra (2019) published
individual data or group SDs. :func:`reconstruct_study` generates, for one study, a diary
folder (:mod:`dprep.data.diaries` format) of *invented* participants whose accumulated practice
alone by age 18 reproduces the published group sizes and means exactly and the published test
statistics within their rounding, under stated assumptions (equal group SDs equal to the pooled
SD implied by the reported tests; for the replication's unreported third mean, the value the
reported η² implies). Every participant is marked ``synthetic``. The data show what the
published summaries *imply* at the individual level; they are not the studies' data.

How one study is built:

1. per group, a target mean (reported, or derived) and a common SD (the pooled SD implied by
   the study's reported tests: the root of the mean of their implied MSEs);
2. per group, n positively skewed draws (gamma with that mean and SD), standardized to sample
   mean 0 and SD 1 (ddof = 1), then shifted and scaled onto the target mean and SD; draws
   giving a total below 0 are rejected and redrawn;
3. per participant, an integer starting age and a current age ≥ 18, and a yearly trajectory of
   weekly hours of practice alone (weights growing with years of playing, with noise) scaled
   so that Σ_{start ≤ y ≤ 17} hours_per_week(y) × 52 equals the participant's target total;
   later years continue at about the age-17 level.

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

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from dprep.data.diaries import SCHEMA_DIR, TABLES, WEEKS_PER_YEAR, DiaryData, TableOrigin, accumulated_practice, validate_tables
from dprep.stats.groups import anova_oneway, kruskal_wallis, planned_contrasts
from dprep.stats.sumstats import parse_reported

#: Studies that can be reconstructed (``study_id`` of the group summaries).
STUDIES = ("EKT1993_S1", "MM2019")

#: The outcome reconstructed: accumulated practice alone by this age (years).
TARGET_AGE = 18

#: Measure of the group summaries that is reconstructed.
MEASURE = "accumulated_practice_alone_by_age_18"

#: Suffix of the ``study_id`` of reconstructed participants.
SUFFIX = "_reconstructed"

_MAX_HOURS_PER_WEEK = 168.0
_MAX_ATTEMPTS = 10_000
_EXACT_TOLERANCE = 1e-6  # hours: a derived (unrounded) mean must be hit to floating-point accuracy

# How each reported statistic is recomputed from the reconstructed data:
# test_id → (statistic label, kind, argument, targeted by the construction, note).
_CHECKS = {
    "ekt_best_vs_good": ("F(1, 27): best vs good", "contrast_F", "best_vs_good", True,
                         "planned contrast, pooled error term of the three groups"),
    "ekt_top_vs_teachers": ("F(1, 27): best and good vs music_teachers", "contrast_F",
                            "best_and_good_vs_music_teachers", True,
                            "planned contrast, pooled error term of the three groups"),
    "ekt_eta2_as_restated": ("η² (restated by Macnamara & Maitra, 2019)", "eta2", None, False,
                             "omnibus η² of the reconstruction; the audit found no η² definition that "
                             "gives 0.48 from the published F and means"),
    "mm_best_vs_good": ("t(24): best vs good", "t", None, True,
                        "Student t of the two groups (pooled variance of best and good only)"),
    "mm_three_groups": ("η² (three groups)", "eta2", None, True,
                        "parametric one-way ANOVA η²; targeted through the derived third mean"),
}


@dataclass(frozen=True)
class Reconstruction:
    """A reconstructed study and how it compares with the published numbers.

    Attributes
    ----------
    study_id : str
        The published study (e.g. ``"EKT1993_S1"``); the participants carry
        ``study_id + "_reconstructed"``.
    data : DiaryData
        Validated diary tables: participants (all ``synthetic``), practice history (weekly
        hours of ``practice_alone`` per year of age from the start to the current age); no
        diary week and no ratings (those tables are empty).
    targets : DataFrame
        ``group, n, mean, sd, mean_source`` (hours): what each group was built to hit.
    summary : DataFrame
        One row per statistic: ``study_id, statistic, reported, reported_lb, reported_ub,
        reconstructed, targeted, matches, note``. ``matches`` = the reconstructed value lies
        within the rounding interval of the reported one; ``targeted`` = the construction
        aimed at it (an untargeted statistic may legitimately fail to match).
    assumptions : tuple of str
        Every assumption of the reconstruction, in plain English.
    seed : int
        Seed of the random draws.
    """

    study_id: str
    data: DiaryData
    targets: pd.DataFrame
    summary: pd.DataFrame
    assumptions: tuple[str, ...]
    seed: int


def _study_seed(seed: int, study_id: str) -> np.random.Generator:
    """A generator for one study, independent of which other studies are reconstructed."""
    return np.random.default_rng([int(seed), STUDIES.index(study_id)])


def _targets(study_id: str, groups: pd.DataFrame, derived: pd.DataFrame,
             root: Literal["lower", "upper"]) -> tuple[pd.DataFrame, list[str]]:
    """Per-group n, mean and the common SD, with the assumptions they need."""
    g = groups[(groups["study_id"] == study_id) & (groups["measure"] == MEASURE)].reset_index(drop=True)
    if g.empty:
        raise ValueError(f"no group summaries of {MEASURE!r} for study {study_id!r}")
    d = derived[derived["study_id"] == study_id]
    sds = d[d["quantity"] == "pooled SD"]
    if sds.empty:
        raise ValueError(f"no derived pooled SD for study {study_id!r}; run the audit first")
    mse = sds["value"].astype(float).to_numpy() ** 2
    sd = float(np.sqrt(mse.mean()))
    lo, hi = sds["lb"].astype(float).max(), sds["ub"].astype(float).min()
    if not lo <= sd <= hi:
        raise ValueError(f"{study_id}: the pooled SDs implied by the reported tests do not overlap "
                         f"([{lo:.1f}, {hi:.1f}] is empty or excludes {sd:.1f})")
    assumptions = [
        "every participant is invented (synthetic); only group sizes, means and test statistics are published",
        f"all groups have the same SD, {sd:,.1f} h: the pooled SD implied by the reported test(s) "
        f"({len(sds)} derived value(s), MSEs averaged; within every test's rounding range "
        f"[{lo:,.1f}, {hi:,.1f}] h)",
        "accumulated practice alone by 18 is positively skewed within a group (gamma draws, "
        "standardized, then shifted and scaled onto the target mean and SD exactly; totals < 0 redrawn)",
        "starting ages (integers 5–10), current ages (18–26 years) and the shape of each yearly "
        "trajectory are illustrative draws, not the studies' values",
        "no diary week and no activity ratings are reconstructed",
    ]
    means, sources = [], []
    for _, row in g.iterrows():
        if pd.notna(pd.to_numeric(row["mean"], errors="coerce")):
            means.append(float(row["mean"]))
            sources.append("reported")
            continue
        cand = d[d["quantity"] == f"mean of {row['group']}"]["value"].astype(float).sort_values()
        if cand.empty:
            raise ValueError(f"{study_id}: the mean of {row['group']!r} is neither reported nor derived")
        value = float(cand.iloc[0] if root == "lower" else cand.iloc[-1])
        means.append(value)
        sources.append("derived")
        others = ", ".join(f"{v:,.0f}" for v in cand if v != value)
        assumptions.append(
            f"the unreported mean of {row['group']} is derived from the reported η² with the pooled SD: "
            f"{value:,.1f} h, the {root} of the roots ({others} h also fits); the lower root is the one "
            "consistent with the press report of ~6000 h by age 20 for this group"
            if root == "lower" else
            f"the unreported mean of {row['group']} is derived from the reported η² with the pooled SD: "
            f"{value:,.1f} h, the upper root ({others} h also fits)")
    targets = pd.DataFrame({"group": g["group"].astype(str), "n": g["n"].astype(int), "mean": means,
                            "sd": sd, "mean_source": sources})
    return targets, assumptions


def _group_totals(rng: np.random.Generator, n: int, mean: float, sd: float) -> np.ndarray:
    """n non-negative totals with sample mean ``mean`` and SD (ddof = 1) ``sd`` exactly."""
    shape, scale = (mean / sd) ** 2, sd**2 / mean
    for _ in range(_MAX_ATTEMPTS):
        draws = rng.gamma(shape, scale, size=n)
        z = (draws - draws.mean()) / draws.std(ddof=1)
        totals = mean + sd * z
        if totals.min() >= 0:
            return totals
    raise ValueError(f"no non-negative sample with mean {mean:.1f} and SD {sd:.1f} (n = {n}) "
                     f"in {_MAX_ATTEMPTS} draws")


def _trajectory(rng: np.random.Generator, total: float, start: int, current: int) -> np.ndarray:
    """Weekly hours for the years of age start … current summing (× 52, up to 17) to ``total``."""
    years = np.arange(start, TARGET_AGE)
    weights = (years - start + 1.0) * rng.lognormal(0.0, 0.25, size=len(years))
    hours = total / WEEKS_PER_YEAR * weights / weights.sum()
    later = hours[-1] * rng.lognormal(0.0, 0.1, size=current - TARGET_AGE + 1)
    out = np.concatenate([hours, np.minimum(later, _MAX_HOURS_PER_WEEK)])
    if out.max() > _MAX_HOURS_PER_WEEK:
        raise ValueError(f"a total of {total:,.0f} h from age {start} needs more than 168 h a week")
    return out


def _tables(study_id: str, targets: pd.DataFrame, rng: np.random.Generator) -> DiaryData:
    """Draw the participants and their histories; validate them as a diary folder."""
    people, history = [], []
    for _, t in targets.iterrows():
        totals = _group_totals(rng, int(t["n"]), float(t["mean"]), float(t["sd"]))
        for i, total in enumerate(totals, start=1):
            pid = f"{study_id}_R_{t['group']}_{i:02d}"
            start = int(rng.integers(5, 11))
            age = float(rng.integers(18, 27)) + round(float(rng.uniform(0, 1)), 2)
            hours = _trajectory(rng, float(total), start, int(np.floor(age)))
            people.append({"participant_id": pid, "study_id": study_id + SUFFIX, "group": t["group"],
                           "age_years": repr(age), "age_started_years": str(start), "synthetic": "true"})
            history += [{"participant_id": pid, "age_years": str(start + k), "activity": "practice_alone",
                         "hours_per_week": repr(float(h))} for k, h in enumerate(hours)]
    frames = {
        "activities": pd.read_csv(SCHEMA_DIR / "activities.csv", dtype=str, keep_default_na=False),
        "participants": pd.DataFrame(people),
        "practice_history": pd.DataFrame(history),
        "diary": pd.DataFrame(columns=["participant_id", "day", "start", "end", "activity"], dtype=str),
        "activity_ratings": pd.DataFrame(
            columns=["participant_id", "activity", "relevance", "effort", "enjoyment"], dtype=str),
    }
    return validate_tables(frames, {name: TableOrigin(f"{study_id}{SUFFIX}/{name}.csv") for name in TABLES})


def _recompute(kind: str, arg: str | None, outcome: pd.DataFrame) -> float:
    """One statistic recomputed from the reconstructed per-participant totals."""
    if kind == "contrast_F":
        contrasts = planned_contrasts(outcome, "accumulated_hours").set_index("contrast")
        return float(contrasts.loc[arg, "t"] ** 2)
    if kind == "eta2":
        return float(anova_oneway(outcome, "accumulated_hours")["eta2"].iloc[0])
    best = outcome.loc[outcome["group"] == "best", "accumulated_hours"]
    good = outcome.loc[outcome["group"] == "good", "accumulated_hours"]
    return float(stats.ttest_ind(best, good, equal_var=True).statistic)


def _row(study_id, statistic, reported, reconstructed, targeted, note) -> dict:
    """A summary row; ``reported`` is text (rounding interval from its digits) or an exact float."""
    rep = parse_reported(reported)
    tolerance = _EXACT_TOLERANCE if rep.decimals is None else 0.0
    return {"study_id": study_id, "statistic": statistic, "reported": rep.value, "reported_lb": rep.lb,
            "reported_ub": rep.ub, "reconstructed": reconstructed, "targeted": targeted,
            "matches": bool(rep.lb - tolerance <= reconstructed <= rep.ub + tolerance), "note": note}


def compare_with_reported(study_id: str, data: DiaryData, targets: pd.DataFrame,
                          tests: pd.DataFrame) -> pd.DataFrame:
    """Reported vs reconstructed statistics of one study.

    Parameters
    ----------
    study_id : str
        Published study.
    data : DiaryData
        Its reconstruction.
    targets : DataFrame
        ``group, mean, mean_source`` as built by :func:`reconstruct_study`.
    tests : DataFrame
        Reported tests (layout of ``reported_tests.csv``, values as text).

    Returns
    -------
    DataFrame
        ``study_id, statistic, reported, reported_lb, reported_ub, reconstructed, targeted,
        matches, note``: group means (hours; a derived mean is compared with its derived
        value, exactly), the reported F, t and η², Cohen's d and the Kruskal–Wallis χ² where
        reported (those two not targeted).
    """
    outcome = accumulated_practice(data, TARGET_AGE)
    rows = []
    means = outcome.groupby("group")["accumulated_hours"].mean()
    for _, t in targets.iterrows():
        rec = float(means[t["group"]])
        reported = f"{t['mean']:.0f}" if t["mean_source"] == "reported" else float(t["mean"])
        rows.append(_row(study_id, f"mean of {t['group']} (h)", reported, rec, True,
                         "reported mean" if t["mean_source"] == "reported"
                         else "NOT reported: the 'reported' column holds the derived value (within 1e-6 h)"))
    for _, test in tests[tests["study_id"] == study_id].iterrows():
        if test["test_id"] not in _CHECKS:
            continue
        label, kind, arg, targeted, note = _CHECKS[test["test_id"]]
        text = test["value"] if kind != "eta2" else test["effect_value"]
        value = _recompute(kind, arg, outcome)
        rows.append(_row(study_id, label, text, value, targeted, note))
        if test["effect_size"] == "cohens_d":
            rows.append(_row(study_id, "Cohen's d: best vs good", test["effect_value"],
                             2 * value / np.sqrt(float(test["df2"])), False,
                             "d = 2t/√df, the definition that reproduces the reported d (audit)"))
        if test["statistic"] == "chi2":
            rows.append(_row(study_id, "χ²(2): Kruskal–Wallis", test["value"],
                             float(kruskal_wallis(outcome, "accumulated_hours")["H"].iloc[0]), False,
                             "rank test; depends on the individual values, which are invented"))
    return pd.DataFrame(rows)


def reconstruct_study(
    study_id: str,
    groups: pd.DataFrame,
    derived: pd.DataFrame,
    *,
    seed: int,
    tests: pd.DataFrame,
    root: Literal["lower", "upper"] = "lower",
) -> Reconstruction:
    """Generate participant-level data reproducing one study's published summaries.

    Parameters
    ----------
    study_id : {"EKT1993_S1", "MM2019"}
        The study.
    groups : DataFrame
        Group summaries (``study_id, group, n, measure, mean``; layout of
        ``group_summaries.csv``).
    derived : DataFrame
        The audit's derived values (``study_id, quantity, value, lb, ub``; e.g.
        ``data/processed/primary/derived.csv`` or ``dprep.stats.audit.audit(...).derived``): the
        pooled SD(s) and, for a group without a reported mean, its derived mean.
    seed : int
        Seed (``params.yaml`` ``seed``); the same seed gives identical data.
    tests : DataFrame
        Reported tests, for the reported-vs-reconstructed summary.
    root : {"lower", "upper"}, default "lower"
        Which root to take when the missing mean has two derived solutions. The lower one
        (≈ 3,855 h for the replication's less accomplished group) agrees with the press report
        of ~6000 h by age 20.

    Returns
    -------
    Reconstruction
        The validated diary tables, targets, summary and assumptions.

    Raises
    ------
    ValueError
        If the study is unknown, lacks summaries or derived values, or no admissible sample
        can be drawn.
    """
    if study_id not in STUDIES:
        raise ValueError(f"unknown study {study_id!r}; expected one of {', '.join(STUDIES)}")
    if root not in ("lower", "upper"):
        raise ValueError(f"root must be 'lower' or 'upper', got {root!r}")
    targets, assumptions = _targets(study_id, groups, derived, root)
    data = _tables(study_id, targets, _study_seed(seed, study_id))
    summary = compare_with_reported(study_id, data, targets, tests)
    return Reconstruction(study_id, data, targets, summary, tuple(assumptions), int(seed))


def accumulated_by_age(data: DiaryData, ages: range | None = None) -> pd.DataFrame:
    """Accumulated practice alone of every participant at each age, for trajectory plots.

    Parameters
    ----------
    data : DiaryData
        Diary tables.
    ages : range, optional
        Ages A (hours accumulated over the years of age start … A − 1); default from
        min(8, earliest start) to 18.

    Returns
    -------
    DataFrame
        ``participant_id, group, age_years, accumulated_hours`` (hours).
    """
    if ages is None:
        first = int(min(8, np.floor(data.participants["age_started_years"].min())))
        ages = range(first, TARGET_AGE + 1)
    frames = [accumulated_practice(data, age).assign(age_years=age) for age in ages]
    out = pd.concat(frames, ignore_index=True)
    return out[["participant_id", "group", "age_years", "accumulated_hours"]]
