"""Permutation tests of the coefficients of a fitted model (metafor's ``permutest.rma.uni``)."""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from dprep.core import args
from dprep.core.results import Result, result
from dprep.stats.meta._common import _ZERO_RTOL, _readonly
from dprep.stats.meta.rma import RMAResult, rma

#: Refuse an exact test with more permutations than this (each one is a model fit).
EXACT_LIMIT = 10_000_000


@result(eq=False)
class PermutationResult(Result):
    """Permutation p-values of each coefficient's test statistic (two-sided) and of the omnibus QM test.

    ``exact`` says whether every sign flip (intercept-only models) or every distinct permutation of the
    moderator rows was used; otherwise ``n_perm`` seeded random ones were, and ``pval_mc_se`` /
    ``qm_pval_mc_se`` are the Monte Carlo standard errors :math:`\\sqrt{p(1-p)/n}` of the p-values.
    """

    title = "Permutation test"

    coef_names: tuple[str, ...]
    stat: np.ndarray
    pval_model: np.ndarray
    pval: np.ndarray
    pval_mc_se: np.ndarray
    qm: float
    qm_pval: float
    qm_pval_mc_se: float
    exact: bool
    n_perm: int
    seed: int | None

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient: ``name, stat, pval_model, pval`` (permutation) and ``pval_mc_se``."""
        return pd.DataFrame({"name": list(self.coef_names), "stat": self.stat, "pval_model": self.pval_model,
                             "pval": self.pval, "pval_mc_se": self.pval_mc_se})

    def to_dict(self) -> dict[str, Any]:
        """The coefficient table (records), the QM test and the settings."""
        return {"coefficients": self.to_frame().to_dict(orient="records"), "qm": self.qm, "qm_pval": self.qm_pval,
                "qm_pval_mc_se": self.qm_pval_mc_se, "exact": self.exact, "n_perm": self.n_perm, "seed": self.seed}

    def _headline(self) -> dict[str, Any]:
        return {"exact": self.exact, "n_perm": self.n_perm, "qm_pval": self.qm_pval}


def _arrangements(labels: np.ndarray) -> np.ndarray:
    """Every distinct ordering of the multiset ``labels`` (rows of the result), k!/∏ nⱼ! of them."""
    values, counts = np.unique(labels, return_counts=True)
    k, out = labels.size, []

    def place(free: tuple[int, ...], j: int, current: np.ndarray) -> None:
        if j == values.size:
            out.append(current.copy())
            return
        for chosen in itertools.combinations(free, counts[j]):
            current[list(chosen)] = values[j]
            place(tuple(f for f in free if f not in chosen), j + 1, current)

    place(tuple(range(k)), 0, np.empty(k, dtype=int))
    return np.array(out)


def permutest(result: RMAResult, *, iter: int = 1000, exact: bool | None = None, seed: int | None = None) -> PermutationResult:
    r"""Permutation test of each coefficient and of the moderators (metafor's ``permutest.rma.uni``).

    For an intercept-only model the signs of the :math:`y_i` are flipped (under H0: μ = 0 with symmetric
    errors every sign pattern is equally likely); for a meta-regression the rows of the model matrix are
    permuted over the studies (under H0 the moderators are unrelated to the effects). The model is refitted
    with its own method, test and level each time, and the p-value of a coefficient is the share of
    permutations whose |z| (or |t|) is at least the observed one; that of QM the share with QM at least the
    observed (both with metafor's tolerance of √ε).

    Parameters
    ----------
    result : RMAResult
        A fitted model.
    iter : int
        Number of random permutations (the observed data count as the first, as metafor does).
    exact : bool, optional
        ``True``: use every sign pattern (2^k) or every distinct permutation of the moderator rows
        (k!/∏ nⱼ! for groups of identical rows); ``False``: random permutations; default (``None``): exact
        when that needs at most ``iter`` fits, as metafor.
    seed : int, optional
        Seed of the random permutations (``numpy.random.default_rng``).

    Returns
    -------
    PermutationResult
        Observed statistics, model and permutation p-values (with their Monte Carlo standard errors when not
        exact), QM and its permutation p-value.

    Raises
    ------
    ArgumentError (a ValueError)
        If ``iter`` < 2, or an exact test would need more than :data:`EXACT_LIMIT` fits.

    Notes
    -----
    Each permutation is a full refit: a few milliseconds for the iterative τ² estimators, so exact tests are
    practical for small k (e.g. 2^13 sign flips of 13 studies) and a seeded Monte Carlo test is used otherwise.

    References
    ----------
    Follmann, D. A., & Proschan, M. A. (1999). Valid inference in random effects meta-analysis. Biometrics,
    55(3), 732-737; Higgins, J. P. T., & Thompson, S. G. (2004). Controlling the risk of spurious findings
    from meta-regression. Statistics in Medicine, 23(11), 1663-1682; metafor ``permutest.rma.uni``.
    """
    iter = args.integer("iter", "permutest", iter, minimum=2)
    k = result.k
    yi, vi, X = np.asarray(result.yi), np.asarray(result.vi), np.asarray(result.X)
    settings = dict(method=result.method, test=result.test, level=result.level, tol=result.tol,
                    maxiter=result.maxiter)
    if result.int_only:
        count = 2.0**k
    else:
        rows, labels = np.unique(X, axis=0, return_inverse=True)
        labels = labels.ravel()
        counts = np.bincount(labels)
        count = math.factorial(k) / math.prod(math.factorial(int(c)) for c in counts)
    use_exact = bool(exact) or (exact is None and count <= iter)
    if use_exact and count > EXACT_LIMIT:
        args.fail("exact", "permutest", f"be False for this model (an exact test needs {count:.3g} fits)", exact)

    if result.int_only:
        if use_exact:
            r = np.arange(int(count), dtype=np.int64)
            signs = 1.0 - 2.0 * ((r[:, None] >> np.arange(k)) & 1)
        else:
            signs = np.random.default_rng(seed).choice([-1.0, 1.0], size=(iter, k))
            signs[0] = 1.0
        fits = (rma(s * yi, vi, **settings) for s in signs)
    else:
        if use_exact:
            designs = rows[_arrangements(labels)]
        else:
            rng = np.random.default_rng(seed)
            designs = np.array([X] + [X[rng.permutation(k)] for _ in range(iter - 1)])
        # refit with the intercept as such, so that QM tests the moderators only (metafor's btt)
        has_int = result.coef_names[0] == "intrcpt"
        fits = (rma(yi, vi, mods=design[:, 1:] if has_int else design, intercept=has_int, **settings)
                for design in designs)

    stats_perm, qm_perm = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fit in fits:
            stats_perm.append(fit.stat)
            qm_perm.append(fit.qm)
    stats_perm, qm_perm = np.array(stats_perm), np.array(qm_perm)
    n = len(qm_perm)
    observed = np.asarray(result.stat)
    pval = np.mean(np.abs(stats_perm) >= np.abs(observed) - _ZERO_RTOL, axis=0)
    qm_pval = float(np.mean(qm_perm >= result.qm - _ZERO_RTOL))
    mc = (lambda q: np.zeros_like(q) if use_exact else np.sqrt(q * (1 - q) / n))  # noqa: E731
    return PermutationResult(
        coef_names=result.coef_names, stat=_readonly(observed), pval_model=_readonly(result.pval), pval=_readonly(pval),
        pval_mc_se=_readonly(mc(pval)), qm=result.qm, qm_pval=qm_pval, qm_pval_mc_se=float(mc(np.array(qm_pval))),
        exact=use_exact, n_perm=n, seed=None if use_exact else seed,
    )
