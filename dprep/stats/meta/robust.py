"""Cluster-robust (sandwich) inference for meta-analytic models: metafor's ``robust()`` and clubSandwich.

For a fitted :func:`~dprep.stats.meta.rma` or :func:`~dprep.stats.meta.rma_mv` model with weights
W = M⁻¹ (M the model's marginal covariance), the coefficients β̂ = (X'WX)⁻¹X'Wy are kept and their
covariance is re-estimated from the residuals of each cluster, which guards against a misspecified
dependence structure (Hedges, Tipton & Johnson, 2010):

* CR0 and CR1 — the plain sandwich, CR1 times m/(m - p) (metafor's default), t tests on m - p df;
* CR2 — the bias-reduced sandwich of Bell & McCaffrey (2002) with Satterthwaite degrees of freedom per
  coefficient and the HTZ test of the moderators (Pustejovsky & Tipton, 2018; Tipton & Pustejovsky,
  2015), as ``clubSandwich::coef_test(vcov="CR2")`` and ``Wald_test(test="HTZ")``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import linalg, stats

from dprep.core import args, fmt
from dprep.core.results import Result, result
from dprep.stats.meta._common import _moderators, _negligible, _readonly
from dprep.stats.meta.multilevel import MVResult
from dprep.stats.meta.rma import RMAResult

ADJUSTMENTS: tuple[str, ...] = ("CR0", "CR1", "CR2")


@result(eq=False)
class RobustResult(Result):
    """Cluster-robust tests of a fitted model's coefficients (metafor's ``robust.rma`` object), shape (p,).

    ``df`` is m - p for every coefficient (CR0, CR1) or its Satterthwaite df (CR2). ``qm`` is the test of
    the moderators (of the intercept in an intercept-only model): an F statistic on ``qm_df`` = (q, m - p)
    (CR0, CR1) or the HTZ statistic on (q, η - q + 1) (CR2).
    """

    title: ClassVar[str] = "Cluster-robust inference"

    coef_names: tuple[str, ...]
    adjust: str
    n_clusters: int
    level: float
    beta: np.ndarray
    vb: np.ndarray
    se: np.ndarray
    df: np.ndarray
    tval: np.ndarray
    pval: np.ndarray
    ci_lb: np.ndarray
    ci_ub: np.ndarray
    qm: float
    qm_df: tuple[float, float]
    qm_p: float
    qm_test: str

    @property
    def int_only(self) -> bool:
        """True for an intercept-only model."""
        return self.coef_names == ("intrcpt",)

    def to_frame(self) -> pd.DataFrame:
        """Coefficient table: ``name, estimate, se, df, tval, pval, ci_lb, ci_ub``, one row per coefficient."""
        return pd.DataFrame({"name": list(self.coef_names), "estimate": self.beta, "se": self.se, "df": self.df,
                             "tval": self.tval, "pval": self.pval, "ci_lb": self.ci_lb, "ci_ub": self.ci_ub})

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python summary: the coefficient table, and the pooled row or the moderator test."""
        out: dict[str, Any] = {"adjust": self.adjust, "n_clusters": self.n_clusters, "level": self.level,
                               "coefficients": self.to_frame().to_dict(orient="records")}
        if self.int_only:
            row = out["coefficients"][0]
            out.update({key: row[key] for key in ("estimate", "se", "df", "tval", "pval", "ci_lb", "ci_ub")})
        else:
            out.update(qm=self.qm, qm_df=list(self.qm_df), qm_p=self.qm_p, qm_test=self.qm_test)
        return out

    def _headline(self) -> dict[str, Any]:
        head: dict[str, Any] = {"adjust": self.adjust, "n_clusters": self.n_clusters}
        if self.int_only:
            head.update(estimate=float(self.beta[0]), se=float(self.se[0]), df=float(self.df[0]),
                        pval=float(self.pval[0]))
        else:
            head.update(qm=self.qm, qm_p=self.qm_p)
        return head

    def summary(self) -> str:
        """metafor's printout of a ``robust()`` fit: the moderator test and the coefficient table."""
        lines = [f"Cluster-robust inference ({self.adjust}; {self.n_clusters} clusters)"]
        if not self.int_only:
            lines += ["", f"Test of Moderators ({self.qm_test}):",
                      f"F(df1 = {self.qm_df[0]:g}, df2 = {self.qm_df[1]:.4g}) = {self.qm:.4f}, "
                      f"{fmt.pval(self.qm_p, 4, prefix=True)}"]
        table = self.to_frame()
        table["pval"] = [fmt.pval(p, 4) for p in table["pval"]]
        lines += ["", f"Model Results ({round(100 * self.level, 6):g}% CI):", "",
                  table.to_string(index=False, float_format=lambda x: f"{x:.4f}")]
        return "\n".join(lines)


