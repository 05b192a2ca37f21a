"""Relative and net survival against population life tables (R ``relsurv`` and SEER*Stat).

* :func:`relative_survival` — net survival by Pohar Perme (default) or relative survival by
  the hazard-based Ederer II estimator, exactly as R ``relsurv::rs.surv`` computes them
  (``precision = 1``: expected hazards integrated in one-day steps between exit times).
* :func:`expected_survival` — expected (population) survival of a cohort (Ederer I) or of
  each subject, integrating the life table exactly across birthdays and New Years (R
  ``survival::survexp``).
* :func:`relative_survival_test` — the Pohar Perme log-rank-type comparison of net survival
  (R ``relsurv::rs.diff``).
* :func:`relative_life_table` — SEER*Stat's actuarial relative survival table (Ederer II).

Conventions (what turns registry columns into the days the life table needs):

* follow-up: ``time_unit`` "months" (a SEER month is 365.24 / 12 days), "days", or "years"
  (365.24 days);
* age at diagnosis in years (fractions allowed) × 365.25 days (``survexp.us``'s year); when
  every age is a whole number (completed years, as registries record it) half a year is added,
  the expected exact age of someone aged ``a`` completed years (``completed_age=False`` turns
  this off);
* diagnosis date: ``date_dx`` when given; otherwise 1 July of ``year`` (mid-year), or the 15th
  of the month when a ``month`` column is given (mid-month);
* rows with zero follow-up have no time at risk and are left out, as relsurv does, and counted
  in ``excluded``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from netsurv._validate import as_by, prepare
from netsurv.errors import InputError
from netsurv.lifetables.ratetable import _EPOCH, DAYS_PER_AGE_YEAR, RateTable, us, warn_beyond
from netsurv.lifetables.walk import start_positions
from netsurv.results import CONF_TYPES, ConfType, SurvivalCurves, confidence_band, z_value

__all__ = [
    "UNIT_DAYS",
    "expected_survival",
    "relative_life_table",
    "relative_survival",
    "relative_survival_test",
]

UNIT_DAYS = {"days": 1.0, "months": 365.24 / 12, "years": 365.24}
Method = Literal["pohar-perme", "ederer2"]


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


def subjects(
    df: pd.DataFrame,
    *,
    time: str,
    event: str,
    by: str | Sequence[str] | None,
    time_unit: str,
    age: str,
    sex: str,
    year: str | None,
    date_dx: str | None,
    month: str | None,
    race: str | None,
    lifetable: RateTable | None,
    completed_age: bool | None,
    age_unit: str = "years",
    entry: str | None = None,
    convention: Literal["survival", "relsurv"] = "relsurv",
) -> Subjects:
    """Validate the columns and convert them to the life table's days (see module doc)."""
    if time_unit not in UNIT_DAYS:
        raise InputError(f"time_unit={time_unit!r}: choose one of {', '.join(UNIT_DAYS)}")
    table = lifetable if lifetable is not None else us(race=race is not None)
    if not isinstance(table, RateTable):
        raise InputError("lifetable: give a netsurv.lifetables.RateTable (e.g. lifetables.us())")
    need = [c for c in (age, sex, date_dx if date_dx else year, month, race) if c is not None]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise InputError(
            f"relative survival needs columns {missing} (age, sex and diagnosis date or year "
            "for the life table); name them with age=, sex=, year=/date_dx="
        )
    work = pd.DataFrame(index=df.index)
    for col in dict.fromkeys([time, event, *need, *as_by(by)]):
        if col in df.columns:
            work[col] = df[col]
    if entry is not None:
        work[entry] = df[entry]
    reason = df["exclusion"].astype(object) if "exclusion" in df.columns else None
    reason = pd.Series(pd.NA, index=df.index, dtype=object) if reason is None else reason.copy()
    for col in need:
        reason = reason.where(reason.notna() | df[col].notna(), f"missing {col}")
    t = pd.to_numeric(df[time], errors="coerce") if time in df.columns else None
    if t is not None:
        reason = reason.where(reason.notna() | ~(t == 0), "zero follow-up (no time at risk)")
    work["exclusion"] = reason
    work["_row"] = np.arange(len(df), dtype=np.float64)
    p = prepare(work, time=time, event=event, by=by, weights="_row", entry=entry)
    rows = p.weights.astype(np.int64)  # type: ignore[union-attr]
    sub = df.iloc[rows]
    a = pd.to_numeric(sub[age], errors="coerce").to_numpy(dtype=np.float64)
    if age_unit == "days":
        age_days = a
    else:
        if completed_age is None:
            completed_age = bool(np.array_equal(a, np.floor(a)))
        age_days = (a + (0.5 if completed_age else 0.0)) * DAYS_PER_AGE_YEAR
    if (age_days < 0).any() or (age_days > 130 * 366).any():
        raise InputError(f"age={age!r}: ages must lie in 0–130 years ({age_unit})")
    date_days = _diagnosis_days(sub, date_dx, year, month)
    sx = table.sex_index(sub[sex])
    rc = table.race_index(sub[race] if race is not None else None, len(sub))
    age0, pos0 = start_positions(table, age_days, date_days, convention)
    days = p.time * UNIT_DAYS[time_unit]
    warn_beyond(table, float(np.max(date_days + days)))
    return Subjects(p.stratum, p.strata, p.by, p.time, days, p.event, age0, pos0, sx, rc, table,
                    p.excluded, UNIT_DAYS[time_unit])  # fmt: skip


