"""Reconstructed (synthetic) participant-level data consistent with the published summaries.

Neither Ericsson, Krampe & Tesch-Römer (1993, Study 1) nor Macnamara & Maitra (2019) published
individual data or group SDs. :func:`reconstruct_study` generates, for one study, a diary
folder (:mod:`dprep.data.diaries` format) of *invented* participants whose accumulated practice
alone by age 18 reproduces the published group sizes and means exactly and the published test
statistics within their rounding, under stated assumptions (equal group SDs equal to the pooled
SD implied by the reported tests; for the replication's unreported third mean, a value the
reported η² implies — one of two roots, each built as its own scenario, see
:mod:`dprep.studies.scenarios`). Every participant is marked ``synthetic``. The data show what the
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

from collections.abc import Sequence
from dataclasses import dataclass
import numpy as np
import pandas as pd
from scipy import stats

from dprep.core import fmt
from dprep.core.errors import DataError
from dprep.data.diaries import SCHEMA_DIR, TABLES, WEEKS_PER_YEAR, DiaryData, TableOrigin, accumulated_practice, validate_tables
from dprep.data.studies import OMNIBUS, Study, StudyFile
from dprep.stats.groups import anova_oneway, kruskal_wallis, planned_contrasts
from dprep.stats.sumstats import parse_reported
from dprep.studies.scenarios import mean_scenarios

#: Suffix of the ``study_id`` of reconstructed participants.
SUFFIX = "_reconstructed"

_MAX_HOURS_PER_WEEK = 168.0
_MAX_ATTEMPTS = 10_000
_EXACT_TOLERANCE = 1e-6  # hours: a derived (unrounded) mean must be hit to floating-point accuracy

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
        One row per statistic: ``study_id, statistic, target, target_lb, target_ub,
        target_source, reconstructed, targeted, matches, note``. ``target`` is the value the
        reconstruction is compared with: a reported number (``target_source = "reported"``) or, for
        an unreported mean, its derived value (``"derived"``). ``matches`` = the reconstructed value
        lies within the rounding interval of the target (a derived value: within 1e-6 h);
        ``targeted`` = the construction aimed at it (an untargeted statistic may legitimately fail
        to match).
    assumptions : tuple of str
        Every assumption of the reconstruction, in plain English.
    seed : int
        Seed of the random draws.
    scenario : str
        The scenario of the unreported means (``""`` when there is only one); the same seed gives the
        same standardized draws in every scenario, so scenarios differ only by the derived means.
    """

    study_id: str
    data: DiaryData
    targets: pd.DataFrame
    summary: pd.DataFrame
    assumptions: tuple[str, ...]
    seed: int
    scenario: str = ""


def _study_seed(seed: int, studies: StudyFile, study_id: str) -> np.random.Generator:
    """A generator for one study: its position among the reconstructable studies of the study file."""
    return np.random.default_rng([int(seed), [s.id for s in studies.reconstructable].index(study_id)])


def folder_name(study_id: str, scenario: str = "") -> str:
    """The diary folder of a reconstruction: ``MM2019_reconstructed`` or ``MM2019_reconstructed_lower_root``."""
    return study_id + SUFFIX + (f"_{fmt.slug(scenario)}" if scenario else "")


def study_scenarios(study: Study, groups: pd.DataFrame, derived: pd.DataFrame) -> list[str]:
    """Names of the scenarios of a study's unreported means (``[""]`` when every mean is known); see
    :func:`dprep.studies.scenarios.mean_scenarios`."""
    return [s.name for s in mean_scenarios(study, groups, derived)]


def _targets(study: Study, groups: pd.DataFrame, derived: pd.DataFrame,
             scenario: str | None) -> tuple[pd.DataFrame, list[str], str]:
    """Per-group n, mean and the common SD, the assumptions they need, and the scenario's name."""
    study_id = study.id
    g = groups[(groups["study_id"] == study_id) & (groups["measure"] == study.measure)].reset_index(drop=True)
    if g.empty:
        raise ValueError(f"no group summaries of {study.measure!r} for study {study_id!r}")
    small = g.index[~(pd.to_numeric(g["n"], errors="coerce") >= 2)]
    if len(small):
        n = g.at[small[0], "n"]
        raise DataError(f"group {g.at[small[0], 'group']!r} has {f'n = {n}' if n else 'no n'} in the group summaries: "
                        "a reconstruction draws each group's totals around the pooled SD (ddof = 1), which needs n ≥ 2")
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
    scenarios = {s.name: s for s in mean_scenarios(study, groups, derived)}
    if scenario is None and len(scenarios) == 1:
        scenario = next(iter(scenarios))
    if scenario not in scenarios:
        raise ValueError(f"{study_id}: scenario {scenario!r} is not one of the study's scenarios "
                         f"({', '.join(repr(n) for n in scenarios)}): the unreported mean has several roots "
                         "and the published numbers do not say which, so name one")
    chosen = scenarios[scenario]
    assumptions = [
        "every participant is invented (synthetic); only group sizes, means and test statistics are published",
        f"all groups have the same SD, {sd:,.1f} h: the pooled SD implied by the reported test(s) "
        f"({len(sds)} derived value(s), MSEs averaged; within every test's rounding range "
        f"[{lo:,.1f}, {hi:,.1f}] h)",
        "accumulated practice alone by 18 is positively skewed within a group (gamma draws, "
        "standardized, then shifted and scaled onto the target mean and SD exactly; totals < 0 redrawn)",
        f"starting ages (integers 5–10), current ages ({study.target_age}–{study.target_age + 8} years) and the shape of each yearly "
        "trajectory are illustrative draws, not the studies' values",
        "no diary week and no activity ratings are reconstructed",
        *chosen.notes(study),
    ]
    groups_in = g["group"].astype(str)
    targets = pd.DataFrame({"group": groups_in, "n": g["n"].astype(int),
                            "mean": [chosen.means[x] for x in groups_in], "sd": sd,
                            "mean_source": ["derived" if x in chosen.derived else "reported" for x in groups_in]})
    return targets, assumptions, chosen.name


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


