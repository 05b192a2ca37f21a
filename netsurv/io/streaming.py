"""Stream a registry file to Parquet in chunks, so that out-of-core engines can count any file.

``netsurv.io.convert("export.txt", "export.parquet")`` reads a SEER*Stat export, NAACCR XML or a table
chunk by chunk (the readers' own chunks: a pyarrow batch, 20,000 NAACCR tumours) and writes each
finished canonical chunk as it comes, so memory holds one chunk, not the file. Chunks are first
written as parts in a temporary folder beside the output; their schemas are unified (a column
that is empty in one chunk, or an item that only later tumours carry, gets one type) and the
parts are copied into the one output file. When a fast path meets something only the
reference path reads (see :mod:`netsurv.io.seerstat`, :mod:`netsurv.io.naaccr`), the parts so
far are discarded and the file is read again by the reference path.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from netsurv.errors import InputError, ReadError
from netsurv.io._dic import parse_dic
from netsurv.io._seerarrow import NotFast
from netsurv.io._xmlscan import NotSubset, scan_rows
from netsurv.io._xmlstream import XmlLimits, stream_rows
from netsurv.io.canonical import maybe_classify
from netsurv.io.naaccr import CHUNK_TUMORS, _frames
from netsurv.io.reader import _regular_file, detect_format
from netsurv.io.seerstat import columnar_frames, line_frames, locate_export, refuse_session
from netsurv.io.tabular import read_table

__all__ = ["convert"]

Attempt = tuple[Callable[[], Iterator[pd.DataFrame]], tuple[type[BaseException], ...]]


def _seerstat(path: Path, options: dict[str, Any]) -> list[Attempt]:
    data, dic_path = locate_export(path, options.pop("dictionary", None))
    dic = parse_dic(dic_path)
    refuse_session(dic)
    return [
        (lambda: columnar_frames(data, dic), (NotFast, ReadError)),
        (lambda: line_frames(data, dic, "utf-8-sig"), (UnicodeDecodeError,)),
        (lambda: line_frames(data, dic, "latin-1"), ()),
    ]


def _naaccr(path: Path, options: dict[str, Any]) -> list[Attempt]:
    limits = options.pop("limits", None) or XmlLimits()
    study_cutoff = options.pop("study_cutoff", None)
    survival = options.pop("survival", "active")

    def frames(rows: Callable[..., Iterator[list[dict[str, str]]]]) -> Iterator[pd.DataFrame]:
        meta: dict[str, str] = {}
        for chunk in rows(path, limits, meta, CHUNK_TUMORS):
            yield from _frames(
                iter([chunk]), path=path, study_cutoff=study_cutoff, survival=survival
            )

    return [
        (lambda: frames(scan_rows), (NotSubset, ReadError)),
        (lambda: frames(stream_rows), ()),
    ]


def _table(path: Path, options: dict[str, Any]) -> list[Attempt]:
    given = dict(options)
    options.clear()
    return [(lambda: iter([read_table(path, classify=False, **given)]), ())]


def _write_parts(frames: Iterator[pd.DataFrame], folder: Path, classify: bool) -> list[Path]:
    parts: list[Path] = []
    for i, frame in enumerate(frames):
        if len(frame) == 0 and parts:
            continue
        part = folder / f"part-{i:06d}.parquet"
        maybe_classify(frame, classify).to_parquet(part, index=False)
        parts.append(part)
    return parts


def _combine(parts: list[Path], dst: Path) -> int:
    """Copy the parts into ``dst`` under one schema; return the rows written."""
    schemas = [pq.read_schema(p) for p in parts]
    schema = pa.unify_schemas(
        [s.remove_metadata() for s in schemas], promote_options="permissive"
    ).with_metadata(schemas[0].metadata)  # pandas' dtypes (columns of the first chunk)
    rows = 0
    with pq.ParquetWriter(dst, schema) as writer:
        for part in parts:
            table = pq.read_table(part).replace_schema_metadata(None)
            columns = [
                table[f.name].cast(f.type)
                if f.name in table.column_names
                else pa.nulls(len(table), f.type)
                for f in schema
            ]
            writer.write_table(pa.Table.from_arrays(columns, schema=schema))
            rows += len(table)
    return rows


_KINDS = {"seerstat": _seerstat, "naaccr-xml": _naaccr, "table": _table}


def convert(src: str | Path, dst: str | Path, *, classify: bool = False, **options: Any) -> int:
    """Read a registry file chunk by chunk and write it as one Parquet file of canonical rows.

    Parameters
    ----------
    src : SEER*Stat export (with its ``.dic``), NAACCR XML or a CSV/Parquet table.
    dst : the ``.parquet`` file to write (its folder must exist; never the input).
    classify : add the classification columns (``netsurv.classify``) chunk by chunk.
    **options : the reader's options (``dictionary=``; ``limits=``, ``study_cutoff=``,
        ``survival=``; ``columns=``, ``sep=``).

    Returns
    -------
    The number of rows written: every record of ``src``, as :func:`netsurv.read` returns them.

    Examples
    --------
    >>> import tempfile, netsurv.io as nio
    >>> df = pd.DataFrame({"patient_id": ["7", "8"], "survival_months": [3.0, 0.0],
    ...                    "dead": [True, True]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = nio.write_seerstat(df, f"{tmp}/e.txt")
    ...     n = convert(out.data_path, f"{tmp}/e.parquet")
    ...     back = nio.read(f"{tmp}/e.parquet", classify=False)
    >>> n, back["survival_months"].tolist()
    (2, [3.0, 0.0])
    """
    src, dst = Path(src), Path(dst)
    if dst.suffix.lower() not in (".parquet", ".pq"):
        raise InputError(f"convert writes Parquet: give {dst.name} a .parquet suffix.")
    if dst.exists() and dst.resolve() == src.resolve():
        raise InputError(f"{dst} is the input; choose another output file.")
    if not dst.parent.is_dir():
        raise InputError(f"the folder {dst.parent} does not exist; create it first.")
    options = dict(options)
    with _regular_file(src, options) as regular:
        attempts = _KINDS[detect_format(regular)](regular, options)
        if options:
            raise InputError(f"option(s) {sorted(options)} do not apply to {src.name}.")
        for i, (frames, retry) in enumerate(attempts):
            with tempfile.TemporaryDirectory(dir=dst.parent, prefix=".netsurv-") as tmp:
                try:
                    parts = _write_parts(frames(), Path(tmp), classify)
                except retry:
                    if i + 1 < len(attempts):
                        continue  # the next (reference) path reads it or names the error
                    raise
                return _combine(parts, dst)
    raise AssertionError("unreachable: the last attempt returns or raises")
