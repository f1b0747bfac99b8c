"""Tests of dprep.stats.effects against published values, R outputs and independent computations."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dprep.core.errors import ArgumentError
from dprep.stats import effects
from dprep.stats.effects.smd import J_SERIES_DF

# mtcars$wt split by mtcars$am (R datasets::mtcars); am = 0 (automatic) first, as in
# effectsize's `cohens_d(wt ~ am, data = mtcars)`.
WT_AUTOMATIC = [3.215, 3.440, 3.460, 3.570, 3.190, 3.150, 3.440, 3.440, 4.070, 3.730, 3.780,
                5.250, 5.424, 5.345, 2.465, 3.520, 3.435, 3.840, 3.845]
WT_MANUAL = [2.620, 2.875, 2.320, 2.200, 1.615, 1.835, 1.935, 2.140, 1.513, 3.170, 2.770, 3.570, 2.780]


# ---------------------------------------------------------------- η² CI: published values
# Smithson (2001), Educational and Psychological Measurement 61(4), and Fidler & Thompson (2001),
# Educational and Psychological Measurement 61(4), 90% CIs of partial η² as recorded in
# apaTables' tests (dstanley4/apaTables, tests/testthat/test_anova_ci.R), e.g.
#   get.ci.partial.eta.squared(F.value=6, df1=1, df2=42, conf.level=.90) -> LL .0117, UL .2801
# They use λ/(λ + df1 + df2 + 1). Values printed to 4 decimals: tolerance 5e-5 (half a unit).
SMITHSON_FIDLER = [
    (6.00, 1, 42, 0.0117, 0.2801),   # Smithson (2001), main effect a
    (2.65, 6, 42, 0.0174, 0.3577),   # Smithson (2001), main effect b
    (2.50, 6, 42, 0.009, 0.3455),    # Smithson (2001), interaction (LL printed to 3 decimals)
    (1.50, 1, 16, 0.0, 0.3167),      # Fidler & Thompson (2001), main effect a
    (4.00, 3, 16, 0.0357, 0.5671),   # Fidler & Thompson (2001), main effect b
    (1.50, 3, 16, 0.0, 0.3778),      # Fidler & Thompson (2001), interaction
]


@pytest.mark.reference
@pytest.mark.parametrize("f, df1, df2, lb, ub", SMITHSON_FIDLER)
def test_eta2_ci_matches_smithson_and_fidler_thompson(f, df1, df2, lb, ub):
    res = effects.eta2_ci(f, df1, df2, level=0.90, lambda_to_eta2="N")
    lb_tol = 5e-4 if lb == 0.009 else 5e-5
    assert res.ci_lb == pytest.approx(lb, abs=lb_tol)
    assert res.ci_ub == pytest.approx(ub, abs=5e-5)


# R: rstatix::anova_test(ToothGrowth, len ~ supp * dose, effect.size = "pes", ci = 0.95)
# (kassambara/rstatix PR #277, stated to match
#  effectsize::eta_squared(..., partial = TRUE, ci = 0.95, alternative = "two.sided")):
#   supp      DFn 1 DFd 54 F 15.572 pes 0.224 conf.low 0.059 conf.high 0.402
#   dose      DFn 2 DFd 54 F 92.000 pes 0.773 conf.low 0.662 conf.high 0.838
#   supp:dose DFn 2 DFd 54 F  4.107 pes 0.132 conf.low 0.001 conf.high 0.295
# λ/(λ + df2) mapping. Outputs printed to 3 decimals from an F printed to 3 decimals:
# tolerance 1e-3.
@pytest.mark.reference
@pytest.mark.parametrize(
    "f, df1, lb, ub, pes",
    [(15.572, 1, 0.059, 0.402, 0.224), (92.0, 2, 0.662, 0.838, 0.773), (4.107, 2, 0.001, 0.295, 0.132)],
)
def test_eta2_ci_df_error_matches_effectsize_convention(f, df1, lb, ub, pes):
    res = effects.eta2_ci(f, df1, 54, level=0.95, lambda_to_eta2="df_error")
    assert res.estimate == pytest.approx(pes, abs=1e-3)
    assert res.ci_lb == pytest.approx(lb, abs=1e-3)
    assert res.ci_ub == pytest.approx(ub, abs=1e-3)


def test_eta2_ci_conventions_differ_only_in_the_denominator():
    a = effects.eta2_ci(4.59, 1, 27, lambda_to_eta2="N")
    b = effects.eta2_ci(4.59, 1, 27, lambda_to_eta2="df_error")
    assert (a.ncp_lb, a.ncp_ub) == (b.ncp_lb, b.ncp_ub)
    assert a.ci_ub == pytest.approx(a.ncp_ub / (a.ncp_ub + 29))
    assert b.ci_ub == pytest.approx(b.ncp_ub / (b.ncp_ub + 27))
    assert a.ci_ub < b.ci_ub


def test_ncf_limits_put_f_at_the_tail_quantiles():
    # internal check by a different code path (quantile function instead of the tail area)
    f, df1, df2, level = 11.86, 1, 27, 0.95
    lo, hi = effects.ncf_limits(f, df1, df2, level)
    assert stats.ncf.ppf(0.975, df1, df2, lo) == pytest.approx(f, rel=1e-7)
    assert stats.ncf.ppf(0.025, df1, df2, hi) == pytest.approx(f, rel=1e-7)


def test_ncf_limits_are_zero_when_f_is_small():
    lo, hi = effects.ncf_limits(0.01, 2, 30, 0.95)
    assert lo == 0.0 and hi == 0.0


# ------------------------------------------------------------------- d CI: recorded output
# R: effectsize::cohens_d(wt ~ am, data = mtcars, pooled_sd = TRUE) -> 1.892 [1.030, 2.732]
# R: effectsize::hedges_g(wt ~ am, data = mtcars)                  -> 1.844 [1.004, 2.664]
# (easystats/effectsize tests/testthat/test-cohens_d.R, expect_equal(..., tolerance = 0.001),
# i.e. relative tolerance 1e-3, used here as well.)
@pytest.mark.reference
def test_d_ci_matches_effectsize_mtcars():
    t = stats.ttest_ind(WT_AUTOMATIC, WT_MANUAL).statistic
    res = effects.d_ci(t, len(WT_AUTOMATIC), len(WT_MANUAL))
    assert res.estimate == pytest.approx(1.892, rel=1e-3)
    assert res.ci_lb == pytest.approx(1.030, rel=1e-3)
    assert res.ci_ub == pytest.approx(2.732, rel=1e-3)
    g = [effects.hedges_g(x, 19, 13) for x in (res.estimate, res.ci_lb, res.ci_ub)]
    assert g == pytest.approx([1.844, 1.004, 2.664], rel=1e-3)


def test_nct_limits_put_t_at_the_tail_quantiles():
    t, df = -0.93, 24
    lo, hi = effects.nct_limits(t, df, 0.95)
    assert stats.nct.ppf(0.975, df, lo) == pytest.approx(t, abs=1e-7)
    assert stats.nct.ppf(0.025, df, hi) == pytest.approx(t, abs=1e-7)


def test_d_ci_is_antisymmetric_in_t():
    a, b = effects.d_ci(2.1, 12, 15), effects.d_ci(-2.1, 12, 15)
    assert a.ci_lb == pytest.approx(-b.ci_ub, abs=1e-9)
    assert a.ci_ub == pytest.approx(-b.ci_lb, abs=1e-9)


# --------------------------------------------------------- point estimates vs raw data
@pytest.fixture
def three_groups():
    rng = np.random.default_rng(7)
    data = pd.DataFrame({
        "group": np.repeat(["a", "b", "c"], [9, 12, 10]),
        "y": np.concatenate([rng.normal(10, 2, 9), rng.normal(12, 2, 12), rng.normal(13, 3, 10)]),
    })
    return data


def test_variance_explained_from_f_equals_sums_of_squares(three_groups):
    # independent computation: statsmodels OLS ANOVA table of the raw data
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm

    table = anova_lm(smf.ols("y ~ C(group)", data=three_groups).fit())
    ss_b, ss_w = table["sum_sq"].iloc[0], table["sum_sq"].iloc[1]
    df1, df2 = table["df"].iloc[0], table["df"].iloc[1]
    f = table["F"].iloc[0]
    mse = ss_w / df2
    assert effects.eta2_from_f(f, df1, df2) == pytest.approx(effects.eta2_from_ss(ss_b, ss_b + ss_w), rel=1e-12)
    assert effects.eta2_from_f(f, df1, df2) == pytest.approx(effects.partial_eta2_from_ss(ss_b, ss_w), rel=1e-12)
    assert effects.omega2_from_f(f, df1, df2) == pytest.approx(
        effects.omega2_from_ss(ss_b, df1, ss_b + ss_w, mse), rel=1e-12)
    assert effects.epsilon2_from_f(f, df1, df2) == pytest.approx(
        effects.epsilon2_from_ss(ss_b, df1, ss_b + ss_w, mse), rel=1e-12)


def test_eta2_matches_pingouin(three_groups):
    import pingouin as pg

    aov = pg.anova(data=three_groups, dv="y", between="group", detailed=True)
    f, df1, df2 = aov["F"].iloc[0], aov["DF"].iloc[0], aov["DF"].iloc[1]
    assert effects.eta2_from_f(f, df1, df2) == pytest.approx(aov["np2"].iloc[0], rel=1e-10)


def test_f_from_eta2_inverts_eta2_from_f():
    assert effects.f_from_eta2(effects.eta2_from_f(4.59, 1, 27), 1, 27) == pytest.approx(4.59, rel=1e-12)


def test_d_from_t_equals_d_from_raw_means_and_sds():
    a, b = np.array(WT_AUTOMATIC), np.array(WT_MANUAL)
    t = stats.ttest_ind(a, b).statistic
    d_means = effects.cohens_d_from_means(a.mean(), b.mean(), a.std(ddof=1), b.std(ddof=1), len(a), len(b))
    assert effects.cohens_d_from_t(t, len(a), len(b)) == pytest.approx(d_means, rel=1e-12)


def test_d_from_t_df_is_the_2t_over_root_df_shortcut():
    # closed form: equal n, d_s = t·√(2/n) and 2t/√(2n − 2) differ by √(n/(n − 1))
    n, t = 13, -0.93
    ratio = effects.cohens_d_from_t_df(t, 2 * n - 2) / effects.cohens_d_from_t(t, n, n)
    assert ratio == pytest.approx(math.sqrt(n / (n - 1)), rel=1e-12)


def test_d_to_r_matches_point_biserial_correlation():
    a, b = np.array(WT_AUTOMATIC), np.array(WT_MANUAL)
    d = effects.cohens_d_from_means(a.mean(), b.mean(), a.std(ddof=1), b.std(ddof=1), len(a), len(b))
    x = np.r_[np.ones(len(a)), np.zeros(len(b))]
    r = stats.pointbiserialr(x, np.r_[a, b]).statistic
    # exact identity r = d / √(d² + (N − 2)·N/(n1·n2)); Borenstein's a = (n1 + n2)²/(n1·n2)
    # drops the (N − 2)/N factor, so d_to_r is slightly larger than the exact r.
    n = len(a) + len(b)
    assert d / math.sqrt(d * d + (n - 2) * n / (len(a) * len(b))) == pytest.approx(r, rel=1e-12)
    assert effects.d_to_r(d, len(a), len(b)) < r


def test_d_to_r_closed_form():
    # d = 0.5, n1 = n2 = 20: a = 40²/400 = 4, r = 0.5/√4.25
    assert effects.d_to_r(0.5, 20, 20) == pytest.approx(0.5 / math.sqrt(4.25), rel=1e-12)
    assert effects.d_to_r(0.5) == pytest.approx(0.5 / math.sqrt(4.25), rel=1e-12)


def test_r_d_round_trip_and_fisher_z():
    assert effects.d_to_r(effects.r_to_d(0.3)) == pytest.approx(0.3, rel=1e-12)
    assert effects.fisher_z(0.5) == pytest.approx(0.5 * math.log(3), rel=1e-12)  # atanh(.5) = ½ ln 3
    assert effects.fisher_z_inverse(effects.fisher_z(-0.72)) == pytest.approx(-0.72, rel=1e-12)


def test_kruskal_effect_sizes_closed_form():
    assert effects.eta2_kruskal(13.90, 3, 39) == pytest.approx(11.90 / 36, rel=1e-12)
    assert effects.epsilon2_kruskal(13.90, 39) == pytest.approx(13.90 * 40 / (39**2 - 1), rel=1e-12)


def test_hedges_correction_closed_forms():
    # J(2) = Γ(1)/(1·Γ(1/2)) = 1/√π;  J(3) = Γ(3/2)/(√1.5·Γ(1)) = (√π/2)/√1.5
    assert effects.hedges_correction(2) == pytest.approx(1 / math.sqrt(math.pi), rel=1e-12)
    assert effects.hedges_correction(3) == pytest.approx(math.sqrt(math.pi) / 2 / math.sqrt(1.5), rel=1e-12)


@pytest.mark.parametrize("df, exact", [
    # mpmath (mp.dps = 80): exp(loggamma(m/2) - loggamma((m - 1)/2)) / sqrt(m/2), m = mpf(df)
    (38, 0.9801104021309462728), (199.5, 0.99623509647018858174), (200, 0.99624452247912655441),
    (1000, 0.99924978117971636752), (1e8, 0.99999999249999997812),
    (1e15, 0.99999999999999925), (1e16, 0.999999999999999925),
])
def test_hedges_correction_for_large_df_is_exact_to_double_precision(df, exact):
    # the log-gamma difference cancelled: J(1e8) was 1.0, J(1e15) = 7.39, J(1e16) = 1.3e-14, J(1e308) NaN
    rel = 1e-13 if df < J_SERIES_DF else 2e-16
    assert effects.hedges_correction(df) == pytest.approx(exact, rel=rel)


def test_hedges_correction_limit_and_bad_df():
    assert effects.hedges_correction(1e308) == 1.0 and effects.hedges_correction(math.inf) == 1.0
    for df in (1, 0.5, math.nan, -math.inf, "x"):
        with pytest.raises(ArgumentError, match="The 'df' parameter of hedges_correction must be a number > 1"):
            effects.hedges_correction(df)


def test_cohens_d_from_means_does_not_overflow_where_d_is_a_float():
    # d is scale-invariant: d(c·means, c·SDs) = d(means, SDs); and the weights depend on n1 − 1 : n2 − 1 only
    assert effects.cohens_d_from_means(1e308, -1e308, 1e308, 1e308, 10, 10) == effects.cohens_d_from_means(
        1, -1, 1, 1, 10, 10) == 2.0
    assert effects.cohens_d_from_means(3e200, 1e200, 2e200, 1e200, 11, 21) == pytest.approx(
        effects.cohens_d_from_means(3, 1, 2, 1, 11, 21), rel=1e-15)
    assert effects.cohens_d_from_means(5, 3, 2, 1, 1e308, 1e308) == pytest.approx(
        effects.cohens_d_from_means(5, 3, 2, 1, 1e6, 1e6), rel=1e-15)
    with pytest.raises(ArgumentError, match=r"'mean1' parameter of cohens_d_from_means must differ from 'mean2' by "
                                            r"at most 1.8e308 pooled SDs .* Got 1e\+308 and -1e\+308 with a pooled SD"):
        effects.cohens_d_from_means(1e308, -1e308, 1, 1, 10, 10)
    with pytest.raises(ArgumentError, match="'sd1' parameter of cohens_d_from_means must not be 0 together"):
        effects.cohens_d_from_means(1, 0, 0, 0, 10, 10)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: effects.eta2_ci(4, 1, 27, level=1.2), "'level' parameter of eta2_ci"),
        (lambda: effects.eta2_ci(4, 1, 27, lambda_to_eta2="N+1"), "'lambda_to_eta2'"),
        (lambda: effects.eta2_from_f(-1, 1, 27), "'f' parameter of eta2_from_f"),
        (lambda: effects.fisher_z(1.0), "'r' parameter of fisher_z"),
        (lambda: effects.d_to_r(0.5, 10), "'n1' and 'n2'"),
        (lambda: effects.eta2_kruskal(5, 3, 3), "'n' parameter of eta2_kruskal"),
    ],
)
def test_invalid_inputs_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_r_to_d_inverts_point_biserial_conversion():
    # Borenstein et al. (2009), ch. 7: r = d / sqrt(d^2 + a), a = (n1 + n2)^2 / (n1 n2); 2r/sqrt(1 - r^2) for a = 4.
    assert effects.r_to_d(0.5) == pytest.approx(2 * 0.5 / math.sqrt(0.75), rel=1e-12)
    for r, n1, n2 in [(0.3, 10, 30), (-0.45, 7, 19)]:
        d = effects.r_to_d(r, n1, n2)
        a = (n1 + n2) ** 2 / (n1 * n2)
        assert d / math.sqrt(d * d + a) == pytest.approx(r, rel=1e-12)
        assert effects.d_to_r(d, n1, n2) == pytest.approx(r, rel=1e-12)


@pytest.mark.parametrize("args, match", [((1.0,), "The 'r' parameter of r_to_d"),
                                         ((0.3, 10, None), "The 'n1' and 'n2' parameters of r_to_d"),
                                         ((0.3, 0, 10), "The 'n1' parameter of r_to_d")])
def test_r_to_d_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        effects.r_to_d(*args)
