"""Tests of dprep.stats.meta.petpeese against R (lm and metafor 3.8-1).

Reference values: ``tests/reference/bias_metafor.json`` (``bias.R``): for each data set PET and PEESE as
``summary(lm(yi ~ sei, weights=1/vi))`` (Stanley & Doucouliagos's WLS), as ``rma(..., method='FE',
test='knha')`` (the same numbers) and as the random-effects ``rma(..., method='REML', test='knha')``; the
calls are stored beside the values. Closed forms and REML: relative tolerance 1e-6.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scipy import stats

from dprep.stats import meta

REF_DIR = Path(__file__).parents[2] / "reference"
REF = json.loads((REF_DIR / "bias_metafor.json").read_text())
RTOL = 1e-6



NAMES = ["bcg", "hack", "music", "molloy"]


@pytest.mark.reference
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("method", ["FE", "REML"])
def test_pet_and_peese_match_r(name, method, effects):
    # reference: REF[f"{name}_PET"/"_PEESE"]["lm"] (= ["FE"]) and ["REML"], calls in "call_lm", "call_fe", "call_reml"
    res = meta.petpeese(*effects(name), method=method)
    for label, ours in (("PET", res.pet), ("PEESE", res.peese)):
        ref = REF[f"{name}_{label}"]["lm" if method == "FE" else "REML"]
        assert ours["estimate"] == pytest.approx(ref["beta"][0], rel=RTOL), label
        assert ours["se"] == pytest.approx(ref["se"][0], rel=RTOL), label
        assert ours["pval"] == pytest.approx(ref["pval"][0], rel=RTOL), label
    fe = REF[f"{name}_PET"]["FE"]  # metafor's FE + knha is R's lm: the same intercept and se
    assert fe["beta"] == pytest.approx(REF[f"{name}_PET"]["lm"]["beta"], rel=1e-10)
    assert fe["se"] == pytest.approx(REF[f"{name}_PET"]["lm"]["se"], rel=1e-10)
    # the FAT is the PET slope; p of the slope from lm
    assert res.fat_pval == pytest.approx(REF[f"{name}_PET"]["lm" if method == "FE" else "REML"]["pval"][1], rel=RTOL)


@pytest.mark.parametrize("name", NAMES)
def test_conditional_rule(name, effects):
    # Stanley & Doucouliagos (2014): PEESE if PET's test of b0 = 0 rejects at alpha, else PET
    res = meta.petpeese(*effects(name))
    assert res.chosen == ("PEESE" if res.pet["pval"] < 0.05 else "PET")
    assert res.estimate == (res.peese if res.chosen == "PEESE" else res.pet)["estimate"]
    # one-sided: half the two-sided p in the direction of the estimate
    one = meta.petpeese(*effects(name), alternative="greater")
    t = res.pet["stat"]
    assert one.pet_test_pval == pytest.approx(stats.t.sf(t, res.k - 2), rel=1e-12)


def test_pet_is_the_limit_estimate_of_eggers_test(effects):
    yi, vi = effects("music")
    egger = meta.regtest(meta.rma(yi, vi, method="FE", test="knha"))
    res = meta.petpeese(yi, vi)
    assert res.pet["estimate"] == egger.estimate and res.fat_pval == egger.pval
    d = res.to_dict()
    assert set(d["pet"]) == {"estimate", "se", "stat", "pval", "ci_lb", "ci_ub"} and d["chosen"] in ("PET", "PEESE")


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"method": "EE"}, r"The 'method' parameter of petpeese must be one of"),
    ({"alternative": "two-sided"}, r"The 'alternative' parameter of petpeese must be one of"),
    ({"alpha": 1.5}, r"The 'alpha' parameter of petpeese must be in \(0, 1\)"),
])
def test_petpeese_rejects_bad_input(kwargs, match, effects):
    with pytest.raises(ValueError, match=match):
        meta.petpeese(*effects("music"), **kwargs)
