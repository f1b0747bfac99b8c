"""The evidence data package in data/raw and the Table Schema → pandera validation machinery."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest

from dprep.data.schema import (
    DataValidationError,
    load_package,
    schema_from_table_schema,
    validate_frame,
    validate_package,
    validate_resource,
)

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
ROWS = {
    "group_summaries": 8,
    "reported_tests": 9,
    "ratings": 5,
    "meta_summaries": 32,
    "music_correlations_macnamara2014": 16,
    "blinding_bias_priors": 7,
    "claims": 21,
}
TIERS = {"primary-abstract", "primary-table", "secondary-verbatim", "secondary-summary", "not-found"}


def descriptor() -> dict:
    return json.loads((RAW / "datapackage.json").read_text(encoding="utf-8"))


def edit_csv(path: Path, edit) -> None:
    """Rewrite a CSV after ``edit(header, rows)`` changed its lists in place."""
    with path.open(newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    edit(header, rows)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, *rows])


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set data row ``row`` (1-based, header not counted) of ``column``."""

    def edit(header, rows):
        rows[row - 1][header.index(column)] = value

    edit_csv(path, edit)


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    """A writable copy of data/raw."""
    shutil.copytree(RAW, tmp_path / "raw")
    return tmp_path / "raw"


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(e) for e in exc.value.errors]


# --- the shipped package ------------------------------------------------------------------------


def test_shipped_package_validates():
    tables = validate_package(RAW / "datapackage.json")
    assert {name: len(frame) for name, frame in tables.items()} == ROWS
    assert tables["group_summaries"]["n"].dtype == "Int64"
    assert tables["music_correlations_macnamara2014"]["r"].dtype == "float64"
    # p-values stay the text that was printed
    assert tables["meta_summaries"]["p"].dropna().tolist()[:2] == ["<.001", "<.001"]


def test_every_resource_carries_provenance_and_units():
    # claims.csv holds the statements under audit (tier `article-under-audit`), not evidence
    for res in (r for r in descriptor()["resources"] if r["name"] != "claims"):
        schema = res["schema"]
        fields = {f["name"]: f for f in schema["fields"]}
        assert schema["primaryKey"], res["name"]
        assert fields["source"]["constraints"]["required"] is True, res["name"]
        assert set(fields["tier"]["constraints"]["enum"]) == TIERS, res["name"]
        assert fields["tier"]["constraints"]["required"] is True, res["name"]
        (cond,) = fields["locator"]["conditionalConstraints"]
        assert set(cond["when"]["in"]) == TIERS - {"not-found"}
        assert cond["constraints"] == {"required": True}
        for f in fields.values():
            assert f.get("description"), (res["name"], f["name"])
            if f["type"] in ("integer", "number") and f["name"] not in schema["primaryKey"]:
                assert f.get("unit"), (res["name"], f["name"])
        with (RAW / res["path"]).open(newline="", encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == list(fields), res["name"]


def test_pct_variance_columns_agree_with_the_printed_value():
    meta = load_package(RAW, ["meta_summaries"])["meta_summaries"]
    for printed, point, bound in meta[
        ["pct_variance_reported", "pct_variance", "pct_variance_upper_bound"]
    ].itertuples(index=False):
        if pd.isna(printed):
            assert pd.isna(point) and pd.isna(bound)
        elif printed.startswith("<"):
            assert pd.isna(point) and bound == float(printed[1:])
        else:
            assert point == float(printed) and pd.isna(bound)


def test_not_found_values_stay_missing():
    groups = load_package(RAW, ["group_summaries"])["group_summaries"]
    assert groups["sd"].isna().all()
    row = groups[(groups["study_id"] == "MM2019") & (groups["group"] == "less_accomplished")]
    assert row["mean"].isna().all() and (row["tier"] == "not-found").all()


def test_frictionless_accepts_package_and_tables():
    frictionless = pytest.importorskip("frictionless")
    assert list(frictionless.Package.metadata_validate(descriptor())) == []
    report = frictionless.validate(RAW / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])


def test_frictionless_applies_the_declared_constraints(pkg: Path):
    frictionless = pytest.importorskip("frictionless")
    set_cell(pkg / "music_correlations_macnamara2014.csv", 7, "r", "1.4")
    report = frictionless.validate(pkg / "datapackage.json")
    assert not report.valid
    assert report.flatten(["fieldName", "type"]) == [["r", "constraint-error"]]


# --- bad copies are rejected with file, row and column ----------------------------------------------


def test_negative_n(pkg: Path):
    set_cell(pkg / "group_summaries.csv", 2, "n", "-10")
    with pytest.raises(DataValidationError) as exc:
        validate_package(pkg)
    assert messages(exc) == [
        f"{pkg / 'group_summaries.csv'}, row 2, column 'n': value -10 is less than the minimum 1"
    ]
    (err,) = exc.value.errors
    assert (err.row, err.column, err.value) == (2, "n", "-10")


