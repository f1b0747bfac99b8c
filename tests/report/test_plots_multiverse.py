"""Figures of the multiverse: built without pyplot, with alt texts that carry the numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from dprep.report.plots.multiverse import simulation_plot, specification_curve


def test_specification_curve_and_alt_text():
    rng = np.random.default_rng(0)
    est = rng.normal(0.3, 0.2, 12)
    table = pd.DataFrame({"a": ["x", "y"] * 6, "b": ["u", "v", "w", "not applicable"] * 3, "estimate": est,
                          "ci_lb": est - 0.2, "ci_ub": est + 0.2, "pval": rng.uniform(0, 0.1, 12),
                          "primary": [True] + [False] * 11})
    plot = specification_curve(table, ["a", "b"], ylabel="d", title="test")
    assert isinstance(plot.figure, Figure)
    assert "12 specifications" in plot.alt_text and f"{np.sort(est)[0]:.2f}" in plot.alt_text
    labels = [t.get_text() for t in plot.figure.axes[1].get_yticklabels()]
    assert "b: not applicable" not in labels and "a: x" in labels


def test_simulation_plot():
    rows = [{"k": 10, "share_unblinded": s, "effect": 0.3, "bias_unblinded": b, "tau": 0.1, "estimator": e,
             "bias": b / 2, "bias_mcse": 0.01, "rmse": 0.1, "rmse_mcse": 0.01, "coverage": 0.9,
             "coverage_mcse": 0.01, "power": 0.8, "power_mcse": 0.01}
            for s in (0.25, 0.5) for b in (0.0, 0.4) for e in ("naive", "subgroup")]
    plot = simulation_plot(pd.DataFrame(rows))
    assert len(plot.figure.axes) == 8
    assert "largest absolute bias 0.200" in plot.alt_text
