"""The canonical frame: column vocabulary, dtypes, exclusion reasons and the finishing step.

Every reader builds a frame of raw columns (registry codes as strings) and hands it to
:func:`finalize`, which adds missing canonical columns, fixes their dtypes, picks the stage and
grade that belong to each diagnosis year, and writes the ``exclusion`` reason of every row that
cannot enter survival analysis. Rows are never dropped: rows read = rows returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from netsurv.codes import classify
from netsurv.codes.summary_grade import frame_summary_grade
from netsurv.rules import EXCLUSION_REASONS, POSITIVE_SURVIVAL_FLAGS, SURVIVAL_MONTHS_MAX

__all__ = [
    "CANONICAL_COLUMNS",
    "CODE_COLUMNS",
    "EXCLUSION_REASONS",
    "EXTRA_CANONICAL_COLUMNS",
    "clean_texts",
    "GRADE_SOURCE_COLUMNS",
    "STAGE_SOURCE_COLUMNS",
    "finalize",
    "race_group",
    "split_stage_grade",
]

# canonical column -> dtype (see DESIGN.md "Canonical columns")
CANONICAL_COLUMNS: Final[dict[str, str]] = {
    "patient_id": "object",
    "tumor_seq": "object",
    "year_dx": "Int64",
    "month_dx": "Int64",
    "date_dx": "datetime64[ns]",
    "age_dx": "float64",
    "sex": "object",
    "race": "object",
    "primary_site": "object",
    "histology": "object",
    "behavior": "object",
    "grade_code": "object",
    "grade_system": "object",
    "ki67": "float64",
    "ki67_code": "object",
    "stage_code": "object",
    "stage_system": "object",
    "date_last_contact": "datetime64[ns]",
    "reporting_source": "object",
    "survival_months": "float64",
    "survival_flag": "object",
    "dead": "boolean",
    "cancer_death": "boolean",
    "exclusion": "object",
}

# raw stage / grade fields kept beside the chosen stage_code / grade_code (codes as strings)
STAGE_SOURCE_COLUMNS: Final = ("stage_historic_a", "stage_ss2000", "stage_ss2018", "stage_combined")
GRADE_SOURCE_COLUMNS: Final = (
    "grade_pre2018",
    "grade_clinical",
    "grade_pathological",
    "grade_2018",
)
EXTRA_CANONICAL_COLUMNS: Final[dict[str, str]] = {
    "age_dx_approx": "boolean",
    **dict.fromkeys(STAGE_SOURCE_COLUMNS, "object"),
    **dict.fromkeys(GRADE_SOURCE_COLUMNS, "object"),
}

CODE_COLUMNS: Final = tuple(
    c for c, t in {**CANONICAL_COLUMNS, **EXTRA_CANONICAL_COLUMNS}.items() if t == "object"
)


_BLANKS: Final = frozenset({"", "blank(s)", "blank", "."})


# the characters str.strip() removes (every code point whose str.isspace() is true)
_PY_SPACE: Final = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
_SMALL: Final = 256  # clean_texts cleans this many values or fewer without pyarrow


def clean_texts(
    values: np.ndarray, *, strip: str = "", blanks: frozenset[str] = _BLANKS, space: bool = True
) -> np.ndarray:
    """``v.strip().strip(strip)`` of every str in ``values`` (NaN when its lower case is in
    ``blanks``), computed by pyarrow: the same result as the Python string methods.
    ``space=False`` keeps white space (only ``strip`` and ``blanks`` apply).

    >>> clean_texts(np.array([" a ", '"b"', "Blank(s)", None], dtype=object), strip='"').tolist()
    ['a', 'b', nan, nan]

    Up to ``_SMALL`` values by the Python methods: a pyarrow call costs ~0.2 ms, 0.1 s of the
    0.8 s SEER*Stat read of 150,000 rows (``bench_read.py``) cleaning small label arrays.
    """
    if len(values) <= _SMALL:
        return np.array([_clean_small(v, strip, blanks, space) for v in values], dtype=object)
    arr = pa.array(values, type=pa.string(), from_pandas=True)
    if space:
        arr = pc.utf8_trim(arr, _PY_SPACE)
    if strip:
        arr = pc.utf8_trim(arr, strip)
    drop = pc.is_in(pc.utf8_lower(arr), value_set=pa.array(sorted(blanks), pa.string()))
    out = arr.to_numpy(zero_copy_only=False).astype(object)
    drop = pc.or_(pc.is_null(arr), pc.fill_null(drop, False))
    out[drop.to_numpy(zero_copy_only=False)] = np.nan
    return out


def _clean_small(value: object, strip: str, blanks: frozenset[str], space: bool) -> object:
    """One value as :func:`clean_texts` cleans it (None and NaN give NaN)."""
    if not isinstance(value, str):
        return np.nan
    text = (value.strip() if space else value).strip(strip)  # strip("") removes nothing
    return np.nan if text.lower() in blanks else text


def _clean_one(value: object) -> object:
    text = str(value).strip()
    return np.nan if text.lower() in _BLANKS else text


def _clean_codes(s: pd.Series) -> pd.Series:
    """Strip, turn blanks into NaN and return an object column of str.

    Cleans each distinct value once (``factorize``) and expands back: registry columns hold few
    distinct values, so this is fast on millions of rows.
    """
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    uniq = np.asarray(uniq, dtype=object)
    if pd.api.types.infer_dtype(uniq, skipna=False) in ("string", "empty"):
        cleaned = np.append(clean_texts(uniq), np.nan)  # vectorised: ID columns hold millions
    else:
        cleaned = np.array([_clean_one(u) for u in uniq] + [np.nan], dtype=object)
    return pd.Series(cleaned[codes], index=s.index, dtype=object)  # code -1 -> the NaN at the end


def _on_distinct(s: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``func`` applied to the distinct values of an object column only, expanded back."""
    if s.dtype != object:
        return func(s)
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    done = func(pd.Series(np.append(np.asarray(uniq, dtype=object), np.nan), dtype=object))
    return pd.Series(done.array.take(np.where(codes < 0, len(uniq), codes)), index=s.index)


