# make_reference.R -- reference values from R `survival` for tests/test_reference_r.py
#
# Run from the repository root:   Rscript tests/reference/make_reference.R
# Deterministic and re-runnable: every random draw uses set.seed() below, every output is
# rewritten from scratch.  Numbers are written with sprintf("%.17g") (exact double round trip);
# NA and NaN are written as an empty CSV field / JSON null.  See tests/reference/README.md for
# the layout of every output file.  The tests never call R.
#
# Every edge case is listed next to the exact R call that produced its numbers; the same call
# text is evaluated (eval(parse(text = call))) and stored in cases.json, so the comment, the
# manifest and the computation cannot drift apart.

# Index: the edge cases of issue 2, the R call that covers each, and where its numbers go
# (`fit` = the case's survfit call below; conf.type "log", "log-log", "plain" for every case):
# - curve, Greenwood SE of S, CI:  summary(fit, censored = TRUE)            -> km_curves.csv
# - CI NA once S reaches 0:        survfit(Surv(time, status) ~ stratum, data = edge, ...)
#                                  strata "reach0", "one1"; registry "S3|A", "S3|B"
# - log-log CI NA while S is 1:    same call, strata "allcens", "one0" (case edge_loglog)
# - events at t = 0:               same call, stratum "time0"; registry (months 0)
# - one-row strata:                edge "one1"/"one0"; registry "S3|B"; lung ph_ecog "3"
# - survival at times, n at risk:  summary(fit, times = at, extend = FALSE / TRUE) -> km_at.csv
#   (t = 0, event times, between times, beyond a stratum's last follow-up, after S = 0)
# - quantiles / median + CI:       quantile(fit, probs = c(.25, .5, .75))    -> km_quantile.csv
#                                  summary(fit, rmean = tau)$table           -> km_median.csv
# - S exactly 0.5 on a flat:       edge "flat4" (2.5), "flat6" (4), "flatend" (3; table: 2)
# - RMST:                          summary(fit, rmean = tau)$table           -> km_rmst.csv
#                                  lung_sex_tau1000_log: tau beyond the last follow-up
# - median follow-up:              survfit(Surv(time, 1 - status) ~ ...)     -> km_follow_up.csv
# - conditional survival:          survfit(..., start.time = s)              -> km_conditional.csv
# - integer case weights:          survfit(..., data = registry_agg, weights = weight)
#                                  (stopifnot: equal to the repeated rows of `registry`)
# - left truncation:               survfit(Surv(entry, time, status) ~ group, data = delayed)
# - near-tied float times:         survfit(Surv(time, status) ~ group, data = neartie)
# - conf.int = 0.9:                registry_loglog_ci90
# - NA in a by-column:             survfit(Surv(time, status) ~ ph_ecog, data = lung) (1 row)
# - log-rank, Peto, stratified:    survdiff(Surv(time, status) ~ g [+ strata(x)], rho = 0 / 1)
#                                  -> logrank.json
# - trend test:                    by hand from survdiff's obs, exp, var, scores 1..k
#                                  -> logrank.json (cases *_trend*)

options(digits = 17, warn = 1, stringsAsFactors = FALSE)
suppressPackageStartupMessages(library(survival))
stopifnot(packageVersion("survival") >= "3.5")

out_dir <- file.path("tests", "reference")
pkg_data <- file.path("netsurv", "datasets", "data")
stopifnot(dir.exists(out_dir), dir.exists(pkg_data))

# ---------------------------------------------------------------------------------------------
# writing helpers
# ---------------------------------------------------------------------------------------------
num_chr <- function(x) {
  # full double precision; NA/NaN -> "" (read back as NaN); integers stay integers
  out <- ifelse(is.na(x), "", sprintf("%.17g", x))
  out[!is.na(x) & is.infinite(x)] <- ifelse(x[!is.na(x) & is.infinite(x)] > 0, "inf", "-inf")
  out
}

write_out <- function(df, name) {
  df <- as.data.frame(df)
  for (col in names(df)) {
    if (is.numeric(df[[col]])) df[[col]] <- num_chr(df[[col]])
    if (is.logical(df[[col]])) df[[col]] <- ifelse(df[[col]], "true", "false")
  }
  write.csv(df, file.path(out_dir, name), row.names = FALSE, na = "", quote = TRUE)
}