def test_r_outside_unit_interval(pkg: Path):
    set_cell(pkg / "music_correlations_macnamara2014.csv", 7, "r", "1.4")
    with pytest.raises(DataValidationError, match=r"row 7, column 'r'") as exc:
        validate_package(pkg / "datapackage.json")
    assert str(exc.value) == (
        f"{pkg / 'music_correlations_macnamara2014.csv'}, row 7, column 'r': "
        "value 1.4 is not less than 1 (exclusive maximum)"
    )


def test_missing_source_column(pkg: Path):
    def drop_source(header, rows):
        i = header.index("source")
        del header[i]
        for row in rows:
            del row[i]

    edit_csv(pkg / "reported_tests.csv", drop_source)
    with pytest.raises(DataValidationError) as exc:
        validate_package(pkg)
    assert messages(exc) == [f"{pkg / 'reported_tests.csv'}, column 'source': the column is missing"]


def test_non_numeric_cells(pkg: Path):
    set_cell(pkg / "meta_summaries.csv", 2, "k", "eleven")
    set_cell(pkg / "meta_summaries.csv", 1, "r_ci_low", "0.3O")
    with pytest.raises(DataValidationError) as exc:
        validate_package(pkg)
    file = pkg / "meta_summaries.csv"
    assert messages(exc) == [
        f"{file}, row 1, column 'r_ci_low': value '0.3O' is not a number",
        f"{file}, row 2, column 'k': value 'eleven' is not an integer",
    ]


def test_duplicated_primary_key_names_both_rows(pkg: Path):
    def duplicate_first(header, rows):
        rows.append(list(rows[0]))

    edit_csv(pkg / "ratings.csv", duplicate_first)
    with pytest.raises(DataValidationError) as exc:
        validate_package(pkg)
    (err,) = exc.value.errors
    assert (err.row, err.column) == (6, "study_id, activity, rating")
    assert str(err) == (
        f"{pkg / 'ratings.csv'}, row 6, column 'study_id, activity, rating': primary key "
        "(study_id, activity, rating) = (EKT1993_S1, practice alone, enjoyment) repeats row 1; "
        "it must be unique"
    )


def test_locator_required_unless_not_found(pkg: Path):
    set_cell(pkg / "group_summaries.csv", 1, "locator", "")
    set_cell(pkg / "group_summaries.csv", 8, "locator", "")  # tier not-found: allowed empty
    with pytest.raises(DataValidationError) as exc:
        validate_package(pkg)
    assert messages(exc) == [
        f"{pkg / 'group_summaries.csv'}, row 1, column 'locator': the cell is empty but a value "
        "is required when 'tier' is 'secondary-verbatim'"
    ]


def test_eta_squared_bounded_but_d_is_not(pkg: Path):
    set_cell(pkg / "reported_tests.csv", 6, "effect_value", "1.26")  # eta_squared
    set_cell(pkg / "reported_tests.csv", 5, "effect_value", "-1.38")  # cohens_d: fine
    with pytest.raises(DataValidationError) as exc:
        validate_package(pkg)
    assert messages(exc) == [
        f"{pkg / 'reported_tests.csv'}, row 6, column 'effect_value': value 1.26 is not less than "
        "1 (exclusive maximum) when 'effect_size' is 'eta_squared'"
    ]


def test_unknown_tier_and_statistic(pkg: Path):
    set_cell(pkg / "reported_tests.csv", 1, "statistic", "f")
    set_cell(pkg / "reported_tests.csv", 2, "tier", "primary")
    with pytest.raises(DataValidationError) as exc:
        validate_package(pkg)
    assert [(e.row, e.column, e.value) for e in exc.value.errors] == [
        (1, "statistic", "f"),
        (2, "tier", "primary"),
    ]
    assert "value 'f' is not one of 'F', 't', 'chi2', 'r', 'z'" in str(exc.value)


def test_errors_are_collected_across_files(pkg: Path):
    set_cell(pkg / "group_summaries.csv", 2, "n", "0")
    set_cell(pkg / "music_correlations_macnamara2014.csv", 3, "n", "")
    with pytest.raises(DataValidationError) as exc:
        validate_package(pkg)
    assert [(Path(e.file).name, e.row, e.column) for e in exc.value.errors] == [
        ("group_summaries.csv", 2, "n"),
        ("music_correlations_macnamara2014.csv", 3, "n"),
    ]
    assert isinstance(exc.value, ValueError)


def test_ragged_and_blank_records(pkg: Path):
    path = pkg / "ratings.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ",extra"  # data row 2
    lines.insert(4, "")  # a blank record becomes data row 4
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        validate_resource(path, descriptor()["resources"][2]["schema"])
    assert [(e.row, e.column) for e in exc.value.errors][:2] == [(2, None), (4, None)]
    assert "the record has 10 cells but the header has 9" in str(exc.value)
    assert "row 4: the record is blank" in str(exc.value)


