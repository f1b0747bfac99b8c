"""Pooled and fitted values with confidence and prediction intervals (metafor's ``predict.rma``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from dprep.core import args
from dprep.core.results import Result, result
from dprep.stats.meta._common import _critical
from dprep.stats.meta.multilevel import MVResult
from dprep.stats.meta.rma import RMAResult


@result(eq=False)
class Prediction(Result):
    """Pooled or fitted values with confidence and prediction intervals (``predict.rma``), shape (n,)."""

    estimate: np.ndarray
    se: np.ndarray
    ci_lb: np.ndarray
    ci_ub: np.ndarray
    pi_lb: np.ndarray
    pi_ub: np.ndarray
    level: float

    def to_frame(self) -> pd.DataFrame:
        """Columns ``estimate, se, ci_lb, ci_ub, pi_lb, pi_ub``, one row per prediction."""
        return pd.DataFrame({key: getattr(self, key) for key in ("estimate", "se", "ci_lb", "ci_ub", "pi_lb", "pi_ub")})

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python copy; scalars when there is a single prediction."""
        out = {key: val.tolist() for key, val in self.to_frame().items()}
        if len(self.estimate) == 1:
            out = {key: val[0] for key, val in out.items()}
        return {**out, "level": self.level}

    def _headline(self) -> dict[str, Any]:
        if len(self.estimate) != 1:
            return {"n": len(self.estimate), "level": self.level}
        return {k: v for k, v in self.to_dict().items()}

    def summary(self) -> str:
        """The predictions as metafor prints them (one row per prediction)."""
        return (f"Predicted values with {round(100 * self.level, 6):g}% CI and prediction interval\n\n"
                + self.to_frame().to_string(index=False, float_format=lambda x: f"{x:.4f}"))


def predict(result: RMAResult | MVResult, newmods: ArrayLike | None = None, *,
            level: float | None = None) -> Prediction:
    r"""Predicted (pooled) value with its confidence interval and prediction interval.

    :math:`\hat\mu = x_0'\hat\beta`, :math:`SE = \sqrt{x_0' V_{\hat\beta} x_0}`; the prediction interval is
    :math:`\hat\mu \pm c \sqrt{SE^2 + \hat\tau^2}` with :math:`c` the normal quantile (``test="z"``) or the
    t quantile on k - p df (``test="knha"`` or ``"t"``), as metafor 3.8's ``predict.rma``. For a multilevel
    model τ² is the sum of the variance components, :math:`\sum_l \hat\sigma^2_l` (``predict.rma.mv``).

    Parameters
    ----------
    result : RMAResult or MVResult
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
    level = result.level if level is None else args.level("predict", level)
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
    tau2 = float(np.sum(result.sigma2)) if isinstance(result, MVResult) else result.tau2
    pi_se = np.sqrt(se**2 + tau2)
    return Prediction(estimate=pred, se=se, ci_lb=pred - crit * se, ci_ub=pred + crit * se,
                      pi_lb=pred - crit * pi_se, pi_ub=pred + crit * pi_se, level=level)
