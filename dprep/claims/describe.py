"""Evidence rows in words, for the explanations and revisions of the claims audit.

Every number here is formatted from the evidence (numbers as the papers printed them, recomputed
values through :mod:`dprep.core.fmt`); studies and groups are named by the study file's titles and
labels. A suggested revision is a template in ``claims.csv`` whose placeholders this module fills:

``{table:key}``
    the row(s) described (:func:`describe`);
``{table:key#column}``
    one cell as written;
``{statistic:table:key}``
    a reported test statistic with its p, as printed (``F(1, 27) = 11.86, p < .01``);
``{audit:table:key}``
    a reported test with the consistency audit's verdict on it;
``{partial_eta2:table:key}``
    the partial η² that a reported F(1, df) implies, F/(F + df).
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable

import pandas as pd

from dprep.claims.evidence import FAILED_AUDIT, ClaimInputError, Evidence, Ref, parse_ref
from dprep.core import fmt
from dprep.stats.effects import eta2_from_f

__all__ = ["PRIMARY_TIERS", "TIER_MEANING", "describe", "describe_all", "fill", "number", "row_label", "sources", "tier_caveat"]

PRIMARY_TIERS = ("primary-abstract", "primary-table")
TIER_MEANING = {
    "primary-abstract": "read in the paper's own abstract",
    "primary-table": "read in the paper's own table",
    "secondary-verbatim": "quoted in third-party notes, not yet checked against the paper",
    "secondary-summary": "a third party's summary line, not a verbatim quote",
    "not-found": "not found in any reachable copy",
}
_ES_SYMBOL = {"eta_squared": "η²", "partial_eta_squared": "partial η²", "cohens_d": "d", "hedges_g": "g"}
_DOI = re.compile(r"doi:\s*(10\.[^\s,;]+)", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def number(text: Any) -> float | None:
    """A cell as a number (``None`` when empty or not a number)."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    try:
        return float(str(text).strip())
    except ValueError:
        return None


def p_text(text: str) -> str:
    """``p < .01`` / ``p = 0.364`` from a p as printed."""
    text = str(text).strip()
    return f"p {text[0]} {text[1:].strip()}" if text[:1] in "<>" else f"p = {text}"


def statistic(row: pd.Series) -> str:
    """``F(1, 27) = 4.59, p < .05`` from a reported_tests row (numbers as written)."""
    stat = fmt.statistic(row["statistic"], row["value"], row["df1"] or None, row["df2"] or None)
    return stat + (f", {p_text(row['p_reported'])}" if row.get("p_reported") else "")


def effect(row: pd.Series) -> str:
    """``η² = 0.26 [0.03, 0.44]`` from a reported_tests row ("" when it reports no effect size)."""
    if not row.get("effect_value"):
        return ""
    ci = f" [{row['es_ci_low']}, {row['es_ci_high']}]" if row.get("es_ci_low") else ""
    return f"{_ES_SYMBOL.get(row['effect_size'], row['effect_size'])} = {row['effect_value']}{ci}"


def tier_caveat(rows: Iterable[pd.Series]) -> str:
    """A sentence naming the tiers below primary of the rows ("" when all are primary)."""
    tiers = sorted({r["tier"] for r in rows if r.get("tier")})
    below = [t for t in tiers if t not in PRIMARY_TIERS]
    if not below:
        return ""
    return (f"The value is read at {', '.join(below)} ({'; '.join(TIER_MEANING.get(t, t) for t in below)}), "
            "so the verdict is at most 'supported with caveats'.")


def study_name(ev: Evidence, study_id: str) -> str:
    """The study file's title of a study (its id when the study file does not have it)."""
    study = ev.study(study_id)
    return study.title if study is not None else study_id


def group_label(ev: Evidence, study_id: str, group: str) -> str:
    """The study file's label of a group."""
    study = ev.study(study_id)
    return next((g.label for g in study.groups if g.id == group), group) if study is not None else group


def _by_doi(ev: Evidence, source: str) -> str | None:
    """The title of the study whose DOI a source names."""
    dois = [d.lower() for d in _DOI.findall(str(source))]
    for study in (ev.studies.studies.values() if ev.studies is not None else ()):
        if study.doi and study.doi.lower() in dois:
            return study.title
    return None


