"""The original / replication pairs of the study file as Cohen's d, with every replication metric.

For each pair of ``data/studies.yaml`` (the same planned contrast in an original and a replication
study), each side's d comes from its reported test — an F(1, df) contrast (d = √F·√(1/n₁ + 1/n₂)
with the contrast's effective group sizes, signed by the reported means) or a Student t — or, for
a side with no reported test, from the values the ``primary`` stage derived (a group mean implied by
a reported η², the pooled SD implied by a reported t). Derived sides are labelled ``derived`` and
carry their assumptions. When the unreported mean has two roots (:mod:`dprep.studies.scenarios`),
the pair is formed once per root: the published numbers do not identify the contrast's sign.

Effective group sizes of a contrast ψ = Σ cⱼ·meanⱼ whose positive and negative weights each sum to
±1: var(ψ̂) = σ²·Σ cⱼ²/nⱼ = σ²(1/n₊ + 1/n₋) with n± = 1/Σ_± cⱼ²/nⱼ; e.g. ½(best + good) − third
with n per group is a comparison of 2n against n.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pandas as pd

from dprep.core import fmt
from dprep.core.errors import DataError
from dprep.data.studies import OMNIBUS, Replication, Study, StudyFile
from dprep.stats.bayes_factors import BayesFactorResult, jzs_anova_bf, jzs_ttest_bf
from dprep.stats.effects import cohens_d_from_t, f_from_eta2
from dprep.stats.groups import contrast_label
from dprep.stats.replication import ReplicationReport, d_from_f, replication_report
from dprep.studies.scenarios import mean_scenarios


@dataclass(frozen=True)
class Side:
    """One side of a pair: Cohen's d of the contrast with the sizes and df it rests on."""

    study: str
    d: float
    n1: int
    n2: int
    df: int
    source: str  # "reported" or "derived"
    bayes_factor: BayesFactorResult
    notes: tuple[str, ...] = ()
    scenario: str = ""  # the scenario of the unreported means a derived side rests on ("" if none)


@dataclass(frozen=True)
class Pair:
    """A pair of the study file with both sides and the replication metrics (``report`` is None when
    the replication side cannot be formed; ``reason`` says why). A derived replication side gives one
    pair per scenario of the unreported means (``scenario``; "" when there is only one)."""

    label: str
    contrast: str
    original: Side
    replication: Side | None
    report: ReplicationReport | None
    reason: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    scenario: str = ""

    @property
    def name(self) -> str:
        """The pair's label with its scenario, e.g. ``"top two vs third group (lower root)"``."""
        return f"{self.label} ({self.scenario})" if self.scenario else self.label


def group_sizes(study: Study, groups: pd.DataFrame) -> dict[str, int]:
    """Group id → n of a study, from the group summaries (a ``DataError`` names a missing size)."""
    rows = groups[groups["study_id"] == study.id]
    sizes = {str(g): int(float(n)) for g, n in zip(rows["group"], rows["n"]) if str(n).strip()}
    missing = [g for g in study.group_ids if g not in sizes]
    if missing:
        raise DataError(f"group_summaries: no group size for {', '.join(missing)} of {study.id}")
    return sizes


def effective_sizes(weights: dict[str, float], sizes: dict[str, int]) -> tuple[int, int]:
    """n₊ and n₋ of a contrast (see the module docstring); each side's weights must sum to ±1."""
    out = []
    for positive in (True, False):
        side = {g: w for g, w in weights.items() if (w > 0) == positive and w != 0}
        if not math.isclose(abs(sum(side.values())), 1.0):
            raise DataError(f"contrast {weights}: each side's weights must sum to ±1 to give effective sizes")
        n = 1.0 / sum(w * w / sizes[g] for g, w in side.items())
        if not math.isclose(n, round(n), abs_tol=1e-9):
            raise DataError(f"contrast {weights}: effective group size {n:g} is not a whole number")
        out.append(int(round(n)))
    return out[0], out[1]


def direction(study: Study, weights: dict[str, float], groups: pd.DataFrame) -> tuple[int, str]:
    """The sign of the contrast in the reported means (+1 if they are not all reported), and a note."""
    rows = groups[groups["study_id"] == study.id].set_index("group")
    means = pd.to_numeric(rows["mean"], errors="coerce")
    if any(pd.isna(means.get(g)) for g in weights):
        return 1, "direction assumed positive (not all group means are reported)"
    psi = sum(w * float(means[g]) for g, w in weights.items())
    return (1 if psi >= 0 else -1), f"direction from the reported means ({contrast_label(weights)} = {fmt.num(psi, 0)} h)"


