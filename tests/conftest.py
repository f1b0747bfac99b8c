"""Shared test settings: a non-interactive plotting backend and the repository root."""

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def root() -> Path:
    """The repository root (where dvc.yaml and data/ live)."""
    return ROOT
