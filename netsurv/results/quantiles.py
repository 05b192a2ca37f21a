"""Quantiles of step curves as R's ``quantile.survfit`` finds them (``findq``).

:func:`findq` follows R step by step for one curve; :func:`step_quantiles` gives the same
numbers for every stratum at once. A stratum whose curve never goes up (Kaplan–Meier, and its
band's lower limit) is answered by binary searches that read a few dozen rows per stratum
and probability, whatever the curve's length; only the strata whose curve goes up somewhere
are evaluated row by row (:mod:`netsurv.results.quantile_general`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from netsurv.results.quantile_general import combine, general_quantiles

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
    (``start``, 0). Strata whose ``surv`` never increases, starts at most at 1 and has NaN
    only at the end (the Kaplan–Meier case) are searched by a binary search run on all of
    them together; the others by masked reductions over their rows. Both give exactly what
    :func:`findq` gives.
    """
    return step_quantiles_of(time, [surv], offsets, start, probs, tol)[0]


def step_quantiles_of(
    time: np.ndarray,
    curves: Sequence[np.ndarray],
    offsets: np.ndarray,
    start: float,
    probs: np.ndarray,
    tol: float = QUANTILE_TOLERANCE,
    *,
    search_all: bool | None = None,
) -> list[np.ndarray]:
    """:func:`step_quantiles` of several curves on the same times (a curve and its band).

    ``search_all`` (for tests) sends every stratum to the row-by-row path (False) or trusts
    that every curve is monotone (True); by default each stratum is checked.
    """
    arrays = [np.ascontiguousarray(c, dtype=np.float64) for c in curves]

    def values(rows: Rows) -> list[np.ndarray]:
        return [a[rows] for a in arrays]

    return quantiles_of_values(
        time, values, len(arrays), offsets, start, probs, tol, search_all=search_all
    )


Rows = slice | np.ndarray  # a block of rows, or positions
CurveValues = Callable[[Rows], Sequence[np.ndarray]]


def quantiles_of_values(
    time: np.ndarray,
    values: CurveValues,
    n_curves: int,
    offsets: np.ndarray,
    start: float,
    probs: np.ndarray,
    tol: float = QUANTILE_TOLERANCE,
    *,
    search_all: bool | None = None,
    each: Sequence[Callable[[Rows], np.ndarray]] | None = None,
) -> list[np.ndarray]:
    """:func:`step_quantiles_of` for curves given by ``values(rows)``, every curve's values at
    those rows (a slice or positions): a band can be computed where it is read (one pass in
    blocks for the monotonicity check, a few rows per binary-search step, the rows of the
    strata that go up) instead of being laid out in full. ``each[j](rows)``, if given,
    reads curve ``j`` alone (the searches' few rows, without computing the others).
    """
    offsets = np.asarray(offsets, dtype=np.int64)
    time = np.asarray(time, dtype=np.float64)
    k = len(offsets) - 1
    if search_all is None:
        monotone = _non_increasing_of(values, n_curves, len(time), offsets)
    else:
        monotone = np.full((n_curves, k), search_all)
    if not len(time):  # nothing to search (the searches read a row even for the origin)
        monotone[:] = False
    out = []
    for j in range(n_curves):

        def curve(rows: Rows, j: int = j) -> np.ndarray:
            return values(rows)[j] if each is None else each[j](rows)

        res = np.full((k, len(probs)), np.nan)
        good, odd = np.flatnonzero(monotone[j]), np.flatnonzero(~monotone[j])
        if len(good):
            res[good] = _search(time, curve, offsets[good], offsets[good + 1], start, probs, tol)
        for batch in _batches(odd, np.diff(offsets)[odd]):  # strata that go up somewhere
            res[batch] = general_quantiles(time, curve, offsets, batch, start, probs, tol)
        out.append(res)
    return out


BLOCK = 1 << 15  # rows per block of the monotonicity check and of the row-by-row path


