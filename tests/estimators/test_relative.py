"""Relative and net survival: R relsurv reference values, hand checks, a literal reference port.

Reference values: tests/reference/make_reference_relsurv.R (R relsurv 2.2-9, survival 3.5-3,
rate table survexp.us of survival 3.8-11 = the numbers netsurv ships); see
tests/reference/README_relsurv.md.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.errors import InputError
from netsurv.estimators.relative.lifetable import relative_life_table
from netsurv.ratetables import RateTable, from_qx_frame
from tests.paths import REFERENCE

pytestmark = pytest.mark.filterwarnings("ignore:follow-up runs past:UserWarning")
REF = REFERENCE
EXACT = dict(
    time="time_days",
    event="status",
    time_unit="days",
    age="age_days",
    age_unit="days",
    sex="sex",
    date_dx="date_dx",
)
# R relsurv drops rows with zero follow-up, so the comparisons with R do too (zero_time=None)
REGISTRY = dict(
    time="months", event="status", age="age_years", sex="sex", year="year_dx", zero_time=None
)
MONTH = 365.24 / 12


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "relsurv_data.csv")


@pytest.fixture(scope="module")
def curves() -> pd.DataFrame:
    return pd.read_csv(REF / "relsurv_curves.csv")


def _zero_table() -> RateTable:
    return RateTable(np.zeros((110, 2, 1, 81)), np.arange(110), np.arange(1940, 2021))


def _merge(fit: ns.results.SurvivalCurves, ref: pd.DataFrame, scale: float = 1.0) -> pd.DataFrame:
    got = fit.to_frame()
    got["stratum"] = got["group"] if "group" in got else "all"
    ref = ref.assign(time=(ref["time"] / scale).round(9))
    got["time"] = got["time"].round(9)
    merged = ref.merge(got, on=["stratum", "time"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), "time grids differ from R's"
    return merged


@pytest.mark.parametrize(
    ("case", "by", "method"),
    [
        ("exact_pp_all", None, "pohar-perme"),
        ("exact_pp_group", "group", "pohar-perme"),
        ("exact_e2_group", "group", "ederer2"),
    ],
)
def test_net_survival_equals_relsurv_on_exact_inputs(data, curves, case, by, method):
    # R: rs.surv(Surv(time_days, status) ~ 1, ratetable=survexp.us, method=..., precision=1,
    #    rmap=list(age=age_days, sex=sex, year=date_dx)), one call per group
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # follow-up past 2020: carried forward, as R does
        fit = ns.relative_survival(data, by=by, method=method, **EXACT)
    m = _merge(fit, curves[curves["case"] == case])
    # tolerance 1e-9: R writes 15 significant digits; observed agreement ~1e-13
    np.testing.assert_allclose(m["survival"], m["surv"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(m["std_err_y"], m["std_err_x"] * m["surv"], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(m["n_at_risk"], m["n_risk"])
    np.testing.assert_array_equal(m["n_events"], m["n_event"])


@pytest.mark.parametrize(
    ("case", "month", "method"),
    [
        ("registry_month_pp", "month_dx", "pohar-perme"),
        ("registry_year_pp", None, "pohar-perme"),
        ("registry_year_e2", None, "ederer2"),
    ],
)
def test_registry_columns_are_converted_to_days_as_stated(data, curves, case, month, method):
    # R gets months * 365.24/12 days, (completed age + 0.5) * 365.25 days and the 15th of the
    # month / 1 July as dates (make_reference_relsurv.R): the same numbers to 1e-9 show that
    # netsurv applies exactly the documented conversions
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ns.relative_survival(data, by="group", method=method, month=month, **REGISTRY)
    m = _merge(fit, curves[curves["case"] == case], scale=MONTH)
    np.testing.assert_allclose(m["survival"], m["surv"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(m["std_err_y"], m["std_err_x"] * m["surv"], rtol=0, atol=1e-9)
    assert fit.excluded["zero follow-up (no time at risk)"] == (data["months"] == 0).sum()


def test_registry_style_ages_and_years_stay_close_to_exact_inputs(data, curves):
    # Same follow-up, but ages in completed years (+0.5) and diagnosis year only (1 July):
    # the expected hazards move by at most half a year of age/calendar time, which shifts
    # net survival by a few thousandths in groups of ~130 patients (R exact values as truth).
    # Whole months add two larger effects, not tested here: month-0 rows have no time at risk
    # (relsurv drops them; 3-8 % of these groups) and deaths move up to a month earlier.
    d = data.assign(exact_months=data["time_days"] / MONTH)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ns.relative_survival(d, by="group", **{**REGISTRY, "time": "exact_months"})
    ref = curves[curves["case"] == "exact_pp_group"]
    got = fit.at([12, 36, 60])
    for row in got.itertuples():
        r = ref[(ref["stratum"] == row.group) & (ref["time"] <= row.time * MONTH)]
        assert abs(row.survival - r["surv"].iloc[-1]) < 0.005


@pytest.mark.parametrize("method", ["pohar-perme", "ederer2"])
def test_without_background_mortality_net_survival_is_kaplan_meier(data, method):
    zero = _zero_table()
    fit = ns.relative_survival(data, by="group", method=method, lifetable=zero, **EXACT)
    km = ns.kaplan_meier(data, time="time_days", event="status", by="group").to_frame()
    for g in ("a", "b", "c"):
        k = km[km["group"] == g]
        r = fit.at(k["time"].to_numpy())
        r = r[r["group"] == g]
        # KM is a product of (1 - d/n); with lambda_P = 0 both estimators reduce to it exactly
        np.testing.assert_allclose(r["survival"].to_numpy(), k["survival"].to_numpy(), atol=1e-12)


def test_left_truncated_net_survival_without_background_is_left_truncated_km(data):
    d = data.assign(entry=np.floor(data["time_days"] * np.linspace(0, 0.8, len(data))))
    fit = ns.relative_survival(d, entry="entry", lifetable=_zero_table(), **EXACT)
    km = ns.kaplan_meier(d, time="time_days", event="status", entry="entry")
    got = fit.at(km.time)
    np.testing.assert_allclose(got["survival"], km.survival, atol=1e-12)
    np.testing.assert_array_equal(got["n_at_risk"], km.n_at_risk)


def test_expected_survival_equals_survexp_ederer_and_individual(data):
    # R: survexp(~1, times=c(1, 365, 1826, 3652, 7305), method="ederer") and
    #    survexp(time_days ~ 1, method="individual.s") with survexp.us (exact walk)
    e1 = pd.read_csv(REF / "relsurv_ederer1.csv")
    got = ns.expected_survival(data, e1["time"].to_numpy(), **EXACT)
    np.testing.assert_allclose(got["expected_survival"], e1["surv"], rtol=0, atol=1e-10)
    ind = pd.read_csv(REF / "relsurv_individual.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        per_row = ns.expected_survival(data, **EXACT)
    np.testing.assert_allclose(per_row.to_numpy(), ind["expected"], rtol=0, atol=1e-10)


def test_one_subject_walked_through_the_table_by_hand():
    # a toy table without birthday shift: qx by age 0-2 and years 2000-2001
    rows = [
        (a, s, y, q)
        for a, q0 in ((0, 0.1), (1, 0.2), (2, 0.3))
        for s in ("male", "female")
        for y, q in ((2000, q0), (2001, q0 + 0.05))
    ]
    table = from_qx_frame(pd.DataFrame(rows, columns=["age", "sex", "year", "qx"]))
    h = {(a, y): -math.log(1 - q) / 365.25 for a, _, y, q in rows}
    # aged 0.5 years (182.625 days) on 2000-07-01, followed 365 days: birthday after 182.625
    # days, New Year after 184 days (2000-07-01 -> 2001-01-01)
    cum = h[0, 2000] * 182.625 + h[1, 2000] * (184 - 182.625) + h[1, 2001] * (365 - 184)
    df = pd.DataFrame(
        {"t": [365.0], "d": [0], "age": [182.625], "sex": ["female"], "date": ["2000-07-01"]}
    )
    got = ns.expected_survival(
        df,
        time="t",
        event="d",
        time_unit="days",
        age="age",
        age_unit="days",
        date_dx="date",
        lifetable=table,
    )
    assert got.iloc[0] == pytest.approx(math.exp(-cum), rel=1e-13)


def test_relsurv_test_statistic_equals_rs_diff(data):
    ref = json.loads((REF / "relsurv_diff.json").read_text())
    # R: rs.diff(Surv(time_days, status) ~ group, ratetable=survexp.us, rmap=...)
    res = ns.relative_survival_test(data, by="group", **EXACT)
    assert res.statistic == pytest.approx(ref["three_groups"]["statistic"], rel=1e-9)
    assert res.dof == 2
    assert res.p_value == pytest.approx(ref["three_groups"]["p_value"], rel=1e-3)  # R: 1-pchisq
    reg = ns.relative_survival_test(data, by="group", **REGISTRY)  # months: fractional days
    assert reg.statistic == pytest.approx(ref["registry_year"]["statistic"], rel=1e-9)
    two = ns.relative_survival_test(data[data["group"] != "c"], by="group", **EXACT)
    assert two.statistic == pytest.approx(ref["two_groups"]["statistic"], rel=1e-9)
    assert two.p_value == pytest.approx(ref["two_groups"]["p_value"], rel=1e-9)


def _relsurv_reference(y, status, hazard_at, times):
    """Literal, slow port of relsurv's netfastpinter2 loop (one subject at a time)."""
    n = len(y)
    si = [1.0] * n
    out = []
    time = 0.0
    for tj in times:
        thiscell = tj - time
        ftime, fa, fb, fa2, fb2, fint, hazard = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
        while ftime < thiscell:
            f = min(1.0, thiscell - ftime)
            start = time + ftime
            dn = dn2 = yi = sisum = 0.0
            for i in range(n):
                if y[i] >= tj:
                    lam = hazard_at(i, start)
                    fa += lam / si[i]
                    fa2 += lam / (si[i] * math.exp(-f * lam))
                    fb += 1 / si[i]
                    fb2 += 1 / (si[i] * math.exp(-f * lam))
                    hazard += f * lam
                    si[i] *= math.exp(-f * lam)
                    sisum += 1 / si[i]
                    yi += 1
                    if y[i] == tj:
                        dn += status[i] / si[i]
                        dn2 += status[i] / si[i] ** 2
            fint += (fa / fb / 2 + fa2 / fb2 / 2) * f
            ftime += f
        out.append((yi, dn, dn2, sisum, fint, hazard))
        time += thiscell
    return out


