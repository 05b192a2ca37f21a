"""NAACCR dates as SEER's survival-time algorithm reads them (parts, invalid parts, checks).

A date ``YYYY[MM[DD]]`` is split into year (characters 1-4), month (5-6) and day (7-8); a part
that is missing or not all digits is unknown (year 9999, month and day 99), as SEER's
implementation reads it. See :mod:`netsurv.io.survtime`.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import numpy.typing as npt
import pandas as pd

from netsurv.errors import InputError
from netsurv.io._survorder import month_length

__all__ = ["date_parts", "fix_invalid", "last_contact_parts", "parse_partial_dates"]

Ints = npt.NDArray[np.int64]
Parts = tuple[Ints, Ints, Ints]


def parse_partial_dates(
    values: npt.ArrayLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split NAACCR dates ``YYYY``, ``YYYYMM``, ``YYYYMMDD`` (``-`` allowed) into parts.

    Returns ``(year, month, day, invalid)``: float arrays with NaN for unknown parts (blank, or
    ``99`` fillers) and a bool array marking invalid values: not dates at all (every part NaN),
    or an impossible month or day (that part unknown, as SEER reads it; the year kept).

    >>> y, m, d, bad = parse_partial_dates(["20110315", "201103", "2011", "", "2011x"])
    >>> y.tolist()[:3], m.tolist()[1], bool(np.isnan(d[1])), bad.tolist()
    ([2011.0, 2011.0, 2011.0], 3.0, True, [False, False, False, False, True])
    """
    # parsed once per distinct value (a registry holds a few thousand dates), then expanded
    codes, uniq = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    parts = _parse_distinct(np.append(np.asarray(uniq, dtype=object), [None]))
    take = np.where(codes < 0, len(uniq), codes)
    y, m, d, invalid = (a[take] for a in parts)
    return y, m, d, invalid


def _parse_distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    s = pd.Series(values).astype("string").str.strip()
    s = s.str.replace("-", "", regex=False).fillna("")
    parts = s.str.extract(r"^(\d{4})(\d{2})?(\d{2})?$")
    invalid = (s != "") & parts[0].isna()
    y = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype=float)
    m = pd.to_numeric(parts[1], errors="coerce").to_numpy(dtype=float)
    d = pd.to_numeric(parts[2], errors="coerce").to_numpy(dtype=float)
    m[m == 99] = np.nan
    d[(d == 99) | np.isnan(m)] = np.nan
    y[y == 9999] = np.nan
    bad_month = ~np.isnan(m) & ((m < 1) | (m > 12))
    last = _month_end(np.nan_to_num(y, nan=2000), np.nan_to_num(m, nan=1)) - _month_start(
        np.nan_to_num(y, nan=2000), np.nan_to_num(m, nan=1)
    )
    bad_day = ~np.isnan(d) & ((d < 1) | (d > last + 1))
    malformed = invalid.to_numpy(dtype=bool) | (~np.isnan(y) & (y < 1800))
    for a in (y, m, d):
        a[malformed] = np.nan
    # an impossible month or day is unknown, as SEER's survival-time algorithm reads it: an
    # invalid month makes month and day unknown, an invalid day the day; the year is kept
    m[bad_month] = np.nan
    d[bad_month | bad_day] = np.nan
    return y, m, d, malformed | bad_month | bad_day


def _month_start(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    months = ((y - 1970) * 12 + (m - 1)).astype("int64")
    return months.astype("datetime64[M]").astype("datetime64[D]").astype("int64")


def _month_end(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    months = ((y - 1970) * 12 + m).astype("int64")
    return months.astype("datetime64[M]").astype("datetime64[D]").astype("int64") - 1


def date_parts(values: npt.ArrayLike, n: int) -> tuple[Ints, Ints, Ints, Ints]:
    """Text code and SEER's integer parts of NAACCR dates (9999 / 99 when not digits).

    Year, month and day are characters 1-4, 5-6 and 7-8 (after removing blanks and ``-``); a
    part that is cut short or not all digits is unknown, as SEER's ``isDigits`` test has it.
    Distinct values are parsed once (a registry has far fewer distinct dates than records).
    """
    arr = np.asarray(values, dtype=object)
    if arr.shape != (n,):
        raise InputError(f"every date column needs {n} values; one has {arr.size}.")
    codes, uniques = pd.factorize(arr, use_na_sentinel=False)
    text = pd.Series(uniques, dtype=object).where(pd.notna(uniques), "").astype(str)
    text = text.str.strip().str.replace("-", "", regex=False).str.slice(0, 8)
    text = text.where(text.str.len() >= 4, "")
    key = pd.factorize(text)[0][codes].astype(np.int64)
    length = text.str.len().to_numpy()
    out = []
    for a, b, unknown in ((0, 4, 9999), (4, 6, 99), (6, 8, 99)):
        piece = text.str.slice(a, b)
        ok = (length >= b) & piece.str.fullmatch(r"\d+").fillna(False).to_numpy(dtype=bool)
        part = np.full(len(text), unknown, dtype=np.int64)
        part[ok] = piece[ok].astype(np.int64).to_numpy()
        out.append(part[codes])
    return key, out[0], out[1], out[2]


def fix_invalid(y: Ints, m: Ints, d: Ints) -> tuple[Ints, Ints]:
    """SEER: an impossible month makes month and day unknown, an impossible day the day."""
    d = np.where(m == 99, 99, d)
    bad_m = (m != 99) & ((m < 1) | (m > 12))
    m = np.where(bad_m, 99, m)
    d = np.where(bad_m, 99, d)
    last = month_length(y, np.clip(m, 1, 12))
    d = np.where((m != 99) & (d != 99) & ((d < 1) | (d > last)), 99, d)
    return m, d


def last_contact_parts(parts: Parts, today: _dt.date) -> Parts:
    """Unknown year (9999) for a last contact before 1900 or in the future; then fix parts."""
    y, m, d = parts
    m_fixed, d_fixed = fix_invalid(np.where(y == 9999, 1900, y), m, d)
    future = (y > today.year) | (
        (y == today.year)
        & (
            ((m <= 12) & (m > today.month))
            | ((m == today.month) & (d != 99) & (d_fixed == d) & (d > today.day))
        )
    )
    y = np.where((y < 1900) | future, 9999, y)
    unknown = y == 9999
    return y, np.where(unknown, 99, m_fixed), np.where(unknown, 99, d_fixed)
