"""dprep.studies.primary: what the group comparisons label reported and derived."""

from pathlib import Path

import pytest

from dprep.data.studies import load_studies
from dprep.data.tables import read_group_summaries, read_reported_tests
from dprep.studies.primary import recompute_studies

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def comparisons():
    raw = ROOT / "data" / "raw"
    return recompute_studies(read_reported_tests(raw / "reported_tests.csv"),
                             read_group_summaries(raw / "group_summaries.csv"),
                             load_studies(ROOT / "data" / "studies.yaml")).comparisons


def test_a_reported_eta2_with_its_reported_ci_is_drawn_as_reported(comparisons):
    """The replication's η² = .26 [.03, .44] is printed in the paper: estimate and CI are reported."""
    row = comparisons[(comparisons["study_id"] == "MM2019")
                      & comparisons["comparison"].str.contains("accumulated practice alone")].iloc[0]
    assert row["basis"] == "reported"
    assert (row["estimate"], row["ci_lb"], row["ci_ub"]) == (0.26, 0.03, 0.44)
    assert "CI recomputed" in row["note"] and "[0.033, 0.441]" in row["note"]


def test_an_omnibus_anova_never_reported_is_derived(comparisons):
    row = comparisons[comparisons["comparison"].str.contains("not reported in the original")].iloc[0]
    assert row["basis"] == "derived"


PAYLOADS = ['a, b "quoted"', "<script>alert(1)</script>", "=1+1", "line one\nline two", "(x) [y] {z} \\ %s {0}",
            "accumulated practice alone by age 18 (extra words)", "best vs good"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_free_text_descriptions_change_no_result(tmp_path, payload):
    # issue 11: `description` doubled as the key to the group means (normalised and matched against
    # group_summaries.measure), so any edit of the free text silently dropped the derived MSE, the shared-MSE
    # cross-check and the missing-mean derivation (ekt_eta2_as_restated went from inconsistent to
    # not_checkable). The key is now the `measure` column; a description is only ever printed.
    import csv

    raw = ROOT / "data" / "raw"
    with (raw / "reported_tests.csv").open(newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    for row in rows:
        row[header.index("description")] = payload
    edited = tmp_path / "reported_tests.csv"
    with edited.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    groups, studies = read_group_summaries(raw / "group_summaries.csv"), load_studies(ROOT / "data" / "studies.yaml")
    before = recompute_studies(read_reported_tests(raw / "reported_tests.csv"), groups, studies)
    after = recompute_studies(read_reported_tests(edited), groups, studies)
    assert after.audit.equals(before.audit)
    assert after.derived.equals(before.derived)
    assert after.comparisons.drop(columns="comparison").equals(before.comparisons.drop(columns="comparison"))
