"""DVC stage `meta`: random-effects meta-analysis of every effect table configured in params.yaml
(`datasets.effect_tables`; by default the music correlations).

Per table: the effect sizes (Fisher z of r, or the table's yi/vi), τ² estimator and test from
params.yaml; heterogeneity with Q-profile CIs; each moderator and the blinding column as subgroup
analyses; cluster-robust (CR2) inference when the table has a cluster column; Egger's test,
trim-and-fill, leave-one-out; every τ² estimator side by side; the sensitivity analyses (selection
models, PET-PEESE, influence, Baujat, GOSH, permutation tests, cumulative by year when the table has
years). The main table's outputs are in data/processed/meta/ (with the published pooled results for
comparison), every other table's in data/processed/meta/tables/<name>/; tables.json lists them all.
"""

import sys
from pathlib import Path

import matplotlib
import pandas as pd
import yaml

matplotlib.use("Agg")

from dprep.data.datasets import load_datasets  # noqa: E402
from dprep.data.effect_tables import read_effect_table  # noqa: E402
from dprep.data.io import atomic_dir, save_figure, write_csv, write_json  # noqa: E402
from dprep.data.studies import load_studies  # noqa: E402
from dprep.data.tables import published_music_comparison, read_table  # noqa: E402
from dprep.report import plots  # noqa: E402
from dprep.stats import meta  # noqa: E402

VALIDATED = Path("data/processed/validated")
OUT = Path("data/processed/meta")
STUDIES = Path("data/studies.yaml")
METRICS = Path("metrics/meta.json")
#: The headline numbers of `dvc metrics show` (details stay in data/processed/meta/).
HEADLINE = ("k", "estimate_r", "tau2", "i2", "q_p", "egger_p", "trimfill_k0", "petpeese_estimate_r", "influential")
R_AXIS = "Correlation r (back-transformed from Fisher z)"


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


