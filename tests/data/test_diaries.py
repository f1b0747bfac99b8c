"""Tests of dprep.data.diaries: the format, its validation, accumulated practice, diary totals, ingestion.

Expected values are computed by hand from tests/fixtures/diaries/standard (9 participants:
B1-B3 best, G1-G3 good, T1-T3 music teachers; T3 is 17 years old).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from dprep.data import diaries as D
from dprep.data.schema import DataValidationError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "diaries"
STANDARD = FIXTURES / "standard"


@pytest.fixture(scope="module")
def data() -> D.DiaryData:
    return D.read_diaries(STANDARD)


def copy_fixture(tmp_path: Path) -> Path:
    folder = tmp_path / "diaries"
    shutil.copytree(STANDARD, folder)
    return folder


def edit(folder: Path, table: str, old: str, new: str) -> None:
    """Replace one line of ``table``.csv (``new`` = "" deletes it; old = "" appends ``new``)."""
    path = folder / f"{table}.csv"
    lines = path.read_text().splitlines()
    if old:
        assert old in lines, old
        lines = [new if line == old else line for line in lines]
    else:
        lines.append(new)
    path.write_text("\n".join(line for line in lines if line) + "\n")


def errors_of(folder: Path) -> list:
    with pytest.raises(DataValidationError) as info:
        D.read_diaries(folder)
    return info.value.errors


# ------------------------------------------------------------------------------ format


def test_read_types_and_flags(data):
    assert list(data.participants.columns) == [
        "participant_id", "study_id", "group", "age_years", "age_started_years", "synthetic"]
    assert data.practice_history["hours_per_week"].dtype == "float64"
    assert data.synthetic is True
    assert len(data.activities) == 21
    assert set(data.activities["domain"]) == {"music", "everyday"}
    assert data.activities.set_index("code")["teacher_designed"].to_dict()["lessons_taken"]
    assert not data.activities.set_index("code")["teacher_designed"].to_dict()["practice_alone"]


def test_synthetic_is_any_participant(tmp_path):
    folder = copy_fixture(tmp_path)
    path = folder / "participants.csv"
    path.write_text(path.read_text().replace(",true\n", ",false\n", 8))  # one synthetic left
    assert D.read_diaries(folder).synthetic is True
    path.write_text(path.read_text().replace(",true\n", ",false\n"))
    assert D.read_diaries(folder).synthetic is False


def test_shipped_taxonomy_used_when_absent(tmp_path):
    folder = copy_fixture(tmp_path)
    (folder / "activities.csv").unlink()
    assert len(D.read_diaries(folder).activities) == 21


def test_table_schemas_list_the_format_columns():
    assert [f["name"] for f in D.table_schema("diary")["fields"]] == ["participant_id", "day", "start", "end", "activity"]
    with pytest.raises(KeyError):
        D.table_schema("nope")


# ------------------------------------------------------------------------------ validation

CASES = [
    # (table, old line, new line, file, row, column, message fragment)
    ("practice_history", "B1,15,practice_alone,20", "B1,15,practice_alone,168.5",
     "practice_history.csv", 1, "hours_per_week", "maximum 168"),
    ("practice_history", "B1,16,practice_alone,24", "B1,16,practice_alone,-1",
     "practice_history.csv", 2, "hours_per_week", "minimum 0"),
    ("practice_history", "T3,14,practice_alone,5", "X9,14,practice_alone,5",
     "practice_history.csv", 41, "participant_id", "unknown participant 'X9'"),
    ("practice_history", "B1,15,lessons_taken,1", "B1,15,violin,1",
     "practice_history.csv", 6, "activity", "unknown activity 'violin'"),
    ("practice_history", "B1,15,practice_alone,20", "B1,14,practice_alone,20",
     "practice_history.csv", 1, "age_years", "before the year of age the participant started (15)"),
    ("practice_history", "", "B1,20,practice_alone,20",
     "practice_history.csv", 45, "age_years", "after the participant's current year of age (19)"),
    ("practice_history", "B1,16,practice_alone,24", "B1,15,practice_alone,24",
     "practice_history.csv", 2, "participant_id, age_years, activity", "unique"),
    ("participants", "T3,fixture,music_teachers,17,14,true", "T3,fixture,music_teachers,17,18,true",
     "participants.csv", 9, "age_started_years", "exceeds age_years"),
    ("participants", "G1,fixture,good,19,16,true", "G1,fixture,,19,16,true",
     "participants.csv", 4, "group", "a value is required"),
    ("diary", "T3,1,16:00,17:00,practice_alone", "T3,8,16:00,17:00,practice_alone",
     "diary.csv", 20, "day", "maximum 7"),
    ("diary", "T3,1,16:00,17:00,practice_alone", "T3,1,16:00,24:00,practice_alone",
     "diary.csv", 20, "end", "pattern"),
    ("diary", "T3,1,16:00,17:00,practice_alone", "T3,1,16:00,16:00,practice_alone",
     "diary.csv", 20, "end", "0 minutes"),
    ("diary", "G2,6,13:00,14:00,leisure", "G2,6,13:00,14:00,napping",
     "diary.csv", 14, "activity", "unknown activity 'napping'"),
    ("diary", "B1,2,10:00,13:00,practice_alone", "B1,1,11:00,13:00,practice_alone",
     "diary.csv", 4, "start", "overlaps another diary entry of participant 'B1' (row 1)"),
    # crosses midnight into day 2, where B1 practised 10:00-13:00 (row 4):
    ("diary", "B1,1,23:00,07:00,sleep", "B1,1,23:00,11:00,sleep",
     "diary.csv", 4, "start", "overlaps another diary entry of participant 'B1' (row 3)"),
    ("activity_ratings", "B1,leisure,2,1,9", "B1,leisure,2,11,9",
     "activity_ratings.csv", 10, "effort", "maximum 10"),
    ("activity_ratings", "B1,leisure,2,1,9", "B1,leisure,-0.5,1,9",
     "activity_ratings.csv", 10, "relevance", "minimum 0"),
    ("activity_ratings", "B1,leisure,2,1,9", "B1,dancing,2,1,9",
     "activity_ratings.csv", 10, "activity", "unknown activity 'dancing'"),
]


@pytest.mark.parametrize("table, old, new, file, row, column, fragment", CASES)
def test_validation_names_file_row_column(tmp_path, table, old, new, file, row, column, fragment):
    folder = copy_fixture(tmp_path)
    edit(folder, table, old, new)
    errors = errors_of(folder)
    if column != "age_started_years":  # a later start also puts T3's estimates before it
        assert len(errors) == 1, [str(e) for e in errors]
    error = errors[0]
    assert Path(error.file).name == file
    assert (error.row, error.column) == (row, column)
    assert fragment in error.message


def test_more_than_24_hours_in_a_day(tmp_path):
    folder = copy_fixture(tmp_path)
    edit(folder, "diary", "", "G1,4,00:00,20:00,sleep")
    edit(folder, "diary", "", "G1,4,10:00,15:00,practice_alone")
    messages = [str(e) for e in errors_of(folder)]
    assert any("diary.csv, row 21, column 'day'" in m and "25 h on day 4" in m and "rows 21, 22" in m
               for m in messages), messages
    assert any("row 22, column 'start'" in m and "overlaps" in m for m in messages), messages


def test_day_total_counts_the_part_after_midnight(tmp_path):
    """Day 2 holds B1's 7 h after midnight (row 3) plus 17.5 h logged on day 2: 24.5 h."""
    folder = copy_fixture(tmp_path)
    edit(folder, "diary", "B1,2,10:00,13:00,practice_alone", "B1,2,06:30,24:00,practice_alone")
    edit(folder, "diary", "B1,2,06:30,24:00,practice_alone", "B1,2,06:30,00:00,practice_alone")
    messages = [str(e) for e in errors_of(folder)]
    assert any("24.5 h on day 2" in m and "rows 3, 4" in m for m in messages), messages