def _trajectory(rng: np.random.Generator, total: float, start: int, current: int, target_age: int) -> np.ndarray:
    """Weekly hours for the years of age start … current summing (× 52, up to target_age − 1) to ``total``."""
    years = np.arange(start, target_age)
    weights = (years - start + 1.0) * rng.lognormal(0.0, 0.25, size=len(years))
    hours = total / WEEKS_PER_YEAR * weights / weights.sum()
    later = hours[-1] * rng.lognormal(0.0, 0.1, size=current - target_age + 1)
    out = np.concatenate([hours, np.minimum(later, _MAX_HOURS_PER_WEEK)])
    if out.max() > _MAX_HOURS_PER_WEEK:
        raise ValueError(f"a total of {total:,.0f} h from age {start} needs more than 168 h a week")
    return out


def _tables(study: Study, targets: pd.DataFrame, rng: np.random.Generator) -> DiaryData:
    """Draw the participants and their histories; validate them as a diary folder."""
    study_id, target_age = study.id, study.target_age
    people, history = [], []
    for _, t in targets.iterrows():
        totals = _group_totals(rng, int(t["n"]), float(t["mean"]), float(t["sd"]))
        for i, total in enumerate(totals, start=1):
            pid = f"{study_id}_R_{t['group']}_{i:02d}"
            start = int(rng.integers(5, 11))
            age = float(rng.integers(target_age, target_age + 9)) + round(float(rng.uniform(0, 1)), 2)
            hours = _trajectory(rng, float(total), start, int(np.floor(age)), target_age)
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


def _check(study: Study, test: pd.Series) -> tuple[str, str, str | None, bool, str] | None:
    """How a reported test of ``study`` is recomputed from reconstructed data.

    Returns (label, kind, contrast id, targeted, note) or None when the study file gives the test no role.
    """
    role = study.tests.get(test["test_id"])
    if role is None or role.measure != study.measure:
        return None
    if test["effect_size"] == "eta_squared":
        if role.restated:
            return ("η² (restated)", "eta2", None, False,
                    "omnibus η² of the reconstruction; the value is another paper's restatement, not targeted")
        return (f"η² ({len(study.groups)} groups)", "eta2", None, True,
                "parametric one-way ANOVA η²; targeted through the group means and the common SD")
    statistic = fmt.statistic(test["statistic"], "", test["df1"] or None, test["df2"] or None).split(" =")[0]
    if role.tests == OMNIBUS:
        return None
    contrast = study.contrast(role.tests)
    sides = " vs ".join(" and ".join(g for g, w in contrast.items() if (w > 0) == positive) for positive in (True, False))
    if test["statistic"] == "F":
        return (f"{statistic}: {sides}", "contrast_F", role.tests, True,
                "planned contrast, pooled error term of all groups" if role.error_term == "all_groups"
                else "planned contrast")
    if test["statistic"] == "t":
        return (f"{statistic}: {sides}", "t", role.tests, True,
                "Student t of the two contrasted groups (pooled variance of those groups only)")
    return None


def _recompute(study: Study, kind: str, contrast: str | None, outcome: pd.DataFrame) -> float:
    """One statistic recomputed from the reconstructed per-participant totals."""
    if kind == "contrast_F":
        table = planned_contrasts(outcome, "accumulated_hours", {contrast: study.contrast(contrast)})
        return float(table["t"].iloc[0] ** 2)
    if kind == "eta2":
        return float(anova_oneway(outcome, "accumulated_hours")["eta2"].iloc[0])
    weights = study.contrast(contrast)
    (first, _), (second, _) = sorted(weights.items(), key=lambda kv: -kv[1])
    a = outcome.loc[outcome["group"] == first, "accumulated_hours"]
    b = outcome.loc[outcome["group"] == second, "accumulated_hours"]
    return float(stats.ttest_ind(a, b, equal_var=True).statistic)


