"""DVC stage `diaries`: RECONSTRUCTED (synthetic) individual data of the studies marked
``reconstruct: true`` in data/studies.yaml, and their individual-level analyses."""

import sys
from pathlib import Path

import pandas as pd
import yaml

from dprep.data.diaries import write_diaries
from dprep.data.io import atomic_dir, save_figure, write_csv, write_json
from dprep.data.studies import load_studies
from dprep.data.tables import read_group_summaries, read_reported_tests
from dprep.report.plots import RECONSTRUCTED_LABEL, accumulated_by_age_plot
from dprep.studies.individual import analyse_participants
from dprep.studies.reconstruct import folder_name, reconstruct_study, study_scenarios

VALIDATED = Path("data/processed/validated")
PRIMARY = Path("data/processed/primary")
OUT = Path("data/processed/diaries")
METRICS = Path("metrics/diaries.json")
LABEL = "reconstructed (synthetic)"


def main() -> int:
    params = yaml.safe_load(Path("params.yaml").read_text())
    level, lambda_to = params["effect_size"]["level"], params["effect_size"]["eta2_ci_lambda"]
    studies = load_studies("data/studies.yaml")
    groups = read_group_summaries(VALIDATED / "group_summaries.csv")
    tests = read_reported_tests(VALIDATED / "reported_tests.csv")
    derived = pd.read_csv(PRIMARY / "derived.csv")
    tables: dict[str, list[pd.DataFrame]] = {"summary": [], "anova": [], "contrasts": [], "games_howell": [],
                                             "trajectories": []}
    metrics = {}
    with atomic_dir(OUT) as tmp:
        for study in studies.reconstructable:
            for scenario in study_scenarios(study, groups, derived):  # one per root of an unreported mean
                rec = reconstruct_study(study.id, groups, derived, seed=params["seed"], tests=tests,
                                        studies=studies, scenario=scenario)
                write_diaries(rec.data, tmp / "reconstructed" / folder_name(study.id, scenario))
                result = analyse_participants(rec.data, study, label=LABEL, level=level, lambda_to=lambda_to)
                tables["summary"].append(rec.summary.assign(data=LABEL))
                tables["anova"].append(result.omnibus)
                tables["contrasts"].append(result.contrasts)
                tables["games_howell"].append(result.games_howell)
                tables["trajectories"].append(result.trajectories)
                for name in tables:
                    frame = tables[name][-1].assign(scenario=scenario)
                    tables[name][-1] = frame[["study_id", "scenario", "data",
                                              *frame.columns.drop(["study_id", "scenario", "data"])]]
                metrics[folder_name(study.id, scenario)] = {
                    "study_id": study.id, "scenario": scenario,
                    "participants": len(rec.data.participants), "synthetic": rec.data.synthetic,
                    "all_targeted_match": bool(rec.summary.loc[rec.summary["targeted"], "matches"].all()),
                    "anova_F": result.anova_f, "eta2": result.eta2, "assumptions": list(rec.assumptions),
                }
        for name, frames in tables.items():
            write_csv(tmp / f"{name}.csv", pd.concat(frames, ignore_index=True))
        write_json(tmp / "results.json", {"seed": params["seed"], "synthetic": True, "label": RECONSTRUCTED_LABEL,
                                          "diary_week": False, "studies": metrics})
        figure = accumulated_by_age_plot(pd.concat(tables["trajectories"], ignore_index=True), studies)
        save_figure(tmp / "accumulated_by_age.png", figure, dpi=150)
    write_json(METRICS, {s: {k: m[k] for k in ("all_targeted_match", "anova_F", "eta2")} for s, m in metrics.items()})
    print("diaries: " + ", ".join(f"{s} {'matches' if m['all_targeted_match'] else 'DOES NOT match'}"
                                  for s, m in metrics.items()) + " (reconstructed, synthetic)")
    return 0 if all(m["all_targeted_match"] for m in metrics.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
