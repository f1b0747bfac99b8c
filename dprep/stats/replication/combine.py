"""Combining an original and a replication: the Q test of their difference and the fixed-effect pool."""

from __future__ import annotations

import math
from dataclasses import field

import numpy as np
from scipy import stats

from dprep.core import args
from dprep.core.results import Result, result


@result
class QTest(Result):
    """Q test of the difference between two estimates (Cochran's Q with k = 2).

    Attributes
    ----------
    estimate : float
        Replication minus original.
    se : float
        √(se_o² + se_r²).
    q : float
        Q = difference² / (se_o² + se_r²), χ²(1) under H0.
    pval : float
        Upper-tail χ²(1) probability.
    """

    estimate: float
    se: float
    q: float
    pval: float



def q_test(orig: float, orig_se: float, rep: float, rep_se: float) -> QTest:
    """Q test of compatibility of the original and replication estimates.

    Parameters
    ----------
    orig, rep : float
        Estimates.
    orig_se, rep_se : float
        Their standard errors (> 0).

    Returns
    -------
    QTest

    Raises
    ------
    ValueError
        On non-finite estimates or non-positive standard errors.

    References
    ----------
    Hedges, L. V., & Schauer, J. M. (2019). More than one replication study is needed for
    unambiguous tests of replication. J. Educ. Behav. Stat., 44, 543–570;
    ``ReplicationSuccess::Qtest``.
    """
    func = "q_test"
    o, r = args.finite("orig", func, orig), args.finite("rep", func, rep)
    so, sr = args.positive("orig_se", func, orig_se), args.positive("rep_se", func, rep_se)
    se = math.sqrt(so * so + sr * sr)
    q = (r - o) ** 2 / (se * se)
    return QTest(estimate=r - o, se=se, q=q, pval=float(stats.chi2.sf(q, 1)))


@result
class FixedEffect(Result):
    """Inverse-variance (fixed-effect) combination of two or more estimates.

    Attributes
    ----------
    estimate, se : float
        Σwθ/Σw and 1/√Σw with w = 1/se².
    ci_lb, ci_ub : float
        estimate ∓ z·se.
    z, pval : float
        Wald z and two-sided p.
    level : float
        Confidence level.
    weights : tuple of float
        Normalized weights.
    """

    estimate: float
    se: float
    ci_lb: float
    ci_ub: float
    z: float
    pval: float
    level: float
    weights: tuple = field(default_factory=tuple)



def fixed_effect(estimates, ses, *, level: float = 0.95) -> FixedEffect:
    """Fixed-effect (inverse-variance) pooled estimate.

    Parameters
    ----------
    estimates : sequence of float
        Effect estimates.
    ses : sequence of float
        Their standard errors (> 0), same length.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    FixedEffect

    Raises
    ------
    ValueError
        On empty or mismatched input, non-finite values, or non-positive standard errors.

    References
    ----------
    Borenstein et al. (2009), Introduction to Meta-Analysis, ch. 11 (eqs. 11.2–11.5).
    """
    func = "fixed_effect"
    y = np.asarray(estimates, dtype=float).ravel()
    s = np.asarray(ses, dtype=float).ravel()
    if y.size == 0 or y.size != s.size:
        raise ValueError(f"The 'ses' parameter of {func} must have the same non-zero length as 'estimates'. Got {s.size} instead.")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(s)) and np.all(s > 0)):
        raise ValueError(f"The 'ses' parameter of {func} must hold finite values > 0 (and 'estimates' finite values). Got {list(s)!r} instead.")
    level = args.level(func, level)
    w = 1.0 / s ** 2
    est = float(np.sum(w * y) / np.sum(w))
    se = float(1.0 / math.sqrt(np.sum(w)))
    zc = stats.norm.ppf(0.5 + level / 2)
    z = est / se
    return FixedEffect(estimate=est, se=se, ci_lb=float(est - zc * se), ci_ub=float(est + zc * se), z=z,
                       pval=float(2 * stats.norm.sf(abs(z))), level=level,
                       weights=tuple(float(v) for v in w / np.sum(w)))
