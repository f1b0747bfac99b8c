"""Random-effects meta-analysis and meta-regression on any (yi, vi), after metafor's ``rma.uni``.

The structure follows metafor (Viechtbauer, 2010) so that a metafor user can read it side by side:

* :func:`escalc` — effect sizes and sampling variances from reported statistics (SMD, MD, OR, RR, RD, COR,
  ZCOR; metafor's ``escalc``), :func:`escalc_zcor` for Fisher's z of correlations;
* :func:`rma_batch` — many independent random-effects models at once, vectorised (one row per table);
* :func:`rma` — the (mixed-effects) model with the DL, REML, PM, ML or HE estimator of τ², Wald-type (z)
  or Knapp–Hartung (t) inference, Cochran's Q, I², H², the omnibus test of moderators QM and pseudo-R²;
* :func:`confint` — Q-profile confidence intervals of τ², I² and H² (``confint.rma.uni``);
* :func:`predict` — the pooled (or fitted) value with its confidence and prediction interval (``predict.rma``);
* :func:`regtest`, :func:`trimfill`, :func:`leave1out` — Egger's regression test, trim-and-fill and the
  leave-one-out analysis;
* :func:`selmodel`, :func:`petpeese` — selection models (step function, beta) and PET-PEESE;
* :func:`influence`, :func:`cumul`, :func:`baujat`, :func:`gosh`, :func:`permutest` — case-deletion
  diagnostics, cumulative meta-analysis, Baujat coordinates, GOSH subsets and permutation tests;
* :func:`sensitivity` — all of the publication-bias and influence analyses of one model at once;
* :func:`subgroup_analysis` — per-subgroup pooled estimates and the QM test of the grouping moderator;
* :func:`rma_mv` — the multilevel (nested random-effects) model, REML or ML, with σ² and I² per level
  (``rma.mv(yi, vi, random = ~ 1 | outer/inner)``), and :func:`profile_ci` — profile-likelihood CIs of σ²;
* :func:`robust` — cluster-robust inference for either model: CR1 (metafor's ``robust``) or CR2 with
  Satterthwaite df and the HTZ test of the moderators (clubSandwich);
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
.. [11] Konstantopoulos, S. (2011). Fixed effects and variance components estimation in three-level
   meta-analysis. Research Synthesis Methods, 2(1), 61-76.
.. [12] Pustejovsky, J. E., & Tipton, E. (2018). Small-sample methods for cluster-robust variance estimation
   and hypothesis testing in fixed effects models. Journal of Business & Economic Statistics, 36(4), 672-683.
.. [13] Vevea, J. L., & Hedges, L. V. (1995). A general linear model for estimating effect size in the presence
   of publication bias. Psychometrika, 60(3), 419-435.
.. [14] Citkowicz, M., & Vevea, J. L. (2017). A parsimonious weight function for modeling publication bias.
   Psychological Methods, 22(1), 28-41.
.. [15] Stanley, T. D., & Doucouliagos, H. (2014). Meta-regression approximations to reduce publication
   selection bias. Research Synthesis Methods, 5(1), 60-78.
.. [16] Viechtbauer, W., & Cheung, M. W.-L. (2010). Outlier and influence diagnostics for meta-analysis.
   Research Synthesis Methods, 1(2), 112-125.
.. [17] Baujat, B., Mahé, C., Pignon, J.-P., & Hill, C. (2002). A graphical method for exploring heterogeneity
   in meta-analyses. Statistics in Medicine, 21(18), 2641-2652.
.. [18] Olkin, I., Dahabreh, I. J., & Trikalinos, T. A. (2012). GOSH - a graphical display of study
   heterogeneity. Research Synthesis Methods, 3(3), 214-223.
.. [19] Follmann, D. A., & Proschan, M. A. (1999). Valid inference in random effects meta-analysis.
   Biometrics, 55(3), 732-737.
"""

from dprep.stats.meta._common import FIXED, METHODS, TESTS, VI_MIN, VI_RATIO_MAX
from dprep.stats.meta.batch import rma_batch
from dprep.stats.meta.correlation import CorrelationSummary, correlation_summary
from dprep.stats.meta.escalc import MEASURES, EffectSizes, escalc, escalc_zcor, z_to_r
from dprep.stats.meta.heterogeneity import HeterogeneityCI, confint
from dprep.stats.meta.influence import (GOSH_MAX_CELLS, MAX_REFITS_K, GoshResult, InfluenceResult, baujat, cumul,
                                       gosh, influence, leave1out)
from dprep.stats.meta.multilevel import MV_METHODS, MV_TESTS, MVResult, ProfileCI, profile_ci, rma_mv
from dprep.stats.meta.permutation import PermutationResult, permutest
from dprep.stats.meta.petpeese import PetPeeseResult, petpeese
from dprep.stats.meta.predict import Prediction, predict
from dprep.stats.meta.rma import Method, RMAResult, Test, rma
from dprep.stats.meta.robust import ADJUSTMENTS, RobustResult, robust
from dprep.stats.meta.selection import SelectionModelResult, selmodel
from dprep.stats.meta.sensitivity import SensitivityResult, sensitivity
from dprep.stats.meta.smallstudy import EggerResult, TrimFillResult, regtest, trimfill
from dprep.stats.meta.subgroups import SubgroupResult, subgroup_analysis

__all__ = [
    "ADJUSTMENTS", "FIXED", "GOSH_MAX_CELLS", "MAX_REFITS_K", "MEASURES", "METHODS", "MV_METHODS", "MV_TESTS",
    "TESTS", "VI_MIN", "VI_RATIO_MAX", "Method", "Test",
    "CorrelationSummary", "EffectSizes", "EggerResult", "GoshResult", "HeterogeneityCI", "InfluenceResult",
    "MVResult", "PermutationResult", "PetPeeseResult", "Prediction", "ProfileCI", "RMAResult", "RobustResult",
    "SelectionModelResult", "SensitivityResult", "SubgroupResult", "TrimFillResult",
    "baujat", "confint", "correlation_summary", "cumul", "escalc", "escalc_zcor", "gosh", "influence", "leave1out",
    "permutest", "petpeese", "predict", "profile_ci", "regtest", "rma", "rma_batch", "rma_mv", "robust", "selmodel",
    "sensitivity", "subgroup_analysis", "trimfill", "z_to_r",
]
