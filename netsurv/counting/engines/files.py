"""What kind of data source was given, and the files behind a path, glob or directory."""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from netsurv.counting.table import Counts
from netsurv.errors import InputError

__all__ = ["Files", "categories_of_schema", "files_of", "kind_of"]

PARQUET = (".parquet", ".pq", ".parq")
CSV = (".csv", ".csv.gz", ".tsv")  # not .txt: SEER*Stat exports need netsurv.read


class Files:
    """Files of one format (``"parquet"`` or ``"csv"``)."""

    def __init__(self, paths: list[str], fmt: str) -> None:
        self.paths, self.format = paths, fmt

    def __repr__(self) -> str:
        head = self.paths[0] if len(self.paths) == 1 else f"{len(self.paths)} {self.format} files"
        return head


def _format(path: str) -> str | None:
    low = path.lower()
    if low.endswith(PARQUET):
        return "parquet"
    if low.endswith(CSV):
        return "csv"
    return None


def files_of(source: str | os.PathLike[str] | Sequence[Any]) -> Files:
    """Resolve a path, a glob, a directory or a list of paths to files of one format."""
    items = [source] if isinstance(source, str | os.PathLike) else list(source)
    paths: list[str] = []
    for item in items:
        p = os.fspath(item)
        if any(ch in p for ch in "*?["):
            found = sorted(glob.glob(p, recursive=True))
            if not found:
                raise InputError(f"{p!r}: no file matches this pattern")
            paths += found
        elif Path(p).is_dir():
            inside = sorted(str(f) for f in Path(p).rglob("*") if f.is_file() and _format(str(f)))
            if not inside:
                raise InputError(f"{p!r}: directory holds no .parquet or .csv file")
            paths += inside
        elif Path(p).is_file():
            paths.append(p)
        else:
            raise InputError(f"{p!r}: no such file or directory")
    formats = {_format(p) for p in paths}
    if None in formats:
        bad = next(p for p in paths if _format(p) is None)
        raise InputError(
            f"{bad!r}: cannot tell the format; give .parquet or .csv files "
            "(or read the file with netsurv.read and pass the DataFrame)"
        )
    if len(formats) != 1:
        raise InputError(f"mixed formats {sorted(map(str, formats))}: give files of one format")
    return Files(paths, formats.pop() or "")


def kind_of(source: Any) -> str:
    """One of frame, counts, files, arrow, duckdb, dask."""
    if isinstance(source, Counts):
        return "counts"
    if isinstance(source, pd.DataFrame):
        return "frame"
    if isinstance(source, str | os.PathLike) or (
        isinstance(source, list | tuple)
        and source
        and all(isinstance(s, str | os.PathLike) for s in source)
    ):
        return "files"
    module = type(source).__module__ or ""
    if isinstance(source, pa.Table | pa.RecordBatch | pa.RecordBatchReader) or module.startswith(
        "pyarrow._dataset"
    ):
        return "arrow"
    if module.startswith("duckdb") and hasattr(source, "fetch_arrow_table"):
        return "duckdb"
    if module.startswith("dask") and hasattr(source, "map_partitions"):
        return "dask"
    raise InputError(
        f"cannot count a {type(source).__name__}: give a pandas DataFrame, a Parquet/CSV path, "
        "glob or directory, a pyarrow Dataset or Table, a DuckDB relation or a Dask DataFrame"
    )


def categories_of_schema(
    schema: pa.Schema, by: Sequence[str], first: Any = None
) -> dict[str, tuple[list[Any] | None, bool]]:
    """Categories of by-columns that pandas wrote as categoricals (their stored order).

    ``first`` is a Parquet file whose first row group holds the dictionary; without it the
    dictionary is taken from the first batch read (``None`` categories).
    """
    meta = schema.pandas_metadata or {}
    cats: dict[str, tuple[list[Any] | None, bool]] = {}
    for col in meta.get("columns", []):
        name = col.get("name")
        if name not in by or col.get("pandas_type") != "categorical":
            continue
        if name not in schema.names or not pa.types.is_dictionary(schema.field(name).type):
            continue
        ordered = bool((col.get("metadata") or {}).get("ordered", False))
        values = None
        if first is not None:
            pf = pq.ParquetFile(first)
            if pf.num_row_groups:
                chunk = pf.read_row_group(0, columns=[name]).column(name)
                if chunk.num_chunks:
                    values = chunk.chunk(0).dictionary.to_pylist()
        cats[name] = (values, ordered)
    return cats
