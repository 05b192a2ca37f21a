# Reference values for netsurv's registry methods (issue 15): weighted log-rank tests,
# excess-hazard (relative-survival) Poisson regression, Ederer I / Hakulinen relative
# survival, and rate tables with their own cut points (relsurv `transrate`).
# Run from the repository root:  Rscript tests/reference/make_reference_methods.R   (~10 s)
# Needs R >= 4 with survival, survMisc, relsurv, MASS, jsonlite (Debian r-cran-*), and the
# rate table of survival 3.8-11 (the numbers netsurv ships):
#   /work/shared/data/us-lifetables/survexp_survival_3.8-11.rda  (or set NETSURV_RDA)
# Outputs (tests/reference/methods_*): see README_methods.md.
suppressPackageStartupMessages({
  library(survival); library(survMisc); library(relsurv); library(MASS); library(jsonlite)
})
rda <- Sys.getenv("NETSURV_RDA", "/work/shared/data/us-lifetables/survexp_survival_3.8-11.rda")
env <- new.env(); load(rda, envir = env); us <- env$survexp.us
attr(us, "dimid") <- names(dimnames(us))  # relsurv's Ederer I / Hakulinen path reads `dimid`
out <- "tests/reference"
w <- function(x, f) write.csv(x, file.path(out, f), row.names = FALSE)

# ==== (a) weighted log-rank tests ============================================================
# An independent R implementation of the k-sample weighted log-rank test (Klein & Moeschberger
# 2003, sec. 7.3; weights as named there), checked below against survMisc::comp (unstratified)
# and survival::survdiff (rho = 0, 1, stratified).  At each distinct event time t of a test
# stratum: n = at risk, d = events (pooled), S(t-) = pooled Kaplan-Meier just before t,
# S~(t) = prod_{s <= t} (1 - d_s / (n_s + 1)) (Peto-Prentice).
weight_of <- function(test, n, d, p = 0, q = 0) {
  s_minus <- c(1, head(cumprod(1 - d / n), -1))
  switch(test,
    "log-rank" = rep(1, length(n)),
    "gehan-wilcoxon" = n,
    "tarone-ware" = sqrt(n),
    "peto-prentice" = cumprod(1 - d / (n + 1)),
    "fleming-harrington" = s_minus^p * (1 - s_minus)^q)
}
wlr <- function(time, status, group, strata = NULL, test, p = 0, q = 0) {
  group <- factor(group); k <- nlevels(group)
  if (is.null(strata)) strata <- rep(1, length(time))
  U <- numeric(k); V <- matrix(0, k, k)
  for (s in unique(strata)) {
    i <- strata == s
    tt <- sort(unique(time[i & status == 1]))
    n <- sapply(tt, function(t) sum(time[i] >= t))
    d <- sapply(tt, function(t) sum(time[i] == t & status[i] == 1))
    wt <- weight_of(test, n, d, p, q)
    for (j in seq_along(tt)) {
      nj <- sapply(levels(group), function(g) sum(time[i] >= tt[j] & group[i] == g))
      dj <- sapply(levels(group), function(g) sum(time[i] == tt[j] & status[i] == 1 &
                                                    group[i] == g))
      e <- d[j] * nj / n[j]
      U <- U + wt[j] * (dj - e)
      f <- if (n[j] > 1) wt[j]^2 * d[j] * (n[j] - d[j]) / (n[j] - 1) / n[j] else 0
      V <- V + f * (diag(nj) - outer(nj, nj) / n[j])
    }
  }
  sub <- 2:k
  stat <- drop(U[sub] %*% solve(V[sub, sub, drop = FALSE], U[sub]))
  list(statistic = stat, df = k - 1, p_value = pchisq(stat, k - 1, lower.tail = FALSE),
       o_minus_e = unname(U))
}

lung2 <- subset(lung, !is.na(ph.ecog) & ph.ecog < 3)          # 3 ECOG groups (0, 1, 2)
lung2$ecog <- paste0("ecog", lung2$ph.ecog)
lung2$status01 <- lung2$status - 1
vet <- veteran
gehan2 <- gehan; gehan2$treat <- as.character(gehan2$treat)    # Freireich 6-MP remission data
# toy data: hand-computed in tests/estimators/test_logrank_weights.py
toy <- data.frame(time = c(1, 2, 2, 3, 4, 5, 6, 7), status = c(1, 1, 1, 0, 1, 1, 0, 1),
                  group = c("a", "b", "a", "b", "a", "b", "b", "a"),
                  layer = c("x", "x", "x", "x", "y", "y", "y", "y"))
