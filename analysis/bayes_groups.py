"""DVC stage `bayes_groups`: Bayesian group comparison on the reconstructed diaries.

A robust Student-t model with one mean and SD per group (Kruschke 2013; dprep.models.groups) on each
study's accumulated practice alone by its target age, with the posterior of the study's planned
contrasts (data/studies.yaml) and of η². The participant-level data are the `diaries` stage's
*reconstructions* (synthetic, seeded), not the studies' data; every output says so. Diagnostics gate
each fit.
"""

import sys
from pathlib import Path

import matplotlib
import pandas as pd
import yaml

matplotlib.use("Agg")

from dprep.data import idata  # noqa: E402
from dprep.data.io import atomic_dir, save_figure, write_csv, write_json, write_timing  # noqa: E402
from dprep.data.studies import load_studies  # noqa: E402
from dprep.models import groups as bgroups  # noqa: E402
from dprep.report.plots import bayes as bayes_plots  # noqa: E402
from dprep.stats.groups import contrast_label  # noqa: E402
from dprep.studies.reconstruct import folder_name  # noqa: E402

TRAJECTORIES = Path("data/processed/diaries/trajectories.csv")
OUT = Path("data/processed/bayes_groups")
METRICS = Path("metrics/bayes_groups.json")
LABEL = "reconstructed (synthetic) data — not the studies' data"


def main() -> int:
    params = yaml.safe_load(Path("params.yaml").read_text())
    p, seed = params["bayes"], int(params["seed"])
    studies = load_studies("data/studies.yaml")
    data = pd.read_csv(TRAJECTORIES)
    contrasts, summaries, alt, timings = [], [], {}, {}
    with atomic_dir(OUT) as tmp:
        data["scenario"] = data["scenario"].fillna("")
        for i, ((study_id, scenario), g) in enumerate(data.groupby(["study_id", "scenario"], sort=True)):
            study = studies[study_id]
            key = folder_name(study_id, scenario)
            g = g[g["age_years"] == study.target_age]
            fit = bgroups.bayesian_group_comparison(
                g["accumulated_hours"].to_numpy(float), g["group"].astype(str).tolist(),
                contrasts={contrast_label(w): dict(w) for w in study.contrasts.values()},
                group_order=study.group_ids, draws=p["draws"], tune=p["tune"], chains=p["chains"],
                cores=p["cores"], target_accept=p["target_accept"], seed=seed + 100 + i)
            contrasts.append(fit.contrasts.assign(study_id=study_id, scenario=scenario, data=LABEL))
            summaries.append(fit.posterior.reset_index().assign(study_id=study_id, scenario=scenario, data=LABEL))
            plot = bayes_plots.plot_posterior_hdi(fit.idata, ["contrast", "eta2"], ref_val=0.0)
            shown = f"{study.title}" + (f", scenario: {scenario}" if scenario else "")
            plot.figure.suptitle(f"{shown}: {LABEL}", fontsize=10, color="#8b1a1a")
            save_figure(tmp / f"posterior_{key}.png", plot.figure, dpi=130)
            alt[f"posterior_{key}"] = f"{plot.alt_text} ({LABEL})"
            idata.save_idata(fit.idata, tmp / f"{key}.nc")
            timings[key] = fit.timing.to_dict()
        table = pd.concat(contrasts, ignore_index=True)
        write_csv(tmp / "contrasts.csv", table)
        write_csv(tmp / "summary.csv", pd.concat(summaries, ignore_index=True))
        write_json(tmp / "figures.json", alt)
        write_json(tmp / "results.json", {"data": LABEL, "contrasts": table[[
            "study_id", "scenario", "contrast", "mean", "hdi_lb", "hdi_ub", "p_positive"]].to_dict(orient="records")})
    write_json(METRICS, {folder_name(s, sc): dict(zip(g["contrast"], g["p_positive"]))
                         for (s, sc), g in table.groupby(["study_id", "scenario"], sort=True)})
    write_timing("bayes_groups", timings)
    print(f"bayes_groups: {len(contrasts)} studies ({LABEL})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
