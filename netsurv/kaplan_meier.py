"""Kaplan–Meier survival curves with Greenwood standard errors, as R ``survfit`` computes them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from netsurv._counts import Counts, as_counts
from netsurv._segments import segment_cumprod, segment_cumsum
from netsurv.results import CONF_TYPES, ConfType, SurvivalCurves, confidence_band, z_value

__all__ = ["curves_from_counts", "kaplan_meier", "segment_cumprod", "segment_cumsum"]


def curves_from_counts(
    counts: Counts,
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    *,
    start_time: float = 0.0,
    measure: str = "overall survival (Kaplan–Meier)",
    time_unit: str | None = "months",
) -> SurvivalCurves:
    """Kaplan–Meier estimate from a counts table (any engine's).

    S(t) = prod_{t_j <= t} (1 - d_j / n_j); Greenwood: var(log S) = sum d_j / (n_j (n_j - d_j)),
    infinite once n_j = d_j (the curve is 0 and its standard error and CI are NaN, as in R).
    """
    if conf_type not in CONF_TYPES:
        from netsurv.errors import InputError

        raise InputError(f"conf_type={conf_type!r}: choose one of {', '.join(CONF_TYPES)}")
    z_value(conf_level)  # validates conf_level
    c = counts.exits()
    n, d = c.n_at_risk, c.n_events
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = segment_cumprod(np.where(d > 0, 1.0 - d / n, 1.0), c.stratum)
        greenwood = np.where(d > 0, d / (n * (n - d)), 0.0)  # inf when n == d
        se_log = np.sqrt(segment_cumsum(greenwood, c.stratum))
    lower, upper = confidence_band(survival, se_log, conf_type, conf_level)
    k = counts.n_strata
    last = np.full(k, np.nan)
    if len(c.time):
        last_row = np.searchsorted(c.stratum, np.arange(k), side="right") - 1
        valid = (last_row >= 0) & (c.stratum[np.maximum(last_row, 0)] == np.arange(k))
        last = np.where(valid, c.time[np.maximum(last_row, 0)], np.nan)
    return SurvivalCurves(
        by=c.by,
        strata=c.strata,
        stratum=c.stratum,
        time=c.time,
        n_at_risk=n,
        n_events=d,
        n_censored=c.n_censored,
        survival=survival,
        se_log=se_log,
        lower=lower,
        upper=upper,
        conf_type=conf_type,
        conf_level=conf_level,
        n=counts.n_subjects(),
        last_time=last,
        excluded=counts.excluded,
        counts=counts,
        measure=measure,
        time_unit=time_unit,
        start_time=start_time,
    )


def kaplan_meier(
    df: pd.DataFrame | Counts | Any,
    *,
    time: str = "survival_months",
    event: str = "dead",
    by: str | Sequence[str] | None = None,
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
        a DuckDB relation or a Dask DataFrame — counted by :func:`netsurv.engines.to_counts`.
    time, event : follow-up and event columns (defaults: SEER survival months, death from any
        cause). ``event="cancer_death"`` gives cause-specific survival: deaths from other
        causes are censored and rows whose cause is unknown (NA) are left out and counted.
    by : column name(s) to stratify by; categorical order is kept.
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
    counts = as_counts(
        df, time=time, event=event, by=by, weights=weights, entry=entry, engine=engine,
        memory_limit=memory_limit, progress=progress,
    )  # fmt: skip
    what = "cause-specific survival" if event == "cancer_death" else "overall survival"
    if time_unit is None and time == "survival_months":
        time_unit = "months"
    return curves_from_counts(
        counts, conf_type, conf_level, measure=f"{what} (Kaplan–Meier)", time_unit=time_unit
    )