@pytest.mark.parametrize("seed", [5, 6])
def test_vectorised_kernel_matches_a_literal_port_of_relsurv_on_fractional_times(seed):
    rng = np.random.default_rng(seed)
    n = 25
    df = pd.DataFrame(
        {
            "t": np.round(rng.uniform(0.3, 9.0, n), 2) * MONTH,  # fractional days
            "d": rng.integers(0, 2, n),
            "age": rng.uniform(50, 100, n) * 365.25,
            "sex": rng.choice(["male", "female"], n),
            "date": pd.Timestamp("2015-03-01") + pd.to_timedelta(rng.integers(0, 2500, n), "D"),
        }
    )
    from netsurv.estimators.relative.netcurves import net_sums
    from netsurv.estimators.relative.subjects import RateMap, subjects

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = subjects(
            df,
            time="t",
            event="d",
            by=None,
            rmap=RateMap(time_unit="days", age="age", year=None, date_dx="date", age_unit="days"),
        )
    _, q = net_sums(s, weighted=True)
    table = s.table

    def hazard_at(i, t):
        return float(
            table.daily_hazard(
                np.array([s.age[i] + t]),
                s.sex[i : i + 1],
                s.race[i : i + 1],
                np.array([s.pos[i] + t]),
            )[0]
        )

    ref = _relsurv_reference(list(s.days), list(s.status), hazard_at, np.unique(s.days))
    yi, dn, dn2, sisum, fint, hz = (np.array(c) for c in zip(*ref, strict=True))
    np.testing.assert_array_equal(q.at_risk, yi)
    for key, want in (
        ("weighted_events", dn),  # relsurv's dnisi
        ("weighted_events_sq", dn2),  # dnisisq
        ("weighted_at_risk", sisum),  # yisi
        ("weighted_pop_hazard", fint),  # fint
        ("expected_hazard", hz),  # yidli
    ):
        np.testing.assert_allclose(getattr(q, key), want, rtol=1e-11, atol=1e-15)


