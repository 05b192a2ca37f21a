"""The result of comparing survival curves between groups (log-rank and its family)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["TEST_NAMES", "LogrankResult"]

# weighted log-rank families (logrank(test=...)) and the names results print for them
TEST_NAMES = {
    "log-rank": "log-rank",
    "gehan-wilcoxon": "Gehan-Wilcoxon (Gehan-Breslow)",
    "tarone-ware": "Tarone-Ware",
    "peto-prentice": "Peto-Prentice",
    "fleming-harrington": "Fleming-Harrington",
}


@dataclass(frozen=True)
class LogrankResult:
    """Result of :func:`logrank`.

    ``table`` has one row per group: by-cols, n, observed, expected, and
    ``(O-E)^2/E``; with ``rho != 0`` or a weighted ``test`` observed and expected are
    weighted, as in R. ``test`` names the weight family, ``p``/``q`` its Fleming–Harrington
    exponents.
    """

    statistic: float
    dof: int
    p_value: float
    table: pd.DataFrame
    variance: np.ndarray
    rho: float
    by: tuple[str, ...]
    strata: tuple[str, ...]
    trend: bool
    scores: np.ndarray | None
    excluded: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    test: str = "log-rank"
    p: float | None = None
    q: float | None = None

    @property
    def method(self) -> str:
        name = "log-rank" if self.rho == 0 else f"G-rho test (rho={self.rho:g})"
        if self.rho == 1:
            name = "Peto-Peto (G-rho, rho=1)"
        if self.test != "log-rank":
            name = TEST_NAMES[self.test]
        if self.test == "fleming-harrington":
            name = f"{name} (p={self.p:g}, q={self.q:g})"
        if self.trend:
            name = f"{name} test for trend"
        return f"{name}{', stratified by ' + ', '.join(self.strata) if self.strata else ''}"

    def __repr__(self) -> str:
        return (
            f"LogrankResult({self.method}: chi2={self.statistic:.4g}, dof={self.dof}, "
            f"p={self.p_value:.4g})\n{self.table.to_string(index=False)}"
        )
