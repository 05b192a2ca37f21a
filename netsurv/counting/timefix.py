"""R's timefix: float times that differ only by round-off count as one time.

R ``survival`` (``aeqSurv``, ``timefix=TRUE``) sorts the distinct times and merges each run of
values closer than a tolerance (``sqrt(.Machine$double.eps)``, absolutely or relative to their
mean absolute value) into the run's first value. Every engine applies it through this module.
"""

from __future__ import annotations

import numpy as np

from netsurv.rules import TIMEFIX_TOLERANCE

__all__ = ["tie_threshold", "timefix", "timefix_sorted"]


def timefix(
    time: np.ndarray, entry: np.ndarray | None = None, tolerance: float = TIMEFIX_TOLERANCE
) -> tuple[np.ndarray, np.ndarray | None]:
    """Merge times that differ only by round-off, as R's ``aeqSurv`` does.

    Distinct values (of exit and entry times together) closer than ``tolerance``, absolutely
    or relative to their mean absolute value, are replaced by the smallest value of their run.

    >>> timefix(np.array([1.0, 1.0 + 1e-12, 2.0]))[0].tolist()
    [1.0, 1.0, 2.0]
    """
    values = time if entry is None else np.concatenate([time, entry])
    order = np.argsort(values)
    fixed = np.empty_like(values, dtype=np.float64)
    fixed[order] = timefix_sorted(values[order].astype(np.float64), tolerance)
    if entry is None:
        return fixed, None
    return fixed[: len(time)], fixed[len(time) :]


def timefix_sorted(ts: np.ndarray, tolerance: float = TIMEFIX_TOLERANCE) -> np.ndarray:
    """:func:`timefix` of sorted finite times: each run of near-equal values becomes its first."""
    if len(ts) < 2:
        return ts
    new, u = _distinct(ts)
    tied = _tied(u, tolerance)
    if tied is None:
        return ts
    run_first = np.r_[True, ~tied]  # distinct value that starts a run of tied values
    run_id = np.cumsum(run_first) - 1
    return u[run_first][run_id[np.cumsum(new) - 1]]


def _distinct(ts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For sorted times (at least one): whether each starts a new value, and the distinct
    values."""
    new = np.empty(len(ts), dtype=bool)
    new[0] = True
    np.not_equal(ts[1:], ts[:-1], out=new[1:])
    return new, ts[new]


def _tied(u: np.ndarray, tolerance: float) -> np.ndarray | None:
    """For sorted distinct values: whether each is within the tolerance of the one before
    (one flag per value after the first); None when no value is."""
    if len(u) < 2:
        return None
    tied = np.diff(u) <= tie_threshold(u, tolerance)
    return tied if tied.any() else None


def tie_threshold(u: np.ndarray, tolerance: float = TIMEFIX_TOLERANCE) -> float:
    """The largest gap between sorted distinct values ``u`` that timefix merges:
    ``tolerance`` absolutely, or relative to the values' mean absolute value when above 1.

    >>> tie_threshold(np.array([10.0, 20.0, 30.0]), 1e-8)
    2e-07
    """
    return tolerance * max(1.0, _mean_abs(u))


def _mean_abs(u: np.ndarray) -> float:
    """Mean absolute value of sorted values. Scaled by the largest when a plain sum could
    overflow, as R's long-double mean keeps it finite for times near the largest double."""
    top = float(max(abs(u[0]), abs(u[-1])))
    if top == 0 or not np.isfinite(top):
        return top
    a = u if u[0] >= 0 else np.abs(u)
    if top * len(u) < 1e300:
        return float(np.mean(a))
    return top * float(np.mean(a / top))
