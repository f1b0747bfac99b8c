"""Replication metrics for an original / replication pair of standardized mean differences.

Everything works from published summaries: Cohen's d (pooled-SD standardized mean difference,
*not* bias-corrected Hedges' g) and the two group sizes of each study. :func:`d_from_f` converts an
F(1, df) contrast to d; :func:`dprep.stats.effects.cohens_d_from_t` and :func:`dprep.stats.effects.r_to_d`
convert a t or a point-biserial r. The effect direction is that of the original study:
positive d means "in the direction the original hypothesis predicts".

Metrics (each cites the paper it implements):

* confidence intervals for d (noncentral-t inversion by default, or the normal approximation) and
  whether each estimate lies inside the other's interval;
* the 95% prediction interval for the replication estimate given the original (Patil, Peng & Leek
  2016), as ``ReplicationSuccess::predictionInterval(designPrior = "predictive", tau = 0)``;
* small telescopes (Simonsohn 2015): d33 and the one-sided test of the replication against it;
* the replication Bayes factor for t tests (Verhagen & Wagenmakers 2014) and for F tests
  (Harms 2018);
* the sceptical p-value (Held 2020; recalibrated "golden" version of Held, Micheloud & Pawel 2022),
  as ``ReplicationSuccess::pSceptical``;
* TOST equivalence of the replication against a smallest effect size of interest (Lakens 2017);
* the Q test of the difference and the fixed-effect (inverse-variance) combination.

:func:`replication_report` bundles all of them.
"""

from dprep.stats.replication._common import DF_MAX, GOLDEN_RATIO, N_MAX, SESOI_MAX
from dprep.stats.replication.bayes_factor import ReplicationBF, replication_bf_f, replication_bf_t
from dprep.stats.replication.combine import FixedEffect, QTest, fixed_effect, q_test
from dprep.stats.replication.equivalence import TOSTResult, tost_equivalence
from dprep.stats.replication.intervals import d_confidence_interval, d_from_f, d_standard_error, prediction_interval
from dprep.stats.replication.report import ReplicationReport, replication_report
from dprep.stats.replication.sceptical import p_sceptical, z_sceptical
from dprep.stats.replication.telescopes import SmallTelescopes, small_telescopes

__all__ = [
    "DF_MAX", "GOLDEN_RATIO", "N_MAX", "SESOI_MAX",
    "d_from_f", "d_standard_error", "d_confidence_interval", "prediction_interval",
    "SmallTelescopes", "small_telescopes", "ReplicationBF", "replication_bf_t", "replication_bf_f",
    "z_sceptical", "p_sceptical", "TOSTResult", "tost_equivalence", "QTest", "q_test", "FixedEffect",
    "fixed_effect", "ReplicationReport", "replication_report",
]