json <- function(x) {
  # tiny JSON writer with full precision (jsonlite rounds to 15 significant digits)
  if (is.null(x)) return("null")
  if (is.list(x)) {
    inner <- vapply(x, json, "")
    if (!is.null(names(x))) {
      keys <- vapply(names(x), function(k) json(as.character(k)), "")
      return(paste0("{", paste0(keys, ": ", inner, collapse = ", "), "}"))
    }
    return(paste0("[", paste(inner, collapse = ", "), "]"))
  }
  one <- function(v) {
    if (is.na(v)) return("null")
    if (is.logical(v)) return(if (v) "true" else "false")
    if (is.numeric(v)) return(sprintf("%.17g", v))
    v <- gsub("\\\\", "\\\\\\\\", v)
    paste0("\"", gsub("\"", "\\\\\"", v), "\"")
  }
  if (is.matrix(x)) return(json(lapply(seq_len(nrow(x)), function(i) as.vector(x[i, ]))))
  if (length(x) == 1 && is.null(names(x)) && !inherits(x, "AsIs")) return(one(x))
  vals <- vapply(as.list(unname(x)), one, "")
  if (!is.null(names(x))) {
    return(json(as.list(setNames(as.vector(x), names(x)))))
  }
  paste0("[", paste(vals, collapse = ", "), "]")
}

# ---------------------------------------------------------------------------------------------
# input datasets (exported as tests/reference/data_*.csv; the fits below use exactly these frames)
# ---------------------------------------------------------------------------------------------
# lung (R survival, LGPL >= 2): status recoded 1/2 -> 0/1; ph.ecog renamed ph_ecog (has 1 NA row).
lung <- survival::lung[, c("time", "status", "sex", "ph.ecog")]
names(lung)[4] <- "ph_ecog"
lung$status <- lung$status - 1L
lung <- as.data.frame(lapply(lung, as.integer))

# veteran (R survival, LGPL >= 2): status already 0/1; celltype as character (alphabetical order).
veteran <- survival::veteran[, c("time", "status", "trt", "celltype")]
veteran$celltype <- as.character(veteran$celltype)
veteran$time <- as.integer(veteran$time)
veteran$status <- as.integer(veteran$status)
veteran$trt <- as.integer(veteran$trt)

# registry: simulated registry-like cohort, integer months 0-240, 3 strata x 2 groups, heavy ties.
#   - events at time 0 (floor of an exponential below 1 month), censorings at time 0 too;
#   - S3/B is a single row (one-row stratum, an event at month 7: its curve also reaches 0);
#   - S3/A is never censored, so its curve reaches 0 (CI NA afterwards).
set.seed(20261121)
sim <- function(n, rate, stratum, group, censor = TRUE) {
  t_event <- floor(rexp(n, rate))
  t_cens <- if (censor) sample(0:240, n, replace = TRUE) else rep(Inf, n)
  t_cens <- pmin(t_cens, 240)
  data.frame(time = as.integer(pmin(t_event, t_cens)),
             status = as.integer(t_event <= t_cens),
             stratum = stratum, group = group)
}
registry <- rbind(
  sim(400, 1 / 90, "S1", "A"), sim(400, 1 / 60, "S1", "B"),
  sim(300, 1 / 30, "S2", "A"), sim(300, 1 / 20, "S2", "B"),
  sim(150, 1 / 6, "S3", "A", censor = FALSE),
  data.frame(time = 7L, status = 1L, stratum = "S3", group = "B")
)
stopifnot(all(registry$time >= 0 & registry$time <= 240))
stopifnot(any(registry$time == 0 & registry$status == 1))

# registry_agg: the same cohort aggregated to one row per (time, status, stratum, group) with an
# integer frequency weight -> must equal the repeated rows exactly (checked below with stopifnot).
registry_agg <- aggregate(list(weight = rep(1L, nrow(registry))),
                          by = registry[, c("time", "status", "stratum", "group")], FUN = sum)
registry_agg <- registry_agg[order(registry_agg$stratum, registry_agg$group, registry_agg$time,
                                   registry_agg$status), ]
rownames(registry_agg) <- NULL

# delayed: left-truncated cohort (entry months 0-23, exit > entry; integer months, many exits
# tied with other subjects' entries: an entry at t is not at risk for exits at t, R's (start, stop]).
set.seed(20261122)
n_del <- 160
delayed <- data.frame(entry = sample(0:23, n_del, replace = TRUE),
                      group = rep(c("A", "B"), each = n_del / 2))
delayed$time <- delayed$entry + 1L + floor(rexp(n_del, ifelse(delayed$group == "A", 1 / 40, 1 / 25)))
delayed$status <- rbinom(n_del, 1, 0.75)
delayed <- delayed[, c("entry", "time", "status", "group")]
delayed[] <- lapply(delayed, function(v) if (is.numeric(v)) as.integer(v) else v)

