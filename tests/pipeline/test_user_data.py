"""Bring your own data: a diary folder with non-standard group labels, a data set in another layout
(the example) and an Excel effect table are dropped into a temporary copy of the repository,
configured in params.yaml, and `dvc repro` puts their results — labelled real or example, never
synthetic — into the outputs and on the "Your data" page, leaving the bundled outputs as they were.

The copy starts from the repository's up-to-date outputs, pages included (the ``pipeline_outputs`` and
``rendered_reports`` fixtures: every output dvc.lock records must exist to be committed to the copy's
DVC cache), so one `dvc repro` reruns only the stages the new data touch (diaries, meta,
claims, report), not the MCMC.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "diaries" / "standard"
LABELS = {"best": "Spitze", "good": "gut", "music_teachers": "Lehramt"}

STUDY = """studies:
  LAB2026:
    title: Lab sample (test)
    outcome_assessment: blinded
    target_age: 18
    groups: [{id: Spitze, label: top}, {id: gut, label: good}, {id: Lehramt, label: teachers}]
    contrasts:
      spitze_vs_gut: {Spitze: 1, gut: -1}
      top_two_vs_lehramt: {Spitze: 0.5, gut: 0.5, Lehramt: -1}
"""


def _copy_repository(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    for built in ("data/processed", "reports/_site", "dvc.lock"):  # the outputs dvc.lock describes
        if (ROOT / built).is_dir():
            shutil.copytree(ROOT / built, dest / built)
        elif (ROOT / built).is_file():
            shutil.copy2(ROOT / built, dest / built)
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"]):
        subprocess.run(["git", *command], cwd=dest, check=True, capture_output=True)
    # The copy has the outputs but not the DVC cache: record them there, so that only what the new
    # data change reruns.
    done = subprocess.run([sys.executable, "-m", "dvc", "commit", "-f"], cwd=dest, capture_output=True,
                          text=True, env={**os.environ, "DVC_NO_ANALYTICS": "1"})
    assert done.returncode == 0, f"dvc commit failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def _drop_user_data(repo: Path) -> None:
    lab = repo / "data" / "user" / "lab_sample"
    shutil.copytree(FIXTURE, lab)
    people = pd.read_csv(lab / "participants.csv", dtype=str)
    people["group"] = people["group"].map(LABELS)
    people["synthetic"] = "false"
    people.to_csv(lab / "participants.csv", index=False)
    (lab / "study.yaml").write_text(STUDY)
    pd.DataFrame({
        "Study": [f"Sample {i}" for i in range(1, 9)],
        "r_value": [0.42, 0.35, 0.51, 0.18, 0.27, 0.44, 0.09, 0.31],
        "N": [40, 62, 35, 120, 80, 45, 150, 70],
        "Domain": ["music", "music", "music", "sports", "sports", "music", "sports", "sports"],
        "Paper": ["A", "A", "B", "C", "C", "D", "E", "E"],
        "Blinded": ["unblinded", "unblinded", "blinded", "blinded", "unclear", "unblinded", "blinded", "blinded"],
    }).to_excel(repo / "data" / "user" / "effects.xlsx", index=False, engine="openpyxl")
    params_file = repo / "params.yaml"
    params = yaml.safe_load(params_file.read_text())
    params["datasets"]["diaries"] += [
        {"name": "lab_sample", "kind": "real", "path": "data/user/lab_sample", "study": "LAB2026",
         "study_file": "data/user/lab_sample/study.yaml"},
        {"name": "example_wide", "kind": "example", "path": "data/examples/wide_years",
         "mapping": "data/examples/wide_years/mapping.yaml", "study": "EXAMPLE_WIDE",
         "study_file": "data/examples/wide_years/study.yaml"},
    ]
    params["datasets"]["effect_tables"].append(
        {"name": "lab_effects", "kind": "real", "title": "Practice and performance (test table)",
         "path": "data/user/effects.xlsx", "measure": "ZCOR", "columns": {"label": "Study", "r": "r_value", "n": "N"},
         "moderators": ["Domain"], "cluster": "Paper", "blinding": "Blinded"})
    params_file.write_text(yaml.safe_dump(params, sort_keys=False, allow_unicode=True))


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_configured_user_data_flow_into_outputs_and_pages(tmp_path, pipeline_outputs, rendered_reports):
    repo = tmp_path / "repo"
    repo.mkdir()
    _copy_repository(repo)
    _drop_user_data(repo)
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "MPLBACKEND": "Agg", "PYTHONPATH": str(repo),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run([sys.executable, "-m", "dvc", "repro", "report"], cwd=repo, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, f"dvc repro failed:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    assert "Running stage 'bayes'" not in run.stdout and "Running stage 'bayes_groups'" not in run.stdout

    out = repo / "data" / "processed"
    lab = json.loads((out / "diaries/datasets/lab_sample/results.json").read_text())
    assert (lab["data"], lab["synthetic"], lab["participants"]) == ("real data", False, 9)
    groups = pd.read_csv(out / "diaries/datasets/lab_sample/descriptives.csv")
    assert groups["group"].tolist() == ["Spitze", "gut", "Lehramt"] and set(groups["data"]) == {"real data"}
    assert pd.read_csv(out / "diaries/datasets/lab_sample/contrasts.csv")["contrast"].tolist() == [
        "spitze_vs_gut", "top_two_vs_lehramt"]
    example = json.loads((out / "diaries/datasets/example_wide/results.json").read_text())
    assert example["data"] == "example (invented for the documentation)" and example["absent_tables"] == [
        "diary", "activity_ratings"]
    index = {d["name"]: d for d in json.loads((out / "diaries/datasets/index.json").read_text())}
    assert index["reconstruction"]["data"] == "reconstructed (synthetic)" and not index["lab_sample"]["synthetic"]

    table = json.loads((out / "meta/tables/lab_effects/summary.json").read_text())
    assert table["k"] == 8 and table["cluster"]["clusters"] == 5
    assert table["moderator"]["name"] == "Domain" and table["blinding"]["name"] == "Blinded"
    listed = {t["name"]: t for t in json.loads((out / "meta/tables.json").read_text())}
    assert listed["lab_effects"]["data"] == "real data" and listed["music"]["main"]
    for bundled in ("meta/summary.json", "diaries/anova.csv", "diaries/trajectories.csv"):
        assert (out / bundled).read_bytes() == (pipeline_outputs / bundled).read_bytes(), bundled

    page = " ".join((repo / "reports" / "_site" / "data.html").read_text().split())  # pandoc wraps lines
    for text in ("Lab sample (test) — real data", "Spitze", "example (invented for the documentation)",
                 "Practice and performance (test table) — real data", "Subgroups by <code>Blinded</code>",
                 "This page mixes real and synthetic data"):
        assert text in page, text
