"""Many independent random-effects models at once: :func:`rma_batch`, vectorised over tables.

Every quantity of :func:`dprep.stats.meta.rma` is computed for a stack of ragged tables (arrays of
shape ``(n, k_max)`` with a mask) without a Python loop over tables: the weighted residual maker
:math:`P = W - WX(X'WX)^{-1}X'W` is never formed; its traces come from the p × p matrices
:math:`A = X'WX`, :math:`X'W^2X` and :math:`X'W^3X`:

.. math::
   \\mathrm{tr}(P) = \\textstyle\\sum w - \\mathrm{tr}(A^{-1}X'W^2X), \\quad
   \\mathrm{tr}(P^2) = \\textstyle\\sum w^2 - 2\\,\\mathrm{tr}(A^{-1}X'W^3X)
   + \\mathrm{tr}\\big((A^{-1}X'W^2X)^2\\big), \\quad Py = W(y - X\\hat\\beta).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from dprep.core import args
from dprep.stats.meta._common import _EPS, METHODS, TESTS, _check_variances, _wls
from dprep.stats.meta.tau2 import _LL_SLACK, _dl_batch, _he_batch

_FUNC = "rma_batch"


def _weights(vi: np.ndarray, mask: np.ndarray, tau2: np.ndarray) -> np.ndarray:
    return mask / (vi + tau2[:, None])


def _mad2(y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Squared normal-consistent median absolute deviation per table (scipy's ``scale="normal"``)."""
    ym = np.where(mask, y, np.nan)
    dev = np.abs(ym - np.nanmedian(ym, axis=1, keepdims=True))
    return (np.nanmedian(dev, axis=1) / stats.norm.ppf(0.75)) ** 2


def _tau2_pm(X, y, vi, mask, kp, tol, maxiter):
    """Paule–Mandel: the root of Q(τ²) = k - p by safeguarded Newton steps inside a bracket.

    Q is decreasing in τ² with derivative -Σ w²(y - Xβ̂)² (envelope theorem); the bracket starts at
    [0, max(100, 10·MAD²)] and doubles its upper end until it holds the root, as ``_common._root``.
    Iterates until the step is below ``tol``·max(1, τ²)·1e-3 (far inside ``rma``'s Brent tolerance).
    """
    n = len(y)
    q = lambda t, idx: _wls(X[idx], _weights(vi[idx], mask[idx], t), y[idx], traces=False)  # noqa: E731
    tau2 = np.zeros(n)
    converged = np.ones(n, bool)
    positive = q(tau2, slice(None))["ypy"] >= kp
    idx = np.flatnonzero(positive)
    lo, hi = np.zeros(idx.size), np.maximum(100.0, 10 * _mad2(y[idx], mask[idx]))
    while idx.size:
        above = q(hi, idx)["ypy"] > kp[idx]
        if not above.any():
            break
        hi[above] *= 2.0
        lost = hi > 1e12
        converged[idx[lost]] = False
        keep = ~lost
        idx, lo, hi = idx[keep], lo[keep], hi[keep]
    t = lo.copy()
    for _ in range(maxiter):
        if not idx.size:
            break
        fit = q(t, idx)
        g = fit["ypy"] - kp[idx]
        lo, hi = np.where(g > 0, t, lo), np.where(g > 0, hi, t)
        slope = -np.sum(fit["py"] ** 2, axis=1)  # dQ/dτ² = -Σ w² r²
        with np.errstate(divide="ignore", invalid="ignore"):
            new = t - g / slope
        outside = ~((new > lo) & (new < hi)) | ~np.isfinite(new)
        new = np.where(g == 0, t, np.where(outside, 0.5 * (lo + hi), new))
        done = np.abs(new - t) <= 1e-3 * tol * np.maximum(1.0, t)
        t = new
        tau2[idx[done]] = t[done]
        idx, t, lo, hi = idx[~done], t[~done], lo[~done], hi[~done]
    converged[idx] = False
    tau2[~converged] = np.nan
    w = _weights(vi, mask, tau2)
    k = mask.sum(axis=1)
    return tau2, np.sqrt(2 * k**2 / kp / np.sum(w, axis=1) ** 2), converged