# edge: hand-made edge cases, one per stratum (values chosen so the answers are hand-checkable)
edge <- rbind(
  # flat4: S = 1/2 exactly on [2, 3) -> median = midpoint (2 + 3) / 2 = 2.5 (R's midpoint rule)
  data.frame(stratum = "flat4", time = c(1, 2, 3, 4), status = c(1, 1, 1, 1)),
  # flat6: S = 5/6 * 4/5 * 3/4 = 1/2 on [3, 5) (censoring at 4 inside) -> median (3 + 5) / 2 = 4
  data.frame(stratum = "flat6", time = c(1, 2, 3, 4, 5, 6), status = c(1, 1, 1, 0, 1, 1)),
  # flatend: S = 1/2 from 2 to the last follow-up 4 (censored) -> R gives (2 + 4) / 2 = 3
  data.frame(stratum = "flatend", time = c(1, 2, 3, 4), status = c(1, 1, 0, 0)),
  # reach0: all events, S reaches 0 at 3 -> std.err NaN and CI NA at and after 3
  data.frame(stratum = "reach0", time = c(1, 2, 2, 3), status = c(1, 1, 0, 1)),
  # allcens: no events, S = 1 throughout -> log-log CI NA while S = 1
  data.frame(stratum = "allcens", time = c(1, 2, 3), status = c(0, 0, 0)),
  # time0: two events and one censoring at time 0 (events count before censoring at a tie)
  data.frame(stratum = "time0", time = c(0, 0, 0, 1, 2, 3, 5), status = c(1, 1, 0, 1, 0, 1, 0)),
  # one1: a one-row stratum with an event; one0: a one-row stratum censored
  data.frame(stratum = "one1", time = 4, status = 1),
  data.frame(stratum = "one0", time = 4, status = 0)
)
edge$status <- as.integer(edge$status)

# neartie: follow-up in months computed from whole days in two algebraically equal ways,
# days / 365.25 * 12 and days * 12 / 365.25, which differ in the last bits for some days
# ("tied but not quite tied"); survfit's default timefix = TRUE (aeqSurv) merges them.
set.seed(20261123)
days <- rep(sample(1:1500, 60), each = 2)   # every day twice, computed both ways
neartie <- data.frame(time = ifelse(seq_along(days) %% 2 == 0, days / 365.25 * 12, days * 12 / 365.25),
                      status = rbinom(120, 1, 0.6), group = rep(c("A", "A", "B", "B", "B", "A"), 20))
neartie$status <- as.integer(neartie$status)
n_near <- sum(duplicated(signif(neartie$time, 12)) & !duplicated(neartie$time))
stopifnot(n_near > 0)  # some pairs of times are equal to 12 digits but not as doubles

# RADIANT-4 reconstructed IPD, read from the package (not re-exported: the package file is the input)
radiant4_pfs <- read.csv(file.path(pkg_data, "radiant4_pfs.csv"))
radiant4_os <- read.csv(file.path(pkg_data, "radiant4_os.csv"))

datasets <- list(
  lung = list(frame = lung, file = "tests/reference/data_lung.csv"),
  veteran = list(frame = veteran, file = "tests/reference/data_veteran.csv"),
  registry = list(frame = registry, file = "tests/reference/data_registry.csv"),
  registry_agg = list(frame = registry_agg, file = "tests/reference/data_registry_agg.csv"),
  delayed = list(frame = delayed, file = "tests/reference/data_delayed.csv"),
  edge = list(frame = edge, file = "tests/reference/data_edge.csv"),
  neartie = list(frame = neartie, file = "tests/reference/data_neartie.csv"),
  radiant4_pfs = list(frame = radiant4_pfs, file = "netsurv/datasets/data/radiant4_pfs.csv"),
  radiant4_os = list(frame = radiant4_os, file = "netsurv/datasets/data/radiant4_os.csv")
)
for (nm in names(datasets)) {
  if (startsWith(datasets[[nm]]$file, "tests/")) write_out(datasets[[nm]]$frame, basename(datasets[[nm]]$file))
}
env <- new.env()
for (nm in names(datasets)) assign(nm, datasets[[nm]]$frame, envir = env)

# ---------------------------------------------------------------------------------------------
# stratum keys: "v1|v2" of the by-values as text ("" for an unstratified fit)
# ---------------------------------------------------------------------------------------------
stratum_map <- function(d, by) {
  if (length(by) == 0) return(NULL)
  d <- d[stats::complete.cases(d[by]), , drop = FALSE]
  label <- do.call(paste, c(lapply(by, function(v) paste0(v, "=", d[[v]])), sep = ", "))
  key <- do.call(paste, c(lapply(by, function(v) as.character(d[[v]])), sep = "|"))
  m <- unique(data.frame(label = label, key = key))
  setNames(m$key, m$label)
}
keys_of <- function(labels, map, n) {
  if (is.null(map)) return(rep("", n))
  labels <- trimws(gsub(" +,", ",", as.character(labels)))  # survfit pads strata labels
  if (!all(labels %in% names(map))) stop("unknown strata: ", paste(setdiff(labels, names(map)), collapse = "; "), " vs ", paste(names(map), collapse = "; "))
  unname(map[labels])
}

