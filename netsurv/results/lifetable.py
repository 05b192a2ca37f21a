"""The result of an actuarial life table (observed, or relative as SEER*Stat computes it)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["LifeTable"]


@dataclass(frozen=True)
class LifeTable:
    """A life table in fixed intervals, one row per stratum and interval (frozen).

    ``table`` columns: by-cols, ``start``, ``end``, ``n_start`` (alive at the interval's
    start), ``n_events``, ``n_lost`` (withdrawn alive), ``n_entered`` (left truncation, when
    any), ``n_effective``, ``interval_survival``, ``survival`` (cumulative), ``std_err``,
    ``lower``, ``upper``. A relative table (``relative=True``) has the same columns and adds
    ``interval_expected``, ``interval_relative``, ``se_interval_relative``, ``expected``,
    ``relative``, ``std_err_relative``, ``lower_relative``, ``upper_relative``.
    """

    table: pd.DataFrame
    by: tuple[str, ...]
    width: float
    method: str
    conf_type: str = "log-log"
    conf_level: float = 0.95
    excluded: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`."""
        return self.table.copy()

    def __len__(self) -> int:
        return len(self.table)

    def _repr_html_(self) -> str:
        return str(self.table.to_html(index=False))

    def __repr__(self) -> str:
        left = "" if self.excluded.empty else f"; {int(self.excluded.sum())} rows left out"
        head = f"LifeTable({self.method}{left})"
        return f"{head}\n{self.table.to_string(index=False, max_rows=40)}"
