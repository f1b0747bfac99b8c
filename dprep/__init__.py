"""dprep: meta-analysis, replication metrics and consistency audits — and the evidence on deliberate
practice re-examined with them.

Use it as a library like pingouin or metafor::

    >>> import dprep as dp
    >>> yi, vi = dp.escalc_zcor([0.67, 0.51, 0.40], [109, 55, 19])
    >>> fit = dp.rma(yi, vi, method="REML", test="knha")
    >>> round(fit.estimate, 4)
    0.6601

Everything in ``dp.__all__`` is imported on first use (PEP 562), so ``import dprep`` is fast and PyMC
loads only when a Bayesian function is called. The layers of the package, from the bottom:

========================  ===========================================================================
``dprep.core``            errors, the argument validator, the result objects, the number formatter
``dprep.stats``           effect sizes, tests from summary statistics, the consistency audit,
                          meta-analysis (``stats.meta``: random-effects, multilevel,
                          cluster-robust, publication bias, influence), replication metrics,
                          Bayes factors, bias
``dprep.models``          Bayesian models (PyMC) and their convergence gates
``dprep.data``            data files: schemas, readers, atomic writers, practice diaries, the study file
``dprep.studies``         the deliberate-practice studies: recomputation, reconstruction, pairs
``dprep.claims``          the claims audit
``dprep.report``          tables, figures, rendering, provenance
``dprep.cli``             the ``dprep`` command line
========================  ===========================================================================
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name → module that defines it.
_API: dict[str, str] = {
    # meta-analysis
    "escalc_zcor": "dprep.stats.meta",
    "z_to_r": "dprep.stats.meta",
    "rma": "dprep.stats.meta",
    "confint": "dprep.stats.meta",
    "predict": "dprep.stats.meta",
    "regtest": "dprep.stats.meta",
    "trimfill": "dprep.stats.meta",
    "leave1out": "dprep.stats.meta",
    "subgroup_analysis": "dprep.stats.meta",
    "correlation_summary": "dprep.stats.meta",
    "rma_mv": "dprep.stats.meta",
    "rma_batch": "dprep.stats.meta",
    "profile_ci": "dprep.stats.meta",
    "robust": "dprep.stats.meta",
    "escalc": "dprep.stats.meta",
    "selmodel": "dprep.stats.meta",
    "petpeese": "dprep.stats.meta",
    "influence": "dprep.stats.meta",
    "cumul": "dprep.stats.meta",
    "baujat": "dprep.stats.meta",
    "gosh": "dprep.stats.meta",
    "permutest": "dprep.stats.meta",
    "sensitivity": "dprep.stats.meta",
    # effect sizes
    "eta2_ci": "dprep.stats.effects",
    "d_ci": "dprep.stats.effects",
    "eta2_from_f": "dprep.stats.effects",
    "omega2_from_f": "dprep.stats.effects",
    "cohens_d_from_t": "dprep.stats.effects",
    "hedges_g": "dprep.stats.effects",
    # tests from summary statistics and the consistency audit
    "one_way_anova": "dprep.stats.sumstats",
    "t_test_from_summary": "dprep.stats.sumstats",
    "audit": "dprep.stats.audit",
    "check_p": "dprep.stats.audit",
    "grim": "dprep.stats.audit",
    "grimmer": "dprep.stats.audit",
    "debit": "dprep.stats.audit",
    # Bayes factors and replication metrics
    "jzs_ttest_bf": "dprep.stats.bayes_factors",
    "jzs_anova_bf": "dprep.stats.bayes_factors",
    "evidence_category": "dprep.stats.bayes_factors",
    "replication_report": "dprep.stats.replication",
    "small_telescopes": "dprep.stats.replication",
    "replication_bf_t": "dprep.stats.replication",
    "p_sceptical": "dprep.stats.replication",
    "tost_equivalence": "dprep.stats.replication",
    # blinding bias, and how much the data moved a prior
    "bias_adjusted_meta": "dprep.stats.bias",
    "translate_bias_prior": "dprep.stats.bias",
    "predictive_priors": "dprep.stats.bias",
    "prior_posterior": "dprep.stats.prior_posterior",
    # Bayesian models (import PyMC)
    "bayesian_meta": "dprep.models.meta",
    "blinding_bias_meta": "dprep.models.blinding",
    "bayesian_group_comparison": "dprep.models.groups",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dprep' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