def _audit_note(ev: Evidence, test_id: str) -> str:
    audit = ev.audit_row(test_id)
    if audit is None:
        return ""
    recomputed = []
    if pd.notna(audit.get("recomputed_p")):
        recomputed.append(f"recomputed {fmt.pval(audit['recomputed_p'], prefix=True)}")
    span = ev.candidates(test_id) if audit["verdict"] in FAILED_AUDIT else None
    if span is not None:
        recomputed.append(f"the published numbers give {fmt.num(span[0], 3)} to {fmt.num(span[1], 3)}")
    return "; ".join([*recomputed, f"audit: {audit['verdict']}"])


def _reported_test(ev: Evidence, row: pd.Series, audit: bool = True) -> str:
    study = ev.study(row["study_id"])
    where = study_name(ev, row["study_id"])
    if study is not None:
        where += f", {study.outcome_assessment} outcome assessment"
    parts = [p for p in (statistic(row) if row["statistic"] else "", effect(row)) if p]
    role = study.tests.get(row["test_id"]) if study is not None else None
    if role is not None and role.restated:
        parts.append(f"as restated by {_by_doi(ev, row['source']) or row['source']} ({row['locator']})")
    note = _audit_note(ev, row["test_id"]) if audit else ""
    what = ": ".join(x for x in (row["comparison"], row["description"]) if x)
    return f"{where} ({what}): {', '.join(parts)}" + (f" ({note})" if note else "")


def _groups(ev: Evidence, rows: pd.DataFrame) -> str:
    out = []
    for study_id, g in rows.groupby("study_id", sort=False):
        ranked = sorted(g.itertuples(), key=lambda r: ev.group_rank.get(r.group, 99))
        means = ", ".join(f"{group_label(ev, study_id, r.group)} "
                          + (f"{fmt.num(number(r.mean), 0)} h" if number(r.mean) is not None else "not reported")
                          for r in ranked)
        out.append(f"{study_name(ev, study_id)}: {means}")
    measure = str(rows["measure"].iloc[0]).replace("_", " ")
    return f"{measure}: " + "; ".join(out)


def _meta_line(row: pd.Series) -> str:
    """``Macnamara ... (music): r = 0.48, 23% of variance`` from a meta_summaries row."""
    parts = []
    if row["k"]:
        parts.append(f"k = {row['k']}")
    if row["r_mean"]:
        ci = f" [{row['r_ci_low']}, {row['r_ci_high']}]" if row["r_ci_low"] else ""
        parts.append(f"r = {row['r_mean']}{ci}")
    if row["pct_variance_reported"]:
        parts.append(f"{row['pct_variance_reported']}% of variance")
    if row["q_stat"]:
        parts.append(f"Q({row['q_df']}) = {row['q_stat']}")
    if row["p"]:
        parts.append(p_text(row["p"]))
    if row["n_participants"]:
        parts.append(f"n = {row['n_participants']}")
    return f"{row['source']} ({row['subset']}): {', '.join(parts)}"


def _reanalysis(ev: Evidence) -> str:
    """dprep's random-effects re-analysis of the music correlations, as r and as a share of variance."""
    r, (lo, hi) = float(ev.meta["estimate_r"]), ev.meta["ci_r"]
    share = float(ev.meta["pct_variance"]) / 100
    lo2, hi2 = (0.0 if lo < 0 < hi else min(lo * lo, hi * hi)), max(lo * lo, hi * hi)
    method = ev.meta.get("model", {}).get("method", ev.meta.get("method", ""))
    return (f"dprep's random-effects re-analysis ({method}) of the {ev.meta['k']} music correlations gives "
            f"r = {fmt.num(r, 3)} {fmt.ci(lo, hi, 3)}, i.e. 100·r² = {fmt.pct(share)} "
            f"[{fmt.pct(lo2)}, {fmt.pct(hi2)}]")


