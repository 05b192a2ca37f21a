"""reconstruct_ipd (Guyot et al. 2012) against R, hand calculations and invariants.

R reference: tests/reference/make_reference_ipd.R runs kmdata's ipd() code (MIT, github.com/
raredd/kmdata) in R 4.2.2 with fdrtool 1.2.17 and writes one row per rebuilt patient
(tests/reference/ipd_reference.csv; cases and the exact R calls in ipd_cases.json).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.errors import InputError
from tests.paths import REFERENCE as REF

DATA = REF.parents[1] / "netsurv" / "datasets" / "data"
CASES = json.loads((REF / "ipd_cases.json").read_text())["cases"]
R_IPD = pd.read_csv(REF / "ipd_reference.csv", float_precision="round_trip")


def _read(name: str) -> pd.DataFrame:
    path = REF / name if (REF / name).exists() else DATA / name
    return pd.read_csv(path, float_precision="round_trip")


def _inputs(case: dict) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    curve = _read(case["curve"])
    if case["arm"]:
        curve = curve[curve["arm"] == case["arm"]]
    if not case["at_risk"]:
        return curve, None
    risk = _read(case["at_risk"])
    if case["arm"]:
        risk = risk[risk["arm"] == case["arm"]]
    return curve, risk[risk["time"].isin(case["at_risk_times"])]


def _r(case: str, run: str) -> pd.DataFrame:
    rows = R_IPD[(R_IPD["case"] == case) & (R_IPD["run"] == run)]
    return rows[["time", "event"]].reset_index(drop=True)


def _sorted(ipd: pd.DataFrame) -> pd.DataFrame:
    return ipd.sort_values(["time", "event"], kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------------ R (Guyot)
AGREE = [c for c in CASES if c["case"] not in ("gap",)]


@pytest.mark.parametrize("case", AGREE, ids=[c["case"] for c in AGREE])
def test_every_patient_equals_guyots_algorithm_run_in_r(case: dict) -> None:
    # R: ipd_(mono(time, prob), Guyot's limits, n.atrisk, total) -- kmdata's engine with the
    # paper's last interval (to the last digitised point); the cases share no departure
    curve, risk = _inputs(case)
    ours = _sorted(ns.reconstruct_ipd(curve, risk, total_events=case["total_events"], n=case["n"]))
    expected = _sorted(_r(case["case"], "guyot"))
    assert len(ours) == len(expected)
    # times are digitised times or mid-points of two: equal up to one rounding of (a + b) / 2
    np.testing.assert_allclose(ours["time"], expected["time"], rtol=1e-14, atol=0)
    np.testing.assert_array_equal(ours["event"], expected["event"].astype(int))


def test_reference_cases_cover_at_risk_tables_totals_and_no_table() -> None:
    names = {c["case"] for c in AGREE}
    assert {"checkmate067", "checkmate067_quarter", "checkmate067_total"} <= names
    assert {"checkmate067_n", "checkmate067_n_total"} <= names  # n only, with and without events
    assert sum(name.startswith("radiant4") for name in names) == 4
    random = [c for c in AGREE if c["case"].startswith("random")]
    assert len(random) == 40  # noisy digitisations of random arms; some with totals, no table
    assert sum(c["total_events"] is not None for c in random) >= 10
    assert sum(c["at_risk"] is None for c in random) >= 5


# ------------------------------------------------------------------------------- the departures
def test_last_interval_runs_to_the_end_of_the_curve() -> None:
    # 20 patients at 0, 10 at 6; the curve falls from 0.8 to 0.56 at month 8 (after the last
    # at-risk time). Hand calculation (Guyot's steps, R round = half-even):
    #  [0, 6): first guess round(20 * 0.56 - 10) = 1 censored -> 15 at risk at 8, 5 too many ->
    #   6 censored at 8j/7 (bins (0,2]:1 (2,4]:2 (4,5.5]:1 (5.5,8]:2); events round(19 * 0.1) = 2
    #   at 2, round(15 * (1 - 0.8 / 0.8947)) = 2 at 4 -> 10 at risk at 8, as published.
    #  [6, 12]: censoring rate 6 / 5.5 per month over 4 months -> 4, spread at 8.8, 9.6, 10.4,
    #   11.2; events at 8: round(10 * (1 - 0.56 / 0.7754)) = 3; none at 10 and 12; the other 3
    #   are censored at the curve's end (12). Censorings sit at the mid-points of their bins.
    curve, risk = _read("ipd_curve_lastint.csv"), _read("ipd_risk_lastint.csv")
    ipd = ns.reconstruct_ipd(curve, risk)
    events = ipd.loc[ipd["event"] == 1, "time"].tolist()
    assert events == [2, 2, 4, 4, 8, 8, 8]
    censored = ipd.loc[ipd["event"] == 0, "time"].tolist()
    assert censored == [1, 3, 3, 4.75, 6.75, 6.75, 9, 9, 11, 11, 12, 12, 12]
    # kmdata's ipd() stops at the last at-risk time: the 3 events at month 8 are lost (R file)
    kmdata = _r("lastint", "kmdata")
    assert kmdata["event"].sum() == 3 and kmdata.loc[kmdata["event"] == 1, "time"].max() <= 6


def test_interval_without_a_point_has_no_negative_events() -> None:
    # at risk 20, 17, 12, 10 at 0, 3, 6, 9; no digitised point in [3, 6). Hand calculation:
    #  [0, 3): events 2 at 1 (round(20 * 0.1)), 1 at 2.5 (round(18 * (1 - 0.85 / 0.9))) -> 17.
    #  [3, 6): a point at 3 carries 0.85 forward: no events; censored 2, then 5 (17 - 12) at
    #   mid-point (3 + 7) / 2 = 5.
    #  [6, 9): events round(12 * (1 - 0.7 / 0.85)) = 2 at 7, round(10 * (1 - 0.65 / 0.7083)) = 1
    #   at 8, 1 censored at 9 -> 8 at risk at 9 (2 short of the table: absorbed, as Guyot does).
    #  [9, 10]: flat, no censoring rate over a zero-length interval: 8 censored at 10.
    curve, risk = _read("ipd_curve_gap.csv"), _read("ipd_risk_gap.csv")
    ipd = ns.reconstruct_ipd(curve, risk)
    assert ipd.loc[ipd["event"] == 1, "time"].tolist() == [1, 1, 2.5, 7, 7, 8]
    assert ipd.loc[ipd["event"] == 0, "time"].tolist() == [5] * 5 + [9] + [10] * 8
    # kmdata walks the empty interval backwards and fails with negative events (R: NA row)
    for run in ("guyot", "kmdata"):
        assert _r("gap", run)["time"].isna().all()


# ---------------------------------------------------------------------------- hand-made checks
def _exact_curve(times: np.ndarray) -> pd.DataFrame:
    """Foot of every step of an uncensored sample's Kaplan–Meier curve."""
    n = len(times)
    return pd.DataFrame({"time": np.sort(times), "survival": 1 - np.arange(1, n + 1) / n})


