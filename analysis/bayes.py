"""DVC stage `bayes`: Bayesian meta-analysis and the blinding-bias model, with their diagnostics.

(a) Bayesian random-effects meta-analysis of the 16 music correlations (Fisher z; priors from
    params.yaml) beside the REML result of the `meta` stage, checked against an MCMC-free grid
    posterior.
(b) The blinding-bias model (Welton et al. 2009) on each original (1993, unblinded interviewers) /
    replication (2019, double-blind) pair of the `replication` stage, under every prior of the
    sensitivity table: no bias, each row of ``blinding_bias_priors.csv`` translated to the SMD scale
    by :mod:`dprep.stats.bias` as the predictive distribution of one new study's bias
    (β ~ Normal(b̂₀, √(se² + φ² + κ²)); where a source reports no φ and κ, params
    ``bayes.missing_between`` says what is assumed), and a wide prior.  The default prior is named
    in params (Hróbjartsson et al. 2013).  Every fit records how much the data moved θ and β
    (posterior contraction, prior–posterior overlap).  A pair whose replication side is derived
    from an unreported mean is fitted once per scenario (root) of that mean.
(c) The frequentist bias-adjusted estimate (Turner et al. 2009) of the same pairs, per prior.
(d) Every InferenceData as NetCDF, diagnostics (R-hat, bulk/tail ESS, divergences) and costs (time,
    ESS/s) as CSV, figures as PNG with alt texts in ``figures.json``; all in ``data/processed/bayes/``.

A model that fails its convergence gates stops the stage with a message naming the model and the
parameter; the previous outputs are then left as they were.
"""

import json
from dataclasses import asdict
import sys
import time
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import yaml

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: E402

from dprep.models import blinding as bias_model  # noqa: E402
from dprep.models import meta as bmeta  # noqa: E402
from dprep.data import idata  # noqa: E402
from dprep.report.plots import bayes as bayes_plots  # noqa: E402
from dprep.stats import meta  # noqa: E402
from dprep.stats.prior_posterior import WEAK_IDENTIFICATION_OVERLAP  # noqa: E402
from dprep.stats.bias import bias_adjusted_meta, named_priors, predictive_priors  # noqa: E402
from dprep.core import fmt  # noqa: E402
from dprep.core.errors import ConvergenceError  # noqa: E402
from dprep.models._sampling import HDI_PROB  # noqa: E402
from dprep.models.diagnostics import Thresholds, diagnostics_rows  # noqa: E402
from dprep.data.priors import read_bias_priors  # noqa: E402
from dprep.data.tables import read_table  # noqa: E402
from dprep.data.io import atomic_dir, save_figure, write_csv, write_json  # noqa: E402

VALIDATED = Path("data/processed/validated")
META = Path("data/processed/meta/summary.json")
REPLICATION = Path("data/processed/replication/metrics.json")
OUT = Path("data/processed/bayes")
NO_BIAS, WIDE = "no bias (β = 0)", "wide"


def _gated(name: str, fit, *args, **kwargs):
    """Run a fit; a convergence failure ends the stage with the model's name and the failed checks."""
    try:
        return fit(*args, **kwargs)
    except ConvergenceError as err:
        raise SystemExit(f"bayes: model {name!r} failed its convergence gates: {err}") from None


