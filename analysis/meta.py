"""DVC stage `meta`: random-effects meta-analysis of the 16 music correlations.

Fisher z (metafor ZCOR), τ² estimator and test from params.yaml; heterogeneity with Q-profile
CIs; the instrument-type moderator; Egger's test, trim-and-fill, leave-one-out; every τ²
estimator side by side; the sensitivity analyses (selection models, PET-PEESE, influence,
Baujat, GOSH, permutation tests, cumulative by year when the table has years); and the
published pooled results for comparison.

:func:`analyse_table` writes the outputs of one effect table, so that the stage can run it
for every table it is configured to analyse.
"""

import sys
from pathlib import Path

import matplotlib
import pandas as pd
import yaml

matplotlib.use("Agg")

from dprep.stats import meta  # noqa: E402
from dprep.report import plots  # noqa: E402
from dprep.data.tables import published_music_comparison, read_table  # noqa: E402
from dprep.data.io import atomic_dir, save_figure, write_csv, write_json  # noqa: E402

VALIDATED = Path("data/processed/validated")
OUT = Path("data/processed/meta")
METRICS = Path("metrics/meta.json")
#: The headline numbers of `dvc metrics show` (details stay in data/processed/meta/).
HEADLINE = ("k", "estimate_r", "tau2", "i2", "q_p", "egger_p", "trimfill_k0", "petpeese_estimate_r", "influential")


def _estimator_row(yi, vi, method: str, test: str, level: float) -> dict:
    """One row of the τ²-estimator sensitivity table (r scale, flat columns)."""
    fit = meta.rma(yi, vi, method=method, test=test, level=level)
    pred = meta.predict(fit)
    r = meta.correlation_summary(fit)
    return {"method": method, "test": test, "tau2": fit.tau2, "i2": fit.i2, "estimate_z": fit.estimate,
            "se_z": float(fit.se[0]), "pval": float(fit.pval[0]), "estimate_r": r.estimate_r,
            "ci_lb_r": r.ci_r[0], "ci_ub_r": r.ci_r[1], "pi_lb_r": r.pi_r[0], "pi_ub_r": r.pi_r[1],
            "pct_variance": r.pct_variance, "pi_lb_z": float(pred.pi_lb[0]), "pi_ub_z": float(pred.pi_ub[0])}


