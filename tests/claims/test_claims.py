"""Claims audit: the claims are verbatim, rest on real rows, and their verdicts follow the evidence."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from dprep.stats import meta
from dprep.data.studies import load_studies
from dprep.data.tables import read_group_summaries, read_reported_tests
from dprep.stats.audit import audit
from dprep.claims.engine import (
    RULES,
    VERDICTS,
    ClaimInputError,
    Evidence,
    evaluate_claims,
    load_evidence,
    parse_refs,
    verbatim_problems,
    verdict_counts,
)
from dprep.data.schema import load_package

ROOT = Path(__file__).resolve().parents[2]
STUDIES = load_studies(ROOT / "data" / "studies.yaml")
RAW = ROOT / "data" / "raw"
# The articles under audit, kept in the repository with their provenance (data/sources/README.md).
SOURCES = ROOT / "data" / "sources"
PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text())
SUPPORTED = ("supported", "supported with caveats")


def raw_claims() -> pd.DataFrame:
    return pd.read_csv(RAW / "claims.csv", dtype=str, keep_default_na=False)


def edit_table(folder: Path, name: str, where: dict, **changes) -> None:
    """Set ``changes`` in the rows of ``folder/name.csv`` matching ``where`` (exactly one row)."""
    path = folder / f"{name}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    mask = pd.Series(True, index=frame.index)
    for col, value in where.items():
        mask &= frame[col] == value
    assert mask.sum() == 1, (name, where)
    for col, value in changes.items():
        frame.loc[mask, col] = value
    frame.to_csv(path, index=False)


def flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists become JSON text, as the `primary` stage writes them."""
    return frame.apply(lambda col: col.map(
        lambda v: json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, (list, tuple, dict)) else v))


def build_inputs(base: Path, edits=()) -> Path:
    """The claims stage's inputs, made from data/raw (after ``edits``) as the pipeline makes them."""
    validated, primary, meta_dir = base / "validated", base / "primary", base / "meta"
    for folder in (validated, primary, meta_dir):
        folder.mkdir(parents=True)
    for path in RAW.iterdir():
        shutil.copy2(path, validated / path.name)
    for name, where, changes in edits:
        edit_table(validated, name, where, **changes)
    result = audit(read_reported_tests(validated / "reported_tests.csv"),
                   read_group_summaries(validated / "group_summaries.csv"),
                   alpha=PARAMS["audit"]["alpha"], rounding=PARAMS["audit"]["rounding"])
    flat(result.tests).to_csv(primary / "audit.csv", index=False)
    flat(result.derived).to_csv(primary / "derived.csv", index=False)
    studies = pd.read_csv(validated / "music_correlations_macnamara2014.csv")
    yi, vi = meta.escalc_zcor(studies["r"], studies["n"])
    fit = meta.rma(yi, vi, method=PARAMS["meta"]["method"], test=PARAMS["meta"]["test"])
    summary = {"k": fit.k, **meta.correlation_summary(fit).to_dict()}
    (meta_dir / "summary.json").write_text(json.dumps(summary))
    return base


def evaluate(base: Path) -> pd.DataFrame:
    claims, ev = load_evidence(base / "validated", base / "primary" / "audit.csv",
                               base / "meta" / "summary.json", base / "primary" / "derived.csv", studies=STUDIES)
    return evaluate_claims(claims, ev).set_index("claim_id")


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> pd.DataFrame:
    """Verdicts on the shipped data."""
    return evaluate(build_inputs(tmp_path_factory.mktemp("shipped")))


def verdicts_after(tmp_path, *edits) -> pd.Series:
    return evaluate(build_inputs(tmp_path, edits))["verdict"]


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
    assert set(fields["claim_type"]["constraints"]["enum"]) == set(RULES)
    assert set(frame["claim_type"]) <= set(RULES)
    assert frame["claim_id"].is_unique


