"""The product-limit terms: S and the Greenwood standard error of log S, row by row.

S(t) = prod_{t_j <= t} (1 - d_j / n_j) and var(log S) = sum_{t_j <= t} d_j / (n_j (n_j - d_j)),
each restarting at every stratum. Both are sequential scans (multiplying directly as R's
``survfit`` does, so the numbers do not depend on how the rows are split). On a long table
(ten million rows, a few hundred strata) the arithmetic runs block by block through buffers
that stay in the processor's cache: a block continues its stratum's running product and sum
from the previous block's last row, which gives exactly the numbers of one scan per stratum.
Many short strata go through :mod:`netsurv.counting.segments` instead (one padded scan).

Where the compiled module ``_scan`` was built (``_scan.c`` says why: one pass instead of about
eleven, 0.12 -> 0.03 s at 1e7 rows) it computes the same numbers, bit for bit, for any table.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from netsurv.counting.segments import segment_cumprod, segment_cumsum

_scan: ModuleType | None
try:
    from netsurv.results import _scan
except ImportError:  # built without a C compiler: the numpy scans below
    _scan = None

__all__ = ["product_limit_terms"]

BLOCK = 1 << 15  # rows per block: a few buffers of this size stay in a core's L2 cache
_SHORT = 4096  # mean stratum length below which the padded scans of segments.py are used


def product_limit_terms(
    n: np.ndarray, d: np.ndarray, stratum: np.ndarray, offsets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(S, standard error of log S) per row; stratum ``s`` holds rows ``offsets[s]:offsets[s+1]``.

    A row without events (``not d > 0``) contributes the factor 1 and no variance; n == d
    gives S = 0 and an infinite variance, as in R.

    >>> n, d = np.array([4.0, 3.0, 2.0]), np.array([1.0, 0.0, 1.0])
    >>> s, se = product_limit_terms(n, d, np.zeros(3, np.int64), np.array([0, 3]))
    >>> s.tolist(), bool(se[1] == se[0])
    ([0.75, 0.75, 0.375], True)
    """
    n = np.ascontiguousarray(n, dtype=np.float64)
    d = np.ascontiguousarray(d, dtype=np.float64)
    if _scan is not None:
        survival, se_log = np.empty(len(n)), np.empty(len(n))
        _scan.product_limit(n, d, np.ascontiguousarray(offsets, np.int64), survival, se_log)
        return survival, se_log
    return numpy_terms(n, d, stratum, offsets)


def numpy_terms(
    n: np.ndarray, d: np.ndarray, stratum: np.ndarray, offsets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`product_limit_terms` in numpy (contiguous float64 ``n`` and ``d``): the path
    without the compiled module, and the reference the compiled scan is tested against."""
    k = len(offsets) - 1
    if k > 0 and len(n) < _SHORT * k:
        return _padded(n, d, stratum, offsets)
    survival, se_log = np.empty(len(n)), np.empty(len(n))
    factor, term, no_event = np.empty(BLOCK), np.empty(BLOCK), np.empty(BLOCK, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
            var = 0.0  # the stratum's running Greenwood sum
            for lo in range(a, b, BLOCK):
                hi = min(lo + BLOCK, b)
                m = hi - lo
                _terms(n[lo:hi], d[lo:hi], factor[:m], term[:m], no_event[:m])
                if lo > a:  # continue the stratum's scans where the previous block ended
                    factor[0] *= survival[lo - 1]
                term[0] += var  # (+ 0.0 at the start: a sum of -0.0 terms is 0.0)
                np.cumprod(factor[:m], out=survival[lo:hi])
                np.cumsum(term[:m], out=se_log[lo:hi])
                var = float(se_log[hi - 1])
                np.sqrt(se_log[lo:hi], out=se_log[lo:hi])
    return survival, se_log


def _terms(
    n: np.ndarray, d: np.ndarray, factor: np.ndarray, term: np.ndarray, no_event: np.ndarray
) -> None:
    """Fill ``factor`` = 1 - d/n and ``term`` = d / (n (n - d)), with 1 and 0 where not d > 0.

    Where d == 0 and n is a positive finite number the formulas already give exactly 1 and 0
    (the usual block), so the rows without events are only looked up when some row is not so.
    """
    np.divide(d, n, out=factor)
    np.subtract(1.0, factor, out=factor)
    np.subtract(n, d, out=term)
    term *= n
    np.divide(d, term, out=term)
    if len(n) and d.min() >= 0 and 1e-150 < n.min() and n.max() < np.inf:
        return
    np.greater(d, 0, out=no_event)
    np.logical_not(no_event, out=no_event)
    factor[no_event] = 1.0
    term[no_event] = 0.0


def _padded(
    n: np.ndarray, d: np.ndarray, stratum: np.ndarray, offsets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The same terms for many short strata, with the padded scans of segments.py."""
    factor, term, no_event = np.empty(len(n)), np.empty(len(n)), np.empty(len(n), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        _terms(n, d, factor, term, no_event)
        term[offsets[:-1][np.diff(offsets) > 0]] += 0.0  # a sum of -0.0 terms is 0.0
        survival = segment_cumprod(factor, stratum)
        se_log = segment_cumsum(term, stratum)
        np.sqrt(se_log, out=se_log)
    return survival, se_log
