"""Small-study effects: Egger's regression test (``regtest``) and trim-and-fill (``trimfill``)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from dprep.core import args, fmt
from dprep.core.results import Result, internal, result
from dprep.core.errors import ConvergenceError
from dprep.stats.meta._common import _negligible
from dprep.stats.meta.rma import RMAResult, _refit


Predictor = Literal["sei", "vi"]
_PREDICTOR_NAMES = {"sei": "standard error", "vi": "sampling variance"}


@result(eq=False)
class EggerResult(Result):
    """Egger-type regression test (``regtest``): the test of the slope on the standard error (or the
    sampling variance), and the limit estimate (the intercept: the expected effect of a study with
    se → 0) with its CI.

    ``stat`` is a z value, or a t value on ``ddf`` df under Knapp–Hartung (``test`` says which). When the
    test is not computable (``note`` says why) ``stat`` and ``pval`` are NaN.
    """

    title = "Regression Test for Funnel Plot Asymmetry"

    test: str
    predictor: str
    stat: float
    ddf: int | None
    pval: float
    estimate: float
    ci_lb: float
    ci_ub: float
    note: str | None = None
    fit: RMAResult = internal(default=None)

    def _summary_lines(self) -> list[str]:
        stat = f"t = {self.stat:.4f}, df = {self.ddf}" if self.test == "knha" else f"z = {self.stat:.4f}"
        lines = [f"Model: {'mixed-effects' if not self.fit.int_only else 'random-effects'} meta-regression "
                 f"({self.fit.method}); predictor: {_PREDICTOR_NAMES[self.predictor]}", "",
                 f"Test for funnel plot asymmetry: {stat}, {fmt.pval(self.pval, 4, prefix=True)}",
                 f"Limit estimate (as {self.predictor} -> 0): b = {self.estimate:.4f} "
                 f"(CI: {self.ci_lb:.4f}, {self.ci_ub:.4f})"]
        return lines + ([f"Note: {self.note}"] if self.note else [])


def regtest(result: RMAResult, *, predictor: Predictor = "sei") -> EggerResult:
    r"""Egger's regression test for funnel-plot asymmetry, metafor's ``regtest(model="rma")``.

    Refits the model with the standard error :math:`\sqrt{v_i}` (``predictor="sei"``, Egger's test) or the
    sampling variance :math:`v_i` (``"vi"``) added as a moderator, with the same τ² method, test and level,
    and tests its coefficient. For an intercept-only model the intercept of that fit is the *limit
    estimate*: the expected effect of a study with se → 0 (with ``"sei"`` and ``method="FE"``,
    ``test="knha"`` it is the PET estimate, with ``"vi"`` the PEESE estimate of :func:`petpeese`).

    Parameters
    ----------
    result : RMAResult
        A fitted model.
    predictor : {"sei", "vi"}
        The measure of precision added as moderator.

    Returns
    -------
    EggerResult
        ``stat`` (z, or t on ``ddf`` df under Knapp–Hartung) and ``pval`` of the predictor's coefficient;
        the limit estimate ``estimate`` with ``ci_lb``/``ci_ub`` (NaN for meta-regression models).

    Raises
    ------
    ArgumentError (a ValueError)
        If ``predictor`` is not one of the options.

    Notes
    -----
    Under Knapp–Hartung the test is *not computable* when the refitted model leaves no residual (s² = 0:
    the effect sizes lie exactly on a line in the predictor, e.g. when they are all equal): the t statistic
    is 0/0 (metafor reports t = Inf, p < .0001, "significant asymmetry"). ``stat`` and ``pval`` are then
    NaN and ``note`` says why.

    Raises
    ------
    ArgumentError
        If the refit with the standard error as moderator is not estimable (e.g. k ≤ p + 1).

    References
    ----------
    Egger et al. (1997); Sterne, J. A. C., & Egger, M. (2005). Regression methods to detect publication
    and other bias in meta-analysis. In Publication bias in meta-analysis (pp. 99-110). Wiley; metafor
    ``regtest``.
    """
    args.option("predictor", "regtest", predictor, tuple(_PREDICTOR_NAMES))
    vi = np.asarray(result.vi)
    fit = _refit(result, np.asarray(result.yi), vi, np.sqrt(vi) if predictor == "sei" else vi, predictor)
    j = result.p
    limit = (float(fit.beta[0]), float(fit.ci_lb[0]), float(fit.ci_ub[0])) if result.int_only else (np.nan,) * 3
    stat, pval, note = float(fit.stat[j]), float(fit.pval[j]), None
    if fit.test == "knha" and fit.s2w == 0:
        stat, pval = float("nan"), float("nan")
        note = ("not computable: the effect sizes lie exactly on a line in the predictor, so the "
                "Knapp–Hartung scale s² is 0 and t = 0/0")
    return EggerResult(test=result.test, predictor=predictor, stat=stat, ddf=fit.ddf, pval=pval,
                       estimate=limit[0], ci_lb=limit[1], ci_ub=limit[2], note=note, fit=fit)


@result(eq=False)
class TrimFillResult(Result):
    """Trim-and-fill (``trimfill``): number and values of imputed studies and the model on augmented data."""

    k0: int
    se_k0: float
    side: str
    yi_filled: np.ndarray
    vi_filled: np.ndarray
    fit: RMAResult = internal()

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


def _slope_on_sei(result: RMAResult, yi: np.ndarray, vi: np.ndarray) -> float:
    r"""Slope of the refit with √vᵢ as moderator (metafor's choice of side), 0 when it is round-off.

    The slope is :math:`\sum_i c_i y_i` with :math:`c` the row of :math:`(X'WX)^{-1}X'W`; it is 0 when it is
    at most √ε times :math:`\sum_i |c_i y_i|` (e.g. mirror-symmetric data, where it comes out as ±1e-15).
    """
    fit = _refit(result, yi, vi, np.sqrt(vi), "sei")
    X, w = np.asarray(fit.X), 1.0 / (vi + fit.tau2)
    c = np.linalg.solve(X.T @ (X * w[:, None]), (X * w[:, None]).T)[1]
    slope = float(fit.beta[1])
    return 0.0 if _negligible(slope, np.sum(np.abs(c * yi))) else slope


def _ranks_first(values: np.ndarray, scale: float) -> np.ndarray:
    """Ranks 1..k of ``values``; ties, i.e. values equal up to round-off (√ε relative to ``scale``), are
    ranked in their order of appearance (R's ``rank(ties.method="first")``)."""
    order = np.argsort(values, kind="stable")
    group = np.empty(values.size, dtype=int)
    group[order] = np.cumsum(np.r_[True, ~_negligible(np.diff(values[order]), scale)])
    ranks = np.empty(values.size, dtype=int)
    ranks[np.lexsort((np.arange(values.size), group))] = np.arange(1, values.size + 1)
    return ranks


def trimfill(result: RMAResult, *, side: Literal["left", "right"] | None = None, maxiter: int = 100) -> TrimFillResult:
    r"""Duval & Tweedie's trim-and-fill with the L0 estimator, as metafor's ``trimfill()`` defaults.

    If ``side`` is not given it is chosen as metafor does: fit the model with :math:`\sqrt{v_i}` as
    moderator; a negative slope means the missing studies are on the right, otherwise on the left.
    Iteratively, the k0 most extreme studies on that side are trimmed, μ̂ re-estimated, and

    .. math:: L_0 = \frac{4 S_r - k(k+1)}{2k - 1}

    recomputed from the Wilcoxon signed-rank sum :math:`S_r` of the centred values (rounded half to even,
    as R's ``round``) until k0 no longer changes. The k0 trimmed studies are then mirrored about the
    trimmed estimate and the model refitted on the k + k0 values.

    Ties follow metafor's rules, with "equal" meaning equal up to round-off (√ε relative to the scale of
    the data, max|yᵢ| + √mean(vᵢ)), so that the result does not depend on the last bits of μ̂:

    * a value tied with μ̂ has no sign and adds nothing to :math:`S_r` (R's ``sign(0)``), so identical
      effect sizes give k0 = 0; otherwise a round-off of 1e-17 in μ̂ gives them signs and ranks;
    * values of :math:`|y_i - \hat\mu|` tied with each other are ranked in their order in the sorted data
      (R's ``rank(ties.method = "first")``), i.e. the member of a tied pair on the side opposite the missing
      studies gets the higher rank. This rule is metafor's and is not symmetric: on data mirror-symmetric
      about μ̂ (yᵢ = ±0.1, ±0.2, ±0.4) :math:`S_r` exceeds its expectation and k0 = 1, as metafor; without
      the tolerance the ranks of such pairs would follow the sign of μ̂'s round-off (metafor 3.8-1 gives
      k0 = 0 on the same data shifted by 0.3);
    * a slope on :math:`\sqrt{v_i}` that is 0 up to round-off (√ε relative to the sum of the magnitudes of
      its terms) counts as 0, i.e. side "left".

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
    ConvergenceError
        If k0 does not settle within ``maxiter`` iterations (the message names the remedy).

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
        slope = _slope_on_sei(result, yi0, vi0)
        side = "right" if slope < 0 else "left"
    args.option("side", "trimfill", side, ("left", "right"))
    sign = -1.0 if side == "right" else 1.0
    order = np.argsort(sign * yi0, kind="stable")
    yi, vi = sign * yi0[order], vi0[order]
    k = yi.size
    tie_scale = np.abs(yi).max() + np.sqrt(vi.mean())

    k0, k0_prev, beta, se_k0 = 0, -1, 0.0, 0.0
    for _ in range(maxiter):
        if k0 == k0_prev:
            break
        k0_prev = k0
        beta = _refit(result, yi[: k - k0], vi[: k - k0]).estimate
        centred = np.where(_negligible(yi - beta, tie_scale), 0.0, yi - beta)  # ties with μ̂ have no sign
        ranks = _ranks_first(np.abs(centred), tie_scale)
        s_r = float(np.sum(ranks[centred > 0]))
        l0 = (4 * s_r - k * (k + 1)) / (2 * k - 1)
        var_sr = (k * (k + 1) * (2 * k + 1) + 10 * l0**3 + 27 * l0**2 + 17 * l0
                  - 18 * k * l0**2 - 18 * k * l0 + 6 * k**2 * l0) / 24
        se_k0 = max(0.0, 4 * np.sqrt(var_sr) / (2 * k - 1)) if var_sr >= 0 else float("nan")
        k0 = max(0, int(np.round(l0)))
    else:
        raise ConvergenceError(f"Trim-and-fill did not converge in {maxiter} iterations; try a larger maxiter "
                               "or a model fitted with method='DL'.")

    if k0 == 0:
        return TrimFillResult(k0=0, se_k0=se_k0, side=side, yi_filled=np.empty(0), vi_filled=np.empty(0), fit=result)
    yi_fill = sign * (2 * beta - yi[k - k0:])
    vi_fill = vi[k - k0:]
    fit = _refit(result, np.r_[yi0, yi_fill], np.r_[vi0, vi_fill])
    return TrimFillResult(k0=k0, se_k0=se_k0, side=side, yi_filled=yi_fill, vi_filled=vi_fill, fit=fit)
