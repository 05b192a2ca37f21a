"""The packed-key counting path (unweighted float times) equals a slow, obvious reference.

Reference: ``tests/counting/groupby_reference.py`` (R's timefix, then pandas ``groupby``).
Counts are integers in float64, so equality is exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.counting.groupby_reference import assert_counts_equal_reference


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 300),
    st.integers(1, 5),
    st.integers(0, 2**32 - 1),
    st.sampled_from([1e-10, 1e-9, 1e-7, 1e-3]),
)
def test_float_time_counts_equal_timefix_then_groupby(n, k, seed, jitter) -> None:
    rng = np.random.default_rng(seed)
    base = rng.choice(rng.uniform(0, 50, 20), n)  # repeated values, then near-ties by jitter
    t = np.abs(base + rng.integers(-2, 3, n) * jitter * rng.uniform(0, 2, n).round(1))  # >= 0
    df = pd.DataFrame({"t": t, "d": rng.integers(0, 2, n), "g": rng.integers(0, k, n)})
    assert_counts_equal_reference(df)
