"""Comparing netsurv's tables with R's reference tables (shared by the R reference tests).

Tolerances: values to rtol 1e-10 / atol 1e-12 (double precision written with 17 digits leaves
only the last-bit differences of the arithmetic); times matched to 1e-12 relative, because R
and pandas can parse a decimal like 0.14735 to neighbouring doubles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

RTOL, ATOL = 1e-10, 1e-12
TIME_RTOL = 1e-12


def match_rows(
    ours: pd.DataFrame, ref: pd.DataFrame, keys: list[str], time: str | None = "time"
) -> np.ndarray:
    """Row of ``ours`` for each row of ``ref``: equal on ``keys``, time to 1e-12 (-1: none)."""
    out = np.full(len(ref), -1)
    groups = ours.groupby(keys, sort=False).indices if keys else {(): np.arange(len(ours))}
    for i, row in enumerate(ref.itertuples(index=False)):
        key = tuple(getattr(row, k) for k in keys)
        rows = groups.get(key if len(key) != 1 else key[0], groups.get(key, np.array([], int)))
        if time is None:
            if len(rows) == 1:
                out[i] = rows[0]
            continue
        t = getattr(row, time)
        t_ours = ours[time].to_numpy(dtype=np.float64)[rows]
        hit = np.flatnonzero(np.abs(t_ours - t) <= TIME_RTOL * max(1.0, abs(t)))
        if len(hit) == 1:
            out[i] = rows[hit[0]]
    return out


def assert_close(
    ours: pd.DataFrame, ref: pd.DataFrame, columns: dict[str, str], label: str, show: list[str]
) -> None:
    """Every (ours, R) column pair agrees to rtol 1e-10, atol 1e-12, NaN == NaN."""
    bad = []
    for our_col, ref_col in columns.items():
        a = ours[our_col].to_numpy(dtype=np.float64)
        b = ref[ref_col].to_numpy(dtype=np.float64)
        wrong = ~np.isclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)
        for i in np.flatnonzero(wrong):
            bad.append(
                {**{k: ref[k].iloc[i] for k in show}, "column": our_col, "netsurv": a[i], "R": b[i]}
            )
    if bad:
        table = pd.DataFrame(bad).to_string(max_rows=40)
        pytest.fail(f"{label}: {len(bad)} values differ from R\n{table}", pytrace=False)
