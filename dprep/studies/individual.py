"""The individual-level analysis of one data set of participant data (reconstructed or real): accumulated
practice by the study's target age, group sizes, means and SDs, every group comparison, the planned
contrasts of the study file, the trajectories by age for the figure, and — where the data set has the
tables — the activity ratings against their grand mean and the estimate-vs-diary mixed ANOVA.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dprep.core import args
from dprep.core.errors import DataError
from dprep.data.datasets import SYNTHETIC_LABEL, DiarySet
from dprep.data.diaries import DiaryData, accumulated_practice, estimate_vs_diary, ingest, read_diaries
from dprep.data.studies import Study, load_studies
from dprep.stats.groups import compare_groups, estimate_diary_mixed_anova, ratings_vs_grand_mean
from dprep.studies.reconstruct import accumulated_by_age


@dataclass(frozen=True)
class StudyAnalysis:
    """Tables of :func:`analyse_participants`, each with ``study_id`` and ``data`` (what the data are) first.

    ``ratings`` and ``estimate_vs_diary`` are ``None`` when the data set lacks the tables they need;
    ``notes`` says what was skipped and why.
    """

    descriptives: pd.DataFrame
    omnibus: pd.DataFrame
    contrasts: pd.DataFrame
    games_howell: pd.DataFrame
    trajectories: pd.DataFrame
    ratings: pd.DataFrame | None
    estimate_vs_diary: pd.DataFrame | None
    notes: tuple[str, ...]
    anova_f: float
    eta2: float


def read_dataset(spec: DiarySet, root: str | Path = ".") -> tuple[DiaryData, Study, str]:
    """The participant data of a configured data set, its study entry and the label of what the data are.

    Parameters
    ----------
    spec : DiarySet
        A configured data set other than the reconstruction.
    root : path-like, default "."
        The repository root.

    Returns
    -------
    DiaryData
        The validated tables (read as a diary folder, or ingested with the mapping).
    Study
        The data set's study entry (groups in rank order, planned contrasts, target age).
    str
        :data:`dprep.data.datasets.SYNTHETIC_LABEL` if any participant is marked synthetic, else the kind's label.

    Raises
    ------
    dprep.data.schema.DataValidationError
        If the data break the diary format (file, row, column).
    DataError
        If the study file or the study is missing.
    """
    root = Path(root)
    data = (read_diaries(root / spec.path) if spec.mapping is None else ingest(root / spec.path, root / spec.mapping))
    study = load_studies(root / spec.study_file)[spec.study]
    return data, study, SYNTHETIC_LABEL if data.synthetic else spec.label


def _front(frame: pd.DataFrame, study_id: str, label: str, extra: dict | None = None) -> pd.DataFrame:
    out = frame.assign(study_id=study_id, data=label, **(extra or {}))
    front = ["study_id", "data", *(extra or {})]
    return out[front + [c for c in out.columns if c not in front]]


def _study_id(data: DiaryData, study: Study | None) -> str:
    return study.id if study is not None else "+".join(dict.fromkeys(data.participants["study_id"].astype(str)))


def analyse_participants(data: DiaryData, study: Study | None = None, *, label: str, age: float | None = None,
                         activities: str | Sequence[str] = "practice_alone", level: float = 0.95,
                         lambda_to: str = "N") -> StudyAnalysis:
    """Every group comparison of accumulated practice by an age, as the pipeline runs it.

    Parameters
    ----------
    data : DiaryData
        Participant data of one study (diary format); groups are free-text labels.
    study : Study, optional
        Its entry in the study file: target age, groups in rank order and planned contrasts. Without
        it there are no contrasts and the groups are in alphabetical order.
    label : str
        What the data are, written into every row (e.g. "reconstructed (synthetic)", "real data").
    age : float, optional
        Age A of the accumulated hours (default the study's ``target_age``; required without a study).
    activities : str or sequence of str, default "practice_alone"
        Activity code(s) summed into the practice measure.
    level, lambda_to
        Confidence level and the λ → η² mapping of :func:`dprep.stats.groups.anova_oneway`.

    Returns
    -------
    StudyAnalysis
        Group n, mean and SD (``descriptives``, hours), the one-way ANOVA (η² and ω² with CIs), Welch
        ANOVA and Kruskal–Wallis rows (``omnibus``), the planned contrasts, Games–Howell pairs,
        accumulated hours by age per participant, and the ratings and estimate-vs-diary analyses when
        the tables exist.

    Raises
    ------
    DataError
        If the data have no practice history, or groups the study file does not list.
    ArgumentError
        If no age is given without a study, or a contrast names a group without data.
    """
    if study is None and age is None:
        args.fail("age", "analyse_participants", "be given when no study is", None)
    if "practice_history" in data.absent:
        raise DataError("the data set has no practice_history table: accumulated practice cannot be computed")
    study_id, target = _study_id(data, study), age if age is not None else study.target_age
    if study is not None:
        unknown = sorted(set(data.participants["group"]) - set(study.group_ids))
        if unknown:
            raise DataError(f"groups {', '.join(map(repr, unknown))} of the data are not groups of study "
                            f"{study.id!r} in the study file ({', '.join(study.group_ids)})")
    outcome = accumulated_practice(data, target, activities)
    result = compare_groups(outcome, "accumulated_hours", level=level, lambda_to=lambda_to,
                            contrasts=dict(study.contrasts) if study is not None else None)
    descriptives = result["descriptives"]
    if study is not None:
        descriptives = descriptives.sort_values("group", key=lambda g: g.map(study.ranks), kind="stable")
    omnibus = pd.concat([
        _front(result["anova"], study_id, label, {"test": "one-way ANOVA"}),
        _front(result["welch"], study_id, label, {"test": "Welch ANOVA"}),
        _front(result["kruskal"].rename(columns={"df": "df1"}), study_id, label, {"test": "Kruskal–Wallis"}),
    ], ignore_index=True)
    trajectories = _front(accumulated_by_age(data, int(target), activities=activities), study_id, label)
    notes, ratings, diary = [], None, None
    if data.activity_ratings.empty:
        notes.append("no activity ratings: the ratings-vs-grand-mean tests are skipped")
    else:
        ratings = _front(ratings_vs_grand_mean(data.activity_ratings), study_id, label)
    if data.diary.empty:
        notes.append("no diary week: the estimate-vs-diary comparison is skipped")
    else:
        diary = _front(estimate_diary_mixed_anova(estimate_vs_diary(data, activities)), study_id, label)
    return StudyAnalysis(
        descriptives=_front(descriptives.reset_index(drop=True), study_id, label),
        omnibus=omnibus,
        contrasts=_front(result.get("contrasts", pd.DataFrame()), study_id, label),
        games_howell=_front(result["games_howell"], study_id, label),
        trajectories=trajectories[["study_id", "data", "participant_id", "group", "age_years", "accumulated_hours"]],
        ratings=ratings,
        estimate_vs_diary=diary,
        notes=tuple(notes),
        anova_f=float(result["anova"]["F"].iloc[0]),
        eta2=float(result["anova"]["eta2"].iloc[0]),
    )
