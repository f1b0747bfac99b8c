"""The `replication` and `bayes` stages, run on the current processed inputs in a temporary folder.

The stage scripts read and write paths relative to the working directory, so each test copies the
inputs they need (validated and primary outputs) into ``tmp_path``, writes a params file and
runs the stage's ``main`` there.  Reference for the bias prior: the Hróbjartsson et al. (2013) row of
``blinding_bias_priors.csv`` (ΔSMD −0.23, 95% CI −0.40 to −0.06 → mean bias 0.23, se = 0.34/(2·1.96)),
which reports no φ and κ, so with ``missing_between: largest`` the prior of one study's bias is
Normal(0.23, √(se² + φ² + κ²)) with the largest φ and κ of the table (MetaBLIND, subjective outcomes:
φ = 0.11, κ = 0.06 on the log-ROR scale, × √3/π on the SMD scale; Welton et al. 2009).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from scipy import stats

ROOT = Path(__file__).resolve().parents[2]
PROCESSED = ROOT / "data" / "processed"
INPUTS = ("validated", "primary")

PARAMS = {
    "replication": {"sesoi": 0.3},
    "bayes": {"draws": 1000, "tune": 1000, "chains": 4, "cores": 1, "target_accept": 0.95,
              "mu_prior": [0.0, 1.0], "tau_prior_sd": 0.5, "wide_beta_prior": [0.0, 1.0],
              "default_bias_prior": "Hrobjartsson et al. 2013", "missing_between": "largest", "grid_n": 400},
}

pytestmark = pytest.mark.slow


def _run(name: str, work: Path) -> subprocess.CompletedProcess:
    """Run a stage script in ``work`` as DVC would (a subprocess in the workspace)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, str(ROOT / "analysis" / f"{name}.py")], cwd=work, env=env,
                          capture_output=True, text=True)


def _stage(name: str, work: Path) -> None:
    run = _run(name, work)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]


def _workspace(tmp_path: Path, overrides: dict | None = None) -> Path:
    for name in INPUTS:
        shutil.copytree(PROCESSED / name, tmp_path / "data" / "processed" / name)
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params.update(PARAMS)
    for key, value in (overrides or {}).items():
        params["bayes"] = {**params["bayes"], key: value}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True))
    shutil.copy2(ROOT / "data" / "studies.yaml", tmp_path / "data" / "studies.yaml")
    return tmp_path


@pytest.fixture(scope="module")
def stages_run(tmp_path_factory, pipeline_outputs):
    work = _workspace(tmp_path_factory.mktemp("stages"))
    _stage("replication", work)
    _stage("bayes", work)
    return work / "data" / "processed"


def test_replication_outputs(stages_run):
    out = stages_run / "replication"
    for name in ("results.json", "replication.csv", "bayes_factors.csv", "orig_vs_rep.png", "figures.json"):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "replication.csv", keep_default_na=False).set_index("pair")
    headline = json.loads((stages_run.parents[1] / "metrics" / "replication.json").read_text())
    assert set(headline) == set(table.index)
    # original best vs good: d = sqrt(4.59) * sqrt(1/10 + 1/10); top two vs third: effective n 20 and 10
    assert table.loc["best vs good", "orig_d"] == pytest.approx(math.sqrt(4.59 * 0.2), rel=1e-12)
    assert table.loc["best vs good", "rep_d"] == pytest.approx(-0.93 * math.sqrt(2 / 13), rel=1e-12)
    # the derived replication side, once per root of the unreported mean: same size, opposite signs
    lower, upper = (table.loc[f"top two vs third group ({root} root)"] for root in ("lower", "upper"))
    for row in (lower, upper):
        assert row["orig_d"] == pytest.approx(math.sqrt(11.86 * 0.15), rel=1e-12)
        assert row["replication_source"] == "derived"
    assert lower["rep_d"] > 0 > upper["rep_d"] and lower["rep_d"] == pytest.approx(-upper["rep_d"], rel=1e-9)
    bfs = pd.read_csv(out / "bayes_factors.csv")
    assert (bfs["source"] == "not available").sum() == 1  # the 1993 three-group F was not reported


def test_bayes_outputs_and_gates(stages_run):
    out = stages_run / "bayes"
    metrics = json.loads((out / "results.json").read_text())
    assert metrics["all_passed"] and metrics["meta"]["grid_check"]["passed"]
    gates = pd.read_csv(out / "gates.csv")
    # meta + 3 pairs (best vs good; top two vs third under each root) × (7 priors, none, wide)
    assert len(gates) == metrics["n_models"] == 1 + 3 * (7 + 2)
    assert (gates["n_divergent"] == 0).all() and (gates["max_r_hat"] <= 1.01).all()
    assert not gates.columns.str.contains("second").any()  # wall-clock costs go to the timing log
    timing = json.loads((stages_run.parents[1] / "logs" / "bayes.timing.json").read_text())
    assert set(timing["fits"]) == set(gates["model"]) and timing["stage_seconds"] > 0
    diag = pd.read_csv(out / "diagnostics.csv")
    assert diag[["ok_r_hat", "ok_ess_bulk", "ok_ess_tail"]].all().all()
    assert len(list((out / "idata").glob("*.nc"))) == len(gates)
    alt = json.loads((out / "figures.json").read_text())
    for name in alt:
        assert (out / f"{name}.png").is_file() and len(alt[name]) > 40


def test_default_beta_prior_is_the_predictive_hrobjartsson_translation(stages_run):
    se = (0.40 - 0.06) / (2 * stats.norm.ppf(0.975))
    phi, kappa = 0.11 * math.sqrt(3) / math.pi, 0.06 * math.sqrt(3) / math.pi
    sd = math.sqrt(se**2 + phi**2 + kappa**2)
    metrics = json.loads((stages_run / "bayes" / "results.json").read_text())
    assert len(metrics["blinding"]) == 3
    for block in metrics["blinding"].values():
        assert block["default_prior"].startswith("Hrobjartsson et al. 2013")
        assert block["beta_prior"] == pytest.approx([0.23, sd], rel=1e-12)
        # with two studies the data barely move β: its posterior overlaps its prior (Garrett & Zeger 2000)
        assert block["beta_weakly_identified"] and block["beta_overlap"] > metrics["weak_identification_overlap"]
    sens = pd.read_csv(stages_run / "bayes" / "sensitivity.csv")
    row = sens[sens["default"]]
    assert len(row) == 3 and row["beta_prior_mean"].tolist() == pytest.approx([0.23] * 3, rel=1e-12)
    priors = pd.read_csv(stages_run / "bayes" / "beta_priors.csv").set_index("source")
    assert priors.loc["Hrobjartsson et al. 2013", "bias_smd_se"] == pytest.approx(se, rel=1e-12)
    assert priors.loc["Hrobjartsson et al. 2013", "between_basis"].startswith("borrowed from Moustgaard")


def test_failing_gate_fails_the_stage_and_names_the_parameter(tmp_path, pipeline_outputs):
    work = _workspace(tmp_path, {"draws": 60, "tune": 60})
    _stage("replication", work)
    run = _run("bayes", work)
    assert run.returncode == 1
    message = run.stderr
    assert "meta-analysis" in message and "ESS of" in message
    assert not (work / "data" / "processed" / "bayes").exists()  # nothing written
