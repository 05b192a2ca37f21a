"""Text for numbers in exported tables: counts, estimates with CIs, medians, p-values, headings.

Two styles for survival probabilities: ``"percent"`` (``90.2% (89.8–90.6)``, as SEER and most
papers print them; the report's default) and ``"proportion"`` (``0.90 (0.90–0.91)``). The number
of decimals is the style's default (1 for percent, 2 for proportions) or more, chosen per column
so that no shown interval collapses to one number ("0.98–0.98") when its limits differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from netsurv.present.disclosure import SUPPRESSED

__all__ = [
    "DASH",
    "Style",
    "column_digits",
    "estimate",
    "format_p",
    "mask_count",
    "median_text",
    "time_label",
]

DASH = "–"  # en dash in CIs, as journals print them
Style = Literal["percent", "proportion"]
_MAX_EXTRA = 3  # at most 3 decimals beyond the style's default


def mask_count(value: float, threshold: int, hidden: bool = False, grouping: bool = True) -> str:
    """A count as text: ``"suppressed"`` when 0 < value < threshold or ``hidden``; ``"–"`` for NA.

    Counts are whole numbers (a weighted count keeps one decimal); ``grouping=False`` drops
    the thousands separators (for CSV files).

    >>> mask_count(15, 16), mask_count(0, 16), mask_count(44468.0, 16)
    ('suppressed', '0', '44,468')
    """
    if value is None or pd.isna(value):
        return DASH
    if hidden or 0 < value < threshold:
        return SUPPRESSED
    sep = "," if grouping else ""
    return f"{value:{sep}.0f}" if float(value).is_integer() else f"{value:{sep}.1f}"


def format_p(p: float) -> str:
    """p-value as journals print it: ``<0.001``, else three decimals (two above 0.1)."""
    if p is None or pd.isna(p):
        return DASH
    if p < 0.001:
        return "<0.001"
    return f"{p:.3f}" if p < 0.1 else f"{p:.2f}"


def _scale(style: Style) -> tuple[float, int, str]:
    return (100.0, 1, "%") if style == "percent" else (1.0, 2, "")


def column_digits(triples: Iterable[Sequence[float]], style: Style, digits: int | None) -> int:
    """Decimals for one column of (estimate, lower, upper): the style's default (or ``digits``)
    raised until every interval whose limits differ prints two different limits."""
    factor, base, _ = _scale(style)
    d = base if digits is None else int(digits)
    rows = [(x, lo, hi) for x, lo, hi in triples if not (pd.isna(lo) or pd.isna(hi))]
    for extra in range(_MAX_EXTRA + 1):
        k = d + extra
        if all(f"{lo * factor:.{k}f}" != f"{hi * factor:.{k}f}" for _, lo, hi in rows if hi > lo):
            return k
    return d + _MAX_EXTRA


def estimate(x: float, lo: float, hi: float, digits: int, style: Style = "proportion") -> str:
    """``"90.2% (89.8–90.6)"`` or ``"0.90 (0.90–0.91)"``; ``"–"`` for NA."""
    if pd.isna(x):
        return DASH
    factor, _, sign = _scale(style)
    ci = (
        ""
        if pd.isna(lo) or pd.isna(hi)
        else f" ({lo * factor:.{digits}f}{DASH}{hi * factor:.{digits}f})"
    )
    return f"{x * factor:.{digits}f}{sign}{ci}"


def _time_text(x: float, whole: bool) -> str:
    if whole and float(x).is_integer():
        return f"{x:.0f}"
    return f"{x:.1f}"


def median_text(x: float, lo: float, hi: float, whole: bool = False) -> str:
    """Median with CI; whole numbers (e.g. SEER months) print without decimals
    (a median midway between two months keeps its .5): ``"241 (230–252)"``."""
    if pd.isna(x):
        return "not reached"
    lo_t = _time_text(lo, whole) if not pd.isna(lo) else "NR"
    hi_t = _time_text(hi, whole) if not pd.isna(hi) else "NR"
    return f"{_time_text(x, whole)} ({lo_t}{DASH}{hi_t})"


def time_label(t: float, unit: str | None) -> str:
    """Column heading for survival at t: ``"5-year"`` for 60 months, ``"6-month"``, or
    ``"time 12"`` when the data have no unit.

    >>> time_label(60, "months"), time_label(6, "months"), time_label(12, None)
    ('5-year', '6-month', 'time 12')
    """
    if unit is None:
        return f"time {t:g}"
    if unit == "months" and t % 12 == 0:
        return f"{t / 12:g}-year"
    return f"{t:g}-{unit.rstrip('s')}"


def whole_numbers(values: np.ndarray) -> bool:
    """True when every finite value is a whole number."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    return bool(np.all(v == np.round(v)))
