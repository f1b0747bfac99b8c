# Reference values for dprep.stats.meta.multilevel and dprep.stats.meta.robust.
#
# Run from the repository root:  Rscript tests/reference/multilevel_metafor.R
# (R 4.2, metafor 3.8-1, metadat, clubSandwich 0.5.8). It writes
#   tests/reference/konstantopoulos2011.csv   metadat::dat.konstantopoulos2011 (56 schools in 11 districts)
#   tests/reference/assink2016.csv            metadat::dat.assink2016 (100 effects in 17 studies)
#   tests/reference/bangertdrowns2004.csv     metadat::dat.bangertdrowns2004 (48 studies)
#   tests/reference/multilevel_metafor.json   every recorded value next to the R expression that produced it
# The BCG data are tests/reference/bcg_logrr.csv (escalc(measure="RR") of dat.bcg, checked below).
#
# Each case of the JSON has "setup" (the R lines run first, in order) and, per quantity, {"call", "value"}:
# the value is eval(parse(text = call)) after the setup, so the call beside each value is exactly what
# produced it.
#
# Tolerances. rma.mv's default optimizer (nlminb on log sigma^2 with finite-difference gradients) stops
# ~1e-6 (relative) short of the optimum even with rel.tol=1e-12, and two optimizers then disagree at
# that level. The fits below use optim(BFGS) with reltol=1e-15 and central-difference steps of 1e-6
# (ctl_mv), and the script checks (stopifnot) that BFGS restarted elsewhere and the derivative-free
# optim(Nelder-Mead, reltol=1e-16), where it converges, agree to 1e-7 on every sigma^2 (nlm(gradtol=1e-12),
# with forward differences, stops 1.7e-6 short on the ML fit): the recorded estimates are good to better
# than the tests' 1e-6. Profile-likelihood CIs use
# confint(res, control=list(tol=1e-12)) (uniroot's default tol is ~1.2e-4).

suppressMessages({library(metafor); library(clubSandwich)})

here <- "tests/reference"
ctl_mv <- function(n_sigma2) list(optimizer = "optim", optmethod = "BFGS", reltol = 1e-15, maxit = 10000,
                                  ndeps = rep(1e-6, n_sigma2 + 4))  # optim's par also holds 4 unused slots
ctl_uni <- list(tol = 1e-12, threshold = 1e-12, maxiter = 10000)

write.csv(dat.konstantopoulos2011[, c("district", "school", "study", "year", "yi", "vi")],
          file.path(here, "konstantopoulos2011.csv"), row.names = FALSE)
write.csv(dat.assink2016[, c("study", "esid", "id", "yi", "vi", "pubstatus", "year", "deltype")],
          file.path(here, "assink2016.csv"), row.names = FALSE)
write.csv(dat.bangertdrowns2004[, c("id", "author", "year", "length", "yi", "vi")],
          file.path(here, "bangertdrowns2004.csv"), row.names = FALSE)

bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
stopifnot(max(abs(bcg$yi - read.csv(file.path(here, "bcg_logrr.csv"))$yi)) < 1e-12)

# ---------------------------------------------------------------------------------------------------
json <- function(x, indent = 0) {
  pad <- strrep("  ", indent + 1)
  if (is.list(x) && !is.null(names(x))) {
    items <- vapply(names(x), function(n) paste0(pad, "\"", n, "\": ", json(x[[n]], indent + 1)), "")
    return(paste0("{\n", paste(items, collapse = ",\n"), "\n", strrep("  ", indent), "}"))
  }
  if (is.list(x)) return(paste0("[", paste(vapply(x, json, "", indent = indent + 1), collapse = ", "), "]"))
  if (is.character(x)) {
    s <- paste0("\"", gsub("\"", "\\\\\"", x), "\"")
    return(if (length(s) == 1) s else paste0("[", paste(s, collapse = ", "), "]"))
  }
  v <- unname(as.numeric(x))
  s <- ifelse(is.finite(v), formatC(v, digits = 17, format = "g"), "null")
  s <- trimws(s)
  if (length(s) == 1) s else paste0("[", paste(s, collapse = ", "), "]")
}

