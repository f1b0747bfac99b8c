"""Selection models for publication bias fitted by maximum likelihood (metafor's ``selmodel``): the
step-function model of Vevea & Hedges (1995) and the beta model of Citkowicz & Vevea (2017).

A study with effect :math:`y_i` and one-sided p-value :math:`p_i` enters the literature with a relative
probability :math:`w(p_i)`; the observed :math:`y_i` then have the weighted density

.. math:: f(y_i) = \\frac{w(p_i)\\,\\phi(y_i; x_i'\\beta, v_i + \\tau^2)}{A_i}, \\qquad
          A_i = \\int w(p(y))\\,\\phi(y; x_i'\\beta, v_i + \\tau^2)\\,dy,

and β, τ² and the selection parameters δ are estimated jointly by maximising
:math:`\\sum_i \\log f(y_i)`.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Literal, Sequence

import numpy as np
from scipy import optimize, stats

from dprep.core import args, fmt
from dprep.core.errors import ConvergenceError
from dprep.core.results import Result, internal, result
from dprep.stats.meta._common import FIXED, _Coefficients, _readonly
from dprep.stats.meta.rma import RMAResult, rma

SelectionType = Literal["stepfun", "beta"]
Alternative = Literal["greater", "less", "two.sided"]
ALTERNATIVES: tuple[str, ...] = ("greater", "less", "two.sided")

#: p-values are kept in [P_MIN, 1 - P_MIN] by the beta model (metafor's ``pval.min``), where w is finite.
P_MIN = 1e-5
#: Bounds of δ: metafor maps δ into (min, max) with a logistic transformation.
_DELTA_BOUNDS = {"stepfun": (0.0, 100.0), "beta": (1e-5, 100.0)}


@result(eq=False)
class SelectionModelResult(_Coefficients, Result):
    """A selection model fitted by ML (metafor's ``selmodel``): the adjusted estimate, τ², the selection
    parameters δ and the likelihood-ratio test of δ = H0 (no selection).

    For ``type="stepfun"`` ``delta[j]`` is the relative likelihood of selection of a study whose p-value
    falls in the j-th interval ``(steps[j-1], steps[j]]``; ``delta[0] = 1`` (fixed). For ``type="beta"``
    the selection function is :math:`w(p) = p^{\\delta_1 - 1}(1-p)^{\\delta_2 - 1}`.
    """

    title = "Selection model"

    type: str
    alternative: str
    steps: tuple[float, ...] | None
    coef_names: tuple[str, ...]
    beta: np.ndarray
    se: np.ndarray
    stat: np.ndarray
    pval: np.ndarray
    ci_lb: np.ndarray
    ci_ub: np.ndarray
    tau2: float
    tau2_se: float
    delta: np.ndarray
    delta_se: np.ndarray
    delta_fixed: tuple[bool, ...]
    ll: float
    ll0: float
    lrt: float
    lrt_df: int
    lrt_pval: float
    k_per_interval: tuple[int, ...] | None
    level: float
    note: str | None = None
    model: RMAResult = internal(default=None)

    @property
    def yi(self) -> np.ndarray:
        """The effect sizes (of the model without selection), shape (k,)."""
        return self.model.yi

    @property
    def X(self) -> np.ndarray:
        """The model matrix, shape (k, p)."""
        return self.model.X

    def to_dict(self) -> dict[str, Any]:
        """The estimates (and, for intercept-only models, ``estimate, se, pval, ci_lb, ci_ub``), τ², δ and the LRT."""
        out: dict[str, Any] = {
            "type": self.type, "alternative": self.alternative,
            "steps": list(self.steps) if self.steps else None, "k": self.k, "level": self.level,
            "coefficients": self.to_frame().to_dict(orient="records"),
            "tau2": self.tau2, "tau2_se": self.tau2_se,
            "delta": self.delta.tolist(), "delta_se": self.delta_se.tolist(), "delta_fixed": list(self.delta_fixed),
            "ll": self.ll, "ll0": self.ll0, "lrt": self.lrt, "lrt_df": self.lrt_df, "lrt_pval": self.lrt_pval,
            "k_per_interval": list(self.k_per_interval) if self.k_per_interval else None, "note": self.note,
        }
        if self.int_only:
            out.update(self._pooled())
        return out

    def _headline(self) -> dict[str, Any]:
        head = {"type": self.type}
        if self.int_only:
            head.update(estimate=self.estimate, se=float(self.se[0]))
        return {**head, "tau2": self.tau2, "lrt_pval": self.lrt_pval}

    def summary(self) -> str:
        """metafor-like printout: model, τ², the LRT for selection, the coefficients and δ."""
        pct = f"{round(100 * self.level, 6):g}%"
        lines = [f"{'Step-function' if self.type == 'stepfun' else 'Beta'} selection model (k = {self.k}; "
                 f"alternative: {self.alternative}; ML)", "",
                 f"τ² (estimated amount of heterogeneity): {self.tau2:.4f} (SE = {self.tau2_se:.4f})", "",
                 f"Test for selection model parameters: LRT(df = {self.lrt_df}) = {self.lrt:.4f}, "
                 f"{fmt.pval(self.lrt_pval, 4, prefix=True)}", "", f"Model results (z tests; {pct} CI):", "",
                 self.to_frame().to_string(index=False, float_format=lambda x: f"{x:.4f}"), "",
                 "Selection parameters:"]
        labels = ([f"{lo:g} < p <= {hi:g}" for lo, hi in zip((0.0, *self.steps[:-1]), self.steps)]
                  if self.steps else ["delta.1", "delta.2"])
        for j, label in enumerate(labels):
            k_j = f", k = {self.k_per_interval[j]}" if self.k_per_interval else ""
            fixed = " (fixed)" if self.delta_fixed[j] else f" (SE = {self.delta_se[j]:.4f})"
            lines.append(f"  {label}: delta = {self.delta[j]:.4f}{fixed}{k_j}")
        return "\n".join(lines + ([f"Note: {self.note}"] if self.note else []))


def _one_sided_p(yi: np.ndarray, sei: np.ndarray, alternative: str) -> np.ndarray:
    """The p-value of each study's own z test, as metafor's selection models compute it."""
    z = yi / sei
    if alternative == "two.sided":
        return 2 * stats.norm.sf(np.abs(z))
    return stats.norm.sf(z) if alternative == "greater" else stats.norm.cdf(z)


def _prob_p_below(s: float, mean_u: np.ndarray, sd_u: np.ndarray, alternative: str) -> np.ndarray:
    """P(p ≤ s) when the test statistic u = y/√v ~ N(mean_u, sd_u²)."""
    if s <= 0:
        return np.zeros_like(mean_u)
    if s >= 1:
        return np.ones_like(mean_u)
    if alternative == "greater":
        return stats.norm.sf((stats.norm.isf(s) - mean_u) / sd_u)
    if alternative == "less":
        return stats.norm.cdf((stats.norm.ppf(s) - mean_u) / sd_u)
    c = stats.norm.isf(s / 2)
    return stats.norm.sf((c - mean_u) / sd_u) + stats.norm.cdf((-c - mean_u) / sd_u)


def _beta_weight(p: np.ndarray, delta: np.ndarray) -> np.ndarray:
    return p ** (delta[0] - 1) * (1 - p) ** (delta[1] - 1)


@functools.lru_cache(maxsize=None)
def _unclipped_nodes(alternative: str, panels: int = 16, order: int = 32) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Composite Gauss–Legendre nodes u, weights and p-values over the test statistics whose p-value lies in
    [P_MIN, 1 - P_MIN] (the same for every study: u = y/√v)."""
    lo, hi = P_MIN, 1 - P_MIN
    if alternative == "two.sided":
        a, b = stats.norm.isf(hi / 2), stats.norm.isf(lo / 2)
        pieces = [(-b, -a), (a, b)]
    elif alternative == "greater":
        pieces = [(stats.norm.isf(hi), stats.norm.isf(lo))]
    else:
        pieces = [(stats.norm.ppf(lo), stats.norm.ppf(hi))]
    x, w = np.polynomial.legendre.leggauss(order)
    nodes, weights = [], []
    for a, b in pieces:
        edges = np.linspace(a, b, panels + 1)
        mid, half = (edges[:-1] + edges[1:]) / 2, (edges[1:] - edges[:-1]) / 2
        nodes.append((mid[:, None] + half[:, None] * x).ravel())
        weights.append((half[:, None] * w).ravel())
    u = np.concatenate(nodes)
    return u, np.concatenate(weights), _one_sided_p(u, np.ones_like(u), alternative)


def _beta_norm(delta: np.ndarray, mean_u: np.ndarray, sd_u: np.ndarray, alternative: str) -> np.ndarray:
    r"""A_i = E[w(clip(p))] for the beta model: the two clipped tails (w constant) in closed form, the rest by
    composite Gauss–Legendre quadrature over the test statistic u, 512 nodes (accurate to ~1e-13 for δ in
    [1e-5, 100]; a fixed rule, unlike adaptive quadrature, is smooth in the parameters, which the numerical
    Hessian needs)."""
    lo, hi = P_MIN, 1 - P_MIN
    tails = (_beta_weight(np.array(lo), delta) * _prob_p_below(lo, mean_u, sd_u, alternative)
             + _beta_weight(np.array(hi), delta) * (1 - _prob_p_below(hi, mean_u, sd_u, alternative)))
    u, weights, p = _unclipped_nodes(alternative)
    density = stats.norm.pdf((u[None, :] - mean_u[:, None]) / sd_u[:, None]) / sd_u[:, None]
    return tails + density @ (_beta_weight(p, delta) * weights)


def _neg_log_lik(yi, vi, X, pgrp, steps, type_, alternative, beta, tau2, delta):
    """−log L of the selection model at (β, τ², δ) (metafor's ``.selmodel.ll.stepfun`` / ``.ll.cont``)."""
    tau2 = 0.0 if tau2 < 10 * np.finfo(float).eps else tau2
    yhat = X @ beta
    sd = np.sqrt(vi + tau2)
    mean_u, sd_u = yhat / np.sqrt(vi), sd / np.sqrt(vi)
    if type_ == "stepfun":
        cdf = np.array([_prob_p_below(s, mean_u, sd_u, alternative) for s in (0.0, *steps)])
        norm = np.sum(delta[:, None] * np.diff(cdf, axis=0), axis=0)
        log_w = np.log(delta[pgrp])
    else:
        p = np.clip(_one_sided_p(yi, np.sqrt(vi), alternative), P_MIN, 1 - P_MIN)
        norm = _beta_norm(delta, mean_u, sd_u, alternative)
        log_w = np.log(_beta_weight(p, delta))
    return -float(np.sum(log_w + stats.norm.logpdf(yi, yhat, sd) - np.log(norm)))


def _hessian(func: Callable[[np.ndarray], float], x: np.ndarray, h0: np.ndarray, levels: int = 4) -> np.ndarray:
    """Hessian by central differences with Richardson extrapolation (as numDeriv's ``hessian``, which
    metafor uses) from the steps ``h0``, ``h0/2``, …, ``h0/2^(levels-1)``."""
    n = x.size
    f0 = func(x)

    def second(i: int, j: int, h: np.ndarray) -> float:
        ei, ej = np.eye(n)[i] * h[i], np.eye(n)[j] * h[j]
        if i == j:
            return (func(x + ei) - 2 * f0 + func(x - ei)) / h[i] ** 2
        return (func(x + ei + ej) - func(x + ei - ej) - func(x - ei + ej) + func(x - ei - ej)) / (4 * h[i] * h[j])

    H = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            table = [second(i, j, h0 / 2**m) for m in range(levels)]
            for order in range(1, levels):  # Richardson: the error is a series in h²
                table = [(4**order * fine - coarse) / (4**order - 1) for coarse, fine in zip(table, table[1:])]
            H[i, j] = H[j, i] = table[0]
    return H


def selmodel(
    result: RMAResult,
    type: SelectionType = "stepfun",
    *,
    steps: Sequence[float] | None = None,
    alternative: Alternative = "greater",
    level: float | None = None,
) -> SelectionModelResult:
    r"""Fit a selection model to a fitted ``rma`` model by maximum likelihood, as metafor's ``selmodel``.

    Parameters
    ----------
    result : RMAResult
        The model without selection; it is refitted with ``method="ML"`` (unless it is a fixed-effect
        model, whose τ² stays 0), and its moderators are kept.
    type : {"stepfun", "beta"}
        ``"stepfun"``: the step function of Vevea & Hedges (1995), constant within the p-value intervals cut
        at ``steps``; ``"beta"``: the beta selection function of Citkowicz & Vevea (2017),
        :math:`w(p) = p^{\delta_1-1}(1-p)^{\delta_2-1}`, with p kept in [1e-5, 1 − 1e-5].
    steps : sequence of float, optional
        Cut points of the step function in (0, 1], e.g. (0.025, 0.5, 1); 1 is added if missing. Required for
        ``"stepfun"``, not used by ``"beta"``.
    alternative : {"greater", "less", "two.sided"}
        The p-values on which selection is assumed to act: one-sided for a positive effect (default, as
        metafor), one-sided for a negative effect, or two-sided.
    level : float, optional
        Confidence level of the Wald intervals; default ``result.level``.

    Returns
    -------
    SelectionModelResult
        The adjusted coefficients (z tests with the inverse Hessian of the log-likelihood), τ² and its se, δ
        and their se, the log-likelihoods with and without selection and the likelihood-ratio test of
        δ = (1, …, 1) (no selection) on the number of free δ, and the number of studies per interval.

    Raises
    ------
    ArgumentError (a ValueError)
        On invalid options; if a ``"stepfun"`` interval holds no observed p-value (its δ would not be
        identified; metafor refuses it the same way); or if k is too small for the number of parameters.
    ConvergenceError (a RuntimeError)
        If the optimiser fails.

    Notes
    -----
    The parameters are optimised as metafor does it: τ² on the log scale and each δ mapped into
    (0, 100) (stepfun) or (1e-5, 100) (beta) by a logistic function, starting from the ML fit without
    selection (τ² + 0.001) and δ = 1; BFGS with central-difference gradients. The standard errors come from
    the Hessian on the untransformed scale, by Richardson-extrapolated central differences (metafor: numDeriv).
    For the step function the normalising constant :math:`A_i = \sum_j \delta_j P(p_i \in
    (s_{j-1}, s_j])` is in closed form; for the beta model it is integrated to ~1e-13 by a fixed
    Gauss–Legendre rule (metafor's ``integrate`` defaults to a relative tolerance of 1.2e-4, which moves the
    estimates by ~1e-5).

    References
    ----------
    Vevea, J. L., & Hedges, L. V. (1995). A general linear model for estimating effect size in the presence
    of publication bias. Psychometrika, 60(3), 419-435. Citkowicz, M., & Vevea, J. L. (2017). A parsimonious
    weight function for modeling publication bias. Psychological Methods, 22(1), 28-41. metafor
    ``selmodel.rma.uni`` (Viechtbauer, 2010).
    """
    args.option("type", "selmodel", type, ("stepfun", "beta"))
    args.option("alternative", "selmodel", alternative, ALTERNATIVES)
    level = result.level if level is None else args.level("selmodel", level)
    yi, vi, X = np.asarray(result.yi), np.asarray(result.vi), np.asarray(result.X)
    k, p = X.shape
    fixed_tau2 = result.method == FIXED
    base = result if result.method in (FIXED, "ML") else rma(yi, vi, mods=X, intercept=False, method="ML",
                                                              level=result.level, tol=result.tol)
    pvals = _one_sided_p(yi, np.sqrt(vi), alternative)

    if type == "stepfun":
        if steps is None:
            args.fail("steps", "selmodel", "be given for type 'stepfun' (cut points in (0, 1], e.g. 0.025, 0.5, 1)",
                      "nothing", raw=True)
        cuts = np.unique(args.vector("steps", "selmodel", steps))
        if np.any((cuts <= 0) | (cuts > 1)):
            args.fail("steps", "selmodel", "lie in (0, 1]", cuts.tolist())
        cuts = tuple(float(s) for s in (cuts if cuts[-1] == 1 else np.r_[cuts, 1.0]))
        pgrp = np.searchsorted(np.array(cuts), pvals, side="left")
        counts = tuple(int(c) for c in np.bincount(pgrp, minlength=len(cuts)))
        if 0 in counts:
            empty = [f"({lo:g}, {hi:g}]" for lo, hi, c in zip((0.0, *cuts[:-1]), cuts, counts) if c == 0]
            args.fail("steps", "selmodel", "cut the p-values into intervals that each contain an observed p-value",
                      f"no p-value in {', '.join(empty)}", raw=True)
        n_delta, free = len(cuts), np.r_[False, np.ones(len(cuts) - 1, bool)]
    else:
        cuts, pgrp, counts, n_delta, free = None, None, None, 2, np.ones(2, bool)
    n_par = p + (0 if fixed_tau2 else 1) + int(free.sum())
    if k < n_par:
        args.fail("result", "selmodel", f"have at least {n_par} studies for this selection model", f"k = {k}", raw=True)

    lo, hi = _DELTA_BOUNDS[type]
    to_delta = lambda x: lo + (hi - lo) / (1 + np.exp(-x))  # noqa: E731 - metafor's .mapfun

    def unpack(theta: np.ndarray, transformed: bool) -> tuple[np.ndarray, float, np.ndarray]:
        beta = theta[:p]
        tau2 = 0.0 if fixed_tau2 else (np.exp(theta[p]) if transformed else theta[p])
        delta = np.ones(n_delta)
        delta[free] = to_delta(theta[p + (not fixed_tau2):]) if transformed else theta[p + (not fixed_tau2):]
        return beta, tau2, delta

    def objective(theta: np.ndarray, transformed: bool = True) -> float:
        return _neg_log_lik(yi, vi, X, pgrp, cuts, type, alternative, *unpack(theta, transformed))

    delta_start = np.full(int(free.sum()), np.log((1 - lo) / (hi - 1)))
    start = np.r_[base.beta, [] if fixed_tau2 else [np.log(base.tau2 + 0.001)], delta_start]

    def gradient(theta: np.ndarray) -> np.ndarray:
        h = 1e-6 * np.maximum(1.0, np.abs(theta))
        return np.array([(objective(theta + e) - objective(theta - e)) / (2 * e[i])
                         for i, e in enumerate(np.diag(h))])

    opt = optimize.minimize(objective, start, jac=gradient, method="BFGS", options={"gtol": 1e-8, "maxiter": 10_000})
    if not np.isfinite(opt.fun) or (not opt.success and np.max(np.abs(gradient(opt.x))) > 1e-5):
        raise ConvergenceError(f"The selection model did not converge ({opt.message}); try fewer steps (or "
                               "type='beta'), or fit the model without moderators.")
    beta, tau2, delta = unpack(opt.x, transformed=True)
    ll = -objective(opt.x)

    estimated = np.r_[np.ones(p, bool), [] if fixed_tau2 else [True], free].astype(bool)
    natural = np.r_[beta, [] if fixed_tau2 else [tau2], delta[free]]
    steps_h = 1e-3 * np.maximum(np.abs(natural), 0.1)
    if not fixed_tau2 and tau2 > 0:  # keep τ² ± h inside (0, ∞)
        steps_h[p] = min(steps_h[p], tau2 / 4)
    H = _hessian(lambda th: objective(th, transformed=False), natural, steps_h)
    try:
        cov = np.linalg.inv(H)
        if np.any(np.diag(cov) < 0):
            raise np.linalg.LinAlgError
        ses = np.sqrt(np.diag(cov))
    except np.linalg.LinAlgError:
        ses = np.full(estimated.sum(), np.nan)
    se = ses[:p]
    tau2_se = float("nan") if fixed_tau2 else float(ses[p])
    delta_se = np.full(n_delta, np.nan)
    delta_se[free] = ses[p + (not fixed_tau2):]

    crit = stats.norm.isf((1 - level) / 2)
    stat = beta / se
    ll0 = _ml_log_lik(base)
    lrt = max(0.0, -2 * (ll0 - ll))
    lrt_df = int(free.sum())
    near = (delta[free] <= lo + np.finfo(float).eps ** 0.25) | (delta[free] >= hi - 100 * np.finfo(float).eps ** 0.25)
    note = ("one or more δ estimates are (almost) at their bound (0 or 100): treat the results with caution"
            if near.any() else None)
    return SelectionModelResult(
        type=type, alternative=alternative, steps=cuts, coef_names=result.coef_names, beta=_readonly(beta),
        se=_readonly(se), stat=_readonly(stat), pval=_readonly(2 * stats.norm.sf(np.abs(stat))),
        ci_lb=_readonly(beta - crit * se), ci_ub=_readonly(beta + crit * se), tau2=float(tau2), tau2_se=tau2_se,
        delta=_readonly(delta), delta_se=_readonly(delta_se), delta_fixed=tuple(bool(f) for f in ~free), ll=ll, ll0=ll0,
        lrt=lrt, lrt_df=lrt_df, lrt_pval=float(stats.chi2.sf(lrt, lrt_df)), k_per_interval=counts, level=level,
        note=note, model=base,
    )


def _ml_log_lik(fit: RMAResult) -> float:
    """The ML log-likelihood of a fitted model at its estimates (metafor's ``logLik(x, REML=FALSE)``)."""
    return float(np.sum(stats.norm.logpdf(fit.yi, fit.X @ fit.beta, np.sqrt(fit.vi + fit.tau2))))
