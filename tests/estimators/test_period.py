"""Period analysis window: entry/exit arithmetic, exclusions, use with the estimators."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.estimators.period import PERIOD_EXCLUSION, period_window
from tests.reference_impl import km_reference

MONTH = 365.24 / 12


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date_dx": pd.to_datetime(
                ["2010-01-01", "2016-07-01", "2018-01-01", "2022-03-01", "2012-01-01"]
            ),
            "survival_months": [150.0, 20.0, 30.0, 5.0, 40.0],
            "dead": [True, True, False, False, True],
        }
    )


def test_entry_and_exit_are_the_window_edges_in_months_since_diagnosis():
    w = period_window(_frame(), start="2017-01-01", end="2021-12-31")
    # 2010-01-01 -> 2017-01-01 is 2557 days; -> 2022-01-01 is 4383 days
    assert w.loc[0, "entry"] == pytest.approx(2557 / MONTH)
    assert w.loc[0, "exit"] == pytest.approx(4383 / MONTH)
    assert not w.loc[0, "dead"]  # died after the window: censored at its end
    assert w.loc[1, "entry"] == pytest.approx(184 / MONTH)  # 2016-07-01 -> 2017-01-01
    assert w.loc[1, "exit"] == 20.0 and w.loc[1, "dead"]
    assert w.loc[2, "entry"] == 0.0


def test_rows_without_follow_up_in_the_window_are_marked_and_counted():
    w = period_window(_frame(), start="2017-01-01", end="2021-12-31")
    # diagnosed after the window; dead (40 months after 2012-01-01) before it
    assert w["exclusion"].eq(PERIOD_EXCLUSION).fillna(False).tolist() == [False] * 3 + [True] * 2
    fit = ns.kaplan_meier(w, time="exit", entry="entry")
    assert fit.excluded[PERIOD_EXCLUSION] == 2
    assert w.attrs["period"]["n_outside"] == 2


def test_period_kaplan_meier_is_the_left_truncated_estimate():
    df = ns.datasets.simulate_registry(400, seed=21)
    w = period_window(df, start="2015-01-01", end="2019-12-31")
    fit = ns.kaplan_meier(w, time="exit", entry="entry")
    use = w[w["exclusion"].isna()]
    ref = km_reference(
        use["exit"].tolist(), use["dead"].astype(int).tolist(), use["entry"].tolist()
    )
    times = fit.time
    np.testing.assert_allclose(fit.survival, [ref[t][3] for t in times], rtol=1e-12)


def test_period_net_survival_runs_on_the_window():
    df = ns.datasets.simulate_registry(400, seed=22)
    w = period_window(df, start="2015-01-01", end="2019-12-31")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ns.relative_survival(w, time="exit", entry="entry")
    km = ns.kaplan_meier(w[w["exit"] > 0], time="exit", entry="entry")
    assert fit.excluded[PERIOD_EXCLUSION] > 0
    # same risk sets as the left-truncated Kaplan-Meier at its event times
    got = fit.at(km.time)
    np.testing.assert_array_equal(got["n_at_risk"], km.n_at_risk)
