# Reference values for netsurv's grouped (life-table) Pohar Perme estimator and the Ederer II
# relative life table with Stata strs conventions. Run once from the repository root:
#   Rscript tests/reference/make_reference_pohar.R
# R 4.x, popEpi 0.4.10, data.table. Writes tests/reference/pohar_*.csv.
#
# Data: 1,500 rows of popEpi's bundled `sire` (simulated Finnish rectal cancer patients,
# popEpi, MIT licence) drawn with set.seed(2015); population hazards: popEpi's `popmort`
# (Finnish female/male all-cause mortality 1951-2013, annual hazards by single year of age
# 0-100), written out too so that the Python tests read the same table.
#
# What R computes here, independently of netsurv:
# 1. strs conventions (Dickman & Coviello): annual intervals (a, b]; the popmort cell of
#    completed age at diagnosis + k and year of diagnosis + k in the k-th year since
#    diagnosis; zero follow-up left out; a subject censored exactly at b is not a withdrawal.
# 2. Per interval, the counts n (entering), d (deaths), n.cens (withdrawals), and
#    d.exp = sum over those entering of (1 - p*_i) with p*_i = exp(-H_i) the popmort
#    interval survival, so that popEpi's lifetable p.exp = 1 - d.exp/n is Ederer II's mean p*.
# 3. Pohar Perme weights w_i = 1 / S*_i(a + L/2), the subject's expected survival at the
#    interval midpoint (strs's `pohar`): n.pp = sum w (entering), d.pp = sum w d_i,
#    n.cens.pp = sum w c_i, d.exp.pp = sum w y_i H_i / L (weighted expected deaths over the
#    time y_i the subject spends in the interval), d.pp.2 = sum w^2 d_i.
# 4. popEpi::survtab_ag (surv.method = "lifetable") turns these into surv.obs (with its SE),
#    r.pp = prod(1 - (d.pp - d.exp.pp)/(n.pp - n.cens.pp/2)) and its own r.e2 =
#    prod(1 - (d - d.exp)/(n - n.cens/2)), an additive form that is not strs's Ederer II
#    ratio; the script writes surv.exp = prod(1 - d.exp/n) (the mean p*) so that strs's
#    relative survival surv.obs/surv.exp can be checked, and r.e2 for the record.
#    The standard error of r.pp is computed here from the weighted effective number,
#    se = r.pp * sqrt(cumsum(d.pp.2 / (n.pp - n.cens.pp/2)^2)), because popEpi 0.4.10 divides
#    d.pp.2 by the *unweighted* n.eff (comp.st.r.pp.lif), mixing scales; its value is written
#    too (SE.r.pp.popepi) for the record.
# 5. (step 6 below: strs's own formula.) For the record only: popEpi::survtab(relsurv.method = "pp") on the same data with its own
#    Lexis splitting and weights ("delta" style), written to pohar_popepi_direct.csv.

suppressMessages({library(popEpi); library(Epi); library(data.table)})
out <- "tests/reference"
set.seed(2015)
s <- as.data.frame(sire)
s <- s[s$dg_date < s$ex_date, ]
s <- s[sort(sample(nrow(s), 1500)), ]
s$time <- as.numeric(s$ex_date - s$dg_date) / 365.25   # years
s$dead <- as.integer(s$status %in% 1:2)
s$age <- floor(s$dg_age)                                 # completed age at diagnosis
s$yydx <- as.integer(format(s$dg_date, "%Y"))
s$sex <- ifelse(s$sex == 1, "female", "male")
pm <- as.data.frame(popmort)                             # sex 0 male, 1 female
data <- s[, c("time", "dead", "age", "sex", "yydx", "dg_age", "dg_date", "ex_date")]
write.csv(data, file.path(out, "pohar_data.csv"), row.names = FALSE)
write.csv(pm, file.path(out, "pohar_popmort.csv"), row.names = FALSE)

H <- function(age, year, sex) {    # annual hazard of the popmort cell
  key <- paste(ifelse(sex == "female", 1, 0), pmin(year, 2013), pmin(age, 100))
  tab <- setNames(pm$haz, paste(pm$sex, pm$year, pm$agegroup))
  unname(tab[key])
}
J <- 10; L <- 1
rows <- list()
for (j in 0:(J - 1)) {
  a <- j * L; b <- a + L
  at <- data$time > a
  x <- data[at, ]
  last <- pmax(ceiling(x$time / L) - 1, 0)
  leaves <- last == j
  died <- leaves & x$dead == 1
  cens <- leaves & x$dead == 0 & x$time < b
  Hj <- H(x$age + j, x$yydx + j, x$sex)
  Hbefore <- sapply(seq_len(nrow(x)), function(i)
    if (j == 0) 0 else sum(H(x$age[i] + 0:(j - 1), x$yydx[i] + 0:(j - 1), x$sex[i])))
  w <- exp(Hbefore + Hj / 2)                               # 1 / S*(a + L/2)
  y <- pmin(x$time, b) - a
  rows[[j + 1]] <- data.frame(
    fot = a, n = nrow(x), d = sum(died), n.cens = sum(cens), d.exp = sum(1 - exp(-Hj)),
    n.pp = sum(w), d.pp = sum(w * died), n.cens.pp = sum(w * cens),
    d.exp.pp = sum(w * y * Hj / L), d.pp.2 = sum(w^2 * died),
    lam.strs = sum(w * ifelse(died | cens, 0.5, 1) * Hj) / sum(w * ifelse(died | cens, 0.5, 1)))
}
ag <- do.call(rbind, rows)
write.csv(ag, file.path(out, "pohar_counts.csv"), row.names = FALSE)

