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

from pathlib import Path

import pandas as pd
import pytest
import yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
OLD_ROW = "t,-0.93,,24,0.364,cohens_d,-0.38,"
NEW_ROW = "t,-2.93,,24,0.007,cohens_d,-1.20,"


def verdict(repo: Path, claim_id: str) -> str:
    table = pd.read_csv(repo / "data" / "processed" / "claims" / "claims_audit.csv")
    return table.set_index("claim_id").loc[claim_id, "verdict"]


def test_changing_the_replication_t_changes_the_verdict_after_dvc_repro(repo_copy):
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    if "claims" not in stages:
        pytest.skip("dvc.yaml has no 'claims' stage yet")
    repo, run = repo_copy
    run(["dvc", "repro", "claims"])
    assert verdict(repo, "wiki-04") == "supported with caveats"

    tests_csv = repo / "data" / "raw" / "reported_tests.csv"
    text = tests_csv.read_text(encoding="utf-8")
    assert text.count(OLD_ROW) == 1
    tests_csv.write_text(text.replace(OLD_ROW, NEW_ROW), encoding="utf-8")
    run(["dvc", "repro", "claims"])

    assert verdict(repo, "wiki-04") == "contradicted"
    audit = pd.read_csv(repo / "data" / "processed" / "primary" / "audit.csv").set_index("test_id")
    assert audit.loc["mm_best_vs_good", "verdict"] == "consistent"
    assert audit.loc["mm_best_vs_good", "recomputed_p"] < 0.05
