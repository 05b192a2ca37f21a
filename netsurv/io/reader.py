"""``read``: one entry point that detects the registry format; ``load_summary``: the load log."""

from __future__ import annotations

import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netsurv.errors import InputError, ReadError
from netsurv.io._files import GZIP_ERRORS, gzip_error, open_binary
from netsurv.io.naaccr import read_naaccr_xml
from netsurv.io.seerstat import read_seerstat
from netsurv.io.tabular import read_table
from netsurv.rules import EXCLUSION_REASONS

__all__ = ["detect_format", "load_summary", "read"]

_TABLE_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".tab", ".parquet", ".pq")
_XML_SUFFIXES = (".xml", ".xml.gz")


def _head(path: Path) -> bytes:
    try:
        with open_binary(path) as fh:
            return fh.read(512)
    except GZIP_ERRORS as exc:
        raise gzip_error(path, exc) from exc


def _dic_beside(path: Path) -> bool:
    base = path.with_suffix("") if path.suffix.lower() == ".gz" else path
    return base.with_suffix(".dic").exists() or base.with_suffix(".DIC").exists()


def detect_format(path: str | Path) -> str:
    """``"seerstat"``, ``"naaccr-xml"`` or ``"table"`` for a file, from its name and first bytes.

    A ``.dic`` is a SEER*Stat export; ``.csv``/``.tsv``/``.parquet`` are tables and ``.xml``
    NAACCR XML whatever lies beside them; another file with a ``.dic`` beside it is a SEER*Stat
    export; otherwise the first bytes decide (``PAR1``: Parquet, ``<``: XML).
    """
    path = Path(path)
    if not path.exists():
        raise ReadError("file not found; check the path.", path=path)
    name = path.name.lower()
    if name.endswith(".dic"):
        return "seerstat"
    if name.endswith(_TABLE_SUFFIXES):
        return "table"
    if name.endswith(_XML_SUFFIXES):
        return "naaccr-xml"
    if _dic_beside(path):
        return "seerstat"
    head = _head(path)
    if head.startswith(b"PAR1"):
        return "table"
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<") or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "naaccr-xml"
    raise ReadError(
        "cannot tell the format: not XML, not a table (.csv/.tsv/.parquet) and no SEER*Stat .dic "
        "beside it. A SEER*Stat export needs its .dic; rename plain tables to .csv.",
        path=path,
    )


