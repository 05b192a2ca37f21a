"""Kaplan–Meier: hand-worked cases, a slow reference implementation, invariants.

R reference values on real data are in test_reference_r.py.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import netsurv as ns
from netsurv.errors import InputError
from tests.reference_impl import km_reference

# ----------------------------------------------------------------------------- hand-worked


def test_hand_worked_curve_with_ties_and_censoring():
    # times 1,2,2,3,4,5 with a censoring at 2 and at 5 (the example of R's survfit docs style)
    df = pd.DataFrame({"t": [1, 2, 2, 3, 4, 5], "d": [1, 0, 1, 1, 1, 0]})
    out = ns.kaplan_meier(df, time="t", event="d", conf_type="log").to_frame()
    # by hand: S(1)=5/6, S(2)=5/6*4/5=2/3, S(3)=2/3*2/3=4/9, S(4)=4/9*1/2=2/9
    np.testing.assert_allclose(out["survival"], [5 / 6, 2 / 3, 4 / 9, 2 / 9, 2 / 9], rtol=1e-14)
    assert out["n_at_risk"].tolist() == [6, 5, 3, 2, 1]
    # Greenwood at t=1: S * sqrt(1/(6*5))
    assert out["std_err"][0] == pytest.approx(5 / 6 * math.sqrt(1 / 30), rel=1e-14)
    # log CI at t=1: exp(log(5/6) -/+ 1.959964 * sqrt(1/30)), upper clipped at 1
    assert out["lower"][0] == pytest.approx(
        5 / 6 * math.exp(-1.959963984540054 * math.sqrt(1 / 30))
    )
    assert out["upper"][0] == 1.0


def test_uncensored_curve_is_the_empirical_survival_function():
    rng = np.random.default_rng(3)
    t = rng.integers(0, 30, size=200)
    fit = ns.kaplan_meier(pd.DataFrame({"t": t, "d": 1}), time="t", event="d")
    grid = fit.to_frame()["time"].to_numpy()
    empirical = np.array([(t > g).mean() for g in grid])
    np.testing.assert_allclose(fit.to_frame()["survival"], empirical, rtol=1e-12, atol=1e-15)


def test_death_at_time_zero_is_an_event():
    df = pd.DataFrame({"t": [0, 0, 1, 2, 3], "d": [1, 0, 1, 0, 1]})
    out = ns.kaplan_meier(df, time="t", event="d").to_frame()
    # R: survfit gives time 0 with n.risk 5, n.event 1, surv 0.8
    assert out.loc[0, ["time", "n_at_risk", "n_events", "n_censored"]].tolist() == [0, 5, 1, 1]
    assert out.loc[0, "survival"] == pytest.approx(0.8)


def test_curve_reaching_zero_has_nan_standard_error_and_ci():
    df = pd.DataFrame({"t": [1, 2, 3], "d": [1, 1, 1]})
    fit = ns.kaplan_meier(df, time="t", event="d")
    last = fit.to_frame().iloc[-1]
    assert last["survival"] == 0.0
    assert np.isnan(last["std_err"]) and np.isnan(last["lower"]) and np.isnan(last["upper"])
    # beyond the last follow-up a curve at 0 stays 0 (R) while its SE/CI are NaN
    at = fit.at([2, 5])
    assert at["survival"].tolist()[1] == 0.0 and np.isnan(at["std_err"].iloc[1])


def test_at_beyond_last_follow_up_is_nan_unless_extended():
    df = pd.DataFrame({"t": [1, 2, 3, 4], "d": [1, 0, 1, 0]})
    fit = ns.kaplan_meier(df, time="t", event="d")
    assert np.isnan(fit.at([10])["survival"].iloc[0])
    ext = fit.at([10], extend=True).iloc[0]
    assert ext["survival"] == pytest.approx(0.75 * 0.5)  # carried forward
    assert ext["n_at_risk"] == 0


def test_at_counts_subjects_with_time_at_least_t():
    df = pd.DataFrame({"t": [1, 2, 2, 3, 4, 5], "d": [1, 0, 1, 1, 1, 0]})
    at = ns.kaplan_meier(df, time="t", event="d").at([0, 2, 2.5, 5])
    assert at["n_at_risk"].tolist() == [6, 5, 3, 1]  # time >= 0, >= 2, >= 2.5, >= 5


def test_log_log_ci_is_nan_while_survival_is_one():
    df = pd.DataFrame({"t": [1, 2, 3, 4], "d": [0, 1, 0, 1]})
    out = ns.kaplan_meier(df, time="t", event="d", conf_type="log-log").to_frame()
    assert out["survival"].iloc[0] == 1.0
    assert np.isnan(out["lower"].iloc[0]) and np.isnan(out["upper"].iloc[0])


def test_median_uses_the_midpoint_of_a_flat_stretch_at_one_half():
    # S drops to exactly 0.5 at t=2 and stays there until t=4: R's median is (2 + 4) / 2
    df = pd.DataFrame({"t": [1, 2, 3, 4], "d": [1, 1, 0, 1]})
    assert ns.kaplan_meier(df, time="t", event="d").median()["median"].iloc[0] == 3.0


def test_one_row_stratum_gives_one_step():
    df = pd.DataFrame({"t": [5, 1, 2], "d": [1, 1, 0], "g": ["solo", "pair", "pair"]})
    out = ns.kaplan_meier(df, time="t", event="d", by="g").to_frame()
    solo = out[out["g"] == "solo"]
    assert solo["survival"].tolist() == [0.0] and solo["n_at_risk"].tolist() == [1]


def test_categorical_order_is_kept_in_output():
    cat = pd.Categorical(
        ["distant", "localized", "regional"] * 4,
        categories=["localized", "regional", "distant"],
        ordered=True,
    )
    df = pd.DataFrame({"t": range(12), "d": 1, "extent": cat})
    med = ns.kaplan_meier(df, time="t", event="d", by="extent").median()
    assert med["extent"].tolist() == ["localized", "regional", "distant"]


def test_conditional_survival_equals_ratio_of_curves():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"t": rng.integers(0, 60, 300), "d": rng.integers(0, 2, 300)})
    fit = ns.kaplan_meier(df, time="t", event="d")
    cond = fit.conditional(12)
    # KM restarted at s=12 (R start.time=12 keeps time >= 12): S(t)/S(12-) for t >= 12
    s_before = fit.at([11.999])["survival"].iloc[0]
    expected = fit.at([24, 36])["survival"].to_numpy() / s_before
    np.testing.assert_allclose(cond.at([24, 36])["survival"], expected, rtol=1e-12)


def test_rmst_without_censoring_is_the_mean_of_truncated_times():
    t = np.array([1.0, 2.0, 4.0, 7.0, 9.0])
    fit = ns.kaplan_meier(pd.DataFrame({"t": t, "d": 1}), time="t", event="d")
    # without censoring the area under S up to tau is mean(min(T, tau))
    assert fit.rmst(5)["rmst"].iloc[0] == pytest.approx(np.minimum(t, 5).mean(), rel=1e-14)


def test_rmst_variance_is_not_the_variance_of_the_truncated_time():
    # lifelines #1682 reports Var(min(T, tau)); the estimator's variance is ~1/n of that
    t = np.arange(1.0, 101.0)
    fit = ns.kaplan_meier(pd.DataFrame({"t": t, "d": 1}), time="t", event="d")
    se = fit.rmst(50)["std_err"].iloc[0]
    var_truncated = np.minimum(t, 50).var()
    # Greenwood-based variance of the mean of n uncensored times = var(min(T,tau)) / n
    # (with n/(n-1) vs n factors this is exact up to the (n-d) terms: check within 2%)
    assert se**2 == pytest.approx(var_truncated / 100, rel=0.02)
    assert se**2 < var_truncated / 10


def test_follow_up_is_the_reverse_kaplan_meier_median():
    df = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "d": [1, 0, 1, 0, 0, 1]})
    fu = ns.kaplan_meier(df, time="t", event="d").follow_up()
    # reverse KM (censorings are the events): t=2, 5 at risk -> 4/5; t=4, 3 at risk ->
    # 4/5 * 2/3 = 8/15; t=5, 2 at risk -> 8/15 * 1/2 = 4/15 < 0.5, so median follow-up is 5
    assert fu["median"].iloc[0] == 5.0


# ----------------------------------------------------------------------------- inputs


def test_rows_with_an_exclusion_reason_are_left_out_and_counted():
    df = pd.DataFrame(
        {
            "survival_months": [1.0, 2.0, np.nan, 4.0, 5.0],
            "dead": pd.array([True, False, True, pd.NA, True], dtype="boolean"),
            "exclusion": [None, None, "survival months unknown", None, "death certificate only"],
        }
    )
    fit = ns.kaplan_meier(df)
    assert fit.excluded.to_dict() == {
        "survival months unknown": 1,
        "death certificate only": 1,
        "missing dead": 1,
    }
    assert fit.n.tolist() == [2]


def test_negative_time_is_an_error_naming_column_and_value():
    df = pd.DataFrame({"t": [1, -3], "d": [1, 0]})
    with pytest.raises(InputError, match=r"time='t'.*-3.0.*row 1"):
        ns.kaplan_meier(df, time="t", event="d")


def test_event_not_zero_one_is_an_error():
    df = pd.DataFrame({"t": [1, 2], "d": [1, 2]})
    with pytest.raises(InputError, match=r"event='d'.*2.0.*0/1"):
        ns.kaplan_meier(df, time="t", event="d")


def test_unknown_column_suggests_the_close_name():
    df = pd.DataFrame({"survival_months": [1], "dead": [1]})
    with pytest.raises(InputError, match=r"by='extnt'.*did you mean 'extent'"):
        ns.kaplan_meier(df.assign(extent="localized"), by="extnt")


def test_empty_selection_is_an_error_saying_why():
    df = pd.DataFrame({"survival_months": [np.nan], "dead": [True]})
    with pytest.raises(InputError, match="no rows left.*missing survival_months: 1"):
        ns.kaplan_meier(df)


def test_input_data_not_modified():
    df = pd.DataFrame({"t": [3, 1, 2], "d": [1, 0, 1], "g": ["a", "b", "a"]})
    before = df.copy()
    ns.kaplan_meier(df, time="t", event="d", by="g")
    pd.testing.assert_frame_equal(df, before)


def test_bad_conf_type_is_an_error():
    df = pd.DataFrame({"t": [1], "d": [1]})
    with pytest.raises(InputError, match="conf_type='logit'"):
        ns.kaplan_meier(df, time="t", event="d", conf_type="logit")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- reference impl


@pytest.mark.parametrize("seed", range(8))
def test_matches_slow_reference_implementation(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    float_times = seed % 2 == 1
    t = rng.exponential(10, n).round(2) if float_times else rng.integers(0, 15, n).astype(float)
    d = rng.integers(0, 2, n)
    use_entry = seed % 4 >= 2
    entry = (
        np.maximum(np.minimum(rng.uniform(0, 5, n).round(1), t - 0.05), 0) if use_entry else None
    )
    w = rng.integers(1, 4, n).astype(float) if seed % 3 == 0 else None
    df = pd.DataFrame({"t": t, "d": d})
    if entry is not None:
        df["s"] = entry
    if w is not None:
        df["w"] = w
    keep = (entry < t) if entry is not None else np.ones(n, bool)
    ref = km_reference(
        list(t[keep]),
        list(d[keep]),
        None if entry is None else list(entry[keep]),
        None if w is None else list(w[keep]),
    )
    out = ns.kaplan_meier(
        df,
        time="t",
        event="d",
        entry="s" if entry is not None else None,
        weights="w" if w is not None else None,
        conf_type="log",
    ).to_frame()
    assert out["time"].tolist() == sorted(ref)
    exp = np.array([ref[k] for k in sorted(ref)])
    np.testing.assert_allclose(out["n_at_risk"], exp[:, 0], rtol=1e-12)
    np.testing.assert_allclose(out["n_events"], exp[:, 1], rtol=1e-12)
    np.testing.assert_allclose(out["n_censored"], exp[:, 2], rtol=1e-12)
    np.testing.assert_allclose(out["survival"], exp[:, 3], rtol=1e-12, atol=1e-15)
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(
            out["std_err"], exp[:, 3] * np.sqrt(exp[:, 4]), rtol=1e-10, equal_nan=True
        )


# ----------------------------------------------------------------------------- invariants

times_st = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 1), st.integers(0, 2)), min_size=1, max_size=60
)


@settings(max_examples=60, deadline=None)
@given(times_st, st.randoms(use_true_random=False))
def test_survival_in_unit_interval_non_increasing_and_row_order_invariant(rows, rnd):
    df = pd.DataFrame(rows, columns=["t", "d", "g"])
    fit = ns.kaplan_meier(df, time="t", event="d", by="g").to_frame()
    assert ((fit["survival"] >= 0) & (fit["survival"] <= 1)).all()
    assert (fit.groupby("g")["survival"].diff().dropna() <= 1e-15).all()
    shuffled = df.sample(frac=1, random_state=rnd.randint(0, 10**6)).reset_index(drop=True)
    again = ns.kaplan_meier(shuffled, time="t", event="d", by="g").to_frame()
    pd.testing.assert_frame_equal(fit, again)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 50, allow_nan=False), st.integers(0, 1), st.integers(1, 4)),
        min_size=1,
        max_size=40,
    )
)
def test_integer_weights_equal_repeated_rows(rows):
    df = pd.DataFrame(rows, columns=["t", "d", "w"])
    weighted = ns.kaplan_meier(df, time="t", event="d", weights="w").to_frame()
    expanded = df.loc[df.index.repeat(df["w"])].drop(columns="w")
    plain = ns.kaplan_meier(expanded, time="t", event="d").to_frame()
    pd.testing.assert_frame_equal(weighted, plain, check_dtype=False, rtol=1e-12)


def test_near_tied_float_times_are_merged_like_r_timefix():
    # 1/3 computed two ways differs in the last bit; R's aeqSurv treats them as one time
    a = (1.0 / 3.0) * 3.0 - 2.0 / 3.0
    b = 1.0 / 3.0
    assert a != b
    df = pd.DataFrame({"t": [a, b, 2.0], "d": [1, 1, 0]})
    out = ns.kaplan_meier(df, time="t", event="d").to_frame()
    assert len(out) == 2 and out["n_events"].iloc[0] == 2


def test_date_derived_float_times_counted_by_ranking_equal_the_sorted_count(monkeypatch):
    # months from whole days (few distinct values) take the hashing path at registry scale;
    # it must give exactly the counts of the one-sort path, near-ties merged the same way
    from netsurv.counting import kernel as _counts
    from netsurv.counting.validate import prepare

    rng = np.random.default_rng(11)
    n = 20_000
    days = rng.integers(0, 1500, n)
    t = days / (365.24 / 12)
    t[::7] = (days[::7] * 12) / 365.24  # the same months computed another way: near-ties
    df = pd.DataFrame({"t": t, "d": rng.integers(0, 2, n), "g": rng.choice(["a", "b", "c"], n)})
    p = prepare(df, time="t", event="d", by="g")
    monkeypatch.setattr(_counts, "RANKED_MIN_ROWS", 0)
    ranked = _counts._count_ranked(p)
    assert ranked is not None
    plain = _counts._count_sorted(p)
    for field in ("stratum", "time", "n_events", "n_censored", "n_entered", "n_at_risk"):
        np.testing.assert_array_equal(getattr(ranked, field), getattr(plain, field))
    assert len(plain.time) < n  # near-ties were merged (aeqSurv), so fewer times than rows