def _model_blocks(fit: RMAResult | MVResult) -> list[tuple[np.ndarray, np.ndarray]]:
    """Diagonal blocks (rows, M_b) of the model's marginal covariance: one per row for ``rma``."""
    if isinstance(fit, MVResult):
        return fit.marginal_blocks()
    return [(np.array([i]), np.array([[v + fit.tau2]])) for i, v in enumerate(fit.vi)]


def _sym_power(a: np.ndarray, power: float) -> np.ndarray:
    """Symmetric matrix power through the eigendecomposition; eigenvalues ≤ 1e-12 × the largest count as 0
    (a generalised inverse for negative powers, as clubSandwich's ``matrix_power``)."""
    values, vectors = np.linalg.eigh(a)
    keep = values > 1e-12 * max(values.max(), 0.0)
    scaled = np.zeros_like(values)
    scaled[keep] = values[keep] ** power
    return (vectors * scaled) @ vectors.T


def _p_array(G: list[np.ndarray], H: np.ndarray, C: np.ndarray) -> np.ndarray:
    """clubSandwich's P array (q, q, m, m) of the constraints C (q, p): P[s, t, c, d] = -(C H_c)[s]·(C H_d)[t]
    + [c = d] (C G_c)[s]·(C G_c)[t], whose traces and squares give the Satterthwaite and HTZ df."""
    CH = np.einsum("sp,cpu->csu", C, H)
    P = -np.einsum("csu,dtu->stcd", CH, CH)
    for c, g in enumerate(G):
        Cg = C @ g
        P[:, :, c, c] += Cg @ Cg.T
    return P


def _htz(P: np.ndarray, Cb: np.ndarray, CVC: np.ndarray) -> tuple[float, float, float]:
    """HTZ test of Cβ = 0 (Tipton & Pustejovsky, 2015, eqs. 9-13): F, the denominator df and p."""
    q = Cb.size
    omega_half = _sym_power(np.einsum("stcc->st", P), -0.5)
    B = np.einsum("su,uvcd,vt->stcd", omega_half, P, omega_half)
    var = np.einsum("stcd,tscd->st", B, B) + np.einsum("sscd,ttcd->st", B, B)
    nu = q * (q + 1) / var.sum()
    Q = float(Cb @ np.linalg.solve(CVC, Cb))
    df2 = nu - q + 1
    F = max((nu - q + 1) / nu, 0.0) * Q / q
    return F, df2, float(stats.f.sf(F, q, df2)) if df2 > 0 else float("nan")


