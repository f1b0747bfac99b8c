"""Sources in the formats researchers have: an Excel workbook, an SPSS .sav and a Stata .dta made in
the test give the same diary data set as their CSV twins (dprep.data.sources, dprep.data.diaries.ingest);
a CSV that cannot be read (empty, Latin-1, malformed) is refused in one line naming the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from dprep.data import diaries as D
from dprep.data.schema import DataValidationError
from dprep.data.sources import read_csv_text, read_source
from dprep.data.tables import read_group_summaries, read_reported_tests
from dprep.stats.audit import AuditInputError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "diaries"
WIDE = FIXTURES / "wide_export"
LEVELS = {1.0: "A", 2.0: "B", 3.0: "C"}


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The CSV's text cells as the typed columns a statistics package stores (numbers, NaN)."""
    out = frame.copy()
    for column in out.columns:
        numbers = pd.to_numeric(out[column].replace("", np.nan), errors="coerce")
        if numbers.notna().sum() == (out[column] != "").sum():
            out[column] = numbers
    return out


def write_twins(folder: Path, fmt: str) -> None:
    """Every CSV of the wide export as ``fmt``; in SPSS and Stata the skill level is coded 1/2/3 with
    value labels A/B/C, as those packages store a labelled factor."""
    folder.mkdir()
    for csv in WIDE.glob("*.csv"):
        frame = typed(pd.read_csv(csv, dtype=str, keep_default_na=False))
        target = str(folder / csv.with_suffix(f".{fmt}").name)
        if fmt == "xlsx":
            frame.to_excel(target, index=False, engine="openpyxl")
            continue
        labels = {}
        if "Level" in frame:
            frame["Level"] = frame["Level"].map({v: k for k, v in LEVELS.items()})
            labels = {"Level": LEVELS}
        writer = pyreadstat.write_sav if fmt == "sav" else pyreadstat.write_dta
        writer(frame, target, variable_value_labels=labels)


def mapping_for(tmp_path: Path, fmt: str) -> Path:
    mapping = tmp_path / f"mapping_{fmt}.yaml"
    mapping.write_text((FIXTURES / "wide_mapping.yaml").read_text().replace(".csv", f".{fmt}"))
    return mapping


@pytest.mark.parametrize("fmt", ["xlsx", "sav", "dta"])
def test_ingest_of_each_format_equals_its_csv_twin(tmp_path, fmt):
    source = tmp_path / fmt
    write_twins(source, fmt)
    twin = D.ingest(WIDE, FIXTURES / "wide_mapping.yaml")
    ingested = D.ingest(source, mapping_for(tmp_path, fmt))
    for name in D.TABLES:
        pd.testing.assert_frame_equal(getattr(ingested, name), getattr(twin, name), obj=f"{fmt}: {name}")
    assert ingested.absent == twin.absent == ()


def test_value_labels_replace_codes_and_numbers_read_as_written(tmp_path):
    write_twins(tmp_path / "sav", "sav")
    subjects = read_source(tmp_path / "sav" / "subjects.sav")
    assert set(subjects["Level"]) == {"A", "B", "C"}
    assert subjects.loc[subjects["SubjID"] == "B3", "AgeNow"].item() == "18.5"
    assert subjects.loc[subjects["SubjID"] == "B1", "AgeNow"].item() == "19"
    estimates = read_source(tmp_path / "sav" / "estimates_wide.sav")
    assert estimates.loc[0, "Age14"] == ""  # a missing cell stays empty


