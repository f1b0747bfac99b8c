"""Tests of ``dprep bias selmodel`` and ``dprep bias pet-peese`` (typer CliRunner) against metafor 3.8-1 / R.

Reference values: ``tests/reference/bias_metafor.json`` (``tests/reference/bias.R``, calls stored beside the
values); selection models at 1e-4 relative, PET-PEESE (closed form) at 1e-6.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dprep.cli import bias as bias_command

REF_DIR = Path(__file__).parents[1] / "reference"
REF = json.loads((REF_DIR / "bias_metafor.json").read_text())
HACK = REF_DIR / "hackshaw1998.csv"
MUSIC = REF_DIR / "music_correlations.csv"


@pytest.fixture(scope="module")
def cli(command):
    return command(bias_command, "bias")


@pytest.mark.reference
def test_selmodel_stepfun_matches_metafor(cli):
    # reference: REF["hack_stepfun"], selmodel(rma(yi, vi, data=hack, method='REML'), type='stepfun',
    # steps=c(0.025, 0.5, 1), control=...)
    ref = REF["hack_stepfun"]
    out = cli.run_json("selmodel", HACK, "--yi-col", "yi", "--vi-col", "vi", "--type", "stepfun",
                       "--steps", "0.025,0.5,1")
    assert {"delta", "estimate", "se", "tau2", "lrt", "lrt_pval"} <= set(out)
    assert out["delta"] == pytest.approx(ref["delta"], rel=1e-4)
    for key, ref_key in (("estimate", "beta"), ("se", "se"), ("tau2", "tau2"), ("lrt", "lrt"), ("lrt_pval", "lrt_pval")):
        assert out[key] == pytest.approx(ref[ref_key], rel=1e-4), key
    assert out["k_per_interval"] == ref["k_per_interval"]


@pytest.mark.reference
def test_selmodel_beta_on_correlations_matches_metafor(cli):
    # reference: REF["music_beta"], selmodel(rma(yi, vi, data=music, method='REML'), type='beta', control=...),
    # music analysed as Fisher z of the r and n columns
    ref = REF["music_beta"]
    out = cli.run_json("selmodel", MUSIC, "--type", "beta")
    assert out["scale"] == "fisher_z" and out["delta"] == pytest.approx(ref["delta"], rel=1e-4)
    assert out["estimate"] == pytest.approx(ref["beta"], rel=1e-4) and out["tau2"] == pytest.approx(ref["tau2"], rel=1e-4)


@pytest.mark.reference
@pytest.mark.parametrize("method", ["FE", "REML"])
def test_pet_peese_matches_r(cli, method):
    # reference: REF["music_PET"/"music_PEESE"]: lm(yi ~ sei / vi, weights=1/vi) (FE) and
    # rma(yi, vi, mods=~sei / vi, method='REML', test='knha') (REML)
    out = cli.run_json("pet-peese", MUSIC, "--method", method)
    for label in ("PET", "PEESE"):
        ref = REF[f"music_{label}"]["lm" if method == "FE" else "REML"]
        got = out[label.lower()]
        assert set(got) == {"estimate", "se", "stat", "pval", "ci_lb", "ci_ub"}
        assert got["estimate"] == pytest.approx(ref["beta"][0], rel=1e-6)
        assert got["se"] == pytest.approx(ref["se"][0], rel=1e-6)
        assert got["pval"] == pytest.approx(ref["pval"][0], rel=1e-6)
    assert out["chosen"] == ("PEESE" if out["pet"]["pval"] < 0.05 else "PET")


@pytest.mark.parametrize(("args", "needles"), [
    (["selmodel", MUSIC, "--steps", "0.001,0.002,1"], ["music_correlations.csv", "no p-value in (0.001, 0.002]"]),
    (["selmodel", MUSIC, "--steps", "a,b"], ["--steps must be comma-separated numbers"]),
    (["selmodel", MUSIC, "--type", "logistic"], ["'type' parameter of selmodel must be one of"]),
    (["pet-peese", MUSIC, "--method", "EE"], ["'method' parameter of petpeese must be one of"]),
    (["pet-peese", MUSIC, "--yi-col", "r"], ["--yi-col and --vi-col must be given together"]),
])
def test_bad_input_exits_2(cli, args, needles):
    result = cli.run(*args)
    assert result.exit_code == 2, result.output
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def test_registered_in_dprep_cli():
    from dprep.cli import app as dprep_app

    for command in ("selmodel", "pet-peese"):
        result = CliRunner().invoke(dprep_app, ["bias", command, "--help"])
        assert result.exit_code == 0 and "--yi-col" in result.stdout
