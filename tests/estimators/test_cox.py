"""cox(): lifelines CoxPHFitter behind a frozen result, checked against R survival::coxph.

Reference values were produced with R 4.x, survival 3.x, on the bundled RADIANT-4 PFS rows:

    d <- read.csv("netsurv/datasets/data/radiant4_pfs.csv")
    d$arm <- relevel(factor(d$arm), "placebo")
    f <- coxph(Surv(time, event) ~ arm, data = d, ties = "efron")
    summary(f)   # exp(coef) 0.5576874153, lower .95 0.4058760943, upper .95 0.7662812804,
                 # se(coef) 0.1621206787, Pr(>|z|) 0.0003157935291
    cox.zph(f, transform = "rank")   # chisq 10.7154116, p 0.001062468203
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from netsurv.errors import InputError  # noqa: E402
from netsurv.estimators.cox import cox  # noqa: E402


def _radiant4() -> pd.DataFrame:
    from importlib.resources import files

    return pd.read_csv(files("netsurv.datasets") / "data" / "radiant4_pfs.csv")


def test_hazard_ratio_equals_r_coxph_on_radiant4_pfs() -> None:
    res = cox(
        _radiant4(),
        time="time",
        event="event",
        covariates=["arm"],
        reference={"arm": "placebo"},
    )
    hr = res.hazard_ratios.set_index("term")
    row = hr.loc["arm=everolimus"]
    # tolerance 1e-5 relative: lifelines stops Newton-Raphson at a 1e-7 step, R at 1e-9
    assert row["hr"] == pytest.approx(0.5576874153, rel=1e-5)
    assert row["lower"] == pytest.approx(0.4058760943, rel=1e-5)
    assert row["upper"] == pytest.approx(0.7662812804, rel=1e-5)
    assert row["std_err"] == pytest.approx(0.1621206787, rel=1e-5)
    assert row["p_value"] == pytest.approx(0.0003157935291, rel=1e-4)
    assert hr.loc["arm=placebo", "reference"] and hr.loc["arm=placebo", "hr"] == 1.0
    assert res.n == 302 and res.n_events == 169  # RADIANT4_README: 302 patients, 169 events


def test_proportional_hazards_test_flags_the_crossing_hazards_of_radiant4() -> None:
    # lifelines implements the Grambsch-Therneau approximation (R survival < 3.0); R 3.x's
    # exact score test gives chi2 10.72, p = 0.0011 on the same rows. Both reject PH at 1%.
    res = cox(_radiant4(), time="time", event="event", covariates=["arm"])
    p = res.hazard_ratios.set_index("term").loc["arm=placebo", "ph_p_value"]
    assert p < 0.01
    assert list(res.ph_test.columns) == ["term", "statistic", "p_value"]


def test_categorical_covariates_use_the_first_category_as_reference_and_keep_unknown() -> None:
    rng = np.random.default_rng(7)
    n = 600
    grade = pd.Categorical(
        rng.choice(["G1", "G2", "unknown"], n),
        categories=["G1", "G2", "G3", "unknown"],
        ordered=True,
    )
    rate = np.where(grade == "G2", 0.2, 0.1)
    df = pd.DataFrame(
        {
            "survival_months": rng.exponential(1 / rate),
            "dead": True,
            "grade": grade,
            "age_dx": rng.normal(60, 10, n),
        }
    )
    res = cox(df, covariates=["grade", "age_dx"])
    t = res.hazard_ratios
    # G3 has no rows: dropped; G1 is the reference; "unknown" is a level of its own
    assert t["term"].tolist() == ["grade=G1", "grade=G2", "grade=unknown", "age_dx"]
    # true HR of G2 vs G1 is 2 (simulated); 600 rows give SE(log HR) ~ 0.1 -> within 30%
    assert t.set_index("term").loc["grade=G2", "hr"] == pytest.approx(2.0, rel=0.3)


def test_rows_with_exclusions_or_missing_covariates_are_counted_not_dropped_silently() -> None:
    df = _radiant4().assign(exclusion=pd.NA, age=np.linspace(40.0, 80.0, 302))
    df.loc[:4, "exclusion"] = "death certificate only"
    df.loc[10:12, "age"] = np.nan
    res = cox(df, time="time", event="event", covariates=["arm", "age"])
    assert res.n == 302 - 5 - 3
    # the rulebook's reason, as every estimator words it (netsurv.rules.missing_reason)
    assert res.excluded.to_dict() == {"death certificate only": 5, "missing age": 3}


def test_plot_draws_a_forest_plot_with_the_ph_test_beside_it() -> None:
    res = cox(
        _radiant4(),
        time="time",
        event="event",
        covariates=["arm"],
        reference={"arm": "placebo"},
    )
    ax = res.plot()
    texts = [t.get_text() for t in ax.texts if t.get_gid() == "hr-text"]
    lo, hi = res.hazard_ratios.iloc[1][["lower", "upper"]]
    assert texts == ["", "reference", f"0.56 ({lo:.2f}–{hi:.2f})"]
    assert [t.get_text() for t in ax.texts if t.get_gid() == "ph-text"] == ["<0.001"]
    assert ax.get_xscale() == "log"
    plt.close("all")


def test_bad_columns_and_single_level_covariates_raise_input_errors() -> None:
    df = _radiant4()
    with pytest.raises(InputError, match="covariates='arms'"):
        cox(df, time="time", event="event", covariates=["arms"])
    with pytest.raises(InputError, match="one level"):
        cox(df.assign(x="same"), time="time", event="event", covariates=["x"])
    with pytest.raises(InputError, match="did not converge"):
        cox(df.assign(age=60.0), time="time", event="event", covariates=["arm", "age"])
    with pytest.raises(InputError, match="reference"):
        cox(df, time="time", event="event", covariates=["arm"], reference={"arm": "none"})


# ---- case weights, delayed entry, strata, Breslow ties: R survival::coxph ------------------
# tests/reference/make_reference_methods.R, section (e): veteran with case weights w (1, 2, 3)
# and entry times; R writes 15 digits. lifelines (Efron) converges to ~1e-12 of R's
# coefficients with netsurv's tighter step tolerance, statsmodels (Breslow) to ~1e-12:
# compared at 1e-8 (coefficients, absolute) and 1e-7 (standard errors, relative).
COX_CASES = {
    "efron_weights": {"weights": "w"},
    "efron_entry": {"entry": "entry"},
    "efron_weights_entry_strata": {"weights": "w", "entry": "entry", "strata": "celltype"},
    "breslow": {"ties": "breslow"},
    "breslow_entry_strata": {"ties": "breslow", "entry": "entry", "strata": "celltype"},
}


@pytest.mark.parametrize("case", list(COX_CASES))
def test_weights_entry_strata_and_ties_pass_through_to_equal_r_coxph(case: str) -> None:
    from tests.paths import REFERENCE

    d = pd.read_csv(REFERENCE / "methods_data_veteran_cox.csv")
    d["trt"] = d["trt"].astype(str)
    kw = COX_CASES[case]
    covs = ["trt", "karno"] if "strata" in kw else ["trt", "celltype", "karno"]
    res = cox(d, time="time", event="status", covariates=covs, ph_sample=None, **kw)
    ref = pd.read_csv(REFERENCE / "methods_cox.csv").query("case == @case")
    ours = res.hazard_ratios[~res.hazard_ratios["reference"]]
    # R's term order: factor(trt)2, celltype levels (alphabetical, adeno first), karno
    np.testing.assert_allclose(ours["coef"], ref["coef"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours["std_err"], ref["std_err"], rtol=1e-7)
    assert res.ties == kw.get("ties", "efron")
    assert ("Breslow" in res.method) == (kw.get("ties") == "breslow")


def test_breslow_ties_refuse_case_weights() -> None:
    d = pd.DataFrame(
        {"t": [1.0, 2, 3, 4], "e": [1, 1, 0, 1], "g": ["a", "b", "a", "b"], "w": [1.0, 2, 1, 1]}
    )
    with pytest.raises(InputError, match="breslow"):
        cox(d, time="t", event="e", covariates=["g"], weights="w", ties="breslow")
    with pytest.raises(InputError, match="ties"):
        cox(d, time="t", event="e", covariates=["g"], ties="exact")
    with pytest.raises(InputError, match="entry"):
        cox(d.assign(s=[0.0, 3, 0, 0]), time="t", event="e", covariates=["g"], entry="s")
