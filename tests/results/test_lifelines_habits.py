"""lifelines habits: fit["stratum"], a wide survival_function, Series input, event_value=."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from netsurv.errors import InputError
from netsurv.estimators.kaplan_meier import kaplan_meier


def _toy() -> pd.DataFrame:
    """Group a: deaths at 1..10 months; group b: deaths at 3 and 5, censored at 2, 4, 6."""
    return pd.DataFrame(
        {
            "survival_months": np.r_[np.arange(1.0, 11), [2.0, 3, 4, 5, 6]],
            "dead": [True] * 10 + [False, True, False, True, False],
            "g": ["a"] * 10 + ["b"] * 5,
            "h": ["x", "y"] * 7 + ["x"],
        }
    )


def test_one_stratum_by_label_equals_a_fit_of_that_group_alone() -> None:
    df = _toy()
    one = kaplan_meier(df, by="g")["b"]
    alone = kaplan_meier(df[df["g"] == "b"], by="g")
    pd.testing.assert_frame_equal(one.to_frame(), alone.to_frame())
    pd.testing.assert_frame_equal(one.median(), alone.median())
    # its counts come along: conditional survival and follow-up work on the selection
    pd.testing.assert_frame_equal(one.conditional(2).to_frame(), alone.conditional(2).to_frame())
    pd.testing.assert_frame_equal(one.follow_up(), alone.follow_up())


def test_two_grouping_columns_take_a_tuple_and_unknown_labels_name_the_strata() -> None:
    fit = kaplan_meier(_toy(), by=["g", "h"])
    one = fit["a", "y"]
    assert one.strata.to_dict("records") == [{"g": "a", "h": "y"}]
    # group a, h = y: deaths at months 2, 4, 6, 8, 10 (every second row), by hand
    np.testing.assert_allclose(one.to_frame()["survival"], [0.8, 0.6, 0.4, 0.2, 0.0])
    with pytest.raises(KeyError, match="'a, x', 'a, y', 'b, x', 'b, y'"):
        fit["c"]
    with pytest.raises(KeyError, match="single curve"):
        kaplan_meier(_toy())["a"]


def test_survival_function_is_wide_and_matches_lifelines() -> None:
    df = _toy()
    wide = kaplan_meier(df, by="g").survival_function
    assert list(wide.columns) == ["a", "b"] and wide.index.name == "time"
    np.testing.assert_array_equal(wide.index, np.arange(0.0, 11))
    for g in ("a", "b"):
        part = df[df["g"] == g]
        ll = KaplanMeierFitter().fit(part["survival_months"], part["dead"]).survival_function_
        ours = wide[g].dropna()  # NaN past the stratum's last follow-up (R's convention)
        expected = ll["KM_estimate"].reindex(ours.index, method="ffill")
        np.testing.assert_allclose(ours.to_numpy(), expected.to_numpy(), rtol=1e-12)
    assert wide["b"].loc[7.0:].isna().all()  # b's last follow-up is month 6


def test_series_input_equals_column_names() -> None:
    df = _toy()
    by_name = kaplan_meier(df, time="survival_months", event="dead", by="g")
    by_series = kaplan_meier(time=df["survival_months"], event=df["dead"], by=df["g"])
    pd.testing.assert_frame_equal(by_series.to_frame(), by_name.to_frame())
    unnamed = kaplan_meier(time=df["survival_months"].to_numpy(), event=df["dead"].to_numpy())
    pd.testing.assert_frame_equal(unnamed.to_frame(), kaplan_meier(df).to_frame())
    mixed = kaplan_meier(df, by=df["g"].rename("arm"))
    assert mixed.by == ("arm",)
    with pytest.raises(InputError, match="differ in length"):
        kaplan_meier(time=df["survival_months"], event=df["dead"].iloc[:3])


def test_event_value_codes_a_text_status_column() -> None:
    df = _toy()
    df["status"] = np.where(df["dead"], "Dead", "Alive")
    df.loc[0, "status"] = None  # unknown status: left out and counted, as any NA event
    fit = kaplan_meier(df, event="status", event_value="Dead", by="g")
    expected = kaplan_meier(df.assign(dead=df["dead"].where(df.index != 0)), by="g")
    pd.testing.assert_frame_equal(fit.to_frame(), expected.to_frame())
    assert fit.excluded.sum() == 1
    with pytest.raises(InputError, match="event_value"):
        kaplan_meier(df, event="status")  # text without event_value: the error says how
    with pytest.raises(InputError, match="no row of 'status' has it"):
        kaplan_meier(df, event="status", event_value="dead")