def test_adjacent_entries_do_not_overlap(data):
    g3 = data.diary[data.diary["participant_id"] == "G3"]
    assert list(g3["end"].iloc[:1]) == list(g3["start"].iloc[1:])  # 15:00-18:00, 18:00-19:00 accepted


def test_every_table_is_checked_before_raising(tmp_path):
    folder = copy_fixture(tmp_path)
    edit(folder, "practice_history", "B1,15,practice_alone,20", "B1,15,practice_alone,200")
    edit(folder, "diary", "G2,6,13:00,14:00,leisure", "G2,6,13:00,14:00,napping")
    edit(folder, "activity_ratings", "B1,leisure,2,1,9", "B1,leisure,2,11,9")
    files = {Path(e.file).name for e in errors_of(folder)}
    assert files == {"practice_history.csv", "diary.csv", "activity_ratings.csv"}


def test_optional_tables_may_be_absent_participants_may_not(tmp_path, data):
    folder = copy_fixture(tmp_path)
    for name in ("diary", "activity_ratings"):
        (folder / f"{name}.csv").unlink()
    partial = D.read_diaries(folder)
    assert partial.absent == ("diary", "activity_ratings") and data.absent == ()
    assert partial.diary.empty and list(partial.diary.columns) == list(data.diary.columns)
    pd.testing.assert_frame_equal(D.accumulated_practice(partial, 18), D.accumulated_practice(data, 18))
    assert D.estimate_vs_diary(partial)["diary_hours_per_week"].isna().all()
    D.write_diaries(partial, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "activities.csv", "participants.csv", "practice_history.csv"]
    (folder / "participants.csv").unlink()
    (error,) = errors_of(folder)
    assert Path(error.file).name == "participants.csv" and "does not exist" in error.message


