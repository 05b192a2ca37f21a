"""Relative survival (Pohar Perme, Ederer II) out of core: exact sums over chunks of rows.

Both estimators are built from sums over subjects per (stratum, time) — at risk, events,
Σ 1/S_P,i, Σ λ_P,i/S_P,i, … (``netsurv.estimators.relative.sums``). On a common time grid those sums
of different chunks simply add, so two passes give the in-memory answer exactly:

1. every chunk is validated by :func:`netsurv.estimators.relative.net.subjects` (the same exclusions); its
   distinct exit (and entry) times per stratum are collected, which fixes the grid;
2. every chunk's ``subject_sums`` on that grid are added; ``finish`` and the estimator
   formulas then run once on the totals.

Chunks are pandas frames: slices of a DataFrame, Arrow batches of Parquet/CSV files or of a
pyarrow dataset, DuckDB record batches, or Dask partitions (each pass a tree of tasks).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from netsurv.counting.engines.files import kind_of
from netsurv.counting.validate import as_by
from netsurv.errors import InputError
from netsurv.estimators.relative import netcurves
from netsurv.estimators.relative.chunkruns import (
    DaskRun,
    LoopRun,
    StrataKeys,
    chunker,
    distinct_pairs,
    global_strata,
)
from netsurv.estimators.relative.netcurves import curves_from_sums
from netsurv.estimators.relative.ratemap import RateMap, rate_map
from netsurv.estimators.relative.subjects import Subjects, subjects
from netsurv.estimators.relative.sums import StepGrid, finish, locate, step_grid, subject_sums
from netsurv.results.curves import SurvivalCurves

__all__ = ["relative_survival_chunks"]


@dataclass(frozen=True)
class _Opts:
    """What every chunk needs: the time, event and group columns and the rate map."""

    time: str
    event: str
    by: tuple[str, ...]
    rmap: RateMap


def relative_survival_chunks(
    source: Any,
    *,
    method: str = "pohar-perme",
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    chunk_rows: int = 1_000_000,
    progress: bool = False,
    time: str = "survival_months",
    event: str = "dead",
    by: str | Sequence[str] | None = None,
    rates: RateMap | None = None,
    **rate_keywords: Any,
) -> SurvivalCurves:
    """:func:`netsurv.relative_survival` computed chunk by chunk (two passes over ``source``).

    ``rates``, ``rate_keywords``: population matching (:class:`~.ratemap.RateMap`).
    ``source``: a DataFrame, Parquet/CSV path(s), a pyarrow Dataset/Table, a DuckDB relation
    or a Dask DataFrame (each pass then one task per partition on the active scheduler). The
    result equals the in-memory one up to the order of the additions (<= 2e-13 seen).
    """
    if method not in ("pohar-perme", "ederer2"):
        raise InputError(f"method={method!r}: choose 'pohar-perme' or 'ederer2'")
    rm = rate_map(rates, rate_keywords, caller="relative_survival_chunks")
    opts = _Opts(time, event, as_by(by), rm)
    cols = list(dict.fromkeys([time, event, *rm.columns, *opts.by]))
    run: LoopRun | DaskRun
    if kind_of(source) == "dask":
        run = DaskRun(source)
    else:
        run = LoopRun(chunker(source, cols, chunk_rows, opts.by), progress)
    # pass 1: exclusions, whole-number ages, strata and the time grid
    first = _first_pass(run, opts)
    strata, index, grid = first.strata, first.index, first.grid
    completed = rm.completed_age
    if completed is None:
        completed = first.whole

    # pass 2: additive sums on the grid
    args = (opts, grid, index, completed, method == "pohar-perme", len(strata))
    if isinstance(run, LoopRun):  # the in-memory path's blocks of subjects, in its order
        parts = list(_blocks(run, *args))
    else:
        parts = [p for p in run.map(_pass2, "pass 2/2", *args) if p is not None]
    total = _add_parts(parts)
    times = grid.time / first.unit  # entry-only grid points keep days / unit
    times[total["j"]] = total["t"]  # stored values elsewhere: at(60) finds month 60
    return curves_from_sums(
        grid,
        finish(grid, total["sums"]),
        method=method,
        strata=strata,
        by=opts.by,
        times=times,
        n=total["n"],
        excluded=first.excluded,
        conf_type=conf_type,
        conf_level=conf_level,
        time_unit=rm.time_unit,
    )


@dataclass(frozen=True)
class _First:
    """What pass 1 fixes: the strata, the time grid, the exclusions."""

    strata: pd.DataFrame
    index: dict[tuple[Any, ...], int]
    grid: StepGrid
    excluded: pd.Series
    whole: bool  # every age a whole number
    unit: float  # days per time unit


def _first_pass(run: LoopRun | DaskRun, opts: _Opts) -> _First:
    """Pass 1 over every chunk, its results combined."""
    firsts = run.map(_pass1, "pass 1/2", opts)
    kept = [r for r in firsts if r is not None]
    if not kept:
        raise InputError("no rows left to analyse: every row of every chunk was excluded")
    known = kept[0]["first"]  # a row that is kept: counts the exclusions of empty chunks
    empty = [i for i, r in enumerate(firsts) if r is None]
    excluded: dict[str, int] = {}
    for part in [*(r["excluded"] for r in kept), *run.map_some(empty, _excluded_only, known, opts)]:
        for reason, k in part.items():
            excluded[reason] = excluded.get(reason, 0) + k
    keys = StrataKeys(opts.by)
    for r in kept:
        keys.add(r["strata"])
    strata, index = keys.table()
    g_st = np.concatenate([global_strata(r["strata"], r["stratum"], index) for r in kept])
    times = np.concatenate([r["time"] for r in kept])
    grid = step_grid(*distinct_pairs(g_st, times), len(strata))
    excl = pd.Series(excluded, dtype="int64", name="n_excluded")
    excl.index.name = "reason"
    whole = all(r["whole"] for r in kept)
    return _First(strata, index, grid, excl, whole, kept[0]["unit"])


def _pass1(frame: pd.DataFrame, opts: _Opts) -> dict[str, Any] | None:
    """A chunk's exclusions, strata, distinct exit/entry days per stratum (None: all excluded)."""
    s = _subjects_or_none(frame, opts, completed_age=True, quiet=True)
    if s is None:
        return None
    whole = True
    if opts.rmap.completed_age is None and opts.rmap.age_unit != "days":
        a = pd.to_numeric(frame[opts.rmap.age].iloc[s.rows], errors="coerce").to_numpy(float)
        whole = bool(np.array_equal(a, np.floor(a)))
    st, tt = s.stratum, s.days
    if s.entry is not None:
        late = s.entry > 0
        st, tt = np.concatenate([st, st[late]]), np.concatenate([tt, s.entry[late]])
    st, tt = distinct_pairs(st, tt)
    return {
        "strata": s.strata,
        "stratum": st,
        "time": tt,
        "whole": whole,
        "unit": s.unit,
        "excluded": {str(k): int(v) for k, v in s.excluded.items()},
        "first": frame.iloc[s.rows[:1]],
    }


