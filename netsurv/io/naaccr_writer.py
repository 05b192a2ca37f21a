"""Write a canonical frame as NAACCR XML (one <Patient> per patient_id, one <Tumor> per row).

Items follow the NAACCR dictionary (``registry-formats.md`` §3.2); patient-level items
(``patientIdNumber``, ``sex``, ``race1``, ``dateOfLastContact``, ``vitalStatus``) are taken from
the patient's first row. Stage / grade fields without a NAACCR item (historic stage A, combined
summary stage) and extra columns are written as items named in camelCase, which
:func:`netsurv.io.read_naaccr_xml` maps back. Survival months and flag are written as
``survMosActiveFollowup`` / ``survFlagActiveFollowup``, so reading returns the same values.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from netsurv.errors import InputError
from netsurv.io._naaccrmap import CANONICAL_TO_ITEM, RACE_CODES
from netsurv.io.canonical import race_group, split_stage_grade
from netsurv.io.naaccr import NAACCR_NS

__all__ = ["write_naaccr_xml"]

_PATIENT_ITEMS = ("patientIdNumber", "sex", "race1", "dateOfLastContact", "vitalStatus")
_NOT_WRITTEN = frozenset(
    {
        "exclusion",
        "stage_code",
        "stage_system",
        "grade_code",
        "grade_system",
        "ki67",
        "age_dx_approx",
        "year_dx",
        "month_dx",
        "date_dx",
        "date_last_contact",
        "age_dx",
        "sex",
        "race",
        "dead",
        "cancer_death",
        "survival_months",
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
_SEX = {"male": "1", "female": "2", "other": "3", "unknown": "9"}


def _camel(name: str) -> str:
    head, *rest = str(name).split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _text(s: pd.Series) -> list[str]:
    return [
        "" if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else str(v)
        for v in s.astype(object)
    ]


def _date(df: pd.DataFrame, date_col: str, year: str | None, month: str | None) -> list[str]:
    n = len(df)
    out = [""] * n
    if date_col in df:
        dates = pd.to_datetime(df[date_col], errors="coerce")
        out = ["" if pd.isna(d) else d.strftime("%Y%m%d") for d in dates]
    if year and year in df:
        ys = pd.to_numeric(df[year], errors="coerce")
        ms = pd.to_numeric(df[month], errors="coerce") if month and month in df else None
        for i in range(n):
            if out[i] or pd.isna(ys.iloc[i]):
                continue
            out[i] = f"{int(ys.iloc[i]):04d}"
            if ms is not None and not pd.isna(ms.iloc[i]):
                out[i] += f"{int(ms.iloc[i]):02d}"
    return out


def _columns(df: pd.DataFrame) -> dict[str, list[str]]:
    """naaccrId -> values (strings; "" = not written) for every row."""
    items: dict[str, list[str]] = {}
    for column, item in CANONICAL_TO_ITEM.items():
        if column in df:
            items[item] = _text(df[column])
    items["dateOfDiagnosis"] = _date(df, "date_dx", "year_dx", "month_dx")
    items["dateOfLastContact"] = _date(df, "date_last_contact", None, None)
    if "age_dx" in df:
        age = pd.to_numeric(df["age_dx"], errors="coerce")
        items["ageAtDiagnosis"] = ["999" if pd.isna(a) else f"{int(a):03d}" for a in age]
    if "sex" in df:
        items["sex"] = [_SEX.get(v, v) for v in _text(df["sex"])]
    if "race" in df:
        groups = [race_group(v) if v else "" for v in _text(df["race"])]
        items["race1"] = [RACE_CODES.get(g, "") if isinstance(g, str) else "" for g in groups]
    if "dead" in df:
        items["vitalStatus"] = [{"True": "0", "False": "1"}.get(v, "") for v in _text(df["dead"])]
    if "survival_months" in df:
        months = pd.to_numeric(df["survival_months"], errors="coerce")
        items["survMosActiveFollowup"] = ["9999" if pd.isna(m) else f"{int(m):04d}" for m in months]
    if "cancer_death" in df:
        items["seerCauseSpecificCod"] = _cod(df)
    for column in df.columns:
        if column in CANONICAL_TO_ITEM or column in _NOT_WRITTEN:
            continue
        key, values = _camel(column), _text(df[column])
        if key.startswith("naaccr") and key[6:7].isupper():  # naaccr_sex -> sex
            key = key[6].lower() + key[7:]
        if key in items:  # canonical values win; raw extras fill their gaps (partial dates)
            values = [have or raw for have, raw in zip(items[key], values, strict=True)]
        items[key] = values
    return items


def _cod(df: pd.DataFrame) -> list[str]:
    given = _text(df["cause_specific_code"]) if "cause_specific_code" in df else [""] * len(df)
    cd = _text(df["cancer_death"].astype("boolean"))
    dead = _text(df["dead"].astype("boolean")) if "dead" in df else [""] * len(df)
    out = []
    for g, c, d in zip(given, cd, dead, strict=True):
        out.append(g or {"True": "1", "False": "0"}.get(c, "8" if d == "True" else "9"))
    return out


def write_naaccr_xml(
    df: pd.DataFrame,
    path: str | Path,
    *,
    version: str = "250",
    record_type: str = "I",
) -> Path:
    """Write ``df`` (canonical frame) as NAACCR XML; gzip when ``path`` ends with ``.gz``.

    Parameters
    ----------
    df : canonical frame; rows of one ``patient_id`` become Tumors of one Patient.
    path : output ``.xml`` or ``.xml.gz``.
    version : NAACCR dictionary version in ``baseDictionaryUri`` (``"210"`` ... ``"260"``).
    record_type : ``recordType`` attribute (A, M, C or I).

    Examples
    --------
    >>> import tempfile, netsurv.io as nio
    >>> df = pd.DataFrame({"patient_id": ["1", "1"], "tumor_seq": ["01", "02"],
    ...                    "survival_months": [5.0, 3.0], "dead": [True, True]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     back = nio.read_naaccr_xml(write_naaccr_xml(df, f"{tmp}/x.xml"), classify=False)
    >>> back["tumor_seq"].tolist(), back["survival_months"].tolist()
    (['01', '02'], [5.0, 3.0])
    """
    path = Path(path)
    frame = split_stage_grade(df.reset_index(drop=True))
    if "patient_id" not in frame:
        raise InputError("write_naaccr_xml needs a 'patient_id' column to group tumours.")
    groups = pd.Series(np.arange(len(frame))).groupby(
        frame["patient_id"].astype(str).to_numpy(), sort=False
    )
    patients = [idx.to_numpy() for _, idx in groups]
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-{version}.xml"'
        f' recordType={quoteattr(record_type)} specificationVersion="1.8" xmlns="{NAACCR_NS}">\n'
    )
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "wb") as fh:
        fh.write(head.encode("utf-8"))
        for start in range(0, len(patients), _PATIENTS_PER_CHUNK):
            chunk = patients[start : start + _PATIENTS_PER_CHUNK]
            rows = np.concatenate(chunk) if chunk else np.array([], dtype=int)
            fh.write(_patients_xml(frame.iloc[rows].reset_index(drop=True), chunk).encode("utf-8"))
        fh.write(b"</NaaccrData>\n")
    return path


_PATIENTS_PER_CHUNK = 20_000


def _patients_xml(frame: pd.DataFrame, chunk: list[np.ndarray]) -> str:
    """XML text of the patients in ``chunk`` (row positions of ``frame``, in order)."""
    items = _columns(frame)
    patient_keys = [k for k in _PATIENT_ITEMS if k in items]
    tumor_keys = [k for k in items if k not in patient_keys]
    parts: list[str] = []
    i = 0
    for rows in chunk:
        first = i
        parts.append("  <Patient>\n")
        parts += [_item(k, items[k][first], 4) for k in patient_keys if items[k][first]]
        for j in range(i, i + len(rows)):
            parts.append("    <Tumor>\n")
            parts += [_item(k, items[k][j], 6) for k in tumor_keys if items[k][j]]
            parts.append("    </Tumor>\n")
        parts.append("  </Patient>\n")
        i += len(rows)
    return "".join(parts)


def _item(key: str, value: str, indent: int) -> str:
    return f"{' ' * indent}<Item naaccrId={quoteattr(key)}>{escape(value)}</Item>\n"
