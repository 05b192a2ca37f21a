"""Relative survival (Pohar Perme, Ederer II) out of core: exact sums over chunks of rows.

Both estimators are built from sums over subjects per (stratum, time) — at risk, events,
Σ 1/S_P,i, Σ λ_P,i/S_P,i, … (``netsurv.lifetables.netsums``). On a common time grid those sums
of different chunks simply add, so two passes give the in-memory answer exactly:

1. every chunk is validated by :func:`netsurv.relative.subjects` (the same exclusions); its
   distinct exit (and entry) times per stratum are collected, which fixes the grid;
2. every chunk's ``subject_sums`` on that grid are added; ``finish`` and the estimator
   formulas then run once on the totals.

Chunks are pandas frames: slices of a DataFrame, Arrow batches of Parquet/CSV files or of a
pyarrow dataset, DuckDB record batches, or Dask partitions (each pass a tree of tasks).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from netsurv.errors import InputError
from netsurv.results import SurvivalCurves

__all__ = ["relative_survival_chunks"]


class _Keys:
    """Global strata: the by-values seen in any chunk, ordered as the in-memory path orders."""

    def __init__(self, by: tuple[str, ...]) -> None:
        self.by = by
        self.seen: dict[tuple[Any, ...], None] = {}
        self.cats: dict[str, tuple[list[Any], bool]] = {}

    def add(self, strata: pd.DataFrame) -> None:
        for col in self.by:
            s = strata[col]
            if isinstance(s.dtype, pd.CategoricalDtype) and col not in self.cats:
                self.cats[col] = (list(s.cat.categories), bool(s.cat.ordered))
        for row in strata.itertuples(index=False, name=None):
            self.seen.setdefault(tuple(row), None)

    def table(self) -> tuple[pd.DataFrame, dict[tuple[Any, ...], int]]:
        from netsurv.engines._values import sorted_values

        if not self.by:
            return pd.DataFrame(index=pd.RangeIndex(1)), {(): 0}
        ranks = []
        for j, col in enumerate(self.by):
            values = list(dict.fromkeys(k[j] for k in self.seen))
            cats = self.cats.get(col, ([], False))[0]
            order = [*cats, *sorted_values([v for v in values if v not in set(cats)])]
            ranks.append({v: i for i, v in enumerate(order)})
        keys = sorted(self.seen, key=lambda k: tuple(r[v] for r, v in zip(ranks, k, strict=True)))
        data: dict[str, Any] = {}
        for j, col in enumerate(self.by):
            values = [k[j] for k in keys]
            if col in self.cats:
                data[col] = pd.Categorical(values, *self.cats[col])
            else:
                data[col] = pd.Series(values, dtype=object).infer_objects()
        return pd.DataFrame(data), {k: i for i, k in enumerate(keys)}


def _global(s: Any, index: dict[tuple[Any, ...], int]) -> np.ndarray:
    local = [index[tuple(r)] for r in s.strata.itertuples(index=False, name=None)] or [0]
    return np.asarray(local, dtype=np.int64)[s.stratum]


def relative_survival_chunks(
    source: Any,
    *,
    method: str = "pohar-perme",
    conf_type: str = "log-log",
    conf_level: float = 0.95,
    chunk_rows: int = 1_000_000,
    progress: bool = False,
    **options: Any,
) -> SurvivalCurves:
    """:func:`netsurv.relative_survival` computed chunk by chunk (two passes over ``source``).

    ``options`` are :func:`netsurv.relative_survival`'s column and life-table arguments (time,
    event, by, time_unit, age, sex, year, date_dx, month, race, lifetable, completed_age,
    age_unit, zero_time, entry). ``source``: a DataFrame, Parquet/CSV path(s), a pyarrow
    Dataset/Table, a DuckDB relation or a Dask DataFrame. The result equals the in-memory one
    (to rounding of the per-chunk sums: ~1e-15 relative).
    """
    from netsurv.lifetables.netsums import _locate, finish, step_grid, subject_sums
    from netsurv.lifetables.subjects import subjects
    from netsurv.relative import curves_from_sums

    if method not in ("pohar-perme", "ederer2"):
        raise InputError(f"method={method!r}: choose 'pohar-perme' or 'ederer2'")
    opts = {**_defaults(), **options}
    from netsurv._validate import as_by

    by = as_by(opts["by"])
    cols = [opts[k] for k in ("time", "event", "age", "sex", "year", "date_dx", "month",
                              "race", "entry") if opts[k] is not None] + list(by)  # fmt: skip
    chunks = _chunker(source, list(dict.fromkeys(cols)), chunk_rows, by)

    # pass 1: exclusions, whole-number ages, strata and the time grid
    keys, grid_parts, whole = _Keys(by), [], True
    excluded: dict[str, int] = {}
    first_ok: pd.DataFrame | None = None
    first_unit = 1.0
    pending = []
    for frame in chunks(progress, "pass 1/2"):
        s = _subjects_or_none(subjects, frame, opts, completed_age=True, quiet=True)
        if s is None:  # every row excluded: count them next to a row known to be kept
            if first_ok is None:
                pending.append(frame)
                continue
            s = _subjects_or_none(subjects, pd.concat([first_ok, frame]), opts, True, True)
            assert s is not None  # the known row is kept
            _add_excluded(excluded, s.excluded)
            continue
        if first_ok is None:
            first_ok, first_unit = frame.iloc[s.rows[:1]], s.unit
            for p in pending:
                e = _subjects_or_none(subjects, pd.concat([first_ok, p]), opts, True, True)
                _add_excluded(excluded, e.excluded)  # type: ignore[union-attr]
            pending = []
        _add_excluded(excluded, s.excluded)
        keys.add(s.strata)
        if opts["completed_age"] is None and opts["age_unit"] != "days":
            a = pd.to_numeric(frame[opts["age"]].iloc[s.rows], errors="coerce").to_numpy(float)
            whole &= bool(np.array_equal(a, np.floor(a)))
        late = s.entry is not None and s.entry > 0
        st = s.stratum if s.entry is None else np.concatenate([s.stratum, s.stratum[late]])
        tt = s.days if s.entry is None else np.concatenate([s.days, s.entry[late]])
        grid_parts.append((s.strata, *_distinct(st, tt)))
    if first_ok is None:
        raise InputError("no rows left to analyse: every row of every chunk was excluded")
    strata, index = keys.table()
    g_st = [_global(_Stub(tab, st), index) for tab, st, _ in grid_parts]
    g_st_all, g_t_all = _distinct(np.concatenate(g_st), np.concatenate([t for *_, t in grid_parts]))
    grid_parts.clear()
    grid = step_grid(g_st_all, g_t_all, len(strata))
    completed = opts["completed_age"] if opts["completed_age"] is not None else whole

    # pass 2: additive sums on the grid
    weighted = method == "pohar-perme"
    totals: dict[str, np.ndarray] = {}
    times = grid.time / first_unit  # entry-only grid points keep days / unit
    n = np.zeros(len(strata))
    for frame in chunks(progress, "pass 2/2"):
        s = _subjects_or_none(subjects, frame, opts, completed_age=completed, quiet=False)
        if s is None:
            continue
        gs = _global(s, index)
        part = subject_sums(grid, s.table, gs, s.days, s.status, s.age, s.pos, s.sex, s.race,
                            weighted=weighted, entry=s.entry)  # fmt: skip
        for k, v in part.items():
            totals[k] = totals[k] + v if k in totals else v
        times[_locate(grid, gs, s.days)] = s.time  # stored values: at(60) finds month 60
        n += np.bincount(gs, minlength=len(strata))
    excl = pd.Series(excluded, dtype="int64", name="n_excluded")
    excl.index.name = "reason"
    return curves_from_sums(grid, finish(grid, totals), method=method, strata=strata, by=by,
                            times=times, n=n, excluded=excl, conf_type=conf_type,
                            conf_level=conf_level, time_unit=opts["time_unit"])  # fmt: skip


def _distinct(stratum: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (stratum, time) pairs, sorted."""
    order = np.lexsort((t, stratum))
    st, tt = stratum[order], t[order]
    new = np.r_[True, (st[1:] != st[:-1]) | (tt[1:] != tt[:-1])] if len(tt) else np.zeros(0, bool)
    return st[new].astype(np.int64), tt[new]


