"""Issue 13, item 7: R's timefix near the largest double.

R ``aeqSurv`` ties distinct times closer than sqrt(eps) ~ 1.5e-8 relative to their mean absolute
value. The mean of six times near 1.7e308 overflowed to inf in float64 (R's mean accumulates in
long double), so every gap looked tied and six times collapsed into one. By hand: the gaps are
1e306, the tolerance 1.5e-8 x 1.675e308 ~ 2.5e300, so no two are tied — R keeps all six
(the attack's R run, survfit on the same data).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import netsurv as ns
from netsurv.counting.kernel import timefix

HUGE = np.array([1.7e308, 1.69e308, 1.68e308, 1.67e308, 1.66e308, 1.65e308])


def test_times_near_the_largest_double_stay_distinct() -> None:
    fixed, _ = timefix(HUGE)
    np.testing.assert_array_equal(fixed, HUGE)


def test_kaplan_meier_keeps_six_huge_times() -> None:
    df = pd.DataFrame({"t": HUGE, "d": [1, 0, 1, 1, 0, 1]})
    frame = ns.kaplan_meier(df, time="t", event="d").to_frame()
    assert len(frame) == 6
    # no censoring before the first death at 1.65e308: 6 at risk, one dies -> 5/6
    assert frame["survival"].iloc[0] == 5 / 6


def test_near_ties_of_huge_times_are_still_merged() -> None:
    # a relative gap of 1e-12 is round-off at any scale: merged, as at scale 1
    u = np.array([1e300, 1e300 * (1 + 1e-12), 2e300])
    fixed, _ = timefix(u)
    assert fixed.tolist() == [1e300, 1e300, 2e300]
