"""Life tables: bundled US tables, lookups, policies past the table, user tables (HMD, qx)."""

from __future__ import annotations

import gzip
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from netsurv.errors import InputError, ReadError
from netsurv.ratetables import from_qx_frame, read_hmd, us
from netsurv.ratetables.ratetable import DAYS_PER_AGE_YEAR, warn_beyond, year_start_days
from netsurv.ratetables.walk import start_positions, walk


def _csv(name: str) -> pd.DataFrame:
    from importlib.resources import files

    with gzip.open(str(files("netsurv.ratetables") / "data" / name)) as fh:
        return pd.read_csv(fh)


def test_us_tables_cover_1940_to_2020_ages_0_to_109_by_sex_and_race():
    t = us()
    assert t.hazard.shape == (110, 2, 1, 81)
    assert (int(t.years[0]), int(t.years[-1])) == (1940, 2020)
    r = us(race=True)
    assert r.races == ("white", "black") and r.hazard.shape == (110, 2, 2, 81)
    assert t.birthday_shift  # survexp.us: type 4 year dimension


def test_hazards_are_the_bundled_numbers_and_follow_from_qx():
    frame = _csv("us_by_age_sex_year.csv.gz")
    row = frame[(frame["year"] == 2000) & (frame["sex"] == "male") & (frame["age"] == 65)]
    t = us()
    # R: survexp.us["66", "male", "2000"] (the CSV is that table exported)
    assert t.hazard[65, 0, 0, 60] == row["daily_hazard"].iloc[0]
    # survexp.us construction: -log(1 - qx) / 365.25
    assert t.hazard[65, 0, 0, 60] == pytest.approx(-math.log1p(-row["qx"].iloc[0]) / 365.25)


def test_lookup_uses_365_25_day_ages_and_january_first_years():
    t = us()
    age = np.array([65 * DAYS_PER_AGE_YEAR - 0.5, 65 * DAYS_PER_AGE_YEAR])
    pos = year_start_days(np.array([2000, 2000])).astype(float)
    h = t.daily_hazard(age, np.array([1, 1]), np.array([0, 0]), pos)
    assert h.tolist() == [t.hazard[64, 1, 0, 60], t.hazard[65, 1, 0, 60]]
    # the day before New Year is still the old year
    h = t.daily_hazard(age[1:], np.array([1]), np.array([0]), pos[1:] - 1)
    assert h[0] == t.hazard[65, 1, 0, 59]


def test_ages_past_109_use_the_open_age_group_and_years_before_1940_the_first():
    t = us()
    h = t.daily_hazard(
        np.array([120 * 365.25]),
        np.array([0]),
        np.array([0]),
        year_start_days(np.array([1930])).astype(float),
    )
    assert h[0] == t.hazard[109, 0, 0, 0]


def test_years_past_2020_carry_a_chosen_year_forward():
    t = us()
    pos = year_start_days(np.array([2023])).astype(float) + 100
    h = t.daily_hazard(np.array([70 * 365.25]), np.array([0]), np.array([0]), pos)
    assert h[0] == t.hazard[70, 0, 0, -1]  # default: 2020
    t19 = t.with_beyond_year(2019)
    h19 = t19.daily_hazard(np.array([70 * 365.25]), np.array([0]), np.array([0]), pos)
    assert h19[0] == t.hazard[70, 0, 0, 79]
    # 2020 itself is still 2020
    p20 = year_start_days(np.array([2020])).astype(float) + 100
    assert (
        t19.daily_hazard(np.array([70 * 365.25]), np.array([0]), np.array([0]), p20)[0]
        == (t.hazard[70, 0, 0, 80])
    )
    with pytest.raises(InputError, match="beyond_year"):
        t.with_beyond_year(2030)


