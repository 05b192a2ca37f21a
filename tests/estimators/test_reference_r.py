"""netsurv equals R ``survival`` on the values written by ``tests/reference/make_reference.R``.

Every expected number in this file comes from R (4.2.2, survival 3.5-3): the R script writes
the input datasets (``tests/reference/data_*.csv``, plus the bundled RADIANT-4 files), the exact
R call of every case (``cases.json``, ``logrank.json``) and the results (``km_*.csv``,
``logrank.json``). ``tests/reference/README.md`` describes each file. R is never called here.

Tolerance: ``rtol=1e-10, atol=1e-12`` with NaN equal to NaN (R's NA and NaN are both NaN here).
Both sides evaluate the same closed formulas in double precision; what differs is only the
order of summation and R's ``exp(cumsum(log))`` versus a product, i.e. a few ulps times the
number of distinct times (< 1e-13 relative). 1e-10 leaves room for that and nothing else.
Times are matched to 1e-12 (relative) because R's ``read.csv`` and pandas may round a decimal
such as RADIANT-4's ``0.14735`` to neighbouring doubles.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from tests.paths import REFERENCE
from tests.r_compare import ATOL, RTOL, assert_close, match_rows

REF = REFERENCE
ROOT = REF.parent.parent

KM_CASES: list[dict[str, Any]] = json.loads((REF / "cases.json").read_text())["km"]
LR_CASES: list[dict[str, Any]] = json.loads((REF / "logrank.json").read_text())["logrank"]
KM_BY_NAME = {c["case"]: c for c in KM_CASES}


# --------------------------------------------------------------------------- loading
@cache
def _reference(name: str) -> pd.DataFrame:
    """One km_*.csv output of the R script (empty field = R's NA/NaN)."""
    ref = pd.read_csv(
        REF / name, keep_default_na=False, na_values=[""], dtype={"case": str, "stratum": str}
    )
    ref["stratum"] = ref["stratum"].fillna("")  # "" is the key of an unstratified fit
    return ref


@cache
def _data(path: str, by: tuple[str, ...]) -> pd.DataFrame:
    """An input dataset exactly as R read it; by-columns as text, as registry codes are."""
    return pd.read_csv(
        ROOT / path, keep_default_na=False, na_values=[""], dtype=dict.fromkeys(by, str)
    )


@cache
def _fit(case: str) -> Any:
    c = KM_BY_NAME[case]
    by = tuple(c["by"])
    return ns.kaplan_meier(
        _data(c["data"], by),
        time=c["time"],
        event=c["event"],
        by=list(by) or None,
        conf_type=c["conf_type"],
        conf_level=c["conf_level"],
        weights=c["weights"],
        entry=c["entry"],
    )


def _keys(frame: pd.DataFrame, by: list[str]) -> np.ndarray:
    """The R script's stratum key: by-values as text joined by "|" ("" without by)."""
    if not by:
        return np.full(len(frame), "", dtype=object)
    return frame[by].astype(str).agg("|".join, axis=1).to_numpy(dtype=object)


# ------------------------------------------------------------------------ comparing
def _ref_rows(name: str, case: str, **where: Any) -> pd.DataFrame:
    ref = _reference(name)
    mask = ref["case"] == case
    for col, value in where.items():
        mask &= ref[col] == value
    return ref[mask].reset_index(drop=True)


def _compare_curve(ours: pd.DataFrame, ref: pd.DataFrame, by: list[str], label: str) -> None:
    """A full curve: R's rows all present, extra rows of ours carry no event or censoring."""
    ours = ours.assign(stratum=_keys(ours, by)).reset_index(drop=True)
    idx = match_rows(ours, ref, ["stratum"])
    missing = ref.loc[idx < 0, ["stratum", "time"]]
    assert missing.empty, f"{label}: rows of R's curve missing from netsurv\n{missing}"
    extra = ours.drop(index=idx)
    idle = (extra["n_events"] == 0) & (extra["n_censored"] == 0)
    assert idle.all(), f"{label}: rows with events or censorings R does not have\n{extra[~idle]}"
    assert_close(
        ours.iloc[idx].reset_index(drop=True),
        ref,
        {
            "n_at_risk": "n_risk",
            "n_events": "n_event",
            "n_censored": "n_censor",
            "survival": "surv",
            "std_err": "std_err",
            "lower": "lower",
            "upper": "upper",
        },
        label,
        ["stratum", "time"],
    )


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["case"] for c in cases]


# ------------------------------------------------------------------- Kaplan-Meier
@pytest.mark.parametrize("case", _ids(KM_CASES))
def test_curve_equals_r_summary_censored(case: str) -> None:
    # R: summary(survfit(...), censored = TRUE) -- every distinct time, std_err of S
    c = KM_BY_NAME[case]
    _compare_curve(_fit(case).to_frame(), _ref_rows("km_curves.csv", case), c["by"], case)


AT_CASES = [(c["case"], ext) for c in KM_CASES if c["at"] is not None for ext in (False, True)]


