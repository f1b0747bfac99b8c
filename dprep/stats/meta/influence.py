"""Influence and sensitivity analyses of a fitted model (``leave1out``)."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from dprep.stats.meta.rma import RMAResult, _refit


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
