"""Cumulative incidence (Aalen–Johansen): identities, hand values, variance reference."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.estimators.competing import cumulative_incidence


def _toy(seed: int, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dead = rng.random(n) < 0.7
    return pd.DataFrame(
        {
            "survival_months": rng.integers(0, 40, n).astype(float),
            "dead": pd.array(dead, dtype="boolean"),
            "cancer_death": pd.array(np.where(dead, rng.random(n) < 0.5, False), dtype="boolean"),
            "arm": rng.choice(["x", "y"], n),
        }
    )


def test_cancer_and_other_incidence_add_up_to_one_minus_overall_km():
    df = ns.datasets.simulate_registry(3000, seed=11)
    ci = cumulative_incidence(df, by="extent").to_frame()
    known = df[~(df["dead"].fillna(False) & df["cancer_death"].isna())]
    km = ns.kaplan_meier(known, by="extent").to_frame()
    assert len(ci) == len(km)
    np.testing.assert_allclose(
        ci["cif_cancer"] + ci["cif_other"], 1 - km["survival"], rtol=0, atol=1e-12
    )


def test_rows_dead_of_unknown_cause_are_left_out_and_counted():
    df = _toy(1)
    df.loc[[0, 1], "dead"] = True
    df.loc[[0, 1], "cancer_death"] = pd.NA
    ci = cumulative_incidence(df)
    assert ci.excluded["dead, cancer_death unknown"] == 2


def test_hand_computed_incidence():
    # t: 1 cancer, 2 other, 3 censored, 4 cancer; n = 4, 3, 2, 1
    df = pd.DataFrame(
        {
            "t": [1, 2, 3, 4],
            "dead": [True, True, False, True],
            "cancer_death": [True, False, None, True],
        }
    )
    f = cumulative_incidence(df, time="t").to_frame()
    # S: 3/4, 1/2, 1/2, 0; CIF_cancer: 1/4, 1/4, 1/4, 1/4 + (1/2)(1/1)
    assert f["cif_cancer"].tolist() == pytest.approx([0.25, 0.25, 0.25, 0.75])
    assert f["cif_other"].tolist() == pytest.approx([0, 0.25, 0.25, 0.25])


def _variance_reference(time, dead, cancer):
    """Marubini & Valsecchi (1995) delta-method variance, summed term by term."""
    grid = sorted(set(time))
    rows, s_prev, f = [], 1.0, 0.0
    for t in grid:
        n = sum(1 for x in time if x >= t)
        d = sum(1 for x, e in zip(time, dead, strict=True) if x == t and e)
        dk = sum(1 for x, e, c in zip(time, dead, cancer, strict=True) if x == t and e and c)
        f += s_prev * dk / n
        rows.append((t, n, d, dk, s_prev, f))
        s_prev *= 1 - d / n
    out = []
    for i, (_, _, _, _, _, ft) in enumerate(rows):
        v = 0.0
        for _, n, d, dk, sp, fj in rows[: i + 1]:
            g = d / (n * (n - d)) if n > d else 0.0
            v += (ft - fj) ** 2 * g + sp**2 * dk * (n - dk) / n**3 - 2 * (ft - fj) * sp * dk / n**2
        out.append(v)
    return np.array(out)


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_variance_equals_the_term_by_term_formula(seed):
    df = _toy(seed)
    f = cumulative_incidence(df).to_frame()
    want = _variance_reference(
        df["survival_months"].tolist(), df["dead"].tolist(), df["cancer_death"].tolist()
    )
    np.testing.assert_allclose(f["se_cancer"] ** 2, np.maximum(want, 0), rtol=1e-9, atol=1e-15)


def test_with_a_single_cause_the_variance_is_greenwood():
    df = _toy(5).assign(cancer_death=lambda d: d["dead"])
    f = cumulative_incidence(df).to_frame()
    km = ns.kaplan_meier(df).to_frame()
    # CIF = 1 - S, and the delta method gives Greenwood's variance of S
    live = km["survival"] > 0
    np.testing.assert_allclose(f["se_cancer"][live], km["std_err"][live], rtol=1e-9)


def test_confidence_limits_are_log_minus_log_on_the_incidence():
    f = cumulative_incidence(_toy(6)).to_frame().iloc[10]
    cif, se = f["cif_cancer"], f["se_cancer"]
    z = 1.959963984540054
    lower = cif ** math.exp(-z * se / (cif * math.log(cif)))  # cmprsk's transform
    assert f["lower_cancer"] == pytest.approx(lower, rel=1e-12)