datasets <- list(
  lung_sex = list(d = transform(lung, status = status - 1, g = paste0("sex", sex)), s = NULL),
  lung_ecog = list(d = transform(lung2, status = status01, g = ecog), s = NULL),
  lung_ecog_by_sex = list(d = transform(lung2, status = status01, g = ecog, s = sex), s = "s"),
  veteran_trt = list(d = transform(vet, g = paste0("trt", trt)), s = NULL),
  veteran_celltype = list(d = transform(vet, g = as.character(celltype)), s = NULL),
  veteran_trt_by_celltype = list(d = transform(vet, g = paste0("trt", trt),
                                               s = as.character(celltype)), s = "s"),
  gehan_treat = list(d = transform(gehan2, status = cens, g = treat), s = NULL),
  toy = list(d = transform(toy, g = group), s = NULL),
  toy_by_layer = list(d = transform(toy, g = group, s = layer), s = "s"))
tests <- list(list("log-rank", 0, 0), list("gehan-wilcoxon", 0, 0), list("tarone-ware", 0, 0),
              list("peto-prentice", 0, 0), list("fleming-harrington", 1, 0),
              list("fleming-harrington", 0, 1), list("fleming-harrington", 1, 1),
              list("fleming-harrington", 2, 0.5), list("fleming-harrington", 3, 1),
              list("fleming-harrington", 1, 3))
rows <- list()
for (nm in names(datasets)) {
  d <- datasets[[nm]]$d; s <- if (is.null(datasets[[nm]]$s)) NULL else d$s
  for (t in tests) {
    r <- wlr(d$time, d$status, d$g, s, t[[1]], t[[2]], t[[3]])
    rows[[length(rows) + 1]] <- data.frame(case = nm, test = t[[1]], p = t[[2]], q = t[[3]],
      statistic = r$statistic, df = r$df, p_value = r$p_value,
      o_minus_e_first = r$o_minus_e[1])
  }
}
lr <- do.call(rbind, rows)
# --- checks of the R implementation against R packages (stop if any disagree) ---
chk <- function(a, b, what) if (abs(a - b) > 1e-8 * max(1, abs(b))) stop(what, ": ", a, " vs ", b)
for (nm in names(datasets)) {
  d <- datasets[[nm]]$d
  f <- if (is.null(datasets[[nm]]$s)) Surv(time, status) ~ g else Surv(time, status) ~ g + strata(s)
  for (rho in c(0, 1)) {
    test <- if (rho == 0) "log-rank" else "fleming-harrington"
    ref <- survdiff(f, data = d, rho = rho)$chisq
    chk(lr$statistic[lr$case == nm & lr$test == test & lr$p == rho & lr$q == 0], ref,
        paste("survdiff", nm, rho))
  }
  if (is.null(datasets[[nm]]$s)) {             # survMisc::comp: unstratified only
    tn <- ten(Surv(time, status) ~ g, data = d)
    invisible(capture.output(comp(tn, p = c(1, 0, 1, 2), q = c(0, 1, 1, 0.5))))
    sm <- attr(tn, "lrt")
    # with 2 groups survMisc reports the weighted O - E (Q) and a variance without the
    # (n - d) / (n - 1) tie factor, so only Q is compared; with k > 2 groups its chi-square
    # uses the hypergeometric covariance and is compared directly
    two <- length(unique(d$g)) == 2
    val <- if (two) abs(sm$Q) else sm$chiSq
    names(val) <- sm$W
    mine <- function(tst, p = 0, q = 0) {
      r <- lr[lr$case == nm & lr$test == tst & lr$p == p & lr$q == q, ]
      if (two) abs(r$o_minus_e_first) else r$statistic
    }
    map <- c("log-rank" = "1", "gehan-wilcoxon" = "n", "tarone-ware" = "sqrtN",
             "peto-prentice" = "S1")
    for (tst in names(map)) chk(mine(tst), val[[map[[tst]]]], paste("survMisc", nm, tst))
    for (pq in list(c(1, 0), c(0, 1), c(1, 1), c(2, 0.5)))
      chk(mine("fleming-harrington", pq[1], pq[2]),
          val[[sprintf("FH_p=%g_q=%g", pq[1], pq[2])]], paste("survMisc FH", nm, pq))
  }
}
w(lr, "methods_logrank.csv")
w(transform(lung2, ph.ecog = ecog)[, c("time", "status01", "ph.ecog", "sex")], "methods_data_lung_ecog.csv")
w(gehan2[, c("time", "cens", "treat")], "methods_data_gehan.csv")
w(toy, "methods_data_toy.csv")