def _reported_side(study: Study, contrast: str, test: pd.Series, groups: pd.DataFrame) -> Side:
    weights = study.contrast(contrast)
    n1, n2 = effective_sizes(weights, group_sizes(study, groups))
    stat, value = test["statistic"], float(test["value"])
    df = int(float(test["df2"]))
    shown = fmt.statistic(stat, test["value"], test["df1"] or None, test["df2"])
    if stat == "F" and float(test["df1"]) == 1:
        sign, how = direction(study, weights, groups)
        d = d_from_f(value, n1, n2, sign=sign)
        bf = jzs_ttest_bf(math.sqrt(value), n1, n2, df=df)
        notes = (f"d from {shown} with effective n {n1}/{n2} ({contrast_label(weights)}); {how}",
                 f"t = √F on the error df {df} of the whole design")
    elif stat == "t":
        d = cohens_d_from_t(value, n1, n2)
        bf = jzs_ttest_bf(value, n1, n2, df=df)
        notes = (f"d from {shown} = {d:.3f} with n {n1}/{n2}"
                 + (f"; the paper reports d = {test['effect_value']}" if test["effect_value"] else ""),)
    else:
        raise DataError(f"reported_tests: {test['test_id']}: a {stat or 'missing'} statistic cannot give the d of "
                        f"contrast {contrast!r} (an F(1, df) or a t is needed)")
    return Side(study.id, float(d), n1, n2, df, "reported", bf, notes)


def _derived_sides(study: Study, contrast: str, groups: pd.DataFrame, derived: pd.DataFrame) -> list[Side] | str:
    """The contrast's d from the means and pooled SD the ``primary`` stage derived, one side per scenario
    of the unreported means (:func:`dprep.studies.scenarios.mean_scenarios`); a reason when it cannot."""
    weights = study.contrast(contrast)
    sizes = group_sizes(study, groups)
    n1, n2 = effective_sizes(weights, sizes)
    d_rows = derived[derived["study_id"] == study.id]
    sd = d_rows.loc[d_rows["quantity"] == "pooled SD", "value"]
    if sd.empty:
        return "no derived pooled SD in derived.csv"
    try:
        scenarios = mean_scenarios(study, groups, derived)
    except DataError as exc:
        return str(exc)
    pooled = float(sd.iloc[0])
    df = int(sum(sizes[g] for g in study.group_ids) - len(study.group_ids))
    sides = []
    for scenario in scenarios:
        d = sum(w * scenario.means[g] for g, w in weights.items()) / pooled
        notes = ["derived, not reported: the study reports no test of this contrast",
                 *(n for g, n in zip(scenario.derived, scenario.notes(study)) if g in weights),
                 f"the same SD in every group: the pooled SD {fmt.num(pooled, 0)} h implied by the study's reported t",
                 f"effective n {n1}/{n2} ({contrast_label(weights)}); df = {df}"]
        bf = jzs_ttest_bf(d / math.sqrt(1 / n1 + 1 / n2), n1, n2, df=df)
        sides.append(Side(study.id, float(d), n1, n2, df, "derived", bf, tuple(notes), scenario.name))
    return sides


def _pairs(pair: Replication, studies: StudyFile, tests: pd.DataFrame, groups: pd.DataFrame,
           derived: pd.DataFrame, sesoi, level: float) -> list[Pair]:
    by_id = tests.set_index("test_id")
    original = _reported_side(studies[pair.original.study], pair.contrast, by_id.loc[pair.original.test], groups)
    rep_study = studies[pair.replication.study]
    if pair.replication.test is not None:
        replications: list[Side] | str = [
            _reported_side(rep_study, pair.contrast, by_id.loc[pair.replication.test], groups)]
    else:
        replications = _derived_sides(rep_study, pair.contrast, groups, derived)
    if isinstance(replications, str):
        return [Pair(pair.label, pair.contrast, original, None, None, reason=replications, notes=original.notes)]
    out = []
    for replication in replications:
        report = replication_report(original.d, original.n1, original.n2, replication.d, replication.n1,
                                    replication.n2, sesoi=sesoi, level=level, orig_df=original.df,
                                    rep_df=replication.df)
        out.append(Pair(pair.label, pair.contrast, original, replication, report,
                        notes=original.notes + replication.notes, scenario=replication.scenario))
    return out


