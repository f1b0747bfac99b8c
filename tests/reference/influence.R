# Reference values for dprep's influence and sensitivity analyses (influence, cumul, baujat, gosh,
# permutest) from metafor 3.8-1 (R 4.2). Data: the CSVs of this folder (datasets.R).
# Run from this folder:  Rscript influence.R   (writes influence_metafor.json; the exact permutation
# tests refit the model 8192 + 512 + 8008 + 4368 times and take a few minutes)
suppressMessages({library(metafor); library(jsonlite)})
pdf(NULL)  # baujat() draws its plot
ctl <- list(threshold = 1e-10, maxiter = 1000)
bcg <- read.csv("bcg_logrr.csv")
hack <- read.csv("hackshaw1998.csv")
music <- escalc("ZCOR", ri = r, ni = n, data = read.csv("music_correlations.csv"))
molloy <- escalc("ZCOR", ri = ri, ni = ni, data = read.csv("molloy2014.csv"))
normand <- escalc("SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
                  data = read.csv("normand1999.csv"))
out <- list(metafor_version = as.character(packageVersion("metafor")))
infl <- function(fit) {
  x <- influence(fit)
  list(rstudent = x$inf$rstudent, dffits = x$inf$dffits, cook_d = x$inf$cook.d, cov_r = x$inf$cov.r,
       tau2_del = x$inf$tau2.del, qe_del = x$inf$QE.del, hat = x$inf$hat, weight = x$inf$weight,
       dfbetas = lapply(as.list(x$dfbs), unname), flagged = x$is.infl)
}
models <- list(
  bcg_reml = list(fit = rma(yi, vi, data = bcg, method = "REML", control = ctl),
                  call = "rma(yi, vi, data=bcg, method='REML', control=ctl)"),
  bcg_ablat_reml = list(fit = rma(yi, vi, mods = ~ ablat, data = bcg, method = "REML", control = ctl),
                        call = "rma(yi, vi, mods=~ablat, data=bcg, method='REML', control=ctl)"),
  hack_dl = list(fit = rma(yi, vi, data = hack, method = "DL"), call = "rma(yi, vi, data=hack, method='DL')"),
  music_reml_knha = list(fit = rma(yi, vi, data = music, method = "REML", test = "knha", control = ctl),
                         call = "rma(yi, vi, data=music, method='REML', test='knha', control=ctl)"),
  music_type_reml_knha = list(fit = rma(yi, vi, mods = ~ instrument_type, data = music, method = "REML", test = "knha",
                                        control = ctl),
                              call = "rma(yi, vi, mods=~instrument_type, data=music, method='REML', test='knha', control=ctl)"))
for (nm in names(models)) {
  m <- models[[nm]]
  out[[paste0("influence_", nm)]] <- c(list(call = paste0("influence(", m$call, ")")), infl(m$fit))
  b <- baujat(m$fit)  # (draws the plot too)
  out[[paste0("baujat_", nm)]] <- list(call = paste0("baujat(", m$call, ")"), x = b$x, y = b$y)
}
# cumulative meta-analysis: BCG by publication year, music in the order of the table
for (nm in c("bcg_reml", "music_reml_knha")) {
  m <- models[[nm]]
  cu <- if (nm == "bcg_reml") cumul(m$fit, order = bcg$year) else cumul(m$fit)
  out[[paste0("cumul_", nm)]] <- list(call = paste0("cumul(", m$call, if (nm == "bcg_reml") ", order=year)" else ")"),
    estimate = cu$estimate, se = cu$se, pval = cu$pval, ci_lb = cu$ci.lb, ci_ub = cu$ci.ub, q = cu$Q, tau2 = cu$tau2,
    i2 = cu$I2, slab = as.character(cu$slab))
}
# GOSH: every subset (all 2^k - 1); normand fully (511 subsets, DL), BCG with FE (8191) summarised
g <- gosh(rma(yi, vi, data = normand, method = "DL"))
out$gosh_normand_dl <- list(call = "gosh(rma(yi, vi, data=normand, method='DL'))",
  k = g$res$k, estimate = g$res$estimate, q = g$res$QE, i2 = g$res$I2, h2 = g$res$H2, tau2 = g$res$tau2,
  incl = unname(apply(g$incl, 1, function(r) sum(2^(which(r) - 1)))))
g <- gosh(rma(yi, vi, data = bcg, method = "FE"))
summ <- function(v) list(mean = mean(v), sd = sd(v), min = min(v), max = max(v),
                         quantiles = unname(quantile(v, c(0.025, 0.25, 0.5, 0.75, 0.975), type = 7)))
out$gosh_bcg_fe <- list(call = "gosh(rma(yi, vi, data=bcg, method='FE'))", n = nrow(g$res),
  estimate = summ(g$res$estimate), i2 = summ(g$res$I2), q = summ(g$res$QE), h2 = summ(g$res$H2),
  first = list(estimate = g$res$estimate[1:20], i2 = g$res$I2[1:20]),
  last = list(estimate = tail(g$res$estimate, 20), i2 = tail(g$res$I2, 20)))
# exact permutation tests
pt <- function(fit, call) { p <- permutest(fit, exact = TRUE)
  list(call = call, pval = p$pval, qm_pval = p$QMp, n = if (is.null(dim(p$zval.perm))) length(p$zval.perm) else nrow(p$zval.perm)) }
out$permutest_bcg_dl <- pt(rma(yi, vi, data = bcg, method = "DL"), "permutest(rma(yi, vi, data=bcg, method='DL'), exact=TRUE)")
out$permutest_normand_reml <- pt(rma(yi, vi, data = normand, method = "REML", control = ctl),
  "permutest(rma(yi, vi, data=normand, method='REML', control=ctl), exact=TRUE)")
out$permutest_music_type_dl <- pt(rma(yi, vi, mods = ~ instrument_type, data = music, method = "DL"),
  "permutest(rma(yi, vi, mods=~instrument_type, data=music, method='DL'), exact=TRUE)")
out$permutest_molloy_design_dl_knha <- pt(rma(yi, vi, mods = ~ design, data = molloy, method = "DL", test = "knha"),
  "permutest(rma(yi, vi, mods=~design, data=molloy, method='DL', test='knha'), exact=TRUE)")
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "influence_metafor.json")
