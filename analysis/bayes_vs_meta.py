"""DVC stage `bayes_vs_meta`: the Bayesian meta-analysis of the `bayes` stage beside the frequentist
fit of the `meta` stage (τ² estimator and test from params, `meta.method` / `meta.test`).

A stage of its own so that the dependencies say what uses what: changing `meta.method` reruns
`meta`, this comparison and the pages, not the MCMC fits of `bayes`, which do not depend on it.
Output: ``data/processed/bayes_vs_meta/`` (the comparison table, its figure with alt text).
"""

import json
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")

from dprep.data.idata import load_idata  # noqa: E402
from dprep.data.io import atomic_dir, save_figure, write_csv, write_json  # noqa: E402
from dprep.report.plots import bayes as bayes_plots  # noqa: E402

META = Path("data/processed/meta/summary.json")
BAYES = Path("data/processed/bayes/results.json")
IDATA = Path("data/processed/bayes/idata/meta.nc")
OUT = Path("data/processed/bayes_vs_meta")
TESTS = {"knha": "Knapp–Hartung", "z": "Wald z"}


def main() -> int:
    freq, bayes = json.loads(META.read_text()), json.loads(BAYES.read_text())["meta"]
    label = f"{freq['model']['method']}, {TESTS[freq['model']['test']]}"
    level = f"{100 * freq['model']['level']:g}%"
    grid = bayes["grid_check"]
    comparison = pd.DataFrame([
        {"method": label, "estimate_z": freq["estimate"], "ci_lb_z": freq["ci_lb"], "ci_ub_z": freq["ci_ub"],
         "estimate_r": freq["estimate_r"], "ci_lb_r": freq["ci_r"][0], "ci_ub_r": freq["ci_r"][1],
         "tau": freq["tau"], "interval": f"{level} CI"},
        {"method": "Bayes (NUTS)", "estimate_z": bayes["post_mean_mu"], "ci_lb_z": bayes["mu_hdi_lb"],
         "ci_ub_z": bayes["mu_hdi_ub"], "estimate_r": bayes["post_mean_mu_r"], "ci_lb_r": bayes["mu_r_hdi_lb"],
         "ci_ub_r": bayes["mu_r_hdi_ub"], "tau": bayes["post_mean_tau"], "interval": "95% HDI"},
        {"method": "Bayes (grid quadrature)", "estimate_z": grid["mu_mean"]["grid"], "ci_lb_z": np.nan,
         "ci_ub_z": np.nan, "estimate_r": np.nan, "ci_lb_r": np.nan, "ci_ub_r": np.nan,
         "tau": grid["tau_mean"]["grid"], "interval": ""},
    ])
    plot = bayes_plots.plot_mu_vs_reml(load_idata(IDATA), freq["estimate_r"], tuple(freq["ci_r"]),
                                       transform=np.tanh, scale_label="correlation r",
                                       reml_label=f"{label} (frequentist), {level} CI")
    with atomic_dir(OUT) as tmp:
        write_csv(tmp / "comparison.csv", comparison)
        save_figure(tmp / "mu_vs_meta.png", plot.figure, dpi=120)
        write_json(tmp / "figures.json", {"mu_vs_meta": plot.alt_text})
    print(f"bayes_vs_meta: r = {freq['estimate_r']:.3f} ({label}) vs {bayes['post_mean_mu_r']:.3f} (Bayes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
