"""Read CSV / Parquet tables that already hold canonical columns (or are renamed to them)."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from netsurv.errors import InputError, ReadError
from netsurv.io._files import GZIP_ERRORS, gzip_error
from netsurv.io.canonical import CODE_COLUMNS, finalize, maybe_classify

# classification columns a table may already carry (kept as given by read_table)
_DERIVED = frozenset(
    {"site_group", "site_detail", "extent", "grade", "differentiation", "nen_type", "nec_subtype"}
)

__all__ = ["read_table"]

_PARQUET = (".parquet", ".pq")
# a table holding any of these is a registry table: missing canonical columns are added as NA
_REGISTRY_MARKERS = ("survival_months", "histology", "primary_site", "patient_id")


def _is_parquet(path: Path) -> bool:
    if path.suffix.lower() in _PARQUET:
        return True
    with open(path, "rb") as fh:
        return fh.read(4) == b"PAR1"


def _read_csv(path: Path, rename: dict[str, str], sep: str | None) -> pd.DataFrame:
    header = pd.read_csv(path, nrows=0, sep=sep, engine="python" if sep is None else "c")
    theirs_for_codes = {c for c in header.columns if rename.get(c, c) in CODE_COLUMNS}
    return pd.read_csv(
        path,
        sep=sep,
        engine="python" if sep is None else "c",
        dtype=dict.fromkeys(theirs_for_codes, str),
        keep_default_na=True,
    )


def read_table(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    sep: str | None = ",",
    classify: bool = True,
) -> pd.DataFrame:
    """Read a CSV (``.csv``, ``.csv.gz``, ``.tsv``) or Parquet file with canonical columns.

    Parameters
    ----------
    path : the table.
    columns : ``{canonical name: their name}`` to rename the file's columns.
    sep : CSV delimiter (``.tsv`` files use tab; None sniffs it).
    classify : add the classification columns (``netsurv.classify``) when available.

    Returns
    -------
    DataFrame with canonical dtypes (codes as strings); a table that looks like a registry
    extract gets every missing canonical column as NA. ``exclusion`` is computed from the
    columns present (a given ``exclusion`` column is kept).
    """
    path = Path(path)
    rename = {theirs: canonical for canonical, theirs in (columns or {}).items()}
    try:
        if _is_parquet(path):
            df = pd.read_parquet(path)
        else:
            if path.name.lower().endswith((".tsv", ".tsv.gz", ".tab")):
                sep = "\t"
            df = _read_csv(path, rename, sep)
    except FileNotFoundError as exc:
        raise ReadError("file not found.", path=path) from exc
    except GZIP_ERRORS as exc:
        raise gzip_error(path, exc) from exc
    except (pd.errors.ParserError, csv.Error, UnicodeDecodeError, ValueError, OSError) as exc:
        raise ReadError(f"cannot read the table ({exc}).", path=path) from exc
    missing = [theirs for theirs in rename if theirs not in df.columns]
    if missing:
        raise InputError(
            f"columns= names {missing} that are not in {path.name}; it has {list(df.columns)[:20]}."
        )
    df = df.rename(columns=rename)
    registry = any(c in df.columns for c in _REGISTRY_MARKERS)
    out = finalize(df, add_missing=registry)
    out.attrs["netsurv_source"] = {"path": str(path), "format": "table"}
    return _keep_given_classification(out, maybe_classify(out, classify))


def _keep_given_classification(given: pd.DataFrame, classified: pd.DataFrame) -> pd.DataFrame:
    """Derived columns the file already has (its own extent, grade, …) are kept, not recomputed.

    A table may carry a classification but not the raw codes behind it; recomputing would turn
    it into "unknown". Values that fit netsurv's vocabulary become its ordered categorical
    (so tables and legends keep localized → distant), other values stay as given.
    """
    for col in given.columns.intersection(classified.columns):
        new = classified[col]
        if col not in _DERIVED or given[col].equals(new):
            continue
        values = given[col]
        if isinstance(new.dtype, pd.CategoricalDtype):
            text = values.astype("string").str.strip()
            vocab = {str(c).lower(): c for c in new.cat.categories}
            lowered = text.str.lower()
            if lowered.dropna().isin(list(vocab)).all():
                values = pd.Series(
                    pd.Categorical(lowered.map(vocab), dtype=new.dtype), index=given.index
                )
        classified[col] = values
    return classified
