"""Ederer I and Hakulinen relative survival against R relsurv::rs.surv and by hand.

R values: tests/reference/make_reference_methods.R (README_methods.md): rs.surv(method =
"ederer1" / "hakulinen", precision = 1), relsurv 2.2-9, US rate table of survival 3.8-11,
on the simulated cohort of relsurv_data.csv, one fit per group. Agreement ~2e-14; R writes
15 significant digits, so compared at 1e-10.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.errors import InputError
from netsurv.ratetables import RateTable
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
    "by": "group",
}


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return pd.read_csv(REF / "relsurv_data.csv")


@pytest.mark.filterwarnings("ignore:follow-up runs past")
@pytest.mark.parametrize("method", ["ederer1", "hakulinen"])
def test_relative_survival_equals_relsurv(cohort, method) -> None:
    ref = pd.read_csv(REF / "methods_rs_surv_e1_hak.csv").query("case == @method")
    ours = ns.relative_survival(cohort, method=method, **KW).to_frame()
    assert len(ours) == len(ref)  # the same grid (Hakulinen: potential follow-up times added)
    m = ref.merge(
        ours,
        left_on=["stratum", "time"],
        right_on=["group", "time"],
        suffixes=("_r", ""),
        validate="one_to_one",
    )
    assert len(m) == len(ref)
    np.testing.assert_allclose(m["survival"], m["surv"], rtol=1e-10)
    pos = m["survival"] > 0  # std_err = survival x se(log): se(log) is not recoverable at 0
    np.testing.assert_allclose(
        (m["std_err"] / m["survival"])[pos], m["std_err_r"][pos], rtol=1e-10, atol=1e-15
    )
    np.testing.assert_array_equal(m["n_at_risk"], m["n_risk"])
    np.testing.assert_array_equal(m["n_events"], m["n_event"])


def _flat(rate_per_day: float) -> RateTable:
    return RateTable(np.full((110, 2, 1, 81), rate_per_day), np.arange(110), np.arange(1940, 2021))


def test_with_a_constant_population_hazard_ederer1_divides_km_by_exp_minus_rate_t() -> None:
    df = pd.DataFrame(
        {
            "t": [10.0, 20, 20, 30, 40],
            "d": [1, 0, 1, 1, 0],
            "age_dx": 60.0,
            "sex": "male",
            "year_dx": 2000,
        }
    )
    rate = 0.001
    fit = ns.relative_survival(
        df, time="t", event="d", time_unit="days", lifetable=_flat(rate), method="ederer1"
    ).to_frame()
    km = np.cumprod([1 - 1 / 5, 1 - 1 / 4, 1 - 1 / 2, 1.0])  # at 10, 20, 30, 40
    np.testing.assert_allclose(fit["survival"], km / np.exp(-rate * fit["time"]), rtol=1e-12)


def test_with_a_constant_population_hazard_hakulinen_equals_ederer1() -> None:
    # S*_i identical for everyone: the weighted hazard is the population hazard whoever is kept
    df = pd.DataFrame(
        {
            "t": [10.0, 20, 20, 30, 40],
            "d": [1, 0, 1, 1, 0],
            "age_dx": 60.0,
            "sex": "male",
            "year_dx": 2000,
        }
    )
    kw = {"time": "t", "event": "d", "time_unit": "days", "lifetable": _flat(0.002)}
    hak = ns.relative_survival(df, method="hakulinen", **kw).to_frame()
    e1 = ns.relative_survival(df, method="ederer1", **kw).to_frame()
    m = hak.merge(e1, on="time")
    np.testing.assert_allclose(m["survival_x"], m["survival_y"], rtol=1e-12)


def test_left_truncation_is_refused_for_cohort_methods() -> None:
    df = pd.DataFrame(
        {
            "t": [10.0, 20],
            "d": [1, 0],
            "e": [0.0, 5],
            "age_dx": 60.0,
            "sex": "male",
            "year_dx": 2000,
        }
    )
    with pytest.raises(InputError, match="entry"):
        ns.relative_survival(
            df, time="t", event="d", entry="e", method="ederer1", lifetable=_flat(0.001)
        )