case <- function(setup, values) {
  env <- new.env(parent = globalenv())
  for (line in setup) eval(parse(text = line), envir = env)
  out <- list(setup = setup)
  for (name in names(values)) {
    out[[name]] <- list(call = values[[name]], value = eval(parse(text = values[[name]]), envir = env))
  }
  attr(out, "env") <- env  # not written to the JSON
  out
}

# Check the precision of a fit (see the header): BFGS restarted from other starting values, and the
# derivative-free Nelder-Mead where it converges, must reach the same sigma^2.
check_optimum <- function(res, data, random, mods = ~ 1, method = "REML") {
  refit <- function(control) rma.mv(yi, vi, random = random, mods = mods, data = data, method = method, control = control)
  alts <- list(restart = refit(c(ctl_mv(2), list(sigma2.init = res$sigma2 * c(2, 0.5) + 0.01))),
               nelder_mead = try(refit(list(optimizer = "optim", optmethod = "Nelder-Mead", reltol = 1e-16,
                                            maxit = 100000)), silent = TRUE))
  for (name in names(alts)) {
    if (inherits(alts[[name]], "try-error")) next
    diff <- abs(alts[[name]]$sigma2 - res$sigma2)
    inner <- res$sigma2 > 1e-6  # boundary estimates (~1e-10, exp of a large negative log sigma^2): absolute
    message(sprintf("%s %s %s: %s vs BFGS: max rel. difference %.2g, max abs. difference at the boundary %.2g",
                    deparse(random), deparse(mods), method, name, max(c(0, diff[inner] / res$sigma2[inner])),
                    max(c(0, diff[!inner]))))
    stopifnot(all(diff[inner] / res$sigma2[inner] < 1e-7), all(diff[!inner] < 1e-8))
  }
}

i2 <- c(
  "W <- diag(1/dat$vi)", "X <- model.matrix(res)",
  "P <- W - W %*% X %*% solve(t(X) %*% W %*% X) %*% t(X) %*% W"
)
fit_values <- c(
  beta = "c(res$beta)", se = "res$se", zval = "res$zval", pval = "res$pval", ci_lb = "res$ci.lb",
  ci_ub = "res$ci.ub", sigma2 = "res$sigma2", nlevels = "res$s.nlevels", loglik = "c(logLik(res))",
  qe = "res$QE", qe_df = "res$k - res$p", qe_p = "res$QEp", qm = "res$QM", qm_p = "res$QMp",
  # I^2 per level and in total: metafor FAQ 'I^2 for multilevel and multivariate models'
  i2_levels = "100 * res$sigma2 / (sum(res$sigma2) + (res$k - res$p) / sum(diag(P)))",
  i2_total = "100 * sum(res$sigma2) / (sum(res$sigma2) + (res$k - res$p) / sum(diag(P)))"
)
intercept_values <- c(
  pred = "predict(res)$pred", pred_se = "predict(res)$se", pred_ci_lb = "predict(res)$ci.lb",
  pred_ci_ub = "predict(res)$ci.ub", pi_lb = "predict(res)$pi.lb", pi_ub = "predict(res)$pi.ub"
)
ci_values <- c(
  sigma2_1_ci = "ci[[1]]$random[1, 2:3]", sigma2_2_ci = "ci[[2]]$random[1, 2:3]"
)

mv_case <- function(data, random, mods = "~ 1", method = "REML", test = "z", confint = TRUE, extra = c()) {
  fit <- sprintf("res <- rma.mv(yi, vi, random = %s, mods = %s, data = dat, method = '%s', test = '%s', control = ctl_mv(2))",
                 random, mods, method, test)
  setup <- c(sprintf("dat <- %s", data), fit, i2, if (confint) "ci <- confint(res, control = list(tol = 1e-12))")
  out <- case(setup, c(fit_values, if (mods == "~ 1") intercept_values, if (confint) ci_values, extra))
  env <- attr(out, "env")
  check_optimum(env$res, env$dat, as.formula(random), as.formula(mods), method)
  out
}

