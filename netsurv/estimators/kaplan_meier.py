"""Kaplan–Meier survival curves with Greenwood standard errors, as R ``survfit`` computes them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from netsurv.counting.series import frame_from_series
from netsurv.counting.sources import as_counts
from netsurv.counting.table import Counts
from netsurv.counting.validate import code_event
from netsurv.errors import InputError
from netsurv.results.bands import ConfType
from netsurv.results.curves import SurvivalCurves, product_limit

__all__ = ["kaplan_meier"]


def kaplan_meier(
    df: pd.DataFrame | Counts | Any = None,
    *,
    time: str | pd.Series = "survival_months",
    event: str | pd.Series = "dead",
    by: str | Sequence[str] | pd.Series | None = None,
    event_value: Any = None,
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
    weights: str | None = None,
    entry: str | None = None,
    time_unit: str | None = None,
    engine: str | None = None,
    memory_limit: str | None = "512MB",
    progress: bool = False,
) -> SurvivalCurves:
    """Kaplan–Meier survival curves, per stratum of ``by``.

    Parameters
    ----------
    df : a canonical registry frame (or any DataFrame), a :class:`netsurv.Counts` table, or a
        source too big for memory — a Parquet/CSV path, glob or directory, a pyarrow Dataset,
        a DuckDB relation or a Dask DataFrame — counted by :func:`netsurv.counting.sources.to_counts`.
    time, event : follow-up and event columns (defaults: SEER survival months, death from any
        cause). ``event="cancer_death"`` gives cause-specific survival: deaths from other
        causes are censored and rows whose cause is unknown (NA) are left out and counted.
        ``time``, ``event`` and ``by`` may also be pandas Series (lifelines'
        ``kmf.fit(T, E)``), with ``df`` None or a DataFrame they align with.
    by : column name(s) to stratify by; categorical order is kept.
    event_value : the value of ``event`` that marks the event, for a text column such as
        "Dead"/"Alive" (``event_value="Dead"``); other values are censored, NA stays missing.
    conf_type : "log-log" (default), "log" (R's default) or "plain".
    conf_level : confidence level of the pointwise band and of the median's CI.
    weights : column of frequency weights (a row with weight k counts as k rows).
    entry : column of entry times for left truncation (at risk when entry < t <= time).
    time_unit : label of the time axis; "months" for ``survival_months``.
    engine : "numpy", "arrow", "duckdb" or "dask" (default: numpy for DataFrames, duckdb —
        else arrow — for files; see docs/scale.md). ``memory_limit`` and ``progress`` go to
        the engine.

    Returns
    -------
    SurvivalCurves
        ``to_frame()``, ``at(times)``, ``median()``, ``quantile(p)``, ``rmst(tau)``,
        ``conditional(given)``, ``follow_up()``, ``plot()``; ``excluded`` counts the rows left
        out, by reason.

    Examples
    --------
    Without censoring, Kaplan–Meier is the empirical survival function:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [2, 4, 4, 7], "d": [1, 1, 1, 1]})
    >>> kaplan_meier(df, time="t", event="d").to_frame()["survival"].round(12).tolist()
    [0.75, 0.25, 0.0]
    """
    df, time, event, by = frame_from_series(df, time=time, event=event, by=by)
    if event_value is not None:
        if not isinstance(df, pd.DataFrame):
            raise InputError("event_value: for in-memory data; code the event as 1/0 in files")
        df = code_event(df, event, event_value)
    counts = as_counts(
        df,
        time=time,
        event=event,
        by=by,
        weights=weights,
        entry=entry,
        engine=engine,
        memory_limit=memory_limit,
        progress=progress,
    )
    what = "cause-specific survival" if event == "cancer_death" else "overall survival"
    if time_unit is None and time == "survival_months":
        time_unit = "months"
    return product_limit(
        counts, conf_type, conf_level, measure=f"{what} (Kaplan–Meier)", time_unit=time_unit
    )
