"""Tests of dprep.stats.sumstats: forward tests vs raw-data computations, inverses by round trips."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dprep.stats import sumstats
from dprep.stats.sumstats import DerivedValue, parse_reported


def exact_sample(mean: float, sd: float, n: int, seed: int) -> np.ndarray:
    """Raw data with exactly the given mean and SD (ddof = 1)."""
    z = np.random.default_rng(seed).normal(size=n)
    z = (z - z.mean()) / z.std(ddof=1)
    return mean + sd * z


GROUPS = {"n": [10, 12, 9], "mean": [7410.0, 5301.0, 3420.0], "sd": [2100.0, 2350.0, 1900.0]}


@pytest.fixture
def raw_groups():
    return [exact_sample(m, s, n, seed) for seed, (n, m, s) in enumerate(zip(*GROUPS.values()))]


# ----------------------------------------------------------------------------- forward
def test_one_way_anova_matches_scipy_and_pingouin(raw_groups):
    import pingouin as pg

    res = sumstats.one_way_anova(**GROUPS)
    ref = stats.f_oneway(*raw_groups)
    assert res.f == pytest.approx(ref.statistic, rel=1e-10)
    assert res.pval == pytest.approx(ref.pvalue, rel=1e-8)
    data = pd.DataFrame({"g": np.repeat(["a", "b", "c"], GROUPS["n"]), "y": np.concatenate(raw_groups)})
    aov = pg.anova(data=data, dv="y", between="g", detailed=True)
    assert res.ss_between == pytest.approx(aov["SS"].iloc[0], rel=1e-10)
    assert res.ss_within == pytest.approx(aov["SS"].iloc[1], rel=1e-10)
    assert res.eta2 == pytest.approx(aov["np2"].iloc[0], rel=1e-10)
    assert (res.df1, res.df2) == (2, 28)


@pytest.mark.parametrize("equal_var", [True, False])
def test_t_test_from_summary_matches_scipy(raw_groups, equal_var):
    a, b = raw_groups[0], raw_groups[1]
    res = sumstats.t_test_from_summary(7410, 2100, 10, 5301, 2350, 12, equal_var=equal_var)
    ref = stats.ttest_ind(a, b, equal_var=equal_var)
    assert res.t == pytest.approx(ref.statistic, rel=1e-10)
    assert res.pval == pytest.approx(ref.pvalue, rel=1e-8)
    assert res.df == pytest.approx(ref.df, rel=1e-10)


def test_contrast_f_matches_statsmodels_f_test(raw_groups):
    import statsmodels.api as sm

    y = np.concatenate(raw_groups)
    x = np.eye(3)[np.repeat([0, 1, 2], GROUPS["n"])]  # one indicator per group
    fit = sm.OLS(y, x).fit()
    coef = [0.5, 0.5, -1.0]
    ref = fit.f_test(np.array([coef]))
    res = sumstats.contrast_f(GROUPS["mean"], GROUPS["n"], coef, fit.mse_resid, fit.df_resid)
    assert res.f == pytest.approx(float(np.squeeze(ref.fvalue)), rel=1e-10)
    assert res.pval == pytest.approx(float(ref.pvalue), rel=1e-8)
    assert res.df2 == 28


# ----------------------------------------------------------------------------- inverses
def test_mse_from_contrast_f_round_trip():
    anova = sumstats.one_way_anova(**GROUPS)
    coef = [1, -1, 0]
    f = sumstats.contrast_f(GROUPS["mean"], GROUPS["n"], coef, anova.ms_within, anova.df2).f
    mse, sd = sumstats.mse_from_contrast_f(f, GROUPS["mean"], GROUPS["n"], coef, anova.df2)
    assert mse.value == pytest.approx(anova.ms_within, rel=1e-12)
    assert sd.value == pytest.approx(math.sqrt(anova.ms_within), rel=1e-12)
    assert mse.lb == mse.ub == mse.value  # floats are exact


def test_mse_from_reported_string_carries_rounding_interval():
    # EKT (1993) quote: F(1, 27) = 4.59 for best (7,410 h) vs good (5,301 h), n = 10 each.
    mse, _ = sumstats.mse_from_contrast_f("4.59", ["7410", "5301", "3420"], [10, 10, 10], [1, -1, 0], 27)
    assert mse.value == pytest.approx(2109**2 / (4.59 * 0.2), rel=1e-12)  # L² / (F Σc²/n)
    assert mse.lb == pytest.approx(2108**2 / (4.595 * 0.2), rel=1e-12)   # smallest L, largest F
    assert mse.ub == pytest.approx(2110**2 / (4.585 * 0.2), rel=1e-12)
    assert any("[4.585, 4.595]" in s for s in mse.derived_from)
    assert any("equal population SDs" in s for s in mse.assumptions)


def test_pooled_sd_from_t_round_trip(raw_groups):
    a, b = raw_groups[0], raw_groups[1]
    t = stats.ttest_ind(a, b).statistic
    sd = sumstats.pooled_sd_from_t(float(t), a.mean(), b.mean(), len(a), len(b))
    pooled = math.sqrt((9 * 2100**2 + 11 * 2350**2) / 20)
    assert sd.value == pytest.approx(pooled, rel=1e-10)


def test_pooled_sd_from_t_rejects_sign_mismatch():
    with pytest.raises(ValueError, match="sign of mean1 − mean2"):
        sumstats.pooled_sd_from_t("0.93", "8224", "9844", 13, 13)


def test_implied_missing_mean_recovers_the_true_mean():
    n, means, sd = [13, 13, 13], [8224.0, 9844.0, 4100.0], 4400.0
    anova = sumstats.one_way_anova(n, means, [sd] * 3)
    sols = sumstats.implied_missing_mean(anova.eta2, means[:2], n, sd**2, ["best", "good", "less"])
    assert len(sols) == 2
    assert sols[0].value == pytest.approx(4100.0, rel=1e-9)
    # the other root mirrors it about the mean that minimises SS_between, (8224 + 9844)/2
    assert sols[1].value == pytest.approx(2 * 9034 - 4100, rel=1e-9)
    for sol in sols:  # forward check: both reproduce η²
        assert sumstats.one_way_anova(n, means[:2] + [sol.value], [sd] * 3).eta2 == pytest.approx(anova.eta2, rel=1e-9)
    assert any("solution 1 of 2" in s for s in sols[0].assumptions)


def test_implied_missing_mean_propagates_derived_mse_and_rounding():
    mse = DerivedValue("MSE", 19.7e6, 19.5e6, 19.9e6, "h²", ("t(24) = -0.93",), ("equal SDs",))
    sols = sumstats.implied_missing_mean(".26", ["8224", "9844"], [13, 13, 13], mse)
    for sol in sols:
        assert sol.lb < sol.value < sol.ub
        assert "t(24) = -0.93" in sol.derived_from and "equal SDs" in sol.assumptions
    lower = [sumstats.implied_missing_mean(e, [8224, 9844], [13, 13, 13], m)[0].value
             for e in (0.255, 0.265) for m in (19.5e6, 19.9e6)]
    assert sols[0].lb <= min(lower) and max(lower) <= sols[0].ub


def test_implied_missing_mean_without_solution():
    # η² below what the two known means alone imply
    assert sumstats.implied_missing_mean(0.001, [0.0, 100.0], [10, 10, 10], 1.0) == ()


# ----------------------------------------------------------------------- reported numbers
@pytest.mark.parametrize(
    "text, value, lb, ub, decimals",
    [("4.59", 4.59, 4.585, 4.595, 2), (".26", 0.26, 0.255, 0.265, 2), ("-0.93", -0.93, -0.935, -0.925, 2),
     ("7,410", 7410, 7409.5, 7410.5, 0), ("13.90", 13.9, 13.895, 13.905, 2)],
)
def test_parse_reported(text, value, lb, ub, decimals):
    x = parse_reported(text)
    assert (x.value, x.decimals) == (pytest.approx(value), decimals)
    assert (x.lb, x.ub) == (pytest.approx(lb), pytest.approx(ub))


def test_parse_reported_exact_and_errors():
    assert parse_reported("27", exact=True).lb == 27.0
    assert parse_reported(4.59).decimals is None
    with pytest.raises(ValueError, match="'f' parameter of parse_reported"):
        parse_reported("4.5x", "f")


def test_propagate_rounding_uses_box_corners():
    value, lo, hi = sumstats.propagate_rounding(lambda a, b: a / b, [parse_reported("1.0"), parse_reported("2.0")])
    assert (value, lo, hi) == (pytest.approx(0.5), pytest.approx(0.95 / 2.05), pytest.approx(1.05 / 1.95))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: sumstats.one_way_anova([10], [1.0], [1.0]), "'n' and 'mean' parameters of one_way_anova"),
        (lambda: sumstats.contrast_f([1, 2], [5, 5], [1, 1], 1.0, 8), "must sum to 0"),
        (lambda: sumstats.contrast_f([1, 2], [5, 5], [1, -1], 0.0, 8), "'mse' parameter of contrast_f"),
        (lambda: sumstats.implied_missing_mean(1.2, [1.0], [5, 5], 1.0), "'eta2' parameter"),
    ],
)
def test_invalid_inputs_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()
