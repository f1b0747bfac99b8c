"""Every verdict each general rule of dprep.claims.rules can give, on claims written for the test.

The evidence is the shipped data (tests/claims/conftest.py); each test states an assertion as data
(a row of the claims table) and, where a verdict needs other evidence, edits a copy of the evidence.
"""

from dataclasses import replace

import pandas as pd
import pytest

from dprep.claims.claim import VERDICTS, parse_claim
from dprep.claims.engine import evaluate_claim
from dprep.claims.evidence import ClaimInputError, parse_ref
from dprep.claims.rules import RULES

SUPPORTED, CAVEATS, CONTRADICTED, NOT_REPRODUCIBLE, UNVERIFIABLE = VERDICTS
MM_ETA2 = "reported_tests:mm_three_groups#effect_value"  # η² = 0.26 [0.03, 0.44], secondary-verbatim
MCG_K = "meta_summaries:MCG2011#k"  # k = 14, primary-abstract
MM_GROUPS = "group_summaries:MM2019/best; group_summaries:MM2019/good"


def claim(**fields) -> pd.Series:
    row = {"claim_id": "test-01", "article_id": "wiki", "article_title": "t", "section": "s",
           "claim_verbatim": "v", "claimed_text": "v", "quantity": "", "comparison": "", "claimed_value": "",
           "tolerance": "", "scale": "", "match": "", "evidence_kind": "", "evidence_rows": "", "context_rows": "",
           "caveat": "", "revision": "", "note": ""}
    return pd.Series({**row, **fields})


@pytest.fixture(scope="module")
def ev(shipped_evidence):
    return shipped_evidence[1]


def edited(ev, table: str, key: dict, **changes):
    """A copy of the evidence with cells of one row of ``table`` changed."""
    frame = ev.tables[table].copy()
    mask = pd.Series(True, index=frame.index)
    for col, value in key.items():
        mask &= frame[col] == value
    assert mask.sum() == 1
    for col, value in changes.items():
        frame.loc[mask, col] = value
    return replace(ev, tables={**ev.tables, table: frame})


def audit_says(ev, test_id: str, verdict: str):
    audit = ev.audit.copy()
    audit.loc[audit["test_id"] == test_id, "verdict"] = verdict
    return replace(ev, audit=audit)


def verdict(row: pd.Series, ev) -> str:
    return evaluate_claim(row, ev)["verdict"]


def test_there_are_four_general_rules():
    assert set(RULES) == {"reported_value", "significance", "ratio", "outside_evidence"}


# --------------------------------------------------------------------------- reported_value
def test_reported_value_supported_at_a_primary_tier(ev):
    out = evaluate_claim(claim(rule="reported_value", quantity=MCG_K, comparison="equal", claimed_value="14"), ev)
    assert out["verdict"] == SUPPORTED and out["suggested_revision"] == ""


def test_reported_value_caveats_from_tier_caveat_and_interval(ev):
    base = dict(rule="reported_value", quantity=MM_ETA2)
    assert verdict(claim(**base, comparison="approximately", claimed_value="0.25", tolerance="0.2"), ev) == CAVEATS
    primary = edited(ev, "reported_tests", {"test_id": "mm_three_groups"}, tier="primary-table")
    assert verdict(claim(**base, comparison="equal", claimed_value="0.26"), primary) == SUPPORTED
    assert verdict(claim(**base, comparison="equal", claimed_value="0.26", caveat="a reading caveat"), primary) == CAVEATS
    # 0.26 < 0.3 holds, but the reported interval [0.03, 0.44] does not exclude 0.3 and more
    out = evaluate_claim(claim(**base, comparison="less_than", claimed_value="0.3"), primary)
    assert out["verdict"] == CAVEATS and "does not exclude" in out["explanation"]
    assert verdict(claim(**base, comparison="less_than", claimed_value="0.5"), primary) == SUPPORTED


def test_reported_value_percent_scale_converts_proportions_only(ev):
    both = "reported_tests:mm_three_groups#effect_value; meta_summaries:MHO2018C/music#pct_variance"
    row = claim(rule="reported_value", quantity=both, comparison="equal", claimed_value="26; 23", scale="percent")
    assert verdict(row, ev) == CAVEATS  # 0.26 → 26%, 23 (percent) as written


