"""Pooled Fisher-z results on the correlation scale."""

from __future__ import annotations

from typing import Any

from dprep.core.results import Result, result
from dprep.stats.meta.escalc import z_to_r
from dprep.stats.meta.predict import predict
from dprep.stats.meta.rma import RMAResult


@result
class CorrelationSummary(Result):
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
    r = float(z_to_r(pred.estimate[0]))
    return CorrelationSummary(
        estimate_r=r,
        ci_r=(float(z_to_r(pred.ci_lb[0])), float(z_to_r(pred.ci_ub[0]))),
        pi_r=(float(z_to_r(pred.pi_lb[0])), float(z_to_r(pred.pi_ub[0]))),
        pct_variance=100 * r**2,
    )
