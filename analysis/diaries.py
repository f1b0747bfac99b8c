"""DVC stage `diaries`: the participant-level data sets configured in params.yaml (`datasets.diaries`).

The reconstruction (the default entry) builds RECONSTRUCTED (synthetic) individual data of the studies
marked ``reconstruct: true`` in data/studies.yaml and analyses them (outputs in data/processed/diaries/).
Every other entry — real data or an example — is read (a diary folder, or another layout through its
ingest mapping) and analysed the same way, with its study's groups and planned contrasts; its outputs
are in data/processed/diaries/datasets/<name>/, labelled with what the data are.
datasets/index.json lists every configured data set.
"""

import sys
from pathlib import Path

import pandas as pd
import yaml

from dprep.data.datasets import load_datasets
from dprep.data.diaries import write_diaries
from dprep.data.io import atomic_dir, save_figure, write_csv, write_json
from dprep.data.studies import load_studies
from dprep.data.tables import read_group_summaries, read_reported_tests
from dprep.report.plots import RECONSTRUCTED_LABEL, accumulated_by_age_plot
from dprep.studies.individual import analyse_participants, read_dataset
from dprep.studies.reconstruct import SUFFIX, reconstruct_study

VALIDATED = Path("data/processed/validated")
PRIMARY = Path("data/processed/primary")
OUT = Path("data/processed/diaries")
LABEL = "reconstructed (synthetic)"


def reconstruction(params: dict, tmp: Path) -> dict:
    """Reconstruct and analyse the studies marked ``reconstruct: true``; return the metrics per study."""
    level, lambda_to = params["effect_size"]["level"], params["effect_size"]["eta2_ci_lambda"]
    studies = load_studies("data/studies.yaml")
    groups = read_group_summaries(VALIDATED / "group_summaries.csv")
    tests = read_reported_tests(VALIDATED / "reported_tests.csv")
    derived = pd.read_csv(PRIMARY / "derived.csv")
    tables: dict[str, list[pd.DataFrame]] = {"summary": [], "anova": [], "contrasts": [], "games_howell": [],
                                             "trajectories": []}
    metrics = {}
    for study in studies.reconstructable:
        rec = reconstruct_study(study.id, groups, derived, seed=params["seed"], tests=tests, studies=studies)
        write_diaries(rec.data, tmp / "reconstructed" / f"{study.id}{SUFFIX}")
        result = analyse_participants(rec.data, study, label=LABEL, level=level, lambda_to=lambda_to)
        summary = rec.summary.assign(data=LABEL)
        tables["summary"].append(summary[["study_id", "data", *summary.columns.drop(["study_id", "data"])]])
        tables["anova"].append(result.omnibus)
        tables["contrasts"].append(result.contrasts)
        tables["games_howell"].append(result.games_howell)
        tables["trajectories"].append(result.trajectories)
        metrics[study.id] = {
            "participants": len(rec.data.participants), "synthetic": rec.data.synthetic,
            "all_targeted_match": bool(rec.summary.loc[rec.summary["targeted"], "matches"].all()),
            "anova_F": result.anova_f, "eta2": result.eta2, "assumptions": list(rec.assumptions),
        }
    for name, frames in tables.items():
        write_csv(tmp / f"{name}.csv", pd.concat(frames, ignore_index=True))
    write_json(tmp / "metrics.json", {"seed": params["seed"], "synthetic": True, "label": RECONSTRUCTED_LABEL,
                                      "diary_week": False, "studies": metrics})
    figure = accumulated_by_age_plot(pd.concat(tables["trajectories"], ignore_index=True),
                                     {s.id: s.title for s in studies.reconstructable},
                                     {s.id: s.colours for s in studies.reconstructable})
    save_figure(tmp / "accumulated_by_age.png", figure, dpi=150)
    return metrics


def analyse_dataset(spec, params: dict, out: Path) -> dict:
    """Read and analyse one configured data set (real or example); write its outputs into ``out``."""
    data, study, label = read_dataset(spec)
    result = analyse_participants(data, study, label=label, level=params["effect_size"]["level"],
                                  lambda_to=params["effect_size"]["eta2_ci_lambda"])
    out.mkdir(parents=True)
    for name in ("descriptives", "omnibus", "contrasts", "games_howell", "trajectories", "ratings",
                 "estimate_vs_diary"):
        frame = getattr(result, name)
        if frame is not None:
            write_csv(out / f"{'anova' if name == 'omnibus' else name}.csv", frame)
    means = ", ".join(f"{r.group} {r.mean:,.0f} h (n = {r.n})" for r in result.descriptives.itertuples())
    figure = accumulated_by_age_plot(result.trajectories, {study.id: study.title}, {study.id: study.colours},
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
    write_json(out / "metrics.json", metrics)
    return metrics


def main() -> int:
    params = yaml.safe_load(Path("params.yaml").read_text())
    index, ok = [], True
    with atomic_dir(OUT) as tmp:
        for spec in load_datasets(params).diaries:
            if spec.reconstruct:
                metrics = reconstruction(params, tmp)
                ok = all(m["all_targeted_match"] for m in metrics.values())
                index.append({"name": spec.name, "kind": spec.kind, "data": LABEL, "synthetic": True,
                              "outputs": ".", "studies": list(metrics)})
                print("diaries: " + ", ".join(f"{s} {'matches' if m['all_targeted_match'] else 'DOES NOT match'}"
                                              for s, m in metrics.items()) + " (reconstructed, synthetic)")
                continue
            metrics = analyse_dataset(spec, params, tmp / "datasets" / spec.name)
            index.append({"name": spec.name, "kind": spec.kind, "data": metrics["data"],
                          "synthetic": metrics["synthetic"], "outputs": f"datasets/{spec.name}",
                          "studies": [metrics["study"]]})
            print(f"diaries: {spec.name} ({metrics['data']}): {metrics['participants']} participants, "
                  f"F = {metrics['anova_F']:.2f}")
        (tmp / "datasets").mkdir(exist_ok=True)
        write_json(tmp / "datasets" / "index.json", index)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
