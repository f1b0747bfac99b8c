"""Tests of dprep.stats.meta.sensitivity: the combined analyses are the single analyses (each of which is
checked against metafor in its own test file), and an analysis that cannot be fitted is reported, not fatal."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dprep.stats import meta


def test_rows_are_the_single_analyses(effects, table):
    yi, vi = effects("bcg")
    fit = meta.rma(yi, vi, test="knha")
    bcg = table("bcg")
    sens = meta.sensitivity(fit, list(bcg["author"]), order=bcg["year"], mods=bcg[["ablat"]], seed=3,
                            alternative="less", permutations=200)
    rows = sens.estimates.set_index("analysis")
    assert rows.loc["Random effects (REML)", "estimate"] == fit.estimate
    tf = meta.trimfill(fit)
    assert rows.loc["Trim-and-fill", "estimate"] == tf.fit.estimate and f"k0 = {tf.k0}" in rows.loc["Trim-and-fill", "note"]
    pp = meta.petpeese(yi, vi)
    assert rows.loc["PET", "estimate"] == pp.pet["estimate"] and rows.loc["PEESE", "se"] == pp.peese["se"]
    step = meta.selmodel(fit, "stepfun", steps=(0.025, 0.5, 1), alternative="less")
    label = "Step-function selection (p cut at 0.025, 0.5, 1)"
    assert rows.loc[label, "estimate"] == pytest.approx(step.estimate, rel=1e-10)
    assert sens.influence.table["rstudent"].tolist() == meta.influence(fit, list(bcg["author"])).table["rstudent"].tolist()
    assert sens.cumulative["added"].tolist() == meta.cumul(fit, bcg["year"], list(bcg["author"]))["added"].tolist()
    assert sens.gosh.method == "FE" and sens.gosh.n_subsets == 2**13 - 1
    assert sens.permutation.n_perm == 200 and sens.moderator_permutation.coef_names == ("intrcpt", "ablat")
    d = sens.to_dict()
    assert set(d) == {"estimates", "selection", "petpeese", "influence", "leave1out", "baujat", "cumulative", "gosh",
                      "permutation", "moderator_permutation"}


def test_a_selection_model_that_cannot_be_fitted_is_a_note(effects):
    # no p-value of the 16 music correlations falls in (0.001, 0.002]: the step function is refused
    sens = meta.sensitivity(meta.rma(*effects("music"), test="knha"), steps=(0.001, 0.002, 1), permutations=50, seed=1, gosh_subsets=500)
    row = sens.estimates.iloc[4]
    assert row["analysis"].startswith("Step-function") and math.isnan(row["estimate"])
    assert row["note"].startswith("not fitted: The 'steps' parameter of selmodel")
    assert sens.selection["stepfun"] is None and sens.selection["beta"] is not None
    assert sens.cumulative is None and sens.moderator_permutation is None
    assert not sens.gosh.exact and sens.gosh.n_subsets == 500


def test_needs_an_intercept_only_model(effects, table):
    with pytest.raises(ValueError, match="The 'result' parameter of sensitivity must be an intercept-only model"):
        meta.sensitivity(meta.rma(*effects("bcg"), mods=table("bcg")[["ablat"]]))
    assert np.isfinite(meta.sensitivity(meta.rma(*effects("normand")), permutations=20, seed=1).estimates["estimate"][0])
