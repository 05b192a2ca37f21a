"""The columnar path for SEER*Stat text exports: pyarrow's CSV reader, one dictionary per column.

pyarrow parses the delimited text in C++ and each column is dictionary-encoded there, so the
Python side only decodes the distinct values (a registry column holds few) and expands them with
an index array. This path keeps no line numbers: anything it is not sure to read exactly as the
reference path (``csv`` module, :func:`netsurv.io.seerstat._rows`) raises :class:`NotFast`, and
the reference path reads the file and names the line of any error. That happens for a space
delimiter, rows of the wrong width, text that is not UTF-8, damaged gzip, and values holding a
quote, a line break or a NUL after parsing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from netsurv.errors import ReadError
from netsurv.io._dic import SeerStatDictionary
from netsurv.io._files import is_gzip

__all__ = ["BLOCK_BYTES", "NotFast", "Column", "arrow_chunks"]

BLOCK_BYTES = 1 << 20  # text per pyarrow block; its read-ahead holds a few dozen blocks
CHUNK_ROWS = 200_000  # rows decoded and finished together
Column = tuple[np.ndarray, np.ndarray]  # (codes per row, distinct raw values)
_UNSURE = '["\\x00\\r\\n]'  # values the reference path may read differently


class NotFast(Exception):
    """The file needs the reference (line-by-line) path."""


def _reader(data: Path, dic: SeerStatDictionary, names: list[str]) -> pacsv.CSVStreamingReader:
    stream = pa.input_stream(str(data), compression="gzip" if is_gzip(data) else None)
    return pacsv.open_csv(
        stream,
        read_options=pacsv.ReadOptions(
            column_names=names, block_size=BLOCK_BYTES, use_threads=False
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=dic.options.delimiter,
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=True,
            ignore_empty_lines=True,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _encode(batch: pa.RecordBatch) -> list[Column]:
    columns = []
    for arr in batch.columns:
        enc = pc.dictionary_encode(arr)
        if pc.any(pc.match_substring_regex(enc.dictionary, _UNSURE)).as_py():
            raise NotFast
        uniq = np.array(enc.dictionary.to_pylist(), dtype=object)
        columns.append((enc.indices.to_numpy(zero_copy_only=False), uniq))
    return columns


def arrow_chunks(
    data: Path, dic: SeerStatDictionary, header: Callable[[list[str]], bool]
) -> Iterator[tuple[list[Column], int]]:
    """Yield ``(columns, rows)`` per batch; ``header(first_row)`` says whether the first row is
    a header line (and raises when it is one that does not match the ``.dic``)."""
    if dic.options.delimiter == " " or not dic.variables:
        raise NotFast  # skipinitialspace and trailing blanks, no columns: the reference rules
    names = [f"v{i}" for i in range(len(dic.variables))]
    try:
        first, pending, rows = True, [], 0
        for batch in _reader(data, dic, names):
            if first and batch.num_rows:
                first = False
                row = [batch.column(i)[0].as_py() for i in range(batch.num_columns)]
                if header(row):
                    batch = batch.slice(1)
            pending.append(batch)
            rows += batch.num_rows
            if rows >= CHUNK_ROWS:
                yield _encode(_combine(pending)), rows
                pending, rows = [], 0
        if first:
            raise NotFast  # no data line: the reference path makes the empty frame
        if rows:
            yield _encode(_combine(pending)), rows
    except (pa.ArrowException, OSError, EOFError, ValueError) as exc:
        if isinstance(exc, ReadError):
            raise
        raise NotFast from exc


def _combine(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    """One batch of the small ones pyarrow parses (small blocks keep its read-ahead small)."""
    return pa.Table.from_batches(batches).combine_chunks().to_batches()[0]
