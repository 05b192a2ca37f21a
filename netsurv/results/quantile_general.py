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
    lengths = offsets[strata + 1] - offsets[strata] + 1  # the origin and the curve's points
    first = np.r_[0, np.cumsum(lengths)[:-1]]  # the origin of each stratum in x, y
    rel = np.arange(int(lengths.sum())) - np.repeat(first, lengths)
    rows = np.repeat(offsets[strata], lengths) + rel - 1
    point = rel > 0
    x, y = np.full(len(rel), float(start)), np.zeros(len(rel))
    x[point] = time[rows[point]]
    y[point] = np.subtract(1.0, surv(rows[point]))  # the cumulative curve
    seg = np.repeat(np.arange(len(strata)), lengths)
    xmax = np.where(lengths > 1, x[first + lengths - 1], np.nan)
    last = _last_kept(y, first, seg)
    top = np.fmax.reduceat(y, first)
    cols = []
    for p in probs:
        knots = [_knot(y, first, seg, float(p), shift) for shift in (tol, -tol)]
        xs = [np.where(i >= 0, x[np.maximum(i, 0)], np.nan) for i in knots]
        cols.append(combine(start, xmax, p, xs[0], xs[1], top, last, tol))
    return np.column_stack(cols)


def _knot(y: np.ndarray, first: np.ndarray, seg: np.ndarray, p: float, shift: float) -> np.ndarray:
    """Per stratum: position of the smallest ``y + shift`` at or above ``p`` (the earliest
    among equal ones), or −1 when ``p`` lies outside the knots' range (R ``approx``)."""
    v = y + shift
    with np.errstate(invalid="ignore"):
        cand = v >= p
    masked = np.where(cand, v, np.inf)
    best = np.minimum.reduceat(masked, first)
    lowest = np.fmin.reduceat(v, first)
    hit = cand & (masked == best[seg])
    at = np.minimum.reduceat(np.where(hit, np.arange(len(y)), len(y)), first)
    found = np.isfinite(best) & (p >= lowest)
    return np.where(found, np.minimum(at, len(y) - 1), -1)


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Equal, or both NaN (R's ``duplicated`` treats NaN as one value)."""
    return (a == b) | (np.isnan(a) & np.isnan(b))


def _last_kept(y: np.ndarray, first: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Per stratum, the last value R's ``!duplicated(y)`` keeps.

    Usually the start of the last run of equal values, when that value does not occur
    before; the strata where it does are sorted (first occurrences by a stable order).
    """
    pos = np.arange(len(y))
    new_run = np.r_[True, ~_same(y[1:], y[:-1])]
    new_run[first] = True
    run = np.maximum.reduceat(np.where(new_run, pos, -1), first)  # start of the last run
    value = y[run]
    seen = _same(y, value[seg]) & (pos < run[seg])
    again = np.flatnonzero(np.logical_or.reduceat(seen, first))
    for s in again.tolist():  # rare: the last run's value came before
        part = y[seg == s]
        keys = np.where(np.isnan(part), np.inf, part)
        _, firsts = np.unique(np.c_[np.isnan(part), keys], axis=0, return_index=True)
        value[s] = part[firsts.max()]
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