def test_relative_life_table_without_background_is_the_actuarial_table():
    # 10 patients, annual intervals: interval 1 has 2 deaths and 2 withdrawals among 10
    df = pd.DataFrame(
        {
            "m": [3, 5, 7, 8, 14, 20, 30, 40, 50, 60],
            "d": [1, 1, 0, 0, 1, 0, 1, 0, 0, 0],
            "age_dx": 60.0,
            "sex": "male",
            "year_dx": 2005,
        }
    )
    t = relative_life_table(df, time="m", event="d", lifetable=_zero_table()).table
    first = t.iloc[0]
    assert first["n_effective"] == 9  # 10 - 2/2
    assert first["interval_survival"] == pytest.approx(1 - 2 / 9)  # actuarial: 1 - d / (n - w/2)
    assert first["interval_expected"] == 1.0
    assert first["interval_relative"] == pytest.approx(1 - 2 / 9)
    second = t.iloc[1]  # 6 enter, 1 death (14), 1 withdrawn (20)
    assert second["relative"] == pytest.approx((1 - 2 / 9) * (1 - 1 / 5.5))
    green = 2 / (9 * 7) + 1 / (5.5 * 4.5)
    assert second["std_err"] == pytest.approx(second["survival"] * math.sqrt(green))
    # the same columns mean the same as in the observed life table
    plain = ns.life_table(df, time="m", event="d").table
    shared = ["start", "n_start", "n_events", "n_lost", "n_effective", "survival", "std_err"]
    pd.testing.assert_frame_equal(t[shared], plain[shared], check_dtype=False)