def main() -> int:
    start = time.perf_counter()
    params = yaml.safe_load(Path("params.yaml").read_text())
    p, seed = params["bayes"], int(params["seed"])
    sampler = dict(draws=p["draws"], tune=p["tune"], chains=p["chains"], cores=p["cores"],
                   target_accept=p["target_accept"])
    mu_prior, wide = tuple(p["mu_prior"]), tuple(p["wide_beta_prior"])
    for path, stage in ((META, "meta"), (REPLICATION, "replication")):
        if not path.is_file():
            raise SystemExit(f"bayes: {path} does not exist. Run the '{stage}' stage first (dvc repro {stage}).")
    reml = json.loads(META.read_text())
    pairs = json.loads(REPLICATION.read_text())["contrasts"]
    studies = read_table(VALIDATED, "music_correlations_macnamara2014")
    yi, vi = meta.escalc_zcor(studies["r"], studies["n"])
    sei = np.sqrt(vi)
    priors = predictive_priors(read_bias_priors(VALIDATED / "blinding_bias_priors.csv"),
                               missing=p["missing_between"])
    spec, default = named_priors(priors, p["default_bias_prior"])
    prior_table = pd.DataFrame([{"prior": name, "source": b.source, "outcome_type": b.outcome_type,
                                 "scale": b.scale, "estimate": b.estimate, "ci_low": b.ci_low, "ci_high": b.ci_high,
                                 "bias_smd": b.bias_smd, "bias_smd_se": b.bias_smd_se, "phi_smd": b.phi_smd,
                                 "kappa_smd": b.kappa_smd, "between_basis": b.between_basis,
                                 "bias_sd": spec[name][1], "bias_var_smd": b.bias_var_smd,
                                 "default": name == default, "citation": b.citation}
                                for name, b in zip(spec, priors)])

    n_models = 1 + len(pairs) * (len(spec) + 2)
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with progress:
        task = progress.add_task(f"bayes: meta-analysis of {len(yi)} correlations", total=n_models)
        fit = _gated("meta-analysis", bmeta.bayesian_meta, yi, sei, mu_prior=mu_prior,
                     tau_prior_sd=p["tau_prior_sd"], fisher_z=True,
                     study_labels=[str(r) for r in studies["row"]], seed=seed, **sampler)
        progress.advance(task)
        sens = {}
        for i, (contrast, pair) in enumerate(pairs.items(), start=1):
            progress.update(task, description=f"bayes: blinding model, {contrast} ({len(spec) + 2} priors)")
            y = [pair["original"]["estimate"], pair["replication"]["estimate"]]
            s = [pair["original_se"], pair["replication_se"]]
            sens[contrast] = _gated(f"blinding model, {contrast}", bias_model.prior_sensitivity, y, s, [1, 0],
                                    spec, wide_prior=wide, mu_prior=mu_prior, seed=seed + i, **sampler)
            progress.advance(task, len(spec) + 2)
    grid = bmeta.grid_posterior_meta(yi, sei, mu_prior=mu_prior, tau_prior_sd=p["tau_prior_sd"], n_grid=p["grid_n"])
    grid_check = bmeta.grid_check(fit, grid)

    diag_rows, costs = [], []
    table, cost = diagnostics_rows("meta-analysis", fit.diagnostics, fit.timing)
    diag_rows.append(table)
    costs.append(cost)
    sensitivity, adjusted, blinding = [], [], {}
    for contrast, res in sens.items():
        pair = pairs[contrast]
        sensitivity.append(res.table.assign(pair=contrast, contrast=pair["contrast"], scenario=pair["scenario"],
                                            default=res.table["prior"] == default))
        for name, prior_fit in res.fits.items():
            table, cost = diagnostics_rows(f"{contrast} | {name}", prior_fit.diagnostics, prior_fit.timing)
            diag_rows.append(table)
            costs.append(cost)
        y = [pair["original"]["estimate"], pair["replication"]["estimate"]]
        v = [pair["original_se"] ** 2, pair["replication_se"] ** 2]
        for name, (b, sd) in {NO_BIAS: (0.0, 0.0), **spec, WIDE: wide}.items():
            adj = bias_adjusted_meta(y, v, [True, False], bias_mean=b, bias_var=sd ** 2)
            adjusted.append({"pair": contrast, "contrast": pair["contrast"], "scenario": pair["scenario"],
                             "prior": name, "bias_mean": b, "bias_var": sd ** 2,
                             "unadjusted": adj.unadjusted.estimate, "adjusted": adj.adjusted.estimate,
                             "se": float(adj.adjusted.se[0]), "ci_lb": float(adj.adjusted.ci_lb[0]),
                             "ci_ub": float(adj.adjusted.ci_ub[0]), "pval": float(adj.adjusted.pval[0]),
                             "method": adj.adjusted.method, "test": adj.adjusted.test, "level": adj.adjusted.level,
                             "tau2": adj.adjusted.tau2, "k": adj.adjusted.k, "default": name == default})
        d_fit = res.fits[default]
        row = res.table.set_index("prior").loc[default]
        blinding[contrast] = {
            "contrast": pair["contrast"], "scenario": pair["scenario"],
            "default_prior": default, "beta_prior": list(d_fit.beta_prior),
            "beta_post_sd": row["beta_post_sd"], "beta_overlap": row["beta_overlap"],
            "beta_contraction": row["beta_contraction"], "beta_weakly_identified": row["beta_weakly_identified"],
            "theta_mean": row["theta_mean"], "theta_hdi_95": [row["theta_hdi_lb"], row["theta_hdi_ub"]],
            "p_theta_positive": row["p_theta_positive"], "beta_post_mean": row["beta_post_mean"],
            "original_d": pair["original"]["estimate"], "replication_d": pair["replication"]["estimate"],
            "replication_source": pair["replication_source"],
        }
    sensitivity = pd.concat(sensitivity, ignore_index=True)
    sensitivity = sensitivity[["pair", "contrast", "scenario", *sensitivity.columns.drop(["pair", "contrast", "scenario"])]]
    comparison = pd.DataFrame([
        {"method": f"{reml['method']} ({reml['test']})", "estimate_z": reml["estimate"], "ci_lb_z": reml["ci_lb"],
         "ci_ub_z": reml["ci_ub"], "estimate_r": reml["estimate_r"], "ci_lb_r": reml["ci_r"][0],
         "ci_ub_r": reml["ci_r"][1], "tau": reml["tau"], "interval": f"{fmt.pct(reml['level'], 0)} CI"},
        {"method": "Bayes (NUTS)", "estimate_z": fit.post_mean_mu, "ci_lb_z": fit.mu_hdi[0],
         "ci_ub_z": fit.mu_hdi[1], "estimate_r": fit.to_dict()["post_mean_mu_r"], "ci_lb_r": fit.mu_r_hdi[0],
         "ci_ub_r": fit.mu_r_hdi[1], "tau": fit.post_mean_tau, "interval": f"{fmt.pct(HDI_PROB, 0)} HDI"},
        {"method": "Bayes (grid quadrature)", "estimate_z": grid.mu_mean, "ci_lb_z": np.nan, "ci_ub_z": np.nan,
         "estimate_r": np.nan, "ci_lb_r": np.nan, "ci_ub_r": np.nan, "tau": grid.tau_mean, "interval": ""},
    ])

    plots = {
        "trace_meta": bayes_plots.plot_trace(fit.idata, ["mu", "tau"]),
        "posterior_meta": bayes_plots.plot_posterior_hdi(fit.idata, ["mu_r", "tau"], ref_val=0.0,
                                                         labels=["pooled correlation r", "τ (Fisher z)"]),
        "mu_vs_reml": bayes_plots.plot_mu_vs_reml(
            fit.idata, reml["estimate_r"], tuple(reml["ci_r"]), transform=np.tanh, scale_label="correlation r",
            reml_label=f"{reml['method']} (frequentist), {fmt.pct(reml['level'], 0)} CI"),
    }
    for contrast, res in sens.items():
        d_fit = res.fits[default]
        plots[f"trace_{fmt.slug(contrast)}"] = bayes_plots.plot_trace(d_fit.idata, ["theta", "beta"])
        plots[f"beta_{fmt.slug(contrast)}"] = bayes_plots.plot_beta_prior_posterior(d_fit.idata, d_fit.beta_prior)
        plots[f"posterior_{fmt.slug(contrast)}"] = bayes_plots.plot_posterior_hdi(
            d_fit.idata, ["theta", "beta"], ref_val=0.0, labels=["θ, bias-free d", "β, blinding bias (d)"])
    costs = pd.DataFrame(costs)
    metrics = {
        "seed": seed, "sampler": sampler, "mu_prior": list(mu_prior), "tau_prior_sd": p["tau_prior_sd"],
        "wide_beta_prior": list(wide),
        "meta": {**fit.to_dict(), "reml": {k: reml[k] for k in ("estimate", "ci_lb", "ci_ub", "estimate_r",
                                                                 "ci_r", "tau", "method", "test")},
                 "prior_posterior": fit.prior_posterior.set_index("parameter").to_dict(orient="index"),
                 "grid_check": grid_check},
        "missing_between": p["missing_between"],
        "weak_identification_overlap": WEAK_IDENTIFICATION_OVERLAP,
        "hdi_prob": HDI_PROB, "thresholds": asdict(Thresholds()),
        "blinding": blinding,
        "all_passed": bool(costs["passed"].all()), "n_models": len(costs),
        "total_sampling_seconds": float(costs["total_seconds"].sum()),
        "stage_seconds": time.perf_counter() - start,
    }
    with atomic_dir(OUT) as tmp:
        idata.save_idata(fit.idata, tmp / "idata" / "meta.nc")
        for contrast, res in sens.items():
            for name, prior_fit in res.fits.items():
                idata.save_idata(prior_fit.idata, tmp / "idata" / f"blinding_{fmt.slug(contrast)}__{fmt.slug(name)}.nc")
        write_csv(tmp / "meta_posterior.csv", fit.posterior)
        write_csv(tmp / "meta_comparison.csv", comparison)
        write_csv(tmp / "beta_priors.csv", prior_table)
        write_csv(tmp / "sensitivity.csv", sensitivity)
        write_csv(tmp / "bias_adjusted.csv", pd.DataFrame(adjusted))
        write_csv(tmp / "diagnostics.csv", pd.concat(diag_rows, ignore_index=True))
        write_csv(tmp / "timing.csv", costs)
        for name, plot in plots.items():
            save_figure(tmp / f"{name}.png", plot.figure, dpi=120)
            plt.close(plot.figure)
        write_json(tmp / "figures.json", {name: plot.alt_text for name, plot in plots.items()})
        metrics["stage_seconds"] = time.perf_counter() - start
        write_json(tmp / "metrics.json", metrics)
    print(f"bayes: {len(costs)} models passed their gates; μ_r = {metrics['meta']['post_mean_mu_r']:.3f}, "
          f"grid check {'passed' if grid_check['passed'] else 'FAILED'}; {metrics['stage_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
