"""DVC stage `diaries`: RECONSTRUCTED (synthetic) individual data of both studies, and their analyses."""

import sys
from pathlib import Path

import pandas as pd
import yaml

from dprep.data.tables import read_group_summaries, read_reported_tests
from dprep.data.diaries import accumulated_practice, write_diaries
from dprep.stats.groups import compare_groups
from dprep.data.io import atomic_dir, save_figure, write_csv, write_json
from dprep.report.plots import RECONSTRUCTED_LABEL, accumulated_by_age_plot
from dprep.studies.reconstruct import STUDIES, SUFFIX, TARGET_AGE, accumulated_by_age, reconstruct_study

VALIDATED = Path("data/processed/validated")
PRIMARY = Path("data/processed/primary")
OUT = Path("data/processed/diaries")
TITLES = {"EKT1993_S1": "Ericsson et al. (1993), Study 1", "MM2019": "Macnamara & Maitra (2019)"}


def main() -> int:
    params = yaml.safe_load(Path("params.yaml").read_text())
    level, lambda_to = params["effect_size"]["level"], params["effect_size"]["eta2_ci_lambda"]
    groups = read_group_summaries(VALIDATED / "group_summaries.csv")
    tests = read_reported_tests(VALIDATED / "reported_tests.csv")
    derived = pd.read_csv(PRIMARY / "derived.csv")
    summaries, omnibus, contrasts, pairs, trajectories, metrics = [], [], [], [], [], {}
    with atomic_dir(OUT) as tmp:
        for study_id in STUDIES:
            rec = reconstruct_study(study_id, groups, derived, seed=params["seed"], tests=tests)
            write_diaries(rec.data, tmp / "reconstructed" / f"{study_id}{SUFFIX}")
            outcome = accumulated_practice(rec.data, TARGET_AGE)
            result = compare_groups(outcome, "accumulated_hours", level=level, lambda_to=lambda_to)
            label = {"study_id": study_id, "data": "reconstructed (synthetic)"}
            summaries.append(rec.summary.assign(data=label["data"]))
            omnibus += [result["anova"].assign(test="one-way ANOVA", **label),
                        result["welch"].assign(test="Welch ANOVA", **label),
                        result["kruskal"].rename(columns={"df": "df1"}).assign(test="Kruskal–Wallis", **label)]
            contrasts.append(result["contrasts"].assign(**label))
            pairs.append(result["games_howell"].assign(**label))
            trajectories.append(accumulated_by_age(rec.data).assign(study_id=study_id))
            metrics[study_id] = {
                "participants": len(rec.data.participants),
                "synthetic": rec.data.synthetic,
                "all_targeted_match": bool(rec.summary.loc[rec.summary["targeted"], "matches"].all()),
                "anova_F": float(result["anova"]["F"].iloc[0]),
                "eta2": float(result["anova"]["eta2"].iloc[0]),
                "assumptions": list(rec.assumptions),
            }
        front = ["study_id", "data"]
        for name, frames in (("summary", summaries), ("contrasts", contrasts), ("games_howell", pairs)):
            frame = pd.concat(frames, ignore_index=True)
            write_csv(tmp / f"{name}.csv", frame[front + [c for c in frame.columns if c not in front]])
        anova = pd.concat(omnibus, ignore_index=True)
        write_csv(tmp / "anova.csv", anova[front + ["test"] + [c for c in anova.columns if c not in front + ["test"]]])
        paths = pd.concat(trajectories, ignore_index=True)
        write_csv(tmp / "trajectories.csv", paths.assign(data="reconstructed (synthetic)")[
            front + ["participant_id", "group", "age_years", "accumulated_hours"]])
        write_json(tmp / "metrics.json", {"seed": params["seed"], "synthetic": True, "label": RECONSTRUCTED_LABEL,
                                          "diary_week": False, "studies": metrics})
        save_figure(tmp / "accumulated_by_age.png", accumulated_by_age_plot(paths, TITLES), dpi=150)
    print("diaries: " + ", ".join(f"{s} {'matches' if m['all_targeted_match'] else 'DOES NOT match'}"
                                  for s, m in metrics.items()) + " (reconstructed, synthetic)")
    return 0 if all(m["all_targeted_match"] for m in metrics.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
