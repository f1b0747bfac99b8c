# Reference values for dprep's publication-bias methods (regtest, PET-PEESE, selmodel) and the
# fixed-effect model, from metafor 3.8-1 (R 4.2) with numDeriv 2016.8-1.1 (selmodel's Hessian).
# Data: the CSVs of this folder (datasets.R). Run from this folder:  Rscript bias.R  (writes bias_metafor.json)
suppressMessages({library(metafor); library(jsonlite)})
ctl <- list(threshold = 1e-10, maxiter = 1000)
bcg <- read.csv("bcg_logrr.csv")
hack <- read.csv("hackshaw1998.csv")
music <- escalc("ZCOR", ri = r, ni = n, data = read.csv("music_correlations.csv"))
molloy <- escalc("ZCOR", ri = ri, ni = ni, data = read.csv("molloy2014.csv"))
sets <- list(bcg = bcg, hack = hack, music = music, molloy = molloy)
out <- list(metafor_version = as.character(packageVersion("metafor")),
            numDeriv_version = as.character(packageVersion("numDeriv")))
coefs <- function(fit) list(beta = c(fit$beta), se = fit$se, pval = fit$pval, ci_lb = fit$ci.lb, ci_ub = fit$ci.ub)

for (nm in names(sets)) {
  d <- sets[[nm]]
  fe <- rma(yi, vi, data = d, method = "FE")
  out[[paste0(nm, "_FE")]] <- c(list(call = sprintf("rma(yi, vi, data=%s, method='FE')", nm)), coefs(fe),
    list(q = fe$QE, i2 = fe$I2, h2 = fe$H2))
  res <- rma(yi, vi, data = d, method = "REML", control = ctl)
  for (pred in c("sei", "vi")) {
    for (test in c("z", "knha")) {
      m <- rma(yi, vi, data = d, method = "REML", test = test, control = ctl)
      eg <- regtest(m, predictor = pred)
      out[[paste0(nm, "_regtest_", pred, "_", test)]] <- list(
        call = sprintf("regtest(rma(yi, vi, data=%s, method='REML', test='%s', control=ctl), predictor='%s')", nm, test, pred),
        zval = eg$zval, pval = eg$pval, est = eg$est, ci_lb = eg$ci.lb, ci_ub = eg$ci.ub)
    }
  }
  # PET and PEESE (Stanley & Doucouliagos 2014): WLS with multiplicative dispersion = lm with weights 1/vi
  # = rma(method='FE', test='knha'); and their random-effects (additive) versions
  d$sei <- sqrt(d$vi)
  for (reg in c("sei", "vi")) {
    wls <- summary(lm(as.formula(paste("yi ~", reg)), weights = 1 / vi, data = d))$coefficients
    fe <- rma(yi, vi, mods = as.formula(paste("~", reg)), data = d, method = "FE", test = "knha")
    re <- rma(yi, vi, mods = as.formula(paste("~", reg)), data = d, method = "REML", test = "knha", control = ctl)
    out[[paste0(nm, "_", if (reg == "sei") "PET" else "PEESE")]] <- list(
      call_lm = sprintf("summary(lm(yi ~ %s, weights=1/vi, data=%s))$coefficients", reg, nm),
      lm = list(beta = unname(wls[, 1]), se = unname(wls[, 2]), pval = unname(wls[, 4])),
      call_fe = sprintf("rma(yi, vi, mods=~%s, data=%s, method='FE', test='knha')", reg, nm), FE = coefs(fe),
      call_reml = sprintf("rma(yi, vi, mods=~%s, data=%s, method='REML', test='knha', control=ctl)", reg, nm),
      REML = c(coefs(re), list(tau2 = re$tau2)))
  }
}
fe <- rma(yi, vi, mods = ~ ablat, data = bcg, method = "FE")
out$bcg_FE_ablat <- c(list(call = "rma(yi, vi, mods=~ablat, data=bcg, method='FE')"), coefs(fe),
  list(qe = fe$QE, qm = fe$QM, r2 = fe$R2))

# selection models; ML refit of the REML model is done by selmodel itself
sel <- function(fit, ...) list(delta = fit$delta, beta = c(fit$beta), se = fit$se, tau2 = fit$tau2,
  tau2_se = fit$se.tau2, delta_se = fit$se.delta, ll = fit$ll, ll0 = fit$ll0, lrt = fit$LRT, lrt_df = fit$LRTdf,
  lrt_pval = fit$LRTp, k_per_interval = if (is.data.frame(fit$ptable)) fit$ptable$k else NULL)
# optim's BFGS with tight control: relative tolerance 1e-15 and finite-difference steps of 1e-6 for its gradient
# (the default ndeps = 1e-3 stops ~1e-7 short of the maximum of the log-likelihood)
opt <- function(npar) list(reltol = 1e-15, maxit = 10000, ndeps = rep(1e-6, npar))
for (nm in c("hack", "music", "molloy")) {
  res <- rma(yi, vi, data = sets[[nm]], method = "REML", control = ctl)
  s <- selmodel(res, type = "stepfun", steps = c(0.025, 0.5, 1), control = opt(5))
  out[[paste0(nm, "_stepfun")]] <- c(list(call = sprintf(
    "selmodel(rma(yi, vi, data=%s, method='REML', control=ctl), type='stepfun', steps=c(0.025, 0.5, 1), control=list(reltol=1e-15, maxit=10000, ndeps=rep(1e-6, 5)))", nm)), sel(s))
  s <- selmodel(res, type = "stepfun", steps = c(0.05, 1), alternative = "two.sided", control = opt(4))
  out[[paste0(nm, "_stepfun_two")]] <- c(list(call = sprintf(
    "selmodel(rma(yi, vi, data=%s, method='REML', control=ctl), type='stepfun', steps=c(0.05, 1), alternative='two.sided', control=list(reltol=1e-15, maxit=10000, ndeps=rep(1e-6, 4)))", nm)), sel(s))
}
for (nm in c("music", "molloy")) {  # the beta model on hack needs metafor's default integration tolerance
  res <- rma(yi, vi, data = sets[[nm]], method = "REML", control = ctl)
  s <- selmodel(res, type = "beta", control = c(opt(4), list(intCtrl = list(rel.tol = 1e-12, subdivisions = 1000L))))
  out[[paste0(nm, "_beta")]] <- c(list(call = sprintf(
    "selmodel(rma(yi, vi, data=%s, method='REML', control=ctl), type='beta', control=list(reltol=1e-15, maxit=10000, ndeps=rep(1e-6, 4), intCtrl=list(rel.tol=1e-12, subdivisions=1000L)))", nm)), sel(s))
}
# metafor refuses a step function with an interval holding no observed p-value
err <- try(selmodel(rma(yi, vi, data = music, method = "REML"), type = "stepfun", steps = c(0.001, 0.002, 1)), silent = TRUE)
out$music_empty_interval <- list(call = "selmodel(rma(yi, vi, data=music), type='stepfun', steps=c(0.001, 0.002, 1))",
                                 error = conditionMessage(attr(err, "condition")))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "bias_metafor.json")
