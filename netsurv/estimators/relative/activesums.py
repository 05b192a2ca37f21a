"""Sums of exp(Λ_i(t)) and λ_i exp(Λ_i(t)) over the subjects at risk at many points at once.

The kernel behind Pohar Perme's weighted sums (:mod:`~.sums`) and R ``rs.diff``'s
(:func:`~.sums.diff_sums`): each subject's expected cumulative hazard is piecewise linear
(one piece per rate-table cell), and the sums are wanted at every point of a time grid.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BLOCK", "active_sums"]

BLOCK = 256  # points per block of the series expansion (see active_sums)


def active_sums(
    points: np.ndarray,
    point_stratum: np.ndarray,
    first_point: np.ndarray,
    stratum: np.ndarray,
    j0: np.ndarray,
    j1: np.ndarray,
    u0: np.ndarray,
    cum0: np.ndarray,
    lam: np.ndarray,
    shifts: list[np.ndarray],
) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """Σ exp(Λ_i(t)) and Σ λ_i exp(Λ_i(t)) over pieces active at each evaluation point.

    A piece (stratum, hazard λ, cumulative hazard ``cum0`` at time ``u0``) is active at the
    points with (within-stratum) index j0 <= j < j1; it is evaluated at t = point + shift for
    each array in ``shifts``. Also returns Σ λ_i over active pieces.

    Inside a piece Λ_i(t) = Λ_i(t_M) + λ_i (t − t_M). Points are grouped in blocks of
    ``BLOCK`` starting at t_M; pieces are cut at block edges, and inside a block
    exp(λ x) = Σ_p (λ x)^p / p! (terms until the remainder is below 1e-16), so the sums are
    Σ_p x^p / p! · H_p with H_p = Σ_active exp(Λ_i(t_M)) λ_i^p — sums that change only where a
    piece starts or ends (a difference array), never a pass over every subject at every point.
    """
    n_points = len(points)
    st = stratum.astype(np.int64)
    local = np.arange(n_points) - first_point[point_stratum]
    b0, b1 = j0 // BLOCK, np.maximum(j1 - 1, j0) // BLOCK
    k = np.where(j1 > j0, b1 - b0 + 1, 0)
    row = np.repeat(np.arange(len(k)), k)
    blk = b0[row] + (np.arange(len(row)) - np.repeat(np.cumsum(k) - k, k))
    m0 = np.maximum(j0[row], blk * BLOCK)
    m1 = np.minimum(j1[row], (blk + 1) * BLOCK)
    lr = lam[row]
    first = first_point[st[row]]
    c = np.exp(cum0[row] - lr * (u0[row] - points[first + blk * BLOCK]))
    x = points - points[first_point[point_stratum] + (local // BLOCK) * BLOCK]
    reach = float(max((x + sh).max(initial=0.0) for sh in shifts))
    # difference arrays with one spare slot per stratum (pieces may end at the stratum's end)
    pad = first + st[row]
    size = n_points + len(first_point)
    keep = np.ones(size, dtype=bool)
    keep[np.r_[first_point[1:], n_points] + np.arange(len(first_point))] = False
    e = np.cumsum(_signed_counts(pad + m0, pad + m1, lr, size))[keep]
    moments = _moments(pad + m0, pad + m1, c, lr, reach, size, keep, n_points)
    out = [(_series(moments[:-1], x + sh), _series(moments[1:], x + sh)) for sh in shifts]
    return out, e


def _moments(
    i0: np.ndarray,
    i1: np.ndarray,
    c: np.ndarray,
    lr: np.ndarray,
    reach: float,
    size: int,
    keep: np.ndarray,
    n_points: int,
) -> np.ndarray:
    """H_p = Σ over active pieces of c λ^p at each point, p = 0, 1, ... (difference arrays).

    Every piece needs the low-order terms of the series; only the pieces with large hazards
    (old ages) need the high-order ones."""
    n_low = _terms(0.05)
    n_all = _terms(float(lr.max(initial=0.0)) * reach)
    large = np.flatnonzero(lr * reach > 0.05)
    moments = np.zeros((max(n_all, n_low) + 2, n_points))
    w = c.copy()
    for p in range(n_low + 2):
        moments[p] = np.cumsum(_signed_counts(i0, i1, w, size))[keep]
        w *= lr
    if len(large) and n_all > n_low:
        w, lp, i0, i1 = w[large], lr[large], i0[large], i1[large]
        for p in range(n_low + 2, n_all + 2):
            moments[p] = np.cumsum(_signed_counts(i0, i1, w, size))[keep]
            w *= lp
    return moments


def _signed_counts(i0: np.ndarray, i1: np.ndarray, w: np.ndarray, size: int) -> np.ndarray:
    """Difference array: +w at i0, −w at i1."""
    return np.bincount(i0, w, minlength=size) - np.bincount(i1, w, minlength=size)


def _terms(x_max: float) -> int:
    """Terms of the exponential series so that the remainder is below 1e-16 (relative)."""
    term, p = 1.0, 0
    while term * np.exp(x_max) > 1e-16 and p < 60:
        p += 1
        term *= x_max / p
    return max(p, 1)


def _series(h: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Σ_p x^p / p! · h[p] by Horner's rule."""
    acc = h[-1].copy()
    for p in range(len(h) - 2, -1, -1):
        acc = h[p] + acc * x / (p + 1)
    return acc
