"""Age-standardised net survival with ICSS weights."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.errors import InputError
from netsurv.estimators.standardize import AGE_GROUPS, ICSS, UNDER_15, standardize

pytestmark = pytest.mark.filterwarnings("ignore:follow-up runs past:UserWarning")


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    return ns.datasets.simulate_registry(3000, seed=31)


def test_icss_weights_are_the_published_broad_groups():
    # Corazziari et al. 2004 via methods-anchors.md section 3
    assert list(ICSS["ICSS1"].values()) == [0.07, 0.12, 0.23, 0.29, 0.29]
    assert list(ICSS["ICSS2"].values()) == [0.28, 0.17, 0.21, 0.20, 0.14]
    assert list(ICSS["ICSS3"].values()) == [0.60, 0.10, 0.10, 0.10, 0.10]
    for w in ICSS.values():
        assert sum(w.values()) == pytest.approx(1.0)


def test_standardised_value_is_the_weighted_sum_of_age_group_estimates(registry):
    res = standardize(registry, by="extent", times=[12, 60])
    df = registry.assign(
        age_group=pd.cut(
            registry["age_dx"], [15, 45, 55, 65, 75, np.inf], right=False, labels=list(AGE_GROUPS)
        )
    )
    sub = df[(df["extent"] == "localized")]
    total, var = 0.0, 0.0
    for g, w in ICSS["ICSS1"].items():  # one separate fit per age group, combined by hand
        fit = ns.relative_survival(sub[sub["age_group"] == g])
        at = fit.at([60]).iloc[0]
        total += w * at["survival"]
        var += w**2 * at["std_err"] ** 2
    row = res.table[(res.table["extent"] == "localized") & (res.table["time"] == 60)].iloc[0]
    assert row["survival"] == pytest.approx(total, rel=1e-12)
    assert row["std_err"] == pytest.approx(np.sqrt(var), rel=1e-12)


def test_patients_under_15_are_left_out_and_counted(registry):
    df = registry.copy()
    df.loc[df.index[:7], "age_dx"] = 10.0
    res = standardize(df, by="extent")
    assert res.excluded[UNDER_15] == int((df.loc[df.index[:7], "exclusion"].isna()).sum())


def test_an_age_group_too_small_withholds_the_estimate_and_says_why(registry):
    df = registry[~((registry["extent"] == "distant") & (registry["age_dx"] < 45))]
    df = pd.concat(
        [
            df,
            registry[
                (registry["extent"] == "distant")
                & (registry["age_dx"] < 45)
                & registry["exclusion"].isna()
            ].head(3),
        ]
    )
    res = standardize(df, by="extent", min_patients=10)
    dist = res.table[res.table["extent"] == "distant"]
    assert dist["survival"].isna().all()
    assert dist["note"].str.contains("15-44").all()
    loc = res.table[res.table["extent"] == "localized"]
    assert loc["survival"].notna().all() and loc["note"].isna().all()


def test_custom_weights_must_cover_the_age_groups_and_sum_to_one(registry):
    with pytest.raises(InputError, match="sum to 1"):
        standardize(registry, standard=dict.fromkeys(AGE_GROUPS, 0.3))
    with pytest.raises(InputError, match="ICSS"):
        standardize(registry, standard="ICSS4")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        even = standardize(registry, standard=dict.fromkeys(AGE_GROUPS, 0.2), times=[12])
    assert even.weights == dict.fromkeys(AGE_GROUPS, 0.2)
