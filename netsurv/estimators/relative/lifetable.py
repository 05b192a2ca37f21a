"""Actuarial relative survival tables (Ederer II expected survival): SEER*Stat and strs.

Two sets of conventions (``conventions=``):

* ``"seer"`` (default, SEER*Stat): intervals [a, b) of follow-up (SEER's month 11 is still
  the first year); a patient's expected survival over an interval is walked exactly through
  the life table from the diagnosis date (mid-month or mid-year when only those are known) and
  age (completed ages + half a year); withdrawals are everyone alive leaving in the interval.
* ``"strs"`` (Stata ``strs``, Dickman & Coviello; Dickman's published tables): intervals
  (a, b] (12 completed months are the first year); attained age = completed age at
  diagnosis + whole years since diagnosis and attained year = year of diagnosis + whole years
  since diagnosis, i.e. both change on the anniversaries of diagnosis; expected interval
  survival is the popmort probability of that (age, year) cell to the power of the interval
  length in years; a patient censored exactly at the end of an interval is not a withdrawal
  (and does not enter the next one); zero follow-up is left out (Stata's ``stset``); the
  confidence interval of relative survival is that of observed survival (log-log) divided
  by expected survival.

``pohar=True`` adds the grouped (life-table) Pohar Perme estimate of net survival, as Stata
``strs`` computes it with its ``pohar`` option (``pohar="popepi"``: R popEpi's life-table
formula): see :mod:`~.pohar`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Unpack

import numpy as np
import pandas as pd

from netsurv.errors import InputError
from netsurv.estimators.relative.pohar import POHAR_FORMULAS, Pairs, PoharFormula, pohar_columns
from netsurv.estimators.relative.ratemap import RateKeywords, RateMap, rate_map
from netsurv.estimators.relative.subjects import UNIT_DAYS, Subjects, anniversary_hazard, subjects
from netsurv.ratetables.walk import cumhaz_pairs, walk
from netsurv.results.bands import ConfType, confidence_band
from netsurv.results.lifetable import LifeTable
from netsurv.rules import LIFE_TABLE_MAX_INTERVALS

__all__ = ["relative_life_table"]


def relative_life_table(
    df: pd.DataFrame,
    *,
    time: str = "survival_months",
    event: str = "dead",
    by: str | Sequence[str] | None = None,
    width: float = 12,
    rates: RateMap | None = None,
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
    conventions: Literal["seer", "strs"] = "seer",
    pohar: bool | PoharFormula = False,
    **rate_keywords: Unpack[RateKeywords],
) -> LifeTable:
    """Actuarial relative survival table (SEER*Stat style, Ederer II expected survival).

    Intervals [j·width, (j+1)·width) of follow-up (annual for ``width=12`` months; a subject
    with follow-up t leaves in interval floor(t / width), so SEER's month 11 is still the first
    year). Per interval: n entering, d deaths, w withdrawn alive, effective n' = n − w/2;
    observed interval survival p = 1 − d/n'; expected interval survival p* = mean over the n
    entering of S_P,i(end)/S_P,i(start) (Ederer II: those alive at the start of each interval;
    exact life-table walk); relative r = p/p*; cumulative values are products. Standard
    errors: cumulative observed P·sqrt(Σ d/(n'(n'−d))) (actuarial Greenwood), cumulative
    relative SE(P)/E, interval relative sqrt(p(1−p)/n')/p*. ``lower``/``upper`` bound the
    cumulative observed survival (as in :func:`netsurv.life_table`), ``lower_relative``/
    ``upper_relative`` the cumulative relative survival, with SE of log R = SE(P)/P.

    ``conventions="strs"`` follows Stata ``strs`` instead (see the module docstring: (a, b]
    intervals, age and year changing on anniversaries of diagnosis, popmort cells, the
    relative CI as the observed CI over expected); ages must be completed years then.

    ``pohar=True`` (or ``"strs"``) adds the grouped Pohar Perme net survival as Stata ``strs``
    computes it, ``pohar="popepi"`` with R popEpi's life-table formula (:mod:`~.pohar`): columns
    ``n_start_weighted``, ``n_events_weighted``, ``n_lost_weighted``,
    ``expected_events_weighted``, ``n_effective_weighted``, ``interval_net``, ``net``,
    ``std_err_net``, ``lower_net``, ``upper_net``.

    ``rates`` and ``**rate_keywords``: population matching, as in
    :func:`netsurv.relative_survival` (:class:`~netsurv.estimators.relative.ratemap.RateMap`;
    no ``entry`` or ``zero_time``: zero follow-up is kept with SEER's conventions and left
    out with strs's).

    The columns are those of :func:`netsurv.life_table` (``n_start``, ``n_events``,
    ``n_lost``, ``n_effective``, ``interval_survival``, ``survival``, ``std_err``, ``lower``,
    ``upper``) plus ``interval_expected``, ``interval_relative``, ``se_interval_relative``,
    ``expected``, ``relative``, ``std_err_relative``, ``lower_relative``, ``upper_relative``.
    """
    _check_width(width)
    if pohar not in (False, True, *POHAR_FORMULAS):
        raise InputError(f"pohar={pohar!r}: give True, 'strs' or 'popepi' (or False)")
    if conventions not in ("seer", "strs"):
        raise InputError(f"conventions={conventions!r}: choose 'seer' or 'strs'")
    strs = conventions == "strs"
    rmap = rate_map(
        rates, rate_keywords, caller="relative_life_table", refuse=("entry", "zero_time")
    )
    s = subjects(
        df,
        time=time,
        event=event,
        by=by,
        convention="survival",
        keep_zero=not strs,
        rmap=rmap.replace(completed_age=False if strs else rmap.completed_age, zero_time=None),
    )
    pairs = _pairs(s, width, strs, rmap.time_unit)
    columns = _relative_columns(pairs, strs, conf_type, conf_level)
    if pohar:
        formula = "strs" if pohar is True else pohar
        columns |= pohar_columns(pairs, conf_type, conf_level, formula)
    what = "Ederer II expected survival" + (", Pohar Perme net survival" if pohar else "")
    method = (
        f"relative survival life table ({what}, {conventions} conventions), intervals of "
        f"{width:g}; {conf_type} confidence intervals"
    )
    return LifeTable(
        table=_assemble(s, pairs.shape, width, columns),
        by=s.by,
        width=float(width),
        method=method,
        conf_type=conf_type,
        conf_level=conf_level,
        excluded=s.excluded,
    )


def _assemble(
    s: Subjects, shape: tuple[int, int], width: float, columns: dict[str, np.ndarray]
) -> pd.DataFrame:
    """The table: strata keys, interval bounds and the columns; intervals nobody enters out."""
    k, n_int = shape
    table = pd.DataFrame(
        {
            "interval": np.tile(np.arange(1, n_int + 1), k),
            "start": np.tile(np.arange(n_int) * width, k),
            "end": np.tile(np.arange(1, n_int + 1) * width, k),
            **columns,
        }
    )
    keys = s.strata.iloc[np.repeat(np.arange(k), n_int)].reset_index(drop=True)
    out = pd.concat([keys, table], axis=1)
    return out[out["n_start"] > 0].reset_index(drop=True)


def _check_width(width: object) -> None:
    if isinstance(width, bool) or not isinstance(width, (int, float, np.integer, np.floating)):
        raise InputError(f"width={width!r}: give a positive interval width, e.g. 12 (months)")
    if not (np.isfinite(width) and width > 0):
        raise InputError(f"width={width!r}: give a positive interval width, e.g. 12 (months)")


def _pairs(s: Subjects, width: float, strs: bool, time_unit: str) -> Pairs:
    """One row per (subject, interval it enters): where it leaves, how, and its expected
    cumulative hazards at the interval's start, middle and its exit from the interval."""
    k = len(s.strata)
    top = float(s.time.max()) if len(s.time) else 0.0
    if np.floor(top / width) + 1 > LIFE_TABLE_MAX_INTERVALS:
        raise InputError(
            f"width={width!r}: follow-up to {top:g} in intervals of {width:g} makes "
            f"{np.floor(top / width) + 1:,.0f} intervals, more than {LIFE_TABLE_MAX_INTERVALS:,}; "
            "give a wider width, e.g. width=12 for years of months"
        )
    if strs:  # interval (a, b] in which each subject leaves; censored inside it: withdrawn
        last = np.maximum(np.ceil(s.time / width).astype(np.int64) - 1, 0)
        inside = s.time < (last + 1) * width
    else:  # [a, b): SEER's month 11 is still the first year
        last = np.floor(s.time / width).astype(np.int64)
        inside = np.ones(len(last), dtype=bool)
    n_int = int(last.max()) + 1
    subj = np.repeat(np.arange(len(last)), last + 1)
    j = np.arange(len(subj)) - np.repeat(np.cumsum(last + 1) - (last + 1), last + 1)
    leaves = j == last[subj]
    # share of the interval the subject spends in it (its exit or the interval's end)
    share = (np.minimum(s.time[subj], (j + 1) * width) - j * width) / width
    if strs:
        lam = _strs_hazards(s, subj, j, width, time_unit, share)
    else:
        lam = _walked(s, subj, j, width, share)
    return Pairs(
        shape=(k, n_int),
        cell=s.stratum[subj] * n_int + j,
        died=leaves & (s.status[subj] > 0),
        withdrawn=leaves & (s.status[subj] == 0) & inside[subj],
        lam_mid=lam[0],
        hazard_exit=lam[1],
        hazard=lam[2],
    )


def _relative_columns(
    pairs: Pairs, strs: bool, conf_type: str, conf_level: float
) -> dict[str, np.ndarray]:
    """Observed, expected (Ederer II) and relative survival per interval and cumulated."""
    k, n_int = pairs.shape
    size = k * n_int
    entering = np.bincount(pairs.cell, minlength=size).astype(np.float64)
    deaths = np.bincount(pairs.cell, weights=pairs.died, minlength=size)
    withdrawn = np.bincount(pairs.cell, weights=pairs.withdrawn, minlength=size)
    p_star = np.exp(-pairs.hazard)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.bincount(pairs.cell, weights=p_star, minlength=size) / entering
        eff = entering - withdrawn / 2
        observed = 1 - deaths / eff
        cum_obs = np.cumprod(observed.reshape(k, n_int), axis=1).ravel()
        cum_exp = np.cumprod(expected.reshape(k, n_int), axis=1).ravel()
        green = np.where(deaths > 0, deaths / (eff * (eff - deaths)), 0.0)
        se_log = np.sqrt(np.cumsum(green.reshape(k, n_int), axis=1).ravel())
        cum_rel = cum_obs / cum_exp
        lower, upper = confidence_band(cum_obs, se_log, conf_type, conf_level)
        if strs:  # strs: the observed survival's interval over expected survival
            lower_rel, upper_rel = lower / cum_exp, upper / cum_exp
        else:
            lower_rel, upper_rel = confidence_band(
                cum_rel, se_log, conf_type, conf_level, upper_limit=None
            )
        return {
            "n_start": entering,
            "n_events": deaths,
            "n_lost": withdrawn,
            "n_effective": eff,
            "interval_survival": observed,
            "survival": cum_obs,
            "std_err": cum_obs * se_log,
            "lower": lower,
            "upper": upper,
            "interval_expected": expected,
            "interval_relative": observed / expected,
            "se_interval_relative": np.sqrt(observed * (1 - observed) / eff) / expected,
            "expected": cum_exp,
            "relative": cum_rel,
            "std_err_relative": cum_obs * se_log / cum_exp,
            "lower_relative": lower_rel,
            "upper_relative": upper_rel,
        }


def _walked(
    s: Subjects, subj: np.ndarray, j: np.ndarray, width: float, share: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Exact life-table walk of subject ``subj`` through interval ``j``: its expected
    cumulative hazard at the interval's middle, and the expected hazard from the interval's
    start to its exit from it and to the interval's end."""
    last = np.bincount(subj, minlength=len(s.time)) - 1
    pieces = walk(s.table, s.age, s.pos, s.sex, s.race, (last + 1) * width * s.unit)
    at = lambda x: cumhaz_pairs(pieces, subj, (j + x) * width * s.unit)  # noqa: E731
    lam0 = at(0.0)
    return at(0.5), at(share) - lam0, at(1.0) - lam0


def _strs_hazards(
    s: Subjects, subj: np.ndarray, j: np.ndarray, width: float, time_unit: str, share: np.ndarray
) -> tuple[np.ndarray, ...]:
    """strs: the popmort rate of (completed age + whole years, year of diagnosis + whole
    years) at the start of the interval, for the whole interval (p* = probability to the
    power of the interval length in years); as :func:`_walked` returns."""
    years = round(width * UNIT_DAYS[time_unit] / 365.24, 12)  # interval length in years
    whole = np.floor(j * years + 1e-9).astype(np.int64)
    h = anniversary_hazard(s, subj, whole) * s.table.days_per_age_year * years
    cum = np.cumsum(h)
    first = np.searchsorted(subj, subj, side="left")  # pairs of a subject are consecutive
    start = cum - h - np.where(first > 0, cum[np.maximum(first - 1, 0)], 0.0)
    return start + h / 2, h * share, h
