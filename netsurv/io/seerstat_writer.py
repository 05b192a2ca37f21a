"""Write a canonical frame as a SEER*Stat case-listing export (``.txt`` + ``.dic``).

The files follow the layout of real exports (``registry-formats.md`` §1.2): ``numeric`` writes
SEER*Stat index codes 0..k-1 with a ``[Format=<variable>]`` section per coded variable, ``labels``
writes the label text. :func:`netsurv.io.read_seerstat` returns the same canonical raw columns.
SEER*Stat case listings carry no full dates, so ``date_dx`` / ``date_last_contact`` are not
written (year and month of diagnosis are).
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from netsurv.errors import InputError
from netsurv.io._dic import format_dic
from netsurv.io._seerlabels import encode_label
from netsurv.io.canonical import split_stage_grade

__all__ = ["SeerStatExport", "write_seerstat"]

# canonical column -> (SEER*Stat variable name, coded?)
_VARIABLES: dict[str, tuple[str, bool]] = {
    "patient_id": ("Patient ID", False),
    "tumor_seq": ("Sequence number", True),
    "year_dx": ("Year of diagnosis", True),
    "month_dx": ("Month of diagnosis", True),
    "age_dx": ("Age at diagnosis", True),
    "sex": ("Sex", True),
    "race": ("Race recode (White, Black, Other)", True),
    "primary_site": ("Primary Site", False),
    "histology": ("Histologic Type ICD-O-3", False),
    "behavior": ("Behavior code ICD-O-3", True),
    "grade_pre2018": ("Grade Recode (thru 2017)", True),
    "grade_clinical": ("Grade Clinical (2018+)", True),
    "grade_pathological": ("Grade Pathological (2018+)", True),
    "grade_2018": ("Derived Summary Grade 2018 (2018+)", True),
    "ki67_code": ("Ki-67 (2018+)", False),
    "stage_historic_a": ("SEER historic stage A (1973-2015)", True),
    "stage_ss2000": ("SEER Summary Stage 2000 (2001-2003)", True),
    "stage_ss2018": ("Derived Summary Stage 2018 (2018+)", True),
    "stage_combined": ("Combined Summary Stage (2004+)", True),
    "reporting_source": ("Type of Reporting Source", True),
    "survival_months": ("Survival months", False),
    "survival_flag": ("Survival months flag", True),
    "dead": ("Vital status recode (study cutoff used)", True),
    "cancer_death": ("SEER cause-specific death classification", True),
}
# derived or classification columns that read() recomputes
_NOT_WRITTEN = frozenset(
    {
        "exclusion",
        "stage_code",
        "stage_system",
        "grade_code",
        "grade_system",
        "ki67",
        "age_dx_approx",
        "date_dx",
        "date_last_contact",
        "cause_specific_code",
        "site_group",
        "site_detail",
        "extent",
        "extent_source",
        "grade",
        "grade_source",
        "differentiation",
        "nen_type",
        "nec_subtype",
    }
)
_COD_LABELS = {
    "0": "Alive or dead of other cause",
    "1": "Dead (attributable to this cancer dx)",
    "8": "Dead (missing/unknown COD)",
    "9": "N/A not first tumor",
}
_RACE_LABELS = {
    "white": "White",
    "black": "Black",
    "other": "Other (American Indian/AK Native, Asian/Pacific Islander)",
    "unknown": "Unknown",
}
_AGE_GROUPS = [(1, 4), *[(a, a + 4) for a in range(5, 85, 5)]]


@dataclass(frozen=True)
class SeerStatExport:
    """Paths written by :func:`write_seerstat` and the number of data lines."""

    data_path: Path
    dic_path: Path
    n_rows: int


def _age_label(age: float, approx: bool) -> str | None:
    if np.isnan(age):
        return "Unknown"
    if approx:
        if age == 87.5:
            return "85+ years"
        for a, b in _AGE_GROUPS:
            if (a + b + 1) / 2 == age:
                return f"{a:02d}-{b:02d} years"
    return f"{int(np.floor(age)):02d} years"


def _as_text(s: pd.Series) -> pd.Series:
    out = s.astype(object)
    return out.where(out.notna(), None).map(lambda v: None if v is None else str(v))


def _cod_codes(df: pd.DataFrame) -> pd.Series:
    if "cause_specific_code" in df:
        given = _as_text(df["cause_specific_code"])
    else:
        given = pd.Series(None, index=df.index, dtype=object)
    cd = df["cancer_death"].astype("boolean")
    dead = df["dead"].astype("boolean") if "dead" in df else pd.Series(pd.NA, index=df.index)
    derived = np.where(
        cd.eq(True).fillna(False),
        "1",
        np.where(cd.eq(False).fillna(False), "0", np.where(dead.eq(True).fillna(False), "8", "9")),
    )
    return given.where(given.notna(), pd.Series(derived, index=df.index))


def _labels(df: pd.DataFrame, column: str) -> pd.Series:
    """Label text per row (None when missing) for a canonical column."""
    s = df[column]
    if column == "age_dx":
        approx = df.get("age_dx_approx", pd.Series(False, index=df.index)).fillna(False)
        return pd.Series(
            [_age_label(float(a), bool(f)) for a, f in zip(s.astype(float), approx, strict=True)],
            index=df.index,
        )
    if column == "dead":
        return s.astype("boolean").map({True: "Dead", False: "Alive"}).astype(object)
    if column == "cancer_death":
        return _cod_codes(df).map(_COD_LABELS)
    if column == "survival_months":
        months = pd.to_numeric(s, errors="coerce")
        return months.map(lambda v: "9999" if np.isnan(v) else f"{int(v):04d}")
    if column in ("year_dx", "month_dx"):
        num = pd.to_numeric(s, errors="coerce").astype("Int64")
        text = _as_text(num)
        return text if column == "year_dx" else text.map(lambda v: encode_label("month_dx", v))
    if column == "primary_site":
        return _as_text(s).map(lambda v: v[1:] if v and v[:1].upper() == "C" else v)
    if column == "race":
        return _as_text(s).map(lambda v: None if v is None else _RACE_LABELS.get(v.lower(), v))
    if column == "sex":
        return _as_text(s).map(lambda v: {"male": "Male", "female": "Female"}.get(v, v))
    text = _as_text(s)
    return text.map(lambda v: None if v is None else encode_label(column, v))


def _columns(df: pd.DataFrame) -> list[tuple[str, str, bool, pd.Series]]:
    """(canonical column, SEER*Stat name, coded?, label text per row) for every written column."""
    df = split_stage_grade(df)
    if "ki67_code" not in df and "ki67" in df:
        df["ki67_code"] = pd.to_numeric(df["ki67"]).map(
            lambda v: None if np.isnan(v) else f"{v:.1f}"
        )
    out = []
    for column, (name, coded) in _VARIABLES.items():
        if column in df:
            out.append((column, name, coded, _labels(df, column)))
    for column in df.columns:
        if column in _VARIABLES or column in _NOT_WRITTEN:
            continue
        out.append((column, str(column), False, _as_text(df[column])))
    return out


def write_seerstat(
    df: pd.DataFrame,
    path: str | Path,
    *,
    variable_format: Literal["numeric", "labels"] = "numeric",
    delimiter: Literal["tab", "comma", "semi-colon"] = "tab",
    header: bool = True,
    dos: bool = True,
) -> SeerStatExport:
    """Write ``df`` as a SEER*Stat case listing: ``path`` (``.txt``, gzip if ``.gz``) + ``.dic``.

    Parameters
    ----------
    df : canonical frame (extra columns are written as text variables under their own names).
    path : data file; the dictionary is written beside it with the suffix ``.dic``.
    variable_format : ``numeric`` (SEER*Stat index codes + ``[Format=]`` sections) or ``labels``.
    delimiter : field delimiter named as in SEER*Stat's export options.
    header : write the variable names as the first line ("Variable names included").
    dos : CRLF line ends ("DOS/Windows"), else LF ("UNIX").

    Examples
    --------
    >>> import tempfile, netsurv.io as nio
    >>> df = pd.DataFrame({"patient_id": ["1"], "survival_months": [12.0], "dead": [True]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_seerstat(df, f"{tmp}/x.txt")
    ...     back = nio.read_seerstat(out.data_path, classify=False)
    >>> print(back.patient_id[0], back.survival_months[0], back.dead[0])
    1 12.0 True
    """
    if variable_format not in ("numeric", "labels"):
        raise InputError(f"variable_format must be 'numeric' or 'labels', not {variable_format!r}.")
    delims = {"tab": "\t", "comma": ",", "semi-colon": ";"}
    if delimiter not in delims:
        raise InputError(f"delimiter must be one of {sorted(delims)}, not {delimiter!r}.")
    path = Path(path)
    gz = path.suffix.lower() == ".gz"
    base = path.with_suffix("") if gz else path
    dic_path = base.with_suffix(".dic")
    columns = _columns(df)
    formats: dict[str, list[str]] = {}
    values: list[pd.Series] = []
    for _, name, coded, labels in columns:
        if coded:
            levels = sorted({v for v in labels if v is not None}, key=_sort_key)
            formats[name] = levels
            if variable_format == "numeric":
                labels = labels.map({lab: str(i) for i, lab in enumerate(levels)})
        values.append(labels.where(labels.notna(), " "))
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delims[delimiter], lineterminator="\r\n" if dos else "\n")
    if header:
        writer.writerow([name for _, name, _, _ in columns])
    writer.writerows(zip(*values, strict=True))
    data = buf.getvalue().encode("utf-8")
    with gzip.open(path, "wb") if gz else open(path, "wb") as fh:
        fh.write(data)
    dic_text = format_dic(
        data_name=path.name,
        variables=[name for _, name, _, _ in columns],
        formats=formats,
        variable_format=variable_format,
        delimiter_name=delimiter,
        missing_name="space",
        names_included=header,
        gzipped=gz,
        dos=dos,
    )
    dic_path.write_bytes(dic_text.encode("utf-8"))
    return SeerStatExport(path, dic_path, len(df))


def _sort_key(label: str) -> tuple[int, float | str]:
    head = label.split(" ")[0].split("-")[0].rstrip("+")
    try:
        return (0, float(head))
    except ValueError:
        return (1, label)
