"""Reading curves at given times: the all-queries bisection equals ``np.searchsorted`` run on
each stratum's rows alone (empty strata, ties, infinities and queries outside included).

Reference: numpy's ``np.searchsorted`` on the segment slice (one call per query), the obvious
per-stratum implementation. Equality is exact (positions are integers).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from netsurv.results.steps import search_segments

VALUES = st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.0, 2.0, 3.5, np.inf]), max_size=8)


@settings(max_examples=200, deadline=None)
@given(
    segments=st.lists(VALUES, min_size=1, max_size=6),
    queries=st.lists(st.sampled_from([-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 4.0, np.inf]), max_size=4),
    side=st.sampled_from(["left", "right"]),
)
def test_search_segments_equals_searchsorted_on_each_slice(segments, queries, side):
    values = np.concatenate([np.sort(np.asarray(s, dtype=float)) for s in segments] + [[]])
    offsets = np.r_[0, np.cumsum([len(s) for s in segments])]
    seg = np.repeat(np.arange(len(segments)), len(queries))
    q = np.tile(np.asarray(queries, dtype=float), len(segments))
    lo, hi = offsets[seg], offsets[seg + 1]
    expected = [
        lo_ + np.searchsorted(values[lo_:hi_], x, side)
        for lo_, hi_, x in zip(lo, hi, q, strict=True)
    ]
    got = search_segments(values, lo, hi, q, side)
    np.testing.assert_array_equal(got, np.asarray(expected, dtype=np.int64))