@contextmanager
def _regular_file(path: Path, options: dict[str, Any]) -> Iterator[Path]:
    """``path`` itself, or for a pipe or device (read once only) a copy in a temporary folder,
    so that format detection and the reader may both open it."""
    try:
        mode = path.stat().st_mode
    except OSError:
        yield path  # detect_format names the problem
        return
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="netsurv-") as tmp:
        copy = Path(tmp) / path.name
        try:
            with open(path, "rb") as src, open(copy, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except OSError as exc:
            raise ReadError(f"cannot read the file: {exc.strerror or exc}.", path=path) from exc
        explicit = path.name.lower().endswith((*_TABLE_SUFFIXES, *_XML_SUFFIXES, ".dic"))
        if "dictionary" not in options and not explicit and _dic_beside(path):
            base = path.with_suffix("") if path.suffix.lower() == ".gz" else path
            dic = base.with_suffix(".dic")
            options["dictionary"] = dic if dic.exists() else base.with_suffix(".DIC")
        yield copy


def read(
    path: str | Path,
    *,
    classify: bool = True,
    study_cutoff: str | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Read a registry file into the canonical frame (one row per tumour, none dropped).

    Parameters
    ----------
    path : SEER*Stat export (``.txt``/``.txt.gz`` with its ``.dic``, or the ``.dic``), NAACCR XML
        (``.xml``/``.xml.gz``), or a CSV/Parquet table.
    classify : add ``netsurv.classify`` columns (skipped while classification is unavailable).
    study_cutoff : ``"YYYY-MM-DD"``: end of follow-up for NAACCR XML without survival months.
    **options : passed to the format's reader (``dictionary=`` for SEER*Stat; ``limits=`` and
        ``survival="active" | "presumed_alive"`` for NAACCR XML, see
        :func:`netsurv.io.read_naaccr_xml`; ``columns=``, ``sep=`` for tables).

    Examples
    --------
    >>> import tempfile, netsurv.io as nio
    >>> df = pd.DataFrame({"patient_id": ["7"], "survival_months": [0.0], "dead": [True]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = nio.write_seerstat(df, f"{tmp}/e.txt")
    ...     back = read(out.data_path, classify=False)
    >>> back["exclusion"].isna().tolist()   # a death at 0 months is an event, not excluded
    [True]
    """
    options = dict(options)
    with _regular_file(Path(path), options) as regular:
        return _read(
            regular,
            kind=detect_format(regular),
            classify=classify,
            study_cutoff=study_cutoff,
            options=options,
        )


def _read(
    path: Path, *, kind: str, classify: bool, study_cutoff: str | None, options: dict[str, Any]
) -> pd.DataFrame:
    unknown = sorted(set(options) - _OPTIONS[kind])
    if unknown:
        raise InputError(
            f"option(s) {unknown} do not apply to a {kind} file; it accepts "
            f"{sorted(_OPTIONS[kind]) or 'no options'} besides classify."
        )
    if study_cutoff is not None and kind != "naaccr-xml":
        raise InputError(
            f"study_cutoff applies to NAACCR XML (survival computed from dates); a {kind} file "
            "carries its survival months already."
        )
    if kind == "seerstat":
        return read_seerstat(path, classify=classify, **options)
    if kind == "naaccr-xml":
        return read_naaccr_xml(path, study_cutoff=study_cutoff, classify=classify, **options)
    return read_table(path, classify=classify, **options)


_OPTIONS = {
    "seerstat": {"dictionary"},
    "naaccr-xml": {"limits", "survival"},
    "table": {"columns", "sep"},
}


# fields whose registry codes have a fixed shape; values of another shape are "unrecognised"
_SHAPES = {
    "tumor_seq": r"\d{2}",
    "sex": r"male|female",
    "primary_site": r"C\d{3}",
    "histology": r"\d{4}",
    "behavior": r"[0-3569]",
    "grade_code": r"[0-9A-Z]",
    "stage_code": r"[0-9]|In situ|Localized|Regional.*|Distant|Unknown.*|Unstaged",
    "reporting_source": r"[1-8]",
    "survival_flag": r"[0-389]",
}
# registry codes that mean "unknown" (stage 9 / unstaged, grade 9, sequence 99, age 999)
_UNKNOWN_CODES = {
    "tumor_seq": ["99"],
    "sex": ["unknown", "Unknown"],
    "race": ["unknown", "Unknown"],
    "grade_code": ["9"],
    "stage_code": ["9", "Unknown/unstaged", "Unstaged", "Unknown"],
    "survival_flag": ["9"],
}
_MISSING_FIELDS = (
    "year_dx",
    "age_dx",
    "sex",
    "primary_site",
    "histology",
    "behavior",
    "grade_code",
    "stage_code",
    "survival_months",
    "dead",
    "cancer_death",
)


def load_summary(df: pd.DataFrame) -> pd.DataFrame:
    """The load log of a frame returned by ``read``: rows read, usable, excluded, unknown codes.

    Returns
    -------
    DataFrame with columns ``section`` (``rows``, ``excluded``, ``missing``, ``unknown code``,
    ``unrecognised``), ``item`` (a reason or a field), ``count`` and ``percent`` (of rows read).
    ``missing`` counts NA values per field, ``unknown code`` registry codes that mean unknown
    (stage 9, grade 9, ...), ``unrecognised`` values present but not a registry code of the
    expected shape (labels netsurv could not map); ``not rows`` notes records of the file that
    hold no tumour (a NAACCR Patient without Tumor). Only sections with a count appear.

    Examples
    --------
    >>> df = pd.DataFrame({"exclusion": [np.nan, "survival months unknown", np.nan]})
    >>> load_summary(df)[["section", "item", "count"]].values.tolist()[:3]
    [['rows', 'read', 3], ['rows', 'usable', 2], ['excluded', 'survival months unknown', 1]]
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"load_summary expects a DataFrame from netsurv.read, not {type(df)}.")
    n = len(df)
    source = df.attrs.get("netsurv_source", {})
    source = source if isinstance(source, dict) else {}
    # a reader that counts records apart from the rows it builds (NAACCR <Tumor> elements)
    read_count = int(source.get("records_read", n))
    records: list[tuple[str, str, int]] = [("rows", "read", read_count)]
    if read_count != n:
        records.append(("rows", "returned", n))
    reasons = df["exclusion"] if "exclusion" in df else pd.Series(np.nan, index=df.index)
    records.append(("rows", "usable", int(reasons.isna().sum())))
    counts = reasons.value_counts()
    known = [r for r in EXCLUSION_REASONS.values() if r in counts.index]
    for reason in known + sorted(r for r in counts.index if r not in known):
        records.append(("excluded", str(reason), int(counts[reason])))
    for field in _MISSING_FIELDS:
        if field in df:
            k = int(df[field].isna().sum())
            if k:
                records.append(("missing", field, k))
    for field, codes in _UNKNOWN_CODES.items():
        if field in df:
            k = int(df[field].astype(object).isin(codes).sum())
            if k:
                records.append(("unknown code", field, k))
    for field, shape in _SHAPES.items():
        if field in df:
            values = df[field].dropna().astype(str)
            k = int((~values.str.fullmatch(shape, flags=re.IGNORECASE)).sum())
            if k:
                records.append(("unrecognised", field, k))
    if source.get("patients_without_tumors"):
        # NAACCR <Patient> elements holding no <Tumor>: nothing to analyse, but say so
        records.append(
            ("not rows", "patients without a tumour", int(source["patients_without_tumors"]))
        )
    out = pd.DataFrame(records, columns=["section", "item", "count"])
    out["percent"] = (100.0 * out["count"] / n).round(1) if n else np.nan
    return out
