"""DVC stage `replication`: every original / replication pair of data/studies.yaml as Cohen's d.

For each pair: the replication metrics of :func:`dprep.stats.replication.replication_report` (SESOI
from params), the default JZS Bayes factors of each side's test (and of the omnibus η² where a study
reports one), and a figure of both estimates with the replication's prediction interval. A side with
no reported test is derived from the `primary` stage's values and labelled derived. Output:
``data/processed/replication/``.
"""

import sys
from pathlib import Path

import matplotlib
import pandas as pd
import yaml

matplotlib.use("Agg")

from dprep.data.io import atomic_dir, save_figure, write_csv, write_json  # noqa: E402
from dprep.data.studies import load_studies  # noqa: E402
from dprep.data.tables import read_group_summaries, read_reported_tests  # noqa: E402
from dprep.report.plots.studies import replication_plot  # noqa: E402
from dprep.studies.replication import bf_row, omnibus_bayes_factors, pair_table, replication_pairs  # noqa: E402

VALIDATED = Path("data/processed/validated")
DERIVED = Path("data/processed/primary/derived.csv")
OUT = Path("data/processed/replication")
METRICS = Path("metrics/replication.json")


def main() -> int:
    params = yaml.safe_load(Path("params.yaml").read_text())
    sesoi, level = params["replication"]["sesoi"], params["effect_size"]["level"]
    studies = load_studies("data/studies.yaml")
    tests = read_reported_tests(VALIDATED / "reported_tests.csv")
    groups = read_group_summaries(VALIDATED / "group_summaries.csv")
    pairs = replication_pairs(studies, tests, groups, pd.read_csv(DERIVED), sesoi=sesoi, level=level)

    bfs = []
    for p in pairs:
        sides = [p.replication] if any(q.label == p.label for q in pairs[:pairs.index(p)]) else [p.original, p.replication]
        for side in filter(None, sides):  # an original shared by several scenarios is listed once
            bfs.append(bf_row(p.label, studies[side.study].role, side.source, side.bayes_factor,
                              "; ".join(side.notes), scenario=side.scenario))
    bfs += omnibus_bayes_factors(studies, tests, groups)
    table, bf_table = pair_table(pairs), pd.DataFrame(bfs)
    first = studies.replications[0]
    fig, alt = replication_plot(table.to_dict(orient="records"),
                                {"original": f"{studies[first.original.study].title} ({studies[first.original.study].outcome_assessment})",
                                 "replication": f"{studies[first.replication.study].title} ({studies[first.replication.study].outcome_assessment})"}, level=level)
    metrics = {
        "sesoi": sesoi, "level": level,
        "contrasts": {p.name: {"contrast": p.label, "scenario": p.scenario,
                               "replication_source": p.replication.source, **p.report.to_dict(),
                               "assumptions": list(p.notes)} for p in pairs if p.report is not None},
        "not_available": [{"contrast": p.label, "reason": p.reason} for p in pairs if p.report is None],
        "bayes_factors": bf_table.to_dict(orient="records"),
    }
    estimates = pd.DataFrame([
        {"pair": name, "contrast": c["contrast"], "scenario": c["scenario"] or "",
         "original_d": c["original"]["estimate"], "original_se": c["original_se"],
         "replication_d": c["replication"]["estimate"], "replication_se": c["replication_se"],
         "replication_source": c["replication_source"]} for name, c in metrics["contrasts"].items()])
    with atomic_dir(OUT) as tmp:
        write_json(tmp / "results.json", metrics)
        write_csv(tmp / "estimates.csv", estimates)  # all the `bayes` stage reads: not rerun by a new SESOI
        write_csv(tmp / "replication.csv", table)
        write_csv(tmp / "bayes_factors.csv", bf_table)
        write_json(tmp / "figures.json", {"orig_vs_rep": alt})
        save_figure(tmp / "orig_vs_rep.png", fig, dpi=150)
    write_json(METRICS, {row["pair"]: {k: row[k] for k in ("orig_d", "rep_d", "rep_in_pi", "replication_bf_r0")}
                         for row in table.to_dict(orient="records")})
    for row in table.itertuples():
        print(f"replication: {row.pair}: d {row.orig_d:.2f} → {row.rep_d:.2f} ({row.replication_source}), "
              f"in PI: {row.rep_in_pi}, BF_r0 = {row.replication_bf_r0:.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
