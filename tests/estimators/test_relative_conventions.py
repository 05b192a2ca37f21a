"""relative_survival(conventions="strs"): what the preset changes, checked against the
long-hand arguments it stands for and against a table where only the calendar year matters.

Expected values: the same estimator called with completed_age=False, a 1 January diagnosis
date column and a rate table without birthday shift (what issue 15 says strs users had to
know); and a hand-computed expected cumulative hazard (year-only table, real calendar days).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.errors import InputError
from netsurv.ratetables import from_qx_frame
from tests.paths import REFERENCE

pytestmark = pytest.mark.filterwarnings("ignore:follow-up runs past:UserWarning")


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    d = pd.read_csv(REFERENCE / "relsurv_data.csv")
    d["age"] = np.floor(d["age_years"])  # completed years, as strs takes them
    d = d[d["months"] > 0].reset_index(drop=True)
    d["jan1"] = pd.to_datetime(d["year_dx"].astype(str) + "-01-01")
    return d


@pytest.mark.parametrize("method", ["pohar-perme", "ederer2", "ederer1"])
def test_strs_preset_is_completed_age_january_first_and_no_birthday_shift(data, method):
    common = dict(time="months", event="status", by="group", method=method, sex="sex")
    got = ns.relative_survival(data, conventions="strs", age="age", year="year_dx", **common)
    plain = dataclasses.replace(ns.ratetables.us(), birthday_shift=False)
    want = ns.relative_survival(
        data, age="age", completed_age=False, date_dx="jan1", year=None, lifetable=plain, **common
    )
    pd.testing.assert_frame_equal(got.to_frame(), want.to_frame())
    # and it is not what the default conventions give (mid-year, age + 0.5, birthday shift)
    default = ns.relative_survival(data, age="age", year="year_dx", **common)
    gap = np.abs(got.to_frame()["survival"] - default.to_frame()["survival"]).max()
    assert gap > 1e-3


def test_strs_ignores_month_and_day_of_diagnosis(data):
    a = ns.relative_survival(
        data, time="months", event="status", age="age", conventions="strs", month="month_dx"
    )
    b = ns.relative_survival(data, time="months", event="status", age="age", conventions="strs")
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())


def test_year_changes_on_first_of_january_after_diagnosis_year_by_hand():
    # qx depends on the year only: 0.01 in 2000, 0.05 in 2001. Diagnosed (any day) in 2000,
    # strs places the patient on 2000-01-01, so 2001's rate starts after 366 days (leap
    # year). One patient dying at 24 months (730.48 days): Λ* = h00·366 + h01·364.48
    grid = pd.MultiIndex.from_product(
        [range(40, 80), ["male", "female"], [2000, 2001]], names=["age", "sex", "year"]
    )
    frame = grid.to_frame(index=False)
    frame["qx"] = np.where(frame["year"] == 2000, 0.01, 0.05)
    table = from_qx_frame(frame)
    df = pd.DataFrame(
        {"months": [24.0], "dead": [1], "age_dx": [60], "sex": ["male"], "year_dx": [2000]}
    )
    fit = ns.relative_survival(
        df, time="months", method="ederer2", lifetable=table, conventions="strs"
    )
    h00, h01 = -np.log(0.99) / 365.25, -np.log(0.95) / 365.25
    lam = h00 * 366 + h01 * (24 * 365.24 / 12 - 366)
    # Ederer II with one subject dying at t: λ = (1 − Λ*(t)) / 1, S = 1 − λ = Λ*(t)
    assert fit.to_frame()["survival"].iloc[-1] == pytest.approx(lam, rel=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"conventions": "stata"}, "conventions"),
        ({"conventions": "strs", "zero_time": 0.5}, "does not take zero_time"),
        ({"conventions": "strs", "engine": "arrow"}, "in memory"),
    ],
)
def test_bad_conventions_options_are_refused(data, kwargs, match):
    with pytest.raises(InputError, match=match):
        ns.relative_survival(data, time="months", event="status", age="age", **kwargs)
