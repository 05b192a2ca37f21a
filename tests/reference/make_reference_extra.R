# make_reference_extra.R -- more R `survival` reference values, for tests/test_reference_r_extra.py
#
# Run from the repository root:   Rscript tests/reference/make_reference_extra.R
# Deterministic (set.seed below), rewrites every output from scratch.  Complements
# make_reference.R (lung, veteran, simulated registry) with other R datasets and edge cases:
#   survival::colon (deaths, etype == 2) by rx, by extent + differ (NA differ dropped), by rx x extent
#   (12 groups), in days and in years (days / 365.25: many decimals); pbc (status == 2 = death) by trt
#   (106 NA trt dropped); ovarian; aml (x as a factor with an unused level); kidney Surv(time, status)
#   by disease (factor with an unused level); heart (start, stop] (left truncation via entry=);
#   mgus2 in years (futime / 12); non-integer case weights (robust = FALSE: Greenwood with weights as
#   counts); hand-made edge strata (all censored, all tied, death at 0 in the only row, 1-row strata);
#   conf.int 0.9 / 0.99; conf.type "log", "log-log", "plain"; survdiff rho 0, 1, 0.5, stratified,
#   12 groups, empty factor levels, a group with expected 0; an actuarial life table written out in R;
#   precision traps: non-integer weights whose tied deaths empty a stratum that is not the last
#   (wreach0, float and whole-number times), zero weights (wzero: R keeps those times), 400 small
#   strata before a large one (manystrata: cancellation in cross-stratum cumulative sums).
# Every quantile is R's quantile.survfit (findq), probs 0 and 1 included; rmean below the first
# time is an error in R, so no tau is chosen there.
# Numbers: sprintf("%.17g") (exact doubles); NA/NaN -> "" (CSV) / null (JSON).
# Outputs (all tests/reference/extra_*): extra_data_*.csv (inputs), extra_cases.json (every case
# and the exact R calls, which are the strings evaluated here), extra_km_{curves,at,quantile,rmst,
# conditional,cond_quantile,follow_up}.csv, extra_logrank.json, extra_lifetable.csv.

options(digits = 17, warn = 1, stringsAsFactors = FALSE)
suppressPackageStartupMessages(library(survival))
stopifnot(packageVersion("survival") >= "3.5")
out_dir <- file.path("tests", "reference")
stopifnot(dir.exists(out_dir))

# ------------------------------------------------------------------------------ writing helpers
num_chr <- function(x) {
  out <- ifelse(is.na(x), "", sprintf("%.17g", x))
  inf <- !is.na(x) & is.infinite(x)
  out[inf] <- ifelse(x[inf] > 0, "inf", "-inf")
  out
}
write_out <- function(df, name) {
  df <- as.data.frame(df)
  for (col in names(df)) {
    if (is.factor(df[[col]])) df[[col]] <- as.character(df[[col]])
    if (is.numeric(df[[col]])) df[[col]] <- num_chr(df[[col]])
    if (is.logical(df[[col]])) df[[col]] <- ifelse(df[[col]], "true", "false")
  }
  write.csv(df, file.path(out_dir, name), row.names = FALSE, na = "", quote = TRUE)
}
json <- function(x) {
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
    if (is.numeric(v)) return(if (is.infinite(v)) "null" else sprintf("%.17g", v))
    paste0("\"", gsub("\"", "\\\\\"", v), "\"")
  }
  if (is.matrix(x)) return(json(lapply(seq_len(nrow(x)), function(i) as.vector(x[i, ]))))
  if (is.factor(x)) x <- as.character(x)
  if (length(x) == 1 && is.null(names(x)) && !inherits(x, "AsIs")) return(one(x))
  paste0("[", paste(vapply(as.list(unname(x)), one, ""), collapse = ", "), "]")
}

