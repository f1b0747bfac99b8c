"""The rules of the claims audit: four general rules, each a function of a claim and the evidence.

What a claim asserts is data (``claims.csv``, see :mod:`dprep.claims.claim`); a rule only knows
how to compare such an assertion with the evidence. No rule names a claim, a study or a number.

``reported_value``
    A claimed number against reported cells (a share of variance, a p-value, a count, ratings).
``significance``
    "There is (no) difference": the p the audit recomputed from a reported test, against α, and the
    direction of the contrast the study file says the test tests, from the group means.
``ratio``
    A claimed ratio of two reported quantities ("roughly half", "did not outperform").
``outside_evidence``
    Claims no evidence table can decide (definitions, advice, causal or sufficiency claims); the
    closest evidence is described, and where the claimed number lies relative to it.

Verdicts (:data:`dprep.claims.claim.VERDICTS`): a rule says *contradicted* only when the evidence
gives a value or finding that the claim excludes; *not reproducible* when the claim agrees with a
printed number that the consistency audit cannot recompute; *unverifiable* when the evidence cannot
decide; *supported* when it agrees, *with caveats* when the value is read below a primary tier, the
claim carries a reading caveat, or a reported interval does not exclude the other side.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from dprep.claims.claim import (CAVEATS, CONTRADICTED, NOT_REPRODUCIBLE, SUPPORTED, UNVERIFIABLE, Assessment,
                                Claim)
from dprep.claims.describe import describe, describe_all, group_label, number, row_label, tier_caveat
from dprep.claims.evidence import FAILED_AUDIT, ClaimInputError, Evidence, Ref
from dprep.core import fmt
from dprep.data.studies import OMNIBUS
from dprep.stats.audit import parse_p

__all__ = ["RULES", "Rule"]

Rule = Callable[[Claim, Evidence], Assessment]
RULES: dict[str, Rule] = {}


def _rule(fn: Rule) -> Rule:
    RULES[fn.__name__] = fn
    return fn


# ------------------------------------------------------------------------------ shared pieces
def _cell(ev: Evidence, ref: Ref, scale: str) -> tuple[float | None, str, pd.Series]:
    """A referenced cell as a number (× 100 for ``scale = percent`` when its unit is a proportion), as text."""
    row = ev.row(ref.rows_ref)
    value = number(row[ref.column])
    if value is not None and scale == "percent" and "proportion" in ev.unit(ref.table, ref.column):
        return 100 * value, fmt.pct(value), row
    unit = "%" if scale == "percent" else ""
    return value, ("no value" if value is None else f"{row[ref.column]}{unit}"), row


def _audit_inputs(refs) -> tuple[str, ...]:
    ids = [r.key[0] for r in refs if r.table == "reported_tests" and r.key]
    return tuple(f"primary/audit.csv:{t}" for t in dict.fromkeys(ids))


def _inputs(ev: Evidence, claim: Claim) -> tuple[str, ...]:
    meta = ("meta/summary.json:estimate_r,ci_r,pct_variance,k",) if any(
        r.table == "music_correlations_macnamara2014" for r in claim.refs) else ()
    return _audit_inputs(claim.refs) + meta


def _failed(ev: Evidence, rows: list[pd.Series]) -> list[tuple[pd.Series, pd.Series]]:
    """Reported tests among ``rows`` that the consistency audit cannot reproduce, with their audit rows."""
    out = []
    for row in rows:
        audit = ev.audit_row(row["test_id"]) if "test_id" in row else None
        if audit is not None and audit["verdict"] in FAILED_AUDIT:
            out.append((row, audit))
    return out


def _context(ev: Evidence, claim: Claim) -> str:
    return (f" Context (does not decide the verdict): {describe_all(ev, claim.context_rows)}."
            if claim.context_rows else "")


def _supported(claim: Claim, rows: list[pd.Series], extra: list[str] = ()) -> tuple[str, str]:
    """``supported``, or ``supported with caveats`` with the caveats as text (tier, reading caveat, extra)."""
    caveats = [c for c in (*extra, claim.field("caveat"), tier_caveat(rows)) if c]
    text = " ".join(c if c.endswith(".") else c[0].upper() + c[1:] + "." for c in caveats)
    return (CAVEATS if caveats else SUPPORTED), (" " + text if text else "")


def _not_reproduced(ev: Evidence, failed) -> str:
    parts = []
    for row, audit in failed:
        span = ev.candidates(row["test_id"])
        parts.append(f"'{row['test_id']}' (audit verdict '{audit['verdict']}'"
                     + (f"; the published numbers give {fmt.num(span[0], 3)} to {fmt.num(span[1], 3)}" if span else "")
                     + ")")
    return "The consistency audit cannot reproduce " + ", ".join(parts) + " from the statistics it is said to come from."


def _interval(claim: Claim, ref: Ref, row: pd.Series, scale: str, ev: Evidence) -> str:
    """For a reported effect size with a CI and an inequality claim: does the CI exclude the other side?"""
    if ref.table != "reported_tests" or ref.column != "effect_value" or not row.get("es_ci_low"):
        return ""
    if claim.comparison not in ("more_than", "less_than", "at_least", "at_most"):
        return ""
    lo, hi = (_cell(ev, Ref(ref.table, ref.key, c), scale)[0] for c in ("es_ci_low", "es_ci_high"))
    inside = claim.matches(lo) and claim.matches(hi)
    ci = f"[{row['es_ci_low']}, {row['es_ci_high']}]"
    return "" if inside else f"its reported interval {ci} does not exclude the other side of {claim.claimed[0]}"


# ------------------------------------------------------------------------------ rules
@_rule
def reported_value(claim: Claim, ev: Evidence) -> Assessment:
    """A claimed number against reported cells of the evidence tables.

    Each claimed number is compared with the cell in the same position (``match = all``), or the one
    claimed number with every cell (``match = any``). Unverifiable if a cell is empty, or if the
    claim asks for more than a lower-bound count shows; contradicted if the numbers disagree; not
    reproducible if they agree with a reported test the audit cannot recompute; else supported (with
    caveats: tier, reading caveat, a reported interval that does not exclude the other side).
    """
    if not claim.quantities or any(q.column is None for q in claim.quantities):
        raise ClaimInputError(f"claim {claim.id}: rule reported_value needs quantity cells 'table:key#column'")
    scale = claim.field("scale")
    cells = [_cell(ev, q, scale) for q in claim.quantities]
    rows = [row for _, _, row in cells]
    text = "; ".join(t for _, t, _ in cells)
    unit = "%" if scale == "percent" else ""
    said = (f"The claim is {'; '.join(claim.claimed_range(i, unit) for i in range(len(claim.claimed)))}. The evidence: "
            + "; ".join(f"{describe(ev, q)} [{q.column}: {t}]" for q, (_, t, _) in zip(claim.quantities, cells))
            + "." + _context(ev, claim))
    first = next((v for v, _, _ in cells if v is not None), None)
    common = dict(evidence_value=first, evidence_text=text, rests_on=claim.refs, derived_inputs=_inputs(ev, claim))
    if any(v is None for v, _, _ in cells) or (claim.field("match") != "any" and len(cells) < len(claim.claimed)):
        return Assessment(UNVERIFIABLE, f"{said} The evidence does not hold the value (the cell is empty), so "
                          "the claimed number cannot be checked.", **common)
    agree = ([claim.matches(v, 0) for v, _, _ in cells] if claim.field("match") == "any"
             else [claim.matches(v, i) for i, (v, _, _) in enumerate(cells[: len(claim.claimed)])])
    if not (any(agree) if claim.field("match") == "any" else all(agree)):
        if claim.field("evidence_kind") == "lower_bound" and claim.comparison in ("more_than", "at_least"):
            return Assessment(UNVERIFIABLE, f"{said} The evidence does not reach the claimed number, but it "
                              "counts what its source found, a lower bound: it cannot show that the claim is "
                              "wrong.", **common)
        return Assessment(CONTRADICTED, f"{said} The evidence does not agree with the claim.", **common)
    used = [row for row, ok in zip(rows, agree) if ok]
    failed = _failed(ev, used)
    if failed:
        return Assessment(NOT_REPRODUCIBLE, f"{said} The claimed number agrees with the printed one. "
                          f"{_not_reproduced(ev, failed)}", **common)
    intervals = [_interval(claim, q, row, scale, ev) for q, row, ok in zip(claim.quantities, rows, agree) if ok]
    verdict, caveats = _supported(claim, used, [i for i in intervals if i])
    agreeing = f"{sum(agree)} of {len(agree)} values agree" if claim.field("match") == "any" else "They agree"
    return Assessment(verdict, f"{said} {agreeing} with the claim.{caveats}", **common)


def _direction(ev: Evidence, claim: Claim, row: pd.Series) -> tuple[int, str]:
    """Sign of the tested contrast from the group means of ``evidence_rows``, and the means in words."""
    study = ev.study(row["study_id"])
    role = study.tests.get(row["test_id"]) if study is not None else None
    if role is None or role.tests == OMNIBUS:
        raise ClaimInputError(f"claim {claim.id}: the study file gives test '{row['test_id']}' no contrast")
    weights = study.contrast(role.tests)
    groups = [ev.rows(r) for r in claim.evidence_rows if r.table == "group_summaries"]
    frame = pd.concat(groups) if groups else pd.DataFrame(columns=["study_id", "group", "mean"])
    means = {g: number(m) for s, g, m in zip(frame["study_id"], frame["group"], frame["mean"]) if s == study.id}
    if any(means.get(g) is None for g in weights):
        raise ClaimInputError(f"claim {claim.id}: evidence_rows must give the reported means of "
                              f"{', '.join(weights)} of {study.id} for the direction of '{row['test_id']}'")
    psi = sum(w * means[g] for g, w in weights.items())
    high = " and ".join(group_label(ev, study.id, g) for g, w in weights.items() if w > 0)
    low = " and ".join(group_label(ev, study.id, g) for g, w in weights.items() if w < 0)
    shown = ", ".join(f"{group_label(ev, study.id, g)} {fmt.num(means[g], 0)} h" for g in weights)
    where = "above" if psi > 0 else "below" if psi < 0 else "equal to"
    return int(np.sign(psi)), f"{shown}: the mean of the {high} is {where} that of the {low}"


@_rule
def significance(claim: Claim, ev: Evidence) -> Assessment:
    """"There is (no) difference": the audit's recomputed p against α, and the contrast's direction.

    ``difference``: p < α with the hypothesised side (the contrast's positive weights) ahead;
    ``no_difference``: p ≥ α; ``no_difference_in_direction``: not a significant difference with the
    hypothesised side ahead. A claimed p must be the reported one. Contradicted if the assertion
    fails or the claimed p is not the reported p; not reproducible if the audit cannot recompute the
    reported test; else supported (with caveats: tier, reading caveat).
    """
    tests = [q for q in claim.quantities if q.table == "reported_tests"]
    if len(tests) != 1 or claim.comparison not in ("difference", "no_difference", "no_difference_in_direction"):
        raise ClaimInputError(f"claim {claim.id}: rule significance needs one reported test as quantity and "
                              "comparison difference, no_difference or no_difference_in_direction")
    row = ev.row(tests[0])
    audit = ev.audit_row(row["test_id"])
    if audit is None or pd.isna(audit.get("recomputed_p")):
        raise ClaimInputError(f"claim {claim.id}: the audit has no recomputed p for '{row['test_id']}'")
    p = float(audit["recomputed_p"])
    sign, means = _direction(ev, claim, row)
    significant = p < ev.alpha
    said = (f"The evidence: {describe(ev, tests[0])}; {means}. The recomputed p is "
            f"{'below' if significant else 'not below'} α = {ev.alpha:g}.{_context(ev, claim)}")
    holds = {"difference": significant and sign > 0, "no_difference": not significant,
             "no_difference_in_direction": not (significant and sign > 0)}[claim.comparison]
    wanted = {"difference": "a significant difference with the hypothesised side ahead",
              "no_difference": "no significant difference",
              "no_difference_in_direction": "no significant difference with the hypothesised side ahead"}[claim.comparison]
    common = dict(evidence_value=p, evidence_text=f"recomputed {fmt.pval(p, prefix=True)}", rests_on=claim.refs,
                  derived_inputs=_inputs(ev, claim))
    if not holds:
        return Assessment(CONTRADICTED, f"{said} The claim needs {wanted}; the evidence shows otherwise.", **common)
    if audit["verdict"] in FAILED_AUDIT:
        return Assessment(NOT_REPRODUCIBLE, f"{said} {_not_reproduced(ev, [(row, audit)])}", **common)
    if claim.claimed:
        reported = parse_p(row["p_reported"])
        if reported.comparison != "=" or not claim.matches(reported.value):
            return Assessment(CONTRADICTED, f"{said} The claimed {claim.claimed_range()} is not the reported p.",
                              **common)
    verdict, caveats = _supported(claim, [row])
    return Assessment(verdict, f"{said} So there is {wanted}, as the claim says.{caveats}", **common)


@_rule
def ratio(claim: Claim, ev: Evidence) -> Assessment:
    """A claimed ratio of two reported quantities (quantity ``A / B``).

    Unverifiable if a cell is empty; not reproducible if the audit cannot recompute either
    quantity (the ratio is then also given against the values the published numbers allow);
    contradicted if the ratio disagrees with the claim; else supported (with caveats).
    """
    if not claim.ratio:
        raise ClaimInputError(f"claim {claim.id}: rule ratio needs quantity 'table:key#column / table:key#column'")
    (a, a_text, a_row), (b, b_text, b_row) = (_cell(ev, q, "") for q in claim.quantities)
    common = dict(rests_on=claim.refs, derived_inputs=_inputs(ev, claim))
    said = (f"The claim is a ratio of {claim.claimed_range()}. The evidence: {describe(ev, claim.quantities[0])}; "
            f"{describe(ev, claim.quantities[1])}.{_context(ev, claim)}")
    if a is None or b in (None, 0.0):
        return Assessment(UNVERIFIABLE, f"{said} A value is missing, so the ratio cannot be formed.", None,
                          "no ratio", **common)
    value = a / b
    said += f" The ratio is {a_text} / {b_text} = {fmt.num(value)}."
    failed = _failed(ev, [a_row, b_row])
    if failed:
        spans = []
        for row, _ in failed:
            span = ev.candidates(row["test_id"])
            if span is not None:
                ends = [a / s if row is b_row else s / b for s in span]
                spans.append(f"between {fmt.num(min(ends))} and {fmt.num(max(ends))} with the values the published "
                             f"numbers give for '{row['test_id']}'")
        return Assessment(NOT_REPRODUCIBLE, f"{said} {_not_reproduced(ev, failed)}"
                          + (f" The ratio would be {'; '.join(spans)}." if spans else ""),
                          value, f"ratio {fmt.num(value)} (printed values)", **common)
    if not claim.matches(value):
        return Assessment(CONTRADICTED, f"{said} It does not agree with the claim.", value,
                          f"ratio {fmt.num(value)}", **common)
    verdict, caveats = _supported(claim, [a_row, b_row])
    return Assessment(verdict, f"{said} It agrees with the claim.{caveats}", value, f"ratio {fmt.num(value)}", **common)


def _position(claim: Claim, ev: Evidence) -> str:
    """Where the claimed number lies among the quantity cells (every row each reference matches)."""
    cells = [(number(r[q.column]), q, r) for q in claim.quantities if q.column
             for _, r in ev.rows(q.rows_ref).iterrows()]
    cells = [c for c in cells if c[0] is not None]
    if not cells or not claim.claimed:
        return ""
    claimed = claim.value()
    (lo, lq, lr), (hi, hq, hr) = min(cells, key=lambda c: c[0]), max(cells, key=lambda c: c[0])
    unit = ev.unit(hq.table, hq.column)
    unit = f" {unit}" if unit and unit.isalpha() else ""
    where = (f"above every one of the {len(cells)} values in the evidence (the largest: {fmt.num(hi, 0)}{unit}, "
             f"{row_label(ev, hq.table, hr)})" if claimed > hi else
             f"below every one of the {len(cells)} values in the evidence (the smallest: {fmt.num(lo, 0)}{unit}, "
             f"{row_label(ev, lq.table, lr)})" if claimed < lo else
             f"within the range of the {len(cells)} values in the evidence ({fmt.num(lo, 0)} to {fmt.num(hi, 0)}{unit})")
    return f" The claimed {claim.claimed[0]} lies {where}."


@_rule
def outside_evidence(claim: Claim, ev: Evidence) -> Assessment:
    """Claims no evidence table can decide: unverifiable, with the closest evidence described.

    The only verdict is unverifiable. The context rows show what the tables do measure; with a
    claimed number and quantity cells, the explanation says where the number lies among them.
    """
    closest = describe_all(ev, claim.context_rows)
    text = ("No evidence table decides this claim" + (f"; the closest evidence is: {closest}." if closest else
                                                      " (the tables hold reported test statistics, group means of "
                                                      "accumulated practice, ratings and meta-analytic results).")
            + _position(claim, ev))
    return Assessment(UNVERIFIABLE, text, None, "no deciding evidence", claim.refs, _inputs(ev, claim))
