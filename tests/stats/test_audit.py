"""Tests of dprep.stats.audit: statcheck's recorded classifications, and the audit of the project's
reported tests (every expected number recomputed here by hand from the quoted values)."""

import math
import re

import pandas as pd
import pytest

from dprep.stats import audit as au
from dprep.stats import sumstats

# Copies of data/raw/reported_tests.csv and rows of data/raw/group_summaries.csv, embedded so that a change
# of the project's data does not silently change what these tests check.
REPORTED_TESTS = r"""study_id,test_id,description,measure,comparison,statistic,value,df1,df2,p_reported,effect_size,effect_value,es_ci_low,es_ci_high,source,locator,tier,quote
EKT1993_S1,ekt_best_vs_good,accumulated practice alone by age 18,accumulated_practice_alone_by_age_18,best vs good,F,4.59,1,27,<.05,,,,,doi:10.1037/0033-295X.100.3.363,p. 379,secondary-verbatim,"7,410 hr ... reliably different from 5,301 hr ... F(1, 27) = 4.59, p < .05"
EKT1993_S1,ekt_top_vs_teachers,accumulated practice alone by age 18,accumulated_practice_alone_by_age_18,best and good combined vs music teachers (contrast wording elided in the quote),F,11.86,1,27,<.01,,,,,doi:10.1037/0033-295X.100.3.363,p. 379,secondary-verbatim,"music teachers, who had accumulated 3,420 hr of practice by age 18, F(1, 27) = 11.86, p < .01"
EKT1993_S1,ekt_eta2_as_restated,variance explained by the original comparison as restated by the replication authors,,best and good combined vs music teachers,,,,,,eta_squared,0.48,,,doi:10.1098/rsos.190327,section 4,secondary-verbatim,"Ericsson et al.'s comparison of practice alone between the best and good violinists combined as a single group and the less accomplished violinists explained 48% of the variance in performance."
EKT1993_S2,ekt_pianists,accumulated practice alone by age 18,accumulated_practice_alone_by_age_18,expert vs amateur pianists,F,26.29,1,22,<.001,,,,,doi:10.1037/0033-295X.100.3.363,p. 383,secondary-summary,
MM2019,mm_best_vs_good,accumulated practice alone by age 18,accumulated_practice_alone_by_age_18,best vs good,t,-0.93,,24,0.364,cohens_d,-0.38,,,doi:10.1098/rsos.190327,section 3.5,secondary-verbatim,"the best violinists (M = 8224 ...) had not accumulated significantly more practice alone by age 18 than the good violinists (M = 9844 ...), t24 = -0.93, p = 0.364, d = -0.38"
MM2019,mm_three_groups,accumulated practice alone by age 18,accumulated_practice_alone_by_age_18,three groups,chi2,13.90,2,,0.001,eta_squared,0.26,0.03,0.44,doi:10.1098/rsos.190327,section 3.5,secondary-verbatim,"We found a significant effect of group for accumulated practice alone until age 18, chi2(2) = 13.90, p = 0.001, eta2 = 0.26"
MM2019,mm_teacher_designed,accumulated teacher-designed practice by age 18,,three groups,,,,,,eta_squared,0.23,0.02,0.41,doi:10.1098/rsos.190327,section 3.5,secondary-verbatim,"Accumulated amounts of practice alone (26%) and teacher-designed practice (23%) explained similar amounts of variance in performance"
MM2019,mm_alone_vs_teacher_r,correlation of accumulated practice alone with accumulated teacher-designed practice,,,r,0.72,,37,,,,,,doi:10.1098/rsos.190327,section 3.5,secondary-verbatim,r(37) = 0.72
MM2019,mm_estimate_vs_diary,retrospective weekly estimate vs diary-logged practice (estimates higher; bias did not differ across groups),,estimate vs diary,F,19.62,1,35,<0.001,,,,,doi:10.1098/rsos.190327,section 3.4,secondary-verbatim,"F(1,35) = 19.62, p < 0.001"
"""