multilevel <- list(
  konstantopoulos_reml = mv_case("dat.konstantopoulos2011", "~ 1 | district/school"),
  konstantopoulos_ml = mv_case("dat.konstantopoulos2011", "~ 1 | district/school", method = "ML"),
  konstantopoulos_year_reml = mv_case("dat.konstantopoulos2011", "~ 1 | district/school", mods = "~ I(year - mean(year))",
                                      extra = c(newmods_pred = "predict(res, newmods = c(0, 10))$pred",
                                                newmods_se = "predict(res, newmods = c(0, 10))$se",
                                                newmods_pi_lb = "predict(res, newmods = c(0, 10))$pi.lb",
                                                newmods_pi_ub = "predict(res, newmods = c(0, 10))$pi.ub")),
  konstantopoulos_t = mv_case("dat.konstantopoulos2011", "~ 1 | district/school", test = "t", confint = FALSE),
  assink_reml = mv_case("dat.assink2016", "~ 1 | study/esid"),
  assink_ml = mv_case("dat.assink2016", "~ 1 | study/esid", method = "ML"),
  assink_deltype_reml = mv_case("dat.assink2016", "~ 1 | study/esid", mods = "~ deltype"),
  # boundary: the within-study variance is estimated at 0 (metafor reports exp(log sigma^2) ~ 1e-10)
  assink_overt_reml = mv_case("subset(dat.assink2016, deltype == 'overt')", "~ 1 | study/esid")
)

# A single level (~ 1 | trial) is the two-level model of rma(): metafor's own test_misc_robust.r.
multilevel$bcg_one_level <- case(
  c("dat <- escalc(measure = 'RR', ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)",
    "res <- rma.mv(yi, vi, random = ~ 1 | trial, data = dat, control = ctl_mv(1))",
    "uni <- rma(yi, vi, data = dat, control = ctl_uni)"),
  c(sigma2 = "res$sigma2", tau2 = "uni$tau2", beta = "c(res$beta)", se = "res$se", loglik = "c(logLik(res))",
    ci = "confint(res, control = list(tol = 1e-12))$random[1, 2:3]")
)

# ---------------------------------------------------------------------------------------------------
# Cluster-robust inference: metafor's robust() (CR0, CR1 = metafor's default, CR2 via clubSandwich) and
# clubSandwich's coef_test (Satterthwaite df) and Wald_test (HTZ).
robust_values <- function(fit, cluster, moderators) {
  cr1 <- sprintf("robust(%s, cluster = %s)", fit, cluster)
  cr2 <- sprintf("robust(%s, cluster = %s, clubSandwich = TRUE)", fit, cluster)
  cs <- sprintf("coef_test(%s, vcov = 'CR2', cluster = %s)", fit, cluster)
  out <- c(
    beta = sprintf("c(%s$beta)", fit),
    cr0_vcov = sprintf("c(vcov(robust(%s, cluster = %s, adjust = FALSE)))", fit, cluster),
    cr1_vcov = sprintf("c(vcov(%s))", cr1), cr1_se = sprintf("%s$se", cr1), cr1_df = sprintf("%s$dfs", cr1),
    cr1_tval = sprintf("%s$zval", cr1), cr1_pval = sprintf("%s$pval", cr1), cr1_ci_lb = sprintf("%s$ci.lb", cr1),
    cr1_ci_ub = sprintf("%s$ci.ub", cr1), cr1_qm = sprintf("%s$QM", cr1), cr1_qm_df = sprintf("%s$QMdf", cr1),
    cr1_qm_p = sprintf("%s$QMp", cr1),
    cr2_vcov = sprintf("c(vcov(%s))", cr2), cr2_se = sprintf("%s$se", cr2), cr2_df = sprintf("%s$dfs", cr2),
    cr2_tval = sprintf("%s$zval", cr2), cr2_pval = sprintf("%s$pval", cr2), cr2_ci_lb = sprintf("%s$ci.lb", cr2),
    cr2_ci_ub = sprintf("%s$ci.ub", cr2), cr2_qm = sprintf("%s$QM", cr2), cr2_qm_df = sprintf("%s$QMdf", cr2),
    cr2_qm_p = sprintf("%s$QMp", cr2),
    cs_se = sprintf("%s$SE", cs), cs_tstat = sprintf("%s$tstat", cs), cs_df = sprintf("%s$df_Satt", cs),
    cs_p = sprintf("%s$p_Satt", cs)
  )
  if (moderators) {
    htz <- sprintf("Wald_test(%s, constraints = constrain_zero(%s$btt), vcov = 'CR2', cluster = %s, test = 'HTZ')",
                   fit, fit, cluster)
    out <- c(out, htz_f = sprintf("%s$Fstat", htz), htz_df_num = sprintf("%s$df_num", htz),
             htz_df_denom = sprintf("%s$df_denom", htz), htz_p = sprintf("%s$p_val", htz))
  }
  out
}

