# make_reference_ipd.R -- R reference for netsurv.reconstruct_ipd (Guyot et al. 2012), from the
# ipd() code of the R package kmdata (R. Redd; MIT licence, copyright 2021 Robert Redd).
#
# kmdata is not on CRAN; its source is read from a checkout that is NOT committed here:
#   git -C <kmdata clone> archive 8972d41 R inst | tar -x -C /tmp/kmdata    # github.com/raredd/kmdata
#   Rscript tests/reference/make_reference_ipd.R /tmp/kmdata                  # from the repo root
# Needs R >= 4.2, survival, fdrtool (Debian r-cran-fdrtool; kmdata's mono() calls fdrtool::monoreg).
# Deterministic: running it again leaves `git diff` empty.
#
# Two runs of kmdata's code per case:
#  * "guyot": kmdata's engine ipd_() with the interval limits of Guyot's paper (the last interval
#    runs to the last digitised point). This is the published algorithm; netsurv must agree exactly.
#  * "kmdata": kmdata's exported ipd() as it is (it cuts the curve at the last at-risk time, and
#    an interval without a digitised point is walked backwards). Kept to document the departures.
#
# Inputs (tests/reference/):
#   ipd_curve_checkmate067.csv, ipd_risk_checkmate067.csv  kmdata inst/etc/init/Checkmate_067_*
#     (CheckMate 067, figure S3A, nivolumab arm: 1,202 digitised points and the at-risk table),
#     columns renamed to time/survival and time/n_at_risk, values unchanged (written below).
#   netsurv/datasets/data/radiant4_{pfs,os}.csv  the bundled RADIANT-4 reconstruction; this script
#     draws each arm's Kaplan-Meier curve as a digitiser would read it (a point at the foot of
#     every step and every 0.5 month along the curve, up to the end of follow-up; survival to 4
#     decimals) and its at-risk table every
#     3 months, and writes them as netsurv/datasets/data/radiant4_{pfs,os}_curve.csv / _at_risk.csv.
#   two hand-made curves for the departures: ipd_curve_{lastint,gap}.csv, ipd_risk_{lastint,gap}.csv
# Outputs (tests/reference/): ipd_cases.json (every case: inputs and the exact R call, which is the
#   string evaluated here), ipd_reference.csv (case, run, time, event: one row per patient).

options(digits = 17, warn = 1, stringsAsFactors = FALSE)
suppressPackageStartupMessages({
  library(survival)
  library(fdrtool)
})
args <- commandArgs(trailingOnly = TRUE)
kmdata_dir <- if (length(args)) args[1] else "/tmp/kmdata"
stopifnot(file.exists(file.path(kmdata_dir, "R", "ipd.R")))
source(file.path(kmdata_dir, "R", "ipd.R"))            # ipd(), mono(), lims(), ipd_()
rescaler <- function(x, to = c(0, 1), from = range(x, na.rm = TRUE)) {
  (x - from[1L]) / diff(from) * diff(to) + to[1L]       # kmdata R/utils-internal.R, used by mono()
}
out_dir <- file.path("tests", "reference")
data_dir <- file.path("netsurv", "datasets", "data")
stopifnot(dir.exists(out_dir), dir.exists(data_dir))

num <- function(x) sprintf("%.17g", x)
write_csv <- function(df, path, digits = 15) {    # inputs: 15 significant digits; outputs: exact
  for (col in names(df)) if (is.double(df[[col]])) df[[col]] <- sprintf(paste0("%.", digits, "g"), df[[col]])
  write.csv(df, path, row.names = FALSE, quote = FALSE)
}

# Guyot's limits: lower[i] = first point at or after the i-th at-risk time; upper[i] = the point
# before lower[i + 1]; the last interval ends at the last point (kmdata's lims() ends it at lower).
guyot_lims <- function(t.atrisk, mo) {
  lo <- vapply(t.atrisk, function(x) mo$k[mo$time >= x][1L], 1L)
  list(upper = c(lo[-1L] - 1L, max(mo$k)), lower = lo)
}
guyot <- function(time, prob, t.atrisk, n.atrisk, total = NA) {
  mo <- mono(time, prob)
  ipd_(mo, guyot_lims(t.atrisk, mo), n.atrisk, total)
}

