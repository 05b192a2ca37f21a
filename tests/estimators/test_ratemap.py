"""One RateMap for every relative-survival function: ``rates=`` and the keywords agree.

Expected values are those of the same call written with keywords (the API before RateMap);
the R comparisons of the estimators themselves are in test_relative.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.errors import InputError
from netsurv.estimators.relative.lifetable import relative_life_table
from tests.paths import REFERENCE

pytestmark = pytest.mark.filterwarnings("ignore:follow-up runs past:UserWarning")
KEYWORDS = dict(age="age_years", sex="sex", year="year_dx", zero_time=None)
# the life table always leaves zero follow-up out: it takes no zero_time= keyword
TABLE_KEYWORDS = {k: v for k, v in KEYWORDS.items() if k != "zero_time"}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "relsurv_data.csv")


def test_a_rate_map_gives_what_the_same_keywords_give(data):
    rates = ns.RateMap(**KEYWORDS)
    common = dict(time="months", event="status", by="group")
    common_e = dict(time="months", event="status")
    a = ns.relative_survival(data, rates=rates, **common).to_frame()
    b = ns.relative_survival(data, **KEYWORDS, **common).to_frame()
    pd.testing.assert_frame_equal(a, b)
    lt_a = relative_life_table(data, rates=rates, **common).table
    lt_b = relative_life_table(data, **TABLE_KEYWORDS, **common).table
    pd.testing.assert_frame_equal(lt_a, lt_b)
    t_a = ns.relative_survival_test(data, rates=rates, **common)
    t_b = ns.relative_survival_test(data, **KEYWORDS, **common)
    assert t_a.statistic == t_b.statistic
    e_a = ns.expected_survival(data, [12, 24], rates=rates, by="group", **common_e)
    e_b = ns.expected_survival(data, [12, 24], by="group", **common_e, **KEYWORDS)
    pd.testing.assert_frame_equal(e_a, e_b)


def test_keywords_change_the_fields_of_a_rate_map(data):
    rates = ns.RateMap(age="no such column", sex="sex", year="year_dx", zero_time=None)
    fit = ns.relative_survival(data, time="months", event="status", rates=rates, age="age_years")
    ref = ns.relative_survival(data, time="months", event="status", **KEYWORDS)
    np.testing.assert_array_equal(fit.to_frame()["survival"], ref.to_frame()["survival"])


@pytest.mark.parametrize(
    ("call", "kwargs", "match"),
    [
        (ns.relative_survival, {"agee": "age_years"}, "did you mean 'age'"),
        (ns.expected_survival, {"entry": "t0"}, "does not take entry"),
        (ns.relative_survival_test, {"entry": "t0"}, "does not take entry"),
        (relative_life_table, {"zero_time": 0.5}, "does not take zero_time"),
        (relative_life_table, {"rates": ns.RateMap(entry="t0")}, "rates with entry"),
        (ns.relative_survival, {"rates": {"age": "age_years"}}, "give a netsurv.RateMap"),
    ],
)
def test_unknown_or_unusable_fields_are_refused_by_name(data, call, kwargs, match):
    extra = {"by": "group"} if call is ns.relative_survival_test else {}
    with pytest.raises(InputError, match=match):
        call(data, time="months", event="status", **extra, **kwargs)
