"""Estimators of the between-study variance τ² (metafor's ``rma.uni`` methods), each with its standard error."""

from __future__ import annotations

import numpy as np
from scipy import stats

from dprep.core.errors import ConvergenceError
from dprep.stats.meta._common import REMEDY, _cross, _q_gen, _root, _trace_prod, _wls, _wls1


def _he_batch(X, y, v, mask, kp):
    """Hedges (HE) estimator and its se per table: (y'Py - tr(PV)) / (k - p), P the OLS residual maker
    (2005, eq. 6); arrays as :func:`_wls` with ``v`` the variances (0 off the mask) and ``kp`` = k - p."""
    ols = _wls(X, mask.astype(float), y, traces=False)
    B = ols["A_inv"]
    BV = B @ _cross(X, v)
    tr_pv = np.sum(v, axis=1) - np.trace(BV, axis1=1, axis2=2)
    tr_pvpv = np.sum(v**2, axis=1) - 2 * _trace_prod(B, _cross(X, v**2)) + _trace_prod(BV, BV)
    tau2 = np.maximum(0.0, (ols["ypy"] - tr_pv) / kp)
    se = np.sqrt((2 * tr_pvpv + 4 * tau2 * tr_pv + 2 * tau2**2 * kp) / kp**2)
    return tau2, se


def _dl_batch(X, y, vi, mask, kp):
    """DerSimonian–Laird (DL) estimator and its se per table: (Q - (k - p)) / tr(P), weights 1/vi (2005,
    eq. 7); arrays as :func:`_he_batch` (``vi`` 1 off the mask)."""
    fe = _wls(X, mask / vi, y)
    tau2 = np.maximum(0.0, (fe["ypy"] - kp) / fe["tr_p"])
    se = np.sqrt((2 * kp + 4 * tau2 * fe["tr_p"] + 2 * tau2**2 * fe["tr_pp"]) / fe["tr_p"] ** 2)
    return tau2, se


def _single(estimator, yi, vi, X) -> tuple[float, float]:
    """A per-table estimator (``_he_batch``, ``_dl_batch``) applied to one table."""
    k, p = X.shape
    tau2, se = estimator(X[None], yi[None], vi[None], np.ones((1, k), bool), np.array([k - p]))
    return float(tau2[0]), float(se[0])


def _tau2_he(yi, vi, X):
    """Hedges (HE) estimator and its se for one table (:func:`_he_batch`)."""
    return _single(_he_batch, yi, vi, X)


def _tau2_dl(yi, vi, X):
    """DerSimonian–Laird (DL) estimator and its se for one table (:func:`_dl_batch`)."""
    return _single(_dl_batch, yi, vi, X)


def _tau2_pm(yi, vi, X, tol):
    """Paule–Mandel (PM) estimator, the root of Q(τ²) = k - p (2005, eq. 12), and metafor's se."""
    k, p = X.shape
    if _q_gen(0.0, yi, vi, X) < k - p:
        tau2 = 0.0
    else:
        upper = max(100.0, 10 * stats.median_abs_deviation(yi, scale="normal") ** 2)
        tau2 = _root(lambda t: _q_gen(t, yi, vi, X) - (k - p), 0.0, upper, tol,
                     "the Paule–Mandel equation Q(τ²) = k − p", REMEDY)
    w = 1.0 / (vi + tau2)
    return tau2, np.sqrt(2 * k**2 / (k - p) / np.sum(w) ** 2)


def _log_lik(tau2, yi, vi, X, reml):
    """Log-likelihood (ML) or restricted log-likelihood (REML) at τ² (Viechtbauer, 2005, eqs. 10-11)."""
    k, p = X.shape
    w = 1.0 / (vi + tau2)
    XtWX = X.T @ (X * w[:, None])
    beta = np.linalg.solve(XtWX, X.T @ (w * yi))
    rss = np.sum(w * (yi - X @ beta) ** 2)
    ll = -0.5 * np.sum(np.log(vi + tau2)) - 0.5 * rss
    if reml:
        return ll - 0.5 * (k - p) * np.log(2 * np.pi) - 0.5 * np.linalg.slogdet(XtWX)[1]
    return ll - 0.5 * k * np.log(2 * np.pi)


#: A step is refused only when the log-likelihood falls by more than this (relative): near the maximum the
#: likelihood is flat to rounding, and a comparison at machine precision would halve steps on noise and
#: stop short of the maximum.
_LL_SLACK = 1e-10


def _tau2_fisher(yi, vi, X, reml, tol, maxiter):
    r"""ML or REML τ² by Fisher scoring from the HE estimate, with step halving (metafor's algorithm).

    Two safeguards keep the iteration from cycling: a step is halved until τ² stays ≥ 0 and the
    (restricted) log-likelihood does not decrease; and when a step reverses the direction of the previous
    one without being at most half as long (the iteration is bouncing across the maximum), every later step
    is damped by a further factor ½ (metafor's ``control=list(stepadj=0.5)``, applied only when needed).
    Convergence is a change below ``tol`` relative to max(1, τ²): an absolute criterion cannot be met when
    τ² is in the thousands, where the spacing of floating-point numbers alone is ~1e-13.
    """
    tau2 = _tau2_he(yi, vi, X)[0]
    ll = _log_lik(tau2, yi, vi, X, reml)
    damping, previous = 1.0, 0.0
    for _ in range(maxiter):
        w = 1.0 / (vi + tau2)
        fit = _wls1(X, w, yi)
        py2 = float(fit["py"] @ fit["py"])
        if reml:
            raw = (py2 - fit["tr_p"]) / fit["tr_pp"]
        else:
            raw = (py2 - np.sum(w)) / np.sum(w**2)
        if raw * previous < 0 and abs(raw) > 0.5 * abs(previous):
            damping /= 2
        previous, step = raw, damping * raw
        threshold = tol * max(1.0, tau2)
        while True:
            new = tau2 + step
            if abs(step) <= threshold:  # converged (possibly at the boundary τ² = 0)
                new = max(new, 0.0)
                ll_new = _log_lik(new, yi, vi, X, reml)
                break
            if new >= 0:
                ll_new = _log_lik(new, yi, vi, X, reml)
                if ll_new >= ll - _LL_SLACK * max(1.0, abs(ll)):
                    break
            step /= 2
        tau2, ll = new, ll_new
        if abs(step) <= threshold:
            break
    else:
        raise ConvergenceError(f"Fisher scoring for τ² ({'REML' if reml else 'ML'}) did not converge in {maxiter} "
                               f"iterations; {REMEDY}.")
    # metafor's 'll0check': a boundary maximum at τ² = 0 beats an interior local maximum
    if tau2 > tol and _log_lik(0.0, yi, vi, X, reml) - ll > tol:
        tau2 = 0.0
    w = 1.0 / (vi + tau2)
    if reml:
        return tau2, np.sqrt(2 / _wls1(X, w, yi)["tr_pp"])
    return tau2, np.sqrt(2 / np.sum(w**2))


def _estimate_tau2(method, yi, vi, X, tol, maxiter):
    if method == "DL":
        return _tau2_dl(yi, vi, X)
    if method == "HE":
        return _tau2_he(yi, vi, X)
    if method == "PM":
        return _tau2_pm(yi, vi, X, tol)
    return _tau2_fisher(yi, vi, X, reml=(method == "REML"), tol=tol, maxiter=maxiter)
