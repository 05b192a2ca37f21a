"""Invariance of the cumulative incidence (Aalen–Johansen) across the ways of counting.

    expanded rows  =  integer-weighted rows  =  DataFrame in memory
                   =  Parquet read by DuckDB  =  by pyarrow batches  =  by Dask

to 1e-12. The estimate is a deterministic function of two counts tables (all deaths; deaths
of the cause) on the same rows, and integer weights are exact in float64, so the counts are
identical and 1e-12 leaves room for nothing but summation order. The identity
CIF_cancer + CIF_other = 1 − S (all-cause Kaplan–Meier on the rows of known cause) is checked
on the engine path against ``netsurv.estimators.kaplan_meier`` in memory.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.counting.sources import to_counts
from netsurv.errors import InputError
from netsurv.estimators.competing import cumulative_incidence, cumulative_incidence_from_counts

TOL = 1e-12
VALUES = [
    "n_at_risk",
    "n_cancer",
    "n_other",
    "n_censored",
    "cif_cancer",
    "se_cancer",
    "lower_cancer",
    "upper_cancer",
    "cif_other",
    "se_other",
    "lower_other",
    "upper_other",
    "survival",
]


def weighted_registry(seed: int, n: int = 300) -> pd.DataFrame:
    """Weighted rows (weights 1..5) with every rule: unknown cause among the dead and among
    the living, missing follow-up, a reader's exclusion reason, unknown ``dead``."""
    rng = np.random.default_rng(seed)
    dead = rng.random(n) < 0.6
    cancer = pd.array(np.where(dead, rng.random(n) < 0.5, False), dtype="boolean")
    cancer[rng.random(n) < 0.15] = pd.NA  # cause unknown (dead: left out; alive: ignored)
    df = pd.DataFrame(
        {
            "survival_months": rng.integers(0, 60, n).astype(float),
            "dead": pd.array(dead, dtype="boolean"),
            "cancer_death": cancer,
            "extent": pd.Categorical(
                rng.choice(["localized", "regional", "distant"], n),
                categories=["localized", "regional", "distant"],
                ordered=True,
            ),
            "site": rng.choice(["pancreas", "small intestine", "lung"], n),
            "weight": rng.integers(1, 6, n),
        }
    )
    df.loc[::13, "survival_months"] = np.nan
    df.loc[5::29, "dead"] = pd.NA
    df["exclusion"] = pd.array([None] * n, dtype="string")
    df.loc[::17, "exclusion"] = "death certificate only"
    return df


def expand(df: pd.DataFrame) -> pd.DataFrame:
    return df.loc[df.index.repeat(df["weight"])].drop(columns="weight").reset_index(drop=True)


def assert_same(a: pd.DataFrame, b: pd.DataFrame, by: list[str]) -> None:
    assert len(a) == len(b)
    for col in by:
        assert a[col].astype(str).tolist() == b[col].astype(str).tolist()
    np.testing.assert_array_equal(a["time"].to_numpy(float), b["time"].to_numpy(float))
    for col in VALUES:
        np.testing.assert_allclose(
            a[col].to_numpy(float),
            b[col].to_numpy(float),
            rtol=0,
            atol=TOL,
            equal_nan=True,
            err_msg=col,
        )


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path, Path]:
    df = weighted_registry(7)
    root = tmp_path_factory.mktemp("cif")
    wide, long = root / "weighted.parquet", root / "expanded.parquet"
    df.to_parquet(wide, index=False)
    expand(df).to_parquet(long, index=False)
    return df, wide, long


def test_integer_weighted_rows_give_the_expanded_rows_incidence(data):
    df, _, _ = data
    by = ["extent", "site"]
    weighted = cumulative_incidence(df, by=by, weights="weight").to_frame()
    expanded = cumulative_incidence(expand(df), by=by).to_frame()
    assert_same(weighted, expanded, by)


@pytest.mark.parametrize("engine", ["duckdb", "arrow", "dask"])
@pytest.mark.parametrize("weighted", [True, False])
def test_parquet_counted_by_an_engine_gives_the_in_memory_incidence(data, engine, weighted):
    df, wide, long = data
    frame, path = (df, wide) if weighted else (expand(df), long)
    w = "weight" if weighted else None
    by = ["extent", "site"]
    mem = cumulative_incidence(frame, by=by, weights=w)
    out = cumulative_incidence(str(path), by=by, weights=w, engine=engine)
    assert_same(out.to_frame(), mem.to_frame(), by)
    # the same rows are left out for the same reasons, unknown cause among them
    assert out.excluded.to_dict() == mem.excluded.to_dict()
    assert mem.excluded["dead, cancer_death unknown"] > 0


