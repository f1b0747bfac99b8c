# Copies the small data sets the meta-analysis tests use into this folder (CSV), so tests read the
# repository only. Source: R package metadat 1.2-0 (as installed with metafor 3.8-1), and the project's
# evidence file data/raw/music_correlations_macnamara2014.csv.
# Run from this folder:  Rscript datasets.R
suppressMessages(library(metafor))
write.csv(dat.bcg[, c("trial", "author", "year", "tpos", "tneg", "cpos", "cneg", "ablat")], "bcg_counts.csv",
          row.names = FALSE)
write.csv(dat.hackshaw1998[, c("study", "author", "year", "yi", "vi")], "hackshaw1998.csv", row.names = FALSE)
write.csv(dat.molloy2014[, c("authors", "year", "ni", "ri", "design")], "molloy2014.csv", row.names = FALSE)
write.csv(dat.normand1999[, c("study", "source", "n1i", "m1i", "sd1i", "n2i", "m2i", "sd2i")], "normand1999.csv",
          row.names = FALSE)
music <- read.csv("../../data/raw/music_correlations_macnamara2014.csv")
write.csv(music[, c("row", "sample", "r", "n", "instrument_type")], "music_correlations.csv", row.names = FALSE)
write.csv(dat.nielweise2007[, c("study", "author", "year", "ai", "n1i", "ci", "n2i")], "nielweise2007.csv",
          row.names = FALSE)
write.csv(dat.curtis1998[, c("id", "m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")], "curtis1998.csv", row.names = FALSE)