# ------------------------------------------------------------------------------ inputs
cm_dir <- file.path(kmdata_dir, "inst", "etc", "init")
cm <- read.csv(file.path(cm_dir, "Checkmate_067_S3A_Nivolumab.csv"))
cm_risk <- read.csv(file.path(cm_dir, "Checkmate_067_At_Risk.csv"))
write_csv(data.frame(time = cm$T, survival = cm$S), file.path(out_dir, "ipd_curve_checkmate067.csv"))
write_csv(data.frame(time = cm_risk$trisk, n_at_risk = cm_risk$nrisk),
          file.path(out_dir, "ipd_risk_checkmate067.csv"))

draw_curve <- function(df, arm) {
  d <- df[df$arm == arm, ]
  fit <- survfit(Surv(time, event) ~ 1, data = d)
  steps <- fit$n.event > 0
  grid <- seq(0.25, max(d$time), by = 0.5)                 # points along the flat stretches
  times <- sort(unique(c(fit$time[steps], grid, max(d$time))))
  curve <- data.frame(arm = arm, time = times,
                      survival = round(summary(fit, times = times, extend = TRUE)$surv, 4))
  at <- seq(0, max(d$time), by = 3)
  s <- summary(fit, times = at, extend = TRUE)
  risk <- data.frame(arm = arm, time = at, n_at_risk = as.integer(s$n.risk))
  list(curve = curve, risk = risk[risk$n_at_risk > 0, ])
}
for (endpoint in c("pfs", "os")) {
  df <- read.csv(file.path(data_dir, sprintf("radiant4_%s.csv", endpoint)))
  drawn <- lapply(c("everolimus", "placebo"), function(a) draw_curve(df, a))
  write_csv(do.call(rbind, lapply(drawn, `[[`, "curve")),
            file.path(data_dir, sprintf("radiant4_%s_curve.csv", endpoint)))
  write_csv(do.call(rbind, lapply(drawn, `[[`, "risk")),
            file.path(data_dir, sprintf("radiant4_%s_at_risk.csv", endpoint)))
}

# hand-made: 20 patients; the curve falls after the last at-risk time (6 months)
write_csv(data.frame(time = c(2, 4, 5.5, 8, 10, 12), survival = c(0.9, 0.8, 0.8, 0.56, 0.5, 0.5)),
          file.path(out_dir, "ipd_curve_lastint.csv"))
write_csv(data.frame(time = c(0, 6), n_at_risk = c(20L, 10L)), file.path(out_dir, "ipd_risk_lastint.csv"))
# hand-made: no digitised point between the at-risk times 3 and 6
write_csv(data.frame(time = c(1, 2.5, 7, 8, 10), survival = c(0.9, 0.85, 0.7, 0.65, 0.65)),
          file.path(out_dir, "ipd_curve_gap.csv"))
write_csv(data.frame(time = c(0, 3, 6, 9), n_at_risk = c(20L, 17L, 12L, 10L)),
          file.path(out_dir, "ipd_risk_gap.csv"))