run <- function(text) eval(parse(text = text), envir = env)

# ---------------------------------------------------------------------------------------------
# Kaplan-Meier cases
# ---------------------------------------------------------------------------------------------
km_rows <- list(curves = list(), at = list(), quantile = list(), median = list(), rmst = list(),
                follow_up = list(), conditional = list())
km_manifest <- list()

km_case <- function(case, call, data, time, event, by = character(0), conf_type,
                    conf_level = 0.95, weights = NULL, entry = NULL, at = NULL, tau = NULL, given = NULL,
                    note = "") {
  fit <- run(call)
  d <- datasets[[data]]$frame
  map <- stratum_map(d, by)
  n_dropped <- length(fit$na.action)      # rows survfit dropped for NA in an analysed column
  calls <- list(fit = call)

  # full curve, every distinct time (events and censorings): summary(fit, censored = TRUE)
  s <- summary(fit, censored = TRUE)
  calls$curves <- "summary(fit, censored = TRUE)"
  km_rows$curves[[case]] <<- data.frame(
    case = case, stratum = keys_of(s$strata, map, length(s$time)), time = s$time,
    n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor, surv = s$surv,
    std_err = s$std.err, lower = s$lower, upper = s$upper)

  # survival at chosen times: summary(fit, times = at, extend = FALSE / TRUE)
  if (!is.null(at)) {
    for (ext in c(FALSE, TRUE)) {
      s <- summary(fit, times = at, extend = ext)
      km_rows$at[[paste(case, ext)]] <<- data.frame(
        case = case, extend = ext, stratum = keys_of(s$strata, map, length(s$time)),
        time = s$time, n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor,
        surv = s$surv, std_err = s$std.err, lower = s$lower, upper = s$upper)
    }
    calls$at <- sprintf("summary(fit, times = c(%s), extend = FALSE); same with extend = TRUE",
                        paste(at, collapse = ", "))
  }

  # quantiles: quantile(fit, probs = c(.25, .5, .75)) (R: smallest t with S(t) <= 1 - p,
  # midpoint rule on flat stretches; CI from the CI curves)
  q <- quantile(fit, probs = c(0.25, 0.5, 0.75))
  as_m <- function(x) if (is.matrix(x)) x else matrix(x, nrow = 1, dimnames = list(NULL, names(x)))
  qq <- as_m(q$quantile); ql <- as_m(q$lower); qu <- as_m(q$upper)
  labs <- if (is.null(rownames(qq))) NA else rownames(qq)
  keys <- keys_of(labs, map, nrow(qq))
  km_rows$quantile[[case]] <<- do.call(rbind, lapply(seq_along(c(0.25, 0.5, 0.75)), function(j)
    data.frame(case = case, stratum = keys, p = c(0.25, 0.5, 0.75)[j],
               quantile = qq[, j], lower = ql[, j], upper = qu[, j])))
  calls$quantile <- "quantile(fit, probs = c(0.25, 0.5, 0.75))"

  # median + CI and RMST: summary(fit, rmean = tau)$table
  if (is.null(tau)) tau <- max(d[[time]])
  tab <- summary(fit, rmean = tau)$table
  tab <- if (is.matrix(tab)) tab else matrix(tab, nrow = 1, dimnames = list(NA, names(tab)))
  keys <- keys_of(rownames(tab), map, nrow(tab))
  # median: quantile(fit, probs = 0.5) (documented midpoint rule, also when S stays at exactly
  # 0.5 until the last follow-up), next to print(fit)'s summary(fit)$table median, which differs
  # in that one case (survmean's rule returns the start of the flat stretch: edge "flatend").
  qkeys <- keys_of(labs, map, nrow(qq))
  stopifnot(identical(sort(qkeys), sort(keys)))
  o <- match(qkeys, keys)
  km_rows$median[[case]] <<- data.frame(case = case, stratum = qkeys, median = qq[, 2],
                                       lower = ql[, 2], upper = qu[, 2],
                                       table_median = tab[o, "median"],
                                       table_lower = tab[o, grep("LCL$", colnames(tab))],
                                       table_upper = tab[o, grep("UCL$", colnames(tab))])
  km_rows$rmst[[case]] <<- data.frame(case = case, stratum = keys, tau = tau,
                                     rmean = tab[, "rmean"], se_rmean = tab[, "se(rmean)"])
  calls$median <- paste("quantile(fit, probs = 0.5); table_* columns:",
                         sprintf("summary(fit, rmean = %s)$table[, c(\"median\", \"%sLCL\", \"%sUCL\")]",
                                 as.character(tau), as.character(conf_level), as.character(conf_level)))
  calls$rmst <- sprintf("summary(fit, rmean = %s)$table[, c(\"rmean\", \"se(rmean)\")]",
                        as.character(tau))

  # median follow-up: reverse Kaplan-Meier, event indicator 1 - status, same conf.type; the
  # median by quantile() as for .median() (print(fit)'s table takes the first crossing of the
  # band instead, which differs when a band is not monotone, e.g. with left truncation)
  rcall <- sub(sprintf(", %s)", event), sprintf(", 1 - %s)", event), call, fixed = TRUE)
  stopifnot(rcall != call)
  rq <- quantile(run(rcall), probs = 0.5)
  rkeys <- if (is.matrix(rq$quantile)) rownames(rq$quantile) else names(rq$quantile)
  km_rows$follow_up[[case]] <<- data.frame(case = case,
    stratum = keys_of(rkeys, map, length(c(rq$quantile))), median = c(rq$quantile),
    lower = c(rq$lower), upper = c(rq$upper))
  calls$follow_up <- paste0("quantile(", rcall, ", probs = 0.5)")

  # conditional survival: survfit(..., start.time = s), summary(censored = TRUE).  R keeps the
  # subjects with time >= s, so events AT s count (S(t) / S(s-), not S(t) / S(s)).
  cond_calls <- list()
  for (g in given) {
    ccall <- sub(")$", sprintf(", start.time = %s)", as.character(g)), call)
    cs <- summary(run(ccall), censored = TRUE)
    km_rows$conditional[[paste(case, g)]] <<- data.frame(
      case = case, given = g, stratum = keys_of(cs$strata, map, length(cs$time)), time = cs$time,
      n_risk = cs$n.risk, n_event = cs$n.event, n_censor = cs$n.censor, surv = cs$surv,
      std_err = cs$std.err, lower = cs$lower, upper = cs$upper)
    cond_calls[[length(cond_calls) + 1]] <- paste0("summary(", ccall, ", censored = TRUE)")
  }
  if (length(cond_calls)) calls$conditional <- cond_calls

  km_manifest[[length(km_manifest) + 1]] <<- list(
    case = case, data = datasets[[data]]$file, time = time, event = event, by = I(by),
    conf_type = conf_type, conf_level = conf_level, weights = weights, entry = entry, at = if (is.null(at)) NULL else I(at),
    tau = tau, given = if (is.null(given)) NULL else I(given), n_dropped_na = n_dropped,
    note = note, r_calls = calls)
  invisible(fit)
}

