"""dprep.studies.scenarios and the pairs of dprep.studies.replication: no root of an unreported mean is picked."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dprep.core.errors import DataError
from dprep.data.studies import load_studies
from dprep.data.tables import read_group_summaries, read_reported_tests
from dprep.studies.primary import recompute_studies
from dprep.studies.replication import pair_table, replication_pairs
from dprep.studies.scenarios import mean_scenarios

ROOT = Path(__file__).resolve().parents[2]
STUDIES = load_studies(ROOT / "data" / "studies.yaml")


@pytest.fixture(scope="module")
def inputs():
    raw = ROOT / "data" / "raw"
    tests, groups = read_reported_tests(raw / "reported_tests.csv"), read_group_summaries(raw / "group_summaries.csv")
    return tests, groups, recompute_studies(tests, groups, STUDIES).derived


def test_a_study_with_every_mean_reported_has_one_scenario(inputs):
    _, groups, derived = inputs
    (only,) = mean_scenarios(STUDIES["EKT1993_S1"], groups, derived)
    assert only.name == "" and only.derived == {} and only.means["best"] == 7410


def test_the_unreported_mean_gives_one_scenario_per_root(inputs):
    _, groups, derived = inputs
    lower, upper = mean_scenarios(STUDIES["MM2019"], groups, derived)
    assert (lower.name, upper.name) == ("lower root", "upper root")
    other = (8224 + 9844) / 2  # the roots lie symmetrically about the mean of the other two groups
    assert lower.means["less_accomplished"] + upper.means["less_accomplished"] == pytest.approx(2 * other)
    assert lower.means["less_accomplished"] == pytest.approx(3855.49, abs=0.5)
    assert all("do not say which" in n for n in lower.notes(STUDIES["MM2019"]))


def test_several_unreported_means_give_every_combination(inputs):
    _, groups, _ = inputs
    edited = groups.copy()
    edited.loc[(edited["study_id"] == "EKT1993_S1") & edited["group"].isin(["good", "music_teachers"]), "mean"] = np.nan
    derived = pd.DataFrame({"study_id": "EKT1993_S1", "quantity": ["mean of good"] * 2 + ["mean of music_teachers"] * 2,
                            "value": [1.0, 2.0, 3.0, 4.0]})
    names = [s.name for s in mean_scenarios(STUDIES["EKT1993_S1"], edited, derived)]
    assert names == ["good: lower root; music_teachers: lower root", "good: lower root; music_teachers: upper root",
                     "good: upper root; music_teachers: lower root", "good: upper root; music_teachers: upper root"]
    with pytest.raises(DataError, match="neither reported nor derived"):
        mean_scenarios(STUDIES["EKT1993_S1"], edited, derived[derived["quantity"] == "mean of good"])


def test_the_derived_replication_side_comes_once_per_root_with_opposite_signs(inputs):
    tests, groups, derived = inputs
    table = pair_table(replication_pairs(STUDIES, tests, groups, derived)).set_index("pair")
    assert list(table.index) == ["best vs good", "top two vs third group (lower root)", "top two vs third group (upper root)"]
    lower, upper = table.loc["top two vs third group (lower root)"], table.loc["top two vs third group (upper root)"]
    assert lower["rep_d"] == pytest.approx(-upper["rep_d"]) and lower["rep_d"] > 0
    assert lower["orig_d"] == upper["orig_d"] and lower["replication_source"] == "derived"
    assert lower["rep_in_pi"] and not upper["rep_in_pi"]  # whether it "replicates" depends on the root