# ------------------------------------------------------------------------------ input datasets
# colon (R survival, LGPL >= 2): the death records (etype == 2), one per patient; rx a factor
# (Obs < Lev < Lev+5FU); extent 1-4; differ 1-3 with 23 NA (dropped by R when analysed).
colon <- survival::colon[survival::colon$etype == 2, c("time", "status", "rx", "extent", "differ")]
colon$years <- colon$time / 365.25           # many decimals, float path (timefix)
colon$status <- as.integer(colon$status)
rownames(colon) <- NULL
# a 12-level single grouping column (rx x extent), every level present
colon$rx_extent <- paste(colon$rx, colon$extent, sep = "/")
stopifnot(length(unique(colon$rx_extent)) == 12)
# pbc: death = status == 2 (transplant = censored); trt NA for the 106 non-randomised patients
pbc <- survival::pbc[, c("time", "status", "trt", "sex")]
pbc$death <- as.integer(pbc$status == 2)
pbc <- pbc[, c("time", "death", "trt", "sex")]
stopifnot(sum(is.na(pbc$trt)) == 106)
ovarian <- survival::ovarian[, c("futime", "fustat", "rx")]
ovarian$fustat <- as.integer(ovarian$fustat)
# aml: x as a factor with an unused third level (tests give the same categories to pandas)
aml <- survival::aml
aml$status <- as.integer(aml$status)
aml$x <- factor(as.character(aml$x), levels = c("Maintained", "Nonmaintained", "Unused"))
# kidney (first and second infections as independent rows: Surv(time, status), no cluster)
kidney <- survival::kidney[, c("time", "status", "sex", "disease")]
kidney$status <- as.integer(kidney$status)
kidney$disease <- factor(as.character(kidney$disease), levels = c("Other", "GN", "AN", "PKD", "None"))
# heart: counting-process rows (start, stop]; entry = start
heart <- survival::heart[, c("start", "stop", "event", "transplant")]
heart$event <- as.integer(heart$event)
heart$transplant <- as.character(heart$transplant)
# mgus2: follow-up in years (futime months / 12), death
mgus2 <- survival::mgus2[, c("futime", "death", "sex")]
mgus2$years <- mgus2$futime / 12
mgus2$sex <- as.character(mgus2$sex)
mgus2 <- mgus2[, c("years", "death", "sex")]
# weighted: colon deaths with non-integer case weights (3 decimals), and heart with weights
set.seed(20261124)
colon_w <- colon[, c("time", "status", "rx")]
colon_w$w <- round(runif(nrow(colon_w), 0.2, 3), 3)
heart_w <- heart
heart_w$w <- round(runif(nrow(heart_w), 0.5, 2), 2)
# edge strata (hand-made):
#   allcens: every row censored; alltied: every row at time 4 (3 events, 1 censored);
#   zero1: a death at time 0 in the only row; one: one row censored at 5.5;
#   decimals: whole days / 365.25 with a death and a censoring tied; zerotie: events and a
#   censoring at 0, then more follow-up.
edge <- rbind(
  data.frame(stratum = "allcens", time = c(1, 2, 2, 7), status = 0),
  data.frame(stratum = "alltied", time = c(4, 4, 4, 4), status = c(1, 1, 0, 1)),
  data.frame(stratum = "zero1", time = 0, status = 1),
  data.frame(stratum = "one", time = 5.5, status = 0),
  data.frame(stratum = "decimals", time = c(31, 59, 59, 90, 120, 151, 181, 212, 365, 400) / 365.25,
             status = c(1, 1, 0, 1, 0, 1, 1, 0, 1, 0)),
  data.frame(stratum = "zerotie", time = c(0, 0, 0, 0.25, 1 / 3, 2, 2, 3), status = c(1, 1, 0, 1, 0, 1, 1, 0))
)
edge$status <- as.integer(edge$status)
# a dataset of one row: a death at time 0
zero_only <- data.frame(time = 0, status = 1L)
# all times tied, unstratified (2 events, 2 censored, all at 10)
alltied <- data.frame(time = rep(10, 4), status = c(1L, 0L, 1L, 0L))
# log-rank edge: group "early" is censored before the first event (expected 0 -> dof drops),
# layer "L2" holds a single group
lredge <- data.frame(
  time = c(1, 2, 3, 5, 6, 8, 9, 0.5, 0.7, 4, 5, 7, 7, 10, 2, 3, 4),
  status = c(1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0),
  group = c(rep("a", 7), "early", "early", rep("b", 5), "a", "a", "a"),
  layer = c(rep("L1", 14), "L2", "L2", "L2"))
