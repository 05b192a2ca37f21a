"""Out-of-core engines: the same counts table from Parquet/CSV files, Arrow, DuckDB or Dask.

Each engine feeds chunks of rows (or pre-grouped rows) to the shared
:class:`~netsurv.counting.engines.chunks.Accumulator`, which applies the rulebook
(:mod:`netsurv.rules`) exactly as the in-memory path does.
"""
