# Reference values for netsurv's relative/net survival (tests/test_relative.py).
# Run from the repository root:  Rscript tests/reference/make_reference_relsurv.R
# Needs R >= 4, survival, relsurv (values committed were made with relsurv 2.2-9,
# survival 3.5-3) and the rate table of survival 3.8-11 (the numbers netsurv ships):
#   /work/shared/data/us-lifetables/survexp_survival_3.8-11.rda  (or set NETSURV_RDA)
suppressPackageStartupMessages({library(survival); library(relsurv); library(jsonlite)})
rda <- Sys.getenv("NETSURV_RDA", "/work/shared/data/us-lifetables/survexp_survival_3.8-11.rda")
env <- new.env(); load(rda, envir = env); us <- env$survexp.us; usr <- env$survexp.usr
out <- "tests/reference"
set.seed(20261121)

# ---- cohort with exact inputs: integer days, ages in days, exact diagnosis dates ----------
n <- 400
grp <- sample(c("a", "b", "c"), n, replace = TRUE, prob = c(.4, .35, .25))
age_days <- sample(round(30 * 365.25):round(99 * 365.25), n, replace = TRUE)
age_days[1:6] <- round(c(100, 104, 107, 108.9, 95, 20) * 365.25)   # past the table's 109+
sex <- sample(c("male", "female"), n, replace = TRUE)
date_dx <- as.Date("1988-01-01") + sample(0:(33 * 365), n, replace = TRUE)
rate <- c(a = 0.05, b = 0.2, c = 0.6)[grp] / 365.25
cancer <- rexp(n, rate)
other <- rexp(n, 1 / (365.25 * pmax(2, 85 - age_days / 365.25)))
cens <- as.numeric(as.Date("2023-12-31") - date_dx)
cens <- pmin(cens, runif(n, 200, 9000))
time_days <- pmax(1, ceiling(pmin(cancer, other, cens)))
status <- as.integer(pmin(cancer, other) <= cens)
time_days[7:12] <- time_days[1:6]          # tied exit times
d <- data.frame(id = 1:n, group = grp, age_days = age_days, sex = sex,
                date_dx = date_dx, time_days = time_days, status = status)
d$race <- sample(c("white", "black"), n, replace = TRUE, prob = c(.7, .3))
# registry-style columns derived from the exact ones
d$age_years <- floor(d$age_days / 365.25)
d$year_dx <- as.integer(format(d$date_dx, "%Y"))
d$month_dx <- as.integer(format(d$date_dx, "%m"))
d$months <- floor(d$time_days / (365.24 / 12))
write.csv(d, file.path(out, "relsurv_data.csv"), row.names = FALSE)

curve <- function(fit, label) {
  k <- if (is.null(fit$strata)) rep("all", length(fit$time)) else
    rep(sub(".*=", "", names(fit$strata)), fit$strata)
  data.frame(case = label, stratum = k, time = fit$time, n_risk = fit$n.risk,
             n_event = fit$n.event, surv = fit$surv, std_err = fit$std.err)
}
rs1 <- function(formula, data, method) rs.surv(formula, data = data, ratetable = us,
  method = method, precision = 1, rmap = list(age = age, sex = sex, year = year))
# strata are estimated separately by rs.surv; fit each group alone to label them plainly
rs <- function(formula, data, method) {
  if (length(all.vars(formula)) == 2) return(curve(rs1(formula, data, method), "all"))
  do.call(rbind, lapply(sort(unique(data$group)), function(g) {
    r <- curve(rs1(Surv(time, status) ~ 1, data[data$group == g, ], method), "x")
    r$stratum <- g; r }))
}
lab <- function(r, label) { r$case <- label; r }

ex <- transform(d, age = age_days, year = date_dx, time = time_days)
res <- rbind(
  lab(rs(Surv(time, status) ~ 1, ex, "pohar-perme"), "exact_pp_all"),
  lab(rs(Surv(time, status) ~ group, ex, "pohar-perme"), "exact_pp_group"),
  lab(rs(Surv(time, status) ~ group, ex, "ederer2"), "exact_e2_group"),
  # by race: survexp.usr (white/black)
  lab(curve(rs.surv(Surv(time, status) ~ 1, data = ex, ratetable = usr, method = "pohar-perme",
    precision = 1, rmap = list(age = age, sex = sex, year = year, race = race)), "all"),
    "exact_pp_race"))

# ---- registry-style inputs, converted to days as netsurv does -------------------------
# follow-up months x 365.24/12 days; completed age + 0.5 years x 365.25; diagnosis on the
# 15th of the month (month known) or 1 July (year only); zero months leave no time at risk
rg <- subset(d, months > 0)
rg$time <- rg$months * 365.24 / 12
rg$age <- (rg$age_years + 0.5) * 365.25
rg$year <- as.Date(sprintf("%d-%02d-15", rg$year_dx, rg$month_dx))
res <- rbind(res, lab(rs(Surv(time, status) ~ group, rg, "pohar-perme"), "registry_month_pp"))
rg$year <- as.Date(sprintf("%d-07-01", rg$year_dx))
res <- rbind(res,
  lab(rs(Surv(time, status) ~ group, rg, "pohar-perme"), "registry_year_pp"),
  lab(rs(Surv(time, status) ~ group, rg, "ederer2"), "registry_year_e2"))
write.csv(res, file.path(out, "relsurv_curves.csv"), row.names = FALSE)

# ---- rs.diff: Pohar Perme comparison of the groups (exact inputs) ---------------------
rd <- rs.diff(Surv(time, status) ~ group, data = ex, ratetable = us,
              rmap = list(age = age, sex = sex, year = year))
rd2 <- rs.diff(Surv(time, status) ~ group, data = subset(ex, group != "c"), ratetable = us,
               rmap = list(age = age, sex = sex, year = year))
rg$year <- as.Date(sprintf("%d-07-01", rg$year_dx))
rd3 <- rs.diff(Surv(time, status) ~ group, data = rg, ratetable = us,
               rmap = list(age = age, sex = sex, year = year))
write_json(list(
  registry_year = list(statistic = as.numeric(rd3$test.stat),
                       p_value = as.numeric(rd3$p.value), df = rd3$df),
  three_groups = list(statistic = as.numeric(rd$test.stat), p_value = as.numeric(rd$p.value),
                      df = rd$df, zh = as.numeric(rd$zh)),
  two_groups = list(statistic = as.numeric(rd2$test.stat), p_value = as.numeric(rd2$p.value),
                    df = rd2$df, zh = as.numeric(rd2$zh))),
  file.path(out, "relsurv_diff.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)

# ---- expected survival (survival::survexp, exact ratetable walk) ----------------------
times <- c(1, 365, 1826, 3652, 7305)
e1 <- survexp(~1, data = ex, times = times, ratetable = us, method = "ederer",
              rmap = list(age = age, sex = sex, year = year))
ind <- survexp(time ~ 1, data = ex, ratetable = us, method = "individual.s",
               rmap = list(age = age, sex = sex, year = year))
write.csv(data.frame(time = times, surv = as.numeric(e1$surv)),
          file.path(out, "relsurv_ederer1.csv"), row.names = FALSE)
write.csv(data.frame(id = ex$id, expected = ind), file.path(out, "relsurv_individual.csv"),
          row.names = FALSE)
cat("relsurv", format(packageVersion("relsurv")), "survival", format(packageVersion("survival")),
    "\n")
