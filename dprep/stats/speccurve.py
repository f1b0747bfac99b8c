"""Specification curve analysis (Simonsohn, Simmons & Nelson, 2020) for meta-analytic specifications.

A *specification* is one defensible way through the analytic choices (Steegen et al., 2016, the
"multiverse"). Here every specification ends in a pooled estimate: its studies' (yᵢ, vᵢ) after the
choices that shape the data (inclusion subset, effect-size convention, bias adjustment), pooled with a
τ² estimator, a test and an optional publication-bias adjustment. The pieces:

* :func:`expand` — the declared choices as a specification table (their Cartesian product);
* :class:`MetaSpecs` and :func:`fit_specs` — the specifications' data as a ragged batch, pooled with
  :func:`dprep.stats.meta.rma_batch` per (method, test) group, or through an adjustment of
  :data:`ADJUSTMENTS` one table at a time;
* :func:`null_draws` — data under H0 (μ = 0) for every specification at once, with common random
  numbers per study so the specifications stay as dependent as they are in the data;
* :func:`curve` — the figure's data: specifications ranked by estimate and their choice indicators;
* :func:`choice_summary` — how much each choice moves the estimate;
* :func:`inferential_test` — the joint test: the median estimate and the share of significant
  specifications against their distributions under H0.

References
----------
Simonsohn, U., Simmons, J. P., & Nelson, L. D. (2020). Specification curve analysis. Nature Human
Behaviour, 4, 1208-1214. Steegen, S., Tuerlinckx, F., Gelman, A., & Vanpaemel, W. (2016). Increasing
transparency through a multiverse analysis. Perspectives on Psychological Science, 11(5), 702-712.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from dprep.core import args
from dprep.core.errors import ArgumentError, ConvergenceError
from dprep.core.results import Result, internal, result
from dprep.stats.meta import petpeese, rma, rma_batch, selmodel, trimfill

#: Name of a choice that does not apply to a specification (e.g. the root of a mean that was reported).
NOT_APPLICABLE = "not applicable"


def _unadjusted(yi: np.ndarray, vi: np.ndarray, method: str, test: str, level: float) -> dict[str, float]:
    fit = rma(yi, vi, method=method, test=test, level=level)
    return {"estimate": fit.estimate, "ci_lb": float(fit.ci_lb[0]), "ci_ub": float(fit.ci_ub[0]),
            "pval": float(fit.pval[0]), "tau2": fit.tau2}


def _trim_and_fill(yi: np.ndarray, vi: np.ndarray, method: str, test: str, level: float) -> dict[str, float]:
    fit = trimfill(rma(yi, vi, method=method, test=test, level=level)).fit
    return {"estimate": fit.estimate, "ci_lb": float(fit.ci_lb[0]), "ci_ub": float(fit.ci_ub[0]),
            "pval": float(fit.pval[0]), "tau2": fit.tau2}


def _pet_peese(yi: np.ndarray, vi: np.ndarray, method: str, test: str, level: float) -> dict[str, float]:
    res = petpeese(yi, vi, method=method, test=test, level=level)
    chosen = res.pet if res.chosen == "PET" else res.peese
    fit = res.pet_fit if res.chosen == "PET" else res.peese_fit
    return {"estimate": chosen["estimate"], "ci_lb": chosen["ci_lb"], "ci_ub": chosen["ci_ub"],
            "pval": chosen["pval"], "tau2": fit.tau2}


def _selection(yi: np.ndarray, vi: np.ndarray, method: str, test: str, level: float) -> dict[str, float]:
    try:
        res = selmodel(rma(yi, vi, method="ML", level=level), "stepfun", steps=(0.025, 1.0))
    except ArgumentError as err:  # an interval without p-values: not estimable on this subset
        raise ConvergenceError(str(err)) from None
    return {"estimate": float(res.beta[0]), "ci_lb": float(res.ci_lb[0]), "ci_ub": float(res.ci_ub[0]),
            "pval": float(res.pval[0]), "tau2": float(res.tau2)}


#: Publication-bias adjustments by option name: ``f(yi, vi, method, test, level)`` returning the pooled
#: ``estimate, ci_lb, ci_ub, pval`` and ``tau2`` after the adjustment. "none" is also fitted in batches
#: (:func:`fit_specs` uses :func:`rma_batch` for it, with identical results). "petpeese" is the
#: conditional PET-PEESE estimate (Stanley & Doucouliagos 2014) with the specification's τ² method and
#: test; "selection" the step-function selection model (Vevea & Hedges 1995) with one cut at one-sided
#: p = .025, fitted by ML whatever the specification's method (metafor's ``selmodel``); a subset with no
#: p-value on one side of the cut is not estimable and counts as not converged.
ADJUSTMENTS: dict[str, Callable[..., dict[str, float]]] = {"none": _unadjusted, "trimfill": _trim_and_fill,
                                                           "petpeese": _pet_peese, "selection": _selection}


def expand(choices: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    """Every combination of the options of ``choices``: one row per specification.

    Parameters
    ----------
    choices : mapping of str to sequence
        Choice name → its options, in the order given (the first option of each choice is, by the
        project's convention, the primary analysis's).

    Returns
    -------
    pandas.DataFrame
        One column per choice, ``prod(len(options))`` rows, the last choice varying fastest.

    Raises
    ------
    ArgumentError
        If a choice has no options or repeats one.
    """
    for name, options in choices.items():
        options = list(options)
        args.check(len(options) > 0, name, "expand", "list at least one option", options)
        args.check(len(set(map(str, options))) == len(options), name, "expand", "list distinct options", options)
    names = list(choices)
    return pd.DataFrame(list(itertools.product(*(list(choices[n]) for n in names))), columns=names)


@dataclass(frozen=True)
class MetaSpecs:
    """The data of n specifications as a ragged batch, ready to pool.

    Attributes
    ----------
    yi, vi : ndarray, shape (n, k_max)
        Effect sizes and sampling variances of each specification's studies (after the data choices).
    mask : ndarray of bool, shape (n, k_max)
        True for the cells holding a study.
    keys : ndarray of int, shape (n, k_max)
        Which underlying study each cell is (0..n_keys-1): cells with the same key get the same random
        number in :func:`null_draws`.
    method, test, adjustment : ndarray of str, shape (n,)
        τ² estimator, test (z / knha) and publication-bias adjustment (a key of :data:`ADJUSTMENTS`).
    level : float
        Confidence level.
    """

    yi: np.ndarray
    vi: np.ndarray
    mask: np.ndarray
    keys: np.ndarray
    method: np.ndarray
    test: np.ndarray
    adjustment: np.ndarray
    level: float = 0.95

    @property
    def n(self) -> int:
        """Number of specifications."""
        return int(self.yi.shape[0])

    @property
    def n_keys(self) -> int:
        """Number of underlying studies."""
        return int(self.keys[self.mask].max()) + 1

    def take(self, rows: Sequence[int]) -> "MetaSpecs":
        """The specifications ``rows`` only."""
        rows = np.asarray(rows, dtype=int)
        return MetaSpecs(self.yi[rows], self.vi[rows], self.mask[rows], self.keys[rows], self.method[rows],
                         self.test[rows], self.adjustment[rows], self.level)

    @classmethod
    def from_lists(cls, data: Sequence[tuple[Sequence[float], Sequence[float], Sequence[int]]],
                   method: Sequence[str], test: Sequence[str], adjustment: Sequence[str],
                   level: float = 0.95) -> "MetaSpecs":
        """Pad per-specification ``(yi, vi, keys)`` lists into a batch."""
        k_max = max(len(y) for y, _, _ in data)
        yi, vi = np.zeros((len(data), k_max)), np.ones((len(data), k_max))
        keys, mask = np.zeros((len(data), k_max), int), np.zeros((len(data), k_max), bool)
        for i, (y, v, key) in enumerate(data):
            yi[i, :len(y)], vi[i, :len(y)], keys[i, :len(y)], mask[i, :len(y)] = y, v, key, True
        unknown = sorted(set(adjustment) - set(ADJUSTMENTS))
        args.check(not unknown, "adjustment", "MetaSpecs", f"name entries of ADJUSTMENTS ({', '.join(ADJUSTMENTS)})",
                   unknown)
        return cls(yi, vi, mask, keys, np.asarray(method, dtype=object), np.asarray(test, dtype=object),
                   np.asarray(adjustment, dtype=object), float(level))


_FIT_COLUMNS = ("estimate", "ci_lb", "ci_ub", "pval", "tau2")


def fit_specs(specs: MetaSpecs, yi: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Pool every specification, or every specification on each of several data sets (null draws).

    Parameters
    ----------
    specs : MetaSpecs
    yi : ndarray, shape (n_draws, n, k_max), optional
        Effect sizes replacing ``specs.yi`` (e.g. from :func:`null_draws`); variances stay ``specs.vi``.

    Returns
    -------
    dict of str to ndarray
        ``estimate, ci_lb, ci_ub, pval, tau2`` and ``converged``, shape (n,) — or (n_draws, n) with
        ``yi``. A specification whose τ² iteration did not converge (or whose adjustment failed) has
        ``converged`` False and NaN results.
    """
    Y = specs.yi[None] if yi is None else np.asarray(yi, dtype=float)
    d, n, k_max = Y.shape
    out = {c: np.full((d, n), np.nan) for c in _FIT_COLUMNS}
    out["converged"] = np.zeros((d, n), bool)
    groups = pd.DataFrame({"method": specs.method, "test": specs.test, "adjustment": specs.adjustment})
    for (method, test, adjustment), rows in groups.groupby(["method", "test", "adjustment"], sort=False).groups.items():
        rows = np.asarray(rows)
        if adjustment == "none":
            fit = rma_batch(Y[:, rows].reshape(-1, k_max), np.tile(specs.vi[rows], (d, 1)),
                            np.tile(specs.mask[rows], (d, 1)), method=method, test=test, level=specs.level)
            for c in (*_FIT_COLUMNS, "converged"):
                out[c][:, rows] = fit[c].to_numpy().reshape(d, rows.size)
            continue
        func = ADJUSTMENTS[adjustment]
        for j in range(d):
            for i in rows:
                m = specs.mask[i]
                try:
                    res = func(Y[j, i, m], specs.vi[i, m], method, test, specs.level)
                except ConvergenceError:
                    continue
                for c in _FIT_COLUMNS:
                    out[c][j, i] = res[c]
                out["converged"][j, i] = True
    return {c: v[0] for c, v in out.items()} if yi is None else out