def describe_all(ev: Evidence, refs: Iterable[Ref]) -> str:
    """Several references in words, ``; ``-separated; the group means of several references are described
    together (one sentence per measure and study)."""
    refs = list(refs)
    groups = [r for r in refs if r.table == "group_summaries"]
    parts = [describe(ev, r) for r in refs if r.table != "group_summaries"]
    if groups:
        rows = pd.concat([ev.rows(r.rows_ref) for r in groups]).drop_duplicates()
        parts += [_groups(ev, g) for _, g in rows.groupby("measure", sort=False)]
    return "; ".join(parts)


def describe(ev: Evidence, ref: Ref) -> str:
    """The rows a reference points to, in words.

    Parameters
    ----------
    ev : Evidence
    ref : Ref
        A reference (a column, if given, is ignored: the row is described).

    Returns
    -------
    str

    Raises
    ------
    ClaimInputError
        If the reference does not resolve.
    """
    rows = ev.rows(ref.rows_ref)
    if ref.table == "reported_tests":
        return "; ".join(_reported_test(ev, r) for _, r in rows.iterrows())
    if ref.table == "group_summaries":
        return _groups(ev, rows)
    if ref.table == "meta_summaries":
        return "; ".join(_meta_line(r) for _, r in rows.iterrows())
    if ref.table == "ratings":
        return "; ".join(f"{study_name(ev, r['study_id'])}: {r['rating']} ratings of {r['activity']}: "
                         f"{r['value'] or 'no value'} ({r['locator']}; tier {r['tier']}: "
                         f"{TIER_MEANING.get(r['tier'], r['tier'])})" for _, r in rows.iterrows())
    if ref.table == "blinding_bias_priors":
        return "; ".join(f"in {r['source']}, {r['characteristic']} on {r['outcome_type']} outcomes went with a "
                         f"{r['scale'].replace('_', ' ')} of {r['estimate']} [{r['ci_low']}, {r['ci_high']}]"
                         for _, r in rows.iterrows())
    if ref.table == "music_correlations_macnamara2014":
        return _reanalysis(ev)
    return "; ".join(str(r.get("source", "")) for _, r in rows.iterrows())


def row_label(ev: Evidence, table: str, row: pd.Series) -> str:
    """A short name of one evidence row: a group and its study, a meta-analytic subset, a test."""
    if table == "group_summaries":
        return f"{group_label(ev, row['study_id'], row['group'])}, {study_name(ev, row['study_id'])}"
    if table == "meta_summaries":
        return f"{row['source']} ({row['subset']})"
    if table == "reported_tests":
        return f"{study_name(ev, row['study_id'])} ({row['comparison'] or row['description']})"
    return str(row.get("source", ""))


def _partial_eta2(ev: Evidence, ref: Ref) -> str:
    row = ev.row(ref)
    if row["statistic"] != "F" or number(row["df1"]) != 1:
        raise ClaimInputError(f"{{partial_eta2:{ref}}}: the row is not an F(1, df) test")
    return fmt.num(eta2_from_f(float(row["value"]), 1.0, float(row["df2"])), 2)


def fill(template: str, ev: Evidence) -> str:
    """Fill the placeholders of a revision template (see the module docstring).

    Raises
    ------
    ClaimInputError
        If a placeholder's reference does not resolve or its kind is unknown.
    """
    def one(match: re.Match[str]) -> str:
        text = match.group(1)
        kind, _, rest = text.partition(":")
        if kind == "audit":
            row = ev.row(parse_ref(rest))
            return f"{statistic(row) if row['statistic'] else effect(row)}: {_audit_note(ev, row['test_id'])}"
        if kind == "statistic":
            return statistic(ev.row(parse_ref(rest)))
        if kind == "partial_eta2":
            return _partial_eta2(ev, parse_ref(rest))
        ref = parse_ref(text)
        if ref.column is not None:
            return str(ev.row(ref)[ref.column])
        return describe(ev, ref)

    return _PLACEHOLDER.sub(one, template)


def sources(ev: Evidence, refs: Iterable[Ref]) -> list[str]:
    """The DOIs of the rows a claim rests on, in order of first appearance."""
    dois: list[str] = []
    for ref in refs:
        for _, row in ev.rows(ref.rows_ref).iterrows():
            for col in ("source", "citation"):
                for doi in _DOI.findall(str(row.get(col, ""))):
                    if doi not in dois:
                        dois.append(doi)
    return dois
