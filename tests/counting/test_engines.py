"""Engines (netsurv.counting.sources.to_counts): every source and engine gives the numpy engine's counts.

Expected values are hand counts on toy data (stated next to each number) or the numpy engine
(`netsurv.counts`, itself checked against R in test_reference_r.py) on the same rows. Counts are
sums of 0/1 (or integer weights) in float64, so engines must agree exactly; where they could
differ by summation order only (non-integer weights) the tolerance is stated.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

import netsurv as ns
from netsurv.counting.sources import to_counts
from netsurv.errors import InputError, MissingExtraError

ENGINES = ["numpy", "arrow", "duckdb", "dask"]
COLS = ["time", "n_at_risk", "n_events", "n_censored", "n_entered"]


def assert_same_counts(a: ns.Counts, b: ns.Counts) -> None:
    """Same strata (values and order), times and counts; exact (integer sums in float64)."""
    assert a.by == b.by
    assert [tuple(map(str, r)) for r in a.strata.itertuples(index=False)] == [
        tuple(map(str, r)) for r in b.strata.itertuples(index=False)
    ]
    for name in ("stratum", "time", "n_events", "n_censored", "n_entered", "n_at_risk"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.excluded.sort_index().to_dict() == b.excluded.sort_index().to_dict()


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    """A canonical-looking frame: nullable dead, exclusion reasons, ordered extent, NA codes."""
    rng = np.random.default_rng(8)
    n = 300
    extent = pd.Categorical(
        rng.choice(["localized", "regional", "distant", "unknown"], n),
        categories=["localized", "regional", "distant", "unknown"],
        ordered=True,
    )
    df = pd.DataFrame(
        {
            "survival_months": rng.integers(0, 40, n).astype(float),
            "dead": pd.array(rng.random(n) < 0.6, dtype="boolean"),
            "extent": extent,
            "site": pd.array(rng.choice(["C250", "C170", "C181"], n), dtype="string"),
            "exclusion": pd.array([pd.NA] * n, dtype="string"),
        }
    )
    df.loc[0:3, "exclusion"] = "death certificate only"  # 4 rows
    df.loc[4, "exclusion"] = "age unknown"  # 1 row
    df.loc[5:6, "survival_months"] = np.nan  # 2 rows
    df.loc[7, "dead"] = pd.NA  # 1 row
    df.loc[8, "site"] = pd.NA  # 1 row
    df.loc[9, ["exclusion", "survival_months"]] = ["age unknown", np.nan]  # first reason wins
    return df


def test_toy_counts_are_the_hand_counts_on_every_engine() -> None:
    df = pd.DataFrame({"t": [1, 2, 2, 3], "d": [1, 1, 0, 0], "g": ["b", "a", "b", "a"]})
    for engine in ENGINES:
        f = to_counts(df, time="t", event="d", by="g", engine=engine).to_frame()
        # by hand: a = {2 died, 3 censored}; b = {1 died, 2 censored}
        assert f["g"].tolist() == ["a", "a", "b", "b"], engine
        assert f["time"].tolist() == [2.0, 3.0, 1.0, 2.0], engine
        assert f["n_at_risk"].tolist() == [2, 1, 2, 1], engine
        assert f["n_events"].tolist() == [1, 0, 1, 0], engine
        assert f["n_censored"].tolist() == [0, 1, 0, 1], engine


@pytest.mark.parametrize("engine", ENGINES)
def test_exclusions_are_counted_by_reason_on_every_engine(
    registry: pd.DataFrame, engine: str, dask_client: object
) -> None:
    c = to_counts(registry, by=["extent", "site"], engine=engine)
    # by construction of the fixture: rows 0-3 and 4, 9 carry reasons; 5-6, 7, 8 miss a value
    assert c.excluded.to_dict() == {
        "age unknown": 2,
        "death certificate only": 4,
        "missing survival_months": 2,
        "missing dead": 1,
        "missing site": 1,
    }
    assert int(c.n_subjects().sum()) == 300 - 10
    assert_same_counts(c, ns.counts(registry, by=["extent", "site"]))


@pytest.mark.parametrize("engine", ENGINES)
def test_ordered_categorical_keeps_its_order_and_text_is_sorted(
    registry: pd.DataFrame, engine: str, dask_client: object
) -> None:
    c = to_counts(registry, by=["extent", "site"], engine=engine)
    extent = c.strata["extent"].drop_duplicates().astype(str).tolist()
    assert extent == ["localized", "regional", "distant", "unknown"]
    assert c.strata.loc[c.strata["extent"] == "localized", "site"].tolist() == [
        "C170",
        "C181",
        "C250",
    ]


def test_parquet_categorical_order_survives_the_file(
    registry: pd.DataFrame, tmp_path: Path, dask_client: object
) -> None:
    path = tmp_path / "reg.parquet"
    registry.to_parquet(path, row_group_size=64)
    expected = ns.counts(registry, by=["extent", "site"])
    for engine in ["arrow", "duckdb", "dask"]:
        c = to_counts(path, by=["extent", "site"], engine=engine)
        assert_same_counts(c, expected)
        assert c.strata["extent"].cat.ordered


def test_negative_time_is_an_input_error_on_every_engine(
    registry: pd.DataFrame, dask_client: object
) -> None:
    bad = registry.assign(
        survival_months=registry["survival_months"].where(registry.index != 20, -3)
    )
    for engine in ENGINES:
        with pytest.raises(InputError, match="cannot be negative"):
            to_counts(bad, by="extent", engine=engine)


def test_negative_time_on_an_excluded_row_is_not_an_error() -> None:
    df = pd.DataFrame({"t": [-1.0, 2, 3], "d": [1, 0, 1], "exclusion": ["bad dates", None, None]})
    for engine in ["numpy", "arrow", "duckdb"]:
        c = to_counts(df, time="t", event="d", engine=engine)
        assert c.excluded.to_dict() == {"bad dates": 1}


def test_event_other_than_zero_or_one_is_an_input_error() -> None:
    df = pd.DataFrame({"t": [1.0, 2, 3], "d": [1, 2, 0]})
    for engine in ["numpy", "arrow", "duckdb"]:
        with pytest.raises(InputError, match="0/1"):
            to_counts(df, time="t", event="d", engine=engine)


def test_no_rows_left_is_an_input_error() -> None:
    df = pd.DataFrame({"t": [1.0, 2], "d": [1, 0], "exclusion": ["x", "y"]})
    for engine in ["numpy", "arrow", "duckdb"]:
        with pytest.raises(InputError, match="no rows left"):
            to_counts(df, time="t", event="d", engine=engine)


def test_near_tied_float_times_are_merged_as_r_timefix_does() -> None:
    # 1 and 1 + 1e-12 differ by less than sqrt(eps): one time, 2 at risk, 2 events (R aeqSurv)
    df = pd.DataFrame({"t": [1.0, 1.0 + 1e-12, 2.5], "d": [1, 1, 0]})
    for engine in ["numpy", "arrow", "duckdb"]:
        f = to_counts(df, time="t", event="d", engine=engine).to_frame()
        assert f["time"].tolist() == [1.0, 2.5], engine
        assert f["n_at_risk"].tolist() == [3, 1], engine
        assert f["n_events"].tolist() == [2, 0], engine


def test_left_truncation_risk_sets_are_the_hand_counts() -> None:
    df = pd.DataFrame({"s": [0, 1, 2], "t": [2, 3, 4], "d": [1, 0, 1]})
    for engine in ["numpy", "arrow", "duckdb"]:
        f = to_counts(df, time="t", event="d", entry="s", engine=engine).to_frame()
        # at risk at u when s < u <= t: u=0: none; u=1: row 1; u=2: rows 1,2; u=3: 2,3; u=4: 3
        assert f["time"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0], engine
        assert f["n_at_risk"].tolist() == [0, 1, 2, 2, 1], engine
        assert f["n_entered"].tolist() == [1, 1, 1, 0, 0], engine


def test_entry_not_before_exit_is_excluded_and_counted() -> None:
    df = pd.DataFrame({"s": [0, 5, 2, np.nan], "t": [2, 3, 4, 5], "d": [1, 0, 1, 1]})
    for engine in ["numpy", "arrow", "duckdb"]:
        c = to_counts(df, time="t", event="d", entry="s", engine=engine)
        assert c.excluded.to_dict() == {"missing s": 1, "s not before t": 1}, engine


def test_weighted_counts_sum_the_weights() -> None:
    df = pd.DataFrame({"t": [1, 1, 2], "d": [1, 0, 1], "w": [2.5, 1.0, 4.0]})
    for engine in ["numpy", "arrow", "duckdb"]:
        c = to_counts(df, time="t", event="d", weights="w", engine=engine)
        assert c.weighted
        # by hand: at 1: 7.5 at risk, 2.5 events, 1 censored; at 2: 4 at risk, 4 events
        assert c.n_at_risk.tolist() == [7.5, 4.0]
        assert c.n_events.tolist() == [2.5, 4.0]
        assert c.n_censored.tolist() == [1.0, 0.0]


def test_unknown_groups_are_left_out_first_as_logrank_does(registry: pd.DataFrame) -> None:
    n_unknown = int((registry["extent"] == "unknown").sum())
    for engine in ["numpy", "arrow", "duckdb"]:
        c = to_counts(registry, by="extent", unknown_groups="extent", engine=engine)
        assert c.excluded.iloc[0] == n_unknown
        assert c.excluded.index[0] == "unknown group (left out of the test)"
        assert "unknown" not in c.strata["extent"].astype(str).tolist()


def test_files_globs_directories_and_lists_count_the_same_rows(
    registry: pd.DataFrame, tmp_path: Path
) -> None:
    halves = [registry.iloc[:150], registry.iloc[150:]]
    for i, part in enumerate(halves):
        part.to_parquet(tmp_path / f"part{i}.parquet")
    expected = ns.counts(registry, by="extent")
    sources = [
        str(tmp_path / "*.parquet"),
        tmp_path,
        [tmp_path / "part0.parquet", tmp_path / "part1.parquet"],
        ds.dataset(str(tmp_path), format="parquet"),
    ]
    for source in sources:
        for engine in ["arrow", "duckdb"]:
            assert_same_counts(to_counts(source, by="extent", engine=engine), expected)
    assert_same_counts(to_counts(tmp_path, by="extent"), expected)  # default: duckdb


def test_csv_registry_codes_stay_text_with_leading_zeros(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("t,d,site\n1,1,0101\n2,0,0101\n3,1,0250\n")
    for engine in ["arrow", "duckdb", "dask"]:
        c = to_counts(path, time="t", event="d", by="site", engine=engine)
        assert c.strata["site"].tolist() == ["0101", "0250"], engine


def test_duckdb_relation_and_arrow_table_are_counted(registry: pd.DataFrame) -> None:
    import duckdb

    expected = ns.counts(registry, by="extent")
    con = duckdb.connect()
    rel = con.from_df(registry)
    assert_same_counts(to_counts(rel, by="extent"), expected)
    assert_same_counts(to_counts(rel, by="extent", engine="numpy"), expected)
    table = pa.Table.from_pandas(registry, preserve_index=False)
    assert_same_counts(to_counts(table, by="extent"), expected)


def test_a_counts_table_passes_through_unchanged(registry: pd.DataFrame) -> None:
    c = ns.counts(registry)
    assert to_counts(c) is c


def test_unknown_engine_and_source_are_input_errors(registry: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="engine='spark'"):
        to_counts(registry, engine="spark")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="cannot count a dict"):
        to_counts({"t": [1]})
    with pytest.raises(InputError, match="no such file"):
        to_counts("/nonexistent/x.parquet")


def test_a_missing_column_is_named(registry: pd.DataFrame, tmp_path: Path) -> None:
    registry.to_parquet(tmp_path / "r.parquet")
    for engine in ["arrow", "duckdb"]:
        with pytest.raises(InputError, match="'grade' not found"):
            to_counts(tmp_path / "r.parquet", by="grade", engine=engine)


@pytest.mark.parametrize("extra", ["duckdb", "dask"])
def test_missing_optional_engine_names_the_extra_to_install(
    registry: pd.DataFrame, extra: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, extra, None)  # makes `import duckdb` fail
    with pytest.raises(MissingExtraError, match=rf"pip install 'netsurv\[{extra}\]'"):
        to_counts(registry, engine=extra)  # type: ignore[arg-type]
    assert issubclass(MissingExtraError, ImportError)


def test_progress_is_printed_to_stderr(
    registry: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.parquet"
    registry.to_parquet(path, row_group_size=100)
    to_counts(path, by="extent", engine="arrow", progress=True)
    err = capsys.readouterr()
    assert "300/300 rows" in err.err and "3 row groups" in err.err
    assert err.out == ""
    to_counts(path, by="extent", engine="duckdb", progress=True)
    err = capsys.readouterr()
    assert "counting" in err.err and "%" in err.err
    assert err.out == ""  # DuckDB's own progress bar (stdout) stays off


def test_duckdb_memory_limit_is_accepted(registry: pd.DataFrame, tmp_path: Path) -> None:
    registry.to_parquet(tmp_path / "r.parquet")
    c = to_counts(tmp_path / "r.parquet", by="extent", engine="duckdb", memory_limit="64MB")
    assert_same_counts(c, ns.counts(registry, by="extent"))


def test_one_pass_serves_curves_and_the_test_without_unknown_groups(
    registry: pd.DataFrame,
) -> None:
    from netsurv.counting.sources import without_unknown_groups
    from netsurv.estimators.logrank import _test

    expected = ns.logrank(registry, by="extent")  # leaves out 'unknown' extent, counted
    for engine in ["numpy", "arrow", "duckdb"]:
        c = without_unknown_groups(to_counts(registry, by="extent", engine=engine), "extent")
        got = _test(c, (), ("extent",), 0.0, False, None, c.excluded)
        assert got.statistic == pytest.approx(expected.statistic, rel=1e-12, abs=0)
        # same rows left out; a row both 'unknown' and excluded for another reason is counted
        # under that reason here, under 'unknown group' by logrank (which drops those first)
        assert got.excluded.sum() == expected.excluded.sum()


def test_docstring_examples_of_the_engines_run() -> None:
    import doctest

    import netsurv.counting.sources

    failures, tried = doctest.testmod(
        netsurv.counting.sources, optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert tried >= 3 and failures == 0


def test_many_strata_and_long_follow_up_stay_within_the_dense_grid_limit() -> None:
    """3,000 strata x 6,000 days would be an 18 M-cell dense grid; the kernel switches to its
    sorted (sparse) path beyond 4 M cells and still gives the numpy engine's counts."""
    import pyarrow as pa

    from netsurv.counting.engines.chunks import _DENSE_CELLS, Accumulator
    from netsurv.counting.engines.spec import Spec

    rng = np.random.default_rng(3)
    n = 30_000
    df = pd.DataFrame(
        {"t": rng.integers(0, 6000, n), "d": rng.integers(0, 2, n), "g": rng.integers(0, 3000, n)}
    )
    table = pa.Table.from_pandas(df, preserve_index=False)
    acc = Accumulator(Spec("t", "d", ("g",)))
    for batch in table.to_batches(7_000):
        acc.add_batch(batch)
    assert acc.dense["n_rows"].size <= _DENSE_CELLS
    got = to_counts(table, time="t", event="d", by="g", engine="arrow")
    assert_same_counts(got, ns.counts(df, time="t", event="d", by="g"))


