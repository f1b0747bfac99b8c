"""Subgroup analysis: a random-effects model per subgroup and the QM test of the grouping moderator."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from dprep.core import args
from dprep.core.results import Result, internal, result
from dprep.stats.meta.predict import predict
from dprep.stats.meta.rma import Method, RMAResult, Test, rma


@result(eq=False)
class SubgroupResult(Result):
    """Separate random-effects fits per subgroup plus the mixed-effects test of the grouping moderator."""

    subgroups: pd.DataFrame
    moderator: RMAResult = internal()

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
    yi = args.vector("yi", "subgroup_analysis", yi)
    vi = args.vector("vi", "subgroup_analysis", vi)
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
