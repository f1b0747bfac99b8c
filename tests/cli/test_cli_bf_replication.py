"""The ``dprep bf`` and ``dprep replication`` commands print what the library computes."""

import json

import pytest
from typer.testing import CliRunner

from dprep.stats.bayes_factors import jzs_anova_bf, jzs_ttest_bf
from dprep.cli import app
from dprep.stats.replication import d_from_f, replication_report

runner = CliRunner()


def _json(args):
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_bf_ttest_json_matches_library():
    out = _json(["bf", "ttest", "--t", "3.5", "--n1", "20", "--n2", "20", "--json"])
    ref = jzs_ttest_bf(3.5, 20, 20)
    assert out["bf10"] == pytest.approx(ref.bf10, rel=1e-12)
    assert out["bf01"] == pytest.approx(ref.bf01, rel=1e-12)
    assert out["r"] == pytest.approx(2 ** 0.5 / 2)


def test_bf_ttest_one_sample_and_custom_scale():
    out = _json(["bf", "ttest", "--t", "2.1", "--n1", "30", "--r", "1", "--json"])
    assert out["test"] == "ttest_one_sample"
    assert out["bf10"] == pytest.approx(jzs_ttest_bf(2.1, 30, r=1.0).bf10, rel=1e-12)


def test_bf_anova_json_matches_library():
    out = _json(["bf", "anova", "--f", "10.08", "--groups", "2", "--n-per-group", "25", "--json"])
    assert out["bf10"] == pytest.approx(jzs_anova_bf(10.08, 2, 25).bf10, rel=1e-12)
    assert out["r"] == 0.5


def test_bf_plain_output_shows_both_directions():
    res = runner.invoke(app, ["bf", "anova", "--f", "3", "--groups", "3", "--n-per-group", "10"])
    assert res.exit_code == 0
    assert "bf10" in res.stdout and "bf01" in res.stdout


def test_bf_bad_input_exits_2_with_message():
    res = runner.invoke(app, ["bf", "ttest", "--t", "2", "--n1", "1"])
    assert res.exit_code == 2
    assert "The 'n1' parameter of jzs_ttest_bf" in res.output


def test_replication_json_matches_library():
    d = d_from_f(4.59, 10, 10)
    out = _json(["replication", "--orig-d", repr(d), "--orig-n1", "10", "--orig-n2", "10", "--orig-df", "27",
                 "--rep-d", "-0.38", "--rep-n1", "13", "--rep-n2", "13", "--sesoi", "0.3", "--json"])
    ref = replication_report(d, 10, 10, -0.38, 13, 13, sesoi=0.3, orig_df=27).to_dict()
    assert out["sceptical_pval"] == pytest.approx(ref["sceptical_pval"], rel=1e-12)
    assert out["replication_bf"]["bf_r0"] == pytest.approx(ref["replication_bf"]["bf_r0"], rel=1e-12)
    assert out["small_telescopes"]["d33"] == pytest.approx(ref["small_telescopes"]["d33"], rel=1e-12)
    assert out["tost"]["equivalent"] is ref["tost"]["equivalent"]
    assert [out["pi_lb"], out["pi_ub"]] == pytest.approx([ref["pi_lb"], ref["pi_ub"]], rel=1e-12)


def test_replication_sesoi_defaults_to_d33_and_accepts_a_number():
    base = ["replication", "--orig-d", "1.0", "--orig-n1", "10", "--orig-n2", "10",
            "--rep-d", "0.1", "--rep-n1", "30", "--rep-n2", "30", "--json"]
    default = _json(base)
    assert default["sesoi_rule"] == "d33"
    assert default["tost"]["sesoi"] == pytest.approx(default["small_telescopes"]["d33"], rel=1e-12)
    assert _json(base + ["--sesoi", "0.25"])["tost"]["sesoi"] == 0.25
    res = runner.invoke(app, base + ["--sesoi", "big"])
    assert res.exit_code == 2 and "'sesoi' parameter of replication_report" in res.output


def test_replication_bad_input_exits_2():
    res = runner.invoke(app, ["replication", "--orig-d", "0", "--orig-n1", "10", "--orig-n2", "10",
                              "--rep-d", "0.1", "--rep-n1", "10", "--rep-n2", "10"])
    assert res.exit_code == 2
    assert "orig_d" in res.output


@pytest.fixture(scope="module")
def bf(command):
    from dprep.cli import bf as bf_module

    return command(bf_module, "bf")


def test_bf_beyond_the_float_range_gives_its_log_and_the_flag(bf):
    # issue 11: `bf ttest --t 50 --n1 1000 --n2 1000 --json` printed "bf10": null with exit 0 and no word why
    out = bf.run_json("ttest", "--t", "50", "--n1", "1000", "--n2", "1000")
    assert out["bf10"] is None and out["bf01"] is None and out["bf_overflow"] is True
    assert out["log_bf10"] == pytest.approx(805.6973458, abs=1e-6)
    plain = bf.run("ttest", "--t", "50", "--n1", "1000", "--n2", "1000")
    assert plain.exit_code == 0 and "bf_overflow" in plain.stdout and "805.6973" in plain.stdout


@pytest.mark.parametrize("t, n", [("1e308", ["--n1", "10"]), ("1e100", ["--n1", "1000", "--n2", "1000"])])
def test_bf_of_a_huge_t_is_a_finite_log(bf, t, n):
    # issue 11: --t 1e308 printed all nulls (t² overflowed), --t 1e100 raised OverflowError in the quadrature
    out = bf.run_json("ttest", "--t", t, *n)
    assert out["bf_overflow"] is True and out["log_bf10"] > 709.8


def test_bf_anova_of_a_huge_f(bf):
    out = bf.run_json("anova", "--f", "1e308", "--groups", "3", "--n-per-group", "10")
    assert out["bf_overflow"] is True and out["log_bf10"] > 709.8


def test_replication_beyond_the_float_range(command):
    from dprep.cli import replication as replication_module

    rep = command(replication_module, "replication")
    args = ["--orig-d", "1", "--orig-n1", "5000", "--orig-n2", "5000", "--rep-d", "1", "--rep-n1", "5000",
            "--rep-n2", "5000"]
    out = rep.run_json(*args)["replication_bf"]
    assert out["bf_r0"] is None and out["bf_overflow"] is True and out["log_bf_r0"] > 709.8
    plain = rep.run(*args)
    assert plain.exit_code == 0 and "log BF_r0 = 1115.40" in plain.stdout
