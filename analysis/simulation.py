"""DVC stage `simulation`: naive, bias-adjusted and subgroup estimators when unblinded studies are biased.

Conditions, replications and the assumed bias prior come from params.yaml (``simulation:``); the work
runs on Dask like the `multiverse` stage (``multiverse.scheduler`` / ``DPREP_DASK_SCHEDULER``, else a
LocalCluster). Output: ``data/processed/simulation/``.
"""

import sys
import time
from pathlib import Path

import matplotlib
import yaml

matplotlib.use("Agg")

from dprep.data.io import atomic_dir, save_figure, write_csv, write_json, write_timing  # noqa: E402
from dprep.report.plots.multiverse import simulation_plot  # noqa: E402
from dprep.studies.simulation import run_simulation  # noqa: E402

VALIDATED = Path("data/processed/validated")
OUT = Path("data/processed/simulation")
METRICS = Path("metrics/simulation.json")


def main() -> int:
    start = time.perf_counter()
    params = yaml.safe_load(Path("params.yaml").read_text())
    cluster = {"scheduler": params["multiverse"]["scheduler"], "workers": params["multiverse"]["workers"]}
    table, settings = run_simulation(VALIDATED, {"seed": params["seed"], "simulation": params["simulation"],
                                                 "bayes": {"missing_between": params["bayes"]["missing_between"]},
                                                 "multiverse": cluster})
    plot = simulation_plot(table, level=settings["level"], alpha=settings["alpha"])
    with atomic_dir(OUT) as tmp:
        write_csv(tmp / "simulation.csv", table)
        write_json(tmp / "results.json", {**settings, "seed": params["seed"]})
        write_json(tmp / "figures.json", {"simulation": plot.alt_text})
        save_figure(tmp / "simulation.png", plot.figure, dpi=130)
    write_json(METRICS, {"conditions": settings["n_conditions"], "replications": settings["replications"]})
    seconds = time.perf_counter() - start
    write_timing("simulation", {"stage_seconds": seconds})
    print(f"simulation: {settings['n_conditions']} conditions × {settings['replications']} replications "
          f"in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