def test_excel_sheet_and_unknown_format(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        pd.DataFrame({"a": [1]}).to_excel(book, sheet_name="notes", index=False)
        pd.DataFrame({"b": [2.5, 3]}).to_excel(book, sheet_name="data", index=False)
    assert read_source(path)["a"].tolist() == ["1"]
    assert read_source(path, "data")["b"].tolist() == ["2.5", "3"]
    shutil.copy(path, tmp_path / "book.ods")
    with pytest.raises(DataValidationError, match="unknown format '.ods'"):
        read_source(tmp_path / "book.ods")
    (tmp_path / "broken.sav").write_text("not SPSS")
    with pytest.raises(DataValidationError, match="cannot be read as SPSS"):
        read_source(tmp_path / "broken.sav")


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty (no header)"),
    ("Level,Name\nA,Müller\n".encode("latin-1"), "the file is not UTF-8 text (it holds the byte 0xfc"),
    (b'a,b\n"1,2\n', "the file cannot be read as a CSV: Error tokenizing data"),
])
def test_unreadable_csv_gives_one_line_naming_the_file(tmp_path, content, message):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    for read in (read_csv_text, read_source):
        with pytest.raises(DataValidationError) as info:
            read(path)
        assert str(info.value).startswith(f"{path}: {message}") and "\n" not in str(info.value)
    with pytest.raises(DataValidationError, match="the file does not exist"):
        read_csv_text(tmp_path / "none.csv")
    with pytest.raises(DataValidationError, match="the file cannot be read: Is a directory"):
        read_csv_text(tmp_path)


def test_a_byte_order_mark_is_not_part_of_the_header(tmp_path):
    (tmp_path / "t.csv").write_text("a,b\n1,2\n", encoding="utf-8-sig")
    assert read_csv_text(tmp_path / "t.csv").columns.tolist() == ["a", "b"]


def test_a_column_named_twice_is_refused_by_every_reader(tmp_path):
    # issue 11: pandas read the second 'mean' as 'mean.1', and audit, reconstruct and ingest used the first
    (tmp_path / "t.csv").write_text("a,mean,b,mean,a\n1,2,3,4,5\n", encoding="utf-8-sig")
    with pd.ExcelWriter(tmp_path / "t.xlsx", engine="openpyxl") as book:
        pd.DataFrame([["a", "mean", "mean"], [1, 2, 3]]).to_excel(book, index=False, header=False)
    for read, path, repeated in [(read_csv_text, "t.csv", ["a", "mean"]), (read_source, "t.csv", ["a", "mean"]),
                                 (read_source, "t.xlsx", ["mean"])]:
        with pytest.raises(DataValidationError) as info:
            read(tmp_path / path)
        assert [(e.file, e.row, e.column) for e in info.value.errors] == [(str(tmp_path / path), None, c)
                                                                           for c in repeated]
        assert all(e.message == "the column name appears more than once in the header" for e in info.value.errors)
    with pytest.raises(AuditInputError, match="column 'mean': the column name appears more than once"):
        read_group_summaries(tmp_path / "t.csv")
    (tmp_path / "u.csv").write_text("mean,mean.1\n1,2\n")  # distinct names, whatever pandas makes of copies
    assert read_csv_text(tmp_path / "u.csv").columns.tolist() == ["mean", "mean.1"]


@pytest.mark.parametrize("reader", [read_group_summaries, read_reported_tests])
@pytest.mark.parametrize("content, message", [(b"", "the file is empty"), ("x\n\xe9\n".encode("latin-1"), "the file is not UTF-8")])
def test_the_audit_readers_refuse_an_empty_or_latin1_file_in_one_line(tmp_path, reader, content, message):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    with pytest.raises(AuditInputError) as info:  # what `dprep reconstruct` and `dprep audit` report, exit 2
        reader(path)
    assert str(info.value).startswith(f"{path}: {message}") and "\n" not in str(info.value)


def test_unnamed_columns_are_not_a_repeated_name(tmp_path):
    # blank header cells (trailing commas, notes in an Excel column without a name) are no column name
    (tmp_path / "t.csv").write_text("a,b,,\n1,2,,note\n")
    with pd.ExcelWriter(tmp_path / "t.xlsx", engine="openpyxl") as book:
        pd.DataFrame([["a", "b", None, None], [1, 2, None, "note"]]).to_excel(book, index=False, header=False)
    for read, path in [(read_csv_text, "t.csv"), (read_source, "t.csv"), (read_source, "t.xlsx")]:
        assert read(tmp_path / path)["b"].tolist() == ["2"], (read.__name__, path)


def test_spaces_after_a_comma_are_not_part_of_names_or_cells(tmp_path):
    (tmp_path / "t.csv").write_text('r, n, label\n0.5, 40, "Smith, 2001"\n')
    table = read_csv_text(tmp_path / "t.csv")
    assert table.columns.tolist() == ["r", "n", "label"]
    assert table.iloc[0].tolist() == ["0.5", "40", "Smith, 2001"]
