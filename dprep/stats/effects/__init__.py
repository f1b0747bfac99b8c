"""Effect sizes from test statistics, sums of squares and summary statistics, with exact CIs.

Variance-explained indices (η², partial η², ω², ε², and the rank-based η²_H and ε²_R of the
Kruskal–Wallis test), standardized mean differences (Cohen's d, Hedges' g), conversions
(r ↔ Fisher's z, d ↔ r), and confidence intervals obtained by inverting the noncentral F
distribution (for η²) and the noncentral t distribution (for d).

All variance-explained indices are proportions on the 0–1 scale (ω² and ε² can be slightly
negative, which is reported as is).

Conventions for the η² CI
-------------------------
The noncentral-F method finds the noncentrality limits λ_lb, λ_ub such that the observed F is
at the upper / lower α/2 quantile of F(df1, df2, λ), then maps λ to the η² scale. Two mappings
are in use:

``"N"`` (default)
    η² = λ / (λ + N) with N = df1 + df2 + 1, the total sample size of a one-way
    between-subjects design. This is the mapping of Steiger (2004), Smithson (2001),
    Fidler & Thompson (2001) and of MBESS (``conf.limits.ncf`` followed by
    ``λ / (λ + N)``, as in ``ci.pvaf``).
``"df_error"``
    η² = λ / (λ + df2). This is what the R package *effectsize* does: ``.get_ncp_F``
    returns the limits on the F scale (λ / df1) and ``F_to_eta2`` then applies
    η²_p = F·df1 / (F·df1 + df2), which is λ / (λ + df2). Note that recent effectsize
    versions default to a *one-sided* interval (``alternative = "greater"``, upper bound
    fixed at 1); its two-sided interval (``alternative = "two.sided"``) is the one
    reproduced here.
"""

from dprep.stats.effects.intervals import DInterval, Eta2Interval, d_ci, eta2_ci, eta2_ci_from_eta2
from dprep.stats.effects.smd import (cohens_d_from_means, cohens_d_from_t, cohens_d_from_t_df, d_to_r, fisher_z,
                                     fisher_z_inverse, hedges_correction, hedges_g, r_to_d)
from dprep.stats.effects.variance import (epsilon2_from_f, epsilon2_from_ss, epsilon2_kruskal, eta2_from_f,
                                          eta2_from_ss, eta2_kruskal, f_from_eta2, omega2_from_f, omega2_from_ss,
                                          partial_eta2_from_ss)
from dprep.stats.noncentral import ncf_limits, nct_limits

__all__ = [
    "DInterval",
    "Eta2Interval",
    "cohens_d_from_means",
    "cohens_d_from_t",
    "cohens_d_from_t_df",
    "d_ci",
    "d_to_r",
    "epsilon2_from_f",
    "epsilon2_from_ss",
    "epsilon2_kruskal",
    "eta2_ci",
    "eta2_ci_from_eta2",
    "eta2_from_f",
    "eta2_from_ss",
    "eta2_kruskal",
    "f_from_eta2",
    "fisher_z",
    "fisher_z_inverse",
    "hedges_correction",
    "hedges_g",
    "ncf_limits",
    "nct_limits",
    "omega2_from_f",
    "omega2_from_ss",
    "partial_eta2_from_ss",
    "r_to_d",
]
