"""Shared test settings: plotting backend, the repository root, and the pipeline's outputs."""

import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def root() -> Path:
    """The repository root (where dvc.yaml and data/ live)."""
    return ROOT


#: Final stages whose upstream closure is everything the reports and notebooks read.
REPORT_INPUTS = ("claims", "bayes", "bayes_groups", "multiverse", "simulation")


@pytest.fixture(scope="session")
def pipeline_outputs() -> Path:
    """Bring data/processed/ up to date with `dvc repro` (a no-op when nothing changed).

    A fresh clone (as in CI) has no pipeline outputs; this runs the real pipeline, with this
    interpreter's environment first on PATH so the stages' ``python`` is the project's.
    """
    env = {**os.environ, "DVC_NO_ANALYTICS": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run([sys.executable, "-m", "dvc", "repro", *REPORT_INPUTS], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, f"dvc repro failed:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    return ROOT / "data" / "processed"
