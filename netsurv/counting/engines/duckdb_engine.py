"""The DuckDB engine: one SQL ``GROUP BY`` over the raw columns, pushed down to the file scan.

The query groups by the exclusion reason, the by-columns, time and event as stored (nothing is
cast or filtered per row unless weights or entry times need it), so DuckDB streams the file
with a bounded memory limit and returns about (strata x times x 2) rows. The exclusion rules,
validation and timefix are then applied to that small table by the same kernel as every other
engine. Left truncation adds a second aggregate: entry times of the kept rows.
"""

from __future__ import annotations

import tempfile
import threading
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from netsurv.counting.engines.chunks import Accumulator, Units
from netsurv.counting.engines.files import Files, categories_of_schema
from netsurv.counting.engines.finish import finish
from netsurv.counting.engines.progress import Progress
from netsurv.counting.engines.registry import sql_code
from netsurv.counting.engines.spec import Spec
from netsurv.counting.engines.values import floats as _floats
from netsurv.counting.table import Counts
from netsurv.errors import InputError, MissingExtraError
from netsurv.rules import EXCLUSION, MISSING_TEXTS, UNKNOWN_LABELS

__all__ = ["count_duckdb", "import_duckdb"]

NUMERIC = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "BOOLEAN",
)
FLOATING = ("FLOAT", "DOUBLE")


def import_duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise MissingExtraError(
            "engine='duckdb' needs the duckdb package: pip install 'netsurv[duckdb]' "
            "(or use engine='arrow', which needs nothing extra)"
        ) from None
    return duckdb


def _literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Sql:
    """SQL expressions for the analysed columns, given their DuckDB types."""

    def __init__(self, spec: Spec, types: dict[str, str]):
        self.spec, self.types = spec, types

    def num(self, col: str) -> str:
        t = self.types[col]
        return (
            f"CAST({_q(col)} AS DOUBLE)"
            if t in NUMERIC or t.startswith("DECIMAL")
            else f"TRY_CAST({_q(col)} AS DOUBLE)"
        )

    def missing(self, col: str) -> str:
        t = self.types[col]
        if t in NUMERIC and t not in FLOATING:
            return f"{_q(col)} IS NULL"
        return f"({self.num(col)} IS NULL OR isnan({self.num(col)}))"

    def not_number(self, col: str) -> str | None:
        t = self.types[col]
        if t in NUMERIC or t.startswith("DECIMAL"):
            return None
        return f"({_q(col)} IS NOT NULL AND {self.num(col)} IS NULL)"

    def sub(self) -> str | None:
        """Per-row reason code for weights / entry (0 = fine); 9 = not a number."""
        s = self.spec
        if s.weights is None and s.entry is None:
            return None
        cases = []
        for col in (s.weights, s.entry):
            if col is not None and (bad := self.not_number(col)):
                cases.append(f"WHEN {bad} THEN 9")
        if s.weights is not None:
            cases.append(f"WHEN {self.missing(s.weights)} THEN 1")
        if s.entry is not None:
            cases.append(f"WHEN {self.missing(s.entry)} THEN 2")
            cases.append(f"WHEN NOT ({self.num(s.entry)} < {self.num(s.time)}) THEN 3")
        return f"CASE {' '.join(cases)} ELSE 0 END"

    def registry(self) -> str | None:
        if not self.spec.registry_rules:
            return None
        return sql_code(self.types, _q)

    def kept(self) -> str:
        """SQL condition for rows that enter the analysis (used for the entry aggregate)."""
        s = self.spec
        cond = [self.missing(s.time), self.missing(s.event)]
        cond += [self.missing(b) if self.types[b] in NUMERIC else f"{_q(b)} IS NULL" for b in s.by]
        if EXCLUSION in self.types:
            cond.append(f"{_q(EXCLUSION)} IS NOT NULL")
        labels = ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(UNKNOWN_LABELS))
        for g in s.unknown_groups:
            cond.append(f"coalesce(lower(trim(CAST({_q(g)} AS VARCHAR))) IN ({labels}), false)")
        if s.cause is not None:
            cond.append(f"(coalesce({self.num(s.event)} = 1, false) AND {self.missing(s.cause)})")
        reg = self.registry()
        return f"NOT ({' OR '.join(cond)}) AND {self.sub()} = 0" + (
            f" AND {reg} = 0" if reg else ""
        )

    def counts(self) -> str:
        s = self.spec
        keys = []
        if EXCLUSION in self.types:
            x = _q(EXCLUSION)
            keys.append(
                f"{x} AS __x"
                if self.types[EXCLUSION] == "VARCHAR"
                else f"CAST({x} AS VARCHAR) AS __x"
            )
        keys += [_q(b) for b in s.by]
        keys += [f"{_q(s.time)} AS __t", f"{_q(s.event)} AS __e"]
        if s.cause is not None:
            keys.append(f"{_q(s.cause)} AS __c")
        if (sub := self.sub()) is not None:
            keys.append(f"{sub} AS __sub")
        if (reg := self.registry()) is not None:
            keys.append(f"{reg} AS __reg")
        aggs = ["COUNT(*) AS __n"]
        if s.weights is not None:
            w = self.num(s.weights)
            aggs += [f"SUM({w}) AS __w", f"MIN({w}) AS __wmin", f"MAX({w}) AS __wmax"]
        return f"SELECT {', '.join(keys + aggs)} FROM __src GROUP BY ALL"

    def entries(self) -> str:
        s = self.spec
        assert s.entry is not None  # only called with entry times
        w = f"SUM({self.num(s.weights)})" if s.weights is not None else "COUNT(*)"
        keys = [*map(_q, s.by), f"{self.num(s.entry)} AS __s"]
        return (
            f"SELECT {', '.join(keys)}, {w} AS __w, COUNT(*) AS __n "
            f"FROM __src WHERE {self.kept()} GROUP BY ALL"
        )