def test_groups_are_free_text(tmp_path):
    folder = copy_fixture(tmp_path)
    path = folder / "participants.csv"
    path.write_text(path.read_text().replace(",best,", ",expert,").replace(",good,", ",amateur,")
                    .replace(",music_teachers,", ",professional,"))
    groups = set(D.read_diaries(folder).participants["group"])
    assert groups == {"expert", "amateur", "professional"}


# ------------------------------------------------------------------------------ accumulated practice


def test_accumulated_practice_by_hand(data):
    out = D.accumulated_practice(data, 18)
    assert list(out.columns) == ["participant_id", "group", "accumulated_hours"]
    got = out.set_index("participant_id")["accumulated_hours"]
    expected = {  # Σ hours per week over the years of age start … 17, × 52
        "B1": (20 + 24 + 30) * 52, "B2": (25 + 35) * 52, "B3": (20 + 30 + 30) * 52,
        "G1": (15 + 25) * 52, "G2": (10 + 15 + 25) * 52, "G3": (30 + 30) * 52,
        "T1": (10 + 10) * 52, "T2": (15 + 15) * 52,
    }
    for pid, hours in expected.items():
        assert got[pid] == pytest.approx(hours)
    assert math.isnan(got["T3"])  # 17 years old: the year of age 17 is not complete


def test_accumulated_practice_other_ages_and_activities(data):
    at = lambda age, acts="practice_alone": D.accumulated_practice(data, age, acts).set_index("participant_id")["accumulated_hours"]  # noqa: E731
    assert at(15)["B1"] == 0.0  # nothing before the start
    assert at(16)["B1"] == 20 * 52
    assert at(17)["T3"] == (5 + 5 + 5) * 52
    assert at(18, "lessons_taken")["B1"] == (1 + 1 + 1.5) * 52
    assert at(18, "lessons_taken")["B2"] == 0.0  # has estimates, none for lessons: 0
    assert at(18, ["practice_alone", "lessons_taken"])["B1"] == (74 + 3.5) * 52
    with pytest.raises(ValueError, match="unknown activity"):
        D.accumulated_practice(data, 18, "violin")


def test_participant_without_estimates_is_missing(tmp_path):
    folder = copy_fixture(tmp_path)
    for line in ("G2,15,practice_alone,10", "G2,16,practice_alone,15", "G2,17,practice_alone,25",
                 "G2,18,practice_alone,20"):
        edit(folder, "practice_history", line, "")
    data = D.read_diaries(folder)
    assert math.isnan(D.accumulated_practice(data, 18).set_index("participant_id").at["G2", "accumulated_hours"])
    assert math.isnan(D.estimate_vs_diary(data).set_index("participant_id").at["G2", "estimate_hours_per_week"])


# ------------------------------------------------------------------------------ diary


def test_diary_intervals_cross_midnight(data):
    d = D.diary_intervals(data.diary).set_index(["participant_id", "start"])
    assert d.loc[("B1", "23:00"), "start_minute"] == 23 * 60
    assert d.loc[("B1", "23:00"), "end_minute"] == 24 * 60 + 7 * 60
    assert d.loc[("B3", "22:30"), "end_minute"] == 7 * 1440 + 6 * 60 + 30  # day 7 into day 8
    assert d.loc[("B1", "23:00"), "duration_hours"] == 8.0


def test_diary_totals_by_hand(data):
    totals = D.diary_totals(data).set_index(["participant_id", "activity"])["diary_hours_per_week"]
    assert len(totals) == 9 * 21
    assert totals[("B1", "practice_alone")] == 3 + 2.5 + 3
    assert totals[("B1", "sleep")] == 8.0
    assert totals[("B3", "sleep")] == 8.0
    assert totals[("G3", "practice_alone")] == 3 + 1
    assert totals[("T1", "lessons_given")] == 2.0
    assert totals[("G1", "sleep")] == 0.0


