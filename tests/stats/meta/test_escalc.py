"""Tests of dprep.stats.meta.escalc against metafor 3.8-1.

Reference values: ``tests/reference/escalc_metafor.json``, written by ``tests/reference/escalc.R`` from the
CSVs of that folder (``datasets.R``); each entry stores the exact R call beside its values. Closed forms:
relative tolerance 1e-10 (the formulas are the same; only floating-point order differs).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dprep.stats import meta

REF_DIR = Path(__file__).parents[2] / "reference"
REF = json.loads((REF_DIR / "escalc_metafor.json").read_text())
RTOL = 1e-10
DATA = {"normand": pd.read_csv(REF_DIR / "normand1999.csv"), "curtis": pd.read_csv(REF_DIR / "curtis1998.csv"),
        "niel": pd.read_csv(REF_DIR / "nielweise2007.csv"), "molloy": pd.read_csv(REF_DIR / "molloy2014.csv"),
        "music": pd.read_csv(REF_DIR / "music_correlations.csv").rename(columns={"r": "ri", "n": "ni"}),
        "bcg": pd.read_csv(REF_DIR / "bcg_counts.csv").eval("ai = tpos\nci = cpos\nn1i = tpos + tneg\nn2i = cpos + cneg")}
MEANS = dict(m1i="m1i", sd1i="sd1i", n1i="n1i", m2i="m2i", sd2i="sd2i", n2i="n2i")


def check(es, ref):
    assert es.yi == pytest.approx(ref["yi"], rel=RTOL), ref["call"]
    assert es.vi == pytest.approx(ref["vi"], rel=RTOL), ref["call"]


@pytest.mark.reference
@pytest.mark.parametrize("name", ["normand", "curtis"])
@pytest.mark.parametrize("measure", ["SMD", "MD"])
def test_two_group_means(name, measure):
    # reference: REF[f"{name}_{measure}"], escalc(measure, m1i=..., data=dat.normand1999 / dat.curtis1998)
    check(meta.escalc(measure, data=DATA[name], **MEANS), REF[f"{name}_{measure}"])


@pytest.mark.reference
@pytest.mark.parametrize("name", ["normand", "curtis"])
def test_cohens_d(name):
    # reference: REF[f"{name}_cohen_d"], metafor's SMD / .cmicalc(n1i + n2i - 2) with its LS variance
    es = meta.escalc("SMD", data=DATA[name], correct=False, **MEANS)
    check(es, REF[f"{name}_cohen_d"])
    assert es.scale == "Cohen's d"


@pytest.mark.reference
@pytest.mark.parametrize("name", ["normand", "curtis"])
@pytest.mark.parametrize("statistic", ["ti", "fi", "pi"])
def test_smd_from_test_statistics(name, statistic):
    # reference: REF[f"{name}_t"], escalc('SMD', ti=ti, n1i=n1i, n2i=n2i) with ti the pooled-SD t of each study;
    # F = t² and the two-sided p carry no sign, given by 'sign'
    ref = REF[f"{name}_t"]
    d = DATA[name]
    extra = {} if statistic == "ti" else {"sign": ref["sign"]}
    es = meta.escalc("SMD", n1i=d["n1i"], n2i=d["n2i"], **{statistic: ref[statistic]}, **extra)
    assert es.yi == pytest.approx(ref["yi"], rel=RTOL) and es.vi == pytest.approx(ref["vi"], rel=RTOL)


@pytest.mark.reference
@pytest.mark.parametrize("name", ["bcg", "niel"])
@pytest.mark.parametrize("measure", ["OR", "RR", "RD"])
@pytest.mark.parametrize("to", ["only0", "all"])
def test_two_by_two_tables(name, measure, to):
    # reference: REF[f"{name}_{measure}[_all]"], escalc(measure, ai=ai, n1i=n1i, ci=ci, n2i=n2i, to=to); the
    # Niel-Weise trials have zero cells (one with both arms at 0), where the ½ correction matters
    es = meta.escalc(measure, data=DATA[name], ai="ai", n1i="n1i", ci="ci", n2i="n2i", to=to)
    check(es, REF[f"{name}_{measure}" + ("_all" if to == "all" else "")])


def test_two_by_two_from_all_four_cells_equals_from_group_sizes():
    d = DATA["niel"]
    by_n = meta.escalc("OR", ai=d["ai"], n1i=d["n1i"], ci=d["ci"], n2i=d["n2i"])
    by_cells = meta.escalc("OR", ai=d["ai"], bi=d["n1i"] - d["ai"], ci=d["ci"], di=d["n2i"] - d["ci"])
    assert by_cells.yi == pytest.approx(by_n.yi, rel=1e-15) and by_cells.vi == pytest.approx(by_n.vi, rel=1e-15)
    raw = meta.escalc("OR", ai=d["ai"], n1i=d["n1i"], ci=d["ci"], n2i=d["n2i"], to="none")
    assert np.isinf(raw.yi[0]) and np.isfinite(raw.yi[1])  # no correction: log(0) for a zero cell


@pytest.mark.reference
@pytest.mark.parametrize("name", ["molloy", "music"])
@pytest.mark.parametrize("measure", ["COR", "ZCOR"])
def test_correlations(name, measure):
    # reference: REF[f"{name}_{measure}"], escalc(measure, ri=ri, ni=ni, data=dat.molloy2014 / music)
    check(meta.escalc(measure, data=DATA[name], ri="ri", ni="ni"), REF[f"{name}_{measure}"])


@pytest.mark.reference
@pytest.mark.parametrize("name", ["molloy", "music"])
@pytest.mark.parametrize("statistic", ["ti", "fi", "pi"])
def test_correlation_from_its_test(name, statistic):
    # reference: REF[f"{name}_t"]: t = r √((n-2)/(1-r²)) (and F = t², two-sided p) computed in R; r is recovered.
    # R's sign(0) = 0 (two r = 0 in Molloy et al.): any direction gives t = 0 there
    ref = REF[f"{name}_t"]
    extra = {} if statistic == "ti" else {"sign": [s or 1 for s in ref["sign"]]}
    es = meta.escalc("COR", ni=DATA[name]["ni"], **{statistic: ref[statistic]}, **extra)
    assert es.yi == pytest.approx(ref["ri"], rel=RTOL)
    assert es.vi == pytest.approx(REF[f"{name}_COR"]["vi"], rel=RTOL)


def test_zcor_is_escalc_zcor():
    d = DATA["music"]
    es = meta.escalc("ZCOR", ri=d["ri"], ni=d["ni"])
    yi, vi = meta.escalc_zcor(d["ri"], d["ni"])
    assert np.array_equal(es.yi, yi) and np.array_equal(es.vi, vi)
    assert list(es.to_frame().columns) == ["yi", "vi", "sei"] and es.to_dict()["measure"] == "ZCOR"


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"measure": "SMC"}, r"The 'measure' parameter of escalc must be one of 'SMD', 'MD'"),
    ({"measure": "SMD", "m1i": [1.0], "sd1i": [1.0], "n1i": [10], "m2i": [0.0], "n2i": [10]},
     r"The 'sd2i' parameter of escalc must be given for measure 'SMD'"),
    ({"measure": "SMD", "m1i": [1.0], "sd1i": [-1.0], "n1i": [10], "m2i": [0.0], "sd2i": [1.0], "n2i": [10]},
     r"The 'sd1i' parameter of escalc must be ≥ 0 in every study. Got -1 in study 1 instead."),
    ({"measure": "SMD", "ti": [2.0], "pi": [0.05], "n1i": [10], "n2i": [10]},
     r"exactly one of 'fi' or 'pi'"),
    ({"measure": "SMD", "pi": [1.5], "n1i": [10], "n2i": [10]}, r"The 'pi' parameter of escalc must be two-sided"),
    ({"measure": "SMD", "fi": [4.0], "sign": [2.0], "n1i": [10], "n2i": [10]}, r"only \+1 and -1"),
    ({"measure": "OR", "ai": [-1.0], "n1i": [10], "ci": [1.0], "n2i": [10]}, r"The 'ai' parameter of escalc must be ≥ 0"),
    ({"measure": "COR", "ri": [1.0], "ni": [10]}, r"lie strictly inside \(-1, 1\)"),
    ({"measure": "COR", "ri": [0.2, 0.3], "ni": [10]}, r"The 'ni' parameter of escalc must have length 2"),
])
def test_escalc_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        meta.escalc(**kwargs)


def test_smd_and_md_do_not_overflow_where_the_result_is_a_float():
    # six 1e308 (the fuzz row): d = 0, df = inf (J = 1), vi = 1/n1 + 1/n2 = 2e-308; second study as metafor's
    smd = meta.escalc("SMD", m1i=[1e308, 7410], sd1i=[1e308, 2100], n1i=[1e308, 10], m2i=[1e308, 5301],
                      sd2i=[1e308, 1900], n2i=[1e308, 10])
    alone = meta.escalc("SMD", m1i=[7410], sd1i=[2100], n1i=[10], m2i=[5301], sd2i=[1900], n2i=[10])
    assert smd.yi.tolist() == [0.0, alone.yi[0]] and smd.vi.tolist() == [2e-308, alone.vi[0]]
    # y = J(18)·1e150 (d = 1e150 exactly): vi = 0.2 + y²/40, y² beyond the float range on the way
    j = meta.escalc("SMD", m1i=[1.0], sd1i=[1.0], n1i=[10], m2i=[0.0], sd2i=[1.0], n2i=[10]).yi[0]
    big = meta.escalc("SMD", m1i=[1e150], sd1i=[1.0], n1i=[10], m2i=[0.0], sd2i=[1.0], n2i=[10])
    assert big.yi[0] == pytest.approx(j * 1e150, rel=1e-15)
    assert big.vi[0] == pytest.approx((j * 1e75) ** 2 / 40 * 1e150, rel=1e-14)
    md = meta.escalc("MD", m1i=[1e308], sd1i=[1e200], n1i=[1e100], m2i=[0.0], sd2i=[0.0], n2i=[10])
    assert md.yi[0] == 1e308 and md.vi[0] == pytest.approx(1e300, rel=1e-15)  # (1e200)²/1e100


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(measure="SMD", m1i=[0.0, 1e308], sd1i=[1.0, 2100], n1i=[10, 10], m2i=[0.0, 5301], sd2i=[1.0, 1900],
          n2i=[10, 10]),  # y = 4.8e304: y²/40 beyond the float range (vi was inf, printed null)
     r"The 'm1i' parameter of escalc must give a sampling variance within the float range \(vi ≤ 1.8e308\). "
     r"Got yi = 4.78226e\+304 and vi = inf in study 2 instead."),
    (dict(measure="SMD", m1i=[1e308], sd1i=[1.0], n1i=[10], m2i=[-1e308], sd2i=[1.0], n2i=[10]),
     r"Study 1: The 'mean1' parameter of cohens_d_from_means must differ from 'mean2' by at most 1.8e308"),
    (dict(measure="SMD", ti=[1e308], n1i=[10], n2i=[10]), r"The 'ti' parameter of escalc must give a sampling"),
    (dict(measure="MD", m1i=[1e308], sd1i=[1.0], n1i=[10], m2i=[-1e308], sd2i=[1.0], n2i=[10]),
     r"The 'm1i' parameter of escalc must give a mean difference within the float range .* Got yi = inf"),
    (dict(measure="MD", m1i=[1.0], sd1i=[1e308], n1i=[0.5], m2i=[0.0], sd2i=[1.0], n2i=[10]),
     r"The 'sd1i' parameter of escalc must give a sampling variance within the float range"),
    # r = t/√(t² + n − 2) with t² beyond the float range was 0; it is 1 to double precision, not a correlation
    (dict(measure="COR", ti=[1e200], ni=[10]), r"The 'ri' parameter of escalc must lie strictly inside \(-1, 1\)"),
    (dict(measure="ZCOR", ti=[-1e200], ni=[10]), r"The 'r' parameter of escalc_zcor must lie strictly inside"),
])
def test_escalc_refuses_a_result_beyond_the_float_range_naming_the_study(kwargs, match):
    with pytest.raises(ValueError, match=match):
        meta.escalc(**kwargs)

