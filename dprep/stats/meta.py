"""Random-effects meta-analysis and meta-regression on any (yi, vi), after metafor's ``rma.uni``.

The structure follows metafor (Viechtbauer, 2010) so that a metafor user can read it side by side:

* :func:`escalc_zcor` — Fisher's z of a correlation and its sampling variance (``escalc(measure="ZCOR")``);
* :func:`rma` — the (mixed-effects) model with the DL, REML, PM, ML or HE estimator of τ², Wald-type (z)
  or Knapp–Hartung (t) inference, Cochran's Q, I², H², the omnibus test of moderators QM and pseudo-R²;
* :func:`confint` — Q-profile confidence intervals of τ², I² and H² (``confint.rma.uni``);
* :func:`predict` — the pooled (or fitted) value with its confidence and prediction interval (``predict.rma``);
* :func:`regtest`, :func:`trimfill`, :func:`leave1out` — Egger's regression test, trim-and-fill and the
  leave-one-out analysis;
* :func:`subgroup_analysis` — per-subgroup pooled estimates and the QM test of the grouping moderator;
* :func:`z_to_r` and :func:`correlation_summary` — back-transformation of Fisher's z to the correlation scale.

All variances are on the analysis scale (e.g. Fisher z², log risk ratio²).

References
----------
.. [1] Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package. Journal of
   Statistical Software, 36(3), 1-48. https://doi.org/10.18637/jss.v036.i03
.. [2] Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators in the
   random-effects model. Journal of Educational and Behavioral Statistics, 30(3), 261-293.
.. [3] DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials. Controlled Clinical Trials,
   7(3), 177-188.
.. [4] Paule, R. C., & Mandel, J. (1982). Consensus values and weighting factors. Journal of Research of
   the National Bureau of Standards, 87(5), 377-385.
.. [5] Knapp, G., & Hartung, J. (2003). Improved tests for a random effects meta-regression with a single
   covariate. Statistics in Medicine, 22(17), 2693-2710.
.. [6] Viechtbauer, W. (2007). Confidence intervals for the amount of heterogeneity in meta-analysis.
   Statistics in Medicine, 26(1), 37-52.
.. [7] Higgins, J. P. T., & Thompson, S. G. (2002). Quantifying heterogeneity in a meta-analysis.
   Statistics in Medicine, 21(11), 1539-1558.
.. [8] Egger, M., Davey Smith, G., Schneider, M., & Minder, C. (1997). Bias in meta-analysis detected by a
   simple, graphical test. BMJ, 315(7109), 629-634.
.. [9] Duval, S., & Tweedie, R. (2000). Trim and fill: A simple funnel-plot-based method of testing and
   adjusting for publication bias in meta-analysis. Biometrics, 56(2), 455-463.
.. [10] Raudenbush, S. W. (2009). Analyzing effect sizes: Random-effects models. In H. Cooper, L. V. Hedges,
   & J. C. Valentine (Eds.), The handbook of research synthesis and meta-analysis (2nd ed., pp. 295-315).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize, stats

Method = Literal["DL", "REML", "PM", "ML", "HE"]
Test = Literal["z", "knha"]

METHODS: tuple[str, ...] = ("DL", "REML", "PM", "ML", "HE")
TESTS: tuple[str, ...] = ("z", "knha")

_EPS = np.finfo(float).eps


# --------------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------------


def _check_option(name: str, value: Any, allowed: Sequence[str], func: str) -> None:
    if value not in allowed:
        raise ValueError(
            f"The '{name}' parameter of {func} must be one of {', '.join(map(repr, allowed))}. "
            f"Got {value!r} instead."
        )


def _check_level(level: float, func: str) -> float:
    if not (isinstance(level, (int, float, np.floating)) and 0.0 < float(level) < 1.0):
        raise ValueError(
            f"The 'level' parameter of {func} must be a float in (0, 1), e.g. 0.95. Got {level!r} instead."
        )
    return float(level)


def _as_vector(x: ArrayLike, name: str, func: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"The '{name}' parameter of {func} must be a 1-d array of numbers. Got {x!r} instead."
        ) from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"The '{name}' parameter of {func} must be a non-empty 1-d array. Got shape {arr.shape} instead."
        )
    if not np.all(np.isfinite(arr)):
        bad = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise ValueError(
            f"The '{name}' parameter of {func} must contain finite numbers only. "
            f"Got {arr[bad]!r} at position {bad} instead."
        )
    return arr


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, copy=True)
    a.setflags(write=False)
    return a


# --------------------------------------------------------------------------------------------------
# Effect sizes for correlations
# --------------------------------------------------------------------------------------------------


def escalc_zcor(r: ArrayLike, n: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Fisher's r-to-z transformed correlation and its sampling variance.

    Parameters
    ----------
    r : array_like, shape (k,)
        Pearson correlations, each strictly inside (-1, 1).
    n : array_like, shape (k,)
        Sample sizes, each > 3.

    Returns
    -------
    yi : ndarray, shape (k,)
        Fisher's z, ``atanh(r)``.
    vi : ndarray, shape (k,)
        Sampling variances ``1 / (n - 3)`` (z units squared).

    Raises
    ------
    ValueError
        If ``r`` and ``n`` differ in length, ``|r| >= 1`` or ``n <= 3``.

    References
    ----------
    Fisher, R. A. (1921). On the "probable error" of a coefficient of correlation deduced from a small
    sample. Metron, 1, 3-32. Same as metafor's ``escalc(measure="ZCOR")`` (Viechtbauer, 2010, Table 1).
    """
    r = _as_vector(r, "r", "escalc_zcor")
    n = _as_vector(n, "n", "escalc_zcor")
    if r.shape != n.shape:
        raise ValueError(
            f"The 'n' parameter of escalc_zcor must have the same length as 'r' ({r.size}). "
            f"Got length {n.size} instead."
        )
    if np.any(np.abs(r) >= 1):
        bad = int(np.flatnonzero(np.abs(r) >= 1)[0])
        raise ValueError(
            f"The 'r' parameter of escalc_zcor must lie strictly inside (-1, 1). "
            f"Got {r[bad]!r} at position {bad} instead."
        )
    if np.any(n <= 3):
        bad = int(np.flatnonzero(n <= 3)[0])
        raise ValueError(
            f"The 'n' parameter of escalc_zcor must be greater than 3. Got {n[bad]!r} at position {bad} instead."
        )
    return np.arctanh(r), 1.0 / (n - 3.0)


