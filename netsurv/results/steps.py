"""Reading step curves at given times (R ``summary(survfit, times=, extend=)``).

A set of curves is one row per (stratum, distinct time), sorted by stratum then time; stratum
``s`` holds rows ``offsets[s]:offsets[s + 1]``. Every query (stratum, time) is answered by a
binary search inside its own stratum's rows, all queries at once, so no copy or combined key of
the (possibly ten-million-row) curve arrays is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from netsurv.errors import InputError

if TYPE_CHECKING:
    from netsurv.results.curves import SurvivalCurves

__all__ = ["query_times", "search_segments", "step_values"]


def query_times(times: npt.ArrayLike) -> np.ndarray:
    """The requested times as a float array; refuses text and NaN with an :class:`InputError`."""
    try:
        t = np.atleast_1d(np.asarray(times, dtype=np.float64))
    except (TypeError, ValueError):
        raise InputError(f"times={times!r}: give numbers, e.g. [12, 60]") from None
    if np.isnan(t).any():
        raise InputError("times: NaN is not a time; give numbers")
    return t


def search_segments(
    values: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    queries: np.ndarray,
    side: Literal["left", "right"],
) -> np.ndarray:
    """``np.searchsorted(values[lo:hi], q, side) + lo`` for every (lo, hi, q) at once.

    ``values[lo:hi]`` is sorted for each query. One vectorised bisection over all queries:
    about log2(longest segment) passes over the queries, none over ``values``.

    >>> v = np.array([1.0, 2.0, 2.0, 0.5, 3.0])
    >>> search_segments(v, np.array([0, 3]), np.array([3, 5]), np.array([2.0, 2.0]), "right")
    array([3, 4])
    """
    lo, hi = lo.astype(np.int64, copy=True), hi.astype(np.int64, copy=True)
    while True:
        active = lo < hi
        if not active.any():
            return lo
        mid = (lo + hi) // 2
        v = values[np.where(active, mid, 0)]  # values is not empty while a query is active
        after = v > queries if side == "right" else v >= queries  # mid is past the answer
        hi = np.where(active & after, mid, hi)
        lo = np.where(active & ~after, mid + 1, lo)


def _flows(
    counts: np.ndarray, start: np.ndarray, pos: np.ndarray, k: int, hit: np.ndarray
) -> np.ndarray:
    """Sum of ``counts`` over the rows after the previous requested time up to ``pos``
    (queries laid out stratum by stratum, times sorted within each stratum)."""
    ends = np.where(hit, pos + 1, start).reshape(k, -1)  # one past each query's last row
    begins = np.concatenate([start.reshape(k, -1)[:, :1], ends[:, :-1]], axis=1)
    return _range_sums(counts, begins.ravel(), ends.ravel())


def _range_sums(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``values[lo:hi].sum()`` for ranges in increasing order that do not overlap: one
    ``np.add.reduceat`` reading only the rows up to the last range's end, no cumulative sum.

    >>> _range_sums(np.arange(6.0), np.array([0, 2, 2, 5]), np.array([2, 2, 5, 6]))
    array([1., 0., 9., 5.])
    """
    out = np.zeros(len(lo))
    full = np.flatnonzero(lo < hi)  # reduceat gives values[lo] for an empty range
    if len(full):
        bounds = np.column_stack([lo[full], hi[full]]).ravel()
        if bounds[-1] == len(values):  # the last range runs to the end
            bounds = bounds[:-1]
        out[full] = np.add.reduceat(values, bounds)[::2]
    return out


def _take(values: np.ndarray, rows: np.ndarray, hit: np.ndarray, default: float) -> np.ndarray:
    """``values[rows]`` where ``hit``, else ``default``."""
    if not len(values):
        return np.full(len(rows), default)
    return np.where(hit, values[np.where(hit, rows, 0)], default)


def step_values(
    curves: SurvivalCurves, qs: np.ndarray, qt: np.ndarray, extend: bool
) -> dict[str, np.ndarray]:
    """Columns of ``at()`` for queries (stratum ``qs``, time ``qt``), stratum by stratum:
    every stratum asks the same times, sorted.
    """
    k = len(curves.strata)
    offsets = np.searchsorted(curves.stratum, np.arange(k + 1))
    start, stop = offsets[qs], offsets[qs + 1]
    pos = search_segments(curves.time, start, stop, qt, "right") - 1  # last row at or before t
    hit = pos >= start
    lower, upper = curves.band_at(np.where(hit, pos, 0)) if len(curves.time) else (1.0, 1.0)
    out = {
        "survival": _take(curves.survival, pos, hit, 1.0),
        "se_log": _take(curves.se_log, pos, hit, 0.0),
        # before the first time R reports S = 1 with the band (1, 1), whatever conf_type
        "lower": np.where(hit, lower, 1.0),
        "upper": np.where(hit, upper, 1.0),
        # events/censored in (previous requested time, t]
        "n_events": _flows(curves.n_events, start, pos, k, hit),
        "n_censored": _flows(curves.n_censored, start, pos, k, hit),
    }
    if not extend:
        _blank_beyond(out, qt > curves.last_time[qs])
    with np.errstate(invalid="ignore"):
        out["std_err"] = out["survival"] * out["se_log"]
    # at risk at t: the risk set of the first row at or after t (0 past the stratum's end)
    nxt = search_segments(curves.time, start, stop, qt, "left")
    out["n_at_risk"] = _take(curves.n_at_risk, nxt, nxt < stop, 0.0)
    return out


def _blank_beyond(out: dict[str, np.ndarray], beyond: np.ndarray) -> None:
    """Past a stratum's last follow-up: NaN, except a curve that reached 0 stays 0 (its
    standard error and band NaN), as R's ``summary.survfit`` without ``extend``."""
    zero = beyond & (out["survival"] == 0)
    gone = beyond & ~zero
    for name in ("survival", "n_events", "n_censored"):
        out[name] = np.where(gone, np.nan, out[name])
    for name in ("se_log", "lower", "upper"):
        out[name] = np.where(gone | zero, np.nan, out[name])