def test_reported_value_contradicted_and_match_any(ev):
    row = claim(rule="reported_value", quantity=MM_ETA2, comparison="equal", claimed_value="0.30")
    out = evaluate_claim(row, ev)
    assert out["verdict"] == CONTRADICTED and out["suggested_revision"]  # the generic revision names the value
    assert "0.26" in out["suggested_revision"]
    alternatives = f"{MM_ETA2}; meta_summaries:MHO2018C/overall#pct_variance"
    assert verdict(claim(rule="reported_value", quantity=alternatives, comparison="approximately",
                         claimed_value="14", tolerance="0.1", scale="percent", match="any"), ev) == CAVEATS
    assert verdict(claim(rule="reported_value", quantity=alternatives, comparison="approximately",
                         claimed_value="50", tolerance="0.1", scale="percent", match="any"), ev) == CONTRADICTED


def test_reported_value_not_reproducible_when_the_audit_fails(ev):
    row = claim(rule="reported_value", quantity="reported_tests:ekt_eta2_as_restated#effect_value",
                comparison="equal", claimed_value="0.48")
    assert verdict(row, ev) == NOT_REPRODUCIBLE
    assert verdict(row, audit_says(ev, "ekt_eta2_as_restated", "consistent")) == CAVEATS


def test_reported_value_unverifiable_for_an_empty_cell_or_a_lower_bound(ev):
    empty = claim(rule="reported_value", comparison="equal", claimed_value="9.38",
                  quantity="ratings:MM2019/teacher-designed practice vs practice alone/relevance#value")
    assert verdict(empty, ev) == UNVERIFIABLE
    count = dict(rule="reported_value", quantity=MCG_K, comparison="more_than", claimed_value="15")
    assert verdict(claim(**count), ev) == CONTRADICTED
    assert verdict(claim(**count, evidence_kind="lower_bound"), ev) == UNVERIFIABLE
    assert verdict(claim(**{**count, "claimed_value": "10"}, evidence_kind="lower_bound"), ev) == SUPPORTED


# --------------------------------------------------------------------------- significance
def test_significance_verdicts(ev):
    base = dict(rule="significance", quantity="reported_tests:mm_best_vs_good", evidence_rows=MM_GROUPS)
    assert verdict(claim(**base, comparison="no_difference"), ev) == CAVEATS  # p = .362, secondary tier
    primary = edited(ev, "reported_tests", {"test_id": "mm_best_vs_good"}, tier="primary-table")
    assert verdict(claim(**base, comparison="no_difference", claimed_value="0.364"), primary) == SUPPORTED
    assert verdict(claim(**base, comparison="no_difference", claimed_value="0.35"), primary) == CONTRADICTED
    assert verdict(claim(**base, comparison="difference"), ev) == CONTRADICTED
    assert verdict(claim(**base, comparison="no_difference"), audit_says(ev, "mm_best_vs_good",
                                                                        "decision_error")) == NOT_REPRODUCIBLE


def test_significance_direction_comes_from_the_contrast_and_the_means(ev):
    """A significant difference with the good group ahead is not the difference the contrast hypothesises."""
    audit = ev.audit.copy()
    audit.loc[audit["test_id"] == "mm_best_vs_good", "recomputed_p"] = 0.001
    significant = replace(ev, audit=audit)
    base = dict(rule="significance", quantity="reported_tests:mm_best_vs_good", evidence_rows=MM_GROUPS)
    assert verdict(claim(**base, comparison="no_difference_in_direction"), significant) == CAVEATS
    assert verdict(claim(**base, comparison="no_difference"), significant) == CONTRADICTED
    swapped = edited(edited(significant, "group_summaries", {"study_id": "MM2019", "group": "best"}, mean="9844"),
                     "group_summaries", {"study_id": "MM2019", "group": "good"}, mean="8224")
    assert verdict(claim(**base, comparison="no_difference_in_direction"), swapped) == CONTRADICTED
    assert verdict(claim(**base, comparison="difference"), swapped) == CAVEATS


def test_significance_needs_the_group_means(ev):
    row = claim(rule="significance", quantity="reported_tests:mm_best_vs_good", comparison="no_difference")
    with pytest.raises(ClaimInputError, match="reported means"):
        evaluate_claim(row, ev)


