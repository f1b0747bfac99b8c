"""Pieces shared by the estimators: option lists, the design matrix, weighted residual makers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from dprep.core import args, fmt
from dprep.core.errors import ConvergenceError

#: The estimators of τ² (random- and mixed-effects models).
METHODS: tuple[str, ...] = ("DL", "REML", "PM", "ML", "HE")
#: The fixed-effect (common-effect, τ² = 0) model, metafor's ``method="FE"``.
FIXED = "FE"
TESTS: tuple[str, ...] = ("z", "knha")

_EPS = np.finfo(float).eps
#: Relative size below which a quantity is round-off, i.e. zero (metafor's ``comptol``, √ε ≈ 1.5e-8).
_ZERO_RTOL = float(np.sqrt(_EPS))
#: The remedy every ConvergenceError of an iterative τ² estimator names.
REMEDY = "try method='DL' (closed form, no iteration), a looser tol or a larger maxiter"
#: Smallest sampling variance accepted: the weights 1/vi enter the traces of the estimators as 1/vi³, which
#: must be a float (vi > 5.6e-103). For Fisher's z, vi = 1/(n - 3): n up to 1e100.
VI_MIN = 1e-100
#: Largest ratio of the largest to the smallest sampling variance (metafor's ``1/evtol``: from it metafor warns
#: "Ratio of largest to smallest sampling variance extremely large. May not be able to obtain stable results").
#: The fixed-effect weights 1/vi then differ by more than Q, tr(P) and tr(P²) can carry in double precision
#: (their rounding error grows with the ratio, and with its square for tr(P²) at τ² = 0): refused here.
VI_RATIO_MAX = 1e7


def _check_variances(vi: np.ndarray, func: str, mask: np.ndarray | None = None) -> None:
    """Raise ArgumentError unless the sampling variances (1-d, or one table per row of a 2-d array, counted
    where ``mask``) are positive, at least :data:`VI_MIN`, and span a ratio below :data:`VI_RATIO_MAX`."""
    v = np.atleast_2d(vi)
    m = np.ones(v.shape, bool) if mask is None else np.atleast_2d(mask)

    def at(index: tuple[int, ...]) -> str:
        return f"position {index[1]}" if vi.ndim == 1 else f"{tuple(int(i) for i in index)}"

    for bad, must in ((m & ~(v > 0), "contain positive sampling variances"),
                      (m & (v < VI_MIN), f"contain sampling variances of at least {VI_MIN:g} (their weights 1/vi "
                                         "must stay floats to the third power)")):
        if bad.any():
            i = tuple(np.argwhere(bad)[0])
            args.fail("vi", func, must, f"{float(v[i])!r} at {at(i)}", raw=True)
    hi, lo = np.where(m, v, -np.inf), np.where(m, v, np.inf)
    ratio = hi.max(axis=1) / lo.min(axis=1)
    if np.any(ratio >= VI_RATIO_MAX):
        t = int(np.flatnonzero(ratio >= VI_RATIO_MAX)[0])
        big, small = (t, int(np.argmax(hi[t]))), (t, int(np.argmin(lo[t])))
        args.fail("vi", func, f"span a ratio of largest to smallest sampling variance below {VI_RATIO_MAX:,.0f} (beyond it "
                  "the weights 1/vi differ by more than double precision carries through Q, τ² and I²; metafor warns "
                  "that it may not obtain stable results)",
                  f"{ratio[t]:.3g} ({float(v[big])!r} at {at(big)}, {float(v[small])!r} at {at(small)})", raw=True)


def _negligible(value: Any, scale: Any) -> Any:
    """True where ``|value|`` is round-off relative to ``scale`` (|value| ≤ √ε·|scale|): treat it as 0.

    An exact ``== 0`` test misses zeros that iterative estimators and sums return as 1e-13 or 1e-17.
    """
    return np.abs(value) <= _ZERO_RTOL * np.abs(scale)


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, copy=True)
    a.setflags(write=False)
    return a


def _is_categorical(values: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values)


def _design(mods: Any, k: int, intercept: bool, func: str = "rma") -> tuple[np.ndarray, tuple[str, ...]]:
    """Model matrix (k, p) and coefficient names, as metafor's ``mods=`` argument builds them.

    A categorical column (strings, booleans, pandas ``category``) is dummy-coded with its first level in
    sorted order as the reference, like an R factor; numeric columns enter as they are. Error messages
    name the public function ``func``.
    """
    columns: list[np.ndarray] = [np.ones(k)] if intercept else []
    names: list[str] = ["intrcpt"] if intercept else []
    if mods is not None:
        if isinstance(mods, pd.DataFrame):
            frame = mods
        elif isinstance(mods, pd.Series):
            frame = mods.to_frame(name=mods.name if mods.name is not None else "mods")
        else:
            arr = np.asarray(mods)
            if arr.ndim == 1:
                arr = arr[:, None]
            if arr.ndim != 2:
                raise ValueError(
                    f"The 'mods' parameter of {func} must be a 1-d or 2-d array. Got shape {arr.shape} instead."
                )
            labels = ["mods"] if arr.shape[1] == 1 else [f"mods{j + 1}" for j in range(arr.shape[1])]
            frame = pd.DataFrame({lab: arr[:, j] for j, lab in enumerate(labels)})
        if len(frame) != k:
            raise ValueError(
                f"The 'mods' parameter of {func} must have one row per study ({k}). Got {len(frame)} rows instead."
            )
        for name in frame.columns:
            col = frame[name]
            if col.isna().any():
                raise ValueError(f"The 'mods' parameter of {func} must not contain missing values (column {name!r}).")
            if _is_categorical(col):
                text = col.astype(str).to_numpy()
                levels = sorted(set(text))
                if len(levels) < 2:
                    raise ValueError(
                        f"The 'mods' parameter of {func} must have at least two levels in categorical column "
                        f"{name!r}. Got only {levels!r} instead."
                    )
                for level in levels[1:] if intercept else levels:
                    columns.append((text == level).astype(float))
                    names.append(f"{name}{level}")
            else:
                columns.append(col.to_numpy(dtype=float))
                names.append(str(name))
    if not columns:
        raise ValueError(f"The 'mods' parameter of {func} must be given when 'intercept' is False.")
    X = np.column_stack(columns)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise ValueError(f"The model matrix of {func} must be of full column rank. "
                         "Got a rank-deficient matrix instead.")
    return X, tuple(names)


class _Coefficients:
    """What the results of fitted models share: k, p, the intercept-only case and the coefficient table.

    For result classes with the fields ``yi`` (k,), ``X`` (k, p), ``coef_names``, ``beta``, ``se``,
    ``stat``, ``pval``, ``ci_lb``, ``ci_ub`` (p,), ``qm_p`` and ``level``.
    """

    @property
    def k(self) -> int:
        """Number of effect sizes (of studies, in a two-level model)."""
        return int(self.yi.size)

    @property
    def p(self) -> int:
        """Number of model coefficients (including the intercept)."""
        return int(self.X.shape[1])

    @property
    def int_only(self) -> bool:
        """True for an intercept-only model."""
        return self.coef_names == ("intrcpt",)

    @property
    def estimate(self) -> float:
        """Pooled estimate μ̂ (intercept-only models; raises ValueError for a meta-regression)."""
        if not self.int_only:
            raise ValueError(
                f"The 'estimate' attribute of {type(self).__name__} exists for intercept-only models only. "
                f"Got a model with coefficients {self.coef_names} instead; use 'beta' or to_frame()."
            )
        return float(self.beta[0])

    def _pooled(self) -> dict[str, float]:
        """The intercept-only model's row: ``estimate, se, stat, pval, ci_lb, ci_ub``."""
        return {"estimate": self.estimate, "se": float(self.se[0]), "stat": float(self.stat[0]),
                "pval": float(self.pval[0]), "ci_lb": float(self.ci_lb[0]), "ci_ub": float(self.ci_ub[0])}

    def _fit_headline(self) -> dict[str, Any]:
        """The repr's numbers: μ̂ with se, CI and p, or the number of coefficients and the p of QM."""
        if self.int_only:
            pooled = self._pooled()
            return {key: pooled[key] for key in ("estimate", "se", "ci_lb", "ci_ub", "pval")}
        return {"coefficients": len(self.coef_names), "qm_p": self.qm_p}

    def _model_results(self, stat: str, inference: str) -> list[str]:
        """The end of metafor's printout: the coefficient table with ``stat`` ("zval", "tval") as its header."""
        table = self.to_frame().rename(columns={"stat": stat})
        table["pval"] = [fmt.pval(p, 4) for p in table["pval"]]
        return ["", f"Model Results ({inference}; {round(100 * self.level, 6):g}% CI):", "",
                table.to_string(index=False, float_format=lambda x: f"{x:.4f}")]

    def to_frame(self) -> pd.DataFrame:
        """Coefficient table: one row per coefficient.

        Returns
        -------
        pandas.DataFrame
            Columns ``name, estimate, se, stat, pval, ci_lb, ci_ub``; ``stat`` is z, or t with ``ddf`` df.
        """
        return pd.DataFrame({"name": list(self.coef_names), "estimate": self.beta, "se": self.se,
                             "stat": self.stat, "pval": self.pval, "ci_lb": self.ci_lb, "ci_ub": self.ci_ub})