GROUP_SUMMARIES = r"""study_id,study,sample,group,n,measure,mean,sd,unit,source,locator,tier,note
EKT1993_S1,"Ericsson, Krampe & Tesch-Romer (1993) Study 1",violin students (Berlin music academy),best,10,accumulated_practice_alone_by_age_18,7410,,hours,doi:10.1037/0033-295X.100.3.363,p. 379,secondary-verbatim,SD not reported in any source reachable here
EKT1993_S1,"Ericsson, Krampe & Tesch-Romer (1993) Study 1",violin students (Berlin music academy),good,10,accumulated_practice_alone_by_age_18,5301,,hours,doi:10.1037/0033-295X.100.3.363,p. 379,secondary-verbatim,
EKT1993_S1,"Ericsson, Krampe & Tesch-Romer (1993) Study 1",violin students (Berlin music academy),music_teachers,10,accumulated_practice_alone_by_age_18,3420,,hours,doi:10.1037/0033-295X.100.3.363,p. 379,secondary-verbatim,the "less accomplished" group of the replication corresponds to this group
EKT1993_S2,"Ericsson, Krampe & Tesch-Romer (1993) Study 2",pianists,expert,,accumulated_practice_alone_by_age_18,7606,,hours,doi:10.1037/0033-295X.100.3.363,p. 383,secondary-summary,group sizes not found; error df 22 implies N = 24 for two groups
EKT1993_S2,"Ericsson, Krampe & Tesch-Romer (1993) Study 2",pianists,amateur,,accumulated_practice_alone_by_age_18,1606,,hours,doi:10.1037/0033-295X.100.3.363,p. 383,secondary-summary,
MM2019,"Macnamara & Maitra (2019)",violin students (Cleveland Institute of Music; Case Western Reserve University),best,13,accumulated_practice_alone_by_age_18,8224,,hours,doi:10.1098/rsos.190327,section 3.5,secondary-verbatim,preregistered (osf.io/khjs7; osf.io/jyn5w); double-blind procedure
MM2019,"Macnamara & Maitra (2019)",violin students (Cleveland Institute of Music; Case Western Reserve University),good,13,accumulated_practice_alone_by_age_18,9844,,hours,doi:10.1098/rsos.190327,section 3.5,secondary-verbatim,the good group accumulated MORE than the best group
MM2019,"Macnamara & Maitra (2019)",violin students (Cleveland Institute of Music; Case Western Reserve University),less_accomplished,13,accumulated_practice_alone_by_age_18,,,hours,doi:10.1098/rsos.190327,,not-found,mean not found; press reports ~6000 h by age 20 vs ~11000 h for best and good
"""


def frame(text: str) -> pd.DataFrame:
    import io

    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def result():
    return au.audit(frame(REPORTED_TESTS), frame(GROUP_SUMMARIES))


def row_of(res, test_id):
    table = res.tests.set_index("test_id")
    return table.loc[test_id]


def statcheck_rows(cases):
    """Reported-tests table from (statistic, value, df1, df2, p) tuples."""
    rows = []
    for i, (stat, value, df1, df2, p) in enumerate(cases):
        rows.append({c: "" for c in au.TEST_COLUMNS} | {
            "study_id": "s", "test_id": f"t{i}", "statistic": stat, "value": value,
            "df1": df1, "df2": df2, "p_reported": p})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------- statcheck reference cases
# R: statcheck tests/testthat/test-decisionerror.R, "simple decision errors are classified as
# such": expect_true(statcheck(txt)$DecisionError) for each text below (α = .05).
STATCHECK_DECISION_ERRORS = [
    ("t", "2.20", "", "28", ".06"),      # "t(28) = 2.20, p = .06"
    ("t", "1.20", "", "28", ".03"),      # "t(28) = 1.20, p = .03"
    ("F", "22.20", "2", "28", ".06"),    # "F(2, 28) = 22.20, p = .06"
    ("F", "2.20", "2", "28", ".03"),     # "F(2, 28) = 2.20, p = .03"
    ("r", ".22", "", "28", ".03"),       # "r(28) = .22, p = .03"
    ("r", ".52", "", "28", ".06"),       # "r(28) = .52, p = .06"
    ("chi2", "2.20", "28", "", ".03"),   # "chi2(28) = 2.20, p = .03"
    ("chi2", "52.20", "28", "", ".06"),  # "chi2(28) = 52.20, p = .06"
    ("z", "1.20", "", "", ".03"),        # " z = 1.20, p = .03"
    ("z", "2.20", "", "", ".06"),        # " z = 2.20, p = .06"
]