lredge$status <- as.integer(lredge$status)

# wreach0: non-integer weights, float times; stratum A (sorted first) ends in three tied deaths
# (weights 0.1, 0.2, 0.3): S must be exactly 0 there, with NaN SE and NA CI, and stratum B's
# Greenwood sums must not be disturbed by A's.
wreach0 <- data.frame(time = c(0.5, 1.25, 2.5, 2.5, 2.5, 1, 2, 3.5, 4.5),
                      status = c(1L, 0L, 1L, 1L, 1L, 1L, 0L, 1L, 0L),
                      g = c("A", "A", "A", "A", "A", "B", "B", "B", "B"),
                      w = c(0.7, 1.3, 0.1, 0.2, 0.3, 0.35, 2.2, 1.1, 0.45))
# wreach0int: the same with whole times (x 4): netsurv's whole-number (bincount) counting path
wreach0int <- transform(wreach0, time = as.integer(time * 4))
# wzero: zero case weights at times nobody else has (2, 4, and the last time 6): R keeps those
# times in the curve (n.event = n.censor = 0), so the last follow-up is 6.
wzero <- data.frame(time = 1:6, status = c(1L, 0L, 1L, 1L, 0L, 1L), w = c(1, 0, 2, 0, 1, 0))
# manystrata: 400 two-row strata (death at 1, censored at 2: Greenwood sum 1/2 each), then one
# large stratum "zz" (3000 rows, integer days) whose first Greenwood terms are ~1e-6.
set.seed(20261125)
manystrata <- rbind(
  data.frame(time = rep(c(1L, 2L), 400), status = rep(c(1L, 0L), 400),
             stratum = rep(sprintf("s%03d", 1:400), each = 2)),
  data.frame(time = as.integer(1 + floor(rexp(3000, 1 / 400))), status = rbinom(3000, 1, 0.7),
             stratum = "zz"))
manystrata$time <- pmin(manystrata$time, 2000L)

datasets <- list(wreach0 = wreach0, wreach0int = wreach0int, wzero = wzero, manystrata = manystrata, colon = colon, pbc = pbc, ovarian = ovarian, aml = aml, kidney = kidney,
                 heart = heart, mgus2 = mgus2, colon_w = colon_w, heart_w = heart_w, edge = edge,
                 zero_only = zero_only, alltied = alltied, lredge = lredge)
file_of <- function(nm) sprintf("tests/reference/extra_data_%s.csv", nm)
for (nm in names(datasets)) write_out(datasets[[nm]], basename(file_of(nm)))
# factor levels as R has them (the tests give pandas these categories, unused ones included)
categories <- list(aml = list(x = I(levels(aml$x))), kidney = list(disease = I(levels(kidney$disease))),
                   colon = list(rx = I(levels(colon$rx))))
env <- new.env()
for (nm in names(datasets)) assign(nm, datasets[[nm]], envir = env)
run <- function(text) eval(parse(text = text), envir = env)

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
  labels <- trimws(gsub(" +,", ",", as.character(labels)))
  if (!all(labels %in% names(map))) stop("unknown strata: ", paste(setdiff(labels, names(map)), collapse = "; "))
  unname(map[labels])
}
as_m <- function(x, nm = NULL) if (is.matrix(x)) x else matrix(x, nrow = 1, dimnames = list(NULL, names(x)))

# ------------------------------------------------------------------------------ Kaplan-Meier
rows <- list(curves = list(), at = list(), quantile = list(), rmst = list(), conditional = list(),
             follow_up = list(), cond_quantile = list())
manifest <- list()
PROBS <- c(0, 0.1, 0.25, 0.5, 0.75, 0.9, 1)

