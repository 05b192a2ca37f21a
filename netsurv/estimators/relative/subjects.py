"""Registry columns -> positions in a life table (days), validated once for every estimator.

Conventions (documented in :mod:`netsurv.estimators.relative.net`): follow-up in ``time_unit`` (a SEER month
is 365.24/12 days, a year 365.24 days); ages in years x 365.25 days (+ half a year for
completed ages, rounded to 1e-6 day so that days/365.25 round-trips); diagnosis on
``date_dx``, else the 15th of ``month``, else 1 July of ``year``; zero follow-up left out
(R ``relsurv`` drops it) unless ``zero_time`` gives it a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from netsurv.counting.validate import as_by, check_columns, check_names, prepare
from netsurv.errors import InputError
from netsurv.estimators.relative.ratemap import RATE_MAP_FIELDS, RateMap
from netsurv.ratetables.ratetable import _EPOCH, DAYS_PER_AGE_YEAR, RateTable, us, warn_beyond
from netsurv.ratetables.walk import start_positions
from netsurv.rules import UNIT_DAYS

__all__ = ["RATE_MAP_FIELDS", "RateMap", "Subjects", "anniversary_hazard", "subjects"]


@dataclass(frozen=True)
class Subjects:
    """Validated subjects in the life table's units (days)."""

    stratum: np.ndarray
    strata: pd.DataFrame
    by: tuple[str, ...]
    time: np.ndarray  # as given (time_unit)
    days: np.ndarray
    status: np.ndarray
    age: np.ndarray  # days, start position on the age axis
    pos: np.ndarray  # days since 1960-01-01, (shifted) start position on the year axis
    sex: np.ndarray
    race: np.ndarray
    table: RateTable
    excluded: pd.Series
    unit: float
    rows: np.ndarray  # positions in the input frame
    entry: np.ndarray | None = None  # days (left truncation)
    dx_days: np.ndarray | None = None  # diagnosis date, days since 1960-01-01 (unshifted)


def subjects(
    df: pd.DataFrame,
    *,
    time: str,
    event: str,
    by: str | Sequence[str] | None,
    rmap: RateMap,
    convention: Literal["survival", "relsurv"] = "relsurv",
    keep_zero: bool = False,
    anniversaries: bool = False,
) -> Subjects:
    """Validate the columns and convert them to the life table's days (see module doc).
    ``anniversaries`` (strs): diagnosis on 1 January of its year, no birthday shift."""
    time_unit, age, sex, year = rmap.time_unit, rmap.age, rmap.sex, rmap.year
    date_dx, month, race, entry = rmap.date_dx, rmap.month, rmap.race, rmap.entry
    zero_time = _zero_time(rmap.zero_time, time_unit)
    table = rmap.lifetable if rmap.lifetable is not None else us(race=race is not None)
    if anniversaries and table.birthday_shift:
        table = replace(table, birthday_shift=False)
    if year is not None and date_dx is not None and year not in df.columns:
        year = None  # exact dates only: no fallback column
    _check_all(df, time, event, rmap, year)
    work = pd.DataFrame(
        {c: df[c] for c in dict.fromkeys([time, event, *as_by(by)]) if c in df.columns},
        index=df.index,
    )
    if entry is not None:
        work[entry] = df[entry]
    drop_zero = not keep_zero and zero_time is None
    work["exclusion"] = _reasons(df, time, age, sex, race, date_dx, year, drop_zero)
    work["_row"] = np.arange(len(df), dtype=np.float64)
    p = prepare(work, time=time, event=event, by=by, weights="_row", entry=entry)
    rows = p.weights.astype(np.int64)  # type: ignore[union-attr]
    sub = df.iloc[rows]
    age_days = _age_days(sub, age, rmap.age_unit, rmap.completed_age, table.days_per_age_year)
    date_days = _diagnosis_days(sub, date_dx, year, month)
    if anniversaries:
        date_days = _january_first(date_days)
    age0, pos0 = start_positions(table, age_days, date_days, convention)
    if zero_time is not None:
        p = replace(p, time=np.where(p.time == 0, zero_time, p.time))
    days = p.time * UNIT_DAYS[time_unit]
    warn_beyond(table, float(np.max(date_days + days)))
    return Subjects(
        p.stratum,
        p.strata,
        p.by,
        p.time,
        days,
        p.event,
        age0,
        pos0,
        table.sex_index(sub[sex]),
        table.race_index(sub[race] if race is not None else None, len(sub)),
        table,
        p.excluded,
        UNIT_DAYS[time_unit],
        rows,
        None if p.entry is None else p.entry * UNIT_DAYS[time_unit],
        date_days,
    )


