"""Tests of dprep.studies.reconstruct and ``dprep reconstruct``: RECONSTRUCTED (synthetic) individual data.

The reported statistics are recomputed here independently of the module's own summary (scipy
on the per-participant totals), so a drift in the construction fails these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from dprep.core.errors import DataError
from dprep.data.tables import read_group_summaries, read_reported_tests
from dprep.stats.audit import audit
from dprep.cli import app
from dprep.data.diaries import WEEKS_PER_YEAR, accumulated_practice, read_diaries
from dprep.stats.groups import anova_oneway, planned_contrasts
from dprep.data.studies import load_studies
from dprep.studies.reconstruct import accumulated_by_age, reconstruct_study, study_scenarios

ROOT = Path(__file__).resolve().parents[2]
VALIDATED = ROOT / "data" / "processed" / "validated"
SEED = 20190821
STUDIES = load_studies(ROOT / "data" / "studies.yaml")
CONTRASTS = dict(STUDIES["EKT1993_S1"].contrasts)
MEANS = {
    "EKT1993_S1": {"best": 7410.0, "good": 5301.0, "music_teachers": 3420.0},
    "MM2019": {"best": 8224.0, "good": 9844.0},
}


@pytest.fixture(scope="module")
def inputs():
    if not (VALIDATED / "group_summaries.csv").exists():
        pytest.skip("run analysis/validate.py first (data/processed/validated missing)")
    groups = read_group_summaries(VALIDATED / "group_summaries.csv")
    tests = read_reported_tests(VALIDATED / "reported_tests.csv")
    return groups, tests, audit(tests, groups).derived


@pytest.fixture(scope="module")
def recs(inputs):
    groups, tests, derived = inputs
    scenario = {"MM2019": "lower root"}
    return {s: reconstruct_study(s, groups, derived, seed=SEED, tests=tests, studies=STUDIES,
                                 scenario=scenario.get(s)) for s in MEANS}


def totals(rec) -> pd.DataFrame:
    return accumulated_practice(rec.data, 18)


@pytest.mark.parametrize("study", list(MEANS))
def test_group_sizes_and_means_exact(recs, study):
    out = totals(recs[study])
    counts = out["group"].value_counts()
    assert (counts == (10 if study.startswith("EKT") else 13)).all()
    means = out.groupby("group")["accumulated_hours"].mean()
    for group, mean in MEANS[study].items():
        assert means[group] == pytest.approx(mean, abs=1e-6)
    sds = out.groupby("group")["accumulated_hours"].std()
    assert np.ptp(sds.to_numpy()) < 1e-6  # equal group SDs (assumption)


def test_ekt_F_within_rounding(recs):
    contrasts = planned_contrasts(totals(recs["EKT1993_S1"]), "accumulated_hours", CONTRASTS).set_index("contrast")
    f_best_good = contrasts.loc["best_vs_good", "t"] ** 2
    f_top = contrasts.loc["top_two_vs_third", "t"] ** 2
    assert contrasts["df"].eq(27).all()
    assert 4.585 <= f_best_good <= 4.595
    assert 11.855 <= f_top <= 11.865


def test_studies_have_the_scenarios_of_their_roots(inputs):
    groups, tests, derived = inputs
    assert study_scenarios(STUDIES["EKT1993_S1"], groups, derived) == [""]
    assert study_scenarios(STUDIES["MM2019"], groups, derived) == ["lower root", "upper root"]
    with pytest.raises(ValueError, match="lower root.*upper root"):  # no root is picked silently
        reconstruct_study("MM2019", groups, derived, seed=SEED, tests=tests, studies=STUDIES)


@pytest.mark.parametrize("scenario, third", [("lower root", 3855.49), ("upper root", 14212.51)])
def test_mm_t_and_eta2_hold_under_both_roots(inputs, scenario, third):
    """Both roots reproduce t(24) = -0.93 and η² = .26; the top-two-vs-third contrast flips sign."""
    groups, tests, derived = inputs
    rec = reconstruct_study("MM2019", groups, derived, seed=SEED, tests=tests, studies=STUDIES, scenario=scenario)
    out = totals(rec)
    best = out.loc[out["group"] == "best", "accumulated_hours"]
    good = out.loc[out["group"] == "good", "accumulated_hours"]
    test = stats.ttest_ind(best, good)
    assert test.df == 24 and -0.935 <= test.statistic <= -0.925
    assert 0.255 <= anova_oneway(out, "accumulated_hours")["eta2"].iloc[0] <= 0.265
    pooled = np.sqrt((best.var() + good.var()) / 2)
    assert pooled == pytest.approx(4441.08, abs=1.0)
    less = out.loc[out["group"] == "less_accomplished", "accumulated_hours"].mean()
    assert less == pytest.approx(third, abs=0.5)
    psi = (best.mean() + good.mean()) / 2 - less
    assert np.sign(psi) == (1 if scenario == "lower root" else -1)
    assert rec.scenario == scenario
    assert any("do not say which" in a and scenario in a for a in rec.assumptions)
    assert not any("press" in a for a in rec.assumptions)
    row = rec.summary.set_index("statistic").loc["mean of less_accomplished (h)"]
    assert row["target_source"] == "derived" and row["target"] == pytest.approx(third, abs=0.5)


@pytest.mark.parametrize("study", list(MEANS))
def test_summary_targeted_rows_match(recs, study):
    summary = recs[study].summary
    assert summary.loc[summary["targeted"], "matches"].all()
    assert {"mean of best (h)", "mean of good (h)"} <= set(summary["statistic"])


def test_ekt_restated_eta2_reported_as_not_matching(recs):
    row = recs["EKT1993_S1"].summary.set_index("statistic").loc["η² (restated)"]
    assert not row["targeted"] and not row["matches"]


def test_same_seed_same_data_other_seed_differs(inputs, recs):
    groups, tests, derived = inputs
    again = reconstruct_study("MM2019", groups, derived, seed=SEED, tests=tests, studies=STUDIES, scenario="lower root")
    pd.testing.assert_frame_equal(again.data.practice_history, recs["MM2019"].data.practice_history)
    pd.testing.assert_frame_equal(again.data.participants, recs["MM2019"].data.participants)
    other = reconstruct_study("MM2019", groups, derived, seed=SEED + 1, tests=tests, studies=STUDIES,
                              scenario="lower root")
    assert not np.allclose(other.data.practice_history["hours_per_week"].head(5),
                           recs["MM2019"].data.practice_history["hours_per_week"].head(5))


@pytest.mark.parametrize("study", list(MEANS))
def test_synthetic_ranges_and_history_coverage(recs, study):
    data = recs[study].data
    p, h = data.participants, data.practice_history
    assert p["synthetic"].all() and data.synthetic
    assert p["study_id"].eq(f"{study}_reconstructed").all()
    assert h["hours_per_week"].between(0, 168).all()
    assert (p["age_years"] >= 18).all()
    years = h.groupby("participant_id")["age_years"].agg(["min", "max", "size"])
    people = p.set_index("participant_id")
    assert (years["min"] == np.floor(people["age_started_years"])).all()
    assert (years["max"] == np.floor(people["age_years"])).all()
    assert (years["size"] == years["max"] - years["min"] + 1).all()
    by_18 = h[h["age_years"] < 18].groupby("participant_id")["hours_per_week"].sum() * WEEKS_PER_YEAR
    assert np.allclose(by_18.sort_index(), totals(recs[study]).set_index("participant_id")["accumulated_hours"].sort_index())
    assert data.diary.empty  # no diary week is reconstructed


def test_accumulated_by_age_is_monotone_and_ends_at_totals(recs):
    data = recs["EKT1993_S1"].data
    paths = accumulated_by_age(data, 18)
    assert paths["age_years"].min() <= 8 and paths["age_years"].max() == 18
    assert (paths.sort_values("age_years").groupby("participant_id")["accumulated_hours"].diff().dropna() >= 0).all()
    at18 = paths[paths["age_years"] == 18].set_index("participant_id")["accumulated_hours"]
    assert np.allclose(at18.sort_index(), totals(recs["EKT1993_S1"]).set_index("participant_id")["accumulated_hours"].sort_index())


def test_unknown_study_rejected(inputs):
    groups, tests, derived = inputs
    with pytest.raises(ValueError, match="unknown study"):
        reconstruct_study("EKT1993_S2", groups, derived, seed=1, tests=tests, studies=STUDIES)


@pytest.mark.parametrize("n, what", [("1", "n = 1"), ("", "no n")])
def test_a_group_of_fewer_than_two_is_refused(inputs, n, what):
    # a group's totals are drawn around the pooled SD (ddof = 1): n = 1 ended in "no non-negative sample"
    groups, tests, derived = inputs
    groups = groups.copy()
    groups.loc[(groups["study_id"] == "EKT1993_S1") & (groups["group"] == "good"), "n"] = n
    with pytest.raises(DataError, match=f"group 'good' has {what} in the group summaries: .* needs n ≥ 2"):
        reconstruct_study("EKT1993_S1", groups, derived, seed=1, tests=tests, studies=STUDIES)


def test_cli_writes_readable_folders(tmp_path, inputs):
    result = CliRunner().invoke(app, ["reconstruct", "--study", "all", "--out", str(tmp_path), "--seed", str(SEED),
                                      "--validated", str(VALIDATED), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["synthetic"] is True
    assert all(s["all_targeted_match"] for s in payload["studies"])
    assert [s["scenario"] for s in payload["studies"]] == ["", "lower root", "upper root"]
    back = read_diaries(tmp_path / "MM2019_reconstructed_upper_root")
    out = accumulated_practice(back, 18)
    assert out.loc[out["group"] == "best", "accumulated_hours"].mean() == pytest.approx(8224, abs=1e-6)
    assert back.participants["synthetic"].all()


def test_cli_unknown_study_exit_2(tmp_path):
    result = CliRunner().invoke(app, ["reconstruct", "--study", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 2
