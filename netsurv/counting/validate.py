"""Check and convert an estimator's inputs once, at the door.

Public estimators call :func:`prepare`; everything after it trusts the arrays it returns.
Rows that cannot be analysed are never dropped silently: they are counted by reason in
``Prepared.excluded`` (a row carrying an ``exclusion`` reason from a reader, or NA in one of
the analysed columns).
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from netsurv.counting.strata import strata_codes
from netsurv.errors import InputError
from netsurv.rules import EXCLUSION, UNKNOWN_LABELS, analysis_reasons

__all__ = [
    "Prepared",
    "as_by",
    "check_columns",
    "check_names",
    "code_event",
    "exclusions",
    "prepare",
    "refuse_non_real",
    "unknown_label_mask",
]


@dataclass(frozen=True)
class Prepared:
    """Validated analysis arrays (only the rows that enter the analysis).

    ``stratum`` indexes the rows of ``strata`` (one row per stratum, the ``by`` columns).
    """

    time: np.ndarray
    event: np.ndarray
    entry: np.ndarray | None
    weights: np.ndarray | None
    stratum: np.ndarray
    strata: pd.DataFrame
    by: tuple[str, ...]
    excluded: pd.Series
    n_input: int


def as_by(by: str | Sequence[str] | None, param: str = "by") -> tuple[str, ...]:
    """Normalise ``by`` (or another list-of-columns parameter) to a tuple of column names."""
    if by is None:
        return ()
    if isinstance(by, str):
        return (by,)
    try:
        out = tuple(by)
    except TypeError:
        out = (by,)  # type: ignore[assignment]
    if isinstance(by, dict | set) or not all(isinstance(b, str) for b in out):
        raise InputError(f"{param}={by!r}: give a column name or a list of column names")
    twice = sorted({b for b in out if out.count(b) > 1})
    if twice:
        raise InputError(
            f"{param}={by!r}: {', '.join(map(repr, twice))} named twice; name each column once"
        )
    return out


def check_names(names: dict[str, Any], required: Sequence[str] = ("time", "event")) -> None:
    """Raise InputError unless each value (parameter -> value) is a column name, or None
    for a parameter not in ``required``."""
    for param, value in names.items():
        if (value is not None or param in required) and not isinstance(value, str):
            raise InputError(
                f"{param}={value!r}: give the name of a column (text), e.g. {param}='{param}'"
            )


def unknown_label_mask(values: pd.Series) -> np.ndarray:
    """True where a group label means "unknown" (:data:`netsurv.rules.UNKNOWN_LABELS`)."""
    text = values.astype("string").str.strip().str.lower()
    return np.asarray(text.isin(UNKNOWN_LABELS).fillna(False), dtype=bool)


def check_columns(df: pd.DataFrame, columns: dict[str, str | None]) -> None:
    """Raise InputError naming the parameter and the closest existing column."""
    if not isinstance(df, pd.DataFrame):
        raise InputError(
            f"expected a pandas DataFrame, got {type(df).__name__}; "
            "read a registry file with netsurv.read(path) or wrap arrays in pd.DataFrame"
        )
    for param, col in columns.items():
        if col is None:
            continue
        try:
            present = col in df.columns
        except TypeError:  # unhashable, e.g. a list
            present = False
        if present:
            if not df.columns.is_unique and int(np.sum(df.columns == col)) > 1:
                raise InputError(
                    f"{param}={col!r}: the data frame has {int(np.sum(df.columns == col))} "
                    f"columns named {col!r}; rename or drop the duplicates, e.g. "
                    "df.loc[:, ~df.columns.duplicated()]"
                )
            continue
        close = difflib.get_close_matches(str(col), [str(c) for c in df.columns], n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise InputError(
            f"{param}={col!r}: no such column{hint} "
            f"(columns: {', '.join(map(str, list(df.columns)[:20]))}"
            f"{', …' if len(df.columns) > 20 else ''})"
        )


def refuse_non_real(s: pd.Series, col: str, param: str) -> None:
    """Dates, durations and complex numbers are not numbers to count with: say what to do."""
    kind = s.dtype.kind
    if kind == "M" or isinstance(s.dtype, (pd.DatetimeTZDtype, pd.PeriodDtype)):
        raise InputError(
            f"{param}={col!r}: the column holds dates ({s.dtype}), not numbers; compute the "
            "follow-up first, e.g. (df['date_last_contact'] - df['date_dx']).dt.days for days, "
            "and name the unit (time_unit='days')"
        )
    if kind == "m":
        raise InputError(
            f"{param}={col!r}: the column holds durations ({s.dtype}), not numbers; convert "
            f"them to a named unit first, e.g. df[{col!r}].dt.days or "
            f"df[{col!r}] / pd.Timedelta(days=30.4375) for months"
        )
    if kind == "c":
        raise InputError(
            f"{param}={col!r}: the column holds complex numbers ({s.dtype}); give real numbers"
        )


def _numeric(df: pd.DataFrame, col: str, param: str) -> np.ndarray:
    s = df[col]
    refuse_non_real(s, col, param)
    if (
        isinstance(s.dtype, pd.CategoricalDtype)
        or s.dtype == object
        or pd.api.types.is_string_dtype(s)
    ):
        raw = s.astype(object)
        converted = pd.to_numeric(raw, errors="coerce")
        bad = np.asarray(converted.isna() & raw.notna(), dtype=bool)
        if bad.any():
            i = int(np.argmax(bad))
            raise InputError(
                f"{param}={col!r}: value {raw.iloc[i]!r} (row {s.index[i]!r}) is not a number; "
                "convert the column to numbers first"
            )
        s = converted
        refuse_non_real(s, col, param)
    if s.dtype == np.float64:  # plain float column: no copy
        return np.asarray(s)
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def code_event(df: pd.DataFrame, event: str, event_value: Any) -> pd.DataFrame:
    """``df`` with ``event`` True where it equals ``event_value`` ("Dead"), NA kept NA."""
    check_columns(df, {"event": event})
    if not pd.api.types.is_scalar(event_value):
        raise InputError(
            f"event_value={event_value!r}: give the one value of {event!r} that marks the event"
        )
    raw = df[event]
    hit = raw.eq(event_value)
    if not hit.any():
        seen = ", ".join(map(repr, raw.dropna().unique()[:5]))
        raise InputError(f"event_value={event_value!r}: no row of {event!r} has it ({seen})")
    return df.assign(**{event: hit.astype("boolean").mask(raw.isna())})


def _event(df: pd.DataFrame, col: str) -> np.ndarray:
    s = df[col]
    if pd.api.types.is_bool_dtype(s.dtype) and not s.hasnans:
        return np.asarray(s, dtype=bool).astype(np.float64)
    try:
        values = _numeric(df, col, "event")
    except InputError as exc:  # text such as "Dead"/"Alive": name the value that is the event
        raise InputError(
            f"{exc}, or pass event_value='Dead' (the value meaning the event)"
        ) from None
    ok = np.isnan(values) | (values == 0) | (values == 1)
    if not ok.all():
        i = int(np.argmin(ok))
        raise InputError(
            f"event={col!r}: value {float(values[i])!r} (row {df.index[i]!r}) is not 0/1 or True/False; "
            "code the event as 1 (event) / 0 (censored), e.g. df[col] == 'Dead'"
        )
    return values


def exclusions(
    df: pd.DataFrame, masks: list[tuple[str, np.ndarray | None]]
) -> tuple[np.ndarray, pd.Series]:
    """Combine reasons (first reason wins for a row) into a keep-mask and counts by reason.

    The reader's ``exclusion`` column comes first, then ``masks`` in the rulebook's order.
    """
    keep = np.ones(len(df), dtype=bool)
    counts: dict[str, int] = {}
    if EXCLUSION in df.columns:
        reason = df[EXCLUSION]
        has = np.asarray(reason.notna(), dtype=bool)
        if has.any():
            for name, k in reason[has].astype(str).value_counts(sort=False).items():
                counts[str(name)] = int(k)
            keep &= ~has
    for name, mask in masks:
        if mask is None or not mask.any():
            continue
        hit = mask & keep
        k = int(hit.sum())
        if k:
            counts[name] = counts.get(name, 0) + k
            keep &= ~hit
    excluded = pd.Series(counts, dtype="int64", name="n_excluded")
    excluded.index.name = "reason"
    return keep, excluded


def prepare(
    df: pd.DataFrame,
    *,
    time: str,
    event: str,
    by: str | Sequence[str] | None = None,
    weights: str | None = None,
    entry: str | None = None,
) -> Prepared:
    """Validate an estimator's inputs and return the analysable rows as arrays."""
    by_cols = as_by(by)
    check_names({"time": time, "event": event, "weights": weights, "entry": entry})
    check_columns(df, {"time": time, "event": event, "weights": weights, "entry": entry})
    for b in by_cols:
        check_columns(df, {"by": b})
    t = _numeric(df, time, "time")
    e = _event(df, event)
    w = _numeric(df, weights, "weights") if weights is not None else None
    s = _numeric(df, entry, "entry") if entry is not None else None
    stratum, strata, by_missing = strata_codes(df, by_cols)

    masks = _reason_masks(df, t, e, w, s, by_cols, by_missing)
    reasons = analysis_reasons(time, event, by_cols, weights, entry)
    keep, excluded = exclusions(df, list(zip(reasons, masks, strict=True)))

    for values, col, param, fix in (
        (t, time, "time", _NEGATIVE_TIME),
        (w, weights, "weights", "weights must be non-negative frequencies"),
        (s, entry, "entry", "entry times cannot be negative"),
    ):
        if values is not None:
            _check_values(df, values, keep, col, param, fix)
    if not keep.any():
        _nothing_left(len(df), excluded)
    every = bool(keep.all())
    if not every:
        stratum, strata = _used_strata(stratum[keep], strata)

    def kept(x: np.ndarray | None) -> np.ndarray | None:
        return x if x is None or every else x[keep]  # no copy when every row is kept

    return Prepared(
        time=t if every else t[keep],
        event=e if every else e[keep],
        entry=kept(s),
        weights=kept(w),
        stratum=stratum,
        strata=strata,
        by=by_cols,
        excluded=excluded,
        n_input=len(df),
    )


