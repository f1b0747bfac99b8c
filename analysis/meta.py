"""DVC stage `meta`: random-effects meta-analysis of the 16 music correlations.

Fisher z (metafor ZCOR), τ² estimator and test from params.yaml; heterogeneity with Q-profile
CIs; the instrument-type moderator; Egger's test, trim-and-fill, leave-one-out; every τ²
estimator side by side; and the published pooled results for comparison.
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


def _estimator_row(yi, vi, method: str, test: str, level: float) -> dict:
    """One row of the τ²-estimator sensitivity table (r scale, flat columns)."""
    fit = meta.rma(yi, vi, method=method, test=test, level=level)
    pred = meta.predict(fit)
    r = meta.correlation_summary(fit)
    return {"method": method, "test": test, "tau2": fit.tau2, "i2": fit.i2, "estimate_z": fit.estimate,
            "se_z": float(fit.se[0]), "pval": float(fit.pval[0]), "estimate_r": r.estimate_r,
            "ci_lb_r": r.ci_r[0], "ci_ub_r": r.ci_r[1], "pi_lb_r": r.pi_r[0], "pi_ub_r": r.pi_r[1],
            "pct_variance": r.pct_variance, "pi_lb_z": float(pred.pi_lb[0]), "pi_ub_z": float(pred.pi_ub[0])}


def main() -> int:
    p = yaml.safe_load(Path("params.yaml").read_text())["meta"]
    studies = read_table(VALIDATED, "music_correlations_macnamara2014")
    yi, vi = meta.escalc_zcor(studies["r"], studies["n"])
    labels = [f"{row}. {sample} (n = {n})" for row, sample, n in
              zip(studies["row"], studies["sample"], studies["n"])]

    fit = meta.rma(yi, vi, method=p["method"], test=p["test"], level=p["level"])
    het = meta.confint(fit)
    pred = meta.predict(fit)
    egger = meta.regtest(fit)
    filled = meta.trimfill(fit)
    groups = meta.subgroup_analysis(yi, vi, studies[p["moderator"]], method=p["method"],
                                    test=p["test"], level=p["level"], name=p["moderator"])
    sensitivity = pd.DataFrame([_estimator_row(yi, vi, m, t, p["level"])
                                for m in ("DL", "REML", "PM", "ML", "HE") for t in ("z", "knha")])

    table = studies.assign(yi=yi, vi=vi, weight_pct=100 * fit.weights / fit.weights.sum())
    summary = {
        "model": {"method": p["method"], "test": p["test"], "level": p["level"], "scale": "fisher_z"},
        **fit.to_dict(), **het.to_dict(), **pred.to_dict(),
        **meta.correlation_summary(fit).to_dict(),
        "egger": egger.to_dict(), "trimfill": filled.to_dict(),
        "moderator": {"name": p["moderator"], **groups.to_dict()},
    }
    forest = plots.forest_plot(fit, labels, scale="r",
                               title=f"Accumulated practice and music performance ({fit.k} samples)")
    funnel = plots.funnel_plot(fit, trimfill=filled, scale="z")

    with atomic_dir(OUT) as tmp:
        write_json(tmp / "summary.json", summary)
        write_json(tmp / "metrics.json", {
            "k": fit.k, "method": p["method"], "test": p["test"],
            "estimate_r": summary["estimate_r"], "ci_r": summary["ci_r"], "pi_r": summary["pi_r"],
            "pct_variance": summary["pct_variance"], "tau2": fit.tau2, "i2": fit.i2,
            "q": fit.q, "q_p": fit.q_p, "egger_p": egger.pval, "trimfill_k0": filled.k0,
        })
        write_json(tmp / "figures.json", {
            "forest": plots.forest_plot_alt_text(fit, labels, scale="r"),
            "funnel": (f"Funnel plot of the {fit.k} Fisher-z effect sizes against their standard "
                       f"errors; trim-and-fill imputes {filled.k0} stud{'y' if filled.k0 == 1 else 'ies'} "
                       f"on the {filled.side} side."),
        })
        write_csv(tmp / "studies.csv", table)
        write_csv(tmp / "estimators.csv", sensitivity)
        write_csv(tmp / "leave1out.csv", meta.leave1out(fit, labels))
        write_csv(tmp / "subgroups.csv", groups.subgroups)
        write_csv(tmp / "published.csv", published_music_comparison(read_table(VALIDATED, "meta_summaries")))
        save_figure(tmp / "forest.png", forest, dpi=150)
        save_figure(tmp / "funnel.png", funnel, dpi=150)
    print(f"meta: k = {fit.k}, r = {summary['estimate_r']:.3f} "
          f"[{summary['ci_r'][0]:.3f}, {summary['ci_r'][1]:.3f}], I² = {fit.i2:.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