def test_small_integer_columns_do_not_overflow_the_grid_arithmetic() -> None:
    """int16 months and strata (as in compact Parquet files): 200 x 301 cells > 32767."""
    import warnings

    import pyarrow as pa

    rng = np.random.default_rng(5)
    n = 5_000
    df = pd.DataFrame(
        {
            "s": rng.integers(0, 200, n).astype(np.int16),
            "m": rng.integers(0, 301, n).astype(np.int16),
            "e": rng.integers(0, 2, n).astype(np.int8),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy overflow warnings become failures
        got = to_counts(pa.Table.from_pandas(df), time="m", event="e", by="s", engine="arrow")
    assert_same_counts(got, ns.counts(df, time="m", event="e", by="s"))


def test_duckdb_enum_column_keeps_the_enum_order() -> None:
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TYPE extent AS ENUM ('localized', 'regional', 'distant')")
    rel = con.sql(
        "SELECT * FROM (VALUES (1.0, 1, 'distant'::extent), (2.0, 0, 'localized'::extent), "
        "(3.0, 1, 'regional'::extent)) t(months, dead, extent)"
    )
    c = to_counts(rel, time="months", event="dead", by="extent")
    assert c.strata["extent"].astype(str).tolist() == ["localized", "regional", "distant"]


@pytest.mark.filterwarnings("ignore")
def test_registry_rules_give_what_netsurv_read_gives(tmp_path: Path, dask_client: object) -> None:
    """A raw extract (no exclusion column): with registry_rules=True every engine leaves out
    the rows netsurv.read excludes (DCO by reporting source 6/7, negative or unknown months,
    unknown vital status, alive at 0 months), counted under the reader's reasons."""
    rng = np.random.default_rng(4)
    n = 400
    months = rng.integers(0, 60, n).astype(float)
    months[:5] = -1  # dates inconsistent (the reader excludes; without the rules: an error)
    months[5:12] = np.nan
    dead = pd.array(rng.random(n) < 0.5, dtype="boolean")
    dead[12:18] = pd.NA
    source = np.array(["1"] * n, dtype=object)
    source[20:30], source[30:33] = "7", "6"
    raw = pd.DataFrame(
        {
            "survival_months": months,
            "dead": dead,
            "reporting_source": source,
            "arm": rng.choice(["x", "y"], n),
        }
    )
    path = tmp_path / "raw.parquet"
    raw.to_parquet(path)
    expected = ns.counts(ns.read(path), by="arm")
    assert expected.excluded["death certificate or autopsy only"] == 13  # rows 20-32
    for engine in ENGINES:
        assert_same_counts(to_counts(path, by="arm", engine=engine, registry_rules=True), expected)
    with pytest.raises(InputError, match="cannot be negative"):
        to_counts(path, by="arm", engine="duckdb")  # rules off: the file's values as they are
