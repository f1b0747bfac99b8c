"""The work behind ``dprep meta`` (and the effect-table readers of ``dprep bias`` and ``dprep escalc``):
reading an effect table with messages that name file, row and column, and every analysis the options
ask for. Imported only when a command runs, so ``dprep --help`` does not load the statistics."""


from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from dprep.core.errors import ConvergenceError
from dprep.data.sources import read_csv_text
from dprep.stats import meta
from dprep.stats.meta import VI_MIN, VI_RATIO_MAX
from dprep.cli._common import fail
from dprep.cli.meta import DEFAULT_SEED

ROW_CONVENTION = "rows counted from 1 after the header line"
BLINDING_VALUES = ("blinded", "unblinded", "unclear")
#: NUTS target acceptance of ``--bayes``: with few studies τ is near 0, where the default 0.9 still diverges.
TARGET_ACCEPT = 0.99


def _read_table(path: Path) -> pd.DataFrame:
    """The CSV as text cells (:func:`dprep.data.sources.read_csv_text`: a missing or unreadable file or a
    header naming a column twice is a DataError, exit 2); a file without data rows exits 2."""
    table = read_csv_text(path)
    if table.empty:
        fail(f"{path}: no data rows (only the header line).")
    return table


def _column(table: pd.DataFrame, name: str, path: Path, option: str) -> pd.Series:
    if name not in table.columns:
        fail(f"{path}: column {name!r} (given by {option}) not found; columns are {', '.join(map(repr, table.columns))}.")
    return table[name]


def _where(path: Path, row: int, column: str) -> str:
    return f"{path}, row {row + 1} (file line {row + 2}; {ROW_CONVENTION}), column {column!r}"


def _numbers(table: pd.DataFrame, name: str, path: Path, option: str) -> np.ndarray:
    """Parse a column as finite floats, failing on the first bad cell with its row and column."""
    values = []
    for row, text in enumerate(_column(table, name, path, option)):
        text = text.strip()
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            what = "an empty cell" if text == "" else f"{text!r}"
            fail(f"{_where(path, row, name)}: expected a number, got {what}.")
        values.append(value)
    return np.array(values)


def _check_range(values: np.ndarray, ok: np.ndarray, path: Path, column: str, rule: str) -> None:
    if not ok.all():
        row = int(np.flatnonzero(~ok)[0])
        fail(f"{_where(path, row, column)}: {rule}, got {values[row]:.15g}.")


def _check_spread(vi: np.ndarray, path: Path, column: str, what: str) -> None:
    """The sampling variances must span a ratio below ``VI_RATIO_MAX`` (as :func:`dprep.stats.meta.rma`);
    the message names the rows of the largest and the smallest."""
    big, small = int(np.argmax(vi)), int(np.argmin(vi))
    if vi[big] / vi[small] >= VI_RATIO_MAX:
        fail(f"{path}, rows {big + 1} and {small + 1} ({ROW_CONVENTION}), column {column!r}: {what} span a ratio of "
             f"{vi[big] / vi[small]:.3g}, at least {VI_RATIO_MAX:,.0f}; beyond it the weights 1/vi differ by more than "
             "double precision carries through Q, τ² and I² (metafor warns that it may not obtain stable results).")


