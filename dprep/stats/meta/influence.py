"""Influence and sensitivity analyses of a fitted model: leave-one-out (``leave1out``), case deletion
diagnostics (``influence``), cumulative meta-analysis (``cumul``), Baujat coordinates (``baujat``) and the
GOSH analysis of all (or sampled) subsets (``gosh``).

Sizes: ``leave1out``, ``influence``, ``cumul`` and ``baujat`` refit the model k times, so their time grows
with k² (each fit is O(k)): about 5 s at k = 2,000 and 2 min at 10,000 (REML); above
:data:`MAX_REFITS_K` studies they refuse. ``gosh`` keeps an inclusion matrix of subsets × k cells (with
its random draws, ~25 bytes a cell): above :data:`GOSH_MAX_CELLS` cells it refuses (ask for fewer subsets).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from dprep.core import args
from dprep.core.results import Result, internal, result
from dprep.stats.meta._common import FIXED, _EPS
from dprep.stats.meta.rma import RMAResult, rma

#: Above this many subsets :func:`gosh` samples subsets at random (metafor's limit).
GOSH_MAX_SUBSETS = 1_000_000
#: Largest number of cells (subsets × k) of :func:`gosh`'s inclusion matrix: 5e7 cells ≈ 1.2 GB at its peak.
GOSH_MAX_CELLS = 50_000_000
#: Largest k of the analyses that refit the model once per study (time O(k²): ~2 min at this k).
MAX_REFITS_K = 10_000


def _check_refits(k: int, func: str) -> None:
    args.check(k <= MAX_REFITS_K, "result", func,
               f"have at most {MAX_REFITS_K:,} studies (it refits the model once per study, so its time grows "
               f"with k²)", f"k = {k:,}", raw=True)


def _labels(labels: Sequence[Any] | None, k: int, func: str) -> list[str]:
    labels = [str(i + 1) for i in range(k)] if labels is None else [str(x) for x in labels]
    if len(labels) != k:
        args.fail("labels", func, f"have one label per study ({k})", f"{len(labels)} labels", raw=True)
    return labels


def _settings(result: RMAResult) -> dict[str, Any]:
    return dict(method=result.method, test=result.test, level=result.level, tol=result.tol, maxiter=result.maxiter)


def _fit_subset(result: RMAResult, keep: np.ndarray, *, with_mods: bool = True) -> RMAResult | None:
    """The model refitted on the studies in ``keep`` (same design and settings), or None if it cannot be
    fitted there (too few studies, a moderator without variation); warnings (k = 1) are silenced."""
    X = np.asarray(result.X)[keep]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if with_mods and not result.int_only:
                return rma(result.yi[keep], result.vi[keep], mods=X, intercept=False, **_settings(result))
            return rma(result.yi[keep], result.vi[keep], **_settings(result))
        except ValueError:
            return None


def _pooled_row(fit: RMAResult) -> dict[str, float]:
    return {"estimate": fit.estimate, "se": float(fit.se[0]), "stat": float(fit.stat[0]), "pval": float(fit.pval[0]),
            "ci_lb": float(fit.ci_lb[0]), "ci_ub": float(fit.ci_ub[0]), "q": fit.q, "q_p": fit.q_p, "tau2": fit.tau2,
            "i2": fit.i2, "h2": fit.h2}


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
        If ``result`` has moderators, k < 3, or ``labels`` has the wrong length, or k > :data:`MAX_REFITS_K`.

    References
    ----------
    Viechtbauer, W., & Cheung, M. W.-L. (2010). Outlier and influence diagnostics for meta-analysis.
    Research Synthesis Methods, 1(2), 112-125; metafor ``leave1out.rma.uni``.
    """
    if not result.int_only:
        raise ValueError("The 'result' parameter of leave1out must be an intercept-only model. Got a meta-regression instead.")
    if result.k < 3:
        raise ValueError(f"The 'result' parameter of leave1out must have at least 3 studies. Got k = {result.k} instead.")
    _check_refits(result.k, "leave1out")
    labels = _labels(labels, result.k, "leave1out")
    rows = [{"omitted": labels[i], **_pooled_row(_fit_subset(result, np.arange(result.k) != i))}
            for i in range(result.k)]
    return pd.DataFrame(rows)


