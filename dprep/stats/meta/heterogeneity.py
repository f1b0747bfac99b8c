"""Q-profile confidence intervals for τ², τ, I² and H² (metafor's ``confint.rma.uni``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from dprep.core import args
from dprep.core.results import Result, result
from dprep.stats.meta._common import _q_gen, _root
from dprep.stats.meta.rma import RMAResult


@result
class HeterogeneityCI(Result):
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

    def to_frame(self) -> pd.DataFrame:
        """One row per quantity: columns ``quantity, estimate, ci_lb, ci_ub``."""
        rows = [("tau2", self.tau2, *self.tau2_ci), ("tau", self.tau, *self.tau_ci),
                ("I2", self.i2, *self.i2_ci), ("H2", self.h2, *self.h2_ci)]
        return pd.DataFrame(rows, columns=["quantity", "estimate", "ci_lb", "ci_ub"])

    def _headline(self) -> dict[str, Any]:
        return {"tau2": self.tau2, "tau2_ci": list(self.tau2_ci), "i2": self.i2, "i2_ci": list(self.i2_ci),
                "level": self.level}

    def summary(self) -> str:
        """metafor's ``confint()`` printout: estimate and Q-profile CI of τ², τ, I² (%) and H²."""
        table = self.to_frame().rename(columns={"quantity": ""})
        return (f"Q-profile {round(100 * self.level, 6):g}% confidence intervals for the heterogeneity\n\n"
                + table.to_string(index=False, float_format=lambda x: f"{x:.4f}"))


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
    level = result.level if level is None else args.level("confint", level)
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
        return _root(lambda t: _q_gen(t, yi, vi, X) - crit, 0.0, upper, result.tol,
                     "the Q-profile equation of the τ² confidence bound",
                     "the effect sizes are on a scale too large for this search: rescale them (other units)")

    lb, ub = bound(crit_u), bound(crit_l)
    vt = result.vt
    return HeterogeneityCI(
        level=level,
        tau2=result.tau2, tau2_ci=(lb, ub),
        tau=result.tau, tau_ci=(float(np.sqrt(lb)), float(np.sqrt(ub))),
        i2=result.i2, i2_ci=(100 * lb / (vt + lb), 100 * ub / (vt + ub)),
        h2=result.h2, h2_ci=(lb / vt + 1, ub / vt + 1),
    )