def _to_boolean(s: pd.Series) -> pd.Series:
    if s.dtype == "boolean":
        return s
    if s.dtype == bool:
        return s.astype("boolean")
    truth = {"true": True, "1": True, "yes": True, "dead": True, "false": False, "0": False}
    truth |= {"no": False, "alive": False, "1.0": True, "0.0": False}
    return _on_distinct(
        s, lambda u: u.astype("string").str.strip().str.lower().map(truth).astype("boolean")
    )


def _numbers(s: pd.Series) -> pd.Series:
    return _on_distinct(s, lambda u: pd.to_numeric(u, errors="coerce").astype("float64"))


def _coerce(df: pd.DataFrame, column: str, dtype: str) -> None:
    s = df[column]
    if dtype == "object":
        df[column] = _clean_codes(s)
    elif dtype == "boolean":
        df[column] = _to_boolean(s)
    elif dtype == "Int64":  # beyond +-2**53 (inf, 1e308) no year or month: unknown
        value = _numbers(s).round()
        df[column] = value.where(value.abs() < 2.0**53).astype("Int64")
    elif dtype == "float64":
        df[column] = _numbers(s)
    elif dtype.startswith("datetime64"):
        if s.dtype.kind != "M":  # datetimes already (readers build them): no per-value pass
            s = pd.to_datetime(s, errors="coerce")
        df[column] = s.astype("datetime64[ns]")


def _missing(index: pd.Index, dtype: str) -> pd.Series:
    """An all-missing canonical column (what ``_coerce`` makes of NA values)."""
    if dtype == "object":
        return pd.Series(np.full(len(index), np.nan, dtype=object), index=index, dtype=object)
    if dtype.startswith("datetime64"):
        return pd.Series(np.full(len(index), np.datetime64("NaT"), "datetime64[ns]"), index=index)
    if dtype == "float64":
        return pd.Series(np.full(len(index), np.nan), index=index)
    return pd.Series(pd.array([pd.NA] * len(index), dtype=dtype), index=index)


