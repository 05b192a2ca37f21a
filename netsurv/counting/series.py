"""Series in place of column names (the lifelines habit ``kmf.fit(durations, events)``).

``kaplan_meier(time=df["T"], event=df["E"], by=df["arm"])`` works like
``kaplan_meier(df, time="T", event="E", by="arm")``: each Series becomes a column named after
it (``time``, ``event`` or ``group`` when it has no name), aligned on the index of ``df``
when one is given.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from netsurv.errors import InputError

__all__ = ["frame_from_series"]


def _column(value: Any, default: str, added: dict[str, pd.Series], param: str = "") -> str:
    """The column name for ``value``: itself if a name, else the name of the Series added."""
    if isinstance(value, str):
        return value
    if not isinstance(value, pd.Series | np.ndarray | list | tuple) or np.ndim(value) != 1:
        raise InputError(
            f"{param or default}={value!r}: give a column name, or a Series/array with one "
            "value per row"
        )
    series = value if isinstance(value, pd.Series) else pd.Series(np.asarray(value))
    name = str(series.name) if series.name is not None else default
    if name in added:
        raise InputError(f"two Series are named {name!r}: rename one (series.rename('...'))")
    added[name] = series
    return name


def frame_from_series(
    df: Any, *, time: Any, event: Any, by: Any = None
) -> tuple[Any, str, str, str | tuple[str, ...] | None]:
    """(data, time, event, by) with every Series or array turned into a named column.

    Sources other than a DataFrame (files, Counts, DuckDB, Dask) pass through when only
    column names are given.
    """
    added: dict[str, pd.Series] = {}
    time_name = _column(time, "time", added)
    event_name = _column(event, "event", added)
    several = isinstance(by, list | tuple)
    by_out: str | tuple[str, ...] | None
    if several:
        by_out = tuple(_column(b, "group", added, "by") for b in by)
    else:
        by_out = None if by is None else _column(by, "group", added, "by")
    if not added:
        if df is None:
            raise InputError("no data: give a DataFrame with column names, or time=/event= Series")
        return df, time_name, event_name, by_out
    if df is None:
        lengths = {len(s) for s in added.values()}
        if len(lengths) > 1:
            raise InputError(f"time/event/by Series differ in length ({sorted(lengths)})")
        index = next(s.index for s in added.values() if isinstance(s, pd.Series))
        frame = pd.DataFrame({k: s.to_numpy() for k, s in added.items()}, index=index)
        return frame, time_name, event_name, by_out
    if not isinstance(df, pd.DataFrame):
        raise InputError("time/event/by as Series: give them with df=None or with a DataFrame")
    for name, s in added.items():
        if not isinstance(s, pd.Series) and len(s) != len(df):
            raise InputError(
                f"{name}: {len(s)} values for a data frame of {len(df)} rows; give one per row"
            )
    return df.assign(**added), time_name, event_name, by_out