def _check_all(df: pd.DataFrame, time: str, event: str, rmap: RateMap, year: str | None) -> None:
    """Column names and columns of the analysis and of the population matching; a diagnosis
    date or year is required."""
    age, sex, race, date_dx, month = rmap.age, rmap.sex, rmap.race, rmap.date_dx, rmap.month
    check_names(
        {"time": time, "event": event, "entry": rmap.entry, "age": age, "sex": sex, "race": race}
        | {"date_dx": date_dx, "year": rmap.year, "month": month},
        required=("time", "event", "age", "sex"),
    )
    _check_columns(df, [age, sex, race, date_dx, year, month])
    check_columns(df, {"time": time, "event": event, "age": age, "sex": sex, "race": race})
    if date_dx is None and year is None:
        raise InputError("give date_dx= (exact diagnosis date) or year= (year of diagnosis)")


def _zero_time(zero_time: object, time_unit: str) -> float | None:
    """The follow-up given to rows with zero follow-up: "auto" is half a month on SEER months
    (a death in month 0 lived within the first month; see relative_survival), else none."""
    if isinstance(zero_time, str) and zero_time == "auto":
        return 0.5 if time_unit == "months" else None
    if zero_time is None:
        return None
    if (
        isinstance(zero_time, bool)
        or not isinstance(zero_time, int | float | np.integer | np.floating)
        or not zero_time > 0
    ):
        raise InputError(f"zero_time={zero_time!r}: give a positive time, e.g. 0.5 (months)")
    return float(zero_time)


def _check_columns(df: pd.DataFrame, columns: list[str | None]) -> None:
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise InputError(
            f"relative survival needs columns {missing} (age, sex and diagnosis date or year "
            "for the life table); name them with age=, sex=, year=/date_dx="
        )


def _reasons(
    df: pd.DataFrame,
    time: str,
    age: str,
    sex: str,
    race: str | None,
    date_dx: str | None,
    year: str | None,
    drop_zero: bool,
) -> pd.Series:
    """Exclusion reason per row: the reader's, else a missing life-table column, else zero
    follow-up (no time at risk)."""
    reason = df["exclusion"].astype(object) if "exclusion" in df.columns else None
    reason = pd.Series(pd.NA, index=df.index, dtype=object) if reason is None else reason.copy()
    for col in (age, sex, race):
        if col is not None:
            reason = reason.where(reason.notna() | df[col].notna(), f"missing {col}")
    # the diagnosis date: exact where known, else the year (and month) of diagnosis
    known = pd.Series(False, index=df.index)
    for col in (date_dx, year):
        if col is not None:
            known = known | df[col].notna()
    what = " and ".join(c for c in (date_dx, year) if c is not None)
    reason = reason.where(reason.notna() | known, f"missing {what}")
    if drop_zero and time in df.columns:
        t = pd.to_numeric(df[time], errors="coerce")
        reason = reason.where(reason.notna() | ~(t == 0), "zero follow-up (no time at risk)")
    return reason


