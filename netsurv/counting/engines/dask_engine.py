"""The Dask engine: count each partition with the shared kernel, add the tables in a tree.

Each partition becomes a small additive table (by values, time, sums) and its exclusion
counts; tables are concatenated and summed eight at a time (a tree reduction, no shuffle), so
only tables of about strata x times rows travel to the client. Works with any scheduler,
including a ``dask.distributed`` cluster.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

import pandas as pd
import pyarrow as pa

from netsurv.counting.engines.chunks import SUMS, Accumulator
from netsurv.counting.engines.finish import finish
from netsurv.counting.engines.spec import Spec
from netsurv.counting.table import Counts
from netsurv.errors import MissingExtraError

__all__ = ["count_dask", "import_dask"]

SPLIT_EVERY = 8


def import_dask() -> Any:
    try:
        import dask
        import dask.dataframe  # noqa: F401
    except ImportError:
        raise MissingExtraError("engine='dask' needs dask: pip install 'netsurv[dask]'") from None
    return dask


Partial = tuple[pd.DataFrame, Counter[str], dict[str, Any]]


def _partial(frame: pd.DataFrame, spec: Spec, cats: dict[str, Any]) -> Partial:
    """One partition's additive table, exclusion counts and categories seen."""
    acc = Accumulator(spec, cats)
    acc.add_batch(pa.Table.from_pandas(frame, preserve_index=False))
    found = {lev.name: (lev.categories, lev.ordered) for lev in acc.levels if lev.categorical}
    return acc.table(), acc.excluded, found


def _merge(spec: Spec, *parts: Partial) -> Partial:
    """Sum several partial tables (rows with equal by values and time are added)."""
    tables = [p[0] for p in parts if len(p[0])]
    excluded: Counter[str] = Counter()
    found: dict[str, Any] = {}
    for p in parts:
        excluded.update(p[1])
        for name, (values, ordered) in p[2].items():
            if found.get(name, (None,))[0] is None:
                found[name] = (values, ordered)
    if not tables:
        return parts[0][0], excluded, found
    table = pd.concat(tables, ignore_index=True)
    keys = [*spec.by, "time"]
    merged = table.groupby(keys, sort=False, dropna=False, observed=True)[list(SUMS)].sum()
    return merged.reset_index(), excluded, found


def count_dask(ddf: Any, spec: Spec, *, progress: bool = False) -> Counts:
    """Count a Dask DataFrame (partition by partition, on whatever scheduler is active)."""
    dask = import_dask()
    cols = spec.columns(list(ddf.columns))
    cats: dict[str, tuple[list[Any] | None, bool]] = {}
    meta = ddf._meta
    for c in spec.by:
        dtype = meta[c].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            known = dtype.categories is not None and not (
                len(dtype.categories) == 1 and dtype.categories[0] == "__UNKNOWN_CATEGORIES__"
            )
            cats[c] = (list(dtype.categories) if known else None, bool(dtype.ordered))
    parts = [dask.delayed(_partial)(p, spec, cats) for p in ddf[cols].to_delayed()]
    while len(parts) > 1:
        parts = [
            dask.delayed(_merge)(spec, *parts[i : i + SPLIT_EVERY])
            for i in range(0, len(parts), SPLIT_EVERY)
        ]
    if progress:
        from dask.diagnostics import ProgressBar

        with ProgressBar(out=sys.stderr):
            table, excluded, found = parts[0].compute()
    else:
        table, excluded, found = parts[0].compute()
    for name, (values, ordered) in found.items():
        if cats.get(name, (None,))[0] is None:  # categories known only inside partitions
            cats[name] = (values, ordered)
    acc = Accumulator(spec, cats)  # only for the categories' order
    for lev in acc.levels:
        for value in table[lev.name].dropna().tolist():
            lev.code_of(value)
    plain = [lev.name for lev in acc.levels if not lev.categorical]
    return finish(table, spec, acc.categories(), excluded, plain)