def read_effects(table: pd.DataFrame, path: Path, *, r_col: str = "r", n_col: str = "n", yi_col: str | None = None,
                 vi_col: str | None = None) -> tuple[np.ndarray, np.ndarray, bool]:
    """(yi, vi, correlations) from the table: Fisher's z of the r/n columns, or the yi/vi columns as given.

    Bad cells exit with code 2 naming the file, row and column (also used by ``dprep bias``).
    """
    if (yi_col is None) != (vi_col is None):
        fail("--yi-col and --vi-col must be given together.")
    if yi_col is None:
        r = _numbers(table, r_col, path, "--r-col")
        n = _numbers(table, n_col, path, "--n-col")
        _check_range(r, np.abs(r) < 1, path, r_col, "a correlation must lie strictly between -1 and 1")
        _check_range(n, n > 3, path, n_col, "the sample size must be greater than 3")
        _check_range(n, n == np.floor(n), path, n_col, "the sample size must be a whole number")
        _check_range(n, n <= 1 / VI_MIN, path, n_col,
                     f"the sample size must be at most {1 / VI_MIN:g} (its sampling variance 1/(n − 3) at least {VI_MIN:g})")
        yi, vi = meta.escalc_zcor(r, n)
        _check_spread(vi, path, n_col, "the sampling variances 1/(n − 3)")
        return yi, vi, True
    yi = _numbers(table, yi_col, path, "--yi-col")
    vi = _numbers(table, vi_col, path, "--vi-col")
    _check_range(vi, vi > 0, path, vi_col, "a sampling variance must be positive")
    _check_range(vi, vi >= VI_MIN, path, vi_col, f"a sampling variance must be at least {VI_MIN:g}")
    _check_spread(vi, path, vi_col, "the sampling variances")
    return yi, vi, False


def _moderator(table: pd.DataFrame, name: str, path: Path, option: str = "--moderator") -> pd.Series:
    """Numeric moderator if every cell parses as a number, else categorical (text)."""
    cells = _column(table, name, path, option).str.strip()
    empty = (cells == "").to_numpy()
    if empty.any():
        fail(f"{_where(path, int(np.flatnonzero(empty)[0]), name)}: the cell is empty (column given by {option}).")
    numeric = pd.to_numeric(cells, errors="coerce")
    if numeric.notna().all():
        return numeric.astype(float).rename(name)
    return cells.astype(object).rename(name)


def _r_scale(pred_z: dict[str, float]) -> dict[str, Any]:
    r = float(meta.z_to_r(pred_z["estimate"]))
    return {"estimate_r": r, "ci_r": meta.z_to_r([pred_z["ci_lb"], pred_z["ci_ub"]]).tolist(),
            "pi_r": meta.z_to_r([pred_z["pi_lb"], pred_z["pi_ub"]]).tolist(), "pct_variance": 100 * r**2}


def _blinding(table: pd.DataFrame, name: str, path: Path) -> pd.Series:
    """Blinding status per study: one of ``blinded``, ``unblinded``, ``unclear`` (case-insensitive)."""
    cells = _column(table, name, path, "--blinding-col").str.strip().str.lower()
    bad = ~cells.isin(BLINDING_VALUES).to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        fail(f"{_where(path, row, name)}: expected one of {', '.join(BLINDING_VALUES)}, "
             f"got {table[name].iloc[row]!r}.")
    return cells.rename(name)


def _bias_prior(name: str | None, priors_path: Path, params_path: Path):
    """The named prior of the bias-prior CSV (default: ``bayes.default_bias_prior`` of the params file)."""
    from dprep.data.priors import read_bias_priors

    if name is None:
        if not params_path.is_file():
            fail(f"--bias-prior not given and {params_path} (for bayes.default_bias_prior) not found.")
        name = (yaml.safe_load(params_path.read_text()) or {}).get("bayes", {}).get("default_bias_prior")
        if name is None:
            fail(f"--bias-prior not given and {params_path} has no bayes.default_bias_prior.")
    if not priors_path.is_file():
        fail(f"{priors_path}: no such file (the bias priors; set --bias-priors).")
    try:
        priors = read_bias_priors(priors_path)
    except ValueError as err:
        fail(str(err))
    labels = {f"{p.source}: {p.outcome_type}": p for p in priors}
    hits = [label for label, p in labels.items() if name in (label, p.source)]
    if len(hits) != 1:
        fail(f"--bias-prior {name!r} matches {len(hits)} rows of {priors_path}; give one of: "
             + "; ".join(map(repr, labels)) + ".")
    return hits[0], labels[hits[0]]


