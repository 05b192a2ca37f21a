"""Weighted log-rank tests (`logrank(test=...)`): hand-computed toy data and R references.

R values: tests/reference/make_reference_methods.R (README_methods.md): an R implementation
checked there against survival::survdiff (rho = 0, 1; stratified) and survMisc::comp.
R writes 15 significant digits; statistics are compared at 1e-9 relative.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.errors import InputError
from tests.paths import REFERENCE

REF = REFERENCE
TOY = pd.read_csv(REF / "methods_data_toy.csv")


def _toy(test: str, strata: str | None = None, **kw: float) -> float:
    res = ns.logrank(TOY, time="time", event="status", by="group", strata=strata, test=test, **kw)
    return res.statistic


# Toy data, by hand (group a; at each event time: n, n_a, d, d_a):
#   t=1: 8, 4, 1, 1   t=2: 7, 3, 2, 1   t=4: 4, 2, 1, 1   t=5: 3, 1, 1, 0   t=7: 1, 1, 1, 1
# O - E of a per time: 1/2, 1/7, 1/2, -1/3, 0
# hypergeometric variance d (n - d) / (n - 1) * n_a/n * (1 - n_a/n): 1/4, 20/49, 1/4, 2/9, 0
O_E = [F(1, 2), F(1, 7), F(1, 2), F(-1, 3), F(0)]
VAR = [F(1, 4), F(20, 49), F(1, 4), F(2, 9), F(0)]


def _chi2(w: list[F]) -> float:
    u = sum(wi * oe for wi, oe in zip(w, O_E, strict=True))
    v = sum(wi * wi * vi for wi, vi in zip(w, VAR, strict=True))
    return float(u * u / v)


def test_toy_log_rank_by_hand() -> None:
    assert _chi2([F(1)] * 5) == pytest.approx(578 / 997, rel=1e-12)  # (17/21)^2 / (997/882)
    assert _toy("log-rank") == pytest.approx(578 / 997, rel=1e-12)


def test_toy_gehan_wilcoxon_weights_by_the_number_at_risk() -> None:
    # w = n = 8, 7, 4, 3, 1: U = 4 + 1 + 2 - 1 = 6, V = 16 + 20 + 4 + 2 = 42
    assert _toy("gehan-wilcoxon") == pytest.approx(36 / 42, rel=1e-12)


def test_toy_tarone_ware_weights_by_the_root_of_the_number_at_risk() -> None:
    n = np.array([8, 7, 4, 3, 1], dtype=float)
    oe, var = np.array(O_E, dtype=float), np.array(VAR, dtype=float)
    expected = (np.sqrt(n) @ oe) ** 2 / (n @ var)
    assert _toy("tarone-ware") == pytest.approx(expected, rel=1e-12)


def test_toy_peto_prentice_weights_by_the_modified_survival_estimate() -> None:
    # S~(t) = prod (1 - d / (n + 1)) including t: 8/9, 2/3, 8/15, 2/5, 1/5
    w = [F(8, 9), F(2, 3), F(8, 15), F(2, 5), F(1, 5)]
    assert _toy("peto-prentice") == pytest.approx(_chi2(w), rel=1e-12)
    assert _toy("peto") == pytest.approx(_chi2(w), rel=1e-12)  # Kleinbaum & Klein's name


def test_toy_fleming_harrington_weights_by_the_survival_just_before() -> None:
    # S(t-) = 1, 7/8, 5/8, 15/32, 5/16
    s = [F(1), F(7, 8), F(5, 8), F(15, 32), F(5, 16)]
    assert _toy("fleming-harrington", p=1, q=0) == pytest.approx(_chi2(s), rel=1e-12)
    w = [si * si * (1 - si) for si in s]
    assert _toy("fleming-harrington", p=2, q=1) == pytest.approx(_chi2(w), rel=1e-12)


def test_toy_stratified_gehan_by_hand() -> None:
    # layer x: t=1 n=4 O-E 1/2 var 1/4; t=2 n=3 O-E 1/3 var 2/9
    # layer y: t=4 n=4 O-E 1/2 var 1/4; t=5 n=3 O-E -1/3 var 2/9; t=7 n=1
    # U = 2 + 1 + 2 - 1 = 4; V = 4 + 2 + 4 + 2 = 12
    assert _toy("gehan-wilcoxon", strata="layer") == pytest.approx(16 / 12, rel=1e-12)


def _case_data() -> dict[str, tuple[pd.DataFrame, str, str, str, str | None]]:
    lung = pd.read_csv(REF / "data_lung.csv")
    ecog = pd.read_csv(REF / "methods_data_lung_ecog.csv")
    vet = pd.read_csv(REF / "data_veteran.csv")
    gehan = pd.read_csv(REF / "methods_data_gehan.csv")
    return {
        "lung_sex": (lung, "time", "status", "sex", None),
        "lung_ecog": (ecog, "time", "status01", "ph.ecog", None),
        "lung_ecog_by_sex": (ecog, "time", "status01", "ph.ecog", "sex"),
        "veteran_trt": (vet, "time", "status", "trt", None),
        "veteran_celltype": (vet, "time", "status", "celltype", None),
        "veteran_trt_by_celltype": (vet, "time", "status", "trt", "celltype"),
        "gehan_treat": (gehan, "time", "cens", "treat", None),
        "toy": (TOY, "time", "status", "group", None),
        "toy_by_layer": (TOY, "time", "status", "group", "layer"),
    }


REF_ROWS = pd.read_csv(REF / "methods_logrank.csv")


@pytest.mark.parametrize(
    "row", REF_ROWS.to_dict("records"), ids=lambda r: f"{r['case']}-{r['test']}-{r['p']}-{r['q']}"
)
def test_weighted_tests_equal_r(row: dict) -> None:
    data, time, event, by, strata = _case_data()[row["case"]]
    kw = {"p": row["p"], "q": row["q"]} if row["test"] == "fleming-harrington" else {}
    res = ns.logrank(data, time=time, event=event, by=by, strata=strata, test=row["test"], **kw)
    assert res.statistic == pytest.approx(row["statistic"], rel=1e-9)
    assert res.dof == row["df"]
    assert res.p_value == pytest.approx(row["p_value"], rel=1e-7)
    first = res.table.iloc[0]
    assert first["observed"] - first["expected"] == pytest.approx(row["o_minus_e_first"], rel=1e-9)


def test_rho_is_fleming_harrington_with_q_zero() -> None:
    vet = pd.read_csv(REF / "data_veteran.csv")
    a = ns.logrank(vet, time="time", event="status", by="celltype", rho=1)
    b = ns.logrank(
        vet, time="time", event="status", by="celltype", test="fleming-harrington", p=1, q=0
    )
    assert a.statistic == pytest.approx(b.statistic, rel=1e-14)


def test_integer_frequency_weights_equal_the_expanded_rows() -> None:
    w = TOY.assign(n=[1, 2, 1, 3, 1, 2, 1, 1])
    expanded = w.loc[w.index.repeat(w["n"])]
    for test in ("gehan-wilcoxon", "tarone-ware", "peto-prentice"):
        a = ns.logrank(w, time="time", event="status", by="group", weights="n", test=test)
        b = ns.logrank(expanded, time="time", event="status", by="group", test=test)
        assert a.statistic == pytest.approx(b.statistic, rel=1e-12), test


def test_the_test_is_named_in_the_result() -> None:
    res = ns.logrank(
        TOY, time="time", event="status", by="group", test="fleming-harrington", p=1, q=1
    )
    assert res.test == "fleming-harrington"
    assert "Fleming-Harrington (p=1, q=1)" in res.method


def test_unknown_tests_and_missing_parameters_are_refused() -> None:
    with pytest.raises(InputError, match="test="):
        ns.logrank(TOY, time="time", event="status", by="group", test="wilcox")
    with pytest.raises(InputError, match="p= and q="):
        ns.logrank(TOY, time="time", event="status", by="group", test="fleming-harrington")
    with pytest.raises(InputError, match="rho"):
        ns.logrank(TOY, time="time", event="status", by="group", test="tarone-ware", rho=1)


@pytest.mark.parametrize("engine", ["arrow", "duckdb", "counts"])
def test_every_route_gives_the_same_weighted_test(engine: str) -> None:
    vet = pd.read_csv(REF / "data_veteran.csv")
    kw = {"by": "celltype", "strata": "trt"}
    for test, pq in [
        ("gehan-wilcoxon", {}),
        ("peto-prentice", {}),
        ("fleming-harrington", {"p": 1, "q": 1}),
    ]:
        memory = ns.logrank(vet, time="time", event="status", test=test, **kw, **pq)
        if engine == "counts":
            c = ns.to_counts(vet, time="time", event="status", by=["trt", "celltype"])
            other = ns.logrank(c, test=test, **kw, **pq)
        else:
            other = ns.logrank(
                vet, time="time", event="status", test=test, engine=engine, **kw, **pq
            )
        assert other.statistic == pytest.approx(memory.statistic, rel=1e-12), (engine, test)