def replication_pairs(studies: StudyFile, tests: pd.DataFrame, groups: pd.DataFrame, derived: pd.DataFrame, *,
                      sesoi: float | str = "d33", level: float = 0.95) -> list[Pair]:
    """Every original / replication pair of the study file, with its replication metrics.

    Parameters
    ----------
    studies : StudyFile
        The study file (pairs, contrasts, test roles).
    tests, groups : DataFrame
        Validated ``reported_tests`` and ``group_summaries`` (values as text).
    derived : DataFrame
        The ``primary`` stage's derived values (``derived.csv``).
    sesoi : float or "d33"
        Smallest effect size of interest of the TOST (see :func:`dprep.stats.replication.replication_report`).
    level : float
        Confidence level.

    Returns
    -------
    list of Pair

    Raises
    ------
    DataError
        If a side's test cannot give a d or group sizes are missing.
    """
    return [out for p in studies.replications for out in _pairs(p, studies, tests, groups, derived, sesoi, level)]


def omnibus_bayes_factors(studies: StudyFile, tests: pd.DataFrame, groups: pd.DataFrame) -> list[dict]:
    """JZS ANOVA Bayes factors of the omnibus η² that studies of the pairs report (equal group sizes).

    Only an omnibus test of the study's ``measure`` counts. A study of a pair without one gets a row
    saying so.
    """
    rows: list[dict] = []
    seen: list[str] = []
    for pair in studies.replications:
        for side in (pair.original, pair.replication):
            if side.study in seen:
                continue
            seen.append(side.study)
            study = studies[side.study]
            omnibus = [r.test_id for r in study.tests.values() if r.tests == OMNIBUS and r.measure == study.measure]
            found = tests[tests["test_id"].isin(omnibus) & (tests["effect_size"] == "eta_squared")]
            label = f"{len(study.groups)} groups (omnibus)"
            if found.empty:
                rows.append({"contrast": label, "study": study.role or study.id, "source": "not available",
                             "note": "the omnibus test is not reported; only contrasts are"})
                continue
            test = found.iloc[0]
            n = list(group_sizes(study, groups).values())
            k, df2 = len(n), int(sum(n) - len(n))
            f = f_from_eta2(float(test["effect_value"]), k - 1, df2)
            bf = jzs_anova_bf(f, k, n[0])
            note = (f"F({k - 1}, {df2}) = {f:.3f} from the reported η² = {test['effect_value']} (parametric η² "
                    "assumed" + (f"; the paper's test is {fmt.statistic(test['statistic'], test['value'], test['df1'] or None, test['df2'] or None)})"
                                 if test["statistic"] else ")"))
            rows.append(bf_row(label, study.role or study.id, "derived", bf, note))
    return rows


def bf_row(contrast: str, study: str, source: str, result: BayesFactorResult, note: str,
           scenario: str = "") -> dict:
    """One row of the Bayes-factor table."""
    return {"contrast": contrast, "scenario": scenario, "study": study, "test": result.test, "statistic": result.statistic,
            "df": result.n.get("df"), "sizes": json.dumps(result.n), "r": result.r, "bf10": result.bf10,
            "bf01": result.bf01, "log_bf10": result.log_bf10, "source": source, "note": note}


def pair_table(pairs: list[Pair]) -> pd.DataFrame:
    """One flat row per pair with a replication side (the ``replication.csv`` of the stage)."""
    rows = []
    for p in pairs:
        if p.report is None:
            continue
        r = p.report
        rows.append({
            "contrast": p.label, "scenario": p.scenario, "pair": p.name,
            "replication_source": p.replication.source,
            "orig_d": r.original.estimate, "orig_ci_lb": r.original.ci_lb, "orig_ci_ub": r.original.ci_ub,
            "orig_df": r.original.df, "orig_se": r.original_se,
            "rep_d": r.replication.estimate, "rep_ci_lb": r.replication.ci_lb, "rep_ci_ub": r.replication.ci_ub,
            "rep_df": r.replication.df, "rep_se": r.replication_se,
            "pi_lb": r.pi_lb, "pi_ub": r.pi_ub, "rep_in_pi": r.replication_in_prediction_interval,
            "orig_in_rep_ci": r.original_in_replication_ci, "rep_in_orig_ci": r.replication_in_original_ci,
            "d33": r.small_telescopes.d33, "small_telescopes_pval": r.small_telescopes.pval,
            "too_small": r.small_telescopes.too_small,
            "replication_bf_r0": r.replication_bf.bf_r0, "replication_bf_0r": r.replication_bf.bf_0r,
            "sceptical_pval": r.sceptical_pval, "sceptical_c": r.sceptical_c,
            "tost_pval": r.tost.pval, "tost_equivalent": r.tost.equivalent, "sesoi": r.sesoi,
            "sesoi_rule": r.sesoi_rule, "q": r.q_test.q, "q_p": r.q_test.pval,
            "fe_estimate": r.fixed_effect.estimate, "fe_ci_lb": r.fixed_effect.ci_lb,
            "fe_ci_ub": r.fixed_effect.ci_ub,
        })
    return pd.DataFrame(rows)
