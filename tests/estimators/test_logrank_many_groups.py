"""Issue 13, item 5: the log-rank variance without a dense (time x group) layout.

The sums are now taken per counts row (``netsurv.estimators.logrank_sums``) and the variance
is built a block of groups at a time. Expected values: the slow, obviously correct reference
``tests.reference_impl.logrank_reference`` (one loop over times with explicit at-risk counts);
R agreement stays checked in test_reference_r*.py. The attack's 8,000 and 100,000 groups took
215 s and asked for 55.7 GiB; more than ``LOGRANK_MAX_GROUPS`` groups are now refused at once.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.errors import InputError
from netsurv.estimators import logrank_sums
from netsurv.rules import LIFE_TABLE_MAX_INTERVALS, LOGRANK_MAX_GROUPS
from tests.reference_impl import logrank_reference


def _frame(seed: int, n: int, k: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "t": rng.integers(0, 40, n) + rng.choice([0.0, 0.5], n),
            "d": rng.integers(0, 2, n),
            "g": rng.integers(0, k, n),
            "layer": rng.choice(["x", "y", "z"], n),
        }
    )


@pytest.mark.parametrize("seed", range(3))
def test_variance_in_small_blocks_equals_the_slow_reference(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logrank_sums, "_BLOCK_CELLS", 50)  # a few groups per block
    df = _frame(seed, 600, 37)
    o, e, v = logrank_reference(df["t"].tolist(), df["d"].tolist(), df["g"].tolist())
    res = ns.logrank(df, time="t", event="d", by="g")
    np.testing.assert_allclose(res.table["observed"], o, rtol=1e-12)
    np.testing.assert_allclose(res.table["expected"], e, rtol=1e-12)
    np.testing.assert_allclose(res.variance, v, rtol=1e-10, atol=1e-12)
    keep = np.flatnonzero(np.array(e) > 0)[1:]
    diff = (np.array(o) - np.array(e))[keep]
    chi = diff @ np.linalg.solve(np.array(v)[np.ix_(keep, keep)], diff)
    assert res.statistic == pytest.approx(chi, rel=1e-10)


def test_stratified_variance_in_blocks_is_the_sum_over_test_strata(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(logrank_sums, "_BLOCK_CELLS", 30)
    df = _frame(7, 900, 12)
    res = ns.logrank(df, time="t", event="d", by="g", strata="layer")
    v_sum = np.zeros((12, 12))
    for _, part in df.groupby("layer"):
        assert part["g"].nunique() == 12  # every group in every layer: same label order
        _, _, v = logrank_reference(part["t"].tolist(), part["d"].tolist(), part["g"].tolist())
        v_sum += np.array(v)
    np.testing.assert_allclose(res.variance, v_sum, rtol=1e-10, atol=1e-12)


def test_more_groups_than_the_limit_are_refused_at_once() -> None:
    k = 100_000  # the attack: 55.7 GiB asked for before
    df = pd.DataFrame({"t": np.arange(k) % 50 + 1.0, "d": np.arange(k) % 2, "g": np.arange(k)})
    start = time.perf_counter()
    with pytest.raises(InputError, match=f"100,000 groups.*at most {LOGRANK_MAX_GROUPS:,}"):
        ns.logrank(df, time="t", event="d", by="g")
    assert time.perf_counter() - start < 20  # measured 0.2 s; refused before any matrix


def test_survival_table_reports_the_limit_instead_of_a_p_value() -> None:
    k = LOGRANK_MAX_GROUPS + 1
    df = pd.DataFrame({"t": np.arange(2 * k) % 30 + 1.0, "d": 1, "g": np.arange(2 * k) % k})
    table = ns.survival_table(df, time="t", event="d", by="g", suppress_below=0)
    assert np.isnan(table.p_value)
    assert "log-rank not computed" in table.test and f"at most {LOGRANK_MAX_GROUPS:,}" in table.test


def test_the_limit_itself_is_computed() -> None:
    k = LOGRANK_MAX_GROUPS
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"t": rng.integers(1, 60, 5 * k), "d": 1, "g": np.arange(5 * k) % k})
    res = ns.logrank(df, time="t", event="d", by="g")
    assert res.dof == k - 1 and res.variance.shape == (k, k)
    # the variance of O - E sums to zero over the groups (rows of V add up to 0)
    np.testing.assert_allclose(res.variance.sum(axis=1), 0, atol=1e-9)


def test_a_tiny_life_table_width_is_refused_naming_the_intervals() -> None:
    df = pd.DataFrame({"t": [3.0, 5, 14, 20, 60], "d": [1, 0, 1, 0, 0]})
    # before: 6e10 intervals, "Unable to allocate 44.7 GiB"
    with pytest.raises(InputError, match=r"width=1e-09: .* 6[0-9,]{13} intervals"):
        ns.life_table(df, time="t", event="d", width=1e-9)
    edge = 60 / (LIFE_TABLE_MAX_INTERVALS - 2)  # at the limit: allowed
    assert len(ns.life_table(df, time="t", event="d", width=edge).table) > 0
