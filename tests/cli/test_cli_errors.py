"""Every error of every command ends as a message on stderr, never as a traceback: bad input (a
DprepError, an unreadable file, a usage error) exits 2 with one line; anything else is a bug and exits
3 with one line saying so; ``DPREP_DEBUG=1`` keeps the traceback. Also the reproducers of issue 11
that ended in tracebacks."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dprep.cli import app as dprep_app
from dprep.cli._common import DprepGroup
from dprep.core.errors import ConvergenceError, DataError

ROOT = Path(__file__).resolve().parents[2]
DIARIES = ROOT / "tests" / "fixtures" / "diaries" / "standard"
STUDIES = ROOT / "data" / "studies.yaml"
INTERNAL = "dprep: internal error (a bug, please report it): "


def _raising(exc: BaseException) -> typer.Typer:
    """An app under DprepGroup whose command ``go`` raises ``exc`` (and ``ok`` does nothing)."""
    app = typer.Typer(cls=DprepGroup, add_completion=False, pretty_exceptions_enable=False)

    @app.command("go")
    def go(count: int = typer.Option(1, "--count")) -> None:
        """Raise."""
        raise exc

    @app.command("warn")
    def warn() -> None:
        """Warn, then succeed."""
        warnings.warn("k = 1: a z test\n  is used", UserWarning)
        warnings.warn("inplace is deprecated", DeprecationWarning)  # a library's note to developers
        warnings.warn("the default will change", FutureWarning)

    return app


def _one_line(result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


@pytest.mark.parametrize("exc, message", [
    (DataError("data.csv, row 3, column 'n': expected an integer"), "data.csv, row 3, column 'n': expected an integer"),
    (ConvergenceError("REML did not converge in 100 iterations; try method='DL'"),
     "REML did not converge in 100 iterations; try method='DL'"),
    (FileNotFoundError(errno.ENOENT, "No such file or directory", "missing.csv"),
     "missing.csv: No such file or directory"),
    (IsADirectoryError(errno.EISDIR, "Is a directory", "pkg/sub"), "pkg/sub: Is a directory"),
    (OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
])
def test_bad_input_is_one_line_exit_2(exc, message):
    result = CliRunner().invoke(_raising(exc), ["go"])
    assert result.exit_code == 2
    assert _one_line(result) == message and result.stdout == ""


@pytest.mark.parametrize("exc, line", [
    (KeyError("F"), "KeyError: 'F'"),
    (ValueError("could not convert\nstring to float"), "ValueError: could not convert string to float"),
    (ZeroDivisionError("division by zero"), "ZeroDivisionError: division by zero"),
])
def test_a_bug_is_one_line_exit_3(exc, line):
    result = CliRunner().invoke(_raising(exc), ["go"])
    assert result.exit_code == 3
    assert _one_line(result) == INTERNAL + line


def test_debug_keeps_the_exception(monkeypatch):
    monkeypatch.setenv("DPREP_DEBUG", "1")
    result = CliRunner().invoke(_raising(KeyError("F")), ["go"])
    assert isinstance(result.exception, KeyError) and result.stderr == ""


def test_usage_errors_are_one_line_naming_the_option():
    app = _raising(KeyError("F"))
    result = CliRunner().invoke(app, ["go", "--count", "many"])
    assert result.exit_code == 2
    line = _one_line(result)
    assert line.startswith("root go: Invalid value for '--count'") and "see 'root go --help'" in line
    result = CliRunner().invoke(app, ["gone"])
    assert result.exit_code == 2 and "No such command 'gone'" in _one_line(result)


def test_warnings_are_one_line_and_do_not_change_the_status():
    result = CliRunner().invoke(_raising(KeyError("F")), ["warn"])
    assert result.exit_code == 0
    assert _one_line(result) == "dprep: UserWarning: k = 1: a z test is used"


def test_help_and_exit_pass_through():
    assert CliRunner().invoke(_raising(typer.Exit(4)), ["go"]).exit_code == 4
    result = CliRunner().invoke(dprep_app, ["bias"])  # no_args_is_help: the help, not an error line
    assert "selmodel" in result.stdout and "pet-peese" in result.stdout
    assert result.stderr == "" and result.exit_code == 2


@pytest.mark.parametrize("debug, status", [("0", 3), ("1", 1)])
def test_console_entry_point(debug, status):
    """What the console script runs (``dprep.cli:app`` called): a bug is one line and exit 3 in a process
    of its own; with DPREP_DEBUG=1 the traceback."""
    code = ("import sys\nfrom dprep.cli import app\n"
            "@app.command('crash')\ndef crash():\n    {}['F']\n"
            "app(prog_name='dprep')")
    env = {**os.environ, "DPREP_DEBUG": debug}
    done = subprocess.run([sys.executable, "-c", code, "crash"], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == status
    if debug == "0":
        assert done.stderr.splitlines() == [INTERNAL + "KeyError: 'F'"]
    else:
        assert "Traceback" in done.stderr


# --------------------------------------------------------------------------- reproducers of issue 11


def run(*args):
    return CliRunner().invoke(dprep_app, [str(a) for a in args])


@pytest.mark.parametrize("age", ["0", "-5", "nan"])
def test_summarize_age_not_positive(age):
    result = run("diaries", "summarize", DIARIES, "--age", age)
    assert result.exit_code == 2
    line = _one_line(result)
    assert "'--age' parameter" in line and "must be a finite number" in line


@pytest.mark.parametrize("age", ["0.5", "14"])
def test_summarize_age_before_practice_starts(age):
    """The fixture's earliest start is age 14: before it every accumulated total is 0 (the one-way ANOVA then
    had no F: a KeyError)."""
    result = run("diaries", "summarize", DIARIES, "--age", age)
    assert result.exit_code == 2
    assert _one_line(result) == (f"{DIARIES}: no participant has practice hours before age {age} (--age); the "
                                 "groups cannot be compared before practice starts.")


def test_summarize_unknown_study_names_the_study_file():
    result = run("diaries", "summarize", DIARIES, "--study", "NOPE", "--studies", STUDIES)
    assert result.exit_code == 2
    assert _one_line(result).startswith(f"{STUDIES}: no study 'NOPE'")


@pytest.mark.parametrize("text, problem", [
    ("project:\n  type: website\n   output-dir: x\n", "invalid YAML: mapping values are not allowed here at line 3, column 14"),
    ("- index.qmd\n", "the file must be a mapping, got ['index.qmd']"),
    ("website: Fixture\n", "website must be a mapping, got 'Fixture'"),
    ("website:\n  navbar:\n    left: index.qmd\n", "website.navbar.left must be a list, got 'index.qmd'"),
    ("website:\n  navbar:\n    left: [3]\n", "a navbar entry must be a file name or have an 'href' or a 'menu', got 3"),
])
def test_render_invalid_quarto_yml(tmp_path, text, problem):
    project = tmp_path / "reports"
    project.mkdir()
    (project / "_quarto.yml").write_text(text, encoding="utf-8")
    result = run("render", project, "--engine", "fallback")
    assert result.exit_code == 2
    assert _one_line(result) == f"{project.resolve() / '_quarto.yml'}: {problem}"


def test_render_param_not_yaml(tmp_path):
    shutil.copytree(ROOT / "tests" / "fixtures" / "render", tmp_path / "reports")
    result = run("render", tmp_path / "reports", "--engine", "fallback", "-P", "label:[open")
    assert result.exit_code == 2
    assert _one_line(result).startswith("--param 'label:[open': the value is not valid YAML")


def test_validate_missing_path(tmp_path):
    result = run("validate", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "the data package descriptor does not exist" in _one_line(result)


def test_validate_a_file_instead_of_a_folder(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a package\n", encoding="utf-8")
    result = run("validate", path)
    assert result.exit_code == 2
    assert _one_line(result).startswith(f"{path}: the descriptor is not valid JSON")


def test_validate_resource_that_is_a_folder(tmp_path):
    pkg = tmp_path / "raw"
    shutil.copytree(ROOT / "data" / "raw", pkg)
    (pkg / "ratings.csv").unlink()
    (pkg / "ratings.csv").mkdir()
    result = run("validate", pkg)
    assert result.exit_code == 2
    line = _one_line(result)
    assert "ratings.csv" in line and not line.startswith(INTERNAL)


def test_reconstruct_unknown_study(tmp_path):
    result = run("reconstruct", "--study", "NOPE", "--out", tmp_path / "out", "--studies", STUDIES)
    assert result.exit_code == 2
    assert _one_line(result) == "--study must be one of EKT1993_S1, MM2019 or all; got 'NOPE'"
    assert not (tmp_path / "out").exists()


def test_selmodel_non_convergence_exits_2_naming_the_file(monkeypatch):
    from dprep.stats import meta

    def no_fit(*args, **kwargs):
        raise ConvergenceError("the selection model did not converge; try --method FE")

    monkeypatch.setattr(meta, "selmodel", no_fit)
    data = ROOT / "tests" / "reference" / "hackshaw1998.csv"
    result = run("bias", "selmodel", data, "--yi-col", "yi", "--vi-col", "vi")
    assert result.exit_code == 2
    assert _one_line(result) == f"{data}: the selection model did not converge; try --method FE"