def test_evidence_rows_exist_in_data_raw():
    tables = load_package(RAW)
    descriptor = json.loads((RAW / "datapackage.json").read_text(encoding="utf-8"))
    keys = {r["name"]: r["schema"]["primaryKey"] for r in descriptor["resources"]}
    for _, claim in raw_claims().iterrows():
        for ref in parse_refs(claim["evidence_rows"]):
            assert ref.table in tables and ref.table != "claims", (claim["claim_id"], str(ref))
            frame = tables[ref.table].astype(str)
            mask = pd.Series(True, index=frame.index)
            for name, value in zip(keys[ref.table], ref.key):
                mask &= frame[name] == value
            assert mask.any(), (claim["claim_id"], str(ref))


# --------------------------------------------------------------------------- verdicts
def test_every_verdict_is_known_and_cites_existing_rows(shipped):
    claims = raw_claims().set_index("claim_id")
    assert set(shipped["verdict"]) <= set(VERDICTS)
    for claim_id, row in shipped.iterrows():
        declared = {str(r) for r in parse_refs(claims.loc[claim_id, "evidence_rows"])}
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
    # the number the evidence gives is the partial η² of the restated F, not 0.48
    assert 0.27 < row["evidence_value"] < 0.38
    assert "primary/audit.csv:ekt_eta2_as_restated" in row["derived_inputs"]


def test_restated_eta2_follows_a_consistent_audit(tmp_path):
    base = build_inputs(tmp_path)
    claims, ev = load_evidence(base / "validated", base / "primary" / "audit.csv",
                               base / "meta" / "summary.json", studies=STUDIES)
    audit_table = ev.audit.copy()
    audit_table.loc[audit_table["test_id"] == "ekt_eta2_as_restated", "verdict"] = "consistent"
    fixed = Evidence(ev.tables, ev.keys, audit_table, ev.meta, None, ev.alpha, ev.group_rank)
    out = evaluate_claims(claims, fixed).set_index("claim_id")["verdict"]
    assert out["wiki-01"] == "supported with caveats"
    assert out["wiki-05"] == "supported with caveats"  # 0.26 / 0.48 is "roughly half"


def test_significant_replication_flips_the_no_difference_claim(shipped, tmp_path):
    """A self-consistent replication row with t(24) = -2.93 (p = .007, d = -1.20)."""
    assert shipped.loc["wiki-04", "verdict"] == "supported with caveats"
    after = verdicts_after(tmp_path, ("reported_tests", {"test_id": "mm_best_vs_good"},
                                      {"value": "-2.93", "p_reported": "0.007", "effect_value": "-1.20"}))
    assert after["wiki-04"] == "contradicted"
    # significant in the opposite direction: still not a reproduction of the original
    assert after["wiki-02"] == shipped.loc["wiki-02", "verdict"]


def test_misreported_p_makes_the_claim_not_reproducible(tmp_path):
    """t(24) = -0.93 printed with p = .036: the audit flags it and the claim loses its support."""
    after = verdicts_after(tmp_path, ("reported_tests", {"test_id": "mm_best_vs_good"},
                                      {"p_reported": "0.036"}))
    assert after["wiki-04"] == "not reproducible from the published numbers"


def test_replicated_difference_flips_the_best_vs_good_claims(shipped, tmp_path):
    """If the best group had practised significantly more in the replication."""
    after = verdicts_after(
        tmp_path,
        ("reported_tests", {"test_id": "mm_best_vs_good"},
         {"value": "2.93", "p_reported": "0.007", "effect_value": "1.20"}),
        ("group_summaries", {"study_id": "MM2019", "group": "best"}, {"mean": "9844"}),
        ("group_summaries", {"study_id": "MM2019", "group": "good"}, {"mean": "8224"}),
    )
    assert shipped.loc["go1-01", "verdict"] == "contradicted"
    assert after["go1-01"] == "supported with caveats"
    assert shipped.loc["wiki-02", "verdict"] in SUPPORTED and after["wiki-02"] == "contradicted"
    assert shipped.loc["etude-04", "verdict"] == "contradicted"
    assert after["etude-04"] == "unverifiable with the available evidence"
    assert after["etude-02"] == "unverifiable with the available evidence"


