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
