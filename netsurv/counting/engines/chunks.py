"""The per-chunk accumulator every out-of-core engine shares.

An engine hands the :class:`Accumulator` Arrow columns in chunks: raw rows (pyarrow batches,
Dask partitions) or rows that already stand for ``n`` identical rows (DuckDB's group-by
output). The accumulator applies the same exclusion rules as :func:`netsurv.counting.validate.prepare`
(first reason wins, in the same order), validates the kept rows, and adds the kept rows'
events, censorings and entries into one additive table keyed by (stratum, time).
:func:`finish` turns that table into a :class:`netsurv.Counts` through ``Counts.from_frame``,
so every engine ends on the same constructor as the numpy engine's contract.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from netsurv.counting.engines.registry import REASONS as REGISTRY_REASONS
from netsurv.counting.engines.registry import arrow_codes
from netsurv.counting.engines.spec import Spec
from netsurv.counting.engines.values import Levels, floats, numbers
from netsurv.errors import InputError
from netsurv.rules import (
    EXCLUSION,
    UNKNOWN_GROUP_REASON,
)

__all__ = ["SUMS", "Accumulator", "Units"]
SUMS = ("n_events", "n_censored", "n_entered", "n_rows", "n_entry_rows")
_DENSE_CELLS = 1 << 22  # dense (stratum x whole time) grid up to 4 M cells (5 x 32 MB)


@dataclass
class Units:
    """One chunk's analysis units (rows, or groups of ``mult`` identical rows)."""

    time: np.ndarray  # float64, NaN = missing
    event: np.ndarray  # float64, NaN = missing
    codes: list[np.ndarray]  # per by-column, -1 = missing
    mult: np.ndarray | None = None  # rows per unit (None: 1)
    wsum: np.ndarray | None = None  # summed weight per unit (None: mult)
    wmin: np.ndarray | None = None
    wmax: np.ndarray | None = None
    entry: np.ndarray | None = None  # row-level entry times (raw rows only)
    sub: np.ndarray | None = None  # 1 missing weight, 2 missing entry, 3 entry >= time
    exclusion: pa.Array | None = None
    registry: np.ndarray | None = None  # rule code of netsurv.read's exclusions (0: none)
    cause: np.ndarray | None = None  # float64 cause of death (1 = this cause), NaN = unknown


