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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from netsurv.errors import InputError
from netsurv.lifetables.ratetable import RateTable
from netsurv.lifetables.subjects import UNIT_DAYS, Subjects, subjects
from netsurv.results import CONF_TYPES, ConfType, SurvivalCurves, confidence_band, z_value

__all__ = [
    "UNIT_DAYS",
    "expected_survival",
    "relative_life_table",
    "relative_survival",
    "relative_survival_test",
]

CHUNK_SUBJECTS = 25_000  # subjects per pass of the additive kernel
Method = Literal["pohar-perme", "ederer2"]


def net_band(
    survival: np.ndarray, se_log: np.ndarray, conf_type: str, conf_level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise band for net/relative survival, as R ``relsurv`` computes it.

    Net and relative survival may exceed 1, so unlike Kaplan–Meier bands the "log" and
    "plain" limits are not clipped to [0, 1]: log: exp(log S ± z·se); plain: S ± z·se·S;
    log-log as for Kaplan–Meier (:func:`netsurv.results.confidence_band`).
    """
    if conf_type == "log-log":
        return confidence_band(survival, se_log, conf_type, conf_level)
    z = z_value(conf_level)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "log":
            log_s = np.log(np.where(survival > 0, survival, np.nan))
            return np.exp(log_s - z * se_log), np.exp(log_s + z * se_log)
        half = z * se_log * survival
        return survival - half, survival + half


def _segment_cumprod(x: np.ndarray, stratum: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    bounds = np.searchsorted(stratum, np.arange(int(stratum.max(initial=-1)) + 2))
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):  # per stratum: short arrays
        out[a:b] = np.multiply.accumulate(x[a:b])
    return out


def relative_survival(
    df: pd.DataFrame,
    *,
    time: str = "survival_months",
    event: str = "dead",
    by: str | Sequence[str] | None = None,
    method: Method = "pohar-perme",
    time_unit: str = "months",
    age: str = "age_dx",
    sex: str = "sex",
    year: str | None = "year_dx",
    date_dx: str | None = None,
    month: str | None = None,
    race: str | None = None,
    lifetable: RateTable | None = None,
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
    completed_age: bool | None = None,
    age_unit: Literal["years", "days"] = "years",
    zero_time: float | Literal["auto"] | None = "auto",
    entry: str | None = None,
    engine: str | None = None,
    chunk_rows: int = 1_000_000,
    progress: bool = False,
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
    method : "pohar-perme" (net survival, default) or "ederer2".
    time_unit : unit of ``time``: "months" (365.24/12 days), "days" or "years" (365.24 days).
    age, sex : age at diagnosis (years, or days with ``age_unit="days"``) and sex columns.
    year, month, date_dx : diagnosis date: ``date_dx`` (exact) when given, else mid-month or
        mid-year (see the module docstring).
    race : race column for a table by race (``lifetables.us(race=True)`` is then the default).
    lifetable : a :class:`netsurv.lifetables.RateTable`; default the US tables 1940–2020.
    conf_type, conf_level : pointwise confidence band on S (as for Kaplan–Meier).
    completed_age : add half a year to ages (None: when all ages are whole numbers).
    age_unit : "years" (default) or "days" (exact ages, as R ``relsurv`` takes them).
    zero_time : follow-up given to rows with zero follow-up. "auto" (default): 0.5 with
        ``time_unit="months"`` — a death in SEER month 0 happened within the first month and
        is an event (Kaplan–Meier counts it at t = 0; dropping it, as R ``relsurv`` does with
        zero times, biases net survival upwards, most for distant disease and NEC) — and
        None otherwise. None leaves such rows out and counts them, as ``relsurv``.
    entry : column of entry times (left truncation, e.g. from :func:`netsurv.period_window`):
        at risk when entry < t <= time; the weights 1/S_P,i still run from diagnosis.
    engine, chunk_rows, progress : a source other than a DataFrame (Parquet/CSV path, glob or
        directory, pyarrow Dataset, DuckDB relation, Dask DataFrame) — or any ``engine`` — is
        read in chunks of ``chunk_rows`` and the additive per-subject sums added, which gives
        the in-memory result exactly (``netsurv.engines.relative_survival_chunks``).

    Returns
    -------
    SurvivalCurves
        ``survival`` is net (or relative) survival; ``std_err`` its standard error.

    Examples
    --------
    With no background mortality net survival is the Kaplan–Meier estimate:

    >>> import numpy as np, pandas as pd
    >>> from netsurv.lifetables import RateTable
    >>> zero = RateTable(np.zeros((110, 2, 1, 81)), np.arange(110), np.arange(1940, 2021))
    >>> df = pd.DataFrame({"t": [3, 5, 5, 8], "d": [1, 0, 1, 1], "age_dx": 60.0,
    ...                    "sex": "female", "year_dx": 2010})
    >>> relative_survival(df, time="t", event="d", lifetable=zero).to_frame()["survival"].tolist()
    [0.75, 0.5, 0.0]
    """
    if method not in ("pohar-perme", "ederer2"):
        raise InputError(f"method={method!r}: choose 'pohar-perme' or 'ederer2'")
    if conf_type not in CONF_TYPES:
        raise InputError(f"conf_type={conf_type!r}: choose one of {', '.join(CONF_TYPES)}")
    z_value(conf_level)
    if engine is not None or not isinstance(df, pd.DataFrame):  # files etc.: in chunks, exact
        from netsurv.engines import relative_survival_chunks

        return relative_survival_chunks(
            df, method=method, conf_type=conf_type, conf_level=conf_level,
            chunk_rows=chunk_rows, progress=progress, time=time, event=event, by=by,
            time_unit=time_unit, age=age, sex=sex, year=year, date_dx=date_dx, month=month,
            race=race, lifetable=lifetable, completed_age=completed_age, age_unit=age_unit,
            zero_time=zero_time, entry=entry,
        )  # fmt: skip
    s = subjects(df, time=time, event=event, by=by, time_unit=time_unit, age=age, sex=sex,
                 year=year, date_dx=date_dx, month=month, race=race, lifetable=lifetable,
                 completed_age=completed_age, age_unit=age_unit, zero_time=zero_time,
                 entry=entry)  # fmt: skip
    return _estimate(s, method, conf_type, conf_level, time_unit)


def net_sums(s: Subjects, weighted: bool) -> tuple[object, dict[str, np.ndarray]]:
    """Step grid and finished interval sums for validated subjects."""
    from netsurv.lifetables.netsums import finish, step_grid, subject_sums

    grid = step_grid(s.stratum, s.days, len(s.strata), s.entry)
    # the sums are additive over subjects: chunks keep the temporaries small (and are the
    # same path an out-of-core engine takes)
    sums: dict[str, np.ndarray] = {}
    for lo in range(0, len(s.days), CHUNK_SUBJECTS):
        part = slice(lo, lo + CHUNK_SUBJECTS)
        got = subject_sums(grid, s.table, s.stratum[part], s.days[part], s.status[part],
                           s.age[part], s.pos[part], s.sex[part], s.race[part],
                           weighted=weighted,
                           entry=None if s.entry is None else s.entry[part])  # fmt: skip
        sums = got if not sums else {k: sums[k] + got[k] for k in sums}
    return grid, finish(grid, sums)


def _estimate(
    s: Subjects, method: str, conf_type: str, conf_level: float, time_unit: str
) -> SurvivalCurves:
    grid, q = net_sums(s, weighted=method == "pohar-perme")
    # original time values (not days / unit) so that at(60) finds month 60 exactly
    times = grid.time / s.unit  # type: ignore[attr-defined]
    times[_interval_of(grid, s)] = s.time
    n = np.bincount(s.stratum, minlength=len(s.strata)).astype(np.float64)
    return curves_from_sums(grid, q, method=method, strata=s.strata, by=s.by, times=times,
                            n=n, excluded=s.excluded, conf_type=conf_type,
                            conf_level=conf_level, time_unit=time_unit)  # fmt: skip


def curves_from_sums(
    grid: object,
    q: dict[str, np.ndarray],
    *,
    method: str,
    strata: pd.DataFrame,
    by: tuple[str, ...],
    times: np.ndarray,
    n: np.ndarray,
    excluded: pd.Series,
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    time_unit: str | None = "months",
) -> SurvivalCurves:
    """Net (Pohar Perme) or relative (Ederer II) survival curves from finished sums.

    ``q`` is :func:`netsurv.lifetables.netsums.finish` of the summed per-chunk sums on
    ``grid``; ``times`` the grid's times in the caller's unit. This is the last step of any
    engine that computes the additive sums chunk by chunk.
    """
    st = grid.stratum  # type: ignore[attr-defined]
    yi, dni = q["yi"], q["dni"]
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "pohar-perme":
            haz = q["dnisi"] / q["yisi"] - q["fint"]
            var = q["dnisisq"] / q["yisi"] ** 2
            measure = "net survival (Pohar Perme)"
        else:
            haz = (dni - q["yidli"]) / yi
            var = dni / yi**2
            measure = "relative survival (Ederer II)"
        # with left truncation the risk set can be empty between two grid times: no change
        haz = np.where(yi > 0, haz, 0.0)
        var = np.where(yi > 0, var, 0.0)
    from netsurv.kaplan_meier import segment_cumsum

    survival = _segment_cumprod(1.0 - haz, st)
    se_log = np.sqrt(segment_cumsum(var, st))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        lower, upper = net_band(survival, se_log, conf_type, conf_level)
    k = len(strata)
    last_row = np.searchsorted(st, np.arange(k), side="right") - 1
    return SurvivalCurves(
        by=by, strata=strata, stratum=st, time=times, n_at_risk=yi, n_events=dni,
        n_censored=q["exits"] - dni, survival=survival, se_log=se_log, lower=lower,
        upper=upper, conf_type=conf_type, conf_level=conf_level, n=n,
        last_time=times[last_row], excluded=excluded, counts=None, measure=measure,
        time_unit=time_unit,
    )  # fmt: skip


def _interval_of(grid: object, s: Subjects) -> np.ndarray:
    from netsurv.lifetables.netsums import _locate

    return _locate(grid, s.stratum, s.days)  # type: ignore[arg-type]


def expected_survival(
    df: pd.DataFrame,
    times: Sequence[float] | np.ndarray | None = None,
    *,
    by: str | Sequence[str] | None = None,
    time: str = "survival_months",
    event: str = "dead",
    time_unit: str = "months",
    age: str = "age_dx",
    sex: str = "sex",
    year: str | None = "year_dx",
    date_dx: str | None = None,
    month: str | None = None,
    race: str | None = None,
    lifetable: RateTable | None = None,
    completed_age: bool | None = None,
    age_unit: Literal["years", "days"] = "years",
) -> pd.DataFrame | pd.Series:
    """Expected (population) survival: of a cohort at ``times`` (Ederer I), or of each subject.

    The life table is walked exactly across birthdays and New Years (R ``survival``'s
    ratetable walk: ``survexp(..., method="ederer")`` and ``method="individual.s"``).

    Returns
    -------
    With ``times``: a DataFrame (by-cols, time, expected_survival, n) — the mean of
    exp(−Λ_P,i(t)) over everyone in the stratum, whatever their follow-up (Ederer I).
    Without: a Series, per row, of the expected survival to the row's own follow-up
    (``time``), NaN for rows left out.

    With a flat table (qx = 0.05 at every age and year) a year of follow-up (365.24 days)
    gives 0.95 ** (365.24 / 365.25):

    >>> import pandas as pd
    >>> from netsurv.lifetables import from_qx_frame
    >>> grid = pd.MultiIndex.from_product([[0, 1], ["male", "female"], [2000, 2001]],
    ...                                   names=["age", "sex", "year"])
    >>> flat = from_qx_frame(grid.to_frame(index=False).assign(qx=0.05))
    >>> df = pd.DataFrame({"survival_months": [12.0], "dead": [0], "age_dx": [0.5],
    ...                    "sex": ["female"], "year_dx": [2000]})
    >>> round(float(expected_survival(df, lifetable=flat).iloc[0]), 9)
    0.950001334
    """
    from netsurv.lifetables.walk import cumhaz_at, walk

    s = subjects(df, time=time, event=event, by=by, time_unit=time_unit, age=age, sex=sex,
                 year=year, date_dx=date_dx, month=month, race=race, lifetable=lifetable,
                 completed_age=completed_age, age_unit=age_unit, convention="survival",
                 keep_zero=True)  # fmt: skip
    if times is None:
        pieces = walk(s.table, s.age, s.pos, s.sex, s.race, s.days)
        out = pd.Series(np.nan, index=df.index, name="expected_survival")
        out.iloc[s.rows] = np.exp(-pieces.total(len(s.days)))
        return out
    t = np.atleast_1d(np.asarray(times, dtype=np.float64))
    if (t < 0).any() or np.isnan(t).any():
        raise InputError(f"times={times!r}: give non-negative follow-up times")
    days = t * s.unit
    stop = np.full(len(s.days), float(days.max(initial=0.0)) + 1.0)
    pieces = walk(s.table, s.age, s.pos, s.sex, s.race, stop)
    surv = np.exp(-cumhaz_at(pieces, len(stop), days))
    k = len(s.strata)
    mean = np.stack([np.bincount(s.stratum, weights=surv[:, i], minlength=k) for i in
                     range(len(t))], axis=1) / np.bincount(s.stratum, minlength=k)[:, None]  # fmt: skip
    keys = s.strata.iloc[np.repeat(np.arange(k), len(t))].reset_index(drop=True)
    body = pd.DataFrame({"time": np.tile(t, k), "expected_survival": mean.ravel(),
                         "n": np.repeat(np.bincount(s.stratum, minlength=k), len(t))})  # fmt: skip
    return pd.concat([keys, body], axis=1)


@dataclass(frozen=True)
class NetSurvivalTest:
    """Pohar Perme log-rank-type test of equal net survival (R ``relsurv::rs.diff``).

    ``statistic`` is chi-square with ``dof`` = groups − 1; ``table`` has, per group, n,
    events and the observed-minus-expected weighted score ``z``.
    """

    statistic: float
    dof: int
    p_value: float
    table: pd.DataFrame
    covariance: np.ndarray


def relative_survival_test(
    df: pd.DataFrame,
    *,
    by: str | Sequence[str],
    time: str = "survival_months",
    event: str = "dead",
    time_unit: str = "months",
    age: str = "age_dx",
    sex: str = "sex",
    year: str | None = "year_dx",
    date_dx: str | None = None,
    month: str | None = None,
    race: str | None = None,
    lifetable: RateTable | None = None,
    completed_age: bool | None = None,
    age_unit: Literal["years", "days"] = "years",
    zero_time: float | Literal["auto"] | None = "auto",
) -> NetSurvivalTest:
    """Compare net survival between the groups of ``by`` (Graffeo et al. 2016; R ``rs.diff``).

    On a grid of every day up to the last follow-up, with weights 1/S_P,i:
    Z_k = Σ_t [dN_k^w − Y_k^w / Y^w · dN^w], dN^w = Σ dN_i/S_P,i − Σ Y_i ΔΛ_P,i/S_P,i;
    cov = Σ_k Σ_t (e_k − Y^w/Y^w_total)(…)ᵀ Σ dN_i/S_P,i²; statistic = Z C⁻¹ Zᵀ on k−1
    groups, chi-square with k−1 degrees of freedom. Follow-up is converted to days; on
    whole-month data the grid has a point at every day as in R. ``zero_time`` as in
    :func:`relative_survival`.
    """
    from scipy import stats

    from netsurv.lifetables.netsums import diff_sums

    s = subjects(df, time=time, event=event, by=by, time_unit=time_unit, age=age, sex=sex,
                 year=year, date_dx=date_dx, month=month, race=race, lifetable=lifetable,
                 completed_age=completed_age, age_unit=age_unit, zero_time=zero_time)  # fmt: skip
    k = len(s.strata)
    if k < 2:
        raise InputError(f"by={by!r}: only one group in the data; compare at least two groups")
    _, q = diff_sums(s.table, s.stratum, k, s.days, s.status, s.age, s.pos, s.sex, s.race)
    w_risk, w_event = q["yisi"], q["dnisi"] - q["yidlisi"]
    total_risk, total_event = w_risk.sum(axis=0), w_event.sum(axis=0)
    use = total_risk > 0
    share = w_risk[:, use] / total_risk[use]
    z = (w_event[:, use] - share * total_event[use]).sum(axis=1)
    eye = np.eye(k)
    cov = np.zeros((k, k))
    for g in range(k):  # per group: k x k outer products summed over the grid
        dev = eye[g][:, None] - share
        cov += (dev * q["dnisisq"][g, use]) @ dev.T
    zz = z[:-1]
    stat = float(zz @ np.linalg.solve(cov[:-1, :-1], zz))
    table = s.strata.copy()
    table["n"] = np.bincount(s.stratum, minlength=k)
    table["n_events"] = np.bincount(s.stratum, weights=s.status, minlength=k)
    table["z"] = z
    return NetSurvivalTest(stat, k - 1, float(stats.chi2.sf(stat, k - 1)), table, cov)


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
    from netsurv.lifetables.walk import cumhaz_pairs, walk

    if not width > 0:
        raise InputError(f"width={width!r}: give a positive interval width, e.g. 12 (months)")
    s = subjects(df, time=time, event=event, by=by, time_unit=time_unit, age=age, sex=sex,
                 year=year, date_dx=date_dx, month=month, race=race, lifetable=lifetable,
                 completed_age=completed_age, convention="survival", keep_zero=True)  # fmt: skip
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
        table = pd.DataFrame({
            "interval": np.tile(np.arange(1, n_int + 1), k),
            "start": np.tile(np.arange(n_int) * width, k),
            "end": np.tile(np.arange(1, n_int + 1) * width, k),
            "n_entering": entering, "n_deaths": deaths, "n_withdrawn": withdrawn,
            "n_effective": eff, "observed": observed, "expected": expected, "relative": rel,
            "cum_observed": cum_obs, "cum_expected": cum_exp, "cum_relative": cum_rel,
            "se_cum_observed": cum_obs * se_log, "se_cum_relative": cum_obs * se_log / cum_exp,
            "se_relative": np.sqrt(observed * (1 - observed) / eff) / expected,
            "lower": lower, "upper": upper,
        })  # fmt: skip
    keys = s.strata.iloc[np.repeat(np.arange(k), n_int)].reset_index(drop=True)
    out = pd.concat([keys, table], axis=1)
    return out[out["n_entering"] > 0].reset_index(drop=True)
