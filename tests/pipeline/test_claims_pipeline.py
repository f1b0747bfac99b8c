"""End to end: a change in data/raw changes a claim's verdict at the next `dvc repro`.

The repository (tracked files plus untracked, non-ignored ones) is copied to a temporary folder,
made a Git repository, and `dvc repro claims` is run there with the project's virtual environment
first on PATH.  Then the replication's best-vs-good test in data/raw/reported_tests.csv is changed
from t(24) = -0.93, p = 0.364, d = -0.38 to t(24) = -2.93, p = 0.007, d = -1.20.

The row is changed *self-consistently* (p and d follow the new t, so the consistency audit still
finds it consistent): this models a corrected data entry and shows that the verdict follows the
evidence itself, not an audit flag.  The clinical wiki's claim "no significant difference ...
(p = 0.364)" (wiki-04) must go from "supported with caveats" to "contradicted".  (Changing t
alone is covered in tests/test_claims.py: the audit then flags the row and the verdict also
changes.)
"""

import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
OLD_ROW = "t,-0.93,,24,0.364,cohens_d,-0.38,"
NEW_ROW = "t,-2.93,,24,0.007,cohens_d,-1.20,"


def copy_repository(dest: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():  # skip tracked files deleted in the working tree
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def run(cmd: list[str], cwd: Path, env: dict) -> None:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}"


def verdict(repo: Path, claim_id: str) -> str:
    table = pd.read_csv(repo / "data" / "processed" / "claims" / "claims_audit.csv")
    return table.set_index("claim_id").loc[claim_id, "verdict"]


def test_changing_the_replication_t_changes_the_verdict_after_dvc_repro(tmp_path):
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    if "claims" not in stages:
        pytest.skip("dvc.yaml has no 'claims' stage yet")
    repo = tmp_path / "repo"
    copy_repository(repo)
    # the copy's own dprep, not the editable install of the working tree
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": str(repo)}
    run(["git", "init", "-q"], repo, env)
    run(["dvc", "repro", "claims"], repo, env)
    assert verdict(repo, "wiki-04") == "supported with caveats"

    tests_csv = repo / "data" / "raw" / "reported_tests.csv"
    text = tests_csv.read_text(encoding="utf-8")
    assert text.count(OLD_ROW) == 1
    tests_csv.write_text(text.replace(OLD_ROW, NEW_ROW), encoding="utf-8")
    run(["dvc", "repro", "claims"], repo, env)

    assert verdict(repo, "wiki-04") == "contradicted"
    audit = pd.read_csv(repo / "data" / "processed" / "primary" / "audit.csv").set_index("test_id")
    assert audit.loc["mm_best_vs_good", "verdict"] == "consistent"
    assert audit.loc["mm_best_vs_good", "recomputed_p"] < 0.05
