"""Kaplan–Meier at registry scale: netsurv vs lifelines vs R survfit, timed in one run.

Task (per engine, after the data are in memory): Kaplan–Meier by extent x site x grade
(4 x 12 x 4 = 192 strata), survival with 95% CI at 12/36/60/120 months, and medians.
Group columns are strings (object dtype) in the "str" variant — turning them into group codes
is part of the timed work — and pandas categoricals in the "cat" variant. Times are SEER
whole months ("int") or continuous ("float", months with a random fraction).

* netsurv: ``kaplan_meier(df, by=[...])`` then ``.at(times)`` and ``.median()``;
* lifelines: one ``KaplanMeierFitter`` per stratum (its documented way for groups), with
  ``survival_function_at_times``, ``confidence_interval_survival_function_`` at the times and
  ``median_survival_time_``;
* R: ``survfit(Surv(t, d) ~ extent + site + grade)`` + ``summary(fit, times=)`` + the median
  table, timed inside R with ``system.time`` (the CSV read is not timed), when Rscript exists.

Peak memory of netsurv's call is measured with tracemalloc (numpy reports its buffers) and
given as a multiple of the input columns' size.

Usage: python benchmarks/bench_km.py [--sizes 1e5,1e6,1e7] [--no-r] [--no-lifelines]
       python benchmarks/bench_km.py --table [--repeat 3]

``--table`` prints the Kaplan–Meier rows of README's speed table (issue 16) as a Markdown
table: each row's times are the median of ``--repeat`` runs made in the same process, and
every ratio compares times measured in that one run, against lifelines and against the bare
numpy baselines (one ``np.argsort`` / one ``np.sort`` of the time column) and the
factorisation of the string group columns alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np
import pandas as pd

import netsurv as ns

TIMES = [12, 36, 60, 120]
BY = ["extent", "site", "grade"]
EXTENTS = ["localized", "regional", "distant", "unknown"]
SITES = [f"site{i:02d}" for i in range(12)]
GRADES = ["G1", "G2", "G3", "unknown"]


def make_data(n: int, seed: int = 1, float_times: bool = False, categorical: bool = False):
    rng = np.random.default_rng(seed)
    e = rng.integers(0, 4, n)
    s = rng.integers(0, 12, n)
    g = rng.integers(0, 4, n)
    hazard = 0.002 * (1 + e) * (1 + g) * (1 + s / 12)
    t = rng.exponential(1 / hazard)
    c = rng.uniform(0, 300, n)
    months = np.minimum(t, c)
    months = months if float_times else np.floor(months)
    cols = {
        "survival_months": months.astype(np.float64),
        "dead": t <= c,
        "extent": np.array(EXTENTS, dtype=object)[e],
        "site": np.array(SITES, dtype=object)[s],
        "grade": np.array(GRADES, dtype=object)[g],
    }
    df = pd.DataFrame(cols)
    if categorical:
        for col, cats in zip(BY, [EXTENTS, SITES, GRADES], strict=True):
            df[col] = pd.Categorical(df[col], categories=cats)
    return df


def run_netsurv(df: pd.DataFrame):
    fit = ns.kaplan_meier(df, by=BY, conf_type="log")
    return fit.at(TIMES), fit.median()


def run_lifelines(df: pd.DataFrame):
    from lifelines import KaplanMeierFitter

    out = []
    for key, part in df.groupby(BY, observed=True, sort=True):
        kmf = KaplanMeierFitter().fit(part["survival_months"], part["dead"])
        surv = kmf.survival_function_at_times(TIMES)
        ci = kmf.confidence_interval_survival_function_
        idx = np.searchsorted(ci.index.to_numpy(), TIMES, side="right") - 1
        out.append(
            (key, surv.to_numpy(), ci.to_numpy()[np.maximum(idx, 0)], kmf.median_survival_time_)
        )
    return out


R_SCRIPT = r"""
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c("numeric", "integer", "character", "character", "character"))
tm <- system.time({
  fit <- survfit(Surv(survival_months, dead) ~ extent + site + grade, data = d)
  s <- summary(fit, times = c(12, 36, 60, 120), extend = TRUE)
  m <- summary(fit)$table[, "median"]
})
cat(tm[["elapsed"]], "\n")
"""


def run_r(df: pd.DataFrame, workdir: str) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    path = os.path.join(workdir, "km.csv")
    df.assign(dead=df["dead"].astype(int)).to_csv(path, index=False)
    script = os.path.join(workdir, "km.R")
    with open(script, "w") as fh:
        fh.write(R_SCRIPT)
    res = subprocess.run(["Rscript", script, path], capture_output=True, text=True, check=False)
    if res.returncode != 0:
        print("R failed:", res.stderr.strip()[:300], file=sys.stderr)
        return None
    return float(res.stdout.split()[-1])


def best_of(fn, repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def median_of(fn, repeat: int) -> float:
    """Median wall time of ``repeat`` runs (robust to a neighbour's burst on a shared machine)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def _factorise(df: pd.DataFrame) -> None:
    for col in BY:
        pd.factorize(df[col], sort=True)


def speed_table(repeat: int, with_r: bool) -> pd.DataFrame:
    """The KM rows of README's speed table, every ratio from times measured in this run."""
    rows = []
    cases = [
        ("1e6 rows, SEER months, group columns as strings", 10**6, False, False),
        ("1e6 rows, SEER months, categorical group columns", 10**6, False, True),
        ("1e7 rows, continuous (float) times, categorical group columns", 10**7, True, True),
    ]
    with tempfile.TemporaryDirectory() as workdir:
        for label, n, float_times, categorical in cases:
            df = make_data(n, float_times=float_times, categorical=categorical)
            t = df["survival_months"].to_numpy()
            t_ns = median_of(lambda df=df: run_netsurv(df), repeat)
            t_ll = median_of(lambda df=df: run_lifelines(df), repeat)
            t_arg = median_of(lambda t=t: np.argsort(t), repeat)
            t_sort = median_of(lambda t=t: np.sort(t), repeat)
            extra = f"one `np.argsort` of the times {t_arg:.3g} s ({t_ns / t_arg:.2g}×), "
            extra += f"one `np.sort` {t_sort:.3g} s ({t_ns / t_sort:.2g}×)"
            if float_times:
                t_cnt = median_of(lambda df=df: ns.counts(df, by=BY), repeat)
                extra += f"; counting alone {t_cnt:.3g} s ({t_cnt / t_arg:.2g}× the argsort)"
            if not categorical:
                t_fac = median_of(lambda df=df: _factorise(df), repeat)
                extra = f"pandas factorising the 3 string columns {t_fac:.3g} s"
            if with_r and n <= 10**6 and not categorical:
                t_r = run_r(df, workdir)
                if t_r is not None:
                    extra += f"; R `survfit` {t_r:.3g} s ({t_r / t_ns:.0f}×)"
            rows.append(
                {
                    "task": f"Kaplan–Meier, 192 strata, {label} (CI at 4 times + medians)",
                    "netsurv": f"{t_ns:.3g} s",
                    "lifelines": f"{t_ll:.3g} s ({t_ll / t_ns:.1f}×)",
                    "limits": extra,
                }
            )
            print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="1e5,1e6,1e7")
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--no-lifelines", action="store_true")
    ap.add_argument("--lifelines-max", type=float, default=1e6, help="largest n for lifelines")
    ap.add_argument("--r-max", type=float, default=1e6, help="largest n for R (CSV round trip)")
    ap.add_argument("--table", action="store_true", help="README's KM rows as Markdown")
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing (--table)")
    args = ap.parse_args(argv)
    if args.table:
        run_netsurv(make_data(1000))  # warm up imports
        table = speed_table(args.repeat, not args.no_r)
        print("\n| task | netsurv | lifelines (same run) | limits (same run) |\n|---|---|---|---|")
        for row in table.itertuples(index=False):
            print(f"| {row.task} | {row.netsurv} | {row.lifelines} | {row.limits} |")
        return
    sizes = [int(float(x)) for x in args.sizes.split(",")]
    run_netsurv(make_data(1000))  # warm up imports
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for n in sizes:
            for float_times in (False, True):
                for categorical in (False, True):
                    df = make_data(n, float_times=float_times, categorical=categorical)
                    input_bytes = int(df.memory_usage(deep=False, index=False).sum())
                    t_ns = best_of(lambda df=df: run_netsurv(df), 3 if n <= 1e6 else 2)
                    tracemalloc.start()
                    run_netsurv(df)
                    peak = tracemalloc.get_traced_memory()[1]
                    tracemalloc.stop()
                    t_ll = t_r = np.nan
                    if not args.no_lifelines and n <= args.lifelines_max:
                        t_ll = best_of(lambda df=df: run_lifelines(df), 1)
                    if not args.no_r and n <= args.r_max and not categorical:
                        t_r = run_r(df, workdir) or np.nan
                    rows.append(
                        {
                            "n": n,
                            "times": "float" if float_times else "int",
                            "groups": "cat" if categorical else "str",
                            "netsurv_s": t_ns,
                            "lifelines_s": t_ll,
                            "R_s": t_r,
                            "x_lifelines": t_ll / t_ns,
                            "x_R": t_r / t_ns,
                            "peak_mem_x_input": peak / input_bytes,
                        }
                    )
                    print(
                        pd.DataFrame([rows[-1]]).to_string(index=False, header=len(rows) == 1),
                        flush=True,
                    )
    table = pd.DataFrame(rows)
    print("\nKaplan–Meier, 192 strata, survival+CI at 12/36/60/120 months and medians")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))


if __name__ == "__main__":
    main()
