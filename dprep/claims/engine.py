"""Claims audit: popular statements about deliberate-practice research, checked against the data.

``data/raw/claims.csv`` holds claims copied verbatim from popular articles, each with a
``claim_type`` and the evidence rows it rests on (``table:key`` references into the evidence
tables).  :func:`evaluate_claims` gives every claim a verdict computed from the pipeline's
outputs — the validated evidence tables, the consistency audit (:mod:`dprep.stats.audit`, written by
the ``primary`` stage) and the meta-analysis summary (``analysis/meta.py``) — by the rule
registered for its type (:data:`RULES`, one function per type).  Nothing in a verdict is typed
in: every number in an explanation or a suggested revision is formatted from the evidence, so a
change in the data changes the verdicts at the next ``dvc repro``.

Verdicts (:data:`VERDICTS`)
---------------------------
``supported``
    The evidence gives the claimed value or finding, read at a primary tier.
``supported with caveats``
    It does, but the value is read at a secondary tier (third-party notes) or the claim says
    more than the evidence shows; the explanation names the caveat.
``contradicted``
    The evidence gives a different value or the opposite finding.
``not reproducible from the published numbers``
    The claimed value matches a printed number that the consistency audit cannot recompute
    from the statistics it is said to come from.
``unverifiable with the available evidence``
    No evidence table holds what would decide the claim (a value left empty as ``not-found``,
    or a topic the tables do not cover).

Reading conventions
-------------------
- ``comparison = "equal"``: the evidence must lie within half a unit of the last digit of the
  claimed number (``0.364`` covers [0.3635, 0.3645]).
- ``comparison = "approximately"`` ("about", "around", "roughly"): within
  :data:`APPROX_TOLERANCE` of the claimed number, relative.
- A difference is *significant* when the p recomputed by the audit is below ``alpha``.
- The direction of a group difference is that of the groups' reported means; groups are
  ordered by their rank in the study file (``data/studies.yaml``; the best-performing group of a
  study has rank 1).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd

from dprep.core import fmt
from dprep.core.errors import DataError

from dprep.stats.audit import parse_p
from dprep.stats.effects import eta2_from_f
from dprep.data.schema import load_package
from dprep.data.studies import StudyFile

__all__ = [
    "APPROX_TOLERANCE",
    "Assessment",
    "CLAIMS_TABLE",
    "Claim",
    "ClaimInputError",
    "Evidence",
    "MAJORITY",
    "OUTPUT_COLUMNS",
    "RULES",
    "Ref",
    "VERDICTS",
    "evaluate_claim",
    "evaluate_claims",
    "load_evidence",
    "normalise_whitespace",
    "parse_refs",
    "verbatim_problems",
    "verdict_counts",
]

VERDICTS = (
    "supported",
    "supported with caveats",
    "contradicted",
    "not reproducible from the published numbers",
    "unverifiable with the available evidence",
)
SUPPORTED, CAVEATS, CONTRADICTED, NOT_REPRODUCIBLE, UNVERIFIABLE = VERDICTS

#: Relative tolerance for claims worded "about", "around", "roughly" (20 % of the claimed value).
APPROX_TOLERANCE = 0.20
#: Share of variance (proportion) above which practice "largely accounts for" / "distinguishes".
MAJORITY = 0.5
#: Order of the performance groups within a study: 1 is the best-performing group.
#: Name of the claims resource in the data package (it is not an evidence table).
CLAIMS_TABLE = "claims"
#: Audit verdicts meaning that the reported numbers do not recompute.
FAILED_AUDIT = ("inconsistent", "decision_error")
PRIMARY_TIERS = ("primary-abstract", "primary-table")
TIER_MEANING = {
    "primary-abstract": "read in the paper's own abstract",
    "primary-table": "read in the paper's own table",
    "secondary-verbatim": "quoted in third-party notes, not yet checked against the paper",
    "secondary-summary": "a third party's summary line, not a verbatim quote",
    "not-found": "not found in any reachable copy",
}
OUTPUT_COLUMNS = (
    "claim_id", "article_id", "article_title", "section", "claim_verbatim", "claim_type",
    "claimed_text", "verdict", "evidence_value", "evidence_text", "explanation",
    "suggested_revision", "rests_on", "derived_inputs", "sources",
)
_DOI = re.compile(r"doi:\s*(10\.[^\s,;]+)", re.IGNORECASE)
_ES_SYMBOL = {"eta_squared": "η²", "cohens_d": "d"}


class ClaimInputError(DataError):
    """A claim cannot be evaluated: unknown rule, a reference to a missing row, or missing evidence."""


# ------------------------------------------------------------------------------ references
@dataclass(frozen=True)
class Ref:
    """A reference to evidence rows: ``table:key`` (key fields joined by ``/``) or ``table``.

    The key gives the leading fields of the table's primary key (all rows matching them are
    meant); a bare table name means every row of the table.
    """

    table: str
    key: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.table + (":" + "/".join(self.key) if self.key else "")


def parse_refs(text: str | None) -> list[Ref]:
    """Parse ``"reported_tests:mm_best_vs_good; group_summaries:MM2019/best"`` into references.

    Parameters
    ----------
    text : str or None
        References separated by ``;``; empty or ``None`` gives no reference.

    Returns
    -------
    list of Ref
    """
    refs = []
    for part in str(text or "").split(";"):
        part = part.strip()
        if not part:
            continue
        table, _, key = part.partition(":")
        refs.append(Ref(table.strip(), tuple(k.strip() for k in key.split("/")) if key else ()))
    return refs


# ------------------------------------------------------------------------------ evidence
@dataclass
class Evidence:
    """What the rules read: evidence tables, the consistency audit and the meta-analysis summary.

    Attributes
    ----------
    tables : dict of str to DataFrame
        Evidence tables by resource name, cells as written (text, ``""`` when empty).
    keys : dict of str to list of str
        Primary-key fields of each table.
    audit : DataFrame
        The consistency audit, one row per ``test_id`` (columns ``test_id, statistic, value,
        df1, df2, p_reported, recomputed_p, recomputed_p_lb, recomputed_p_ub, verdict,
        explanation``; ``recomputed_es`` is used when present).
    meta : dict
        Summary of the random-effects meta-analysis of the music correlations (``estimate_r,
        ci_r, pct_variance, k``, ...).
    derived : DataFrame, optional
        Derived values of the audit (``source_tests, quantity, value``), for the η² candidates.
    alpha : float
        Significance threshold.
    group_rank : dict of str to int
        Group id → rank in its study (1 = most accomplished), from the study file.
    """

    tables: dict[str, pd.DataFrame]
    keys: dict[str, list[str]]
    audit: pd.DataFrame
    meta: Mapping[str, Any]
    derived: pd.DataFrame | None = None
    alpha: float = 0.05
    group_rank: Mapping[str, int] = field(default_factory=dict)

    def rows(self, ref: Ref) -> pd.DataFrame:
        """Rows a reference points to (at least one), or :class:`ClaimInputError`."""
        if ref.table not in self.tables:
            raise ClaimInputError(f"reference '{ref}': there is no evidence table '{ref.table}'")
        frame, key = self.tables[ref.table], self.keys[ref.table]
        if len(ref.key) > len(key):
            raise ClaimInputError(
                f"reference '{ref}': the key has {len(ref.key)} parts but the primary key of "
                f"'{ref.table}' has {len(key)} ({', '.join(key)})")
        mask = pd.Series(True, index=frame.index)
        for name, value in zip(key, ref.key):
            mask &= frame[name] == value
        if not mask.any():
            raise ClaimInputError(f"reference '{ref}': no row of '{ref.table}' has "
                                  + ", ".join(f"{n} = {v!r}" for n, v in zip(key, ref.key)))
        return frame[mask]

    def row(self, ref: Ref) -> pd.Series:
        """The single row a reference points to."""
        rows = self.rows(ref)
        if len(rows) != 1:
            raise ClaimInputError(f"reference '{ref}' must name one row; it matches {len(rows)}")
        return rows.iloc[0]

    def audit_row(self, test_id: str) -> pd.Series:
        """The consistency-audit row of a reported test."""
        rows = self.audit[self.audit["test_id"] == test_id]
        if len(rows) != 1:
            raise ClaimInputError(f"the audit table has {len(rows)} rows for test_id '{test_id}' "
                                  "(expected 1); rerun the 'primary' stage")
        return rows.iloc[0]

    def eta2_candidates(self, test_id: str) -> tuple[float, float] | None:
        """Range of the η² candidates the audit derived for a restated η² (``None`` if none)."""
        if self.derived is None or not {"source_tests", "quantity", "value"} <= set(self.derived):
            return None
        mask = (self.derived["source_tests"].astype(str).str.contains(test_id, regex=False)
                & self.derived["quantity"].astype(str).str.startswith("η² candidate"))
        values = pd.to_numeric(self.derived.loc[mask, "value"], errors="coerce").dropna()
        return (float(values.min()), float(values.max())) if len(values) else None


def _read_text(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def load_evidence(
    validated: str | Path,
    audit: str | Path,
    meta_summary: str | Path,
    derived: str | Path | None = None,
    alpha: float = 0.05,
    studies: StudyFile | None = None,
) -> tuple[pd.DataFrame, Evidence]:
    """Read the claims and the evidence the rules need.

    Parameters
    ----------
    validated : path-like
        Folder of validated tables with its ``datapackage.json`` (``data/processed/validated``);
        every table is validated again against its schema on reading.
    audit : path-like
        Consistency-audit table (``data/processed/primary/audit.csv``).
    meta_summary : path-like
        Meta-analysis summary (``data/processed/meta/summary.json``).
    derived : path-like, optional
        Derived values of the audit (``data/processed/primary/derived.csv``); used if it exists.
    alpha : float, default 0.05
        Significance threshold.
    studies : StudyFile, optional
        The study file, for the rank order of groups.

    Returns
    -------
    claims : DataFrame
        The claims table, cells as written.
    evidence : Evidence

    Raises
    ------
    FileNotFoundError
        If an input is missing; the message names the stage that makes it.
    dprep.data.schema.DataValidationError
        If a table breaks its schema.
    """
    validated, audit, meta_summary = Path(validated), Path(audit), Path(meta_summary)
    for path, stage in ((validated / "datapackage.json", "validate"), (audit, "primary"),
                        (meta_summary, "meta")):
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist. Run the '{stage}' stage first "
                                    f"(dvc repro {stage}).")
    descriptor = json.loads((validated / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    if CLAIMS_TABLE not in resources:
        raise ClaimInputError(f"{validated / 'datapackage.json'} has no '{CLAIMS_TABLE}' resource")
    load_package(validated)  # schema check of every table, claims included
    text = {name: _read_text(validated / res["path"]) for name, res in resources.items()}
    claims = text.pop(CLAIMS_TABLE)
    keys = {name: list(resources[name]["schema"]["primaryKey"]) for name in text}
    derived_path = Path(derived) if derived is not None else None
    evidence = Evidence(
        tables=text, keys=keys, audit=pd.read_csv(audit),
        meta=json.loads(meta_summary.read_text(encoding="utf-8")),
        derived=pd.read_csv(derived_path) if derived_path and derived_path.exists() else None,
        alpha=float(alpha), group_rank=studies.group_ranks() if studies is not None else {},
    )
    return claims, evidence


# ------------------------------------------------------------------------------ formatting
def _num(text: Any) -> float | None:
    """A cell as a number (``None`` when empty or not a number)."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    try:
        return float(str(text).strip())
    except ValueError:
        return None


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _stat(row: pd.Series) -> str:
    """``F(1, 27) = 4.59`` from a reported_tests row (numbers as written)."""
    return fmt.statistic(row["statistic"], row["value"], row["df1"] or None, row["df2"] or None)


