"""netsurv equals R ``survival`` on more datasets: ``tests/reference/make_reference_extra.R``.

Complements ``test_reference_r.py`` (lung, veteran, simulated registry) with R's colon, pbc,
ovarian, aml, kidney, heart (left truncation), mgus2 (float years), non-integer case weights
(``robust = FALSE``), hand-made edge strata, conf.int 0.9 / 0.99, survdiff with rho 0 / 1 / 0.5,
12 groups, unused factor levels, and an actuarial life table written out in R.

Every expected number comes from R 4.2.2, survival 3.5-3: the script writes the inputs
(``extra_data_*.csv``), the exact R call of every case (``extra_cases.json``,
``extra_logrank.json``) and the results (``extra_km_*.csv``, ``extra_lifetable.csv``,
``extra_logrank.json``). R is never called here.

Tolerance: ``rtol=1e-10, atol=1e-12``, NaN equal to NaN (R's NA and NaN both read as NaN). Both
sides evaluate the same closed formulas in double precision; only summation order differs (a
few ulps per distinct time). Times are matched to 1e-12 (relative): R's ``%.17g`` output and
pandas' parser may land on neighbouring doubles.
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

_CASES = json.loads((REF / "extra_cases.json").read_text())
KM_CASES: list[dict[str, Any]] = _CASES["km"]
LT_CASES: list[dict[str, Any]] = _CASES["lifetable"]
LR_CASES: list[dict[str, Any]] = json.loads((REF / "extra_logrank.json").read_text())["logrank"]
KM = {c["case"]: c for c in KM_CASES}

# ------------------------------------------------------------------ known disagreements
# Cases that differ from R because of a netsurv bug would be listed here as strict xfails with
# their diagnosis (the mark turns into a failure once the bug is fixed). The five found by this
# suite (findq limits and p = 0, per-stratum sums, weighted risk sets, zero-weight exit times)
# are fixed, so the list is empty.
XFAIL: dict[tuple[Any, ...], str] = {}


def _param(kind: str, case: str, *values: Any) -> Any:
    reason = XFAIL.get((kind, case, *values)) or XFAIL.get((kind, case))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    label = "-".join(str(v) for v in (case, *values))
    return pytest.param(case, *values, marks=marks, id=label)


# --------------------------------------------------------------------------- loading
@cache
def _reference(name: str) -> pd.DataFrame:
    ref = pd.read_csv(
        REF / name,
        keep_default_na=False,
        na_values=[""],
        dtype={"case": str, "stratum": str},
        float_precision="round_trip",
    )
    ref["stratum"] = ref["stratum"].fillna("")
    return ref


def _ref_rows(name: str, case: str, **where: Any) -> pd.DataFrame:
    ref = _reference(name)
    mask = ref["case"] == case
    for col, value in where.items():
        mask &= (
            np.isclose(ref[col], value, rtol=1e-15)
            if isinstance(value, float)
            else ref[col] == value
        )
    return ref[mask].reset_index(drop=True)


@cache
def _data(path: str, by: tuple[str, ...], categories: str) -> pd.DataFrame:
    """A dataset exactly as R wrote it; by-columns as text, or as the R factor's categories."""
    df = pd.read_csv(
        ROOT / path,
        keep_default_na=False,
        na_values=[""],
        dtype=dict.fromkeys(by, str),
        float_precision="round_trip",  # pandas' default parser is off by an ulp for 1/12 etc.
    )
    for col, levels in json.loads(categories).items():
        if col in by:
            df[col] = pd.Categorical(df[col], categories=levels)
    return df


def _frame(c: dict[str, Any], by: list[str]) -> pd.DataFrame:
    return _data(c["data"], tuple(by), json.dumps(c.get("categories") or {}))


@cache
def _fit(case: str) -> Any:
    c = KM[case]
    return ns.kaplan_meier(
        _frame(c, c["by"]),
        time=c["time"],
        event=c["event"],
        by=c["by"] or None,
        conf_type=c["conf_type"],
        conf_level=c["conf_level"],
        weights=c["weights"],
        entry=c["entry"],
    )


def _keys(frame: pd.DataFrame, by: list[str]) -> np.ndarray:
    """Stratum key of the R script: by-values as text joined by "|" ("" without by)."""
    if not by:
        return np.full(len(frame), "", dtype=object)
    return frame[by].astype(str).agg("|".join, axis=1).to_numpy(dtype=object)


