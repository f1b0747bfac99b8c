"""Tests of ``dprep meta`` (typer CliRunner): BCG against metafor, music correlations, bad input.

The command is registered on a fresh Typer app with a callback, so it is invoked as a sub-command
exactly as under ``dprep`` whatever other commands exist.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from dprep import meta
from dprep.commands import meta as meta_command

REF_DIR = Path(__file__).parent / "reference"
REF = json.loads((REF_DIR / "bcg_metafor.json").read_text())
BCG_CSV = REF_DIR / "bcg_logrr.csv"

# Cumming & Calin-Jageman (2nd ed.), Table 11.1 (as in the project's music_correlations_macnamara2014.csv)
MUSIC_CSV = """row,sample,r,n,instrument_type
1,"Violin, viola",0.67,109,Strings
2,Strings,0.51,55,Strings
3,Piano,0.4,19,Non-Strings
4,Piano,0.46,30,Non-Strings
5,Piano,0.47,19,Non-Strings
6,Piano,0.228,52,Non-Strings
7,Piano,-0.224,24,Non-Strings
8,Piano,0.104,52,Non-Strings
9,Piano,0.322,16,Non-Strings
10,All,0.231,97,Non-Strings
11,Piano,0.67,57,Non-Strings
12,Piano,0.41,107,Non-Strings
13,Band,0.34,178,Strings
14,Music majors,0.31,64,Strings
15,Music majors,0.54,19,Strings
16,All,0.583,135,Strings
"""

MUSIC_R = np.array([0.67, 0.51, 0.4, 0.46, 0.47, 0.228, -0.224, 0.104, 0.322, 0.231, 0.67, 0.41, 0.34, 0.31, 0.54, 0.583])
MUSIC_N = np.array([109, 55, 19, 30, 19, 52, 24, 52, 16, 97, 57, 107, 178, 64, 19, 135])
TRAILING = ["r", "n", "instrument_type"]  # the columns after the quoted sample label

RTOL = 1e-6


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def _main() -> None:
        """dprep (test app)."""

    meta_command.register(app)
    return app


@pytest.fixture
def music_csv(tmp_path) -> Path:
    path = tmp_path / "music.csv"
    path.write_text(MUSIC_CSV)
    return path


def run(app, *args):
    return CliRunner().invoke(app, ["meta", *map(str, args)])


def run_json(app, *args):
    result = run(app, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.reference
@pytest.mark.parametrize("method", ["REML", "DL", "PM"])
def test_bcg_yi_vi_matches_metafor(app, method):
    # reference: tests/reference/bcg_metafor.json[method], from rma(yi, vi, method=method, control=ctl),
    # confint() and predict() (see that file's "call"); relative tolerance 1e-6
    out = run_json(app, BCG_CSV, "--yi-col", "yi", "--vi-col", "vi", "--method", method)
    ref = REF[method]
    assert out["k"] == 13 and out["scale"] == "yi" and "estimate_r" not in out
    for key in ("estimate", "se", "ci_lb", "ci_ub", "tau2", "i2", "h2", "q", "pi_lb", "pi_ub"):
        assert out[key] == pytest.approx(ref[key], rel=RTOL), key
    for key in ("tau2_ci", "i2_ci"):
        assert out[key] == pytest.approx(ref[key], rel=RTOL), key
    assert out["q_df"] == 12


@pytest.mark.reference
def test_bcg_numeric_moderator_matches_metafor(app):
    # reference: rma(yi, vi, mods=~ablat, method='REML', control=ctl) -> bcg_metafor.json["metareg_ablat_REML"]
    ref = REF["metareg_ablat_REML"]
    out = run_json(app, BCG_CSV, "--yi-col", "yi", "--vi-col", "vi", "--moderator", "ablat")
    assert out["moderator_type"] == "numeric" and "subgroups" not in out
    assert [c["name"] for c in out["coefficients"]] == ["intrcpt", "ablat"]
    assert [c["estimate"] for c in out["coefficients"]] == pytest.approx(ref["coef"], rel=RTOL)
    assert [c["se"] for c in out["coefficients"]] == pytest.approx(ref["se"], rel=RTOL)
    for key in ("qm", "qm_p", "qe", "qe_p", "r2"):
        assert out[key] == pytest.approx(ref[key], rel=RTOL), key


def test_music_correlations(app, music_csv):
    out = run_json(app, music_csv)  # default columns r and n
    fit = meta.rma(*meta.escalc_zcor(MUSIC_R, MUSIC_N))
    assert out["k"] == 16 and out["scale"] == "fisher_z"
    assert out["estimate"] == pytest.approx(fit.estimate, rel=1e-12)
    assert out["estimate_r"] == pytest.approx(math.tanh(out["estimate"]), rel=1e-12)
    assert out["ci_r"] == pytest.approx([math.tanh(out["ci_lb"]), math.tanh(out["ci_ub"])], rel=1e-12)
    assert out["pi_r"] == pytest.approx([math.tanh(out["pi_lb"]), math.tanh(out["pi_ub"])], rel=1e-12)
    assert out["pct_variance"] == pytest.approx(100 * out["estimate_r"] ** 2, rel=1e-12)
    assert len(out["tau2_ci"]) == 2 and out["tau2_ci"][0] < out["tau2"] < out["tau2_ci"][1]


def test_music_categorical_moderator_knha(app, music_csv):
    out = run_json(app, music_csv, "--moderator", "instrument_type", "--test", "knha", "--method", "PM")
    assert out["moderator_type"] == "categorical" and out["test"] == "knha" and out["ddf"] == 15
    assert out["qm_df"] == [1, 14]
    assert [g["group"] for g in out["subgroups"]] == ["Non-Strings", "Strings"]
    assert [g["k"] for g in out["subgroups"]] == [10, 6]
    for group in out["subgroups"]:
        assert group["estimate_r"] == pytest.approx(math.tanh(group["estimate"]), rel=1e-12)
    slope = out["coefficients"][1]
    assert slope["name"] == "instrument_typeStrings"
    assert out["qm"] == pytest.approx(slope["stat"] ** 2, rel=1e-12)


def test_pretty_output(app, music_csv):
    result = run(app, music_csv)
    assert result.exit_code == 0 and "estimate_r" in result.stdout


@pytest.mark.parametrize(("edit", "args", "needles"), [
    # edit = (data row as the user counts it, column, new cell text); extra args; fragments of the message
    (None, ["--r-col", "corr"], ["music.csv", "column 'corr'", "--r-col", "not found"]),
    ((3, "r", "n/a"), [], ["music.csv", "row 3", "file line 4", "column 'r'", "'n/a'"]),
    ((5, "n", ""), [], ["row 5", "column 'n'", "empty cell"]),
    ((7, "r", "1.2"), [], ["row 7", "column 'r'", "strictly between -1 and 1", "1.2"]),
    ((2, "r", "-1"), [], ["row 2", "column 'r'", "strictly between -1 and 1"]),
    ((9, "n", "3"), [], ["row 9", "column 'n'", "greater than 3"]),
    ((4, "instrument_type", ""), ["--moderator", "instrument_type"], ["row 4", "column 'instrument_type'", "empty"]),
    (None, ["--method", "SJ"], ["--method", "DL, REML, PM, ML, HE", "'SJ'"]),
    (None, ["--test", "t"], ["--test", "'t'"]),
    (None, ["--level", "95"], ["--level", "(0, 1)"]),
    (None, ["--yi-col", "r"], ["--yi-col and --vi-col must be given together"]),
])
def test_bad_input_exits_2_with_location(app, tmp_path, edit, args, needles):
    lines = MUSIC_CSV.strip().splitlines()  # lines[0] is the header, so lines[row] is data row `row`
    if edit is not None:
        row, column, text = edit
        head, *tail = lines[row].rsplit(",", len(TRAILING))  # the sample label may contain a comma
        tail[TRAILING.index(column)] = text
        lines[row] = ",".join([head, *tail])
    path = tmp_path / "music.csv"
    path.write_text("\n".join(lines) + "\n")
    result = run(app, path, *args)
    assert result.exit_code == 2, result.output
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def test_too_few_studies_for_the_model_exits_2(app, tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("r,n,year\n0.3,40,1990\n0.5,60,2000\n")
    result = run(app, path, "--moderator", "year")
    assert result.exit_code == 2
    assert "two.csv" in result.stderr and "more studies than model coefficients" in result.stderr


def test_missing_file_exits_2(app, tmp_path):
    result = run(app, tmp_path / "absent.csv")
    assert result.exit_code == 2 and "absent.csv" in result.stderr


def test_registered_in_dprep_cli():
    from dprep.cli import app as dprep_app

    result = CliRunner().invoke(dprep_app, ["meta", "--help"])
    assert result.exit_code == 0 and "--moderator" in result.stdout