def _bayes(yi: np.ndarray, vi: np.ndarray, correlations: bool, seed: int, draws: int) -> dict[str, Any]:
    from dprep.models import meta as bmeta

    fit = bmeta.bayesian_meta(yi, np.sqrt(vi), fisher_z=correlations, seed=seed, draws=draws, cores=1,
                              target_accept=TARGET_ACCEPT)  # a ConvergenceError names the failed gates: exit 2
    res = fit.to_dict()
    keys = ["post_mean_mu", "post_sd_mu", "post_mean_tau", "mu_hdi_lb", "mu_hdi_ub"]
    if correlations:
        keys += ["post_mean_mu_r", "mu_r_hdi_lb", "mu_r_hdi_ub"]
    out = {key: res[key] for key in keys}
    out["bayes"] = {
        "model": "normal-normal random effects, non-centred (Higgins et al. 2009)",
        "mu_prior": [0.0, 1.0], "tau_prior": "HalfNormal(0.5)", "seed": seed, "draws": draws, "chains": 4,
        "target_accept": TARGET_ACCEPT,
        "theta_new_hdi_lb": res["theta_new_hdi_lb"], "theta_new_hdi_ub": res["theta_new_hdi_ub"], "n_divergent": res["n_divergent"],
        "min_ess_bulk": res["min_ess_bulk"], "max_r_hat": float(fit.diagnostics.table["r_hat"].max()),
        "seconds": fit.timing.total_seconds, "ess_per_second": fit.timing.ess_per_second,
    }
    return out


def _blinding_analysis(yi, vi, status: pd.Series, correlations: bool, settings: dict, prior_label: str,
                       prior, path: Path) -> dict[str, Any]:
    from dprep.stats.bias import bias_adjusted_meta, smd_bias_to_fisher_z

    try:
        groups = meta.subgroup_analysis(yi, vi, status, name=status.name, **settings)
    except (ValueError, ConvergenceError) as err:
        fail(f"{path}: blinding subgroups: {err}")
    rows = groups.subgroups.to_dict(orient="records")
    if correlations:
        rows = [{**row, **_r_scale(row)} for row in rows]
    mod = groups.moderator
    if correlations:
        bias, bias_se, scale_note = smd_bias_to_fisher_z(prior.bias_smd, float(np.sqrt(prior.bias_var_smd)))
    else:
        bias, bias_se = prior.bias_smd, float(np.sqrt(prior.bias_var_smd))
        scale_note = "yi assumed to be a standardized mean difference (the bias prior's scale)."
    at_risk = (status != "blinded").to_numpy()
    adj = bias_adjusted_meta(yi, vi, at_risk, bias_mean=bias, bias_var=bias_se**2, level=settings["level"])
    fits = {}
    for label, fit in (("unadjusted", adj.unadjusted), ("adjusted", adj.adjusted)):
        row = {"estimate": fit.estimate, "se": float(fit.se[0]), "ci_lb": float(fit.ci_lb[0]),
               "ci_ub": float(fit.ci_ub[0]), "pval": float(fit.pval[0]), "tau2": fit.tau2}
        if correlations:
            row["estimate_r"] = float(meta.z_to_r(row["estimate"]))
            row["ci_r"] = meta.z_to_r([row["ci_lb"], row["ci_ub"]]).tolist()
        fits[label] = row
    return {
        "blinding": {
            "column": status.name, "counts": status.value_counts().sort_index().to_dict(),
            "subgroups": rows,
            "regression": {"qm": mod.qm, "qm_df": list(mod.qm_df), "qm_p": mod.qm_p, "tau2_residual": mod.tau2,
                           "r2": mod.r2, "coefficients": mod.to_frame().to_dict(orient="records")},
        },
        "bias_adjusted": {
            "prior": prior_label, "bias_smd": prior.bias_smd, "bias_var_smd": prior.bias_var_smd,
            "bias": bias, "bias_var": bias_se**2, "n_adjusted": adj.n_unblinded,
            "method": "DL, z (Turner et al. 2009 additive bias; unblinded and unclear studies adjusted)",
            "assumptions": [scale_note, *prior.assumptions, *adj.assumptions], **fits,
        },
    }


