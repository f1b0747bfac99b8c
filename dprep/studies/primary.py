"""Recompute the group comparisons of the 1993 study and its 2019 replication.

Everything here starts from reported numbers (``reported_tests``, ``group_summaries``) and
keeps reported and derived values apart: each row of :func:`group_comparisons` says whether
its effect size follows from a *reported* statistic alone or needs a *derived* quantity
(an MSE implied by a reported F, which assumes equal group SDs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dprep.stats import effects
from dprep.stats.audit import AuditResult, audit
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


def group_comparisons(tests: pd.DataFrame, groups: pd.DataFrame, derived: pd.DataFrame, *,
                      level: float = 0.95, lambda_to_eta2: str = "N") -> pd.DataFrame:
    """Effect sizes with CIs for every group comparison of both studies.

    Reported F(1, df) contrasts get partial η² with a noncentral-F CI; reported t tests get
    Cohen's d with a noncentral-t CI; a reported η² without its F gets its CI from the F it
    implies. The original's three-group omnibus ANOVA was never reported: it is recomputed
    from the group means and the MSE implied by the best-vs-good contrast (basis
    ``derived``).

    Parameters
    ----------
    tests : DataFrame
        Reported tests (layout of ``reported_tests.csv``, values as text).
    groups : DataFrame
        Group summaries (``study_id, group, n, mean``; accumulated hours).
    derived : DataFrame
        The audit's derived values (``study_id, source_tests, quantity, value``).
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
    for _, t in tests[(tests["effect_size"] == "eta_squared") & tests["study_id"].eq("MM2019")].iterrows():
        n = groups.loc[groups["study_id"] == "MM2019", "n"].dropna().astype(int)
        df1, df2 = len(n) - 1, int(n.sum()) - len(n)
        ci = effects.eta2_ci_from_eta2(float(t["effect_value"]), df1, df2, level=level,
                                        lambda_to_eta2=lambda_to_eta2)
        rows.append(_comparison_row(
            t["study_id"], f"{t['comparison']}: {t['description']}", f"η² = {t['effect_value']} [{t['es_ci_low']}, {t['es_ci_high']}]",
            "η²", ci.estimate, ci.ci_lb, ci.ci_ub, "derived",
            f"CI recomputed from the F({df1}, {df2}) = {ci.f:.2f} that the reported η² implies "
            "(df from three groups of 13)"))
    rows.append(_original_omnibus(groups, derived, level=level, lambda_to_eta2=lambda_to_eta2))
    return pd.DataFrame(rows)


def _original_omnibus(groups, derived, *, level, lambda_to_eta2) -> dict:
    g = groups[groups["study_id"] == "EKT1993_S1"]
    mse = derived[(derived["study_id"] == "EKT1993_S1") & (derived["quantity"] == "MSE")
                  & derived["source_tests"].astype(str).str.contains("ekt_best_vs_good")]["value"].iloc[0]
    sd = float(np.sqrt(mse))
    anova = one_way_anova(g["n"].astype(int).tolist(), g["mean"].astype(float).tolist(), [sd] * len(g))
    ci = effects.eta2_ci(anova.f, anova.df1, anova.df2, level=level, lambda_to_eta2=lambda_to_eta2)
    return _comparison_row(
        "EKT1993_S1", "three groups (omnibus; not reported in the original)",
        f"implied F({anova.df1:.0f}, {anova.df2:.0f}) = {anova.f:.2f}, ω² = {anova.omega2:.3f}",
        "η²", anova.eta2, ci.ci_lb, ci.ci_ub, "derived",
        f"from the three group means and the MSE implied by F(1, 27) = 4.59 (pooled SD ≈ {sd:,.0f} h); "
        "assumes equal group SDs")


def recompute_studies(tests: pd.DataFrame, groups: pd.DataFrame, *, alpha: float = 0.05,
                      rounding: bool = True, level: float = 0.95,
                      lambda_to_eta2: str = "N") -> PrimaryResult:
    """Audit the reported tests and recompute both studies' group comparisons.

    Parameters
    ----------
    tests, groups : DataFrame
        ``reported_tests`` and ``group_summaries`` as validated (values as text).
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
    comparisons = group_comparisons(tests, groups, derived, level=level, lambda_to_eta2=lambda_to_eta2)
    return PrimaryResult(audit=result.tests, derived=derived, comparisons=comparisons)
