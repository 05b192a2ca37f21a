"""Quantiles of step curves as R's ``quantile.survfit`` finds them (``findq``)."""

from __future__ import annotations

import numpy as np

__all__ = ["QUANTILE_TOLERANCE", "findq"]

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
