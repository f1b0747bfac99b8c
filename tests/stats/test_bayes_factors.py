"""JZS Bayes factors from t and F statistics against recorded R BayesFactor output.

Tolerance: 1e-4 relative on BF10 (= 1e-4 absolute on log BF10) unless the recorded value has fewer
digits, in which case the tolerance is half a unit in its last printed digit (stated per test).
"""

import math

import numpy as np
import pytest
from scipy import integrate, stats

from dprep.stats.bayes_factors import (LOG_FLOAT_MAX, R_ANOVA_MEDIUM, R_TTEST_MEDIUM, bf_from_log, evidence_category,
                                       jzs_anova_bf, jzs_ttest_bf)

# R datasets::sleep (Student 1908; Cushny & Peebles 1905), extra hours of sleep, patients 1..10.
SLEEP_GROUP1 = np.array([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
SLEEP_GROUP2 = np.array([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])


def test_sleep_transcription_matches_r_t_value():
    # Source: BayesFactor R/ttest_tstat.R example comment, "t.test() gives a t value of -4.0621"
    # (t.test(extra ~ group, data = sleep, paired = TRUE)); guards the data typed in above.
    t = stats.ttest_rel(SLEEP_GROUP1, SLEEP_GROUP2).statistic
    assert t == pytest.approx(-4.0621, abs=5e-5)


@pytest.mark.reference
def test_paired_sleep_matches_bayesfactor():
    # R: BayesFactor::ttestBF(x = sleep$extra[sleep$group == 1], y = sleep$extra[sleep$group == 2],
    #    paired = TRUE)  ->  "[1] Alt., r=0.707 : 17.25888 ±0%"  (BayesFactor 0.9.12-4.x; output
    #    recorded in several public R tutorials, e.g. the BayesFactor chapter of r-statistics.co).
    t = stats.ttest_rel(SLEEP_GROUP1, SLEEP_GROUP2).statistic
    res = jzs_ttest_bf(t, 10)
    assert res.bf10 == pytest.approx(17.25888, rel=1e-4)
    assert res.bf01 == pytest.approx(1 / 17.25888, rel=1e-4)


@pytest.mark.reference
def test_one_sample_sleep_drug2_matches_bayesfactor():
    # R: BayesFactor::ttestBF(x = sleep$extra[sleep$group == 2], mu = 0) -> "Alt., r=0.707 : 10.71554"
    # (same public tutorials as above).
    t = stats.ttest_1samp(SLEEP_GROUP2, 0.0).statistic
    assert jzs_ttest_bf(t, 10).bf10 == pytest.approx(10.71554, rel=1e-4)


@pytest.mark.reference
def test_one_sample_from_tstat_matches_bayesfactor():
    # R: BayesFactor::ttest.tstat(t = 6.8234, n1 = 50, simple = TRUE) -> 1021377
    # (BayesFactor 0.9.12-4.2; palpitation0/R-projects, Bayes-factor.md, commit d43971fc).
    assert jzs_ttest_bf(6.8234, 50).bf10 == pytest.approx(1021377, rel=1e-4)


@pytest.mark.reference
def test_two_sample_matches_pingouin_recorded_values():
    # pingouin/tests/test_bayesian.py (raphaelvallat/pingouin, commit 08eb979d): bayesfactor_ttest(3.5, 20, 20)
    # == 26.743 and bayesfactor_ttest(3.5, 20) == 17.185, stored to 3 decimals ("validated against JASP and
    # the BayesFactor R package") and compared there with abs = 1e-3; pingouin's own quadrature differs
    # from BayesFactor by ~2e-5 relative. Tolerance: pingouin's 1e-3 absolute (< 4e-5 relative).
    assert jzs_ttest_bf(3.5, 20, 20).bf10 == pytest.approx(26.743, abs=1e-3)
    assert jzs_ttest_bf(3.5, 20).bf10 == pytest.approx(17.185, abs=1e-3)


@pytest.mark.reference
def test_anova_two_groups_matches_bayesfactor():
    # R: BayesFactor::oneWayAOV.Fstat(F = 10.08, N = 25, J = 2, simple = TRUE) -> 14.10317
    # (BayesFactor 0.9.12-4.2; palpitation0/R-projects, Bayes-factor.md, commit d43971fc).
    assert jzs_anova_bf(10.08, 2, 25).bf10 == pytest.approx(14.10317, rel=1e-4)
    # R: oneWayAOV.Fstat(2.5764, 72, 2)$bf -> -0.5450246 (log BF, rscale "medium"); forum.cogsci.nl
    # discussion 5350 "var.test and Bayes factors".
    assert jzs_anova_bf(2.5764, 2, 72).log_bf10 == pytest.approx(-0.5450246, abs=1e-6)


@pytest.mark.reference
def test_anova_grid_matches_bayesfactor():
    # R 4.0.5, BayesFactor 0.9.12.4.2 (vandenman/EqualitySampler.jl, test/test-bayesFactors.jl, commit 96d31b27):
    #   Map(function(...) oneWayAOV.Fstat(...)$bf, F = seq(0.2, 5, length.out = 50),
    #       N = floor(seq(5, 500, length.out = 50)), J = floor(seq(5, 12, length.out = 50)),
    #       rscale = seq(0.2, 5, length.out = 50))
    # Log Bayes factors; tolerance 1e-4 absolute on log BF (= 1e-4 relative on BF).
    expected = [
        -0.706030671019979, -1.62959342780057, -2.4799680965703, -3.25221442063222, -3.94080612321899,
        -4.54866081369211, -5.08282121362426, -6.52056092523155, -7.02271776214815, -7.46589743766432,
        -7.87926743256166, -8.22361953930493, -8.52816339966176, -8.79751191668703, -10.3788760944123,
        -10.6285659492446, -10.8487262038146, -11.0422505452206, -11.2116528699508, -11.359125615427,
        -11.5007823855227, -13.0682469925063, -13.1743708851499, -13.2625730645949, -13.3341999638837,
        -13.3904559907163, -13.4324221600269, -13.4610718936853, -14.9213385900277, -14.9261471031495,
        -14.9313077627387, -14.9116029313324, -14.8809210223282, -14.839886081655, -14.7890711544711,
        -16.0857630543688, -16.0080980681435, -15.9210972501016, -15.8252264739729, -15.7209179668227,
        -15.6194036629214, -15.4991375964277, -16.5931088259111, -16.4434782298928, -16.2864442888214,
        -16.1223221456341, -15.9514073971233, -15.7739776633015, -15.5902940044255, -16.4635769424055,
    ]
    k = np.arange(50)
    f = 0.2 + k * (4.8 / 49)
    n = np.floor(5 + k * (495 / 49)).astype(int)
    j = np.floor(5 + k * (7 / 49)).astype(int)
    r = 0.2 + k * (4.8 / 49)
    got = [jzs_anova_bf(a, int(c), int(b), r=d).log_bf10 for a, b, c, d in zip(f, n, j, r)]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-4)


@pytest.mark.reference
@pytest.mark.parametrize("t, n", [(0.0, 10), (1.3, 7), (2.9, 25), (4.5, 60)])
@pytest.mark.parametrize("r_anova", [0.5, 1.0])
def test_anova_two_groups_equals_ttest_with_sqrt2_scale(t, n, r_anova):
    # Identity (Rouder et al. 2012; BayesFactor R/anovaBF.R uses ttest.tstat(..., rscale = rscale*sqrt(2))
    # for two levels): with one orthonormal contrast theta, delta = sqrt(2)*theta, so the J = 2 ANOVA
    # BF with scale r equals the two-sample t BF with scale r*sqrt(2), F = t^2. Tolerance 1e-8 relative
    # (two different integrands, same quadrature).
    a = jzs_anova_bf(t * t, 2, n, r=r_anova)
    b = jzs_ttest_bf(t, n, n, r=r_anova * math.sqrt(2))
    assert a.log_bf10 == pytest.approx(b.log_bf10, abs=1e-8)


def test_sign_of_t_is_irrelevant_and_bf01_is_reciprocal():
    a, b = jzs_ttest_bf(2.2, 12, 15), jzs_ttest_bf(-2.2, 12, 15)
    assert a.log_bf10 == pytest.approx(b.log_bf10, abs=1e-12)
    assert a.bf01 * a.bf10 == pytest.approx(1.0, rel=1e-12)


def test_defaults_are_bayesfactor_medium():
    assert R_TTEST_MEDIUM == pytest.approx(math.sqrt(2) / 2)
    assert R_ANOVA_MEDIUM == 0.5
    assert jzs_ttest_bf(2.0, 20, 20).r == R_TTEST_MEDIUM
    assert jzs_anova_bf(2.0, 3, 10).r == R_ANOVA_MEDIUM


def test_n2_zero_or_one_is_one_sample():
    one = jzs_ttest_bf(2.5, 30)
    assert jzs_ttest_bf(2.5, 30, 0).bf10 == one.bf10
    assert jzs_ttest_bf(2.5, 30, 1).bf10 == one.bf10
    assert one.test == "ttest_one_sample"


def test_extreme_evidence_does_not_overflow():
    res = jzs_ttest_bf(40.0, 200, 200)
    assert math.isfinite(res.log_bf10) and res.log_bf10 > 100


def _mp_log_bf(t, n1, n2=None, r=R_TTEST_MEDIUM):
    """log BF10 of Rouder et al. (2009) eq. 1 by mpmath quadrature at 30 digits, straight from the formula:
    the integrand over g is evaluated with t² itself (no logs) in u = log g, the range cut into pieces of 2 from
    u = -40 to 60 past the knee N g r² = t²/ν. An independent route to the log-space quadrature of the package."""
    import mpmath as mp

    with mp.workdps(30):
        t = mp.mpf(t)
        n_eff = mp.mpf(n1) if n2 is None else mp.mpf(n1) * n2 / (n1 + n2)
        nu = n1 - 1 if n2 is None else n1 + n2 - 2
        r = mp.mpf(r)

        def integrand(u):
            g = mp.exp(u)
            a = 1 + n_eff * g * r**2
            return (a ** mp.mpf(-0.5) * (1 + t**2 / (a * nu)) ** (-(nu + 1) / mp.mpf(2))
                    * (2 * mp.pi) ** mp.mpf(-0.5) * g ** mp.mpf(-0.5) * mp.exp(-1 / (2 * g)))

        knee = max(mp.mpf(0), mp.log(t**2 / (nu * n_eff * r**2))) if t else mp.mpf(0)
        total = mp.quad(integrand, mp.linspace(-40, knee + 60, int(knee + 100) // 2 + 1))
        return float(mp.log(total) + (nu + 1) / mp.mpf(2) * mp.log(1 + t**2 / nu))


@pytest.mark.parametrize("t, n1, n2", [
    (50.0, 1000, 1000),   # issue 11: log BF = 805.7, beyond the float range
    (1e100, 10, None),    # used to give 564.9: the mode search stopped at log g = 60
    (1e308, 10, None),    # t² overflows a float: t enters through its log
    (1e100, 4, None),     # ν = 3: a flat-topped integrand from the prior's mode to the knee at log g ≈ 459
    (2.5, 30, None),
])
def test_log_bf_matches_high_precision_quadrature(t, n1, n2):
    # Independent reference: mpmath at 30 digits (_mp_log_bf). Tolerance 1e-9 relative on log BF10.
    assert jzs_ttest_bf(t, n1, n2).log_bf10 == pytest.approx(_mp_log_bf(t, n1, n2), rel=1e-9)


@pytest.mark.reference
def test_large_t_matches_bayesfactor():
    # R 4.x, BayesFactor 0.9.12-4.4 (Debian r-cran-bayesfactor), log BF in $bf:
    #   ttest.tstat(t = 50, n1 = 1000, n2 = 1000, rscale = 'medium')$bf -> 805.6973461908
    #     ("t is large; approximation invoked": BayesFactor's large-t approximation; tolerance 1e-6 absolute)
    #   oneWayAOV.Fstat(F = 2500, N = 1000, J = 2, rscale = 'medium')$bf -> 805.6973458005
    #     (its quadrature; the same Bayes factor by the J = 2 identity; tolerance 1e-9 absolute)
    res = jzs_ttest_bf(50.0, 1000, 1000)
    assert res.log_bf10 == pytest.approx(805.6973461908, abs=1e-6)
    assert res.log_bf10 == pytest.approx(805.6973458005, abs=1e-9)
    assert jzs_anova_bf(2500.0, 2, 1000).log_bf10 == pytest.approx(805.6973458005, abs=1e-9)


def test_anova_identity_holds_at_huge_f():
    # the J = 2 identity (above) where F = t² = 1e200 and 1e300 are far beyond the float range of the factor
    for t in (1e100, 1e150):
        a, b = jzs_anova_bf(t * t, 2, 30), jzs_ttest_bf(t, 30, 30, r=R_ANOVA_MEDIUM * math.sqrt(2))
        assert a.log_bf10 == pytest.approx(b.log_bf10, rel=1e-10)


def test_overflowing_bayes_factor_is_flagged_with_its_log():
    # issue 11: `dprep bf ttest --t 50 --n1 1000 --n2 1000` printed bf10: null and nothing else
    res = jzs_ttest_bf(50.0, 1000, 1000)
    assert res.bf_overflow and res.bf10 is None and res.bf01 is None
    assert res.to_dict()["log_bf10"] == pytest.approx(805.6973458, abs=1e-6)
    small = jzs_ttest_bf(3.5, 20, 20)
    assert not small.bf_overflow and small.bf10 == pytest.approx(math.exp(small.log_bf10), rel=1e-14)


@pytest.mark.parametrize("r", [1e100, 1e200, 1e308])
def test_ttest_bf_with_a_huge_prior_scale_is_its_flat_prior_limit(r):
    # issue 11: r² overflowed (r = 1e308 ended in "The 'log_bf' parameter of bf_from_log must be a finite number").
    # As r → ∞ the Cauchy(0, r) density is 1/(πr) wherever the likelihood lives, so BF10·r tends to
    # ∫ nct(t; ν, λ) dλ / (π √N · t(t; ν)), here by SciPy's quadrature (N = n1 n2/(n1 + n2), ν = n1 + n2 − 2);
    # the remaining terms are O(1/r²).
    t, n1, n2 = 2.1, 20, 22
    n, nu = n1 * n2 / (n1 + n2), n1 + n2 - 2
    mass, _ = integrate.quad(lambda lam: stats.nct.pdf(t, nu, lam), -40, 40, epsabs=0, epsrel=1e-12, limit=200)
    limit = math.log(mass / (math.pi * math.sqrt(n) * stats.t.pdf(t, nu)))
    res = jzs_ttest_bf(t, n1, n2, r=r)
    assert res.log_bf10 + math.log(r) == pytest.approx(limit, abs=1e-9) and res.r == r


def test_bf_from_log_is_a_float_exactly_while_both_directions_are():
    assert bf_from_log(LOG_FLOAT_MAX) == (pytest.approx(1.7976931348623157e308), pytest.approx(5.56268464626801e-309),
                                         False)
    assert bf_from_log(-700.0)[:2] == (pytest.approx(math.exp(-700.0)), pytest.approx(math.exp(700.0)))
    assert bf_from_log(LOG_FLOAT_MAX * (1 + 1e-12)) == (None, None, True)
    assert bf_from_log(-800.0) == (None, None, True)
    with pytest.raises(ValueError, match="'log_bf' parameter of bf_from_log"):
        bf_from_log(float("inf"))


@pytest.mark.parametrize("kwargs, name", [
    ({"t": float("nan"), "n1": 10}, "t"),
    ({"t": float("inf"), "n1": 10}, "t"),
    ({"t": 1.0, "n1": 1}, "n1"),
    ({"t": 1.0, "n1": 10, "n2": 2.5}, "n2"),
    ({"t": 1.0, "n1": 10, "r": 0.0}, "r"),
])
def test_ttest_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=f"The '{name}' parameter of jzs_ttest_bf"):
        jzs_ttest_bf(**kwargs)


@pytest.mark.parametrize("args, kwargs, name", [
    ((-1.0, 3, 10), {}, "f"),
    ((1.0, 1, 10), {}, "groups"),
    ((1.0, 3, 1), {}, "n_per_group"),
    ((1.0, 3, 10), {"r": -1.0}, "r"),
])
def test_anova_rejects_bad_input(args, kwargs, name):
    with pytest.raises(ValueError, match=f"The '{name}' parameter of jzs_anova_bf"):
        jzs_anova_bf(*args, **kwargs)


def test_to_dict_round_trip():
    d = jzs_anova_bf(3.0, 3, 10).to_dict()
    assert set(d) >= {"bf10", "bf01", "log_bf10", "r", "n", "test"}
    assert d["n"] == {"groups": 3, "n_per_group": 10, "df1": 2, "df2": 27}


@pytest.mark.parametrize("t, n1, n2, df", [(2.142, 10, 10, None), (2.142, 10, 10, 27), (-0.93, 13, 13, None),
                                            (3.1, 25, None, None)])
def test_g_integral_equals_noncentral_t_likelihood_average(t, n1, n2, df):
    # Identity (independent route): the JZS BF equals the noncentral-t likelihood of t averaged over
    # delta ~ Cauchy(0, r), divided by the central-t likelihood:
    #   BF10 = ∫ nct(t; nu, delta*sqrt(N)) Cauchy(delta; 0, r) d delta / t_nu(t).
    # Integrated over delta with scipy.stats.nct; tolerance 1e-7 relative.
    from scipy import integrate

    r = math.sqrt(2) / 2
    n_eff = n1 if n2 is None else n1 * n2 / (n1 + n2)
    nu = df if df is not None else (n1 - 1 if n2 is None else n1 + n2 - 2)
    num = integrate.quad(lambda d: stats.nct.pdf(t, nu, d * math.sqrt(n_eff)) * stats.cauchy.pdf(d, 0, r),
                         -80, 80, points=[-1, 0, 1, 2], limit=500, epsabs=0, epsrel=1e-11)[0]
    ref = num / stats.t.pdf(t, nu)
    assert jzs_ttest_bf(t, n1, n2, df=df).bf10 == pytest.approx(ref, rel=1e-7)


@pytest.mark.reference
@pytest.mark.parametrize("bf10, expected", [
    # Lee & Wagenmakers (2013), Table 7.1: 1–3 anecdotal, 3–10 moderate, 10–30 strong, 30–100 very strong,
    # > 100 extreme; the same labels for BF01 = 1/BF10 on the side of H0.
    (2.0, ("anecdotal", "H1")), (3.0, ("moderate", "H1")), (29.9, ("strong", "H1")), (30.0, ("very strong", "H1")),
    (150.0, ("extreme", "H1")), (1 / 12, ("strong", "H0")), (0.5, ("anecdotal", "H0")),
])
def test_evidence_category_follows_lee_and_wagenmakers(bf10, expected):
    assert evidence_category(bf10) == expected