conf_types <- c("log", "log-log", "plain")

for (ct in conf_types) {
  tag <- sub("-", "", ct)
  # lung by sex: 2 strata, integer days; at() beyond sex=2's last follow-up (965) at 1000, 1022
  km_case(paste0("lung_sex_", tag),
          sprintf('survfit(Surv(time, status) ~ sex, data = lung, conf.type = "%s")', ct),
          data = "lung", time = "time", event = "status", by = "sex", conf_type = ct,
          at = c(0, 5, 11, 100.5, 183, 365, 730, 965, 1000, 1022, 1100), tau = 365,
          given = c(183, 365))
  # lung by ph.ecog: the NA row is dropped by survfit (n_dropped_na); ph_ecog = 3 is a single row
  km_case(paste0("lung_ecog_", tag),
          sprintf('survfit(Surv(time, status) ~ ph_ecog, data = lung, conf.type = "%s")', ct),
          data = "lung", time = "time", event = "status", by = "ph_ecog", conf_type = ct,
          at = c(0, 5, 118, 200, 365, 730, 1100), tau = 365)
  # veteran unstratified (by = None)
  km_case(paste0("veteran_all_", tag),
          sprintf('survfit(Surv(time, status) ~ 1, data = veteran, conf.type = "%s")', ct),
          data = "veteran", time = "time", event = "status", conf_type = ct,
          at = c(0, 1, 3.5, 30, 90, 180, 365, 999, 1000), tau = 365, given = c(30, 90))
  # veteran by trt and by celltype (two by-columns -> joint strata "trt|celltype")
  km_case(paste0("veteran_trt_", tag),
          sprintf('survfit(Surv(time, status) ~ trt, data = veteran, conf.type = "%s")', ct),
          data = "veteran", time = "time", event = "status", by = "trt", conf_type = ct,
          at = c(0, 30, 90, 180, 365, 553, 999), tau = 180)
  km_case(paste0("veteran_trt_celltype_", tag),
          sprintf('survfit(Surv(time, status) ~ trt + celltype, data = veteran, conf.type = "%s")', ct),
          data = "veteran", time = "time", event = "status", by = c("trt", "celltype"),
          conf_type = ct, at = c(0, 30, 90, 180, 365), tau = 90)
  # registry: stratum x group, integer months with heavy ties, events at 0, a one-row stratum
  # (S3|B), curves reaching 0 (S3|A, S3|B); at() at 0, event times, between, beyond, after 0
  km_case(paste0("registry_", tag),
          sprintf('survfit(Surv(time, status) ~ stratum + group, data = registry, conf.type = "%s")', ct),
          data = "registry", time = "time", event = "status", by = c("stratum", "group"),
          conf_type = ct, at = c(0, 1, 2.5, 6, 7, 12, 36, 60, 120, 239, 240, 300), tau = 60,
          given = c(0, 12, 60))
  # registry aggregated with integer case weights (must equal the repeated rows above)
  km_case(paste0("registry_weighted_", tag),
          sprintf('survfit(Surv(time, status) ~ stratum + group, data = registry_agg, weights = weight, conf.type = "%s")', ct),
          data = "registry_agg", time = "time", event = "status", by = c("stratum", "group"),
          conf_type = ct, weights = "weight", at = c(0, 1, 2.5, 6, 7, 12, 36, 60, 120, 239, 240, 300),
          tau = 60)
  # left truncation (delayed entry): Surv(entry, time, status), at() only after every entry
  km_case(paste0("delayed_", tag),
          sprintf('survfit(Surv(entry, time, status) ~ group, data = delayed, conf.type = "%s")', ct),
          data = "delayed", time = "time", event = "status", by = "group", conf_type = ct,
          entry = "entry", at = c(24.5, 36, 60, 120, 1000), tau = 60)
  # hand-made edge cases (flat at 0.5, reaching 0, no events, events at 0, one-row strata)
  km_case(paste0("edge_", tag),
          sprintf('survfit(Surv(time, status) ~ stratum, data = edge, conf.type = "%s")', ct),
          data = "edge", time = "time", event = "status", by = "stratum", conf_type = ct,
          at = c(0, 0.5, 1, 2, 2.5, 3, 4, 5, 6, 10), tau = 3, given = c(1, 2))
  # near-tied float times (date arithmetic): merged by survfit's timefix (aeqSurv)
  km_case(paste0("neartie_", tag),
          sprintf('survfit(Surv(time, status) ~ group, data = neartie, conf.type = "%s")', ct),
          data = "neartie", time = "time", event = "status", by = "group", conf_type = ct,
          at = c(0, 12, 24, 36, 48), tau = 36)
  # RADIANT-4 by arm (PFS medians 11.30 / 4.01 months expected, checked below)
  for (ep in c("pfs", "os")) {
    km_case(sprintf("radiant4_%s_%s", ep, tag),
            sprintf('survfit(Surv(time, event) ~ arm, data = radiant4_%s, conf.type = "%s")', ep, ct),
            data = paste0("radiant4_", ep), time = "time", event = "event", by = "arm",
            conf_type = ct, at = c(0, 6, 12, 24, 30, 40), tau = 24, given = c(6, 12))
  }
}