class _Stub:
    def __init__(self, strata: pd.DataFrame, stratum: np.ndarray) -> None:
        self.strata, self.stratum = strata, stratum


def _subjects_or_none(subjects: Callable[..., Any], frame: pd.DataFrame, opts: dict[str, Any],
                      completed_age: bool, quiet: bool) -> Any:  # fmt: skip
    kw = {k: v for k, v in opts.items() if k != "completed_age"}
    with warnings.catch_warnings():
        if quiet:
            warnings.simplefilter("ignore")
        try:
            return subjects(frame, completed_age=completed_age, **kw)
        except InputError as exc:
            if str(exc).startswith("no rows left"):
                return None
            raise


def _defaults() -> dict[str, Any]:
    """The column and life-table defaults of :func:`netsurv.relative_survival` (read from
    its signature, so both paths always agree)."""
    import inspect

    from netsurv.lifetables.subjects import subjects
    from netsurv.relative import relative_survival

    takes = set(inspect.signature(subjects).parameters) - {"df"}
    params = inspect.signature(relative_survival).parameters.items()
    return {k: p.default for k, p in params if k in takes}


def _add_excluded(total: dict[str, int], part: pd.Series) -> None:
    for reason, k in part.items():
        total[str(reason)] = total.get(str(reason), 0) + int(k)


def _chunker(source: Any, cols: list[str], rows: int, by_cols: tuple[str, ...] = ()
             ) -> Callable[[bool, str], Iterator[pd.DataFrame]]:  # fmt: skip
    """A function that iterates ``source`` in pandas chunks (callable once per pass)."""
    from netsurv.engines._progress import Progress
    from netsurv.engines._sources import files_of, kind_of

    kind = kind_of(source)
    if kind == "files":
        source = files_of(source)

    def frames() -> Iterator[pd.DataFrame]:
        if kind == "frame":
            missing = [c for c in cols if c not in source.columns]
            if missing:
                raise InputError(f"relative survival needs columns {missing}")
            for a in range(0, len(source), rows):
                yield source.iloc[a : a + rows]
            return
        if kind == "dask":
            for part in source.to_delayed():
                yield part.compute()
            return
        if kind == "duckdb":
            reader = source.to_arrow_reader(rows)
        else:
            from netsurv.engines._arrow import dataset_of
            from netsurv.engines._kernel import Spec
            from netsurv.engines._sources import Files

            spec = Spec("", "", tuple(c for c in cols if c in by_cols))
            data = dataset_of(source, spec) if isinstance(source, Files) else source
            names = data.schema.names
            want = [c for c in [*cols, "exclusion"] if c in names]
            if hasattr(data, "to_batches") and not hasattr(data, "num_columns"):
                reader = data.to_batches(columns=want, batch_size=rows)
            else:
                reader = data.select(want).to_batches(rows)
        for batch in reader:
            yield batch.to_pandas()

    def run(progress: bool, label: str) -> Iterator[pd.DataFrame]:
        bar = Progress(f"relative survival, {label}", None, " rows", enabled=progress)
        done = 0
        for frame in frames():
            yield frame
            done += len(frame)
            bar.update(done)
        bar.close()

    return run
