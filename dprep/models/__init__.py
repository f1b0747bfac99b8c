"""Bayesian models: random-effects meta-analysis, a blinding-bias model, and a robust group comparison.

Every fit is seeded (same seed, same draws), passes the convergence gates of
:func:`dprep.models.diagnostics.require_converged` before it returns, and records how long compilation and
sampling took and the effective sample size (ESS) per second.

Models
------
* :func:`bayesian_meta` — normal–normal random-effects meta-analysis, non-centred
  (Higgins, Thompson & Spiegelhalter 2009), with the predictive distribution of a new study.
* :func:`grid_posterior_meta` — the same model's posterior of (μ, τ) by deterministic quadrature:
  an MCMC-free check of :func:`bayesian_meta`.
* :func:`blinding_bias_meta` and :func:`prior_sensitivity` — a bias-adjusted meta-analysis in which
  studies with unblinded outcome assessment carry an additive bias β (Welton et al. 2009), with a
  prior for β from meta-epidemiology (e.g. Hróbjartsson et al. 2013).
* :func:`bayesian_group_comparison` — Student-t model of participant-level values per group
  (Kruschke 2013, "BEST"), with contrasts and a finite-population η².

References
----------
Higgins, J. P. T., Thompson, S. G. & Spiegelhalter, D. J. (2009). A re-evaluation of random-effects
meta-analysis. *J. R. Stat. Soc. A* 172(1), 137–159 (normal–normal random-effects model and the predictive distribution θ_new ~ N(μ, τ²) of a new study).
Welton, N. J., Ades, A. E., Carlin, J. B., Altman, D. G. & Sterne, J. A. C. (2009). Models for
potentially biased evidence in meta-analysis using empirically based priors. *J. R. Stat. Soc. A*
172(1), 119–136 (additive bias model y_i ~ N(θ + β·x_i + u_i, se_i²) with an empirically based prior on β).
Hróbjartsson, A. et al. (2013). Observer bias in randomized clinical trials with measurement scale
outcomes. *CMAJ* 185(4), E201–E211. doi:10.1503/cmaj.120744.
Kruschke, J. K. (2013). Bayesian estimation supersedes the t test. *J. Exp. Psychol. Gen.* 142(2),
573–603 (t likelihood per group; prior on ν − 1: Exponential with mean 29).
"""