def robust(fit: RMAResult | MVResult, cluster: ArrayLike, *, adjust: Literal["CR0", "CR1", "CR2"] = "CR2",
           level: float | None = None) -> RobustResult:
    r"""Cluster-robust standard errors, t tests, CIs and moderator test of a fitted model.

    With W = M⁻¹ the model's weights, :math:`B = (X'WX)^{-1}`, residuals :math:`e = y - X\hat\beta` and
    clusters c = 1..m, the sandwich estimator is

    .. math:: V^R = B \Big[\sum_c X_c' W_c A_c e_c e_c' A_c' W_c X_c\Big] B,

    with :math:`A_c = I` (CR0; CR1 multiplies by m/(m - p)) or, for CR2, the adjustment of Bell & McCaffrey
    (2002) as generalised by Pustejovsky & Tipton (2018, eq. 7) with the working model as target,
    :math:`A_c = R_c' \{R_c (M_c - X_c B X_c') R_c'\}^{+1/2} R_c`, :math:`M_c = R_c'R_c`. CR0 and CR1 use
    t tests and CIs on m - p df and an F test of the moderators on (q, m - p) df (metafor's ``robust``);
    CR2 uses the Satterthwaite df of each coefficient (Pustejovsky & Tipton, 2018, eq. 11) and the HTZ
    test of the moderators (Tipton & Pustejovsky, 2015), as clubSandwich.

    Parameters
    ----------
    fit : RMAResult or MVResult
        A fitted model; its weights are 1/(vᵢ + τ²) (``rma``) or the inverse marginal covariance
        (``rma_mv``), whatever its ``test``.
    cluster : array_like, shape (k,)
        Cluster label of each effect size (e.g. the study); no missing values.
    adjust : {"CR0", "CR1", "CR2"}
        Small-sample adjustment (see above). CR2 needs the model's random effects nested within the
        clusters.
    level : float, optional
        Confidence level in (0, 1); defaults to ``fit.level``.

    Returns
    -------
    RobustResult
        Per coefficient: se, df, t, p and CI; the test of the moderators (of the intercept in an
        intercept-only model).

    Raises
    ------
    ArgumentError (a ValueError)
        If ``cluster`` does not have one value per effect size, has missing values, fewer than 2 clusters
        or not more clusters than coefficients (m ≤ p), or (CR2) splits a group of the model's random effects.

    Notes
    -----
    A coefficient that only one cluster informs (e.g. the intercept when the reference category is found in a
    single study) has a CR0/CR1 variance of exactly 0: that cluster's weighted residuals sum to zero in its
    direction, and what is computed is rounding noise (metafor reports an se of about 1e-9). Such a variance
    is reported as not estimable: the se, t, p and CI of the coefficient, its row and column of ``vb`` and a
    moderator test that includes it are NaN. The rule is relative, free of the units of y and X and of any
    tuned constant: with :math:`g_{cj} = \sum_{i \in c} \sum_l B_{jl} (X'W)_{li} e_i`, cluster c's
    contribution to :math:`\hat\beta_j`, the CR0 variance is :math:`\sum_c g_{cj}^2`, and it is degenerate
    when :math:`\sqrt{\sum_c g_{cj}^2} \le \sqrt\varepsilon \sqrt{\sum_c \bar g_{cj}^2}`, where
    :math:`\bar g_{cj}` is the same sum of the absolute values of the terms: the sums cancel to round-off
    (√ε ≈ 1.5e-8 is the threshold of the package's other zero checks, metafor's ``comptol``). The variance
    is computed as :math:`\sum_c g_c g_c'` rather than :math:`B (\sum_c u_c u_c') B`, whose cancellation
    leaves noise of the order of that threshold itself; a degenerate se is then of the order of ε times the
    scale, far below it. CR2 does not have this degeneracy.

    The bread is :math:`(X'WX)^{-1}` whatever the fit's ``test``: for a Knapp–Hartung ``rma`` fit, metafor
    3.8's ``robust()`` takes the s²-scaled covariance as bread and so multiplies CR0/CR1 by s⁴ (BCG: 0.032834
    instead of 0.032106); clubSandwich, like dprep, does not.

    References
    ----------
    Hedges, L. V., Tipton, E., & Johnson, M. C. (2010). Robust variance estimation in meta-regression with
    dependent effect size estimates. Research Synthesis Methods, 1(1), 39-65.
    Bell, R. M., & McCaffrey, D. F. (2002). Bias reduction in standard errors for linear regression with
    multi-stage samples. Survey Methodology, 28(2), 169-181.
    Tipton, E., & Pustejovsky, J. E. (2015). Small-sample adjustments for tests of moderators and model fit
    using robust variance estimation in meta-regression. Journal of Educational and Behavioral Statistics,
    40(6), 604-634.
    Pustejovsky, J. E., & Tipton, E. (2018). Small-sample methods for cluster-robust variance estimation
    and hypothesis testing in fixed effects models. Journal of Business & Economic Statistics, 36(4),
    672-683; metafor ``robust``; clubSandwich ``vcovCR``, ``coef_test``, ``Wald_test``.
    """
    args.option("adjust", "robust", adjust, ADJUSTMENTS)
    level = fit.level if level is None else args.level("robust", level)
    labels = pd.Series(np.asarray(cluster, dtype=object))
    k, p = fit.k, fit.p
    if len(labels) != k:
        args.fail("cluster", "robust", f"have one value per effect size ({k})", f"length {len(labels)}", raw=True)
    if labels.isna().any():
        args.fail("cluster", "robust", "hold no missing values",
                  f"a missing value at position {int(np.flatnonzero(labels.isna().to_numpy())[0])}", raw=True)
    codes = pd.factorize(labels)[0]
    m = int(codes.max()) + 1
    if m < 2 or m <= p:
        args.fail("cluster", "robust", f"have more clusters than model coefficients ({p}) and at least 2",
                  f"{m} cluster(s)", raw=True)

    X, beta = np.asarray(fit.X), np.asarray(fit.beta)
    resid = np.asarray(fit.yi) - X @ beta
    blocks = _model_blocks(fit)
    WX = np.empty_like(X)
    for rows, M in blocks:
        WX[rows] = np.linalg.solve(M, X[rows])
    B = np.linalg.inv(X.T @ WX)
    btt = _moderators(p, fit.coef_names[0] == "intrcpt")

    if adjust in ("CR0", "CR1"):
        terms = WX * resid[:, None]  # row i: x_i' W e_i, its term of X'We
        u, magnitude = np.zeros((m, p)), np.zeros((m, p))
        np.add.at(u, codes, terms)
        np.add.at(magnitude, codes, np.abs(terms))
        factor = m / (m - p) if adjust == "CR1" else 1.0
        share = u @ B  # row c: cluster c's contribution g_c to β̂ (B is symmetric)
        vb = factor * (share.T @ share)
        se = np.sqrt(np.diag(vb))
        degenerate = _negligible(se, np.sqrt(factor * np.sum((magnitude @ np.abs(B)) ** 2, axis=0)))
        vb[degenerate, :] = vb[:, degenerate] = se[degenerate] = np.nan  # not estimable (see Notes)
        df = np.full(p, float(m - p))
        Cb = beta[btt]
        F = float(Cb @ np.linalg.solve(vb[np.ix_(btt, btt)], Cb)) / btt.size
        qm, qm_df, qm_p, qm_test = F, (float(btt.size), float(m - p)), float(stats.f.sf(F, btt.size, m - p)), "F"
    else:
        C = np.eye(p)[btt]
        members: list[list[int]] = [[] for _ in range(m)]
        for b, (rows, _) in enumerate(blocks):
            owners = np.unique(codes[rows])
            if owners.size > 1:
                args.fail("cluster", "robust", "nest the model's random effects for CR2 (each group of the "
                          "outermost level in one cluster)", f"a group split across {owners.size} clusters", raw=True)
            members[owners[0]].append(b)
        meat = np.zeros((p, p))
        G, H = [], np.empty((m, p, p))
        chol_B = np.linalg.cholesky(B)
        for c, own in enumerate(members):
            rows = np.concatenate([blocks[b][0] for b in own])
            theta = linalg.block_diag(*[blocks[b][1] for b in own])
            lower = np.linalg.cholesky(theta)  # θ_c = L L' = R'R with R = L'
            Xc = X[rows]
            adjustment = lower @ _sym_power(lower.T @ (theta - Xc @ B @ Xc.T) @ lower, -0.5) @ lower.T
            E = np.linalg.solve(theta, Xc).T @ adjustment  # X_c' W_c A_c, (p, n_c)
            g = E @ resid[rows]
            meat += np.outer(g, g)
            BE = B @ E
            G.append(BE @ lower)
            H[c] = BE @ Xc @ chol_B
        vb = B @ meat @ B
        se = np.sqrt(np.diag(vb))
        df = np.array([(np.trace(P[0, 0]) ** 2 / np.sum(P[0, 0] ** 2))
                       for P in (_p_array(G, H, np.eye(p)[[i]]) for i in range(p))])
        qm, df2, qm_p = _htz(_p_array(G, H, C), C @ beta, C @ vb @ C.T)
        qm_df, qm_test = (float(btt.size), df2), "HTZ"

    tval = beta / se
    crit = stats.t.isf((1 - level) / 2, df)
    return RobustResult(
        coef_names=fit.coef_names, adjust=adjust, n_clusters=m, level=level, beta=_readonly(beta),
        vb=_readonly(vb), se=_readonly(se), df=_readonly(df), tval=_readonly(tval),
        pval=_readonly(2 * stats.t.sf(np.abs(tval), df)), ci_lb=_readonly(beta - crit * se),
        ci_ub=_readonly(beta + crit * se), qm=float(qm), qm_df=qm_df, qm_p=float(qm_p), qm_test=qm_test,
    )