def analyse_table(table, p: dict, out: Path, *, seed: int) -> dict:
    """Meta-analyse one configured effect table and write its outputs into ``out``; return its metrics."""
    spec, roles = table.spec, table.roles
    correlations = spec.measure == "ZCOR"
    settings = dict(method=p["method"], test=p["test"], level=p["level"])
    s = p["sensitivity"]
    yi, vi = (meta.escalc_zcor(roles["r"], roles["n"]) if correlations
              else (roles["yi"].to_numpy(float), roles["vi"].to_numpy(float)))
    labels = [f"{i}. {label}" + (f" (n = {n})" if correlations else "")
              for i, label, n in zip(range(1, len(roles) + 1), roles["label"], roles.get("n", roles["label"]))]
    transform, axis, unit = (meta.z_to_r, R_AXIS, "correlation") if correlations else (None, "Effect size (yi)", "effect")
    fit = meta.rma(yi, vi, **settings)
    het, pred, egger, filled = meta.confint(fit), meta.predict(fit), meta.regtest(fit), meta.trimfill(fit)

    # The first moderator keeps the plain names (summary "moderator", subgroups.csv); others get their own.
    groups = {(("moderator", "subgroups") if i == 0 else (f"moderator_{m}", f"subgroups_{m}")) + (m,):
              meta.subgroup_analysis(yi, vi, roles[m], name=m, **settings) for i, m in enumerate(spec.moderators)}
    if spec.blinding:
        groups[("blinding", "subgroups_blinding", "blinding")] = meta.subgroup_analysis(
            yi, vi, roles["blinding"], name=spec.blinding, **settings)
    moderator = roles[spec.moderators[0]].rename(spec.moderators[0]) if spec.moderators else None
    order_col = s["order_col"]
    order = table.data[order_col] if order_col in table.data.columns else None
    sens = meta.sensitivity(fit, labels, order=None if order is None else pd.to_numeric(order).to_numpy(),
                            mods=moderator, steps=s["steps"], alternative=s["alternative"],
                            gosh_subsets=s["gosh_subsets"], permutations=s["permutations"], seed=seed)
    estimators = pd.DataFrame([_estimator_row(yi, vi, m, t, p["level"], correlations)
                               for m in meta.METHODS for t in meta.TESTS])
    summary = {
        "model": {**settings, "scale": "fisher_z" if correlations else "yi"}, **fit.to_dict(), **het.to_dict(),
        **pred.to_dict(), **(meta.correlation_summary(fit).to_dict() if correlations else {}),
        "egger": egger.to_dict(), "trimfill": filled.to_dict(),
    }
    summary["moderator"] = None
    for (key, _, column), result in groups.items():
        summary[key] = {"name": spec.blinding if column == "blinding" else column, **result.to_dict()}
    if spec.cluster:
        rob = meta.robust(fit, roles["cluster"].astype(str).to_numpy(), adjust="CR2")
        summary["cluster"] = {"column": spec.cluster, "clusters": int(roles["cluster"].nunique()),
                              "robust": rob.to_dict()}
    what = f"{fit.k} samples" if correlations else f"{fit.k} effects"
    scale = "r" if correlations else None
    figures = {
        "forest": (plots.forest_plot(fit, labels, scale=scale, title=f"{spec.title} ({what})"),
                   plots.forest_plot_alt_text(fit, labels, scale=scale)),
        "funnel": (plots.funnel_plot(fit, trimfill=filled, scale="z" if correlations else None),
                   f"Funnel plot of the {fit.k} {'Fisher-z ' if correlations else ''}effect sizes against their "
                   f"standard errors; trim-and-fill imputes {filled.k0} stud{'y' if filled.k0 == 1 else 'ies'} "
                   f"on the {filled.side} side."),
        "bias_estimates": (plots.bias_estimates_plot(sens.estimates, transform=transform, xlabel=axis),
                           plots.bias_estimates_alt_text(sens.estimates, transform=transform, unit=unit)),
        "baujat": (plots.baujat_plot(sens.baujat, labels=[str(i + 1) for i in range(fit.k)],
                                     title="Baujat plot (points numbered as the rows of the table)"),
                   plots.baujat_alt_text(sens.baujat)),
        "gosh": (plots.gosh_plot(sens.gosh, transform=transform, xlabel=axis),
                 plots.gosh_alt_text(sens.gosh, transform=transform, unit=unit)),
    }
    if sens.cumulative is not None:
        figures["cumulative"] = (plots.cumulative_plot(sens.cumulative, transform=transform, xlabel=axis),
                                 plots.cumulative_alt_text(sens.cumulative, transform=transform, unit=unit))

    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "summary.json", summary)
    write_json(out / "sensitivity.json", sens.to_dict())
    write_json(out / "figures.json", {name: alt for name, (_, alt) in figures.items()})
    write_csv(out / "studies.csv", table.data.assign(yi=yi, vi=vi, weight_pct=fit.weights))
    write_csv(out / "estimators.csv", estimators)
    write_csv(out / "leave1out.csv", sens.leave1out)
    estimates = sens.estimates
    if correlations:
        estimates = estimates.assign(estimate_r=lambda f: meta.z_to_r(f["estimate"]),
                                     ci_lb_r=lambda f: meta.z_to_r(f["ci_lb"]), ci_ub_r=lambda f: meta.z_to_r(f["ci_ub"]))
    write_csv(out / "bias_estimates.csv", estimates)
    write_csv(out / "influence.csv", sens.influence.to_frame())
    write_csv(out / "baujat.csv", sens.baujat)
    if sens.cumulative is not None:
        write_csv(out / "cumulative.csv", sens.cumulative)
    for (_, csv, _), result in groups.items():
        write_csv(out / f"{csv}.csv", result.subgroups)
    for name, (figure, _) in figures.items():
        save_figure(out / f"{name}.png", figure, dpi=150)
    stepfun = sens.selection["stepfun"]
    back = transform or (lambda x: x)
    return {
        "k": fit.k, "method": p["method"], "test": p["test"],
        **({key: summary[key] for key in ("estimate_r", "ci_r", "pi_r", "pct_variance")} if correlations
           else {"estimate": fit.estimate, "ci": [float(pred.ci_lb[0]), float(pred.ci_ub[0])],
                 "pi": [float(pred.pi_lb[0]), float(pred.pi_ub[0])]}),
        "tau2": fit.tau2, "i2": fit.i2, "q": fit.q, "q_p": fit.q_p, "egger_p": egger.pval, "trimfill_k0": filled.k0,
        "petpeese_chosen": sens.petpeese.chosen,
        f"petpeese_estimate{'_r' if correlations else ''}": float(back(sens.petpeese.estimate)),
        "stepfun_estimate" + ("_r" if correlations else ""): None if stepfun is None else float(back(stepfun.estimate)),
        "influential": int(sens.influence.table["flagged"].sum()),
    }


def main() -> int:
    params = yaml.safe_load(Path("params.yaml").read_text())
    p, seed = params["meta"], params["seed"]
    tables, headline = [], {}
    with atomic_dir(OUT) as tmp:
        for spec in load_datasets(params["datasets"]).effect_tables:
            out = tmp if spec.main else tmp / "tables" / spec.name
            metrics = analyse_table(read_effect_table(spec), p, out, seed=seed)
            tables.append({"name": spec.name, "kind": spec.kind, "data": spec.label, "title": spec.title,
                           "path": spec.path.as_posix(), "measure": spec.measure, "main": spec.main,
                           "outputs": out.relative_to(tmp).as_posix() if not spec.main else ".",
                           "moderators": list(spec.moderators), "cluster": spec.cluster,
                           "blinding": spec.blinding, **metrics})
            if spec.main:
                headline = {key: metrics[key] for key in HEADLINE if key in metrics}
            print(f"meta: {spec.name} ({spec.label}): k = {metrics['k']}, I² = {metrics['i2']:.1f}%, "
                  f"PET-PEESE ({metrics['petpeese_chosen']})")
        write_csv(tmp / "published.csv", published_music_comparison(
            read_table(VALIDATED, "meta_summaries"), load_studies(STUDIES).published_meta_analyses))
        write_json(tmp / "tables.json", tables)
    write_json(METRICS, headline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