# --------------------------------------------------------------------------- ratio
def test_ratio_verdicts(ev):
    teacher = "reported_tests:mm_teacher_designed#effect_value"
    base = dict(rule="ratio", quantity=f"{teacher} / {MM_ETA2}")
    assert verdict(claim(**base, comparison="at_most", claimed_value="1"), ev) == CAVEATS  # 0.23 / 0.26
    assert verdict(claim(**base, comparison="more_than", claimed_value="1"), ev) == CONTRADICTED
    primary = edited(edited(ev, "reported_tests", {"test_id": "mm_three_groups"}, tier="primary-table"),
                     "reported_tests", {"test_id": "mm_teacher_designed"}, tier="primary-table")
    assert verdict(claim(**base, comparison="at_most", claimed_value="1"), primary) == SUPPORTED
    restated = dict(rule="ratio", quantity=f"{MM_ETA2} / reported_tests:ekt_eta2_as_restated#effect_value",
                    comparison="approximately", claimed_value="0.5", tolerance="0.2")
    out = evaluate_claim(claim(**restated), ev)
    assert out["verdict"] == NOT_REPRODUCIBLE and "between 0.69 and 0.95" in out["explanation"]
    empty = edited(ev, "reported_tests", {"test_id": "mm_teacher_designed"}, effect_value="")
    assert verdict(claim(**base, comparison="at_most", claimed_value="1"), empty) == UNVERIFIABLE


def test_ratio_needs_two_cells(ev):
    with pytest.raises(ClaimInputError, match="ratio"):
        parse_claim(claim(rule="ratio", quantity=f"{MM_ETA2} / reported_tests:mm_teacher_designed"))


# --------------------------------------------------------------------------- outside_evidence
def test_outside_evidence_is_unverifiable_and_places_the_claimed_number(ev):
    means = "group_summaries:EKT1993_S1#mean; group_summaries:MM2019#mean"
    for value, where in (("10000", "above every one of the 5 values"), ("1000", "below every one of the 5 values"),
                         ("6000", "within the range of the 5 values")):
        out = evaluate_claim(claim(rule="outside_evidence", quantity=means, claimed_value=value,
                                   context_rows="meta_summaries:MHO2018C/overall"), ev)
        assert out["verdict"] == UNVERIFIABLE and where in out["explanation"], value
        assert "k = 157" in out["explanation"]
    bare = evaluate_claim(claim(rule="outside_evidence"), ev)
    assert bare["verdict"] == UNVERIFIABLE and bare["suggested_revision"]


# --------------------------------------------------------------------------- engine
def test_revision_templates_are_filled_from_the_evidence(ev):
    row = claim(rule="reported_value", quantity=MM_ETA2, comparison="equal", claimed_value="0.30",
                revision="Write {statistic:reported_tests:mm_best_vs_good} and "
                         "{partial_eta2:reported_tests:ekt_top_vs_teachers}; {reported_tests:mm_three_groups#es_ci_high}.")
    assert evaluate_claim(row, ev)["suggested_revision"] == "Write t(24) = -0.93, p = 0.364 and 0.31; 0.44."
    bad = claim(**{**row.to_dict(), "revision": "{partial_eta2:reported_tests:mm_best_vs_good}"})
    with pytest.raises(ClaimInputError, match="test-01.*F\\(1, df\\)"):
        evaluate_claim(bad, ev)


def test_unknown_rule_comparison_and_reference_name_the_claim(ev):
    with pytest.raises(ClaimInputError, match="test-01.*no rule"):
        evaluate_claim(claim(rule="nope"), ev)
    with pytest.raises(ClaimInputError, match="test-01.*unknown comparison"):
        evaluate_claim(claim(rule="reported_value", quantity=MM_ETA2, comparison="roughly"), ev)
    with pytest.raises(ClaimInputError, match="test-01.*no column"):
        evaluate_claim(claim(rule="reported_value", quantity="reported_tests:mm_three_groups#nope",
                             comparison="equal", claimed_value="1"), ev)


def test_refs_parse_cells_and_keys():
    ref = parse_ref("meta_summaries:EH2019/teacher-designed (deliberate) vs self-guided (purposeful)#p")
    assert ref.table == "meta_summaries" and ref.column == "p" and len(ref.key) == 2
    assert str(ref) == "meta_summaries:EH2019/teacher-designed (deliberate) vs self-guided (purposeful)#p"
