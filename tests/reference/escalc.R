# Reference values for dprep.stats.meta.escalc from metafor 3.8-1 (R 4.2); data: the CSVs of this folder
# (written by datasets.R). Run from this folder:  Rscript escalc.R   (writes escalc_metafor.json)
suppressMessages({library(metafor); library(jsonlite)})
normand <- read.csv("normand1999.csv"); curtis <- read.csv("curtis1998.csv")
bcg <- read.csv("bcg_counts.csv"); niel <- read.csv("nielweise2007.csv")
molloy <- read.csv("molloy2014.csv"); music <- read.csv("music_correlations.csv")
pick <- function(es, call) list(call = call, yi = as.numeric(es$yi), vi = as.numeric(es$vi))
out <- list(metafor_version = as.character(packageVersion("metafor")))

for (name in c("normand", "curtis")) {
  d <- get(name)
  out[[paste0(name, "_SMD")]] <- pick(escalc("SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = d),
    sprintf("escalc('SMD', m1i=m1i, sd1i=sd1i, n1i=n1i, m2i=m2i, sd2i=sd2i, n2i=n2i, data=%s)", name))
  out[[paste0(name, "_MD")]] <- pick(escalc("MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = d),
    sprintf("escalc('MD', m1i=m1i, sd1i=sd1i, n1i=n1i, m2i=m2i, sd2i=sd2i, n2i=n2i, data=%s)", name))
  # Cohen's d: metafor's SMD divided by its exact correction J(m), variance 1/n1 + 1/n2 + d^2/(2 (n1 + n2))
  g <- escalc("SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = d)
  dd <- g$yi / metafor:::.cmicalc(d$n1i + d$n2i - 2)
  out[[paste0(name, "_cohen_d")]] <- list(
    call = sprintf("escalc('SMD', ..., data=%s)$yi / metafor:::.cmicalc(n1i + n2i - 2); vi = 1/n1i + 1/n2i + d^2/(2*(n1i + n2i))", name),
    yi = dd, vi = 1 / d$n1i + 1 / d$n2i + dd^2 / (2 * (d$n1i + d$n2i)))
  # the same studies from their t statistics, F(1, df) = t^2 and two-sided p (Student t, pooled SD)
  sp <- sqrt(((d$n1i - 1) * d$sd1i^2 + (d$n2i - 1) * d$sd2i^2) / (d$n1i + d$n2i - 2))
  ti <- (d$m1i - d$m2i) / (sp * sqrt(1 / d$n1i + 1 / d$n2i))
  out[[paste0(name, "_t")]] <- c(pick(escalc("SMD", ti = ti, n1i = n1i, n2i = n2i, data = d),
    sprintf("ti <- (m1i - m2i)/(sp*sqrt(1/n1i + 1/n2i)); escalc('SMD', ti=ti, n1i=n1i, n2i=n2i, data=%s)", name)),
    list(ti = ti, fi = ti^2, pi = 2 * pt(abs(ti), d$n1i + d$n2i - 2, lower.tail = FALSE), sign = sign(ti)))
}

for (name in c("bcg", "niel")) {
  d <- get(name)
  if (name == "bcg") { d$n1i <- d$tpos + d$tneg; d$n2i <- d$cpos + d$cneg; d$ai <- d$tpos; d$ci <- d$cpos }
  for (m in c("OR", "RR", "RD")) {
    out[[paste0(name, "_", m)]] <- pick(escalc(m, ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d),
      sprintf("escalc('%s', ai=ai, n1i=n1i, ci=ci, n2i=n2i, data=%s)  # add=1/2, to='only0'", m, name))
    out[[paste0(name, "_", m, "_all")]] <- pick(escalc(m, ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d, to = "all"),
      sprintf("escalc('%s', ai=ai, n1i=n1i, ci=ci, n2i=n2i, data=%s, to='all')", m, name))
  }
}

for (name in c("molloy", "music")) {
  d <- get(name)
  if (name == "music") { d$ri <- d$r; d$ni <- d$n }
  for (m in c("COR", "ZCOR"))
    out[[paste0(name, "_", m)]] <- pick(escalc(m, ri = ri, ni = ni, data = d),
      sprintf("escalc('%s', ri=ri, ni=ni, data=%s)", m, name))
  ti <- d$ri * sqrt((d$ni - 2) / (1 - d$ri^2))
  out[[paste0(name, "_t")]] <- list(call = "ti <- ri*sqrt((ni - 2)/(1 - ri^2)): the t test of each correlation (df = ni - 2)",
    ti = ti, fi = ti^2, pi = 2 * pt(abs(ti), d$ni - 2, lower.tail = FALSE), sign = sign(ti), ri = d$ri)
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "escalc_metafor.json")
