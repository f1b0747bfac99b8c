"""Tests of dprep.report.plots.sensitivity: the figures draw what the analyses say, readably, and save."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.text import Text

from dprep.data.io import save_figure
from dprep.report import plots
from dprep.stats import meta

REF_DIR = Path(__file__).parents[2] / "reference"


@pytest.fixture(scope="module")
def music():
    d = pd.read_csv(REF_DIR / "music_correlations.csv")
    fit = meta.rma(*meta.escalc_zcor(d["r"], d["n"]), test="knha")
    return fit, meta.sensitivity(fit, [str(i) for i in d["row"]], permutations=20, seed=1)


def _points(ax):
    return [c for c in ax.collections if isinstance(c, PathCollection)]


def _min_font(fig):
    return min(t.get_fontsize() for t in fig.findobj(Text) if t.get_text())


def test_bias_estimates_plot(music, tmp_path):
    _, sens = music
    fig = plots.bias_estimates_plot(sens.estimates, transform=meta.z_to_r, xlabel="Correlation r")
    ax = fig.axes[0]
    xy = _points(ax)[0].get_offsets()
    assert np.allclose(xy[:, 0], np.tanh(sens.estimates["estimate"]))  # top to bottom in table order
    assert list(xy[:, 1]) == list(range(len(sens.estimates), 0, -1))
    assert [t.get_text() for t in ax.get_yticklabels()] == list(sens.estimates["analysis"])
    assert _min_font(fig) >= 10
    text = plots.bias_estimates_alt_text(sens.estimates, transform=meta.z_to_r, unit="correlation")
    assert text.startswith("Dot-and-whisker plot of the pooled correlation and 5 bias-adjusted versions")
    assert f"PEESE: {math.tanh(sens.petpeese.peese['estimate']):.2f}" in text
    save_figure(tmp_path / "bias.png", fig)
    assert (tmp_path / "bias.png").stat().st_size > 10_000


def test_bias_estimates_plot_marks_what_could_not_be_fitted(music):
    _, sens = music
    rows = sens.estimates.copy()
    rows.loc[4, ["estimate", "ci_lb", "ci_ub"]] = np.nan
    fig = plots.bias_estimates_plot(rows)
    assert len(_points(fig.axes[0])[0].get_offsets()) == len(rows) - 1
    assert "not estimable" in [t.get_text() for t in fig.findobj(Text)]
    assert "not estimable" in plots.bias_estimates_alt_text(rows)


def test_baujat_plot(music):
    _, sens = music
    fig = plots.baujat_plot(sens.baujat, labels=[str(i) for i in range(1, 17)])
    ax = fig.axes[0]
    assert np.allclose(_points(ax)[0].get_offsets(), sens.baujat[["x", "y"]].to_numpy())
    annotations = [t.get_text() for t in ax.texts]
    assert annotations == [str(i) for i in range(1, 17)]
    text = plots.baujat_alt_text(sens.baujat)
    top = sens.baujat["study"][sens.baujat["x"].idxmax()]
    assert f"study {top} contributes most" in text and f"{sens.baujat['x'].max():.2f}" in text


def test_gosh_plot(music):
    _, sens = music
    fig = plots.gosh_plot(sens.gosh, transform=meta.z_to_r, xlabel="Correlation r")
    main = fig.axes[0]
    hexes = [c for c in main.collections if isinstance(c, PolyCollection)]
    assert hexes and hexes[0].get_array().sum() == sens.gosh.n_subsets  # every subset is counted once
    assert "all subsets (FE model)" in fig._suptitle.get_text()
    text = plots.gosh_alt_text(sens.gosh, transform=meta.z_to_r, unit="correlation")
    lo, hi = np.quantile(np.tanh(sens.gosh.table["estimate"]), [0.025, 0.975])
    assert text.startswith("GOSH plot of 65,535 (all) subsets") and f"{lo:.2f} and {hi:.2f}" in text


def test_cumulative_plot():
    bcg = pd.read_csv(REF_DIR / "bcg_logrr.csv")
    cu = meta.cumul(meta.rma(bcg["yi"], bcg["vi"]), order=bcg["year"], labels=bcg["author"])
    fig = plots.cumulative_plot(cu, xlabel="Log risk ratio")
    ax = fig.axes[0]
    assert np.allclose(_points(ax)[0].get_offsets()[:, 0], cu["estimate"])
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "+ Aronson (1948)"
    dashed = [line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert dashed == [pytest.approx(cu["estimate"].iloc[-1])]  # the estimate from all studies
    text = plots.cumulative_alt_text(cu)
    assert text.startswith("Cumulative meta-analysis of 13 studies in order of 1948 to 1980")
    assert f"{cu['estimate'].iloc[-1]:.2f} (all studies)" in text