@pytest.mark.parametrize(("case", "extend"), AT_CASES)
def test_survival_at_times_equals_r_summary_times(case: str, extend: bool) -> None:
    # R: summary(fit, times = at, extend = FALSE / TRUE)
    c = KM_BY_NAME[case]
    ours = _fit(case).at(c["at"], extend=extend)
    ours = ours.assign(stratum=_keys(ours, c["by"])).reset_index(drop=True)
    ref = _ref_rows("km_at.csv", case, extend=extend)
    idx = match_rows(ours, ref, ["stratum"])
    assert (idx >= 0).all(), f"{case}: times R reports are missing\n{ref[idx < 0]}"
    columns = {
        "survival": "surv",
        "std_err": "std_err",
        "lower": "lower",
        "upper": "upper",
        "n_at_risk": "n_risk",
        "n_events": "n_event",
        "n_censored": "n_censor",
    }
    assert_close(ours.iloc[idx].reset_index(drop=True), ref, columns, case, ["stratum", "time"])
    if extend:
        assert len(ours) == len(ref), f"{case}: R reports every (stratum, time) with extend=TRUE"
        return
    # R drops times beyond a stratum's last follow-up; netsurv keeps the row, NaN -- except
    # where the curve has reached 0, which stays 0 (R's extend=TRUE value) with NaN SE and CI.
    rest = ours.drop(index=idx).reset_index(drop=True)
    ext = _ref_rows("km_at.csv", case, extend=True)
    j = match_rows(rest, ext, ["stratum"])
    beyond = ext[j >= 0].reset_index(drop=True)
    rest = rest.iloc[j[j >= 0]].reset_index(drop=True)
    assert len(rest) == len(ours) - len(idx)
    expected = beyond.assign(
        surv=np.where(beyond["surv"] == 0, 0.0, np.nan), std_err=np.nan, lower=np.nan, upper=np.nan
    )
    assert_close(
        rest,
        expected,
        {"survival": "surv", "std_err": "std_err", "lower": "lower", "upper": "upper"},
        f"{case} beyond follow-up",
        ["stratum", "time"],
    )


@pytest.mark.parametrize("case", _ids(KM_CASES))
def test_quantiles_equal_r_quantile(case: str) -> None:
    # R: quantile(fit, probs = c(0.25, 0.5, 0.75)) -- midpoint rule on flat stretches
    c = KM_BY_NAME[case]
    ours = _fit(case).quantile([0.25, 0.5, 0.75])
    ours = ours.assign(stratum=_keys(ours, c["by"])).reset_index(drop=True)
    ref = _ref_rows("km_quantile.csv", case)
    idx = match_rows(ours, ref, ["stratum"], time="p")
    assert (idx >= 0).all(), f"{case}: quantiles missing\n{ref[idx < 0]}"
    assert_close(
        ours.iloc[idx].reset_index(drop=True),
        ref,
        {"quantile": "quantile", "lower": "lower", "upper": "upper"},
        case,
        ["stratum", "p"],
    )


@pytest.mark.parametrize("case", _ids(KM_CASES))
def test_median_and_ci_equal_r(case: str) -> None:
    # R: quantile(fit, probs = 0.5) (same as summary(fit)$table's median except where S stays at
    # exactly 0.5 until the last follow-up: stratum "flatend" of the edge cases, see README)
    c = KM_BY_NAME[case]
    ours = _fit(case).median()
    ours = ours.assign(stratum=_keys(ours, c["by"])).reset_index(drop=True)
    ref = _ref_rows("km_median.csv", case)
    idx = match_rows(ours, ref, ["stratum"], time=None)
    assert (idx >= 0).all(), f"{case}: strata missing\n{ref[idx < 0]}"
    assert_close(
        ours.iloc[idx].reset_index(drop=True),
        ref,
        {"median": "median", "lower": "lower", "upper": "upper"},
        case,
        ["stratum"],
    )


@pytest.mark.parametrize("case", _ids(KM_CASES))
def test_rmst_equals_r_rmean(case: str) -> None:
    # R: summary(fit, rmean = tau)$table[, c("rmean", "se(rmean)")]
    c = KM_BY_NAME[case]
    ours = _fit(case).rmst(c["tau"])
    ours = ours.assign(stratum=_keys(ours, c["by"])).reset_index(drop=True)
    ref = _ref_rows("km_rmst.csv", case)
    idx = match_rows(ours, ref, ["stratum"], time=None)
    assert (idx >= 0).all(), f"{case}: strata missing\n{ref[idx < 0]}"
    assert_close(
        ours.iloc[idx].reset_index(drop=True),
        ref,
        {"rmst": "rmean", "std_err": "se_rmean"},
        f"{case} tau={c['tau']}",
        ["stratum"],
    )


@pytest.mark.parametrize("case", _ids(KM_CASES))
def test_median_follow_up_equals_r_reverse_kaplan_meier(case: str) -> None:
    # R: summary(survfit(Surv(time, 1 - status) ~ ..., conf.type = same))$table median + CI
    c = KM_BY_NAME[case]
    ours = _fit(case).follow_up()
    ours = ours.assign(stratum=_keys(ours, c["by"])).reset_index(drop=True)
    ref = _ref_rows("km_follow_up.csv", case)
    idx = match_rows(ours, ref, ["stratum"], time=None)
    assert (idx >= 0).all(), f"{case}: strata missing\n{ref[idx < 0]}"
    assert_close(
        ours.iloc[idx].reset_index(drop=True),
        ref,
        {"median": "median", "lower": "lower", "upper": "upper"},
        case,
        ["stratum"],
    )