def _moderators(p: int, intercept: bool) -> np.ndarray:
    """Indices of the coefficients tested by QM: all but the intercept (all of an intercept-only model)."""
    return np.arange(1, p) if intercept and p > 1 else np.arange(p)


def _omnibus(beta: np.ndarray, vb: np.ndarray, intercept: bool, f_test: bool,
             ddf: int) -> tuple[float, tuple[int, ...], float]:
    """Omnibus Wald test of the moderators: QM ~ χ²(m), or with ``f_test`` QM/m ~ F(m, ddf) (metafor)."""
    btt = _moderators(beta.size, intercept)
    m = btt.size
    try:
        qm = float(beta[btt] @ np.linalg.solve(vb[np.ix_(btt, btt)], beta[btt]))
    except np.linalg.LinAlgError:  # se = 0 (s² = 0 under Knapp–Hartung): no test, as metafor's NA
        qm = float("nan")
    if f_test:
        return qm / m, (m, ddf), float(stats.f.sf(qm / m, m, ddf)) if ddf > 0 else float("nan")
    return qm, (m,), float(stats.chi2.sf(qm, m))


# --------------------------------------------------------------------------------------------------------------
# weighted least squares in vector form (Viechtbauer, 2005, eq. 9, without the k × k residual maker)
#
# With A = X'WX, the residual maker P = W - WX A⁻¹ X'W is never formed; what the estimators need of it comes
# from p × p matrices: y'Py = Σ w r² with r = y - Xβ̂, Py = W r, tr(P) = Σ w - tr(A⁻¹X'W²X) and
# tr(P²) = Σ w² - 2 tr(A⁻¹X'W³X) + tr((A⁻¹X'W²X)²). Memory and time are O(k p²), not O(k²).
# The functions work on stacks of tables, shape (n, k, p) and (n, k) (rma_batch); _wls1 on one table.

