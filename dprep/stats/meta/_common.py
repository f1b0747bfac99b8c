"""Pieces shared by the estimators: option lists, the design matrix, weighted residual makers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from dprep.core import fmt
from dprep.core.errors import ConvergenceError

#: The estimators of τ² (random- and mixed-effects models).
METHODS: tuple[str, ...] = ("DL", "REML", "PM", "ML", "HE")
#: The fixed-effect (common-effect, τ² = 0) model, metafor's ``method="FE"``.
FIXED = "FE"
TESTS: tuple[str, ...] = ("z", "knha")

_EPS = np.finfo(float).eps
#: Relative size below which a quantity is round-off, i.e. zero (metafor's ``comptol``, √ε ≈ 1.5e-8).
_ZERO_RTOL = float(np.sqrt(_EPS))


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


def _residual_maker(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """P = W - W X (X'WX)^{-1} X'W for weights ``w`` (Viechtbauer, 2005, eq. 9)."""
    WX = X * w[:, None]
    return np.diag(w) - WX @ np.linalg.solve(X.T @ WX, WX.T)


def _q_gen(tau2: float, yi: np.ndarray, vi: np.ndarray, X: np.ndarray) -> float:
    """Generalised Q statistic y'P(τ²)y with weights 1/(vi + τ²) (Viechtbauer, 2007, eq. 5)."""
    return float(yi @ _residual_maker(X, 1.0 / (vi + tau2)) @ yi)


def _root(func, lower: float, upper: float, tol: float) -> float:
    """Root of a decreasing function in [lower, ∞), doubling the upper end until it is bracketed."""
    while func(upper) > 0:
        upper *= 2.0
        if upper > 1e12:
            raise ConvergenceError("No root of the generalised-Q equation below τ² = 1e12.")
    return optimize.brentq(func, lower, upper, xtol=tol, rtol=4 * _EPS, maxiter=10_000)


def _critical(test: str, level: float, ddf: float) -> float:
    """Two-sided critical value: t on ``ddf`` df for Knapp–Hartung ("knha") or t tests ("t"), else normal."""
    alpha = 1.0 - level
    return float(stats.t.isf(alpha / 2, ddf) if test in ("knha", "t") else stats.norm.isf(alpha / 2))
