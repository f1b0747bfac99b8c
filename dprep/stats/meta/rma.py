"""The random/mixed-effects model (metafor's ``rma.uni``) and its result object."""

from __future__ import annotations

import functools
import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from dprep.core import args, fmt
from dprep.core.results import Result, internal, result
from dprep.stats.meta._common import (FIXED, METHODS, TESTS, _check_variances, _Coefficients, _critical, _design,
                                       _heterogeneity, _negligible, _omnibus, _readonly)
from dprep.stats.meta.tau2 import _estimate_tau2

Method = Literal["FE", "DL", "REML", "PM", "ML", "HE"]
Test = Literal["z", "knha"]


@result(eq=False)
class RMAResult(_Coefficients, Result):
    """A fitted random/mixed-effects model, the counterpart of metafor's ``rma.uni`` object.

    Arrays are read-only, shape (p,) for coefficients. ``stat`` holds z values (``test="z"``) or t
    values with ``ddf`` degrees of freedom (``test="knha"``); ``qm`` is a χ² statistic with ``qm_df[0]``
    df, or an F statistic with ``qm_df`` = (m, k - p) under Knapp–Hartung. ``tau2_se`` is NaN when τ² is not
    estimated (k = 1, or ``method="FE"``; metafor's NA). ``print(fit.summary())`` gives metafor's printout;
    ``fit.to_frame()`` the coefficient table.
    """

    yi: np.ndarray = internal()
    vi: np.ndarray = internal()
    X: np.ndarray = internal()
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
    s2w: float
    tol: float = internal(default=1e-12)
    maxiter: int = internal(default=10_000)

    @property
    def ddf(self) -> int | None:
        """Degrees of freedom of the t tests (k - p) under Knapp–Hartung, else ``None``."""
        return self.k - self.p if self.test == "knha" else None

    @functools.cached_property
    def r2(self) -> float | None:
        """Pseudo-R² (%), the share of τ² accounted for by the moderators; ``None`` without moderators or
        intercept. Computed on first use (it needs the intercept-only fit); see :func:`rma`, Notes."""
        k, p = self.k, self.p
        if self.coef_names[0] != "intrcpt" or p == 1:
            return None
        yi, vi = self.yi, self.vi
        if self.method == FIXED:  # metafor: adjusted R² of lm(yi ~ X, weights = 1/vi)
            w = 1.0 / vi
            tss = float(np.sum(w * (yi - np.sum(w * yi) / w.sum()) ** 2))
            return 0.0 if _negligible(tss, np.sum(w * yi**2)) else max(0.0, 100 * (1 - (self.q / tss) * (k - 1) / (k - p)))
        tau2_re = _estimate_tau2(self.method, yi, vi, np.ones((k, 1)), self.tol, self.maxiter)[0]
        return 0.0 if _negligible(tau2_re, self.vt) else max(0.0, 100 * (tau2_re - self.tau2) / tau2_re)

    @property
    def weights(self) -> np.ndarray:
        """Percentage weights 100·wᵢ/Σw with wᵢ = 1/(vᵢ + τ²), shape (k,)."""
        w = 1.0 / (self.vi + self.tau2)
        return 100 * w / w.sum()

    @property
    def tau(self) -> float:
        """τ, the between-study standard deviation (analysis units)."""
        return float(np.sqrt(self.tau2))

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python summary (no input data): coefficients, heterogeneity and moderator test."""
        out: dict[str, Any] = {
            "k": self.k,
            "method": self.method,
            "test": self.test,
            "level": self.level,
            "coefficients": self.to_frame().to_dict(orient="records"),
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
            out.update(self._pooled())
        else:
            out.update(qm=self.qm, qm_df=list(self.qm_df), qm_p=self.qm_p, r2=self.r2)
        return out

    def _headline(self) -> dict[str, Any]:
        return {"k": self.k, "method": self.method, "test": self.test, **self._fit_headline(), "tau2": self.tau2}

    def summary(self) -> str:
        """metafor's printout of an ``rma.uni`` fit: model, heterogeneity, the tests and the coefficients."""
        model = "Random-Effects Model" if self.int_only else "Mixed-Effects Model"
        kind = "total" if self.int_only else "residual"
        whole = "total" if self.int_only else "unaccounted"
        test = (f"Knapp–Hartung: t tests on {self.ddf} df" if self.test == "knha" else "Wald-type z tests")
        if self.method == FIXED:
            lines = [f"Fixed-Effects {'Model' if self.int_only else 'with Moderators Model'} (k = {self.k})", ""]
        else:
            lines = [f"{model} (k = {self.k}; τ² estimator: {self.method})", "",
                     f"τ² (estimated amount of {kind} heterogeneity): {self.tau2:.4f} (SE = {fmt.num(self.tau2_se, 4)})",
                     f"τ (square root of estimated τ² value):      {self.tau:.4f}"]
        lines += [f"I² ({kind} heterogeneity / {whole} variability): {self.i2:.2f}%",
                  f"H² ({whole} variability / sampling variability): {self.h2:.2f}"]
        if self.r2 is not None:
            lines.append(f"R² (amount of heterogeneity accounted for): {self.r2:.2f}%")
        lines += ["", f"Test for {'Heterogeneity' if self.int_only else 'Residual Heterogeneity'}:",
                  f"{'Q' if self.int_only else 'QE'}(df = {self.q_df}) = {self.q:.4f}, {fmt.pval(self.q_p, 4, prefix=True)}"]
        if not self.int_only:
            if self.test == "knha":
                lines += ["", "Test of Moderators:",
                          f"F(df1 = {self.qm_df[0]}, df2 = {self.qm_df[1]}) = {self.qm:.4f}, "
                          f"{fmt.pval(self.qm_p, 4, prefix=True)}"]
            else:
                lines += ["", "Test of Moderators:",
                          f"QM(df = {self.qm_df[0]}) = {self.qm:.4f}, {fmt.pval(self.qm_p, 4, prefix=True)}"]
        lines += self._model_results("tval" if self.test == "knha" else "zval", test)
        return "\n".join(lines)


