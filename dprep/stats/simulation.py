"""Monte Carlo study: naive, bias-adjusted and subgroup random-effects estimators when unblinded studies are biased.

Data-generating model, per condition (k studies, a share of them unblinded, true mean effect μ, bias β of
the unblinded studies, heterogeneity τ) and replication:

* group sizes nᵢ (equal groups) drawn uniformly from ``n_range``;
* true study effects θᵢ ~ N(μ, τ²); observed effects yᵢ ~ N(θᵢ + β·uᵢ, 2/nᵢ + δᵢ²/(4nᵢ)) with
  δᵢ = θᵢ + β·uᵢ and uᵢ = 1 for the round(share·k) unblinded studies (Cohen's d, large-sample variance);
* analysed with the estimated variances vᵢ = 2/nᵢ + yᵢ²/(4nᵢ), as a meta-analyst would.

Estimators of μ (all with the same τ² estimator and test):

* ``naive`` — the random-effects model on all studies;
* ``bias-adjusted`` — Turner et al.'s (2009) additive adjustment with a known bias distribution (mean b,
  variance σ²_b): yᵢ − b·uᵢ, vᵢ + σ²_b·uᵢ (:func:`dprep.stats.bias.bias_adjusted_meta`, which is this
  estimator with DL and z);
* ``subgroup`` — the mixed-effects model with blinding as moderator; its intercept is the effect in the
  blinded studies (not estimable when every study is blinded or unblinded).

Performance measures per estimator and condition with Monte Carlo standard errors (Morris, White &
Crowther, 2019, Table 6): bias, RMSE, CI coverage of μ and rejection rate of H0: μ = 0 (power, or the
type I error rate when μ = 0).

References
----------
Morris, T. P., White, I. R., & Crowther, M. J. (2019). Using simulation studies to evaluate statistical
methods. Statistics in Medicine, 38(11), 2074-2102. Turner, R. M., Spiegelhalter, D. J., Smith, G. C. S.,
& Thompson, S. G. (2009). Bias modelling in evidence synthesis. JRSS-A, 172, 21-47.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from dprep.core import args
from dprep.stats.meta import rma_batch

ESTIMATORS = ("naive", "bias-adjusted", "subgroup")
CONDITION_COLUMNS = ("k", "share_unblinded", "effect", "bias_unblinded", "tau")


def simulate(condition: Mapping[str, float], replications: int, rng: np.random.Generator, *,
             prior: tuple[float, float], n_range: tuple[int, int] = (10, 40), method: str = "DL",
             test: str = "z", level: float = 0.95) -> pd.DataFrame:
    """Draw ``replications`` meta-analyses of one condition and fit the three estimators.

    Parameters
    ----------
    condition : mapping
        ``k`` (≥ 3), ``share_unblinded`` (0-1), ``effect`` (μ), ``bias_unblinded`` (β) and ``tau`` (τ),
        in Cohen's d units.
    replications : int
        Number of simulated meta-analyses.
    rng : numpy.random.Generator
    prior : (float, float)
        Mean and variance of the bias distribution assumed by the bias adjustment.
    n_range : (int, int)
        Smallest and largest per-group size.
    method, test, level
        τ² estimator, test and confidence level (:func:`dprep.stats.meta.rma_batch`).

    Returns
    -------
    pandas.DataFrame
        One row per replication and estimator: ``replication, estimator, estimate, ci_lb, ci_ub, pval,
        converged`` (NaN and False where an estimator cannot be fitted).

    Raises
    ------
    ArgumentError
        On k < 3, a share outside [0, 1], τ < 0 or a bad ``n_range``.
    """
    func = "simulate"
    k = args.integer("k", func, condition["k"], 3)
    share = args.between("share_unblinded", func, condition["share_unblinded"], 0, 1, closed="both")
    mu, beta = args.finite("effect", func, condition["effect"]), args.finite("bias_unblinded", func, condition["bias_unblinded"])
    tau = args.nonnegative("tau", func, condition["tau"])
    lo, hi = (args.integer("n_range", func, n, 2) for n in n_range)
    args.check(lo <= hi, "n_range", func, "be (smallest, largest)", n_range)
    reps = args.integer("replications", func, replications, 1)
    n_unb = int(round(share * k))
    u = (np.arange(k) < n_unb).astype(float)

    n = rng.integers(lo, hi + 1, (reps, k))
    delta = rng.normal(mu, tau, (reps, k)) + beta * u
    y = rng.normal(delta, np.sqrt(2 / n + delta**2 / (4 * n)))
    v = 2 / n + y**2 / (4 * n)
    settings = dict(method=method, test=test, level=level)
    fits = {"naive": rma_batch(y, v, **settings),
            "bias-adjusted": rma_batch(y - prior[0] * u, v + prior[1] * u, **settings)}
    if 0 < n_unb < k:
        fits["subgroup"] = rma_batch(y, v, mods=np.broadcast_to(u[None, :, None], (reps, k, 1)), **settings)
    out = []
    for name in ESTIMATORS:
        fit = fits.get(name)
        if fit is None:
            fit = pd.DataFrame({c: np.nan for c in ("estimate", "ci_lb", "ci_ub", "pval")}, index=range(reps))
            fit["converged"] = False
        out.append(fit[["estimate", "ci_lb", "ci_ub", "pval", "converged"]].assign(
            replication=np.arange(reps), estimator=name))
    return pd.concat(out, ignore_index=True)[["replication", "estimator", "estimate", "ci_lb", "ci_ub", "pval", "converged"]]


def summarise(raw: pd.DataFrame, truth: float, *, alpha: float = 0.05) -> pd.DataFrame:
    """Bias, RMSE, coverage and rejection rate per estimator, each with its Monte Carlo standard error.

    Parameters
    ----------
    raw : pandas.DataFrame
        :func:`simulate` output of one condition.
    truth : float
        The true μ.
    alpha : float
        Level of the test of H0: μ = 0.

    Returns
    -------
    pandas.DataFrame
        One row per estimator: ``estimator, n_valid, bias, bias_mcse, rmse, rmse_mcse, coverage,
        coverage_mcse, power, power_mcse`` (NaN when no replication could be fitted).

    Notes
    -----
    MCSEs (Morris et al., 2019, Table 6): bias √(S²/R); RMSE by the delta method, √(Var((θ̂ − θ)²)/R)/(2·RMSE);
    coverage and rejection rate √(p(1 − p)/R); R is the number of valid replications.
    """
    rows = []
    for name, group in raw.groupby("estimator", sort=False):
        ok = group["converged"].to_numpy(bool) & np.isfinite(group["estimate"].to_numpy())
        g = group[ok]
        r = len(g)
        err = g["estimate"].to_numpy() - truth
        cover = ((g["ci_lb"] <= truth) & (truth <= g["ci_ub"])).to_numpy()
        reject = (g["pval"] < alpha).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            rmse = float(np.sqrt(np.mean(err**2))) if r else np.nan
            rows.append({
                "estimator": name, "n_valid": r,
                "bias": float(err.mean()) if r else np.nan,
                "bias_mcse": float(err.std(ddof=1) / np.sqrt(r)) if r > 1 else np.nan,
                "rmse": rmse, "rmse_mcse": float(np.sqrt(np.var(err**2, ddof=1) / r) / (2 * rmse)) if r > 1 else np.nan,
                "coverage": float(cover.mean()) if r else np.nan,
                "coverage_mcse": float(np.sqrt(cover.mean() * (1 - cover.mean()) / r)) if r else np.nan,
                "power": float(reject.mean()) if r else np.nan,
                "power_mcse": float(np.sqrt(reject.mean() * (1 - reject.mean()) / r)) if r else np.nan,
            })
    return pd.DataFrame(rows)


def run_conditions(indices: Sequence[int], seeds: Sequence[np.random.SeedSequence], conditions: pd.DataFrame,
                   settings: Mapping[str, Any]) -> list[pd.DataFrame]:
    """Simulate and summarise the conditions ``indices`` (rows of ``conditions``), one seed each.

    The task function of :func:`dprep.parallel.map_chunks`: condition i always uses seed i, whichever
    worker runs it. ``settings`` holds ``replications, prior, n_range, method, test, level, alpha``.
    """
    out = []
    s = dict(settings)
    alpha, reps = s.pop("alpha"), s.pop("replications")
    for i, seed in zip(indices, seeds):
        condition = conditions.iloc[i].to_dict()
        raw = simulate(condition, reps, np.random.default_rng(seed), **s)
        out.append(summarise(raw, float(condition["effect"]), alpha=alpha).assign(
            **{c: condition[c] for c in CONDITION_COLUMNS}))
    return out
