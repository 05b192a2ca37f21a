"""Grouped (life-table) Pohar Perme net survival and the Ederer II life table, strs conventions.

Reference: tests/reference/make_reference_pohar.R (R 4, popEpi 0.4.10) on 1,500 patients of
popEpi's simulated `sire` data and popEpi's Finnish `popmort` hazards: R computes each
interval's counts and (weighted) expected deaths itself and popEpi::survtab_ag
(surv.method="lifetable") turns them into r.e2 and r.pp; strs 1.4's formula is written in R in
the same script; see tests/reference/README_pohar.md. Dickman's published strs tables:
test_relative_dickman.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from netsurv.estimators.relative.lifetable import relative_life_table
from netsurv.ratetables import RateTable, from_qx_frame
from tests.paths import REFERENCE

TOL = 1e-9  # both sides add the same double-precision numbers in another order


@pytest.fixture(scope="module")
def popmort() -> RateTable:
    pm = pd.read_csv(REFERENCE / "pohar_popmort.csv")
    frame = pd.DataFrame(
        {
            "age": pm["agegroup"],
            "sex": np.where(pm["sex"] == 1, "female", "male"),
            "year": pm["year"],
            "qx": -np.expm1(-pm["haz"]),  # popEpi's annual hazard as a probability
        }
    )
    return from_qx_frame(frame, source="popEpi popmort (Finland 1951-2013)")


def _annual(df: pd.DataFrame, lifetable: RateTable, pohar: str) -> pd.DataFrame:
    """Annual strs life table of columns time (years), dead, age, sex, yydx."""
    fit = relative_life_table(
        df,
        time="time",
        event="dead",
        width=1,
        time_unit="years",
        age="age",
        year="yydx",
        lifetable=lifetable,
        conventions="strs",
        pohar=pohar,
    )
    return fit.table


def _fit(popmort: RateTable, formula: str) -> pd.DataFrame:
    return _annual(pd.read_csv(REFERENCE / "pohar_data.csv"), popmort, formula).iloc[:10]


@pytest.fixture(scope="module")
def table(popmort) -> pd.DataFrame:
    return _fit(popmort, "popepi")


@pytest.fixture(scope="module")
def strs_table(popmort) -> pd.DataFrame:
    return _fit(popmort, "strs")


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "pohar_reference.csv")


def test_counts_are_those_r_found_with_strs_rules(table, ref):
    # R: n entering (a, b], deaths, withdrawals censored inside the interval
    assert table["n_start"].tolist() == ref["n"].tolist()
    assert table["n_events"].tolist() == ref["d"].tolist()
    assert table["n_lost"].tolist() == ref["n.cens"].tolist()


def test_weighted_sums_equal_the_r_script(table):
    # R: n.pp, d.pp, n.cens.pp, d.exp.pp with weights 1 / S*(interval midpoint)
    counts = pd.read_csv(REFERENCE / "pohar_counts.csv")
    for ours, theirs in [
        ("n_start_weighted", "n.pp"),
        ("n_events_weighted", "d.pp"),
        ("n_lost_weighted", "n.cens.pp"),
        ("expected_events_weighted", "d.exp.pp"),
    ]:
        np.testing.assert_allclose(table[ours], counts[theirs], rtol=TOL, err_msg=ours)


def test_strs_formula_equals_the_r_script(strs_table, ref):
    # R script step 6: strs 1.4's life-table formula written in R
    np.testing.assert_allclose(strs_table["net"], ref["cns.strs"], rtol=0, atol=TOL)
    np.testing.assert_allclose(strs_table["std_err_net"], ref["se.cns.strs"], rtol=0, atol=TOL)
    np.testing.assert_allclose(strs_table["lower_net"], ref["lo.cns.strs"], rtol=0, atol=TOL)
    np.testing.assert_allclose(strs_table["upper_net"], ref["hi.cns.strs"], rtol=0, atol=TOL)


def test_popepi_formula_equals_popepi_survtab_ag(table, ref):
    # R: popEpi::survtab_ag(relsurv.method = "pp", surv.method = "lifetable")$r.pp
    np.testing.assert_allclose(table["net"], ref["r.pp"], rtol=0, atol=TOL)
    # R script: r.pp * sqrt(cumsum(d.pp.2 / (n.pp - n.cens.pp / 2)^2)), log-log interval
    np.testing.assert_allclose(table["std_err_net"], ref["SE.r.pp"], rtol=0, atol=TOL)
    np.testing.assert_allclose(table["lower_net"], ref["r.pp.lo"], rtol=0, atol=TOL)
    np.testing.assert_allclose(table["upper_net"], ref["r.pp.hi"], rtol=0, atol=TOL)


def test_ederer2_life_table_equals_popepi_observed_over_r_expected(table, ref):
    # R: popEpi::survtab_ag(relsurv.method = "e2", surv.method = "lifetable")$surv.obs and
    # its SE; expected = cumprod(mean p*) in the R script; relative = their ratio (strs)
    np.testing.assert_allclose(table["survival"], ref["surv.obs"], rtol=0, atol=TOL)
    np.testing.assert_allclose(table["std_err"], ref["SE.surv.obs"], rtol=0, atol=TOL)
    np.testing.assert_allclose(table["expected"], ref["surv.exp"], rtol=0, atol=TOL)
    np.testing.assert_allclose(table["relative"], ref["surv.obs"] / ref["surv.exp"], atol=TOL)
    # popEpi's own r.e2 is another estimator, prod(1 - (d - d*) / n'): 0.008-0.021 apart here
    gap = (table["relative"] - ref["r.e2"]).abs()
    assert 0.005 < gap.min() and gap.max() < 0.025


def test_without_population_mortality_pohar_perme_is_the_observed_life_table():
    zero = RateTable(np.zeros((110, 2, 1, 81)), np.arange(110), np.arange(1940, 2021))
    df = pd.DataFrame(
        {
            "t": [3.0, 5, 14, 20, 30, 7],
            "d": [1, 0, 1, 0, 0, 1],
            "age_dx": 60,
            "sex": "male",
            "year_dx": 2000,
        }
    )
    for conventions, formula in [(c, f) for c in ("seer", "strs") for f in ("strs", "popepi")]:
        t = relative_life_table(
            df, time="t", event="d", lifetable=zero, conventions=conventions, pohar=formula
        ).table
        # weights are all 1 and no deaths are expected: the actuarial table itself
        np.testing.assert_allclose(t["net"], t["survival"], rtol=1e-15)
        np.testing.assert_allclose(t["n_start_weighted"], t["n_start"], rtol=1e-15)


def _one_interval(pohar: str) -> pd.DataFrame:
    """qx = 0.1 everywhere; two patients aged 60 in 2000: one dies at 0.5 years, one is
    censored at 1 year (strs: not a withdrawal)."""
    grid = pd.MultiIndex.from_product(
        [range(50, 80), ["male", "female"], range(1990, 2020)], names=["age", "sex", "year"]
    )
    flat = from_qx_frame(grid.to_frame(index=False).assign(qx=0.1))
    df = pd.DataFrame({"time": [0.5, 1.0], "dead": [1, 0], "age": 60, "sex": "male", "yydx": 2000})
    return _annual(df, flat, pohar)


def test_one_interval_under_a_constant_hazard_by_hand():
    # H = -log(0.9) per year; weights exp(H/2) for both; expected deaths: w H (0.5 + 1);
    # popEpi's formula: p = 1 - (w - w * 1.5 H) / (2 w)
    t = _one_interval("popepi")
    h = -np.log(0.9)
    w = np.exp(h / 2)
    assert t["n_start_weighted"].iloc[0] == pytest.approx(2 * w, rel=1e-12)
    assert t["expected_events_weighted"].iloc[0] == pytest.approx(w * h * 1.5, rel=1e-12)
    assert t["net"].iloc[0] == pytest.approx(1 - (w - w * h * 1.5) / (2 * w), rel=1e-12)


def test_one_interval_with_the_strs_formula_by_hand():
    # strs: the death counts half in the mean hazard: λ_w = (h/2 + h) / (1/2 + 1) = h,
    # so p = (1 − w / (2 w)) · exp(h) = exp(h) / 2
    t = _one_interval("strs")
    assert t["net"].iloc[0] == pytest.approx(np.exp(-np.log(0.9)) / 2, rel=1e-12)