# RMST with tau beyond a stratum's last follow-up: R extends the last value of the curve to tau
# (lung sex = 2 ends at 965 with S > 0).
km_case("lung_sex_tau1000_log",
        'survfit(Surv(time, status) ~ sex, data = lung, conf.type = "log")',
        data = "lung", time = "time", event = "status", by = "sex", conf_type = "log", tau = 1000,
        note = "rmean with tau beyond the last follow-up of sex=2: R extends the curve flat to tau")

# conf.int = 0.90 (z = qnorm(0.95)) for the band, the median's CI and the follow-up CI
km_case("registry_loglog_ci90",
        'survfit(Surv(time, status) ~ stratum + group, data = registry, conf.type = "log-log", conf.int = 0.9)',
        data = "registry", time = "time", event = "status", by = c("stratum", "group"),
        conf_type = "log-log", conf_level = 0.9, at = c(0, 6, 12, 36, 60, 120), tau = 60)

# --- checks of the inputs and of R itself ----------------------------------------------------
# integer case weights equal repeated rows (every column of summary(censored = TRUE))
for (ct in conf_types) {
  a <- summary(run(sprintf('survfit(Surv(time, status) ~ stratum + group, data = registry, conf.type = "%s")', ct)), censored = TRUE)
  b <- summary(run(sprintf('survfit(Surv(time, status) ~ stratum + group, data = registry_agg, weights = weight, conf.type = "%s")', ct)), censored = TRUE)
  for (k in c("time", "n.risk", "n.event", "n.censor", "surv", "std.err", "lower", "upper"))
    stopifnot(isTRUE(all.equal(a[[k]], b[[k]], tolerance = 1e-12)))
}
# RADIANT-4 PFS medians 11.30 (everolimus) / 4.01 (placebo)
med <- summary(run('survfit(Surv(time, event) ~ arm, data = radiant4_pfs)'))$table[, "median"]
stopifnot(abs(med[["arm=everolimus"]] - 11.30) < 0.005, abs(med[["arm=placebo"]] - 4.01) < 0.005)
# the edge medians are the hand-worked midpoints
# (quantile(): flatend = (2 + 4) / 2 = 3; summary(fit)$table / print(fit): flatend = 2)
med <- quantile(run('survfit(Surv(time, status) ~ stratum, data = edge)'), probs = 0.5)$quantile[, 1]
stopifnot(med[["stratum=flat4"]] == 2.5, med[["stratum=flat6"]] == 4, med[["stratum=flatend"]] == 3)
med <- summary(run('survfit(Surv(time, status) ~ stratum, data = edge)'))$table[, "median"]
stopifnot(med[["stratum=flat4"]] == 2.5, med[["stratum=flat6"]] == 4, med[["stratum=flatend"]] == 2)

