"""Scenarios for unreported group means: one analysis per value the published numbers allow.

A group mean that a study did not report can sometimes be recovered from what it did report: the
replication's three-group η², the other two means and the pooled SD implied by its t test fix the
third mean up to the two roots of a quadratic (:func:`dprep.stats.sumstats` derives them; the
``primary`` stage writes them to ``derived.csv`` as ``mean of <group>``). The two roots lie
symmetrically about the mean of the other groups, so they give the same η² but contrasts of
*opposite sign*: the published numbers identify the size of such a contrast, not its direction.

Nothing here picks a root. :func:`mean_scenarios` returns one :class:`Scenario` per combination
of roots, and every analysis that needs the mean (the derived replication side of a contrast, the
reconstructed participants) runs once per scenario and carries the scenario's name into its
outputs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Mapping

import pandas as pd

from dprep.core import fmt
from dprep.core.errors import DataError
from dprep.data.studies import Study

#: Names of the two roots of the quadratic, in increasing order.
ROOT_NAMES = ("lower root", "upper root")


@dataclass(frozen=True)
class Scenario:
    """One admissible set of group means of a study.

    Attributes
    ----------
    name : str
        ``""`` when every mean is reported (a single scenario); else which root each unreported
        mean takes, e.g. ``"lower root"`` (one unreported mean) or
        ``"less_accomplished: lower root; other: upper root"``.
    means : mapping of str to float
        Group id → mean (hours), reported or derived.
    derived : mapping of str to tuple of float
        Unreported group id → every root that fits the reported numbers (increasing).
    """

    name: str
    means: Mapping[str, float]
    derived: Mapping[str, tuple[float, ...]] = field(default_factory=dict)

    def notes(self, study: Study) -> tuple[str, ...]:
        """One sentence per derived mean: its value, the other roots, and that the data do not choose."""
        labels = {g.id: g.label for g in study.groups}
        out = []
        for group, roots in self.derived.items():
            value = self.means[group]
            others = ", ".join(f"{fmt.num(r, 0)} h" for r in roots if r != value)
            which = (f"one of the {len(roots)} roots that fit the reported η² (the other: {others}); the "
                     f"published numbers do not say which, so this is the '{self.name}' scenario"
                     if len(roots) > 1 else "the only value that fits the reported η²")
            out.append(f"the mean of the {labels.get(group, group)} ({fmt.num(value, 0)} h) is derived, not "
                       f"reported: {which}")
        return tuple(out)


def _reported_means(study: Study, groups: pd.DataFrame) -> dict[str, float | None]:
    rows = groups[(groups["study_id"] == study.id)
                  & ((groups["measure"] == study.measure) if "measure" in groups else True)]
    means = {str(g): pd.to_numeric(m, errors="coerce") for g, m in zip(rows["group"], rows["mean"])}
    return {g: (None if pd.isna(means.get(g)) else float(means[g])) for g in study.group_ids}


def mean_scenarios(study: Study, groups: pd.DataFrame, derived: pd.DataFrame) -> list[Scenario]:
    """Every admissible set of group means of a study, one :class:`Scenario` per combination of roots.

    Parameters
    ----------
    study : Study
        The study (its groups, from the study file).
    groups : DataFrame
        Group summaries (``study_id, group, mean``; layout of ``group_summaries.csv``).
    derived : DataFrame
        Derived values (``study_id, quantity, value``; ``data/processed/primary/derived.csv``): the
        roots of an unreported mean are the rows ``quantity == "mean of <group>"``.

    Returns
    -------
    list of Scenario
        One scenario (named ``""``) when every mean is reported or has a single root; else one per
        combination of roots, in increasing order of the roots.

    Raises
    ------
    DataError
        If a group's mean is neither reported nor derived.
    """
    reported = _reported_means(study, groups)
    rows = derived[derived["study_id"] == study.id]
    roots: dict[str, tuple[float, ...]] = {}
    for group, mean in reported.items():
        if mean is not None:
            continue
        values = rows.loc[rows["quantity"] == f"mean of {group}", "value"].astype(float).sort_values()
        if values.empty:
            raise DataError(f"{study.id}: the mean of {group!r} is neither reported nor derived "
                            "(derived.csv has no 'mean of' row for it)")
        roots[group] = tuple(float(v) for v in values)
    base = {g: m for g, m in reported.items() if m is not None}
    if not roots:
        return [Scenario("", base)]
    scenarios = []
    for choice in itertools.product(*(range(len(r)) for r in roots.values())):
        means = {**base, **{g: r[i] for (g, r), i in zip(roots.items(), choice)}}
        names = [ROOT_NAMES[i] if len(r) == 2 else f"root {i + 1} of {len(r)}"
                 for r, i in zip(roots.values(), choice)]
        single = len(roots) == 1
        name = "" if all(len(r) == 1 for r in roots.values()) else (
            names[0] if single else "; ".join(f"{g}: {n}" for g, n in zip(roots, names)))
        scenarios.append(Scenario(name, {g: means[g] for g in study.group_ids}, dict(roots)))
    return scenarios
