"""The individual-level analysis of one study's participant data (reconstructed or real): accumulated
practice by the study's target age, every group comparison, the planned contrasts of the study file,
and the trajectories by age for the figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dprep.data.diaries import DiaryData, accumulated_practice
from dprep.data.studies import Study
from dprep.stats.groups import compare_groups
from dprep.studies.reconstruct import accumulated_by_age


@dataclass(frozen=True)
class StudyAnalysis:
    """Tables of :func:`analyse_participants`, each with ``study_id`` and ``data`` (what the data are) first."""

    omnibus: pd.DataFrame
    contrasts: pd.DataFrame
    games_howell: pd.DataFrame
    trajectories: pd.DataFrame
    anova_f: float
    eta2: float


def _front(frame: pd.DataFrame, study_id: str, label: str, extra: dict | None = None) -> pd.DataFrame:
    out = frame.assign(study_id=study_id, data=label, **(extra or {}))
    front = ["study_id", "data", *(extra or {})]
    return out[front + [c for c in out.columns if c not in front]]


def analyse_participants(data: DiaryData, study: Study, *, label: str, level: float = 0.95,
                         lambda_to: str = "N") -> StudyAnalysis:
    """Every group comparison of accumulated practice alone by the study's target age.

    Parameters
    ----------
    data : DiaryData
        Participant data of one study (diary format).
    study : Study
        Its entry in the study file: target age and planned contrasts.
    label : str
        What the data are, written into every row (e.g. "reconstructed (synthetic)").
    level, lambda_to
        Confidence level and the λ → η² mapping of :func:`dprep.stats.groups.anova_oneway`.

    Returns
    -------
    StudyAnalysis
        One-way ANOVA, Welch ANOVA and Kruskal–Wallis rows (``omnibus``), the planned contrasts,
        Games–Howell pairs, and accumulated hours by age per participant.

    Raises
    ------
    ArgumentError
        If the study file's contrasts name groups the data do not have.
    """
    outcome = accumulated_practice(data, study.target_age)
    result = compare_groups(outcome, "accumulated_hours", level=level, lambda_to=lambda_to,
                            contrasts=dict(study.contrasts))
    omnibus = pd.concat([
        _front(result["anova"], study.id, label, {"test": "one-way ANOVA"}),
        _front(result["welch"], study.id, label, {"test": "Welch ANOVA"}),
        _front(result["kruskal"].rename(columns={"df": "df1"}), study.id, label, {"test": "Kruskal–Wallis"}),
    ], ignore_index=True)
    trajectories = _front(accumulated_by_age(data, study.target_age), study.id, label)
    return StudyAnalysis(
        omnibus=omnibus,
        contrasts=_front(result.get("contrasts", pd.DataFrame()), study.id, label),
        games_howell=_front(result["games_howell"], study.id, label),
        trajectories=trajectories[["study_id", "data", "participant_id", "group", "age_years", "accumulated_hours"]],
        anova_f=float(result["anova"]["F"].iloc[0]),
        eta2=float(result["anova"]["eta2"].iloc[0]),
    )