@pytest.mark.parametrize(("file", "row", "column", "bad", "message"), [
    # issue 11: what the analysis rejects, validate rejects first (Fisher z needs |r| < 1 and n > 3;
    # p-values need df ≥ 1; counts are integers; η² = 1 implies an infinite F)
    ("music_correlations_macnamara2014.csv", 3, "r", "1", "value 1 is not less than 1 (exclusive maximum)"),
    ("music_correlations_macnamara2014.csv", 3, "r", "-1.0", "value -1.0 is not greater than -1 (exclusive minimum)"),
    ("music_correlations_macnamara2014.csv", 4, "n", "3", "value 3 is less than the minimum 4"),
    ("music_correlations_macnamara2014.csv", 4, "n", "50.5", "value '50.5' is not an integer"),
    ("music_correlations_macnamara2014.csv", 4, "n", "1" + "0" * 20, "is out of range (an integer up to 2^53)"),
    ("reported_tests.csv", 1, "df2", "0", "value 0 is less than the minimum 1"),
    ("reported_tests.csv", 1, "df1", "0.5", "value 0.5 is less than the minimum 1"),
    ("reported_tests.csv", 1, "value", "1e400", "value '1e400' is out of range (a number up to 1.8e308"),
    ("reported_tests.csv", 6, "effect_value", "1", "value 1 is not less than 1 (exclusive maximum) when"),
    ("group_summaries.csv", 1, "n", "10.5", "value '10.5' is not an integer"),
])
def test_the_schema_rejects_what_the_analysis_would(pkg: Path, file, row, column, bad, message):
    set_cell(pkg / file, row, column, bad)
    with pytest.raises(DataValidationError) as exc:
        validate_package(pkg)
    (err,) = exc.value.errors
    assert (Path(err.file).name, err.row, err.column) == (file, row, column)
    assert message in err.message


def test_frictionless_agrees_on_the_exclusive_bounds(pkg: Path):
    frictionless = pytest.importorskip("frictionless")
    set_cell(pkg / "music_correlations_macnamara2014.csv", 7, "r", "1")
    report = frictionless.validate(pkg / "datapackage.json")
    assert report.flatten(["rowNumber", "fieldName", "type"]) == [[8, "r", "constraint-error"]]


def test_duplicated_column_name_is_refused(pkg: Path):
    # issue 11: `meta` silently used the first of two columns named 'r'; validate names the column
    def duplicate_r(header, rows):
        header.append("r")
        for row in rows:
            row.append("0.9")

    edit_csv(pkg / "music_correlations_macnamara2014.csv", duplicate_r)
    with pytest.raises(DataValidationError) as exc:
        validate_package(pkg)
    assert messages(exc) == [f"{pkg / 'music_correlations_macnamara2014.csv'}, column 'r': the column name "
                             "appears more than once in the header"]


def test_resource_that_is_a_folder_is_reported(pkg: Path):
    # issue 11: a resource path naming a folder raised IsADirectoryError
    (pkg / "ratings.csv").unlink()
    (pkg / "ratings.csv").mkdir()
    with pytest.raises(DataValidationError) as exc:
        validate_package(pkg)
    assert messages(exc) == [f"{pkg / 'ratings.csv'}: the path is a folder, not a CSV file"]


@pytest.mark.parametrize("outside", ["../secret.csv", "../../etc/passwd", "absolute", "link.csv"])
def test_resource_outside_the_package_is_refused_unread(pkg: Path, outside: str):
    # issue 11: a data package's resource path `../../etc/passwd` was read and its first line echoed;
    # "absolute" stands for the absolute path of the secret file
    secret = pkg.parent / "secret.csv"
    secret.write_text("TOP-SECRET-LINE,x\n1,2\n", encoding="utf-8")
    (pkg / "link.csv").symlink_to(secret)
    outside = str(secret.resolve()) if outside == "absolute" else outside
    desc = descriptor()
    desc["resources"][2]["path"] = outside
    (pkg / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        validate_package(pkg)
    (err,) = exc.value.errors
    assert err.message == (f"resource 'ratings': the path {outside!r} leads outside the package folder {pkg} "
                           "(resource paths must be relative, without '..', and stay inside it); it was not read")
    assert "TOP-SECRET" not in str(exc.value) and "root:" not in str(exc.value)


def test_missing_file_is_reported(pkg: Path):
    (pkg / "ratings.csv").unlink()
    with pytest.raises(DataValidationError, match=r"ratings\.csv: the file does not exist"):
        validate_package(pkg)


# --- the general machinery ------------------------------------------------------------------------

DIARY = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True, "minimum": 1}},
        {"name": "start", "type": "string", "constraints": {"pattern": "[0-2][0-9]:[0-5][0-9]"}},
        {"name": "day", "type": "date"},
        {"name": "alone", "type": "boolean"},
        {"name": "minutes", "type": "number", "unit": "minutes", "constraints": {"minimum": 0}},
        {"name": "kind", "type": "string", "constraints": {"enum": ["solo", "lesson"]}},
        {"name": "code", "type": "string", "constraints": {"unique": True}},
    ],
    "primaryKey": "id",
    "missingValues": ["", "NA"],
}