def test_participant_without_diary_is_missing(tmp_path):
    folder = copy_fixture(tmp_path)
    edit(folder, "diary", "T3,1,16:00,17:00,practice_alone", "")
    data = D.read_diaries(folder)
    totals = D.diary_totals(data)
    assert totals.loc[totals["participant_id"] == "T3", "diary_hours_per_week"].isna().all()
    assert math.isnan(D.estimate_vs_diary(data).set_index("participant_id").at["T3", "difference_hours_per_week"])


def test_estimate_vs_diary_by_hand(data):
    out = D.estimate_vs_diary(data).set_index("participant_id")
    assert list(out.columns) == ["group", "age_years", "estimate_hours_per_week", "diary_hours_per_week",
                                 "difference_hours_per_week"]
    expected = {  # (current year of age, estimate for it, diary hours)
        "B1": (19, 32, 8.5), "B2": (20, 35, 7), "B3": (18, 28, 3), "G1": (19, 24, 4), "G2": (18, 20, 1.5),
        "G3": (21, 26, 4), "T1": (20, 8, 1), "T2": (19, 10, 1.5), "T3": (17, 6, 1),
    }
    for pid, (age, estimate, diary) in expected.items():
        row = out.loc[pid]
        assert (row["age_years"], row["estimate_hours_per_week"], row["diary_hours_per_week"]) == (age, estimate, diary)
        assert row["difference_hours_per_week"] == estimate - diary


# ------------------------------------------------------------------------------ other layouts


def sort(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns[:4])).reset_index(drop=True)


def test_ingest_wide_layout_equals_standard(data):
    ingested = D.ingest(FIXTURES / "wide_export", FIXTURES / "wide_mapping.yaml")
    for name in D.TABLES:
        pd.testing.assert_frame_equal(sort(getattr(ingested, name)), sort(getattr(data, name)))


def test_write_then_read_round_trip(tmp_path, data):
    D.write_diaries(data, tmp_path / "out")
    again = D.read_diaries(tmp_path / "out")
    for name in D.TABLES:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(data, name))
    assert "true" in (tmp_path / "out" / "participants.csv").read_text()


