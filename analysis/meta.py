"""DVC stage `meta`: random-effects meta-analysis of every effect table configured in params.yaml
(`datasets.effect_tables`; by default the 16 music correlations).

Per table: the effect sizes (Fisher z of r, or the table's yi/vi), τ² estimator and test from
params.yaml; heterogeneity with Q-profile CIs; each moderator and the blinding column as subgroup
analyses; Egger's test, trim-and-fill, leave-one-out; every τ² estimator side by side. The main
table's outputs are in data/processed/meta/ (with the published pooled results for comparison),
every other table's in data/processed/meta/tables/<name>/; tables.json lists them all.
"""

import sys
from pathlib import Path

import matplotlib
import pandas as pd
import yaml

matplotlib.use("Agg")

from dprep.stats import meta  # noqa: E402
from dprep.report import plots  # noqa: E402
from dprep.data.datasets import load_datasets  # noqa: E402
from dprep.data.effect_tables import read_effect_table  # noqa: E402
from dprep.data.tables import published_music_comparison, read_table  # noqa: E402
from dprep.data.io import atomic_dir, save_figure, write_csv, write_json  # noqa: E402

VALIDATED = Path("data/processed/validated")
OUT = Path("data/processed/meta")


def _estimator_row(yi, vi, method: str, test: str, level: float, correlations: bool) -> dict:
    """One row of the τ²-estimator sensitivity table (r scale for correlations, flat columns)."""
    fit = meta.rma(yi, vi, method=method, test=test, level=level)
    pred = meta.predict(fit)
    row = {"method": method, "test": test, "tau2": fit.tau2, "i2": fit.i2, "estimate_z": fit.estimate,
           "se_z": float(fit.se[0]), "pval": float(fit.pval[0])}
    if correlations:
        r = meta.correlation_summary(fit)
        row |= {"estimate_r": r.estimate_r, "ci_lb_r": r.ci_r[0], "ci_ub_r": r.ci_r[1], "pi_lb_r": r.pi_r[0],
                "pi_ub_r": r.pi_r[1], "pct_variance": r.pct_variance}
    return row | {"pi_lb_z": float(pred.pi_lb[0]), "pi_ub_z": float(pred.pi_ub[0])}


def analyse_table(table, p: dict, out: Path) -> dict:
    """Meta-analyse one configured effect table and write its outputs into ``out``; return its metrics."""
    spec, roles = table.spec, table.roles
    correlations = spec.measure == "ZCOR"
    yi, vi = meta.escalc_zcor(roles["r"], roles["n"]) if correlations else (roles["yi"].to_numpy(float),
                                                                           roles["vi"].to_numpy(float))
    labels = [f"{i}. {label}" + (f" (n = {n})" if correlations else "")
              for i, label, n in zip(range(1, len(roles) + 1), roles["label"], roles.get("n", roles["label"]))]
    fit = meta.rma(yi, vi, method=p["method"], test=p["test"], level=p["level"])
    het, pred, egger, filled = meta.confint(fit), meta.predict(fit), meta.regtest(fit), meta.trimfill(fit)
    def subgroups(column: str, name: str):
        return meta.subgroup_analysis(yi, vi, roles[column], method=p["method"], test=p["test"], level=p["level"],
                                      name=name)

    # The first moderator keeps the plain names (summary "moderator", subgroups.csv); others get theirs.
    groups = {("moderator", "subgroups", m) if i == 0 else (f"moderator_{m}", f"subgroups_{m}", m): subgroups(m, m)
              for i, m in enumerate(spec.moderators)}
    if spec.blinding:
        groups[("blinding", "subgroups_blinding", spec.blinding)] = subgroups("blinding", spec.blinding)
    sensitivity = pd.DataFrame([_estimator_row(yi, vi, m, t, p["level"], correlations)
                                for m in ("DL", "REML", "PM", "ML", "HE") for t in ("z", "knha")])
    summary = {
        "model": {"method": p["method"], "test": p["test"], "level": p["level"],
                  "scale": "fisher_z" if correlations else "yi"},
        **fit.to_dict(), **het.to_dict(), **pred.to_dict(),
        **(meta.correlation_summary(fit).to_dict() if correlations else {}),
        "egger": egger.to_dict(), "trimfill": filled.to_dict(),
    }
    for (key, _, column), result in groups.items():
        summary[key] = {"name": column, **result.to_dict()}
    if spec.cluster:
        summary["cluster"] = {"column": spec.cluster, "clusters": int(roles["cluster"].nunique()),
                              "note": "effects were pooled as independent; effects sharing a cluster are not"}
    what = f"{fit.k} samples" if correlations else f"{fit.k} effects"
    forest = plots.forest_plot(fit, labels, scale="r" if correlations else None, title=f"{spec.title} ({what})")
    funnel = plots.funnel_plot(fit, trimfill=filled, xlabel="Fisher's z" if correlations else "Effect size (yi)")
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "summary.json", summary)
    metrics = {"k": fit.k, "method": p["method"], "test": p["test"],
               **({key: summary[key] for key in ("estimate_r", "ci_r", "pi_r", "pct_variance")} if correlations
                  else {"estimate": fit.estimate, "ci": [float(pred.ci_lb[0]), float(pred.ci_ub[0])],
                        "pi": [float(pred.pi_lb[0]), float(pred.pi_ub[0])]}),
               "tau2": fit.tau2, "i2": fit.i2, "q": fit.q, "q_p": fit.q_p, "egger_p": egger.pval,
               "trimfill_k0": filled.k0}
    write_json(out / "metrics.json", metrics)
    write_json(out / "figures.json", {
        "forest": plots.forest_plot_alt_text(fit, labels, scale="r" if correlations else None),
        "funnel": (f"Funnel plot of the {fit.k} {'Fisher-z ' if correlations else ''}effect sizes against their "
                   f"standard errors; trim-and-fill imputes {filled.k0} stud{'y' if filled.k0 == 1 else 'ies'} "
                   f"on the {filled.side} side."),
    })
    write_csv(out / "studies.csv", table.data.assign(yi=yi, vi=vi, weight_pct=100 * fit.weights / fit.weights.sum()))
    write_csv(out / "estimators.csv", sensitivity)
    write_csv(out / "leave1out.csv", meta.leave1out(fit, labels))
    for (_, csv, _), result in groups.items():
        write_csv(out / f"{csv}.csv", result.subgroups)
    save_figure(out / "forest.png", forest, dpi=150)
    save_figure(out / "funnel.png", funnel, dpi=150)
    return metrics


def main() -> int:
    params = yaml.safe_load(Path("params.yaml").read_text())
    p = params["meta"]
    tables = []
    with atomic_dir(OUT) as tmp:
        for spec in load_datasets(params).effect_tables:
            out = tmp if spec.main else tmp / "tables" / spec.name
            metrics = analyse_table(read_effect_table(spec), p, out)
            tables.append({"name": spec.name, "kind": spec.kind, "data": spec.label, "title": spec.title,
                           "path": spec.path.as_posix(), "measure": spec.measure, "main": spec.main,
                           "outputs": out.relative_to(tmp).as_posix() if not spec.main else ".",
                           "moderators": list(spec.moderators), "cluster": spec.cluster,
                           "blinding": spec.blinding, **metrics})
            print(f"meta: {spec.name} ({spec.label}): k = {metrics['k']}, I² = {metrics['i2']:.1f}%")
        write_csv(tmp / "published.csv", published_music_comparison(read_table(VALIDATED, "meta_summaries")))
        write_json(tmp / "tables.json", tables)
    return 0


if __name__ == "__main__":
    sys.exit(main())
