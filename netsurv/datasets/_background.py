"""Background (all-cause population) mortality of the simulator, from the US life tables.

The hazard of a simulated person is piecewise constant over *years of follow-up*: during the
k-th year after the hazard origin (k = 0, 1, ...) it is the life-table daily hazard at the age
and calendar year reached at the middle of that year (age ``floor(age0 + k + 0.5)``, capped at
109; year ``floor(t0 + k + 0.5)`` with ``t0`` the decimal date of the origin, clipped to the
table's 1940-2020 — years after 2020 carry 2020 forward, the convention of R ``relsurv``).
The same step function is used to draw background deaths and to compute the analytic
("true") survival, so both agree exactly.

The table is :func:`netsurv.ratetables.us` (the US tables of R ``survival::survexp.us``, read
from ``netsurv/ratetables/data/us_by_age_sex_year.csv.gz``) as an array [sex, age, year].
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

from netsurv.datasets._model import DAYS_PER_YEAR
from netsurv.ratetables import us

__all__: list[str] = []

N_STEPS = 24  # 24 follow-up years cover 2000-01-01 .. 2022-12-31 (8400 days)
_FIRST_YEAR, _LAST_YEAR, _MAX_AGE = 1940, 2020, 109


@functools.lru_cache(maxsize=1)
def us_daily_hazard() -> npt.NDArray[np.float64]:
    """Array ``[sex (0 male, 1 female), age 0..109, year 1940..2020]`` of daily hazards."""
    table = us()
    if (
        table.sexes != ("male", "female")
        or int(table.ages[-1]) != _MAX_AGE
        or (int(table.years[0]), int(table.years[-1])) != (_FIRST_YEAR, _LAST_YEAR)
    ):
        raise RuntimeError(
            "netsurv.ratetables.us() no longer has the layout the simulator was calibrated "
            f"with (male/female, ages 0-{_MAX_AGE}, years {_FIRST_YEAR}-{_LAST_YEAR}); "
            "recalibrate netsurv.datasets (netsurv.datasets.calibration.calibrate)."
        )
    hazard: npt.NDArray[np.float64] = np.ascontiguousarray(
        table.hazard[:, :, 0, :].transpose(1, 0, 2), dtype=np.float64
    )
    return hazard


def step_hazards(
    female: npt.NDArray[np.bool_],
    age0: npt.NDArray[np.float64],
    decimal_date0: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Daily hazard per follow-up year and cumulative hazard at each year boundary.

    Returns ``(rate, cum)``: ``rate[i, k]`` is the daily hazard in follow-up year k and
    ``cum[i, k]`` the cumulative hazard at the start of year k (``cum[:, 0] == 0``; shape
    ``(n, N_STEPS + 1)``).
    """
    table = us_daily_hazard()
    k = np.arange(N_STEPS) + 0.5
    age = np.minimum(np.floor(age0[:, None] + k), _MAX_AGE).astype(np.intp)
    year = np.clip(np.floor(decimal_date0[:, None] + k), _FIRST_YEAR, _LAST_YEAR).astype(np.intp)
    rate = table[female.astype(np.intp)[:, None], age, year - _FIRST_YEAR]
    cum = np.zeros((len(age0), N_STEPS + 1))
    np.cumsum(rate * DAYS_PER_YEAR, axis=1, out=cum[:, 1:])
    return rate, cum


def cumulative(
    rate: npt.NDArray[np.float64], cum: npt.NDArray[np.float64], days: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Cumulative background hazard at ``days`` after the origin (``days`` shape (n, m))."""
    step = np.minimum((days // DAYS_PER_YEAR).astype(np.intp), N_STEPS - 1)
    rows = np.arange(len(rate))[:, None]
    return cum[rows, step] + rate[rows, step] * (days - step * DAYS_PER_YEAR)


def draw_death_days(
    rate: npt.NDArray[np.float64], cum: npt.NDArray[np.float64], e: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Invert the cumulative hazard at unit-exponential draws ``e`` (inf beyond the table)."""
    step = (cum[:, 1:] < e[:, None]).sum(axis=1)  # follow-up year in which H crosses e
    inside = step < N_STEPS
    rows = np.flatnonzero(inside)
    out = np.full(len(e), np.inf)
    s = step[inside]
    out[inside] = s * DAYS_PER_YEAR + (e[inside] - cum[rows, s]) / rate[rows, s]
    return out
