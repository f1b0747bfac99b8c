"""Tests of dprep.stats.meta.selection (selmodel) against metafor 3.8-1 (numDeriv Hessian).

Reference values: ``tests/reference/bias_metafor.json``, written by ``tests/reference/bias.R``; each entry
stores its exact R call. metafor's optimiser is run under tight control (``reltol=1e-15``, gradient steps
``ndeps=1e-6``) and, for the beta model, ``integrate`` to 1e-12. Tolerance: 1e-4 relative (selection-model
estimates and standard errors, as the issue requires); the observed agreement is ~1e-6 or better.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from dprep.stats import meta

REF_DIR = Path(__file__).parents[2] / "reference"
REF = json.loads((REF_DIR / "bias_metafor.json").read_text())
RTOL = 1e-4



def _numbers(values):
    return np.array([math.nan if v == "NA" else v for v in np.atleast_1d(values)], dtype=float)


CASES = {"stepfun": dict(type="stepfun", steps=[0.025, 0.5, 1]),
         "stepfun_two": dict(type="stepfun", steps=[0.05, 1], alternative="two.sided"),
         "beta": dict(type="beta")}


@pytest.mark.reference
@pytest.mark.parametrize(("name", "case"), [(n, c) for n in ("hack", "music", "molloy") for c in CASES
                                            if f"{n}_{c}" in REF])
def test_selmodel_matches_metafor(name, case, effects):
    # reference: REF[f"{name}_{case}"], selmodel(rma(yi, vi, method='REML'), type=..., control=...) (see "call")
    ref = REF[f"{name}_{case}"]
    fit = meta.selmodel(meta.rma(*effects(name)), **CASES[case])
    assert fit.delta == pytest.approx(_numbers(ref["delta"]), rel=RTOL)
    free = ~np.array(fit.delta_fixed)
    assert fit.delta_se[free] == pytest.approx(_numbers(ref["delta_se"])[free], rel=RTOL)
    assert fit.estimate == pytest.approx(ref["beta"], rel=RTOL)
    assert fit.se[0] == pytest.approx(ref["se"], rel=RTOL)
    assert fit.tau2 == pytest.approx(ref["tau2"], rel=RTOL)
    assert fit.tau2_se == pytest.approx(ref["tau2_se"], rel=RTOL)
    assert fit.ll == pytest.approx(ref["ll"], rel=1e-6) and fit.ll0 == pytest.approx(ref["ll0"], rel=1e-6)
    assert fit.lrt == pytest.approx(ref["lrt"], rel=RTOL) and fit.lrt_df == ref["lrt_df"]
    assert fit.lrt_pval == pytest.approx(ref["lrt_pval"], rel=RTOL)
    if case.startswith("stepfun"):
        assert list(fit.k_per_interval) == ref["k_per_interval"]


@pytest.mark.reference
def test_stepfun_refuses_an_interval_without_p_values(effects):
    # reference: REF["music_empty_interval"]: metafor stops with "One or more intervals do not contain any
    # observed p-values"; dprep names the interval
    assert "do not contain any observed p-values" in REF["music_empty_interval"]["error"]
    with pytest.raises(ValueError, match=r"each contain an observed p-value. Got no p-value in \(0.001, 0.002\]"):
        meta.selmodel(meta.rma(*effects("music")), "stepfun", steps=[0.001, 0.002, 1])


def test_no_selection_step_function_reproduces_the_ml_fit(effects):
    # with one interval only (steps = 1) there is no selection parameter: the fit is the ML model itself
    yi, vi = effects("hack")
    sel = meta.selmodel(meta.rma(yi, vi), "stepfun", steps=[1.0])
    ml = meta.rma(yi, vi, method="ML")
    assert sel.estimate == pytest.approx(ml.estimate, rel=1e-6) and sel.tau2 == pytest.approx(ml.tau2, rel=1e-5)
    assert sel.lrt_df == 0 and sel.lrt == pytest.approx(0.0, abs=1e-8)


def test_fixed_effect_input_keeps_tau2_at_zero(effects):
    yi, vi = effects("music")
    sel = meta.selmodel(meta.rma(yi, vi, method="FE"), "stepfun", steps=[0.025, 1])
    assert sel.tau2 == 0.0 and math.isnan(sel.tau2_se)
    assert sel.model.method == "FE"


def test_result_dict_and_summary(effects):
    sel = meta.selmodel(meta.rma(*effects("music")), "stepfun", steps=[0.025, 0.5, 1])
    d = sel.to_dict()
    assert {"delta", "estimate", "se", "tau2", "lrt", "lrt_pval"} <= set(d)
    assert d["delta"][0] == 1.0 and d["delta_fixed"] == [True, False, False]
    assert "0.025 < p <= 0.5" in sel.summary()


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"type": "stepfun"}, r"The 'steps' parameter of selmodel must be given for type 'stepfun'"),
    ({"type": "stepfun", "steps": [0.5, 1.5]}, r"The 'steps' parameter of selmodel must lie in \(0, 1\]"),
    ({"type": "logistic"}, r"The 'type' parameter of selmodel must be one of 'stepfun', 'beta'"),
    ({"type": "beta", "alternative": "both"}, r"The 'alternative' parameter of selmodel must be one of"),
])
def test_selmodel_rejects_bad_input(kwargs, match, effects):
    with pytest.raises(ValueError, match=match):
        meta.selmodel(meta.rma(*effects("music")), **kwargs)


def test_too_few_studies():
    # as metafor: k must be at least the number of parameters (μ, τ², two free δ)
    with pytest.raises(ValueError, match=r"must have at least 4 studies for this selection model. Got k = 3"):
        meta.selmodel(meta.rma([0.5, 0.1, -0.2], [0.01, 0.02, 0.04]), "stepfun", steps=[0.025, 0.5, 1])