class Accumulator:
    """Adds chunks into one additive (stratum, time) table; see the module docstring."""

    def __init__(
        self, spec: Spec, categories: dict[str, tuple[list[Any] | None, bool]] | None = None
    ):
        cats = categories or {}
        self.spec = spec
        self.levels = [
            Levels(b, *cats[b], categorical=True) if b in cats else Levels(b) for b in spec.by
        ]
        self.strata: dict[tuple[int, ...], int] = {}
        self.excluded: Counter[str] = Counter()
        self.dense: dict[str, np.ndarray] = {k: np.zeros((0, 0)) for k in SUMS}
        self.sparse: list[dict[str, np.ndarray]] = []
        self.n_sparse = 0

    # ------------------------------------------------------------------ input
    def add_batch(self, batch: pa.RecordBatch | pa.Table) -> None:
        """Add raw rows (each row one subject)."""
        s = self.spec
        names = batch.schema.names
        w = floats(batch.column(s.weights), "weights", s.weights) if s.weights else None
        entry = floats(batch.column(s.entry), "entry", s.entry) if s.entry else None
        time = numbers(batch.column(s.time), "time", s.time)
        sub = None
        if w is not None or entry is not None:
            sub = np.zeros(len(time), np.int8)
            if entry is not None:
                with np.errstate(invalid="ignore"):
                    sub[~(entry < time) & ~np.isnan(entry)] = 3
                sub[np.isnan(entry)] = 2
            if w is not None:
                sub[np.isnan(w)] = 1
        excl = batch.column(EXCLUSION) if EXCLUSION in names else None
        if isinstance(excl, pa.ChunkedArray):
            excl = excl.combine_chunks()
        units = Units(
            time=time,
            event=numbers(batch.column(s.event), "event", s.event),
            codes=[lev.encode(batch.column(b)) for lev, b in zip(self.levels, s.by, strict=True)],
            wsum=w,
            wmin=w,
            wmax=w,
            entry=entry,
            sub=sub,
            exclusion=excl if excl is not None and excl.null_count < len(excl) else None,
            registry=arrow_codes(batch) if s.registry_rules else None,
            cause=floats(batch.column(s.cause), "cause", s.cause) if s.cause else None,
        )
        self.add_units(units)

    def add_units(self, u: Units) -> None:
        """Classify, validate and count one chunk of units."""
        keep = self._classify(u)
        if keep is not None and not keep.any():
            return
        gs = self._strata(u.codes, keep, len(u.time))
        t = u.time if keep is None else u.time[keep]
        e = u.event if keep is None else u.event[keep]
        if self.spec.cause_events and u.cause is not None:  # other causes count as censored
            e = e * (_take(u.cause, keep) == 1)
        if u.mult is None and u.wsum is None and u.entry is None and self._add_rows(gs, t, e):
            return
        n = len(t)
        mult = np.ones(n) if u.mult is None else _take(u.mult, keep).astype(np.float64)
        wsum = mult if u.wsum is None else _take(u.wsum, keep)
        ev = e * wsum
        self._add(gs, t, {"n_events": ev, "n_censored": wsum - ev, "n_rows": mult})
        if u.entry is not None:
            self._add(gs, _take(u.entry, keep), {"n_entered": wsum, "n_entry_rows": mult})

    def add_entries(
        self, codes: list[np.ndarray], entry: np.ndarray, wsum: np.ndarray, mult: np.ndarray
    ) -> None:
        """Add entry times of kept rows (already filtered, e.g. by SQL)."""
        _check(entry, entry, None, "entry", str(self.spec.entry), "entry times cannot be negative")
        gs = self._strata(codes, None, len(entry))
        self._add(gs, entry, {"n_entered": wsum, "n_entry_rows": mult.astype(np.float64)})

    # ------------------------------------------------------------------ rules
    def _exclude(
        self, reason: str, hit: np.ndarray | None, keep: np.ndarray | None, mult: Any
    ) -> np.ndarray | None:
        """Count and drop the still-kept units that ``hit``; returns the new keep mask."""
        if hit is None or not hit.any():
            return keep
        if keep is not None:
            hit = hit & keep
        k = int(hit.sum() if mult is None else mult[hit].sum())
        if k:
            self.excluded[reason] += k
        return ~hit if keep is None else keep & ~hit

    def _classify(self, u: Units) -> np.ndarray | None:
        """Keep mask (None: every unit kept) after the exclusion rules; validates values."""
        s = self.spec
        _check_event(u.event, s.event)
        keep: np.ndarray | None = None
        if s.unknown_groups:
            for lev, codes in zip(self.levels, u.codes, strict=True):
                if lev.name in s.unknown_groups and any(lev.unknown):
                    flags = np.array([*lev.unknown, False])
                    keep = self._exclude(UNKNOWN_GROUP_REASON, flags[codes], keep, u.mult)
        if u.exclusion is not None:
            has = np.asarray(pc.is_valid(u.exclusion))
            if keep is not None:
                has &= keep
            if has.any():
                rows = np.flatnonzero(has)  # only these few reasons become Python strings
                reason = pc.cast(u.exclusion.take(pa.array(rows)), pa.string())
                mult = np.ones(len(rows), np.int64) if u.mult is None else u.mult[rows]
                text = reason.to_numpy(zero_copy_only=False)
                for name, k in pd.Series(mult).groupby(text).sum().items():
                    self.excluded[str(name)] += int(k)
                keep = ~has if keep is None else keep & ~has
        keep = self._rules(u, keep)
        masks = [_nan(u.time), _nan(u.event), *[_negative(c) for c in u.codes]]
        if u.sub is not None:
            masks += [u.sub == k for k in ((1,) if s.weights else ()) + ((2, 3) if s.entry else ())]
        for reason, mask in zip(s.reasons(), masks, strict=True):
            keep = self._exclude(reason, mask, keep, u.mult)
        fix = "; fix or exclude those rows"
        _check(u.time, u.time, keep, "time", s.time, "follow-up times cannot be negative" + fix)
        if s.weights and u.wmin is not None and u.wmax is not None:
            why = "weights must be non-negative frequencies"
            _check(u.wmin, u.wmax, keep, "weights", s.weights, why)
        if s.entry and u.entry is not None:
            _check(u.entry, u.entry, keep, "entry", s.entry, "entry times cannot be negative")
        return keep

    def _rules(self, u: Units, keep: np.ndarray | None) -> np.ndarray | None:
        """netsurv.read's registry rules, then event with an unknown cause (in that order)."""
        if u.registry is not None:
            for code, reason in REGISTRY_REASONS.items():
                keep = self._exclude(reason, u.registry == code, keep, u.mult)
        if self.spec.cause is not None and u.cause is not None:
            hit = (u.event == 1) & np.isnan(u.cause)
            keep = self._exclude(self.spec.cause_reason, hit, keep, u.mult)
        return keep

    # ------------------------------------------------------------------ tables
    def _strata(self, codes: list[np.ndarray], keep: np.ndarray | None, n: int) -> np.ndarray:
        """Global stratum number of each kept unit (new strata numbered as they appear)."""
        if not codes:
            self.strata.setdefault((), 0)
            return np.zeros(n if keep is None else int(keep.sum()), np.int64)
        sizes = [max(len(lev.values), 1) for lev in self.levels]
        radix = math.prod(sizes)  # exact: Python integers
        if radix >= 2**62:  # one int64 code per combination would overflow: unique code rows
            matrix = np.column_stack([_take(c, keep).astype(np.int64) for c in codes])
            rows, inv = np.unique(matrix, axis=0, return_inverse=True)
            found = [self.strata.setdefault(tuple(map(int, r)), len(self.strata)) for r in rows]
            return np.array(found, np.int64)[inv.ravel()]
        key = _take(codes[0], keep)
        for c, size in zip(codes[1:], sizes[1:], strict=True):
            key = key * size + _take(c, keep)
        if radix <= 1 << 22:  # small grid of level combinations: find them by counting
            present = np.flatnonzero(np.bincount(key, minlength=1))
            lut = np.full(radix, -1, np.int64)
            lut[present] = [self._stratum_of(int(k), sizes) for k in present]
            return lut[key]
        uniq, inv = np.unique(key, return_inverse=True)
        return np.array([self._stratum_of(int(k), sizes) for k in uniq], np.int64)[inv]

    def _add_rows(self, gs: np.ndarray, t: np.ndarray, e: np.ndarray) -> bool:
        """Unweighted raw rows on the dense grid: one bincount over (cell, event)."""
        if not len(t):
            return True
        top = t.max()
        if not (self._fits(top) and (t.dtype.kind in "iub" or np.array_equal(t, np.floor(t)))):
            return False
        rows, cols = self._grow(int(top))
        key = gs * cols + t.astype(np.int64, copy=False)
        both = np.bincount(key * 2 + e.astype(np.int64, copy=False), minlength=2 * rows * cols)
        died, lived = both[1::2], both[0::2]
        self.dense["n_events"].ravel()[:] += died
        self.dense["n_censored"].ravel()[:] += lived
        self.dense["n_rows"].ravel()[:] += died + lived
        return True

    def _fits(self, top: float) -> bool:
        """Whether the dense grid can hold every stratum so far and times up to ``top``."""
        rows, cols = self.dense["n_rows"].shape
        top = float(top)  # a numpy int16 maximum would overflow in the product below
        return 0 <= top and max(len(self.strata), rows) * max(top + 1, cols) <= _DENSE_CELLS

    def _grow(self, top: int) -> tuple[int, int]:
        """Make the dense grid hold every stratum so far and times up to ``top``."""
        rows, cols = self.dense["n_rows"].shape
        n_strata = len(self.strata)
        if n_strata > rows or top >= cols:
            wide = cols if top < cols else max(top + 1, cols + cols // 4)
            tall = max(n_strata, 2 * rows)
            if tall * wide > _DENSE_CELLS:  # growth to the limit only
                wide, tall = max(top + 1, cols), max(n_strata, rows)
            shape = (tall, wide)
            for k, a in self.dense.items():
                grown = np.zeros(shape)
                grown[: a.shape[0], : a.shape[1]] = a
                self.dense[k] = grown
        return self.dense["n_rows"].shape  # type: ignore[return-value]

    def _stratum_of(self, key: int, sizes: list[int]) -> int:
        parts = []
        for size in reversed(sizes):
            key, r = divmod(key, size)
            parts.append(r)
        return self.strata.setdefault(tuple(reversed(parts)), len(self.strata))

    def _add(self, gs: np.ndarray, t: np.ndarray, part: dict[str, np.ndarray]) -> None:
        top = float(t.max()) if len(t) else 0.0
        if self._fits(top) and np.array_equal(t, np.floor(t)):
            ti = t.astype(np.int64)
            rows, cols = self._grow(int(top))
            key = gs * cols + ti
            for k, x in part.items():
                self.dense[k].ravel()[:] += np.bincount(key, weights=x, minlength=rows * cols)
            return
        zeros = np.zeros(len(t))
        self.sparse.append({"stratum": gs, "time": t, **{k: part.get(k, zeros) for k in SUMS}})
        self.n_sparse += len(t)
        if self.n_sparse > 4_000_000 and len(self.sparse) > 1:
            self.sparse = [_reduce(_concat(self.sparse))]
            self.n_sparse = len(self.sparse[0]["time"])

    def table(self) -> pd.DataFrame:
        """The additive table so far: by values, time and the sums in ``SUMS``."""
        parts = list(self.sparse)
        if self.dense["n_rows"].size:
            present = (self.dense["n_rows"] > 0) | (self.dense["n_entry_rows"] > 0)
            gs, ti = np.nonzero(present)
            d = {k: a[gs, ti] for k, a in self.dense.items()}
            parts.append({"stratum": gs.astype(np.int64), "time": ti.astype(np.float64), **d})
        full = {
            "stratum": np.zeros(0, np.int64),
            "time": np.zeros(0),
            **{k: np.zeros(0) for k in SUMS},
        }
        merged = _reduce(_concat([full, *parts]))
        keys = list(self.strata)  # stratum number -> tuple of level codes
        out: dict[str, Any] = {}
        for j, lev in enumerate(self.levels):
            per_stratum = np.array([lev.values[k[j]] for k in keys] + [None], dtype=object)
            out[lev.name] = per_stratum[merged["stratum"]]
        out.update({k: v for k, v in merged.items() if k != "stratum"})
        return pd.DataFrame(out)

    def categories(self) -> dict[str, tuple[list[Any], bool]]:
        return {lev.name: lev.order() for lev in self.levels}


def _take(x: np.ndarray, keep: np.ndarray | None) -> np.ndarray:
    return x if keep is None else x[keep]


def _nan(x: np.ndarray) -> np.ndarray | None:
    return None if x.dtype.kind in "iub" else np.isnan(x)


def _negative(codes: np.ndarray) -> np.ndarray | None:
    return codes < 0 if codes.min(initial=0) < 0 else None


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _reduce(p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Sum rows with equal (stratum, time): sort once, add each run."""
    order = np.lexsort((p["time"], p["stratum"]))
    st, tt = p["stratum"][order], p["time"][order]
    starts = (
        np.flatnonzero(np.r_[True, (st[1:] != st[:-1]) | (tt[1:] != tt[:-1])])
        if len(st)
        else np.zeros(0, np.int64)
    )
    out = {"stratum": st[starts], "time": tt[starts]}
    for k in SUMS:
        out[k] = np.add.reduceat(p[k][order], starts) if len(starts) else p[k][:0]
    return out


def _check_event(e: np.ndarray, col: str) -> None:
    if e.dtype.kind == "b" or not len(e):
        return
    if e.dtype.kind in "iu" and e.min() >= 0 and e.max() <= 1:
        return
    ok = np.isnan(e) | (e == 0) | (e == 1)
    if not ok.all():
        bad = e[~ok]
        raise InputError(
            f"event={col!r}: value {bad[0]!r} ({len(bad)} such rows in this chunk) is not "
            "0/1 or True/False; code the event as 1 (event) / 0 (censored)"
        )


def _check(
    lo: np.ndarray, hi: np.ndarray, keep: np.ndarray | None, param: str, col: str, fix: str
) -> None:
    """Raise when a kept unit's value (range ``lo``..``hi``) is negative or not finite."""
    lo, hi = _take(lo, keep), _take(hi, keep)
    if not len(lo):
        return
    if lo.dtype.kind in "iub" and lo.min() >= 0:
        return
    with np.errstate(invalid="ignore"):
        if lo.min() >= 0 and np.isfinite(hi.max()):  # NaN fails both tests
            return
        bad = ~((lo >= 0) & np.isfinite(lo) & np.isfinite(hi))
    value = lo[bad][0] if not (lo[bad][0] >= 0) else hi[bad][0]
    raise InputError(
        f"{param}={col!r}: value {value!r} ({int(bad.sum())} such rows in this chunk); {fix}"
    )
