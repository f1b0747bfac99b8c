"""Multilevel (nested random-effects) meta-analysis, as metafor's ``rma.mv(yi, vi, random = ~ 1 | outer/inner)``.

Effect sizes are nested in groups at several levels, e.g. effects within studies (``levels=["study",
"esid"]``) or schools within districts (``["district", "school"]``). Each level adds a random effect
with its own variance σ²; the marginal covariance :math:`M = V + \\sum_l \\sigma^2_l Z_l Z_l'` is block
diagonal by the outermost groups, and the likelihood, its derivatives and β̂ are computed block by block
(batched by block size), never with a k × k inverse.

* :func:`rma_mv` fits the model by REML or ML (Fisher scoring, boundary estimates σ² = 0 allowed);
* :func:`profile_ci` gives the profile-likelihood confidence interval of each σ² (``confint.rma.mv``);
* :func:`dprep.stats.meta.predict` gives the pooled value with its prediction interval;
* :func:`dprep.stats.meta.robust` gives cluster-robust (CR1, CR2) tests.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from dprep.core import args, fmt
from dprep.core.errors import ConvergenceError
from dprep.core.results import Result, internal, result
from dprep.stats.meta._common import (_check_variances, _Coefficients, _brent, _critical, _design, _heterogeneity,
                                       _omnibus, _readonly)
from dprep.stats.meta.rma import _columns
from dprep.stats.meta.tau2 import _tau2_dl

MV_METHODS: tuple[str, ...] = ("REML", "ML")
MV_TESTS: tuple[str, ...] = ("z", "t")
_PROFILE_REMEDY = "try a looser tol or a larger maxiter in rma_mv"


@dataclasses.dataclass(frozen=True)
class _Blocks:
    """The rows of each outermost group, bucketed by group size so that each bucket is one batched array.

    ``rows[b]`` has shape (n_blocks, n) (row indices into the data); ``same[b]`` has shape
    (L, n_blocks, n, n): 1 where two rows share a group of level l (so σ²_l adds to their covariance).
    """

    rows: tuple[np.ndarray, ...]
    same: tuple[np.ndarray, ...]


def _blocks(groups: np.ndarray) -> _Blocks:
    """Blocks of the integer group codes ``groups`` (L, k), outermost level first."""
    order = np.argsort(groups[0], kind="stable")
    members = np.split(order, np.cumsum(np.bincount(groups[0]))[:-1])
    rows, same = [], []
    for size in sorted({m.size for m in members}):
        idx = np.stack([m for m in members if m.size == size])
        codes = groups[:, idx]
        rows.append(idx)
        same.append((codes[..., :, None] == codes[..., None, :]).astype(float))
    return _Blocks(tuple(rows), tuple(same))


@dataclasses.dataclass(frozen=True)
class _Fit:
    """Log-likelihood and GLS fit at given variance components, with the score and Fisher information."""

    ll: float
    beta: np.ndarray
    vb: np.ndarray
    score: np.ndarray
    info: np.ndarray


def _evaluate(sigma2: np.ndarray, yi: np.ndarray, vi: np.ndarray, X: np.ndarray, blocks: _Blocks,
              reml: bool) -> _Fit:
    r"""(Restricted) log-likelihood at ``sigma2``, β̂ = (X'M⁻¹X)⁻¹X'M⁻¹y, and the σ² score and information.

    With :math:`G_l = Z_l Z_l'`, :math:`B = M^{-1}` and :math:`P = B - BX(X'BX)^{-1}X'B`, the REML score is
    :math:`-\tfrac12 \mathrm{tr}(PG_l) + \tfrac12 y'PG_lPy` and the expected information
    :math:`\tfrac12 \mathrm{tr}(PG_lPG_m)`; ML replaces P by B in the traces (Harville, 1977, eqs. 4.3,
    6.4). The traces are expanded so that only the blocks of B and p × p matrices appear.
    """
    k, p = X.shape
    n_comp = sigma2.size
    A = np.zeros((p, p))
    c = np.zeros(p)
    logdet = 0.0
    parts = []
    for rows, same in zip(blocks.rows, blocks.same):
        M = np.einsum("l,lbij->bij", sigma2, same) + vi[rows][:, :, None] * np.eye(rows.shape[1])
        chol = np.linalg.cholesky(M)
        logdet += 2.0 * float(np.log(np.diagonal(chol, axis1=1, axis2=2)).sum())
        Minv = np.linalg.inv(M)
        Q = Minv @ X[rows]
        A += np.einsum("bip,biq->pq", X[rows], Q)
        c += np.einsum("bip,bi->p", Q, yi[rows])
        parts.append((rows, same, Minv, Q))
    vb = np.linalg.inv(A)
    beta = vb @ c
    resid = yi - X @ beta

    rss = 0.0
    tr_bg, quad = np.zeros(n_comp), np.zeros(n_comp)
    E, C = np.zeros((n_comp, p, p)), np.zeros((n_comp, n_comp, p, p))
    T = np.zeros((n_comp, n_comp))
    for rows, same, Minv, Q in parts:
        s = np.einsum("bij,bj->bi", Minv, resid[rows])  # M⁻¹(y - Xβ̂) = Py, block by block
        rss += float(np.einsum("bi,bi->", resid[rows], s))
        H = Minv[None] @ same  # B G_l
        K = same @ Q[None]  # G_l B X
        tr_bg += np.einsum("lbii->l", H)
        quad += np.einsum("bi,lbij,bj->l", s, same, s)
        E += np.einsum("bip,lbiq->lpq", Q, K)
        T += np.einsum("lbij,mbji->lm", H, H)
        C += np.einsum("lbip,mbiq->lmpq", K, Minv[None] @ K)
    if reml:
        VE = vb[None] @ E
        score = -0.5 * (tr_bg - np.einsum("lpp->l", VE)) + 0.5 * quad
        info = 0.5 * (T - 2.0 * np.einsum("pq,lmqp->lm", vb, C) + np.einsum("lpq,mqp->lm", VE, VE))
        ll = -0.5 * ((k - p) * np.log(2 * np.pi) + logdet + np.linalg.slogdet(A)[1] + rss) \
            + 0.5 * np.linalg.slogdet(X.T @ X)[1]
    else:
        score = -0.5 * tr_bg + 0.5 * quad
        info = 0.5 * T
        ll = -0.5 * (k * np.log(2 * np.pi) + logdet + rss)
    return _Fit(ll=float(ll), beta=beta, vb=vb, score=score, info=info)


def _maximise(yi, vi, X, blocks, reml, start, fixed, tol, maxiter) -> tuple[np.ndarray, _Fit]:
    """Fisher scoring for σ² ≥ 0 with step halving; components where ``fixed`` is True keep their start.

    A component at 0 whose score is ≤ 0 stays at the boundary (the Karush–Kuhn–Tucker condition of the
    constrained maximum); the others take the Fisher-scoring step, projected onto σ² ≥ 0 and halved
    until the log-likelihood does not decrease. Converged when no component moves by more than ``tol``.
    """
    sigma2 = np.array(start, dtype=float)
    fit = _evaluate(sigma2, yi, vi, X, blocks, reml)
    for _ in range(maxiter):
        free = ~fixed & ((sigma2 > 0) | (fit.score > 0))
        if not free.any():
            return sigma2, fit
        step = np.zeros_like(sigma2)
        step[free] = np.linalg.lstsq(fit.info[np.ix_(free, free)], fit.score[free], rcond=None)[0]
        for _halving in range(60):
            trial = np.where(free, np.maximum(sigma2 + step, 0.0), sigma2)
            new = _evaluate(trial, yi, vi, X, blocks, reml)
            if new.ll >= fit.ll - 1e-12 * (1.0 + abs(fit.ll)):
                break
            step /= 2
        else:  # no ascent along the scoring direction: a maximum to machine precision
            return sigma2, fit
        moved = float(np.max(np.abs(trial - sigma2)))
        sigma2, fit = trial, new
        if moved <= tol:
            return sigma2, fit
    raise ConvergenceError(f"Fisher scoring for the variance components did not converge in {maxiter} iterations; "
                           "try method='ML', a looser tol or a larger maxiter, or the two-level model "
                           "(rma with method='DL').")


@result(eq=False)
class MVResult(_Coefficients, Result):
    """A fitted multilevel model, the counterpart of metafor's ``rma.mv`` object with nested ``random``.

    Arrays are read-only: shape (p,) for coefficients, (L,) for the levels (outermost first). ``stat``
    holds z values (``test="z"``) or t values on k - p df (``test="t"``). ``print(fit.summary())`` gives
    metafor's printout; ``fit.to_frame()`` the coefficient table.
    """

    yi: np.ndarray = internal()
    vi: np.ndarray = internal()
    X: np.ndarray = internal()
    groups: np.ndarray = internal()
    coef_names: tuple[str, ...]
    level_names: tuple[str, ...]
    n_groups: tuple[int, ...]
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
    sigma2: np.ndarray
    loglik: float
    q: float
    q_df: int
    q_p: float
    vt: float
    i2_levels: np.ndarray
    i2: float
    qm: float
    qm_df: tuple[int, ...]
    qm_p: float
    tol: float = internal(default=1e-10)
    maxiter: int = internal(default=1000)

    @property
    def ddf(self) -> int | None:
        """Degrees of freedom of the t tests (k - p) when ``test="t"``, else ``None``."""
        return self.k - self.p if self.test == "t" else None

    @property
    def sigma(self) -> np.ndarray:
        """σ of each level (analysis units), shape (L,)."""
        return np.sqrt(self.sigma2)

    def _blocks(self) -> _Blocks:
        return _blocks(self.groups)

    def marginal_blocks(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The diagonal blocks of the marginal covariance M, one per outermost group.

        Returns
        -------
        list of (rows, M_b)
            ``rows`` (n_b,) indexes the data; ``M_b`` (n_b, n_b) is V + Σ σ²_l Z_l Z_l' on those rows.
        """
        out = []
        blocks = self._blocks()
        for rows, same in zip(blocks.rows, blocks.same):
            M = np.einsum("l,lbij->bij", self.sigma2, same) + self.vi[rows][:, :, None] * np.eye(rows.shape[1])
            out += list(zip(rows, M))
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python summary (no input data): coefficients, variance components, heterogeneity, tests."""
        out: dict[str, Any] = {
            "k": self.k, "method": self.method, "test": self.test, "level": self.level,
            "levels": list(self.level_names), "n_groups": list(self.n_groups),
            "coefficients": self.to_frame().to_dict(orient="records"),
            "sigma2": self.sigma2.tolist(), "i2_levels": self.i2_levels.tolist(), "i2": self.i2,
            "loglik": self.loglik, "q": self.q, "q_df": self.q_df, "q_p": self.q_p, "ddf": self.ddf,
        }
        if self.int_only:
            out.update(self._pooled())
        else:
            out.update(qm=self.qm, qm_df=list(self.qm_df), qm_p=self.qm_p)
        return out

    def _headline(self) -> dict[str, Any]:
        return {"k": self.k, "method": self.method, **self._fit_headline(),
                **{f"sigma2_{j + 1}": float(s) for j, s in enumerate(self.sigma2)}}

    def summary(self) -> str:
        """metafor's printout of an ``rma.mv`` fit: variance components, I², the tests and the coefficients."""
        components = pd.DataFrame({"estim": self.sigma2, "sqrt": self.sigma, "nlvls": self.n_groups,
                                   "I² (%)": self.i2_levels, "factor": self.level_names},
                                  index=[f"sigma^2.{j + 1}" for j in range(self.sigma2.size)])
        kind = "Test for Heterogeneity" if self.int_only else "Test for Residual Heterogeneity"
        lines = [f"Multilevel Meta-Analysis Model (k = {self.k}; method: {self.method})", "",
                 f"logLik = {self.loglik:.4f}", "", "Variance Components:", "",
                 components.to_string(float_format=lambda x: f"{x:.4f}"), "",
                 f"I² (total heterogeneity / total variability): {self.i2:.2f}%", "", f"{kind}:",
                 f"{'Q' if self.int_only else 'QE'}(df = {self.q_df}) = {self.q:.4f}, "
                 f"{fmt.pval(self.q_p, 4, prefix=True)}"]
        if not self.int_only:
            test = (f"F(df1 = {self.qm_df[0]}, df2 = {self.qm_df[1]})" if self.test == "t"
                    else f"QM(df = {self.qm_df[0]})")
            lines += ["", "Test of Moderators:", f"{test} = {self.qm:.4f}, {fmt.pval(self.qm_p, 4, prefix=True)}"]
        inference = f"t tests on {self.ddf} df" if self.test == "t" else "Wald-type z tests"
        lines += self._model_results("tval" if self.test == "t" else "zval", inference)
        return "\n".join(lines)


def _group_codes(levels: Any, data: pd.DataFrame | None, k: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer codes (L, k) of the nested groups and their names ("district", "district/school")."""
    levels = [levels] if isinstance(levels, str) else levels
    if not isinstance(levels, Sequence) or len(levels) == 0:
        args.fail("levels", "rma_mv", "be a non-empty list of grouping columns or arrays, outermost first", levels)
    codes, names = [], []
    previous = np.zeros(k, dtype=int)
    for j, level in enumerate(levels):
        if isinstance(level, str):
            if data is None or level not in data.columns:
                where = "'data'" if data is not None else "'data' (not given)"
                args.fail("levels", "rma_mv", f"name columns of {where}", level)
            name, values = level, data[level]
        elif isinstance(level, pd.Series) and level.name is not None:
            name, values = str(level.name), level
        else:
            name, values = f"level{j + 1}", pd.Series(np.asarray(level, dtype=object))
        if len(values) != k:
            args.fail("levels", "rma_mv", f"hold one value per effect size ({k})", f"{len(values)} in {name!r}",
                      raw=True)
        missing = pd.isna(pd.Series(values)).to_numpy()
        if missing.any():
            args.fail("levels", "rma_mv", "hold no missing values",
                      f"a missing value in {name!r} at position {int(np.flatnonzero(missing)[0])}", raw=True)
        nested = pd.MultiIndex.from_arrays([previous, pd.Series(values).to_numpy()]).factorize()[0]
        names.append(name if j == 0 else f"{names[-1]}/{name}")
        n_new, n_old = nested.max() + 1, previous.max() + 1
        if j == 0 and n_new < 2:
            args.fail("levels", "rma_mv", "have at least 2 groups at the outermost level", f"1 in {name!r}", raw=True)
        if j > 0 and n_new == n_old:
            args.fail("levels", "rma_mv", f"split the groups of {names[-2]!r} further (else their variance "
                      "components are not identifiable)", f"one {name!r} per {names[-2]!r} group", raw=True)
        codes.append(nested)
        previous = nested
    return np.stack(codes), tuple(names)


def rma_mv(
    yi: ArrayLike | str,
    vi: ArrayLike | str,
    *,
    levels: Sequence[str | ArrayLike] | str,
    data: pd.DataFrame | None = None,
    method: Literal["REML", "ML"] = "REML",
    test: Literal["z", "t"] = "z",
    level: float = 0.95,
    mods: ArrayLike | pd.Series | pd.DataFrame | str | list[str] | None = None,
    intercept: bool = True,
    tol: float = 1e-10,
    maxiter: int = 1000,
) -> MVResult:
    r"""Fit a multilevel random-effects model or meta-regression, as metafor's ``rma.mv`` with nested levels.

    The model is :math:`y_i = x_i'\beta + u^{(1)}_{g_1(i)} + \dots + u^{(L)}_{g_L(i)} + e_i` with
    :math:`u^{(l)} \sim N(0, \sigma^2_l)` for the groups of level l (each nested in the level above) and
    :math:`e_i \sim N(0, v_i)`: ``levels=["district", "school"]`` is metafor's ``random = ~ 1 |
    district/school``. σ² = (σ²_1, …, σ²_L) maximises the restricted (REML) or full (ML) log-likelihood
    over σ² ≥ 0, then β is estimated by generalised least squares with the marginal covariance
    :math:`M = \mathrm{diag}(v) + \sum_l \sigma^2_l Z_l Z_l'`.

    Parameters
    ----------
    yi : array_like, shape (k,), or str
        Observed effect sizes (analysis scale), or with ``data`` the name of their column.
    vi : array_like, shape (k,), or str
        Their sampling variances (analysis units squared), all > 0, or the name of their column.
    levels : list of str or of array_like (k,)
        The grouping variables, outermost first (e.g. ``["study", "esid"]``): column names of ``data`` or
        arrays of labels (a named pandas Series keeps its name; other arrays are "level1", "level2", ...).
        A group of a level is the combination of its label with the labels above it, so inner labels may
        repeat across outer groups (school 1 of every district). One level gives the two-level model of
        :func:`rma` (σ²_1 = τ²).
    data : pandas.DataFrame, optional
        A table holding the columns named by ``yi``, ``vi``, ``levels`` and ``mods``.
    method : {"REML", "ML"}
        Restricted or full maximum likelihood.
    test : {"z", "t"}
        Wald-type z tests and normal CIs, or t tests and CIs on k - p df (metafor's ``test="t"``, with an F
        test for the moderators).
    level : float
        Confidence level in (0, 1).
    mods : array_like, pandas.Series, pandas.DataFrame, str or list of str, optional
        Moderators, as in :func:`rma` (categorical columns dummy-coded against their first level, sorted).
    intercept : bool
        Add an intercept column (metafor default).
    tol : float
        Convergence tolerance: the largest change of a σ² in the last Fisher-scoring step (analysis units²).
    maxiter : int
        Maximum number of Fisher-scoring iterations.

    Returns
    -------
    MVResult
        Coefficients with se, z or t, p and CI; σ² per level (outermost first) and the number of groups of
        each; the (restricted) log-likelihood as metafor reports it; Q (QE), its df and p; I² per level and in
        total; QM, its df and p.

    Raises
    ------
    ArgumentError (a ValueError)
        On invalid options, non-finite or non-positive variances, mismatched lengths, k ≤ p, a
        rank-deficient model matrix, a level column that is unknown, has missing values, has a single group
        (outermost) or does not split the groups above it.
    ConvergenceError (a RuntimeError)
        If Fisher scoring does not converge in ``maxiter`` iterations.

    Notes
    -----
    Fisher scoring starts from the DerSimonian–Laird τ² of the two-level model, shared equally among the
    levels. A σ² whose maximum lies on the boundary is exactly 0 (metafor, optimising log σ², reports a
    value of about 1e-10 there). The REML log-likelihood includes metafor's constant
    :math:`\tfrac12\log|X'X|`, so ``loglik`` equals metafor's ``logLik(res)``.

    Q is Cochran's statistic of the fixed-effects model, :math:`y'Py` with :math:`P = W - WX(X'WX)^{-1}X'W`,
    :math:`W = \mathrm{diag}(1/v_i)`, on k - p df. I² per level follows metafor's FAQ "I² for multilevel and
    multivariate models" (Nakagawa & Santos, 2012; Cheung, 2014): with the typical sampling variance
    :math:`\tilde v = (k - p)/\mathrm{tr}(P)`, :math:`I^2_l = 100\,\sigma^2_l / (\sum_m \sigma^2_m + \tilde v)`
    and the total :math:`I^2 = 100 \sum_l \sigma^2_l / (\sum_l \sigma^2_l + \tilde v)`.

    References
    ----------
    Konstantopoulos, S. (2011). Fixed effects and variance components estimation in three-level
    meta-analysis. Research Synthesis Methods, 2(1), 61-76. https://doi.org/10.1002/jrsm.35
    Harville, D. A. (1977). Maximum likelihood approaches to variance component estimation and to related
    problems. JASA, 72(358), 320-338 (eqs. 4.3, 6.4: ML and REML scores and information).
    Nakagawa, S., & Santos, E. S. A. (2012). Methodological issues and advances in biological meta-analysis.
    Evolutionary Ecology, 26(5), 1253-1274 (eq. 24).
    Cheung, M. W.-L. (2014). Modeling dependent effect sizes with three-level meta-analyses: A structural
    equation modeling approach. Psychological Methods, 19(2), 211-229.
    Viechtbauer, W. "I² for multilevel and multivariate models", metafor FAQ,
    https://www.metafor-project.org/doku.php/tips:i2_multilevel_multivariate
    """
    if data is not None:
        yi, vi, mods = _columns(data, yi, vi, mods, func="rma_mv")
    args.option("method", "rma_mv", method, MV_METHODS)
    args.option("test", "rma_mv", test, MV_TESTS)
    level = args.level("rma_mv", level)
    tol = args.positive("tol", "rma_mv", tol)
    maxiter = args.integer("maxiter", "rma_mv", maxiter, minimum=1)
    yi = args.vector("yi", "rma_mv", yi)
    vi = args.vector("vi", "rma_mv", vi, size=yi.size)
    _check_variances(vi, "rma_mv")
    k = yi.size
    groups, level_names = _group_codes(levels, data, k)
    X, names = _design(mods, k, intercept, func="rma_mv")
    p = X.shape[1]
    if k <= p:
        args.fail("yi", "rma_mv", f"have more effect sizes than model coefficients ({p})", f"k = {k}", raw=True)

    blocks = _blocks(groups)
    n_comp = groups.shape[0]
    start = np.full(n_comp, max(_tau2_dl(yi, vi, X)[0], 0.01 * float(np.mean(vi))) / n_comp)
    sigma2, fit = _maximise(yi, vi, X, blocks, method == "REML", start, np.zeros(n_comp, bool), tol, maxiter)

    beta, vb = fit.beta, fit.vb
    se = np.sqrt(np.diag(vb))
    stat = beta / se
    ddf = k - p
    if test == "t":
        pval = 2 * stats.t.sf(np.abs(stat), ddf)
    else:
        pval = 2 * stats.norm.sf(np.abs(stat))
    crit = _critical(test, level, ddf)

    qm, qm_df, qm_p = _omnibus(beta, vb, intercept, test == "t", ddf)

    q, vt = _heterogeneity(yi, vi, X)
    total = float(sigma2.sum()) + vt
    return MVResult(
        yi=_readonly(yi), vi=_readonly(vi), X=_readonly(X), groups=groups, coef_names=names,
        level_names=level_names, n_groups=tuple(int(g.max()) + 1 for g in groups), method=method, test=test,
        level=level, beta=_readonly(beta), vb=_readonly(vb), se=_readonly(se), stat=_readonly(stat),
        pval=_readonly(pval), ci_lb=_readonly(beta - crit * se), ci_ub=_readonly(beta + crit * se),
        sigma2=_readonly(sigma2), loglik=fit.ll, q=q, q_df=k - p, q_p=float(stats.chi2.sf(q, k - p)),
        vt=float(vt), i2_levels=_readonly(100 * sigma2 / total), i2=float(100 * sigma2.sum() / total),
        qm=qm, qm_df=qm_df, qm_p=qm_p, tol=tol, maxiter=maxiter,
    )


@result(eq=False)
class ProfileCI(Result):
    """Profile-likelihood confidence intervals of the variance components (``confint.rma.mv``), shape (L,)."""

    level_names: tuple[str, ...]
    level: float
    sigma2: np.ndarray
    ci_lb: np.ndarray
    ci_ub: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """One row per level: ``factor, sigma2, ci_lb, ci_ub, sigma, sigma_ci_lb, sigma_ci_ub``."""
        return pd.DataFrame({"factor": list(self.level_names), "sigma2": self.sigma2, "ci_lb": self.ci_lb,
                             "ci_ub": self.ci_ub, "sigma": np.sqrt(self.sigma2), "sigma_ci_lb": np.sqrt(self.ci_lb),
                             "sigma_ci_ub": np.sqrt(self.ci_ub)})

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python copy: ``sigma2`` and ``sigma2_ci`` (a list of [lb, ub]), outermost level first."""
        return {"levels": list(self.level_names), "level": self.level, "sigma2": self.sigma2.tolist(),
                "sigma2_ci": [[float(lb), float(ub)] for lb, ub in zip(self.ci_lb, self.ci_ub)]}

    def _headline(self) -> dict[str, Any]:
        return {"levels": len(self.level_names), "level": self.level}

    def summary(self) -> str:
        """metafor's ``confint()`` printout: each σ² and σ with its profile-likelihood interval."""
        return (f"Profile-likelihood {round(100 * self.level, 6):g}% confidence intervals of the variance "
                "components\n\n" + self.to_frame().to_string(index=False, float_format=lambda x: f"{x:.4f}"))


def profile_ci(fit: MVResult, *, level: float | None = None) -> ProfileCI:
    r"""Profile-likelihood confidence interval of each variance component σ²_l.

    The bounds are the values of σ²_l at which the likelihood-ratio statistic
    :math:`2\{\ell(\hat\sigma^2) - \max_{\sigma^2_{-l}} \ell(\sigma^2_l, \sigma^2_{-l})\}` (the other
    components re-estimated, with the model's REML or ML criterion) equals :math:`\chi^2_{1;\,level}`. The
    lower bound is 0 when the statistic at σ²_l = 0 stays below the critical value (also when σ̂²_l = 0).

    Parameters
    ----------
    fit : MVResult
        A fitted multilevel model.
    level : float, optional
        Confidence level in (0, 1); defaults to ``fit.level``.

    Returns
    -------
    ProfileCI

    Raises
    ------
    ConvergenceError (a RuntimeError)
        If a profile refit does not converge.

    Notes
    -----
    As metafor, the upper bound is searched in [σ̂²_l, max(10, 100 σ̂²_l)]; where metafor stops at that end
    and reports ">", the end is doubled here until the bound is bracketed, so every bound is finite.
    Brent's method runs to 1e-12 (absolute), like ``confint(res, control=list(tol=1e-12))``.

    References
    ----------
    Hardy, R. J., & Thompson, S. G. (1996). A likelihood approach to meta-analysis with random effects.
    Statistics in Medicine, 15(6), 619-629; metafor ``confint.rma.mv``.
    """
    level = fit.level if level is None else args.level("profile_ci", level)
    crit = float(stats.chi2.ppf(level, 1))
    blocks = fit._blocks()
    reml = fit.method == "REML"
    yi, vi, X = fit.yi, fit.vi, fit.X
    est = np.asarray(fit.sigma2)
    lower, upper = np.zeros(est.size), np.zeros(est.size)
    for j in range(est.size):
        fixed = np.zeros(est.size, bool)
        fixed[j] = True
        warm = est.copy()

        def excess(value: float) -> float:
            start = warm.copy()
            start[j] = value
            sigma2, prof = _maximise(yi, vi, X, blocks, reml, start, fixed, fit.tol, fit.maxiter)
            warm[:] = sigma2
            return 2.0 * (fit.loglik - prof.ll) - crit

        if est[j] > 0 and excess(0.0) > 0:
            lower[j] = _brent(excess, 0.0, est[j], "the lower profile-likelihood bound of σ²", _PROFILE_REMEDY,
                              xtol=1e-12, rtol=1e-12)
        warm[:] = est
        end = max(10.0, 100.0 * est[j]) if est[j] > np.sqrt(np.finfo(float).eps) else 10.0
        while excess(end) < 0:
            end *= 2.0
            if end > 1e12:
                raise ConvergenceError("No upper profile-likelihood bound of σ² below 1e12; the effect sizes may be "
                                       "on a scale too large for σ² (rescale them).")
        warm[:] = est
        upper[j] = _brent(excess, est[j], end, "the upper profile-likelihood bound of σ²", _PROFILE_REMEDY,
                          xtol=1e-12, rtol=1e-12)
    return ProfileCI(level_names=fit.level_names, level=level, sigma2=_readonly(est), ci_lb=_readonly(lower),
                     ci_ub=_readonly(upper))