def test_parquet_path_defaults_to_an_engine(data):
    df, wide, _ = data
    mem = cumulative_incidence(df, by="extent", weights="weight").to_frame()
    out = cumulative_incidence(wide, by="extent", weights="weight").to_frame()
    assert_same(out, mem, ["extent"])


def test_engine_incidences_add_up_to_one_minus_overall_km(data):
    df, _, long = data
    rows = expand(df)
    ci = cumulative_incidence(long, by="extent", engine="duckdb").to_frame()
    # independent all-cause Kaplan–Meier in memory on the rows of known cause
    # (the dead with an unknown cause and the rows with an exclusion reason left out)
    unknown = rows["dead"].fillna(False) & rows["cancer_death"].isna()
    known = rows[~unknown.to_numpy(dtype=bool)]
    km = ns.kaplan_meier(known, by="extent").to_frame()
    assert len(ci) == len(km)
    np.testing.assert_array_equal(ci["n_at_risk"].to_numpy(float), km["n_at_risk"].to_numpy(float))
    np.testing.assert_allclose(
        ci["cif_cancer"] + ci["cif_other"], 1 - km["survival"], rtol=0, atol=TOL
    )


def test_hand_computed_incidence_from_a_parquet_file(tmp_path):
    # t: 1 cancer, 2 other, 3 censored (cause NA: ignored), 4 cancer; n = 4, 3, 2, 1;
    # t = 5: dead of unknown cause (left out), t = 6: dead unknown (left out)
    df = pd.DataFrame(
        {
            "t": [1.0, 2, 3, 4, 5, 6],
            "dead": pd.array([True, True, False, True, True, None], dtype="boolean"),
            "cancer_death": pd.array([True, False, None, True, None, True], dtype="boolean"),
        }
    )
    path = tmp_path / "toy.parquet"
    df.to_parquet(path, index=False)
    for engine in ("duckdb", "arrow"):
        ci = cumulative_incidence(path, time="t", engine=engine)
        f = ci.to_frame()
        # by hand: S = 3/4, 1/2, 1/2, 0; CIF_cancer = 1/4, 1/4, 1/4, 1/4 + (1/2)(1/1)
        assert f["time"].tolist() == [1.0, 2.0, 3.0, 4.0]
        assert f["cif_cancer"].tolist() == pytest.approx([0.25, 0.25, 0.25, 0.75], abs=TOL)
        assert f["cif_other"].tolist() == pytest.approx([0, 0.25, 0.25, 0.25], abs=TOL)
        assert ci.excluded.to_dict() == {"dead, cancer_death unknown": 1, "missing dead": 1}


def test_unknown_dead_status_is_left_out_of_both_counts_in_memory():
    # a row with dead NA at its own time must not shift the cause counts (same 4 rows as
    # the hand example: CIF_cancer = 1/4, 1/4, 1/4, 3/4 by hand)
    df = pd.DataFrame(
        {
            "t": [1.0, 2, 2.5, 3, 4],
            "dead": pd.array([True, True, None, False, True], dtype="boolean"),
            "cancer_death": pd.array([True, False, True, None, True], dtype="boolean"),
        }
    )
    ci = cumulative_incidence(df, time="t")
    assert ci.to_frame()["cif_cancer"].tolist() == pytest.approx([0.25, 0.25, 0.25, 0.75])
    assert ci.excluded.to_dict() == {"missing dead": 1}


def test_counts_of_different_rows_are_refused():
    df = pd.DataFrame({"t": [1, 2, 3], "dead": [1, 1, 0], "cancer_death": [1, 0, 0]})
    c_all = to_counts(df, time="t", cause="cancer_death")
    other = to_counts(df.iloc[:2], time="t", cause="cancer_death", cause_events=True)
    with pytest.raises(InputError, match="same rows"):
        cumulative_incidence_from_counts(c_all, other)


def test_cause_events_without_a_cause_column_is_refused():
    df = pd.DataFrame({"t": [1, 2], "dead": [1, 0]})
    with pytest.raises(InputError, match="cause="):
        to_counts(df, time="t", cause_events=True)


@pytest.mark.parametrize("engine", ["duckdb", "arrow"])
def test_cause_rule_with_late_entry_counts_the_same_rows_as_numpy(data, engine):
    df, _, _ = data
    rows = df.assign(entry=np.floor(df["survival_months"] * 0.3))
    for cause_events in (False, True):
        kw = {
            "by": "extent",
            "weights": "weight",
            "entry": "entry",
            "cause": "cancer_death",
            "cause_events": cause_events,
        }
        a = to_counts(rows, **kw)
        b = to_counts(rows, engine=engine, **kw)
        pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
        assert a.excluded.to_dict() == b.excluded.to_dict()
