"""The in-memory counting kernel (numpy): validated arrays to a :class:`Counts` table.

Weights are frequency weights: a row with weight 3 counts as three identical rows, exactly
(integer sums in float64 are exact below 2**53). Non-integer weights are used the same way
(sums of weights in place of counts); the Greenwood variance then treats them as counts, which
is R's ``survfit(..., robust=FALSE)`` variance, not a robust (sandwich) variance.

Times are never binned. Float times from date arithmetic that differ only by round-off are
merged first, as R's ``aeqSurv`` (``timefix=TRUE``) does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from netsurv.counting.table import Counts, tabulate
from netsurv.counting.timefix import timefix, timefix_sorted
from netsurv.counting.validate import Prepared, prepare
from netsurv.counting.valuesort import count_by_values
from netsurv.rules import RANKED_MIN_ROWS, dense_grid_fits

__all__ = ["count_prepared", "counts", "timefix"]


def counts(
    df: pd.DataFrame,
    *,
    time: str = "survival_months",
    event: str = "dead",
    by: str | Sequence[str] | None = None,
    weights: str | None = None,
    entry: str | None = None,
) -> Counts:
    """Count entries, events and censorings per stratum and distinct time.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [1, 2, 2, 3], "d": [1, 1, 0, 0]})
    >>> counts(df, time="t", event="d").to_frame()[["time", "n_at_risk", "n_events", "n_censored"]]
       time  n_at_risk  n_events  n_censored
    0   1.0          4         1           0
    1   2.0          3         1           1
    2   3.0          1         0           1
    """
    return count_prepared(prepare(df, time=time, event=event, by=by, weights=weights, entry=entry))


def count_prepared(p: Prepared) -> Counts:
    """Count validated arrays (see :func:`counts`): a bincount grid for whole months, hashed
    ranks for few distinct float times, value sorts for other unweighted 0/1 exits, and one
    index sort for the rest (weights, entry times)."""
    grid = _integer_grid(p.time, p.entry, len(p.strata))
    if grid is not None:
        return _count_dense(p, *grid)
    counted = _count_ranked(p)
    if counted is None:
        counted = count_by_values(p)
    return counted if counted is not None else _count_sorted(p)


def _count_ranked(p: Prepared) -> Counts | None:
    """Float times with few distinct values (months computed from dates: at most one value per
    day of follow-up): rank them by hashing, O(n), then count on the stratum x rank grid.

    Only the distinct values are sorted (and tie-merged as R's aeqSurv does), so this avoids
    the full sort of :func:`_count_sorted`; None when the times are too varied for it.
    """
    n = len(p.time)
    if p.entry is not None or n < RANKED_MIN_ROWS:
        return None
    sample = p.time[:: max(1, n // 50_000)]
    if len(np.unique(sample)) > len(sample) // 4:  # continuous times: sort instead
        return None
    codes, uniques = pd.factorize(p.time)  # hash: every row's index into the distinct values
    k = len(p.strata)
    if not dense_grid_fits(k * len(uniques), n):
        return None
    order = np.argsort(uniques)
    fixed = timefix_sorted(np.asarray(uniques, dtype=np.float64)[order])
    first = np.r_[True, fixed[1:] != fixed[:-1]]
    rank = np.empty(len(uniques), dtype=np.int32)
    rank[order] = np.cumsum(first) - 1  # merged near-ties share a rank
    values = fixed[first]
    counted = _count_dense(p, len(values), rank[codes], None)
    return replace(counted, time=values[counted.time.astype(np.int64)])


def _integer_grid(
    time: np.ndarray, entry: np.ndarray | None, k: int
) -> tuple[int, np.ndarray, np.ndarray | None] | None:
    """(grid length, integer times, integer entries) when every time is a whole number on a
    small grid (SEER months); else None. The integer conversion is the one the grid needs."""
    top = time.max() if len(time) else 0.0
    if entry is not None and len(entry):
        top = max(top, entry.max())
    cells = k * (int(top) + 1)
    if not dense_grid_fits(cells, len(time)):
        return None
    small = np.dtype(np.int32 if cells < 2**31 else np.int64)
    head = time[:4096]  # continuous times fail here, before a full-size conversion
    if not np.array_equal(head.astype(small), head):
        return None
    whole = time.astype(small)
    if not _same(whole, time):
        return None
    whole_entry = None
    if entry is not None:
        whole_entry = entry.astype(small)
        if not _same(whole_entry, entry):
            return None
    return int(top) + 1, whole, whole_entry


def _same(whole: np.ndarray, values: np.ndarray, block: int = 1 << 20) -> bool:
    """``whole == values`` everywhere, compared in blocks (no full-size float temporary)."""
    return all(
        np.array_equal(whole[i : i + block], values[i : i + block])
        for i in range(0, len(values), block)
    )


def _count_dense(
    p: Prepared, width: int, whole_time: np.ndarray, whole_entry: np.ndarray | None
) -> Counts:
    """Whole-month path: one ``np.bincount`` per count over the stratum x month grid."""
    k = len(p.strata)
    size = k * width
    key = p.stratum.astype(whole_time.dtype, copy=False) * width + whole_time  # row's cell
    w = p.weights
    events = np.bincount(key, weights=p.event if w is None else p.event * w, minlength=size)
    exits = np.bincount(key, weights=w, minlength=size).astype(np.float64)
    exit_rows = None if w is None else np.bincount(key, minlength=size)
    present = exits > 0 if exit_rows is None else exit_rows > 0
    entered = np.zeros(size)
    if whole_entry is not None:
        ekey = p.stratum.astype(whole_time.dtype, copy=False) * width + whole_entry
        entered = np.bincount(ekey, weights=w, minlength=size).astype(np.float64)
        present |= np.bincount(ekey, minlength=size) > 0
    # at risk at t: exits at or after t minus entries at or after t (reverse cumsum per stratum)
    net = (exits - entered).reshape(k, width)
    at_risk = np.cumsum(net[:, ::-1], axis=1)[:, ::-1].ravel()
    cells = np.flatnonzero(present)
    return Counts(
        by=p.by,
        strata=p.strata,
        stratum=cells // width,
        time=(cells % width).astype(np.float64),
        n_events=events[cells],
        n_censored=exits[cells] - events[cells],
        n_entered=entered[cells],
        n_at_risk=at_risk[cells],
        n_exit_rows=None if exit_rows is None else exit_rows[cells].astype(np.float64),
        weighted=w is not None,
        excluded=p.excluded,
    )


def _count_sorted(p: Prepared) -> Counts:
    """Float path: sort once by time (quicksort), then by stratum (stable radix), and sum runs."""
    n = len(p.time)
    plain = p.weights is None and p.entry is None  # one unweighted exit per row
    w = np.ones(n) if p.weights is None else p.weights
    if p.entry is None:
        t, stratum = p.time, p.stratum
    else:  # exits and entries as one list of (stratum, time, counts) records
        t, stratum = np.concatenate([p.time, p.entry]), np.concatenate([p.stratum, p.stratum])
    order = np.argsort(t)  # the one float sort
    ts = timefix_sorted(t[order])
    small = np.int16 if len(p.strata) < 2**15 else np.int32
    sk = stratum[order].astype(small)
    by_stratum = np.argsort(sk, kind="stable")  # radix sort, keeps the time order
    order, ts, st = order[by_stratum], ts[by_stratum], sk[by_stratum]
    if plain:
        return tabulate(
            p.by,
            p.strata,
            st,
            ts,
            p.event[order],
            None,
            np.zeros(0),
            weighted=False,
            excluded=p.excluded,
            presorted=True,
        )
    zeros = np.zeros(n)
    exit_flag = np.ones(n)
    events, censored, entered = p.event * w, (1.0 - p.event) * w, zeros
    if p.entry is not None:
        events, censored = np.concatenate([events, zeros]), np.concatenate([censored, zeros])
        entered = np.concatenate([zeros, w])
        exit_flag = np.concatenate([exit_flag, zeros])
    return tabulate(
        p.by,
        p.strata,
        st,
        ts,
        events[order],
        censored[order],
        entered[order],
        weighted=p.weights is not None,
        excluded=p.excluded,
        presorted=True,
        exit_rows=None if p.weights is None else exit_flag[order],
    )