def _run(con: Any, rel: Any, sql: str, bar: Progress) -> pa.Table:
    """Run ``sql`` over ``rel`` (as ``__src``), polling DuckDB's progress for the bar."""
    if not bar.enabled:
        return rel.query("__src", sql).to_arrow_table()
    out: dict[str, Any] = {}

    def work() -> None:
        try:
            out["table"] = rel.query("__src", sql).to_arrow_table()
        except BaseException as exc:  # handed to the caller's thread
            out["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.2)
            pct = con.query_progress()
            if pct >= 0:
                bar.update(pct)
    except KeyboardInterrupt:
        con.interrupt()
        raise
    if "error" in out:
        raise out["error"]
    return out["table"]


def count_duckdb(
    source: Any,
    spec: Spec,
    *,
    memory_limit: str | None = "512MB",
    threads: int | None = None,
    progress: bool = False,
) -> Counts:
    """Count Parquet/CSV files, a DataFrame, an Arrow table/dataset or a DuckDB relation."""
    duckdb = import_duckdb()
    if hasattr(source, "to_arrow_table") and not isinstance(source, Files):  # a relation
        con = getattr(source, "connection", None) or duckdb.default_connection()
        return _count(con, source, spec, {}, progress, repr_=None)
    config: dict[str, Any] = {"temp_directory": tempfile.gettempdir() + "/netsurv-duckdb"}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = threads
    con = duckdb.connect(config=config)
    try:
        # progress is tracked for query_progress() but never printed to stdout by DuckDB
        con.execute(f"SET enable_progress_bar = {str(progress).lower()}")
        con.execute("SET enable_progress_bar_print = false")
        cats: dict[str, tuple[list[Any] | None, bool]] = {}
        rel = _relation(con, source, spec, cats)
        label = repr(source) if isinstance(source, Files) else None
        return _count(con, rel, spec, cats, progress, repr_=label)
    finally:
        con.close()


def _count(
    con: Any, rel: Any, spec: Spec, cats: dict[str, Any], progress: bool, repr_: str | None
) -> Counts:
    """The group-by on ``rel`` and the kernel on its (small) result."""
    types = {c: str(t) for c, t in zip(rel.columns, rel.types, strict=True)}
    for c, t in types.items():
        if t.startswith("ENUM") and c in spec.by:
            cats.setdefault(c, (None, False))  # order of the enum (its Arrow dictionary)
    spec.columns(list(types))  # names a missing column
    sql = _Sql(spec, types)
    bar = Progress(f"counting {repr_}" if repr_ else "counting", 100.0, "%", enabled=progress)
    grouped = _run(con, rel, sql.counts(), bar)
    acc = Accumulator(spec, cats)
    n = grouped.column("__n").to_numpy().astype(np.float64)
    sub = grouped.column("__sub").to_numpy() if "__sub" in grouped.column_names else None
    if sub is not None and (sub == 9).any():
        raise InputError(
            f"weights/entry column ({spec.weights or spec.entry!r}): a value is not a number; "
            "convert the column to numbers first"
        )
    w = {}
    if spec.weights is not None:
        w = {
            k: _floats(grouped.column(f"__{k}"), "weights", spec.weights)
            for k in ("w", "wmin", "wmax")
        }
    acc.add_units(
        Units(
            time=_floats(grouped.column("__t"), "time", spec.time),
            event=_floats(grouped.column("__e"), "event", spec.event),
            codes=[
                lev.encode(grouped.column(b)) for lev, b in zip(acc.levels, spec.by, strict=True)
            ],
            mult=n,
            wsum=w.get("w"),
            wmin=w.get("wmin"),
            wmax=w.get("wmax"),
            sub=sub,
            registry=grouped.column("__reg").to_numpy()
            if "__reg" in grouped.column_names
            else None,
            exclusion=grouped.column("__x").combine_chunks()
            if "__x" in grouped.column_names
            else None,
            cause=_floats(grouped.column("__c"), "cause", spec.cause)
            if spec.cause is not None
            else None,
        )
    )
    if spec.entry is not None:
        entries = _run(con, rel, sql.entries(), bar)
        acc.add_entries(
            [lev.encode(entries.column(b)) for lev, b in zip(acc.levels, spec.by, strict=True)],
            _floats(entries.column("__s"), "entry", spec.entry),
            _floats(entries.column("__w"), "weights", spec.weights or "__w"),
            entries.column("__n").to_numpy(),
        )
    bar.close(done=100.0)
    plain = [lev.name for lev in acc.levels if not lev.categorical]
    return finish(acc.table(), spec, acc.categories(), acc.excluded, plain)


def _relation(con: Any, source: Any, spec: Spec, cats: dict[str, Any]) -> Any:
    if isinstance(source, Files):
        paths = "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in source.paths) + "]"
        if source.format == "parquet":
            cats.update(
                categories_of_schema(pq.read_schema(source.paths[0]), spec.by, source.paths[0])
            )
            return con.sql(f"SELECT * FROM read_parquet({paths})")
        # the texts pandas reads as missing are NULL in every column (netsurv.rules)
        nulls = "nullstr=[" + ", ".join(_literal(v) for v in sorted(MISSING_TEXTS)) + "]"
        header = con.sql(f"SELECT * FROM read_csv({paths}, {nulls}) LIMIT 0").columns
        text = [c for c in [*spec.by, EXCLUSION] if c in header]
        types = ", ".join(f"{_literal(c)}: 'VARCHAR'" for c in text)
        extra = f", types={{{types}}}" if types else ""
        return con.sql(f"SELECT * FROM read_csv({paths}, {nulls}{extra})")
    if isinstance(source, pd.DataFrame):
        cols = spec.columns(list(source.columns))
        for c in spec.by:
            if isinstance(source[c].dtype, pd.CategoricalDtype):
                cats[c] = (list(source[c].cat.categories), bool(source[c].cat.ordered))
        frame = source[cols]
        return con.from_df(frame)
    if isinstance(source, pa.Table | ds.Dataset):  # dictionary order of pandas categoricals
        for c, (values, ordered) in categories_of_schema(source.schema, spec.by).items():
            head = source.head(1, columns=[c]) if isinstance(source, ds.Dataset) else source
            chunks = head.column(c).chunks
            cats[c] = (chunks[0].dictionary.to_pylist() if chunks else values, ordered)
    return con.from_arrow(source)
