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
REPORT_INPUTS = ("claims", "bayes_vs_meta", "bayes_groups", "multiverse", "simulation")


def dvc_env(root: Path = ROOT) -> dict[str, str]:
    """Environment for running DVC and the stages on the repository at ``root``: this interpreter's
    environment first on PATH (the stages' ``python``), ``root`` first on PYTHONPATH (its dprep)."""
    return {**os.environ, "DVC_NO_ANALYTICS": "1", "MPLBACKEND": "Agg",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONPATH": os.pathsep.join([str(root), *filter(None, [os.environ.get("PYTHONPATH")])])}


def dvc(*args: str, root: Path = ROOT) -> subprocess.CompletedProcess:
    """Run ``dvc args`` in ``root``; fail the test with DVC's output if it fails."""
    run = subprocess.run([sys.executable, "-m", "dvc", *args], cwd=root, env=dvc_env(root),
                         capture_output=True, text=True)
    assert run.returncode == 0, f"dvc {' '.join(args)} failed:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    return run


@pytest.fixture(scope="session")
def run_dvc():
    """:func:`dvc` for tests on other copies of the repository: ``run_dvc(*args, root=copy)``."""
    return dvc


@pytest.fixture(scope="session")
def validated_tables() -> Path:
    """Bring data/processed/validated/ up to date with `dvc repro validate` (the tables that params.yaml's
    ``datasets`` name live there); its folder."""
    dvc("repro", "validate")
    return ROOT / "data" / "processed" / "validated"


@pytest.fixture(scope="session")
def pipeline_outputs() -> Path:
    """Bring data/processed/ up to date with `dvc repro` (a no-op when nothing changed).

    A fresh clone (as in CI) has no pipeline outputs; this runs the real pipeline.
    """
    dvc("repro", *REPORT_INPUTS)
    return ROOT / "data" / "processed"


@pytest.fixture(scope="session")
def rendered_reports(pipeline_outputs) -> Path:
    """Bring reports/_site/ up to date with `dvc repro report`; the folder of the pages."""
    dvc("repro", "report")
    return ROOT / "reports" / "_site"
