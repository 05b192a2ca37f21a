"""Actuarial life tables: hand-worked intervals and consistency with the counts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import netsurv as ns


def test_hand_worked_annual_table():
    # months 3 (death), 5 (lost), 12 (death: month 12 belongs to the second year), 20 (lost),
    # 30 (lost)
    df = pd.DataFrame({"t": [3, 5, 12, 20, 30], "d": [1, 0, 1, 0, 0]})
    lt = ns.life_table(df, time="t", event="d", width=12).table
    assert lt["n_start"].tolist() == [5, 3, 1]
    assert lt["n_events"].tolist() == [1, 1, 0]
    assert lt["n_lost"].tolist() == [1, 1, 1]
    assert lt["n_effective"].tolist() == [4.5, 2.5, 0.5]
    p1, p2 = 1 - 1 / 4.5, 1 - 1 / 2.5
    np.testing.assert_allclose(lt["survival"], [p1, p1 * p2, p1 * p2], rtol=1e-14)
    # Greenwood: S * sqrt(sum d / (n' (n' - d)))
    assert lt["std_err"].iloc[1] == pytest.approx(
        p1 * p2 * math.sqrt(1 / (4.5 * 3.5) + 1 / (2.5 * 1.5))
    )


def test_width_one_without_censoring_inside_intervals_equals_kaplan_meier():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"t": rng.integers(0, 24, 200), "d": 1})
    lt = ns.life_table(df, time="t", event="d", width=1).table
    km = ns.kaplan_meier(df, time="t", event="d").at(lt["start"].to_numpy())
    np.testing.assert_allclose(lt["survival"], km["survival"], rtol=1e-12)


def test_life_table_by_group_keeps_category_order():
    df = pd.DataFrame(
        {
            "t": [1, 13, 2, 14],
            "d": [1, 0, 0, 1],
            "g": pd.Categorical(["b", "b", "a", "a"], ["b", "a"]),
        }
    )
    lt = ns.life_table(df, time="t", event="d", by="g").table
    assert lt["g"].tolist()[0] == "b"