# ------------------------------------------------------------------------ comparing
def _aligned(
    ours: pd.DataFrame, ref: pd.DataFrame, by: list[str], time: str | None, label: str
) -> pd.DataFrame:
    """Rows of ``ours`` in the order of ``ref``; every row R reports must be there."""
    ours = ours.assign(stratum=_keys(ours, by)).reset_index(drop=True)
    idx = match_rows(ours, ref, ["stratum"], time)
    assert (idx >= 0).all(), f"{label}: rows R reports are missing\n{ref[idx < 0]}"
    return ours.iloc[idx].reset_index(drop=True)


CURVE_COLUMNS = {
    "n_at_risk": "n_risk",
    "n_events": "n_event",
    "n_censored": "n_censor",
    "survival": "surv",
    "std_err": "std_err",
    "lower": "lower",
    "upper": "upper",
}


def _compare_curve(ours: pd.DataFrame, ref: pd.DataFrame, by: list[str], label: str) -> None:
    """A full curve: R's rows all present; rows R lacks carry no event and no censoring."""
    ours = ours.assign(stratum=_keys(ours, by)).reset_index(drop=True)
    idx = match_rows(ours, ref, ["stratum"], "time")
    missing = ref.loc[idx < 0, ["stratum", "time"]]
    assert missing.empty, f"{label}: rows of R's curve missing from netsurv\n{missing}"
    extra = ours.drop(index=idx)
    idle = (extra["n_events"] == 0) & (extra["n_censored"] == 0)
    assert idle.all(), f"{label}: rows with events or censorings R does not have\n{extra[~idle]}"
    assert_close(
        ours.iloc[idx].reset_index(drop=True), ref, CURVE_COLUMNS, label, ["stratum", "time"]
    )


# ------------------------------------------------------------------- Kaplan-Meier
@pytest.mark.parametrize("case", [_param("curve", c["case"]) for c in KM_CASES])
def test_curve_equals_r_summary_censored(case: str) -> None:
    # R: summary(survfit(...), censored = TRUE) (the call is r_calls in extra_cases.json)
    _compare_curve(
        _fit(case).to_frame(), _ref_rows("extra_km_curves.csv", case), KM[case]["by"], case
    )


@pytest.mark.parametrize("case", [_param("zero", c["case"]) for c in KM_CASES])
def test_survival_is_exactly_zero_where_r_reaches_zero(case: str) -> None:
    # R: summary(fit, censored = TRUE)$surv == 0 exactly once every subject left has died;
    # netsurv must give exactly 0 too (at() keeps S = 0 beyond follow-up only when S == 0)
    # and never a negative survival
    c = KM[case]
    ref = _ref_rows("extra_km_curves.csv", case)
    ours = _aligned(_fit(case).to_frame(), ref, c["by"], "time", case)
    s = ours["survival"].to_numpy(dtype=np.float64)
    zero = ref["surv"].to_numpy() == 0
    assert (s[zero] == 0).all() and (s >= 0).all(), f"{case}: S where R has 0: {s[zero]}"


@pytest.mark.parametrize(
    ("case", "extend"),
    [_param("at", c["case"], ext) for c in KM_CASES if c["at"] for ext in (False, True)],
)
def test_survival_at_times_equals_r_summary_times(case: str, extend: bool) -> None:
    # R: summary(fit, times = at, extend = FALSE / TRUE)
    c = KM[case]
    ours = _fit(case).at(c["at"], extend=extend)
    ours = ours.assign(stratum=_keys(ours, c["by"])).reset_index(drop=True)
    ref = _ref_rows("extra_km_at.csv", case, extend=extend)
    idx = match_rows(ours, ref, ["stratum"], "time")
    assert (idx >= 0).all(), f"{case}: times R reports are missing\n{ref[idx < 0]}"
    assert_close(
        ours.iloc[idx].reset_index(drop=True), ref, CURVE_COLUMNS, case, ["stratum", "time"]
    )
    if extend:
        assert len(ours) == len(ref), f"{case}: R reports every (stratum, time) with extend=TRUE"
        return
    # R drops times beyond a stratum's last follow-up; netsurv (documented) keeps them as NaN,
    # or as S = 0 with NaN SE / CI where the curve reached 0 (R's extend = TRUE survival).
    rest = ours.drop(index=idx).reset_index(drop=True)
    ext = _ref_rows("extra_km_at.csv", case, extend=True)
    j = match_rows(rest, ext, ["stratum"], "time")
    beyond = ext[j >= 0].reset_index(drop=True)
    assert (j >= 0).sum() == len(rest), f"{case}: rows neither R call reports\n{rest}"
    expected = beyond.assign(
        surv=np.where(beyond["surv"] == 0, 0.0, np.nan), std_err=np.nan, lower=np.nan, upper=np.nan
    )
    assert_close(
        rest.iloc[j[j >= 0]].reset_index(drop=True),
        expected,
        {"survival": "surv", "std_err": "std_err", "lower": "lower", "upper": "upper"},
        f"{case} beyond follow-up",
        ["stratum", "time"],
    )