def _mv(M: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Row-wise matrix-vector product: (n, k, p) · (n, p) → (n, k)."""
    return np.einsum("nkp,np->nk", M, v)


def _cross(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """X'WX per table: (n, k, p), (n, k) → (n, p, p)."""
    return np.einsum("nkp,nk,nkq->npq", X, w, X)


def _trace_prod(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """tr(AB) per table for (n, p, p) arrays."""
    return np.einsum("npq,nqp->n", A, B)


def _wls(X: np.ndarray, w: np.ndarray, y: np.ndarray, *, traces: bool = True) -> dict[str, np.ndarray]:
    """Weighted least squares per table, with y'Py, Py, tr(P) and tr(P²) for weights ``w`` (0 = masked)."""
    if X.shape[2] == 1:  # intercept only (X is 1 on the mask, w 0 off it): the same sums without p × p algebra
        total = np.add.reduce
        sw = total(w, axis=1)
        beta = total(w * y, axis=1) / sw
        r = y - beta[:, None]
        py = w * r
        out = {"A": sw[:, None, None], "A_inv": (1 / sw)[:, None, None], "beta": beta[:, None], "py": py,
               "ypy": total(py * r, axis=1)}
        if traces:
            w2 = w * w
            sw2 = total(w2, axis=1)
            out["tr_p"] = sw - sw2 / sw
            out["tr_pp"] = sw2 - 2 * total(w2 * w, axis=1) / sw + (sw2 / sw) ** 2
        return out
    A = _cross(X, w)
    A_inv = np.linalg.inv(A)
    beta = np.einsum("npq,nq->np", A_inv, np.einsum("nkp,nk->np", X, w * y))
    py = w * (y - _mv(X, beta))
    out = {"A": A, "A_inv": A_inv, "beta": beta, "py": py, "ypy": np.sum(py * (y - _mv(X, beta)), axis=1)}
    if traces:
        B2 = A_inv @ _cross(X, w**2)
        out["tr_p"] = np.sum(w, axis=1) - np.trace(B2, axis1=1, axis2=2)
        out["tr_pp"] = (np.sum(w**2, axis=1) - 2 * _trace_prod(A_inv, _cross(X, w**3))
                        + _trace_prod(B2, B2))
    return out


def _wls1(X: np.ndarray, w: np.ndarray, y: np.ndarray, *, traces: bool = True) -> dict[str, Any]:
    """:func:`_wls` for one table: X (k, p), w and y (k,); scalars as floats, ``py`` (k,), ``beta`` (p,)."""
    out = _wls(X[None], w[None], y[None], traces=traces)
    return {key: (float(val[0]) if val.ndim == 1 else val[0]) for key, val in out.items()}


def _q_gen(tau2: float, yi: np.ndarray, vi: np.ndarray, X: np.ndarray) -> float:
    """Generalised Q statistic y'P(τ²)y with weights 1/(vi + τ²) (Viechtbauer, 2007, eq. 5)."""
    return _wls1(X, 1.0 / (vi + tau2), yi, traces=False)["ypy"]


def _heterogeneity(yi: np.ndarray, vi: np.ndarray, X: np.ndarray) -> tuple[float, float]:
    """Cochran's Q (fixed-effect weights 1/vi, truncated at 0) and metafor's typical sampling variance
    ṽ = (k - p)/tr(P) of a model with k > p."""
    fe = _wls1(X, 1.0 / vi, yi)
    return max(0.0, fe["ypy"]), (X.shape[0] - X.shape[1]) / fe["tr_p"]


def _brent(func, lo: float, hi: float, what: str, remedy: str, **options: Any) -> float:
    """Brent's root of ``func`` in [lo, hi] (``options`` go to :func:`scipy.optimize.brentq`); SciPy's
    non-convergence (a RuntimeError) becomes a :class:`ConvergenceError` naming ``what`` and ``remedy``."""
    try:
        return optimize.brentq(func, lo, hi, **options)
    except RuntimeError as err:
        raise ConvergenceError(f"Brent's method did not converge on {what} ({err}); {remedy}.") from None


def _root(func, lower: float, upper: float, tol: float, what: str, remedy: str) -> float:
    """Root of a decreasing function in [lower, ∞), doubling the upper end until it is bracketed.

    ``what`` names the equation and ``remedy`` what to try in the :class:`ConvergenceError` raised when no
    root lies below 1e12 or Brent's method does not converge.
    """
    while func(upper) > 0:
        upper *= 2.0
        if upper > 1e12:
            raise ConvergenceError(f"No root of {what} below τ² = 1e12; {remedy}.")
    return _brent(func, lower, upper, what, remedy, xtol=tol, rtol=4 * _EPS, maxiter=10_000)


def _critical(test: str, level: float, ddf: float) -> float:
    """Two-sided critical value: t on ``ddf`` df for Knapp–Hartung ("knha") or t tests ("t"), else normal."""
    alpha = 1.0 - level
    return float(stats.t.isf(alpha / 2, ddf) if test in ("knha", "t") else stats.norm.isf(alpha / 2))
