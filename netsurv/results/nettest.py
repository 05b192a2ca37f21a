"""The result of the Pohar Perme comparison of net survival between groups."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["NetSurvivalTest"]


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
    excluded: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))

    @property
    def method(self) -> str:
        return "Pohar Perme test of equal net survival (Graffeo et al. 2016; R relsurv rs.diff)"

    def __repr__(self) -> str:
        return (
            f"NetSurvivalTest({self.method}: chi2={self.statistic:.4g}, dof={self.dof}, "
            f"p={self.p_value:.4g})\n{self.table.to_string(index=False)}"
        )
