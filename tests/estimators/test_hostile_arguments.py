"""Issue 13, items 6 and 7: hostile arguments get a netsurv InputError naming the parameter.

Each test is the attack's minimal reproducer. Before the fix these raised pandas/numpy errors
(ValueError "zero-size array to reduction operation", AttributeError "'DataFrame' object has
no attribute 'dtype'", TypeError) or were silently accepted (dates used as numbers, all-zero
weights giving S = 1 with n = 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.errors import InputError


@pytest.fixture
def small() -> pd.DataFrame:
    return pd.DataFrame({"t": [1.0, 2, 3, 4, 5, 6], "d": [1, 0, 1, 1, 0, 1], "g": list("ababab")})


def test_logrank_of_an_empty_frame_is_an_input_error(small: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="no rows left to analyse.*empty"):
        ns.logrank(small.iloc[:0], time="t", event="d", by="g")


def test_logrank_with_every_group_unknown_says_so(small: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="every group label.*include_unknown=True"):
        ns.logrank(small.assign(g="Unknown"), time="t", event="d", by="g")


@pytest.mark.parametrize("estimator", [ns.kaplan_meier, ns.logrank, ns.life_table])
def test_a_duplicated_column_name_is_named(small: pd.DataFrame, estimator: object) -> None:
    twice = pd.concat([small, small[["t"]]], axis=1)
    kwargs = {"by": "g"} if estimator is ns.logrank else {}
    with pytest.raises(InputError, match="time='t': the data frame has 2 columns named 't'"):
        estimator(twice, time="t", event="d", **kwargs)  # type: ignore[operator]


@pytest.mark.parametrize("estimator", [ns.kaplan_meier, ns.logrank, ns.life_table])
def test_a_repeated_by_column_is_named(small: pd.DataFrame, estimator: object) -> None:
    with pytest.raises(InputError, match="'g' named twice"):
        estimator(small, time="t", event="d", by=["g", "g"])  # type: ignore[operator]


def test_a_column_both_in_strata_and_by_is_refused(small: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="'g' in both"):
        ns.logrank(small, time="t", event="d", by="g", strata="g")


@pytest.mark.parametrize("level", ["x", None, [0.95], True, np.nan, 1.5])
def test_a_conf_level_that_is_not_a_probability_is_named(
    small: pd.DataFrame, level: object
) -> None:
    with pytest.raises(InputError, match="conf_level="):
        ns.kaplan_meier(small, time="t", event="d", conf_level=level)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="conf_level="):
        ns.life_table(small, time="t", event="d", conf_level=level)  # type: ignore[arg-type]


@pytest.mark.parametrize("width", ["x", None, True, -1, 0, np.inf, np.nan, [12]])
def test_a_width_that_is_not_a_positive_number_is_named(small: pd.DataFrame, width: object) -> None:
    with pytest.raises(InputError, match="width="):
        ns.life_table(small, time="t", event="d", width=width)  # type: ignore[arg-type]


def test_a_max_time_that_is_not_a_positive_number_is_named(small: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="max_time='x'"):
        ns.life_table(small, time="t", event="d", max_time="x")  # type: ignore[arg-type]


def test_an_infinite_max_time_keeps_every_interval(small: pd.DataFrame) -> None:
    # same table as without max_time: intervals [0, 12) hold all six times
    full = ns.life_table(small, time="t", event="d").table
    pd.testing.assert_frame_equal(
        ns.life_table(small, time="t", event="d", max_time=np.inf).table, full
    )


def test_dates_as_times_are_refused_with_a_hint(small: pd.DataFrame) -> None:
    dates = small.assign(t=pd.Timestamp("2020-01-01") + pd.to_timedelta(small["t"], unit="D"))
    with pytest.raises(InputError, match=r"holds dates.*compute the follow-up first"):
        ns.kaplan_meier(dates, time="t", event="d")
    with pytest.raises(InputError, match=r"holds dates"):
        ns.cox(dates, time="t", event="d", covariates=["g"])


def test_durations_as_times_are_refused_with_a_hint(small: pd.DataFrame) -> None:
    durations = small.assign(t=pd.to_timedelta(small["t"], unit="D"))
    with pytest.raises(InputError, match=r"holds durations.*\.dt\.days"):
        ns.kaplan_meier(durations, time="t", event="d")
    with pytest.raises(InputError, match=r"holds durations"):
        ns.logrank(durations, time="t", event="d", by="g")


def test_complex_times_are_refused(small: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="complex"):
        ns.kaplan_meier(small.assign(t=small["t"] + 1j), time="t", event="d")


def test_an_infinite_time_is_refused(small: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="value inf.*cannot be negative or infinite"):
        ns.kaplan_meier(small.assign(t=[1, 2, np.inf, 4, 5, 6]), time="t", event="d")
    with pytest.raises(InputError, match="time='t'"):
        ns.cox(small.assign(t=[1, 2, np.inf, 4, 5, 6]), time="t", event="d", covariates=["g"])


@pytest.mark.parametrize("engine", [None, "arrow", "duckdb"])
def test_all_zero_weights_are_refused_not_shown_as_survival_one(
    small: pd.DataFrame, engine: str | None
) -> None:
    # before: survival 1 with 0 at risk at every time
    zero = small.assign(w=0.0)
    with pytest.raises(InputError, match="weights='w': every weight is 0"):
        ns.kaplan_meier(zero, time="t", event="d", weights="w", engine=engine)


def test_a_stratum_of_zero_weights_is_named(small: pd.DataFrame) -> None:
    w = small.assign(w=np.where(small["g"] == "b", 0.0, 1.0))
    with pytest.raises(InputError, match="every weight is 0 in stratum g='b'"):
        ns.logrank(w, time="t", event="d", by="g", weights="w")
    with pytest.raises(InputError, match="every weight is 0 in stratum g='b'"):
        ns.life_table(w, time="t", event="d", by="g", weights="w")


def test_some_zero_weights_still_count_as_nothing(small: pd.DataFrame) -> None:
    # a row of weight 0 is a row that is not there (frequency weights)
    w = small.assign(w=[1.0, 1, 0, 1, 1, 1])
    weighted = ns.kaplan_meier(w, time="t", event="d", weights="w").at([6])["survival"]
    dropped = ns.kaplan_meier(small.drop(index=2), time="t", event="d").at([6])["survival"]
    np.testing.assert_allclose(weighted, dropped, rtol=1e-15)


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    return ns.datasets.load_synthetic_registry().head(300)


@pytest.mark.parametrize("year", [np.inf, 1e308])
def test_an_impossible_year_of_diagnosis_is_named(registry: pd.DataFrame, year: float) -> None:
    df = registry.assign(year_dx=registry["year_dx"].astype("float64"))
    df.loc[df.index[0], "year_dx"] = year
    with pytest.raises(InputError, match="year='year_dx'"):
        ns.relative_survival(df)


# reproducers found by tests/estimators/test_fuzz_arguments.py (each a foreign exception before)
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda df: ns.kaplan_meier(df, event_value=(12, "x")), "event_value="),
        (lambda df: ns.kaplan_meier(df, by=True), "by=True"),
        (lambda df: ns.kaplan_meier(df, event={"a": 1}), "event="),
        (lambda df: ns.logrank(df, by="grade", event=None), "event=None"),
        (lambda df: ns.logrank(df, by="grade", rho=""), "rho=''"),
        (lambda df: ns.logrank(df, by="grade", rho=[1, 2]), "rho="),
        (lambda df: ns.cumulative_incidence(df, cause={"a": 1}), "cause="),
        (lambda df: ns.cumulative_incidence(df, weights=1), "weights=1"),
        (lambda df: ns.cumulative_incidence(df.assign(cancer_death="x")), "cause='cancer_death'"),
        (lambda df: ns.cox(df, covariates=["grade"], strata=True), "strata=True"),
        (lambda df: ns.cox(df, covariates=True), "covariates=True"),
        (lambda df: ns.relative_survival(df, age=None), "age=None"),
        (lambda df: ns.relative_survival(df, zero_time=[]), "zero_time=\\[\\]"),
        (lambda df: ns.survival_table(df, times="x"), "times='x'"),
        (lambda df: ns.survival_table(df, measure=["x"]), "measure="),
        (lambda df: ns.survival_table(df, by=np.inf), "by=inf"),
    ],
)
def test_fuzz_reproducers_are_input_errors(
    registry: pd.DataFrame, call: object, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        call(registry)  # type: ignore[operator]


def test_cumulative_incidence_refuses_all_zero_weights(small: pd.DataFrame) -> None:
    zero = small.assign(w=0.0, c=small["d"].astype(bool))
    with pytest.raises(InputError, match="weights='w': every weight is 0"):
        ns.cumulative_incidence(zero, time="t", event="d", cause="c", weights="w")


def test_a_counts_table_may_hold_zero_weights(small: pd.DataFrame) -> None:
    # counting is not estimating: to_counts keeps the zero-weight rows, as every engine does
    c = ns.to_counts(small.assign(w=0.0), time="t", event="d", weights="w")
    assert c.n_subjects().tolist() == [0.0]


def test_at_with_times_that_are_not_numbers_is_an_input_error() -> None:
    fit = ns.kaplan_meier(pd.DataFrame({"t": [1.0, 2.0], "d": [1, 0]}), time="t", event="d")
    with pytest.raises(InputError, match="times="):
        fit.at("x")