e2 <- survtab_ag(fot ~ 1, data = ag, surv.type = "surv.rel", relsurv.method = "e2",
                 surv.method = "lifetable", n = "n", d = "d", n.cens = "n.cens",
                 d.exp = "d.exp", surv.breaks = seq(0, J * L, L),
                 conf.type = "log-log")
pp <- survtab_ag(fot ~ 1, data = ag, surv.type = "surv.rel", relsurv.method = "pp",
                 surv.method = "lifetable", n = "n", d = "d", n.cens = "n.cens",
                 d.exp = "d.exp", n.pp = "n.pp", d.pp = "d.pp", n.cens.pp = "n.cens.pp",
                 d.exp.pp = "d.exp.pp", d.pp.2 = "d.pp.2",
                 surv.breaks = seq(0, J * L, L), conf.type = "log-log")
e2 <- as.data.frame(e2); pp <- as.data.frame(pp)
eff.pp <- ag$n.pp - ag$n.cens.pp / 2
se.pp <- pp$r.pp * sqrt(cumsum(ag$d.pp.2 / eff.pp^2))
z <- qnorm(0.975)
ll <- function(S, se) {   # log(-log) interval with the SE of S (as popEpi and R survival)
  sl <- se / (S * log(S))
  a <- S^exp(z * sl); b <- S^exp(-z * sl)
  cbind(pmin(a, b), pmax(a, b))
}
band <- ll(pp$r.pp, se.pp)
# 6. strs 1.4's own life-table formula (Seppa and Pokhrel; pauldickman.com strs.ado, read, not
#    run): p = (1 - d.pp/(n.pp - n.cens.pp/2)) * exp(lam.strs), lam.strs the weighted mean of
#    -log p* with weight w/2 for those dying or withdrawing; SE with n.pp - n.cens.pp/2 - d.pp/2
strs.p <- (1 - ag$d.pp / eff.pp) * exp(ag$lam.strs)
strs.cns <- cumprod(strs.p)
strs.se <- strs.cns * sqrt(cumsum(ag$d.pp.2 / (eff.pp - ag$d.pp / 2)^2))
strs.band <- ll(strs.cns, strs.se)
res <- data.frame(start = e2$Tstart, end = e2$Tstop, n = e2$n, d = e2$d, n.cens = e2$n.cens,
                  surv.obs = e2$surv.obs, SE.surv.obs = e2$SE.surv.obs,
                  surv.exp = cumprod(1 - ag$d.exp / ag$n), r.e2 = e2$r.e2,
                  r.pp = pp$r.pp, SE.r.pp = se.pp, r.pp.lo = band[, 1], r.pp.hi = band[, 2],
                  SE.r.pp.popepi = pp$SE.r.pp, cns.strs = strs.cns, se.cns.strs = strs.se,
                  lo.cns.strs = strs.band[, 1], hi.cns.strs = strs.band[, 2])
write.csv(res, file.path(out, "pohar_reference.csv"), row.names = FALSE)

# for the record: popEpi's own Pohar Perme on the same subjects (its splitting and weights)
x <- Lexis(entry = list(FUT = 0, AGE = dg_age, CAL = get.yrs(dg_date)),
           exit = list(CAL = get.yrs(ex_date)), data = s, exit.status = dead, merge = TRUE)
x$sex <- ifelse(x$sex == "female", 1L, 0L)
pmx <- pm; names(pmx) <- c("sex", "CAL", "AGE", "haz")
direct <- survtab(Surv(time = FUT, event = lex.Xst) ~ 1, data = x, surv.type = "surv.rel",
                  relsurv.method = "pp", surv.method = "lifetable",
                  breaks = list(FUT = seq(0, J * L, L)), pophaz = pmx)
direct <- as.data.frame(direct)
write.csv(direct[, c("Tstart", "Tstop", "n", "d", "r.pp")],
          file.path(out, "pohar_popepi_direct.csv"), row.names = FALSE)
print(res); print(direct[, c("Tstop", "r.pp")])
