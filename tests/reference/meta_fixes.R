# Reference values for the five reproducers of issue #12 (item 1), from metafor 3.8-1 (R 4.2).
# Run from this folder:  Rscript meta_fixes.R   (writes meta_fixes.json)
suppressMessages({library(metafor); library(jsonlite)})
ctl <- list(threshold = 1e-10, maxiter = 1000)
out <- list(metafor_version = as.character(packageVersion("metafor")))

# 1. large sampling variances: REML with tight control
large <- rma(c(201.1, 315.3, 373.5, 282.1), c(3662, 2694, 18996, 40748), method = "REML", control = ctl)
out$large_variances <- list(
  call = "rma(c(201.1, 315.3, 373.5, 282.1), c(3662, 2694, 18996, 40748), method='REML', control=list(threshold=1e-10, maxiter=1000))",
  tau2 = large$tau2, estimate = c(large$beta), se = large$se)

# 1b. trim-and-fill whose augmented data make plain Fisher scoring cycle: metafor needs stepadj = 0.5
yi <- c(1.148, 1.028, 8.191, -0.19, 0.231, 0.593, 3.256, 0.539, -0.022, 1.738)
vi <- c(2.12, 1.174, 29.804, 0.03, 0.85, 0.127, 5.443, 0.384, 1.433, 2.784)
res <- rma(yi, vi, method = "REML", control = ctl)
tf <- trimfill(res, control = list(stepadj = 0.5, threshold = 1e-10, maxiter = 1000))
out$trimfill_cycling <- list(
  call = "trimfill(rma(yi, vi, method='REML', control=list(threshold=1e-10, maxiter=1000)), control=list(stepadj=0.5, threshold=1e-10, maxiter=1000))",
  yi = yi, vi = vi, k0 = tf$k0, side = tf$side, estimate = c(tf$beta), se = tf$se, tau2 = tf$tau2,
  ci_lb = tf$ci.lb, ci_ub = tf$ci.ub)

# 2. k = 1 under Knapp-Hartung: metafor warns and uses z
one <- suppressWarnings(rma(0.5, 0.04, test = "knha"))
out$single_knha <- list(call = "rma(0.5, 0.04, test='knha')  # warning: Setting argument test=\"z\" since k=1",
  test = one$test, estimate = c(one$beta), se = one$se, ci_lb = one$ci.lb, ci_ub = one$ci.ub, pval = one$pval)

# 3. meta-regression where both tau^2 estimates are (numerically) zero
yi <- c(0.42, 0.85, 0.55, 0.6, -0.2, 0.68, 0.5, 0.46)
vi <- c(0.123, 0.1, 0.056, 0.062, 0.112, 0.102, 0.074, 0.024)
xi <- c(4, 9, 9, 9, 6, 7, 3, 8)
re <- rma(yi, vi, method = "REML", control = ctl)
me <- rma(yi, vi, mods = ~ xi, method = "REML", control = ctl)
out$zero_tau2_r2 <- list(
  call = "rma(yi, vi, mods=~xi, method='REML', control=list(threshold=1e-10, maxiter=1000)); rma(yi, vi, method='REML', control=ctl)",
  yi = yi, vi = vi, xi = xi, tau2_re = re$tau2, tau2_me = me$tau2, r2 = me$R2, coef = c(me$beta), se = me$se)

# 4. identical effect sizes: trim-and-fill (metafor 3.8 gives k0 = 0 here; dprep treats ties explicitly)
yi <- rep(-0.4, 5); vi <- c(0.148, 0.113, 0.063, 0.041, 0.194)
tf <- suppressWarnings(trimfill(rma(yi, vi, method = "REML", control = ctl)))
out$identical_trimfill <- list(call = "trimfill(rma(rep(-0.4, 5), c(0.148, 0.113, 0.063, 0.041, 0.194), method='REML', control=ctl))",
  yi = yi, vi = vi, k0 = tf$k0)

# 5. Egger's test under Knapp-Hartung on identical effect sizes: metafor reports t = Inf, p < .0001
eg <- regtest(rma(yi, vi, method = "REML", test = "knha", control = ctl))
out$identical_regtest_knha <- list(call = "regtest(rma(rep(-0.4, 5), vi, method='REML', test='knha', control=ctl))",
  zval = if (is.finite(eg$zval)) eg$zval else as.character(eg$zval), pval = eg$pval, limit_estimate = c(eg$est))

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "meta_fixes.json")