@result(eq=False)
class InfluenceResult(Result):
    """Case-deletion diagnostics (metafor's ``influence.rma.uni``), one row per study in ``table``:

    ``study, rstudent, dffits, cook_d, cov_r, tau2_del, qe_del, hat, weight, flagged`` and one
    ``dfbetas_<coefficient>`` column per coefficient.
    """

    title = "Influence diagnostics"

    table: pd.DataFrame
    coef_names: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """The diagnostics, one row per study."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """``studies``: one object per study, with ``dfbetas`` a mapping coefficient → value."""
        rows = []
        for row in self.table.to_dict(orient="records"):
            dfb = {name: row.pop(f"dfbetas_{name}") for name in self.coef_names}
            rows.append({**row, "dfbetas": dfb})
        return {"studies": rows, "flagged": [r["study"] for r in rows if r["flagged"]]}

    def _headline(self) -> dict[str, Any]:
        return {"k": len(self.table), "flagged": int(self.table["flagged"].sum())}

    def summary(self) -> str:
        """The table as metafor prints it (``*`` marks an influential study)."""
        shown = self.table.assign(flagged=self.table["flagged"].map({True: "*", False: ""}))
        return "Influence diagnostics\n\n" + shown.to_string(index=False, float_format=lambda x: f"{x:.4f}")


def influence(result: RMAResult, labels: Sequence[str] | None = None) -> InfluenceResult:
    r"""Outlier and influence diagnostics of each study (metafor's ``influence.rma.uni``).

    Each study i is deleted in turn and the model refitted (same method, test and level); with
    :math:`\hat\beta_{(-i)}, V_{(-i)}, \hat\tau^2_{(-i)}, s^2_{(-i)}` from that fit (s² = 1 under z tests):

    * ``rstudent`` — :math:`(y_i - x_i'\hat\beta_{(-i)}) / \sqrt{s^2_{(-i)}(v_i + \hat\tau^2_{(-i)}) + x_i'V_{(-i)}x_i}`;
    * ``dffits`` — :math:`(x_i'\hat\beta - x_i'\hat\beta_{(-i)}) / \sqrt{s^2_{(-i)} h_i (\hat\tau^2_{(-i)} + v_i)}`;
    * ``cook_d`` — :math:`(\hat\beta - \hat\beta_{(-i)})' V^{-1} (\hat\beta - \hat\beta_{(-i)})`;
    * ``cov_r`` — :math:`\det V_{(-i)} / \det V` (covariance ratio);
    * ``tau2_del``, ``qe_del`` — τ² and Q(E) without the study;
    * ``hat`` — the leverage :math:`h_i`, diagonal of :math:`X(X'WX)^{-1}X'W`; ``weight`` — its weight in %;
    * ``dfbetas_<coef>`` — :math:`(\hat\beta_j - \hat\beta_{(-i)j}) / \sqrt{s^2_{(-i)}[(X'W_{(-i)}X)^{-1}]_{jj}}` with
      :math:`W_{(-i)} = \mathrm{diag}(1/(v + \hat\tau^2_{(-i)}))` over all k studies.

    A study is ``flagged`` as influential, as metafor marks it, if :math:`|DFFITS| > 3\sqrt{p/(k-p)}`, or
    :math:`P(\chi^2_p \le D) > 0.5` for its Cook's distance D, or :math:`h_i > 3p/k`, or any |DFBETAS| > 1.

    Parameters
    ----------
    result : RMAResult
        A fitted model (moderators allowed), k ≥ 2.
    labels : sequence of str, shape (k,), optional
        Study labels; default "1" … "k".

    Returns
    -------
    InfluenceResult
        ``table`` with one row per study; a study whose deletion leaves a model that cannot be fitted (e.g. a
        moderator level with no other study) has NaN diagnostics.

    Raises
    ------
    ArgumentError (a ValueError)
        If k < 2 or ``labels`` has the wrong length, or k > :data:`MAX_REFITS_K`.

    References
    ----------
    Viechtbauer, W., & Cheung, M. W.-L. (2010). Outlier and influence diagnostics for meta-analysis.
    Research Synthesis Methods, 1(2), 112-125 (eqs. 9-18); Belsley, D. A., Kuh, E., & Welsch, R. E. (1980).
    Regression diagnostics. Wiley; metafor ``influence.rma.uni``.
    """
    k, p = result.k, result.p
    args.check(k >= 2, "result", "influence", "have at least 2 studies", f"k = {k}", raw=True)
    _check_refits(k, "influence")
    labels = _labels(labels, k, "influence")
    X, yi, vi, beta, vb = (np.asarray(a) for a in (result.X, result.yi, result.vi, result.beta, result.vb))
    w = 1.0 / (vi + result.tau2)
    hat = np.einsum("ij,jk,ik->i", X, np.linalg.inv(X.T @ (X * w[:, None])), X) * w
    vb_inv, vb_det = np.linalg.inv(vb), np.linalg.det(vb)
    rows = []
    for i in range(k):
        fit = _fit_subset(result, np.arange(k) != i)
        if fit is None:
            rows.append({"tau2_del": np.nan, "qe_del": np.nan, "rstudent": np.nan, "dffits": np.nan,
                         "cook_d": np.nan, "cov_r": np.nan, **{f"dfbetas_{n}": np.nan for n in result.coef_names}})
            continue
        xi = X[i]
        pred_del, v_pred = xi @ fit.beta, xi @ fit.vb @ xi
        resid = yi[i] - pred_del
        resid = 0.0 if abs(resid) < 100 * _EPS else resid
        dfb = beta - fit.beta
        vb_del = np.linalg.inv(X.T @ (X / (vi + fit.tau2)[:, None]))
        rows.append({
            "tau2_del": fit.tau2, "qe_del": fit.q,
            "rstudent": resid / math.sqrt(fit.s2w * (vi[i] + fit.tau2) + v_pred),
            "dffits": (xi @ beta - pred_del) / math.sqrt(fit.s2w * hat[i] * (fit.tau2 + vi[i])),
            "cook_d": float(dfb @ vb_inv @ dfb), "cov_r": float(np.linalg.det(fit.vb) / vb_det),
            **{f"dfbetas_{n}": d for n, d in zip(result.coef_names, dfb / np.sqrt(fit.s2w * np.diag(vb_del)))},
        })
    table = pd.DataFrame(rows)
    dfbetas = table[[f"dfbetas_{n}" for n in result.coef_names]].to_numpy()
    flagged = ((np.abs(table["dffits"]) > 3 * math.sqrt(p / (k - p))) if k > p else False) \
        | (stats.chi2.cdf(table["cook_d"], p) > 0.5) | (hat > 3 * p / k) | np.any(np.abs(dfbetas) > 1, axis=1)
    table = table.assign(hat=hat, weight=result.weights, flagged=np.asarray(flagged, bool))
    order = ["rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "qe_del", "hat", "weight", "flagged"]
    table = table[order + [f"dfbetas_{n}" for n in result.coef_names]]
    table.insert(0, "study", labels)
    return InfluenceResult(table=table, coef_names=result.coef_names)


def cumul(result: RMAResult, order: ArrayLike | None = None, labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Cumulative meta-analysis (metafor's ``cumul.rma.uni``): studies are added one at a time in ``order``
    and the model is refitted after each addition (same method, test and level).

    Parameters
    ----------
    result : RMAResult
        A fitted intercept-only model.
    order : array_like, shape (k,), optional
        Values to sort the studies by (e.g. publication year), ascending; ties keep the data order (R's
        ``order``). Default: the order of the data.
    labels : sequence of str, shape (k,), optional
        Study labels; default "1" … "k".

    Returns
    -------
    pandas.DataFrame
        One row per step: ``added, order, k, estimate, se, stat, pval, ci_lb, ci_ub, q, q_p, tau2, i2, h2``;
        the first row is the first study alone (τ² = 0, and z tests under Knapp–Hartung, as metafor).

    Raises
    ------
    ArgumentError (a ValueError)
        If ``result`` has moderators or ``order``/``labels`` have the wrong length, or k > :data:`MAX_REFITS_K`.

    References
    ----------
    Lau, J., Antman, E. M., Jimenez-Silva, J., Kupelnick, B., Mosteller, F., & Chalmers, T. C. (1992).
    Cumulative meta-analysis of therapeutic trials for myocardial infarction. New England Journal of
    Medicine, 327(4), 248-254; metafor ``cumul.rma.uni``.
    """
    args.check(result.int_only, "result", "cumul", "be an intercept-only model", "a meta-regression", raw=True)
    k = result.k
    _check_refits(k, "cumul")
    labels = _labels(labels, k, "cumul")
    keys = np.arange(k) if order is None else np.asarray(order)
    args.check(keys.shape == (k,), "order", "cumul", f"have one value per study ({k})", f"shape {keys.shape}", raw=True)
    idx = np.argsort(keys, kind="stable")
    rows = []
    for step in range(1, k + 1):
        keep = np.zeros(k, bool)
        keep[idx[:step]] = True
        fit = _fit_subset(result, keep)
        rows.append({"added": labels[idx[step - 1]], "order": keys[idx[step - 1]], "k": step, **_pooled_row(fit)})
    return pd.DataFrame(rows)


def baujat(result: RMAResult, labels: Sequence[str] | None = None) -> pd.DataFrame:
    r"""Baujat coordinates (metafor's ``baujat``): each study's contribution to the (residual) heterogeneity
    against its influence on the fitted value.

    :math:`x_i = (y_i - x_i'\hat\beta)^2 / (v_i + \hat\tau^2)` (its term of the Q statistic when τ² = 0) and
    :math:`y_i = (x_i'\hat\beta_{(-i)} - x_i'\hat\beta)^2 / x_i'V_{(-i)}x_i`, with the model refitted
    without study i.

    Parameters
    ----------
    result : RMAResult
        A fitted model, k ≥ 2.
    labels : sequence of str, shape (k,), optional
        Study labels.

    Returns
    -------
    pandas.DataFrame
        Columns ``study, x, y`` (y is NaN for a study without which the model cannot be fitted).

    Raises
    ------
    ArgumentError (a ValueError)
        If k < 2 or ``labels`` has the wrong length, or k > :data:`MAX_REFITS_K`.

    References
    ----------
    Baujat, B., Mahé, C., Pignon, J.-P., & Hill, C. (2002). A graphical method for exploring heterogeneity
    in meta-analyses: Application to a meta-analysis of 65 trials. Statistics in Medicine, 21(18),
    2641-2652; metafor ``baujat.rma``.
    """
    k = result.k
    args.check(k >= 2, "result", "baujat", "have at least 2 studies", f"k = {k}", raw=True)
    _check_refits(k, "baujat")
    labels = _labels(labels, k, "baujat")
    X, yi, vi = np.asarray(result.X), np.asarray(result.yi), np.asarray(result.vi)
    fitted = X @ result.beta
    y = np.full(k, np.nan)
    for i in range(k):
        fit = _fit_subset(result, np.arange(k) != i)
        if fit is not None:
            y[i] = (X[i] @ fit.beta - fitted[i]) ** 2 / (X[i] @ fit.vb @ X[i])
    return pd.DataFrame({"study": labels, "x": (yi - fitted) ** 2 / (vi + result.tau2), "y": y})


@result(eq=False)
class GoshResult(Result):
    """GOSH analysis (metafor's ``gosh.rma``): the model fitted to subsets of the studies.

    ``table`` has one row per subset (``k, estimate`` or one column per coefficient, ``q, i2, h2, tau2``);
    ``included`` is the (n_subsets, k) boolean inclusion matrix.
    """

    title = "GOSH analysis"

    method: str
    exact: bool
    n_subsets: int
    seed: int | None
    table: pd.DataFrame
    level: float
    """Confidence level of the model: the summary's quantiles are (1 − level)/2, 0.5 and (1 + level)/2."""
    included: np.ndarray = internal()

    def to_frame(self) -> pd.DataFrame:
        """One row per subset."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """Settings and a summary (mean, SD, extremes and the quantiles (1 − level)/2, 0.5, (1 + level)/2) of
        each column; the subsets are in ``to_frame()``."""
        tail = (1 - self.level) / 2
        desc = self.table.drop(columns="k").describe(percentiles=[tail, 0.5, 1 - tail]).T
        return {"method": self.method, "exact": self.exact, "n_subsets": self.n_subsets, "seed": self.seed,
                "level": self.level,
                "summary": desc.reset_index(names="quantity").to_dict(orient="records")}


def _subsets(k: int, p: int, subsets: int | None, seed: int | None) -> tuple[np.ndarray, bool]:
    """Inclusion matrix of the subsets with at least p studies: all of them, as metafor orders them (by size,
    then as R's ``expand.grid``: study j is in subset r iff bit j of r is set), if their number is at most ``subsets``
    (default :data:`GOSH_MAX_SUBSETS`); else ``subsets`` random ones, as metafor draws them (a size m with
    probability ∝ C(k, m), then m studies at random)."""
    limit = GOSH_MAX_SUBSETS if subsets is None else subsets
    total = 0
    for m in range(p, k + 1):  # stops as soon as the count passes the limit (k may be large)
        total += math.comb(k, m)
        if total > limit:
            break
    if total <= limit:
        r = np.arange(2**k, dtype=np.int64)
        incl = ((r[:, None] >> np.arange(k)) & 1).astype(bool)
        incl = incl[np.argsort(incl.sum(axis=1), kind="stable")]
        return incl[incl.sum(axis=1) >= p], True
    rng = np.random.default_rng(seed)
    sizes = np.arange(p, k + 1)
    prob = stats.binom.pmf(sizes, k, 0.5)
    m = rng.choice(sizes, size=limit, p=prob / prob.sum())
    ranks = np.argsort(np.argsort(rng.random((limit, k)), axis=1), axis=1)
    return ranks < m[:, None], False


def _gosh_fixed(yi: np.ndarray, vi: np.ndarray, incl: np.ndarray) -> pd.DataFrame:
    """Fixed-effect (τ² = 0) intercept-only fits of every subset at once: weighted sums over the rows of the
    inclusion matrix; I² = max(0, 100 (Q − df)/Q) and H² = Q/df as metafor's FE model (0 and 1 at k = 1)."""
    w = 1.0 / vi
    m = incl.astype(float)
    sw, swy, swy2 = m @ w, m @ (w * yi), m @ (w * yi**2)
    k_s = incl.sum(axis=1)
    q = np.maximum(0.0, swy2 - swy**2 / sw)
    df = k_s - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        i2 = np.where((df > 0) & (q > 0), np.maximum(0.0, 100 * (q - df) / q), 0.0)
        h2 = np.where(df > 0, q / df, 1.0)
    return pd.DataFrame({"k": k_s, "estimate": swy / sw, "q": np.where(df > 0, q, 0.0), "i2": i2, "h2": h2,
                         "tau2": 0.0})


def gosh(result: RMAResult, *, subsets: int | None = None, seed: int | None = None) -> GoshResult:
    """GOSH (graphical display of study heterogeneity): the model fitted to every subset of the studies
    (metafor's ``gosh.rma``), or to a seeded random sample of subsets when there are too many.

    Parameters
    ----------
    result : RMAResult
        A fitted model. Each subset is fitted with its method, test and moderators; subsets with fewer
        studies than coefficients are skipped, as are those whose model cannot be fitted (NaN rows).
    subsets : int, optional
        Number of random subsets when the 2^k − … subsets with at least p studies are more than this
        (default :data:`GOSH_MAX_SUBSETS` = 10⁶, metafor's default).
    seed : int, optional
        Seed of the random subsets (``numpy.random.default_rng``); the exact analysis draws nothing.

    Returns
    -------
    GoshResult
        ``table`` (one row per subset: ``k``, the estimate — or one column per coefficient for a
        meta-regression —, ``q, i2, h2, tau2``) and the inclusion matrix ``included``.

    Raises
    ------
    ArgumentError (a ValueError)
        If k < 2, ``subsets`` < 2, or the inclusion matrix would exceed :data:`GOSH_MAX_CELLS` cells.

    Notes
    -----
    Intercept-only fixed-effect models (``method="FE"``, metafor's usual GOSH model) are fitted all at once
    from weighted sums over the inclusion matrix (65,535 subsets of 16 studies in a fraction of a second).
    Any other model is refitted subset by subset with :func:`rma`, which takes a few milliseconds per
    subset for the iterative τ² estimators: pass a smaller ``subsets`` for large k.

    References
    ----------
    Olkin, I., Dahabreh, I. J., & Trikalinos, T. A. (2012). GOSH - a graphical display of study
    heterogeneity. Research Synthesis Methods, 3(3), 214-223; metafor ``gosh.rma``.
    """
    k, p = result.k, result.p
    args.check(k >= 2, "result", "gosh", "have at least 2 studies", f"k = {k}", raw=True)
    if subsets is not None:
        subsets = args.integer("subsets", "gosh", subsets, minimum=2)
    rows = min(GOSH_MAX_SUBSETS if subsets is None else subsets, 2**min(k, 62))  # at most this many subsets
    args.check(rows * k <= GOSH_MAX_CELLS, "subsets", "gosh",
               f"keep subsets × k at most {GOSH_MAX_CELLS:.0e} cells (the inclusion matrix): with k = {k:,}, at most "
               f"{GOSH_MAX_CELLS // k:,} subsets", rows, raw=True)
    incl, exact = _subsets(k, p, subsets, seed)
    if result.int_only and result.method == FIXED:
        table = _gosh_fixed(np.asarray(result.yi), np.asarray(result.vi), incl)
    else:
        names = ["estimate"] if result.int_only else list(result.coef_names)
        rows = []
        for keep in incl:
            fit = _fit_subset(result, keep)
            rows.append({"k": int(keep.sum()), **({n: np.nan for n in names} if fit is None else dict(zip(names, fit.beta))),
                         "q": np.nan if fit is None else fit.q, "i2": np.nan if fit is None else fit.i2,
                         "h2": np.nan if fit is None else fit.h2, "tau2": np.nan if fit is None else fit.tau2})
        table = pd.DataFrame(rows)
    incl.setflags(write=False)
    return GoshResult(method=result.method, exact=exact, n_subsets=len(incl), seed=None if exact else seed,
                      table=table, level=result.level, included=incl)