def _p_text(text: str) -> str:
    """``p < .01`` / ``p = 0.364`` from a p as printed."""
    text = text.strip()
    return f"p {text[0]} {text[1:].strip()}" if text[:1] in "<>" else f"p = {text}"


def _tier(row: pd.Series) -> str:
    return f"tier {row['tier']}: {TIER_MEANING.get(row['tier'], 'unknown tier')}"


def _tier_verdict(rows: Iterable[pd.Series]) -> tuple[str, str]:
    """``supported`` if every row is read at a primary tier, else ``supported with caveats``."""
    tiers = sorted({r["tier"] for r in rows})
    if all(t in PRIMARY_TIERS for t in tiers):
        return SUPPORTED, ""
    return CAVEATS, (f" The value is read at {', '.join(tiers)} "
                     f"({'; '.join(TIER_MEANING.get(t, t) for t in tiers)}), so the verdict is "
                     "at most 'supported with caveats'.")


def _label(row: pd.Series) -> str:
    """A short human label of an evidence row."""
    for col in ("source", "study_id"):
        if col in row and row[col] and not str(row[col]).startswith("doi:"):
            return str(row[col])
    return str(row.get("study_id", ""))


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
        parts.append(_p_text(row["p"]))
    return f"{row['source']} ({row['subset']}): {', '.join(parts)}"


# ------------------------------------------------------------------------------ claims
@dataclass(frozen=True)
class Claim:
    """One row of the claims table, parsed."""

    row: pd.Series
    refs: tuple[Ref, ...]
    claimed: tuple[str, ...]

    @property
    def comparison(self) -> str:
        return str(self.row.get("comparison", "") or "")

    def refs_of(self, table: str) -> list[Ref]:
        """The claim's references into one table, in the order given."""
        return [r for r in self.refs if r.table == table]

    def matches(self, value: float, index: int = 0) -> bool:
        """Whether an evidence value agrees with claimed number ``index`` (see module docstring)."""
        text = self.claimed[index]
        claimed = float(text)
        if self.comparison == "approximately":
            return abs(value - claimed) <= APPROX_TOLERANCE * abs(claimed) + 1e-12
        if self.comparison == "more_than":
            return value > claimed
        return abs(value - claimed) <= 0.5 * 10 ** -_decimals(text) + 1e-12

    def claimed_range(self, index: int = 0, unit: str = "") -> str:
        """What the claimed number allows, in words (for explanations)."""
        text = self.claimed[index]
        claimed, d = float(text), _decimals(text) + 1
        if self.comparison == "approximately":
            lo, hi = claimed * (1 - APPROX_TOLERANCE), claimed * (1 + APPROX_TOLERANCE)
            return (f"{text}{unit} (read as {fmt.num(lo, d)}{unit} to {fmt.num(hi, d)}{unit}, "
                    f"±{APPROX_TOLERANCE:.0%})")
        if self.comparison == "more_than":
            return f"more than {text}{unit}"
        half = 0.5 * 10 ** -_decimals(text)
        return f"{text}{unit} (i.e. {fmt.num(claimed - half, d)} to {fmt.num(claimed + half, d)})"


def _claim(row: pd.Series) -> Claim:
    claimed = tuple(v.strip() for v in str(row.get("claimed_value", "") or "").split(";") if v.strip())
    return Claim(row, tuple(parse_refs(row.get("evidence_rows"))), claimed)


