"""Dickman's published Stata excess-hazard Poisson models, reproduced with conventions="strs".

Published numbers: github.com/paul-dickman/starter-academic (the source of pauldickman.com),
commit 432608cf595900370014f360bce487396241b30d, content/software/strs/modelling_poisson.md
("Modelling excess mortality using Poisson regression", 2019-03-03), transcribed as printed by
tests/reference/extract_dickman_glm.py into dickman_glm_terms.csv and dickman_glm_fit.csv.
Stata: localised colon carcinoma, ``stset surv_mm, fail(status==1 2) id(id) scale(12)``,
``strs using popmort, breaks(0(1)10) mergeby(_year sex _age) by(sex year8594 agegrp)``,
``use grouped if end < 6``, then ``glm d i.end i.sex i.year8594 i.agegrp, fam(pois)
link(rs d_star) lnoffset(y) eform`` (main) and the same with ``i.end##i.agegrp``
(interaction). Data: dickman_colon_localised.csv, dickman_popmort.csv (README_dickman.md).

Tolerances. Main model: every printed value (exp(b), its OIM standard error, z, P>|z|, CI
limits) within half a unit of its last printed digit (7 significant digits for exp(b), 3
decimals for p). Deviance and log likelihood (printed to 10 digits): within 5e-7; strs saves
y and d_star in grouped.dta as Stata floats (float32), which moves them by about 2e-7 (refitting
netsurv's grouped data rounded to float32 gives 131.4342128 and -245.9836017 exactly; see
README_dickman.md). Interaction model: the maximum likelihood estimate of the 5#75+ term is
at the boundary (exp(b) -> 0: no excess deaths in that cell), Stata stopped at 6.18e-06 when
the log likelihood changed by less than its ltolerance(1e-7), so its other estimates are not
converged either (its deviance exceeds even the best fit with 5#75+ held at 6.18e-06,
62.6871978): exp(b), its standard error and CI limits within 3e-4 relative (observed 2.2e-4),
z within 0.01 and p within 1e-3 (observed 0.0049 and 5.1e-4: printed to 2 and 3 decimals), and
netsurv's deviance is lower (closer to the maximum) by less than 1e-5 (observed 4.0e-6).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import netsurv as ns
from netsurv.errors import InputError
from netsurv.ratetables import RateTable
from tests.estimators import dickman
from tests.paths import REFERENCE

AGEGRP = ["0-44", "45-59", "60-74", "75+"]  # colon.dta's label agegrp (ages 18-44, ...)
PRINTED = ["exp_b", "std_err", "z", "p", "lower", "upper"]


@pytest.fixture(scope="module")
def popmort() -> RateTable:
    return dickman.popmort()


@pytest.fixture(scope="module")
def colon() -> pd.DataFrame:
    d = dickman.colon()
    d["years"] = d["surv_mm"] / 12  # scale(12)
    d["sex"] = pd.Categorical(d["sex"], ["Male", "Female"])  # Stata: sex 1 male (base)
    d["year8594"] = d["year8594"].map(
        {"Diagnosed 75-84": "Dx 75-84", "Diagnosed 85-94": "Dx 85-94"}
    )
    d["agegrp"] = pd.cut(d["age"], [0, 44, 59, 74, 120], labels=AGEGRP)
    return d


def _fit(colon: pd.DataFrame, popmort: RateTable, interactions=()) -> ns.ExcessHazardResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # follow-up beyond popmort's last year
        return ns.excess_hazard(
            colon,
            time="years",
            event="dead",
            covariates=["sex", "year8594", "agegrp"],
            breaks=[0, 1, 2, 3, 4, 5],  # breaks(0(1)10), then end < 6
            interactions=interactions,
            time_unit="years",
            age="age",
            year="yydx",
            lifetable=popmort,
            conventions="strs",
        )


def _as_stata(fit: ns.ExcessHazardResult) -> pd.DataFrame:
    """netsurv's estimates in Stata's parametrisation: _cons, end k versus end 1, factors."""
    rows = []
    cols = [f"interval={lab}" for lab in fit.levels["interval"]]
    for k in range(1, len(cols)):  # end k+1: log excess hazard ratio to the first interval
        c = np.zeros(len(fit.params))
        c[fit.params.index.get_loc(cols[k])], c[fit.params.index.get_loc(cols[0])] = 1, -1
        b, se = c @ fit.params.to_numpy(), np.sqrt(c @ fit.cov.to_numpy() @ c)
        rows.append({"term": "end", "level": str(k + 1), "coef": b, "std_err": se})
    for t in fit.table.loc[~fit.table["reference"]].itertuples():
        term, level = t.term, str(t.level)
        if term == "interval:agegrp":  # "(1, 2]:45-59" -> end#agegrp "2#45-59"
            interval, age = level.split(":")
            term, level = "end#agegrp", f"{interval.split(', ')[1][:-1]}#{age}"
        rows.append({"term": term, "level": level, "coef": t.coef, "std_err": t.std_err})
    b0 = fit.baseline.iloc[0]
    rows.append({"term": "_cons", "level": "", "coef": b0["coef"], "std_err": b0["std_err"]})
    out = pd.DataFrame(rows)
    b, se, z = out["coef"], out["std_err"], stats.norm.ppf(0.975)
    with np.errstate(over="ignore"):  # the boundary term's upper limit is inf
        return pd.DataFrame(
            {
                "term": out["term"],
                "level": out["level"],
                "exp_b": np.exp(b),
                "std_err": np.exp(b) * se,  # Stata's eform standard error (delta method)
                "z": b / se,
                "p": 2 * stats.norm.sf(np.abs(b / se)),
                "lower": np.exp(b - z * se),
                "upper": np.exp(b + z * se),
            }
        )


def _published(model: str) -> pd.DataFrame:
    terms = pd.read_csv(REFERENCE / "dickman_glm_terms.csv", dtype=str, keep_default_na=False)
    return terms.loc[terms["model"] == model].reset_index(drop=True)


def _half_unit(printed: str) -> float:
    """Half a unit in the last printed digit of a Stata number ("1.071568", "6.18e-06")."""
    mantissa, _, exponent = printed.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (int(exponent or 0) - decimals)


def _fit_stats(model: str) -> pd.Series:
    fits = pd.read_csv(REFERENCE / "dickman_glm_fit.csv").set_index("model")
    return fits.loc[model]


def _ours(fit: ns.ExcessHazardResult, published: pd.DataFrame) -> pd.DataFrame:
    got = published[["term", "level"]].merge(_as_stata(fit), how="left")
    assert len(got) == len(published)
    assert not got.isna().any().any()
    return got


def test_main_effects_model_reproduces_every_printed_digit(colon, popmort):
    fit = _fit(colon, popmort)
    published = _published("main")
    got = _ours(fit, published)
    for col in PRINTED:  # Stata: glm d i.end i.sex i.year8594 i.agegrp, ... eform
        tol = published[col].map(_half_unit).to_numpy() * (1 + 1e-9)
        diff = np.abs(got[col].to_numpy() - published[col].astype(float).to_numpy())
        assert (diff <= tol).all(), (col, got.loc[diff > tol, ["term", "level"]], diff)
    head = _fit_stats("main")
    assert len(fit.groups) == head["n_obs"] == 80
    assert fit.df_resid == head["df_resid"] == 70
    assert fit.deviance == pytest.approx(head["deviance"], abs=5e-7)  # float32 y, d_star
    assert fit.llf == pytest.approx(head["llf"], abs=5e-7)
    assert fit.aic / 80 == pytest.approx(head["aic"], abs=5e-6)  # Stata prints AIC per obs.


def test_interaction_model_agrees_up_to_statas_stopping_point_at_the_boundary(colon, popmort):
    fit = _fit(colon, popmort, interactions=[("interval", "agegrp")])
    published = _published("interaction")
    got = _ours(fit, published)
    boundary = (published["level"] == "5#75+").to_numpy()
    pub = published.loc[~boundary]
    ours = got.loc[~boundary]
    for col in ["exp_b", "std_err", "lower", "upper"]:  # Stata: glm d i.end##i.agegrp ...
        np.testing.assert_allclose(ours[col], pub[col].astype(float), rtol=3e-4, err_msg=col)
    np.testing.assert_allclose(ours["z"], pub["z"].astype(float), rtol=0, atol=1e-2)
    np.testing.assert_allclose(ours["p"], pub["p"].astype(float), rtol=0, atol=1e-3)
    # 5#75+: Stata's 6.18e-06 (p 0.988, CI 0 to .) is a step on the way to exp(b) = 0
    at_edge = got.loc[boundary].iloc[0]
    assert at_edge["exp_b"] < 6.18e-06 and at_edge["lower"] == 0 and at_edge["p"] > 0.98
    head = _fit_stats("interaction")
    assert len(fit.groups) == head["n_obs"] == 80
    assert fit.df_resid == head["df_resid"] == 58
    assert 0 < head["deviance"] - fit.deviance < 1e-5
    assert 0 < fit.llf - head["llf"] < 5e-6


def test_the_boundary_term_under_r_conventions_is_a_netsurv_error(colon, popmort) -> None:
    # R glm's IRLS cannot fit 5#75+ (its excess hazard ratio is 0): a one-line netsurv error
    # that says why and what to do, not statsmodels' "NaN, inf or invalid value in endog"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(InputError, match="conventions='strs'"):
            ns.excess_hazard(
                colon,
                time="years",
                event="dead",
                covariates=["sex", "year8594", "agegrp"],
                breaks=[0, 1, 2, 3, 4, 5],
                interactions=[("interval", "agegrp")],
                time_unit="years",
                age="age",
                year="yydx",
                lifetable=popmort,
            )