def _compare_quantiles(case: str, zero: bool) -> None:
    ref = _ref_rows("extra_km_quantile.csv", case)
    ref = ref[(ref["p"] == 0) == zero].reset_index(drop=True)
    ours = _aligned(_fit(case).quantile(sorted(set(ref["p"]))), ref, KM[case]["by"], "p", case)
    assert_close(
        ours,
        ref,
        {"quantile": "quantile", "lower": "lower", "upper": "upper"},
        case,
        ["stratum", "p"],
    )


@pytest.mark.parametrize("case", [_param("quantile", c["case"]) for c in KM_CASES])
def test_quantiles_equal_r_quantile(case: str) -> None:
    # R: quantile(fit, probs = c(0.1, 0.25, 0.5, 0.75, 0.9, 1))
    _compare_quantiles(case, zero=False)


@pytest.mark.parametrize("case", [_param("quantile0", c["case"]) for c in KM_CASES])
def test_quantile_zero_equals_r_quantile(case: str) -> None:
    # R: quantile(fit, probs = 0): the start time, except NA where the curve (or CI curve)
    # never leaves 1 (findq's last-point rule overrides its p == 0 rule)
    _compare_quantiles(case, zero=True)


@pytest.mark.parametrize("case", [_param("median", c["case"]) for c in KM_CASES])
def test_median_equals_r_quantile_one_half(case: str) -> None:
    # R: quantile(fit, probs = 0.5) (the p = 0.5 rows of extra_km_quantile.csv)
    ref = _ref_rows("extra_km_quantile.csv", case, p=0.5)
    ours = _aligned(_fit(case).median(), ref, KM[case]["by"], None, case)
    assert_close(
        ours, ref, {"median": "quantile", "lower": "lower", "upper": "upper"}, case, ["stratum"]
    )


@pytest.mark.parametrize(
    ("case", "tau"), [_param("rmst", c["case"], t) for c in KM_CASES for t in c["taus"]]
)
def test_rmst_equals_r_rmean(case: str, tau: float) -> None:
    # R: summary(fit, rmean = tau)$table[, c("rmean", "se(rmean)")]
    ref = _ref_rows("extra_km_rmst.csv", case, tau=float(tau))
    ours = _aligned(_fit(case).rmst(tau), ref, KM[case]["by"], None, f"{case} tau={tau}")
    assert_close(
        ours, ref, {"rmst": "rmean", "std_err": "se_rmean"}, f"{case} tau={tau}", ["stratum"]
    )


@pytest.mark.parametrize("case", [_param("follow_up", c["case"]) for c in KM_CASES])
def test_median_follow_up_equals_r_reverse_kaplan_meier_quantile(case: str) -> None:
    # R: quantile(survfit(Surv([entry, ]time, 1 - status) ~ ..., same options), probs = 0.5)
    ref = _ref_rows("extra_km_follow_up.csv", case)
    ours = _aligned(_fit(case).follow_up(), ref, KM[case]["by"], None, case)
    assert_close(
        ours, ref, {"median": "median", "lower": "lower", "upper": "upper"}, case, ["stratum"]
    )


@pytest.mark.parametrize(
    ("case", "given"),
    [_param("conditional", c["case"], g) for c in KM_CASES for g in (c["given"] or [])],
)
def test_conditional_survival_equals_r_start_time(case: str, given: float) -> None:
    # R: summary(survfit(..., start.time = given), censored = TRUE)
    ref = _ref_rows("extra_km_conditional.csv", case, given=float(given))
    ours = _fit(case).conditional(given).to_frame()
    _compare_curve(ours, ref, KM[case]["by"], f"{case} given {given}")


@pytest.mark.parametrize(
    ("case", "given"),
    [_param("cond_quantile", c["case"], g) for c in KM_CASES for g in (c["given"] or [])],
)
def test_conditional_quantiles_equal_r_quantile_of_start_time_fit(case: str, given: float) -> None:
    # R: quantile(survfit(..., start.time = given), probs = c(0.1, 0.25, 0.5, 0.75, 0.9, 1))
    ref = _ref_rows("extra_km_cond_quantile.csv", case, given=float(given))
    ours = _fit(case).conditional(given).quantile(sorted(set(ref["p"])))
    ours = _aligned(ours, ref, KM[case]["by"], "p", f"{case} given {given}")
    assert_close(
        ours,
        ref,
        {"quantile": "quantile", "lower": "lower", "upper": "upper"},
        f"{case} given {given}",
        ["stratum", "p"],
    )


