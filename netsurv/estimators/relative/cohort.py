"""Relative survival as observed over cohort-expected survival: Ederer I and Hakulinen.

Both divide the Kaplan–Meier estimate of observed survival by an expected survival of the
cohort, as R ``relsurv::rs.surv(method = "ederer1" | "hakulinen")`` computes them:

* **Ederer I**: expected survival at t is the mean of exp(−Λ*_i(t)) over *every* patient of
  the stratum, whatever their follow-up (complete follow-up assumed).
* **Hakulinen**: patients are expected to stay in the cohort until their *potential* follow-up
  ends — the censoring time of a censored patient, the end of the study (the latest
  diagnosis date + follow-up in the data) for one who died. Over each interval
  (t_{j−1}, t_j] of the grid, the expected hazard is Σ_i S*_i(t_j) ΔΛ*_i / Σ_i S*_i(t_j) over
  those potentially followed at t_j, and expected survival exp(−Σ_j …).

The grid is every distinct exit time of the stratum (Hakulinen: with the potential follow-up
times up to the last exit time added); the life table is walked exactly (R's ``pystep``).
Standard error of log relative survival: sqrt(Σ d_j / n_j²), as relsurv reports it.
"""

from __future__ import annotations

import numpy as np

from netsurv.estimators.relative.subjects import Subjects
from netsurv.ratetables.walk import cumhaz_at, walk
from netsurv.results.bands import confidence_band
from netsurv.results.curves import SurvivalCurves

__all__ = ["cohort_relative"]

_CELLS = 4_000_000  # subjects x grid times evaluated at once


def _cumhaz(s: Subjects, rows: np.ndarray, grid_days: np.ndarray) -> np.ndarray:
    """Expected cumulative hazard of the subjects ``rows`` at each grid time (rows x grid)."""
    out = np.empty((len(rows), len(grid_days)))
    step = max(1, _CELLS // max(len(grid_days), 1))
    stop_at = float(grid_days[-1]) + 1.0
    for lo in range(0, len(rows), step):
        r = rows[lo : lo + step]
        pieces = walk(s.table, s.age[r], s.pos[r], s.sex[r], s.race[r], np.full(len(r), stop_at))
        out[lo : lo + step] = cumhaz_at(pieces, len(r), grid_days)
    return out


def _stratum_curve(
    s: Subjects, rows: np.ndarray, method: str, end_of_study: float
) -> dict[str, np.ndarray]:
    y, status = s.days[rows], s.status[rows]
    grid = np.unique(y)
    # potential follow-up (Hakulinen): to the end of the study for the dead, else observed
    dx = s.dx_days[rows] if s.dx_days is not None else np.zeros(len(rows))
    potential = np.where(status > 0, end_of_study - dx, y)
    if method == "hakulinen":
        grid = np.unique(np.concatenate([grid, np.minimum(potential, grid[-1])]))
    at_risk = (len(y) - np.searchsorted(np.sort(y), grid, side="left")).astype(np.float64)
    died = np.bincount(np.searchsorted(grid, y), weights=status, minlength=len(grid))
    lam = _cumhaz(s, rows, grid)
    surv_star = np.exp(-lam)
    if method == "ederer1":
        expected = surv_star.mean(axis=0)
    else:
        d_lam = np.diff(lam, axis=1, prepend=0.0)
        followed = potential[:, None] >= grid[None, :]
        num = (followed * d_lam * surv_star).sum(axis=0)
        den = (followed * surv_star).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = np.exp(-np.cumsum(np.where(den > 0, num / den, 0.0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = np.cumprod(1.0 - died / at_risk)
        se_log = np.sqrt(np.cumsum(died / at_risk**2))
    exits = np.bincount(np.searchsorted(grid, y), minlength=len(grid)).astype(np.float64)
    return {
        "days": grid,
        "n_at_risk": at_risk,
        "n_events": died,
        "n_censored": exits - died,
        "survival": observed / expected,
        "se_log": se_log,
        "expected": expected,
    }


def cohort_relative(
    s: Subjects, method: str, conf_type: str, conf_level: float, time_unit: str | None
) -> SurvivalCurves:
    """Ederer I or Hakulinen relative survival curves for validated subjects."""
    dx = s.dx_days if s.dx_days is not None else np.zeros(len(s.days))
    end_of_study = float(np.max(dx + s.days)) if len(s.days) else 0.0
    parts = []
    for k in range(len(s.strata)):
        rows = np.flatnonzero(s.stratum == k)
        part = _stratum_curve(s, rows, method, end_of_study)
        part["stratum"] = np.full(len(part["days"]), k)
        parts.append(part)
    cat = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        lower, upper = confidence_band(
            cat["survival"], cat["se_log"], conf_type, conf_level, upper_limit=None
        )
    times = cat["days"] / s.unit
    last = np.array([p["days"][-1] / s.unit for p in parts])
    name = "Ederer I" if method == "ederer1" else "Hakulinen"
    return SurvivalCurves(
        by=s.by,
        strata=s.strata,
        stratum=cat["stratum"],
        time=times,
        n_at_risk=cat["n_at_risk"],
        n_events=cat["n_events"],
        n_censored=cat["n_censored"],
        survival=cat["survival"],
        se_log=cat["se_log"],
        limits=(lower, upper),
        conf_type=conf_type,
        conf_level=conf_level,
        n=np.bincount(s.stratum, minlength=len(s.strata)).astype(np.float64),
        last_time=last,
        excluded=s.excluded,
        counts=None,
        measure=f"relative survival ({name})",
        time_unit=time_unit,
    )