def test_uncensored_curve_gives_back_the_patients() -> None:
    rng = np.random.default_rng(3)
    times = np.round(rng.exponential(12, 40), 2) + 0.01
    grid = np.arange(0, times.max(), 6.0)
    risk = pd.DataFrame({"time": grid, "n_at_risk": [(times >= g).sum() for g in grid]})
    ipd = ns.reconstruct_ipd(_exact_curve(times), risk)
    assert ipd["event"].sum() == 40
    np.testing.assert_array_equal(ipd["time"], np.sort(times))


def test_percent_scale_and_point_order_do_not_matter() -> None:
    curve, risk = _inputs(CASES[0])
    base = ns.reconstruct_ipd(curve, risk)
    shuffled = curve.sample(frac=1, random_state=1).assign(survival=lambda d: d["survival"] * 100)
    again = ns.reconstruct_ipd(shuffled, risk.iloc[::-1])
    pd.testing.assert_frame_equal(base, again)


def test_a_point_above_the_curve_is_smoothed_not_an_event_reversal() -> None:
    curve = pd.DataFrame({"time": [1, 2, 3, 4, 5], "survival": [0.9, 0.8, 0.83, 0.7, 0.7]})
    ipd = ns.reconstruct_ipd(curve, n=10)
    # antitonic regression pools 0.8 and 0.83 into 0.815: events round(10 * 0.1) = 1 at 1,
    # round(9 * (1 - 0.815 / 0.9)) = 1 at 2, none at 3, round(8 * (1 - 0.7 / 0.8)) = 1 at 4
    assert ipd.loc[ipd["event"] == 1, "time"].tolist() == [1, 2, 4]
    assert len(ipd) == 10 and (ipd.loc[ipd["event"] == 0, "time"] == 5).all()


def test_zero_at_risk_row_ends_follow_up_there() -> None:
    curve = _read("ipd_curve_checkmate067.csv")
    risk = _read("ipd_risk_checkmate067.csv")  # last row: 0 at risk at 45
    ipd = ns.reconstruct_ipd(curve, risk)
    assert len(ipd) == 80 and ipd["time"].max() <= 45
    fit = ns.kaplan_meier(ipd, time="time", event="event")
    at = fit.at([3.0, 24.0, 42.0])
    # numbers at risk of the rebuilt data against the published table (79, 57, 10):
    # censorings are spread between clicks, so a patient or two may sit across a boundary
    np.testing.assert_allclose(at["n_at_risk"], [79, 57, 10], atol=2)


def test_rebuilt_curve_follows_the_digitised_one() -> None:
    curve, risk = _inputs(CASES[0])
    fit = ns.kaplan_meier(ns.reconstruct_ipd(curve, risk), time="time", event="event")
    clean = curve.groupby("time")["survival"].min()
    got = fit.at(clean.index.to_numpy())["survival"].to_numpy()
    # one patient of 80 is 0.0125; Guyot rounds events, so the curve is within one patient
    assert np.abs(got - clean.to_numpy()).max() < 1 / 80 + 0.005