def test_meta_analytic_share_follows_the_table(shipped, tmp_path):
    assert shipped.loc["wiki-07", "verdict"] == "supported with caveats"
    after = verdicts_after(tmp_path, ("meta_summaries", {"source_id": "MHO2018C", "subset": "music"},
                                      {"r_mean": "0.35", "pct_variance_reported": "12",
                                       "pct_variance": "12"}))
    assert after["wiki-07"] == "contradicted"
    assert after["wiki-11"] == "supported with caveats"  # the replication's 26% still agrees


def test_dprep_reanalysis_numbers_come_from_the_summary(shipped, tmp_path):
    base = build_inputs(tmp_path)
    summary_path = base / "meta" / "summary.json"
    summary = json.loads(summary_path.read_text())
    share = f"{summary['pct_variance']:.1f}%"
    assert share in shipped.loc["wiki-07", "explanation"]
    summary.update(estimate_r=0.5, pct_variance=25.0)
    summary_path.write_text(json.dumps(summary))
    assert "25.0%" in evaluate(base).loc["wiki-07", "explanation"]


def test_ratings_become_checkable_when_found(shipped, tmp_path):
    """If the replication's two relevance ratings were found (rows added, claim pointed at them)."""
    assert shipped.loc["wiki-08", "verdict"] == "unverifiable with the available evidence"
    for case, values, expected in (("a", ("9.38", "9.87"), "supported"),
                                   ("b", ("9.38", "8.50"), "contradicted")):
        base = build_inputs(tmp_path / case)
        path = base / "validated" / "ratings.csv"
        ratings = pd.read_csv(path, dtype=str, keep_default_na=False)
        found = pd.DataFrame({"study_id": "MM2019", "rating": "relevance", "value": values,
                              "activity": ["teacher-designed practice", "self-guided practice"],
                              "flag": "", "source": "doi:10.1098/rsos.190327", "locator": "Table 5",
                              "tier": "primary-table", "note": ""})
        pd.concat([ratings, found[ratings.columns]]).to_csv(path, index=False)
        edit_table(base / "validated", "claims", {"claim_id": "wiki-08"}, evidence_rows=(
            "ratings:MM2019/teacher-designed practice/relevance; "
            "ratings:MM2019/self-guided practice/relevance"))
        assert evaluate(base).loc["wiki-08", "verdict"] == expected, case


def test_study_count_and_professions_follow_the_table(shipped, tmp_path):
    assert shipped.loc["wiki-09", "verdict"] == "unverifiable with the available evidence"
    assert shipped.loc["go1-03", "verdict"] == "unverifiable with the available evidence"
    after = verdicts_after(
        tmp_path,
        ("meta_summaries", {"source_id": "MCG2011"}, {"k": "16"}),
        ("meta_summaries", {"source_id": "MHO2018C", "subset": "professions"}, {"p": "<.001"}),
    )
    assert after["wiki-09"] == "supported"
    assert after["go1-03"] == "supported with caveats"


# --------------------------------------------------------------------------- errors and stage
def test_missing_evidence_row_names_the_claim(tmp_path):
    base = build_inputs(tmp_path)
    edit_table(base / "validated", "claims", {"claim_id": "wiki-04"},
               evidence_rows="reported_tests:no_such_test")
    with pytest.raises(ClaimInputError, match=r"wiki-04.*reported_tests:no_such_test"):
        evaluate(base)


def test_missing_audit_names_the_stage(tmp_path):
    base = build_inputs(tmp_path)
    (base / "primary" / "audit.csv").unlink()
    with pytest.raises(FileNotFoundError, match="primary"):
        evaluate(base)


def test_stage_writes_the_table_and_counts(tmp_path):
    base = build_inputs(tmp_path / "inputs")
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
    metrics = json.loads((processed / "claims" / "metrics.json").read_text())
    assert len(table) == len(raw_claims()) == metrics["claims"]
    assert metrics == verdict_counts(table)
    assert sum(metrics["verdicts"].values()) == len(table)
