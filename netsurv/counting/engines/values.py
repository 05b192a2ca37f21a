"""Arrow columns to numpy: numbers (NaN where missing) and grouping codes (``Levels``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from netsurv.errors import InputError
from netsurv.rules import BOOLEAN_TEXTS, is_unknown_text

__all__ = ["Levels", "floats", "numbers", "sorted_values"]


def floats(arr: pa.Array | pa.ChunkedArray, param: str, col: str) -> np.ndarray:
    """A numeric (or numeric-text) Arrow column as float64, NaN where null."""
    if pa.types.is_dictionary(arr.type):
        arr = (
            arr.dictionary_decode()
            if isinstance(arr, pa.Array)
            else pc.cast(arr, arr.type.value_type)
        )
    typ = arr.type
    if not (pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_boolean(typ)):
        if not (
            pa.types.is_string(typ)
            or pa.types.is_large_string(typ)
            or pa.types.is_decimal(typ)
            or pa.types.is_string_view(typ)
            or pa.types.is_null(typ)
        ):
            raise InputError(f"{param}={col!r}: column of type {typ} is not numeric")
        text = pc.cast(arr, pa.string()) if pa.types.is_string_view(typ) else arr
        try:
            arr = pc.cast(text, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            arr = _boolean_text(text)  # "True"/"False", as pandas reads them
            if arr is None:
                raise InputError(
                    f"{param}={col!r}: {exc}; convert the column to numbers first"
                ) from None
    out = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    return np.asarray(out, dtype=np.float64)


def _boolean_text(text: pa.Array | pa.ChunkedArray) -> pa.Array | None:
    """1.0/0.0 for a text column of booleans (:data:`netsurv.rules.BOOLEAN_TEXTS`), else None."""
    if pa.types.is_decimal(text.type) or pa.types.is_null(text.type):
        return None
    seen = set(pc.unique(text).drop_null().to_pylist())
    if not seen <= set(BOOLEAN_TEXTS):
        return None
    keys = pa.array(list(BOOLEAN_TEXTS))
    values = pa.array([float(v) for v in BOOLEAN_TEXTS.values()])
    return pc.take(values, pc.index_in(text, value_set=keys))


class Levels:
    """Values of one grouping column seen so far, each with a stable integer code."""

    def __init__(
        self,
        name: str,
        categories: Sequence[Any] | None = None,
        ordered: bool = False,
        categorical: bool = False,
    ):
        self.name = name
        self.categories = None if categories is None else list(categories)
        self.ordered = ordered
        self.categorical = categorical or categories is not None  # take order from dictionary
        self.index: dict[Any, int] = {}
        self.values: list[Any] = []
        self.unknown: list[bool] = []

    def code_of(self, value: Any) -> int:
        code = self.index.get(value)
        if code is None:
            code = self.index[value] = len(self.values)
            self.values.append(value)
            self.unknown.append(is_unknown_text(str(value)))
        return code

    def encode(self, arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
        """Code of each row (-1 where null or NaN)."""
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        typ = arr.type
        if pa.types.is_string_view(typ):
            arr, typ = pc.cast(arr, pa.string()), pa.string()
        if pa.types.is_integer(typ):
            return self._encode_integers(arr)
        if pa.types.is_floating(typ):  # NaN is missing, as in pandas
            arr = pc.if_else(pc.is_nan(arr), pa.scalar(None, typ), arr)
        if not pa.types.is_dictionary(typ):
            arr = pc.dictionary_encode(arr)
        elif self.categorical and self.categories is None:
            self.categories = arr.dictionary.to_pylist()
        lut = np.array([self.code_of(v) for v in arr.dictionary.to_pylist()] + [-1], np.int64)
        idx = pc.fill_null(pc.cast(arr.indices, pa.int64()), -1).to_numpy(zero_copy_only=False)
        return lut[idx]

    def _encode_integers(self, arr: pa.Array) -> np.ndarray:
        valid = None if arr.null_count == 0 else np.asarray(arr.is_valid())
        v = (arr if valid is None else pc.fill_null(arr, 0)).to_numpy(zero_copy_only=False)
        if len(v) == 0 or (valid is not None and not valid.any()):
            return np.full(len(v), -1, np.int64)
        bounds = pc.min_max(arr)  # of the non-null values
        lo, hi = int(bounds["min"].as_py()), int(bounds["max"].as_py())
        if hi - lo > 1 << 20:  # wide range: hash the distinct values
            uniq, inv = np.unique(v, return_inverse=True)
            codes = np.array([self.code_of(int(u)) for u in uniq], np.int64)[inv]
        else:
            idx = np.subtract(v, lo, dtype=np.int64)
            seen = idx if valid is None else idx[valid]
            present = np.flatnonzero(np.bincount(seen, minlength=hi - lo + 1))
            lut = np.full(hi - lo + 1, -1, np.int64)
            lut[present] = [self.code_of(int(p) + lo) for p in present]
            codes = lut[idx if valid is None else np.clip(idx, 0, hi - lo)]
        if valid is not None:
            codes[~valid] = -1
        return codes

    def order(self) -> tuple[list[Any], bool]:
        """Categories in output order: the source's categorical order, else sorted."""
        if self.categories is not None:
            known = set(self.categories)  # once: a set per value made this quadratic
            extra = [v for v in self.values if v not in known]
            return self.categories + sorted_values(extra), self.ordered
        return sorted_values(self.values), False


def sorted_values(values: list[Any]) -> list[Any]:
    try:
        return sorted(values)
    except TypeError:  # mixed types: sort by text
        return sorted(values, key=str)


def numbers(arr: pa.Array | pa.ChunkedArray, param: str, col: str) -> np.ndarray:
    """Like :func:`floats`, but integer or boolean columns without nulls keep their dtype."""
    typ = arr.type
    if arr.null_count == 0 and (pa.types.is_integer(typ) or pa.types.is_boolean(typ)):
        return np.asarray(arr.to_numpy(zero_copy_only=False))
    return floats(arr, param, col)
