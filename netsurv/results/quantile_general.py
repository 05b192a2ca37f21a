"""Quantiles of step curves that may go up and down (R ``findq``, every stratum at once).

A log band's upper limit, or relative survival, is not monotone, so the binary search of
:mod:`netsurv.results.quantiles` does not apply. Here the strata's curves are laid out with
their origins (start time, 0) and R's rules are evaluated by masked reductions over their
rows: the knot of ``y + tol`` (or ``y - tol``) is the smallest value that reaches ``p``, the
earliest among equal ones (R drops repeated values keeping the first, then takes the
smallest knot at or above ``p``), and the curve's "last point" is the last value R's
``!duplicated(y)`` keeps.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["combine", "general_quantiles"]


def general_quantiles(
    time: np.ndarray,
    surv: Callable[[np.ndarray], np.ndarray],
    offsets: np.ndarray,
    strata: np.ndarray,
    start: float,
    probs: np.ndarray,
    tol: float,
) -> np.ndarray:
    """R ``findq`` on the cumulative curves 1 − S of ``strata``: shape (strata, probs).

    ``surv(rows)`` gives the survival-like curve S at the given rows (an array, or a band
    computed there).
    """
    size = offsets[strata + 1] - offsets[strata]  # the curve's points
    lengths = size + 1  # and the origin
    first = np.r_[0, np.cumsum(lengths)[:-1]]  # the origin of each stratum in x, y
    ends = first + lengths
    n_points = int(size.sum())
    counter = np.arange(n_points)
    rows = counter + np.repeat(offsets[strata] - (first - np.arange(len(strata))), size)
    at = counter + np.repeat(np.arange(1, len(strata) + 1), size)  # the points in x, y
    x, y = np.empty(len(counter) + len(strata)), np.empty(len(counter) + len(strata))
    x[first], y[first] = start, 0.0
    x[at] = time[rows]
    y[at] = np.subtract(1.0, surv(rows))  # the cumulative curve
    xmax = np.where(size > 0, x[ends - 1], np.nan)
    last = _last_kept(y, first, ends, lengths)
    top = np.fmax.reduceat(y, first)
    lowest = np.fmin.reduceat(y, first)  # fl(y + shift) keeps the order: its min is here
    cols = []
    for p in probs:
        xs = []
        for shift in (tol, -tol):
            knot, value = _knot(y, first, lengths, float(p), shift)
            found = np.isfinite(value) & (p >= lowest + shift)  # inside [min knot, max knot]
            xs.append(np.where(found, x[knot], np.nan))
        cols.append(combine(start, xmax, p, xs[0], xs[1], top, last, tol))
    return np.column_stack(cols)


def _knot(
    y: np.ndarray, first: np.ndarray, lengths: np.ndarray, p: float, shift: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per stratum: position of the smallest ``y + shift`` at or above ``p`` (the earliest
    among equal ones) and that value (inf when none reaches ``p``)."""
    v = y + shift
    with np.errstate(invalid="ignore"):
        masked = np.where(v >= p, v, np.inf)
    best = np.minimum.reduceat(masked, first)
    hits = np.flatnonzero(masked == np.repeat(best, lengths))  # one at least per stratum
    return hits[np.searchsorted(hits, first)], best


def _last_kept(
    y: np.ndarray, first: np.ndarray, ends: np.ndarray, lengths: np.ndarray
) -> np.ndarray:
    """Per stratum, the last value R's ``!duplicated(y)`` keeps (all NaN are one value).

    Usually the start of the last run of equal values, when that value does not occur
    before; the strata where it does are sorted (first occurrences by a stable order).
    """
    nan = np.isnan(y)
    new_run = np.empty(len(y), dtype=bool)
    new_run[0] = True
    np.not_equal(y[1:], y[:-1], out=new_run[1:])
    new_run[1:] &= ~(nan[1:] & nan[:-1])
    new_run[first] = True
    starts = np.flatnonzero(new_run)
    run = starts[np.searchsorted(starts, ends) - 1]  # start of the last run
    value = y[run]
    hits = np.flatnonzero(y == np.repeat(value, lengths))  # the run's own start at least
    earliest = hits[np.minimum(np.searchsorted(hits, first), len(hits) - 1)] if len(hits) else run
    nans = np.flatnonzero(nan)
    if len(nans):  # a NaN run: where NaN first appears
        first_nan = nans[np.minimum(np.searchsorted(nans, first), len(nans) - 1)]
        earliest = np.where(np.isnan(value), first_nan, earliest)
    for s in np.flatnonzero(earliest < run).tolist():  # rare: the value came before
        part = y[first[s] : ends[s]]
        nan = np.isnan(part)
        keys = np.where(nan, np.inf, part)
        order = np.lexsort((np.arange(len(part)), keys, nan))  # equal values by position
        new = np.r_[
            True, (keys[order][1:] != keys[order][:-1]) | (nan[order][1:] != nan[order][:-1])
        ]
        value[s] = part[order[new].max()]  # the last first occurrence
    return value


def combine(
    x_first: float,
    xmax: np.ndarray,
    p: float,
    x1: np.ndarray,
    x2: np.ndarray,
    top: np.ndarray,
    last: np.ndarray,
    tol: float,
) -> np.ndarray:
    """findq's rules from the times of its two knots (NaN where a knot is not found):
    midpoint, p = 0 (the start), the last point, then unreachable."""
    quant = (x1 + x2) / 2
    if p == 0:
        quant = np.full(len(quant), x_first, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        at_end = ~np.isnan(last) & (np.abs(p - last) < tol)
    quant = np.where(at_end, (x1 + xmax) / 2, quant)
    with np.errstate(invalid="ignore"):
        return np.where(top < p, np.nan, quant)