for (part in names(km_rows)) {
  df <- do.call(rbind, unname(km_rows[[part]]))
  rownames(df) <- NULL
  write_out(df, sprintf("km_%s.csv", part))
}

# ---------------------------------------------------------------------------------------------
# log-rank: survdiff, and a trend test computed by hand from survdiff's obs, exp, var
# ---------------------------------------------------------------------------------------------
lr <- list()
lr_case <- function(case, call, data, time, event, by, strata = NULL, rho = 0, trend = FALSE,
                    note = "") {
  sd <- run(call)
  d <- datasets[[data]]$frame
  map <- stratum_map(d, by)
  groups <- keys_of(names(sd$n), map, length(sd$n))
  obs <- if (is.matrix(sd$obs)) rowSums(sd$obs) else sd$obs   # stratified: sum over strata
  ex <- if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp
  k <- length(obs)
  df <- sum(ex > 0) - 1  # survdiff.R: df = (number of groups with expected > 0) - 1
  res <- list(case = case, data = datasets[[data]]$file, time = time, event = event, by = I(by),
              strata = strata, rho = rho, trend = trend, r_call = call,
              n_dropped_na = length(sd$na.action),
              groups = I(groups), n = I(as.vector(sd$n)), observed = I(obs), expected = I(ex),
              var = unname(sd$var), note = note)
  if (!trend) {
    res$statistic <- sd$chisq
    res$dof <- df
    res$p_value <- pchisq(sd$chisq, df, lower.tail = FALSE)
    stopifnot(isTRUE(all.equal(res$p_value, sd$pvalue)))
  } else {
    # trend test (not in survdiff): scores w = 1..k in group order,
    # U = sum(w * (O - E)), V = t(w) %*% var %*% w, chisq = U^2 / V on 1 df
    w <- seq_len(k)
    U <- sum(w * (obs - ex))
    V <- drop(t(w) %*% sd$var %*% w)
    res$scores <- I(w)
    res$U <- U
    res$V <- V
    res$statistic <- U^2 / V
    res$dof <- 1
    res$p_value <- pchisq(U^2 / V, 1, lower.tail = FALSE)
    res$r_call <- paste0(call, "; w <- 1:k; U <- sum(w * (O - E)); V <- t(w) %*% var %*% w; ",
                         "chisq <- U^2 / V (1 df)")
  }
  lr[[length(lr) + 1]] <<- res
}

# lung by sex, log-rank and Peto (rho = 1)
lr_case("lung_sex_rho0", "survdiff(Surv(time, status) ~ sex, data = lung, rho = 0)",
        "lung", "time", "status", "sex")
lr_case("lung_sex_rho1", "survdiff(Surv(time, status) ~ sex, data = lung, rho = 1)",
        "lung", "time", "status", "sex", rho = 1)
# lung by ph.ecog, 4 groups (one a single row), NA row dropped; and its trend over 0 < 1 < 2 < 3
lr_case("lung_ecog_rho0", "survdiff(Surv(time, status) ~ ph_ecog, data = lung, rho = 0)",
        "lung", "time", "status", "ph_ecog")
