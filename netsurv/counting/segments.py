"""Cumulative sums and products that restart at each stratum (rows sorted by stratum).

Each stratum is accumulated on its own, so its numbers do not depend on how many strata come
before it (a running total over all strata minus the total at the stratum's start loses digits
once earlier strata are large, and an infinite term would leak into later strata as NaN).
With many short strata they are laid side by side in a padded matrix, so one ``np.cumsum`` /
``np.cumprod`` along its rows serves them all; with a few hundred strata or fewer, one call per
stratum (each on a contiguous slice) is faster than building the matrix.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["segment_cumprod", "segment_cumsum", "segment_reverse_cumsum"]


def _accumulate(
    x: np.ndarray,
    stratum: np.ndarray,
    scan: Callable[..., np.ndarray],
    identity: float,
) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    out = np.empty(len(x), dtype=np.float64)
    if len(x) == 0:
        return out
    starts = np.flatnonzero(np.r_[True, stratum[1:] != stratum[:-1]])
    lengths = np.diff(np.r_[starts, len(x)])
    width = int(lengths.max())
    if len(starts) > 256 and len(starts) * width <= 8 * len(x) + 100_000:
        pos = np.arange(len(x)) - np.repeat(starts, lengths)  # position within the stratum
        row = np.repeat(np.arange(len(starts)), lengths)
        grid = np.full((len(starts), width), identity)
        grid[row, pos] = x
        return scan(grid, axis=1)[row, pos]  # type: ignore[no-any-return]
    for a, n in zip(starts, lengths, strict=True):  # few or long strata: one scan each
        out[a : a + n] = scan(x[a : a + n])
    return out


def segment_cumsum(x: np.ndarray, stratum: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each stratum.

    >>> segment_cumsum(np.array([1.0, 2.0, 3.0, 4.0]), np.array([0, 0, 1, 1])).tolist()
    [1.0, 3.0, 3.0, 7.0]
    """
    return _accumulate(x, stratum, np.cumsum, 0.0)


def segment_cumprod(x: np.ndarray, stratum: np.ndarray) -> np.ndarray:
    """Cumulative product restarting at each stratum, multiplying directly as R's ``survfit``
    does (0.75 * 2/3 is exactly 0.5; exp(log 0.75 + log 2/3) is not).

    >>> segment_cumprod(np.array([0.5, 0.5, 0.9, 0.5]), np.array([0, 0, 1, 1])).tolist()
    [0.5, 0.25, 0.9, 0.45]
    """
    return _accumulate(x, stratum, np.cumprod, 1.0)


def segment_reverse_cumsum(x: np.ndarray, stratum: np.ndarray) -> np.ndarray:
    """Sum of this row and every later row of the same stratum.

    >>> segment_reverse_cumsum(np.array([1.0, 2.0, 3.0, 4.0]), np.array([0, 0, 1, 1])).tolist()
    [3.0, 2.0, 7.0, 4.0]
    """
    return segment_cumsum(np.asarray(x)[::-1], np.asarray(stratum)[::-1])[::-1]
