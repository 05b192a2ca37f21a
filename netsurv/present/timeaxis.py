"""The x-axis of a survival plot: unit conversion, the visible window and the ticks.

The ticks are also the columns of the number-at-risk table, so they are chosen once here:
given (``ticks=``), a step (``break_every=``) or by default every 12 months (or a multiple,
at most 10 ticks) for month data and "nice" numbers otherwise, always inside the window.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from netsurv.errors import InputError

__all__ = ["scale", "tick_array", "window"]

_DIVISORS = {("months", "years"): 12.0, ("days", "years"): 365.25, ("days", "months"): 30.4375}


def scale(fit_unit: str | None, time_unit: str | None) -> tuple[float, str]:
    """(divisor, axis unit) that turn the fit's times into ``time_unit``."""
    unit = fit_unit or "time"
    if time_unit is None or time_unit == unit:
        return 1.0, unit
    if (unit, time_unit) not in _DIVISORS:
        raise InputError(
            f"time_unit={time_unit!r}: cannot convert the fit's {unit!r} to it; "
            "choose 'months' or 'years' for month data, 'days', 'months' or 'years' for days"
        )
    return _DIVISORS[unit, time_unit], time_unit


def _default_ticks(lo: float, hi: float, unit: str) -> np.ndarray:
    if unit == "months" and hi - lo >= 24:
        step = next((s for s in (6, 12, 24, 36, 48, 60, 120) if (hi - lo) / s <= 10), 120)
        return np.arange(np.ceil(lo / step) * step, hi + 1e-9, step, dtype=np.float64)
    from matplotlib.ticker import MaxNLocator

    locator = MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10], integer=unit == "years")
    ticks = np.asarray(locator.tick_values(lo, hi), dtype=np.float64)
    return np.asarray(ticks[(ticks >= lo) & (ticks <= hi * 1.0001)], dtype=np.float64)


def window(
    start: float, tmax: float, xlim: Any, time_max: float | None
) -> tuple[float, float, bool]:
    """(left, right, given) of the x-axis in display units (default: start to last time)."""
    if xlim is not None and time_max is not None:
        raise InputError("xlim and time_max: give one (time_max=T is xlim=(start, T))")
    if time_max is not None:
        xlim = (start, time_max)
    if xlim is None:
        return start, tmax, False
    lo, hi = (float(v) for v in xlim)
    if not hi > lo:
        raise InputError(f"xlim={xlim!r}: give (left, right) with right > left, in the axis unit")
    return lo, hi, True


def tick_array(
    ticks: Any, break_every: float | None, lo: float, hi: float, unit: str
) -> np.ndarray:
    """Tick positions inside [lo, hi]: given, every ``break_every``, or the default."""
    if ticks is not None and break_every is not None:
        raise InputError("ticks and break_every: give one (break_every=12 is ticks every 12)")
    if break_every is not None:
        if not break_every > 0:
            raise InputError(f"break_every={break_every!r}: give a positive step, e.g. 12")
        first = np.ceil(lo / break_every - 1e-9) * break_every
        arr = np.arange(first, hi + 1e-9 * break_every, break_every, dtype=np.float64)
    elif ticks is not None:
        arr = np.asarray(ticks, dtype=np.float64)
        if arr.ndim != 1 or arr.size == 0 or np.isnan(arr).any():
            raise InputError(f"ticks={ticks!r}: give a list of times such as [0, 12, 24, 36]")
    else:
        arr = _default_ticks(lo, hi, unit)
    inside = arr[(arr >= lo - 1e-9) & (arr <= hi + 1e-9)]
    if inside.size == 0:
        raise InputError(f"ticks={ticks!r}: none lies inside the x-axis ({lo:g} to {hi:g})")
    return inside