km_case <- function(case, data, time, event, by = character(0), conf_type = "log",
                    conf_level = 0.95, weights = NULL, entry = NULL, at = NULL, taus = NULL,
                    given = NULL, note = "") {
  surv <- if (is.null(entry)) sprintf("Surv(%s, %s)", time, event) else sprintf("Surv(%s, %s, %s)", entry, time, event)
  rsurv <- sub(sprintf(", %s)", event), sprintf(", 1 - %s)", event), surv, fixed = TRUE)
  rhs <- if (length(by)) paste(by, collapse = " + ") else "1"
  opts <- sprintf('conf.type = "%s", conf.int = %s%s', conf_type, format(conf_level),
                  if (is.null(weights)) "" else sprintf(", weights = %s, robust = FALSE", weights))
  call <- sprintf("survfit(%s ~ %s, data = %s, %s)", surv, rhs, data, opts)
  fit <- run(call)
  map <- stratum_map(datasets[[data]], by)
  calls <- list(fit = call)
  key <- function(s, n) keys_of(s, map, n)

  s <- summary(fit, censored = TRUE)
  rows$curves[[case]] <<- data.frame(case = case, stratum = key(s$strata, length(s$time)),
    time = s$time, n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor, surv = s$surv,
    std_err = s$std.err, lower = s$lower, upper = s$upper)
  calls$curves <- "summary(fit, censored = TRUE)"

  if (!is.null(at)) {
    for (ext in c(FALSE, TRUE)) {
      s <- summary(fit, times = at, extend = ext)
      rows$at[[paste(case, ext)]] <<- data.frame(case = case, extend = ext,
        stratum = key(s$strata, length(s$time)), time = s$time, n_risk = s$n.risk,
        n_event = s$n.event, n_censor = s$n.censor, surv = s$surv, std_err = s$std.err,
        lower = s$lower, upper = s$upper)
    }
    calls$at <- sprintf("summary(fit, times = c(%s), extend = FALSE / TRUE)", paste(at, collapse = ", "))
  }

  q <- quantile(fit, probs = PROBS)
  qq <- as_m(q$quantile); ql <- as_m(q$lower); qu <- as_m(q$upper)
  labs <- if (is.null(rownames(qq))) NA else rownames(qq)
  ks <- key(labs, nrow(qq))
  rows$quantile[[case]] <<- do.call(rbind, lapply(seq_along(PROBS), function(j)
    data.frame(case = case, stratum = ks, p = PROBS[j], quantile = qq[, j], lower = ql[, j], upper = qu[, j])))
  calls$quantile <- sprintf("quantile(fit, probs = c(%s))", paste(PROBS, collapse = ", "))

  for (tau in taus) {
    tab <- tryCatch(summary(fit, rmean = tau)$table, error = function(e) {
      message(case, " tau = ", tau, ": ", conditionMessage(e)); NULL })
    if (is.null(tab)) stop("choose another tau for ", case)
    tab <- if (is.matrix(tab)) tab else matrix(tab, nrow = 1, dimnames = list(NA, names(tab)))
    rows$rmst[[paste(case, tau)]] <<- data.frame(case = case, stratum = key(rownames(tab), nrow(tab)),
      tau = tau, rmean = tab[, "rmean"], se_rmean = tab[, "se(rmean)"])
  }
  calls$rmst <- sprintf('summary(fit, rmean = tau)$table[, c("rmean", "se(rmean)")] for tau in c(%s)',
                        paste(taus, collapse = ", "))

  # median follow-up: reverse KM, same conf.type / conf.int (and weights, entry); quantile(, 0.5)
  rcall <- sprintf("survfit(%s ~ %s, data = %s, %s)", rsurv, rhs, data, opts)
  rq <- quantile(run(rcall), probs = 0.5)
  rqq <- as_m(rq$quantile); rql <- as_m(rq$lower); rqu <- as_m(rq$upper)
  rl <- if (is.null(rownames(rqq))) NA else rownames(rqq)
  rows$follow_up[[case]] <<- data.frame(case = case, stratum = key(rl, nrow(rqq)),
    median = rqq[, 1], lower = rql[, 1], upper = rqu[, 1])
  calls$follow_up <- paste0("quantile(", rcall, ", probs = 0.5)")

  cc <- list()
  for (g in given) {
    ccall <- sub(")$", sprintf(", start.time = %s)", format(g, digits = 17)), call)
    cfit <- run(ccall)
    cs <- summary(cfit, censored = TRUE)
    cq <- quantile(cfit, probs = PROBS[PROBS > 0])
    cqq <- as_m(cq$quantile); cql <- as_m(cq$lower); cqu <- as_m(cq$upper)
    ck <- key(if (is.null(rownames(cqq))) NA else rownames(cqq), nrow(cqq))
    rows$cond_quantile[[paste(case, g)]] <<- do.call(rbind, lapply(seq_len(ncol(cqq)), function(j)
      data.frame(case = case, given = g, stratum = ck, p = PROBS[PROBS > 0][j],
                 quantile = cqq[, j], lower = cql[, j], upper = cqu[, j])))
    rows$conditional[[paste(case, g)]] <<- data.frame(case = case, given = g,
      stratum = key(cs$strata, length(cs$time)), time = cs$time, n_risk = cs$n.risk,
      n_event = cs$n.event, n_censor = cs$n.censor, surv = cs$surv, std_err = cs$std.err,
      lower = cs$lower, upper = cs$upper)
    cc[[length(cc) + 1]] <- paste0("summary(", ccall, ", censored = TRUE); quantile(<same>, probs = c(",
                                   paste(PROBS[PROBS > 0], collapse = ", "), "))")
  }
  if (length(cc)) calls$conditional <- cc

  manifest[[length(manifest) + 1]] <<- list(
    case = case, data = file_of(data), categories = categories[[data]], time = time, event = event,
    by = I(by), conf_type = conf_type, conf_level = conf_level, weights = weights, entry = entry,
    at = if (is.null(at)) NULL else I(at), taus = I(taus), given = if (is.null(given)) NULL else I(given),
    n_dropped_na = length(fit$na.action), note = note, r_calls = calls)
  invisible(fit)
}

