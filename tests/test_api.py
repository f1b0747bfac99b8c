"""The public API: ``import dprep as dp`` is light, every name in ``dp.__all__`` resolves and is
documented (numpydoc: Parameters, Returns, Raises, and the method's source), and ``dp.rma`` accepts
arrays or column names of a DataFrame with identical results."""

import doctest
import inspect
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dprep as dp

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("Parameters\n----------", "Returns\n-------", "Raises\n------", "References\n----------")


def test_import_is_lazy():
    code = "import dprep, sys; print(sorted(m for m in ('scipy', 'pandas', 'pymc', 'arviz') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_bayesian_names_load_pymc_only_when_used():
    code = ("import dprep, sys; dprep.rma; before = 'pymc' in sys.modules; dprep.bayesian_meta; "
            "print(before, 'pymc' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


@pytest.mark.parametrize("argv", [["effect", "eta2-ci", "--f", "11.86", "--df1", "1", "--df2", "27"],
                                  ["effect", "d-ci", "--t", "-0.93", "--n1", "13", "--n2", "13"]])
def test_interval_commands_do_not_load_scipy_stats(argv):
    # scipy.stats and scipy.optimize add ~0.6 s to start-up; the noncentral CIs need scipy.special only
    code = ("import sys; from dprep.cli import app; sys.argv = ['dprep', *sys.argv[1:]]\n"
            "try:\n    app()\nexcept SystemExit as exit:\n    print('exit', exit.code, file=sys.stderr)\n"
            "print(sorted(m for m in ('scipy.stats', 'scipy.optimize', 'pandas') if m in sys.modules), file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True)
    assert "ci_lb" in run.stdout
    assert run.stderr.strip().splitlines()[-2:] == ["exit 0", "[]"], run.stderr


@pytest.mark.parametrize("name", dp.__all__)
def test_public_names_have_numpydoc_with_a_source(name):
    doc = inspect.getdoc(getattr(dp, name)) or ""
    missing = [s.split("\n")[0] for s in SECTIONS if s not in doc]
    assert not missing, f"dp.{name}: docstring lacks {', '.join(missing)}"


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        dp.nope  # noqa: B018


def test_rma_with_data_equals_rma_with_arrays():
    df = pd.read_csv(ROOT / "tests" / "reference" / "bcg_logrr.csv")
    by_name = dp.rma(yi="yi", vi="vi", data=df, mods="ablat", method="REML", test="knha")
    by_array = dp.rma(df["yi"].to_numpy(), df["vi"].to_numpy(), mods=df["ablat"], method="REML", test="knha")
    assert by_name.to_dict() == by_array.to_dict()
    assert np.array_equal(by_name.beta, by_array.beta)


def test_rma_repr_is_short_and_summary_is_metafor_like():
    df = pd.read_csv(ROOT / "tests" / "reference" / "bcg_logrr.csv")
    fit = dp.rma(yi="yi", vi="vi", data=df)
    assert len(repr(fit)) < 200 and "array" not in repr(fit)
    text = fit.summary()
    for part in ("Random-Effects Model (k = 13; τ² estimator: REML)", "Test for Heterogeneity:", "Model Results"):
        assert part in text
    assert "<pre>" in fit._repr_html_()


def test_readme_library_section_runs(monkeypatch):
    monkeypatch.chdir(ROOT)  # the examples read data/raw/ as a user in the repository would
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
