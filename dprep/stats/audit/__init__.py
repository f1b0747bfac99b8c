"""Consistency audit of reported test results, in the spirit of statcheck.

For every reported test the p-value is recomputed from the statistic and its degrees of freedom,
allowing for the rounding of the statistic as written (± half a unit in its last digit) and of
the reported p, and compared with an exact p or with an inequality (``"<.05"``). Reported effect
sizes are recomputed where possible (Cohen's d from t under two common formulas; η² from F; the
rank-based η²_H and ε²_R from a Kruskal–Wallis χ²; the CI of η² under the usual noncentral-F
conventions). With group summaries (sizes and means per group) the audit also derives the
quantities the reported numbers imply — the MSE behind a contrast F, the pooled SD behind a t,
a missing group mean behind an η² — and cross-checks rows against one another (contrasts of one
ANOVA must share one MSE; a restated η² must follow from the F it restates).

Verdicts per row: ``consistent``, ``inconsistent``, ``decision_error`` (inconsistent, and the
recomputed p falls on the other side of α than the reported p), or ``not_checkable`` (with the
reason). The rules for p follow statcheck (Nuijten et al., 2016; ``error_test`` and
``decision_error_test`` of the R package, with ``pEqualAlphaSig = TRUE``).

:mod:`~dprep.stats.audit.granularity` checks single reported values of integer or binary data:
GRIM (means), GRIMMER (means with SDs) and DEBIT (proportions with SDs).
"""

from dprep.stats.audit.auditor import AuditResult, audit
from dprep.stats.audit.granularity import DebitResult, GrimmerResult, GrimResult, debit, grim, grimmer
from dprep.stats.audit.pvalues import Check, ReportedP, check_p, parse_p, recompute_p
from dprep.stats.audit.tables import (GROUP_COLUMNS, TEST_COLUMNS, AuditInputError, validate_group_summaries,
                                      validate_reported_tests)

__all__ = [
    "GROUP_COLUMNS", "TEST_COLUMNS", "AuditInputError", "AuditResult", "Check", "DebitResult", "GrimResult",
    "GrimmerResult", "ReportedP", "audit", "check_p", "debit", "grim", "grimmer", "parse_p", "recompute_p",
    "validate_group_summaries", "validate_reported_tests",
]
