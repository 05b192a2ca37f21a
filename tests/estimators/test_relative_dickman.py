"""Dickman's published Stata strs life tables, reproduced with conventions="strs".

Published numbers (4 decimals, transcribed by tests/reference/extract_dickman_colon.py) and
data: github.com/paul-dickman/starter-academic (the source of pauldickman.com), commit
432608cf595900370014f360bce487396241b30d:

* content/software/strs/survival.md ("Life table estimation of relative survival with strs",
  2019-03-02): localised colon carcinoma by sex, ``stset surv_mm, ... scale(12)``,
  ``strs using popmort, breaks(0(1)10) mergeby(_year sex _age) by(sex)``;
* content/software/stata/four-methods-nonparametric.md (2019-03-13): the same patients by
  period of diagnosis, ``stset exit, origin(dx) ... scale(365.24)``,
  ``strs ..., br(0(1)20) ... by(year8594) pohar`` (Ederer II and Pohar Perme columns);
* data: static/data/colon.dta and static/data/popmort.dta (see README_dickman.md).

Tolerance 5e-5: the published values are rounded to 4 decimals (observed max 4.98e-5 over
251 values; counts exactly equal).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from netsurv.estimators.relative.lifetable import relative_life_table
from netsurv.ratetables import RateTable
from tests.estimators import dickman
from tests.paths import REFERENCE

ROUNDING = 5e-5 + 1e-12  # half a unit in the 4th decimal


@pytest.fixture(scope="module")
def popmort() -> RateTable:
    return dickman.popmort()


@pytest.fixture(scope="module")
def colon() -> pd.DataFrame:
    d = dickman.colon(parse_dates=["dx", "exit"])
    d["years"] = (d["exit"] - d["dx"]).dt.days / 365.24  # scale(365.24)
    return d


def _compare(got: pd.DataFrame, published: pd.DataFrame, pairs: dict[str, str]) -> None:
    assert len(got) == len(published)
    for pub, ours in pairs.items():
        if pub in ("n", "d", "w"):
            assert got[ours].tolist() == published[pub].tolist(), pub
        else:
            np.testing.assert_allclose(
                got[ours], published[pub], rtol=0, atol=ROUNDING, err_msg=pub
            )


def test_relative_survival_by_sex_from_completed_months(colon, popmort):
    published = pd.read_csv(REFERENCE / "dickman_strs_by_sex.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # follow-up beyond the table's last year
        lt = relative_life_table(
            colon,
            time="surv_mm",  # stset surv_mm, scale(12): intervals of 12 months
            event="dead",
            by="sex",
            width=12,
            age="age",
            year="yydx",
            lifetable=popmort,
            conventions="strs",
        ).table
    got = published[["sex", "start"]].merge(lt.assign(start=lt["start"] / 12), how="left")
    _compare(
        got,
        published,
        {
            "n": "n_start",
            "d": "n_events",
            "w": "n_lost",
            "p": "interval_survival",
            "p_star": "interval_expected",
            "r": "interval_relative",
            "cp": "survival",
            "cp_e2": "expected",
            "cr_e2": "relative",
            "lo_cr_e2": "lower_relative",
            "hi_cr_e2": "upper_relative",
        },
    )


def test_ederer2_and_pohar_perme_by_period_from_exact_dates(colon, popmort):
    published = pd.read_csv(REFERENCE / "dickman_strs_four_methods.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        lt = relative_life_table(
            colon,
            time="years",
            event="dead",
            by="year8594",
            width=1,
            time_unit="years",  # netsurv's year is 365.24 days, as scale(365.24)
            age="age",
            year="yydx",
            lifetable=popmort,
            conventions="strs",
            pohar=True,
        ).table
    got = published[["year8594", "start"]].merge(lt, how="left")
    _compare(
        got,
        published,
        {"n": "n_start", "d": "n_events", "w": "n_lost", "cr_e2": "relative", "cns_pp": "net"},
    )
