"""The log-rank test's sums over groups, without a (time x group) matrix.

Write n_gt for the number at risk in group g at pooled time t (of the test stratum), n_t for
their sum. Every sum the test needs is linear in n_gt, and n_gt is a reverse cumulative sum of
the group's exits minus entries (``net``), so

    sum_t y_t n_gt = sum_s net_s Y(t_s),   Y(t) = sum of y over the pooled times <= t

(s runs over the group's counts rows): one cumulative sum over the pooled times and one sparse
product over the counts rows give the sum for every group at once. The expected counts are
this sum with y_t = w_t d_t / n_t. The variance (R ``survdiff``)

    V = sum_t f_t (diag(p_t) - p_t p_t'),   p_gt = n_gt / n_t,

has diagonal term sum_t (f_t / n_t) n_gt and, in column h, the second term
sum_t (f_t / n_t^2) n_ht n_gt — the same sum with y_t = f_t n_ht / n_t^2. V is built a block of
columns at a time, so memory stays O(counts rows + pooled times x block + groups^2) and time
O(groups x (counts rows + pooled times)), where a dense (time x group) layout needed
O(times x groups) memory and O(times x groups^2) time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse

from netsurv.counting.segments import segment_cumsum, segment_reverse_cumsum
from netsurv.counting.table import Counts

__all__ = ["PooledRisk", "pool_counts"]

# cells of one (pooled times x groups) block of the variance computation (16 MB of floats)
_BLOCK_CELLS = 1 << 21


@dataclass(frozen=True)
class PooledRisk:
    """Counts rows laid on the pooled (test stratum, time) rows of a log-rank test.

    ``row``, ``group`` and ``events`` have one entry per counts row; ``n_all``, ``d_all``
    and ``row_layer`` one per pooled row; ``net`` is the sparse (groups x pooled rows) matrix
    of exits minus entries; ``starts`` are the first pooled rows of each test stratum (and
    the end).
    """

    row: np.ndarray
    group: np.ndarray
    events: np.ndarray
    n_all: np.ndarray
    d_all: np.ndarray
    row_layer: np.ndarray
    starts: np.ndarray
    net: sparse.csr_array
    n_groups: int

    def _cumsum(self, y: np.ndarray, reverse: bool = False) -> np.ndarray:
        """Cumulative sum over the pooled rows (axis 0), restarting in each test stratum;
        ``reverse``: the sum of this and every later row of the stratum."""
        if len(self.starts) <= 2:  # one test stratum
            return np.cumsum(y[::-1], axis=0)[::-1] if reverse else np.cumsum(y, axis=0)
        if y.ndim == 1:
            scan = segment_reverse_cumsum if reverse else segment_cumsum
            return scan(y, self.row_layer)
        out = np.empty_like(y)
        for a, b in zip(self.starts[:-1], self.starts[1:], strict=True):
            part = y[a:b]
            out[a:b] = np.cumsum(part[::-1], axis=0)[::-1] if reverse else np.cumsum(part, axis=0)
        return out

    def risk_sum(self, y: np.ndarray) -> np.ndarray:
        """sum_t y_t n_gt for every group g (``y``: one value, or a row, per pooled row)."""
        return np.asarray(self.net @ self._cumsum(np.asarray(y, dtype=np.float64)))

    def at_risk(self, lo: int, hi: int) -> np.ndarray:
        """n_gt for the groups lo..hi-1: a (pooled rows x groups) block."""
        block = self.net[lo:hi].toarray().T
        return self._cumsum(block, reverse=True)

    def variance(self, factor: np.ndarray, per_risk: np.ndarray) -> np.ndarray:
        """V = sum_t f_t (diag(p_t) - p_t p_t') with f = ``factor``, 1/n_t = ``per_risk``."""
        k = self.n_groups
        c = factor * per_risk * per_risk  # f_t / n_t^2
        v = np.empty((k, k))
        step = max(1, min(k, _BLOCK_CELLS // max(len(self.n_all), 1)))
        for lo in range(0, k, step):
            hi = min(k, lo + step)
            v[:, lo:hi] = -self.risk_sum(c[:, None] * self.at_risk(lo, hi))
        v = (v + v.T) / 2  # equal up to round-off: make it exactly symmetric
        v[np.diag_indices(k)] += self.risk_sum(factor * per_risk)
        return v


def pool_counts(
    counts: Counts, layer_of: np.ndarray, group_of: np.ndarray, n_groups: int
) -> PooledRisk:
    """Pool the counts rows by (test stratum, time); see :class:`PooledRisk`."""
    layer = layer_of[counts.stratum]
    order = np.lexsort((counts.time, layer))
    lay, tim = layer[order], counts.time[order]
    new = np.r_[True, (lay[1:] != lay[:-1]) | (tim[1:] != tim[:-1])]
    row = np.cumsum(new) - 1  # pooled row of each counts row (in sorted order)
    n_rows = int(row[-1]) + 1 if len(row) else 0
    row_layer = lay[new]
    starts = np.flatnonzero(np.r_[True, row_layer[1:] != row_layer[:-1]])
    group = group_of[counts.stratum][order]
    events = counts.n_events[order]
    net = (counts.n_events + counts.n_censored - counts.n_entered)[order]
    d_all = np.bincount(row, weights=events, minlength=n_rows)
    per_row = np.bincount(row, weights=net, minlength=n_rows)
    pool = PooledRisk(
        row=row,
        group=group,
        events=events,
        n_all=per_row,
        d_all=d_all,
        row_layer=row_layer,
        starts=np.r_[starts, n_rows],
        net=sparse.csr_array((net, (group, row)), shape=(n_groups, n_rows)),
        n_groups=n_groups,
    )
    # at risk at t: everyone who exits at or after t minus those who enter at or after t
    return replace(pool, n_all=pool._cumsum(per_row, reverse=True))
