"""Round trip of reconstruct_ipd over kmdata's reconstructed trials: draw, digitise, rebuild.

For every two-arm data set of the R package kmdata (github.com/raredd/kmdata, MIT, copyright
2021 Robert Redd: ~300 figures of published randomised trials, each already a Guyot
reconstruction), each arm's Kaplan–Meier curve is taken as the truth and read as a digitiser
would read the published figure:

* a point at the top and at the foot of every step and, as an automatic tracer such as
  WebPlotDigitizer gives, a point every 1% of the axis along the curve (a second run leaves
  these out), each moved by digitising noise: time N(0, 0.25% of the axis), survival
  N(0, 0.003), survival rounded to 3 decimals;
* the at-risk table at the figure's own x-axis ticks (kmdata's ``xaxis.at``), numbers exact.

``reconstruct_ipd`` then rebuilds the patients, and the rebuilt data are compared with the
truth: |ΔS| (largest and mean absolute difference of the two Kaplan–Meier curves on 200 points
up to the arm's last follow-up, and at each x-axis tick: landmark survival), the error of each arm's median (when both reach 0.5), and the
error of the hazard ratio between the arms (Cox, lifelines). Times are converted to months
(kmdata's ``units``). The same is done without the at-risk table (``n`` and ``total_events``
only), the case the paper says is much worse.

The kmdata data sets are .rda files: R (``Rscript``) exports them once to a CSV in a temporary
folder. Needs a kmdata checkout (not shipped with netsurv):

    git -C <clone of github.com/raredd/kmdata> archive 8972d41 data | tar -x -C /tmp/kmdata
    python benchmarks/bench_reconstruct.py --kmdata /tmp/kmdata [--limit 50] [--seed 1]

Prints a Markdown table (the one in docs/reconstruct.md).
"""

from __future__ import annotations

import argparse
import pathlib
import subprocess
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

import netsurv as ns
from netsurv.errors import InputError

EXPORT_R = r"""
args <- commandArgs(trailingOnly = TRUE)
files <- list.files(file.path(args[1], "data"), pattern = "\\.rda$", full.names = TRUE)
out <- list()
for (f in files) {
  e <- new.env(); load(f, envir = e); name <- ls(e)[1]; x <- get(name, e)
  if (!all(c("time", "event", "arm") %in% names(x))) next
  ticks <- attr(x, "xaxis.at"); units <- attr(x, "units")
  if (is.null(ticks) || is.null(units)) next
  out[[name]] <- data.frame(dataset = name, units = units, ticks = paste(ticks, collapse = " "),
                            time = x$time, event = as.integer(x$event), arm = as.character(x$arm))
}
write.csv(do.call(rbind, out), args[2], row.names = FALSE)
"""
TO_MONTHS = {"months": 1.0, "days": 12 / 365.25, "weeks": 12 * 7 / 365.25, "years": 12.0}


def export(kmdata: pathlib.Path, folder: pathlib.Path) -> pd.DataFrame:
    """All kmdata data sets in one frame (R reads the .rda files)."""
    script, out = folder / "export.R", folder / "kmdata.csv"
    script.write_text(EXPORT_R)
    subprocess.run(["Rscript", str(script), str(kmdata), str(out)], check=True)
    return pd.read_csv(out)


