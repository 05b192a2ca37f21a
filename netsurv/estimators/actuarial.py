"""Actuarial (life-table) survival in fixed intervals, as SEER*Stat's survival session shows it.

Interval j covers [j·width, (j+1)·width). Whole SEER months go to the interval that contains
them, so with ``width=12`` a death at month 12 falls in the second year.

Per interval (SEER*Stat "Algorithms for the Survival Output Table"; Marubini–Valsecchi):

* ``n_start``: alive at the start of the interval (under follow-up);
* ``n_events`` (died), ``n_lost`` (withdrawn alive: censored during the interval),
  ``n_entered`` (left truncation: entered during the interval);
* ``n_effective`` = n_start − n_lost/2 + n_entered/2 (withdrawals and entries count half);
* ``interval_survival`` p = 1 − n_events/n_effective; ``survival`` = product of p up to here;
* ``std_err`` = survival · sqrt(Σ n_events / (n_effective (n_effective − n_events)))
  (Greenwood's formula for the actuarial estimator);
* ``lower``/``upper``: the same transformations as Kaplan–Meier (``conf_type``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from netsurv.counting.segments import segment_cumprod, segment_cumsum
from netsurv.counting.sources import as_counts
from netsurv.counting.table import Counts
from netsurv.errors import InputError
from netsurv.estimators.relative.lifetable import relative_life_table
from netsurv.results.bands import ConfType, confidence_band
from netsurv.results.lifetable import LifeTable
from netsurv.rules import LIFE_TABLE_MAX_INTERVALS

__all__ = ["life_table", "life_table_from_counts"]


def life_table(
    df: pd.DataFrame | Counts | Any,
    *,
    time: str = "survival_months",
    event: str = "dead",
    by: str | Sequence[str] | None = None,
    width: float = 12,
    max_time: float | None = None,
    weights: str | None = None,
    entry: str | None = None,
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
    relative: bool = False,
    engine: str | None = None,
    memory_limit: str | None = "512MB",
    progress: bool = False,
    **relative_options: Any,
) -> LifeTable:
    """Actuarial life table per stratum in intervals of ``width`` time units.

    With ``relative=True`` the SEER*Stat-style relative survival table (Ederer II expected
    survival) is returned instead; ``relative_options`` go to
    :func:`netsurv.estimators.relative.lifetable.relative_life_table` (age, sex, year, lifetable, …).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [3, 5, 14, 20, 30], "d": [1, 0, 1, 0, 0]})
    >>> lt = life_table(df, time="t", event="d")
    >>> lt.table[["start", "n_start", "n_events", "n_lost", "n_effective", "survival"]]
       start  n_start  n_events  n_lost  n_effective  survival
    0    0.0        5         1       1          4.5  0.777778
    1   12.0        3         1       1          2.5  0.466667
    2   24.0        1         0       1          0.5  0.466667
    """
    _check_interval_options(width, max_time)
    if relative:
        if isinstance(df, Counts):
            raise InputError("relative=True needs the subject-level data, not a counts table")
        return relative_life_table(
            df,
            time=time,
            event=event,
            by=by,
            width=width,
            conf_type=conf_type,
            conf_level=conf_level,
            **relative_options,
        )
    if relative_options:
        raise InputError(
            f"unexpected arguments {sorted(relative_options)} (only with relative=True)"
        )
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
    return life_table_from_counts(counts, width, max_time, conf_type, conf_level)


def _wider(last: float) -> float:
    """A width giving about 100 intervals over ``last`` (a round number)."""
    target = max(last / 100, 1e-300)
    return float(10 ** np.ceil(np.log10(target)))


def _check_interval_options(width: Any, max_time: Any) -> None:
    """``width`` a positive finite number; ``max_time`` None or a positive number."""
    real = (int, float, np.integer, np.floating)
    if (
        isinstance(width, bool)
        or not isinstance(width, real)
        or not (np.isfinite(width) and width > 0)
    ):
        raise InputError(f"width={width!r}: give a positive interval width, e.g. 12 months")
    if max_time is not None and (
        isinstance(max_time, bool)
        or not isinstance(max_time, real)
        or np.isnan(max_time)
        or max_time <= 0
    ):
        raise InputError(f"max_time={max_time!r}: give a positive time, e.g. 120 months")


def life_table_from_counts(
    counts: Counts,
    width: float,
    max_time: float | None = None,
    conf_type: str = "log-log",
    conf_level: float = 0.95,
) -> LifeTable:
    """Life table from a counts table: sums the counts of each (stratum, interval)."""
    _check_interval_options(width, max_time)
    n_int = _n_intervals(counts, width, max_time)
    k = counts.n_strata
    cols = _interval_sums(counts, width, n_int)
    n_eff = cols["n_effective"]
    died = cols["n_events"]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(n_eff > 0, died / n_eff, np.nan)
        terms = np.where(died > 0, died / (n_eff * (n_eff - died)), 0.0)
    stratum = np.repeat(np.arange(k), n_int)
    p = 1 - q
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = segment_cumprod(np.where(np.isnan(p), 1.0, p), stratum)
        se_log = np.sqrt(segment_cumsum(terms, stratum))
    lower, upper = confidence_band(survival, se_log, conf_type, conf_level)
    out = pd.DataFrame(
        {
            "start": np.tile(np.arange(n_int) * float(width), k),
            "end": np.tile((np.arange(n_int) + 1) * float(width), k),
            **cols,
            "interval_survival": p,
            "survival": survival,
            "std_err": survival * se_log,
            "lower": lower,
            "upper": upper,
        }
    )
    out = pd.concat([counts.strata.iloc[stratum].reset_index(drop=True), out], axis=1)
    out = out[out["n_start"] + out["n_entered"] > 0].reset_index(drop=True)
    if not counts.weighted:
        for col in ("n_start", "n_events", "n_lost", "n_entered"):
            out[col] = out[col].astype("int64")
    if "n_entered" in out and not (out["n_entered"] != 0).any():
        out = out.drop(columns="n_entered")
    method = (
        f"actuarial life table, intervals of {width:g}; SE by Greenwood's formula; "
        f"{conf_type} confidence intervals"
    )
    return LifeTable(
        table=out,
        by=counts.by,
        width=float(width),
        method=method,
        conf_type=conf_type,
        conf_level=conf_level,
        excluded=counts.excluded,
    )


def _n_intervals(counts: Counts, width: float, max_time: float | None) -> int:
    """Number of intervals of ``width`` up to the last follow-up (or ``max_time``), refused
    above the rulebook's limit."""
    last = float(counts.time.max()) if len(counts.time) else 0.0
    if max_time is not None:
        last = min(last, float(max_time))
    n_int = int(np.floor(last / width)) + 1 if len(counts.time) and np.isfinite(last) else 0
    if n_int > LIFE_TABLE_MAX_INTERVALS:
        raise InputError(
            f"width={width!r}: follow-up to {last:g} in intervals of {width:g} makes {n_int:,} "
            f"intervals, more than {LIFE_TABLE_MAX_INTERVALS:,}; give a wider width "
            f"(e.g. width={_wider(last):g}) or a max_time"
        )
    if max_time is not None and np.isfinite(max_time):
        n_int = min(n_int, int(np.ceil(max_time / width)))
    return n_int


