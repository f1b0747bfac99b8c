"""DVC stage `bayes`: Bayesian meta-analysis and the blinding-bias model, with their diagnostics.

(a) Bayesian random-effects meta-analysis of the 16 music correlations (Fisher z; priors from
    params.yaml), checked against an MCMC-free grid posterior. (The `bayes_vs_meta` stage sets it
    beside the frequentist fit of the `meta` stage, so that changing `meta.method` does not rerun
    these fits.)
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
(d) Every InferenceData as NetCDF, diagnostics (R-hat, bulk/tail ESS, divergences) per parameter
    and per model (``gates.csv``) as CSV, figures as PNG with alt texts in ``figures.json``, the
    details in ``results.json``; all in ``data/processed/bayes/``. Headline numbers go to
    ``metrics/bayes.json`` (``dvc metrics show``); wall-clock costs (seconds, ESS per second) only
    to the uncached log ``logs/bayes.timing.json``, since they differ on every run.

A model that fails its convergence gates stops the stage with a message naming the model and the
parameter; the previous outputs are then left as they were.
"""

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
from dprep.data.io import atomic_dir, save_figure, write_csv, write_json, write_timing  # noqa: E402

VALIDATED = Path("data/processed/validated")
REPLICATION = Path("data/processed/replication/estimates.csv")
OUT = Path("data/processed/bayes")
METRICS = Path("metrics/bayes.json")
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
    if not REPLICATION.is_file():
        raise SystemExit(f"bayes: {REPLICATION} does not exist. Run the 'replication' stage first "
                         "(dvc repro replication).")
    pairs = pd.read_csv(REPLICATION, keep_default_na=False).set_index("pair").to_dict(orient="index")
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
            y = [pair["original_d"], pair["replication_d"]]
            s = [pair["original_se"], pair["replication_se"]]
            sens[contrast] = _gated(f"blinding model, {contrast}", bias_model.prior_sensitivity, y, s, [1, 0],
                                    spec, wide_prior=wide, mu_prior=mu_prior, seed=seed + i, **sampler)
            progress.advance(task, len(spec) + 2)
    grid = bmeta.grid_posterior_meta(yi, sei, mu_prior=mu_prior, tau_prior_sd=p["tau_prior_sd"], n_grid=p["grid_n"])
    grid_check = bmeta.grid_check(fit, grid)

    diag_rows, gates, timings = [], [], {"meta-analysis": fit.timing.to_dict()}
    table, gate = diagnostics_rows("meta-analysis", fit.diagnostics)
    diag_rows.append(table)
    gates.append(gate)
    sensitivity, adjusted, blinding = [], [], {}
    for contrast, res in sens.items():
        pair = pairs[contrast]
        sensitivity.append(res.table.assign(pair=contrast, contrast=pair["contrast"], scenario=pair["scenario"],
                                            default=res.table["prior"] == default))
        for name, prior_fit in res.fits.items():
            table, gate = diagnostics_rows(f"{contrast} | {name}", prior_fit.diagnostics)
            diag_rows.append(table)
            gates.append(gate)
            timings[f"{contrast} | {name}"] = prior_fit.timing.to_dict()
        y = [pair["original_d"], pair["replication_d"]]
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
            "original_d": pair["original_d"], "replication_d": pair["replication_d"],
            "replication_source": pair["replication_source"],
        }
    sensitivity = pd.concat(sensitivity, ignore_index=True)
    sensitivity = sensitivity[["pair", "contrast", "scenario", *sensitivity.columns.drop(["pair", "contrast", "scenario"])]]
    plots = {
        "trace_meta": bayes_plots.plot_trace(fit.idata, ["mu", "tau"]),
        "posterior_meta": bayes_plots.plot_posterior_hdi(fit.idata, ["mu_r", "tau"], ref_val=0.0,
                                                         labels=["pooled correlation r", "τ (Fisher z)"]),
    }
    for contrast, res in sens.items():
        d_fit = res.fits[default]
        plots[f"trace_{fmt.slug(contrast)}"] = bayes_plots.plot_trace(d_fit.idata, ["theta", "beta"])
        plots[f"beta_{fmt.slug(contrast)}"] = bayes_plots.plot_beta_prior_posterior(d_fit.idata, d_fit.beta_prior)
        plots[f"posterior_{fmt.slug(contrast)}"] = bayes_plots.plot_posterior_hdi(
            d_fit.idata, ["theta", "beta"], ref_val=0.0, labels=["θ, bias-free d", "β, blinding bias (d)"])
    gates = pd.DataFrame(gates)
    results = {
        "seed": seed, "sampler": sampler, "mu_prior": list(mu_prior), "tau_prior_sd": p["tau_prior_sd"],
        "wide_beta_prior": list(wide),
        "meta": {**fit.to_dict(),
                 "prior_posterior": fit.prior_posterior.set_index("parameter").to_dict(orient="index"),
                 "grid_check": grid_check},
        "missing_between": p["missing_between"],
        "weak_identification_overlap": WEAK_IDENTIFICATION_OVERLAP,
        "hdi_prob": HDI_PROB, "thresholds": asdict(Thresholds()),
        "blinding": blinding,
        "all_passed": bool(gates["passed"].all()), "n_models": len(gates),
    }
    with atomic_dir(OUT) as tmp:
        idata.save_idata(fit.idata, tmp / "idata" / "meta.nc")
        for contrast, res in sens.items():
            for name, prior_fit in res.fits.items():
                idata.save_idata(prior_fit.idata, tmp / "idata" / f"blinding_{fmt.slug(contrast)}__{fmt.slug(name)}.nc")
        write_csv(tmp / "meta_posterior.csv", fit.posterior)
        write_csv(tmp / "beta_priors.csv", prior_table)
        write_csv(tmp / "sensitivity.csv", sensitivity)
        write_csv(tmp / "bias_adjusted.csv", pd.DataFrame(adjusted))
        write_csv(tmp / "diagnostics.csv", pd.concat(diag_rows, ignore_index=True))
        write_csv(tmp / "gates.csv", gates)
        for name, plot in plots.items():
            save_figure(tmp / f"{name}.png", plot.figure, dpi=120)
            plt.close(plot.figure)
        write_json(tmp / "figures.json", {name: plot.alt_text for name, plot in plots.items()})
        write_json(tmp / "results.json", results)
    write_json(METRICS, {
        "all_passed": results["all_passed"], "n_models": results["n_models"],
        "meta_mu_r": results["meta"]["post_mean_mu_r"], "meta_tau": results["meta"]["post_mean_tau"],
        "blinding": {c: {"theta_mean": b["theta_mean"], "p_theta_positive": b["p_theta_positive"]}
                     for c, b in blinding.items()},
    })
    seconds = time.perf_counter() - start
    write_timing("bayes", {"stage_seconds": seconds, "fits": timings})
    print(f"bayes: {len(gates)} models passed their gates; μ_r = {results['meta']['post_mean_mu_r']:.3f}, "
          f"grid check {'passed' if grid_check['passed'] else 'FAILED'}; {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