def _log_lik(X, y, vi, mask, tau2, reml):
    """(Restricted) log-likelihood at τ² per table, constants included, as ``tau2._log_lik``."""
    w = _weights(vi, mask, tau2)
    fit = _wls(X, w, y, traces=False)
    k = mask.sum(axis=1)
    ll = -0.5 * np.sum(np.where(mask, np.log(np.where(mask, vi, 1.0) + tau2[:, None]), 0.0), axis=1)
    ll -= 0.5 * fit["ypy"]
    if reml:
        return ll - 0.5 * (k - X.shape[2]) * np.log(2 * np.pi) - 0.5 * np.linalg.slogdet(fit["A"])[1]
    return ll - 0.5 * k * np.log(2 * np.pi)


def _tau2_fisher(X, y, vi, mask, reml, tol, maxiter):
    """ML or REML by Fisher scoring from the HE start, table by table the algorithm of ``tau2._tau2_fisher``.

    Each table keeps its own state: steps halved until τ² stays ≥ 0 and the (restricted) log-likelihood
    does not decrease, a damping factor halved whenever a step reverses the previous one without being
    at most half as long, and convergence when a step is at most tol·max(1, τ²). Tables still moving
    after ``maxiter`` iterations are flagged and set to NaN. Then metafor's boundary check: τ² = 0 when
    its (restricted) likelihood beats the interior solution by more than ``tol``.
    """
    n = len(y)
    kp = mask.sum(axis=1) - X.shape[2]
    tau2 = _he_batch(X, y, np.where(mask, vi, 0.0), mask, kp)[0]
    final_ll = np.full(n, np.nan)
    idx, converged = np.arange(n), np.zeros(n, bool)
    Xa, ya, va, ma, t = X, y, vi, mask, tau2.copy()  # the tables still iterating, compacted as they finish
    ll = _log_lik(Xa, ya, va, ma, t, reml)
    damping, previous = np.ones(n), np.zeros(n)
    for _ in range(maxiter):
        w = _weights(va, ma, t)
        fit = _wls(Xa, w, ya)
        pp = np.add.reduce(fit["py"] ** 2, axis=1)
        if reml:
            raw = (pp - fit["tr_p"]) / fit["tr_pp"]
        else:
            raw = (pp - np.add.reduce(w, axis=1)) / np.add.reduce(w * w, axis=1)
        damping = np.where((raw * previous < 0) & (np.abs(raw) > 0.5 * np.abs(previous)), damping / 2, damping)
        previous, step = raw, damping * raw
        threshold = tol * np.maximum(1.0, t)
        new, ll_new = t.copy(), ll.copy()
        searching = np.ones(t.size, bool)
        while searching.any():
            s_ = np.flatnonzero(searching)
            cand = t[s_] + step[s_]
            small = np.abs(step[s_]) <= threshold[s_]
            cand = np.where(small, np.maximum(cand, 0.0), cand)
            ok = small | (cand >= 0)
            lls = np.full(s_.size, -np.inf)
            if ok.any():
                o = s_[ok]
                lls[ok] = _log_lik(Xa[o], ya[o], va[o], ma[o], cand[ok], reml)
            accept = small | (ok & (lls >= ll[s_] - _LL_SLACK * np.maximum(1.0, np.abs(ll[s_]))))
            new[s_[accept]], ll_new[s_[accept]] = cand[accept], lls[accept]
            step[s_[~accept]] /= 2
            searching[s_[accept]] = False
        t, ll = new, ll_new
        done = np.abs(step) <= threshold
        if done.any():
            tau2[idx[done]], final_ll[idx[done]], converged[idx[done]] = t[done], ll[done], True
            keep = ~done
            idx, Xa, ya, va, ma = idx[keep], Xa[keep], ya[keep], va[keep], ma[keep]
            t, ll, damping, previous = t[keep], ll[keep], damping[keep], previous[keep]
            if not idx.size:
                break
    tau2[~converged] = np.nan
    check = converged & (tau2 > tol)
    if check.any():
        c = np.flatnonzero(check)
        gain = _log_lik(X[c], y[c], vi[c], mask[c], np.zeros(c.size), reml) - final_ll[c]
        tau2[c[gain > tol]] = 0.0
    w = _weights(vi, mask, np.where(converged, tau2, 0.0))
    if reml:
        se = np.sqrt(2 / _wls(X, w, y)["tr_pp"])
    else:
        se = np.sqrt(2 / np.sum(w**2, axis=1))
    return tau2, np.where(converged, se, np.nan), converged


