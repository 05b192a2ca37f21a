"""Engines: the same counts table from a DataFrame, Parquet/CSV files, DuckDB or Dask.

Every count-based estimator (Kaplan–Meier, log-rank, life tables, cumulative incidence) reads a
:class:`netsurv.Counts` table — per stratum and distinct time, the (weighted) numbers of
events, censorings and entries. :func:`to_counts` produces that table from any source, with the
engine that suits it:

========  ==========================================================  ======================
engine    what it does                                                default for
========  ==========================================================  ======================
numpy     ``np.bincount`` / one sort over in-memory arrays            pandas DataFrames
arrow     streams Parquet/CSV (or an Arrow dataset) batch by batch    pyarrow Dataset/Table;
                                                                      files without duckdb
duckdb    one SQL ``GROUP BY`` pushed down to the file scan, with     Parquet/CSV paths,
          a memory limit (``pip install 'netsurv[duckdb]'``)          DuckDB relations
dask      counts each partition, sums the tables in a tree            Dask DataFrames
          (``pip install 'netsurv[dask]'``)
========  ==========================================================  ======================

All engines apply the same rules as the in-memory estimators: rows with an ``exclusion``
reason or a missing analysed value are left out and counted by reason (``Counts.excluded``),
negative times raise :class:`netsurv.errors.InputError`, grouping columns keep their
categorical order (a pandas categorical stored in Parquet keeps its categories' order) and are
otherwise sorted, and float times get R's timefix exactly when the numpy engine applies it.
The counts are sums, so the engines agree exactly (to the last bit for unweighted or
integer-weighted data). Relative survival adds per-subject sums over chunks the same way
(:mod:`netsurv.estimators.relative.chunks`). See ``docs/scale.md``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from netsurv.counting.engines.arrow_engine import count_arrow, dataset_of
from netsurv.counting.engines.dask_engine import count_dask, import_dask
from netsurv.counting.engines.duckdb_engine import count_duckdb
from netsurv.counting.engines.files import Files, files_of, kind_of
from netsurv.counting.engines.registry import REASONS, arrow_codes
from netsurv.counting.engines.spec import Spec
from netsurv.counting.kernel import counts
from netsurv.counting.table import Counts
from netsurv.counting.validate import as_by, check_names, unknown_label_mask
from netsurv.errors import InputError
from netsurv.rules import EXCLUSION, MISSING_TEXTS, UNKNOWN_GROUP_REASON

__all__ = [
    "ENGINES",
    "as_counts",
    "available_engines",
    "refuse_weightless_strata",
    "to_counts",
    "without_unknown_groups",
]

ENGINES: tuple[str, ...] = ("numpy", "arrow", "duckdb", "dask")


def available_engines() -> list[str]:
    """Engines usable in this environment (numpy and arrow always are)."""
    out = ["numpy", "arrow"]
    if importlib.util.find_spec("duckdb") is not None:
        out.append("duckdb")
    if importlib.util.find_spec("dask") is not None:
        out.append("dask")
    return out


def _default_engine(kind: str) -> str:
    if kind == "frame":
        return "numpy"
    if kind == "files":
        return "duckdb" if "duckdb" in available_engines() else "arrow"
    return {"arrow": "arrow", "duckdb": "duckdb", "dask": "dask"}[kind]


def to_counts(
    source: Any,
    *,
    time: str = "survival_months",
    event: str = "dead",
    by: str | Sequence[str] | None = None,
    weights: str | None = None,
    entry: str | None = None,
    engine: str | None = None,
    memory_limit: str | None = "512MB",
    threads: int | None = None,
    progress: bool = False,
    unknown_groups: str | Sequence[str] | None = None,
    registry_rules: bool = False,
    cause: str | None = None,
    cause_events: bool = False,
) -> Counts:
    """Count events, censorings and entries per stratum and time, with any engine.

    Parameters
    ----------
    source : a pandas DataFrame; a path, glob (``"extract/*.parquet"``), directory or list of
        Parquet or CSV files; a ``pyarrow.dataset.Dataset``, ``pyarrow.Table`` or
        ``RecordBatchReader``; a DuckDB relation; a Dask DataFrame; or a ``Counts`` (returned
        as it is).
    time, event, by, weights, entry : as in :func:`netsurv.counts`.
    engine : "numpy", "arrow", "duckdb" or "dask"; by default numpy for a DataFrame, duckdb
        for files and relations (arrow when duckdb is not installed), arrow for Arrow data,
        dask for a Dask DataFrame.
    memory_limit : DuckDB's memory limit (e.g. ``"500MB"``) for the connection netsurv opens;
        larger-than-memory aggregation spills to a temporary directory.
    threads : DuckDB threads (default: all cores).
    progress : print progress to stderr (arrow: rows and row groups done; duckdb: percent of
        the scan; dask: the task progress bar).
    unknown_groups : by-columns whose "unknown" labels are left out first (as
        :func:`netsurv.logrank` does), counted as "unknown group (left out of the test)".
    registry_rules : apply ``netsurv.read``'s exclusion rules to the raw registry columns
        present (``reporting_source``/``survival_flag`` death certificate or autopsy only,
        negative or unknown ``survival_months``, unknown ``dead``, alive with no survival
        time), after a given ``exclusion`` reason — so that counting a raw extract out of core
        gives what ``netsurv.read(path)`` and an in-memory estimate give. Off by default: the
        analysed columns are then taken as they are, like a DataFrame in memory.
    cause : a cause-of-death column (e.g. ``"cancer_death"``) for competing risks: rows with
        the event and ``cause`` missing are left out, counted as ``"<event>, <cause> unknown"``
        (after a given ``exclusion`` reason and the registry rules).
    cause_events : count as events only the rows with the event and ``cause`` true (deaths
        from other causes become censorings). With the same ``cause``, the counts with and
        without it are on the same rows: :func:`netsurv.cumulative_incidence` uses both.

    Returns
    -------
    Counts
        The same table whatever the engine; ``excluded`` counts the rows left out by reason.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [1, 2, 2, 3], "d": [1, 1, 0, 0], "g": ["b", "a", "b", "a"]})
    >>> a = to_counts(df, time="t", event="d", by="g")                  # numpy
    >>> b = to_counts(df, time="t", event="d", by="g", engine="arrow")  # streamed batches
    >>> a.to_frame().equals(b.to_frame())
    True
    """
    kind = kind_of(source)
    if kind == "counts":
        return source  # type: ignore[no-any-return]
    check_names({"time": time, "event": event, "weights": weights, "entry": entry, "cause": cause})
    if engine is not None and engine not in ENGINES:
        raise InputError(f"engine={engine!r}: choose one of {', '.join(ENGINES)}")
    chosen = engine or _default_engine(kind)
    groups = as_by(unknown_groups)
    if cause_events and cause is None:
        raise InputError("cause_events=True needs the cause-of-death column: give cause=")
    spec = Spec(time, event, as_by(by), weights, entry, groups, registry_rules, cause, cause_events)
    for g in groups:
        if g not in spec.by:
            raise InputError(f"unknown_groups={g!r} is not one of the by-columns {spec.by}")
    if kind == "files":
        source = files_of(source)
    if chosen == "numpy":
        return _count_numpy(source, spec)
    if chosen == "arrow":
        if kind in ("duckdb", "dask"):
            raise InputError(f"engine='arrow' cannot read a {kind} object; use engine={kind!r}")
        return count_arrow(source, spec, progress=progress)
    if chosen == "duckdb":
        if kind == "dask":
            raise InputError("engine='duckdb' cannot read a Dask DataFrame; use engine='dask'")
        return count_duckdb(
            source, spec, memory_limit=memory_limit, threads=threads, progress=progress
        )
    dask = import_dask()
    if kind != "dask":
        source = _to_dask(dask, source, kind, spec)
    return count_dask(source, spec, progress=progress)


def refuse_weightless_strata(counts: Counts, weights: str | None) -> Counts:
    """``counts``, unless a stratum has rows whose weights are all 0 (InputError): it has
    nobody at risk, which estimators would show as survival 1 with n = 0. Estimators call it
    on the counts they estimate from (a counts table itself may hold such strata)."""
    if not counts.weighted:
        return counts
    rows = np.bincount(counts.stratum, minlength=counts.n_strata)  # times listed per stratum
    empty = np.flatnonzero((rows > 0) & (counts.n_subjects() == 0))
    if len(empty):
        label = ", ".join(f"{c}={v!r}" for c, v in counts.strata.iloc[int(empty[0])].items())
        raise InputError(
            f"weights={weights!r}: every weight is 0 in {f'stratum {label}' if label else 'the data'}"
            f" ({len(empty)} such strata of {counts.n_strata}); a weight counts rows, so "
            "weight 0 leaves nobody to estimate from: drop those rows or give positive weights"
        )
    return counts


def _with_registry_reasons(df: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """The analysed columns, with netsurv.read's rule reasons where ``exclusion`` is NA."""
    cols = spec.columns(list(df.columns))
    out = df[cols].copy()
    codes = arrow_codes(pa.Table.from_pandas(out, preserve_index=False))
    if codes is None:
        return out
    reason = np.array([None, *REASONS.values()], dtype=object)[codes]
    given = out[EXCLUSION] if EXCLUSION in out else pd.Series(pd.NA, index=out.index)
    out[EXCLUSION] = given.astype(object).where(given.notna(), reason)
    return out


