"""Random-effects meta-analysis and meta-regression on any (yi, vi), after metafor's ``rma.uni``.

The structure follows metafor (Viechtbauer, 2010) so that a metafor user can read it side by side:

* :func:`escalc_zcor` — Fisher's z of a correlation and its sampling variance (``escalc(measure="ZCOR")``);
* :func:`rma_batch` — many independent random-effects models at once, vectorised (one row per table);
* :func:`rma` — the (mixed-effects) model with the DL, REML, PM, ML or HE estimator of τ², Wald-type (z)
  or Knapp–Hartung (t) inference, Cochran's Q, I², H², the omnibus test of moderators QM and pseudo-R²;
* :func:`confint` — Q-profile confidence intervals of τ², I² and H² (``confint.rma.uni``);
* :func:`predict` — the pooled (or fitted) value with its confidence and prediction interval (``predict.rma``);
* :func:`regtest`, :func:`trimfill`, :func:`leave1out` — Egger's regression test, trim-and-fill and the
  leave-one-out analysis;
* :func:`subgroup_analysis` — per-subgroup pooled estimates and the QM test of the grouping moderator;
* :func:`z_to_r` and :func:`correlation_summary` — back-transformation of Fisher's z to the correlation scale.

All variances are on the analysis scale (e.g. Fisher z², log risk ratio²).

References
----------
.. [1] Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package. Journal of
   Statistical Software, 36(3), 1-48. https://doi.org/10.18637/jss.v036.i03
.. [2] Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators in the
   random-effects model. Journal of Educational and Behavioral Statistics, 30(3), 261-293.
.. [3] DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials. Controlled Clinical Trials,
   7(3), 177-188.
.. [4] Paule, R. C., & Mandel, J. (1982). Consensus values and weighting factors. Journal of Research of
   the National Bureau of Standards, 87(5), 377-385.
.. [5] Knapp, G., & Hartung, J. (2003). Improved tests for a random effects meta-regression with a single
   covariate. Statistics in Medicine, 22(17), 2693-2710.
.. [6] Viechtbauer, W. (2007). Confidence intervals for the amount of heterogeneity in meta-analysis.
   Statistics in Medicine, 26(1), 37-52.
.. [7] Higgins, J. P. T., & Thompson, S. G. (2002). Quantifying heterogeneity in a meta-analysis.
   Statistics in Medicine, 21(11), 1539-1558.
.. [8] Egger, M., Davey Smith, G., Schneider, M., & Minder, C. (1997). Bias in meta-analysis detected by a
   simple, graphical test. BMJ, 315(7109), 629-634.
.. [9] Duval, S., & Tweedie, R. (2000). Trim and fill: A simple funnel-plot-based method of testing and
   adjusting for publication bias in meta-analysis. Biometrics, 56(2), 455-463.
.. [10] Raudenbush, S. W. (2009). Analyzing effect sizes: Random-effects models. In H. Cooper, L. V. Hedges,
   & J. C. Valentine (Eds.), The handbook of research synthesis and meta-analysis (2nd ed., pp. 295-315).
"""

from dprep.stats.meta._common import METHODS, TESTS
from dprep.stats.meta.batch import rma_batch
from dprep.stats.meta.correlation import CorrelationSummary, correlation_summary
from dprep.stats.meta.escalc import escalc_zcor, z_to_r
from dprep.stats.meta.heterogeneity import HeterogeneityCI, confint
from dprep.stats.meta.influence import leave1out
from dprep.stats.meta.predict import Prediction, predict
from dprep.stats.meta.rma import Method, RMAResult, Test, rma
from dprep.stats.meta.smallstudy import EggerResult, TrimFillResult, regtest, trimfill
from dprep.stats.meta.subgroups import SubgroupResult, subgroup_analysis

__all__ = [
    "METHODS", "TESTS", "Method", "Test",
    "CorrelationSummary", "EggerResult", "HeterogeneityCI", "Prediction", "RMAResult", "SubgroupResult",
    "TrimFillResult",
    "confint", "correlation_summary", "escalc_zcor", "leave1out", "predict", "regtest", "rma", "rma_batch",
    "subgroup_analysis", "trimfill", "z_to_r",
]