def test_without_at_risk_table_total_events_sets_the_censoring() -> None:
    curve, _ = _inputs(CASES[0])
    for total in (10, 20, 30):
        ipd = ns.reconstruct_ipd(curve, n=80, total_events=total)
        assert len(ipd) == 80 and ipd["event"].sum() == total


# -------------------------------------------------------------------------------------- errors
GOOD = pd.DataFrame({"time": [1.0, 2.0], "survival": [0.9, 0.8]})
RISK = pd.DataFrame({"time": [0.0, 1.5], "n_at_risk": [10, 9]})


@pytest.mark.parametrize(
    ("curve", "risk", "kwargs", "message"),
    [
        (GOOD.rename(columns={"survival": "S"}), RISK, {}, "no column"),
        (GOOD.assign(time=[-1.0, 2.0]), RISK, {}, "negative"),
        (GOOD.assign(survival=[0.9, 1.4]), RISK, {}, "proportion in"),
        (GOOD.assign(survival=[0.9, None]), RISK, {}, "finite"),
        (GOOD, None, {}, "needs the number of patients"),
        (GOOD, RISK.assign(time=[1.0, 1.5]), {}, "not 0"),
        (GOOD, RISK, {"n": 12}, "disagrees"),
        (GOOD, RISK.assign(n_at_risk=[10, 11]), {}, "rises"),
        (GOOD, RISK.assign(n_at_risk=[10, 2.5]), {}, "whole numbers"),
        (GOOD, RISK.assign(time=[0.0, 0.0]), {}, "distinct"),
        (GOOD, RISK, {"total_events": 11}, "exceeds"),
        (GOOD, RISK, {"total_events": 2.5}, "whole number"),
        (GOOD.assign(survival=[0.5, 0.0]), RISK.assign(time=[0.0, 3.0]), {}, "reaches 0"),
        (
            GOOD.assign(survival=[0.3, 0.2]),
            RISK.assign(time=[0.0, 1.5], n_at_risk=[100, 90]),
            {},
            "cannot be reconciled",
        ),
        ([1, 2], RISK, {}, "DataFrame"),
    ],
)
def test_unusable_inputs_raise_input_errors_that_say_what_to_fix(
    curve: pd.DataFrame, risk: pd.DataFrame | None, kwargs: dict, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        ns.reconstruct_ipd(curve, risk, **kwargs)


def test_at_risk_table_starting_late_takes_n_for_time_zero() -> None:
    late = RISK.iloc[1:]
    a = ns.reconstruct_ipd(GOOD, late, n=10)
    b = ns.reconstruct_ipd(GOOD, RISK)
    pd.testing.assert_frame_equal(a, b)


def test_docstring_example_runs() -> None:
    import doctest

    import netsurv.estimators.reconstruct as module

    failures, tried = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 0 and failures == 0


def test_a_patient_at_risk_just_after_the_curve_reaches_zero_is_digitising_noise() -> None:
    # the last drop to 0 was clicked at 13.99 but the table has 1 patient at 14: within the
    # tolerance (2 + 10% of the 10 at risk at 12); the row is dropped and everyone dies by 13.99
    curve = pd.DataFrame({"time": [5.0, 13.99], "survival": [0.8, 0.0]})
    risk = pd.DataFrame({"time": [0.0, 12.0, 14.0], "n_at_risk": [20, 10, 1]})
    ipd = ns.reconstruct_ipd(curve, risk)
    assert ipd["time"].max() == 13.99 and ipd.loc[ipd["time"] == 13.99, "event"].all()
    with pytest.raises(InputError, match="reaches 0"):
        ns.reconstruct_ipd(curve, risk.assign(n_at_risk=[20, 10, 4]))


def test_a_drop_clicked_just_before_an_at_risk_time_is_not_refused() -> None:
    # 40 of 100 progress at the first scan, month 2 (an at-risk time: all 100 at risk there);
    # the digitiser clicked the foot of the drop at 1.98. Kaplan–Meier's bound is read 1% of
    # the axis (0.06) before month 2, where the curve is still 1: no contradiction.
    curve = pd.DataFrame({"time": [1.97, 1.98, 4.0, 6.0], "survival": [1.0, 0.6, 0.6, 0.6]})
    risk = pd.DataFrame({"time": [0.0, 2.0, 4.0], "n_at_risk": [100, 100, 55]})
    ipd = ns.reconstruct_ipd(curve, risk)
    assert ipd.loc[ipd["event"] == 1, "time"].tolist() == [1.98] * 40
    # the same table with the drop clicked at month 1 contradicts the curve
    with pytest.raises(InputError, match="cannot be reconciled"):
        ns.reconstruct_ipd(curve.assign(time=[0.97, 0.98, 4.0, 6.0]), risk)
