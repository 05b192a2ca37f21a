"""Relative and net survival against population life tables (R ``relsurv`` and SEER*Stat).

* :func:`relative_survival` — net survival by Pohar Perme (default) or relative survival by
  the hazard-based Ederer II estimator, exactly as R ``relsurv::rs.surv`` computes them
  (``precision = 1``: expected hazards integrated in one-day steps between exit times).
* :func:`expected_survival` — expected (population) survival of a cohort (Ederer I) or of
  each subject, integrating the life table exactly across birthdays and New Years (R
  ``survival::survexp``).
* :func:`relative_survival_test` — the Pohar Perme log-rank-type comparison of net survival
  (R ``relsurv::rs.diff``).
* :func:`relative_life_table` — SEER*Stat's actuarial relative survival table (Ederer II).

Conventions (what turns registry columns into the days the life table needs):

* follow-up: ``time_unit`` "months" (a SEER month is 365.24 / 12 days), "days", or "years"
  (365.24 days);
* age at diagnosis in years (fractions allowed) × 365.25 days (``survexp.us``'s year); when
  every age is a whole number (completed years, as registries record it) half a year is added,
  the expected exact age of someone aged ``a`` completed years (``completed_age=False`` turns
  this off);
* diagnosis date: ``date_dx`` where known; for rows without it (or without ``date_dx=``) the
  15th of the month when a ``month`` column is given and known (mid-month), else 1 July of
  ``year`` (mid-year);
* rows with zero follow-up have no time at risk and are left out, as relsurv does, and counted
  in ``excluded``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, Unpack

import pandas as pd

from netsurv.errors import InputError
from netsurv.estimators.relative.chunks import relative_survival_chunks
from netsurv.estimators.relative.cohort import cohort_relative
from netsurv.estimators.relative.netcurves import estimate
from netsurv.estimators.relative.ratemap import RateKeywords, RateMap, rate_map
from netsurv.estimators.relative.subjects import subjects
from netsurv.results.bands import CONF_TYPES, ConfType, z_value
from netsurv.results.curves import SurvivalCurves

__all__ = ["Method", "relative_survival"]

Method = Literal["pohar-perme", "ederer2", "ederer1", "hakulinen"]


def relative_survival(
    df: pd.DataFrame,
    *,
    time: str = "survival_months",
    event: str = "dead",
    by: str | Sequence[str] | None = None,
    method: Method = "pohar-perme",
    rates: RateMap | None = None,
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
    engine: str | None = None,
    chunk_rows: int = 1_000_000,
    progress: bool = False,
    conventions: Literal["relsurv", "strs"] = "relsurv",
    **rate_keywords: Unpack[RateKeywords],
) -> SurvivalCurves:
    """Net survival (Pohar Perme) or relative survival (Ederer II), per stratum of ``by``.

    Follows R ``relsurv::rs.surv(..., precision = 1)``: at each distinct exit time t_j,

    * Pohar Perme: λ_j = Σ dN_i/S_P,i / Σ Y_i/S_P,i − ∫ weighted population hazard over
      (t_{j−1}, t_j]; S(t) = Π (1 − λ_j); var log S = Σ (Σ dN_i/S_P,i²) / (Σ Y_i/S_P,i)²;
    * Ederer II: λ_j = (d_j − Σ_i ∫ λ_P,i) / n_j; var log S = Σ d_j / n_j².

    Parameters
    ----------
    df : canonical registry frame (one row per tumour).
    time, event, by : follow-up, death indicator, grouping columns.
    method : "pohar-perme" (net survival, default) or "ederer2" (relative survival, hazard
        based); or observed (Kaplan–Meier) over cohort-expected survival: "ederer1"
        (expected survival of everyone, complete follow-up) or "hakulinen" (expected survival
        over each patient's potential follow-up), as R ``rs.surv`` computes them
        (:mod:`netsurv.estimators.relative.cohort`; in memory, no ``entry``).
    rates : a :class:`~netsurv.estimators.relative.ratemap.RateMap`: how each patient finds
        its cells in the population rate table (columns of age, sex, diagnosis date, race;
        the ``lifetable``; units; ``completed_age``; ``zero_time``; ``entry``).
    conf_type, conf_level : pointwise confidence band on S (as for Kaplan–Meier).
    **rate_keywords : the fields of :class:`~netsurv.estimators.relative.ratemap.RateMap`
        one by one (``time_unit``, ``age``, ``sex``, ``year``, ``date_dx``, ``month``,
        ``race``, ``lifetable``, ``completed_age``, ``age_unit``, ``zero_time``, ``entry``;
        each documented there); they change those fields of ``rates``. ``zero_time``
        "auto" (default) gives a death in SEER month 0 half a month — Kaplan–Meier counts
        it at t = 0; dropping it, as R ``relsurv`` does with zero times, biases net survival
        upwards, most for distant disease and NEC. ``entry`` (left truncation, e.g. from
        :func:`netsurv.period_window`): at risk when entry < t <= time.
    conventions : "relsurv" (default): the conventions above (exact diagnosis dates or
        mid-month/mid-year, completed ages + half a year, zero follow-up given ``zero_time``).
        "strs" (Stata ``strs``/``stnet``, Dickman's published tables): ages are completed
        years as given (``completed_age=False``); every patient is placed on 1 January of
        the year of diagnosis (``month`` and the day of ``date_dx`` are not used) and the
        rate table's birthday shift is off, so that attained age and calendar year both
        change on the anniversaries of diagnosis (the year within a day: calendar years
        have 365 or 366 days); zero follow-up is left out and counted (Stata ``stset``;
        ``zero_time`` is not taken). The estimators, their variances and the confidence
        intervals are unchanged (strs's "observed interval over expected" applies to its
        life tables: :func:`netsurv.life_table` with ``relative=True``).
        In memory only.
    engine, chunk_rows, progress : a source other than a DataFrame (Parquet/CSV path, glob or
        directory, pyarrow Dataset, DuckDB relation, Dask DataFrame) — or any ``engine`` — is
        read in chunks of ``chunk_rows`` and the additive per-subject sums added, which gives
        the in-memory result exactly (``netsurv.estimators.relative.chunks.relative_survival_chunks``).

    Returns
    -------
    SurvivalCurves
        ``survival`` is net (or relative) survival; ``std_err`` its standard error.

    Examples
    --------
    With no background mortality net survival is the Kaplan–Meier estimate:

    >>> import numpy as np, pandas as pd
    >>> from netsurv.ratetables import RateTable
    >>> zero = RateTable(np.zeros((110, 2, 1, 81)), np.arange(110), np.arange(1940, 2021))
    >>> df = pd.DataFrame({"t": [3, 5, 5, 8], "d": [1, 0, 1, 1], "age_dx": 60.0,
    ...                    "sex": "female", "year_dx": 2010})
    >>> relative_survival(df, time="t", event="d", lifetable=zero).to_frame()["survival"].tolist()
    [0.75, 0.5, 0.0]
    """
    rmap = _checked(df, method, conventions, conf_type, conf_level, engine, rates, rate_keywords)
    strs = conventions == "strs"
    if engine is not None or not isinstance(df, pd.DataFrame):  # files etc.: in chunks, exact
        return relative_survival_chunks(
            df,
            method=method,
            conf_type=conf_type,
            conf_level=conf_level,
            chunk_rows=chunk_rows,
            progress=progress,
            time=time,
            event=event,
            by=by,
            rates=rmap,
        )
    s = subjects(df, time=time, event=event, by=by, rmap=rmap, anniversaries=strs)
    if method in ("ederer1", "hakulinen"):
        return cohort_relative(s, method, conf_type, conf_level, rmap.time_unit)
    return estimate(s, method, conf_type, conf_level, rmap.time_unit)


def _checked(
    df: object,
    method: str,
    conventions: str,
    conf_type: str,
    conf_level: float,
    engine: str | None,
    rates: RateMap | None,
    rate_keywords: Mapping[str, object],
) -> RateMap:
    """Check the options of :func:`relative_survival`; its rate map."""
    if method not in ("pohar-perme", "ederer2", "ederer1", "hakulinen"):
        raise InputError(
            f"method={method!r}: choose 'pohar-perme', 'ederer2', 'ederer1' or 'hakulinen'"
        )
    if conventions not in ("relsurv", "strs"):
        raise InputError(f"conventions={conventions!r}: choose 'relsurv' or 'strs'")
    strs = conventions == "strs"
    rmap = rate_map(rates, rate_keywords, refuse=("zero_time",) if strs else ())
    if strs:
        if engine is not None or not isinstance(df, pd.DataFrame):
            raise InputError("conventions='strs': give the data as a DataFrame (in memory)")
        rmap = rmap.replace(completed_age=False, zero_time=None)
    if method in ("ederer1", "hakulinen") and (engine is not None or rmap.entry is not None):
        raise InputError(
            f"method={method!r}: in memory only and without entry (left truncation); "
            "use 'pohar-perme' or 'ederer2' for engines and entry="
        )
    if conf_type not in CONF_TYPES:
        raise InputError(f"conf_type={conf_type!r}: choose one of {', '.join(CONF_TYPES)}")
    z_value(conf_level)
    return rmap