def _columns(data: Any, yi: Any, vi: Any, mods: Any, func: str = "rma") -> tuple[Any, Any, Any]:
    """The arrays named by ``yi``, ``vi`` and ``mods`` in ``data`` (arrays pass through); errors name ``func``."""
    if not isinstance(data, pd.DataFrame):
        args.fail("data", func, "be a pandas DataFrame", type(data).__name__, raw=True)

    def column(name: Any, param: str) -> Any:
        if not isinstance(name, str):
            return name
        if name not in data.columns:
            args.fail(param, func, f"name a column of 'data' ({', '.join(map(str, data.columns))})", name)
        return data[name]

    if isinstance(mods, (list, tuple)) and all(isinstance(m, str) for m in mods):
        mods = data[[column(m, "mods").name for m in mods]]
    return column(yi, "yi").to_numpy(float) if isinstance(yi, str) else yi, \
        column(vi, "vi").to_numpy(float) if isinstance(vi, str) else vi, column(mods, "mods")


def rma(
    yi: ArrayLike | str,
    vi: ArrayLike | str,
    *,
    data: pd.DataFrame | None = None,
    method: Method = "REML",
    test: Test = "z",
    level: float = 0.95,
    mods: ArrayLike | pd.Series | pd.DataFrame | str | list[str] | None = None,
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
    yi : array_like, shape (k,), or str
        Observed effect sizes (analysis scale, e.g. Fisher z or log risk ratio), or with ``data`` the
        name of their column.
    vi : array_like, shape (k,), or str
        Their sampling variances (analysis units squared), all > 0, or the name of their column.
    data : pandas.DataFrame, optional
        A table holding the columns named by ``yi``, ``vi`` and ``mods`` (pingouin style:
        ``rma(yi="yi", vi="vi", data=df, mods="ablat")``); one row per study.
    method : {"DL", "REML", "PM", "ML", "HE", "FE"}
        τ² estimator: DerSimonian–Laird, restricted maximum likelihood, Paule–Mandel, maximum likelihood,
        Hedges (variance components). ML and REML use metafor's Fisher scoring with step halving; PM solves
        :math:`Q(\tau^2) = k - p` by Brent's method. ``"FE"`` is the fixed-effect (common-effect) model,
        τ² = 0; with ``test="knha"`` it is weighted least squares with a multiplicative dispersion, i.e.
        R's ``lm(yi ~ X, weights = 1/vi)``.
    test : {"z", "knha"}
        Wald-type z tests and normal CIs, or the Knapp–Hartung (Hartung–Knapp–Sidik–Jonkman) method: the
        covariance of β̂ is scaled by :math:`s^2 = \sum w_i (y_i - x_i'\hat\beta)^2/(k-p)`, *not truncated at
        1* (metafor's default, unlike ``test="adhoc"``), with t tests on k - p df and an F test for QM.
    level : float
        Confidence level in (0, 1).
    mods : array_like, pandas.Series, pandas.DataFrame, str or list of str, optional
        Moderators, one row per study, without the intercept column (with ``data``: column names). Numeric columns enter as they are;
        text, boolean or ``category`` columns are dummy-coded against their first level (sorted), like an R
        factor. Coefficient names follow metafor ("intrcpt", "ablat", "instrument_typeStrings").
    intercept : bool
        Add an intercept column (metafor default).
    tol : float
        Convergence tolerance on τ²: of Fisher scoring, relative to max(1, τ²) (metafor's ``threshold``,
        absolute, default 1e-5), and of Brent's method (metafor's ``tol``, ~1.2e-4).
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
    ArgumentError (a ValueError)
        On invalid options, non-finite or non-positive variances (or variances below 1e-100 or spanning a
        ratio of 10⁷ or more, see Notes), mismatched lengths, k ≤ p, a rank-deficient model matrix, or a
        column name that ``data`` does not have.
    ConvergenceError (a RuntimeError)
        If Fisher scoring (ML, REML) does not converge in ``maxiter`` iterations.

    Notes
    -----
    Under FE, I² = max(0, 100 (Q - (k-p))/Q), H² = Q/(k - p), and R² is the adjusted R² of the weighted
    regression, as metafor. Otherwise I² and H² use metafor's "typical" sampling variance :math:`\tilde v = (k-p)/\mathrm{tr}(P)` with
    :math:`P = W - WX(X'WX)^{-1}X'W`, :math:`W = \mathrm{diag}(1/v_i)`: :math:`I^2 = 100\,\tau^2/(\tilde v
    + \tau^2)`, :math:`H^2 = (\tilde v + \tau^2)/\tilde v` (Higgins & Thompson, 2002, eqs. 9-10, generalised
    as in metafor). Pseudo-R² is :math:`\max(0, 100(\tau^2_{RE} - \tau^2)/\tau^2_{RE})` (Raudenbush, 2009),
    with :math:`\tau^2_{RE}` from the intercept-only model fitted with the same method; 0 if
    :math:`\tau^2_{RE} = 0` (metafor ≥ 4).

    With k = 1 (intercept only) τ² is set to 0 and Q = 0, I² = 0, H² = 1, and Knapp–Hartung (which has no
    residual df) falls back to z tests with a warning, as metafor does. τ² is then not estimated, so
    ``tau2_se`` is NaN (``null`` in JSON, "—" in the summary), as under ``method="FE"``; metafor returns NA
    there without a warning, and so does this function (the field is documented, not warned about).

    Sampling variances must be at least 1e-100 and span a ratio (largest / smallest) below 10⁷ (metafor's
    threshold for "may not be able to obtain stable results"); see ``_common.VI_MIN`` and ``VI_RATIO_MAX``.

    Zero checks allow for round-off: Knapp–Hartung's s² is 0 when the weighted residual sum of squares is
    below √ε times :math:`\sum w_i y_i^2`, and pseudo-R² is 0 when :math:`\tau^2_{RE}` is below √ε times
    the typical sampling variance (Fisher scoring returns a τ² of 1e-13 rather than exactly 0).

    References
    ----------
    Viechtbauer (2010), section 3 and eqs. 5-12; Viechtbauer (2005) eqs. 6-12 (DL, HE, ML, REML, PM);
    DerSimonian & Laird (1986); Paule & Mandel (1982); Knapp & Hartung (2003) eqs. 7-8; Higgins & Thompson
    (2002); Raudenbush (2009) eq. 16.
    """
    if data is not None:
        yi, vi, mods = _columns(data, yi, vi, mods)
    args.option("method", "rma", method, (*METHODS, FIXED))
    args.option("test", "rma", test, TESTS)
    level = args.level("rma", level)
    yi = args.vector("yi", "rma", yi)
    vi = args.vector("vi", "rma", vi)
    if vi.shape != yi.shape:
        raise ValueError(
            f"The 'vi' parameter of rma must have the same length as 'yi' ({yi.size}). Got length {vi.size} instead."
        )
    _check_variances(vi, "rma")
    k = yi.size
    X, names = _design(mods, k, intercept)
    p = X.shape[1]
    single = k == 1 and p == 1
    if single and test == "knha":
        warnings.warn("Setting test='z' since k = 1 (Knapp–Hartung needs k > 1), as metafor does.",
                      UserWarning, stacklevel=2)
        test = "z"
    if k <= p and not single:
        raise ValueError(
            f"The 'yi' parameter of rma must have more studies than model coefficients ({p}). Got k = {k} instead."
        )

    if single or method == FIXED:
        tau2, tau2_se = 0.0, float("nan")
    else:
        tau2, tau2_se = _estimate_tau2(method, yi, vi, X, tol, maxiter)

    w = 1.0 / (vi + tau2)
    XtW = X.T * w
    vb = np.linalg.inv(XtW @ X)
    beta = vb @ (XtW @ yi)
    s2w = 1.0
    if test == "knha":  # k > p here; metafor sets s² = 0 when the residuals all vanish
        rss = float(np.sum(w * (yi - X @ beta) ** 2))
        s2w = 0.0 if _negligible(rss, np.sum(w * yi**2)) else rss / (k - p)
        vb = s2w * vb
    se = np.sqrt(np.diag(vb))
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = beta / se
    ddf = k - p
    if test == "knha":
        pval = 2 * stats.t.sf(np.abs(stat), ddf)
        crit = _critical(test, level, ddf)
    else:
        pval = 2 * stats.norm.sf(np.abs(stat))
        crit = _critical(test, level, ddf)

    # omnibus test of the moderators (all coefficients but the intercept)
    qm, qm_df, qm_p = _omnibus(beta, vb, intercept, test == "knha", ddf)

    # heterogeneity: Q with fixed-effect weights, I² and H² from the typical sampling variance
    if k > p:
        q, vt = _heterogeneity(yi, vi, X)
        q_p = float(stats.chi2.sf(q, k - p))
        if method == FIXED:
            i2, h2 = (max(0.0, 100 * (q - (k - p)) / q) if q > 0 else 0.0), q / (k - p)
        else:
            i2, h2 = 100 * tau2 / (vt + tau2), tau2 / vt + 1
    else:
        q, q_p, vt, i2, h2 = 0.0, 1.0, 0.0, 0.0, 1.0

    return RMAResult(
        yi=_readonly(yi), vi=_readonly(vi), X=_readonly(X), coef_names=names, method=method, test=test,
        level=level, beta=_readonly(beta), vb=_readonly(vb), se=_readonly(se), stat=_readonly(stat),
        pval=_readonly(pval), ci_lb=_readonly(beta - crit * se), ci_ub=_readonly(beta + crit * se),
        tau2=float(tau2), tau2_se=float(tau2_se), q=q, q_df=k - p, q_p=q_p, i2=float(i2), h2=float(h2),
        vt=float(vt), qm=qm, qm_df=qm_df, qm_p=qm_p, s2w=float(s2w), tol=tol, maxiter=maxiter,
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
