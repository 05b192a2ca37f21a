"""Excess-hazard Poisson regression against R relsurv::rsadd(method = "glm.poi") and by hand.

R values: tests/reference/make_reference_methods.R (README_methods.md), relsurv 2.2-9 on
relsurv's `rdata` with the US rate table of survival 3.8-11 (the one netsurv ships).
Tolerances: the grouped data and the fit at the maximum agree to rounding (1e-9 relative;
R writes 15 digits); R's own rsadd stops IRLS at glm's default rule (relative deviance change
< 1e-8), which leaves its coefficients up to 1.2e-5 from the maximum, hence 5e-5 there.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.errors import InputError
from netsurv.ratetables import RateTable
from tests.paths import REFERENCE

matplotlib.use("Agg")

REF = REFERENCE
YEAR = 365.241  # relsurv's year (days)
COVS = ["sexf", "agegr"]


@pytest.fixture(scope="module")
def rdata() -> pd.DataFrame:
    d = pd.read_csv(REF / "methods_data_rdata.csv")
    d["sexf"] = pd.Categorical(d["sexf"], ["male", "female"])  # R: factor(levels = male, female)
    d["agegr"] = pd.Categorical(d["agegr"], ["<54", "54-61", "62-70", "71-95"])  # R's order
    d["age_days"] = d["age"] * YEAR  # rmap = list(age = age * 365.241, ...)
    return d


def _fit(d: pd.DataFrame, **kw: object):
    return ns.excess_hazard(
        d,
        time="time",
        event="cens",
        breaks=np.arange(6) * YEAR,
        time_unit="days",
        age="age_days",
        age_unit="days",
        sex="sex",
        year=None,
        date_dx="date_dx",
        **kw,
    )


@pytest.fixture(scope="module")
def fit(rdata: pd.DataFrame):
    return _fit(rdata, covariates=COVS)


@pytest.fixture(scope="module")
def coef() -> pd.DataFrame:
    return pd.read_csv(REF / "methods_rsadd_coef.csv")


@pytest.fixture(scope="module")
def fitstat() -> pd.DataFrame:
    return pd.read_csv(REF / "methods_rsadd_fit.csv").set_index("model")


def _ours(fit) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and SEs in R's order (covariates, then intervals); baseline per year."""
    t = fit.table[~fit.table["reference"]]
    c = np.r_[t["coef"], fit.baseline["coef"] + np.log(YEAR)]  # R: person-years
    return c, np.r_[t["std_err"], fit.baseline["std_err"]]


def test_grouped_data_equal_relsurvs_deaths_person_years_and_expected_deaths(fit):
    g = pd.read_csv(REF / "methods_rsadd_groups.csv")
    g["sexf"] = np.where(g["sexffemale"] == 1, "female", "male")
    age = np.select(
        [g["agegr54-61"] == 1, g["agegr62-70"] == 1, g["agegr71-95"] == 1],
        ["54-61", "62-70", "71-95"],
        "<54",
    )
    g["agegr"] = age
    g["j"] = g["fu"].map({"[0,1]": 0, "(1,2]": 1, "(2,3]": 2, "(3,4]": 3, "(4,5]": 4})
    ours = fit.groups.assign(
        j=np.round(fit.groups["start"] / YEAR).astype(int),
        sexf=fit.groups["sexf"].astype(str),
        agegr=fit.groups["agegr"].astype(str),
    )
    m = g.merge(ours, on=["sexf", "agegr", "j"], validate="one_to_one")
    assert len(m) == len(g) == len(ours) == 40
    np.testing.assert_array_equal(m["deaths"], m["nd"])
    np.testing.assert_allclose(m["person_time"] / YEAR, m["y"], rtol=1e-12)
    np.testing.assert_allclose(m["expected"], m["dstar"], rtol=1e-9)