def diary(**columns) -> pd.DataFrame:
    base = {
        "id": ["1", "2"],
        "start": ["09:30", "18:05"],
        "day": ["2019-08-21", "2019-08-22"],
        "alone": ["true", "false"],
        "minutes": ["45", "NA"],
        "kind": ["solo", "lesson"],
        "code": ["a", "b"],
    }
    return pd.DataFrame({**base, **columns}, dtype="str")


def test_valid_frame_is_typed():
    out = validate_frame(diary(), DIARY, file="diary.csv")
    assert out["id"].tolist() == [1, 2] and out["id"].dtype == "Int64"
    assert out["alone"].tolist() == [True, False] and out["alone"].dtype == "boolean"
    assert out["minutes"].isna().tolist() == [False, True]  # "NA" is a missing value here
    assert out["day"].dtype == "datetime64[ns]"
    assert out["start"].tolist() == ["09:30", "18:05"]


def test_typed_input_frame_is_accepted():
    frame = diary().assign(id=pd.array([1, 2], dtype="Int64"), minutes=[45.0, None])
    assert validate_frame(frame, DIARY, file="x").equals(validate_frame(diary(), DIARY, file="x"))


@pytest.mark.parametrize(
    ("column", "bad", "message"),
    [
        ("start", "9:30", "value '9:30' does not match the pattern"),
        ("start", "09:30 ", "value '09:30 ' does not match the pattern"),
        ("alone", "yes", "value 'yes' is not a boolean"),
        ("day", "2019-02-30", "value '2019-02-30' is not a date (YYYY-MM-DD)"),
        ("kind", "Solo", "value 'Solo' is not one of 'solo', 'lesson'"),
        ("minutes", "-5", "value -5 is less than the minimum 0"),
        ("code", "a", "value of 'code' = (a) repeats row 1"),
        ("id", "1", "value of 'id' = (1) repeats row 1"),
        ("id", "", "the cell is empty but a value is required"),
    ],
)
def test_each_constraint_names_row_and_column(column, bad, message):
    values = diary()[column].tolist()
    values[1] = bad
    with pytest.raises(DataValidationError) as exc:
        validate_frame(diary(**{column: values}), DIARY, file="diary.csv")
    (err,) = exc.value.errors
    assert (err.file, err.row, err.column) == ("diary.csv", 2, column)
    assert str(err).startswith(f"diary.csv, row 2, column '{column}': {message}")


def test_extra_and_missing_columns():
    frame = diary().drop(columns="kind").assign(mood=["ok", "ok"])
    with pytest.raises(DataValidationError) as exc:
        validate_frame(frame, DIARY, file="d.csv")
    assert sorted(messages(exc)) == [
        "d.csv, column 'kind': the column is missing",
        "d.csv, column 'mood': the column is not in the table schema",
    ]


def test_pandera_schema_from_table_schema():
    schema = schema_from_table_schema(DIARY)
    assert isinstance(schema, pa.DataFrameSchema)
    assert schema.strict is True and list(schema.unique) == ["id"]
    assert schema.columns["id"].nullable is False and schema.columns["minutes"].nullable is True
    assert schema.columns["minutes"].metadata == {"unit": "minutes"}
    assert schema.columns["code"].unique is True


@pytest.mark.parametrize(
    ("table_schema", "match"),
    [
        ({"fields": [{"name": "t", "type": "time"}]}, "The 'type' of field 't' must be one of"),
        (
            {"fields": [{"name": "s", "type": "string", "constraints": {"minLength": 1}}]},
            "Got 'minLength' instead",
        ),
        (
            {"fields": [{"name": "s", "type": "string", "constraints": {"maximum": 1}}]},
            "must be a number on an integer or number field",
        ),
        ({"fields": [{"name": "s"}], "primaryKey": ["id"]}, "unknown field"),
        ({"fields": []}, "non-empty 'fields' list"),
        (
            {
                "fields": [
                    {
                        "name": "s",
                        "conditionalConstraints": [
                            {"when": {"field": "nope", "in": ["x"]}, "constraints": {}}
                        ],
                    }
                ]
            },
            "conditional constraint of field 's'",
        ),
    ],
)
def test_malformed_table_schema_is_refused(table_schema, match):
    with pytest.raises(ValueError, match=match):
        schema_from_table_schema(table_schema)
