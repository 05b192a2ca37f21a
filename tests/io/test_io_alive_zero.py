""" "Alive with no survival time" as SEER*Stat decides it with pre-calculated months.

Source: SEER*Stat help, Survival Parameters Tab
(https://seer.cancer.gov/help/seerstat/survival-session/survival-parameters-tab): "Cases that
are alive and have zero survival duration are deleted from the analysis ... For pre-calculated,
there is a flag associated with the selected duration variable. While the duration field may
only be available in months, the flag will allow SEER*Stat to only consider zero days as zero
survival. In this case, there can be cases lost to follow-up in the first monthly interval."
Flags (NAACCR #1784/#1786): 0 complete dates, 0 days; 1 complete dates, > 0 days; 2 incomplete
dates, could be 0 days; 3 incomplete dates, cannot be 0 days.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.counting.sources import to_counts
from netsurv.io.canonical import finalize

ZERO = "alive with no survival time"


def _raw() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "survival_months": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 5.0],
            "dead": pd.array([False, False, False, False, False, True, False], dtype="boolean"),
            "survival_flag": ["0", "1", "2", "3", None, "0", "1"],
            "arm": ["x"] * 7,
        }
    )


def test_alive_at_0_months_is_excluded_only_when_0_days_is_possible() -> None:
    reasons = finalize(_raw())["exclusion"]
    # flag 0 and 2 (zero days possible) and no flag: excluded; flag 1 and 3 (> 0 days): kept;
    # a death at 0 months is an event at t = 0
    assert reasons.eq(ZERO).tolist() == [True, False, True, False, True, False, False]
    assert reasons.isna().tolist() == [False, True, False, True, False, True, True]


def test_without_a_flag_column_every_alive_case_at_0_months_is_excluded() -> None:
    raw = _raw().drop(columns="survival_flag")
    reasons = finalize(raw)["exclusion"]
    assert reasons.eq(ZERO).tolist() == [True] * 5 + [False, False]


def test_kept_cases_count_as_lost_in_the_first_month() -> None:
    fit = ns.kaplan_meier(finalize(_raw()))
    first = fit.to_frame().iloc[0]
    # 4 rows enter (flags 1, 3, the death, the 5-month case): the death at t = 0 and the two
    # kept cases censored at 0 months
    assert (first["time"], first["n_at_risk"], first["n_events"], first["n_censored"]) == (
        0,
        4,
        1,
        2,
    )


@pytest.mark.parametrize("engine", ["arrow", "duckdb"])
def test_engines_apply_the_same_rule_as_the_reader(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "raw.parquet"
    _raw().to_parquet(path)
    expected = ns.counts(ns.read(path), by="arm")
    assert expected.excluded[ZERO] == 3
    got = to_counts(path, by="arm", engine=engine, registry_rules=True)
    assert got.excluded.sort_index().to_dict() == expected.excluded.sort_index().to_dict()
    for name in ("time", "n_events", "n_censored", "n_at_risk"):
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name), err_msg=name)
