"""Tests of ``dprep escalc`` (typer CliRunner) against metafor 3.8-1's escalc.

Reference values: ``tests/reference/escalc_metafor.json`` (``tests/reference/escalc.R``, calls stored beside
the values); relative tolerance 1e-10 (closed forms).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from dprep.cli import escalc as escalc_command

REF_DIR = Path(__file__).parents[1] / "reference"
REF = json.loads((REF_DIR / "escalc_metafor.json").read_text())
MEANS = ["--m1i", "m1i", "--sd1i", "sd1i", "--n1i", "n1i", "--m2i", "m2i", "--sd2i", "sd2i", "--n2i", "n2i"]


@pytest.fixture(scope="module")
def cli(command):
    return command(escalc_command, "escalc")


@pytest.mark.reference
def test_smd_from_means_matches_metafor(cli, tmp_path):
    # reference: REF["normand_SMD"], escalc('SMD', m1i=m1i, ..., data=normand1999)
    out = cli.run_json(REF_DIR / "normand1999.csv", "--measure", "SMD", *MEANS, "--output", tmp_path / "es.csv")
    assert out["scale"] == "Hedges' g" and out["k"] == 9 and out["rows"][0]["row"] == 1
    assert [r["yi"] for r in out["rows"]] == pytest.approx(REF["normand_SMD"]["yi"], rel=1e-10)
    assert [r["vi"] for r in out["rows"]] == pytest.approx(REF["normand_SMD"]["vi"], rel=1e-10)
    written = pd.read_csv(tmp_path / "es.csv")
    assert list(written.columns[-3:]) == ["yi", "vi", "sei"] and written["source"][0] == "Edinburgh"
    assert written["vi"].tolist() == pytest.approx(REF["normand_SMD"]["vi"], rel=1e-10)


@pytest.mark.reference
def test_odds_ratio_with_zero_cells_matches_metafor(cli):
    # reference: REF["niel_OR"], escalc('OR', ai=ai, n1i=n1i, ci=ci, n2i=n2i, data=nielweise2007) (½ to zero cells)
    out = cli.run_json(REF_DIR / "nielweise2007.csv", "--measure", "OR", "--ai", "ai", "--n1i", "n1i", "--ci", "ci",
                       "--n2i", "n2i")
    assert [r["yi"] for r in out["rows"]] == pytest.approx(REF["niel_OR"]["yi"], rel=1e-10)
    assert [r["vi"] for r in out["rows"]] == pytest.approx(REF["niel_OR"]["vi"], rel=1e-10)


@pytest.mark.reference
def test_correlation_from_p_values_matches_metafor(cli, tmp_path):
    # reference: REF["music_t"] (two-sided p of each correlation's t test) and REF["music_COR"]
    ref = REF["music_t"]
    table = pd.read_csv(REF_DIR / "music_correlations.csv").assign(p=ref["pi"], sign=ref["sign"])
    table.to_csv(tmp_path / "p.csv", index=False)
    out = cli.run_json(tmp_path / "p.csv", "--measure", "COR", "--pi", "p", "--sign", "sign", "--ni", "n")
    assert [r["yi"] for r in out["rows"]] == pytest.approx(ref["ri"], rel=1e-10)
    assert out["source"].startswith("two-sided p-values")


@pytest.mark.parametrize(("args", "needles"), [
    (["--measure", "SMC"], ["--measure must be one of", "'SMC'"]),
    (["--measure", "SMD", "--m1i", "m1i"], ["normand1999.csv", "'n1i' parameter of escalc must be given"]),
    (["--measure", "SMD", "--m1i", "nope", "--sd1i", "sd1i"], ["column 'nope'", "--m1i", "not found"]),
    (["--measure", "MD", "--m1i", "m1i", "--sd1i", "m2i", "--n1i", "n1i", "--m2i", "m2i", "--sd2i", "study",
      "--n2i", "source"], ["row 1", "column 'source'", "expected a number"]),
])
def test_bad_input_exits_2(cli, args, needles):
    result = cli.run(REF_DIR / "normand1999.csv", *args)
    assert result.exit_code == 2, result.output
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def test_registered_in_dprep_cli():
    from dprep.cli import app as dprep_app

    result = CliRunner().invoke(dprep_app, ["escalc", "--help"])
    assert result.exit_code == 0 and "--measure" in result.stdout