def _table(name: str, value: Any, shape: tuple[int, ...] | None = None) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim != 2 or (shape is not None and arr.shape != shape):
        want = "a 2-d array (n_tables, k_max)" if shape is None else f"an array of shape {shape}"
        args.fail(name, _FUNC, f"be {want}", f"shape {arr.shape}", raw=True)
    return arr


def rma_batch(
    yi: ArrayLike,
    vi: ArrayLike,
    mask: ArrayLike | None = None,
    *,
    mods: ArrayLike | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    tol: float = 1e-12,
    maxiter: int = 10_000,
) -> pd.DataFrame:
    r"""Fit many independent random-effects models at once, each exactly as :func:`rma` would.

    Table ``i`` holds the studies ``j`` with ``mask[i, j]``; tables may have different numbers of
    studies (ragged tables padded to ``k_max``; padded cells are ignored, whatever they hold).

    Parameters
    ----------
    yi : array_like, shape (n_tables, k_max)
        Effect sizes (analysis scale).
    vi : array_like, shape (n_tables, k_max)
        Sampling variances, > 0 where ``mask`` is True.
    mask : array_like of bool, shape (n_tables, k_max), optional
        True for the studies of each table; all True when omitted.
    mods : array_like, shape (n_tables, k_max, m), optional
        Numeric moderators without the intercept column (dummy-code factors first). By default the
        models are intercept-only (random-effects models); with ``mods`` the columns ``estimate, se,
        stat, pval, ci_lb, ci_ub, pi_lb, pi_ub`` describe the **intercept** (the expected effect at
        moderator values 0: with a 0/1 dummy, the reference subgroup) and ``qm, qm_p`` the omnibus test
        of the moderators; pseudo-R² is not computed.
    method : {"DL", "REML", "PM", "ML", "HE"}
        τ² estimator, as in :func:`rma`.
    test : {"z", "knha"}
        Wald-type z or Knapp–Hartung t inference (s² not truncated), as in :func:`rma`.
    level : float
        Confidence level of the CIs and prediction intervals, in (0, 1).
    tol : float
        Convergence tolerance on τ²: Fisher scoring stops when |Δτ²| ≤ tol·max(1, τ²) (a relative
        criterion, metafor's); PM roots are refined to well inside ``tol``.
    maxiter : int
        Maximum number of Fisher-scoring (ML, REML) or root-finding (PM) iterations.

    Returns
    -------
    pandas.DataFrame
        One row per table: ``k, estimate, se, stat, pval, ci_lb, ci_ub, pi_lb, pi_ub, tau2, tau2_se,
        q, q_df, q_p, i2, h2, qm, qm_p, converged``. ``stat`` is z, or t on k - p df under Knapp–Hartung;
        Q is Cochran's Q (fixed-effect weights) on ``q_df`` = k - p df; I² (%) and H² use metafor's
        typical sampling variance. Tables whose τ² did not converge have ``converged`` False and NaN
        results.

    Raises
    ------
    ArgumentError (a ValueError)
        On an invalid option, mismatched shapes, non-finite data or non-positive variances in the
        mask, a table with no studies, k ≤ p (other than k = 1 for intercept-only), or a rank-deficient
        model matrix in some table (the message names the first offending table).

    Notes
    -----
    With k = 1 (intercept only) τ² = 0, its se NaN, Q = 0, I² = 0 and H² = 1, as :func:`rma`; with
    ``test="knha"`` such a table gets a z test (Knapp–Hartung needs k > 1) and a warning, as metafor.

    The results equal :func:`rma` table by table up to floating-point rounding (the tests check
    1e-10 relative on random ragged batches for every estimator and test).

    References
    ----------
    Viechtbauer (2005), eqs. 6-12 (HE, DL, ML, REML, PM); Viechtbauer (2010), section 3; DerSimonian &
    Laird (1986); Paule & Mandel (1982); Knapp & Hartung (2003); Higgins & Thompson (2002).
    """
    args.option("method", _FUNC, method, METHODS)
    args.option("test", _FUNC, test, TESTS)
    level = args.level(_FUNC, level)
    maxiter = args.integer("maxiter", _FUNC, maxiter, 1)
    tol = args.positive("tol", _FUNC, tol)
    y = _table("yi", yi)
    v = _table("vi", vi, y.shape)
    m = np.ones(y.shape, bool) if mask is None else np.asarray(mask, dtype=bool)
    if m.shape != y.shape:
        args.fail("mask", _FUNC, f"have the shape of 'yi' {y.shape}", f"shape {m.shape}", raw=True)
    n, k_max = y.shape
    if mods is None:
        X = np.ones((n, k_max, 1))
    else:
        M = np.asarray(mods, dtype=float)
        if M.ndim != 3 or M.shape[:2] != y.shape:
            args.fail("mods", _FUNC, f"be an array of shape ({n}, {k_max}, m)", f"shape {M.shape}", raw=True)
        X = np.concatenate([np.ones((n, k_max, 1)), M], axis=2)
    p = X.shape[2]
    for name, arr in (("yi", y), ("vi", v), ("mods", X)):
        bad = ~np.isfinite(arr) & (m if arr.ndim == 2 else m[..., None])
        if bad.any():
            i = np.argwhere(bad)[0]
            args.fail(name, _FUNC, "contain finite numbers where 'mask' is True", f"{arr[tuple(i)]!r} at {tuple(int(j) for j in i)}", raw=True)
    _check_variances(v, _FUNC, m)
    k = m.sum(axis=1)
    single = (k == 1) & (p == 1)
    if np.any((k <= p) & ~single):
        i = int(np.flatnonzero((k <= p) & ~single)[0])
        args.fail("mask", _FUNC, f"select more studies than model coefficients ({p}) in every table",
                  f"k = {k[i]} in table {i}", raw=True)
    y, v = np.where(m, y, 0.0), np.where(m, v, 1.0)
    X = X * m[..., None]
    if p > 1:
        s = np.linalg.svd(X, compute_uv=False)
        deficient = s[:, -1] <= s[:, 0] * max(X.shape[1:]) * _EPS
        if deficient.any():
            args.fail("mods", _FUNC, "give a model matrix of full column rank in every table",
                      f"a rank-deficient matrix in table {int(np.flatnonzero(deficient)[0])}", raw=True)

    fits, tau2, tau2_se = ~single, np.zeros(n), np.full(n, np.nan)
    converged = np.ones(n, bool)
    if fits.any():
        idx = np.flatnonzero(fits)
        Xf, yf, vf, mf, kp = X[idx], y[idx], v[idx], m[idx], (k - p)[idx]
        if method == "HE":
            t, s_ = _he_batch(Xf, yf, np.where(mf, vf, 0.0), mf, kp)
            c = np.ones(idx.size, bool)
        elif method == "DL":
            t, s_ = _dl_batch(Xf, yf, vf, mf, kp)
            c = np.ones(idx.size, bool)
        elif method == "PM":
            t, s_, c = _tau2_pm(Xf, yf, vf, mf, kp, tol, maxiter)
        else:
            t, s_, c = _tau2_fisher(Xf, yf, vf, mf, method == "REML", tol, maxiter)
        tau2[idx], tau2_se[idx], converged[idx] = t, s_, c

    t0 = np.where(converged, tau2, 0.0)
    fit = _wls(X, _weights(v, m, t0), y, traces=False)
    beta, vb = fit["beta"], fit["A_inv"]
    ddf = k - p
    knha = np.full(n, test == "knha") & ~single  # k = 1: z tests, as rma and metafor
    if knha.any() and single.any() and test == "knha":
        warnings.warn("Setting test='z' for the tables with k = 1 (Knapp–Hartung needs k > 1), as metafor does.",
                      UserWarning, stacklevel=2)
    if test == "knha":
        rss = fit["ypy"]
        with np.errstate(divide="ignore", invalid="ignore"):
            s2w = np.where(ddf == 0, np.nan, np.where(rss <= _EPS, 0.0, rss / np.maximum(ddf, 1)))
        vb = np.where(knha, s2w, 1.0)[:, None, None] * vb
    safe = np.maximum(ddf, 1)
    crit = np.where(knha, stats.t.isf((1 - level) / 2, safe), stats.norm.isf((1 - level) / 2))
    se = np.sqrt(vb[:, 0, 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = beta[:, 0] / se
        pval = np.where(knha, 2 * stats.t.sf(np.abs(stat), safe), 2 * stats.norm.sf(np.abs(stat)))
    pi_se = np.sqrt(se**2 + t0)

    qm = qm_p = np.full(n, np.nan)
    if p > 1:
        b = beta[:, 1:]
        with np.errstate(invalid="ignore"):
            try:
                qm = np.einsum("np,np->n", b, np.linalg.solve(vb[:, 1:, 1:], b[..., None])[..., 0])
            except np.linalg.LinAlgError:  # s² = 0 in some table: no test there, as rma
                qm = np.array([np.nan if np.isnan(V).any() or np.linalg.det(V) == 0 else
                               float(bb @ np.linalg.solve(V, bb)) for bb, V in zip(b, vb[:, 1:, 1:])])
        if test == "knha":
            qm = qm / (p - 1)
            qm_p = np.where(ddf > 0, stats.f.sf(qm, p - 1, np.maximum(ddf, 1)), np.nan)
        else:
            qm_p = stats.chi2.sf(qm, p - 1)

    fe = _wls(X, _weights(v, m, np.zeros(n)), y)
    has_df = ddf > 0
    q = np.where(has_df, np.maximum(0.0, fe["ypy"]), 0.0)
    q_p = np.where(has_df, stats.chi2.sf(q, np.maximum(ddf, 1)), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        vt = np.where(has_df, ddf / fe["tr_p"], 0.0)
        i2 = np.where(has_df, 100 * t0 / (vt + t0), 0.0)
        h2 = np.where(has_df, t0 / vt + 1, 1.0)

    out = pd.DataFrame({
        "k": k, "estimate": beta[:, 0], "se": se, "stat": stat, "pval": pval,
        "ci_lb": beta[:, 0] - crit * se, "ci_ub": beta[:, 0] + crit * se,
        "pi_lb": beta[:, 0] - crit * pi_se, "pi_ub": beta[:, 0] + crit * pi_se,
        "tau2": tau2, "tau2_se": tau2_se, "q": q, "q_df": ddf, "q_p": q_p, "i2": i2, "h2": h2,
        "qm": qm, "qm_p": qm_p, "converged": converged,
    })
    out.loc[~converged, out.columns.difference(["k", "q", "q_df", "q_p", "converged"])] = np.nan
    return out
