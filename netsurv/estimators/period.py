"""Period analysis (Brenner): survival of the patients at risk in a recent calendar window.

Each patient contributes only the follow-up that falls inside the window
[``start``, ``end``]: it enters at ``entry = max(0, start − dx)`` and leaves at
``exit = min(follow-up, end − dx)`` (a death after ``end`` is censored at ``end``). The
estimators then treat ``entry`` as left truncation (at risk when entry < t <= exit), so the
survival curve is built from the recent conditional survival of every cohort — the
up-to-date figure SEER*Stat and CONCORD publish for recent years.

>>> import pandas as pd
>>> df = pd.DataFrame({"date_dx": pd.to_datetime(["2015-01-01", "2019-01-01", "2022-06-01"]),
...                    "survival_months": [96.0, 10.0, 3.0], "dead": [False, True, False]})
>>> w = period_window(df, start="2017-01-01", end="2021-12-31")
>>> w[["entry", "exit", "dead", "exclusion"]].round(2)  # 731 and 2557 days / (365.24/12)
   entry   exit   dead              exclusion
0  24.02  84.01  False                   <NA>
1   0.00  10.00   True                   <NA>
2    NaN    NaN  False  outside period window
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from netsurv.errors import InputError
from netsurv.rules import UNIT_DAYS

__all__ = ["PERIOD_EXCLUSION", "period_window"]

PERIOD_EXCLUSION = "outside period window"


def period_window(
    df: pd.DataFrame,
    start: str | pd.Timestamp = "2017-01-01",
    end: str | pd.Timestamp = "2021-12-31",
    *,
    date_dx: str = "date_dx",
    year: str = "year_dx",
    month: str | None = "month_dx",
    time: str = "survival_months",
    event: str = "dead",
    time_unit: str = "months",
    entry: str = "entry",
    exit: str = "exit",
) -> pd.DataFrame:
    """Restrict follow-up to a calendar window; returns a copy with ``entry``/``exit`` columns.

    Parameters
    ----------
    df : canonical registry frame.
    start, end : the window (dates; ``end`` inclusive: follow-up up to the end of that day).
    date_dx : exact diagnosis date column; where it is missing (or absent), the 15th of
        ``month`` of ``year`` (1 July when the month is unknown) is used.
    time, event, time_unit : follow-up, death indicator and the unit of ``time``
        (a SEER month is 365.24/12 days).
    entry, exit : names of the new columns (same unit as ``time``).

    Returns
    -------
    pandas.DataFrame
        All rows. ``event`` is False where the death falls after the window. Rows whose
        window follow-up is empty (exit <= entry: diagnosed after the window, or dead or lost
        before it) get ``exclusion = "outside period window"`` (unless they already had a
        reason), so every estimator leaves them out and counts them. ``attrs["period"]``
        records the window and the number of such rows.
        Use: ``kaplan_meier(w, time="exit", entry="entry")``,
        ``relative_survival(w, time="exit", entry="entry")``.
    """
    if time_unit not in UNIT_DAYS:
        raise InputError(f"time_unit={time_unit!r}: choose one of {', '.join(UNIT_DAYS)}")
    t0, t1 = pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1)
    if not t1 > t0:
        raise InputError(f"start={start!r}, end={end!r}: the window must end after it starts")
    for col in (time, event):
        if col not in df.columns:
            raise InputError(f"no column {col!r}; name the follow-up with time= and event=")
    dx = _diagnosis_dates(df, date_dx, year, month)
    unit = UNIT_DAYS[time_unit]
    follow = pd.to_numeric(df[time], errors="coerce").to_numpy(dtype=np.float64)
    before = ((t0 - dx).dt.days.to_numpy(dtype=np.float64, na_value=np.nan)) / unit
    after = ((t1 - dx).dt.days.to_numpy(dtype=np.float64, na_value=np.nan)) / unit
    ent = np.maximum(0.0, before)
    ext = np.minimum(follow, after)
    out = df.copy()
    dead = out[event].astype("boolean")
    out[event] = dead & pd.array(follow <= after, dtype="boolean")
    with np.errstate(invalid="ignore"):
        empty = ~(ext > ent) & ~np.isnan(follow) & ~np.isnan(after)
    out[entry] = np.where(empty, np.nan, ent)
    out[exit] = np.where(empty, np.nan, ext)
    reason = (
        out["exclusion"].astype("string")
        if "exclusion" in out.columns
        else pd.Series(pd.NA, index=out.index, dtype="string")
    )
    out["exclusion"] = reason.mask(reason.isna() & empty, PERIOD_EXCLUSION)
    out.attrs["period"] = {
        "start": str(t0.date()),
        "end": str((t1 - pd.Timedelta(days=1)).date()),
        "n_outside": int(empty.sum()),
    }
    return out


def _diagnosis_dates(df: pd.DataFrame, date_dx: str, year: str, month: str | None) -> pd.Series:
    exact = (
        pd.to_datetime(df[date_dx], errors="coerce")
        if date_dx in df.columns
        else pd.Series(pd.NaT, index=df.index)
    )
    if not exact.isna().any():
        return exact
    if year not in df.columns:
        raise InputError(
            f"date_dx={date_dx!r} is missing for some rows and there is no {year!r} column; "
            "give the diagnosis date or year"
        )
    y = pd.to_numeric(df[year], errors="coerce")
    m = (
        pd.to_numeric(df[month], errors="coerce")
        if month is not None and month in df.columns
        else pd.Series(np.nan, index=df.index)
    )
    mid = pd.to_datetime(
        {"year": y.fillna(1970), "month": m.fillna(7), "day": np.where(m.isna(), 1, 15)},
        errors="coerce",
    ).where(y.notna())
    return exact.fillna(mid)
