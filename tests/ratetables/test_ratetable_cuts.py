"""Rate tables with their own age cut points: relsurv's `transrate` tables (365.241-day years).

R values: tests/reference/make_reference_methods.R (README_methods.md), relsurv 2.2-9:
`rs.surv(precision = 1)` and `survexp(method = "individual.s")` with a `transrate` table,
exported cell by cell and read back with `read_ratetable`. R writes 15 significant digits;
the curves agree to ~1e-13, compared at 1e-10.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.errors import ReadError
from netsurv.ratetables import from_qx_frame, read_ratetable
from tests.paths import REFERENCE

REF = REFERENCE
KW = {
    "time": "time_days",
    "event": "status",
    "time_unit": "days",
    "age": "age_days",
    "age_unit": "days",
    "sex": "sex",
    "year": None,
    "date_dx": "date_dx",
}


@pytest.fixture(scope="module")
def table():
    return read_ratetable(REF / "methods_transrate_table.csv.gz")


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    d = pd.read_csv(REF / "relsurv_data.csv")
    return d[pd.to_datetime(d["date_dx"]) >= "1980-01-01"].reset_index(drop=True)


def test_the_export_keeps_relsurvs_cut_points(table) -> None:
    assert table.days_per_age_year == pytest.approx(365.241, rel=1e-15)
    assert table.age_cuts[:3].tolist() == pytest.approx([0.0, 365.241, 730.482])
    assert (int(table.years[0]), int(table.years[-1])) == (1980, 2025)
    assert not table.birthday_shift


@pytest.mark.parametrize(
    ("method", "case"), [("pohar-perme", "transrate_pp"), ("ederer2", "transrate_e2")]
)
def test_net_and_relative_survival_equal_relsurv_with_its_own_table(
    table, cohort, method, case
) -> None:
    ref = pd.read_csv(REF / "methods_transrate_curves.csv").query("case == @case")
    ours = ns.relative_survival(cohort, lifetable=table, method=method, **KW).to_frame()
    m = ref.merge(ours, on="time", suffixes=("_r", ""), validate="one_to_one")
    assert len(m) == len(ref)
    np.testing.assert_allclose(m["survival"], m["surv"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m["std_err"] / m["survival"], m["std_err_r"], rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(m["n_at_risk"], m["n_risk"])


def test_individual_expected_survival_equals_survexp(table, cohort) -> None:
    ref = pd.read_csv(REF / "methods_transrate_individual.csv")
    ours = ns.expected_survival(cohort, lifetable=table, **KW)
    np.testing.assert_allclose(ours.to_numpy(), ref["expected"], rtol=1e-10)


def test_365_25_day_cut_points_would_miss_relsurv_by_about_3e_5(table, cohort) -> None:
    # the reason the table carries its cut points: the same hazards cut at 365.25-day ages
    ref = pd.read_csv(REF / "methods_transrate_curves.csv").query("case == 'transrate_pp'")
    wrong = ns.relative_survival(cohort, lifetable=replace(table, days_per_age_year=365.25), **KW)
    m = ref.merge(wrong.to_frame(), on="time")
    assert 1e-6 < np.max(np.abs(m["survival"] - m["surv"])) < 1e-4


def test_from_qx_frame_builds_a_transrate_table(table) -> None:
    # transrate: hazard -log(p) / 365.241 per day; p = 1 - qx
    frame = table.to_frame()
    back = from_qx_frame(frame, days_per_age_year=365.241)
    np.testing.assert_allclose(back.hazard, table.hazard, rtol=1e-12)
    assert back.days_per_age_year == 365.241


def test_ages_in_years_use_the_tables_year_length(table, cohort) -> None:
    years = cohort.assign(age_years=cohort["age_days"] / 365.241)
    a = ns.expected_survival(
        years,
        lifetable=table,
        **{**KW, "age": "age_years", "age_unit": "years"},
        completed_age=False,
    )
    b = ns.expected_survival(cohort, lifetable=table, **KW)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-9)


def test_a_table_with_uneven_age_cuts_is_refused(tmp_path) -> None:
    bad = pd.read_csv(REF / "methods_transrate_table.csv.gz").head(404)
    bad.loc[bad["age"] == 3, "age_cut_days"] += 1.0
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(ReadError, match="age cut points"):
        read_ratetable(path)


def test_hmd_life_tables_read_as_relsurvs_transrate_hmd() -> None:
    # R: transrate.hmd(mltper, fltper) on the same synthetic HMD files (qx = 1 from age 108
    # for men: relsurv uses 0.999 from there on), exported cell by cell
    from netsurv.ratetables import read_hmd

    ours = read_hmd(
        REF / "methods_hmd_mltper_1x1.txt",
        female=REF / "methods_hmd_fltper_1x1.txt",
        days_per_age_year=365.241,
    )
    theirs = read_ratetable(REF / "methods_hmd_transrate.csv.gz")
    assert ours.days_per_age_year == theirs.days_per_age_year
    np.testing.assert_array_equal(ours.ages, theirs.ages)
    np.testing.assert_array_equal(ours.years, theirs.years)
    # R computes -log(1 - qx) (netsurv log1p: ~1e-12 relative apart for qx ~ 1e-4) and writes
    # 15 digits
    np.testing.assert_allclose(ours.hazard, theirs.hazard, rtol=2e-12)
    assert ours.hazard[108, 0, 0, 0] == pytest.approx(-np.log(0.001) / 365.241, rel=1e-14)