@pytest.mark.reference
def test_statcheck_simple_decision_errors():
    res = au.audit(statcheck_rows(STATCHECK_DECISION_ERRORS))
    assert list(res.tests["verdict"]) == ["decision_error"] * len(STATCHECK_DECISION_ERRORS)


# R: statcheck tests/testthat/test-error.R:
#   statcheck("The effect was very significant (t(48) = 1.02, p < .05)") -> Error TRUE, DecisionError TRUE
@pytest.mark.reference
def test_statcheck_error_t48():
    res = au.audit(statcheck_rows([("t", "1.02", "", "48", "< .05")]))
    assert res.tests["verdict"].iloc[0] == "decision_error"


# R: statcheck test-decisionerror.R, alpha and pEqualAlphaSig blocks:
#   statcheck("t(28) = 2.20, p = .11", alpha = .10)$DecisionError  TRUE
#   statcheck("t(28) = 1.20, p = .09", alpha = .10)$DecisionError  TRUE
#   statcheck("t(28) = 5.20, p = .02", alpha = .01)$DecisionError  TRUE
#   statcheck("t(28) = 1.20, p = .005", alpha = .01)$DecisionError TRUE
#   statcheck("t(28) = 2.20, p = .05")$DecisionError               FALSE (p = α counts as significant)
#   statcheck("t(28) = 2.20, p = .10", alpha = .10)$DecisionError  FALSE
@pytest.mark.reference
@pytest.mark.parametrize(
    "value, p, alpha, verdict",
    [("2.20", ".11", 0.10, "decision_error"), ("1.20", ".09", 0.10, "decision_error"),
     ("5.20", ".02", 0.01, "decision_error"), ("1.20", ".005", 0.01, "decision_error"),
     ("2.20", ".05", 0.05, "inconsistent"), ("2.20", ".10", 0.10, "inconsistent")],
)
def test_statcheck_alpha_levels(value, p, alpha, verdict):
    res = au.audit(statcheck_rows([("t", value, "", "28", p)]), alpha=alpha)
    assert res.tests["verdict"].iloc[0] == verdict


# R: statcheck test-decisionerror.R, exact / "<" / ">" blocks with t.04 = qt(.04/2, 28,
# lower.tail = FALSE) etc. pasted with full precision (pEqualAlphaSig = TRUE):
#   "t(28) = t.04, p = .04" FALSE   "t(28) = t.06, p = .04" TRUE   "t(28) = t.06, p = .05" TRUE
#   "t(28) = t.04, p = .06" TRUE    "t(28) = t.06, p = .06" FALSE
#   "t(28) = t.04, p < .05" FALSE   "t(28) = t.06, p < .05" TRUE   "t(28) = t.04, p < .06" FALSE
#   "t(28) = t.04, p > .05" TRUE    "t(28) = t.06, p > .05" FALSE  "t(28) = t.04, p > .06" TRUE
@pytest.mark.reference
@pytest.mark.parametrize(
    "p_of_t, p, decision_error",
    [(.04, "= .04", False), (.06, "= .04", True), (.06, "= .05", True), (.04, "= .06", True), (.06, "= .06", False),
     (.04, "< .05", False), (.06, "< .05", True), (.04, "< .06", False),
     (.04, "> .05", True), (.06, "> .05", False), (.04, "> .06", True)],
)
def test_statcheck_boundary_cases(p_of_t, p, decision_error):
    from scipy import stats

    t = f"{stats.t.isf(p_of_t / 2, 28):.15g}"
    verdict = au.audit(statcheck_rows([("t", t, "", "28", p)])).tests["verdict"].iloc[0]
    assert (verdict == "decision_error") is decision_error