def _excluded_only(frame: pd.DataFrame, known: pd.DataFrame, opts: _Opts) -> dict[str, int]:
    """Exclusion counts of a chunk whose rows are all excluded (validated next to a kept row)."""
    s = _subjects_or_none(pd.concat([known, frame]), opts, completed_age=True, quiet=True)
    return {} if s is None else {str(k): int(v) for k, v in s.excluded.items()}


def _pass2(
    frame: pd.DataFrame,
    opts: _Opts,
    grid: Any,
    index: dict[Any, int],
    completed: bool,
    weighted: bool,
    n_strata: int,
) -> dict[str, Any] | None:
    """A chunk's additive sums on the common grid, its subjects per stratum and exit times."""

    s = _subjects_or_none(frame, opts, completed_age=completed, quiet=False)
    if s is None:
        return None
    return _block_sums(_fields(s, index), s.table, grid, weighted, n_strata)


_FIELDS = ("gs", "days", "status", "age", "pos", "sex", "race", "entry", "time")


def _blocks(
    run: LoopRun,
    opts: _Opts,
    grid: Any,
    index: dict[Any, int],
    completed: bool,
    weighted: bool,
    n_strata: int,
) -> Iterator[dict[str, Any]]:
    """Pass 2 over chunks, summed in blocks of ``netcurves.CHUNK_SUBJECTS`` consecutive kept subjects —
    the blocks and the order of ``netsurv.estimators.relative.net.net_sums`` — so that the floating-point sums
    are the in-memory ones bit for bit, whatever the chunk size."""

    buffer: list[dict[str, Any]] = []
    held, table = 0, None
    for frame in run.chunks(run.progress, "pass 2/2"):
        s = _subjects_or_none(frame, opts, completed_age=completed, quiet=False)
        if s is None:
            continue
        table = s.table
        buffer.append(_fields(s, index))
        held += len(s.days)
        while held >= netcurves.CHUNK_SUBJECTS:
            block = _concat_subjects(buffer)
            head = {
                k: None if v is None else v[: netcurves.CHUNK_SUBJECTS] for k, v in block.items()
            }
            rest = {
                k: None if v is None else v[netcurves.CHUNK_SUBJECTS :] for k, v in block.items()
            }
            yield _block_sums(head, table, grid, weighted, n_strata)
            buffer, held = [rest], held - netcurves.CHUNK_SUBJECTS
    if held:
        yield _block_sums(_concat_subjects(buffer), table, grid, weighted, n_strata)


