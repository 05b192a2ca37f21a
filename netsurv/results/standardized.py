"""The result of age-standardised net survival (ICSS weights)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["StandardizedSurvival"]


@dataclass(frozen=True)
class StandardizedSurvival:
    """Age-standardised net survival (frozen).

    ``table``: by-cols, time, survival, std_err, lower, upper, note (NA when given).
    ``by_age``: the per-age-group estimates (by-cols, age group, weight, n, time, survival,
    std_err). ``excluded``: rows left out, by reason.
    """

    table: pd.DataFrame
    by_age: pd.DataFrame
    weights: dict[str, float]
    excluded: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))

    @property
    def method(self) -> str:
        return (
            "age-standardised net survival (ICSS age groups; weights "
            + ", ".join(f"{k}: {v:g}" for k, v in self.weights.items())
            + ")"
        )

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`."""
        return self.table.copy()

    def __repr__(self) -> str:
        left = "" if self.excluded.empty else f"; {int(self.excluded.sum())} rows left out"
        return f"StandardizedSurvival({self.method}{left})\n{self.table.to_string(index=False)}"