lr_case("lung_ecog_trend", "survdiff(Surv(time, status) ~ ph_ecog, data = lung, rho = 0)",
        "lung", "time", "status", "ph_ecog", trend = TRUE)
# lung by sex stratified by ph.ecog (NA row dropped)
lr_case("lung_sex_strata_ecog",
        "survdiff(Surv(time, status) ~ sex + strata(ph_ecog), data = lung, rho = 0)",
        "lung", "time", "status", "sex", strata = "ph_ecog")
# veteran
lr_case("veteran_trt_rho0", "survdiff(Surv(time, status) ~ trt, data = veteran, rho = 0)",
        "veteran", "time", "status", "trt")
lr_case("veteran_trt_rho1", "survdiff(Surv(time, status) ~ trt, data = veteran, rho = 1)",
        "veteran", "time", "status", "trt", rho = 1)
lr_case("veteran_celltype_rho0", "survdiff(Surv(time, status) ~ celltype, data = veteran, rho = 0)",
        "veteran", "time", "status", "celltype")
lr_case("veteran_celltype_rho1", "survdiff(Surv(time, status) ~ celltype, data = veteran, rho = 1)",
        "veteran", "time", "status", "celltype", rho = 1)
lr_case("veteran_trt_strata_celltype",
        "survdiff(Surv(time, status) ~ trt + strata(celltype), data = veteran, rho = 0)",
        "veteran", "time", "status", "trt", strata = "celltype")
lr_case("veteran_trt_strata_celltype_rho1",
        "survdiff(Surv(time, status) ~ trt + strata(celltype), data = veteran, rho = 1)",
        "veteran", "time", "status", "trt", strata = "celltype", rho = 1)
# registry (integer months, heavy ties, events at 0)
lr_case("registry_group_rho0", "survdiff(Surv(time, status) ~ group, data = registry, rho = 0)",
        "registry", "time", "status", "group")
lr_case("registry_group_strata_stratum",
        "survdiff(Surv(time, status) ~ group + strata(stratum), data = registry, rho = 0)",
        "registry", "time", "status", "group", strata = "stratum")
lr_case("registry_stratum_rho0", "survdiff(Surv(time, status) ~ stratum, data = registry, rho = 0)",
        "registry", "time", "status", "stratum")
lr_case("registry_stratum_rho1", "survdiff(Surv(time, status) ~ stratum, data = registry, rho = 1)",
        "registry", "time", "status", "stratum", rho = 1)
lr_case("registry_stratum_trend", "survdiff(Surv(time, status) ~ stratum, data = registry, rho = 0)",
        "registry", "time", "status", "stratum", trend = TRUE)
lr_case("registry_stratum_trend_strata_group",
        "survdiff(Surv(time, status) ~ stratum + strata(group), data = registry, rho = 0)",
        "registry", "time", "status", "stratum", strata = "group", trend = TRUE)
lr_case("registry_stratum_group_rho0",
        "survdiff(Surv(time, status) ~ stratum + group, data = registry, rho = 0)",
        "registry", "time", "status", c("stratum", "group"),
        note = "6 groups (stratum x group), one with a single row")
# near-tied float times (timefix merges them in survdiff too)
lr_case("neartie_group_rho0", "survdiff(Surv(time, status) ~ group, data = neartie, rho = 0)",
        "neartie", "time", "status", "group")
# RADIANT-4 by arm
lr_case("radiant4_pfs_rho0", "survdiff(Surv(time, event) ~ arm, data = radiant4_pfs, rho = 0)",
        "radiant4_pfs", "time", "event", "arm")
lr_case("radiant4_os_rho0", "survdiff(Surv(time, event) ~ arm, data = radiant4_os, rho = 0)",
        "radiant4_os", "time", "event", "arm")
lr_case("radiant4_pfs_rho1", "survdiff(Surv(time, event) ~ arm, data = radiant4_pfs, rho = 1)",
        "radiant4_pfs", "time", "event", "arm", rho = 1)

# ---------------------------------------------------------------------------------------------
# manifest
# ---------------------------------------------------------------------------------------------
meta <- list(
  generated_by = "Rscript tests/reference/make_reference.R",
  r_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  seeds = list(registry = 20261121, delayed = 20261122),
  lung_ecog_na_rows = sum(is.na(lung$ph_ecog))
)
writeLines(json(list(meta = meta, km = km_manifest)), file.path(out_dir, "cases.json"))
writeLines(json(list(meta = meta, logrank = lr)), file.path(out_dir, "logrank.json"))
cat("wrote", length(km_manifest), "Kaplan-Meier cases and", length(lr), "log-rank cases to",
    out_dir, "\n")
