"""DVC stage `multiverse`: every defensible analysis of the two questions, and their joint tests.

The choices and options are declared in params.yaml (``multiverse:``); the inputs are the validated
tables and the outputs of the `primary` and `replication` stages. Runs on Dask: a LocalCluster sized to
the machine, or the scheduler of ``multiverse.scheduler`` / ``DPREP_DASK_SCHEDULER``.
Output: ``data/processed/multiverse/``.
"""

import sys
import time
from pathlib import Path

import matplotlib
import numpy as np
import yaml

matplotlib.use("Agg")

from dprep.data.io import atomic_dir, save_figure, write_csv, write_json, write_timing  # noqa: E402
from dprep.data.studies import load_studies  # noqa: E402
from dprep.report.plots.multiverse import specification_curve  # noqa: E402
from dprep.studies import multiverse  # noqa: E402

VALIDATED = Path("data/processed/validated")
DERIVED = Path("data/processed/primary/derived.csv")
OUT = Path("data/processed/multiverse")
METRICS = Path("metrics/multiverse.json")
AXES = {"music": ("Correlation r (back-transformed from Fisher z)", np.tanh),
        "replication": ("Cohen's d (pooled, bias-adjusted)", None)}


def main() -> int:
    start = time.perf_counter()
    params = yaml.safe_load(Path("params.yaml").read_text())
    settings = {"seed": params["seed"], "multiverse": params["multiverse"],
                "bayes": {"missing_between": params["bayes"]["missing_between"]}}
    out = multiverse.run_multiverse(VALIDATED, DERIVED, settings, load_studies("data/studies.yaml"))
    specs, alpha = out.specifications, params["multiverse"]["alpha"]
    figures = {}
    for question, choices in multiverse.CHOICES.items():
        label, transform = AXES[question]
        figures[f"speccurve_{question}"] = specification_curve(
            specs[specs["question"] == question], choices, alpha=alpha, ylabel=label, transform=transform,
            title=out.titles[question])
    metrics = {
        "n_specifications": {q: int((specs["question"] == q).sum()) for q in multiverse.CHOICES},
        "n_resamples": out.n_resamples, "seed": params["seed"],
        "converged": {q: float(specs.loc[specs["question"] == q, "converged"].mean()) for q in multiverse.CHOICES},
        "tests": {q: t.to_dict() for q, t in out.tests.items()},
        "primary": specs[specs["primary"]].set_index("question").to_dict(orient="index"),
    }
    with atomic_dir(OUT) as tmp:
        write_csv(tmp / "specifications.csv", specs)
        write_csv(tmp / "choices.csv", out.choices)
        write_csv(tmp / "null.csv", out.null)
        write_json(tmp / "results.json", metrics)
        write_json(tmp / "figures.json", {name: plot.alt_text for name, plot in figures.items()})
        for name, plot in figures.items():
            save_figure(tmp / f"{name}.png", plot.figure, dpi=130)
    for q, t in out.tests.items():
        print(f"multiverse: {q}: {metrics['n_specifications'][q]} specifications, median {t.estimate:.3f} "
              f"(p = {t.pval_median:.3f}), {t.share_significant:.0%} significant (p = {t.pval_share:.3f})")
    write_json(METRICS, {f"{q}_{key}": value for q, t in out.tests.items()
                         for key, value in (("median", t.estimate), ("share_significant", t.share_significant),
                                            ("pval_median", t.pval_median), ("pval_share", t.pval_share))})
    seconds = time.perf_counter() - start
    write_timing("multiverse", {"stage_seconds": seconds})
    print(f"multiverse: wall time {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