def z_to_r(z: ArrayLike) -> np.ndarray:
    """Back-transform Fisher's z to a correlation, ``r = tanh(z)``.

    Parameters
    ----------
    z : array_like
        Fisher z values (any shape).

    Returns
    -------
    ndarray
        Correlations, same shape as ``z``.

    References
    ----------
    metafor ``transf.ztor`` (Viechtbauer, 2010).
    """
    return np.tanh(np.asarray(z, dtype=float))


# --------------------------------------------------------------------------------------------------
# Design matrix
# --------------------------------------------------------------------------------------------------


def _is_categorical(values: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values)


def _design(mods: Any, k: int, intercept: bool) -> tuple[np.ndarray, tuple[str, ...]]:
    """Model matrix (k, p) and coefficient names, as metafor's ``mods=`` argument builds them.

    A categorical column (strings, booleans, pandas ``category``) is dummy-coded with its first level in
    sorted order as the reference, like an R factor; numeric columns enter as they are.
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
                    f"The 'mods' parameter of rma must be a 1-d or 2-d array. Got shape {arr.shape} instead."
                )
            labels = ["mods"] if arr.shape[1] == 1 else [f"mods{j + 1}" for j in range(arr.shape[1])]
            frame = pd.DataFrame({lab: arr[:, j] for j, lab in enumerate(labels)})
        if len(frame) != k:
            raise ValueError(
                f"The 'mods' parameter of rma must have one row per study ({k}). Got {len(frame)} rows instead."
            )
        for name in frame.columns:
            col = frame[name]
            if col.isna().any():
                raise ValueError(f"The 'mods' parameter of rma must not contain missing values (column {name!r}).")
            if _is_categorical(col):
                text = col.astype(str).to_numpy()
                levels = sorted(set(text))
                if len(levels) < 2:
                    raise ValueError(
                        f"The 'mods' parameter of rma must have at least two levels in categorical column "
                        f"{name!r}. Got only {levels!r} instead."
                    )
                for level in levels[1:] if intercept else levels:
                    columns.append((text == level).astype(float))
                    names.append(f"{name}{level}")
            else:
                columns.append(col.to_numpy(dtype=float))
                names.append(str(name))
    if not columns:
        raise ValueError("The 'mods' parameter of rma must be given when 'intercept' is False.")
    X = np.column_stack(columns)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise ValueError("The model matrix of rma must be of full column rank. Got a rank-deficient matrix instead.")
    return X, tuple(names)


# --------------------------------------------------------------------------------------------------
# Linear algebra shared by the estimators
# --------------------------------------------------------------------------------------------------


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
            raise RuntimeError("No root of the generalised-Q equation below τ² = 1e12.")
    return optimize.brentq(func, lower, upper, xtol=tol, rtol=4 * _EPS, maxiter=10_000)


# --------------------------------------------------------------------------------------------------
# τ² estimators (metafor rma.uni)
# --------------------------------------------------------------------------------------------------


def _tau2_he(yi, vi, X):
    """Hedges (HE) estimator and its se: (y'Py - tr(PV)) / (k - p), P the OLS residual maker (2005, eq. 6)."""
    k, p = X.shape
    P = np.eye(k) - X @ np.linalg.solve(X.T @ X, X.T)
    PV = P * vi[None, :]
    tr_pv = np.trace(PV)
    tau2 = max(0.0, (yi @ P @ yi - tr_pv) / (k - p))
    se = np.sqrt((2 * np.sum(PV * PV.T) + 4 * tau2 * tr_pv + 2 * tau2**2 * (k - p)) / (k - p) ** 2)
    return tau2, se


def _tau2_dl(yi, vi, X):
    """DerSimonian–Laird (DL) estimator and its se: (Q - (k - p)) / tr(P), weights 1/vi (2005, eq. 7)."""
    k, p = X.shape
    P = _residual_maker(X, 1.0 / vi)
    tr_p = np.trace(P)
    tau2 = max(0.0, (yi @ P @ yi - (k - p)) / tr_p)
    se = np.sqrt((2 * (k - p) + 4 * tau2 * tr_p + 2 * tau2**2 * np.sum(P * P)) / tr_p**2)
    return tau2, se


def _tau2_pm(yi, vi, X, tol):
    """Paule–Mandel (PM) estimator, the root of Q(τ²) = k - p (2005, eq. 12), and metafor's se."""
    k, p = X.shape
    if _q_gen(0.0, yi, vi, X) < k - p:
        tau2 = 0.0
    else:
        upper = max(100.0, 10 * stats.median_abs_deviation(yi, scale="normal") ** 2)
        tau2 = _root(lambda t: _q_gen(t, yi, vi, X) - (k - p), 0.0, upper, tol)
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


def _tau2_fisher(yi, vi, X, reml, tol, maxiter):
    """ML or REML τ² by Fisher scoring with step halving, started at the HE estimate (metafor)."""
    tau2 = _tau2_he(yi, vi, X)[0]
    for _ in range(maxiter):
        w = 1.0 / (vi + tau2)
        P = _residual_maker(X, w)
        Py = P @ yi
        if reml:
            adj = (Py @ Py - np.trace(P)) / np.sum(P * P)
        else:
            adj = (Py @ Py - np.sum(w)) / np.sum(w**2)
        while tau2 + adj < 0:
            adj /= 2
        tau2 += adj
        if abs(adj) <= tol:
            break
    else:
        raise RuntimeError(f"Fisher scoring for τ² did not converge in {maxiter} iterations.")
    # metafor's 'll0check': a boundary maximum at τ² = 0 beats an interior local maximum
    if tau2 > tol and _log_lik(0.0, yi, vi, X, reml) - _log_lik(tau2, yi, vi, X, reml) > tol:
        tau2 = 0.0
    w = 1.0 / (vi + tau2)
    if reml:
        P = _residual_maker(X, w)
        return tau2, np.sqrt(2 / np.sum(P * P))
    return tau2, np.sqrt(2 / np.sum(w**2))


def _estimate_tau2(method, yi, vi, X, tol, maxiter):
    if method == "DL":
        return _tau2_dl(yi, vi, X)
    if method == "HE":
        return _tau2_he(yi, vi, X)
    if method == "PM":
        return _tau2_pm(yi, vi, X, tol)
    return _tau2_fisher(yi, vi, X, reml=(method == "REML"), tol=tol, maxiter=maxiter)


# --------------------------------------------------------------------------------------------------
# Result objects
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RMAResult:
    """A fitted random/mixed-effects model, the counterpart of metafor's ``rma.uni`` object.

    Arrays are read-only. ``stat`` holds z values (``test="z"``) or t values with ``ddf`` degrees of
    freedom (``test="knha"``); ``qm`` is a χ² statistic with ``qm_df[0]`` df, or an F statistic with
    ``qm_df`` = (m, k - p) under Knapp–Hartung.
    """

    yi: np.ndarray
    vi: np.ndarray
    X: np.ndarray
    coef_names: tuple[str, ...]
    method: str
    test: str
    level: float
    beta: np.ndarray
    vb: np.ndarray
    se: np.ndarray
    stat: np.ndarray
    pval: np.ndarray
    ci_lb: np.ndarray
    ci_ub: np.ndarray
    tau2: float
    tau2_se: float
    q: float
    q_df: int
    q_p: float
    i2: float
    h2: float
    vt: float
    qm: float
    qm_df: tuple[int, ...]
    qm_p: float
    r2: float | None
    s2w: float
    tol: float = field(default=1e-12, repr=False)
    maxiter: int = field(default=10_000, repr=False)

    @property
    def k(self) -> int:
        """Number of studies."""
        return int(self.yi.size)

    @property
    def p(self) -> int:
        """Number of model coefficients (including the intercept)."""
        return int(self.X.shape[1])

    @property
    def ddf(self) -> int | None:
        """Degrees of freedom of the t tests (k - p) under Knapp–Hartung, else ``None``."""
        return self.k - self.p if self.test == "knha" else None

    @property
    def int_only(self) -> bool:
        """True for an intercept-only (random-effects) model."""
        return self.coef_names == ("intrcpt",)

    @property
    def estimate(self) -> float:
        """Pooled estimate μ̂ (intercept-only models; raises ValueError for a meta-regression)."""
        if not self.int_only:
            raise ValueError(
                "The 'estimate' attribute of RMAResult exists for intercept-only models only. "
                f"Got a model with coefficients {self.coef_names} instead; use 'beta' or summary_frame()."
            )
        return float(self.beta[0])

    @property
    def weights(self) -> np.ndarray:
        """Percentage weights 100·wᵢ/Σw with wᵢ = 1/(vᵢ + τ²), shape (k,)."""
        w = 1.0 / (self.vi + self.tau2)
        return 100 * w / w.sum()

    @property
    def tau(self) -> float:
        """τ, the between-study standard deviation (analysis units)."""
        return float(np.sqrt(self.tau2))

    def summary_frame(self) -> pd.DataFrame:
        """Coefficient table: one row per coefficient.

        Returns
        -------
        pandas.DataFrame
            Columns ``name, estimate, se, stat, pval, ci_lb, ci_ub``; ``stat`` is z, or t with ``ddf`` df.
        """
        return pd.DataFrame(
            {
                "name": list(self.coef_names),
                "estimate": self.beta,
                "se": self.se,
                "stat": self.stat,
                "pval": self.pval,
                "ci_lb": self.ci_lb,
                "ci_ub": self.ci_ub,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python summary (no input data): coefficients, heterogeneity and moderator test."""
        out: dict[str, Any] = {
            "k": self.k,
            "method": self.method,
            "test": self.test,
            "level": self.level,
            "coefficients": self.summary_frame().to_dict(orient="records"),
            "tau2": self.tau2,
            "tau2_se": self.tau2_se,
            "q": self.q,
            "q_df": self.q_df,
            "q_p": self.q_p,
            "i2": self.i2,
            "h2": self.h2,
            "ddf": self.ddf,
        }
        if self.int_only:
            out.update(estimate=self.estimate, se=float(self.se[0]), stat=float(self.stat[0]),
                       pval=float(self.pval[0]), ci_lb=float(self.ci_lb[0]), ci_ub=float(self.ci_ub[0]))
        else:
            out.update(qm=self.qm, qm_df=list(self.qm_df), qm_p=self.qm_p, r2=self.r2)
        return out


# --------------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------------


def _critical(test: str, level: float, ddf: int) -> float:
    alpha = 1.0 - level
    return float(stats.t.isf(alpha / 2, ddf) if test == "knha" else stats.norm.isf(alpha / 2))


def rma(
    yi: ArrayLike,
    vi: ArrayLike,
    *,
    method: Method = "REML",
    test: Test = "z",
    level: float = 0.95,
    mods: ArrayLike | pd.Series | pd.DataFrame | None = None,
    intercept: bool = True,
    tol: float = 1e-12,
    maxiter: int = 10_000,
) -> RMAResult:
    r"""Fit a random-effects model, or a mixed-effects meta-regression, as metafor's ``rma.uni``.

    The model is :math:`y_i = x_i'\beta + u_i + e_i` with :math:`u_i \sim N(0, \tau^2)` and
    :math:`e_i \sim N(0, v_i)`. τ² is estimated first (and truncated at 0), then β by weighted least
    squares with weights :math:`w_i = 1/(v_i + \hat\tau^2)`.

    Parameters
    ----------
    yi : array_like, shape (k,)
        Observed effect sizes (analysis scale, e.g. Fisher z or log risk ratio).
    vi : array_like, shape (k,)
        Their sampling variances (analysis units squared), all > 0.
    method : {"DL", "REML", "PM", "ML", "HE"}
        τ² estimator: DerSimonian–Laird, restricted maximum likelihood, Paule–Mandel, maximum likelihood,
        Hedges (variance components). ML and REML use metafor's Fisher scoring; PM solves
        :math:`Q(\tau^2) = k - p` by Brent's method.
    test : {"z", "knha"}
        Wald-type z tests and normal CIs, or the Knapp–Hartung (Hartung–Knapp–Sidik–Jonkman) method: the
        covariance of β̂ is scaled by :math:`s^2 = \sum w_i (y_i - x_i'\hat\beta)^2/(k-p)`, *not truncated at
        1* (metafor's default, unlike ``test="adhoc"``), with t tests on k - p df and an F test for QM.
    level : float
        Confidence level in (0, 1).
    mods : array_like, pandas.Series or pandas.DataFrame, optional
        Moderators, one row per study, without the intercept column. Numeric columns enter as they are;
        text, boolean or ``category`` columns are dummy-coded against their first level (sorted), like an R
        factor. Coefficient names follow metafor ("intrcpt", "ablat", "instrument_typeStrings").
    intercept : bool
        Add an intercept column (metafor default).
    tol : float
        Convergence tolerance on τ² for Fisher scoring and Brent's method (metafor's ``threshold``/``tol``;
        metafor's defaults are looser, 1e-5 and ~1.2e-4).
    maxiter : int
        Maximum number of Fisher-scoring iterations.

    Returns
    -------
    RMAResult
        Coefficients with se, z or t, p and CI; τ² with metafor's standard error for the chosen
        estimator; Q (QE), its df and p; I² and H²; QM, its df and p; pseudo-R² (mixed-effects models with
        an intercept).

    Raises
    ------
    ValueError
        On invalid options, non-finite or non-positive variances, mismatched lengths, k ≤ p, or a
        rank-deficient model matrix.

    Notes
    -----
    I² and H² use metafor's "typical" sampling variance :math:`\tilde v = (k-p)/\mathrm{tr}(P)` with
    :math:`P = W - WX(X'WX)^{-1}X'W`, :math:`W = \mathrm{diag}(1/v_i)`: :math:`I^2 = 100\,\tau^2/(\tilde v
    + \tau^2)`, :math:`H^2 = (\tilde v + \tau^2)/\tilde v` (Higgins & Thompson, 2002, eqs. 9-10, generalised
    as in metafor). Pseudo-R² is :math:`\max(0, 100(\tau^2_{RE} - \tau^2)/\tau^2_{RE})` (Raudenbush, 2009),
    with :math:`\tau^2_{RE}` from the intercept-only model fitted with the same method; 0 if
    :math:`\tau^2_{RE} = 0` (metafor ≥ 4).

    With k = 1 (intercept only) τ² is set to 0 and Q = 0, I² = 0, H² = 1, as metafor does.

    References
    ----------
    Viechtbauer (2010), section 3 and eqs. 5-12; Viechtbauer (2005) eqs. 6-12 (DL, HE, ML, REML, PM);
    DerSimonian & Laird (1986); Paule & Mandel (1982); Knapp & Hartung (2003) eqs. 7-8; Higgins & Thompson
    (2002); Raudenbush (2009) eq. 16.
    """
    _check_option("method", method, METHODS, "rma")
    _check_option("test", test, TESTS, "rma")
    level = _check_level(level, "rma")
    yi = _as_vector(yi, "yi", "rma")
    vi = _as_vector(vi, "vi", "rma")
    if vi.shape != yi.shape:
        raise ValueError(
            f"The 'vi' parameter of rma must have the same length as 'yi' ({yi.size}). Got length {vi.size} instead."
        )
    if np.any(vi <= 0):
        bad = int(np.flatnonzero(vi <= 0)[0])
        raise ValueError(
            f"The 'vi' parameter of rma must contain positive sampling variances. "
            f"Got {vi[bad]!r} at position {bad} instead."
        )
    k = yi.size
    X, names = _design(mods, k, intercept)
    p = X.shape[1]
    single = k == 1 and p == 1
    if k <= p and not single:
        raise ValueError(
            f"The 'yi' parameter of rma must have more studies than model coefficients ({p}). Got k = {k} instead."
        )

    if single:
        tau2, tau2_se = 0.0, float("nan")
    else:
        tau2, tau2_se = _estimate_tau2(method, yi, vi, X, tol, maxiter)

    w = 1.0 / (vi + tau2)
    XtW = X.T * w
    vb = np.linalg.inv(XtW @ X)
    beta = vb @ (XtW @ yi)
    s2w = 1.0
    if test == "knha":  # needs residual df; metafor sets s² = 0 when the residuals all vanish
        rss = float(np.sum(w * (yi - X @ beta) ** 2))
        s2w = float("nan") if k == p else (0.0 if rss <= _EPS else rss / (k - p))
        vb = s2w * vb
    se = np.sqrt(np.diag(vb))
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = beta / se
    ddf = k - p
    if test == "knha":
        pval = 2 * stats.t.sf(np.abs(stat), ddf) if ddf > 0 else np.full(p, np.nan)
        crit = _critical(test, level, ddf) if ddf > 0 else float("nan")
    else:
        pval = 2 * stats.norm.sf(np.abs(stat))
        crit = _critical(test, level, ddf)

    # omnibus test of the moderators (all coefficients but the intercept)
    btt = np.arange(1, p) if intercept and p > 1 else np.arange(p)
    m = btt.size
    try:
        qm = float(beta[btt] @ np.linalg.solve(vb[np.ix_(btt, btt)], beta[btt]))
    except np.linalg.LinAlgError:  # se = 0 (s² = 0 under Knapp–Hartung): no test, as metafor's NA
        qm = float("nan")
    if test == "knha":
        qm, qm_df = qm / m, (m, ddf)
        qm_p = float(stats.f.sf(qm, m, ddf)) if ddf > 0 else float("nan")
    else:
        qm_df = (m,)
        qm_p = float(stats.chi2.sf(qm, m))

    # heterogeneity: Q with fixed-effect weights, I² and H² from the typical sampling variance
    if k > p:
        P = _residual_maker(X, 1.0 / vi)
        q = max(0.0, float(yi @ P @ yi))
        q_p = float(stats.chi2.sf(q, k - p))
        vt = (k - p) / np.trace(P)
        i2, h2 = 100 * tau2 / (vt + tau2), tau2 / vt + 1
    else:
        q, q_p, vt, i2, h2 = 0.0, 1.0, 0.0, 0.0, 1.0

    r2 = None
    if intercept and p > 1:
        tau2_re = _estimate_tau2(method, yi, vi, np.ones((k, 1)), tol, maxiter)[0]
        r2 = 0.0 if tau2_re == 0 else max(0.0, 100 * (tau2_re - tau2) / tau2_re)

    return RMAResult(
        yi=_readonly(yi), vi=_readonly(vi), X=_readonly(X), coef_names=names, method=method, test=test,
        level=level, beta=_readonly(beta), vb=_readonly(vb), se=_readonly(se), stat=_readonly(stat),
        pval=_readonly(pval), ci_lb=_readonly(beta - crit * se), ci_ub=_readonly(beta + crit * se),
        tau2=float(tau2), tau2_se=float(tau2_se), q=q, q_df=k - p, q_p=q_p, i2=float(i2), h2=float(h2),
        vt=float(vt), qm=qm, qm_df=qm_df, qm_p=qm_p, r2=r2, s2w=float(s2w), tol=tol, maxiter=maxiter,
    )


def _refit(result: RMAResult, yi: np.ndarray, vi: np.ndarray, extra: np.ndarray | None = None,
           extra_name: str = "") -> RMAResult:
    """Refit with the settings of ``result`` (method, test, level, tolerances) on new data.

    Without ``extra`` the model is intercept-only; otherwise its design is ``result.X`` plus the column
    ``extra`` (named ``extra_name``), fitted with ``intercept=False`` as metafor's ``regtest`` does.
    """
    settings = dict(method=result.method, test=result.test, level=result.level, tol=result.tol,
                    maxiter=result.maxiter)
    if extra is None:
        return rma(yi, vi, **settings)
    design = pd.DataFrame(np.asarray(result.X), columns=list(result.coef_names)).assign(**{extra_name: extra})
    return rma(yi, vi, mods=design, intercept=False, **settings)


# --------------------------------------------------------------------------------------------------
# Confidence intervals for the heterogeneity, predictions
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeterogeneityCI:
    """Q-profile confidence intervals for τ², τ, I² (%) and H² (``confint.rma.uni``)."""

    level: float
    tau2: float
    tau2_ci: tuple[float, float]
    tau: float
    tau_ci: tuple[float, float]
    i2: float
    i2_ci: tuple[float, float]
    h2: float
    h2_ci: tuple[float, float]

    def summary_frame(self) -> pd.DataFrame:
        """One row per quantity: columns ``quantity, estimate, ci_lb, ci_ub``."""
        rows = [("tau2", self.tau2, *self.tau2_ci), ("tau", self.tau, *self.tau_ci),
                ("I2", self.i2, *self.i2_ci), ("H2", self.h2, *self.h2_ci)]
        return pd.DataFrame(rows, columns=["quantity", "estimate", "ci_lb", "ci_ub"])

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python copy (intervals as 2-element lists)."""
        return {key: list(val) if isinstance(val, tuple) else val for key, val in self.__dict__.items()}


def confint(result: RMAResult, *, level: float | None = None) -> HeterogeneityCI:
    r"""Q-profile confidence intervals for τ², τ, I² and H².

    The bounds solve :math:`Q(\tau^2) = \chi^2_{k-p;\,1-\alpha/2}` (lower) and
    :math:`Q(\tau^2) = \chi^2_{k-p;\,\alpha/2}` (upper) for the generalised Q statistic
    :math:`Q(\tau^2) = \sum_i (y_i - x_i'\hat\beta_{\tau^2})^2/(v_i+\tau^2)`, which decreases in τ². A bound
    whose equation has no non-negative root is 0 (both bounds 0: the interval is the null set, as metafor
    reports it). The interval does not depend on the τ² estimator; I² and H² bounds are the τ² bounds
    transformed with the typical sampling variance of :func:`rma`.

    Parameters
    ----------
    result : RMAResult
        A fitted model.
    level : float, optional
        Confidence level in (0, 1); defaults to ``result.level``.

    Returns
    -------
    HeterogeneityCI

    Raises
    ------
    ValueError
        If the model has no residual degrees of freedom (k ≤ p).

    Notes
    -----
    metafor searches in [0, max(100, 10 τ̂²)] and reports ">" that upper end when a bound lies beyond it;
    here the upper end is doubled until the bound is bracketed, so such bounds are finite.

    References
    ----------
    Viechtbauer (2007), eqs. 5-7 (Q-profile method); metafor ``confint.rma.uni``.
    """
    level = result.level if level is None else _check_level(level, "confint")
    k, p = result.k, result.p
    if k <= p:
        raise ValueError(f"The 'result' parameter of confint must have k > p. Got k = {k}, p = {p} instead.")
    yi, vi, X = result.yi, result.vi, result.X
    alpha = 1.0 - level
    crit_u = stats.chi2.isf(alpha / 2, k - p)
    crit_l = stats.chi2.ppf(alpha / 2, k - p)
    q0 = _q_gen(0.0, yi, vi, X)
    upper = max(100.0, 10 * result.tau2)

    def bound(crit: float) -> float:
        if q0 < crit:
            return 0.0
        return _root(lambda t: _q_gen(t, yi, vi, X) - crit, 0.0, upper, result.tol)

    lb, ub = bound(crit_u), bound(crit_l)
    vt = result.vt
    return HeterogeneityCI(
        level=level,
        tau2=result.tau2, tau2_ci=(lb, ub),
        tau=result.tau, tau_ci=(float(np.sqrt(lb)), float(np.sqrt(ub))),
        i2=result.i2, i2_ci=(100 * lb / (vt + lb), 100 * ub / (vt + ub)),
        h2=result.h2, h2_ci=(lb / vt + 1, ub / vt + 1),
    )


@dataclass(frozen=True, eq=False)
class Prediction:
    """Pooled or fitted values with confidence and prediction intervals (``predict.rma``), shape (n,)."""

    pred: np.ndarray
    se: np.ndarray
    ci_lb: np.ndarray
    ci_ub: np.ndarray
    pi_lb: np.ndarray
    pi_ub: np.ndarray
    level: float

    def summary_frame(self) -> pd.DataFrame:
        """Columns ``pred, se, ci_lb, ci_ub, pi_lb, pi_ub``, one row per prediction."""
        return pd.DataFrame({key: getattr(self, key) for key in ("pred", "se", "ci_lb", "ci_ub", "pi_lb", "pi_ub")})

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python copy; scalars when there is a single prediction."""
        out = {key: val.tolist() for key, val in self.summary_frame().items()}
        if len(self.pred) == 1:
            out = {key: val[0] for key, val in out.items()}
        return {**out, "level": self.level}


def predict(result: RMAResult, newmods: ArrayLike | None = None, *, level: float | None = None) -> Prediction:
    r"""Predicted (pooled) value with its confidence interval and prediction interval.

    :math:`\hat\mu = x_0'\hat\beta`, :math:`SE = \sqrt{x_0' V_{\hat\beta} x_0}`; the prediction interval is
    :math:`\hat\mu \pm c \sqrt{SE^2 + \hat\tau^2}` with :math:`c` the normal quantile (``test="z"``) or the
    t quantile on k - p df (``test="knha"``), as metafor 3.8's ``predict.rma``.

    Parameters
    ----------
    result : RMAResult
        A fitted model.
    newmods : array_like, shape (n, m) or (m,), optional
        Moderator values, without the intercept, in the columns of the model matrix (dummy columns for
        categorical moderators). ``None`` for an intercept-only model gives the pooled estimate; for a
        meta-regression it gives the fitted values of the k studies.
    level : float, optional
        Confidence level; defaults to ``result.level``.

    Returns
    -------
    Prediction

    Raises
    ------
    ValueError
        If ``newmods`` does not have one column per moderator coefficient.

    References
    ----------
    Riley, R. D., Higgins, J. P. T., & Deeks, J. J. (2011). Interpretation of random effects meta-analyses.
    BMJ, 342, d549; metafor ``predict.rma``.
    """
    level = result.level if level is None else _check_level(level, "predict")
    has_int = result.coef_names[0] == "intrcpt"
    if newmods is None:
        X0 = result.X[:1] if result.int_only else result.X
    else:
        X0 = np.atleast_2d(np.asarray(newmods, dtype=float))
        if has_int:
            X0 = np.column_stack([np.ones(X0.shape[0]), X0])
        if X0.shape[1] != result.p:
            raise ValueError(
                f"The 'newmods' parameter of predict must have {result.p - int(has_int)} column(s), one per "
                f"moderator coefficient. Got shape {np.shape(newmods)} instead."
            )
    pred = X0 @ result.beta
    se = np.sqrt(np.einsum("ij,jk,ik->i", X0, result.vb, X0))
    crit = _critical(result.test, level, result.k - result.p)
    pi_se = np.sqrt(se**2 + result.tau2)
    return Prediction(pred=pred, se=se, ci_lb=pred - crit * se, ci_ub=pred + crit * se,
                      pi_lb=pred - crit * pi_se, pi_ub=pred + crit * pi_se, level=level)


# --------------------------------------------------------------------------------------------------
# Small-study effects and sensitivity
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class EggerResult:
    """Egger-type regression test (``regtest``): slope on the standard error and the limit estimate."""

    zval: float
    pval: float
    ddf: int | None
    limit_estimate: float
    limit_ci_lb: float
    limit_ci_ub: float
    fit: RMAResult = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python copy without the fitted model."""
        return {key: val for key, val in self.__dict__.items() if key != "fit"}


def regtest(result: RMAResult) -> EggerResult:
    r"""Egger's regression test for funnel-plot asymmetry, metafor's ``regtest()`` default.

    Refits the model with the standard error :math:`\sqrt{v_i}` added as a moderator (same τ² method,
    test and level) and tests its coefficient. For an intercept-only model the intercept of that fit is
    the *limit estimate*: the expected effect of a study with se → 0.

    Parameters
    ----------
    result : RMAResult
        A fitted model.

    Returns
    -------
    EggerResult
        ``zval`` (a t value on ``ddf`` df under Knapp–Hartung) and ``pval`` of the se coefficient; the
        limit estimate with its CI (NaN for meta-regression models).

    References
    ----------
    Egger et al. (1997); Sterne, J. A. C., & Egger, M. (2005). Regression methods to detect publication
    and other bias in meta-analysis. In Publication bias in meta-analysis (pp. 99-110). Wiley.
    """
    fit = _refit(result, np.asarray(result.yi), np.asarray(result.vi), np.sqrt(result.vi), "sei")
    j = result.p
    limit = (float(fit.beta[0]), float(fit.ci_lb[0]), float(fit.ci_ub[0])) if result.int_only else (np.nan,) * 3
    return EggerResult(zval=float(fit.stat[j]), pval=float(fit.pval[j]), ddf=fit.ddf,
                       limit_estimate=limit[0], limit_ci_lb=limit[1], limit_ci_ub=limit[2], fit=fit)


@dataclass(frozen=True, eq=False)
class TrimFillResult:
    """Trim-and-fill (``trimfill``): number and values of imputed studies and the model on augmented data."""

    k0: int
    se_k0: float
    side: str
    yi_filled: np.ndarray
    vi_filled: np.ndarray
    fit: RMAResult = field(repr=False)

    @property
    def filled(self) -> np.ndarray:
        """Boolean mask over ``fit.yi``: True for the imputed studies (placed last)."""
        return np.r_[np.zeros(self.fit.k - self.k0, bool), np.ones(self.k0, bool)]

    def to_dict(self) -> dict[str, Any]:
        """k0, side and the pooled estimate with its CI on the augmented data."""
        return {"k0": self.k0, "se_k0": self.se_k0, "side": self.side,
                "yi_filled": self.yi_filled.tolist(), "vi_filled": self.vi_filled.tolist(),
                "estimate": self.fit.estimate, "se": float(self.fit.se[0]),
                "ci_lb": float(self.fit.ci_lb[0]), "ci_ub": float(self.fit.ci_ub[0]), "tau2": self.fit.tau2}


def trimfill(result: RMAResult, *, side: Literal["left", "right"] | None = None, maxiter: int = 100) -> TrimFillResult:
    r"""Duval & Tweedie's trim-and-fill with the L0 estimator, as metafor's ``trimfill()`` defaults.

    If ``side`` is not given it is chosen as metafor does: fit the model with :math:`\sqrt{v_i}` as
    moderator; a negative slope means the missing studies are on the right, otherwise on the left.
    Iteratively, the k0 most extreme studies on that side are trimmed, μ̂ re-estimated, and

    .. math:: L_0 = \frac{4 S_r - k(k+1)}{2k - 1}

    recomputed from the Wilcoxon signed-rank sum :math:`S_r` of the centred values (rounded half to even,
    as R's ``round``) until k0 no longer changes. The k0 trimmed studies are then mirrored about the
    trimmed estimate and the model refitted on the k + k0 values.

    Parameters
    ----------
    result : RMAResult
        A fitted intercept-only model.
    side : {"left", "right"}, optional
        Side on which studies are assumed missing.
    maxiter : int
        Maximum number of trim-and-fill iterations.

    Returns
    -------
    TrimFillResult
        ``k0``, its standard error, ``side``, the imputed values, and ``fit`` (the model on the augmented
        data, or the original model when k0 = 0).

    Raises
    ------
    ValueError
        If ``result`` has moderators or ``side`` is invalid.
    RuntimeError
        If k0 does not settle within ``maxiter`` iterations.

    Notes
    -----
    The refit on the augmented data keeps the original model's method, test and level (metafor keeps the
    method but falls back to ``test="z"``).

    References
    ----------
    Duval & Tweedie (2000), eqs. for L0 and var(S_r); metafor ``trimfill.rma.uni``.
    """
    if not result.int_only:
        raise ValueError("The 'result' parameter of trimfill must be an intercept-only model. Got a meta-regression instead.")
    yi0, vi0 = np.asarray(result.yi), np.asarray(result.vi)
    if side is None:
        slope = _refit(result, yi0, vi0, np.sqrt(vi0), "sei").beta[1]
        side = "right" if slope < 0 else "left"
    _check_option("side", side, ("left", "right"), "trimfill")
    sign = -1.0 if side == "right" else 1.0
    order = np.argsort(sign * yi0, kind="stable")
    yi, vi = sign * yi0[order], vi0[order]
    k = yi.size

    k0, k0_prev, beta, se_k0 = 0, -1, 0.0, 0.0
    for _ in range(maxiter):
        if k0 == k0_prev:
            break
        k0_prev = k0
        beta = _refit(result, yi[: k - k0], vi[: k - k0]).estimate
        centred = yi - beta
        ranks = stats.rankdata(np.abs(centred), method="ordinal")
        s_r = float(np.sum(ranks[centred > 0]))
        l0 = (4 * s_r - k * (k + 1)) / (2 * k - 1)
        var_sr = (k * (k + 1) * (2 * k + 1) + 10 * l0**3 + 27 * l0**2 + 17 * l0
                  - 18 * k * l0**2 - 18 * k * l0 + 6 * k**2 * l0) / 24
        se_k0 = max(0.0, 4 * np.sqrt(var_sr) / (2 * k - 1)) if var_sr >= 0 else float("nan")
        k0 = max(0, int(np.round(l0)))
    else:
        raise RuntimeError(f"Trim-and-fill did not converge in {maxiter} iterations.")

    if k0 == 0:
        return TrimFillResult(k0=0, se_k0=se_k0, side=side, yi_filled=np.empty(0), vi_filled=np.empty(0), fit=result)
    yi_fill = sign * (2 * beta - yi[k - k0:])
    vi_fill = vi[k - k0:]
    fit = _refit(result, np.r_[yi0, yi_fill], np.r_[vi0, vi_fill])
    return TrimFillResult(k0=k0, se_k0=se_k0, side=side, yi_filled=yi_fill, vi_filled=vi_fill, fit=fit)


def leave1out(result: RMAResult, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Leave-one-out analysis (``leave1out``): the model refitted k times, each time omitting one study.

    Parameters
    ----------
    result : RMAResult
        A fitted intercept-only model with k ≥ 3.
    labels : sequence of str, shape (k,), optional
        Study labels; default "1" … "k".

    Returns
    -------
    pandas.DataFrame
        One row per omitted study: ``omitted, estimate, se, stat, pval, ci_lb, ci_ub, q, q_p, tau2, i2, h2``
        (``stat`` is z, or t on k - 2 df under Knapp–Hartung).

    Raises
    ------
    ValueError
        If ``result`` has moderators, k < 3, or ``labels`` has the wrong length.

    References
    ----------
    Viechtbauer, W., & Cheung, M. W.-L. (2010). Outlier and influence diagnostics for meta-analysis.
    Research Synthesis Methods, 1(2), 112-125; metafor ``leave1out.rma.uni``.
    """
    if not result.int_only:
        raise ValueError("The 'result' parameter of leave1out must be an intercept-only model. Got a meta-regression instead.")
    if result.k < 3:
        raise ValueError(f"The 'result' parameter of leave1out must have at least 3 studies. Got k = {result.k} instead.")
    labels = [str(i + 1) for i in range(result.k)] if labels is None else [str(x) for x in labels]
    if len(labels) != result.k:
        raise ValueError(f"The 'labels' parameter of leave1out must have length {result.k}. Got {len(labels)} instead.")
    rows = []
    for i in range(result.k):
        keep = np.arange(result.k) != i
        fit = _refit(result, result.yi[keep], result.vi[keep])
        rows.append({"omitted": labels[i], "estimate": fit.estimate, "se": float(fit.se[0]),
                     "stat": float(fit.stat[0]), "pval": float(fit.pval[0]), "ci_lb": float(fit.ci_lb[0]),
                     "ci_ub": float(fit.ci_ub[0]), "q": fit.q, "q_p": fit.q_p, "tau2": fit.tau2,
                     "i2": fit.i2, "h2": fit.h2})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------
# Subgroups
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SubgroupResult:
    """Separate random-effects fits per subgroup plus the mixed-effects test of the grouping moderator."""

    subgroups: pd.DataFrame
    moderator: RMAResult = field(repr=False)

    @property
    def qm(self) -> float:
        """Omnibus test of the group differences (χ², or F under Knapp–Hartung)."""
        return self.moderator.qm

    @property
    def qm_p(self) -> float:
        """p-value of QM."""
        return self.moderator.qm_p

    def to_dict(self) -> dict[str, Any]:
        """Per-subgroup rows and the moderator test."""
        mod = self.moderator
        return {"subgroups": self.subgroups.to_dict(orient="records"), "qm": mod.qm, "qm_df": list(mod.qm_df),
                "qm_p": mod.qm_p, "qe": mod.q, "qe_df": mod.q_df, "qe_p": mod.q_p, "tau2_residual": mod.tau2,
                "r2": mod.r2}


def subgroup_analysis(
    yi: ArrayLike,
    vi: ArrayLike,
    groups: ArrayLike,
    *,
    method: Method = "REML",
    test: Test = "z",
    level: float = 0.95,
    name: str = "group",
    tol: float = 1e-12,
) -> SubgroupResult:
    """Pooled estimate in each subgroup, and the QM test of the subgroup moderator.

    Each subgroup gets its own random-effects model (its own τ²); the test of differences between
    subgroups is the omnibus QM test of the mixed-effects model with the grouping as a categorical
    moderator (one common residual τ²), as ``rma(yi, vi, mods = ~ factor(group))`` in metafor.

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effect sizes and sampling variances (analysis scale).
    groups : array_like, shape (k,)
        Subgroup labels (converted to text; sorted order, first level is the reference).
    method, test, level, tol
        As in :func:`rma`.
    name : str
        Moderator name used in coefficient names.

    Returns
    -------
    SubgroupResult
        ``subgroups``: one row per subgroup with ``group, k, estimate, se, stat, pval, ci_lb, ci_ub,
        pi_lb, pi_ub, tau2, q, q_p, i2``; ``moderator``: the fitted mixed-effects model.

    Raises
    ------
    ValueError
        If ``groups`` has the wrong length or fewer than two levels.

    References
    ----------
    Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R. (2009). Introduction to
    Meta-Analysis, ch. 19; Viechtbauer (2010), section 3.3.
    """
    yi = _as_vector(yi, "yi", "subgroup_analysis")
    vi = _as_vector(vi, "vi", "subgroup_analysis")
    labels = pd.Series(np.asarray(groups).astype(str), name=name)
    if len(labels) != yi.size:
        raise ValueError(
            f"The 'groups' parameter of subgroup_analysis must have length {yi.size}. Got {len(labels)} instead."
        )
    moderator = rma(yi, vi, method=method, test=test, level=level, mods=labels, tol=tol)
    rows = []
    for level_name in sorted(labels.unique()):
        mask = (labels == level_name).to_numpy()
        fit = rma(yi[mask], vi[mask], method=method, test=test, level=level, tol=tol)
        pred = predict(fit)
        rows.append({"group": level_name, "k": fit.k, "estimate": fit.estimate, "se": float(fit.se[0]),
                     "stat": float(fit.stat[0]), "pval": float(fit.pval[0]), "ci_lb": float(fit.ci_lb[0]),
                     "ci_ub": float(fit.ci_ub[0]), "pi_lb": float(pred.pi_lb[0]), "pi_ub": float(pred.pi_ub[0]),
                     "tau2": fit.tau2, "q": fit.q, "q_p": fit.q_p, "i2": fit.i2})
    return SubgroupResult(subgroups=pd.DataFrame(rows), moderator=moderator)


# --------------------------------------------------------------------------------------------------
# Correlation scale
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorrelationSummary:
    """Pooled Fisher-z result back-transformed to r, with the % of variance explained, 100·r²."""

    estimate_r: float
    ci_r: tuple[float, float]
    pi_r: tuple[float, float]
    pct_variance: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python copy (intervals as 2-element lists)."""
        return {"estimate_r": self.estimate_r, "ci_r": list(self.ci_r), "pi_r": list(self.pi_r),
                "pct_variance": self.pct_variance}


def correlation_summary(result: RMAResult) -> CorrelationSummary:
    """Back-transform a pooled Fisher-z model to the correlation scale.

    The estimate and the bounds of the confidence and prediction intervals are each transformed with
    tanh (a monotone map, so the intervals keep their coverage); the percentage of variance in the outcome
    shared with the predictor is 100·r̂², with r̂ = tanh(μ̂).

    Parameters
    ----------
    result : RMAResult
        An intercept-only model fitted to Fisher z values (e.g. from :func:`escalc_zcor`).

    Returns
    -------
    CorrelationSummary

    Raises
    ------
    ValueError
        If ``result`` has moderators.

    References
    ----------
    metafor ``predict(res, transf=transf.ztor)``; Borenstein et al. (2009), ch. 6.
    """
    if not result.int_only:
        raise ValueError(
            "The 'result' parameter of correlation_summary must be an intercept-only model. "
            f"Got coefficients {result.coef_names} instead."
        )
    pred = predict(result)
    r = float(z_to_r(pred.pred[0]))
    return CorrelationSummary(
        estimate_r=r,
        ci_r=(float(z_to_r(pred.ci_lb[0])), float(z_to_r(pred.ci_ub[0]))),
        pi_r=(float(z_to_r(pred.pi_lb[0])), float(z_to_r(pred.pi_ub[0]))),
        pct_variance=100 * r**2,
    )