# ------------------------------------------------------------------- the project's table
def test_every_row_has_the_expected_verdict(result):
    expected = {
        "ekt_best_vs_good": "consistent",
        "ekt_top_vs_teachers": "consistent",
        "ekt_eta2_as_restated": "inconsistent",
        "ekt_pianists": "consistent",
        "mm_best_vs_good": "consistent",
        "mm_three_groups": "consistent",
        "mm_teacher_designed": "consistent",
        "mm_alone_vs_teacher_r": "not_checkable",
        "mm_estimate_vs_diary": "consistent",
    }
    assert dict(zip(result.tests["test_id"], result.tests["verdict"])) == expected
    assert result.tests["explanation"].str.len().min() > 40


def test_recomputed_p_values(result):
    from scipy import stats

    # F(1, df) p equals the two-tailed t(df) p at √F (different code path)
    assert row_of(result, "ekt_best_vs_good")["recomputed_p"] == pytest.approx(2 * stats.t.sf(math.sqrt(4.59), 27), rel=1e-9)
    assert row_of(result, "mm_best_vs_good")["recomputed_p"] == pytest.approx(2 * stats.t.sf(0.93, 24), rel=1e-9)
    # χ²(2) upper tail is exp(−x/2)
    r = row_of(result, "mm_three_groups")
    assert r["recomputed_p"] == pytest.approx(math.exp(-13.90 / 2), rel=1e-9)
    assert (r["recomputed_p_lb"], r["recomputed_p_ub"]) == (
        pytest.approx(math.exp(-13.905 / 2), rel=1e-9), pytest.approx(math.exp(-13.895 / 2), rel=1e-9))
    t_r = 0.72 * math.sqrt(37 / (1 - 0.72**2))
    assert row_of(result, "mm_alone_vs_teacher_r")["recomputed_p"] == pytest.approx(2 * stats.t.sf(t_r, 37), rel=1e-9)


def test_ekt_contrasts_share_one_mse(result):
    derived = result.derived
    mse = derived[derived["quantity"] == "MSE"].set_index(derived[derived["quantity"] == "MSE"]["source_tests"].str[0])
    # L² / (F Σc²/n): best − good L = 2109, Σc²/n = 2/10; ½(best + good) − teachers L = 2935.5, Σc²/n = 1.5/10
    assert mse.loc["ekt_best_vs_good", "value"] == pytest.approx(2109**2 / (4.59 * 0.2), rel=1e-12)
    assert mse.loc["ekt_top_vs_teachers", "value"] == pytest.approx(2935.5**2 / (11.86 * 0.15), rel=1e-12)
    check = next(c for c in row_of(result, "ekt_best_vs_good")["checks"] if c["name"] == "shared MSE")
    assert check["outcome"] == "consistent" and check["detail"]["overlap"] is True


def test_restated_eta2_candidates(result):
    r = row_of(result, "ekt_eta2_as_restated")
    candidates = next(c for c in r["checks"] if c["name"] == "effect size")["detail"]["candidates"]
    mse = 2935.5**2 / (11.86 * 0.15)
    ss_between = 10 * sum((m - 5377) ** 2 for m in (7410, 5301, 3420))
    ss_total = ss_between + 27 * mse
    expected = sorted([11.86 / (11.86 + 27), 2935.5**2 / 0.15 / ss_total, 20 * 10 / 30 * 2935.5**2 / ss_total,
                       ss_between / ss_total])
    assert sorted(v[0] for v in candidates.values()) == pytest.approx(expected, rel=1e-9)
    assert all(abs(v - 0.48) > 0.05 for v in expected)
    assert r["es_definition"] == "none"


def test_mm_d_matches_the_2t_over_root_df_formula(result):
    r = row_of(result, "mm_best_vs_good")
    assert r["es_definition"] == "d = 2t/√df"
    assert r["recomputed_es"] == pytest.approx(2 * -0.93 / math.sqrt(24), rel=1e-12)
    d_standard = -0.93 * math.sqrt(2 / 13)
    assert round(d_standard, 2) != -0.38


def test_mm_eta2_ci_convention(result):
    for tid in ("mm_three_groups", "mm_teacher_designed"):
        assert row_of(result, tid)["ci_convention"] == "95% two-sided, λ/(λ + N)"


