"""Cumulative incidence of cancer death and of death from other causes (Aalen–Johansen).

Cause-specific *survival* is ``kaplan_meier(df, event="cancer_death")``: deaths from other
causes are censored and rows whose cause of death is unknown are left out and counted. It
answers "what if other causes did not exist". The *cumulative incidence* (crude probability
of death) answers "how many die of the cancer, given they may die of something else first":
with S the all-cause Kaplan–Meier curve,

    CIF_k(t) = Σ_{t_j <= t} S(t_j−) d_kj / n_j,   k = cancer, other,

so CIF_cancer + CIF_other = 1 − S at every time (Aalen–Johansen with two causes).

Variance (delta method, "Greenwood-type", Marubini & Valsecchi 1995, eq. 10.9; the default
of scikit-survival's ``var_type="Greenwood"``):

    Var CIF_k(t) = Σ_{t_j <= t} ( [CIF_k(t) − CIF_k(t_j)]² d_j / (n_j (n_j − d_j))
                   + S(t_j−)² d_kj (n_j − d_kj) / n_j³
                   − 2 [CIF_k(t) − CIF_k(t_j)] S(t_j−) d_kj / n_j² ).

Confidence limits use log(−log) on CIF (as R ``cmprsk``): CIF^exp(±z·se / (CIF·log CIF)).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from netsurv.counting.segments import segment_cumsum
from netsurv.counting.sources import refuse_weightless_strata, to_counts
from netsurv.counting.table import Counts
from netsurv.counting.validate import check_names
from netsurv.errors import InputError
from netsurv.results.bands import CONF_TYPES, ConfType, confidence_band, z_value
from netsurv.results.incidence import CumulativeIncidence

__all__ = ["CumulativeIncidence", "cumulative_incidence", "cumulative_incidence_from_counts"]


def cumulative_incidence(
    df: Any,
    *,
    time: str = "survival_months",
    event: str = "dead",
    by: str | Sequence[str] | None = None,
    cause: str = "cancer_death",
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
    weights: str | None = None,
    engine: str | None = None,
    memory_limit: str | None = "512MB",
    progress: bool = False,
    dead: str | None = None,
) -> CumulativeIncidence:
    """Aalen–Johansen cumulative incidence of cancer death vs death from other causes.

    ``event`` is death from any cause (``dead=`` is its old name, accepted with a
    DeprecationWarning). Rows with the event and ``cause`` NA (cause unknown) are left out and
    counted in ``excluded``; for rows alive at last contact ``cause`` is ignored. ``weights`` names a
    column of frequency weights (a row of weight 3 counts as three identical rows).

    ``df`` is a DataFrame, or any source :func:`netsurv.counting.sources.to_counts` reads (a Parquet
    or CSV path or glob, a pyarrow Dataset, a DuckDB relation, a Dask DataFrame), counted out
    of core by ``engine`` (default: numpy for a DataFrame, duckdb for files). Two counts
    are taken on the same rows (all deaths; deaths of ``cause``) and handed to
    :func:`cumulative_incidence_from_counts`, so every engine gives the same curves.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [1, 2, 3, 4], "dead": [True, True, False, True],
    ...                    "cancer_death": [True, False, None, True]})
    >>> ci = cumulative_incidence(df, time="t").to_frame()
    >>> (ci["cif_cancer"] + ci["cif_other"] + ci["survival"]).round(12).tolist()
    [1.0, 1.0, 1.0, 1.0]
    >>> ci["cif_cancer"].round(12).tolist()  # 1/4, then + S(4-) = 0.5 times 1/1 at t = 4
    [0.25, 0.25, 0.25, 0.75]
    """
    if dead is not None:
        warnings.warn(
            "cumulative_incidence(dead=...) is now event=...", DeprecationWarning, stacklevel=2
        )
        event = dead
    _check_conf(conf_type, conf_level)
    check_names({"time": time, "event": event, "cause": cause, "weights": weights})
    if isinstance(df, pd.DataFrame):
        for col in (time, event, cause):
            if col not in df.columns:
                raise InputError(f"no column {col!r}; name it with time=, event= or cause=")

    def count(cause_events: bool) -> Counts:
        return to_counts(
            df,
            time=time,
            event=event,
            by=by,
            weights=weights,
            engine=engine,
            memory_limit=memory_limit,
            progress=progress,
            cause=cause,
            cause_events=cause_events,
        )

    c_all = refuse_weightless_strata(count(False), weights)
    return cumulative_incidence_from_counts(
        c_all, count(True), c_all.excluded, conf_type, conf_level
    )


def cumulative_incidence_from_counts(
    c_all: Counts,
    c_cause: Counts,
    excluded: pd.Series | None = None,
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
) -> CumulativeIncidence:
    """Aalen–Johansen cumulative incidence from two counts tables on the same rows.

    Parameters
    ----------
    c_all : counts with every death as the event (all-cause).
    c_cause : counts of the same rows with only deaths of the cause as events, e.g.
        ``to_counts(src, cause="cancer_death", cause_events=True)`` next to
        ``to_counts(src, cause="cancer_death")``. Deaths of other causes are the difference.
    excluded : rows left out, by reason (default: ``c_all.excluded``).
    conf_type, conf_level : as in :func:`cumulative_incidence`.

    Examples
    --------
    >>> import pandas as pd
    >>> from netsurv.counting.sources import refuse_weightless_strata, to_counts
    >>> df = pd.DataFrame({"t": [1, 2, 3, 4], "dead": [1, 1, 0, 1], "cancer": [1, 0, 0, 1]})
    >>> a = to_counts(df, time="t", cause="cancer")
    >>> c = to_counts(df, time="t", cause="cancer", cause_events=True)
    >>> cumulative_incidence_from_counts(a, c).to_frame()["cif_other"].tolist()
    [0.0, 0.25, 0.25, 0.25]
    """
    _check_conf(conf_type, conf_level)
    c_all, c_can = c_all.exits(), c_cause.exits()
    st, n, d = c_all.stratum, c_all.n_at_risk, c_all.n_events
    same = (
        c_all.by == c_can.by
        and c_all.strata.equals(c_can.strata)
        and np.array_equal(st, c_can.stratum)
        and np.array_equal(c_all.time, c_can.time)
        and np.array_equal(n, c_can.n_at_risk)
        and bool(np.all(c_can.n_events <= d))
    )
    if not same:
        raise InputError(
            "c_all and c_cause are not counts of the same rows (strata, times, numbers at "
            "risk differ, or more cause deaths than deaths); count both with the same "
            "source, columns and cause= (to_counts(..., cause=...) and cause_events=True)"
        )
    dc = c_can.n_events
    do = d - dc
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 0, 1 - d / n, 1.0)
        log_s = segment_cumsum(np.log(np.where(factor > 0, factor, 1.0)), st)
        dead_out = segment_cumsum((factor <= 0).astype(np.float64), st) > 0
        surv = np.where(dead_out, 0.0, np.exp(log_s))
        first = np.searchsorted(st, st, side="left")
        prev = np.where(np.arange(len(st)) > first, np.r_[1.0, surv[:-1]], 1.0)  # S(t_j-)
        cif_c = segment_cumsum(prev * dc / n, st)
        cif_o = segment_cumsum(prev * do / n, st)
        green = np.where((d > 0) & (n > d), d / (n * (n - d)), 0.0)
        var_c = _variance(cif_c, prev, dc, n, green, st)
        var_o = _variance(cif_o, prev, do, n, green, st)
    out = c_all.strata.iloc[st].reset_index(drop=True)
    body = {
        "time": c_all.time,
        "n_at_risk": n,
        "n_cancer": dc,
        "n_other": do,
        "n_censored": c_all.n_censored,
    }
    for name, cif, var in (("cancer", cif_c, var_c), ("other", cif_o, var_o)):
        se = np.sqrt(var)
        with np.errstate(divide="ignore", invalid="ignore"):
            lo, hi = confidence_band(cif, se / cif, conf_type, conf_level)
        body |= {f"cif_{name}": cif, f"se_{name}": se, f"lower_{name}": lo, f"upper_{name}": hi}
    body["survival"] = surv
    table = pd.concat([out, pd.DataFrame(body)], axis=1)
    gone = c_all.excluded if excluded is None else excluded
    return CumulativeIncidence(c_all.by, table, gone, conf_type, conf_level)


def _check_conf(conf_type: str, conf_level: float) -> None:
    if conf_type not in CONF_TYPES:
        raise InputError(f"conf_type={conf_type!r}: choose one of {', '.join(CONF_TYPES)}")
    z_value(conf_level)


def _variance(
    cif: np.ndarray,
    prev: np.ndarray,
    dk: np.ndarray,
    n: np.ndarray,
    green: np.ndarray,
    st: np.ndarray,
) -> np.ndarray:
    """Delta-method variance at every row: sums over t_j <= t of terms in CIF(t) − CIF(t_j).

    Expanding the square, Σ_j [F(t) − F_j]² g_j = F(t)² Σ g − 2 F(t) Σ F_j g_j + Σ F_j² g_j,
    so every term is a running sum (no loop over times).
    """
    a = prev**2 * dk * (n - dk) / n**3
    h = prev * dk / n**2
    g0, g1, g2 = (segment_cumsum(x, st) for x in (green, cif * green, cif**2 * green))
    h0, h1 = segment_cumsum(h, st), segment_cumsum(cif * h, st)
    var = cif**2 * g0 - 2 * cif * g1 + g2 + segment_cumsum(a, st) - 2 * (cif * h0 - h1)
    return np.maximum(var, 0.0)
