"""Net survival recovers the simulator's known cancer-only survival (a test of the estimator).

The simulated registry draws background deaths from the same US life tables that
``relative_survival`` uses, and cancer deaths from known hazards, so Pohar Perme net survival
must converge to the simulator's analytic net survival (``true_survival(kind="net")``).
Tolerance: 4 standard errors of the estimate (plus 0.002 for whole-month rounding of death
times), per extent and time.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import netsurv as ns
from netsurv.datasets import true_survival


@pytest.fixture(scope="module")
def registry():
    return ns.datasets.simulate_registry(60_000, seed=11, truth=True)


def test_pohar_perme_matches_the_simulators_true_net_survival(registry):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # follow-up past 2020: 2020 rates carried forward
        fit = ns.relative_survival(registry, by="extent")
    got = fit.at([11, 35, 59])
    truth = true_survival(registry, 60, by="extent", kind="net")
    checked = 0
    for row in got.itertuples():
        if row.extent == "unknown" or np.isnan(row.survival):
            continue
        ref = truth[(truth["extent"] == row.extent) & (truth["time"] == row.time)]
        if ref.empty:
            continue
        assert abs(row.survival - ref["survival"].iloc[0]) < 4 * row.std_err + 0.002, row
        checked += 1
    assert checked >= 6


def test_deaths_in_month_zero_are_events_not_dropped(registry):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ns.relative_survival(registry, by="extent")
    assert "zero follow-up (no time at risk)" not in fit.excluded.index
