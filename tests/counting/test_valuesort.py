"""The value-sort counting path (unweighted 0/1 exits, float times) equals obvious references.

Reference: ``tests/counting/groupby_reference.py`` (R's timefix, then pandas ``groupby``).
Counts are integers in float64, so equality is exact. Small inputs are covered by
``test_kernel_keys.py`` (the same path through :func:`counts`); here the inputs are large
enough for the second thread, have hundreds of strata (16-bit stratum codes), and near-ties
within and across strata.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netsurv.counting.kernel import counts
from netsurv.counting.validate import Prepared, prepare
from netsurv.counting.valuesort import _maybe_in, count_by_values
from tests.counting.groupby_reference import assert_counts_equal_reference


@pytest.mark.parametrize(("k", "seed"), [(192, 1), (300, 2), (1, 3), (2000, 4)])
def test_large_inputs_with_near_ties_equal_the_reference(k: int, seed: int) -> None:
    # 250,000 continuous times (the second thread runs): exponential times crowd near 0,
    # where thousands of distinct values lie closer than R's tolerance; plus exact repeats
    # and round-off copies (x * (1 + 1e-15)) in the same and in other strata
    rng = np.random.default_rng(seed)
    n = 250_000
    t = rng.exponential(20, n)
    copies = rng.integers(0, n, n // 20)
    t[copies] = t[rng.integers(0, n, n // 20)] * (1 + rng.choice([0, 1e-15, 3e-12], n // 20))
    df = pd.DataFrame({"t": t, "d": rng.integers(0, 2, n), "g": rng.integers(0, k, n)})
    p = prepare(df, time="t", event="d", by="g")
    assert count_by_values(p) is not None  # the path under test
    assert_counts_equal_reference(df)


def test_a_large_input_whose_last_stratum_has_no_rows() -> None:
    # prepare() keeps only strata with rows; a Prepared built by hand with an empty last
    # stratum must still count (the second half of the strata has no rows: one thread)
    rng = np.random.default_rng(7)
    n = 250_000
    t, d = rng.exponential(20, n), rng.integers(0, 2, n).astype(float)
    p = Prepared(
        time=t,
        event=d,
        entry=None,
        weights=None,
        stratum=np.zeros(n, dtype=np.int32),
        strata=pd.DataFrame({"g": ["a", "b"]}),
        by=("g",),
        excluded=pd.Series(dtype="int64"),
        n_input=n,
    )
    got = count_by_values(p)
    assert got is not None
    assert got.n_subjects().tolist() == [n, 0]
    one = counts(pd.DataFrame({"t": t, "d": d}), time="t", event="d")
    for name in ["time", "n_events", "n_censored", "n_at_risk"]:
        np.testing.assert_array_equal(getattr(got, name), getattr(one, name), err_msg=name)


def test_a_near_tie_across_strata_takes_the_smaller_time() -> None:
    # by hand: R merges distinct times over all strata, so stratum 1's 1 + 1e-12 becomes 1.0
    # although stratum 1 has no time 1.0; stratum 0 keeps its two times (1.0 and 2.0)
    df = pd.DataFrame({"t": [1.0, 2.0, 1.0 + 1e-12, 3.0], "d": [1, 0, 1, 1], "g": [0, 0, 1, 1]})
    got = counts(df, time="t", event="d", by="g").to_frame()
    assert got["time"].tolist() == [1.0, 2.0, 1.0, 3.0]
    assert got["n_at_risk"].tolist() == [2.0, 1.0, 2.0, 1.0]
    assert got["n_events"].tolist() == [1.0, 0.0, 1.0, 1.0]


def test_a_near_tie_within_a_stratum_is_one_time() -> None:
    # by hand: 5, 5 + 1e-12 (event) and 5 + 2e-12 are one time 5 with 3 exits, 2 events
    df = pd.DataFrame({"t": [5.0, 5.0 + 1e-12, 5.0 + 2e-12, 7.5], "d": [1, 1, 0, 0], "g": 0})
    got = counts(df, time="t", event="d", by="g").to_frame()
    assert got["time"].tolist() == [5.0, 7.5]
    assert got["n_events"].tolist() == [2.0, 0.0]
    assert got["n_censored"].tolist() == [1.0, 1.0]
    assert got["n_at_risk"].tolist() == [4.0, 1.0]


def test_minus_zero_and_zero_are_one_time() -> None:
    df = pd.DataFrame({"t": [-0.0, 0.0, 0.5], "d": [1, 0, 1], "g": 0})
    got = counts(df, time="t", event="d", by="g").to_frame()
    assert got["time"].tolist() == [0.0, 0.5]
    assert got["n_at_risk"].tolist() == [3.0, 1.0]


def test_other_inputs_take_the_general_path() -> None:
    df = pd.DataFrame({"t": [1.5, 2.5], "d": [1, 0], "w": [2.0, 1.0], "s": [0.0, 0.5]})
    assert count_by_values(prepare(df, time="t", event="d", weights="w")) is None
    assert count_by_values(prepare(df, time="t", event="d", entry="s")) is None


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=200),
    st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=50),
)
def test_the_hash_filter_never_misses_a_member(values: list[float], members: list[float]) -> None:
    v = np.array(values + members[::2])  # some values are members
    m = np.unique(np.array(members))
    truth = np.flatnonzero(np.isin(v, m))
    maybe = _maybe_in(v.view(np.uint64).copy(), m.view(np.uint64))
    assert set(truth) <= set(maybe)