# 40 random trials arms (set.seed below): Weibull event times, uniform censoring, the
# Kaplan-Meier curve digitised with noise (top and foot of every step and a point every 0.5
# month, time noise N(0, 0.05), survival noise N(0, 0.003) rounded to 3 decimals), at-risk
# tables every 3 or 6 months; a third with the true total events, every fifth without table
set.seed(20261203)
rand_curves <- list()
rand_risks <- list()
for (k in 1:40) {
  id <- sprintf("r%02d", k)
  n <- sample(20:300, 1)
  ev <- rweibull(n, shape = runif(1, 0.7, 1.5), scale = runif(1, 5, 30))
  cens <- pmin(runif(n, 0, runif(1, 15, 60)), 48)
  d <- data.frame(time = round(pmax(pmin(ev, cens), 0.01), 2), event = as.integer(ev <= cens))
  fit <- survfit(Surv(time, event) ~ 1, data = d)
  st <- fit$time[fit$n.event > 0]
  ss <- fit$surv[fit$n.event > 0]
  grid <- seq(0.5, max(d$time), by = 0.5)
  x <- c(st, st, grid, max(d$time))
  y <- c(c(1, head(ss, -1)), ss, summary(fit, times = grid, extend = TRUE)$surv,
         tail(fit$surv, 1))
  x <- round(pmax(x + rnorm(length(x), 0, 0.05), 0.001), 3)
  y <- round(pmin(pmax(y + rnorm(length(y), 0, 0.003), 0), 1), 3)
  rand_curves[[id]] <- data.frame(arm = id, time = x, survival = y)
  step <- sample(c(3, 6), 1)
  at <- seq(0, max(d$time) - 1, by = step)
  risk <- data.frame(arm = id, time = at,
                     n_at_risk = as.integer(summary(fit, times = at, extend = TRUE)$n.risk))
  rand_risks[[id]] <- risk[risk$n_at_risk > 0, ]
  rand_total <- if (k %% 3 == 0) sum(d$event) else NA
  rand_n <- if (k %% 5 == 0) n else NA
  rand_meta <- list(case = sprintf("random_%s", id), arm = id, curve = "ipd_curve_random.csv",
                    risk = if (is.na(rand_n)) "ipd_risk_random.csv" else "",
                    rows = sprintf("arm == '%s'", id), total = rand_total, n = rand_n,
                    note = "random arm (see the script)")
  assign(sprintf("rand_case_%02d", k), rand_meta)
}
write_csv(do.call(rbind, rand_curves), file.path(out_dir, "ipd_curve_random.csv"))
write_csv(do.call(rbind, rand_risks), file.path(out_dir, "ipd_risk_random.csv"))

# ------------------------------------------------------------------------------ cases
rd <- function(name) read.csv(file.path(out_dir, name))
rd_data <- function(name) read.csv(file.path(data_dir, name))
cases <- list(
  list(case = "checkmate067", curve = "ipd_curve_checkmate067.csv", risk = "ipd_risk_checkmate067.csv",
       rows = "n_at_risk > 0", total = NA, n = NA,
       note = "all 15 at-risk times with patients at risk (the row 45: 0 is left out, as kmdata requires)"),
  list(case = "checkmate067_half", curve = "ipd_curve_checkmate067.csv",
       risk = "ipd_risk_checkmate067.csv", rows = "every 2nd time and the last", total = NA, n = NA,
       note = "kmdata's own example: half of the at-risk table"),
  list(case = "checkmate067_quarter", curve = "ipd_curve_checkmate067.csv",
       risk = "ipd_risk_checkmate067.csv", rows = "every 4th time and the last", total = NA, n = NA,
       note = "kmdata's own example: a quarter of the at-risk table"),
  list(case = "checkmate067_total", curve = "ipd_curve_checkmate067.csv",
       risk = "ipd_risk_checkmate067.csv", rows = "n_at_risk > 0", total = 35L, n = NA,
       note = "total_events = 35 (an exercise of the total-events correction, not a published number)"),
  list(case = "checkmate067_n", curve = "ipd_curve_checkmate067.csv", risk = "", rows = "",
       total = NA, n = 80L, note = "no at-risk table: n = 80 only"),
  list(case = "checkmate067_n_total", curve = "ipd_curve_checkmate067.csv", risk = "", rows = "",
       total = 30L, n = 80L, note = "no at-risk table: n = 80 and total_events = 30 (exercise)")
)
for (endpoint in c("pfs", "os")) for (arm in c("everolimus", "placebo")) {
  cases[[length(cases) + 1L]] <- list(
    case = sprintf("radiant4_%s_%s", endpoint, arm), arm = arm,
    curve = sprintf("radiant4_%s_curve.csv", endpoint), risk = sprintf("radiant4_%s_at_risk.csv", endpoint),
    rows = sprintf("arm == '%s'", arm), total = NA, n = NA,
    note = "curve drawn from the bundled RADIANT-4 reconstruction (netsurv/datasets/data)")
}
cases[[length(cases) + 1L]] <- list(case = "lastint", curve = "ipd_curve_lastint.csv",
  risk = "ipd_risk_lastint.csv", rows = "", total = NA, n = NA,
  note = "departure 1: the curve falls after the last at-risk time")