def analyse_table(out: Path, studies: pd.DataFrame, yi, vi, labels: list[str], *, p: dict, seed: int,
                  moderator: pd.Series | None = None, order: pd.Series | None = None, title: str = "") -> dict:
    """Write the meta-analysis of one table of Fisher-z effects (``studies``, one row per study, with its
    ``yi``, ``vi`` and ``labels``) into ``out``; return its metrics.

    ``moderator`` (categorical) gives the subgroup analysis and the moderator's permutation test; ``order``
    (e.g. years) the cumulative meta-analysis. Figures are drawn on the correlation scale.
    """
    settings = dict(method=p["method"], test=p["test"], level=p["level"])
    s = p["sensitivity"]
    fit = meta.rma(yi, vi, **settings)
    het, pred, egger, filled = meta.confint(fit), meta.predict(fit), meta.regtest(fit), meta.trimfill(fit)
    groups = None if moderator is None else meta.subgroup_analysis(yi, vi, moderator, name=moderator.name, **settings)
    sens = meta.sensitivity(fit, labels, order=None if order is None else order.to_numpy(), mods=moderator,
                            steps=s["steps"], alternative=s["alternative"], gosh_subsets=s["gosh_subsets"],
                            permutations=s["permutations"], seed=seed)
    estimators = pd.DataFrame([_estimator_row(yi, vi, m, t, p["level"]) for m in meta.METHODS for t in meta.TESTS])
    summary = {
        "model": {**settings, "scale": "fisher_z"}, **fit.to_dict(), **het.to_dict(), **pred.to_dict(),
        **meta.correlation_summary(fit).to_dict(), "egger": egger.to_dict(), "trimfill": filled.to_dict(),
        "moderator": None if groups is None else {"name": moderator.name, **groups.to_dict()},
    }
    r_axis = "Correlation r (back-transformed from Fisher z)"
    figures = {
        "forest": (plots.forest_plot(fit, labels, scale="r", title=title), plots.forest_plot_alt_text(fit, labels, scale="r")),
        "funnel": (plots.funnel_plot(fit, trimfill=filled, scale="z"),
                   f"Funnel plot of the {fit.k} Fisher-z effect sizes against their standard errors; trim-and-fill "
                   f"imputes {filled.k0} stud{'y' if filled.k0 == 1 else 'ies'} on the {filled.side} side."),
        "bias_estimates": (plots.bias_estimates_plot(sens.estimates, transform=meta.z_to_r, xlabel=r_axis),
                           plots.bias_estimates_alt_text(sens.estimates, transform=meta.z_to_r, unit="correlation")),
        "baujat": (plots.baujat_plot(sens.baujat, labels=[str(i + 1) for i in range(fit.k)],
                                     title="Baujat plot (points numbered as the rows of the table)"),
                   plots.baujat_alt_text(sens.baujat)),
        "gosh": (plots.gosh_plot(sens.gosh, transform=meta.z_to_r, xlabel=r_axis),
                 plots.gosh_alt_text(sens.gosh, transform=meta.z_to_r, unit="correlation")),
    }
    if sens.cumulative is not None:
        figures["cumulative"] = (plots.cumulative_plot(sens.cumulative, transform=meta.z_to_r, xlabel=r_axis),
                                 plots.cumulative_alt_text(sens.cumulative, transform=meta.z_to_r, unit="correlation"))

    write_json(out / "summary.json", summary)
    write_json(out / "sensitivity.json", sens.to_dict())
    write_json(out / "figures.json", {name: alt for name, (_, alt) in figures.items()})
    write_csv(out / "studies.csv", studies.assign(yi=yi, vi=vi, weight_pct=fit.weights))
    write_csv(out / "estimators.csv", estimators)
    write_csv(out / "leave1out.csv", sens.leave1out)
    write_csv(out / "bias_estimates.csv", sens.estimates.assign(
        estimate_r=lambda f: meta.z_to_r(f["estimate"]), ci_lb_r=lambda f: meta.z_to_r(f["ci_lb"]),
        ci_ub_r=lambda f: meta.z_to_r(f["ci_ub"])))
    write_csv(out / "influence.csv", sens.influence.to_frame())
    write_csv(out / "baujat.csv", sens.baujat)
    if sens.cumulative is not None:
        write_csv(out / "cumulative.csv", sens.cumulative)
    if groups is not None:
        write_csv(out / "subgroups.csv", groups.subgroups)
    for name, (figure, _) in figures.items():
        save_figure(out / f"{name}.png", figure, dpi=150)
    stepfun = sens.selection["stepfun"]
    return {
        "k": fit.k, "method": p["method"], "test": p["test"],
        "estimate_r": summary["estimate_r"], "ci_r": summary["ci_r"], "pi_r": summary["pi_r"],
        "pct_variance": summary["pct_variance"], "tau2": fit.tau2, "i2": fit.i2,
        "q": fit.q, "q_p": fit.q_p, "egger_p": egger.pval, "trimfill_k0": filled.k0,
        "petpeese_chosen": sens.petpeese.chosen, "petpeese_estimate_r": float(meta.z_to_r(sens.petpeese.estimate)),
        "stepfun_estimate_r": None if stepfun is None else float(meta.z_to_r(stepfun.estimate)),
        "influential": int(sens.influence.table["flagged"].sum()),
    }


def main() -> int:
    params = yaml.safe_load(Path("params.yaml").read_text())
    p = params["meta"]
    studies = read_table(VALIDATED, "music_correlations_macnamara2014")
    yi, vi = meta.escalc_zcor(studies["r"], studies["n"])
    labels = [f"{row}. {sample} (n = {n})" for row, sample, n in zip(studies["row"], studies["sample"], studies["n"])]
    order_col = p["sensitivity"]["order_col"]
    with atomic_dir(OUT) as tmp:
        metrics = analyse_table(
            tmp, studies, yi, vi, labels, p=p, seed=params["seed"], moderator=studies[p["moderator"]],
            order=studies[order_col] if order_col in studies.columns else None,
            title=f"Accumulated practice and music performance ({len(studies)} samples)")
        write_csv(tmp / "published.csv", published_music_comparison(read_table(VALIDATED, "meta_summaries")))
    write_json(METRICS, {key: metrics[key] for key in HEADLINE})
    print(f"meta: k = {metrics['k']}, r = {metrics['estimate_r']:.3f} "
          f"[{metrics['ci_r'][0]:.3f}, {metrics['ci_r'][1]:.3f}], I² = {metrics['i2']:.1f}%, "
          f"PET-PEESE ({metrics['petpeese_chosen']}) r = {metrics['petpeese_estimate_r']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
