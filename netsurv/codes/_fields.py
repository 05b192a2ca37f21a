"""Read each raw input field into integer arrays (one entry per row) by table lookup.

Each reader returns positions in the vocabularies of :mod:`netsurv.codes._vocab` plus a
status array: ``0`` a code found in the table, ``BLANK`` no value, ``INVALID`` a value that is
not in the table. Nothing here loops over rows; loops run over distinct codes only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import netsurv.codes.tables as tables
from netsurv.codes._parse import BLANK, INVALID, keys, lookup, norm_histology, norm_site, norm_text
from netsurv.codes._vocab import DIFFERENTIATION, EXTENT, GRADE, NEN_TYPE, SITE_GROUP, UNKNOWN

__all__ = [
    "GRADE_TABLES",
    "STAGE_SYSTEMS",
    "Coded",
    "read_behavior",
    "read_grade",
    "read_histology",
    "read_ki67",
    "read_site",
    "read_stage",
    "read_year",
]

G_UNK = GRADE.index(UNKNOWN)
D_UNK = DIFFERENTIATION.index(UNKNOWN)
E_UNK = EXTENT.index(UNKNOWN)
GRADE_TABLES = ("pre2018", "net2018", "carcinoma2018")
STAGE_SYSTEMS = ("historic_a", "combined", "ss2000", "ss2018")


def _status(row: np.ndarray) -> np.ndarray:
    return np.where(row >= 0, 0, row)


def _take(values: np.ndarray, row: np.ndarray, default: int | bool) -> np.ndarray:
    """``values[row]`` where ``row >= 0``, else ``default``."""
    return np.where(row >= 0, values[np.maximum(row, 0)], default)


@dataclass(frozen=True)
class Coded:
    """Arrays for one field, all of length n (fields unused by a reader are None)."""

    status: np.ndarray
    value: np.ndarray  # main category position
    extra: dict[str, np.ndarray]


def read_year(column: pd.Series | None, n: int) -> Coded:
    """Year of diagnosis as float (NaN unknown); years outside 1900-2100 are invalid."""
    if column is None:
        return Coded(np.full(n, BLANK), np.full(n, np.nan), {})
    ids, distinct = keys(column, n, norm_text)
    parsed = pd.to_numeric(pd.Series(distinct, dtype=object), errors="coerce")
    values = np.append(parsed.to_numpy(dtype=float, na_value=np.nan), np.nan)
    good = (values >= 1900) & (values <= 2100)
    year = np.where(good, values, np.nan)[ids]
    status = np.where(good, 0, INVALID)
    status[-1] = BLANK
    return Coded(status[ids], year, {})


def read_site(column: pd.Series | None, n: int) -> Coded:
    """Topography -> site group, site detail, NET-schema site, gastro-entero-pancreatic site."""
    t = tables.sites()
    ids, distinct = keys(column, n, norm_site)
    row = lookup(ids, distinct, t.key)
    return Coded(
        _status(row),
        _take(t.group, row, SITE_GROUP.index(UNKNOWN)),
        {
            "detail": _take(t.detail, row, len(t.details) - 1),
            "net_schema": _take(t.net_schema, row, False).astype(bool),
            "gep": _take(t.gep, row, False).astype(bool),
            "carcinoma_grade": _take(t.carcinoma_grade, row, False).astype(bool),
            "thoracic": _take(t.thoracic, row, False).astype(bool),
        },
    )


def read_histology(column: pd.Series | None, n: int, site: pd.Series | None = None) -> Coded:
    """Morphology -> NEN type, NEC subtype, histology differentiation and grade, NET schema.

    A table row limited to some topographies (``sites``, e.g. 8510 medullary carcinoma: only
    the thyroid C739 makes it a NEN) reads as a valid morphology outside the NEN table
    elsewhere.
    """
    t = tables.histology()
    ids, distinct = keys(column, n, norm_histology)
    not_nen = len(t.key)  # one extra row: a valid morphology (8000-9999) outside the NEN table
    table = {k: t.key.get(k, not_nen) for k in distinct if k.isdigit() and 8000 <= int(k) <= 9999}
    row = lookup(ids, distinct, table)
    site_ids, site_keys = keys(site, n, norm_site)
    for r, allowed in enumerate(t.sites):
        if allowed:
            inside = [i for i, s in enumerate(site_keys) if s in allowed]
            row = np.where((row == r) & ~np.isin(site_ids, inside), not_nen, row)
    nen = np.append(t.nen_type, NEN_TYPE.index("not NEN"))
    return Coded(
        _status(row),
        _take(nen, row, NEN_TYPE.index(UNKNOWN)),
        {
            "nec_subtype": _take(np.append(t.nec_subtype, -1), row, -1),
            "differentiation": _take(np.append(t.differentiation, D_UNK), row, D_UNK),
            "grade": _take(np.append(t.grade, G_UNK), row, G_UNK),
            "thoracic_grade": _take(np.append(t.thoracic_grade, G_UNK), row, G_UNK),
            "net_schema": _take(np.append(t.net_schema, False), row, False).astype(bool),
            "nen_type_older": _take(np.append(t.nen_type_older, -1), row, -1),
            "is_8246": row == t.key["8246"],
        },
    )


def read_behavior(column: pd.Series | None, n: int) -> Coded:
    """ICD-O-3 behaviour -> ``value`` 1 where a NEN histology keeps its type (2, 3, 6, 9),
    0 where it is not a malignant NEN (0 benign, 1 uncertain), -1 blank or invalid."""
    ids, distinct = keys(column, n, norm_text)
    table = {k: int(v) for k, v in tables.behaviors().items()}
    row = lookup(ids, distinct, table)
    return Coded(_status(row), np.where(row >= 0, row, -1), {})


def read_grade(column: pd.Series | None, n: int, table: np.ndarray) -> Coded:
    """Grade code read with a per-row table (0 pre-2018, 1 NET schema, 2 carcinoma, -1 none).

    ``value`` is the WHO grade a code records (G1-G3 or unknown); ``extra`` holds the
    differentiation and the table used.
    """
    ids, distinct = keys(column, n, norm_text)
    entries = tables.grades().entries
    shape = (len(GRADE_TABLES), len(distinct) + 1)  # last column: blank rows (id -1)
    grade, diff = np.full(shape, G_UNK), np.full(shape, D_UNK)
    status = np.full(shape, INVALID)
    status[:, -1] = BLANK
    for t, name in enumerate(GRADE_TABLES):
        for j, k in enumerate(distinct):
            if (name, k) in entries:
                grade[t, j], diff[t, j] = entries[name, k]
                status[t, j] = 0
    # flat index into the (table, code) arrays; a row without table reads an all-invalid row
    invalid_row = np.full((1, shape[1]), INVALID)
    invalid_row[0, -1] = BLANK
    status = np.vstack([status, invalid_row])
    grade, diff = np.vstack([grade, grade[:1]]), np.vstack([diff, diff[:1]])
    flat = np.where(table >= 0, table, len(GRADE_TABLES)) * shape[1] + (ids % shape[1])
    out_status = status.ravel().take(flat)
    known = out_status == 0
    return Coded(
        out_status,
        np.where(known, grade.ravel().take(flat), G_UNK),
        {
            "differentiation": np.where(known, diff.ravel().take(flat), D_UNK),
            "table": np.where(out_status == BLANK, -1, table),
        },
    )


def read_ki67(percent: pd.Series | None, code: pd.Series | None, n: int) -> Coded:
    """Ki-67 -> WHO grade; an exact % (``ki67``, or a number in ``ki67_code``) beats range codes.

    ``extra["range"]`` is True where the grade came from a range code (XXX.4-XXX.9).
    """
    k = tables.ki67()
    value = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    if percent is not None:
        value = pd.to_numeric(percent, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = percent.notna().to_numpy() & np.isnan(value)
    ids, distinct = keys(code, n, norm_text)
    numbers = pd.to_numeric(pd.Series(distinct, dtype=object), errors="coerce")
    code_value = np.append(numbers.to_numpy(dtype=float, na_value=np.nan), np.nan)[ids]
    code_range = lookup(ids, distinct, k.ranges)
    from_code = np.isnan(value)
    value = np.where(from_code, code_value, value)
    grade = np.full(n, G_UNK)
    matched = np.zeros(n, dtype=bool)
    for lower, lower_closed, upper, upper_closed, g in k.cuts:
        above = value >= lower if lower_closed else value > lower
        below = value <= upper if upper_closed else value < upper
        grade = np.where(above & below, g, grade)
        matched |= above & below
    use_range = np.isnan(value) & (code_range >= 0)
    grade = np.where(use_range, code_range, grade)
    out_of_range = ~np.isnan(value) & ~matched  # a number outside 0-100
    code_bad = from_code & np.isnan(code_value) & (code_range == INVALID)
    usable = matched | use_range
    status = np.where(usable, 0, np.where(bad | out_of_range | code_bad, INVALID, BLANK))
    return Coded(status, np.where(usable, grade, G_UNK), {"range": use_range})


def read_stage(column: pd.Series | None, n: int, system: np.ndarray) -> Coded:
    """Stage code read with a per-row system (position in STAGE_SYSTEMS, -1 = unknown system).

    Label texts (``Localized``, ``Unknown/unstaged``, …) are accepted under every system.
    """
    ids, distinct = keys(column, n, norm_text)
    entries = tables.stages()
    shape = (len(STAGE_SYSTEMS) + 1, len(distinct) + 1)  # last row: unknown system
    extent = np.full(shape, INVALID)
    extent[:, -1] = BLANK
    for s, name in enumerate((*STAGE_SYSTEMS, "")):
        for j, key in enumerate(distinct):
            extent[s, j] = entries.get((name, key), entries.get(("label", key), INVALID))
    out = extent[np.where(system >= 0, system, len(STAGE_SYSTEMS)), ids]
    return Coded(_status(out), np.where(out >= 0, out, E_UNK), {"system": system})


def read_system(column: pd.Series | None, n: int, names: dict[str, int]) -> np.ndarray:
    """Row positions of a code-system column (``grade_system``/``stage_system``): -1 blank, -2 other."""
    ids, distinct = keys(column, n, norm_text)
    return lookup(ids, distinct, names)