def _labels(table: pd.DataFrame, name: str, path: Path, option: str) -> pd.Series:
    """Group or cluster labels of a column (text), failing on the first empty cell with its row and column."""
    cells = _column(table, name, path, option).str.strip()
    empty = (cells == "").to_numpy()
    if empty.any():
        fail(f"{_where(path, int(np.flatnonzero(empty)[0]), name)}: the {option} label is empty.")
    return cells.rename(name)


def _multilevel(table: pd.DataFrame, path: Path, yi: np.ndarray, vi: np.ndarray, mods: pd.Series | None,
                moderator: str | None, levels: str, settings: dict, correlations: bool):
    """The multilevel fit of ``--levels OUTER,INNER``: its JSON keys, the intercept-only and moderator fits."""
    groups = [_labels(table, name.strip(), path, "--levels") for name in levels.split(",")]
    options = dict(method=settings["method"], level=settings["level"])
    try:
        fit = meta.rma_mv(yi, vi, levels=groups, **options)
        mod_fit = meta.rma_mv(yi, vi, levels=groups, mods=mods, **options) if mods is not None else None
        ci = meta.profile_ci(fit)
    except (ValueError, ConvergenceError) as err:
        fail(f"{path}: --levels: {err}")
    pred = meta.predict(fit)
    out: dict[str, Any] = {
        "file": str(path), "k": fit.k, "method": fit.method, "test": fit.test, "level": fit.level,
        "scale": "fisher_z" if correlations else "yi", "model": "multilevel", "levels": list(fit.level_names),
        "n_groups": list(fit.n_groups), "estimate": fit.estimate, "se": float(fit.se[0]),
        "stat": float(fit.stat[0]), "pval": float(fit.pval[0]), "ci_lb": float(fit.ci_lb[0]),
        "ci_ub": float(fit.ci_ub[0]), "sigma2": fit.sigma2.tolist(), "sigma2_ci": ci.to_dict()["sigma2_ci"],
        "i2_levels": fit.i2_levels.tolist(), "i2": fit.i2, "loglik": fit.loglik, "q": fit.q, "q_df": fit.q_df,
        "q_p": fit.q_p, "pi_lb": float(pred.pi_lb[0]), "pi_ub": float(pred.pi_ub[0]),
    }
    if correlations:
        out.update(_r_scale(out))
    if mod_fit is not None:
        out.update({
            "moderator": moderator,
            "moderator_type": "numeric" if pd.api.types.is_numeric_dtype(mods) else "categorical",
            "qm": mod_fit.qm, "qm_df": list(mod_fit.qm_df), "qm_p": mod_fit.qm_p, "qe": mod_fit.q,
            "qe_df": mod_fit.q_df, "qe_p": mod_fit.q_p, "sigma2_residual": mod_fit.sigma2.tolist(),
            "coefficients": mod_fit.to_frame().to_dict(orient="records"),
        })
    return out, fit, mod_fit


def _cluster_robust(table: pd.DataFrame, path: Path, column: str, cr: str, fit, mod_fit, out: dict) -> None:
    """Add ``--robust`` to ``out``: ``robust`` for the pooled estimate and, with a moderator, ``robust`` in
    each coefficient and ``robust_qm`` (the F or HTZ test of the moderator)."""
    clusters = _labels(table, column, path, "--robust")
    if clusters.nunique() < 2:
        fail(f"{path}: column {column!r} (--robust) holds a single cluster; cluster-robust inference needs at least 2.")
    try:
        pooled = meta.robust(fit, clusters, adjust=cr)
        moderated = meta.robust(mod_fit, clusters, adjust=cr) if mod_fit is not None else None
    except ValueError as err:
        fail(f"{path}: --robust {column!r}: {err}")
    keys = ("se", "df", "tval", "pval", "ci_lb", "ci_ub")
    row = pooled.to_dict()
    out["robust"] = {"cluster": column, "adjust": cr, "n_clusters": pooled.n_clusters, **{k: row[k] for k in keys}}
    if moderated is not None:
        for coefficient, rob in zip(out["coefficients"], moderated.to_frame().to_dict(orient="records")):
            coefficient["robust"] = {k: rob[k] for k in keys}
        out["robust_qm"] = {"test": moderated.qm_test, "qm": moderated.qm, "qm_df": list(moderated.qm_df),
                            "qm_p": moderated.qm_p}


