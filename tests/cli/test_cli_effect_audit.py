"""CLI tests for ``dprep effect`` and ``dprep audit`` (commands registered on a bare app)."""

import importlib.util
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dprep.cli import audit as audit_cmd
from dprep.cli import effect as effect_cmd
# the embedded copies of the evidence tables live in test_audit.py (tests/ is not a package)
_spec = importlib.util.spec_from_file_location("_audit_tables", Path(__file__).parents[1] / "stats" / "test_audit.py")
_tables = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_tables)
REPORTED_TESTS, GROUP_SUMMARIES = _tables.REPORTED_TESTS, _tables.GROUP_SUMMARIES

runner = CliRunner()


@pytest.fixture(scope="module")
def app():
    app = typer.Typer()
    effect_cmd.register(app)
    audit_cmd.register(app)
    return app


@pytest.fixture
def files(tmp_path):
    tests, groups = tmp_path / "reported_tests.csv", tmp_path / "group_summaries.csv"
    tests.write_text(REPORTED_TESTS)
    groups.write_text(GROUP_SUMMARIES)
    return tests, groups


# R/MBESS-convention reference: Smithson (2001) F(1, 42) = 6, 90% CI [.0117, .2801]
# (apaTables tests/testthat/test_anova_ci.R); tolerance 5e-5.
@pytest.mark.reference
def test_effect_eta2_ci_json(app):
    out = runner.invoke(app, ["effect", "eta2-ci", "--f", "6", "--df1", "1", "--df2", "42", "--level", "0.9", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["estimate"] == pytest.approx(6 / 48)
    assert (data["ci_lb"], data["ci_ub"]) == (pytest.approx(0.0117, abs=5e-5), pytest.approx(0.2801, abs=5e-5))
    assert data["lambda_to_eta2"] == "N" and "df1 + df2 + 1" in data["convention"]


def test_effect_eta2_ci_df_error_and_bad_option(app):
    out = runner.invoke(app, ["effect", "eta2-ci", "--f", "6", "--df1", "1", "--df2", "42", "--lambda-to-eta2", "df_error", "--json"])
    assert json.loads(out.stdout)["lambda_to_eta2"] == "df_error"
    bad = runner.invoke(app, ["effect", "eta2-ci", "--f", "6", "--df1", "1", "--df2", "42", "--lambda-to-eta2", "n"])
    assert bad.exit_code == 2 and "'lambda_to_eta2'" in bad.output


def test_effect_d_ci(app):
    out = runner.invoke(app, ["effect", "d-ci", "--t", "-0.93", "--n1", "13", "--n2", "13", "--json"])
    data = json.loads(out.stdout)
    assert data["estimate"] == pytest.approx(-0.93 * (2 / 13) ** 0.5)
    assert data["ci_lb"] < data["estimate"] < data["ci_ub"]


def test_audit_json_one_object_per_row(app, files):
    tests, groups = files
    out = runner.invoke(app, ["audit", str(tests), "--groups", str(groups), "--json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert len(rows) == 9
    assert {"test_id", "recomputed_p", "verdict", "explanation"} <= set(rows[0])
    verdicts = {r["test_id"]: r["verdict"] for r in rows}
    assert verdicts["ekt_eta2_as_restated"] == "inconsistent"
    assert verdicts["mm_alone_vs_teacher_r"] == "not_checkable"


def test_audit_derived_and_table_output(app, files):
    tests, groups = files
    out = runner.invoke(app, ["audit", str(tests), "--groups", str(groups), "--derived", "--json"])
    derived = json.loads(out.stdout)
    assert any(d["quantity"] == "mean of less_accomplished" for d in derived)
    assert all(d["derived_from"] and d["assumptions"] for d in derived)
    plain = runner.invoke(app, ["audit", str(tests)])
    assert plain.exit_code == 0 and "ekt_pianists" in plain.output


def test_audit_bad_csv_exits_2_naming_file_row_column(app, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(REPORTED_TESTS.replace(",4.59,", ",4.5x,"))
    out = runner.invoke(app, ["audit", str(bad)])
    assert out.exit_code == 2
    assert str(bad) in out.output and "row 1" in out.output and "column 'value'" in out.output
    missing = tmp_path / "missing.csv"
    missing.write_text(REPORTED_TESTS.replace("p_reported", "p"))
    out = runner.invoke(app, ["audit", str(missing)])
    assert out.exit_code == 2 and "missing required column(s) 'p_reported'" in out.output
    out = runner.invoke(app, ["audit", str(tmp_path / "none.csv")])
    assert out.exit_code == 2 and "no such file" in out.output


def test_audit_grim_json_and_explicit_tests_subcommand(app, files):
    out = runner.invoke(app, ["audit", "grim", "--mean", "9.87", "--n", "13", "--scale-min", "0",
                              "--scale-max", "10", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["consistent"] is False and data["admissible_totals"] == [] and data["nearest"] == [9.85, 9.92]
    assert "0–10 scale" in data["assumption"]
    ok = json.loads(runner.invoke(app, ["audit", "grim", "--mean", "8.00", "--n", "30", "--items", "2", "--json"]).stdout)
    assert ok["consistent"] is True and ok["admissible_totals"] == [480] and ok["decimals"] == 2
    tests, _ = files
    same = runner.invoke(app, ["audit", "tests", str(tests), "--json"])
    assert same.exit_code == 0 and same.stdout == runner.invoke(app, ["audit", str(tests), "--json"]).stdout


def test_audit_grimmer_and_debit(app):
    out = json.loads(runner.invoke(app, ["audit", "grimmer", "--mean", "3.44", "--sd", "2.47", "--n", "18",
                                         "--json"]).stdout)
    assert out["consistent"] is False and out["reason"] == "parity"
    text = runner.invoke(app, ["audit", "grimmer", "--mean", "5.21", "--sd", "1.6", "--n", "28"])
    assert text.exit_code == 0 and "consistent" in text.stdout and "GRIMMER" in text.stdout
    out = json.loads(runner.invoke(app, ["audit", "debit", "--mean", "0.53", "--sd", "0.50", "--n", "1683",
                                         "--json"]).stdout)
    assert out["consistent"] is True and out["admissible_counts"][0] == 884
    bad = runner.invoke(app, ["audit", "grim", "--mean", "9.87", "--n", "0"])
    assert bad.exit_code == 2 and "The 'n' parameter of grim must be an integer ≥ 1" in bad.stderr


def test_effect_beyond_the_inversion_limits_exits_2(command):
    # issue 11: `effect eta2-ci --f 1e308` gave a traceback (after a long search)
    effect = command(effect_cmd, "effect")
    for args, needle in ((["eta2-ci", "--f", "1e308", "--df1", "2", "--df2", "30"], "'f' parameter of ncf_limits"),
                         (["d-ci", "--t", "1e6", "--n1", "10", "--n2", "10"], "'t' parameter of nct_limits")):
        out = effect.run(*args)
        assert out.exit_code == 2 and needle in out.output and "Traceback" not in out.output


def test_audit_row_with_df2_zero_is_not_checkable(command, tmp_path):
    # issue 11: `dprep audit` called F(1, 0) = 4.59, p < .05 "consistent" with a recomputed p of NaN
    header = REPORTED_TESTS.splitlines()[0]
    path = tmp_path / "rt.csv"
    path.write_text(header + "\nS,t1,x,,a vs b,F,4.59,1,0,<.05,,,,,s,l,t,q\n")
    rows = command(audit_cmd, "audit").run_json(path)
    assert rows[0]["verdict"] == "not_checkable" and rows[0]["recomputed_p"] is None
    assert "'df2' parameter of recompute_p must be a number ≥ 1" in rows[0]["explanation"]


def test_audit_header_only_exits_2(command, tmp_path):
    path = tmp_path / "rt.csv"
    path.write_text(REPORTED_TESTS.splitlines()[0] + "\n")
    out = command(audit_cmd, "audit").run(path)
    assert out.exit_code == 2 and "no data rows" in out.output and "Traceback" not in out.output