def km_steps(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct event times and the Kaplan–Meier value after each."""
    fit = ns.kaplan_meier(pd.DataFrame({"t": time, "e": event}), time="t", event="e")
    f = fit.to_frame()
    f = f[f["n_events"] > 0]
    return f["time"].to_numpy(), f["survival"].to_numpy()


def digitise(
    time: np.ndarray, event: np.ndarray, rng: np.random.Generator, trace: bool
) -> pd.DataFrame:
    """Points a digitiser clicks: top and foot of every step (and, with ``trace``, a point
    every 1% of the axis along the curve, as an automatic tracer gives), with noise."""
    t, s = km_steps(time, event)
    before = np.r_[1.0, s[:-1]]
    along = np.linspace(0, time.max(), 101)[1:] if trace else np.array([time.max()])
    x = np.r_[t, t, along]
    y = np.r_[before, s, survival_on(along, time, event)]
    x = np.clip(x + rng.normal(0, 0.0025 * time.max(), len(x)), 0, None)
    y = np.round(np.clip(y + rng.normal(0, 0.003, len(y)), 0, 1), 3)
    return pd.DataFrame({"time": x, "survival": y})


def at_risk(time: np.ndarray, ticks: np.ndarray) -> pd.DataFrame:
    ticks = ticks[(ticks >= 0) & (ticks <= time.max())]
    ticks = np.unique(np.r_[0.0, ticks])
    n = np.array([(time >= g).sum() for g in ticks])
    return pd.DataFrame({"time": ticks, "n_at_risk": n})


def survival_on(grid: np.ndarray, time: np.ndarray, event: np.ndarray) -> np.ndarray:
    t, s = km_steps(time, event)
    idx = np.searchsorted(t, grid, side="right") - 1
    return np.where(idx >= 0, s[np.maximum(idx, 0)], 1.0)


def median(time: np.ndarray, event: np.ndarray) -> float:
    fit = ns.kaplan_meier(pd.DataFrame({"t": time, "e": event}), time="t", event="e")
    return float(fit.median()["median"].iloc[0])


def hazard_ratio(df: pd.DataFrame, arms: list[str]) -> float:
    from lifelines import CoxPHFitter

    design = pd.DataFrame({"t": df["time"], "e": df["event"], "x": (df["arm"] == arms[1]) * 1})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(CoxPHFitter().fit(design, "t", "e").hazard_ratios_["x"])


def one_arm(truth: pd.DataFrame, ticks: np.ndarray, rng: np.random.Generator, mode: str) -> dict:
    time, event = truth["time"].to_numpy(float), truth["event"].to_numpy(int)
    curve = digitise(time, event, rng, trace="corners only" not in mode)
    if mode.endswith("; at-risk table"):
        ipd = ns.reconstruct_ipd(curve, at_risk(time, ticks))
    else:
        ipd = ns.reconstruct_ipd(curve, n=len(time), total_events=int(event.sum()))
    grid = np.linspace(0, time.max(), 200)
    diff = np.abs(
        survival_on(grid, time, event)
        - survival_on(grid, ipd["time"].to_numpy(), ipd["event"].to_numpy())
    )
    marks = ticks[(ticks > 0) & (ticks < time.max())]
    landmark = np.abs(
        survival_on(marks, time, event)
        - survival_on(marks, ipd["time"].to_numpy(), ipd["event"].to_numpy())
    )
    true_med, rec_med = median(time, event), median(ipd["time"].to_numpy(), ipd["event"].to_numpy())
    return {
        "max_abs_dS": diff.max(),
        "mean_abs_dS": diff.mean(),
        "landmark_abs_dS": landmark,
        "median_error": rec_med - true_med if np.isfinite(true_med) else np.nan,
        "ipd": ipd.assign(arm=truth["arm"].iloc[0]),
    }


def run(data: pd.DataFrame, seed: int, limit: int | None, mode: str) -> pd.DataFrame:
    rows = []
    rng = np.random.default_rng(seed)
    names = sorted(data["dataset"].unique())[:limit]
    for name in names:
        d = data[data["dataset"] == name].copy()
        d["time"] = d["time"] * TO_MONTHS.get(str(d["units"].iloc[0]), np.nan)
        ticks = np.array(str(d["ticks"].iloc[0]).split(), dtype=float) * TO_MONTHS.get(
            str(d["units"].iloc[0]), np.nan
        )
        arms = sorted(d["arm"].unique())
        if len(arms) != 2 or not np.isfinite(d["time"]).all():
            continue
        try:
            res = [one_arm(d[d["arm"] == a], ticks, rng, mode) for a in arms]
        except InputError as exc:
            rows.append({"dataset": name, "error": str(exc)})
            continue
        rebuilt = pd.concat([r["ipd"] for r in res], ignore_index=True)
        hr_true, hr_rec = hazard_ratio(d, arms), hazard_ratio(rebuilt, arms)
        for arm, r in zip(arms, res, strict=True):
            rows.append(
                {
                    "dataset": name,
                    "arm": arm,
                    "max_abs_dS": r["max_abs_dS"],
                    "mean_abs_dS": r["mean_abs_dS"],
                    "median_error": r["median_error"],
                    "landmark_abs_dS": " ".join(f"{v:.6f}" for v in r["landmark_abs_dS"]),
                    "hr_true": hr_true,
                    "hr_rebuilt": hr_rec,
                    "error": "",
                }
            )
    return pd.DataFrame(rows)


def summary(res: pd.DataFrame, mode: str) -> str:
    ok = res[res["error"] == ""]
    per_figure = ok.drop_duplicates("dataset")
    hr = (per_figure["hr_rebuilt"] - per_figure["hr_true"]).abs()
    log_hr = np.log(per_figure["hr_rebuilt"] / per_figure["hr_true"]).abs()
    med = ok["median_error"].abs().dropna()
    marks = pd.Series([float(v) for text in ok["landmark_abs_dS"] for v in str(text).split()])
    quantity = {
        "largest \\|ΔS\\| per arm": ok["max_abs_dS"],
        "mean \\|ΔS\\| per arm": ok["mean_abs_dS"],
        "\\|ΔS\\| at each x-axis tick (landmarks)": marks,
        "\\|Δ median\\| per arm (months)": med,
        "\\|Δ HR\\| per figure": hr,
        "\\|Δ log HR\\| per figure": log_hr,
    }
    lines = [
        f"**{mode}**: {per_figure['dataset'].nunique()} figures, {len(ok)} arms "
        f"({res.loc[res['error'] != '', 'dataset'].nunique()} figures refused with an "
        "InputError)",
        "",
        "| quantity | n | median | 90th percentile | 99th percentile | max |",
        "|---|---|---|---|---|---|",
    ]
    for label, values in quantity.items():
        q = np.quantile(values, [0.5, 0.9, 0.99]) if len(values) else [np.nan] * 3
        lines.append(
            f"| {label} | {len(values)} | {q[0]:.4f} | {q[1]:.4f} | {q[2]:.4f} | "
            f"{values.max():.4f} |"
        )
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kmdata", default="/tmp/kmdata", help="kmdata checkout (with data/*.rda)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--limit", type=int, default=None, help="first N data sets only")
    p.add_argument("--csv", default=None, help="also write the per-arm results here")
    p.add_argument("--modes", type=int, nargs="+", default=[0, 1, 2], help="variants to run")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = export(pathlib.Path(args.kmdata), pathlib.Path(tmp))
    start = time.perf_counter()
    out = []
    modes = (
        "step corners and a traced point every 1% of the axis; at-risk table",
        "step corners only; at-risk table",
        "step corners and traced points; n and total events only (no at-risk table)",
    )
    for mode in [modes[i] for i in args.modes]:
        res = run(data, args.seed, args.limit, mode)
        out.append(res.assign(mode=mode))
        print(summary(res, mode), end="\n\n")
    print(f"({time.perf_counter() - start:.0f} s, seed {args.seed})")
    if args.csv:
        pd.concat(out).to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