@dataclass(frozen=True)
class Assessment:
    """What a rule returns for one claim.

    Attributes
    ----------
    verdict : str
        One of :data:`VERDICTS`.
    explanation : str
        One paragraph; every number in it is formatted from the evidence.
    evidence_value : float or None
        The number the evidence gives for what the claim states.
    evidence_text : str
        That number with its label, for tables.
    rests_on : tuple of Ref
        Evidence rows actually used.
    derived_inputs : tuple of str
        Pipeline outputs used (audit rows, meta-analysis summary keys).
    revision : str
        Suggested revision for claims that are not supported ("" otherwise).
    """

    verdict: str
    explanation: str
    evidence_value: float | None
    evidence_text: str
    rests_on: tuple[Ref, ...]
    derived_inputs: tuple[str, ...] = ()
    revision: str = ""


Rule = Callable[[Claim, Evidence], Assessment]
RULES: dict[str, Rule] = {}


def _rule(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        return fn
    return register


def _need(refs: Sequence[Ref], n: int, table: str, claim: Claim) -> None:
    if len(refs) < n:
        raise ClaimInputError(
            f"claim {claim.row['claim_id']} ({claim.row['claim_type']}): evidence_rows must give "
            f"at least {n} '{table}' reference(s); got {len(refs)}")


# ------------------------------------------------------------------------------ shared pieces
@dataclass(frozen=True)
class GroupTest:
    """A two-group comparison: the reported test, the audit's recomputation and the group means."""

    ref: Ref
    row: pd.Series
    audit: pd.Series
    group_refs: tuple[Ref, ...]
    high: str | None
    low: str | None
    mean_high: float | None
    mean_low: float | None
    alpha: float

    @property
    def p(self) -> float:
        return float(self.audit["recomputed_p"])

    @property
    def significant(self) -> bool:
        return self.p < self.alpha

    @property
    def direction(self) -> int:
        """+1 if the better group has the larger mean, -1 if smaller, 0 if unknown or equal."""
        if self.mean_high is None or self.mean_low is None:
            return 0
        return (self.mean_high > self.mean_low) - (self.mean_high < self.mean_low)

    @property
    def reproduces(self) -> bool:
        return self.audit["verdict"] not in FAILED_AUDIT

    def describe(self) -> str:
        means = ""
        if self.direction:
            means = (f"{self.high} {fmt.num(self.mean_high, 0)} h vs {self.low} "
                     f"{fmt.num(self.mean_low, 0)} h, ")
        lb, ub = _num(self.audit.get("recomputed_p_lb")), _num(self.audit.get("recomputed_p_ub"))
        interval = f" [{fmt.pval(lb)}, {fmt.pval(ub)}]" if lb is not None and ub is not None else ""
        return (f"{self.row['study_id']} ({means}{_stat(self.row)}, reported "
                f"{_p_text(self.row['p_reported'])}; recomputed p = {fmt.pval(self.p)}{interval}, "
                f"audit: {self.audit['verdict']})")

    @property
    def used(self) -> tuple[Ref, ...]:
        return (self.ref, *self.group_refs)


def _group_test(ev: Evidence, ref: Ref, group_refs: Sequence[Ref]) -> GroupTest:
    row = ev.row(ref)
    study = row["study_id"]
    mine = [g for g in group_refs if g.key and g.key[0] == study]
    groups = pd.concat([ev.rows(g) for g in mine]) if mine else pd.DataFrame()
    ranked = sorted(((ev.group_rank.get(g["group"], 99), g["group"], _num(g["mean"]))
                     for _, g in groups.iterrows()), key=lambda t: t[0])
    high = ranked[0] if ranked else (None, None, None)
    low = ranked[1] if len(ranked) > 1 else (None, None, None)
    return GroupTest(ref, row, ev.audit_row(row["test_id"]), tuple(mine), high[1], low[1],
                     high[2], low[2], ev.alpha)


def _restated(ev: Evidence, restated_ref: Ref, contrast_ref: Ref) -> dict[str, Any]:
    """The restated η², its audit verdict and the η² the contrast F actually gives."""
    row, contrast = ev.row(restated_ref), ev.row(contrast_ref)
    audit = ev.audit_row(row["test_id"])
    partial = eta2_from_f(float(contrast["value"]), float(contrast["df1"]), float(contrast["df2"]))
    candidates = ev.eta2_candidates(row["test_id"])
    closest = _num(audit.get("recomputed_es"))
    if candidates:
        range_text = f"the audit's η² candidates range from {fmt.num(candidates[0], 3)} to {fmt.num(candidates[1], 3)}"
    elif closest is not None:
        range_text = f"the audit's closest candidate is η² = {fmt.num(closest, 3)}"
    else:
        range_text = "the audit gives no candidate"
    return {
        "row": row, "contrast": contrast, "audit": audit, "value": float(row["effect_value"]),
        "partial": partial, "candidates": candidates, "range_text": range_text,
        "reproduces": audit["verdict"] not in FAILED_AUDIT,
        "text": (f"the partial η² of the contrast {_stat(contrast)} is {fmt.num(partial, 3)} and "
                 f"{range_text}"),
    }


def _dprep_share(ev: Evidence) -> dict[str, Any]:
    """dprep's random-effects re-analysis of the music correlations as a share of variance."""
    r, (lo, hi) = float(ev.meta["estimate_r"]), ev.meta["ci_r"]
    share = float(ev.meta.get("pct_variance", 100 * r * r)) / 100
    lo2 = 0.0 if lo < 0 < hi else min(lo * lo, hi * hi)
    hi2 = max(lo * lo, hi * hi)
    return {"share": share, "text": (
        f"dprep's random-effects re-analysis of the {ev.meta['k']} music correlations gives "
        f"r = {fmt.num(r, 3)} [{fmt.num(lo, 3)}, {fmt.num(hi, 3)}], i.e. 100·r² = {fmt.pct(share)} "
        f"[{fmt.pct(lo2)}, {fmt.pct(hi2)}]")}


_META_INPUTS = ("meta/summary.json:estimate_r,ci_r,pct_variance,k",)


def _audit_input(*test_ids: str) -> tuple[str, ...]:
    return tuple(f"primary/audit.csv:{t}" for t in test_ids)


# ------------------------------------------------------------------------------ rules
@_rule("restated_eta2")
def rule_restated_eta2(claim: Claim, ev: Evidence) -> Assessment:
    """η² attributed to the original study: the restated value, decided by the audit.

    Evidence: ``reported_tests`` [restated η², the F it restates], the original's group
    summaries.  Contradicted if the claimed value differs from the restatement; not reproducible
    if the audit cannot recompute the restatement from the F and the means; else supported with
    caveats (a restatement by others, not a number printed in the original).
    """
    tests = claim.refs_of("reported_tests")
    _need(tests, 2, "reported_tests", claim)
    r = _restated(ev, tests[0], tests[1])
    row = r["row"]
    used = (*tests, *claim.refs_of("group_summaries"))
    said = (f"The article gives η² = {claim.claimed[0]} for the original comparison. The evidence "
            f"has η² = {row['effect_value']} only as the replication authors' restatement "
            f"({row['source']}, {row['locator']}; {_tier(row)}); the original's reachable text "
            f"reports {_stat(r['contrast'])}, {_p_text(r['contrast']['p_reported'])}.")
    inputs = _audit_input(row["test_id"]) + ("primary/derived.csv:η² candidates",)
    if not claim.matches(r["value"]):
        return Assessment(
            CONTRADICTED, f"{said} The claimed {claim.claimed_range()} does not match it.",
            r["value"], f"restated η² = {row['effect_value']}", used, inputs,
            f"Write η² = {row['effect_value']} (as restated by the replication authors), or "
            f"report the original's {_stat(r['contrast'])}.")
    if not r["reproduces"]:
        return Assessment(
            NOT_REPRODUCIBLE,
            f"{said} The consistency audit cannot reproduce it (verdict '{r['audit']['verdict']}'): "
            f"{r['text']}, all well below {row['effect_value']}.",
            r["partial"], f"η² {row['effect_value']} restated; {fmt.num(r['partial'], 3)} from the F",
            used, inputs,
            f"Report the original's result as {_stat(r['contrast'])} "
            f"({_p_text(r['contrast']['p_reported'])}), which corresponds to a partial η² of about "
            f"{fmt.num(r['partial'], 2)}; if η² = {row['effect_value']} is quoted, say that it is the "
            f"replication authors' restatement and that it cannot be recomputed from the original's "
            f"published F and group means.")
    _, tier_note = _tier_verdict([row])
    return Assessment(
        CAVEATS, f"{said} The consistency audit reproduces it (verdict "
        f"'{r['audit']['verdict']}'; {r['text']}), but it remains a restatement.{tier_note}",
        r["value"], f"restated η² = {row['effect_value']}", used, inputs)


@_rule("nonsignificant_p")
def rule_nonsignificant_p(claim: Claim, ev: Evidence) -> Assessment:
    """"No significant difference (p = X)": the reported p, its recomputation and alpha.

    Contradicted if the p recomputed from the statistic is below alpha or the claimed p is not
    the reported one; not reproducible if the audit cannot recompute the reported p; else
    supported (with caveats below the primary tiers).
    """
    tests = claim.refs_of("reported_tests")
    _need(tests, 1, "reported_tests", claim)
    g = _group_test(ev, tests[0], claim.refs_of("group_summaries"))
    reported = parse_p(g.row["p_reported"])
    inputs = _audit_input(g.row["test_id"])
    said = f"The article says p = {claim.claimed[0]}; the evidence: {g.describe()}."
    value, text = g.p, f"recomputed p = {fmt.pval(g.p)}"
    revision = (f"Report the comparison as {_stat(g.row)}, {_p_text(g.row['p_reported'])}"
                f"{' (recomputed p = ' + fmt.pval(g.p) + ')' if not g.reproduces else ''}, and describe "
                f"the difference as {'significant' if g.significant else 'not significant'} at "
                f"α = {ev.alpha:g}.")
    if g.significant:
        return Assessment(CONTRADICTED, f"{said} The recomputed p is below α = {ev.alpha:g}, so the "
                          "statistic shows a significant difference.", value, text, g.used, inputs,
                          revision)
    if not g.reproduces:
        return Assessment(NOT_REPRODUCIBLE, f"{said} The reported p cannot be recomputed from the "
                          "statistic.", value, text, g.used, inputs, revision)
    if reported.comparison != "=" or not claim.matches(reported.value):
        return Assessment(CONTRADICTED, f"{said} The claimed {claim.claimed_range()} is not the "
                          "reported p.", value, text, g.used, inputs, revision)
    verdict, tier_note = _tier_verdict([g.row])
    return Assessment(verdict, f"{said} The claimed p is the reported one, the recomputed p agrees "
                      f"with it and is above α = {ev.alpha:g}, so there is no significant "
                      f"difference.{tier_note}", value, text, g.used, inputs)


def _best_vs_good(claim: Claim, ev: Evidence) -> tuple[GroupTest, GroupTest]:
    tests = claim.refs_of("reported_tests")
    _need(tests, 2, "reported_tests", claim)
    groups = claim.refs_of("group_summaries")
    return _group_test(ev, tests[0], groups), _group_test(ev, tests[1], groups)


@_rule("replication_failed")
def rule_replication_failed(claim: Claim, ev: Evidence) -> Assessment:
    """"The replication failed to reproduce the core finding" (best vs good practice).

    Evidence: ``reported_tests`` [original, replication, optional omnibus of the replication]
    with the group summaries.  Contradicted if the replication finds a significant difference in
    the original's direction; else supported (with caveats: tier, and the replication's omnibus
    result when it is significant).
    """
    orig, rep = _best_vs_good(claim, ev)
    extra = claim.refs_of("reported_tests")[2:]
    used = (*orig.used, *rep.used, *extra)
    inputs = _audit_input(orig.row["test_id"], rep.row["test_id"], *(r.key[0] for r in extra))
    said = f"Original: {orig.describe()}. Replication: {rep.describe()}."
    same = rep.significant and rep.direction == orig.direction != 0
    if same:
        return Assessment(CONTRADICTED, f"{said} The replication finds a significant difference in "
                          "the original's direction, so the finding was reproduced.", rep.p,
                          f"replication p = {fmt.pval(rep.p)}", used, inputs,
                          f"Say that the replication reproduced the difference ({_stat(rep.row)}, "
                          f"{_p_text(rep.row['p_reported'])}).")
    how = ("is not significant" if not rep.significant else
           "is significant in the opposite direction")
    omnibus = ""
    for ref in extra:
        row, audit = ev.row(ref), ev.audit_row(ev.row(ref)["test_id"])
        if float(audit["recomputed_p"]) < ev.alpha:
            omnibus += (f" The replication did find a significant difference among all three groups "
                        f"({_stat(row)}, {_p_text(row['p_reported'])}, "
                        f"{_ES_SYMBOL.get(row['effect_size'], row['effect_size'])} = "
                        f"{row['effect_value']}), so only the best-vs-good difference failed.")
    verdict, tier_note = _tier_verdict([orig.row, rep.row])
    return Assessment(verdict if not omnibus else CAVEATS,
                      f"{said} The replication's difference {how}.{omnibus}{tier_note}", rep.p,
                      f"replication p = {fmt.pval(rep.p)}", used, inputs)


@_rule("group_difference")
def rule_group_difference(claim: Claim, ev: Evidence) -> Assessment:
    """"Top violinists spent more time practising": the original and its replication.

    Supported with caveats if both the original and the replication find a significant
    difference with the best group ahead (group comparisons cannot show that practice, rather
    than talent, caused it); contradicted otherwise.
    """
    orig, rep = _best_vs_good(claim, ev)
    used, inputs = (*orig.used, *rep.used), _audit_input(orig.row["test_id"], rep.row["test_id"])
    said = f"Original: {orig.describe()}. Replication: {rep.describe()}."
    holds = [t.significant and t.direction > 0 and t.reproduces for t in (orig, rep)]
    if all(holds):
        return Assessment(CAVEATS, f"{said} Both find that the best group accumulated significantly "
                          "more practice. Group comparisons are correlational: they cannot show "
                          "that practice rather than talent made the difference.", rep.p,
                          f"replication p = {fmt.pval(rep.p)}", used, inputs)
    rep_text = ("the best group accumulated less practice than the good group" if rep.direction < 0
                else "the difference is not significant" if not rep.significant
                else "the difference is not reproducible from the published numbers")
    orig_text = ("The original reports the difference" if holds[0]
                 else "Not even the original shows the difference")
    return Assessment(
        CONTRADICTED, f"{said} {orig_text}, but in the preregistered replication {rep_text}; the "
        "statement presents as settled a finding that did not replicate, and the causal reading "
        "(practice rather than talent) is not tested by a group comparison.", rep.p,
        f"replication p = {fmt.pval(rep.p)}", used, inputs,
        f"Ericsson et al. (1993) found that the best violinists had accumulated more practice alone "
        f"than the good ones ({_stat(orig.row)}, {_p_text(orig.row['p_reported'])}); a "
        f"preregistered replication found {rep_text} ({_stat(rep.row)}, "
        f"{_p_text(rep.row['p_reported'])}). Neither study can separate practice from talent.")


def _eta2_row(ev: Evidence, ref: Ref) -> tuple[pd.Series, float, str]:
    row = ev.row(ref)
    ci = f" [{row['es_ci_low']}, {row['es_ci_high']}]" if row["es_ci_low"] else ""
    symbol = _ES_SYMBOL.get(row["effect_size"], row["effect_size"])
    return row, float(row["effect_value"]), f"{symbol} = {row['effect_value']}{ci}"


@_rule("effect_ratio")
def rule_effect_ratio(claim: Claim, ev: Evidence) -> Assessment:
    """The replication's η² as a fraction of the original's ("roughly half the original").

    Evidence: ``reported_tests`` [replication η², restated original η², the F it restates].
    Not reproducible if the audit cannot recompute the original's restated η²; else the ratio
    is compared with the claimed fraction.
    """
    tests = claim.refs_of("reported_tests")
    _need(tests, 3, "reported_tests", claim)
    rep, rep_value, rep_text = _eta2_row(ev, tests[0])
    r = _restated(ev, tests[1], tests[2])
    ratio = rep_value / r["value"]
    ratio_f = rep_value / r["partial"]
    inputs = _audit_input(rep["test_id"], r["row"]["test_id"]) + ("primary/derived.csv:η² candidates",)
    said = (f"The replication reports {rep_text}; the original's restated η² is "
            f"{r['row']['effect_value']}, a ratio of {fmt.num(ratio)}. The claim is "
            f"{claim.claimed_range()}.")
    if not r["reproduces"]:
        span = (f" and between {fmt.num(rep_value / r['candidates'][1])} and "
                f"{fmt.num(rep_value / r['candidates'][0])} over the audit's candidates"
                if r["candidates"] else "")
        return Assessment(
            NOT_REPRODUCIBLE, f"{said} But the original's η² = {r['row']['effect_value']} cannot be "
            f"recomputed from its published numbers: {r['text']}. Against the partial η² of the "
            f"contrast the ratio is {fmt.num(ratio_f)}{span}. The two η² also describe different "
            "comparisons (three groups in the replication, two merged groups against one in the "
            "restatement).", ratio_f, f"ratio {fmt.num(ratio)} (restated) / {fmt.num(ratio_f)} (from F)",
            tuple(tests[:3]), inputs,
            f"Report the replication's {rep_text} without calling it a fraction of the original: "
            f"the original's restated η² = {r['row']['effect_value']} is not reproducible from its "
            f"{_stat(r['contrast'])}, whose partial η² is {fmt.num(r['partial'], 2)}.")
    if claim.matches(ratio):
        _, tier_note = _tier_verdict([rep, r["row"]])
        return Assessment(CAVEATS, f"{said} The ratio agrees, although the two η² describe different "
                          f"comparisons.{tier_note}", ratio, f"ratio {fmt.num(ratio)}",
                          tuple(tests[:3]), inputs)
    return Assessment(CONTRADICTED, f"{said} The ratio does not agree.", ratio, f"ratio {fmt.num(ratio)}",
                      tuple(tests[:3]), inputs,
                      f"Report the two values ({r['row']['effect_value']} and {rep_value:g}) "
                      f"side by side; their ratio is {fmt.num(ratio)}.")


@_rule("reported_pct_variance")
def rule_reported_pct_variance(claim: Claim, ev: Evidence) -> Assessment:
    """"Practice explained about X% of the variance" in a study: 100·η² of the reported row."""
    tests = claim.refs_of("reported_tests")
    _need(tests, 1, "reported_tests", claim)
    row, value, text = _eta2_row(ev, tests[0])
    audit = ev.audit_row(row["test_id"])
    said = (f"The study reports {text} ({_stat(row)}, {_p_text(row['p_reported'])}), i.e. "
            f"{fmt.pct(value)} of the variance; the claim is {claim.claimed_range(unit='%')}.")
    inputs = _audit_input(row["test_id"])
    if not claim.matches(100 * value):
        return Assessment(CONTRADICTED, f"{said} They do not agree.", 100 * value, fmt.pct(value),
                          (tests[0],), inputs, f"Write {fmt.pct(value)} ({text}).")
    if audit["verdict"] in FAILED_AUDIT:
        return Assessment(NOT_REPRODUCIBLE, f"{said} The consistency audit cannot reproduce the "
                          f"reported test (verdict '{audit['verdict']}').", 100 * value, fmt.pct(value),
                          (tests[0],), inputs, f"Quote {text} with the audit's reservation.")
    verdict, tier_note = _tier_verdict([row])
    ci = (f" The confidence interval is wide ({row['es_ci_low']} to {row['es_ci_high']}), and the "
          "quantity is the variance in accumulated practice alone explained by performance group."
          if row["es_ci_low"] else "")
    return Assessment(CAVEATS if ci else verdict, f"{said} They agree; the audit finds the test "
                      f"consistent (verdict '{audit['verdict']}').{ci}{tier_note}", 100 * value,
                      fmt.pct(value), (tests[0],), inputs)


@_rule("meta_pct_variance")
def rule_meta_pct_variance(claim: Claim, ev: Evidence) -> Assessment:
    """A meta-analytic share of variance: the current published value and dprep's re-analysis.

    Evidence: ``meta_summaries`` [current value, superseded value(s)...] and the music
    correlations (for the re-analysis).  The verdict follows the current published value; the
    re-analysis is reported beside it.
    """
    metas = claim.refs_of("meta_summaries")
    _need(metas, 1, "meta_summaries", claim)
    current = ev.row(metas[0])
    value = float(current["pct_variance"])
    older = "".join(f" The earlier {_meta_line(ev.row(m))} is superseded." for m in metas[1:])
    dprep = _dprep_share(ev)
    used = tuple(metas) + tuple(claim.refs_of("music_correlations_macnamara2014"))
    said = (f"The current published value is {_meta_line(current)} ({current['citation']}, "
            f"{current['locator']}); the claim is {claim.claimed_range(unit='%')}.{older} For "
            f"comparison, {dprep['text']}.")
    if claim.matches(value):
        verdict, tier_note = _tier_verdict([current])
        return Assessment(verdict, f"{said} The published value agrees with the claim.{tier_note}",
                          value, f"{current['pct_variance_reported']}% (dprep {fmt.pct(dprep['share'])})",
                          used, _META_INPUTS)
    return Assessment(CONTRADICTED, f"{said} The published value does not agree with the claim.",
                      value, f"{current['pct_variance_reported']}% (dprep {fmt.pct(dprep['share'])})",
                      used, _META_INPUTS,
                      f"Write {current['pct_variance_reported']}% ({current['source']}), and "
                      f"{fmt.pct(dprep['share'])} in dprep's re-analysis.")


@_rule("reported_ratings")
def rule_reported_ratings(claim: Claim, ev: Evidence) -> Assessment:
    """Rating values: the ratings rows, in the order of the claimed numbers.

    Unverifiable if a value is empty (not found); else each claimed number must match.
    """
    refs = claim.refs_of("ratings")
    _need(refs, 1, "ratings", claim)
    rows = pd.concat([ev.rows(r) for r in refs])
    values = [_num(v) for v in rows["value"]]
    desc = "; ".join(f"{r['study_id']} {r['activity']} ({r['rating']}): "
                     f"{r['value'] or 'no value'} ({r['source']}, {r['locator']}, {_tier(r)})"
                     for _, r in rows.iterrows())
    if any(v is None for v in values) or len(values) < len(claim.claimed):
        return Assessment(
            UNVERIFIABLE, f"The article gives {claim.row['claimed_text']}. The evidence: {desc}. "
            f"The rating values are not in the evidence, so the numbers cannot be checked; only "
            f"what the source row itself says can be.", None, "not found", tuple(refs), (),
            "Drop the two numbers, or cite where they are printed; the replication's abstract "
            "gives the direction of the relevance ratings but no values.")
    ok = all(claim.matches(v, i) for i, v in enumerate(values[: len(claim.claimed)]))
    verdict, tier_note = _tier_verdict(r for _, r in rows.iterrows())
    if ok:
        return Assessment(verdict, f"The article gives {claim.row['claimed_text']}; the evidence: "
                          f"{desc}. They agree.{tier_note}", values[0], desc, tuple(refs))
    return Assessment(CONTRADICTED, f"The article gives {claim.row['claimed_text']}; the evidence: "
                      f"{desc}. They do not agree.", values[0], desc, tuple(refs), (),
                      f"Use the values of the source: {desc}.")


@_rule("study_count")
def rule_study_count(claim: Claim, ev: Evidence) -> Assessment:
    """A number of studies: compared with ``k`` of the synthesis in ``meta_summaries``.

    Supported (at the row's tier) when ``k`` satisfies the claim; otherwise unverifiable: a
    synthesis counting fewer studies does not show that more do not exist.
    """
    metas = claim.refs_of("meta_summaries")
    _need(metas, 1, "meta_summaries", claim)
    row = ev.row(metas[0])
    k = float(row["k"])
    said = (f"The article says {claim.row['claimed_text']} studies. The synthesis in the evidence "
            f"is {_meta_line(row)}, n = {row['n_participants']} ({row['citation']}, {_tier(row)}).")
    if claim.matches(k):
        verdict, tier_note = _tier_verdict([row])
        return Assessment(verdict, f"{said} It counts enough studies.{tier_note}", k,
                          f"k = {row['k']}", (metas[0],))
    return Assessment(
        UNVERIFIABLE, f"{said} It pooled k = {row['k']} studies, not {claim.claimed_range()}; "
        "no source in the evidence counts more, although later studies may exist.", k,
        f"k = {row['k']}", (metas[0],), (),
        f"Cite the synthesis instead: {row['source']} pooled {row['k']} studies "
        f"(n = {row['n_participants']}), r = {row['r_mean']} [{row['r_ci_low']}, {row['r_ci_high']}] "
        f"in favour of deliberate practice.")


@_rule("methods_critique")
def rule_methods_critique(claim: Claim, ev: Evidence) -> Assessment:
    """"The original lacked blinding and used analyses that inflated significance".

    Evidence: the original's ``reported_tests`` (their audit) and ``blinding_bias_priors``
    (what lack of blinding does on average).  If the audit finds a reported p smaller than the
    statistic allows, the numbers show inflated significance (supported with caveats); otherwise
    the claim is unverifiable: no table records how the original was blinded.
    """
    tests = claim.refs_of("reported_tests")
    _need(tests, 1, "reported_tests", claim)
    rows = [ev.row(t) for t in tests]
    audits = [ev.audit_row(r["test_id"]) for r in rows]
    ok = sum(a["verdict"] not in FAILED_AUDIT for a in audits)
    failed = [f"{_stat(r)} reported {_p_text(r['p_reported'])}, recomputed p = "
              f"{fmt.pval(float(a['recomputed_p']))} ({a['verdict']})"
              for r, a in zip(rows, audits) if a["verdict"] in FAILED_AUDIT]
    priors = [ev.row(b) for b in claim.refs_of("blinding_bias_priors")]
    prior_text = "".join(
        f" On blinding, the evidence is indirect and meta-epidemiological: in {b['source']}, "
        f"{b['characteristic']} on {b['outcome_type']} outcomes went with a "
        f"{b['scale'].replace('_', ' ')} of {b['estimate']} [{b['ci_low']}, {b['ci_high']}]."
        for b in priors)
    said = (f"The consistency audit recomputes the p-values of {ok} of the original's {len(rows)} "
            f"reported tests ({'; '.join(_stat(r) for r in rows)}).")
    used = tuple(tests) + tuple(claim.refs_of("blinding_bias_priors"))
    inputs = _audit_input(*(r["test_id"] for r in rows))
    if failed:
        return Assessment(CAVEATS, f"{said} The others overstate significance: {'; '.join(failed)}."
                          f"{prior_text} Whether the original was blinded is not recorded in the "
                          "evidence tables.", float(len(failed)),
                          f"{len(failed)} of {len(rows)} tests inconsistent", used, inputs)
    return Assessment(
        UNVERIFIABLE, f"{said} So the reported numbers show no inflated significance; whether the "
        f"choice of analysis inflated it, and whether the interviewers were blind, cannot be decided "
        f"from reported statistics and is not recorded in the evidence tables.{prior_text}",
        float(ok), f"{ok} of {len(rows)} tests reproduce", used, inputs,
        f"Attribute the blinding point to the replication's authors and drop 'analyses that "
        f"inflated significance': all {len(rows)} of the original's reported tests recompute from "
        f"their statistics.")


@_rule("majority_not_replicated")
def rule_majority_not_replicated(claim: Claim, ev: Evidence) -> Assessment:
    """"The original 'largely accounted for' claim was not replicated".

    Evidence: ``reported_tests`` [replication η², restated original η², the F it restates].
    Contradicted if the replication's η² reaches :data:`MAJORITY`; else supported with caveats
    (the caveat says whether the original's own numbers showed a majority share).
    """
    tests = claim.refs_of("reported_tests")
    _need(tests, 3, "reported_tests", claim)
    rep, value, text = _eta2_row(ev, tests[0])
    r = _restated(ev, tests[1], tests[2])
    hi = _num(rep["es_ci_high"])
    inputs = _audit_input(rep["test_id"], r["row"]["test_id"]) + ("primary/derived.csv:η² candidates",)
    said = (f"'Largely' is read as more than {MAJORITY:.0%} of the variance. The replication "
            f"reports {text}.")
    if value >= MAJORITY:
        return Assessment(CONTRADICTED, f"{said} That is a majority share, so the replication "
                          "supports the original's conclusion.", value, text, tuple(tests[:3]), inputs,
                          f"Say that the replication found {text}.")
    excluded = (f" Its upper confidence limit {rep['es_ci_high']} also excludes a majority share."
                if hi is not None and hi < MAJORITY else
                " Its confidence interval does not exclude a majority share.")
    orig = (f" But the original's own numbers did not show a majority share either: the restated "
            f"η² = {r['row']['effect_value']} is not reproducible and {r['text']}."
            if not r["reproduces"] and r["partial"] < MAJORITY else
            f" The original's restated η² = {r['row']['effect_value']} is reproduced by the audit.")
    _, tier_note = _tier_verdict([rep])
    return Assessment(CAVEATS, f"{said}{excluded}{orig}{tier_note}", value, text, tuple(tests[:3]),
                      inputs)


def _shares(claim: Claim, ev: Evidence) -> tuple[list[tuple[str, float, pd.Series]], list[str]]:
    """Domain-specific published shares (study η², meta-analytic music %) and context lines."""
    shares, context = [], []
    for ref in claim.refs_of("reported_tests"):
        row, value, text = _eta2_row(ev, ref)
        shares.append((f"{row['study_id']}: {text} ({fmt.pct(value)})", value, row))
    for ref in claim.refs_of("meta_summaries"):
        row = ev.row(ref)
        if row["subset"] == "music" and row["pct_variance"]:
            shares.append((_meta_line(row), float(row["pct_variance"]) / 100, row))
        else:
            context.append(_meta_line(row))
    if claim.refs_of("music_correlations_macnamara2014"):
        context.append(_dprep_share(ev)["text"])
    return shares, context


@_rule("practice_share")
def rule_practice_share(claim: Claim, ev: Evidence) -> Assessment:
    """"Practice explains roughly X of performance variance": study and music meta-analytic shares.

    Supported with caveats if at least one share agrees with the claim (context: the all-domain
    share and dprep's re-analysis); contradicted if none does.
    """
    shares, context = _shares(claim, ev)
    if not shares:
        raise ClaimInputError(f"claim {claim.row['claim_id']}: no η² or music share in evidence_rows")
    agree = [claim.matches(100 * v) for _, v, _ in shares]
    said = (f"The claim is {claim.claimed_range(unit='%')}. Published shares: "
            f"{'; '.join(t for t, _, _ in shares)}. Context: {'; '.join(context)}.")
    used = claim.refs
    inputs = _META_INPUTS if claim.refs_of("music_correlations_macnamara2014") else ()
    value = sum(v for _, v, _ in shares) / len(shares) * 100
    text = ", ".join(fmt.pct(v) for _, v, _ in shares)
    if any(agree):
        return Assessment(CAVEATS, f"{said} {sum(agree)} of {len(shares)} published shares agree "
                          "with the claim; the share depends on the domain and the analysis, as the "
                          "context shows.", value, text, used, inputs)
    return Assessment(CONTRADICTED, f"{said} None of the published shares agrees with the claim.",
                      value, text, used, inputs, f"Give the shares themselves: {text}.")


@_rule("teacher_vs_alone")
def rule_teacher_vs_alone(claim: Claim, ev: Evidence) -> Assessment:
    """Teacher-designed vs self-guided practice: η² of each with their CIs, and the context rows.

    Evidence: ``reported_tests`` [teacher-designed η², practice-alone η², their correlation],
    optionally ``meta_summaries`` (a direct comparison) and ``ratings``.  Contradicted if the
    teacher-designed η² lies wholly above the practice-alone one; else supported with caveats.
    """
    tests = claim.refs_of("reported_tests")
    _need(tests, 2, "reported_tests", claim)
    teach, t_val, t_text = _eta2_row(ev, tests[0])
    alone, a_val, a_text = _eta2_row(ev, tests[1])
    extra = []
    for ref in tests[2:]:
        row = ev.row(ref)
        extra.append(f"the two amounts correlate {_stat(row)}")
    for ref in claim.refs_of("meta_summaries"):
        extra.append(_meta_line(ev.row(ref)))
    for ref in claim.refs_of("ratings"):
        row = ev.row(ref)
        extra.append(f"{row['rating']} ratings ({row['activity']}): "
                     f"{row['value'] or 'values not found'} ({_tier(row)})")
    said = (f"In the replication, teacher-designed practice: {t_text}; practice alone: {a_text}. "
            f"Context: {'; '.join(extra)}.")
    t_lo, a_hi = _num(teach["es_ci_low"]), _num(alone["es_ci_high"])
    if t_lo is not None and a_hi is not None and t_lo > a_hi:
        return Assessment(CONTRADICTED, f"{said} Teacher-designed practice explains clearly more.",
                          t_val - a_val, f"η² difference {fmt.num(t_val - a_val)}", claim.refs, (),
                          f"Say that teacher-designed practice explained more ({t_text} vs {a_text}).")
    _, tier_note = _tier_verdict([teach, alone])
    return Assessment(CAVEATS, f"{said} The two explain similar shares and their intervals overlap, "
                      "but the replication reports no test of the difference, and the two amounts "
                      f"are strongly correlated.{tier_note}", t_val - a_val,
                      f"η² {teach['effect_value']} vs {alone['effect_value']}", claim.refs)


@_rule("professions_transfer")
def rule_professions_transfer(claim: Claim, ev: Evidence) -> Assessment:
    """Deliberate practice helps employees: the professions meta-analytic result and SBME.

    Evidence: ``meta_summaries`` [professions result, other training evidence...].  Supported
    with caveats if practice is significantly related to performance in professions; else
    unverifiable (the correlational evidence in professions is weak, and training studies in
    the evidence come from other settings).
    """
    metas = claim.refs_of("meta_summaries")
    _need(metas, 1, "meta_summaries", claim)
    prof = ev.row(metas[0])
    others = "; ".join(_meta_line(ev.row(m)) for m in metas[1:])
    p = parse_p(prof["p"])
    significant = p.value < ev.alpha if p.comparison != ">" else False
    said = (f"The evidence on professions: {_meta_line(prof)} ({prof['citation']}). Other training "
            f"evidence: {others}.")
    value = _num(prof["pct_variance"]) if prof["pct_variance"] else _num(prof["pct_variance_upper_bound"])
    if significant:
        return Assessment(CAVEATS, f"{said} Practice is significantly related to performance in "
                          "professions; the relation is correlational.", value,
                          f"{prof['pct_variance_reported']}% of variance", tuple(metas))
    return Assessment(
        UNVERIFIABLE, f"{said} In professions accumulated practice is not significantly related to "
        f"performance ({_p_text(prof['p'])}); the strong training effect comes from simulation-"
        "based medical education, not workplace learning programmes. No evidence table holds a "
        "trial of deliberate practice in employee training.", value,
        f"{prof['pct_variance_reported']}% of variance in professions", tuple(metas), (),
        f"Present it as a plausible application rather than an established effect: in professions "
        f"practice explained {prof['pct_variance_reported']}% of the variance in performance "
        f"({prof['source']}), and the strong evidence for structured practice comes from medical "
        f"simulation training ({others}).")


@_rule("practice_decides_elite")
def rule_practice_decides_elite(claim: Claim, ev: Evidence) -> Assessment:
    """"What distinguishes the truly exceptional is how they practice": the evidence among top performers.

    Evidence: ``meta_summaries`` [share among elite performers] and ``reported_tests``
    [best vs good in the replication] with group summaries.  Contradicted if the elite share is
    below :data:`MAJORITY` and the replication's best group did not practise significantly more;
    supported with caveats if both point the claim's way; unverifiable if they disagree.
    """
    metas, tests = claim.refs_of("meta_summaries"), claim.refs_of("reported_tests")
    _need(metas, 1, "meta_summaries", claim)
    _need(tests, 1, "reported_tests", claim)
    elite = ev.row(metas[0])
    share = float(elite["pct_variance"]) / 100
    g = _group_test(ev, tests[0], claim.refs_of("group_summaries"))
    share_ok = share >= MAJORITY
    group_ok = g.significant and g.direction > 0
    said = (f"'What distinguishes' is read as more than {MAJORITY:.0%} of the variance among top "
            f"performers. Among elite performers, {_meta_line(elite)}; between the best and the good "
            f"violinists, {g.describe()}.")
    used, inputs = (metas[0], *g.used), _audit_input(g.row["test_id"])
    if share_ok and group_ok:
        return Assessment(CAVEATS, f"{said} Both point to practice; the evidence is correlational.",
                          100 * share, fmt.pct(share), used, inputs)
    if not share_ok and not group_ok:
        return Assessment(
            CONTRADICTED, f"{said} Practice explains a small share among elite performers and does "
            "not separate the best from the good violinists.", 100 * share,
            f"{fmt.pct(share)} among elite performers", used, inputs,
            f"Say that practice matters but does not by itself separate the best from the very good: "
            f"among elite athletes it explained {elite['pct_variance_reported']}% of the variance "
            f"({elite['source']}), and the best violinists of a preregistered replication had not "
            f"practised more than the good ones ({_stat(g.row)}, {_p_text(g.row['p_reported'])}).")
    return Assessment(UNVERIFIABLE, f"{said} The two disagree.", 100 * share, fmt.pct(share), used,
                      inputs, "State which evidence the claim rests on and what the other shows.")


@_rule("hours_threshold")
def rule_hours_threshold(claim: Claim, ev: Evidence) -> Assessment:
    """An amount of practice said to make a master: do the hours order the groups?

    Evidence: ``group_summaries`` of whole studies.  Contradicted if in some study a lower-ranked
    group accumulated at least as many hours as the best group; else unverifiable (no study
    tests whether the amount suffices).
    """
    refs = claim.refs_of("group_summaries")
    _need(refs, 1, "group_summaries", claim)
    lines, reversals, top_mean = [], [], 0.0
    for ref in refs:
        rows = ev.rows(ref)
        ranked = sorted(((ev.group_rank.get(r["group"], 99), r["group"], _num(r["mean"]))
                         for _, r in rows.iterrows() if _num(r["mean"]) is not None))
        if not ranked:
            continue
        best = ranked[0]
        top_mean = max(top_mean, max(m for _, _, m in ranked))
        lines.append(f"{ref.key[0]}: " + ", ".join(f"{g} {fmt.num(m, 0)} h" for _, g, m in ranked))
        reversals += [(ref.key[0], g, m, best[1], best[2]) for rank, g, m in ranked[1:]
                      if rank > best[0] and m >= best[2]]
    measure = ev.rows(refs[0])["measure"].iloc[0].replace("_", " ")
    said = (f"The claim names {claim.claimed[0]} hours. Group means of {measure}: "
            f"{'; '.join(lines)}.")
    if reversals:
        s, g, m, b, bm = max(reversals, key=lambda t: t[2])
        return Assessment(
            CONTRADICTED, f"{said} In {s} the {g} group accumulated more ({fmt.num(m, 0)} h) than the "
            f"{b} group ({fmt.num(bm, 0)} h): the amount of practice does not rank the performers, so a "
            "fixed number of hours cannot mark mastery.", m, f"{g} {fmt.num(m, 0)} h > {b} {fmt.num(bm, 0)} h",
            tuple(refs), (),
            f"Drop the fixed number: in a preregistered replication the good violinists had "
            f"accumulated {fmt.num(m, 0)} h by age 18, more than the best ({fmt.num(bm, 0)} h).")
    return Assessment(
        UNVERIFIABLE, f"{said} The hours order the groups, but the largest group mean is "
        f"{fmt.num(top_mean, 0)} h and no study tests whether {claim.claimed[0]} hours suffice.",
        top_mean, f"largest group mean {fmt.num(top_mean, 0)} h", tuple(refs), (),
        "Say that the best groups had accumulated the most practice, without a threshold.")


@_rule("outside_evidence")
def rule_outside_evidence(claim: Claim, ev: Evidence) -> Assessment:
    """Claims no evidence table can decide (definitions, advice, talent): unverifiable.

    The cited rows, if any, are described as context: they show what the tables measure.
    """
    context = []
    for ref in claim.refs:
        for _, row in ev.rows(ref).iterrows():
            context.append(_meta_line(row) if ref.table == "meta_summaries" else _label(row))
    ctx = (f" The closest evidence is {'; '.join(context)}, which measures accumulated practice, "
           "not what the claim is about." if context else "")
    return Assessment(UNVERIFIABLE, "None of the evidence tables records what this claim is about "
                      f"(they hold reported test statistics, group means of accumulated practice, "
                      f"ratings and meta-analytic correlations).{ctx}", None, "no evidence",
                      claim.refs, (),
                      "Attribute the statement to its source (e.g. Ericsson's writing on the "
                      "framework) rather than presenting it as an empirical finding.")


# ------------------------------------------------------------------------------ driver
def _sources(ev: Evidence, refs: Iterable[Ref]) -> list[str]:
    dois: list[str] = []
    for ref in refs:
        for _, row in ev.rows(ref).iterrows():
            for col in ("source", "citation"):
                for doi in _DOI.findall(str(row.get(col, ""))):
                    if doi not in dois:
                        dois.append(doi)
    return dois


def evaluate_claim(row: pd.Series, ev: Evidence) -> dict[str, Any]:
    """Evaluate one claim (a row of the claims table) with the rule of its ``claim_type``.

    Returns
    -------
    dict
        One output row (:data:`OUTPUT_COLUMNS`).

    Raises
    ------
    ClaimInputError
        If the type has no rule, a reference does not resolve, or the rule lacks evidence;
        the message names the claim.
    """
    claim = _claim(row)
    rule = RULES.get(row["claim_type"])
    if rule is None:
        raise ClaimInputError(f"claim {row['claim_id']}: no rule for claim_type "
                              f"'{row['claim_type']}' (known: {', '.join(sorted(RULES))})")
    try:
        for ref in claim.refs:
            ev.rows(ref)
        result = rule(claim, ev)
    except ClaimInputError as exc:
        raise ClaimInputError(f"claim {row['claim_id']}: {exc}") from None
    if result.verdict not in VERDICTS:
        raise ClaimInputError(f"claim {row['claim_id']}: rule returned verdict {result.verdict!r}")
    return {
        "claim_id": row["claim_id"], "article_id": row["article_id"],
        "article_title": row["article_title"], "section": row["section"],
        "claim_verbatim": row["claim_verbatim"], "claim_type": row["claim_type"],
        "claimed_text": row["claimed_text"], "verdict": result.verdict,
        "evidence_value": result.evidence_value, "evidence_text": result.evidence_text,
        "explanation": result.explanation,
        "suggested_revision": result.revision if result.verdict not in (SUPPORTED, CAVEATS) else "",
        "rests_on": "; ".join(str(r) for r in result.rests_on),
        "derived_inputs": "; ".join(result.derived_inputs),
        "sources": "; ".join(f"doi:{d}" for d in _sources(ev, result.rests_on)),
    }


def evaluate_claims(claims: pd.DataFrame, ev: Evidence) -> pd.DataFrame:
    """Evaluate every claim; one output row per claim, in the claims table's order.

    Parameters
    ----------
    claims : DataFrame
        The claims table (cells as written).
    ev : Evidence
        The evidence (see :func:`load_evidence`).

    Returns
    -------
    DataFrame
        Columns :data:`OUTPUT_COLUMNS`.

    Raises
    ------
    ClaimInputError
        With one line per claim that cannot be evaluated.
    """
    out, problems = [], []
    for _, row in claims.iterrows():
        try:
            out.append(evaluate_claim(row, ev))
        except ClaimInputError as exc:
            problems.append(str(exc))
    if problems:
        raise ClaimInputError("\n".join(problems))
    return pd.DataFrame(out, columns=list(OUTPUT_COLUMNS))


def verdict_counts(results: pd.DataFrame) -> dict[str, Any]:
    """Counts per verdict (every verdict listed, zeros included), overall and per article."""
    def count(frame: pd.DataFrame) -> dict[str, int]:
        return {v: int((frame["verdict"] == v).sum()) for v in VERDICTS}
    return {
        "claims": int(len(results)),
        "verdicts": count(results),
        "by_article": {a: count(f) for a, f in results.groupby("article_id", sort=False)},
    }


def normalise_whitespace(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return re.sub(r"\s+", " ", text).strip()


def verbatim_problems(claims: pd.DataFrame, sources_dir: str | Path) -> list[str]:
    """Claims whose text is not found word for word in their article file.

    Parameters
    ----------
    claims : DataFrame
        The claims table (``claim_id``, ``claim_verbatim``, ``claimed_text``, ``source``).
    sources_dir : path-like
        Folder holding the article files named in ``source``.

    Returns
    -------
    list of str
        One message per problem (empty when every claim is verbatim), naming the claim and file.
    """
    problems, texts = [], {}
    for _, row in claims.iterrows():
        path = Path(sources_dir) / row["source"]
        if path not in texts:
            texts[path] = normalise_whitespace(path.read_text(encoding="utf-8")) if path.exists() else None
        text = texts[path]
        if text is None:
            problems.append(f"claim {row['claim_id']}: article file {path} does not exist")
            continue
        claim = normalise_whitespace(row["claim_verbatim"])
        if claim not in text:
            problems.append(f"claim {row['claim_id']}: claim_verbatim is not in {path}")
        if normalise_whitespace(row["claimed_text"]) not in claim:
            problems.append(f"claim {row['claim_id']}: claimed_text is not part of claim_verbatim")
    return problems
