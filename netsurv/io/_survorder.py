"""The per-patient pass of SEER's survival-time algorithm: record order and date imputation.

Source: "Calculation of Survival Time Fields", https://seer.cancer.gov/survivaltime/, as the
BSD-3 reference implementation ``imsweb/algorithms`` (``SurvivalTimeUtils``) computes it; checked
record by record against that implementation (``tests/reference/seer/survival``).

Dates are integer parts: year (9999 unknown), month and day (99 unknown); a month of 99 always
has a day of 99. Everything here is vectorised except the order of the few patients whose dates
cannot be told apart (two records of one year where one lacks the month, or of one month where
one lacks the day); SEER orders those by an insertion rule on sequence numbers that is run per
patient (:func:`_insertion_order`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cmp_to_key

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["day_number", "impute_dates", "month_length", "patient_order", "sequence_key"]

Ints = npt.NDArray[np.int64]
Record = tuple[int, int, int, int, int]  # year, month, day, sequence key, row


def month_length(y: Ints, m: Ints) -> Ints:
    """Days in month ``m`` of year ``y`` (proleptic Gregorian; ``m`` in 1..12)."""
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    return days[np.clip(m, 0, 12)] + ((m == 2) & leap)


def day_number(y: Ints, m: Ints, d: Ints) -> Ints:
    """Days since 1970-01-01 of complete dates (parts must be valid)."""
    months = ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    return months.astype("datetime64[D]").astype(np.int64) + d - 1


def sequence_key(sequence: npt.ArrayLike | None, n: int) -> Ints:
    """SEER's sort key of a sequence number: 00-59, 98, 99 as is, 60-97 + 100, else -1."""
    if sequence is None:
        return np.full(n, -1, dtype=np.int64)
    codes, uniques = pd.factorize(np.asarray(sequence, dtype=object), use_na_sentinel=False)
    text = pd.Series(uniques, dtype=object).where(pd.notna(uniques), "").astype(str)
    value = pd.to_numeric(text.where(text.str.fullmatch(r"\d{1,9}")), errors="coerce")
    seq = value.fillna(-1).to_numpy(dtype=np.int64)[codes]
    return np.where((seq >= 60) & (seq <= 97), seq + 100, seq)


def _runs(*keys: Ints) -> Ints:
    """Run id of each row of a sorted array over equal ``keys``."""
    change = np.zeros(len(keys[0]), dtype=bool)
    change[0:1] = True
    for k in keys:
        change[1:] |= k[1:] != k[:-1]
    return np.cumsum(change) - 1


def _ambiguous_patients(g: Ints, y: Ints, m: Ints, d: Ints) -> npt.NDArray[np.bool_]:
    """Rows (sorted by patient, year, month) of patients whose dates do not order them."""
    by_year = _runs(g, y)
    size = np.bincount(by_year)[by_year]
    row = (size > 1) & (np.bincount(by_year, weights=m == 99)[by_year] > 0)
    by_month = _runs(g, y, m)
    size = np.bincount(by_month)[by_month]
    no_day = np.bincount(by_month, weights=(m != 99) & (d == 99))[by_month] > 0
    row |= (m != 99) & (size > 1) & no_day
    patient = _runs(g)
    return np.bincount(patient, weights=row)[patient] > 0