def _boolean(df: pd.DataFrame, col: str, param: str) -> pd.Series:
    """``df[col]`` as pandas' nullable boolean, or InputError naming a value that is not."""
    try:
        return df[col].astype("boolean")
    except (TypeError, ValueError):
        bad = df[col].dropna().iloc[0] if df[col].notna().any() else None
        raise InputError(
            f"{param}={col!r}: value {bad!r} is not True/False or 1/0; code it as True "
            "(yes) / False (no), NA when unknown"
        ) from None


def _with_cause(df: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """The analysed columns with the cause rule: event and unknown cause become an
    ``exclusion`` reason (where none is given); with ``cause_events`` the event is
    event-and-cause (NA where the event is NA)."""
    assert spec.cause is not None  # only called with a cause column
    out = df[spec.columns(list(df.columns))].copy()
    is_event, why = _boolean(out, spec.event, "event"), _boolean(out, spec.cause, "cause")
    unknown = is_event.fillna(False) & why.isna()
    given = out[EXCLUSION].astype(object) if EXCLUSION in out else pd.Series(pd.NA, index=out.index)
    keep = given.notna() | ~unknown.to_numpy(dtype=bool)
    out[EXCLUSION] = given.where(keep, spec.cause_reason).astype("string")
    if spec.cause_events:
        out[spec.event] = (is_event & why.fillna(False)).mask(is_event.isna())
    return out


def without_unknown_groups(counts: Counts, groups: str | Sequence[str]) -> Counts:
    """The counts without strata whose ``groups`` label means unknown, as a log-rank test
    wants them (exact: strata are separate rows of the table). The left-out subjects are
    counted first in ``excluded`` as "unknown group (left out of the test)".

    So one pass over a large file serves both the curves (all groups) and the test. The same
    rows are left out as by :func:`netsurv.logrank`; a row that is both in an unknown group
    and excluded for another reason stays counted under that other reason here (``logrank``
    and ``to_counts(..., unknown_groups=...)`` count it as unknown group).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [1, 2, 3], "d": [1, 0, 1], "g": ["a", "unknown", "b"]})
    >>> c = without_unknown_groups(to_counts(df, time="t", event="d", by="g"), "g")
    >>> c.strata["g"].tolist(), c.excluded.to_dict()
    (['a', 'b'], {'unknown group (left out of the test)': 1})
    """
    cols = as_by(groups)
    unknown = np.zeros(counts.n_strata, dtype=bool)
    for g in cols:
        if g not in counts.by:
            raise InputError(f"{g!r} is not a grouping column of these counts {counts.by}")
        unknown |= unknown_label_mask(counts.strata[g])
    if not unknown.any():
        return counts
    drop = unknown[counts.stratum]
    n_left_out = float(counts.n_subjects()[unknown].sum())
    table = counts.to_frame()[~drop]
    excluded = pd.concat(
        [pd.Series({UNKNOWN_GROUP_REASON: int(round(n_left_out))}), counts.excluded]
    ).astype("int64")
    excluded.name, excluded.index.name = "n_excluded", "reason"
    return Counts.from_frame(table, counts.by, weighted=counts.weighted, excluded=excluded)


def _to_dask(dask: Any, source: Any, kind: str, spec: Spec) -> Any:
    import dask.dataframe as dd

    if kind == "frame":
        cols = spec.columns(list(source.columns))
        return dd.from_pandas(source[cols], npartitions=max(1, min(8, len(source) // 100_000)))
    if kind == "files" and source.format == "parquet":
        return dd.read_parquet(source.paths, split_row_groups=True)
    if kind == "files":
        # only the analysed columns, read as text: Dask guesses dtypes from the first rows, and
        # a column turning to text (or to missing) later would break that guess; the kernel
        # turns the text into numbers as pandas would (netsurv.rules: missing and boolean texts)
        header = pd.read_csv(source.paths[0], nrows=0).columns
        cols = spec.columns(list(header))
        return dd.read_csv(
            source.paths,
            usecols=cols,
            dtype=dict.fromkeys(cols, "string"),
            keep_default_na=False,
            na_values=sorted(MISSING_TEXTS),
        )
    raise InputError(f"engine='dask' cannot read a {kind} source; give a Dask DataFrame")


def _count_numpy(source: Any, spec: Spec) -> Counts:
    """The in-memory engine (``netsurv.counts``); other sources are read into memory first."""
    if not isinstance(source, pd.DataFrame):
        if isinstance(source, Files):
            source = dataset_of(source, spec)
        kind = kind_of(source)
        if kind == "duckdb":
            source = source.to_df()
        elif kind == "dask":
            source = source.compute()
        elif isinstance(source, pa.RecordBatchReader):
            source = source.read_all().to_pandas()
        elif isinstance(source, ds.Dataset):
            source = source.to_table(columns=spec.columns(source.schema.names)).to_pandas()
        else:  # a pyarrow Table or RecordBatch
            source = source.to_pandas()
    if spec.registry_rules:
        source = _with_registry_reasons(source, spec)
    if spec.cause is not None:
        source = _with_cause(source, spec)
    data = source
    unknown = pd.Series(dtype="int64")
    if spec.unknown_groups:
        mask = np.zeros(len(source), dtype=bool)
        for g in spec.unknown_groups:
            mask |= unknown_label_mask(source[g])
        if mask.any():
            data = source.loc[~mask]
            unknown = pd.Series({UNKNOWN_GROUP_REASON: int(mask.sum())})
    c = counts(
        data,
        time=spec.time,
        event=spec.event,
        by=spec.by or None,
        weights=spec.weights,
        entry=spec.entry,
    )
    if len(unknown):
        excluded = pd.concat([unknown, c.excluded]).astype("int64").rename("n_excluded")
        excluded.index.name = "reason"
        c = replace(c, excluded=excluded)
    return c


def as_counts(
    source: Any,
    *,
    time: str,
    event: str,
    by: str | Sequence[str] | None,
    weights: str | None = None,
    entry: str | None = None,
    engine: str | None = None,
    memory_limit: str | None = "512MB",
    progress: bool = False,
) -> Counts:
    """The counts behind an estimate: a Counts table as given, a DataFrame counted here, any
    other source (files, Arrow, DuckDB, Dask) or an explicit ``engine`` by
    :func:`netsurv.counting.sources.to_counts`."""
    if isinstance(source, Counts):
        return source
    if engine is None and isinstance(source, pd.DataFrame):
        counted = counts(source, time=time, event=event, by=by, weights=weights, entry=entry)
        return refuse_weightless_strata(counted, weights)
    counted = to_counts(
        source,
        time=time,
        event=event,
        by=by,
        weights=weights,
        entry=entry,
        engine=engine,
        memory_limit=memory_limit,
        progress=progress,
    )
    return refuse_weightless_strata(counted, weights)