_NEGATIVE_TIME = "follow-up times cannot be negative or infinite; fix or exclude those rows"


def _nothing_left(n_rows: int, excluded: pd.Series) -> NoReturn:
    detail = ", ".join(f"{k}: {v}" for k, v in excluded.items())
    detail = f"excluded {detail}" if detail else "the data frame is empty"
    raise InputError(
        f"no rows left to analyse ({n_rows} rows; {detail}); "
        "check the selection, the time/event columns and the 'exclusion' column"
    )


def _reason_masks(
    df: pd.DataFrame,
    t: np.ndarray,
    e: np.ndarray,
    w: np.ndarray | None,
    s: np.ndarray | None,
    by_cols: tuple[str, ...],
    by_missing: np.ndarray,
) -> list[np.ndarray | None]:
    """One mask per reason of the rulebook, in its order (the first reason that applies wins):
    time, event, each ``by`` column, weights, entry and entry not before exit."""
    masks: list[np.ndarray | None] = [np.isnan(t), np.isnan(e)]
    for col in by_cols:  # attribute each row with a missing group value to its column
        masks.append(
            by_missing & np.asarray(df[col].isna(), dtype=bool) if by_missing.any() else None
        )
    if w is not None:
        masks.append(np.isnan(w))
    if s is not None:  # R: Surv(start, stop) needs stop > start, else the row is NA
        with np.errstate(invalid="ignore"):
            masks += [np.isnan(s), ~(s < t)]
    return masks


def _used_strata(stratum: np.ndarray, strata: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Strata whose rows were all excluded disappear; the codes of the others are renumbered."""
    used = np.flatnonzero(np.bincount(stratum, minlength=len(strata)))
    if len(used) == len(strata):
        return stratum, strata
    remap = np.full(len(strata), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    return remap[stratum], strata.iloc[used].reset_index(drop=True)


def _check_values(
    df: pd.DataFrame, values: np.ndarray, keep: np.ndarray, col: str | None, param: str, fix: str
) -> None:
    if len(values) == 0:
        return
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN: nothing to check
        low, high = np.nanmin(values), np.nanmax(values)
    if np.isnan(low) or (low >= 0 and np.isfinite(high)):
        return  # the common case, in two passes
    bad = keep & ~((values >= 0) & np.isfinite(values))
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(
            f"{param}={col!r}: value {float(values[i])!r} in row {df.index[i]!r} "
            f"({int(bad.sum())} such rows); {fix}"
        )
