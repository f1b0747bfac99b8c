# Reference values for trim-and-fill on mirror-symmetric data, from metafor 3.8-1 (R 4.2).
# Run from this folder:  Rscript trimfill_ties.R   (writes trimfill_ties.json)
# yi are mirror-symmetric about 0 with mirrored vi, so |yi - mu| ties in pairs. metafor ranks ties in their
# order in the sorted data (rank(ties.method = "first")), so the right member of each pair gets the higher
# rank: Sr = 2 + 4 + 6 = 12, L0 = (4*12 - 6*7)/11 = 0.545, k0 = round(L0) = 1 on the left, for every method.
suppressMessages({library(metafor); library(jsonlite)})
ctl <- list(threshold = 1e-10, tol = 1e-12, maxiter = 1000)
yi <- c(-0.4, -0.2, -0.1, 0.1, 0.2, 0.4)
vi <- c(0.05, 0.03, 0.02, 0.02, 0.03, 0.05)
out <- list(metafor_version = as.character(packageVersion("metafor")), yi = yi, vi = vi)
for (method in c("REML", "DL", "ML", "HE", "PM", "FE")) {
  res <- rma(yi, vi, method = method, control = ctl)
  tf <- trimfill(res, control = ctl)
  out[[method]] <- list(
    call = sprintf("trimfill(rma(yi, vi, method='%s', control=ctl), control=ctl)", method),
    mu = c(res$beta), slope_sei = c(rma(yi, vi, mods = sqrt(vi), method = method, control = ctl)$beta)[2],
    k0 = tf$k0, side = tf$side, se_k0 = tf$se.k0, yi_filled = tf$yi[tf$fill], estimate = c(tf$beta),
    se = tf$se, ci_lb = tf$ci.lb, ci_ub = tf$ci.ub, tau2 = tf$tau2)
}
# the same data shifted by c: metafor's ranks of the tied pairs follow the round-off in mu - c
out$shifted <- lapply(c(0.3, -1.7, 2.5, 0.05), function(c0) {
  tf <- trimfill(rma(yi + c0, vi, control = ctl), control = ctl)
  list(call = sprintf("trimfill(rma(yi + (%g), vi, control=ctl), control=ctl)", c0), shift = c0, k0 = tf$k0,
       side = tf$side)
})
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "trimfill_ties.json")