def wide_copy(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "wide"
    shutil.copytree(FIXTURES / "wide_export", src)
    mapping = tmp_path / "mapping.yaml"
    shutil.copy(FIXTURES / "wide_mapping.yaml", mapping)
    return src, mapping


def test_ingest_lists_unmapped_labels_with_rows(tmp_path):
    src, mapping = wide_copy(tmp_path)
    log = src / "diary_log.csv"
    log.write_text(log.read_text().replace("Schlaf", "Nickerchen"))
    with pytest.raises(DataValidationError) as info:
        D.ingest(src, mapping)
    (error,) = info.value.errors
    assert (Path(error.file).name, error.row, error.column, error.value) == ("diary_log.csv", 3, "What", "Nickerchen")
    assert "rows 3, 10" in error.message and "diary.values.activity" in error.message


def test_ingest_names_wide_cells_by_source_column(tmp_path):
    src, mapping = wide_copy(tmp_path)
    wide = src / "estimates_wide.csv"
    wide.write_text(wide.read_text().replace("B1,Üben allein,,20,24", "B1,Üben allein,,20,240"))
    with pytest.raises(DataValidationError) as info:
        D.ingest(src, mapping)
    (error,) = info.value.errors
    assert (Path(error.file).name, error.row, error.column, error.value) == ("estimates_wide.csv", 2, "Age16", "240")
    assert "maximum 168" in error.message


def test_ingest_refuses_unmappable_mapping(tmp_path):
    src, mapping = wide_copy(tmp_path)
    text = mapping.read_text().replace("    AgeBegan: age_started_years\n", "    Started: age_started_years\n")
    text = text.replace("    study_id: fixture\n", "")
    mapping.write_text(text)
    with pytest.raises(DataValidationError) as info:
        D.ingest(src, mapping)
    messages = [str(e) for e in info.value.errors]
    assert any("subjects.csv, column 'Started'" in m and "does not exist" in m for m in messages), messages
    mapping.write_text(text.replace("    Started: age_started_years\n", "    AgeBegan: age_started_years\n"))
    with pytest.raises(DataValidationError, match="participants: no source for column 'study_id'"):
        D.ingest(src, mapping)


def test_ingest_requires_participants_only(tmp_path):
    src, mapping = wide_copy(tmp_path)
    head = mapping.read_text().split("\ndiary:")[0]
    mapping.write_text(head)
    assert D.ingest(src, mapping).absent == ("diary", "activity_ratings")
    mapping.write_text(head.split("\npractice_history:")[0].replace("participants:", "subjects:")
                       + "\nextra: {source: x.csv}\n")
    with pytest.raises(DataValidationError) as info:
        D.ingest(src, mapping)
    messages = " | ".join(str(e) for e in info.value.errors)
    assert "no entry for table 'participants'" in messages and "unknown table 'extra'" in messages
    assert "no entry for table 'diary'" not in messages
    assert "unknown table 'extra'" in messages


def test_written_cells_read_back_exactly_even_formula_like_ones(tmp_path, data):
    """A diary folder is data dprep reads back: no spreadsheet quoting (results are quoted, data are not)."""
    participants = data.participants.assign(group=data.participants["group"].map(
        {"best": "=best", "good": "-good", "music_teachers": "@teachers"}))
    odd = D.DiaryData(**{**{n: getattr(data, n) for n in D.TABLES}, "participants": participants})
    D.write_diaries(odd, tmp_path / "out")
    again = D.read_diaries(tmp_path / "out")
    pd.testing.assert_frame_equal(again.participants, participants)


def test_only_ingested_folders_carry_the_marker(tmp_path, data):
    D.write_diaries(data, tmp_path / "plain")
    D.write_diaries(data, tmp_path / "ingested", ingested=True)
    assert not D.is_ingest_output(tmp_path / "plain") and D.is_ingest_output(tmp_path / "ingested")
    assert not D.is_ingest_output(tmp_path / "ingested" / "participants.csv")
    assert D.read_diaries(tmp_path / "ingested").participants.equals(data.participants)


# ------------------------------------------------------------------------------ paths stay inside


def project_with_source(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A project (dvc.yaml at its root) holding the wide export and its mapping, and a secret file beside it."""
    project = tmp_path / "project"
    src = project / "data" / "user" / "wide"
    shutil.copytree(FIXTURES / "wide_export", src)
    (project / "dvc.yaml").write_text("stages: {}\n")
    mapping = project / "mapping.yaml"
    shutil.copy(FIXTURES / "wide_mapping.yaml", mapping)
    secret = tmp_path / "secret.csv"
    secret.write_text("SECRET_FIRST_LINE,x\n1,2\n")
    return src, mapping, secret


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink"])
def test_a_source_outside_the_project_is_refused_unread(tmp_path, monkeypatch, how):
    src, mapping, secret = project_with_source(tmp_path)
    if how == "symlink":
        (src / "link.csv").symlink_to(secret)
    source = {"dotdot": "../../../../secret.csv", "absolute": str(secret), "symlink": "link.csv"}[how]
    mapping.write_text(mapping.read_text().replace("source: subjects.csv", f"source: '{source}'"))
    opened, read_source = [], D.read_source
    monkeypatch.setattr(D, "read_source", lambda path, sheet=None: (opened.append(path), read_source(path, sheet))[1])
    with pytest.raises(DataValidationError) as info:
        D.ingest(src, mapping)
    messages = [str(e) for e in info.value.errors]
    refusal = [m for m in messages if "participants: 'source'" in m]
    assert len(refusal) == 1 and refusal[0].startswith(f"{mapping}: ") and "outside" in refusal[0]
    assert "\n" not in refusal[0] and not any("SECRET" in m for m in messages)
    assert secret not in opened and secret.resolve() not in [Path(p).resolve() for p in opened]


def test_a_source_elsewhere_in_the_project_is_read(tmp_path):
    src, mapping, _ = project_with_source(tmp_path)
    common = src.parent / "common"
    common.mkdir()
    (src / "subjects.csv").rename(common / "subjects.csv")
    mapping.write_text(mapping.read_text().replace("source: subjects.csv", "source: ../common/subjects.csv"))
    assert len(D.ingest(src, mapping).participants) == 9


@pytest.mark.parametrize("pattern, message", [
    ("'Age(\\d+'", "'melt.pattern' 'Age(\\\\d+' is not a valid regular expression (missing ), unterminated"),
    ("'Age\\d+'", "'melt.pattern' 'Age\\\\d+' needs a group (...) for the age_years part"),
])
def test_a_bad_melt_pattern_names_the_mapping_and_the_key(tmp_path, pattern, message):
    src, mapping = wide_copy(tmp_path)
    mapping.write_text(mapping.read_text().replace("pattern: 'Age(\\d+)'", f"pattern: {pattern}"))
    with pytest.raises(DataValidationError) as info:
        D.ingest(src, mapping)
    (error,) = info.value.errors
    assert str(error).startswith(f"{mapping}: practice_history: {message}") and "\n" not in str(error)