# ==== (b) excess-hazard regression: relsurv::rsadd(method = "glm.poi") ====================
# Data: relsurv's `rdata` (1040 patients, follow-up in days, age in years, diagnosis dates
# 1982-1986; relsurv's own example data, GPL >= 2), matched to the US rate table survexp.us
# (survival 3.8-11), age = years x 365.241 days as relsurv's documentation does.
# Baseline: yearly intervals 0-1, ..., 4-5 (int = 5: times after 5 years censored).
data(rdata)
rd <- rdata
rd$year <- as.Date(as.numeric(rdata$year), origin = "1960-01-01")
rd$agegr <- as.character(rdata$agegr)
rd$sexf <- factor(ifelse(rd$sex == 1, "male", "female"), levels = c("male", "female"))
w(data.frame(time = rd$time, cens = rd$cens, age = rd$age, sex = as.integer(rd$sex),
             sexf = as.character(rd$sexf), date_dx = format(rd$year), agegr = rd$agegr),
  "methods_data_rdata.csv")
rm5 <- function(f) rsadd(f, data = rd, ratetable = us, int = 5, method = "glm.poi",
                          rmap = list(age = age * 365.241, sex = sex, year = year))
fits <- list(sex_agegr = rm5(Surv(time, cens) ~ sexf + agegr), sex = rm5(Surv(time, cens) ~ sexf),
             sex_x_agegr = rm5(Surv(time, cens) ~ sexf * agegr))
coefs <- do.call(rbind, lapply(names(fits), function(nm) {
  f <- fits[[nm]]; sm <- summary(f)$coefficients
  data.frame(model = nm, term = rownames(sm), coef = sm[, 1], std_err = sm[, 2],
             p_value = sm[, 4])
}))
fitstat <- do.call(rbind, lapply(names(fits), function(nm) {
  f <- fits[[nm]]
  data.frame(model = nm, deviance = f$deviance, df_resid = f$df.residual, aic = f$aic,
             null_deviance = f$null.deviance, n_groups = nrow(f$groups))
}))
# rsadd's glm uses glm's default stopping rule (relative deviance change < 1e-8; rsadd does
# not pass `control` on), which leaves the coefficients ~1e-5 from the maximum. Refits of the
# grouped data with relsurv's own family (log(mu - dstar) link, Poisson error, offset log
# person-years) and epsilon = 1e-13: `sex_agegr_tight` (the same model, at the maximum) and
# `sex_on_sex_agegr_groups` (sex only, on the same 40 rows: the likelihood-ratio test of age
# group needs both fits on the same grouped data)
g <- fits$sex_agegr$groups
pot <- poisson(); dstar <- g$dstar
pot$linkfun <- function(mu) log(mu - dstar); pot$linkinv <- function(eta) dstar + exp(eta)
refit <- function(f) glm(f, data = g, family = pot, offset = g$lny,
                         mustart = pmax(g$nd, g$dstar) + 0.1, control = glm.control(1e-13, 100))
tight <- list(sex_agegr_tight = refit(nd ~ -1 + sexffemale + `agegr54-61` + `agegr62-70` +
                                        `agegr71-95` + fu),
              sex_on_sex_agegr_groups = refit(nd ~ -1 + sexffemale + fu))
for (nm in names(tight)) {
  f <- tight[[nm]]; sm <- summary(f)$coefficients
  coefs <- rbind(coefs, data.frame(model = nm, term = gsub("`", "", sub("^fu", "fu ", rownames(sm))),
                                   coef = sm[, 1], std_err = sm[, 2], p_value = sm[, 4]))
  fitstat <- rbind(fitstat, data.frame(model = nm, deviance = f$deviance,
    df_resid = f$df.residual, aic = f$aic, null_deviance = f$null.deviance, n_groups = nrow(g)))
}
w(coefs, "methods_rsadd_coef.csv")
w(fitstat, "methods_rsadd_fit.csv")
# the grouped data relsurv builds (one row per covariate pattern x interval): nd deaths, lny
# log person-years (365.241-day years), dstar expected deaths, fu interval
g <- fits$sex_agegr$groups
w(data.frame(fu = as.character(g$fu), nd = g$nd, y = exp(g$lny), dstar = g$dstar,
             g[, grepl("^sexf|^agegr", names(g))], check.names = FALSE),
  "methods_rsadd_groups.csv")

# ==== (c) rs.surv Ederer I and Hakulinen ====================================================
# The simulated cohort of make_reference_relsurv.R (relsurv_data.csv), exact inputs.
d <- read.csv(file.path(out, "relsurv_data.csv"))
d$date_dx <- as.Date(d$date_dx)
ex <- transform(d, age = age_days, year = date_dx, time = time_days)
curve <- function(fit, label, stratum) data.frame(case = label, stratum = stratum,
  time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event, surv = fit$surv,
  std_err = fit$std.err)
