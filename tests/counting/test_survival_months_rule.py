"""Issue 13, item 7: SEER months 99999999 and inf are not usable survival times.

SEER survival months are four digits with 9999 = unknown (rulebook: ``SURVIVAL_MONTHS_MAX``),
so a larger or infinite value is "survival months unknown" — in ``netsurv.read`` (via
``netsurv.io.canonical``) and in every engine counting the raw file with
``registry_rules=True``. Before, both rows were returned as usable.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.counting.sources import available_engines, to_counts
from netsurv.io.canonical import finalize
from netsurv.rules import EXCLUSION_REASONS, SURVIVAL_MONTHS_MAX

UNKNOWN = EXCLUSION_REASONS["survival_unknown"]


def _raw() -> pd.DataFrame:
    months = [12.0, 99999999.0, np.inf, 9998.0, 9999.0 + 1, 0.0, 30.0, 45.0]
    return pd.DataFrame(
        {
            "survival_months": months,
            "dead": [True, False, True, False, True, True, False, True],
            "arm": ["a", "b", "a", "b", "a", "b", "a", "b"],
        }
    )


def test_the_reader_calls_implausible_months_unknown() -> None:
    out = finalize(_raw())
    # rows 1 (99999999), 2 (inf), 4 (10000): more than SURVIVAL_MONTHS_MAX = 9998
    assert SURVIVAL_MONTHS_MAX == 9998
    assert out["exclusion"].eq(UNKNOWN).tolist() == [False, True, True, False, True] + [False] * 3


@pytest.mark.filterwarnings("ignore")
def test_every_engine_leaves_out_the_same_rows(tmp_path: Path) -> None:
    path = tmp_path / "raw.parquet"
    _raw().to_parquet(path)
    expected = ns.counts(ns.read(path), time="survival_months", event="dead", by="arm")
    assert expected.excluded.to_dict() == {UNKNOWN: 3}
    assert expected.to_frame()["time"].max() == 9998
    for engine in available_engines():
        if engine == "dask":
            continue  # needs a client fixture; arrow and duckdb cover both rule implementations
        got = to_counts(path, by="arm", engine=engine, registry_rules=True)
        assert got.excluded.to_dict() == {UNKNOWN: 3}, engine
        pd.testing.assert_frame_equal(got.to_frame(), expected.to_frame(), check_dtype=False)