uni <- function(data, mods, cluster) {
  setup <- c(sprintf("dat <- %s", data),
             sprintf("res <- rma(yi, vi, mods = %s, data = dat, method = 'REML', control = ctl_uni)", mods))
  case(setup, c(robust_values("res", cluster, mods != "~ 1"), tau2 = "res$tau2"))
}
mv <- function(data, random, mods, cluster) {
  setup <- c(sprintf("dat <- %s", data),
             sprintf("res <- rma.mv(yi, vi, random = %s, mods = %s, data = dat, method = 'REML', control = ctl_mv(2))",
                     random, mods))
  case(setup, c(robust_values("res", cluster, mods != "~ 1"), sigma2 = "res$sigma2"))
}

bcg_data <- "escalc(measure = 'RR', ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)"
bd_length <- "subset(dat.bangertdrowns2004, !is.na(length))"
robust <- list(
  bcg_trial = uni(bcg_data, "~ 1", "dat$trial"),
  bcg_ablat_trial = uni(bcg_data, "~ ablat", "dat$trial"),
  bangertdrowns_id = uni("dat.bangertdrowns2004", "~ 1", "dat$id"),
  bangertdrowns_length_id = uni(bd_length, "~ length", "dat$id"),
  konstantopoulos_uni_district = uni("dat.konstantopoulos2011", "~ 1", "dat$district"),
  konstantopoulos_uni_year_district = uni("dat.konstantopoulos2011", "~ I(year - mean(year))", "dat$district"),
  assink_uni_deltype_study = uni("dat.assink2016", "~ deltype", "dat$study"),
  konstantopoulos_mv_district = mv("dat.konstantopoulos2011", "~ 1 | district/school", "~ 1", "dat$district"),
  konstantopoulos_mv_year_district = mv("dat.konstantopoulos2011", "~ 1 | district/school", "~ I(year - mean(year))", "dat$district"),
  assink_mv_study = mv("dat.assink2016", "~ 1 | study/esid", "~ 1", "dat$study"),
  assink_mv_deltype_study = mv("dat.assink2016", "~ 1 | study/esid", "~ deltype", "dat$study")
)
# Clusters finer than the model's outermost groups (schools within a district's random effect): metafor's
# CR0/CR1 still apply (W stays the model's M^-1); CR2 (clubSandwich) refuses such clusters.
robust$konstantopoulos_mv_school <- case(
  c("dat <- dat.konstantopoulos2011",
    "res <- rma.mv(yi, vi, random = ~ 1 | district/school, data = dat, method = 'REML', control = ctl_mv(2))"),
  c(cr0_vcov = "c(vcov(robust(res, cluster = dat$study, adjust = FALSE)))",
    cr1_se = "robust(res, cluster = dat$study)$se", cr1_df = "robust(res, cluster = dat$study)$dfs",
    cr1_pval = "robust(res, cluster = dat$study)$pval")
)

out <- list(
  metafor_version = as.character(packageVersion("metafor")),
  clubSandwich_version = as.character(packageVersion("clubSandwich")),
  R_version = paste(R.version$major, R.version$minor, sep = "."),
  ctl_mv = "ctl_mv <- function(n_sigma2) list(optimizer = 'optim', optmethod = 'BFGS', reltol = 1e-15, maxit = 10000, ndeps = rep(1e-6, n_sigma2 + 4))",
  ctl_uni = "ctl_uni <- list(tol = 1e-12, threshold = 1e-12, maxiter = 10000)",
  multilevel = multilevel,
  robust = robust
)
writeLines(json(out), file.path(here, "multilevel_metafor.json"))