def test_mm_eta2_is_not_rank_based(result):
    r = row_of(result, "mm_three_groups")
    check = next(c for c in r["checks"] if c["name"] == "effect size")
    assert check["outcome"] == "not_checkable"
    values = sorted(v[0] for v in check["detail"]["candidates"].values())
    assert values == pytest.approx(sorted([(13.90 - 3 + 1) / (39 - 3), 13.90 / 38]), rel=1e-12)


def test_missing_mean_solutions_reproduce_eta2(result):
    derived = result.derived
    pooled = derived[(derived["quantity"] == "pooled SD") & (derived["study_id"] == "MM2019")]["value"].iloc[0]
    assert pooled == pytest.approx(1620 / (0.93 * math.sqrt(2 / 13)), rel=1e-12)
    sols = derived[derived["quantity"] == "mean of less_accomplished"]
    assert len(sols) == 2
    for value in sols["value"]:
        eta2 = sumstats.one_way_anova([13, 13, 13], [8224, 9844, value], [pooled] * 3).eta2
        assert eta2 == pytest.approx(0.26, rel=1e-9)
    assert all(any("two roots" in a for a in assumptions) for assumptions in sols["assumptions"])


def test_pianists_sizes_inferred_from_df(result):
    derived = result.derived
    mse = derived[(derived["study_id"] == "EKT1993_S2") & (derived["quantity"] == "MSE")].iloc[0]
    assert mse["value"] == pytest.approx(6000**2 / (26.29 * 2 / 12), rel=1e-12)
    assert any("n = 12 inferred from error df 22" in a for a in mse["assumptions"])


# ------------------------------------------------------------------------- options and input
def test_without_groups_cross_checks_are_not_checkable():
    res = au.audit(frame(REPORTED_TESTS))
    verdicts = dict(zip(res.tests["test_id"], res.tests["verdict"]))
    assert verdicts["ekt_eta2_as_restated"] == "not_checkable"
    assert verdicts["mm_teacher_designed"] == "not_checkable"
    assert verdicts["mm_best_vs_good"] == "consistent"  # d still checkable with n = 13 from df = 24
    assert res.derived.empty


def test_rounding_matters():
    # t(24) = 0.93 exactly gives p = .3616, which does not round to the reported .364
    res = au.audit(frame(REPORTED_TESTS), frame(GROUP_SUMMARIES), rounding=False)
    assert row_of(res, "mm_best_vs_good")["verdict"] == "inconsistent"


@pytest.mark.parametrize(
    "text, comparison, value, decimals",
    [("0.364", "=", 0.364, 3), ("<.05", "<", 0.05, 2), ("p < 0.001", "<", 0.001, 3), ("> .10", ">", 0.10, 2)],
)
def test_parse_p(text, comparison, value, decimals):
    p = au.parse_p(text)
    assert (p.comparison, p.value, p.decimals) == (comparison, pytest.approx(value), decimals)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda d: d.drop(columns=["p_reported"]), "missing required column\\(s\\) 'p_reported'"),
        (lambda d: d.assign(value=d["value"].where(d.index != 1, "11.8x")), "row 2 \\(file line 3; 'ekt_top_vs_teachers'\\), column 'value'"),
        (lambda d: d.assign(statistic=d["statistic"].where(d.index != 0, "W")), "row 1 .* column 'statistic'"),
        (lambda d: d.assign(p_reported=d["p_reported"].where(d.index != 0, "<<.05")), "column 'p_reported'"),
    ],
)
def test_bad_input_names_row_and_column(edit, match):
    with pytest.raises(au.AuditInputError, match=match):
        au.audit(edit(frame(REPORTED_TESTS)))


def test_bad_group_summaries():
    groups = frame(GROUP_SUMMARIES)
    groups.loc[0, "n"] = "ten"
    with pytest.raises(au.AuditInputError, match="column 'n'"):
        au.audit(frame(REPORTED_TESTS), groups)