for (ct in c("log", "log-log", "plain")) {
  tag <- sub("-", "", ct)
  km_case(paste0("colon_rx_", tag), "colon", "time", "status", "rx", ct,
          at = c(0, 8, 100, 365.25, 1000, 1826.25, 2500, 3000, 3329, 4000),
          taus = c(365.25, 1826.25, 3329, 4000), given = c(365, 1000))
  km_case(paste0("aml_x_", tag), "aml", "time", "status", "x", ct,
          at = c(0, 5, 9, 13, 20, 45, 48, 100, 161, 200), taus = c(9, 13, 30, 48, 100, 200),
          given = c(13, 30))
  km_case(paste0("heart_transplant_", tag), "heart", "stop", "event", "transplant", ct, entry = "start",
          at = c(1, 10, 36.5, 100, 365, 1000, 2000), taus = c(100, 365, 1800), given = c(30, 365))
  km_case(paste0("edge_", tag), "edge", "time", "status", "stratum", ct,
          at = c(0, 0.1, 0.25, 1, 2, 4, 5.5, 7, 10), taus = c(0.5, 1, 3, 4, 6, 10), given = c(0, 0.3, 2))
}
km_case("colon_rx_years_loglog_99", "colon", "years", "status", "rx", "log-log", conf_level = 0.99,
        at = c(0, 0.5, 1, 2.5, 5, 8, 9.5), taus = c(1, 5, 9.114305270362765), given = c(1, 5))
km_case("colon_extent_differ_log", "colon", "time", "status", c("extent", "differ"), "log",
        at = c(0, 365, 1000, 2000, 3000), taus = c(1000, 3000), given = c(500),
        note = "differ NA (23 patients) dropped by survfit; extent 1 x differ 3 small strata")
km_case("colon_rx_extent12_loglog", "colon", "time", "status", c("rx", "extent"), "log-log",
        at = c(0, 500, 1500, 3000), taus = c(1500, 3000))
km_case("colon_rx_extent_single12_plain", "colon", "time", "status", "rx_extent", "plain",
        conf_level = 0.9, at = c(0, 500, 1500, 3000), taus = c(1500))
km_case("pbc_trt_loglog", "pbc", "time", "death", "trt", "log-log",
        at = c(0, 41, 400, 1000, 2000, 4000, 4556, 5000), taus = c(1000, 3000, 4556, 5000),
        given = c(1000), note = "106 rows with NA trt dropped by survfit")
km_case("pbc_trt_log_90", "pbc", "time", "death", "trt", "log", conf_level = 0.9,
        at = c(0, 1000, 4000), taus = c(2000))
