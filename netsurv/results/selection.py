"""lifelines habits on survival curves: one stratum by its label, and a wide survival table.

``fit["localized"]`` (or ``fit["pancreas", "distant"]`` for two grouping columns) is the
curve of that stratum as a :class:`~netsurv.results.curves.SurvivalCurves` of its own, with
its counts, so ``median()``, ``at()``, ``conditional()`` and ``plot()`` work on it.
``fit.survival_function`` is the wide frame lifelines users know from
``KaplanMeierFitter.survival_function_``: one row per distinct time (the start included), one
column per stratum.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from netsurv.results.curves import SurvivalCurves

__all__ = ["stratum_labels", "take_stratum", "wide_frame"]


def stratum_labels(curves: SurvivalCurves) -> list[str]:
    """One label per stratum: its by-values joined by ", " ("survival" without ``by``)."""
    if not curves.by:
        return ["survival"]
    return [", ".join(str(v) for v in row) for row in curves.strata.itertuples(index=False)]


def _position(curves: SurvivalCurves, key: Any) -> int:
    labels = stratum_labels(curves)
    if not curves.by:
        raise KeyError(f"{key!r}: this fit has a single curve (no by=); use it as it is")
    wanted = ", ".join(str(v) for v in key) if isinstance(key, tuple) else str(key)
    if wanted not in labels:
        raise KeyError(f"{key!r}: no such stratum; the strata are {', '.join(map(repr, labels))}")
    return labels.index(wanted)


def take_stratum(curves: SurvivalCurves, key: Any) -> SurvivalCurves:
    """The curve of one stratum, by its label (a by-value, or a tuple of them)."""
    s = _position(curves, key)
    offsets = np.searchsorted(curves.stratum, np.arange(len(curves.strata) + 1))
    rows = slice(offsets[s], offsets[s + 1])
    strata = curves.strata.iloc[[s]].reset_index(drop=True)
    counts = curves.counts
    if counts is not None:
        mine = counts.stratum == s
        counts = replace(
            counts.take(mine), strata=strata, stratum=np.zeros(int(mine.sum()), np.int64)
        )
    arrays = ("time", "n_at_risk", "n_events", "n_censored", "survival", "se_log")
    band = None if curves.limits is None else (curves.lower[rows], curves.upper[rows])
    return replace(
        curves,
        strata=strata,
        stratum=np.zeros(rows.stop - rows.start, dtype=np.int64),
        n=curves.n[[s]],
        last_time=curves.last_time[[s]],
        counts=counts,
        limits=band,
        **{name: getattr(curves, name)[rows] for name in arrays},
    )


def wide_frame(curves: SurvivalCurves, column: str = "survival") -> pd.DataFrame:
    """``column`` of :meth:`SurvivalCurves.at` at every distinct time, one column per stratum.

    Index ``time`` (the start time and every time of any stratum, sorted); values as
    ``at()`` gives them: carried forward between a stratum's own times, NaN past its last
    follow-up (R's convention; lifelines carries the last value instead).
    """
    times = np.unique(np.r_[curves.start_time, curves.time])
    values = curves.at(times)[column].to_numpy().reshape(len(curves.strata), -1).T
    return pd.DataFrame(values, index=pd.Index(times, name="time"), columns=stratum_labels(curves))
