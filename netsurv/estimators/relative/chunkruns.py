"""Reading a source in chunks for :mod:`~.chunks`: the passes (in this process or as Dask
tasks), the chunk iterator, and the strata numbered across chunks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from netsurv.counting.engines.arrow_engine import dataset_of
from netsurv.counting.engines.files import Files, files_of, kind_of
from netsurv.counting.engines.progress import Progress
from netsurv.counting.engines.spec import Spec
from netsurv.counting.engines.values import sorted_values
from netsurv.errors import InputError

__all__ = ["DaskRun", "LoopRun", "StrataKeys", "chunker", "distinct_pairs", "global_strata"]


class StrataKeys:
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

        if not self.by:
            return pd.DataFrame(index=pd.RangeIndex(1)), {(): 0}
        ranks = []
        for j, col in enumerate(self.by):
            values = list(dict.fromkeys(k[j] for k in self.seen))
            cats = self.cats.get(col, ([], False))[0]
            known = set(cats)
            order = [*cats, *sorted_values([v for v in values if v not in known])]
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


def global_strata(
    strata: pd.DataFrame, stratum: np.ndarray, index: dict[tuple[Any, ...], int]
) -> np.ndarray:
    """A chunk's stratum numbers turned into the numbers of the strata of all chunks."""
    local = [index[tuple(r)] for r in strata.itertuples(index=False, name=None)] or [0]
    return np.asarray(local, dtype=np.int64)[stratum]


class LoopRun:
    """Passes over an iterable source, one chunk after another in this process."""

    def __init__(self, chunks: Callable[[bool, str], Iterator[pd.DataFrame]], progress: bool):
        self.chunks, self.progress = chunks, progress

    def map(self, fn: Callable[..., Any], label: str, *args: Any) -> list[Any]:
        return [fn(frame, *args) for frame in self.chunks(self.progress, label)]

    def map_some(self, which: list[int], fn: Callable[..., Any], *args: Any) -> list[Any]:
        if not which:
            return []
        wanted = set(which)
        return [fn(f, *args) for i, f in enumerate(self.chunks(False, "")) if i in wanted]


class DaskRun:
    """Passes over a Dask DataFrame: one task per partition, results gathered (small)."""

    def __init__(self, ddf: Any) -> None:
        import dask

        self.dask, self.parts = dask, ddf.to_delayed()

    def map(self, fn: Callable[..., Any], label: str, *args: Any) -> list[Any]:
        delayed = self.dask.delayed
        # large arguments (options with the life table, the grid, the strata index) become one
        # shared node of the graph instead of a copy in every task
        shared = [a if isinstance(a, bool | int | float | str) else delayed(a) for a in args]
        tasks = [delayed(fn)(p, *shared) for p in self.parts]
        return list(self.dask.compute(*tasks))

    def map_some(self, which: list[int], fn: Callable[..., Any], *args: Any) -> list[Any]:
        tasks = [self.dask.delayed(fn)(self.parts[i], *args) for i in which]
        return list(self.dask.compute(*tasks)) if tasks else []


def distinct_pairs(stratum: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (stratum, time) pairs, sorted."""
    order = np.lexsort((t, stratum))
    st, tt = stratum[order], t[order]
    new = np.r_[True, (st[1:] != st[:-1]) | (tt[1:] != tt[:-1])] if len(tt) else np.zeros(0, bool)
    return st[new].astype(np.int64), tt[new]


def chunker(
    source: Any, cols: list[str], rows: int, by_cols: tuple[str, ...] = ()
) -> Callable[[bool, str], Iterator[pd.DataFrame]]:
    """A function that iterates ``source`` in pandas chunks (callable once per pass)."""

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
        if kind == "duckdb":
            reader = source.to_arrow_reader(rows)
        else:
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
