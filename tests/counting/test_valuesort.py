"""The value-sort counting path (unweighted 0/1 exits, float times) equals obvious references.

Reference: ``tests/counting/groupby_reference.py`` (R's timefix, then pandas ``groupby``).
Counts are integers in float64, so equality is exact. Small inputs are covered by
``test_kernel_keys.py`` (the same path through :func:`counts`); here the inputs are large
enough for the second thread, have hundreds of strata (16-bit stratum codes), and near-ties
within and across strata.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import netsurv.counting.valuesort as valuesort
from netsurv.counting.kernel import _count_sorted, counts
from netsurv.counting.validate import Prepared, prepare
from netsurv.counting.valuesort import _runs, compiled, count_by_values
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


def test_the_compiled_module_was_built() -> None:
    # this suite's machines have a C compiler: a failed build would otherwise go unnoticed
    # (the install makes the module optional, and counting falls back to the index sort)
    assert compiled()


def _prepared(t: np.ndarray, d: np.ndarray, codes: np.ndarray, k: int) -> Prepared:
    return Prepared(
        time=t,
        event=d,
        entry=None,
        weights=None,
        stratum=codes,
        strata=pd.DataFrame({"g": range(k)}),
        by=("g",),
        excluded=pd.Series(dtype="int64"),
        n_input=len(t),
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.0, -0.0, 1.0, 1.0 + 1e-12, 1.0 + 3e-9, 2.5, 1e-300, 7e5]),
            st.floats(0, 50, allow_nan=False),
            st.booleans(),
            st.integers(0, 5),
        ),
        min_size=1,
        max_size=120,
    ),
    st.sampled_from(["int8", "uint8", "int16", "uint16", "int32", "int64", "uint64"]),
    st.sampled_from(["bool", "float64", "int64", "float32"]),
    st.booleans(),
)
def test_equal_to_the_index_sort_path(
    rows: list[tuple[float, float, bool, int]], code_dtype: str, event_dtype: str, pick: bool
) -> None:
    # any stratum-code width and event dtype; times drawn from a few values with near-ties
    # (-0.0, 0.0 and 1e-300 are one time, as are 1, 1 + 1e-12 and 1 + 3e-9 at R's tolerance
    # of 1.5e-8) or from a continuous range; strata 0..5, some without rows
    t = np.array([a if pick else b for a, b, _, _ in rows])
    d = np.array([e for _, _, e, _ in rows]).astype(event_dtype)
    codes = np.array([c for _, _, _, c in rows]).astype(code_dtype)
    p = _prepared(t, d, codes, 6)
    got = count_by_values(p)
    assert got is not None
    want = _count_sorted(replace(p, event=d.astype(np.float64), stratum=codes.astype(np.int64)))
    for name in ["stratum", "time", "n_events", "n_censored", "n_entered", "n_at_risk"]:
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)


def test_the_compiled_passes_refuse_inconsistent_arrays() -> None:
    # the wrapper never passes such arrays; the C code checks anyway (no read or write out
    # of bounds whatever it is given)
    assert _runs is not None
    t, d = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 1.0])
    keys, bounds = np.empty(3, dtype=np.uint64), np.empty(3, dtype=np.int64)
    with pytest.raises(ValueError, match="code out of range at row 2"):
        _runs.group(t, d, np.array([0, 1, 2]), keys, bounds)  # k = 2
    with pytest.raises(ValueError, match="code out of range at row 0"):
        _runs.group(t, d, np.array([-1, 0, 1]), keys, bounds)
    with pytest.raises(ValueError, match="mismatched"):
        _runs.group(t, d[:2], np.array([0, 1, 1]), keys, bounds)
    with pytest.raises(ValueError, match="items of 8 bytes"):
        _runs.group(t.astype(np.float32), d, np.array([0, 1, 1]), keys, bounds)
    codes = np.array([1, 0, 1], dtype=np.uint8)
    for bad_t, bad_d in [(-1.0, 1.0), (np.nan, 1.0), (np.inf, 0.0), (1.0, 0.5), (1.0, 2.0)]:
        with pytest.raises(ValueError, match="not 0/1, at row 1"):  # keys would not sort
            _runs.group(
                np.array([1.0, bad_t, 3.0]), np.array([1.0, bad_d, 0.0]), codes, keys, bounds
            )
    with pytest.raises(ValueError, match="not 0/1, at row 2"):
        _runs.group(t, np.array([1, 0, 2], dtype=np.uint8), codes, keys, bounds)
    _runs.group(t, d, codes, keys, bounds)
    assert bounds.tolist() == [0, 1, 3]
    empty = np.empty(0, dtype=np.uint64)
    with pytest.raises(ValueError, match="bounds"):
        _runs.fix(keys, np.array([0, 2, 2]), empty, empty, 0, 2)  # does not end at 3
    with pytest.raises(ValueError, match="bounds"):
        _runs.fix(keys, np.array([0, 2, 1, 3]), empty, empty, 0, 3)  # decreasing
    with pytest.raises(ValueError, match="strata"):
        _runs.fix(keys, bounds, empty, empty, 1, 3)  # k = 2
    with pytest.raises(ValueError, match="strata"):
        _runs.fix(keys, bounds, empty, empty, 2, 1)
    assert _runs.fix(keys, bounds, empty, empty, 0, 1) == 1
    assert _runs.fix(keys, bounds, empty, empty, 1, 2) == 2
    out = [np.empty(2, dtype=np.int64)] + [np.empty(2) for _ in range(4)]
    with pytest.raises(ValueError, match="more runs than output rows"):
        _runs.runs(keys, bounds, 0, 2, 0, 0, *out)  # room for 2 of the 3 runs
    with pytest.raises(ValueError, match="more runs than output rows"):
        _runs.runs(keys, bounds, 1, 2, 1, 1, *out)  # stratum 1's 2 runs from row 1
    for first, stop, at, time_at in [(1, 3, 0, 0), (2, 1, 0, 0), (0, 1, -1, 0), (0, 1, 0, -1)]:
        with pytest.raises(ValueError, match="mismatched"):
            _runs.runs(keys, bounds, first, stop, at, time_at, *out)
    with pytest.raises(ValueError, match="8 bytes"):
        _runs.runs(keys, bounds, 0, 2, 0, 0, np.empty(3, dtype=np.int32), *out[1:])
    out = [np.empty(3, dtype=np.int64)] + [np.empty(3) for _ in range(4)]
    assert _runs.runs(keys, bounds, 1, 2, 1, 1, *out) == 2  # stratum 1 (rows 1, 2) first
    assert _runs.runs(keys, bounds, 0, 1, 0, 0, *out) == 1
    assert out[0].tolist() == [0, 1, 1]
    assert out[1].view(np.uint64).tolist() == (np.array([2.0, 1.0, 3.0]).view(np.uint64)).tolist()
    assert out[2].tolist() == [0.0, 1.0, 1.0]  # events
    assert out[4].tolist() == [1.0, 2.0, 1.0]  # at risk
    # the times written over the keys: only at or before the stratum's first row (else a time
    # would overwrite a key not yet read)
    with pytest.raises(ValueError, match="mismatched"):
        _runs.runs(keys, bounds, 1, 2, 1, 2, out[0], keys, *out[2:])  # stratum 1 starts at row 1
    assert _runs.runs(keys, bounds, 1, 2, 1, 1, out[0], keys, *out[2:]) == 2
    assert keys[1:].view(np.float64).tolist() == [1.0, 3.0]


def test_without_the_compiled_module_the_index_sort_counts_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # an install without a C compiler: count_by_values declines and the index-sort path
    # counts; every column equal to the compiled path's (300,000 rows: the threaded passes)
    rng = np.random.default_rng(11)
    n = 300_000
    df = pd.DataFrame(
        {"t": rng.exponential(30, n), "d": rng.integers(0, 2, n), "g": rng.integers(0, 50, n)}
    )
    compiled_counts = counts(df, time="t", event="d", by="g")
    monkeypatch.setattr(valuesort, "_runs", None)
    assert count_by_values(prepare(df, time="t", event="d", by="g")) is None
    numpy_counts = counts(df, time="t", event="d", by="g")
    for name in ["stratum", "time", "n_events", "n_censored", "n_entered", "n_at_risk"]:
        got, want = getattr(compiled_counts, name), getattr(numpy_counts, name)
        np.testing.assert_array_equal(got, want, err_msg=name)


def test_many_strata_and_a_long_chain_of_near_ties() -> None:
    # 300,000 distinct times 1e-9 apart (closer than R's tolerance of 1.5e-8): one chain,
    # every time becomes 0.0; in ~95,000 strata the compiled replacement widens its bands (so
    # many bands x strata would cost more than the rows) and must still find every value
    rng = np.random.default_rng(5)
    n = 300_000
    t = rng.permutation(n) * 1e-9
    df = pd.DataFrame({"t": t, "d": rng.integers(0, 2, n), "g": rng.integers(0, 100_000, n)})
    p = prepare(df, time="t", event="d", by="g")
    got = count_by_values(p)
    assert got is not None
    assert (got.time == 0.0).all() and len(got.time) == len(p.strata)
    assert_counts_equal_reference(df)
