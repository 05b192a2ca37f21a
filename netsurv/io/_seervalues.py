"""Decode the distinct values of one SEER*Stat variable into canonical columns.

Numbers with thousands separators, age labels and age-group mid-points, vital status and
the cause-specific death classification. Used by :mod:`netsurv.io.seerstat` on each column's
distinct values (a registry column holds few), which are then expanded back to rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netsurv.errors import ReadError
from netsurv.io._seerlabels import decode_label, snake_case
from netsurv.io.canonical import race_group

__all__ = ["decode_column"]

_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_UNKNOWN_WORDS = frozenset({"unknown", "unknown/not stated", "n/a"})


def _without_thousands(s: pd.Series) -> pd.Series:
    """``1,234`` -> ``1234`` (values with a comma only are matched, in Python's own regex)."""
    comma = s.str.contains(",", regex=False, na=False)
    if not comma.any():
        return s
    sub = s[comma]
    return s.where(~comma, sub.where(~sub.str.match(_THOUSANDS), sub.str.replace(",", "")))


def _map_unique(s: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    values = pd.unique(s.dropna())
    return s.map({v: func(v) for v in values})


def _numbers(s: pd.Series, var: str, lines: np.ndarray, data: Path) -> pd.Series:
    """Numeric values allowing thousands separators; Unknown -> NaN; garbage -> ReadError."""
    text = s.where(~s.str.lower().isin(_UNKNOWN_WORDS))
    text = text.where(~text.str.match(_THOUSANDS, na=False), text.str.replace(",", "", regex=False))
    out = pd.to_numeric(text, errors="coerce")
    bad = out.isna() & text.notna()
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise ReadError(
            "not a number; the value does not fit this variable (damaged line or wrong .dic).",
            path=data,
            line=int(lines[i]),
            field=var,
            value=s.iloc[i],
        )
    return out


_AGE_RANGE = re.compile(r"^(\d+)\s*-\s*(\d+)\s*(years?)?$")
_AGE_PLUS = re.compile(r"^(\d+)\s*\+\s*(years?)?$")
_AGE_ONE = re.compile(r"^(\d+(\.\d+)?)\s*(years?)?$")


def _age(label: str, infant_group: bool = False) -> tuple[float, bool]:
    """(age in years, approximate?) from SEER age labels; group recodes give mid-points.

    ``01-04 years`` covers ages [1, 5) -> 3.0; an open top group ``85+ years`` -> 87.5, the
    mid-point of a band as wide as the other (5-year) groups (a convention); ``45 years`` ->
    45 exact; ``00 years`` in "Age recode with <1 year olds" is the group [0, 1) -> 0.5.
    """
    low = label.strip().lower()
    if m := _AGE_RANGE.match(low):
        return (int(m.group(1)) + int(m.group(2)) + 1) / 2, True
    if m := _AGE_PLUS.match(low):
        return int(m.group(1)) + 2.5, True
    if m := _AGE_ONE.match(low):
        value = float(m.group(1))
        if infant_group and value == 0:
            return 0.5, True
        return (np.nan if value >= 999 else value), False
    return np.nan, False


_VITAL = {"alive": False, "dead": True, "1": False, "4": True, "0": True}
_COD = {
    "alive or dead of other cause": "0",
    "dead (attributable to this cancer dx)": "1",
    "dead (missing/unknown cod)": "8",
    "n/a not first tumor": "9",
}


def decode_column(
    out: dict[str, pd.Series], var: str, field: str, s: pd.Series, lines: np.ndarray, data: Path
) -> None:
    """Decode the distinct values ``s`` of SEER*Stat variable ``var`` into canonical columns."""
    if field == "year_dx" and not s.dropna().str.fullmatch(r"\d{4}").all():
        out[snake_case(var)] = s  # grouped years ("1975-1979"): kept as text, year_dx unknown
    elif field in ("survival_months", "year_dx"):
        values = _numbers(s, var, lines, data)
        out[field] = values.where(values != 9999) if field == "survival_months" else values
    elif field == "patient_id":
        out[field] = _without_thousands(s)
    elif field == "age_dx":
        infant = "<1 year" in var.lower()
        pairs = _map_unique(s, lambda v: _age(v, infant))
        out["age_dx"] = pairs.map(lambda p: p[0] if isinstance(p, tuple) else np.nan)
        out["age_dx_approx"] = pairs.map(lambda p: bool(p[1]) if isinstance(p, tuple) else False)
    elif field == "_vital":
        out["dead"] = _map_unique(s, lambda v: _VITAL.get(" ".join(v.lower().split())))
    elif field == "_cod":
        code = _map_unique(s, lambda v: _COD.get(" ".join(v.lower().split()), v))
        out["cause_specific_code"] = code
        out["cancer_death"] = code.map({"1": True, "0": False})
    elif field == "_hist_behav":
        parts = s.str.extract(r"^(\d{4})/(\d)")
        out.setdefault("histology", parts[0])
        out.setdefault("behavior", parts[1])
    elif field == "race":
        out["race"] = _map_unique(s, race_group)
        out[snake_case(var)] = s  # the label itself (e.g. which "Other")
    elif field == "histology":
        out[field] = s.str.extract(r"^(\d{4})", expand=False).fillna(s)
    else:
        out[field] = _map_unique(s, lambda v: decode_label(field, v))
