"""Net (Pohar Perme) and relative (Ederer II) survival curves from the additive sums.

The in-memory path (:func:`netsurv.relative_survival`) and the chunked path
(:mod:`netsurv.estimators.relative.chunks`) both end here, so they give the same curves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from netsurv.counting.segments import segment_cumprod, segment_cumsum
from netsurv.estimators.relative.subjects import Subjects
from netsurv.estimators.relative.sums import (
    IntervalSums,
    StepGrid,
    SubjectSums,
    finish,
    locate,
    step_grid,
    subject_sums,
)
from netsurv.results.bands import confidence_band
from netsurv.results.curves import SurvivalCurves

__all__ = ["CHUNK_SUBJECTS", "curves_from_sums", "estimate", "net_sums"]

CHUNK_SUBJECTS = 25_000  # subjects per pass of the additive kernel


def net_sums(s: Subjects, weighted: bool) -> tuple[StepGrid, IntervalSums]:
    """Step grid and finished interval sums for validated subjects."""
    grid = step_grid(s.stratum, s.days, len(s.strata), s.entry)
    # the sums are additive over subjects: chunks keep the temporaries small (and are the
    # same path an out-of-core engine takes)
    sums: SubjectSums | None = None
    for lo in range(0, len(s.days), CHUNK_SUBJECTS):
        part = slice(lo, lo + CHUNK_SUBJECTS)
        got = subject_sums(
            grid,
            s.table,
            s.stratum[part],
            s.days[part],
            s.status[part],
            s.age[part],
            s.pos[part],
            s.sex[part],
            s.race[part],
            weighted=weighted,
            entry=None if s.entry is None else s.entry[part],
        )
        sums = got if sums is None else sums + got
    assert sums is not None  # subjects() leaves at least one row
    return grid, finish(grid, sums)


def estimate(
    s: Subjects, method: str, conf_type: str, conf_level: float, time_unit: str
) -> SurvivalCurves:
    grid, q = net_sums(s, weighted=method == "pohar-perme")
    # original time values (not days / unit) so that at(60) finds month 60 exactly
    times = grid.time / s.unit  # type: ignore[attr-defined]
    times[interval_of(grid, s)] = s.time
    n = np.bincount(s.stratum, minlength=len(s.strata)).astype(np.float64)
    return curves_from_sums(
        grid,
        q,
        method=method,
        strata=s.strata,
        by=s.by,
        times=times,
        n=n,
        excluded=s.excluded,
        conf_type=conf_type,
        conf_level=conf_level,
        time_unit=time_unit,
    )


def curves_from_sums(
    grid: object,
    q: IntervalSums,
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

    ``q`` is :func:`netsurv.estimators.relative.sums.finish` of the summed per-chunk sums on
    ``grid``; ``times`` the grid's times in the caller's unit. This is the last step of any
    engine that computes the additive sums chunk by chunk.
    """
    st = grid.stratum  # type: ignore[attr-defined]
    yi, dni = q.at_risk, q.events
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "pohar-perme":
            assert q.weighted_at_risk is not None and q.weighted_pop_hazard is not None
            haz = q.weighted_events / q.weighted_at_risk - q.weighted_pop_hazard
            var = q.weighted_events_sq / q.weighted_at_risk**2
            measure = "net survival (Pohar Perme)"
        else:
            haz = (dni - q.expected_hazard) / yi
            var = dni / yi**2
            measure = "relative survival (Ederer II)"
        # with left truncation the risk set can be empty between two grid times: no change
        haz = np.where(yi > 0, haz, 0.0)
        var = np.where(yi > 0, var, 0.0)
    survival = segment_cumprod(1.0 - haz, st)
    se_log = np.sqrt(segment_cumsum(var, st))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        lower, upper = confidence_band(survival, se_log, conf_type, conf_level, upper_limit=None)
    k = len(strata)
    last_row = np.searchsorted(st, np.arange(k), side="right") - 1
    return SurvivalCurves(
        by=by,
        strata=strata,
        stratum=st,
        time=times,
        n_at_risk=yi,
        n_events=dni,
        n_censored=q.exits - dni,
        survival=survival,
        se_log=se_log,
        limits=(lower, upper),
        conf_type=conf_type,
        conf_level=conf_level,
        n=n,
        last_time=times[last_row],
        excluded=excluded,
        counts=None,
        measure=measure,
        time_unit=time_unit,
    )


def interval_of(grid: object, s: Subjects) -> np.ndarray:
    return locate(grid, s.stratum, s.days)  # type: ignore[arg-type]
