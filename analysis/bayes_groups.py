"""DVC stage `bayes_groups`: Bayesian group comparison on the reconstructed diaries.

A robust Student-t model with one mean and SD per group (Kruschke 2013; dprep.models.groups) on each
study's accumulated practice alone by age 18, with the posterior of both planned contrasts and
of η². The participant-level data are the `diaries` stage's *reconstructions* (synthetic, seeded),
not the studies' data; every output says so. Diagnostics gate each fit.
"""

import sys
from pathlib import Path

import matplotlib
import pandas as pd
import yaml

matplotlib.use("Agg")

from dprep.models import groups as bgroups  # noqa: E402
from dprep.data import idata  # noqa: E402
from dprep.report.plots import bayes as bayes_plots  # noqa: E402
from dprep.data.io import atomic_dir, save_figure, write_csv, write_json  # noqa: E402

TRAJECTORIES = Path("data/processed/diaries/trajectories.csv")
OUT = Path("data/processed/bayes_groups")
LABEL = "reconstructed (synthetic) data — not the studies' data"


def main() -> int:
    params = yaml.safe_load(Path("params.yaml").read_text())
    p, seed = params["bayes"], int(params["seed"])
    data = pd.read_csv(TRAJECTORIES)
    at18 = data[data["age_years"] == 18]
    contrasts, summaries, alt = [], [], {}
    with atomic_dir(OUT) as tmp:
        for i, (study, g) in enumerate(at18.groupby("study_id", sort=True)):
            order = list(dict.fromkeys(g["group"]))  # best, good, third group as written
            best, good, third = order
            fit = bgroups.bayesian_group_comparison(
                g["accumulated_hours"].to_numpy(float), g["group"].astype(str).tolist(),
                contrasts={f"{best} − {good}": {best: 1, good: -1},
                           f"({best} + {good})/2 − {third}": {best: 0.5, good: 0.5, third: -1}},
                group_order=order, draws=p["draws"], tune=p["tune"], chains=p["chains"],
                cores=p["cores"], target_accept=p["target_accept"], seed=seed + 100 + i)
            contrasts.append(fit.contrasts.assign(study_id=study, data=LABEL))
            summaries.append(fit.summary.reset_index().assign(study_id=study, data=LABEL))
            plot = bayes_plots.plot_posterior_hdi(fit.idata, ["contrast", "eta2"], ref_val=0.0)
            plot.figure.suptitle(f"{study}: {LABEL}", fontsize=10, color="#8b1a1a")
            save_figure(tmp / f"posterior_{study}.png", plot.figure, dpi=130)
            alt[study] = f"{plot.alt_text} ({LABEL})"
            idata.save_idata(fit.idata, tmp / f"{study}.nc")
        write_csv(tmp / "contrasts.csv", pd.concat(contrasts, ignore_index=True))
        write_csv(tmp / "summary.csv", pd.concat(summaries, ignore_index=True))
        write_json(tmp / "metrics.json", {"data": LABEL, "figures_alt_text": alt,
                                          "contrasts": pd.concat(contrasts)[["study_id", "contrast", "mean",
                                                                             "hdi_low", "hdi_high", "p_positive"]]
                                          .to_dict(orient="records")})
    print(f"bayes_groups: {len(contrasts)} studies ({LABEL})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
