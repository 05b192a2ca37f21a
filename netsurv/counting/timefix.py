"""R's timefix: float times that differ only by round-off count as one time.

R ``survival`` (``aeqSurv``, ``timefix=TRUE``) sorts the distinct times and merges each run of
values closer than a tolerance (``sqrt(.Machine$double.eps)``, absolutely or relative to their
mean absolute value) into the run's first value. Every engine applies it through this module.
"""

from __future__ import annotations

import numpy as np

from netsurv.rules import TIMEFIX_TOLERANCE

__all__ = ["timefix", "timefix_map", "timefix_sorted"]


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


def timefix_map(
    time: np.ndarray, tolerance: float = TIMEFIX_TOLERANCE
) -> tuple[np.ndarray, np.ndarray] | None:
    """The values :func:`timefix` changes, sorted, and what each becomes; None when none.

    Found from one value sort of ``time`` (no index sort), for counting paths that replace
    the few changed values in a table of distinct times.

    >>> changed, target = timefix_map(np.array([2.0, 1.0 + 1e-12, 1.0, 1.0 + 2e-12]))
    >>> len(changed), target.tolist()
    (2, [1.0, 1.0])
    """
    g = np.sort(time)
    if len(g) < 2:
        return None
    u = _distinct(g)[1]
    tied = _tied(u, tolerance, scratch=g)  # g is free now: the gaps go there
    if tied is None:
        return None
    changed = np.flatnonzero(tied) + 1  # positions in u of the values that change
    run_first = np.flatnonzero(np.r_[True, ~tied])
    first = run_first[np.searchsorted(run_first, changed, side="right") - 1]
    return u[changed], u[first]


def _distinct(ts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For sorted times (at least one): whether each starts a new value, and the distinct
    values."""
    new = np.empty(len(ts), dtype=bool)
    new[0] = True
    np.not_equal(ts[1:], ts[:-1], out=new[1:])
    return new, ts[new]


def _tied(u: np.ndarray, tolerance: float, scratch: np.ndarray | None = None) -> np.ndarray | None:
    """For sorted distinct values: whether each is within the tolerance of the one before
    (one flag per value after the first); None when no value is. The gaps are written to
    ``scratch`` when given (an array at least as long as ``u``)."""
    if len(u) < 2:
        return None
    gaps = np.subtract(u[1:], u[:-1], out=None if scratch is None else scratch[: len(u) - 1])
    tied = gaps <= tolerance * max(1.0, _mean_abs(u))
    return tied if tied.any() else None


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
