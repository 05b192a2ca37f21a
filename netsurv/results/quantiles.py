"""Quantiles of step curves as R's ``quantile.survfit`` finds them (``findq``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["QUANTILE_TOLERANCE", "findq", "step_quantiles", "step_quantiles_of"]

QUANTILE_TOLERANCE = float(np.sqrt(np.finfo(float).eps))  # R quantile.survfit tolerance


def _first_of_each_value(y: np.ndarray) -> np.ndarray:
    """Positions R's ``!duplicated(y)`` keeps (first occurrence of each value; NaN is one)."""
    nan = np.isnan(y)
    finite = y[~nan]
    if np.all(finite[1:] >= finite[:-1]):  # the usual case: equal values are neighbours
        keep = np.r_[True, y[1:] != y[:-1]] & ~nan
        first_finite = np.argmax(~nan) if (~nan).any() else None
        if first_finite is not None:
            keep[first_finite] = True
    else:
        keep = np.zeros(len(y), dtype=bool)
        keep[np.unique(np.where(nan, np.inf, y), return_index=True)[1]] = True
        keep &= ~nan
    if nan.any():
        keep[np.argmax(nan)] = True
    return np.flatnonzero(keep)


def _knot(y: np.ndarray, p: float) -> int | None:
    """R ``approx(y, 1:n, p, method="constant", f=1)``: position of the smallest knot >= p
    (knots sorted by value, NaN knots dropped); None outside [min, max]."""
    idx = np.flatnonzero(~np.isnan(y))
    if len(idx) == 0:
        return None
    order = np.argsort(y[idx], kind="stable")
    knots = y[idx][order]
    if p < knots[0] or p > knots[-1]:
        return None
    return int(idx[order[np.searchsorted(knots, p, side="left")]])


def findq(x: np.ndarray, y: np.ndarray, p: float, xmax: float, tol: float) -> float:
    """Where a horizontal line at ``p`` meets the cumulative curve ``y`` (R ``findq``).

    ``x`` and ``y`` start with the curve's origin (start time, 0). Follows R's
    ``quantile.survfit`` step by step: repeated values dropped (first kept); the quantile is
    the mean of the times of the smallest points with y + tol >= p and y − tol >= p (so a
    flat stretch at exactly p gives its midpoint); p = 0 gives the start; a curve whose last
    point lies at p uses the last follow-up time ``xmax`` instead.
    """
    if np.isnan(y).all() or np.nanmax(y) < p:
        return np.nan
    keep = _first_of_each_value(y)
    x, y = x[keep], y[keep]
    i1, i2 = _knot(y + tol, p), _knot(y - tol, p)
    quant = (x[i1] + x[i2]) / 2 if i1 is not None and i2 is not None else np.nan
    if p == 0:
        quant = x[0]
    if not np.isnan(y[-1]) and abs(p - y[-1]) < tol:  # the curve ends at p: R's last point
        quant = (x[i1] + xmax) / 2 if i1 is not None else np.nan
    return float(quant)


def step_quantiles(
    time: np.ndarray,
    surv: np.ndarray,
    offsets: np.ndarray,
    start: float,
    probs: np.ndarray,
    tol: float = QUANTILE_TOLERANCE,
) -> np.ndarray:
    """:func:`findq` for every stratum and probability at once: shape (strata, probs).

    Stratum ``s`` holds rows ``offsets[s]:offsets[s + 1]`` of ``time`` (sorted) and of the
    survival-like curve ``surv``; the cumulative curve is 1 − ``surv`` after the origin
    (``start``, 0). Curves whose cumulative values never decrease (NaN only at the end, the
    Kaplan–Meier case) are searched by a binary search run on all strata together; the others
    by masked reductions over their rows. Both give exactly what :func:`findq` gives.
    """
    return step_quantiles_of(time, [surv], offsets, start, probs, tol)[0]


def step_quantiles_of(
    time: np.ndarray,
    curves: Sequence[np.ndarray],
    offsets: np.ndarray,
    start: float,
    probs: np.ndarray,
    tol: float = QUANTILE_TOLERANCE,
) -> list[np.ndarray]:
    """:func:`step_quantiles` of several curves on the same times (a curve and its band),
    with the times and their origins laid out once."""
    k = len(offsets) - 1
    first = offsets[:-1] + np.arange(k)  # the origin of each stratum in x, y
    point = np.ones(len(time) + k, dtype=bool)  # the curve's own points in x, y
    point[first] = False
    x = np.empty(len(point))
    x[point] = time
    x[first] = start
    out = []
    for surv in curves:
        y = np.empty(len(point))
        y[point] = surv
        np.subtract(1.0, y, out=y)  # the cumulative curve
        y[first] = 0.0
        out.append(_quantiles(x, y, time, offsets, probs, tol))
    return out


def _quantiles(
    x: np.ndarray,
    y: np.ndarray,
    time: np.ndarray,
    offsets: np.ndarray,
    probs: np.ndarray,
    tol: float,
) -> np.ndarray:
    """:func:`step_quantiles` on the curve laid out with its origins (``x``, ``y``)."""
    k = len(offsets) - 1
    lengths = np.diff(offsets)
    first = offsets[:-1] + np.arange(k)  # the origin of each stratum in x, y
    end = offsets[1:] + np.arange(1, k + 1)  # one past its last point
    last_row = np.maximum(offsets[1:] - 1, 0)
    xmax = np.where(lengths > 0, time[last_row] if len(time) else np.nan, np.nan)
    with np.errstate(invalid="ignore"):
        ok = np.r_[True, (y[1:] >= y[:-1]) | np.isnan(y[1:])]
    ok[first] = True
    bad = np.zeros(k, dtype=bool)
    bad[np.searchsorted(first, np.flatnonzero(~ok), side="right") - 1] = True
    out = np.full((k, len(probs)), np.nan)
    good = np.flatnonzero(~bad)
    if len(good):
        out[good] = _monotone(x, y, first[good], end[good], xmax[good], probs, tol)
    odd = np.flatnonzero(bad)
    if len(odd):
        out[odd] = _general(x, y, first[odd], end[odd], xmax[odd], probs, tol)
    return out


