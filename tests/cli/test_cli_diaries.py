"""Tests of ``dprep diaries summarize`` and ``dprep ingest-diaries`` (typer CliRunner)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from dprep.cli import app
from dprep.data.diaries import INGEST_MARKER

FIXTURES = Path(__file__).parents[1] / "fixtures" / "diaries"
STANDARD = FIXTURES / "standard"


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_summarize_json_by_hand():
    result = run("diaries", "summarize", STANDARD, "--age", 18, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) >= {"participants", "anova", "synthetic"}
    assert out["synthetic"] is True
    hours = {p["participant_id"]: p["accumulated_hours"] for p in out["participants"]}
    assert hours["B1"] == (20 + 24 + 30) * 52 and hours["T3"] is None
    assert set(out["participants"][0]) == {"participant_id", "group", "accumulated_hours"}
    best = [3848, 3120, 4160]
    good = [2080, 2600, 3120]
    teachers = [1040, 1560]  # T3 (17) has no value at 18
    ref = stats.f_oneway(best, good, teachers)
    anova = out["anova"]
    assert set(anova) == {"F", "df1", "df2", "pval", "eta2", "omega2"}
    assert (anova["df1"], anova["df2"]) == (2, 5)
    assert anova["F"] == pytest.approx(ref.statistic) and anova["pval"] == pytest.approx(ref.pvalue)
    assert anova["eta2"] == pytest.approx(2 * ref.statistic / (2 * ref.statistic + 5))


def test_summarize_prints_what_the_pipeline_computes(tmp_path):
    folder = tmp_path / "relabelled"
    shutil.copytree(STANDARD, folder)
    people = folder / "participants.csv"
    people.write_text(people.read_text().replace(",best,", ",expert,").replace(",good,", ",amateur,")
                      .replace(",music_teachers,", ",less,"))
    study_file = tmp_path / "study.yaml"
    study_file.write_text(
        "studies:\n  FIX:\n    title: fixture\n    outcome_assessment: unclear\n    target_age: 18\n"
        "    groups: [{id: expert, label: experts}, {id: amateur, label: amateurs}, {id: less, label: less}]\n"
        "    contrasts: {expert_vs_amateur: {expert: 1, amateur: -1}, top_two_vs_less: {expert: 0.5, amateur: 0.5, less: -1}}\n")
    result = run("diaries", "summarize", folder, "--study", "FIX", "--studies", study_file, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["age_years"] == 18 and set(out["anova"]) == {"F", "df1", "df2", "pval", "eta2", "omega2"}
    best, good, less = [3848, 3120, 4160], [2080, 2600, 3120], [1040, 1560]
    assert [(g["group"], g["n"]) for g in out["groups"]] == [("expert", 3), ("amateur", 3), ("less", 2)]
    assert out["groups"][0]["mean"] == pytest.approx(np.mean(best))
    assert out["groups"][0]["sd"] == pytest.approx(np.std(best, ddof=1))
    tests = {row["test"]: row for row in out["omnibus"]}
    assert tests["Kruskal–Wallis"]["H"] == pytest.approx(stats.kruskal(best, good, less).statistic)
    assert tests["Welch ANOVA"]["df2"] < 5
    eta2 = out["effect_sizes"]["eta2"]
    assert eta2["ci_lb"] < eta2["estimate"] < eta2["ci_ub"] and eta2["estimate"] == out["anova"]["eta2"]
    # planned contrasts with the pooled error of all groups (df = N − k = 5), by hand
    msw = (2 * np.var(best, ddof=1) + 2 * np.var(good, ddof=1) + np.var(less, ddof=1)) / 5
    first = out["contrasts"][0]
    assert first["contrast"] == "expert_vs_amateur" and first["df"] == 5
    assert first["estimate"] == pytest.approx(np.mean(best) - np.mean(good))
    assert first["se"] == pytest.approx(np.sqrt(msw * (1 / 3 + 1 / 3)))
    assert out["synthetic"] is True and out["notes"] == []
    (folder / "diary.csv").unlink()
    partial = json.loads(run("diaries", "summarize", folder, "--study", "FIX", "--studies", study_file,
                             "--json").stdout)
    assert partial["notes"] == ["no diary week: the estimate-vs-diary comparison is skipped"]
    unknown = run("diaries", "summarize", STANDARD, "--study", "FIX", "--studies", study_file)
    assert unknown.exit_code == 2 and "'best'" in unknown.stderr and "not groups of study 'FIX'" in unknown.stderr
    assert run("diaries", "summarize", STANDARD).exit_code == 2


def test_summarize_several_activities_and_text_output():
    result = run("diaries", "summarize", STANDARD, "--age", 18, "--activity", "practice_alone",
                 "--activity", "lessons_taken", "--json")
    hours = {p["participant_id"]: p["accumulated_hours"] for p in json.loads(result.stdout)["participants"]}
    assert hours["B1"] == (74 + 3.5) * 52
    text = run("diaries", "summarize", STANDARD, "--age", 18)
    assert text.exit_code == 0 and "accumulated_hours" in text.stdout and "omega2" in text.stdout


def test_summarize_unknown_activity_exits_2():
    result = run("diaries", "summarize", STANDARD, "--age", 18, "--activity", "violin")
    assert result.exit_code == 2 and "unknown activity code(s): violin" in result.stderr


def test_summarize_bad_files_exit_2_naming_file_row_column(tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(STANDARD, folder)
    diary = folder / "diary.csv"
    diary.write_text(diary.read_text().replace("B1,2,10:00,13:00", "B1,1,11:00,13:00"))
    ratings = folder / "activity_ratings.csv"
    ratings.write_text(ratings.read_text().replace("B1,leisure,2,1,9", "B1,leisure,2,11,9"))
    result = run("diaries", "summarize", folder, "--age", 18)
    assert result.exit_code == 2
    assert f"{folder / 'diary.csv'}, row 4, column 'start': overlaps" in result.stderr
    assert f"{folder / 'activity_ratings.csv'}, row 10, column 'effort'" in result.stderr
    as_json = run("diaries", "summarize", folder, "--age", 18, "--json")
    assert as_json.exit_code == 2
    records = json.loads(as_json.stdout)
    assert {(Path(r["file"]).name, r["row"], r["column"]) for r in records} == {
        ("diary.csv", 4, "start"), ("activity_ratings.csv", 10, "effort")}


def test_ingest_writes_a_valid_folder(tmp_path):
    out = tmp_path / "ingested"
    result = run("ingest-diaries", FIXTURES / "wide_export", "--mapping", FIXTURES / "wide_mapping.yaml",
                 "--out", out, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"]["practice_history"] == 44
    assert sorted(p.name for p in out.iterdir()) == sorted([*(p.name for p in STANDARD.iterdir()), INGEST_MARKER])
    summary = run("diaries", "summarize", out, "--age", 18, "--json")
    reference = run("diaries", "summarize", STANDARD, "--age", 18, "--json")
    assert json.loads(summary.stdout) == json.loads(reference.stdout)
    again = run("ingest-diaries", FIXTURES / "wide_export", "--mapping", FIXTURES / "wide_mapping.yaml", "--out", out)
    assert again.exit_code == 2 and "--overwrite" in again.stderr
    forced = run("ingest-diaries", FIXTURES / "wide_export", "--mapping", FIXTURES / "wide_mapping.yaml",
                 "--out", out, "--overwrite")
    assert forced.exit_code == 0, forced.output


def ingest_to(out: Path, *options):
    return run("ingest-diaries", FIXTURES / "wide_export", "--mapping", FIXTURES / "wide_mapping.yaml", "--out", out,
               *options)


@pytest.mark.parametrize("kind", ["file", "folder of other things", "diary folder not ingested", "broken symlink"])
def test_overwrite_never_replaces_what_ingest_did_not_write(tmp_path, kind):
    out = tmp_path / "out"
    if kind == "file":
        out.write_text("my thesis\n")
    elif kind == "broken symlink":
        out.symlink_to(tmp_path / "nowhere")
    else:
        shutil.copytree(STANDARD, out)
        if kind == "folder of other things":
            (out / "notes.txt").write_text("keep\n")
    before = {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = ingest_to(out, "--overwrite")
    assert result.exit_code == 2
    assert result.stderr == f"{out}: exists and is not a diary folder written by ingest-diaries (no {INGEST_MARKER}); " \
                            "it is never replaced: choose another --out.\n"
    assert {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_ingest_into_a_new_or_empty_folder_and_over_its_own_output(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert ingest_to(empty).exit_code == 0 and (empty / INGEST_MARKER).is_file()
    (empty / "participants.csv").write_text("stale\n")
    assert ingest_to(empty).exit_code == 2  # its own output, but without --overwrite
    assert ingest_to(empty, "--overwrite").exit_code == 0
    assert (empty / "participants.csv").read_text() != "stale\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_ingest_refuses_an_outside_source_and_a_bad_pattern_with_exit_2(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("SECRET_FIRST_LINE\n")
    src = tmp_path / "src"
    shutil.copytree(FIXTURES / "wide_export", src)
    mapping, bad = tmp_path / "mapping.yaml", r"Age(\d+"
    mapping.write_text((FIXTURES / "wide_mapping.yaml").read_text()
                       .replace("source: subjects.csv", "source: ../secret.csv")
                       .replace(r"pattern: 'Age(\d+)'", f"pattern: '{bad}'"))
    result = run("ingest-diaries", src, "--mapping", mapping, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "SECRET" not in result.output and "Traceback" not in result.output
    outside, pattern = result.stderr.splitlines()
    assert outside.startswith(f"{mapping}: participants: 'source' '../secret.csv' lies outside the source folder {src}")
    assert outside.endswith("; refused")
    assert pattern == (f"{mapping}: practice_history: 'melt.pattern' {bad!r} is not a valid regular expression "
                       "(missing ), unterminated subpattern at position 3)")
    assert not (tmp_path / "out").exists()


def test_reconstruct_on_an_empty_or_latin1_table_names_the_file_in_one_line(tmp_path):
    validated = tmp_path / "validated"
    validated.mkdir()
    (validated / "group_summaries.csv").write_bytes(b"")
    (validated / "reported_tests.csv").write_bytes("test_id\nF\xfcnf\n".encode("latin-1"))
    studies = Path(__file__).parents[2] / "data" / "studies.yaml"
    result = run("reconstruct", "--study", "all", "--out", tmp_path / "out", "--seed", 1, "--validated", validated,
                 "--studies", studies)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert f"{validated / 'group_summaries.csv'}: the file is empty (no header)" in result.stderr
    shutil.copy(studies.parents[0] / "raw" / "group_summaries.csv", validated)
    result = run("reconstruct", "--study", "all", "--out", tmp_path / "out", "--seed", 1, "--validated", validated,
                 "--studies", studies)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert f"{validated / 'reported_tests.csv'}: the file is not UTF-8 text" in result.stderr


def test_ingest_refuses_unmapped_labels_and_writes_nothing(tmp_path):
    src = tmp_path / "wide"
    shutil.copytree(FIXTURES / "wide_export", src)
    ratings = src / "ratings.csv"
    ratings.write_text(ratings.read_text().replace("G2,Freizeit", "G2,Spazieren"))
    out = tmp_path / "ingested"
    result = run("ingest-diaries", src, "--mapping", FIXTURES / "wide_mapping.yaml", "--out", out)
    assert result.exit_code == 2
    assert f"{ratings}, row 14, column 'Activity': unmapped value 'Spazieren' (rows 14)" in result.stderr
    assert not out.exists()


# ------------------------------------------------------------------------------ performance


def synthetic_diaries(folder: Path, n: int = 1000, seed: int = 20190821) -> None:
    """Write a seeded synthetic diary folder: n participants, 3 activities per year, a 7-day diary."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    ids = np.array([f"S{i:04d}" for i in range(n)])
    groups = np.array(["best", "good", "less_accomplished"])[np.arange(n) % 3]
    start = rng.integers(4, 9, n)
    age = start + rng.integers(12, 19, n)  # about 15 years of history
    pd.DataFrame({"participant_id": ids, "study_id": "synthetic", "group": groups, "age_years": age,
                  "age_started_years": start, "synthetic": "true"}).to_csv(folder / "participants.csv", index=False)
    years = age - start + 1
    who = np.repeat(np.arange(n), years)
    year = np.concatenate([np.arange(s, a + 1) for s, a in zip(start, age)])
    activities = ["practice_alone", "lessons_taken", "playing_for_fun_alone"]
    history = pd.DataFrame({
        "participant_id": np.tile(ids[who], 3),
        "age_years": np.tile(year, 3),
        "activity": np.repeat(activities, len(who)),
        "hours_per_week": np.round(rng.uniform(0, 30, 3 * len(who)), 1),
    })
    history.to_csv(folder / "practice_history.csv", index=False)
    day = np.tile(np.repeat(np.arange(1, 8), 3), n)
    practice_end = rng.integers(10, 16, 7 * n)
    starts = np.tile(["23:00", "09:00", "19:00"], 7 * n)
    ends = np.stack([np.full(7 * n, "07:00"), np.char.add(np.char.zfill(practice_end.astype(str), 2), ":30"),
                     np.full(7 * n, "21:15")], axis=1).ravel()
    pd.DataFrame({"participant_id": np.repeat(ids, 21), "day": day, "start": starts, "end": ends,
                  "activity": np.tile(["sleep", "practice_alone", "leisure"], 7 * n)}).to_csv(
        folder / "diary.csv", index=False)
    rated = ["practice_alone", "lessons_taken", "sleep", "leisure"]
    pd.DataFrame({"participant_id": np.repeat(ids, 4), "activity": np.tile(rated, n),
                  **{k: rng.integers(0, 11, 4 * n) for k in ("relevance", "effort", "enjoyment")}}).to_csv(
        folder / "activity_ratings.csv", index=False)


def test_summarize_1000_participants_in_seconds(tmp_path):
    folder = tmp_path / "synthetic"
    synthetic_diaries(folder)
    assert len(pd.read_csv(folder / "practice_history.csv")) > 40_000
    began = time.perf_counter()
    result = run("diaries", "summarize", folder, "--age", 18, "--json")
    elapsed = time.perf_counter() - began
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert len(out["participants"]) == 1000 and out["synthetic"] is True
    assert out["anova"]["df1"] == 2
    assert elapsed < 10, f"summarize took {elapsed:.1f} s"