def _diagnosis_days(
    sub: pd.DataFrame, date_dx: str | None, year: str | None, month: str | None
) -> np.ndarray:
    if date_dx is not None:
        d = pd.to_datetime(sub[date_dx], errors="coerce")
        if d.isna().any():
            raise InputError(f"date_dx={date_dx!r}: {int(d.isna().sum())} values are not dates")
        return ((d.to_numpy(dtype="datetime64[ns]") - _EPOCH) / np.timedelta64(1, "D")).astype(
            np.float64
        )
    if year is None:
        raise InputError("give date_dx= (exact diagnosis date) or year= (year of diagnosis)")
    y = pd.to_numeric(sub[year], errors="coerce").to_numpy(dtype=np.float64)
    if month is not None:
        m = pd.to_numeric(sub[month], errors="coerce").to_numpy(dtype=np.float64)
        if not ((m >= 1) & (m <= 12)).all():
            raise InputError(f"month={month!r}: months must be 1–12")
        day = np.array([f"{int(a):04d}-{int(b):02d}-15" for a, b in zip(y, m, strict=True)],
                       dtype="datetime64[D]")  # fmt: skip
    else:
        day = np.array([f"{int(a):04d}-07-01" for a in y], dtype="datetime64[D]")
    return (day - _EPOCH).astype(np.float64)


def _segment_cumprod(x: np.ndarray, stratum: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    bounds = np.searchsorted(stratum, np.arange(int(stratum.max(initial=-1)) + 2))
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):  # per stratum: short arrays
        out[a:b] = np.multiply.accumulate(x[a:b])
    return out


