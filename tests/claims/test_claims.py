"""Claims audit: the claims are verbatim, rest on real rows, and their verdicts follow the evidence."""

import json
import os
from dataclasses import replace
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dprep.claims.claim import VERDICTS
from dprep.claims.engine import evaluate_claims, verbatim_problems, verdict_counts
from dprep.claims.evidence import ClaimInputError, parse_refs
from dprep.claims.rules import RULES
from dprep.data.schema import load_package

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
# The articles under audit, kept in the repository with their provenance (data/sources/README.md).
SOURCES = ROOT / "data" / "sources"
SUPPORTED = ("supported", "supported with caveats")


def raw_claims() -> pd.DataFrame:
    return pd.read_csv(RAW / "claims.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory, kit) -> pd.DataFrame:
    """Verdicts on the shipped data."""
    return kit.evaluate(kit.build_inputs(tmp_path_factory.mktemp("shipped")))


@pytest.fixture
def verdicts_after(tmp_path, kit):
    """Verdicts after edits of data/raw tables: ``verdicts_after((table, where, changes), ...)``."""
    return lambda *edits: kit.evaluate(kit.build_inputs(tmp_path, edits))["verdict"]


# --------------------------------------------------------------------------- the claims table
def test_every_claim_occurs_verbatim_in_its_article():
    assert verbatim_problems(raw_claims(), SOURCES) == []


def test_verbatim_check_catches_an_altered_claim():
    claims = raw_claims()
    claims.loc[0, "claim_verbatim"] = claims.loc[0, "claim_verbatim"].replace("large effect", "huge effect")
    (problem,) = verbatim_problems(claims, SOURCES)
    assert claims.loc[0, "claim_id"] in problem and claims.loc[0, "source"] in problem


def test_every_article_has_claims_and_there_are_at_least_12():
    claims = raw_claims()
    articles = sorted(p.name for p in SOURCES.glob("*.txt"))
    counts = claims.groupby("source").size()
    assert all(counts.get(a, 0) >= 1 for a in articles), counts
    assert claims["article_id"].nunique() == len(articles)
    assert len(claims) >= 12


def test_claims_table_matches_its_schema_and_rules():
    (frame,) = load_package(RAW, ["claims"]).values()
    descriptor = json.loads((RAW / "datapackage.json").read_text(encoding="utf-8"))
    (res,) = [r for r in descriptor["resources"] if r["name"] == "claims"]
    fields = {f["name"]: f for f in res["schema"]["fields"]}
    assert set(fields["rule"]["constraints"]["enum"]) == set(RULES)
    assert set(frame["rule"]) <= set(RULES)
    assert frame["claim_id"].is_unique


def test_evidence_rows_exist_in_data_raw():
    tables = load_package(RAW)
    descriptor = json.loads((RAW / "datapackage.json").read_text(encoding="utf-8"))
    keys = {r["name"]: r["schema"]["primaryKey"] for r in descriptor["resources"]}
    for _, claim in raw_claims().iterrows():
        quantity = claim["quantity"].replace(" / ", "; ")
        for ref in parse_refs("; ".join(filter(None, (quantity, claim["evidence_rows"], claim["context_rows"])))):
            assert ref.table in tables and ref.table != "claims", (claim["claim_id"], str(ref))
            frame = tables[ref.table].astype(str)
            mask = pd.Series(True, index=frame.index)
            for name, value in zip(keys[ref.table], ref.key):
                mask &= frame[name] == value
            assert mask.any(), (claim["claim_id"], str(ref))
            assert ref.column is None or ref.column in frame, (claim["claim_id"], str(ref))


# --------------------------------------------------------------------------- verdicts
def test_every_verdict_is_known_and_cites_existing_rows(shipped):
    claims = raw_claims().set_index("claim_id")
    assert set(shipped["verdict"]) <= set(VERDICTS)
    for claim_id, row in shipped.iterrows():
        c = claims.loc[claim_id]
        declared = {str(r) for r in parse_refs("; ".join(filter(None, (
            c["quantity"].replace(" / ", "; "), c["evidence_rows"], c["context_rows"]))))}
        used = {str(r) for r in parse_refs(row["rests_on"])}
        assert used <= declared, claim_id
        if row["verdict"] != "unverifiable with the available evidence":
            assert used and row["sources"].startswith("doi:10."), claim_id
        assert row["explanation"].strip() and "\n" not in row["explanation"]
        needs_revision = row["verdict"] not in SUPPORTED
        assert bool(row["suggested_revision"]) == needs_revision, claim_id


def test_restated_eta2_is_decided_by_the_audit(shipped):
    row = shipped.loc["wiki-01"]
    assert row["verdict"] == "not reproducible from the published numbers"
    assert row["evidence_value"] == pytest.approx(0.48)
    # the explanation gives the range of the η² the published numbers allow (the audit's candidates)
    assert "0.273 to 0.379" in row["explanation"] and "restated by Macnamara & Maitra (2019)" in row["explanation"]
    assert "primary/audit.csv:ekt_eta2_as_restated" in row["derived_inputs"]
    assert "partial η² of 0.31" in row["suggested_revision"]  # F/(F + df) of F(1, 27) = 11.86


def test_restated_eta2_follows_a_consistent_audit(tmp_path, kit):
    base = kit.build_inputs(tmp_path)
    claims, ev = kit.load(base)
    audit_table = ev.audit.copy()
    audit_table.loc[audit_table["test_id"] == "ekt_eta2_as_restated", "verdict"] = "consistent"
    out = evaluate_claims(claims, replace(ev, audit=audit_table)).set_index("claim_id")["verdict"]
    assert out["wiki-01"] == "supported with caveats"
    assert out["wiki-05"] == "supported with caveats"  # 0.26 / 0.48 is "roughly half"


def test_significant_replication_flips_the_no_difference_claim(shipped, verdicts_after):
    """A self-consistent replication row with t(24) = -2.93 (p = .007, d = -1.20)."""
    assert shipped.loc["wiki-04", "verdict"] == "supported with caveats"
    after = verdicts_after(("reported_tests", {"test_id": "mm_best_vs_good"},
                                      {"value": "-2.93", "p_reported": "0.007", "effect_value": "-1.20"}))
    assert after["wiki-04"] == "contradicted"
    # significant in the opposite direction: still not a reproduction of the original
    assert after["wiki-02"] == shipped.loc["wiki-02", "verdict"]


def test_misreported_p_makes_the_claim_not_reproducible(verdicts_after):
    """t(24) = -0.93 printed with p = .036: the audit flags it and the claim loses its support."""
    after = verdicts_after(("reported_tests", {"test_id": "mm_best_vs_good"},
                                      {"p_reported": "0.036"}))
    assert after["wiki-04"] == "not reproducible from the published numbers"


def test_replicated_difference_flips_the_best_vs_good_claims(shipped, verdicts_after):
    """If the best group had practised significantly more in the replication."""
    after = verdicts_after(
        ("reported_tests", {"test_id": "mm_best_vs_good"},
         {"value": "2.93", "p_reported": "0.007", "effect_value": "1.20"}),
        ("group_summaries", {"study_id": "MM2019", "group": "best"}, {"mean": "9844"}),
        ("group_summaries", {"study_id": "MM2019", "group": "good"}, {"mean": "8224"}),
    )
    assert shipped.loc["wiki-02", "verdict"] in SUPPORTED and after["wiki-02"] == "contradicted"
    # the example attributed to Ericsson's research is the 1993 comparison, which the edit leaves alone
    assert shipped.loc["go1-01", "verdict"] == after["go1-01"] == "supported with caveats"
    # claims about structure and sufficiency stay undecided by group means of amounts
    assert shipped.loc["etude-02", "verdict"] == after["etude-02"] == "unverifiable with the available evidence"
    assert shipped.loc["etude-04", "verdict"] == after["etude-04"] == "unverifiable with the available evidence"


def test_reexamined_verdicts_say_only_what_the_evidence_decides(shipped):
    """wiki-03, etude-02, etude-04 and go1-01 were once 'contradicted' on evidence that does not decide them."""
    assert shipped.loc["wiki-03", "verdict"] == "unverifiable with the available evidence"
    assert "not whether the choice of analysis was neutral" in shipped.loc["wiki-03", "suggested_revision"]
    assert shipped.loc["etude-02", "verdict"] == "unverifiable with the available evidence"
    assert shipped.loc["etude-04", "verdict"] == "unverifiable with the available evidence"
    assert "lies above every one of the 7 values" in shipped.loc["etude-04", "explanation"]
    go1 = shipped.loc["go1-01"]
    assert go1["verdict"] == "supported with caveats"
    assert "cannot show that practice rather than talent" in go1["explanation"]
    assert "Macnamara & Maitra (2019)" in go1["explanation"]  # the replication is given as context


def test_meta_analytic_share_follows_the_table(shipped, verdicts_after):
    assert shipped.loc["wiki-07", "verdict"] == "supported with caveats"
    after = verdicts_after(("meta_summaries", {"source_id": "MHO2018C", "subset": "music"},
                                      {"r_mean": "0.35", "pct_variance_reported": "12",
                                       "pct_variance": "12"}))
    assert after["wiki-07"] == "contradicted"
    assert after["wiki-11"] == "supported with caveats"  # the replication's 26% still agrees


def test_dprep_reanalysis_numbers_come_from_the_summary(shipped, tmp_path, kit):
    base = kit.build_inputs(tmp_path)
    summary_path = base / "meta" / "summary.json"
    summary = json.loads(summary_path.read_text())
    share = f"{summary['pct_variance']:.1f}%"
    assert share in shipped.loc["wiki-07", "explanation"]
    summary.update(estimate_r=0.5, pct_variance=25.0)
    summary_path.write_text(json.dumps(summary))
    assert "25.0%" in kit.evaluate(base).loc["wiki-07", "explanation"]


def test_ratings_become_checkable_when_found(shipped, tmp_path, kit):
    """If the replication's two relevance ratings were found (rows added, claim pointed at them)."""
    assert shipped.loc["wiki-08", "verdict"] == "unverifiable with the available evidence"
    for case, values, expected in (("a", ("9.38", "9.87"), "supported"),
                                   ("b", ("9.38", "8.50"), "contradicted")):
        base = kit.build_inputs(tmp_path / case)
        path = base / "validated" / "ratings.csv"
        ratings = pd.read_csv(path, dtype=str, keep_default_na=False)
        found = pd.DataFrame({"study_id": "MM2019", "rating": "relevance", "value": values,
                              "activity": ["teacher-designed practice", "self-guided practice"],
                              "flag": "", "source": "doi:10.1098/rsos.190327", "locator": "Table 5",
                              "tier": "primary-table", "note": ""})
        pd.concat([ratings, found[ratings.columns]]).to_csv(path, index=False)
        kit.edit_table(base / "validated", "claims", {"claim_id": "wiki-08"}, quantity=(
            "ratings:MM2019/teacher-designed practice/relevance#value; "
            "ratings:MM2019/self-guided practice/relevance#value"))
        assert kit.evaluate(base).loc["wiki-08", "verdict"] == expected, case


def test_study_count_follows_the_table_and_a_correlation_does_not_decide_training(shipped, verdicts_after):
    assert shipped.loc["wiki-09", "verdict"] == "unverifiable with the available evidence"
    assert shipped.loc["go1-03", "verdict"] == "unverifiable with the available evidence"
    after = verdicts_after(
        ("meta_summaries", {"source_id": "MCG2011"}, {"k": "16"}),
        ("meta_summaries", {"source_id": "MHO2018C", "subset": "professions"}, {"p": "<.001"}),
    )
    assert after["wiki-09"] == "supported"
    assert after["go1-03"] == "unverifiable with the available evidence"


# --------------------------------------------------------------------------- errors and stage
def test_missing_evidence_row_names_the_claim(tmp_path, kit):
    base = kit.build_inputs(tmp_path)
    kit.edit_table(base / "validated", "claims", {"claim_id": "wiki-04"},
               evidence_rows="reported_tests:no_such_test")
    with pytest.raises(ClaimInputError, match=r"wiki-04.*reported_tests:no_such_test"):
        kit.evaluate(base)


def test_missing_audit_names_the_stage(tmp_path, kit):
    base = kit.build_inputs(tmp_path)
    (base / "primary" / "audit.csv").unlink()
    with pytest.raises(FileNotFoundError, match="primary"):
        kit.evaluate(base)


def test_stage_writes_the_table_and_counts(tmp_path, kit):
    base = kit.build_inputs(tmp_path / "inputs")
    work = tmp_path / "repo"
    processed = work / "data" / "processed"
    processed.mkdir(parents=True)
    for name in ("validated", "primary", "meta"):
        shutil.copytree(base / name, processed / name)
    shutil.copy2(ROOT / "params.yaml", work / "params.yaml")
    (work / "data").mkdir(exist_ok=True)
    shutil.copy2(ROOT / "data" / "studies.yaml", work / "data" / "studies.yaml")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, str(ROOT / "analysis" / "claims.py")], cwd=work, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    table = pd.read_csv(processed / "claims" / "claims_audit.csv")
    metrics = json.loads((processed / "claims" / "counts.json").read_text())
    assert len(table) == len(raw_claims()) == metrics["claims"]
    assert metrics == verdict_counts(table)
    assert sum(metrics["verdicts"].values()) == len(table)
