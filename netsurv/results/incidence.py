"""Cumulative incidence of cancer death and of death from other causes (competing risks)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CumulativeIncidence"]


@dataclass(frozen=True)
class CumulativeIncidence:
    """Cumulative incidence curves of cancer death and other death, per stratum (frozen).

    ``to_frame()``: by-cols, time, n_at_risk, n_cancer, n_other, n_censored, cif_cancer,
    se_cancer, lower_cancer, upper_cancer, cif_other, se_other, lower_other, upper_other,
    survival (all-cause Kaplan–Meier).
    """

    by: tuple[str, ...]
    table: pd.DataFrame
    excluded: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    conf_type: str = "log-log"
    conf_level: float = 0.95

    @property
    def method(self) -> str:
        return f"cumulative incidence (Aalen–Johansen), {self.conf_type} confidence intervals"

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`."""
        return self.table.copy()

    def __repr__(self) -> str:
        left = "" if self.excluded.empty else f"; {int(self.excluded.sum())} rows left out"
        return f"CumulativeIncidence({self.method}{left})\n{self.table.to_string(index=False, max_rows=20)}"

    def at(self, times: Sequence[float] | np.ndarray) -> pd.DataFrame:
        """Values at given times per stratum (the last row at or before each time)."""
        t = np.sort(np.atleast_1d(np.asarray(times, dtype=np.float64)))
        rows = []
        groups = (
            self.table.groupby(list(self.by), sort=False, observed=True)
            if self.by
            else [((), self.table)]
        )
        for _, g in groups:  # per stratum: small frames
            idx = np.searchsorted(g["time"].to_numpy(), t, side="right") - 1
            part = g.iloc[np.maximum(idx, 0)].copy()
            zero = idx < 0
            for col in ("cif_cancer", "cif_other"):
                part.loc[zero, col] = 0.0
            part["time"] = t
            rows.append(part)
        return pd.concat(rows, ignore_index=True)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw both cumulative incidences with a risk table; ``stacked=True`` stacks them
        per stratum (see :func:`netsurv.present.plotting.plot_cumulative_incidence`)."""
        from netsurv.present.plotting import check_keywords, plot_cumulative_incidence

        check_keywords(kwargs, plot_cumulative_incidence)
        return plot_cumulative_incidence(self, ax=ax, **kwargs)