def relative_survival(
    df: pd.DataFrame,
    *,
    time: str = "survival_months",
    event: str = "dead",
    by: str | Sequence[str] | None = None,
    method: Method = "pohar-perme",
    time_unit: str = "months",
    age: str = "age_dx",
    sex: str = "sex",
    year: str | None = "year_dx",
    date_dx: str | None = None,
    month: str | None = None,
    race: str | None = None,
    lifetable: RateTable | None = None,
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
    completed_age: bool | None = None,
    age_unit: Literal["years", "days"] = "years",
) -> SurvivalCurves:
    """Net survival (Pohar Perme) or relative survival (Ederer II), per stratum of ``by``.

    Follows R ``relsurv::rs.surv(..., precision = 1)``: at each distinct exit time t_j,

    * Pohar Perme: λ_j = Σ dN_i/S_P,i / Σ Y_i/S_P,i − ∫ weighted population hazard over
      (t_{j−1}, t_j]; S(t) = Π (1 − λ_j); var log S = Σ (Σ dN_i/S_P,i²) / (Σ Y_i/S_P,i)²;
    * Ederer II: λ_j = (d_j − Σ_i ∫ λ_P,i) / n_j; var log S = Σ d_j / n_j².

    Parameters
    ----------
    df : canonical registry frame (one row per tumour).
    time, event, by : follow-up, death indicator, grouping columns.
    method : "pohar-perme" (net survival, default) or "ederer2".
    time_unit : unit of ``time``: "months" (365.24/12 days), "days" or "years" (365.24 days).
    age, sex : age at diagnosis (years, or days with ``age_unit="days"``) and sex columns.
    year, month, date_dx : diagnosis date: ``date_dx`` (exact) when given, else mid-month or
        mid-year (see the module docstring).
    race : race column for a table by race (``lifetables.us(race=True)`` is then the default).
    lifetable : a :class:`netsurv.lifetables.RateTable`; default the US tables 1940–2020.
    conf_type, conf_level : pointwise confidence band on S (as for Kaplan–Meier).
    completed_age : add half a year to ages (None: when all ages are whole numbers).

    Returns
    -------
    SurvivalCurves
        ``survival`` is net (or relative) survival; ``std_err`` its standard error.

    Examples
    --------
    With no background mortality net survival is the Kaplan–Meier estimate:

    >>> import numpy as np, pandas as pd
    >>> from netsurv.lifetables import RateTable
    >>> zero = RateTable(np.zeros((110, 2, 1, 81)), np.arange(110), np.arange(1940, 2021))
    >>> df = pd.DataFrame({"t": [3, 5, 5, 8], "d": [1, 0, 1, 1], "age_dx": 60.0,
    ...                    "sex": "female", "year_dx": 2010})
    >>> relative_survival(df, time="t", event="d", lifetable=zero).to_frame()["survival"].tolist()
    [0.75, 0.5, 0.0]
    """
    if method not in ("pohar-perme", "ederer2"):
        raise InputError(f"method={method!r}: choose 'pohar-perme' or 'ederer2'")
    if conf_type not in CONF_TYPES:
        raise InputError(f"conf_type={conf_type!r}: choose one of {', '.join(CONF_TYPES)}")
    z_value(conf_level)
    s = subjects(df, time=time, event=event, by=by, time_unit=time_unit, age=age, sex=sex,
                 year=year, date_dx=date_dx, month=month, race=race, lifetable=lifetable,
                 completed_age=completed_age, age_unit=age_unit)  # fmt: skip
    return _estimate(s, method, conf_type, conf_level, time_unit)


def net_sums(s: Subjects, weighted: bool) -> tuple[object, dict[str, np.ndarray]]:
    """Step grid and finished interval sums for validated subjects."""
    from netsurv.lifetables.netsums import finish, step_grid, subject_sums

    grid = step_grid(s.stratum, s.days, len(s.strata))
    sums = subject_sums(grid, s.table, s.stratum, s.days, s.status, s.age, s.pos, s.sex,
                        s.race, weighted=weighted)  # fmt: skip
    return grid, finish(grid, sums)


def _estimate(
    s: Subjects, method: str, conf_type: str, conf_level: float, time_unit: str
) -> SurvivalCurves:
    grid, q = net_sums(s, weighted=method == "pohar-perme")
    st = grid.stratum  # type: ignore[attr-defined]
    yi, dni = q["yi"], q["dni"]
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "pohar-perme":
            haz = q["dnisi"] / q["yisi"] - q["fint"]
            var = q["dnisisq"] / q["yisi"] ** 2
            measure = "net survival (Pohar Perme)"
        else:
            haz = (dni - q["yidli"]) / yi
            var = dni / yi**2
            measure = "relative survival (Ederer II)"
    from netsurv.kaplan_meier import segment_cumsum

    survival = _segment_cumprod(1.0 - haz, st)
    se_log = np.sqrt(segment_cumsum(var, st))
    lower, upper = confidence_band(survival, se_log, conf_type, conf_level)
    # original time values (not days / unit) so that at(60) finds month 60 exactly
    j = _interval_of(grid, s)
    times = np.zeros(len(st))
    times[j] = s.time
    nxt = np.r_[yi[1:], 0.0] * np.r_[st[1:] == st[:-1], False]
    k = len(s.strata)
    last_row = np.searchsorted(st, np.arange(k), side="right") - 1
    return SurvivalCurves(
        by=s.by, strata=s.strata, stratum=st, time=times, n_at_risk=yi, n_events=dni,
        n_censored=yi - nxt - dni, survival=survival, se_log=se_log, lower=lower, upper=upper,
        conf_type=conf_type, conf_level=conf_level,
        n=np.bincount(s.stratum, minlength=k).astype(np.float64), last_time=times[last_row],
        excluded=s.excluded, counts=None, measure=measure, time_unit=time_unit,
    )  # fmt: skip


def _interval_of(grid: object, s: Subjects) -> np.ndarray:
    from netsurv.lifetables.netsums import _locate

    return _locate(grid, s.stratum, s.days)  # type: ignore[arg-type]
