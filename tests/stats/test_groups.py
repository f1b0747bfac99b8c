"""Tests of dprep.stats.groups against hand-computed values, scipy and statsmodels.

The small design: best [5, 6, 7], good [3, 4, 5], music_teachers [1, 2, 3]. Means 6, 4, 2;
grand mean 4; SS_between = 3·(2² + 0² + 2²) = 24; SS_within = 3·(1 + 0 + 1) = 6;
df = (2, 6); MS_within = 1; F = 12; η² = 24/30 = .8; ω² = (24 − 2·1)/(30 + 1) = 22/31.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from dprep.core.errors import DataError
from dprep.data import diaries as D
from dprep.stats import groups as I

STANDARD = Path(__file__).parents[1] / "fixtures" / "diaries" / "standard"
GROUPS = {"best": [5.0, 6.0, 7.0], "good": [3.0, 4.0, 5.0], "music_teachers": [1.0, 2.0, 3.0]}


def frame(groups: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(g, y) for g, ys in groups.items() for y in ys], columns=["group", "accumulated_hours"]
    )


@pytest.fixture
def small() -> pd.DataFrame:
    return frame(GROUPS)


@pytest.fixture
def unequal() -> pd.DataFrame:
    """Unequal sizes and variances, with a missing value that must be dropped."""
    return frame({
        "best": [3848.0, 3120.0, 4160.0, 5200.0, np.nan],
        "good": [2080.0, 2600.0, 3120.0, 4680.0, 1560.0, 3900.0],
        "less_accomplished": [1040.0, 1560.0, 1300.0, 1200.0],
    })


def test_anova_by_hand(small):
    row = I.anova_oneway(small, "accumulated_hours").iloc[0]
    assert (row["F"], row["df1"], row["df2"]) == (pytest.approx(12.0), 2, 6)
    assert row["pval"] == pytest.approx(stats.f.sf(12.0, 2, 6))
    assert row["eta2"] == pytest.approx(0.8)
    assert row["omega2"] == pytest.approx(22 / 31)


def test_anova_matches_scipy(unequal):
    row = I.anova_oneway(unequal, "accumulated_hours").iloc[0]
    samples = [g.dropna().to_numpy() for _, g in unequal.groupby("group")["accumulated_hours"]]
    ref = stats.f_oneway(*samples)
    assert row["F"] == pytest.approx(ref.statistic)
    assert row["pval"] == pytest.approx(ref.pvalue)
    assert (row["df1"], row["df2"]) == (2, 14 - 3)


def test_eta2_ci_inverts_noncentral_f(unequal):
    """At each limit λ (η² = λ/(λ + N)), the observed F sits at the α/2 tail of F(df1, df2, λ)."""
    row = I.anova_oneway(unequal, "accumulated_hours", level=0.90).iloc[0]
    n = row["df1"] + row["df2"] + 1
    for eta2, tail in ((row["eta2_ci_lb"], 0.05), (row["eta2_ci_ub"], 0.95)):
        lam = eta2 * n / (1 - eta2)
        assert stats.ncf.sf(row["F"], row["df1"], row["df2"], lam) == pytest.approx(tail, abs=1e-6)
    assert row["eta2_ci_lb"] < row["eta2"] < row["eta2_ci_ub"]
    # ω² limits: F = λ/df1 through ω²(F) = df1·(F − 1)/(df1·F + df2 + 1)
    lam_high = row["eta2_ci_ub"] * n / (1 - row["eta2_ci_ub"])
    f_high = lam_high / row["df1"]
    assert row["omega2_ci_ub"] == pytest.approx(row["df1"] * (f_high - 1) / (row["df1"] * f_high + row["df2"] + 1))
    df_error = I.anova_oneway(unequal, "accumulated_hours", level=0.90, lambda_to="df_error").iloc[0]
    assert df_error["eta2_ci_ub"] == pytest.approx(lam_high / (lam_high + row["df2"]))


def test_welch_by_formula(unequal):
    row = I.welch_anova(unequal, "accumulated_hours").iloc[0]
    samples = [g.dropna().to_numpy() for _, g in unequal.groupby("group")["accumulated_hours"]]
    n = np.array([len(s) for s in samples])
    m = np.array([s.mean() for s in samples])
    w = n / np.array([s.var(ddof=1) for s in samples])
    k = len(samples)
    mw = (w * m).sum() / w.sum()
    lam = ((1 - w / w.sum()) ** 2 / (n - 1)).sum()
    f = ((w * (m - mw) ** 2).sum() / (k - 1)) / (1 + 2 * (k - 2) * lam / (k**2 - 1))
    df2 = (k**2 - 1) / (3 * lam)
    assert row["F"] == pytest.approx(f)
    assert row["df2"] == pytest.approx(df2)
    assert row["pval"] == pytest.approx(stats.f.sf(f, k - 1, df2))


def test_kruskal_matches_scipy(unequal):
    row = I.kruskal_wallis(unequal, "accumulated_hours").iloc[0]
    ref = stats.kruskal(*[g.dropna() for _, g in unequal.groupby("group")["accumulated_hours"]])
    assert (row["H"], row["pval"], row["df"]) == (pytest.approx(ref.statistic), pytest.approx(ref.pvalue), 2)


def test_games_howell_by_formula(unequal):
    out = I.games_howell(unequal, "accumulated_hours").set_index(["group_a", "group_b"])
    a = unequal.loc[unequal["group"] == "best", "accumulated_hours"].dropna()
    b = unequal.loc[unequal["group"] == "good", "accumulated_hours"]
    va, vb = a.var() / len(a), b.var() / len(b)
    t = (a.mean() - b.mean()) / np.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    row = out.loc[("best", "good")]
    assert row["t"] == pytest.approx(t)
    assert row["df"] == pytest.approx(df)
    assert row["pval"] == pytest.approx(stats.studentized_range.sf(abs(t) * np.sqrt(2), 3, df), abs=1e-4)
    assert len(out) == 3


TEACHERS = {"best_vs_good": {"best": 1, "good": -1},
            "best_and_good_vs_music_teachers": {"best": 0.5, "good": 0.5, "music_teachers": -1}}
LESS = {"best_vs_good": {"best": 1, "good": -1},
        "best_and_good_vs_less_accomplished": {"best": 0.5, "good": 0.5, "less_accomplished": -1}}


def test_planned_contrasts_by_hand(small):
    out = I.planned_contrasts(small, "accumulated_hours", TEACHERS).set_index("contrast")
    first = out.loc["best_vs_good"]
    # ψ = 6 − 4 = 2; SE = √(1·(1/3 + 1/3)); t = 2/√(2/3) = √6
    assert (first["estimate"], first["se"], first["t"], first["df"]) == (
        pytest.approx(2.0), pytest.approx(np.sqrt(2 / 3)), pytest.approx(np.sqrt(6)), 6)
    assert first["pval_two_tailed"] == pytest.approx(2 * stats.t.sf(np.sqrt(6), 6))
    assert first["pval_one_tailed"] == pytest.approx(first["pval_two_tailed"] / 2)
    second = out.loc["best_and_good_vs_music_teachers"]
    # ψ = (6 + 4)/2 − 2 = 3; SE = √(1/12 + 1/12 + 1/3) = √.5
    assert second["estimate"] == pytest.approx(3.0)
    assert second["t"] == pytest.approx(3 / np.sqrt(0.5))
    assert second["hypothesis"] == "best and good > music_teachers"


def test_planned_contrasts_match_statsmodels(unequal):
    out = I.planned_contrasts(unequal, "accumulated_hours", LESS).set_index("contrast")
    fit = smf.ols("accumulated_hours ~ C(group) - 1", data=unequal.dropna()).fit()
    names = list(fit.params.index)  # best, good, less_accomplished
    for contrast, weights in (("best_vs_good", [1, -1, 0]),
                              ("best_and_good_vs_less_accomplished", [0.5, 0.5, -1])):
        ref = fit.t_test(np.array(weights, dtype=float).reshape(1, -1))
        assert names[0].endswith("best]")
        assert out.loc[contrast, "t"] == pytest.approx(float(ref.tvalue.item()))
        assert out.loc[contrast, "pval_two_tailed"] == pytest.approx(float(ref.pvalue))


def test_one_tailed_p_in_the_wrong_direction():
    """Replication-like: the good group practised more; one-tailed best > good p is > .5."""
    out = I.planned_contrasts(frame({"best": [3, 4, 5.0], "good": [5, 6, 7.0], "less_accomplished": [1, 2, 3.0]}),
                              "accumulated_hours", LESS).set_index("contrast").loc["best_vs_good"]
    assert out["t"] < 0
    assert out["pval_one_tailed"] == pytest.approx(1 - out["pval_two_tailed"] / 2)


def test_contrast_groups_must_be_known(small):
    with pytest.raises(ValueError, match=r"The 'contrasts' parameter of planned_contrasts must name groups with data"):
        I.planned_contrasts(small.replace({"best": "top"}), "accumulated_hours", TEACHERS)
    with pytest.raises(ValueError, match="have weights summing to 0"):
        I.planned_contrasts(small, "accumulated_hours", {"bad": {"best": 1, "good": -0.5}})
    four = pd.concat([small, frame({"professionals": [8.0, 9.0]})])
    any_labels = {"pro_vs_rest": {"professionals": 1, "best": -1 / 3, "good": -1 / 3, "music_teachers": -1 / 3}}
    assert I.planned_contrasts(four, "accumulated_hours", any_labels)["hypothesis"].tolist() == [
        "professionals > best and good and music_teachers"]


def test_compare_groups_bundle(small):
    out = I.compare_groups(small, "accumulated_hours", contrasts=TEACHERS)
    assert set(out) == {"descriptives", "anova", "welch", "kruskal", "games_howell", "contrasts"}
    assert out["descriptives"].set_index("group").loc["good", "mean"] == 4.0
    with pytest.raises(ValueError, match="at least two groups"):
        I.anova_oneway(small[small["group"] == "best"], "accumulated_hours")


@pytest.mark.parametrize("values", [[1.0, 1.0, 2.0, 2.0, 3.0, 3.0], [0.1] * 6])
def test_no_variation_within_groups_is_a_data_error(values):
    # issue 11: KeyError 'F' (all values equal) or an error about eta2_from_f's 'f' = inf (groups differ);
    # the contrasts divided by MS_within = 0
    data = pd.DataFrame({"group": list("aabbcc"), "y": values})
    for call in (lambda: I.anova_oneway(data, "y"), lambda: I.planned_contrasts(data, "y", {"ab": {"a": 1, "b": -1}})):
        with pytest.raises(DataError, match="'y' does not vary within any group of 'group'"):
            call()
    data.loc[0, "y"] = 1.5  # one group varies: defined again
    assert I.anova_oneway(data, "y").iloc[0]["df2"] == 3


def test_mixed_anova_identities():
    """Two measures: interaction F = one-way F of the differences; group F = one-way F of the means."""
    data = D.read_diaries(STANDARD)
    comparison = D.estimate_vs_diary(data)
    out = I.estimate_diary_mixed_anova(comparison).set_index("source")
    diff = comparison["estimate_hours_per_week"] - comparison["diary_hours_per_week"]
    mean = (comparison["estimate_hours_per_week"] + comparison["diary_hours_per_week"]) / 2
    samples = lambda v: [v[comparison["group"] == g] for g in ("best", "good", "music_teachers")]  # noqa: E731
    assert out.loc["interaction", "F"] == pytest.approx(stats.f_oneway(*samples(diff)).statistic)
    assert out.loc["group", "F"] == pytest.approx(stats.f_oneway(*samples(mean)).statistic)
    # measure (balanced design): F = N·mean(d)² / MS_within(d)
    ms_within = sum(((s - s.mean()) ** 2).sum() for s in samples(diff)) / (9 - 3)
    assert out.loc["measure", "F"] == pytest.approx(9 * diff.mean() ** 2 / ms_within)
    assert (out.loc["measure", "df1"], out.loc["measure", "df2"]) == (1, 6)


def test_ratings_against_the_grand_mean():
    data = D.read_diaries(STANDARD)
    out = I.ratings_vs_grand_mean(data.activity_ratings).set_index(["dimension", "activity"])
    relevance = out.loc[("relevance", "practice_alone")]
    assert relevance["grand_mean"] == pytest.approx((77 + 20) / 18)  # every relevance rating
    scores = [9, 8, 9, 9, 8, 7, 8, 9, 10]
    ref = stats.ttest_1samp(scores, (77 + 20) / 18)
    assert (relevance["t"], relevance["pval"], relevance["df"]) == (pytest.approx(ref.statistic), pytest.approx(ref.pvalue), 8)
    assert relevance["cohen_d"] == pytest.approx((np.mean(scores) - 97 / 18) / np.std(scores, ddof=1))
    assert out.loc[("relevance", "leisure"), "cohen_d"] < 0
    assert out.loc[("enjoyment", "practice_alone"), "n"] == 8  # G2 did not rate enjoyment
