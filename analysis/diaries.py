"""DVC stage `diaries`: the participant-level data sets configured in params.yaml (`datasets.diaries`).

The reconstruction (the default entry) builds RECONSTRUCTED (synthetic) individual data of the studies
marked ``reconstruct: true`` in data/studies.yaml — once per admissible value of an unreported mean —
and analyses them (outputs in data/processed/diaries/). Every other entry — real data or an example —
is read (a diary folder, or another layout through its ingest mapping) and analysed the same way, with
its study's groups and planned contrasts; its outputs are in data/processed/diaries/datasets/<name>/,
labelled with what the data are. datasets/index.json lists every configured data set.
"""

import sys
from pathlib import Path

import pandas as pd
import yaml

from dprep.data.datasets import load_datasets
from dprep.data.diaries import write_diaries
from dprep.data.io import atomic_dir, save_figure, write_csv, write_json
from dprep.data.studies import StudyFile, load_studies
from dprep.data.tables import read_group_summaries, read_reported_tests
from dprep.report.plots import RECONSTRUCTED_LABEL, accumulated_by_age_plot
from dprep.studies.individual import analyse_participants, read_dataset
from dprep.studies.reconstruct import folder_name, reconstruct_study, study_scenarios

VALIDATED = Path("data/processed/validated")
PRIMARY = Path("data/processed/primary")
OUT = Path("data/processed/diaries")
METRICS = Path("metrics/diaries.json")
LABEL = "reconstructed (synthetic)"


def reconstruction(effect_size: dict, seed: int, tmp: Path) -> dict:
    """Reconstruct and analyse the studies marked ``reconstruct: true``; return the metrics per study and scenario."""
    level, lambda_to = effect_size["level"], effect_size["eta2_ci_lambda"]
    studies = load_studies("data/studies.yaml")
    groups = read_group_summaries(VALIDATED / "group_summaries.csv")
    tests = read_reported_tests(VALIDATED / "reported_tests.csv")
    derived = pd.read_csv(PRIMARY / "derived.csv")
    tables: dict[str, list[pd.DataFrame]] = {"summary": [], "anova": [], "contrasts": [], "games_howell": [],
                                             "trajectories": []}
    metrics = {}
    for study in studies.reconstructable:
        for scenario in study_scenarios(study, groups, derived):  # one per root of an unreported mean
            rec = reconstruct_study(study.id, groups, derived, seed=seed, tests=tests,
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
    write_json(tmp / "results.json", {"seed": seed, "synthetic": True, "label": RECONSTRUCTED_LABEL,
                                      "diary_week": False, "studies": metrics})
    figure = accumulated_by_age_plot(pd.concat(tables["trajectories"], ignore_index=True), studies)
    save_figure(tmp / "accumulated_by_age.png", figure, dpi=150)
    return metrics


def analyse_dataset(spec, effect_size: dict, out: Path) -> dict:
    """Read and analyse one configured data set (real or example); write its outputs into ``out``."""
    data, study, label = read_dataset(spec)
    result = analyse_participants(data, study, label=label, level=effect_size["level"],
                                  lambda_to=effect_size["eta2_ci_lambda"])
    out.mkdir(parents=True)
    for name in ("descriptives", "omnibus", "contrasts", "games_howell", "trajectories", "ratings",
                 "estimate_vs_diary"):
        frame = getattr(result, name)
        if frame is not None:
            write_csv(out / f"{'anova' if name == 'omnibus' else name}.csv", frame)
    means = ", ".join(f"{r.group} {r.mean:,.0f} h (n = {r.n})" for r in result.descriptives.itertuples())
    figure = accumulated_by_age_plot(result.trajectories, StudyFile(spec.study_file, {study.id: study}),
                                     label=label, stamp=None if spec.kind == "real" and not data.synthetic
                                     else label.split(" (")[0].upper(),
                                     footnote="Thin lines: participants; thick lines: group means.")
    save_figure(out / "accumulated_by_age.png", figure, dpi=150)
    metrics = {
        "name": spec.name, "kind": spec.kind, "data": label, "synthetic": data.synthetic,
        "path": spec.path.as_posix(), "mapping": None if spec.mapping is None else spec.mapping.as_posix(),
        "study": study.id, "study_title": study.title, "study_file": spec.study_file.as_posix(),
        "target_age": study.target_age, "participants": len(data.participants), "groups": study.group_ids,
        "absent_tables": list(data.absent), "notes": list(result.notes),
        "anova_F": result.anova_f, "eta2": result.eta2,
        "figure_alt_text": (f"Accumulated practice alone by age of the {len(data.participants)} participants of "
                            f"{study.title}, {label}: a thin line per participant and a thick line per group; "
                            f"group means at age {study.target_age}: {means}."),
    }
    write_json(out / "results.json", metrics)
    return metrics


def main() -> int:
    params = yaml.safe_load(Path("params.yaml").read_text())
    index, ok, headline = [], True, {}
    with atomic_dir(OUT) as tmp:
        for spec in load_datasets(params["datasets"]).diaries:
            if spec.reconstruct:
                metrics = reconstruction(params["effect_size"], params["seed"], tmp)
                ok = all(m["all_targeted_match"] for m in metrics.values())
                headline |= {s: {k: m[k] for k in ("all_targeted_match", "anova_F", "eta2")} for s, m in metrics.items()}
                index.append({"name": spec.name, "kind": spec.kind, "data": LABEL, "synthetic": True,
                              "outputs": ".", "studies": list(metrics)})
                print("diaries: " + ", ".join(f"{s} {'matches' if m['all_targeted_match'] else 'DOES NOT match'}"
                                              for s, m in metrics.items()) + " (reconstructed, synthetic)")
                continue
            metrics = analyse_dataset(spec, params["effect_size"], tmp / "datasets" / spec.name)
            headline[spec.name] = {k: metrics[k] for k in ("participants", "anova_F", "eta2")}
            index.append({"name": spec.name, "kind": spec.kind, "data": metrics["data"],
                          "synthetic": metrics["synthetic"], "outputs": f"datasets/{spec.name}",
                          "studies": [metrics["study"]]})
            print(f"diaries: {spec.name} ({metrics['data']}): {metrics['participants']} participants, "
                  f"F = {metrics['anova_F']:.2f}")
        (tmp / "datasets").mkdir(exist_ok=True)
        write_json(tmp / "datasets" / "index.json", index)
    write_json(METRICS, headline)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
