"""Shared test data of dprep.stats.meta: the reference data sets copied into tests/reference/ (datasets.R)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dprep.stats import meta

REF_DIR = Path(__file__).parents[2] / "reference"


def _effects(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(yi, vi) of a reference data set: BCG log RR, Hackshaw log OR, Normand Hedges' g, or Fisher z of music /
    Molloy r."""
    if name == "normand":
        return _normand()
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
    """``effects(name)`` → (yi, vi) for name in "bcg", "hack", "normand", "music", "molloy"."""
    return _effects


def _normand() -> tuple[np.ndarray, np.ndarray]:
    es = meta.escalc("SMD", data=pd.read_csv(REF_DIR / "normand1999.csv"), m1i="m1i", sd1i="sd1i", n1i="n1i",
                     m2i="m2i", sd2i="sd2i", n2i="n2i")
    return es.yi, es.vi


@pytest.fixture
def table():
    """``table(name)`` → the reference CSV as a DataFrame (e.g. moderators: BCG ablat/year, music
    instrument_type, Molloy design)."""
    files = {"bcg": "bcg_logrr.csv", "hack": "hackshaw1998.csv", "normand": "normand1999.csv",
             "music": "music_correlations.csv", "molloy": "molloy2014.csv"}
    return lambda name: pd.read_csv(REF_DIR / files[name])
