"""Publication survival tables ("Table 2"): numbers first, formatting only on export.

:func:`survival_table` returns a frozen :class:`SurvivalTable` holding a DataFrame of numbers
(``n``, ``n_events``, median with CI, survival with CI at each requested time, log-rank p, and
``suppressed`` / ``unreliable`` flags). Strings such as ``"0.91 (0.89–0.93)"`` are made only by
``to_markdown()``, ``to_html()``, ``to_latex()``, ``to_csv()`` and ``_repr_html_``, which also
mask small counts and add footnotes (:mod:`netsurv.present.table_result`).

Small-count suppression
    Groups with fewer than ``suppress_below`` cases (default 16) get NA estimates and
    ``suppressed=True``; exported formats also print counts from 1 to ``suppress_below - 1`` as
    ``"<16"``. The default 16 is the U.S. Cancer Statistics (CDC/NCI) rule for *counts and
    rates* (16 cases ≈ a relative standard error of 25% for a rate, and a confidentiality
    limit). It is **not** a SEER rule for survival: SEER*Stat leaves the minimum number of cases
    to the user, and the SEER research data agreement only asks users to avoid publishing
    statistics for very small groups. Treat it as a configurable default.

Reliability flag
    ``unreliable_{t}`` is True when the standard error of S(t) exceeds ``max_std_err`` (default
    0.10, absolute: a 95% CI then spans more than ±0.2 around the estimate, too wide to be read
    as a point value) or fewer than ``min_at_risk`` (default 10) subjects are still at risk at
    t (the Greenwood variance is unstable in the tail of a curve). An absolute rather than a
    relative SE is used because survival proportions near 0 have large relative SEs even when
    precisely estimated. ``unreliable`` is True when any reported time is unreliable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from netsurv.counting.table import Counts
from netsurv.counting.validate import as_by
from netsurv.errors import InputError
from netsurv.present.formatting import Style, format_p, mask_count, whole_numbers
from netsurv.present.table_fits import (
    check_relative_options,
    curves,
    group_test,
    warn_implausible,
    whole_follow_up,
)
from netsurv.present.table_result import EVENTS, SurvivalTable, x_year_note

__all__ = ["SurvivalTable", "format_p", "mask_count", "survival_table", "x_year_note"]

Measure = Literal["overall", "cause-specific", "relative"]


def survival_table(
    df: pd.DataFrame | Counts,
    *,
    by: str | Sequence[str] | None = None,
    times: Sequence[float] = (12, 36, 60, 120),
    measure: Measure = "overall",
    time: str = "survival_months",
    event: str | None = None,
    conf_type: Literal["log-log", "log", "plain"] = "log-log",
    conf_level: float = 0.95,
    suppress_below: int = 16,
    max_std_err: float = 0.10,
    min_at_risk: int = 10,
    whole_months: bool | None = None,
    time_unit: str | None = None,
    style: Style = "proportion",
    **relative_kw: Any,
) -> SurvivalTable:
    """Publication survival table: N, events, median and t-time survival with CIs, log-rank p.

    Parameters
    ----------
    df : canonical registry frame (or any DataFrame with the named columns).
    by : grouping column(s) (e.g. ``"extent"``), or None (default) for one row; categorical
        order is kept.
    times : report times in the unit of ``time`` (months for SEER: 12, 36, 60, 120).
    measure : "overall" (event ``dead``), "cause-specific" (event ``cancer_death``; other deaths
        censored, unknown cause left out and counted) or "relative" (calls
        :func:`netsurv.relative_survival`; extra keyword arguments are passed to it).
    event : override the event column implied by ``measure``.
    conf_type, conf_level : pointwise CI of S(t) (log-log by default, as SEER*Stat and
        lifelines); the median's CI is where the band crosses 0.5 (R's rule).
    suppress_below : groups with fewer cases get NA estimates and ``suppressed=True``; 0 turns
        suppression off. See the module notes for where 16 comes from.
    max_std_err, min_at_risk : thresholds of the ``unreliable`` flags.
    whole_months : apply SEER's whole-month convention (S at t = KM through month t − 1).
        None (default) applies it when ``time == "survival_months"`` and every follow-up time
        is a whole number, i.e. SEER's integer survival months; pass False for follow-up
        computed from dates, True to force it.
    time_unit : name of the unit of ``time`` for headings ("months" is assumed for
        ``survival_months``).
    style : "proportion" (``0.90 (0.90–0.91)``) or "percent" (``90.2% (89.8–90.6)``) for the
        exported formats.

    The log-rank p compares the groups whose estimates are shown: groups labelled "unknown"
    and suppressed groups are left out, and no p is given when fewer than two remain.

    Returns
    -------
    SurvivalTable
        ``.table`` (numbers), ``.p_value``, ``to_markdown()``, ``to_html()``, ``to_latex()``,
        ``to_csv()``.

    Examples
    --------
    Without censoring, survival at 2 is the fraction still alive after time 2; a group with
    fewer than 16 cases is suppressed:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [1, 2, 3, 4] * 5, "d": 1, "g": ["a"] * 16 + ["b"] * 4})
    >>> tab = survival_table(df, by="g", times=[2], time="t", event="d")
    >>> tab.table[["g", "n", "survival_2", "suppressed"]].to_dict("list")
    {'g': ['a', 'b'], 'n': [16, 4], 'survival_2': [0.5, nan], 'suppressed': [False, True]}
    """
    grid = _checked(times, measure, suppress_below)
    by_cols = as_by(by)
    check_relative_options(relative_kw, measure)
    event = event or EVENTS[measure]
    if measure != "relative" and not isinstance(df, pd.DataFrame | Counts):
        raise InputError(
            f"df: expected a pandas DataFrame or netsurv.Counts, got {type(df).__name__}"
        )
    fit = curves(df, by_cols, time, event, measure, conf_type, conf_level, time_unit, relative_kw)
    if whole_months is None:
        whole_months = time == "survival_months" and whole_follow_up(df, time, fit)
    out = _summary(fit)
    lookup = _through_month_before(grid) if whole_months else grid
    any_bad = _at_times(out, fit.at(lookup), grid, max_std_err, min_at_risk)
    suppressed = out["n"].to_numpy() < suppress_below
    p, test = group_test(df, by_cols, out, suppressed, measure, time, event, relative_kw)
    out["p_value"] = p
    _suppress(out, grid, suppressed)
    out["unreliable"] = any_bad & ~suppressed
    if measure == "relative":
        warn_implausible(out, grid, by_cols, df, relative_kw)
    return SurvivalTable(
        table=out,
        by=by_cols,
        times=tuple(float(x) for x in grid),
        measure=measure,
        time_unit=fit.time_unit,
        conf_type=fit.conf_type,
        conf_level=fit.conf_level,
        whole_months=bool(whole_months),
        suppress_below=int(suppress_below),
        max_std_err=float(max_std_err),
        min_at_risk=int(min_at_risk),
        p_value=p,
        test=test,
        event=event,
        method=fit.measure,
        excluded=fit.excluded,
        curves=fit,
        style=style,
    )


def _checked(times: Any, measure: Any, suppress_below: Any) -> np.ndarray:
    """The report times as a float array, after checking them, ``measure`` and
    ``suppress_below``."""
    if not isinstance(measure, str) or measure not in EVENTS:
        raise InputError(f"measure={measure!r}: choose 'overall', 'cause-specific' or 'relative'")
    try:
        grid = np.atleast_1d(np.asarray(times, dtype=np.float64))
    except (TypeError, ValueError):
        grid = np.array([np.nan])
    if grid.size == 0 or grid.ndim != 1 or not np.isfinite(grid).all() or (grid <= 0).any():
        raise InputError(f"times={times!r}: give positive times such as [12, 36, 60, 120]")
    if not isinstance(suppress_below, int | np.integer) or suppress_below < 0:
        raise InputError(f"suppress_below={suppress_below!r}: give a whole number such as 16")
    return grid


def _summary(fit: Any) -> pd.DataFrame:
    """n, events and the median with its CI per group; counts as integers when whole."""
    out = fit.summary().reset_index(drop=True)
    out = out.rename(columns={"lower": "median_lower", "upper": "median_upper"})
    for col in ("n", "n_events"):  # counts are whole numbers unless weights made them not
        if whole_numbers(out[col].to_numpy(float)):
            out[col] = out[col].round().astype("int64")
    return out


def _at_times(
    out: pd.DataFrame, at: pd.DataFrame, grid: np.ndarray, max_std_err: float, min_at_risk: int
) -> np.ndarray:
    """Add ``survival_t``, ``lower_t``, ``upper_t``, ``std_err_t``, ``n_at_risk_t`` and
    ``unreliable_t`` per report time t (``at``: the fit's ``at()`` at the lookup times);
    returns whether any time of a row is unreliable."""
    k = len(grid)
    any_bad = np.zeros(len(out), dtype=bool)
    for j, x in enumerate(grid):
        rows = at.iloc[j::k].reset_index(drop=True)  # at() returns stratum-major rows
        key = f"{x:g}"
        for name in ("survival", "lower", "upper", "std_err", "n_at_risk"):
            out[f"{name}_{key}"] = rows[name].to_numpy()
        bad = (rows["std_err"].to_numpy() > max_std_err) | (
            rows["n_at_risk"].to_numpy() < min_at_risk
        )
        bad &= rows["survival"].notna().to_numpy()
        out[f"unreliable_{key}"] = bad
        any_bad |= bad
    return any_bad


def _suppress(out: pd.DataFrame, grid: np.ndarray, suppressed: np.ndarray) -> None:
    """NA estimates and no reliability flags for the suppressed rows; the ``suppressed``
    column."""
    estimates = [
        c
        for c in out.columns
        if c.startswith(("median", "survival_", "lower_", "upper_", "std_err_"))
    ]
    out.loc[suppressed, estimates] = np.nan
    for x in grid:
        out.loc[suppressed, f"unreliable_{x:g}"] = False
    out["suppressed"] = suppressed


def _through_month_before(grid: np.ndarray) -> np.ndarray:
    """Where to read "t-month survival" on whole months: through month t - 1. Month 0 is read
    just below 1, so that deaths in month 0 count when an estimator gave them a time inside the
    month (relative survival's ``zero_time``, 0.5 by default); on whole months nothing else
    lies in (0, 1)."""
    return np.where(grid == 1.0, np.nextafter(1.0, 0.0), grid - 1.0)
