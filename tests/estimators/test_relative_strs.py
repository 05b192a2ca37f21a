"""relative_life_table(conventions="strs"): Stata strs's life-table rules, by hand.

strs (Dickman & Coviello; http://pauldickman.com/software/strs/life_table_algorithm): split
follow-up at the interval boundaries (a, b]; _age = floor(age + _t0), _year = floor(yydx + _t0)
(completed age and year of diagnosis, both moving on anniversaries of diagnosis); merge the
popmort probability of that cell; withdrawals are those censored inside an interval
((_t - _t0) != 1); n' = n - w/2; p = 1 - d/n'; p* = mean probability over the n entering.
Expected values below are computed from the qx table by hand (no walk, no netsurv code).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from netsurv.errors import InputError
from netsurv.estimators.relative.lifetable import relative_life_table
from netsurv.ratetables import from_qx_frame


def _q(age: int, year: int, sex: str) -> float:
    return 0.01 * (age - 50) + 0.001 * (year - 2000) + (0.002 if sex == "female" else 0.0)


TABLE = from_qx_frame(
    pd.DataFrame(
        [
            {"age": a, "sex": sx, "year": y, "qx": _q(a, y, sx)}
            for a in range(55, 70)
            for sx in ("male", "female")
            for y in range(1998, 2010)
        ]
    )
)
DF = pd.DataFrame(
    {
        "months": [30.0, 12, 18, 5, 0],
        "dead": [1, 0, 0, 1, 1],
        "age_dx": [60, 61, 62, 60, 63],
        "sex": ["male", "female", "male", "female", "male"],
        "year_dx": [2000, 2001, 2002, 2003, 2000],
    }
)


def _strs():
    return relative_life_table(DF, time="months", event="dead", lifetable=TABLE, conventions="strs")


def test_strs_counts_intervals_as_a_b_and_a_boundary_censoring_is_not_a_withdrawal() -> None:
    t = _strs().table
    # (0,12]: subjects 1-4 enter, subject 4 dies, subject 2 (censored at 12) completes it
    # (12,24]: subjects 1, 3 enter, subject 3 is withdrawn; (24,36]: subject 1 dies
    assert t["n_start"].tolist() == [4, 2, 1]
    assert t["n_events"].tolist() == [1, 0, 1]
    assert t["n_lost"].tolist() == [0, 1, 0]
    np.testing.assert_allclose(t["n_effective"], [4, 1.5, 1])
    np.testing.assert_allclose(t["interval_survival"], [0.75, 1.0, 0.0])


def test_strs_expected_survival_uses_age_and_year_moving_on_anniversaries() -> None:
    t = _strs().table
    first = np.mean(
        [
            1 - _q(60, 2000, "male"),
            1 - _q(61, 2001, "female"),
            1 - _q(62, 2002, "male"),
            1 - _q(60, 2003, "female"),
        ]
    )
    second = np.mean([1 - _q(61, 2001, "male"), 1 - _q(63, 2003, "male")])
    third = 1 - _q(62, 2002, "male")
    np.testing.assert_allclose(t["interval_expected"], [first, second, third], rtol=1e-12)
    np.testing.assert_allclose(t["expected"], np.cumprod([first, second, third]), rtol=1e-12)


def test_strs_relative_interval_is_the_observed_interval_over_expected() -> None:
    t = _strs().table.iloc[:2]
    np.testing.assert_allclose(t["lower_relative"], t["lower"] / t["expected"], rtol=1e-12)
    np.testing.assert_allclose(t["upper_relative"], t["upper"] / t["expected"], rtol=1e-12)


def test_strs_leaves_zero_follow_up_out_and_counts_it() -> None:
    res = _strs()
    assert int(res.excluded.sum()) == 1
    assert res.table["n_start"].iloc[0] == 4


def test_seer_conventions_keep_the_boundary_censoring_as_a_withdrawal_of_the_next_year() -> None:
    t = relative_life_table(DF, time="months", event="dead", lifetable=TABLE).table
    # [0,12): subjects 1-5 enter (zero follow-up kept), 4 and 5 die; [12,24): 1, 2, 3 enter
    assert t["n_start"].tolist()[:2] == [5, 3]
    assert t["n_lost"].tolist()[:2] == [0, 2]


def test_unknown_conventions_are_refused() -> None:
    with pytest.raises(InputError, match="conventions"):
        relative_life_table(DF, time="months", event="dead", lifetable=TABLE, conventions="stata")


@pytest.mark.filterwarnings("ignore:follow-up runs past")
def test_strs_table_equals_an_independent_r_implementation_of_strs_algorithm() -> None:
    # tests/reference/make_reference_methods.R, section (f): strs's published algorithm
    # written in R from its description (split, floor(age + _t0), floor(yydx + _t0), merge
    # popmort, collapse) on the cohort of relsurv_data.csv with survexp.us as popmort.
    # R writes 15 significant digits: compared at 1e-12.
    from netsurv.ratetables import us
    from tests.paths import REFERENCE

    d = pd.read_csv(REFERENCE / "relsurv_data.csv")
    ref = pd.read_csv(REFERENCE / "methods_strs_lifetable.csv")
    t = relative_life_table(
        d,
        time="months",
        event="status",
        by="group",
        age="age_years",
        year="year_dx",
        lifetable=us(),
        conventions="strs",
    ).table
    m = ref.merge(t, on="group", suffixes=("", "_ns"))
    m = m[m["start_ns"] == m["start"] * 12]
    assert len(m) == len(ref)
    np.testing.assert_array_equal(m["n_start"], m["n"])
    np.testing.assert_array_equal(m["n_events"], m["d"])
    np.testing.assert_array_equal(m["n_lost"], m["w"])
    np.testing.assert_allclose(m["interval_expected"], m["p_star"], rtol=1e-12)
    np.testing.assert_allclose(m["survival"], m["cp"], rtol=1e-12)
    np.testing.assert_allclose(m["relative"], m["cr_e2"], rtol=1e-12)