def _extras(table: pd.DataFrame, path: Path, yi: np.ndarray, vi: np.ndarray, fit, mod_fit, mods: pd.Series | None,
            moderator: str | None, settings: dict, correlations: bool, influence: bool,
            cumul_col: str | None) -> dict[str, Any]:
    """The moderator fit, subgroups, influence diagnostics and cumulative meta-analysis asked for."""
    out: dict[str, Any] = {}
    if mod_fit is not None:
        categorical = not pd.api.types.is_numeric_dtype(mods)
        out.update({
            "moderator": moderator, "moderator_type": "categorical" if categorical else "numeric",
            "qm": mod_fit.qm, "qm_df": list(mod_fit.qm_df), "qm_p": mod_fit.qm_p,
            "qe": mod_fit.q, "qe_df": mod_fit.q_df, "qe_p": mod_fit.q_p,
            "tau2_residual": mod_fit.tau2, "r2": mod_fit.r2,
            "coefficients": mod_fit.to_frame().to_dict(orient="records"),
        })
        if categorical:
            groups = meta.subgroup_analysis(yi, vi, mods, name=moderator, **settings).subgroups
            rows = groups.to_dict(orient="records")
            if correlations:
                rows = [{**row, **_r_scale(row)} for row in rows]
            out["subgroups"] = rows
    labels = [str(i + 1) for i in range(fit.k)]
    if influence:
        out["influence"] = meta.influence(fit, labels).to_dict()["studies"]
    if cumul_col is not None:
        order = _moderator(table, cumul_col, path, "--cumul-col")
        out["cumulative"] = meta.cumul(fit, order.to_numpy(), labels).to_dict(orient="records")
    return out