def _batches(strata: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
    """``strata`` in consecutive groups of about :data:`BLOCK` rows (a long stratum alone),
    so the row-by-row path runs on cache-sized pieces without a loop over short strata."""
    if not len(strata):
        return []
    window = (np.cumsum(lengths) - lengths) // BLOCK  # the block where each stratum starts
    return np.split(strata, np.flatnonzero(np.diff(window)) + 1)


def non_increasing(surv: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per stratum: ``surv`` starts at most at 1, never increases, and has NaN only at the
    end — so 1 − ``surv`` from the origin 0 never decreases (the binary searches' premise).

    >>> non_increasing(np.array([1.0, 0.5, 0.6, 0.9, np.nan, np.nan]), np.array([0, 3, 6]))
    array([False,  True])
    """
    surv = np.ascontiguousarray(surv, dtype=np.float64)
    return _non_increasing_of(lambda rows: [surv[rows]], 1, len(surv), offsets)[0]


def _non_increasing_of(
    values: CurveValues, n_curves: int, n_rows: int, offsets: np.ndarray
) -> np.ndarray:
    """:func:`non_increasing` of every curve, shape (curves, strata): one pass in cache-sized
    blocks (a block's values computed once for all curves); the rows where a stratum breaks
    the rule are looked up after."""
    broken: list[list[np.ndarray]] = [[] for _ in range(n_curves)]  # rows i + 1 where the
    up = np.empty(min(BLOCK, max(n_rows - 1, 0)), dtype=bool)  # pair (i, i + 1) goes up
    for lo in range(0, n_rows - 1, BLOCK):  # or leaves NaN
        hi = min(lo + BLOCK, n_rows - 1)
        for j, v in enumerate(values(slice(lo, hi + 1))):
            rise = np.greater(v[1:], v[:-1], out=up[: hi - lo])
            if rise.any():
                broken[j].append(np.flatnonzero(rise) + lo + 1)
            if np.isnan(v.max()):  # (one reduction; NaN looked up only where there is one)
                nan = np.isnan(v)
                broken[j].append(np.flatnonzero(nan[:-1] & ~nan[1:]) + lo + 1)
    k = len(offsets) - 1
    ok = np.ones((n_curves, k), dtype=bool)
    has_rows = np.flatnonzero(np.diff(offsets) > 0)
    firsts = values(offsets[has_rows])
    for j in range(n_curves):
        rows = np.concatenate([np.zeros(0, dtype=np.int64), *broken[j]])
        owner = np.searchsorted(offsets, rows, side="right") - 1
        ok[j, owner[rows != offsets[owner]]] = False  # a pair across two strata is no pair
        ok[j, has_rows[firsts[j] > 1]] = False  # 1 − S below the origin's 0
    return ok


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


def _search(
    time: np.ndarray,
    surv: Callable[[Rows], np.ndarray],
    begin: np.ndarray,
    end: np.ndarray,
    start: float,
    probs: np.ndarray,
    tol: float,
) -> np.ndarray:
    """Strata (rows ``begin:end``) whose cumulative curve never decreases and whose NaN come
    last: binary searches over the points u = 0 (the origin) .. ``end - begin`` (the rows),
    reading only the rows they visit."""
    length = end - begin
    zero = np.zeros(len(begin), dtype=np.int64)

    def y_at(u: np.ndarray) -> np.ndarray:  # the cumulative curve at point u
        return np.where(u > 0, 1.0 - surv(np.maximum(begin + u - 1, 0)), 0.0)

    def x_at(u: np.ndarray) -> np.ndarray:
        return np.where(u > 0, time[np.maximum(begin + u - 1, 0)], start)

    nan_at = _first_true(lambda u: np.isnan(y_at(u)), zero, length + 1)  # > 0: y(0) = 0
    top = y_at(nan_at - 1)  # nanmax(y)
    last = y_at(length)  # the last value R's !duplicated keeps (NaN when the curve ends in NaN)
    xmax = np.where(length > 0, x_at(length), np.nan)
    cols = []
    for p in probs:  # per probability (few), every stratum at once
        xs = []
        for shift in (tol, -tol):
            i = _first_true(_reaches(y_at, shift, float(p)), zero, length + 1)
            found = (i < nan_at) & (p >= 0.0 + shift)  # inside [min knot, max knot]
            xs.append(np.where(found, x_at(np.where(found, i, 0)), np.nan))
        cols.append(combine(start, xmax, p, xs[0], xs[1], top, last, tol))
    return np.column_stack(cols)


def _reaches(
    y_at: Callable[[np.ndarray], np.ndarray], shift: float, p: float
) -> Callable[[np.ndarray], np.ndarray]:
    """Predicate for :func:`_first_true`: the knot ``y + shift`` reaches ``p``, or is NaN."""

    def pred(u: np.ndarray) -> np.ndarray:
        v = y_at(u)
        with np.errstate(invalid="ignore"):
            return np.asarray((v + shift >= p) | np.isnan(v))

    return pred
