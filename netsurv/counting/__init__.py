"""Count: validate an estimator's inputs once and build the counts table (stratum x time).

:mod:`~netsurv.counting.validate` checks the columns and applies the rulebook's exclusions,
:mod:`~netsurv.counting.kernel` counts in memory (numpy), :mod:`~netsurv.counting.engines`
counts files and out-of-core sources (pyarrow, DuckDB, Dask), and
:mod:`~netsurv.counting.sources` picks the engine for a source. Every path ends in the same
:class:`~netsurv.counting.table.Counts`.
"""
