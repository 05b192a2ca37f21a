# R reference values for the RADIANT-4 rows of catalog.csv that check netsurv against R on the
# same (reconstructed) rows. Run from the repository root:
#     Rscript netsurv/published/radiant4_reference.R
# and copy the printed values (17 significant digits) into catalog.csv (column `value`).
# Generated 2026-11-21 with R 4.2.2 and survival 3.5-3 (Debian packages).
suppressPackageStartupMessages(library(survival))
for (ep in c("pfs", "os")) {
  d <- read.csv(sprintf("netsurv/datasets/data/radiant4_%s.csv", ep))
  d$arm <- factor(d$arm, levels = c("placebo", "everolimus"))  # HR everolimus vs placebo
  fit <- coxph(Surv(time, event) ~ arm, data = d, ties = "efron")
  ci <- exp(confint(fit))
  lr <- survdiff(Surv(time, event) ~ arm, data = d)
  km <- summary(survfit(Surv(time, event) ~ arm, data = d))$table
  cat(sprintf("%s hr %.17g lower %.17g upper %.17g\n", ep, exp(coef(fit)), ci[1], ci[2]))
  cat(sprintf("%s logrank_chisq %.17g\n", ep, lr$chisq))
  cat(sprintf("%s median %s %.17g\n", ep, rownames(km), km[, "median"]), sep = "")
}
cat(sprintf("R %s, survival %s\n", getRversion(), packageVersion("survival")))
