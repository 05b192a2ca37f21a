"""SEER*Stat's actuarial relative survival table (Ederer II expected survival)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from netsurv.errors import InputError
from netsurv.estimators.relative.subjects import subjects
from netsurv.ratetables.ratetable import RateTable
from netsurv.ratetables.walk import cumhaz_pairs, walk
from netsurv.results.bands import ConfType, net_band

__all__ = ["relative_life_table"]


def relative_life_table(
    df: pd.DataFrame,
    *,
    time: str = "survival_months",
    event: str = "dead",
    by: str | Sequence[str] | None = None,
    width: float = 12,
    time_unit: str = "months",
    age: str = "age_dx",
    sex: str = "sex",
    year: str | None = "year_dx",
    date_dx: str | None = None,
    month: str | None = None,
    race: str | None = None,
    lifetable: RateTable | None = None,
    completed_age: bool | None = None,
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Actuarial relative survival table (SEER*Stat style, Ederer II expected survival).

    Intervals [j·width, (j+1)·width) of follow-up (annual for ``width=12`` months; a subject
    with follow-up t leaves in interval floor(t / width), so SEER's month 11 is still the first
    year). Per interval: n entering, d deaths, w withdrawn alive, effective n' = n − w/2;
    observed interval survival p = 1 − d/n'; expected interval survival p* = mean over the n
    entering of S_P,i(end)/S_P,i(start) (Ederer II: those alive at the start of each interval;
    exact life-table walk); relative r = p/p*; cumulative values are products. Standard
    errors: cumulative observed P·sqrt(Σ d/(n'(n'−d))) (actuarial Greenwood), cumulative
    relative SE(P)/E, interval relative sqrt(p(1−p)/n')/p*. The band (``lower``/``upper``)
    is for the cumulative relative survival with SE of log R = SE(P)/P.
    """
    if not width > 0:
        raise InputError(f"width={width!r}: give a positive interval width, e.g. 12 (months)")
    s = subjects(
        df,
        time=time,
        event=event,
        by=by,
        time_unit=time_unit,
        age=age,
        sex=sex,
        year=year,
        date_dx=date_dx,
        month=month,
        race=race,
        lifetable=lifetable,
        completed_age=completed_age,
        convention="survival",
        keep_zero=True,
    )
    k = len(s.strata)
    last = np.floor(s.time / width).astype(np.int64)  # interval in which each subject leaves
    n_int = int(last.max()) + 1
    cell = s.stratum * n_int + last
    size = k * n_int
    deaths = np.bincount(cell, weights=s.status, minlength=size)
    leaving = np.bincount(cell, minlength=size).astype(np.float64)
    entering = np.cumsum(leaving.reshape(k, n_int)[:, ::-1], axis=1)[:, ::-1].ravel()
    withdrawn = leaving - deaths
    # expected survival over each interval entered, per subject (exact walk)
    pieces = walk(s.table, s.age, s.pos, s.sex, s.race, (last + 1) * width * s.unit)
    subj = np.repeat(np.arange(len(last)), last + 1)
    j = np.arange(len(subj)) - np.repeat(np.cumsum(last + 1) - (last + 1), last + 1)
    lam0 = cumhaz_pairs(pieces, subj, j * width * s.unit)
    lam1 = cumhaz_pairs(pieces, subj, (j + 1) * width * s.unit)
    pair_cell = s.stratum[subj] * n_int + j
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.bincount(pair_cell, weights=np.exp(lam0 - lam1), minlength=size) / entering
        eff = entering - withdrawn / 2
        observed = 1 - deaths / eff
        rel = observed / expected
        grid = lambda x: x.reshape(k, n_int)  # noqa: E731
        cum_obs = np.cumprod(grid(observed), axis=1).ravel()
        cum_exp = np.cumprod(grid(expected), axis=1).ravel()
        green = np.where(deaths > 0, deaths / (eff * (eff - deaths)), 0.0)
        se_log = np.sqrt(np.cumsum(grid(green), axis=1).ravel())
        cum_rel = cum_obs / cum_exp
        lower, upper = net_band(cum_rel, se_log, conf_type, conf_level)
        table = pd.DataFrame(
            {
                "interval": np.tile(np.arange(1, n_int + 1), k),
                "start": np.tile(np.arange(n_int) * width, k),
                "end": np.tile(np.arange(1, n_int + 1) * width, k),
                "n_entering": entering,
                "n_deaths": deaths,
                "n_withdrawn": withdrawn,
                "n_effective": eff,
                "observed": observed,
                "expected": expected,
                "relative": rel,
                "cum_observed": cum_obs,
                "cum_expected": cum_exp,
                "cum_relative": cum_rel,
                "se_cum_observed": cum_obs * se_log,
                "se_cum_relative": cum_obs * se_log / cum_exp,
                "se_relative": np.sqrt(observed * (1 - observed) / eff) / expected,
                "lower": lower,
                "upper": upper,
            }
        )
    keys = s.strata.iloc[np.repeat(np.arange(k), n_int)].reset_index(drop=True)
    out = pd.concat([keys, table], axis=1)
    return out[out["n_entering"] > 0].reset_index(drop=True)
