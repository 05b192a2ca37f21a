"""The inputs of :func:`netsurv.reconstruct_ipd` checked and aligned: the digitised curve
(sorted, non-increasing from (0, 1)) and the at-risk table (from time 0, never rising), each
interval of the table given a click. Errors say which row of which table is wrong and why.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import isotonic_regression

from netsurv.errors import InputError

__all__ = ["SHORTFALL", "align", "clean_curve", "count", "risk_table"]

SHORTFALL = 2  # patients of rounding allowed when a table is checked against the curve


def count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError(f"{name} must be a whole number, got {value!r}.")
    if not math.isfinite(value) or value < 0 or value != int(value):
        raise InputError(f"{name} must be a whole number >= 0, got {value!r}.")
    return int(value)


def columns(df: Any, name: str, cols: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(df, pd.DataFrame):
        raise InputError(
            f"{name} must be a DataFrame with columns {cols}, got {type(df).__name__}."
        )
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(
            f"{name} has no column(s) {missing}; it needs {list(cols)} "
            f"(found {list(df.columns)}). Rename the columns and try again."
        )
    out = []
    for col in cols:
        values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(values))
        if len(bad):
            raise InputError(
                f"{name}[{col!r}] must be finite numbers; row {bad[0]} has {df[col].iloc[bad[0]]!r}."
            )
        out.append(values)
    if not len(out[0]):
        raise InputError(f"{name} has no rows.")
    return out[0], out[1]


def clean_curve(curve: Any) -> tuple[np.ndarray, np.ndarray]:
    """Digitised points -> sorted, unique times with non-increasing survival from (0, 1)."""
    time, surv = columns(curve, "curve", ("time", "survival"))
    if (time < 0).any():
        raise InputError(
            f"curve['time'] has negative values (smallest {time.min():g}): check the x-axis "
            "calibration of the digitisation, or clip tiny negative clicks to 0."
        )
    if surv.max() > 1.5:  # a percentage scale
        surv = surv / 100.0
    if surv.min() < -0.05 or surv.max() > 1.05:
        raise InputError(
            f"curve['survival'] runs from {surv.min():g} to {surv.max():g}; it must be a "
            "proportion in [0, 1] or a percentage in [0, 100]: check the y-axis calibration."
        )
    pts = pd.DataFrame({"t": time, "s": np.clip(surv, 0.0, 1.0)})
    lowest = pts[pts["t"] > 0].groupby("t", sort=True)["s"].min()  # tied clicks: after the drop
    t = np.r_[0.0, lowest.index.to_numpy(dtype=float)]
    y = np.r_[1.0, lowest.to_numpy(dtype=float)]
    return t, isotonic_regression(y, increasing=False).x


def risk_table(at_risk: Any, n: Any) -> tuple[np.ndarray, np.ndarray]:
    """The at-risk table as (times, counts), starting at time 0."""
    if at_risk is None:
        if n is None:
            raise InputError(
                "reconstruct_ipd needs the number of patients: pass at_risk= (the at-risk "
                "table under the figure) or n= (the number randomised to the arm)."
            )
        return np.array([0.0]), np.array([count(n, "n")])
    times, counts = columns(at_risk, "at_risk", ("time", "n_at_risk"))
    order = np.argsort(times, kind="stable")
    times, counts = times[order], counts[order]
    if (times < 0).any() or (np.diff(times) == 0).any():
        raise InputError(f"at_risk['time'] must be distinct times >= 0, got {times.tolist()}.")
    if (counts < 0).any() or (counts != np.round(counts)).any():
        raise InputError(f"at_risk['n_at_risk'] must be whole numbers >= 0, got {counts.tolist()}.")
    if times[0] > 0:
        if n is None:
            raise InputError(
                f"at_risk starts at time {times[0]:g}, not 0: add the number randomised at "
                "time 0 as a row, or pass n=."
            )
        times, counts = np.r_[0.0, times], np.r_[count(n, "n"), counts]
    elif n is not None and count(n, "n") != counts[0]:
        raise InputError(f"n={n} disagrees with at_risk, which has {counts[0]:g} at time 0.")
    rises = np.flatnonzero(np.diff(counts) > 0)
    if len(rises):
        i = rises[0]
        raise InputError(
            f"at_risk['n_at_risk'] rises from {counts[i]:g} at time {times[i]:g} to "
            f"{counts[i + 1]:g} at time {times[i + 1]:g}; numbers at risk never increase "
            "(is a row from the other arm, or are two columns swapped?)."
        )
    if counts[0] < 1:
        raise InputError("at_risk has no patient at time 0.")
    zero = np.flatnonzero(counts == 0)
    if len(zero):  # nobody is at risk after the first 0
        times, counts = times[: zero[0] + 1], counts[: zero[0] + 1]
    return times, counts.astype(np.int64)


def align(
    t: np.ndarray, s: np.ndarray, t_risk: np.ndarray, n_risk: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut the curve where no one can be at risk; give every interval a click at or after it."""
    if n_risk[-1] == 0:  # clicks after everyone left carry no information
        keep = t <= t_risk[-1]
        t, s = t[keep], s[keep]
    zero = np.flatnonzero(s == 0)
    if len(zero):  # the curve reached 0: nobody remains afterwards
        t0 = t[zero[0]]
        start = n_risk[np.searchsorted(t_risk, t0, side="right") - 1]  # at risk before the drop
        late = (t_risk > t0) & (n_risk > SHORTFALL + 0.1 * start)
        if late.any():  # a patient or two just after the drop to 0 is digitising noise
            i = np.flatnonzero(late)[0]
            raise InputError(
                f"at_risk has {n_risk[i]} patients at time {t_risk[i]:g}, but the curve "
                f"reaches 0 at time {t0:g}: nobody can be at risk once everyone has had the "
                "event. Check that the curve and the at-risk row belong to the same arm."
            )
        keep = t_risk <= t0
        t_risk, n_risk = t_risk[keep], n_risk[keep]
        t, s = t[: zero[0] + 1], s[: zero[0] + 1]
    # an interval [t_i, t_i+1) without a click gets one at t_i (the curve is flat between clicks)
    ends = np.r_[t_risk[1:], np.inf]
    first = np.searchsorted(t, t_risk, side="left")
    empty = (first >= len(t)) | (t[np.minimum(first, len(t) - 1)] >= ends)
    if empty.any():
        add_t = t_risk[empty]
        add_s = s[np.searchsorted(t, add_t, side="right") - 1]
        t, s = np.r_[t, add_t], np.r_[s, add_s]
        order = np.argsort(t, kind="stable")
        t, s = t[order], s[order]
    return t, s, t_risk, n_risk
