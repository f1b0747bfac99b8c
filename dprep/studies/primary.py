"""Recompute the group comparisons of the studies of the study file (data/studies.yaml).

Everything here starts from reported numbers (``reported_tests``, ``group_summaries``) and
keeps reported and derived values apart: each row of :func:`group_comparisons` says whether
its effect size follows from a *reported* statistic alone or needs a *derived* quantity
(an MSE implied by a reported F, which assumes equal group SDs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dprep.core import fmt
from dprep.data.studies import OMNIBUS, StudyFile
from dprep.stats import effects
from dprep.stats.audit import AuditResult, audit, grim
from dprep.stats.sumstats import one_way_anova


@dataclass(frozen=True)
class PrimaryResult:
    """Outputs of :func:`recompute_studies`.

    Attributes
    ----------
    audit : DataFrame
        One row per reported test: recomputed p, effect size, verdict, explanation.
    derived : DataFrame
        Values implied by the reported numbers, with ``derived_from`` and ``assumptions``.
    comparisons : DataFrame
        Effect sizes with CIs for each group comparison, with ``basis`` = reported/derived.
    """

    audit: pd.DataFrame
    derived: pd.DataFrame
    comparisons: pd.DataFrame


def _unit_of(groups: pd.DataFrame, study_id: str) -> str:
    units = groups.loc[groups["study_id"] == study_id, "unit"].dropna().unique()
    return str(units[0]) if len(units) == 1 else "outcome units"


def _derived_with_units(derived: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Replace the audit's generic 'outcome units' by the measure's unit (hours)."""
    out = derived.copy()
    for i, row in out.iterrows():
        unit = _unit_of(groups, row["study_id"])
        out.at[i, "unit"] = str(row["unit"]).replace("squared outcome units", f"{unit}²").replace(
            "outcome units", unit)
    return out


def _comparison_row(study_id, comparison, reported, measure, est, lb, ub, basis, note) -> dict:
    return {"study_id": study_id, "comparison": comparison, "reported": reported,
            "effect_size": measure, "estimate": est, "ci_lb": lb, "ci_ub": ub,
            "basis": basis, "note": note}