cases[[length(cases) + 1L]] <- list(case = "gap", curve = "ipd_curve_gap.csv",
  risk = "ipd_risk_gap.csv", rows = "", total = NA, n = NA,
  note = "departure 2: no digitised point in [3, 6)")

for (k in 1:40) cases[[length(cases) + 1L]] <- get(sprintf("rand_case_%02d", k))

select_rows <- function(risk, rows) {
  if (rows == "n_at_risk > 0") return(risk[risk$n_at_risk > 0, ])
  if (startsWith(rows, "every")) {
    risk <- risk[risk$n_at_risk > 0, ]
    step <- if (grepl("2nd", rows)) 2 else 4
    idx <- replace(seq_len(nrow(risk)) %% step == 1, nrow(risk), TRUE)   # kmdata's example
    return(risk[idx, ])
  }
  if (startsWith(rows, "arm")) return(risk[risk$arm == sub("arm == '(.*)'", "\\1", rows), ])
  risk
}

out <- list()
meta <- list()
for (cs in cases) {
  is_data <- startsWith(cs$case, "radiant4")
  curve <- if (is_data) rd_data(cs$curve) else rd(cs$curve)
  if (!is.null(cs$arm)) curve <- curve[curve$arm == cs$arm, ]
  # points at the same time keep the lowest survival (the foot of the step), as netsurv does;
  # fdrtool::monoreg would average them (CheckMate 067 has 36 such times, digitised to 0.1 month)
  curve <- aggregate(survival ~ time, data = curve, FUN = min)
  if (nzchar(cs$risk)) {
    risk <- select_rows(if (is_data) rd_data(cs$risk) else rd(cs$risk), cs$rows)
    calls <- c(guyot = "guyot(curve$time, curve$survival, risk$time, risk$n_at_risk, total = cs$total)",
               kmdata = "ipd(curve$time, curve$survival, risk$time, risk$n_at_risk, total = cs$total)")
    if (startsWith(cs$case, "random")) calls <- calls["guyot"]
  } else {
    risk <- data.frame(time = 0, n_at_risk = cs$n)
    calls <- c(guyot = "guyot(curve$time, curve$survival, 0, cs$n, total = cs$total)")
  }
  for (run in names(calls)) {
    res <- tryCatch(eval(parse(text = calls[[run]])), error = function(e) conditionMessage(e))
    if (is.character(res)) {    # kmdata's code fails on this input: record the error
      cat(cs$case, run, "error:", res, "\n")
      res <- data.frame(time = NA_real_, event = NA_integer_)
    }
    out[[length(out) + 1L]] <- data.frame(case = cs$case, run = run, time = res$time,
                                          event = as.integer(res$event))
  }
  meta[[length(meta) + 1L]] <- sprintf(
    '{"case": "%s", "curve": "%s", "arm": %s, "at_risk": %s, "at_risk_times": [%s], "total_events": %s, "n": %s, "r_calls": {%s}, "note": "%s"}',
    cs$case, cs$curve, if (is.null(cs$arm)) "null" else sprintf('"%s"', cs$arm),
    if (nzchar(cs$risk)) sprintf('"%s"', cs$risk) else "null",
    paste(num(risk$time), collapse = ", "),
    if (is.na(cs$total)) "null" else cs$total, if (is.na(cs$n)) "null" else cs$n,
    paste(sprintf('"%s": "%s"', names(calls), gsub('"', '\\\\"', calls)), collapse = ", "), cs$note)
}
write_csv(do.call(rbind, out), file.path(out_dir, "ipd_reference.csv"), digits = 17)
versions <- sprintf('{"R": "%s", "fdrtool": "%s", "survival": "%s", "kmdata": "github.com/raredd/kmdata 8972d41 (R/ipd.R)"}',
                    R.version.string, packageVersion("fdrtool"), packageVersion("survival"))
writeLines(c("{", sprintf('"meta": %s,', versions), '"cases": [',
             paste(unlist(meta), collapse = ",\n"), "]}"), file.path(out_dir, "ipd_cases.json"))
