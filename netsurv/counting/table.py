"""The counts table: per stratum and distinct time, who enters, has the event, is censored.

Every count-based estimator (Kaplan–Meier, log-rank, life tables, cumulative incidence) reads a
:class:`Counts` table and nothing else, so any engine that produces the same table (numpy,
pyarrow, DuckDB or Dask) gives the same estimates.

The additive part of the table — ``n_events``, ``n_censored``, ``n_entered`` per (stratum, time) —
sums exactly across chunks of rows; ``n_at_risk`` is derived from it:
a subject with entry ``s`` and exit ``t`` is at risk at time ``u`` when ``s < u <= t``
(R ``Surv(start, stop]``), so ``n_at_risk(u) = sum(exits >= u) - sum(entries >= u)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from netsurv.counting.segments import segment_reverse_cumsum
from netsurv.counting.strata import strata_codes
from netsurv.counting.validate import as_by
from netsurv.errors import InputError

__all__ = ["Counts", "tabulate"]


@dataclass(frozen=True)
class Counts:
    """Counts per stratum and distinct time, sorted by stratum then time.

    Attributes
    ----------
    by : names of the grouping columns.
    strata : one row per stratum with the ``by`` values (row ``i`` is stratum ``i``).
    stratum, time : keys of each row.
    n_events, n_censored, n_entered : additive (weighted) counts at that time.
    n_at_risk : subjects at risk just before ``time`` (entry < time <= exit).
    weighted : whether case weights were used.
    excluded : rows left out before counting, by reason.
    """

    by: tuple[str, ...]
    strata: pd.DataFrame
    stratum: np.ndarray
    time: np.ndarray
    n_events: np.ndarray
    n_censored: np.ndarray
    n_entered: np.ndarray
    n_at_risk: np.ndarray
    weighted: bool = False
    excluded: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    n_exit_rows: np.ndarray | None = None  # rows (unweighted) leaving at this time, if weighted

    @property
    def n_strata(self) -> int:
        return len(self.strata)

    @property
    def offsets(self) -> np.ndarray:
        """Row index where each stratum starts, plus the table length (``n_strata + 1``)."""
        return np.searchsorted(self.stratum, np.arange(self.n_strata + 1))

    def exits(self) -> Counts:
        """Only the rows where someone leaves (event or censoring): the estimators' time grid."""
        keep = (self.n_events > 0) | (self.n_censored > 0)
        if self.n_exit_rows is not None:  # R keeps times where only zero-weight rows leave
            keep |= self.n_exit_rows > 0
        if keep.all():
            return self
        return self.take(keep)

    def n_subjects(self) -> np.ndarray:
        """Subjects (weighted) per stratum: everyone exits once."""
        if not self.weighted and len(self.stratum) and not self.n_entered.any():
            # without entries everyone is at risk at the stratum's first time: one number
            # per stratum instead of a pass over every row (exact: counts are integers)
            offsets = self.offsets
            out = np.zeros(self.n_strata)
            present = offsets[1:] > offsets[:-1]
            out[present] = self.n_at_risk[offsets[:-1][present]]
            return out
        return np.bincount(
            self.stratum, weights=self.n_events + self.n_censored, minlength=self.n_strata
        )

    def take(self, keep: np.ndarray) -> Counts:
        """The rows where ``keep`` is true (same strata table)."""
        return Counts(
            by=self.by,
            strata=self.strata,
            stratum=self.stratum[keep],
            time=self.time[keep],
            n_events=self.n_events[keep],
            n_censored=self.n_censored[keep],
            n_entered=self.n_entered[keep],
            n_at_risk=self.n_at_risk[keep],
            n_exit_rows=None if self.n_exit_rows is None else self.n_exit_rows[keep],
            weighted=self.weighted,
            excluded=self.excluded,
        )

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame: by-columns, time, n_at_risk, n_events, n_censored, n_entered."""
        keys = self.strata.iloc[self.stratum].reset_index(drop=True)
        data = pd.DataFrame(
            {
                "time": self.time,
                "n_at_risk": self.n_at_risk,
                "n_events": self.n_events,
                "n_censored": self.n_censored,
                "n_entered": self.n_entered,
            }
        )
        if not self.weighted:
            cols = ["n_at_risk", "n_events", "n_censored", "n_entered"]
            data[cols] = data[cols].astype("int64")
        return pd.concat([keys, data], axis=1)

    @classmethod
    def from_frame(
        cls,
        table: pd.DataFrame,
        by: str | Sequence[str] | None = None,
        *,
        weighted: bool = False,
        excluded: pd.Series | None = None,
    ) -> Counts:
        """Build counts from an additive table (the contract every engine produces).

        ``table`` has the by-columns, ``time``, ``n_events``, ``n_censored`` and optionally
        ``n_entered``; duplicate (stratum, time) rows are summed, so partial tables from
        chunks can simply be concatenated. ``n_at_risk`` is recomputed.
        """
        by_cols = as_by(by)
        missing = [
            c for c in (*by_cols, "time", "n_events", "n_censored") if c not in table.columns
        ]
        if missing:
            raise InputError(f"counts table lacks columns {missing}; see netsurv.Counts")
        stratum, strata, na = strata_codes(table, by_cols)
        if na.any():
            raise InputError("counts table has NA in a stratum column; drop or label those rows")
        entered = table["n_entered"] if "n_entered" in table.columns else 0.0
        return tabulate(
            by_cols,
            strata,
            stratum,
            np.asarray(table["time"], dtype=np.float64),
            np.asarray(table["n_events"], dtype=np.float64),
            np.asarray(table["n_censored"], dtype=np.float64),
            np.broadcast_to(np.asarray(entered, dtype=np.float64), len(table)),
            weighted=weighted,
            excluded=excluded,
        )


def tabulate(
    by: tuple[str, ...],
    strata: pd.DataFrame,
    stratum: np.ndarray,
    time: np.ndarray,
    events: np.ndarray,
    censored: np.ndarray | None,
    entered: np.ndarray,
    *,
    weighted: bool,
    excluded: pd.Series | None,
    presorted: bool = False,
    exit_rows: np.ndarray | None = None,
) -> Counts:
    """Sum each run of equal (stratum, time) keys; sorts first unless ``presorted``.

    ``censored=None`` means every record is one unweighted exit (censored = run length −
    events), which saves two passes on the common path.
    """
    if not presorted:
        order = np.lexsort((time, stratum))
        stratum, time = stratum[order], time[order]
        events, entered = events[order], entered[order]
        censored = None if censored is None else censored[order]
        exit_rows = None if exit_rows is None else exit_rows[order]
    st, tt = stratum, time
    starts = np.flatnonzero(np.r_[True, (st[1:] != st[:-1]) | (tt[1:] != tt[:-1])])
    ev = np.add.reduceat(events, starts) if len(starts) else events[:0]
    if censored is None:
        ce = np.diff(np.r_[starts, len(st)]) - ev
        en = np.zeros(len(starts))
    else:
        ce = np.add.reduceat(censored, starts) if len(starts) else censored[:0]
        en = np.add.reduceat(entered, starts) if len(starts) else entered[:0]
    rows = None
    if exit_rows is not None:
        rows = np.add.reduceat(exit_rows, starts) if len(starts) else exit_rows[:0]
    st, tt = st[starts], tt[starts]
    # at risk: reverse cumulative sum of (exits - entries) within each stratum
    at_risk = segment_reverse_cumsum(ev + ce - en, st)
    return Counts(
        by=by,
        strata=strata,
        stratum=st.astype(np.int64),
        time=tt,
        n_events=ev,
        n_censored=ce,
        n_entered=en,
        n_at_risk=at_risk,
        n_exit_rows=rows,
        weighted=weighted,
        excluded=pd.Series(dtype="int64") if excluded is None else excluded,
    )
