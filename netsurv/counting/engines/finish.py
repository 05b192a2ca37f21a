"""The last step of every out-of-core engine: the additive table to a :class:`Counts`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from netsurv.counting.engines.spec import Spec
from netsurv.counting.kernel import timefix
from netsurv.counting.table import Counts
from netsurv.errors import InputError
from netsurv.rules import UNKNOWN_GROUP_REASON, dense_grid_fits

__all__ = ["finish"]


def finish(
    table: pd.DataFrame,
    spec: Spec,
    categories: dict[str, tuple[list[Any], bool]],
    excluded: Counter[str],
    plain: Sequence[str] = (),
) -> Counts:
    """Counts from an additive table with by values (as :meth:`Accumulator.table` returns).

    Reproduces the numpy engine exactly: the same strata order, and R's timefix applied when
    (and only when) the numpy engine takes its float path. ``plain`` by-columns are returned
    with their plain values, the others as categoricals (as the source had them).
    """
    excl = _excluded_series(excluded, spec)
    if not (table["n_rows"] > 0).any():
        detail = ", ".join(f"{k}: {v}" for k, v in excl.items()) or "the data are empty"
        raise InputError(
            f"no rows left to analyse (excluded {detail}); "
            "check the selection, the time/event columns and the 'exclusion' column"
        )
    time = table["time"].to_numpy(np.float64)
    frame = pd.DataFrame({b: pd.Categorical(table[b], *categories[b]) for b in spec.by})
    k = len(frame.drop_duplicates()) if spec.by else 1
    top = time.max()
    cells = k * (int(top) + 1) if top < 2**62 else np.inf
    n_rows = float(table["n_rows"].sum())
    dense = np.array_equal(time, np.floor(time)) and dense_grid_fits(cells, n_rows)
    frame["time"] = time if dense else timefix(time)[0]
    for col in ("n_events", "n_censored", "n_entered"):
        frame[col] = table[col].to_numpy(np.float64)
    counts = Counts.from_frame(frame, spec.by, weighted=spec.weights is not None, excluded=excl)
    if plain:
        strata = counts.strata.copy()
        for col in plain:
            strata[col] = pd.Series(np.asarray(strata[col], dtype=object).tolist()).infer_objects()
        counts = replace(counts, strata=strata)
    return counts


def _excluded_series(excluded: Counter[str], spec: Spec) -> pd.Series:
    fixed = spec.reasons()
    first = [UNKNOWN_GROUP_REASON] if UNKNOWN_GROUP_REASON in excluded else []
    named = sorted(r for r in excluded if r not in fixed and r != UNKNOWN_GROUP_REASON)
    order = [*first, *named, *(r for r in fixed if r in excluded)]
    out = pd.Series(
        {r: excluded[r] for r in order if excluded[r]}, dtype="int64", name="n_excluded"
    )
    out.index.name = "reason"
    return out
