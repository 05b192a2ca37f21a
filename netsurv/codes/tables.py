"""The code tables bundled with netsurv, loaded once from the package's CSV files.

Each table is a CSV file next to this module with a ``source`` column citing where every row
comes from; ``README.md`` in this folder documents the columns. :func:`code_table` returns a
copy of one table as a DataFrame of strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from netsurv.codes._parse import norm_text
from netsurv.codes._vocab import DIFFERENTIATION, EXTENT, GRADE, NEC_SUBTYPE, NEN_TYPE, SITE_GROUP
from netsurv.errors import InputError

__all__ = ["TABLE_NAMES", "code_table"]

TABLE_NAMES = (
    "histology",
    "behavior",
    "sites",
    "stage",
    "grade",
    "derived_grade",
    "ki67",
    "exclusions",
)


@cache
def _read(name: str) -> pd.DataFrame:
    path = resources.files("netsurv.codes").joinpath(f"{name}.csv")
    with path.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


def code_table(name: str) -> pd.DataFrame:
    """Return a copy of one bundled code table (all columns as strings, empty = not set).

    Parameters
    ----------
    name : one of ``"histology"``, ``"behavior"``, ``"sites"``, ``"stage"``, ``"grade"``,
        ``"derived_grade"``, ``"ki67"``, ``"exclusions"``.

    Examples
    --------
    >>> from netsurv.codes import code_table
    >>> code_table("histology").set_index("histology").loc["8013", "nen_type"]
    'NEC'
    """
    if name not in TABLE_NAMES:
        raise InputError(
            f"code_table: unknown table {name!r}; choose one of {', '.join(TABLE_NAMES)}."
        )
    return _read(name).copy()


def _index(values: pd.Series, vocabulary: tuple[str, ...]) -> np.ndarray:
    """Integer positions of table values in a vocabulary (-1 for an empty cell)."""
    position = {v: i for i, v in enumerate(vocabulary)}
    return np.array([position[v] if v else -1 for v in values], dtype=np.int64)


@dataclass(frozen=True)
class Sites:
    key: dict[str, int]  # "C250" -> row
    group: np.ndarray  # row -> SITE_GROUP position
    detail: np.ndarray  # row -> position in `details`
    details: tuple[str, ...]
    net_schema: np.ndarray  # row -> bool
    gep: np.ndarray  # row -> bool
    carcinoma_grade: np.ndarray  # row -> bool: 2018 carcinoma codes 1-4 record G1-G4
    thoracic: np.ndarray  # row -> bool: carcinoids graded by histology (WHO thoracic)


@dataclass(frozen=True)
class Histology:
    key: dict[str, int]  # "8240" -> row
    nen_type: np.ndarray
    nec_subtype: np.ndarray  # -1 = not NEC
    differentiation: np.ndarray
    grade: np.ndarray  # GRADE position; UNKNOWN when no grade by definition
    thoracic_grade: np.ndarray  # GRADE position at thoracic sites; UNKNOWN when none
    net_schema: np.ndarray
    sites: tuple[frozenset[str], ...]  # the only topographies where the row applies (empty: any)
    nen_type_older: np.ndarray  # NEN_TYPE position under the older definition; -1 = same


@dataclass(frozen=True)
class Grades:
    # (table, normalised code) -> (grade, differentiation)
    entries: dict[tuple[str, str], tuple[int, int]]


@dataclass(frozen=True)
class Ki67:
    ranges: dict[str, int]  # "xxx.4" -> GRADE position
    cuts: tuple[tuple[float, bool, float, bool, int], ...]  # lower, closed, upper, closed, grade


@cache
def sites() -> Sites:
    t = _read("sites")
    details = tuple(dict.fromkeys([*t["site_detail"], "unknown"]))
    return Sites(
        key={s: i for i, s in enumerate(t["site"])},
        group=_index(t["site_group"], SITE_GROUP),
        detail=_index(t["site_detail"], details),
        details=details,
        net_schema=(t["net_schema"] == "True").to_numpy(),
        gep=(t["gep"] == "True").to_numpy(),
        carcinoma_grade=(t["carcinoma_grade"] == "True").to_numpy(),
        thoracic=(t["thoracic"] == "True").to_numpy(),
    )


@cache
def histology() -> Histology:
    t = _read("histology")
    grade = _index(t["grade"], GRADE)
    thoracic = _index(t["thoracic_grade"], GRADE)
    unknown = GRADE.index("unknown")
    return Histology(
        key={h: i for i, h in enumerate(t["histology"])},
        nen_type=_index(t["nen_type"], NEN_TYPE),
        nec_subtype=_index(t["nec_subtype"], NEC_SUBTYPE),
        differentiation=_index(t["differentiation"], DIFFERENTIATION),
        grade=np.where(grade < 0, unknown, grade),
        thoracic_grade=np.where(thoracic < 0, unknown, thoracic),
        net_schema=(t["net_schema"] == "True").to_numpy(),
        sites=tuple(frozenset(v.split(";")) if v else frozenset() for v in t["sites"]),
        nen_type_older=_index(t["nen_type_older"], NEN_TYPE),
    )


@cache
def behaviors() -> dict[str, bool]:
    """Normalised behaviour code or label -> True when a NEN histology keeps its NEN type."""
    t = _read("behavior")
    return {str(norm_text(c)): k == "True" for c, k in zip(t["code"], t["nen_kept"], strict=True)}


@cache
def stages() -> dict[tuple[str, str], int]:
    """(system, normalised code) -> EXTENT position; system ``label`` holds label texts."""
    t = _read("stage")
    extent = _index(t["extent"], EXTENT)
    return {
        (s, str(norm_text(c))): int(e)
        for s, c, e in zip(t["system"], t["code"], extent, strict=True)
    }


@cache
def grades() -> Grades:
    t = _read("grade")
    grade = _index(t["grade"], GRADE)
    diff = _index(t["differentiation"], DIFFERENTIATION)
    rows = zip(t["table"], t["code"], grade, diff, strict=True)
    return Grades({(tb, str(norm_text(c))): (int(g), int(d)) for tb, c, g, d in rows})


@cache
def ki67() -> Ki67:
    t = _read("ki67")
    grade = _index(t["grade"], GRADE)
    ranges: dict[str, int] = {}
    cuts = []
    for row, g in zip(t.itertuples(index=False), grade, strict=True):
        if row.code == "value":
            cut = (float(row.lower), row.lower_closed == "True")
            cuts.append((*cut, float(row.upper), row.upper_closed == "True", int(g)))
        else:
            ranges[str(norm_text(row.code))] = int(g)
    return Ki67(ranges=ranges, cuts=tuple(cuts))