def test_follow_up_past_the_table_warns_and_names_the_pandemic_year():
    with pytest.warns(UserWarning, match="2020 is a COVID-19 pandemic year"):
        warn_beyond(us(), float(year_start_days(np.array([2021]))[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_beyond(us(), float(year_start_days(np.array([2021]))[0]) - 1)


def test_sex_codes_are_matched_and_unknown_values_rejected():
    t = us()
    assert t.sex_index(["male", "Female", "M", "f", "1", "2"]).tolist() == [0, 1, 0, 1, 0, 1]
    with pytest.raises(InputError, match="'unknown'"):
        t.sex_index(["male", "unknown"])
    with pytest.raises(InputError, match="not split by race"):
        t.race_index(["white"], 1)
    with pytest.raises(InputError, match="'other'"):
        us(race=True).race_index(["white", "other"], 2)


def test_us_birthday_shift_puts_the_year_change_on_the_birthday():
    t = us()
    # born 1950-03-01: age and calendar position on 2010-03-01 (diagnosis)
    dx = float((np.datetime64("2010-03-01") - np.datetime64("1960-01-01")).astype(int))
    age = float((np.datetime64("2010-03-01") - np.datetime64("1950-03-01")).astype(int))
    a, p = start_positions(t, np.array([age]), np.array([dx]))
    # R survexp: position = 1 January of the birth year + age
    assert p[0] == year_start_days(np.array([1950]))[0] + age


def test_walk_cuts_follow_up_at_birthdays_and_new_years():
    rows = [
        (a, s, y, 0.01 * (a + 1) + 0.001 * (y - 2000))
        for a in range(3)
        for s in ("male", "female")
        for y in (2000, 2001)
    ]
    table = from_qx_frame(pd.DataFrame(rows, columns=["age", "sex", "year", "qx"]))
    pos = year_start_days(np.array([2000]))[0] + 181.0  # 2000-06-30
    p = walk(
        table, np.array([100.0]), np.array([pos]), np.array([0]), np.array([0]), np.array([500.0])
    )
    # birthday at 365.25 - 100 = 265.25 days; New Year at 366 - 181 = 185 days (2000 is leap)
    assert p.start.tolist() == [0.0, 185.0, 265.25]
    assert p.end.tolist() == [185.0, 265.25, 500.0]


def test_from_qx_frame_rejects_gaps_and_bad_probabilities():
    df = pd.DataFrame(
        {"age": [0, 1], "sex": ["male", "male"], "year": [2000, 2000], "qx": [0.1, 0.2]}
    )
    with pytest.raises(InputError, match="expected 4"):
        from_qx_frame(df)
    with pytest.raises(InputError, match="probabilities"):
        from_qx_frame(df.assign(qx=[0.1, 1.0]))


def test_hmd_mx_file_is_read_as_daily_hazards(tmp_path):
    text = (
        "Utopia, Death rates (period 1x1)  Last modified: 01 Jan 2024\n\n"
        "  Year      Age       Female      Male       Total\n"
        + "".join(
            f"  {y}      {a if a < 2 else '2+'}     0.0{a + 1}0000   0.0{a + 2}0000   0.0{a + 1}5000\n"
            for y in (2000, 2001)
            for a in range(3)
        )
    )
    path = tmp_path / "Mx_1x1.txt"
    path.write_text(text)
    t = read_hmd(path)
    assert t.hazard.shape == (3, 2, 1, 2)
    assert t.hazard[1, 1, 0, 0] == pytest.approx(0.02 / 365.25)  # female, age 1: mx / 365.25
    assert t.hazard[2, 0, 0, 1] == pytest.approx(0.04 / 365.25)  # male, 2+ (open age)
    bad = tmp_path / "bad.txt"
    bad.write_text(text.replace("0.010000", ".", 1))
    with pytest.raises(ReadError, match="missing rate"):
        read_hmd(bad)
    bad.write_text(text.replace("0.010000", "0.01 0", 1))
    with pytest.raises(ReadError, match="expected 5 fields"):
        read_hmd(bad)


def test_one_subject_walked_through_the_us_table_by_hand():
    import netsurv as ns

    # born 1950-03-01, diagnosed 2010-03-01: age 21915 days = 60 x 365.25 exactly. With the
    # birthday shift the calendar position is 1950-01-01 + 21915 days = 2010-01-01, so the
    # table year becomes 2011 after 365 days (not on the real New Year, after 306 days) and
    # age 61 after 365.25 days. Hazards from the bundled CSV (= survexp.us[age + 1, sex, year]).
    frame = _csv("us_by_age_sex_year.csv.gz").set_index(["year", "sex", "age"])["daily_hazard"]
    cum = (
        365 * frame[2010, "female", 60]
        + 0.25 * frame[2011, "female", 60]
        + 34.75 * frame[2011, "female", 61]
    )
    df = pd.DataFrame(
        {"t": [400.0], "d": [0], "age": [21915.0], "sex": ["female"], "date": ["2010-03-01"]}
    )
    got = ns.expected_survival(
        df, time="t", event="d", time_unit="days", age="age", age_unit="days", date_dx="date"
    )
    assert got.iloc[0] == pytest.approx(math.exp(-cum), rel=1e-14)