def _age_days(
    sub: pd.DataFrame,
    age: str,
    age_unit: str,
    completed_age: bool | None,
    days_per_year: float = DAYS_PER_AGE_YEAR,
) -> np.ndarray:
    a = pd.to_numeric(sub[age], errors="coerce").to_numpy(dtype=np.float64)
    if age_unit == "days":
        age_days = a
    else:
        if completed_age is None:
            completed_age = bool(np.array_equal(a, np.floor(a)))
        # to the nearest 1e-6 day, so that an age given as days / 365.25 comes back to the
        # exact day count (the life-table walk compares age + t with cut points exactly)
        age_days = np.round((a + (0.5 if completed_age else 0.0)) * days_per_year, 6)
    if (age_days < 0).any() or (age_days > 130 * 366).any():
        raise InputError(f"age={age!r}: ages must lie in 0–130 years ({age_unit})")
    return age_days


def _diagnosis_days(
    sub: pd.DataFrame, date_dx: str | None, year: str | None, month: str | None
) -> np.ndarray:
    """Days since 1960-01-01: the exact date where known, else the 15th of the month, else
    1 July of the year (rows without any of these were excluded before)."""
    out = np.full(len(sub), np.nan)
    if date_dx is not None:
        raw = sub[date_dx]
        d = pd.to_datetime(raw, errors="coerce")
        bad = d.isna() & raw.notna()
        if bad.any():
            raise InputError(
                f"date_dx={date_dx!r}: value {raw[bad].iloc[0]!r} is not a date "
                f"({int(bad.sum())} such rows); fix or blank them"
            )
        known = d.notna().to_numpy()
        exact = d.to_numpy(dtype="datetime64[ns]")[known]
        out[known] = ((exact - _EPOCH) / np.timedelta64(1, "D")).astype(np.float64)
    rest = np.isnan(out)
    if not rest.any() or year is None:
        return out
    y = pd.to_numeric(sub[year], errors="coerce").to_numpy(dtype=np.float64)[rest]
    if not np.isfinite(y).all() or ((y < 1800) | (y > 2200)).any():
        raise InputError(f"year={year!r}: years of diagnosis must be numbers such as 2015")
    jan = (y.astype(np.int64) - 1970).astype("datetime64[Y]").astype("datetime64[M]")
    day = (jan + 6).astype("datetime64[D]")  # 1 July
    if month is not None:
        m = pd.to_numeric(sub[month], errors="coerce").to_numpy(dtype=np.float64)[rest]
        if ((m < 1) | (m > 12)).any():
            raise InputError(f"month={month!r}: months must be 1–12 (or NA when unknown)")
        has = ~np.isnan(m)
        mm = np.where(has, m, 1).astype(np.int64) - 1
        day = np.where(has, (jan + mm).astype("datetime64[D]") + 14, day)  # the 15th
    out[rest] = (day - _EPOCH).astype(np.float64)
    return out


def _january_first(date_days: np.ndarray) -> np.ndarray:
    """1 January of the year of each date (days since 1960-01-01)."""
    day = _EPOCH + np.floor(date_days).astype("timedelta64[D]")
    jan1 = day.astype("datetime64[Y]").astype("datetime64[D]")
    return (jan1 - _EPOCH).astype(np.float64)


def anniversary_hazard(s: Subjects, subj: np.ndarray, whole_years: np.ndarray) -> np.ndarray:
    """Daily hazard of the rate-table cell Stata ``strs`` uses for subject ``subj`` after
    ``whole_years`` complete years of follow-up: age = completed age at diagnosis + whole
    years, year = year of diagnosis + whole years (both change on anniversaries of diagnosis,
    ``_age = floor(age + _t0)``, ``_year = floor(yydx + _t0)`` with whole-number age and
    year). Ages are taken as completed years (``completed_age=False`` in the rate map)."""
    age0 = np.floor(s.age / s.table.days_per_age_year + 1e-9).astype(np.int64)
    dx = s.dx_days if s.dx_days is not None else s.pos
    day = np.datetime64("1960-01-01", "D") + np.floor(dx).astype("timedelta64[D]")
    year0 = day.astype("datetime64[Y]").astype(np.int64) + 1970
    return s.table.cell_hazard(
        age0[subj] + whole_years, s.sex[subj], s.race[subj], year0[subj] + whole_years
    )