def patient_order(group: Ints, y: Ints, m: Ints, d: Ints, seq: Ints) -> Ints:
    """Row indices with each patient's records in SEER's order, patients contiguous.

    Dates that can be told apart are ordered by date, equal complete dates by sequence key and
    then input order; patients with indistinguishable partial dates use SEER's insertion rule.
    """
    n = len(group)
    if n and (seq.max() < 299 and group.max() < 300_000_000):  # one packed int64 key
        key = (((group * 10_000 + y) * 100 + m) * 100 + d) * 300 + seq + 1
        order = np.argsort(key, kind="stable")
    else:
        order = np.lexsort((seq, d, m, y, group))  # stable: ties keep input order
    if n == 0:
        return order
    ambiguous = _ambiguous_patients(group[order], y[order], m[order], d[order])
    if not ambiguous.any():
        return order
    g = group[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    ends = np.r_[starts[1:], n]
    for s, e in zip(starts, ends, strict=True):
        if ambiguous[s]:
            rows = np.sort(order[s:e])  # input order, as SEER receives the records
            recs = [(int(y[i]), int(m[i]), int(d[i]), int(seq[i]), int(i)) for i in rows]
            order[s:e] = [r[4] for r in _insertion_order(recs)]
    return order


def _compare_dates(a: Record, b: Record) -> int:
    """Compare known date parts only (0 when the unknown parts could make them equal)."""
    if a[0] != b[0]:
        return a[0] - b[0]
    if a[1] == 99 or b[1] == 99:
        return 0
    if a[1] != b[1]:
        return a[1] - b[1]
    if a[2] == 99 or b[2] == 99:
        return 0
    return a[2] - b[2]


def _compare(a: Record, b: Record) -> int:
    return _compare_dates(a, b) or a[3] - b[3]


def _out_of_turn(seq: int, candidates: list[Record]) -> bool:
    """True when a non-federal record must go before the non-federal ones already placed."""
    local = [c[3] for c in candidates if c[3] > 100]
    if not local or any(a > b for i, a in enumerate(local) for b in local[i + 1 :]):
        return False
    return seq <= local[-1]


def _insert(result: list[Record], r: Record) -> None:
    """Place ``r`` after the last placed record it may follow (scanning from the end)."""
    for i in range(len(result) - 1, -1, -1):
        c = _compare_dates(r, result[i])
        if c > 0:
            result.insert(i + 1, r)
            return
        if c == 0:
            s, t = r[3], result[i][3]
            if (s < 100 and s >= t) or (s > 100 and t > 100 and s >= t):
                result.insert(i + 1, r)
                return
            if s > 100:
                same = [x for x in result[: i + 1] if _compare_dates(r, x) == 0]
                if not _out_of_turn(s, same):
                    result.insert(i + 1, r)
                    return
    result.insert(0, r)


def _insertion_order(recs: list[Record]) -> list[Record]:
    """SEER's order of one patient's records (year, month, day, sequence key, row)."""
    key = cmp_to_key(_compare)
    result = sorted([r for r in recs if r[1] != 99 and r[2] != 99], key=key)
    for part in (
        [r for r in recs if r[1] != 99 and r[2] == 99],
        [r for r in recs if r[1] == 99],
    ):
        part = sorted(part, key=key)
        if not result:
            result.extend(part)
            continue
        for r in part:
            _insert(result, r)
    return result


def _neighbour(mask: npt.NDArray[np.bool_], start: Ints, end: Ints, *, after: bool) -> Ints:
    """Nearest index before (or after) each row within its patient where ``mask``; -1 if none."""
    n = len(mask)
    idx = np.arange(n)
    if after:
        run = np.minimum.accumulate(np.where(mask, idx, n)[::-1])[::-1]
        out = np.r_[run[1:], n]
        return np.where(out < end, out, -1)
    run = np.maximum.accumulate(np.where(mask, idx, -1))
    out = np.r_[-1, run[:-1]]
    return np.where(out >= start, out, -1)


def impute_dates(
    start: Ints, end: Ints, y: Ints, m: Ints, d: Ints, birth: tuple[Ints, Ints, Ints]
) -> tuple[Ints, Ints]:
    """Month and day of every element after SEER's imputation (steps 2.1 and 2.2).

    Elements are each patient's records in SEER's order followed by the patient's date of last
    contact; ``start``/``end`` delimit each element's patient; ``birth`` (year, month, day)
    bounds the first element. An unknown day lies half-way (floor) between the previous date
    in that month (else day 1, or the birth day) and the next known day in that month (else
    the month's last day); an unknown month the same in days within the year.
    """
    day = _impute_days(start, end, y, m, d, birth)
    month = m.copy()
    i = np.flatnonzero((m == 99) & (y != 9999))
    if not len(i):
        return month, day
    by, bm, bd = (b[i] for b in birth)
    yi, first = y[i], i == start[i]
    prev = np.maximum(i - 1, 0)
    chained = ~first & (y[prev] == yi)
    birth_ok = first & (by == yi) & (bm != 99)
    lo = _days(yi, np.where(birth_ok, bm, 1), np.where(birth_ok & (bd != 99), bd, 1))
    lo = np.where(chained, _days(y[prev], m[prev], day[prev]), lo)  # known-month neighbours
    nxt = _neighbour(m != 99, start, end, after=True)[i]
    nx = np.maximum(nxt, 0)
    same = (nxt >= 0) & (y[nx] == yi)
    hi = np.where(same, _days(yi, m[nx], day[nx]), _days(yi, 12, 31))
    value = _resolve(
        i, np.where(chained, prev, -1), lo, hi, lambda low, high: low + (high - low) // 2
    )
    dates = value.astype("datetime64[D]")
    month[i] = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day[i] = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    return month, day


def _resolve(i: Ints, link: Ints, lo: Ints, hi: Ints, mid: Callable[[Ints, Ints], Ints]) -> Ints:
    """Mid-points of rows ``i`` whose lower bound is the result of row ``link`` when that row
    is itself among ``i`` (a chain of unknown parts, resolved from its start)."""
    where = np.full(int(i.max()) + 1, -1, dtype=np.int64)
    where[i] = np.arange(len(i))
    dep = np.where(link >= 0, where[np.maximum(link, 0)], -1)
    value = np.zeros(len(i), dtype=np.int64)
    pending = np.ones(len(i), dtype=bool)
    while pending.any():
        ready = pending & ((dep < 0) | ~pending[np.maximum(dep, 0)])
        low = np.where(dep >= 0, value[np.maximum(dep, 0)], lo)
        value[ready] = mid(low[ready], hi[ready])
        pending &= ~ready
    return value


def _days(y: Ints, m: Ints | int, d: Ints | int) -> Ints:
    """Day numbers of valid (year, month, day)."""
    return day_number(y, np.broadcast_to(m, y.shape), np.broadcast_to(d, y.shape))


def _impute_days(
    start: Ints, end: Ints, y: Ints, m: Ints, d: Ints, birth: tuple[Ints, Ints, Ints]
) -> Ints:
    """Step 2.1: unknown days of dates with a known month (chains resolved in order)."""
    day = d.copy()
    i = np.flatnonzero((m != 99) & (d == 99))
    if not len(i):
        return day
    yi, mi = y[i], m[i]
    by, bm, bd = (b[i] for b in birth)
    prev = _neighbour(m != 99, start, end, after=False)[i]
    pv = np.maximum(prev, 0)
    chained = (prev >= 0) & (y[pv] == yi) & (m[pv] == mi)
    birth_ok = (i == start[i]) & (by == yi) & (bm == mi) & (bd != 99)
    lo = np.where(chained, d[pv], np.where(birth_ok, bd, 1))  # d[pv]: known days (else chain)
    nxt = _neighbour(d != 99, start, end, after=True)[i]
    nx = np.maximum(nxt, 0)
    same = (nxt >= 0) & (y[nx] == yi) & (m[nx] == mi)
    hi = np.where(same, d[nx], month_length(yi, mi))
    day[i] = _resolve(i, np.where(chained, prev, -1), lo, hi, lambda low, high: (low + high) // 2)
    return day
