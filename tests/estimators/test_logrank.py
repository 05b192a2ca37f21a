"""Log-rank family: hand computation, slow reference, invariances. R values: test_reference_r.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import netsurv as ns
from netsurv.errors import InputError
from tests.reference_impl import logrank_reference


def test_two_group_statistic_by_hand():
    df = pd.DataFrame({"t": [1, 2, 3, 4], "d": [1, 1, 1, 1], "g": ["a", "b", "a", "b"]})
    res = ns.logrank(df, time="t", event="d", by="g")
    # O_a = 2, E_a = 1/2 + 1/3 + 1/2 = 4/3; V = 1/4 + 2/9 + 1/4 = 13/18 -> chi2 = 8/13
    assert res.statistic == pytest.approx(8 / 13, rel=1e-14)
    assert res.dof == 1
    assert res.p_value == pytest.approx(stats.chi2.sf(8 / 13, 1))
    assert res.table["observed"].tolist() == [2, 2]
    assert res.table["expected"].tolist() == pytest.approx([4 / 3, 8 / 3])


@pytest.mark.parametrize("seed", range(6))
def test_matches_slow_reference_for_k_groups(seed):
    rng = np.random.default_rng(seed)
    n = 80
    df = pd.DataFrame(
        {"t": rng.integers(0, 20, n), "d": rng.integers(0, 2, n), "g": rng.choice(list("abc"), n)}
    )
    o, e, v = logrank_reference(df["t"].tolist(), df["d"].tolist(), df["g"].tolist())
    res = ns.logrank(df, time="t", event="d", by="g")
    np.testing.assert_allclose(res.table["observed"], o, rtol=1e-12)
    np.testing.assert_allclose(res.table["expected"], e, rtol=1e-12)
    np.testing.assert_allclose(res.variance, v, rtol=1e-10, atol=1e-12)
    diff = (np.array(o) - np.array(e))[1:]
    chi = diff @ np.linalg.solve(np.array(v)[1:, 1:], diff)
    assert res.statistic == pytest.approx(chi, rel=1e-10)


def test_trend_test_with_scores_by_hand():
    df = pd.DataFrame(
        {
            "t": [1, 2, 3, 4, 5, 6],
            "d": [1, 1, 1, 1, 1, 1],
            "grade": pd.Categorical(
                ["G3", "G3", "G2", "G2", "G1", "G1"], ["G1", "G2", "G3"], ordered=True
            ),
        }
    )
    res = ns.logrank(df, time="t", event="d", by="grade", trend=True)
    o, e, v = logrank_reference(
        df["t"].tolist(), df["d"].tolist(), [{"G1": 0, "G2": 1, "G3": 2}[g] for g in df["grade"]]
    )
    s = np.array([1.0, 2.0, 3.0])  # scores G1=1, G2=2, G3=3
    u = s @ (np.array(o) - np.array(e))
    assert res.statistic == pytest.approx(u**2 / (s @ np.array(v) @ s), rel=1e-12)
    assert res.dof == 1
    assert res.table["grade"].tolist() == ["G1", "G2", "G3"]


def test_unknown_groups_are_left_out_and_counted():
    df = pd.DataFrame(
        {
            "t": [1, 2, 3, 4, 5],
            "d": [1, 1, 0, 1, 1],
            "extent": ["localized", "distant", "unknown", "localized", "distant"],
        }
    )
    res = ns.logrank(df, time="t", event="d", by="extent")
    assert set(res.table["extent"]) == {"distant", "localized"}
    assert res.excluded.to_dict() == {"unknown group (left out of the test)": 1}
    kept = ns.logrank(df, time="t", event="d", by="extent", include_unknown=True)
    assert len(kept.table) == 3


def test_stratified_test_sums_over_strata():
    rng = np.random.default_rng(1)
    df = pd.DataFrame(
        {
            "t": rng.integers(1, 30, 120),
            "d": rng.integers(0, 2, 120),
            "g": rng.choice(["x", "y"], 120),
            "s": rng.choice(["p", "q"], 120),
        }
    )
    res = ns.logrank(df, time="t", event="d", by="g", strata="s")
    parts = [ns.logrank(df[df["s"] == k], time="t", event="d", by="g") for k in ["p", "q"]]
    o = sum(p.table["observed"].to_numpy() for p in parts)
    e = sum(p.table["expected"].to_numpy() for p in parts)
    v = sum(p.variance for p in parts)
    assert res.statistic == pytest.approx((o - e)[1] ** 2 / v[1, 1], rel=1e-12)


def test_integer_weights_give_the_expanded_rows_test():
    # lifelines PR #1698: weighted Fleming–Harrington must equal the expanded data's test
    rng = np.random.default_rng(7)
    df = pd.DataFrame(
        {
            "t": rng.integers(1, 25, 40),
            "d": rng.integers(0, 2, 40),
            "g": rng.choice(["a", "b"], 40),
            "w": rng.integers(1, 6, 40),
        }
    )
    expanded = df.loc[df.index.repeat(df["w"])]
    for rho in (0, 1):
        a = ns.logrank(df, time="t", event="d", by="g", weights="w", rho=rho)
        b = ns.logrank(expanded, time="t", event="d", by="g", rho=rho)
        assert a.statistic == pytest.approx(b.statistic, rel=1e-12)
        assert a.p_value == pytest.approx(b.p_value, rel=1e-10)


def test_single_group_is_an_error():
    df = pd.DataFrame({"t": [1, 2], "d": [1, 1], "g": ["a", "a"]})
    with pytest.raises(InputError, match="at least two groups"):
        ns.logrank(df, time="t", event="d", by="g")