def _row(study_id, statistic, target, reconstructed, targeted, note, source="reported") -> dict:
    """A summary row; ``target`` is text (a reported number: rounding interval from its digits) or an exact
    float (a derived value); ``source`` says which."""
    rep = parse_reported(target)
    tolerance = _EXACT_TOLERANCE if rep.decimals is None else 0.0
    return {"study_id": study_id, "statistic": statistic, "target": rep.value, "target_lb": rep.lb,
            "target_ub": rep.ub, "target_source": source, "reconstructed": reconstructed, "targeted": targeted,
            "matches": bool(rep.lb - tolerance <= reconstructed <= rep.ub + tolerance), "note": note}


def compare_with_reported(study: Study, data: DiaryData, targets: pd.DataFrame,
                          tests: pd.DataFrame) -> pd.DataFrame:
    """Reported vs reconstructed statistics of one study.

    Parameters
    ----------
    study : Study
        Published study (from the study file: its groups, contrasts and test roles).
    data : DiaryData
        Its reconstruction.
    targets : DataFrame
        ``group, mean, mean_source`` as built by :func:`reconstruct_study`.
    tests : DataFrame
        Reported tests (layout of ``reported_tests.csv``, values as text).

    Returns
    -------
    DataFrame
        ``study_id, statistic, target, target_lb, target_ub, target_source, reconstructed, targeted,
        matches, note``: group means (hours; a derived mean is compared with its derived
        value, exactly), the reported F, t and η², Cohen's d and the Kruskal–Wallis χ² where
        reported (those two not targeted).
    """
    study_id = study.id
    outcome = accumulated_practice(data, study.target_age)
    rows = []
    means = outcome.groupby("group")["accumulated_hours"].mean()
    for _, t in targets.iterrows():
        rec = float(means[t["group"]])
        derived = t["mean_source"] == "derived"
        rows.append(_row(study_id, f"mean of {t['group']} (h)", float(t["mean"]) if derived else f"{t['mean']:.0f}",
                         rec, True, "not reported: compared with the derived value (within 1e-6 h)" if derived
                         else "reported mean", source=t["mean_source"]))
    for _, test in tests[tests["study_id"] == study_id].iterrows():
        check = _check(study, test)
        if check is None:
            continue
        label, kind, contrast, targeted, note = check
        text = test["value"] if kind != "eta2" else test["effect_value"]
        value = _recompute(study, kind, contrast, outcome)
        rows.append(_row(study_id, label, text, value, targeted, note))
        if test["effect_size"] == "cohens_d":
            rows.append(_row(study_id, f"Cohen's d: {label.split(': ', 1)[-1]}", test["effect_value"],
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
    studies: StudyFile,
    scenario: str | None = None,
) -> Reconstruction:
    """Generate participant-level data reproducing one study's published summaries.

    Parameters
    ----------
    study_id : str
        The study: one marked ``reconstruct: true`` in the study file.
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
    studies : StudyFile
        The study file (``dprep.data.studies.load_studies``): groups, contrasts, test roles.
    scenario : str, optional
        Which scenario of the unreported means to build (:func:`study_scenarios`): when a mean has
        two derived roots (the replication's less accomplished group), the published numbers do not
        say which is right, so each is built on request (``"lower root"``, ``"upper root"``). May be
        omitted when the study has a single scenario.

    Returns
    -------
    Reconstruction
        The validated diary tables, targets, summary and assumptions.

    Raises
    ------
    ValueError
        If the study is unknown, lacks summaries or derived values, a group has no n or n < 2, the scenario is
        missing or unknown, or no admissible sample can be drawn.
    """
    names = [s.id for s in studies.reconstructable]
    if study_id not in names:
        raise DataError(f"unknown study {study_id!r} to reconstruct; the study file {studies.path} marks "
                        f"{', '.join(names) or 'none'} with reconstruct: true")
    study = studies[study_id]
    targets, assumptions, name = _targets(study, groups, derived, scenario)
    data = _tables(study, targets, _study_seed(seed, studies, study_id))
    summary = compare_with_reported(study, data, targets, tests)
    return Reconstruction(study_id, data, targets, summary, tuple(assumptions), int(seed), name)


def accumulated_by_age(data: DiaryData, target_age: int, ages: range | None = None,
                       activities: str | Sequence[str] = "practice_alone") -> pd.DataFrame:
    """Accumulated practice of every participant at each age, for trajectory plots.

    Parameters
    ----------
    data : DiaryData
        Diary tables.
    target_age : int
        Last age of the default range (the study's ``target_age``).
    ages : range, optional
        Ages A (hours accumulated over the years of age start … A − 1); default from
        min(8, earliest start) to ``target_age``.
    activities : str or sequence of str, default "practice_alone"
        Activity code(s), summed (:func:`dprep.data.diaries.accumulated_practice`).

    Returns
    -------
    DataFrame
        ``participant_id, group, age_years, accumulated_hours`` (hours).
    """
    if ages is None:
        first = int(min(8, np.floor(data.participants["age_started_years"].min())))
        ages = range(first, target_age + 1)
    frames = [accumulated_practice(data, age, activities).assign(age_years=age) for age in ages]
    out = pd.concat(frames, ignore_index=True)
    return out[["participant_id", "group", "age_years", "accumulated_hours"]]