def _first_present(
    df: pd.DataFrame, eras: list[tuple[pd.Series, list[str]]], names: dict[str, str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row, the first non-missing value among its era's columns, that column's system name
    (``names``) and whether one was found."""
    code = np.full(len(df), np.nan, dtype=object)
    system = np.full(len(df), np.nan, dtype=object)
    todo = np.zeros(len(df), dtype=bool)
    present = {c: df[c].notna().to_numpy() for c in names if c in df}
    for rows, order in eras:
        todo = rows.to_numpy(dtype=bool).copy()  # the era's rows still without a value
        for column in order:
            if column not in present:
                continue
            take = todo & present[column]
            code[take] = df[column].to_numpy(dtype=object)[take]
            system[take] = names[column]
            todo &= ~take
    return code, system, ~pd.isna(code)


def _fill(df: pd.DataFrame, target: str, values: np.ndarray, where: np.ndarray) -> None:
    out = df[target].to_numpy(dtype=object).copy()
    out[where] = values[where]
    df[target] = pd.Series(out, index=df.index, dtype=object)


_STAGE_SYSTEM: Final = {
    "stage_historic_a": "historic_a",
    "stage_ss2000": "ss2000",
    "stage_ss2018": "ss2018",
    "stage_combined": "combined",
}


def _choose_stage(df: pd.DataFrame) -> None:
    """Fill stage_code/stage_system from the stage field the diagnosis year belongs to."""
    if df["stage_code"].notna().any() or not any(c in df for c in STAGE_SOURCE_COLUMNS):
        return
    year = df["year_dx"] if "year_dx" in df else pd.Series(pd.NA, index=df.index, dtype="Int64")
    eras = [
        (year.le(2017).fillna(False), ["stage_historic_a", "stage_combined", "stage_ss2000"]),
        (year.ge(2018).fillna(False), ["stage_ss2018", "stage_combined"]),
        (year.isna(), ["stage_historic_a", "stage_combined", "stage_ss2018", "stage_ss2000"]),
    ]
    code, system, fill = _first_present(df, eras, _STAGE_SYSTEM)
    _fill(df, "stage_code", code, fill)
    _fill(df, "stage_system", system, fill)


def _choose_grade(df: pd.DataFrame) -> None:
    """Fill grade_code/grade_system: Grade thru 2017 up to 2017; from 2018 the Derived Summary
    Grade 2018 field, else SEER's derivation of it from the clinical and pathological grades
    (:func:`netsurv.codes.summary_grade.frame_summary_grade`, the rule ``classify`` uses too)."""
    if df["grade_code"].notna().any() or not any(c in df for c in GRADE_SOURCE_COLUMNS):
        return
    year = df["year_dx"] if "year_dx" in df else pd.Series(pd.NA, index=df.index, dtype="Int64")
    tmp = pd.DataFrame(index=df.index)
    for column in ("grade_pre2018", "grade_2018"):
        if column in df:
            tmp[column] = df[column]
    derived = frame_summary_grade(df)
    if derived is not None:
        tmp["derived"] = derived.astype(object).where(derived.notna(), np.nan)
    new_order = ["grade_2018", "derived"]
    eras = [
        (year.le(2017).fillna(False), ["grade_pre2018"]),
        (year.ge(2018).fillna(False), new_order),
        (year.isna(), ["grade_pre2018", *new_order]),
    ]
    names = {"grade_pre2018": "pre2018", **dict.fromkeys(new_order, "2018")}
    code, system, fill = _first_present(tmp, eras, names)
    _fill(df, "grade_code", code, fill)
    _fill(df, "grade_system", system, fill)


def _ki67_percent(code: pd.Series) -> pd.Series:
    """Ki-67 % from the SSDI code: 0.0-100.0 exact; XXX.x range codes give NaN."""
    value = pd.to_numeric(code, errors="coerce")
    return value.where((value >= 0) & (value <= 100)).astype("float64")


def _exclusions(df: pd.DataFrame, present: set[str]) -> pd.Series:
    """Reason per row (NaN when usable); rules only use columns the source provided."""
    reason = pd.Series(np.nan, index=df.index, dtype=object)
    blank = pd.Series(np.nan, index=df.index, dtype=object)
    months = df.get("survival_months", blank)
    dead = df.get("dead", blank)
    rules: list[tuple[str, pd.Series]] = []
    if "reporting_source" in present or "survival_flag" in present:
        dco = df.get("reporting_source", blank).isin(["6", "7"])
        dco |= df.get("survival_flag", blank).eq("8")
        rules.append(("dco", dco.fillna(False)))
    if "survival_months" in present:
        rules.append(("dates", months.lt(0).fillna(False)))
        implausible = months.gt(SURVIVAL_MONTHS_MAX).fillna(False)  # 99999999, inf
        rules.append(("survival_unknown", months.isna() | implausible))
    if "dead" in present:
        rules.append(("vital_unknown", dead.isna()))
    if "survival_months" in present and "dead" in present:
        zero = months.eq(0) & dead.eq(False)
        if "survival_flag" in present:  # flag 1 / 3: more than 0 days, lost in the first month
            zero &= ~df["survival_flag"].isin(POSITIVE_SURVIVAL_FLAGS)
        rules.append(("alive_zero", zero.fillna(False)))
    for key, mask in rules:
        take = reason.isna() & mask.to_numpy(dtype=bool)
        reason[take] = EXCLUSION_REASONS[key]
    return reason


def finalize(df: pd.DataFrame, *, add_missing: bool = True, copy: bool = True) -> pd.DataFrame:
    """Return ``df`` with canonical dtypes, chosen stage/grade and the ``exclusion`` column.

    Parameters
    ----------
    df : raw columns named canonically (extra columns are kept after the canonical ones).
    add_missing : add absent canonical columns as NA (readers of registry files do this).
    copy : ``False``: share ``df``'s unchanged columns (the SEER*Stat reader: the copy took
        0.15 of its 0.8 s read in ``bench_read.py``; the XML reader's peak rose 20% without).

    Examples
    --------
    >>> raw = pd.DataFrame({"survival_months": ["0", "12", None], "dead": [True, False, False]})
    >>> finalize(raw)["exclusion"].tolist()
    [nan, nan, 'survival months unknown']
    """
    df = df.copy(deep=copy)  # shallow: columns are replaced, never written into (pandas >= 2)
    present = {c for c in df.columns if c in CANONICAL_COLUMNS or c in EXTRA_CANONICAL_COLUMNS}
    given_exclusion = df.pop("exclusion") if "exclusion" in df else None
    types = {**CANONICAL_COLUMNS, **EXTRA_CANONICAL_COLUMNS}
    for column, dtype in types.items():
        if column in df:
            _coerce(df, column, dtype)
        elif add_missing or column in ("stage_code", "stage_system", "grade_code", "grade_system"):
            if column in EXTRA_CANONICAL_COLUMNS and column != "age_dx_approx":
                continue
            df[column] = _missing(df.index, dtype)
    if "ki67" not in present and "ki67_code" in df:
        df["ki67"] = _ki67_percent(df["ki67_code"])
    _choose_stage(df)
    _choose_grade(df)
    for column in ("stage_code", "stage_system", "grade_code", "grade_system"):
        if column not in present and not add_missing and df[column].isna().all():
            df.pop(column)
    if "age_dx_approx" in df and "age_dx_approx" not in present:
        df["age_dx_approx"] = pd.Series(False, index=df.index, dtype="boolean")
    computed = _exclusions(df, present) if {"survival_months", "dead"} & set(df) else None
    if given_exclusion is not None:
        given = _clean_codes(given_exclusion)
        df["exclusion"] = given if computed is None else given.where(given.notna(), computed)
    elif computed is not None or add_missing:
        df["exclusion"] = computed if computed is not None else np.nan
    order = [c for c in types if c in df] + [c for c in df.columns if c not in types]
    if copy or not df.columns.is_unique:
        return df[order]
    return pd.DataFrame({c: df[c] for c in order}, index=df.index, copy=False).__finalize__(df)


_SYSTEM_COLUMN: Final = {v: k for k, v in _STAGE_SYSTEM.items()}
_GRADE_COLUMN: Final = {"pre2018": "grade_pre2018", "2018": "grade_2018"}


def split_stage_grade(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` with raw stage / grade columns (``stage_historic_a`` ...) filled from
    ``stage_code`` + ``stage_system`` and ``grade_code`` + ``grade_system`` where the frame has no
    such column, so that writers can put each code in its registry field."""
    df = df.copy()
    pairs = [
        ("stage_code", "stage_system", _SYSTEM_COLUMN),
        ("grade_code", "grade_system", _GRADE_COLUMN),
    ]
    for code, system, targets in pairs:
        if code not in df or system not in df:
            continue
        for name, target in targets.items():
            rows = (df[system] == name).fillna(False).to_numpy(dtype=bool)
            if target not in df and rows.any():
                df[target] = df[code].where(rows)
    return df


def race_group(value: object) -> object:
    """``white`` / ``black`` / ``unknown`` / ``other`` from a SEER race label or race1 code.

    >>> [race_group(v) for v in ["White", "02", "Other (American Indian/AK Native, ...)", "99"]]
    ['white', 'black', 'other', 'unknown']
    """
    if not isinstance(value, str) or not value.strip():
        return np.nan
    low = value.strip().lower()
    if low in ("white", "01", "1") or low.startswith("white"):
        return "white"
    if low in ("black", "02", "2") or low.startswith("black"):
        return "black"
    if low in ("99", "9") or low.startswith("unknown"):
        return "unknown"
    return "other"


def maybe_classify(df: pd.DataFrame, wanted: bool) -> pd.DataFrame:
    """``df`` with the classification columns of :func:`netsurv.classify` when ``wanted``."""
    return classify(df) if wanted else df
