"""SEER survival-time algorithm: values worked by hand from the public specification.

Spec: https://seer.cancer.gov/survivaltime/ ; imsweb/algorithms SurvivalTimeUtils.java
(registry-formats.md §4). months = floor(days / (365.24 / 12)), 365.24 / 12 = 30.43667 days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from netsurv.io.survtime import parse_partial_dates, seer_survival_time


def test_month_boundary_uses_365_24_over_12() -> None:
    # 30 days < 30.43667 -> 0 months; 31 days -> 1 month; 61 days -> 2 (60.87 <= 61)
    st = seer_survival_time(["20100101"] * 3, ["20100131", "20100201", "20100303"], [True] * 3)
    assert st.days.tolist() == [30, 31, 61]
    assert st.months.tolist() == [0, 1, 2]
    assert st.flag.tolist() == ["1", "1", "1"]


def test_same_day_is_zero_days_flag_0() -> None:
    st = seer_survival_time(["20150310"], ["20150310"], [True])
    assert (st.days[0], st.months[0], st.flag[0]) == (0, 0, "0")


def test_unknown_day_is_the_mid_point_bounded_by_last_contact() -> None:
    # SEER's documented example: dx 2011-11-??, last contact 2011-11-20 -> dx 2011-11-10
    st = seer_survival_time(["201111"], ["20111120"], [False])
    assert str(st.date_dx[0])[:10] == "2011-11-10"
    assert st.flag[0] == "2"  # known parts equal (Nov 2011): could be 0 days


def test_unknown_month_is_the_mid_point_of_the_year_bounded_by_last_contact() -> None:
    # SEER's documented example: dx 2011, last contact 2011-11-20 -> 2011-06-11
    # (day of year (1 + 324) // 2 = 162 -> June 11 in 2011)
    st = seer_survival_time(["2011"], ["20111120"], [False])
    assert str(st.date_dx[0])[:10] == "2011-06-11"


def test_unknown_month_without_neighbours_is_july_2() -> None:
    # Jan 1 + (364 // 2) days = day 183 of a non-leap year = July 2
    st = seer_survival_time(["2013"], ["20200101"], [False])
    assert str(st.date_dx[0])[:10] == "2013-07-02"
    assert st.flag[0] == "3"  # known parts differ: cannot be 0 days


def test_birth_date_bounds_the_imputation() -> None:
    # born 2011-11-20, dx 2011-11-?? -> mid-point of 20..30 = 25
    st = seer_survival_time(["201111"], ["20130101"], [False], date_of_birth=["20111120"])
    assert str(st.date_dx[0])[:10] == "2011-11-25"


def test_death_after_cutoff_is_alive_at_cutoff() -> None:
    # dx 2020-01-01, died 2023-05-01, cutoff 2022-12-31: 1095 days alive -> 35 months
    st = seer_survival_time(["20200101"], ["20230501"], [True], study_cutoff="2022-12-31")
    assert st.days[0] == 1095 and st.months[0] == 35
    assert st.dead.tolist() == [False]


def test_death_before_cutoff_stays_a_death() -> None:
    st = seer_survival_time(["20200101"], ["20220501"], [True], study_cutoff="2022-12-31")
    assert st.dead.tolist() == [True]


def test_diagnosis_after_cutoff_is_excluded() -> None:
    st = seer_survival_time(["20230105"], ["20230601"], [False], study_cutoff="2022-12-31")
    assert st.exclusion[0] == "diagnosis after study cutoff" and np.isnan(st.months[0])


def test_last_contact_before_diagnosis_is_inconsistent() -> None:
    st = seer_survival_time(["20200101"], ["20191231"], [False])
    assert st.exclusion[0] == "dates inconsistent"
    assert np.isnan(st.months[0]) and st.flag[0] == "9"


def test_unknown_year_gives_unknown_survival_flag_9() -> None:
    st = seer_survival_time([""], ["20191231"], [False])
    assert np.isnan(st.months[0]) and st.flag[0] == "9"


def test_death_certificate_only_gets_flag_8() -> None:
    st = seer_survival_time(["20200101"], ["20200101"], [True], reporting_source=["7"])
    assert np.isnan(st.months[0]) and st.flag[0] == "8"


@pytest.mark.parametrize("bad", ["2011x", "20111301", "20110230", "1700"])
def test_invalid_dates_are_flagged(bad: str) -> None:
    assert parse_partial_dates([bad])[3].tolist() == [True]


def test_99_fillers_are_unknown_parts() -> None:
    y, m, d, bad = parse_partial_dates(["20119999", "20110599"])
    assert y.tolist() == [2011, 2011] and np.isnan(m[0]) and m[1] == 5 and np.isnan(d).all()
    assert not bad.any()


def test_vectorised_result_matches_row_by_row() -> None:
    dx = ["20100115", "201303", "2019", "20200101"]
    lc = ["20150620", "20150620", "2023", "20221231"]
    dead = pd.array([True, True, True, False], dtype="boolean")
    together = seer_survival_time(dx, lc, dead, study_cutoff="2021-12-31")
    for i in range(4):
        alone = seer_survival_time([dx[i]], [lc[i]], [dead[i]], study_cutoff="2021-12-31")
        assert alone.flag[0] == together.flag[i]
        assert alone.months[0] == together.months[i] or np.isnan(together.months[i])


def test_another_tumours_complete_date_bounds_the_imputation() -> None:
    # patient A: tumour 1 dx 2010-03-15 (complete), tumour 2 dx 2010-03 (day unknown), last
    # contact 2012: tumour 2 lies between Mar 15 and Mar 31 -> 15 + (31 - 15) // 2 = Mar 23
    st = seer_survival_time(
        ["20100315", "201003"],
        ["20120101"] * 2,
        [False] * 2,
        patient_id=["A", "A"],
        sequence=["01", "02"],
    )
    assert str(st.date_dx[1])[:10] == "2010-03-23"
    alone = seer_survival_time(["201003"], ["20120101"], [False])
    assert str(alone.date_dx[0])[:10] == "2010-03-16"  # 1 + (31 - 1) // 2 without the neighbour


def test_flag_2_becomes_3_when_a_later_tumour_survived_longer_than_0_days() -> None:
    # tumour 1 dx 2015-06 (day unknown), last contact 2015-06-20: could be 0 days -> 2 on its
    # own; tumour 2 dx 2015-06-10 has 10 days of survival, so tumour 1 (diagnosed before it)
    # cannot have 0 days -> 3 (SEER's reverse pass)
    alone = seer_survival_time(["201506"], ["20150620"], [False])
    assert alone.flag[0] == "2"
    st = seer_survival_time(
        ["201506", "20150610"],
        ["20150620"] * 2,
        [False] * 2,
        patient_id=["B", "B"],
        sequence=["01", "02"],
    )
    assert st.flag.tolist() == ["3", "1"]