es <- do.call(rbind, lapply(c("ederer1", "hakulinen", "ederer2"), function(m) {
  do.call(rbind, lapply(sort(unique(ex$group)), function(g) curve(
    rs.surv(Surv(time, status) ~ 1, data = ex[ex$group == g, ], ratetable = us, method = m,
            precision = 1, rmap = list(age = age, sex = sex, year = year)), m, g)))
}))
w(es, "methods_rs_surv_e1_hak.csv")

# ==== (d) a rate table with its own cut points: relsurv::transrate ===========================
# Synthetic Gompertz survival probabilities p(age, year) (no licence question), ages 0-100,
# years 1980-2025; transrate cuts ages at 365.241 k days and years on 1 January, hazards
# -log(p)/365.241 per day.
ages <- 0:100; years <- 1980:2025
px <- function(sexf) outer(ages, years, function(a, y)
  exp(-exp(-10.2 + 0.094 * a - 0.012 * (y - 1980) + sexf)))
men <- px(0.35); women <- px(0)
tr <- transrate(men, women, yearlim = c(1980, 2025), int.length = 1)
# the table as relsurv holds it, exported cell by cell: the format netsurv's
# `ratetables.read_ratetable` reads (any age x sex x year ratetable can be exported this way)
export_ratetable <- function(rt, file) {
  at <- attributes(rt); dn <- dimnames(rt); ids <- names(dn)
  ia <- match("age", ids); is <- match("sex", ids); iy <- match("year", ids)
  g <- expand.grid(a = seq_along(dn[[ia]]), s = seq_along(dn[[is]]), y = seq_along(dn[[iy]]))
  idx <- matrix(0L, nrow(g), 3); idx[, ia] <- g$a; idx[, is] <- g$s; idx[, iy] <- g$y
  ycut <- as.Date(as.numeric(at$cutpoints[[iy]]), origin = "1960-01-01")
  con <- gzfile(file.path(out, file))
  write.csv(data.frame(age = as.numeric(dn[[ia]][g$a]), age_cut_days = at$cutpoints[[ia]][g$a],
                       sex = dn[[is]][g$s], year_cut = format(ycut[g$y]),
                       year_type = at$type[iy], daily_hazard = rt[idx]), con, row.names = FALSE)
}
export_ratetable(tr, "methods_transrate_table.csv.gz")
sub <- subset(ex, date_dx >= as.Date("1980-01-01"))
tc <- rbind(
  curve(rs.surv(Surv(time, status) ~ 1, data = sub, ratetable = tr, method = "pohar-perme",
                precision = 1, rmap = list(age = age, sex = sex, year = year)),
        "transrate_pp", "all"),
  curve(rs.surv(Surv(time, status) ~ 1, data = sub, ratetable = tr, method = "ederer2",
                precision = 1, rmap = list(age = age, sex = sex, year = year)),
        "transrate_e2", "all"))
w(tc, "methods_transrate_curves.csv")
ie <- survexp(time ~ 1, data = sub, ratetable = tr, method = "individual.s",
              rmap = list(age = age, sex = sex, year = year))
w(data.frame(id = sub$id, expected = ie), "methods_transrate_individual.csv")
# HMD period life tables (mltper_1x1 / fltper_1x1 layout) -> relsurv::transrate.hmd, with
# synthetic qx (years 2000-2002, ages 0-110; qx reaches 1 at 108 for men: relsurv then uses
# 0.999 from that age on), written in HMD's text format and read back by netsurv's read_hmd
hmd <- function(file, shift, one_at) {
  g <- expand.grid(Age = 0:110, Year = 2000:2002)[, c("Year", "Age")]
  qx <- pmin(1, exp(-9.5 + 0.085 * g$Age + shift - 0.01 * (g$Year - 2000)))
  if (!is.na(one_at)) qx[g$Age >= one_at] <- 1
  lines <- c("Utopia, Life tables (period 1x1)    Last modified: 01 Jan 2024", "",
             sprintf("%6s %6s %9s", "Year", "Age", "qx"),
             sprintf("%6d %6s %9.5f", g$Year, ifelse(g$Age == 110, "110+", g$Age), qx))
  writeLines(lines, file.path(out, file))
}
hmd("methods_hmd_mltper_1x1.txt", 0.3, 108)
hmd("methods_hmd_fltper_1x1.txt", 0, NA)
export_ratetable(transrate.hmd(file.path(out, "methods_hmd_mltper_1x1.txt"),
                               file.path(out, "methods_hmd_fltper_1x1.txt")),
                 "methods_hmd_transrate.csv.gz")