def null_draws(specs: MetaSpecs, tau2: np.ndarray, seeds: Sequence[np.random.SeedSequence]) -> np.ndarray:
    r"""Effect sizes under H0 for every specification, one data set per seed.

    The null is imposed on each specification's own random-effects fit (Simonsohn et al., 2020, "forcing
    the null"; here a parametric bootstrap): :math:`y^*_{si} = \sqrt{v_{si} + \hat\tau^2_s}\, z_{d,
    \mathrm{key}(s, i)}` with one standard normal :math:`z` per underlying study and draw, shared by all
    specifications that contain the study, so draws keep the dependence between specifications.

    Parameters
    ----------
    specs : MetaSpecs
    tau2 : ndarray, shape (n,)
        Each specification's τ̂² (NaN is taken as 0).
    seeds : sequence of numpy.random.SeedSequence
        One per draw.

    Returns
    -------
    ndarray, shape (len(seeds), n, k_max)
    """
    scale = np.sqrt(specs.vi + np.nan_to_num(np.asarray(tau2, float))[:, None])
    z = np.stack([np.random.default_rng(s).standard_normal(specs.n_keys) for s in seeds])
    return np.where(specs.mask, scale, 0.0)[None] * z[:, specs.keys]


def curve(table: pd.DataFrame, choices: Sequence[str], estimate: str = "estimate") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The specification curve's data: specifications ranked by estimate, and the choice indicators.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per specification with the choice columns and ``estimate`` (NaN rows are dropped).
    choices : sequence of str
        The choice columns to show as indicators.
    estimate : str
        Column to rank by.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The ranked table with a ``rank`` column (0 = smallest estimate), and the indicators in long form
        ``rank, choice, option`` (one row per specification and choice, options that apply only).
    """
    ranked = table.dropna(subset=[estimate]).sort_values(estimate, kind="stable").reset_index(drop=True)
    ranked["rank"] = np.arange(len(ranked))
    long = ranked.melt(id_vars="rank", value_vars=list(choices), var_name="choice", value_name="option")
    return ranked, long[long["option"].astype(str) != NOT_APPLICABLE].reset_index(drop=True)


def choice_summary(table: pd.DataFrame, choices: Sequence[str], *, alpha: float = 0.05) -> pd.DataFrame:
    """How each option of each choice shifts the estimate, across all the other choices.

    Returns
    -------
    pandas.DataFrame
        One row per (choice, option): ``n`` specifications, their ``median`` estimate, ``min``, ``max``
        and ``share_significant`` (p < alpha), and ``spread``: the range of the option medians of that
        choice (the same on every row of a choice; how far that choice alone moves the median).
    """
    rows = []
    valid = table.dropna(subset=["estimate"])
    for choice in choices:
        for option, group in valid.groupby(choice, sort=False):
            if str(option) == NOT_APPLICABLE:
                continue
            rows.append({"choice": choice, "option": str(option), "n": len(group),
                         "median": float(group["estimate"].median()), "min": float(group["estimate"].min()),
                         "max": float(group["estimate"].max()),
                         "share_significant": float((group["pval"] < alpha).mean())})
    out = pd.DataFrame(rows, columns=["choice", "option", "n", "median", "min", "max", "share_significant"])
    spread = out.groupby("choice")["median"].agg(lambda m: m.max() - m.min())
    return out.assign(spread=out["choice"].map(spread))


@result(eq=False)
class SpecCurveTest(Result):
    """The joint inferential test of a specification curve (Simonsohn et al., 2020).

    ``estimate`` is the median estimate over specifications; ``share_significant`` the share of
    specifications with p < ``alpha`` in the direction of that median; their p-values (``pval_median``,
    ``pval_share``) are the shares of null draws at least as extreme (same direction). ``pval`` is the
    larger of the two.
    """

    title = "Specification curve: joint test under H0"

    n_specs: int
    n_resamples: int
    alpha: float
    direction: int
    estimate: float
    pval_median: float
    share_significant: float
    pval_share: float
    pval: float
    null_median: np.ndarray = internal()
    null_share: np.ndarray = internal()


def inferential_test(estimate: np.ndarray, pval: np.ndarray, null_estimate: np.ndarray, null_pval: np.ndarray,
                     *, alpha: float = 0.05) -> SpecCurveTest:
    """Median estimate and share of significant specifications against their distributions under H0.

    Parameters
    ----------
    estimate, pval : ndarray, shape (n_specs,)
        The specifications' estimates and p-values (NaN: not estimable, left out).
    null_estimate, null_pval : ndarray, shape (n_resamples, n_specs)
        The same on data drawn under H0 (:func:`null_draws`).
    alpha : float
        Significance level of each specification.

    Returns
    -------
    SpecCurveTest

    Raises
    ------
    ArgumentError
        On mismatched shapes, or no estimable specification.

    Notes
    -----
    p-values are the plain shares of resamples (Simonsohn et al., 2020, Figure 3): 0 means "fewer than
    1 in ``n_resamples``".
    """
    est, p = np.asarray(estimate, float), np.asarray(pval, float)
    n_est, n_p = np.asarray(null_estimate, float), np.asarray(null_pval, float)
    args.check(n_est.ndim == 2 and n_est.shape[1] == est.size and n_p.shape == n_est.shape, "null_estimate",
               "inferential_test", f"have shape (n_resamples, {est.size}) like 'null_pval'", f"shape {n_est.shape}", raw=True)
    args.check(bool(np.isfinite(est).any()), "estimate", "inferential_test", "hold an estimable specification", est)
    alpha = args.between("alpha", "inferential_test", alpha, 0.0, 1.0)
    median = float(np.nanmedian(est))
    direction = 1 if median >= 0 else -1

    def share(e, q):
        ok = np.isfinite(e)
        return np.sum((q < alpha) & (np.sign(e) == direction) & ok, axis=-1) / np.maximum(np.sum(ok, axis=-1), 1)

    with np.errstate(invalid="ignore"):
        null_median = np.nanmedian(np.where(np.isfinite(n_est), n_est, np.nan), axis=1)
    obs_share, null_share = float(share(est, p)), share(n_est, n_p)
    p_median = float(np.mean(direction * null_median >= direction * median))
    p_share = float(np.mean(null_share >= obs_share))
    return SpecCurveTest(n_specs=int(np.isfinite(est).sum()), n_resamples=int(n_est.shape[0]), alpha=alpha,
                         direction=direction, estimate=median, pval_median=p_median, share_significant=obs_share,
                         pval_share=p_share, pval=max(p_median, p_share), null_median=null_median,
                         null_share=null_share)