def _first_true(
    pred: Callable[[np.ndarray], np.ndarray], lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """Binary search in every range [lo, hi) at once: first position where ``pred`` holds
    (``pred`` False then True along each range), or ``hi``."""
    lo, hi = lo.copy(), hi.copy()
    while True:
        active = lo < hi
        if not active.any():
            return lo
        mid = (lo + hi) // 2
        hit = pred(np.where(active, mid, 0)) & active
        hi = np.where(hit, mid, hi)
        lo = np.where(active & ~hit, mid + 1, lo)


def _monotone(
    x: np.ndarray,
    y: np.ndarray,
    first: np.ndarray,
    end: np.ndarray,
    xmax: np.ndarray,
    probs: np.ndarray,
    tol: float,
) -> np.ndarray:
    """Strata whose y never decreases and whose NaN come last (the first NaN is one value)."""
    nan_at = _first_true(lambda i: np.isnan(y[i]), first, end)  # > first: y[first] = 0
    top = y[nan_at - 1]  # nanmax(y)
    last = y[end - 1]  # the last value R's !duplicated keeps (NaN when the curve ends in NaN)
    cols = []
    for p in probs:  # per probability (few), every stratum at once
        knots = []
        for shift in (tol, -tol):
            i = _first_true(_reaches(y, shift, float(p)), first, end)
            found = (i < nan_at) & (p >= y[first] + shift)  # inside [min knot, max knot]
            knots.append(np.where(found, i, -1))
        cols.append(_combine(x, first, xmax, p, knots[0], knots[1], top, last, tol))
    return np.column_stack(cols)


def _reaches(y: np.ndarray, shift: float, p: float) -> Callable[[np.ndarray], np.ndarray]:
    """Predicate for :func:`_first_true`: the knot ``y + shift`` reaches ``p``, or is NaN."""

    def pred(j: np.ndarray) -> np.ndarray:
        v = y[j]
        with np.errstate(invalid="ignore"):
            return np.asarray((v + shift >= p) | np.isnan(v))

    return pred


def _general(
    x: np.ndarray,
    y: np.ndarray,
    first: np.ndarray,
    end: np.ndarray,
    xmax: np.ndarray,
    probs: np.ndarray,
    tol: float,
) -> np.ndarray:
    """Any other strata: masked reductions over their rows (first occurrences by a sort)."""
    lengths = end - first
    pos = np.repeat(first - np.r_[0, np.cumsum(lengths)[:-1]], lengths) + np.arange(lengths.sum())
    seg = np.repeat(np.arange(len(first)), lengths)
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    ys = y[pos]
    nan = np.isnan(ys)
    # R's !duplicated(y): first occurrence of each value in its stratum (all NaN are one value)
    order = np.lexsort((pos, np.where(nan, np.inf, ys), nan, seg))
    so = ys[order]
    new = np.r_[
        True,
        (seg[order][1:] != seg[order][:-1])
        | ~((so[1:] == so[:-1]) | (np.isnan(so[1:]) & np.isnan(so[:-1]))),
    ]
    keep = np.zeros(len(ys), dtype=bool)
    keep[order[new]] = True
    last = ys[np.maximum.reduceat(np.where(keep, np.arange(len(ys)), -1), starts)]
    top = np.fmax.reduceat(ys, starts)
    cols = []
    for p in probs:
        knots = []
        for shift in (tol, -tol):
            v = ys + shift
            with np.errstate(invalid="ignore"):
                cand = v >= p
            masked = np.where(cand, v, np.inf)
            best = np.minimum.reduceat(masked, starts)
            lowest = np.fmin.reduceat(v, starts)
            hit = cand & (masked == best[seg])
            at = np.minimum.reduceat(np.where(hit, np.arange(len(ys)), len(ys)), starts)
            found = np.isfinite(best) & (p >= lowest)
            knots.append(np.where(found, pos[np.minimum(at, len(ys) - 1)], -1))
        cols.append(_combine(x, first, xmax, p, knots[0], knots[1], top, last, tol))
    return np.column_stack(cols)


def _combine(
    x: np.ndarray,
    first: np.ndarray,
    xmax: np.ndarray,
    p: float,
    i1: np.ndarray,
    i2: np.ndarray,
    top: np.ndarray,
    last: np.ndarray,
    tol: float,
) -> np.ndarray:
    """findq's rules from its two knots: midpoint, p = 0, the last point, then unreachable."""
    both = (i1 >= 0) & (i2 >= 0)
    quant = np.where(both, (x[np.maximum(i1, 0)] + x[np.maximum(i2, 0)]) / 2, np.nan)
    if p == 0:
        quant = x[first].copy()
    with np.errstate(invalid="ignore"):
        at_end = ~np.isnan(last) & (np.abs(p - last) < tol)
    quant = np.where(at_end, np.where(i1 >= 0, (x[np.maximum(i1, 0)] + xmax) / 2, np.nan), quant)
    with np.errstate(invalid="ignore"):
        return np.where(top < p, np.nan, quant)
