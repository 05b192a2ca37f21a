"""The pyarrow engine: stream Parquet/CSV (or an Arrow dataset) in batches, count each batch.

Memory stays at a few batches (one Parquet row group each) whatever the file size: only the
analysed columns are read, and each batch is folded into a dense (stratum x time) table.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from netsurv.counting.engines.chunks import Accumulator
from netsurv.counting.engines.files import Files, categories_of_schema
from netsurv.counting.engines.finish import finish
from netsurv.counting.engines.progress import Progress
from netsurv.counting.engines.spec import Spec
from netsurv.counting.table import Counts
from netsurv.rules import EXCLUSION, MISSING_TEXTS

__all__ = ["count_arrow", "dataset_of"]

BATCH_ROWS = 1 << 20
READ_AHEAD = 3  # Parquet row groups read ahead of the one being counted
READ_THREADS = 1  # one reader: a ParquetFile must not be read from two threads at once


def dataset_of(files: Files, spec: Spec) -> ds.Dataset:
    """A pyarrow dataset over the files.

    CSV grouping and ``exclusion`` columns are read as text, and the texts pandas' ``read_csv``
    reads as missing (:data:`netsurv.rules.MISSING_TEXTS`) are missing in every column, so a
    file counted here has the missing values it has in memory.
    """
    if files.format == "parquet":
        return ds.dataset(files.paths, format="parquet")
    text = dict.fromkeys([*spec.by, EXCLUSION], pa.string())
    tab = all(p.lower().endswith(".tsv") for p in files.paths)
    fmt = ds.CsvFileFormat(
        parse_options=pacsv.ParseOptions(delimiter="\t" if tab else ","),
        convert_options=pacsv.ConvertOptions(
            column_types=text,
            null_values=sorted(MISSING_TEXTS),
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    return ds.dataset(files.paths, format=fmt)


def _frame_table(df: pd.DataFrame, cols: list[str]) -> tuple[pa.Table, dict[str, Any]]:
    cats = {
        c: (list(df[c].cat.categories), bool(df[c].cat.ordered))
        for c in cols
        if isinstance(df[c].dtype, pd.CategoricalDtype)
    }
    return pa.Table.from_pandas(df[cols], preserve_index=False), cats


def _row_groups(files: list[pq.ParquetFile], cols: list[str]) -> Iterator[pa.RecordBatch]:
    """Row groups of Parquet files in order, the next one read while this one is counted.

    Memory stays at two row groups of the analysed columns (the dataset scanner's read-ahead
    of many batches doubled peak memory for no gain in speed on two cores).
    """
    jobs = [(f, i) for f in files for i in range(f.num_row_groups)]
    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        ahead = deque(pool.submit(f.read_row_group, i, columns=cols) for f, i in jobs[:READ_AHEAD])
        for f, i in jobs[READ_AHEAD:]:
            table = ahead.popleft().result()
            ahead.append(pool.submit(f.read_row_group, i, columns=cols))
            yield from table.to_batches(BATCH_ROWS)
        while ahead:
            yield from ahead.popleft().result().to_batches(BATCH_ROWS)


def _is_text(typ: pa.DataType) -> bool:
    return pa.types.is_string(typ) or pa.types.is_large_string(typ)


def count_arrow(source: Any, spec: Spec, *, progress: bool = False) -> Counts:
    """Count a DataFrame, Arrow table/reader/dataset or :class:`Files` batch by batch."""
    label = "counting"
    total_rows: int | None = None
    groups = ""
    if isinstance(source, pd.DataFrame):
        table, cats = _frame_table(source, spec.columns(list(source.columns)))
        batches = iter(table.to_batches(BATCH_ROWS))
        total_rows = table.num_rows
    elif isinstance(source, pa.RecordBatchReader):
        cols = spec.columns(source.schema.names)
        cats = categories_of_schema(source.schema, spec.by)
        batches = (b.select(cols) for b in source)
    elif isinstance(source, pa.Table | pa.RecordBatch):
        cols = spec.columns(source.schema.names)
        cats = categories_of_schema(source.schema, spec.by)
        table = pa.Table.from_batches([source]) if isinstance(source, pa.RecordBatch) else source
        batches = iter(table.select(cols).to_batches(BATCH_ROWS))
        total_rows = source.num_rows
    elif isinstance(source, Files) and source.format == "parquet":
        schema = pq.read_schema(source.paths[0])
        cols = spec.columns(schema.names)
        cats = categories_of_schema(schema, spec.by, source.paths[0])
        text = [
            c for c in (*spec.by, EXCLUSION) if c in schema.names and _is_text(schema.field(c).type)
        ]
        # text keys come as Parquet's own dictionaries: no hashing of strings per batch
        files = [pq.ParquetFile(p, read_dictionary=text) for p in source.paths]
        total_rows = sum(f.metadata.num_rows for f in files)
        groups = f"{sum(f.num_row_groups for f in files)} row groups"
        label = f"counting {source!r}"
        batches = _row_groups(files, cols)
    else:
        dataset = dataset_of(source, spec) if isinstance(source, Files) else source
        cols = spec.columns(dataset.schema.names)
        first = (
            source.paths[0] if isinstance(source, Files) and source.format == "parquet" else None
        )
        cats = categories_of_schema(dataset.schema, spec.by, first)
        if (
            progress
            and isinstance(dataset, ds.FileSystemDataset)
            and isinstance(dataset.format, ds.ParquetFileFormat)
        ):
            frags = list(dataset.get_fragments())
            total_rows = sum(f.metadata.num_rows for f in frags)
            groups = f"{sum(f.metadata.num_row_groups for f in frags)} row groups"
            label = f"counting {source!r}" if isinstance(source, Files) else label
        batches = dataset.to_batches(
            columns=cols, batch_size=BATCH_ROWS, use_threads=True, batch_readahead=4
        )
    acc = Accumulator(spec, cats)
    bar = Progress(label, total_rows, " rows", enabled=progress)
    done = 0
    for i, batch in enumerate(batches):
        acc.add_batch(batch)
        done += batch.num_rows
        bar.update(done, f"batch {i + 1}{' of ~' + groups if groups else ''}")
    bar.close()
    plain = [lev.name for lev in acc.levels if not lev.categorical]
    return finish(acc.table(), spec, acc.categories(), acc.excluded, plain)
