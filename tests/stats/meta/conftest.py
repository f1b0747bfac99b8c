"""Shared test data of dprep.stats.meta: the reference data sets copied into tests/reference/ (datasets.R)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dprep.stats import meta

REF_DIR = Path(__file__).parents[2] / "reference"


def _effects(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(yi, vi) of a reference data set: BCG log RR, Hackshaw log OR, or Fisher z of music / Molloy r."""
    if name in ("bcg", "hack"):
        d = pd.read_csv(REF_DIR / ("bcg_logrr.csv" if name == "bcg" else "hackshaw1998.csv"))
        return d["yi"].to_numpy(), d["vi"].to_numpy()
    if name == "music":
        d = pd.read_csv(REF_DIR / "music_correlations.csv")
        return meta.escalc_zcor(d["r"], d["n"])
    d = pd.read_csv(REF_DIR / "molloy2014.csv")
    return meta.escalc_zcor(d["ri"], d["ni"])


@pytest.fixture
def effects():
    """``effects(name)`` → (yi, vi) for name in "bcg", "hack", "music", "molloy"."""
    return _effects
