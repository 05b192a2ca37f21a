"""Expected (population) survival of a cohort or of each subject (R ``survexp``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

import numpy as np
import pandas as pd

from netsurv.errors import InputError
from netsurv.estimators.relative.ratemap import RateKeywords, RateMap, rate_map
from netsurv.estimators.relative.subjects import subjects
from netsurv.ratetables.walk import cumhaz_at, walk

__all__ = ["expected_survival"]


def expected_survival(
    df: pd.DataFrame,
    times: Sequence[float] | np.ndarray | None = None,
    *,
    by: str | Sequence[str] | None = None,
    time: str = "survival_months",
    event: str = "dead",
    rates: RateMap | None = None,
    **rate_keywords: Unpack[RateKeywords],
) -> pd.DataFrame | pd.Series:
    """Expected (population) survival: of a cohort at ``times`` (Ederer I), or of each subject.

    The life table is walked exactly across birthdays and New Years (R ``survival``'s
    ratetable walk: ``survexp(..., method="ederer")`` and ``method="individual.s"``).

    Parameters
    ----------
    df : canonical registry frame (one row per tumour).
    times : follow-up times (in ``time_unit``) for the cohort's expected survival; None for
        each row's own.
    by, time, event : grouping columns, follow-up and death indicator.
    rates, **rate_keywords : population matching, as in :func:`netsurv.relative_survival`
        (:class:`~netsurv.estimators.relative.ratemap.RateMap`; no ``entry``).

    Returns
    -------
    With ``times``: a DataFrame (by-cols, time, expected_survival, n) — the mean of
    exp(−Λ_P,i(t)) over everyone in the stratum, whatever their follow-up (Ederer I).
    Without: a Series, per row, of the expected survival to the row's own follow-up
    (``time``), NaN for rows left out.

    With a flat table (qx = 0.05 at every age and year) a year of follow-up (365.24 days)
    gives 0.95 ** (365.24 / 365.25):

    >>> import pandas as pd
    >>> from netsurv.ratetables import from_qx_frame
    >>> grid = pd.MultiIndex.from_product([[0, 1], ["male", "female"], [2000, 2001]],
    ...                                   names=["age", "sex", "year"])
    >>> flat = from_qx_frame(grid.to_frame(index=False).assign(qx=0.05))
    >>> df = pd.DataFrame({"survival_months": [12.0], "dead": [0], "age_dx": [0.5],
    ...                    "sex": ["female"], "year_dx": [2000]})
    >>> round(float(expected_survival(df, lifetable=flat).iloc[0]), 9)
    0.950001334
    """
    s = subjects(
        df,
        time=time,
        event=event,
        by=by,
        convention="survival",
        keep_zero=True,
        rmap=rate_map(rates, rate_keywords, caller="expected_survival", refuse=("entry",)),
    )
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
    mean = (
        np.stack(
            [np.bincount(s.stratum, weights=surv[:, i], minlength=k) for i in range(len(t))], axis=1
        )
        / np.bincount(s.stratum, minlength=k)[:, None]
    )
    keys = s.strata.iloc[np.repeat(np.arange(k), len(t))].reset_index(drop=True)
    body = pd.DataFrame(
        {
            "time": np.tile(t, k),
            "expected_survival": mean.ravel(),
            "n": np.repeat(np.bincount(s.stratum, minlength=k), len(t)),
        }
    )
    return pd.concat([keys, body], axis=1)