def analyse(
    path: Path,
    *,
    r_col: str = "r",
    n_col: str = "n",
    yi_col: str | None = None,
    vi_col: str | None = None,
    method: str = "REML",
    test: str | None = None,
    level: float = 0.95,
    moderator: str | None = None,
    influence: bool = False,
    cumul_col: str | None = None,
    bayes: bool = False,
    seed: int = DEFAULT_SEED,
    draws: int = 2000,
    blinding_col: str | None = None,
    bias_prior: str | None = None,
    bias_priors: Path = Path("data/raw/blinding_bias_priors.csv"),
    params: Path = Path("params.yaml"),
    levels: str | None = None,
    robust: str | None = None,
    cr: str = "CR2",
) -> dict[str, Any]:
    """Run the meta-analysis behind ``dprep meta`` and return its JSON-ready result.

    Parameters
    ----------
    path : pathlib.Path
        CSV file with a header line.
    r_col, n_col : str
        Columns of correlations and sample sizes (used unless ``yi_col`` and ``vi_col`` are given); the
        analysis is then on Fisher's z with vi = 1/(n - 3).
    yi_col, vi_col : str, optional
        Columns of effect sizes and sampling variances on any scale (both or neither).
    method, test, level
        As in :func:`dprep.stats.meta.rma`; the defaults, REML with Knapp–Hartung tests, are the pipeline's
        (``params.yaml``, ``meta:``); ``test=None`` is Knapp–Hartung, or z with ``levels``.
    moderator : str, optional
        Column of a moderator: numeric if every cell is a number, otherwise categorical (then per-subgroup
        estimates are added).
    influence : bool
        Add the case-deletion diagnostics of each study (:func:`dprep.stats.meta.influence`).
    cumul_col : str, optional
        Column to order a cumulative meta-analysis by (e.g. the publication year; numeric if every cell is a
        number, else text order); adds ``cumulative`` (:func:`dprep.stats.meta.cumul`).
    bayes : bool
        Add a Bayesian random-effects fit (:func:`dprep.models.bmeta.bayesian_meta`, μ ~ Normal(0, 1),
        τ ~ HalfNormal(0.5), 4 chains, target acceptance :data:`TARGET_ACCEPT`), gated on R-hat, ESS and
        divergences.
    seed, draws : int
        Sampler seed and posterior draws per chain of the Bayesian fit.
    blinding_col : str, optional
        Column with ``blinded``, ``unblinded`` or ``unclear`` per study: adds the subgroup analysis and the
        meta-regression on blinding, and the bias-adjusted estimate in which unblinded and unclear studies
        are shifted by the bias prior (for correlations translated to Fisher z at d = 0).
    bias_prior : str, optional
        Source (or ``"source: outcome type"``) of the prior in ``bias_priors``; default the params file's
        ``bayes.default_bias_prior``.
    bias_priors, params : pathlib.Path
        The meta-epidemiological bias estimates and the pipeline's params file.
    levels : str, optional
        ``OUTER,INNER`` (any number of comma-separated columns, outermost first): fit the multilevel model
        :func:`dprep.stats.meta.rma_mv` (REML or ML, z tests) with these nested grouping columns instead
        of the two-level model; not with ``knha``, ``bayes`` or ``blinding_col``.
    robust : str, optional
        Column of cluster labels (e.g. the study): add cluster-robust inference
        (:func:`dprep.stats.meta.robust`) for the pooled estimate and the moderator's coefficients.
    cr : {"CR0", "CR1", "CR2"}
        Small-sample adjustment of ``robust``: CR1 (metafor's default, t on m - p df) or CR2 (clubSandwich:
        Satterthwaite df, HTZ test of the moderator).

    Returns
    -------
    dict
        ``k, method, test, level, scale, estimate, se, stat, pval, ci_lb, ci_ub, tau2, tau2_se, tau2_ci,
        tau, tau_ci, i2, i2_ci, h2, h2_ci, q, q_df, q_p, pi_lb, pi_ub, ddf`` (analysis scale); with r/n also
        ``estimate_r, ci_r, pi_r, pct_variance``; with a moderator also ``moderator, moderator_type, qm,
        qm_df, qm_p, qe, qe_df, qe_p, tau2_residual, r2, coefficients`` and, if categorical, ``subgroups``;
        with ``influence`` also ``influence`` (one object per study: ``study, rstudent, dffits, cook_d, cov_r,
        tau2_del, qe_del, hat, weight, dfbetas, flagged``); with ``cumul_col`` also ``cumulative`` (one object per
        step: ``added, order, k, estimate, se, stat, pval, ci_lb, ci_ub, q, q_p, tau2, i2, h2``);
        with ``bayes`` also ``post_mean_mu, post_sd_mu, post_mean_tau, mu_hdi_lb, mu_hdi_ub`` (and for
        r/n ``post_mean_mu_r, mu_r_hdi_lb, mu_r_hdi_ub``) and ``bayes`` (settings, diagnostics, cost); with
        ``blinding_col`` also ``blinding`` and ``bias_adjusted``. With ``levels`` instead of the τ², I² and H² keys: ``model,
        levels, n_groups, sigma2`` (outermost level first), ``sigma2_ci`` (profile-likelihood [lb, ub] per
        level), ``i2_levels, i2, loglik``, and with a moderator ``sigma2_residual`` for ``tau2_residual``
        (no ``subgroups``). With ``robust`` also ``robust: {cluster, adjust, n_clusters, se, df, tval, pval,
        ci_lb, ci_ub}`` and, with a moderator, ``robust`` in each coefficient and ``robust_qm: {test, qm,
        qm_df, qm_p}``.

    Raises
    ------
    typer.Exit
        With code 2 and a message naming file, row and column, on bad input.
    dprep.core.errors.ConvergenceError
        When the Bayesian fit fails its convergence gates (the message names each failure and the remedy;
        the command exits 2).
    """
    if method not in meta.METHODS:
        fail(f"--method must be one of {', '.join(meta.METHODS)}; got {method!r}.")
    if test is None:  # the pipeline's Knapp–Hartung; the multilevel model has z tests only
        test = "knha" if levels is None else "z"
    if test not in meta.TESTS:
        fail(f"--test must be one of {', '.join(meta.TESTS)}; got {test!r}.")
    if not 0 < level < 1:
        fail(f"--level must lie in (0, 1), e.g. 0.95; got {level!r}.")
    if (yi_col is None) != (vi_col is None):
        fail("--yi-col and --vi-col must be given together.")
    if cr not in meta.ADJUSTMENTS:
        fail(f"--cr must be one of {', '.join(meta.ADJUSTMENTS)}; got {cr!r}.")
    if levels is not None and (test == "knha" or bayes or blinding_col or influence or cumul_col):
        fail("--levels fits the multilevel model with z tests: it does not combine with --test knha, --bayes, "
             "--blinding-col, --influence or --cumul-col (use --robust for small-sample inference).")
    table = _read_table(path)
    yi, vi, correlations = read_effects(table, path, r_col=r_col, n_col=n_col, yi_col=yi_col, vi_col=vi_col)
    if yi.size < 2:
        fail(f"{path}: at least 2 studies are needed, found {yi.size}.")
    if (influence or cumul_col) and yi.size > meta.MAX_REFITS_K:
        fail(f"{path}: --influence and --cumul-col refit the model once per study (time grows with k²): at most "
             f"{meta.MAX_REFITS_K:,} studies, found {yi.size:,}.")
    mods = _moderator(table, moderator, path) if moderator else None
    status = _blinding(table, blinding_col, path) if blinding_col else None
    prior = _bias_prior(bias_prior, bias_priors, params) if blinding_col else None

    settings = dict(method=method, test=test, level=level)
    if levels is not None:
        out, fit, mod_fit = _multilevel(table, path, yi, vi, mods, moderator, levels, settings, correlations)
        if robust is not None:
            _cluster_robust(table, path, robust, cr, fit, mod_fit, out)
        return out
    try:
        fit = meta.rma(yi, vi, **settings)
        mod_fit = meta.rma(yi, vi, mods=mods, **settings) if mods is not None else None
        het = meta.confint(fit)
    except (ValueError, ConvergenceError) as err:
        fail(f"{path}: {err}")
    pred = meta.predict(fit)

    out: dict[str, Any] = {
        "file": str(path), "k": fit.k, "method": method, "test": test, "level": level,
        "scale": "fisher_z" if correlations else "yi",
        "estimate": fit.estimate, "se": float(fit.se[0]), "stat": float(fit.stat[0]), "pval": float(fit.pval[0]),
        "ci_lb": float(fit.ci_lb[0]), "ci_ub": float(fit.ci_ub[0]), "ddf": fit.ddf,
        "tau2": fit.tau2, "tau2_se": fit.tau2_se, "tau2_ci": list(het.tau2_ci), "tau": fit.tau,
        "tau_ci": list(het.tau_ci), "i2": fit.i2, "i2_ci": list(het.i2_ci), "h2": fit.h2, "h2_ci": list(het.h2_ci),
        "q": fit.q, "q_df": fit.q_df, "q_p": fit.q_p,
        "pi_lb": float(pred.pi_lb[0]), "pi_ub": float(pred.pi_ub[0]),
    }
    if correlations:
        out.update(_r_scale(out))
    try:
        out.update(_extras(table, path, yi, vi, fit, mod_fit, mods, moderator, settings, correlations, influence,
                           cumul_col))
    except (ValueError, ConvergenceError) as err:
        fail(f"{path}: {err}")
    if robust is not None:
        _cluster_robust(table, path, robust, cr, fit, mod_fit, out)
    if status is not None:
        out.update(_blinding_analysis(yi, vi, status, correlations, settings, *prior, path))
    if bayes:
        out.update(_bayes(yi, vi, correlations, seed, draws))
    return out


