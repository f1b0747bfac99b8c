# Per-fit throughput of metafor rma (REML, k = 20) on this machine, for benchmarks/rma_batch.py.
# Rscript benchmarks/metafor_rma.R   (R 4.2, metafor 3.8-1)
suppressMessages(library(metafor))
set.seed(1); k <- 20; n <- 1000
v <- matrix(runif(n * k, 0.01, 0.1), n); y <- matrix(rnorm(n * k, 0.3, sqrt(v + 0.04)), n)
t1 <- system.time(for (i in 1:n) try(rma(y[i, ], v[i, ], method = "REML"), silent = TRUE))
t2 <- system.time(for (i in 1:n) try(rma(y[i, ], v[i, ], method = "REML", control = list(threshold = 1e-12, maxiter = 10000)), silent = TRUE))
cat(sprintf("metafor defaults: %.0f fits/s; threshold 1e-12, maxiter 10000: %.0f fits/s\n", n / t1[["elapsed"]], n / t2[["elapsed"]]))
