"""The fits and tests behind a survival table: the curves for each measure, the test across
the groups shown, the whole-month check and the warnings about implausible life tables."""

from __future__ import annotations

import difflib
import warnings
from typing import Any

import numpy as np
import pandas as pd

from netsurv.counting.validate import unknown_label_mask
from netsurv.errors import InputError
from netsurv.estimators.kaplan_meier import kaplan_meier
from netsurv.estimators.logrank import logrank
from netsurv.estimators.relative.compare import relative_survival_test
from netsurv.estimators.relative.net import relative_survival
from netsurv.estimators.relative.ratemap import RATE_MAP_FIELDS
from netsurv.present.formatting import whole_numbers
from netsurv.ratetables import RateTable

__all__ = [
    "RELATIVE_OPTIONS",
    "check_relative_options",
    "curves",
    "group_test",
    "warn_implausible",
    "whole_follow_up",
]

IMPLAUSIBLE = 1.10  # net survival above 110% means the population rates do not fit the cohort


def curves(
    df: pd.DataFrame,
    by: tuple[str, ...],
    time: str,
    event: str,
    measure: str,
    conf_type: str,
    conf_level: float,
    time_unit: str | None,
    relative_kw: dict[str, Any],
) -> Any:
    if measure == "relative":
        return relative_survival(  # type: ignore[arg-type]
            df,
            by=list(by) or None,
            conf_type=conf_type,  # type: ignore[arg-type]
            conf_level=conf_level,
            **relative_kw,
        )

    return kaplan_meier(
        df,
        time=time,
        event=event,
        by=list(by) or None,
        conf_type=conf_type,  # type: ignore[arg-type]
        conf_level=conf_level,
        time_unit=time_unit,
    )


def _logrank_p(df: pd.DataFrame, by: tuple[str, ...], time: str, event: str) -> tuple[float, str]:
    if not by:
        return np.nan, "no groups"

    try:
        res = logrank(df, time=time, event=event, by=list(by))
    except InputError as exc:  # fewer than two known groups
        return np.nan, f"log-rank not computed ({exc})"
    return float(res.p_value), res.method


def _net_test_p(
    df: Any, by: tuple[str, ...], time: str, event: str, relative_kw: dict[str, Any]
) -> tuple[float, str]:
    """Net survival is compared with the Pohar Perme-based test (R ``rs.diff``), not the
    ordinary log-rank; "unknown" groups are left out as for the log-rank."""
    if not by or not isinstance(df, pd.DataFrame):
        return np.nan, "no groups" if not by else "net survival test needs the data in memory"

    known = np.ones(len(df), dtype=bool)
    for col in by:
        known &= ~unknown_label_mask(df[col])
    options = {
        k: v for k, v in relative_kw.items() if k not in ("engine", "chunk_rows", "progress")
    }
    try:
        res = relative_survival_test(df.loc[known], by=list(by), time=time, event=event, **options)
    except InputError as exc:
        return np.nan, f"net survival test not computed ({exc})"
    return float(res.p_value), "Pohar Perme log-rank-type test of net survival (R rs.diff)"


# keyword arguments survival_table passes on to relative_survival (measure="relative")
RELATIVE_OPTIONS = frozenset(RATE_MAP_FIELDS) | {
    "rates",
    "conventions",
    "method",
    "engine",
    "chunk_rows",
    "progress",
}


def check_relative_options(options: dict[str, Any], measure: str) -> None:
    """Reject keyword arguments that neither survival_table nor relative_survival take."""
    for name in options:
        if name not in RELATIVE_OPTIONS:
            close = difflib.get_close_matches(name, [*sorted(RELATIVE_OPTIONS), "conf_level"])
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise InputError(f"survival_table() got an unexpected keyword argument {name!r}{hint}")
        if measure != "relative":
            raise InputError(
                f"{name}={options[name]!r} applies to measure='relative' only (life-table matching)"
            )


def whole_follow_up(df: Any, time: str, fit: Any) -> bool:
    """True when the follow-up times are whole numbers (SEER months), read from the data
    (every measure, net survival included, then gets the same x-year meaning)."""
    if isinstance(df, pd.DataFrame) and time in df:
        values = pd.to_numeric(df[time], errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        return whole_numbers(values)
    return whole_numbers(np.asarray(fit.time, dtype=np.float64))


def _shown_rows(df: Any, by: tuple[str, ...], out: pd.DataFrame, suppressed: np.ndarray) -> Any:
    """The rows of the groups whose estimates are shown (for the test); ``None`` when a group
    is suppressed and the rows cannot be selected (counts, files)."""
    if not suppressed.any() or not by:
        return df
    if not isinstance(df, pd.DataFrame):
        return None
    keys = pd.MultiIndex.from_frame(out.loc[~suppressed, list(by)].astype(str))
    rows = pd.MultiIndex.from_frame(df[list(by)].astype(str))
    return df[rows.isin(keys)]


def warn_implausible(
    out: pd.DataFrame, grid: np.ndarray, by: tuple[str, ...], df: Any, relative_kw: dict[str, Any]
) -> None:
    """Net survival far above 100%, or a life table that starts after the diagnoses, means
    the population rates do not fit the cohort: say so instead of printing "212.52"."""
    cols = [f"survival_{x:g}" for x in grid]
    values = out[cols].to_numpy(dtype=np.float64)
    if np.nanmax(values, initial=0.0) > IMPLAUSIBLE:
        i, j = np.unravel_index(np.nanargmax(values), values.shape)
        group = ", ".join(str(out.iloc[i][c]) for c in by) or "all"
        warnings.warn(
            f"net survival {values[i, j]:.0%} at time {grid[j]:g} ({group}) is implausible "
            "(above 110%): the population death rates are higher than this cohort's; check the "
            "life table's units (rates per person-day vs per year), sexes, ages and years",
            stacklevel=3,
        )
    table = relative_kw.get("lifetable")
    year = relative_kw.get("year", "year_dx")
    if isinstance(table, RateTable) and isinstance(df, pd.DataFrame) and year in df:
        first = pd.to_numeric(df[year], errors="coerce").min()
        if first < int(table.years[0]):
            warnings.warn(
                f"the life table starts in {int(table.years[0])} but diagnoses start in "
                f"{first:.0f}: earlier years use the table's first year's rates; pass a table "
                "that covers every year of diagnosis",
                stacklevel=3,
            )


def group_test(
    df: Any,
    by: tuple[str, ...],
    out: pd.DataFrame,
    suppressed: np.ndarray,
    measure: str,
    time: str,
    event: str,
    relative_kw: dict[str, Any],
) -> tuple[float, str]:
    """The test across the groups shown (not suppressed, not "unknown")."""
    shown_df = _shown_rows(df, by, out, suppressed)
    if shown_df is None:
        return np.nan, "not computed (the data are not a DataFrame and a group is suppressed)"
    if by and (~suppressed).sum() < 2:
        return np.nan, "not computed (fewer than two groups shown)"
    if measure != "relative":
        return _logrank_p(shown_df, by, time, event)
    return _net_test_p(shown_df, by, time, event, relative_kw)