km_case("pbc_all_plain", "pbc", "time", "death", character(0), "plain", at = c(0, 1000, 4795),
        taus = c(4795))
km_case("ovarian_rx_plain", "ovarian", "futime", "fustat", "rx", "plain",
        at = c(0, 59, 400, 638, 1000, 1227, 1300), taus = c(500, 1000, 1227), given = c(400))
km_case("ovarian_all_loglog_90", "ovarian", "futime", "fustat", character(0), "log-log",
        conf_level = 0.9, at = c(0, 59, 400, 1000, 1300), taus = c(500, 1227))
km_case("kidney_disease_log", "kidney", "time", "status", "disease", "log",
        at = c(0, 10, 100, 300, 562), taus = c(100, 300), given = c(30))
km_case("kidney_sex_loglog_99", "kidney", "time", "status", "sex", "log-log", conf_level = 0.99,
        at = c(0, 10, 100, 300, 562), taus = c(100, 562))
km_case("heart_all_loglog", "heart", "stop", "event", character(0), "log-log", entry = "start",
        at = c(0.5, 1, 50, 500), taus = c(500, 1799), given = c(50))
km_case("mgus2_sex_loglog", "mgus2", "years", "death", "sex", "log-log",
        at = c(0, 1, 2.5, 5, 10, 20, 35.5, 40), taus = c(5, 10, 30), given = c(5))
km_case("mgus2_all_log_99", "mgus2", "years", "death", character(0), "log", conf_level = 0.99,
        at = c(0, 1 / 12, 10, 35), taus = c(10))
for (ct in c("log", "log-log", "plain")) {
  tag <- sub("-", "", ct)
  km_case(paste0("colon_weighted_", tag), "colon_w", "time", "status", "rx", ct, weights = "w",
          at = c(0, 100, 1000, 2000, 3000, 4000), taus = c(1000, 3000), given = c(1000),
          note = "non-integer weights, robust = FALSE (Greenwood with weights as counts)")
}
km_case("heart_weighted_loglog", "heart_w", "stop", "event", "transplant", "log-log", weights = "w",
        entry = "start", at = c(1, 10, 100, 1000), taus = c(365), given = c(30),
        note = "non-integer weights and left truncation")
km_case("zero_only_log", "zero_only", "time", "status", character(0), "log", at = c(0, 1),
        taus = c(1), note = "one row: a death at time 0")
km_case("alltied_loglog", "alltied", "time", "status", character(0), "log-log", at = c(0, 10, 11),
        taus = c(10, 20))  # R: rmean below the first time is an error

km_case("wreach0_log", "wreach0", "time", "status", "g", "log", weights = "w",
        at = c(0, 1, 2.5, 3, 5), taus = c(2, 4), given = c(1),
        note = "non-integer weights; stratum A reaches 0 at 2.5 in a tie of three deaths")
km_case("wreach0_loglog", "wreach0", "time", "status", "g", "log-log", weights = "w",
        at = c(0, 1, 2.5, 3, 5), taus = c(2, 4))
km_case("wreach0int_log", "wreach0int", "time", "status", "g", "log", weights = "w",
        at = c(0, 4, 10, 12, 20), taus = c(8, 16), given = c(4))
km_case("wzero_log", "wzero", "time", "status", character(0), "log", weights = "w",
        at = c(0, 2, 4, 5, 6, 7), taus = c(6), note = "zero weights at times 2, 4, 6")
km_case("manystrata_loglog", "manystrata", "time", "status", "stratum", "log-log",
        at = c(0, 1, 2, 100, 1000), taus = c(2, 500), given = c(1),
        note = "400 small strata before a large one (cancellation in cumulative sums)")

for (part in names(rows)) {
  df <- do.call(rbind, unname(rows[[part]]))
  rownames(df) <- NULL
  write_out(df, sprintf("extra_km_%s.csv", part))
}

