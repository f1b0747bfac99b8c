"""The multiverse and the simulation study on a small configuration: the numbers are the models they
name, and a LocalCluster with 1 and with 2 worker processes gives identical tables (same seed).

Inputs: the `validate`, `primary` and `replication` stages' outputs (brought up to date with
``dvc repro replication``, a no-op when they are current).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dprep.data.studies import load_studies
from dprep.parallel import dask_client
from dprep.stats import meta
from dprep.stats.bias import bias_adjusted_meta
from dprep.studies import multiverse, simulation

ROOT = Path(__file__).resolve().parents[2]
PROCESSED = ROOT / "data" / "processed"
STUDIES = load_studies(ROOT / "data" / "studies.yaml")

PARAMS = {
    "seed": 7,
    "bayes": {"missing_between": "largest"},
    "multiverse": {
        "scheduler": None, "workers": None, "chunk_size": 40, "resamples": 24, "resample_chunk": 5,
        "alpha": 0.05, "level": 0.95, "wide_prior": [0.0, 1.0],
        "music": {"subset": {"all": "", "strings": "instrument_type == 'Strings'"}, "method": ["REML", "DL"],
                  "test": ["knha", "z"], "pub_bias": ["none", "trimfill"]},
        "replication": {"contrast": ["best vs good", "top two vs third group"],
                        "d_convention": ["t*sqrt(1/n1+1/n2)", "2t/sqrt(df)"], "missing_root": ["lower", "upper"],
                        "bias_prior": ["none", "literature", "wide"], "method": ["DL", "REML"], "test": ["z", "knha"]},
    },
    "simulation": {"replications": 40, "n_range": [10, 30], "prior": "Hrobjartsson et al. 2013", "method": "DL",
                   "test": "z", "level": 0.95, "alpha": 0.05, "chunk_size": 3,
                   "conditions": {"k": [6, 12], "share_unblinded": [0.0, 0.5], "effect": [0.0, 0.3],
                                  "bias_unblinded": [0.0, 0.3], "tau": [0.1]}},
}


@pytest.fixture(scope="module")
def inputs() -> Path:
    env = {**os.environ, "DVC_NO_ANALYTICS": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run([sys.executable, "-m", "dvc", "repro", "replication"], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return PROCESSED


@pytest.fixture(scope="module")
def runs(inputs):
    """Both computations with 1 and with 2 local worker processes."""
    out = {}
    for workers in (1, 2):
        with dask_client(workers=workers, announce=False) as client:
            out[workers] = (multiverse.run_multiverse(inputs / "validated", inputs / "primary" / "derived.csv", PARAMS, STUDIES, client=client, progress=False),
                            simulation.run_simulation(inputs / "validated", PARAMS, client=client, progress=False)[0])
    return out


@pytest.mark.slow
def test_one_and_two_workers_give_identical_results(runs):
    (mv1, sim1), (mv2, sim2) = runs[1], runs[2]
    pd.testing.assert_frame_equal(mv1.specifications, mv2.specifications)
    pd.testing.assert_frame_equal(mv1.null, mv2.null)
    pd.testing.assert_frame_equal(sim1, sim2)
    assert {q: t.to_dict() for q, t in mv1.tests.items()} == {q: t.to_dict() for q, t in mv2.tests.items()}


@pytest.mark.slow
def test_specifications_are_the_models_they_name(runs, inputs):
    specs = runs[1][0].specifications
    n_priors = 1 + 7 + 1  # none, the seven literature rows, wide
    assert (specs["question"] == "music").sum() == 2 * 2 * 2 * 2
    assert (specs["question"] == "replication").sum() == 2 * n_priors * 4 + 2 * 2 * n_priors * 4
    assert specs["converged"].all() and not specs["synthetic"].any()
    assert specs.loc[specs["question"] == "replication", "derived"].sum() == 2 * 2 * n_priors * 4

    music = pd.read_csv(inputs / "validated" / "music_correlations_macnamara2014.csv")
    yi, vi = meta.escalc_zcor(music["r"], music["n"])
    primary = specs[specs["primary"] & (specs["question"] == "music")].iloc[0]
    fit = meta.rma(yi, vi, method="REML", test="knha")
    assert (primary["subset"], primary["method"], primary["test"]) == ("all", "REML", "knha")
    assert primary["estimate"] == pytest.approx(fit.estimate, rel=1e-10)
    assert primary["ci_ub"] == pytest.approx(fit.ci_ub[0], rel=1e-10)

    # best vs good, exact d convention: the replication stage's d values, pooled by bias_adjusted_meta
    pair = json.loads((inputs / "replication" / "results.json").read_text())["contrasts"]["best vs good"]
    y = [pair["original"]["estimate"], pair["replication"]["estimate"]]
    v = [pair["original_se"] ** 2, pair["replication_se"] ** 2]
    rows = specs[(specs["contrast"] == "best vs good") & (specs["d_convention"] == "t*sqrt(1/n1+1/n2)")
                 & (specs["method"] == "DL") & (specs["test"] == "z")].set_index("bias_prior")
    assert rows.loc["none", "estimate"] == pytest.approx(bias_adjusted_meta(y, v, [True, False], bias_mean=0,
                                                                            bias_var=0).adjusted.estimate, rel=1e-10)
    # Hróbjartsson et al. (2013): difference in SMD −0.23 [−0.40, −0.06], so bias 0.23 with se 0.34/(2·1.96);
    # predictive for one study (Welton et al. 2009): + φ² + κ², the largest reported in the table
    # (missing_between = "largest"): the columns phi_between_ma_sd and kappa_extra_heterogeneity of
    # data/raw/blinding_bias_priors.csv, given only by the two Moustgaard et al. 2020 (MetaBLIND) rows, as
    # SDs of log ratios of odds ratios, so on the SMD scale × √3/π (Chinn 2000)
    hrob = [p for p in rows.index if p.startswith("Hrobjartsson et al. 2013")][0]
    table = pd.read_csv(ROOT / "data" / "raw" / "blinding_bias_priors.csv")
    assert set(table.dropna(subset=["phi_between_ma_sd"])["scale"]) == {"ratio_of_odds_ratios"}
    phi, kappa = (table[c].max() * np.sqrt(3) / np.pi for c in ("phi_between_ma_sd", "kappa_extra_heterogeneity"))
    adj = bias_adjusted_meta(y, v, [True, False], bias_mean=0.23,
                             bias_var=(0.34 / (2 * 1.959963984540054)) ** 2 + phi ** 2 + kappa ** 2)
    assert rows.loc[hrob, "estimate"] == pytest.approx(adj.adjusted.estimate, rel=1e-6)


@pytest.mark.slow
def test_joint_tests_and_choice_summary(runs):
    mv = runs[1][0]
    for question, test in mv.tests.items():
        assert test.n_resamples == PARAMS["multiverse"]["resamples"]
        part = mv.specifications[mv.specifications["question"] == question]
        assert test.estimate == pytest.approx(part["estimate"].median())
        assert 0 <= test.pval_median <= 1 and 0 <= test.pval_share <= 1
    choices = mv.choices.set_index(["question", "choice", "option"])
    assert set(choices.loc["replication"].index.get_level_values("option")) >= {"lower", "upper", "wide"}
    assert "not applicable" not in choices.index.get_level_values("option")


@pytest.mark.slow
def test_simulation_table(runs):
    sim = runs[1][1]
    assert len(sim) == 2 * 2 * 2 * 2 * 3
    sub = sim[(sim["estimator"] == "subgroup") & (sim["share_unblinded"] == 0.0)]
    assert (sub["n_valid"] == 0).all()
    naive = sim[(sim["estimator"] == "naive")]
    assert (naive["n_valid"] == 40).all()
