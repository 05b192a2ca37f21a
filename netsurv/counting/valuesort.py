"""Counting unweighted exits with float times by sorting values, not indices.

Why a separate path (measured on 1e7 float times, 192 strata, this project's machine): an index
sort (``np.argsort``) costs 0.72 s, a value sort (``np.sort``, numpy's SIMD sort) 0.10 s, and
counting after an index sort costs four times the sort itself (gathers, ``reduceat``, reverse
cumulative sums). When every row is one unweighted exit with a 0/1 event, no index is needed:

1. each row becomes one unsigned 64-bit integer, the bits of its time shifted left by one with
   the event in the lowest bit (the bits of a non-negative double sort as the double does),
   and the integers are grouped by stratum (a counting sort);
2. each stratum's integers are sorted by value (numpy);
3. runs of equal integers, event bit dropped, are the distinct times of a stratum; the number
   at risk is the count of rows from the run to the stratum's end.

Steps 1 and 3 are single passes in the compiled module ``_runs`` (``_runs.c`` says why: the
same steps in numpy took 0.76 s, there 0.11 s). Where it was not built (no C compiler at
install), :func:`count_by_values` returns None and the index-sort path counts instead.

R's timefix (``aeqSurv``) merges distinct times, over all strata, that differ only by round-off.
The values it changes are found from one value sort of all times (:func:`_near_ties`, on a
second thread while the rows are grouped and sorted) and replaced in the sorted rows before the
runs are counted: the change maps each run of near-equal times onto its first, so every stratum
stays sorted.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any, TypeVar

import numpy as np

from netsurv.counting.table import Counts
from netsurv.counting.timefix import tie_threshold
from netsurv.counting.validate import Prepared

_runs: ModuleType | None
try:
    from netsurv.counting import _runs
except ImportError:  # built without a C compiler: the index-sort path counts
    _runs = None

__all__ = ["compiled", "count_by_values"]

_T = TypeVar("_T")
_PARALLEL_ROWS = 200_000  # from here the second thread pays for itself


def compiled() -> bool:
    """Whether the compiled counting module was built (and :func:`count_by_values` is used)."""
    return _runs is not None


def count_by_values(p: Prepared) -> Counts | None:
    """:class:`Counts` of unweighted exits without entry times and with 0/1 events, equal to
    what sorting the rows by (stratum, time) and counting gives; None for other inputs, or
    when the compiled module is missing.

    From 200,000 rows a second thread works beside the first (numpy's sorts and the compiled
    passes release the GIL): the value sort of all times that R's timefix needs runs while the
    rows are grouped and sorted, and the replacement and counting passes are split by strata.
    """
    n = len(p.time)
    if _runs is None or p.weights is not None or p.entry is not None or n == 0:
        return None
    event = p.event  # validated 0/1 (prepare); the compiled pass checks it again, for free
    if event.dtype != bool and event.dtype != np.float64:
        event = event.astype(np.float64)
    pool = ThreadPoolExecutor(max_workers=1) if n >= _PARALLEL_ROWS else None
    try:
        key, bounds, tie_map = _sorted_keys(p, event, pool)
        stratum, time, events, censored, at_risk = _count_runs(key, bounds, tie_map, pool)
    finally:
        if pool is not None:
            pool.shutdown()
    return Counts(
        by=p.by,
        strata=p.strata,
        stratum=stratum,
        time=time,
        n_events=events,
        n_censored=censored,
        n_entered=np.zeros(len(time)),
        n_at_risk=at_risk,
        weighted=False,
        excluded=p.excluded,
    )


def _sorted_keys(
    p: Prepared, event: np.ndarray, pool: ThreadPoolExecutor | None
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The rows' keys grouped by stratum and sorted within each, the strata's row bounds, and
    timefix's map (from the pool's thread while this one groups and sorts)."""
    assert _runs is not None
    tie_map = _in_thread(pool, _near_ties, p.time)
    key = np.empty(len(p.time), dtype=np.uint64)
    bounds = np.empty(len(p.strata) + 1, dtype=np.int64)
    _runs.group(
        np.ascontiguousarray(p.time, dtype=np.float64),
        np.ascontiguousarray(event),
        np.ascontiguousarray(p.stratum),
        key,
        bounds,
    )
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        key[a:b].sort()  # numpy's SIMD value sort
    return key, bounds, tie_map()


def _count_runs(
    key: np.ndarray,
    bounds: np.ndarray,
    tie_map: tuple[np.ndarray, np.ndarray, np.ndarray],
    pool: ThreadPoolExecutor | None,
) -> tuple[np.ndarray, ...]:
    """Apply timefix's map (changed values, targets, and a spare float64 buffer of n rows) to
    the sorted keys, then count their runs: (stratum, time, events, censored, at risk) per run.
    Each pass waits on memory, so with a pool the strata of the first half of the rows go to
    its thread."""
    assert _runs is not None
    k, n = len(bounds) - 1, len(key)
    half = int(np.searchsorted(bounds, n // 2)) if pool is not None else k
    changed, target, spare = tie_map
    head = _in_thread(pool, _runs.fix, key, bounds, changed, target, 0, half)
    m_tail = _runs.fix(key, bounds, changed, target, half, k)
    m_head = head()
    m = m_head + m_tail
    # fresh memory costs at this size (page faults): the times go over the keys already read,
    # the events into the buffer the value sort of all times left (n rows, m <= n)
    stratum = np.empty(m, dtype=np.int64)  # int64: the dtype every consumer searches with
    events = spare[:m] if m > n // 2 else np.empty(m)
    counted = (events, np.empty(m), np.empty(m))  # events, censored, at risk
    head = _in_thread(pool, _runs.runs, key, bounds, 0, half, 0, 0, stratum, key, *counted)
    tail_at = int(bounds[half])  # the tail's times first go to its own rows, then move
    tail = _runs.runs(key, bounds, half, k, m_head, tail_at, stratum, key, *counted)
    if (tail, head()) != (m_tail, m_head):
        raise RuntimeError("the compiled passes found different numbers of runs")
    key[m_head:m] = key[tail_at : tail_at + m_tail]  # (numpy copies overlapping slices safely)
    time = key[:m].view(np.float64)
    return stratum, time if m > n // 2 else time.copy(), *counted


def _in_thread(
    pool: ThreadPoolExecutor | None, f: Callable[..., _T], *args: Any
) -> Callable[[], _T]:
    """Start ``f(*args)`` on the pool's thread (or run it now without a pool); the returned
    function waits for its result."""
    if pool is None:
        value = f(*args)
        return lambda: value
    return pool.submit(f, *args).result


def _near_ties(time: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The time values R's timefix changes (sorted) and what each becomes, as the bits of the
    doubles (uint64), and the sorted buffer, free for reuse: one value sort of all times, then
    compiled passes for the distinct values and their chains of near-equal gaps (the threshold
    from :func:`~netsurv.counting.timefix.tie_threshold`, the rule's one definition)."""
    assert _runs is not None
    buffer = np.sort(time)
    u = buffer[: _runs.distinct(buffer)]
    changed, target = np.empty(max(len(u) - 1, 0)), np.empty(max(len(u) - 1, 0))
    c = _runs.ties(u, tie_threshold(u), changed, target) if len(u) > 1 else 0
    return changed[:c].view(np.uint64), target[:c].view(np.uint64), buffer