def _interval_sums(counts: Counts, width: float, n_int: int) -> dict[str, np.ndarray]:
    """Per (stratum, interval), flattened stratum-major: alive at the start, deaths, losses,
    entries during the interval and the effective number at risk (n - lost/2 + entered/2)."""
    k = counts.n_strata
    interval = np.minimum(np.floor(counts.time / width), n_int).astype(np.int64)
    keep = interval < n_int
    cell = counts.stratum[keep] * n_int + interval[keep]

    def per_cell(x: np.ndarray) -> np.ndarray:
        return np.bincount(cell, weights=x[keep], minlength=k * n_int).reshape(k, n_int)

    died = per_cell(counts.n_events)
    lost = per_cell(counts.n_censored)
    # an entry exactly at an interval's start is alive at that start, not "entered during"
    at_start = counts.time == interval * width
    entered_during = per_cell(np.where(at_start, 0.0, counts.n_entered))
    exits_all = np.bincount(
        counts.stratum * (n_int + 1) + np.minimum(interval, n_int),
        weights=counts.n_events + counts.n_censored - counts.n_entered,
        minlength=k * (n_int + 1),
    ).reshape(k, n_int + 1)
    # alive at the start of interval j: everyone who exits at or after it, minus later entries
    tail = np.cumsum(exits_all[:, ::-1], axis=1)[:, ::-1][:, :n_int]
    n_start = tail - entered_during
    return {
        "n_start": n_start.ravel(),
        "n_events": died.ravel(),
        "n_lost": lost.ravel(),
        "n_entered": entered_during.ravel(),
        "n_effective": (n_start - lost / 2 + entered_during / 2).ravel(),
    }
