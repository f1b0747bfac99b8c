"""``dprep validate``: exit 0 with a summary on good data, exit 2 with one line per problem."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from dprep.cli import validate

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"


@pytest.fixture
def app() -> typer.Typer:
    """An app with only the ``validate`` command, registered as dprep.cli registers it."""
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    validate.register(app)
    return app


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    shutil.copytree(RAW, tmp_path / "raw")
    return tmp_path / "raw"


def run(app: typer.Typer, *args: str):
    return CliRunner().invoke(app, ["validate", *map(str, args)])


def break_music_row_7(pkg: Path) -> Path:
    path = pkg / "music_correlations_macnamara2014.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[7].startswith("7,Piano,-0.224,")
    lines[7] = lines[7].replace("-0.224", "1.4", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("target", ["datapackage.json", ".", "ratings.csv"])
def test_valid_package_exits_0(app, target):
    result = run(app, RAW / target, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["status"] == "OK"
    if target.endswith(".csv"):
        assert summary["rows"] == {"ratings": 5}
    else:
        resources = json.loads((RAW / "datapackage.json").read_text())["resources"]
        expected = {r["name"]: len(pd.read_csv(RAW / r["path"])) for r in resources}
        assert summary["rows"] == expected


def test_text_summary(app):
    result = run(app, RAW)
    assert result.exit_code == 0
    assert "OK" in result.stdout and "music_correlations_macnamara2014" in result.stdout


def test_bad_value_exits_2_with_one_line_per_error(app, pkg):
    path = break_music_row_7(pkg)
    text = (pkg / "group_summaries.csv").read_text(encoding="utf-8")
    (pkg / "group_summaries.csv").write_text(text.replace(",best,10,", ",best,-10,", 1), encoding="utf-8")
    result = run(app, pkg)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{pkg / 'group_summaries.csv'}, row 1, column 'n': value -10 is less than the minimum 1",
        f"{path}, row 7, column 'r': value 1.4 is not less than 1 (exclusive maximum)",
    ]


def test_single_csv_is_checked_alone(app, pkg):
    path = break_music_row_7(pkg)
    assert run(app, pkg / "ratings.csv").exit_code == 0
    result = run(app, path, "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout) == [
        {
            "file": str(path),
            "row": 7,
            "column": "r",
            "value": "1.4",
            "message": "value 1.4 is not less than 1 (exclusive maximum)",
        }
    ]


def test_missing_column_and_duplicate_key(app, pkg):
    tests = pkg / "reported_tests.csv"
    lines = tests.read_text(encoding="utf-8").splitlines()
    tests.write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
    music = pkg / "music_correlations_macnamara2014.csv"
    with music.open(newline="", encoding="utf-8") as fh:
        records = [row[:-1] for row in csv.reader(fh)]  # drop the last column, 'note'
    with music.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(records)
    result = run(app, pkg / "datapackage.json")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{tests}, row 10, column 'test_id': value of 'test_id' = (ekt_best_vs_good) repeats "
        "row 1; it must be unique",
        f"{music}, column 'note': the column is missing",
    ]


def test_csv_outside_the_package_and_missing_descriptor(app, pkg, tmp_path):
    stray = pkg / "stray.csv"
    stray.write_text("a\n1\n", encoding="utf-8")
    result = run(app, stray)
    assert result.exit_code == 2
    assert "stray.csv: not a resource of the data package" in result.stderr
    result = run(app, tmp_path)
    assert result.exit_code == 2
    assert "datapackage.json: the data package descriptor does not exist" in result.stderr
