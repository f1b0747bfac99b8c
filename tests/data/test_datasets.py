"""The configured data sets (params.yaml, datasets) and the effect tables they name
(dprep.data.datasets, dprep.data.effect_tables)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from dprep.core.errors import DataError
from dprep.data.datasets import LABELS, EffectTableSpec, load_datasets
from dprep.data.effect_tables import read_effect_table
from dprep.data.schema import DataValidationError

ROOT = Path(__file__).resolve().parents[2]
PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text())
MAIN_TABLE = pytest.mark.usefixtures("validated_tables")  # the main table is the `validate` stage's output


@MAIN_TABLE
def test_defaults_are_the_bundled_data():
    sets = load_datasets(PARAMS["datasets"], ROOT)
    assert [(d.name, d.kind, d.reconstruct) for d in sets.diaries] == [("reconstruction", "reconstructed", True)]
    music = sets.main_table
    assert (music.name, music.kind, music.measure, music.moderators) == ("music", "real", "ZCOR", ("instrument_type",))
    assert music.label == LABELS["real"] == "real data"


def with_entry(which: str, entry: dict) -> dict:
    params = copy.deepcopy(PARAMS)
    params["datasets"][which].append(entry)
    return params


EXAMPLE = dict(name="example_wide", kind="example", path="data/examples/wide_years",
               mapping="data/examples/wide_years/mapping.yaml", study="EXAMPLE_WIDE",
               study_file="data/examples/wide_years/study.yaml")


@MAIN_TABLE
def test_example_entry_and_its_errors(tmp_path):
    (_, example) = load_datasets(with_entry("diaries", EXAMPLE)["datasets"], ROOT).diaries
    assert example.label == "example (invented for the documentation)" and example.mapping.name == "mapping.yaml"
    cases = [
        ({"kind": "synthetic"}, "datasets.diaries[1].kind: one of real, example"),
        ({"path": str(tmp_path)}, "must lie in one of data/user, data/examples"),
        ({"path": "data/user/../../.."}, "must lie in one of data/user, data/examples"),
        ({"path": "data/user/none"}, "no such folder 'data/user/none'"),
        ({"study": None}, "datasets.diaries[1].study"),
        ({"colour": "red"}, "unknown key(s) colour"),
        ({"name": "reconstruction"}, "names must be unique; repeated: reconstruction"),
    ]
    for change, message in cases:
        with pytest.raises(DataError, match=re.escape(message)):
            load_datasets(with_entry("diaries", {**EXAMPLE, **change})["datasets"], ROOT)


@MAIN_TABLE
def test_one_main_table():
    params = copy.deepcopy(PARAMS)
    params["datasets"]["effect_tables"][0]["main"] = False
    with pytest.raises(DataError, match="exactly one table must be `main: true`"):
        load_datasets(params["datasets"], ROOT)
    bad = with_entry("effect_tables", dict(name="t", kind="real", path=PARAMS["datasets"]["effect_tables"][0]["path"],
                                           measure="ZCOR", columns={"label": "sample", "r": "r"}))
    with pytest.raises(DataError, match="a mapping of label, r, n to columns"):
        load_datasets(bad["datasets"], ROOT)


def spec(path: Path, **kw) -> EffectTableSpec:
    base = dict(name="t", kind="real", path=path, measure="ZCOR", columns={"label": "Study", "r": "r", "n": "N"},
                title="t", moderators=("Domain",), cluster="Paper", blinding="Blinded")
    return EffectTableSpec(**{**base, **kw})


def test_effect_table_from_excel_with_roles(tmp_path):
    frame = pd.DataFrame({"Study": ["a", "b", "c"], "r": [0.3, -0.2, 0.5], "N": [30, 40, 50],
                          "Domain": ["x", "y", "x"], "Paper": ["P", "P", "Q"], "Blinded": ["blinded", "unclear", "unblinded"],
                          "Note": ["", "kept as text", ""]})
    frame.to_excel(tmp_path / "t.xlsx", index=False, engine="openpyxl")
    table = read_effect_table(spec(Path("t.xlsx")), tmp_path)
    assert list(table.roles.columns) == ["label", "r", "n", "Domain", "cluster", "blinding"]
    assert table.roles["n"].tolist() == [30, 40, 50] and table.roles["r"].tolist() == [0.3, -0.2, 0.5]
    assert list(table.data.columns) == list(frame.columns)


def test_effect_table_errors_name_file_row_column(tmp_path):
    pd.DataFrame({"Study": ["a", "b"], "r": ["0.3", "1.2"], "N": ["30", "3"], "Domain": ["x", ""],
                  "Paper": ["P", "Q"], "Blinded": ["blinded", "maybe"]}).to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(DataValidationError) as info:
        read_effect_table(spec(Path("t.csv")), tmp_path)
    found = {(e.row, e.column) for e in info.value.errors}
    assert found == {(2, "r"), (2, "N"), (2, "Domain"), (2, "Blinded")}
    with pytest.raises(DataValidationError, match="column does not exist"):
        read_effect_table(spec(Path("t.csv"), columns={"label": "Study", "r": "rho", "n": "N"}), tmp_path)


def test_generic_measure(tmp_path):
    pd.DataFrame({"id": ["a", "b"], "g": [0.2, 0.4], "v": [0.01, 0.02]}).to_csv(tmp_path / "g.csv", index=False)
    table = read_effect_table(spec(Path("g.csv"), measure="GEN", columns={"label": "id", "yi": "g", "vi": "v"},
                                   moderators=(), cluster=None, blinding=None), tmp_path)
    assert table.roles["vi"].tolist() == [0.01, 0.02]


@pytest.mark.parametrize(("edit", "found"), [
    # issue 11: what the meta-analysis rejects, the effect table rejects first, with row and column
    (dict(r=["0.3", "1", "-1"]), {(2, "r"), (3, "r")}),
    (dict(N=["30", "50.5", "40"]), {(2, "N")}),
    (dict(N=["30", "1000000000", "40"]), {(1, "N"), (2, "N")}),  # 1/(n − 3) spans (1e9 − 3)/27 = 3.7e7 ≥ 10⁷
])
def test_effect_table_rejects_what_the_analysis_would(tmp_path, edit, found):
    base = {"Study": ["a", "b", "c"], "r": ["0.3", "0.2", "0.1"], "N": ["30", "40", "50"], "Domain": ["x", "y", "x"],
            "Paper": ["P", "Q", "R"], "Blinded": ["blinded", "unclear", "unblinded"]}
    pd.DataFrame({**base, **edit}).to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(DataValidationError) as info:
        read_effect_table(spec(Path("t.csv")), tmp_path)
    assert {(e.row, e.column) for e in info.value.errors} == found


def test_effect_table_with_a_column_named_twice(tmp_path):
    (tmp_path / "t.csv").write_text("Study,r,N,Domain,Paper,Blinded,r\na,0.3,30,x,P,blinded,0.9\n"
                                    "b,0.2,40,y,Q,unclear,0.9\n")
    with pytest.raises(DataValidationError, match=r"column 'r': the column name appears more than once in the header"):
        read_effect_table(spec(Path("t.csv")), tmp_path)


def test_effect_table_without_data_rows(tmp_path):
    # a header-only table ended in numpy's "argmax of an empty sequence" (exit 3 on the command line)
    (tmp_path / "t.csv").write_text("Study,r,N,Domain,Paper,Blinded\n")
    with pytest.raises(DataValidationError, match=r"t.csv: the table has no data rows"):
        read_effect_table(spec(Path("t.csv")), tmp_path)