# ------------------------------------------------------------------------------ log-rank
lr <- list()
lr_case <- function(case, data, time, event, by, strata = NULL, rho = 0, note = "") {
  rhs <- paste(c(by, if (!is.null(strata)) sprintf("strata(%s)", strata)), collapse = " + ")
  call <- sprintf("survdiff(Surv(%s, %s) ~ %s, data = %s, rho = %s)", time, event, rhs, data, format(rho))
  sd <- run(call)
  groups <- keys_of(names(sd$n), stratum_map(datasets[[data]], by), length(sd$n))
  obs <- if (is.matrix(sd$obs)) rowSums(sd$obs) else sd$obs
  ex <- if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp
  dof <- sum(ex > 0) - 1
  lr[[length(lr) + 1]] <<- list(case = case, data = file_of(data), categories = categories[[data]],
    time = time, event = event, by = I(by), strata = strata, rho = rho, r_call = call,
    n_dropped_na = length(sd$na.action), groups = I(groups), n = I(as.vector(sd$n)),
    observed = I(obs), expected = I(ex), var = unname(sd$var), statistic = sd$chisq, dof = dof,
    p_value = sd$pvalue, note = note)
}
for (rho in c(0, 1, 0.5)) {
  tag <- sub("\\.", "", format(rho))
  lr_case(paste0("colon_rx_rho", tag), "colon", "time", "status", "rx", rho = rho)
  lr_case(paste0("colon_rx_strata_extent_rho", tag), "colon", "time", "status", "rx", "extent", rho = rho)
  lr_case(paste0("pbc_trt_rho", tag), "pbc", "time", "death", "trt", rho = rho,
          note = "106 NA trt dropped")
  lr_case(paste0("aml_x_rho", tag), "aml", "time", "status", "x", rho = rho,
          note = "x factor with an unused level")
  lr_case(paste0("mgus2_sex_rho", tag), "mgus2", "years", "death", "sex", rho = rho)
  lr_case(paste0("lredge_group_strata_layer_rho", tag), "lredge", "time", "status", "group", "layer",
          rho = rho, note = "group 'early' has expected 0; layer L2 has one group")
}
lr_case("colon_rx_extent12_rho0", "colon", "time", "status", c("rx", "extent"))
lr_case("colon_rx_extent_single12_rho0", "colon", "time", "status", "rx_extent")
lr_case("colon_rx_extent_single12_rho05", "colon", "time", "status", "rx_extent", rho = 0.5)
lr_case("colon_years_rx_rho0", "colon", "years", "status", "rx")
lr_case("colon_extent_strata_differ_rho0", "colon", "time", "status", "extent", "differ",
        note = "differ NA dropped")
lr_case("pbc_trt_strata_sex_rho1", "pbc", "time", "death", "trt", "sex", rho = 1)
lr_case("ovarian_rx_rho0", "ovarian", "futime", "fustat", "rx")
lr_case("ovarian_rx_rho05", "ovarian", "futime", "fustat", "rx", rho = 0.5)
lr_case("kidney_disease_rho0", "kidney", "time", "status", "disease", note = "unused level None")
lr_case("kidney_disease_strata_sex_rho1", "kidney", "time", "status", "disease", "sex", rho = 1)
lr_case("lredge_group_rho0", "lredge", "time", "status", "group")
lr_case("edge_stratum_rho0", "edge", "time", "status", "stratum",
        note = "all-censored, all-tied, one-row and time-0 groups")
lr_case("edge_stratum_rho1", "edge", "time", "status", "stratum", rho = 1)