def test_relative_life_table_expected_survival_under_a_constant_hazard():
    rows = [(a, s, 2000, 0.05) for a in range(110) for s in ("male", "female")]
    flat = from_qx_frame(pd.DataFrame(rows, columns=["age", "sex", "year", "qx"]))
    df = pd.DataFrame(
        {"m": [30.0, 30.0], "d": [0, 1], "age_dx": 60.0, "sex": "female", "year_dx": 2000}
    )
    t = relative_life_table(df, time="m", event="d", lifetable=flat).table
    # hazard -log(0.95)/365.25 per day over 12 months of 365.24 days
    want = math.exp(math.log(0.95) / 365.25 * 365.24)
    np.testing.assert_allclose(t["interval_expected"], want, rtol=1e-12)


def test_follow_up_past_the_last_table_year_warns_about_2020(data):
    with pytest.warns(UserWarning, match="pandemic"):
        ns.relative_survival(data, **EXACT)


def test_zero_follow_up_is_counted_or_given_a_time():
    df = pd.DataFrame(
        {
            "survival_months": [0.0, 5, 9],
            "dead": [1, 1, 0],
            "age_dx": 70.0,
            "sex": "male",
            "year_dx": 2010,
        }
    )
    # default for SEER months: a death in month 0 is kept as an event at half a month
    assert ns.relative_survival(df).to_frame()["time"].tolist() == [0.5, 5.0, 9.0]
    # as R relsurv: left out and counted
    dropped = ns.relative_survival(df, zero_time=None)
    assert dropped.excluded["zero follow-up (no time at risk)"] == 1
    fit = ns.relative_survival(df, zero_time=0.25)
    assert fit.to_frame()["time"].tolist() == [0.25, 5.0, 9.0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "ederer3"}, "method"),
        ({"sex": "nope"}, "columns"),
        ({"time_unit": "weeks"}, "time_unit"),
    ],
)
def test_bad_arguments_say_what_to_fix(kwargs, match):
    df = pd.DataFrame(
        {"survival_months": [3.0], "dead": [1], "age_dx": 70.0, "sex": "male", "year_dx": 2010}
    )
    with pytest.raises(InputError, match=match):
        ns.relative_survival(df, **kwargs)


def test_unknown_sex_is_an_error_naming_the_values():
    df = pd.DataFrame(
        {"survival_months": [3.0], "dead": [1], "age_dx": 70.0, "sex": "X", "year_dx": 2010}
    )
    with pytest.raises(InputError, match="'X'"):
        ns.relative_survival(df)


def test_ages_given_in_years_as_days_over_365_25_reproduce_relsurv(data, curves):
    # the same exact inputs with age in (fractional) years: netsurv converts back to days
    d = data.assign(age_years_exact=data["age_days"] / 365.25)
    fit = ns.relative_survival(d, **{**EXACT, "age": "age_years_exact", "age_unit": "years"})
    m = _merge(fit, curves[curves["case"] == "exact_pp_all"])
    np.testing.assert_allclose(m["survival"], m["surv"], rtol=0, atol=1e-9)