def group_comparisons(tests: pd.DataFrame, groups: pd.DataFrame, derived: pd.DataFrame, studies: StudyFile, *,
                      level: float = 0.95, lambda_to_eta2: str = "N") -> pd.DataFrame:
    """Effect sizes with CIs for every group comparison of the studies.

    Reported F(1, df) contrasts get partial η² with a noncentral-F CI; reported t tests get
    Cohen's d with a noncentral-t CI; a reported omnibus η² (a test the study file marks
    ``omnibus``) keeps its reported CI (basis ``reported``; the note gives the CI recomputed from
    the F it implies with the study's group sizes), or gets that recomputed CI when none was
    reported (basis ``derived``). A study of three or
    more groups whose omnibus ANOVA was never reported (no ``omnibus`` test) but whose group means
    were gets it recomputed from the means and the MSE implied by its first contrast test (basis
    ``derived``).

    Parameters
    ----------
    tests : DataFrame
        Reported tests (layout of ``reported_tests.csv``, values as text).
    groups : DataFrame
        Group summaries (``study_id, group, n, mean``; accumulated hours).
    derived : DataFrame
        The audit's derived values (``study_id, source_tests, quantity, value``).
    studies : StudyFile
        The study file: what each reported test tests (``dprep.data.studies.load_studies``).
    level : float, default 0.95
        Confidence level.
    lambda_to_eta2 : {"N", "df_error"}
        Noncentrality → η² mapping of :func:`dprep.stats.effects.eta2_ci`.

    Returns
    -------
    DataFrame
        ``study_id, comparison, reported, effect_size, estimate, ci_lb, ci_ub, basis, note``;
        η² on 0–1, d in SD units.
    """
    rows = []
    for _, t in tests.iterrows():
        stat, value = t["statistic"], pd.to_numeric(t["value"], errors="coerce")
        if stat == "F" and float(t["df1"]) == 1:
            ci = effects.eta2_ci(value, 1, float(t["df2"]), level=level, lambda_to_eta2=lambda_to_eta2)
            rows.append(_comparison_row(
                t["study_id"], t["comparison"], f"F(1, {t['df2']}) = {t['value']}", "partial η²",
                ci.estimate, ci.ci_lb, ci.ci_ub, "reported",
                "partial η² of the contrast, from the reported F alone"))
        elif stat == "t":
            n = groups.loc[groups["study_id"] == t["study_id"], "n"].dropna().astype(int).tolist()
            if len(n) >= 2:
                ci = effects.d_ci(value, n[0], n[1], level=level)
                rows.append(_comparison_row(
                    t["study_id"], t["comparison"], f"t({t['df2']}) = {t['value']}", "Cohen's d",
                    ci.estimate, ci.ci_lb, ci.ci_ub, "reported",
                    f"d = t·√(1/n₁ + 1/n₂) with n = {n[0]} and {n[1]} (reported d = {t['effect_value']})"))
    for _, t in tests[tests["effect_size"] == "eta_squared"].iterrows():
        study = studies.studies.get(t["study_id"])
        role = study.tests.get(t["test_id"]) if study else None
        if role is None or role.tests != OMNIBUS:
            continue
        n = groups.loc[groups["study_id"] == study.id, "n"].dropna().astype(int)
        df1, df2 = len(n) - 1, int(n.sum()) - len(n)
        ci = effects.eta2_ci_from_eta2(float(t["effect_value"]), df1, df2, level=level,
                                        lambda_to_eta2=lambda_to_eta2)
        recomputed = (f"the CI recomputed from the F({df1}, {df2}) = {ci.f:.2f} that the reported η² implies "
                      f"(df from {len(n)} groups of {', '.join(map(str, n))}) is {fmt.ci(ci.ci_lb, ci.ci_ub, 3)}")
        reported_ci = pd.notna(pd.to_numeric(t["es_ci_low"], errors="coerce"))
        shown = f"η² = {t['effect_value']}" + (f" [{t['es_ci_low']}, {t['es_ci_high']}]" if reported_ci else "")
        if reported_ci:  # estimate and CI as the paper printed them: a reported row
            rows.append(_comparison_row(
                t["study_id"], f"{t['comparison']}: {t['description']}", shown, "η²", ci.estimate,
                float(t["es_ci_low"]), float(t["es_ci_high"]), "reported",
                f"η² and its CI as reported; {recomputed}"))
        else:
            rows.append(_comparison_row(
                t["study_id"], f"{t['comparison']}: {t['description']}", shown, "η²", ci.estimate,
                ci.ci_lb, ci.ci_ub, "derived", f"η² as reported; {recomputed}, which is what is drawn"))
    for study in studies.studies.values():
        row = _unreported_omnibus(study, tests, groups, derived, level=level, lambda_to_eta2=lambda_to_eta2)
        if row is not None:
            rows.append(row)
    return pd.DataFrame(rows)


def _unreported_omnibus(study, tests, groups, derived, *, level, lambda_to_eta2) -> dict | None:
    """The omnibus ANOVA of a study that reported its group means and contrasts but not the omnibus test."""
    g = groups[groups["study_id"] == study.id]
    means = pd.to_numeric(g["mean"], errors="coerce")
    if len(g) < 3 or means.isna().any() or any(r.tests == OMNIBUS for r in study.tests.values()):
        return None
    contrast_tests = [r.test_id for r in study.tests.values() if not r.restated]
    mses = derived[(derived["study_id"] == study.id) & (derived["quantity"] == "MSE")]
    source = next((tid for tid in contrast_tests if mses["source_tests"].astype(str).str.contains(tid).any()), None)
    if source is None:
        return None
    mse = mses[mses["source_tests"].astype(str).str.contains(source)]["value"].iloc[0]
    test = tests.set_index("test_id").loc[source]
    sd = float(np.sqrt(mse))
    anova = one_way_anova(g["n"].astype(int).tolist(), means.tolist(), [sd] * len(g))
    ci = effects.eta2_ci(anova.f, anova.df1, anova.df2, level=level, lambda_to_eta2=lambda_to_eta2)
    return _comparison_row(
        study.id, f"{len(g)} groups (omnibus; not reported in the original)",
        f"implied F({anova.df1:.0f}, {anova.df2:.0f}) = {anova.f:.2f}, ω² = {anova.omega2:.3f}",
        "η²", anova.eta2, ci.ci_lb, ci.ci_ub, "derived",
        f"from the {len(g)} group means and the MSE implied by "
        f"{fmt.statistic(test['statistic'], test['value'], test['df1'] or None, test['df2'] or None)} "
        f"(pooled SD ≈ {fmt.num(sd, 0)} h); assumes equal group SDs")


