"""One rulebook: every estimator gives the same answer in memory and through every engine.

The groups are every label of the classification vocabulary (netsurv.codes._vocab) plus
missing values in every form a file can carry them (NA, None, NaN; in CSV text the strings
pandas' read_csv reads as missing, e.g. "NULL", "nan", "NA", "N/A", ""). The in-memory answer
is the reference: a DataFrame (or the CSV read by pandas) through the numpy kernel; every
engine must reproduce it exactly (counts are integer sums in float64). This is the test the
layout issue asked for after `logrank` gave dof 3 in memory and 2 on an engine.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.codes._vocab import DIFFERENTIATION, EXTENT, GRADE, NEN_TYPE, SITE_GROUP
from netsurv.rules import EXCLUSION_REASONS

ENGINES = ["arrow", "duckdb", "dask"]
LABELS = sorted({*EXTENT, *GRADE, *DIFFERENTIATION, *NEN_TYPE, *SITE_GROUP})
CSV_MISSING = ["NULL", "nan", "NA", "N/A", ""]  # text a CSV file carries for "no value"


def _frame(seed: int = 3, n: int = 1200) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    labels = np.array([*LABELS, None, np.nan], dtype=object)
    group = labels[rng.integers(0, len(labels), n)]
    group[: len(LABELS)] = LABELS  # every label occurs
    reasons = np.array([None, *EXCLUSION_REASONS.values()], dtype=object)
    exclusion = np.where(rng.random(n) < 0.1, reasons[rng.integers(1, len(reasons), n)], None)
    time = rng.integers(0, 60, n).astype(float)
    time[rng.random(n) < 0.03] = np.nan
    dead = rng.random(n) < 0.5
    cancer = np.where(dead, rng.random(n) < 0.6, False).astype(object)
    cancer[dead & (rng.random(n) < 0.1)] = None  # cause unknown
    return pd.DataFrame(
        {
            "survival_months": time,
            "dead": dead.astype(int),
            "cancer_death": pd.array(cancer, dtype="boolean"),
            "group": group,
            "stage": rng.choice(["localized", "regional", "distant"], n),
            "exclusion": pd.array(exclusion, dtype="string"),
        }
    )


# estimator name -> (call, numbers that must agree)
def _km(src: Any, **kw: Any) -> pd.DataFrame:
    fit = ns.kaplan_meier(src, by="group", **kw)
    return fit.to_frame().assign(n_excluded=int(fit.excluded.sum()))


def _logrank(src: Any, **kw: Any) -> pd.DataFrame:
    res = ns.logrank(src, by="group", strata="stage", **kw)
    return res.table.assign(statistic=res.statistic, dof=res.dof, n_excluded=res.excluded.sum())


def _life(src: Any, **kw: Any) -> pd.DataFrame:
    return ns.life_table(src, by="group", width=12, **kw).table


def _cif(src: Any, **kw: Any) -> pd.DataFrame:
    return ns.cumulative_incidence(src, by="group", **kw).to_frame()


ESTIMATORS: dict[str, Callable[..., pd.DataFrame]] = {
    "kaplan_meier": _km,
    "logrank": _logrank,
    "life_table": _life,
    "cumulative_incidence": _cif,
}


def _same(got: pd.DataFrame, want: pd.DataFrame, label: str) -> None:
    assert list(got.columns) == list(want.columns), label
    assert len(got) == len(want), f"{label}: {len(got)} rows, in memory {len(want)}"
    for col in want.columns:
        a, b = got[col], want[col]
        if pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b):
            np.testing.assert_allclose(
                a.to_numpy(np.float64), b.to_numpy(np.float64), rtol=1e-12, atol=0, err_msg=label
            )
        else:
            assert a.astype(str).tolist() == b.astype(str).tolist(), f"{label}: {col}"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return _frame()


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory: pytest.TempPathFactory, frame: pd.DataFrame) -> Path:
    """The frame as a CSV file whose missing group values are written as missing-value text."""
    text = frame.copy()
    missing = text["group"].isna().to_numpy()
    fill = np.resize(np.array(CSV_MISSING, dtype=object), int(missing.sum()))
    text["group"] = text["group"].astype(object)
    text.loc[missing, "group"] = fill
    path = tmp_path_factory.mktemp("rulebook") / "registry.csv"
    text.to_csv(path, index=False, na_rep="")
    return path


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_a_dataframe_gives_the_same_answer_on_every_engine(frame, name, engine) -> None:
    estimate = ESTIMATORS[name]
    _same(estimate(frame, engine=engine), estimate(frame), f"{name} on {engine}")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_a_csv_file_gives_what_pandas_read_csv_gives(csv_file, name, engine) -> None:
    # a user reads the file with pandas, or hands its path to an engine: the same answer
    estimate = ESTIMATORS[name]
    in_memory = estimate(pd.read_csv(csv_file, dtype={"group": "string", "exclusion": "string"}))
    _same(estimate(str(csv_file), engine=engine), in_memory, f"{name} on {engine} (CSV)")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_a_parquet_file_gives_the_same_answer_on_every_engine(tmp_path, frame, name, engine):
    path = tmp_path / "registry.parquet"
    frame.to_parquet(path, index=False)
    estimate = ESTIMATORS[name]
    _same(estimate(str(path), engine=engine), estimate(frame), f"{name} on {engine} (Parquet)")


def test_unknown_primary_is_a_site_group_compared_like_the_others(frame) -> None:
    # the drift that started this: 'unknown primary site' was left out on engines only
    sites = frame.assign(group=np.where(np.arange(len(frame)) % 3, "lung", "unknown primary"))
    want = ns.logrank(sites, by="group")
    for engine in ENGINES:
        got = ns.logrank(sites, by="group", engine=engine)
        assert (got.dof, got.statistic) == pytest.approx((want.dof, want.statistic), rel=1e-12)
    assert want.dof == 1


def _many_levels(n_columns: int, levels: int, n: int, seed: int) -> pd.DataFrame:
    """Categorical columns with ``levels`` categories each (all count, present or not)."""
    rng = np.random.default_rng(seed)
    names = [f"L{k:05d}" for k in range(levels)]
    cols = {
        f"c{j}": pd.Categorical(np.array(names)[rng.integers(0, levels, n)], categories=names)
        for j in range(n_columns)
    }
    return pd.DataFrame({**cols, "t": rng.integers(1, 9, n).astype(float), "d": 1})


@pytest.mark.parametrize("engine", ["numpy", *ENGINES])
@pytest.mark.parametrize(
    ("n_columns", "levels", "n"),
    [(65, 2, 512), (4, 70_000, 3_000)],  # 2**65 and 70,000**4 combinations: past int64
)
def test_strata_never_merge_or_get_mislabelled_when_level_combinations_overflow_int64(
    n_columns, levels, n, engine
) -> None:
    df = _many_levels(n_columns, levels, n, seed=n_columns)
    by = [f"c{j}" for j in range(n_columns)]
    counts = ns.to_counts(df, time="t", event="d", by=by, engine=engine)
    want = df.groupby(by, observed=True).size()  # pandas: one group per distinct combination
    assert counts.n_strata == len(want)
    # each stratum's label is the combination of its rows: its size equals pandas' group size
    sizes = counts.n_subjects()
    got = {tuple(map(str, row)): sizes[i] for i, row in enumerate(counts.strata.itertuples(False))}
    assert got == {tuple(map(str, k)): float(v) for k, v in want.items()}
