"""The product-limit terms (compiled scan; numpy in cache-sized blocks or padded scans) equal
one plain scan per stratum.

Reference: the obvious per-stratum loop below (factor 1 − d/n, Greenwood term d/(n(n − d)),
both 1 and 0 where there is no event, then ``np.cumprod``/``np.cumsum`` of the stratum's own
slice), the arithmetic R's ``survfit`` does. Equality is exact: the blocks continue each
stratum's running product and sum, so every number comes from the same operations.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import netsurv.results.greenwood as greenwood
from netsurv.results.greenwood import _scan, numpy_terms, product_limit_terms


def _reference(n, d, offsets):
    survival, se_log = np.empty(len(n)), np.empty(len(n))
    with np.errstate(divide="ignore", invalid="ignore"):
        for a, b in zip(offsets[:-1], offsets[1:], strict=True):
            nn, dd = n[a:b], d[a:b]
            no_event = ~(dd > 0)
            factor = np.where(no_event, 1.0, 1.0 - dd / nn)
            term = np.where(no_event, 0.0, dd / ((nn - dd) * nn))
            survival[a:b] = np.cumprod(factor)
            se_log[a:b] = np.sqrt(np.cumsum(term))
    return survival, se_log


@st.composite
def tables(draw):
    k = draw(st.integers(1, 5))
    lengths = draw(st.lists(st.integers(0, 40), min_size=k, max_size=k))
    n_parts, d_parts = [], []
    for m in lengths:
        weighted = draw(st.booleans())
        exits = np.array(draw(st.lists(st.integers(0, 3), min_size=m, max_size=m)), float)
        if weighted:  # frequency weights: fractions, and rows whose weight is 0
            exits = exits * draw(st.sampled_from([0.25, 0.7, 1.3]))
        events = np.floor(exits * np.array(draw(st.lists(st.floats(0, 1), min_size=m, max_size=m))))
        n_parts.append(np.cumsum(exits[::-1])[::-1])  # at risk: everyone leaving now or later
        d_parts.append(np.minimum(events, n_parts[-1]))
    offsets = np.r_[0, np.cumsum(lengths)]
    return np.concatenate(n_parts), np.concatenate(d_parts), offsets


@pytest.mark.parametrize("block", [3, 7, 1 << 15])
@settings(max_examples=150, deadline=None)
@given(tables())
def test_block_evaluation_equals_one_scan_per_stratum(block, case) -> None:
    n, d, offsets = case
    stratum = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    expected = _reference(n, d, offsets)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(greenwood, "BLOCK", block)  # strata spanning many blocks
        mp.setattr(greenwood, "_SHORT", 0)  # the block path
        blocks = numpy_terms(n, d, stratum, offsets)
        mp.setattr(greenwood, "_SHORT", 10**9)  # the padded path of many short strata
        padded = numpy_terms(n, d, stratum, offsets)
    compiled = product_limit_terms(n, d, stratum, offsets)
    for got in (blocks, padded, compiled):
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])


def test_zero_weight_rows_and_a_curve_reaching_zero() -> None:
    # hand check: n = 0 (only zero-weight rows left) contributes nothing; n == d gives S = 0
    # and an infinite variance (R: std.err NaN from there)
    n = np.array([3.0, 2.0, 0.0, 1.0])
    d = np.array([1.0, 0.0, 0.0, 1.0])
    survival, se_log = product_limit_terms(n, d, np.zeros(4, np.int64), np.array([0, 4]))
    assert survival.tolist() == [1 - 1 / 3] * 3 + [0.0]
    assert se_log[:3].tolist() == [np.sqrt(1 / 6)] * 3
    assert se_log[3] == np.inf


def test_the_compiled_scan_was_built() -> None:
    # this suite's machines have a C compiler: a failed (optional) build would go unnoticed
    assert _scan is not None and greenwood._scan is _scan


def test_the_compiled_scan_handles_nan_and_infinite_rows_as_numpy_does() -> None:
    # rows numpy's usual-block shortcut does not cover: NaN events, -0.0 events, n = inf,
    # n = 0 with events (factor -inf), tiny n; each stratum compared with the numpy scans
    n = np.array([5.0, np.inf, 4.0, 3.0, 1e-200, 2.0, 0.0, 1.0, 2.0])
    d = np.array([1.0, 1.0, np.nan, -0.0, 0.0, 1.0, 1.0, 0.0, 2.0])
    offsets = np.array([0, 4, 4, 9])  # the middle stratum is empty
    stratum = np.repeat(np.arange(3), np.diff(offsets))
    got = product_limit_terms(n, d, stratum, offsets)
    with np.errstate(divide="ignore", invalid="ignore"):
        want = _reference(n, d, offsets)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def test_the_compiled_scan_refuses_inconsistent_arrays() -> None:
    assert _scan is not None
    n, d = np.array([3.0, 2.0]), np.array([1.0, 0.0])
    out = np.empty(2), np.empty(2)
    for offsets in ([0, 3], [1, 2], [0, 2, 1, 2], []):  # past the end, not from 0, decreasing
        with pytest.raises(ValueError, match="mismatched"):
            _scan.product_limit(n, d, np.array(offsets, dtype=np.int64), *out)
    with pytest.raises(ValueError, match="mismatched"):
        _scan.product_limit(n, d[:1], np.array([0, 2]), *out)
    with pytest.raises(ValueError, match="8 bytes"):
        _scan.product_limit(n.astype(np.float32), d, np.array([0, 2]), *out)