@pytest.mark.parametrize("n", ["0", "-3", "2.5", "0.5"])
def test_a_group_size_is_a_whole_number_of_at_least_one(n):
    # issue 11: n = 0 was accepted (and 2.5 read as 2); GRIM and d = t·√(1/n1 + 1/n2) divide by n
    groups = frame(GROUP_SUMMARIES)
    groups.loc[1, "n"] = n
    with pytest.raises(au.AuditInputError, match=rf"row 2 \(file line 3; '{groups.loc[1, 'group']}'\), column 'n': a "
                                                 rf"group size must be a whole number ≥ 1, got '{re.escape(n)}'"):
        au.validate_group_summaries(groups)
    groups.loc[1, "n"] = "1"
    assert au.validate_group_summaries(groups).loc[1, "n"] == "1"


def test_eta2_reported_with_an_f_statistic():
    # F(2, 36) = 6.32 → η² = 12.64 / 48.64 = .260 (matches .26, not .30); p = .0044
    rows = statcheck_rows([("F", "6.32", "2", "36", "0.004"), ("F", "6.32", "2", "36", "0.004")])
    rows["effect_size"] = "eta_squared"
    rows["effect_value"] = [".26", ".30"]
    rows["es_ci_low"], rows["es_ci_high"] = [".03", ".10"], [".44", ".44"]
    res = au.audit(rows)
    assert list(res.tests["verdict"]) == ["consistent", "inconsistent"]
    assert res.tests["recomputed_es"].iloc[0] == pytest.approx(12.64 / 48.64, rel=1e-12)
    assert res.tests["es_definition"].iloc[0].startswith("η² = F·df1")
    assert res.tests["ci_convention"].iloc[0] == "95% two-sided, λ/(λ + N)"
    assert res.tests["ci_convention"].iloc[1] == "none"


def test_a_p_value_that_cannot_be_computed_is_not_checkable():
    # issue 11: `dprep audit` called F(1, 0) = 4.59, p < .05 "consistent" with a recomputed p of NaN
    rows = statcheck_rows([("F", "4.59", "1", "0", "<.05"), ("t", "2.1", "", "0", "<.05"),
                           ("F", "4.59", "0.5", "27", "<.05"), ("chi2", "4.59", "0", "", "<.05"),
                           ("F", "4.59", "1", "27", "<.05")])
    res = au.audit(rows).tests
    assert list(res["verdict"]) == ["not_checkable"] * 4 + ["consistent"]
    for text in res["explanation"][:4]:
        assert "cannot be recomputed" in text and "must be a number ≥ 1 (degrees of freedom)" in text
    assert res["recomputed_p"][:4].isna().all()


def test_an_effect_size_that_cannot_be_computed_is_not_checkable():
    # df2 = 0: η² = F·df1/(F·df1 + 0) would be 1 for any F, and d = 2t/√df undefined; a reported η² so close to
    # 1 that the F it implies is beyond the noncentral-F limit: no CI. Each says why; none is (in)consistent.
    rows = statcheck_rows([("F", "4.59", "1", "0", "<.05"), ("t", "2.1", "", "0", "<.05"),
                           ("F", "2000000000", "1", "30", "<.001")])
    rows["effect_size"] = ["partial_eta_squared", "cohens_d", "partial_eta_squared"]
    rows["effect_value"] = ["0.2", "0.5", "0.9999999999"]
    rows["es_ci_low"], rows["es_ci_high"] = ["0.01", "", "0.99"], ["0.4", "", "1.00"]
    res = au.audit(rows).tests
    assert list(res["verdict"][:2]) == ["not_checkable"] * 2
    assert "eta2_from_f must be a finite number > 0" in res["explanation"][0]
    assert "cohens_d_from_t_df" in res["explanation"][1]
    checks = {c["name"]: c["outcome"] for c in res["checks"][2]}
    assert checks["effect-size CI"] == "not_checkable" and res["ci_convention"][2] == "none"
    assert "not accurate enough to invert" in res["explanation"][2]


def test_header_only_table_is_refused():
    with pytest.raises(au.AuditInputError, match="no data rows"):
        au.audit(frame(REPORTED_TESTS.splitlines()[0] + "\n"))