# ==== (f) strs's life-table algorithm, from first principles ================================
# Dickman's published description of strs (http://pauldickman.com/software/strs/
# life_table_algorithm): split follow-up (years = completed months / 12) at annual breaks
# (a, b]; _age = floor(age + _t0), _year = floor(yydx + _t0); merge the popmort probability;
# w = censored inside its last interval ((_t - _t0) != 1); per interval n, d, w, n' = n - w/2,
# p = 1 - d/n', p* = mean(prob); products for cumulative values. Zero follow-up is dropped
# (Stata's stset). Popmort: survexp.us as one-year probabilities exp(-365.25 x daily hazard),
# ages past 109 as 109 and years past 2020 as 2020 (as netsurv's table does).
strs_table <- function(dd) {
  dd <- dd[dd$months > 0, ]
  rows <- list()
  for (i in seq_len(nrow(dd))) {
    t <- dd$months[i] / 12
    for (j in 0:(ceiling(t) - 1)) {
      t0 <- j; t1 <- min(t, j + 1); last <- t1 == t
      rows[[length(rows) + 1]] <- data.frame(group = dd$group[i], start = j,
        d = as.integer(last & dd$status[i] == 1),
        w = as.integer(last & dd$status[i] == 0 & (t1 - t0) != 1),
        age = min(floor(dd$age_years[i] + t0), 109), sex = dd$sex[i],
        year = min(max(floor(dd$year_dx[i] + t0), 1940), 2020))
    }
  }
  x <- do.call(rbind, rows)
  x$prob <- exp(-365.25 * us[cbind(x$age + 1, match(x$sex, dimnames(us)[[2]]),
                                   x$year - 1939)])
  out <- do.call(rbind, lapply(split(x, list(x$group, x$start), drop = TRUE), function(g)
    data.frame(group = g$group[1], start = g$start[1], n = nrow(g), d = sum(g$d),
               w = sum(g$w), p_star = mean(g$prob))))
  out <- out[order(out$group, out$start), ]
  out$n_prime <- out$n - out$w / 2
  out$p <- 1 - out$d / out$n_prime
  out$cp <- ave(out$p, out$group, FUN = cumprod)
  out$cp_e2 <- ave(out$p_star, out$group, FUN = cumprod)
  out$cr_e2 <- out$cp / out$cp_e2
  out
}
w(strs_table(read.csv(file.path(out, "relsurv_data.csv"))), "methods_strs_lifetable.csv")

writeLines(toJSON(list(R = R.version.string,
  survival = as.character(packageVersion("survival")),
  relsurv = as.character(packageVersion("relsurv")),
  survMisc = as.character(packageVersion("survMisc"))), auto_unbox = TRUE, pretty = TRUE),
  file.path(out, "methods_versions.json"))

# ==== (e) Cox models with case weights, delayed entry, strata and Breslow ties ==============
# survival's `veteran` (137 patients, tied times), with deterministic case weights and entry
# times added; coefficients and model-based standard errors of survival::coxph.
vc <- veteran
vc$w <- 1 + (seq_len(nrow(vc)) %% 3)                    # integer case weights 1, 2, 3
vc$entry <- ifelse(seq_len(nrow(vc)) %% 2 == 0, floor(vc$time / 3), 0)
vc$celltype <- as.character(vc$celltype)
w(vc[, c("time", "status", "trt", "celltype", "karno", "w", "entry")],
  "methods_data_veteran_cox.csv")
cx <- list(
  efron_weights = coxph(Surv(time, status) ~ factor(trt) + celltype + karno, data = vc,
                        weights = w, ties = "efron"),
  efron_entry = coxph(Surv(entry, time, status) ~ factor(trt) + celltype + karno, data = vc,
                      ties = "efron"),
  efron_weights_entry_strata = coxph(Surv(entry, time, status) ~ factor(trt) + karno +
                                       strata(celltype), data = vc, weights = w, ties = "efron"),
  breslow = coxph(Surv(time, status) ~ factor(trt) + celltype + karno, data = vc,
                  ties = "breslow"),
  breslow_entry_strata = coxph(Surv(entry, time, status) ~ factor(trt) + karno +
                                 strata(celltype), data = vc, ties = "breslow"))
w(do.call(rbind, lapply(names(cx), function(nm) {
  s <- summary(cx[[nm]])$coefficients
  data.frame(case = nm, term = rownames(s), coef = s[, "coef"], std_err = s[, "se(coef)"],
             loglik = cx[[nm]]$loglik[2])
})), "methods_cox.csv")
