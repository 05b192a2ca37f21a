"""The result of the Pohar Perme comparison of net survival between groups."""

from __future__ import annotations

from dataclasses import dataclass

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