@pytest.mark.parametrize("method", ["pohar-perme", "ederer2"])
def test_sums_over_chunks_of_subjects_add_up_to_the_whole(data, monkeypatch, method):
    # the kernel's sums are additive over subjects: 7 chunks give the one-pass numbers
    import netsurv.estimators.relative.netcurves as rel

    whole = ns.relative_survival(data, by="group", method=method, **EXACT)
    monkeypatch.setattr(rel, "CHUNK_SUBJECTS", 61)
    parts = ns.relative_survival(data, by="group", method=method, **EXACT)
    np.testing.assert_allclose(parts.survival, whole.survival, rtol=0, atol=1e-13)
    np.testing.assert_allclose(parts.se_log, whole.se_log, rtol=0, atol=1e-13)


def test_net_survival_by_race_equals_relsurv_with_survexp_usr(data, curves):
    # R: rs.surv(..., ratetable=survexp.usr, rmap=list(age, sex, year, race))
    fit = ns.relative_survival(data, race="race", **EXACT)
    m = _merge(fit, curves[curves["case"] == "exact_pp_race"])
    np.testing.assert_allclose(m["survival"], m["surv"], rtol=0, atol=1e-9)


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_confidence_limits_follow_relsurv_and_are_not_clipped_at_one(data, curves, conf_type):
    # relsurv (rs.surv): log exp(log S -+ z se); log-log as survfit; plain S -+ z se S;
    # z = sqrt(qchisq(0.95, 1)); net survival may exceed 1, so nothing is clipped
    fit = ns.relative_survival(data, conf_type=conf_type, **EXACT)
    m = _merge(fit, curves[curves["case"] == "exact_pp_all"])
    z, s, se = 1.959963984540054, m["surv"].to_numpy(), m["std_err_x"].to_numpy()
    if conf_type == "log":
        want = (np.exp(np.log(s) - z * se), np.exp(np.log(s) + z * se))
    elif conf_type == "plain":
        want = (s - z * se * s, s + z * se * s)
    else:
        want = (
            np.exp(-np.exp(np.log(-np.log(s)) - z * se / np.log(s))),
            np.exp(-np.exp(np.log(-np.log(s)) + z * se / np.log(s))),
        )
    np.testing.assert_allclose(m["lower"], want[0], rtol=1e-8)
    np.testing.assert_allclose(m["upper"], want[1], rtol=1e-8)
    if conf_type == "log":
        assert (m["upper"] > 1).any()  # early times: the band reaches above 1, as in R


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    given = None

if given is not None:

    @settings(max_examples=25, deadline=None)
    @given(
        st.lists(
            st.tuples(st.integers(1, 60), st.booleans(), st.integers(0, 40)),
            min_size=2,
            max_size=30,
        )
    )
    def test_any_data_without_background_mortality_gives_left_truncated_km(rows):
        # invariant: with lambda_P = 0 both estimators are the (left-truncated) KM product
        time = [float(t) for t, _, _ in rows]
        entry = [float(min(e, t - 1)) for t, _, e in rows]
        df = pd.DataFrame(
            {
                "t": time,
                "d": [int(d) for _, d, _ in rows],
                "e": entry,
                "age_dx": 60.0,
                "sex": "male",
                "year_dx": 2000,
            }
        )
        km = ns.kaplan_meier(df, time="t", event="d", entry="e")
        for method in ("pohar-perme", "ederer2"):
            fit = ns.relative_survival(
                df, time="t", event="d", entry="e", method=method, lifetable=_zero_table()
            )
            got = fit.at(km.time)
            np.testing.assert_allclose(got["survival"], km.survival, atol=1e-12)


def test_median_and_at_work_on_net_survival_curves(data):
    fit = ns.relative_survival(data, by="group", **EXACT)
    med = fit.median()
    assert list(med.columns) == ["group", "median", "lower", "upper"]
    at = fit.at([365.24, 1826.2])
    assert at["survival"].between(0, 1.2).all()


def test_rows_without_an_exact_date_fall_back_to_mid_month_of_the_year(data):
    d = data.copy()
    d["date_dx"] = d["date_dx"].astype(object)
    d.loc[d.index[::3], "date_dx"] = None  # unknown exact date: 15th of month_dx, year_dx
    filled = d.copy()
    filled.loc[d.index[::3], "date_dx"] = [
        f"{y}-{m:02d}-15"
        for y, m in zip(
            d.loc[d.index[::3], "year_dx"], d.loc[d.index[::3], "month_dx"], strict=True
        )
    ]
    got = ns.relative_survival(d, month="month_dx", **EXACT)
    want = ns.relative_survival(filled, **EXACT)
    np.testing.assert_array_equal(got.survival, want.survival)
    assert got.excluded.empty