@pytest.mark.parametrize("case", [_param("excluded", c["case"]) for c in KM_CASES])
def test_rows_r_drops_for_na_are_excluded_and_counted(case: str) -> None:
    # R: length(fit$na.action) (pbc: 106 NA trt; colon differ: 23 NA)
    assert int(_fit(case).excluded.sum()) == KM[case]["n_dropped_na"]


def test_reference_covers_na_rows_weights_and_entry() -> None:
    # the R script still produces the cases this file is about
    assert any(c["n_dropped_na"] > 0 for c in KM_CASES)
    assert any(c["weights"] and c["entry"] for c in KM_CASES)
    assert {0, 1, 0.5} <= {c["rho"] for c in LR_CASES}


# ------------------------------------------------------------------------ log-rank
@pytest.mark.parametrize("case", [_param("logrank", c["case"]) for c in LR_CASES])
def test_logrank_equals_r_survdiff(case: str) -> None:
    # R: survdiff(Surv(time, status) ~ by [+ strata(x)], rho = 0 / 1 / 0.5) (r_call in the json)
    c = next(x for x in LR_CASES if x["case"] == case)
    by = c["by"]
    df = _frame(c, by + ([c["strata"]] if c["strata"] else []))
    res = ns.logrank(
        df,
        time=c["time"],
        event=c["event"],
        by=by if len(by) > 1 else by[0],
        strata=c["strata"],
        rho=c["rho"],
    )
    got = pd.DataFrame({"statistic": [res.statistic], "p_value": [res.p_value], "case": [case]})
    want = pd.DataFrame({"statistic": [c["statistic"]], "p_value": [c["p_value"]], "case": [case]})
    assert_close(got, want, {"statistic": "statistic", "p_value": "p_value"}, case, ["case"])
    assert res.dof == c["dof"], f"{case}: dof {res.dof} != R's {c['dof']}"
    ref = pd.DataFrame(
        {"stratum": c["groups"], "n": c["n"], "observed": c["observed"], "expected": c["expected"]}
    )
    table = _aligned(res.table, ref, by, None, case)
    assert len(res.table) == len(ref), f"{case}: .table has groups R does not\n{res.table}"
    assert_close(
        table, ref, {"n": "n", "observed": "observed", "expected": "expected"}, case, ["stratum"]
    )
    order = match_rows(res.table.assign(stratum=_keys(res.table, by)), ref, ["stratum"], None)
    np.testing.assert_allclose(
        np.asarray(res.variance)[np.ix_(order, order)],
        np.array(c["var"]),
        rtol=RTOL,
        atol=ATOL,
        err_msg=f"{case}: variance",
    )
    assert int(res.excluded.sum()) == c["n_dropped_na"], f"{case}: excluded {res.excluded}"


# ---------------------------------------------------------------------- life table
@pytest.mark.parametrize("case", [_param("lifetable", c["case"]) for c in LT_CASES])
def test_life_table_equals_actuarial_formula_in_r(case: str) -> None:
    # R (make_reference_extra.R, lt_case): n_eff = n_start - lost / 2, q = d / n_eff,
    # S = cumprod(1 - q), SE = S sqrt(cumsum(d / (n_eff (n_eff - d)))), survfit-style CI
    c = next(x for x in LT_CASES if x["case"] == case)
    by = c["by"]
    ours = ns.life_table(
        _frame(c, by),
        time=c["time"],
        event=c["event"],
        by=by or None,
        width=c["width"],
        conf_type=c["conf_type"],
        conf_level=c["conf_level"],
    ).table
    ref = _ref_rows("extra_lifetable.csv", case)
    ours = ours.assign(stratum=_keys(ours, by)).reset_index(drop=True)
    idx = match_rows(ours, ref, ["stratum"], "start")
    assert (idx >= 0).all(), f"{case}: intervals missing\n{ref[idx < 0]}"
    assert len(ours) == len(ref), f"{case}: intervals R does not have\n{ours.drop(index=idx)}"
    cols = [
        "end",
        "n_start",
        "n_events",
        "n_lost",
        "n_effective",
        "interval_survival",
        "survival",
        "std_err",
        "lower",
        "upper",
    ]
    assert_close(
        ours.iloc[idx].reset_index(drop=True),
        ref,
        dict(zip(cols, cols, strict=True)),
        case,
        ["stratum", "start"],
    )
