"""Tests of dprep.report.plots: the figures draw what the model says, readably, and save."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.text import Text

from dprep.stats import meta
from dprep.report import plots
from dprep.data.io import save_figure

# Cumming & Calin-Jageman (2nd ed.), Table 11.1 (the project's music_correlations_macnamara2014.csv)
MUSIC_R = np.array([0.67, 0.51, 0.4, 0.46, 0.47, 0.228, -0.224, 0.104, 0.322, 0.231, 0.67, 0.41, 0.34, 0.31, 0.54, 0.583])
MUSIC_N = np.array([109, 55, 19, 30, 19, 52, 24, 52, 16, 97, 57, 107, 178, 64, 19, 135])
LABELS = [f"Study {i + 1}" for i in range(16)]


@pytest.fixture(scope="module")
def fit():
    return meta.rma(*meta.escalc_zcor(MUSIC_R, MUSIC_N))


def _scatter_offsets(ax):
    return [c for c in ax.collections if isinstance(c, PathCollection)]


def test_forest_plot_on_r_scale(fit):
    fig = plots.forest_plot(fit, LABELS, scale="r", title="Practice and music performance")
    ax = fig.axes[0]
    squares = _scatter_offsets(ax)[0]
    xy = squares.get_offsets()
    # one square per study at tanh(z_i), top to bottom in input order
    assert np.allclose(xy[:, 0], MUSIC_R, atol=1e-12)
    assert list(xy[:, 1]) == list(range(16, 0, -1))
    # square area grows with the random-effects weight
    sizes = squares.get_sizes()
    assert np.argmax(sizes) == np.argmax(fit.weights) and np.argmin(sizes) == np.argmin(fit.weights)
    # diamond spans the back-transformed CI; its tip is at tanh(estimate)
    diamond = ax.patches[0].get_xy()[:, 0]
    assert diamond.min() == pytest.approx(math.tanh(fit.ci_lb[0])) and diamond.max() == pytest.approx(math.tanh(fit.ci_ub[0]))
    assert "Correlation r" in ax.get_xlabel()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[:16] == LABELS and "prediction interval" in ticks[-1]


def test_forest_plot_shows_prediction_interval(fit):
    pred = meta.predict(fit)
    ax = plots.forest_plot(fit, LABELS, scale="z").axes[0]
    segments = [seg for coll in ax.collections if not isinstance(coll, PathCollection) for seg in coll.get_segments()]
    spans = [tuple(np.round(sorted(seg[:, 0]), 12)) for seg in segments if len(seg) == 2]
    assert tuple(np.round([pred.pi_lb[0], pred.pi_ub[0]], 12)) in spans
    assert ax.get_xlabel() == "Fisher z"


def test_forest_plot_text_is_at_least_10pt(fit):
    fig = plots.forest_plot(fit, LABELS, synthetic=True)
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text()]
    assert sizes and min(sizes) >= 10
    texts = " ".join(t.get_text() for t in fig.findobj(Text))
    assert "SYNTHETIC" in texts and "not real studies" in texts


def test_forest_plot_alt_text(fit):
    text = plots.forest_plot_alt_text(fit, LABELS, scale="r")
    pred = meta.predict(fit)
    assert text.startswith("Forest plot of 16 studies") and text.endswith(".") and text.count(". ") == 0
    for value in (math.tanh(fit.estimate), math.tanh(pred.pi_lb[0]), math.tanh(pred.pi_ub[0]), MUSIC_R.min()):
        assert f"{value:.2f}" in text
    assert f"I² = {fit.i2:.0f}%" in text


def test_funnel_plot_with_trimfill(tmp_path):
    # BCG log risk ratios (tests/reference/bcg_logrr.csv); trim-and-fill imputes one study on the right
    bcg = pd.read_csv(Path(__file__).parents[1] / "reference" / "bcg_logrr.csv")
    fit = meta.rma(bcg["yi"], bcg["vi"])
    tf = meta.trimfill(fit)
    fig = plots.funnel_plot(fit, trimfill=tf, xlabel="Log risk ratio")
    ax = fig.axes[0]
    observed, imputed = _scatter_offsets(ax)
    assert np.allclose(observed.get_offsets()[:, 1], np.sqrt(bcg["vi"]))
    assert np.allclose(imputed.get_offsets(), np.c_[tf.yi_filled, np.sqrt(tf.vi_filled)])
    assert imputed.get_facecolors().size == 0 or np.all(imputed.get_facecolors()[:, 3] == 0)  # hollow
    lo, hi = ax.get_ylim()
    assert lo > hi == 0.0  # standard error axis inverted, 0 on top
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("trim-and-fill (k0 = 1, right)" in t for t in legend)
    save_figure(tmp_path / "funnel.png", fig)
    assert (tmp_path / "funnel.png").stat().st_size > 10_000


def test_funnel_legend_gives_fisher_z_estimates_also_as_r(fit):
    """The funnel is drawn on Fisher's z; its legend also gives r = tanh(z), the scale of the page's text."""
    legend = [t.get_text() for t in plots.funnel_plot(fit, scale="z").axes[0].get_legend().get_texts()]
    assert f"RE estimate ({fit.method}): z = {fit.estimate:.2f} (r = {math.tanh(fit.estimate):.2f})" in legend
    assert plots.funnel_plot(fit, scale="z").axes[0].get_xlabel() == "Fisher z"
    with pytest.raises(ValueError, match="'z' or None"):
        plots.funnel_plot(fit, scale="r")


@pytest.mark.parametrize(("call", "match"), [
    (lambda f: plots.forest_plot(f, LABELS[:3]), r"'labels' parameter of forest_plot must have one label per study \(16\)"),
    (lambda f: plots.forest_plot(f, LABELS, scale="d"), r"'scale' parameter of forest_plot must be 'r', 'z' or None"),
])
def test_plot_input_errors(fit, call, match):
    with pytest.raises(ValueError, match=match):
        call(fit)


def test_plots_reject_meta_regression():
    yi, vi = meta.escalc_zcor(MUSIC_R, MUSIC_N)
    fit = meta.rma(yi, vi, mods=MUSIC_N.astype(float))
    with pytest.raises(ValueError, match="must be an intercept-only model"):
        plots.funnel_plot(fit)