# ------------------------------------------------------------------------------ life table
# Actuarial table written out here (the formulas netsurv documents, = KMsurv::lifetab's
# n' = n - w/2 and Greenwood SE, reported at the END of each interval):
#   interval j = [j * width, (j + 1) * width); n_start = #{time >= j * width};
#   d = events, w = censored with time in the interval; n_eff = n_start - w / 2;
#   q = d / n_eff; S_j = prod_{i <= j} (1 - q_i); se = S_j * sqrt(sum_{i <= j} d_i / (n_eff_i (n_eff_i - d_i)));
#   CI as survfit's conf.type on (S, se / S); rows with n_start = 0 left out.
band <- function(S, se_log, type, level) {
  z <- qnorm(1 - (1 - level) / 2)
  if (type == "plain") return(list(lo = pmax(S - z * se_log * S, 0), hi = pmin(S + z * se_log * S, 1)))
  if (type == "log") {
    x <- ifelse(S == 0, NA, S)
    return(list(lo = exp(log(x) - z * se_log), hi = pmin(exp(log(x) + z * se_log), 1)))
  }
  x <- ifelse(S == 0 | S == 1, NA, S)
  s2 <- z * se_log / log(x)
  list(lo = exp(-exp(log(-log(x)) - s2)), hi = exp(-exp(log(-log(x)) + s2)))
}
lt_rows <- list(); lt_manifest <- list()
lt_case <- function(case, data, time, event, by = character(0), width, conf_type = "log-log",
                    conf_level = 0.95) {
  d <- datasets[[data]]
  d <- d[stats::complete.cases(d[c(time, event, by)]), , drop = FALSE]
  map <- stratum_map(d, by)
  grp <- if (length(by)) unname(map[do.call(paste, c(lapply(by, function(v) paste0(v, "=", d[[v]])), sep = ", "))]) else rep("", nrow(d))
  for (g in sort(unique(grp))) {
    tt <- d[[time]][grp == g]; ev <- d[[event]][grp == g]
    j <- floor(tt / width)
    J <- 0:max(j)
    n_start <- sapply(J, function(k) sum(tt >= k * width))
    died <- sapply(J, function(k) sum(ev[j == k] == 1))
    lost <- sapply(J, function(k) sum(ev[j == k] == 0))
    n_eff <- n_start - lost / 2
    q <- died / n_eff
    S <- cumprod(1 - q)
    se_log <- sqrt(cumsum(ifelse(died > 0, died / (n_eff * (n_eff - died)), 0)))
    b <- band(S, se_log, conf_type, conf_level)
    keep <- n_start > 0
    lt_rows[[paste(case, g)]] <<- data.frame(case = case, stratum = g, start = J * width,
      end = (J + 1) * width, n_start = n_start, n_events = died, n_lost = lost, n_effective = n_eff,
      interval_survival = 1 - q, survival = S, std_err = S * se_log, lower = b$lo, upper = b$hi)[keep, ]
  }
  lt_manifest[[length(lt_manifest) + 1]] <<- list(case = case, data = file_of(data),
    categories = categories[[data]], time = time, event = event, by = I(by), width = width,
    conf_type = conf_type, conf_level = conf_level)
}
lt_case("colon_rx_year", "colon", "time", "status", "rx", width = 365.25)
lt_case("colon_years_rx_1", "colon", "years", "status", "rx", width = 1, conf_type = "log")
lt_case("pbc_trt_365", "pbc", "time", "death", "trt", width = 365, conf_type = "plain")
lt_case("aml_x_12", "aml", "time", "status", "x", width = 12)
lt_case("ovarian_all_100", "ovarian", "futime", "fustat", width = 100, conf_level = 0.9)
lt_case("mgus2_sex_5", "mgus2", "years", "death", "sex", width = 5)
lt_case("manystrata_1", "manystrata", "time", "status", "stratum", width = 1)
lt_case("edge_1", "edge", "time", "status", "stratum", width = 1)
# cross-check of the written-out formula: with width so small that every interval holds one
# distinct time and no censoring, the actuarial estimate equals survfit's Kaplan-Meier
chk <- survfit(Surv(time, status) ~ 1, data = aml[aml$status == 1, ])
stopifnot(isTRUE(all.equal(min(chk$surv), 0)))
lt_df <- do.call(rbind, unname(lt_rows)); rownames(lt_df) <- NULL
write_out(lt_df, "extra_lifetable.csv")

meta <- list(generated_by = "Rscript tests/reference/make_reference_extra.R",
             r_version = R.version.string, survival_version = as.character(packageVersion("survival")),
             seed = 20261124)
writeLines(json(list(meta = meta, km = manifest, lifetable = lt_manifest)), file.path(out_dir, "extra_cases.json"))
writeLines(json(list(meta = meta, logrank = lr)), file.path(out_dir, "extra_logrank.json"))
cat("wrote", length(manifest), "KM cases,", length(lr), "log-rank cases,", length(lt_manifest),
    "life tables\n")