def test_coefficients_and_standard_errors_equal_the_maximum_of_relsurvs_model(fit, coef):
    ref = coef[coef["model"] == "sex_agegr_tight"]
    c, se = _ours(fit)
    np.testing.assert_allclose(c, ref["coef"], rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(se, ref["std_err"], rtol=1e-8)


def test_coefficients_equal_rsadd_within_its_stopping_rule(fit, coef):
    ref = coef[coef["model"] == "sex_agegr"]
    c, se = _ours(fit)
    np.testing.assert_allclose(c, ref["coef"], atol=5e-5)
    np.testing.assert_allclose(se, ref["std_err"], rtol=1e-4)
    t = fit.table[~fit.table["reference"]]
    np.testing.assert_allclose(t["p_value"], ref["p_value"].iloc[:4], rtol=1e-3)


def test_deviance_df_and_aic_equal_r(fit, fitstat):
    r = fitstat.loc["sex_agegr_tight"]
    assert fit.deviance == pytest.approx(r["deviance"], rel=1e-10)
    assert fit.df_resid == r["df_resid"] == 31
    assert fit.aic == pytest.approx(r["aic"], rel=1e-10)


def test_likelihood_ratio_test_of_age_group_on_the_same_groups(rdata, fit, fitstat):
    small = _fit(rdata, covariates=["sexf"], group_by=["agegr"])
    assert small.deviance == pytest.approx(
        fitstat.loc["sex_on_sex_agegr_groups", "deviance"], rel=1e-10
    )
    lr = fit.lr_test(small)
    expected = (
        fitstat.loc["sex_on_sex_agegr_groups", "deviance"]
        - fitstat.loc["sex_agegr_tight", "deviance"]
    )
    assert lr.statistic == pytest.approx(expected, rel=1e-9)
    assert lr.dof == 3
    assert lr.terms == ("agegr=54-61", "agegr=62-70", "agegr=71-95")


def test_lr_test_refuses_fits_on_different_grouped_data(rdata, fit):
    small = _fit(rdata, covariates=["sexf"])  # 10 groups, not 40
    with pytest.raises(InputError, match="group_by"):
        fit.lr_test(small)


def test_interaction_model_equals_rsadd(rdata, coef, fitstat):
    inter = _fit(rdata, covariates=COVS, interactions=[("sexf", "agegr")])
    ref = coef[coef["model"] == "sex_x_agegr"]
    c, _ = _ours(inter)
    np.testing.assert_allclose(c, ref["coef"], atol=5e-5)
    assert inter.deviance == pytest.approx(fitstat.loc["sex_x_agegr", "deviance"], abs=1e-6)
    assert list(inter.table["level"].iloc[-3:]) == ["female:54-61", "female:62-70", "female:71-95"]


def test_predicted_relative_survival_is_exp_minus_cumulative_excess_hazard(fit, coef):
    # by hand from R's coefficients: women aged 71-95, 5 years of yearly baseline rates
    r = coef[coef["model"] == "sex_agegr_tight"].set_index("term")["coef"]
    rates = np.exp(r.filter(like="fu ").to_numpy() + r["sexffemale"] + r["agegr71-95"])
    pred = fit.predict([{"sexf": "female", "agegr": "71-95"}])
    np.testing.assert_allclose(pred["relative_survival"], np.exp(-np.cumsum(rates)), rtol=1e-9)
    assert (pred["lower"] < pred["relative_survival"]).all()
    assert (pred["relative_survival"] < pred["upper"]).all()


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # saturated: df_resid 0
def test_without_population_mortality_the_ehr_is_the_poisson_rate_ratio():
    zero = RateTable(np.zeros((110, 2, 1, 81)), np.arange(110), np.arange(1940, 2021))
    # group a: 2 deaths in 3 + 4 + 5 = 12 years; group b: 3 deaths in 1 + 2 + 3 + 4 = 10 years
    df = pd.DataFrame(
        {
            "t": [3.0, 4, 5, 1, 2, 3, 4],
            "d": [1, 1, 0, 1, 1, 1, 0],
            "g": ["a", "a", "a", "b", "b", "b", "b"],
            "age_dx": 50.0,
            "sex": "male",
            "year_dx": 2000,
        }
    )
    fit = ns.excess_hazard(
        df, time="t", event="d", covariates="g", breaks=[0, 10], time_unit="years", lifetable=zero
    )
    assert fit.table["ehr"].iloc[1] == pytest.approx((3 / 10) / (2 / 12), rel=1e-9)
    assert fit.baseline["excess_rate"].iloc[0] == pytest.approx(2 / 12, rel=1e-9)
    assert fit.deviance == pytest.approx(0.0, abs=1e-9)  # saturated: 2 groups, 2 parameters


def test_breaks_without_follow_up_and_bad_interactions_are_refused(rdata):
    with pytest.raises(InputError, match="no follow-up"):
        ns.excess_hazard(
            rdata,
            time="time",
            event="cens",
            covariates="sexf",
            breaks=[0, 365, 10_000, 20_000],
            time_unit="days",
            age="age_days",
            age_unit="days",
            sex="sex",
            year=None,
            date_dx="date_dx",
        )
    with pytest.raises(InputError, match="interactions"):
        _fit(rdata, covariates=["sexf"], interactions=[("sexf", "agegr")])
    with pytest.raises(InputError, match="breaks"):
        ns.excess_hazard(
            rdata,
            time="time",
            event="cens",
            covariates="sexf",
            breaks=[1, 2],
            time_unit="days",
            age="age_days",
            age_unit="days",
            sex="sex",
            year=None,
            date_dx="date_dx",
        )


def test_plot_draws_one_curve_per_covariate_pattern(fit):
    ax = fit.plot()
    assert len(ax.get_lines()) == 8  # 2 sexes x 4 age groups
    y = ax.get_lines()[0].get_ydata()
    assert y[0] == pytest.approx(1.0) and (np.diff(y) <= 0).all()


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # saturated: df_resid 0
def test_a_time_varying_effect_is_the_rate_ratio_of_each_interval():
    zero = RateTable(np.zeros((110, 2, 1, 81)), np.arange(110), np.arange(1940, 2021))
    # (0, 10]:  a: 1 death in 5 + 10 + 10 + 10 = 35 years; b: 2 deaths in 2 + 8 + 10 + 10 = 30
    # (10, 20]: a: 1 death in 5 + 10 + 10 = 25 years;       b: 1 death in 2 + 10 = 12
    df = pd.DataFrame(
        {
            "t": [5.0, 15, 25, 30, 2, 8, 12, 25],
            "d": [1, 1, 0, 0, 1, 1, 1, 0],
            "g": ["a"] * 4 + ["b"] * 4,
            "age_dx": 50.0,
            "sex": "male",
            "year_dx": 2000,
        }
    )
    fit = ns.excess_hazard(
        df,
        time="t",
        event="d",
        covariates="g",
        breaks=[0, 10, 20],
        interactions=[("g", "interval")],
        time_unit="years",
        lifetable=zero,
    )
    ehr = fit.table.set_index(["term", "level"])["ehr"]
    first, second = (2 / 30) / (1 / 35), (1 / 12) / (1 / 25)
    assert ehr[("g", "b")] == pytest.approx(first, rel=1e-9)
    assert ehr[("g:interval", "b:(10, 20]")] == pytest.approx(second / first, rel=1e-9)
    pred = fit.predict([{"g": "b"}], times=[20])
    assert pred["relative_survival"].iloc[0] == pytest.approx(
        np.exp(-(2 / 30 * 10 + 1 / 12 * 10)), rel=1e-9
    )


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # saturated: df_resid 0
def test_strs_conventions_take_expected_deaths_from_the_popmort_cell_of_each_year():
    from netsurv.ratetables import from_qx_frame

    def q(age: int, year: int) -> float:  # one-year death probability of the table (men)
        return 0.01 * (age - 50) + 0.001 * (year - 2000)

    table = from_qx_frame(
        pd.DataFrame(
            [
                {"age": a, "sex": sx, "year": y, "qx": q(a, y)}
                for a in range(55, 70)
                for sx in ("male", "female")
                for y in range(1998, 2010)
            ]
        )
    )
    # months: 30, 18, 3 (group a), 6 (b) all die; 0 is left out (as Stata's stset does)
    df = pd.DataFrame(
        {
            "m": [30.0, 18, 3, 6, 0],
            "d": [1, 1, 1, 1, 1],
            "g": ["a", "a", "a", "b", "b"],
            "age_dx": [60, 62, 65, 61, 64],
            "sex": "male",
            "year_dx": [2001, 2003, 2001, 2002, 2000],
        }
    )
    fit = ns.excess_hazard(
        df,
        time="m",
        event="d",
        covariates="g",
        breaks=[0, 12, 24, 36],
        lifetable=table,
        conventions="strs",
    )
    got = fit.groups.set_index(["g", "start"])["expected"]
    rate = lambda a, y: -np.log(1 - q(a, y))  # noqa: E731  per year
    # d* = person-years x the rate of (age at diagnosis + j, year of diagnosis + j)
    first = rate(60, 2001) + rate(62, 2003) + 0.25 * rate(65, 2001)
    assert got[("a", 0.0)] == pytest.approx(first, rel=1e-12)
    assert got[("a", 12.0)] == pytest.approx(rate(61, 2002) + 0.5 * rate(63, 2004), rel=1e-12)
    assert got[("a", 24.0)] == pytest.approx(0.5 * rate(62, 2003), rel=1e-12)
    assert got[("b", 0.0)] == pytest.approx(0.5 * rate(61, 2002), rel=1e-12)
    assert int(fit.excluded.sum()) == 1