COND_CASES = [(c["case"], g) for c in KM_CASES if c["given"] is not None for g in c["given"]]


@pytest.mark.parametrize(("case", "given"), COND_CASES)
def test_conditional_survival_equals_r_start_time(case: str, given: float) -> None:
    # R: summary(survfit(..., start.time = given), censored = TRUE); R keeps subjects with
    # time >= given, so events exactly at `given` lower the conditional curve
    c = KM_BY_NAME[case]
    ours = _fit(case).conditional(given).to_frame()
    ref = _ref_rows("km_conditional.csv", case, given=given)
    _compare_curve(ours, ref, c["by"], f"{case} given {given}")


NA_CASES = [c["case"] for c in KM_CASES if c["n_dropped_na"] > 0]


def test_some_reference_case_has_rows_r_drops_for_na() -> None:
    # R: survfit(Surv(time, status) ~ ph_ecog, data = lung) drops the one row with NA ph.ecog
    assert NA_CASES, "the R script no longer produces a case with NA rows"


@pytest.mark.parametrize("case", NA_CASES)
def test_rows_r_drops_for_na_are_excluded_and_counted(case: str) -> None:
    # R: length(fit$na.action) rows dropped; netsurv counts them on result.excluded
    assert int(_fit(case).excluded.sum()) == KM_BY_NAME[case]["n_dropped_na"]


# ------------------------------------------------------------------------ log-rank
@pytest.mark.parametrize("case", LR_CASES, ids=_ids(LR_CASES))
def test_logrank_equals_r_survdiff(case: dict[str, Any]) -> None:
    # R: survdiff(Surv(time, status) ~ by [+ strata(x)], rho = 0 / 1); trend cases: by hand from
    # survdiff's obs, exp, var with scores 1..k (the R call in logrank.json, formula in README)
    by = case["by"]
    df = _data(case["data"], tuple(by) + ((case["strata"],) if case["strata"] else ()))
    res = ns.logrank(
        df,
        time=case["time"],
        event=case["event"],
        by=by if len(by) > 1 else by[0],
        strata=case["strata"],
        rho=case["rho"],
        trend=case["trend"],
    )
    label = case["case"]
    scalars = pd.DataFrame({"statistic": [res.statistic], "p_value": [res.p_value]})
    expected = pd.DataFrame(
        {"statistic": [case["statistic"]], "p_value": [case["p_value"]], "case": [label]}
    )
    assert_close(
        scalars, expected, {"statistic": "statistic", "p_value": "p_value"}, label, ["case"]
    )
    assert res.dof == case["dof"], f"{label}: dof {res.dof} != R's {case['dof']}"
    table = res.table.assign(stratum=_keys(res.table, by)).reset_index(drop=True)
    ref = pd.DataFrame(
        {
            "stratum": case["groups"],
            "n": case["n"],
            "observed": case["observed"],
            "expected": case["expected"],
        }
    )
    idx = match_rows(table, ref, ["stratum"], time=None)
    assert (idx >= 0).all(), f"{label}: groups missing from .table\n{ref[idx < 0]}"
    assert len(table) == len(ref), f"{label}: .table has groups R does not\n{table}"
    assert_close(
        table.iloc[idx].reset_index(drop=True),
        ref,
        {"n": "n", "observed": "observed", "expected": "expected"},
        label,
        ["stratum"],
    )
    # R: survdiff(...)$var, rows and columns in R's group order
    ours_var = np.asarray(res.variance, dtype=np.float64)[np.ix_(idx, idx)]
    np.testing.assert_allclose(
        ours_var, np.array(case["var"]), rtol=RTOL, atol=ATOL, err_msg=f"{label}: variance matrix"
    )
    # R: length(survdiff(...)$na.action) rows dropped for NA; netsurv counts them
    assert int(res.excluded.sum()) == case["n_dropped_na"], f"{label}: excluded {res.excluded}"


@pytest.mark.parametrize(
    "case", [c for c in LR_CASES if c["trend"]], ids=_ids([c for c in LR_CASES if c["trend"]])
)
def test_trend_reference_is_the_hand_formula_on_survdiff_output(case: dict[str, Any]) -> None:
    # The R-side hand computation, redone from the exported survdiff obs, exp and var:
    # U = sum(w (O - E)), V = w' var w, chisq = U^2 / V with w = 1..k
    w = np.arange(1, len(case["groups"]) + 1, dtype=np.float64)
    u = float(w @ (np.array(case["observed"]) - np.array(case["expected"])))
    v = float(w @ np.array(case["var"]) @ w)
    np.testing.assert_allclose(
        [u, v, u * u / v], [case["U"], case["V"], case["statistic"]], rtol=1e-12
    )