def recompute_studies(tests: pd.DataFrame, groups: pd.DataFrame, studies: StudyFile, *, alpha: float = 0.05,
                      rounding: bool = True, level: float = 0.95,
                      lambda_to_eta2: str = "N") -> PrimaryResult:
    """Audit the reported tests and recompute both studies' group comparisons.

    Parameters
    ----------
    tests, groups : DataFrame
        ``reported_tests`` and ``group_summaries`` as validated (values as text).
    studies : StudyFile
        The study file (what each reported test tests).
    alpha : float, default 0.05
        Threshold for decision errors in the audit.
    rounding : bool, default True
        Allow ± half a unit in the last reported digit.
    level : float, default 0.95
        Confidence level of every CI.
    lambda_to_eta2 : {"N", "df_error"}
        Noncentrality → η² mapping for η² CIs.

    Returns
    -------
    PrimaryResult
    """
    result: AuditResult = audit(tests, groups, alpha=alpha, rounding=rounding)
    derived = _derived_with_units(result.derived, groups)
    comparisons = group_comparisons(tests, groups, derived, studies, level=level, lambda_to_eta2=lambda_to_eta2)
    return PrimaryResult(audit=result.tests, derived=derived, comparisons=comparisons)


def rating_granularity(ratings: pd.DataFrame, groups: pd.DataFrame, *, scale_min: float, scale_max: float,
                       items: int = 1) -> pd.DataFrame:
    """GRIM for every reported mean rating, with n from the study's group sizes and the assumptions stated.

    A rating mean of a study is the mean over its participants of integer responses on
    ``scale_min``–``scale_max`` to ``items`` item(s); n is the sum of the study's group sizes in the
    group summaries (every participant rated; a study with an unknown group size cannot be checked).

    Parameters
    ----------
    ratings : DataFrame
        ``ratings.csv`` read as text (``study_id, activity, rating, value, source, locator, tier``); rows
        without a value are left out.
    groups : DataFrame
        ``group_summaries.csv`` (``study_id, n``).
    scale_min, scale_max : float
        Assumed range of one response (``params.yaml``, ``audit.rating_scale``).
    items : int, default 1
        Assumed number of items per rating.

    Returns
    -------
    DataFrame
        One row per reported mean: ``study_id, activity, rating, value`` (as printed), ``n``,
        ``consistent`` (missing when n is unknown), ``admissible_totals``, ``nearest`` (the possible
        means around an impossible one), ``assumption``, ``source, locator, tier``.

    References
    ----------
    Brown & Heathers (2017), the GRIM test (:func:`dprep.stats.audit.grim`).
    """
    sizes = pd.to_numeric(groups["n"], errors="coerce").groupby(groups["study_id"]).agg(
        lambda n: n.sum() if n.notna().all() else np.nan)
    rows = []
    for r in ratings[ratings["value"].astype(str).str.strip() != ""].itertuples():
        n = sizes.get(r.study_id, np.nan)
        check = None if pd.isna(n) else grim(str(r.value), int(n), items=items, scale_min=scale_min,
                                             scale_max=scale_max)
        where = (f"n is the sum of {r.study_id}'s group sizes in group_summaries.csv" if check
                 else f"n unknown: a group size of {r.study_id} is not reported")
        rows.append({
            "study_id": r.study_id, "activity": r.activity, "rating": r.rating, "value": r.value,
            "n": None if check is None else int(n), "consistent": None if check is None else check.consistent,
            "admissible_totals": [] if check is None else check.admissible_totals,
            "nearest": [] if check is None else check.nearest,
            "assumption": f"{where}; {check.assumption if check else 'integer responses'}; the scale range "
                          f"{scale_min:g}–{scale_max:g} and {items} item(s) are assumed (not stated in reachable text)",
            "source": r.source, "locator": r.locator, "tier": r.tier,
        })
    return pd.DataFrame(rows)
