"""Tests of dprep.stats.meta.smallstudy (trim-and-fill, Egger's regression test): the reproducers of issue
#12 and Egger's test with the sampling variance as predictor.

Reference values: ``tests/reference/meta_fixes.json`` (``meta_fixes.R``), ``trimfill_ties.json``
(``trimfill_ties.R``, also ``tol=1e-12``) and ``bias_metafor.json`` (``bias.R``), metafor 3.8-1 with
``control=list(threshold=1e-10, maxiter=1000)``; the call is stored beside each value.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from dprep.stats import meta

REF_DIR = Path(__file__).parents[2] / "reference"
FIXES = json.loads((REF_DIR / "meta_fixes.json").read_text())


@pytest.mark.reference
def test_trimfill_when_fisher_scoring_cycles():
    # issue #12, bug 1: on the augmented data plain Fisher scoring cycles (metafor needs stepadj = 0.5).
    # reference: FIXES["trimfill_cycling"]: trimfill(rma(yi, vi), control=list(stepadj=0.5, threshold=1e-10))
    ref = FIXES["trimfill_cycling"]
    tf = meta.trimfill(meta.rma(ref["yi"], ref["vi"]))
    assert (tf.k0, tf.side) == (ref["k0"], ref["side"])
    for key in ("estimate", "se", "ci_lb", "ci_ub"):
        value = tf.fit.estimate if key == "estimate" else getattr(tf.fit, key)[0]
        assert value == pytest.approx(ref[key], rel=1e-6), key
    assert tf.fit.tau2 == pytest.approx(ref["tau2"], rel=1e-6)


@pytest.mark.reference
def test_trimfill_imputes_nothing_for_identical_effects():
    # issue #12, bug 4: five equal values; μ̂ carries a round-off of ~5e-17, which used to give the ties signs
    # and ranks (k0 = 3). reference: FIXES["identical_trimfill"] (metafor: k0 = 0)
    ref = FIXES["identical_trimfill"]
    fit = meta.rma(ref["yi"], ref["vi"])
    assert fit.estimate != ref["yi"][0]  # the round-off is there ...
    tf = meta.trimfill(fit)
    assert tf.k0 == ref["k0"] == 0 and tf.fit is fit  # ... and no longer imputes studies


def test_trimfill_ties_with_other_data_still_impute():
    # the tie rule removes only round-off ties: ties among themselves, off the estimate, still count
    yi = np.array([-0.4] * 5 + [0.3, 0.9, 1.4])
    vi = np.array([0.148, 0.113, 0.063, 0.041, 0.194, 0.3, 0.5, 0.7])
    assert meta.trimfill(meta.rma(yi, vi)).k0 > 0


TIES = json.loads((REF_DIR / "trimfill_ties.json").read_text())


@pytest.mark.reference
@pytest.mark.parametrize("method", ["REML", "DL", "ML", "HE", "PM", "FE"])
def test_trimfill_on_mirror_symmetric_data_matches_metafor(method):
    # yi = ±0.1, ±0.2, ±0.4 with mirrored vi: |yi - μ̂| ties in pairs, and metafor ranks ties in their order
    # in the sorted data (ties.method = "first"), so Sr = 12, L0 = 6/11 and k0 = 1 on the left, not 0.
    # reference: TIES[method]: ctl <- list(threshold=1e-10, tol=1e-12, maxiter=1000);
    # trimfill(rma(yi, vi, method=method, control=ctl), control=ctl). The side's slope on sqrt(vi) is 0
    # (metafor exactly, dprep ±1e-15 round-off, which gave side "right" under ML).
    ref = TIES[method]
    tf = meta.trimfill(meta.rma(TIES["yi"], TIES["vi"], method=method))
    assert (tf.k0, tf.side) == (ref["k0"], ref["side"]) == (1, "left")
    assert tf.se_k0 == pytest.approx(ref["se_k0"], rel=1e-6)
    assert tf.yi_filled == pytest.approx([ref["yi_filled"]], rel=1e-6)
    for key in ("estimate", "se", "ci_lb", "ci_ub", "tau2"):
        value = getattr(tf.fit, key) if key in ("estimate", "tau2") else getattr(tf.fit, key)[0]
        assert value == pytest.approx(ref[key], rel=1e-6), key


@pytest.mark.parametrize("shift", [c["shift"] for c in TIES["shifted"]])
def test_trimfill_ties_do_not_follow_the_round_off(shift):
    # the same data shifted by c: μ̂ - c carries a round-off of either sign, on which the ranks of the tied
    # pairs would depend (metafor 3.8-1: k0 = 0 on the right for c = 0.3, k0 = 1 on the right for c = 2.5,
    # TIES["shifted"]). Trim-and-fill is shift-equivariant, so the result is that of the unshifted data.
    ref = TIES["REML"]
    tf = meta.trimfill(meta.rma(np.add(TIES["yi"], shift), TIES["vi"]))
    assert (tf.k0, tf.side) == (ref["k0"], ref["side"])
    assert tf.fit.estimate - shift == pytest.approx(ref["estimate"], rel=1e-6)


@pytest.mark.reference
def test_regtest_knha_not_computable_for_identical_effects():
    # issue #12, bug 5: under Knapp–Hartung s² = 0 and t = 0/0; metafor reports t = Inf, p < .0001
    # (FIXES["identical_regtest_knha"]), i.e. "significant asymmetry" for a perfectly flat funnel.
    ref = FIXES["identical_regtest_knha"]
    vi = FIXES["identical_trimfill"]["vi"]
    egger = meta.regtest(meta.rma([-0.4] * 5, vi, test="knha"))
    assert ref["zval"] == "Inf" and ref["pval"] == 0
    assert math.isnan(egger.stat) and math.isnan(egger.pval)
    assert "not computable" in egger.note
    assert egger.estimate == pytest.approx(ref["limit_estimate"], rel=1e-12)
    # the z test stays computable (slope 0, p = 1), as in metafor
    z = meta.regtest(meta.rma([-0.4] * 5, vi))
    assert z.note is None and z.pval == pytest.approx(1.0)


BIAS = json.loads((REF_DIR / "bias_metafor.json").read_text())



@pytest.mark.reference
@pytest.mark.parametrize("name", ["bcg", "hack", "music", "molloy"])
@pytest.mark.parametrize("predictor", ["sei", "vi"])
@pytest.mark.parametrize("test", ["z", "knha"])
def test_regtest_matches_metafor(name, predictor, test, effects):
    # reference: BIAS[f"{name}_regtest_{predictor}_{test}"], regtest(rma(yi, vi, method='REML', test=test,
    # control=ctl), predictor=predictor); relative tolerance 1e-6
    ref = BIAS[f"{name}_regtest_{predictor}_{test}"]
    egger = meta.regtest(meta.rma(*effects(name), test=test), predictor=predictor)
    for ours, key in ((egger.stat, "zval"), (egger.pval, "pval"), (egger.estimate, "est"), (egger.ci_lb, "ci_lb"),
                      (egger.ci_ub, "ci_ub")):
        assert ours == pytest.approx(ref[key], rel=1e-6), key
    assert egger.predictor == predictor and egger.ddf == (None if test == "z" else egger.fit.k - 2)