def _fields(s: Subjects, index: dict[Any, int]) -> dict[str, Any]:
    """The per-subject arrays pass 2 needs, with strata numbered across chunks."""
    fields = {k: getattr(s, k) for k in _FIELDS if k != "gs"}
    return {"gs": global_strata(s.strata, s.stratum, index), **fields}


def _concat_subjects(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        k: None if parts[0][k] is None else np.concatenate([p[k] for p in parts]) for k in _FIELDS
    }


def _block_sums(
    b: dict[str, Any], table: Any, grid: Any, weighted: bool, n_strata: int
) -> dict[str, Any]:

    sums = subject_sums(
        grid,
        table,
        b["gs"],
        b["days"],
        b["status"],
        b["age"],
        b["pos"],
        b["sex"],
        b["race"],
        weighted=weighted,
        entry=b["entry"],
    )
    j, first = np.unique(locate(grid, b["gs"], b["days"]), return_index=True)
    return {
        "sums": sums,
        "j": j,
        "t": b["time"][first],
        "n": np.bincount(b["gs"], minlength=n_strata).astype(np.float64),
    }


def _add_parts(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Sum pass-2 results (sums and counts add; exit times are the same in every chunk)."""
    out = {
        "sums": parts[0]["sums"],
        "j": parts[0]["j"],
        "t": parts[0]["t"],
        "n": parts[0]["n"].copy(),
    }
    for p in parts[1:]:
        out["sums"] = out["sums"] + p["sums"]
        out["n"] = out["n"] + p["n"]
        out["j"] = np.concatenate([out["j"], p["j"]])
        out["t"] = np.concatenate([out["t"], p["t"]])
    return out


def _subjects_or_none(
    frame: pd.DataFrame, opts: _Opts, completed_age: bool, quiet: bool
) -> Subjects | None:
    """``subjects()`` of a chunk, or None when every row of the chunk is excluded."""

    rmap = opts.rmap.replace(completed_age=completed_age)
    with warnings.catch_warnings():
        if quiet:
            warnings.simplefilter("ignore")
        try:
            return subjects(frame, time=opts.time, event=opts.event, by=opts.by, rmap=rmap)
        except InputError as exc:
            if str(exc).startswith("no rows left"):
                return None
            raise
