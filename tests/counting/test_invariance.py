"""Invariance: every way of producing the counts gives the same estimates.

For Kaplan–Meier (survival, Greenwood SE, CI), log-rank (rho=0 and the rho=1 Peto/Fleming–
Harrington weights, plain and stratified), the actuarial life table and left truncation:

    expanded rows  =  integer-weighted rows  =  counts summed over random chunks
                   =  pyarrow batches  =  DuckDB  =  Dask (local cluster)

to 1e-12. Integer weights are exact in float64, so the counts are bit-identical and 1e-12
only leaves room for nothing; the estimators are deterministic functions of the counts.

The lifelines PR #1698 trap (a Fleming–Harrington test on frequency-weighted rows giving a
different p-value than on the expanded rows) is checked on the R reference registry data:
the weighted file read by each engine gives R ``survdiff``'s statistic on the expanded rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.counting.kernel import timefix
from netsurv.counting.sources import to_counts
from netsurv.estimators.logrank import _test
from tests.paths import REFERENCE

TOL = 1e-12
REF = REFERENCE


def weighted_registry(seed: int, n: int = 250, float_times: bool = False) -> pd.DataFrame:
    """Frequency-weighted registry rows (weights 1..5) with every complication at once."""
    rng = np.random.default_rng(seed)
    months = rng.integers(0, 48, n).astype(float)
    if float_times:  # follow-up from dates, plus "tied but not quite" copies (R timefix)
        months = rng.integers(0, 1500, n) / 30.4375
        months[::7] = months[1::7][: len(months[::7])] * (1 + 1e-13)
    df = pd.DataFrame(
        {
            "time": months,
            "event": (rng.random(n) < 0.55).astype(int),
            "extent": pd.Categorical(
                rng.choice(["localized", "regional", "distant"], n),
                categories=["localized", "regional", "distant"],
                ordered=True,
            ),
            "site": rng.choice(["pancreas", "small intestine", "lung"], n),
            "weight": rng.integers(1, 6, n),
        }
    )
    df["entry"] = np.floor(df["time"] * rng.random(n) * 0.8)
    df.loc[::11, "entry"] = df.loc[::11, "time"]  # entry == exit: excluded by the rule
    df.loc[::13, "time"] = np.nan  # missing follow-up: excluded and counted
    df["exclusion"] = pd.array([None] * n, dtype="string")
    df.loc[::17, "exclusion"] = "death certificate only"
    return df


def expand(df: pd.DataFrame) -> pd.DataFrame:
    """One row per subject: each row repeated ``weight`` times."""
    return df.loc[df.index.repeat(df["weight"])].drop(columns="weight").reset_index(drop=True)


def chunked(df: pd.DataFrame, seed: int, **kw: Any) -> ns.Counts:
    """Counts of random chunks, their additive tables concatenated (the contract)."""
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.choice(np.arange(1, len(df)), size=6, replace=False))
    shuffled = df.sample(frac=1, random_state=seed)
    bounds = zip([0, *cuts], [*cuts, len(df)], strict=True)
    parts = [ns.counts(shuffled.iloc[a:z], **kw).to_frame() for a, z in bounds]
    table = pd.concat(parts, ignore_index=True)
    table["time"] = timefix(table["time"].to_numpy())[0]  # R's timefix over the whole table
    by = kw.get("by") or ()
    return ns.Counts.from_frame(table, by, weighted=kw.get("weights") is not None)


def all_counts(df: pd.DataFrame, seed: int, **kw: Any) -> dict[str, ns.Counts]:
    """The same counts by every route (weighted rows unless stated)."""
    kw = {"time": "time", "event": "event", **kw}
    unweighted = {k: v for k, v in kw.items() if k != "weights"}
    out = {
        "expanded rows": ns.counts(expand(df), **unweighted),
        "weighted rows": ns.counts(df, **kw),
        "random chunks": chunked(df, seed, **kw),
        "arrow": _arrow_batches(df, seed, **kw),
        "duckdb": to_counts(df, engine="duckdb", **kw),
        "dask": to_counts(df, engine="dask", **kw),
    }
    return out


def _arrow_batches(df: pd.DataFrame, seed: int, **kw: Any) -> ns.Counts:
    """The arrow engine fed record batches of random sizes."""
    import pyarrow as pa

    rng = np.random.default_rng(seed + 1)
    table = pa.Table.from_pandas(df, preserve_index=False)
    cuts = [0, *sorted(rng.choice(np.arange(1, len(df)), 5, replace=False).tolist()), len(df)]
    batches = [
        b
        for a, z in zip(cuts[:-1], cuts[1:], strict=True)
        for b in table.slice(a, z - a).to_batches()
    ]
    return to_counts(pa.Table.from_batches(batches), engine="arrow", **kw)


def assert_all_equal(
    results: dict[str, Any], extract: Callable[[Any], np.ndarray], what: str
) -> None:
    base_name, base = next(iter(results.items()))
    expected = extract(base)
    for name, res in results.items():
        np.testing.assert_allclose(
            extract(res), expected, rtol=TOL, atol=TOL, err_msg=f"{what}: {name} vs {base_name}"
        )


KM_COLS = ["time", "n_at_risk", "n_events", "n_censored", "survival", "std_err", "lower", "upper"]


@pytest.mark.parametrize("float_times", [False, True], ids=["months", "days-as-months"])
def test_kaplan_meier_is_the_same_by_every_route(float_times: bool, dask_client: object) -> None:
    df = weighted_registry(1, float_times=float_times)
    routes = all_counts(df, 1, by=["extent", "site"], weights="weight")
    fits = {k: ns.kaplan_meier(c) for k, c in routes.items()}
    assert_all_equal(fits, lambda f: f.to_frame()[KM_COLS].to_numpy(np.float64), "KM")
    assert_all_equal(
        fits, lambda f: f.median()[["median", "lower", "upper"]].to_numpy(np.float64), "median"
    )


@pytest.mark.parametrize("rho", [0.0, 1.0])
def test_logrank_and_peto_weights_are_the_same_by_every_route(
    rho: float, dask_client: object
) -> None:
    df = weighted_registry(2)
    for layers in [(), ("site",)]:
        routes = all_counts(df, 2, by=[*layers, "extent"], weights="weight")
        tests = {
            k: _test(c, layers, ("extent",), rho, False, None, c.excluded)
            for k, c in routes.items()
        }
        assert_all_equal(tests, lambda r: np.array([r.statistic, r.p_value]), f"rho={rho} {layers}")
        assert_all_equal(tests, lambda r: r.table[["observed", "expected"]].to_numpy(), "O and E")
        assert_all_equal(tests, lambda r: r.variance, "variance")


def test_life_table_is_the_same_by_every_route(dask_client: object) -> None:
    df = weighted_registry(3)
    routes = all_counts(df, 3, by="extent", weights="weight")
    tables = {k: ns.life_table(c, width=12).table for k, c in routes.items()}
    cols = ["start", "n_start", "n_events", "n_lost", "n_effective", "survival", "std_err"]
    assert_all_equal(tables, lambda t: t[cols].to_numpy(np.float64), "life table")


def test_left_truncation_is_the_same_by_every_route(dask_client: object) -> None:
    df = weighted_registry(4)
    routes = all_counts(df, 4, by="extent", weights="weight", entry="entry")
    fits = {k: ns.kaplan_meier(c) for k, c in routes.items()}
    assert_all_equal(fits, lambda f: f.to_frame()[KM_COLS].to_numpy(np.float64), "KM entry")
    tests = {k: _test(c, (), ("extent",), 1.0, False, None, c.excluded) for k, c in routes.items()}
    assert_all_equal(tests, lambda r: np.array([r.statistic, r.p_value]), "G-rho entry")
    tables = {k: ns.life_table(c, width=12).table for k, c in routes.items()}
    assert_all_equal(
        tables, lambda t: t[["n_start", "n_entered", "survival"]].to_numpy(np.float64), "LT"
    )


def test_engines_count_excluded_rows_alike(dask_client: object) -> None:
    df = weighted_registry(5)
    routes = all_counts(df, 5, by="extent", weights="weight", entry="entry")
    expected = routes["weighted rows"].excluded.sort_index().to_dict()
    assert set(expected) == {"death certificate only", "missing time", "entry not before time"}
    for name in ("arrow", "duckdb", "dask"):
        assert routes[name].excluded.sort_index().to_dict() == expected, name


# ---------------------------------------------------------------- lifelines #1698 trap
def _survdiff(case: str) -> dict[str, Any]:
    cases = json.loads((REF / "logrank.json").read_text())["logrank"]
    return next(c for c in cases if c["case"] == case)


@pytest.mark.parametrize("case", ["registry_stratum_rho0", "registry_stratum_rho1"])
@pytest.mark.parametrize("engine", ["numpy", "arrow", "duckdb", "dask"])
def test_weighted_file_gives_r_survdiff_of_the_expanded_rows(
    case: str, engine: str, dask_client: object
) -> None:
    """data_registry_agg.csv (353 weighted rows) is data_registry.csv (1551 rows) compressed.

    Expected: R ``survdiff(Surv(time, status) ~ stratum, data = registry, rho = 0 / 1)`` on the
    expanded rows (tests/reference/logrank.json, written by make_reference.R). lifelines'
    Fleming–Harrington test gave a different p-value on weighted rows (PR #1698); here the
    weighted file, read by each engine straight from CSV, must give R's expanded-row result.
    Tolerance: rtol 1e-10, the R-comparison tolerance of test_reference_r.py.
    """
    ref = _survdiff(case)
    kw = {"time": "time", "event": "status", "by": "stratum"}
    path = REF / "data_registry_agg.csv"
    source = pd.read_csv(path, dtype={"stratum": str}) if engine == "numpy" else path
    c = to_counts(source, weights="weight", engine=engine, **kw)  # type: ignore[arg-type]
    res = _test(c, (), ("stratum",), float(ref["rho"]), False, None, c.excluded)
    np.testing.assert_allclose(res.statistic, ref["statistic"], rtol=1e-10)
    np.testing.assert_allclose(res.p_value, ref["p_value"], rtol=1e-10)
    np.testing.assert_allclose(res.table["observed"], ref["observed"], rtol=1e-10)
    expanded = pd.read_csv(REF / "data_registry.csv", dtype={"stratum": str})
    e = ns.counts(expanded, **kw)
    same = _test(e, (), ("stratum",), float(ref["rho"]), False, None, e.excluded)
    np.testing.assert_allclose(res.statistic, same.statistic, rtol=TOL)


R_FILE_CASES = {
    # case in km_curves.csv: (input file, to_counts arguments)
    "registry_weighted_log": (
        "data_registry_agg.csv",
        {"by": ["stratum", "group"], "weights": "weight"},
    ),
    "delayed_log": ("data_delayed.csv", {"by": ["group"], "entry": "entry"}),
}


@pytest.mark.parametrize("case", list(R_FILE_CASES))
@pytest.mark.parametrize("engine", ["arrow", "duckdb", "dask"])
def test_file_read_by_an_engine_gives_r_survfit(
    case: str, engine: str, dask_client: object
) -> None:
    """R: survfit(Surv(time, status) ~ stratum + group, data = registry_agg, weights = weight,
    conf.type = "log") and survfit(Surv(entry, time, status) ~ group, data = delayed,
    conf.type = "log") (tests/reference/km_curves.csv, cases.json), the CSV file read by each
    engine; rtol 1e-10 as in test_reference_r.py."""
    ref = pd.read_csv(REF / "km_curves.csv", dtype={"stratum": str})
    ref = ref[ref["case"] == case]
    path, kw = R_FILE_CASES[case]
    c = to_counts(REF / path, time="time", event="status", engine=engine, **kw)
    ours = ns.kaplan_meier(c, conf_type="log").to_frame()
    ours["key"] = ours[kw["by"]].astype(str).agg("|".join, axis=1)
    ours = ours.drop(columns=kw["by"]).add_prefix("our_")
    merged = ref.merge(ours, left_on=["stratum", "time"], right_on=["our_key", "our_time"])
    assert len(merged) == len(ref)  # every time of R's curve is in ours
    for ours_col, r_col in [
        ("n_at_risk", "n_risk"),
        ("n_events", "n_event"),
        ("survival", "surv"),
        ("std_err", "std_err"),
        ("lower", "lower"),
        ("upper", "upper"),
    ]:
        np.testing.assert_allclose(
            merged[f"our_{ours_col}"], merged[r_col], rtol=1e-10, atol=1e-12, err_msg=ours_col
        )


# ------------------------------------------------------------- relative survival in chunks
@pytest.fixture(scope="module")
def relsurv_rows() -> pd.DataFrame:
    """R relsurv's reference subjects, with whole chunks excluded and rows missing values."""
    d = pd.read_csv(REF / "relsurv_data.csv")
    d["exclusion"] = pd.array([None] * len(d), dtype="string")
    d.loc[:96, "exclusion"] = "first chunk"  # the whole first chunk of 97 rows
    d.loc[194:290, "exclusion"] = "third chunk"
    d.loc[300:305, "age_years"] = np.nan
    d.loc[310:312, "months"] = 0  # zero follow-up: left out and counted
    d["entry"] = np.floor(d["months"] * np.random.default_rng(1).random(len(d)) * 0.5)
    return d


RS_REGISTRY = dict(time="months", event="status", age="age_years", sex="sex", year="year_dx")
RS_EXACT = dict(
    time="time_days",
    event="status",
    time_unit="days",
    age="age_days",
    age_unit="days",
    sex="sex",
    date_dx="date_dx",
)
RS_COLS = ["time", "n_at_risk", "n_events", "n_censored", "survival", "std_err", "lower", "upper"]


@pytest.mark.filterwarnings("ignore:follow-up runs past:UserWarning")
@pytest.mark.parametrize("method", ["pohar-perme", "ederer2"])
@pytest.mark.parametrize(
    "columns",
    [RS_REGISTRY, RS_EXACT, {**RS_REGISTRY, "entry": "entry"}],
    ids=["registry", "exact", "left-truncated"],
)
def test_relative_survival_in_chunks_equals_in_memory(
    relsurv_rows: pd.DataFrame,
    method: str,
    columns: dict[str, str],
    tmp_path: Path,
    dask_client: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pohar Perme / Ederer II sums added over chunks of 97 rows (DataFrame slices, Parquet row
    groups, DuckDB batches) are the in-memory estimate (itself equal to R relsurv in
    test_relative.py) bit for bit: the chunked path adds the per-subject sums in the in-memory
    path's blocks and order. Dask partitions add them in another order: 1e-12 there (observed
    differences <= 2e-13)."""
    import dask.dataframe as dd
    import duckdb

    import netsurv.estimators.relative.net
    from netsurv.estimators.relative.chunks import relative_survival_chunks

    # blocks of 50 subjects (25,000 by default) so that blocks straddle the chunks of 97 rows
    monkeypatch.setattr(netsurv.estimators.relative.netcurves, "CHUNK_SUBJECTS", 50)

    expected = ns.relative_survival(relsurv_rows, by="group", method=method, **columns)  # type: ignore[arg-type]
    relsurv_rows.to_parquet(tmp_path / "r.parquet", row_group_size=97)
    sources = {
        "frame": relsurv_rows,
        "parquet": tmp_path / "r.parquet",
        "duckdb": duckdb.connect().from_df(relsurv_rows),
        "dask": dd.from_pandas(relsurv_rows, chunksize=97),
    }
    for name, source in sources.items():
        got = relative_survival_chunks(source, by="group", method=method, chunk_rows=97, **columns)
        ours = got.to_frame()[RS_COLS].to_numpy(np.float64)
        theirs = expected.to_frame()[RS_COLS].to_numpy(np.float64)
        if name == "dask":
            np.testing.assert_allclose(ours, theirs, rtol=TOL, atol=TOL, err_msg=name)
        else:
            np.testing.assert_array_equal(ours, theirs, err_msg=name)
        assert got.excluded.sort_index().to_dict() == expected.excluded.sort_index().to_dict()
        assert got.strata["group"].tolist() == expected.strata["group"].tolist()


# ----------------------------------------------------------------- property: any batching
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_batched_kernel_equals_the_numpy_engine_on_random_data() -> None:
    """Hypothesis: random rows (whole or fractional times, near ties, NaN, exclusions, weights,
    entries), cut into random batches, counted by the arrow kernel = netsurv.counts exactly;
    and DuckDB's group-by on the same rows too."""
    import pyarrow as pa
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        n = data.draw(st.integers(1, 40), label="n")
        fractional = data.draw(st.booleans(), label="fractional")
        values = (
            st.sampled_from([0.0, 1.0, 2.0, 2.0 + 1e-12, 3.5, 7.0, np.nan])
            if fractional
            else st.sampled_from([0.0, 1.0, 2.0, 5.0, 12.0, np.nan])
        )
        time = data.draw(st.lists(values, min_size=n, max_size=n), label="time")
        df = pd.DataFrame(
            {
                "time": time,
                "event": data.draw(
                    st.lists(st.sampled_from([0.0, 1.0, np.nan]), min_size=n, max_size=n)
                ),
                "g": data.draw(
                    st.lists(st.sampled_from(["b", "a", "c", None]), min_size=n, max_size=n)
                ),
                "w": data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)),
                "entry": data.draw(
                    st.lists(st.sampled_from([0.0, 1.0, 0.5]), min_size=n, max_size=n)
                ),
                "exclusion": data.draw(
                    st.lists(st.sampled_from([None, None, "x"]), min_size=n, max_size=n)
                ),
            }
        )
        kw: dict[str, Any] = {"time": "time", "event": "event", "by": "g"}
        if data.draw(st.booleans(), label="weights"):
            kw["weights"] = "w"
        if data.draw(st.booleans(), label="entry"):
            kw["entry"] = "entry"
        try:
            expected = ns.counts(df, **kw)
        except ns.InputError:
            for engine in ("arrow", "duckdb"):
                with pytest.raises(ns.InputError):
                    to_counts(df, engine=engine, **kw)
            return
        cuts = sorted(data.draw(st.sets(st.integers(1, max(n - 1, 1)), max_size=4), label="cuts"))
        table = pa.Table.from_pandas(df, preserve_index=False)
        bounds = zip([0, *cuts], [*cuts, n], strict=True)
        batches = [b for a, z in bounds if z > a for b in table.slice(a, z - a).to_batches()]
        arrow = to_counts(pa.Table.from_batches(batches, schema=table.schema), engine="arrow", **kw)
        for got in (arrow, to_counts(df, engine="duckdb", **kw)):
            for name in ("stratum", "time", "n_events", "n_censored", "n_entered", "n_at_risk"):
                np.testing.assert_array_equal(getattr(got, name), getattr(expected, name), name)
            assert got.strata["g"].tolist() == expected.strata["g"].tolist()
            assert got.excluded.sort_index().to_dict() == expected.excluded.sort_index().to_dict()

    check()
