"""Counting registry-size Parquet files with every engine: wall time and peak memory.

    python benchmarks/bench_scale.py                 # 1e7 and 1e8 rows (heavy: ~1 min, ~2.5 GB disk peak)
    python benchmarks/bench_scale.py --n 1e6         # quick check during development
    python benchmarks/bench_scale.py --n 1e7 --engines duckdb,arrow --repeats 5

For each size a Parquet file is written in 1 M-row chunks (zstd, 1 M-row row groups; columns
``stratum`` int16 with 192 strata, ``months`` int16 0–300, ``event`` int8), into a temporary
directory that is deleted afterwards. Each engine then runs in its own subprocess, which
reports its wall times (``--repeats`` runs; the first includes imports and cold caches) and its
own peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``: the whole process, interpreter and
libraries included; the driver stays small — files are written by a subprocess too — because
a child's peak RSS on Linux starts at its parent's RSS when it is forked). The in-memory rows load the file into pandas first (load time reported
apart) and are skipped when the frame would not fit comfortably in available memory.

Every engine's counts are reduced to one digest (strata, times, events, censored, at risk);
the script fails if any engine disagrees with the others, the reference being a plain pandas
``groupby`` + reverse ``cumsum`` written here (independent of netsurv).

Targets (issue 8): 1e8 rows by DuckDB or streaming in <= 3 s and <= 1 GB peak RSS on 2 cores;
1e7 rows in memory <= 0.5 s.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROW_GROUP = 1_000_000
N_STRATA = 192
MAX_MONTH = 300
ENGINES = ["duckdb", "arrow", "dask", "numpy-memory", "arrow-memory", "pandas-memory"]


def write_parquet(path: Path, n: int) -> float:
    """Synthetic registry counts columns, written chunk by chunk (never all in memory)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    start = time.perf_counter()
    schema = pa.schema([("stratum", pa.int16()), ("months", pa.int16()), ("event", pa.int8())])
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for i, first in enumerate(range(0, n, ROW_GROUP)):
            m = min(ROW_GROUP, n - first)
            rng = np.random.default_rng([2026, i])
            stratum = rng.integers(0, N_STRATA, m).astype(np.int16)
            hazard = 0.004 + 0.04 * (stratum % 16) / 16  # monthly death hazard per stratum
            death = rng.geometric(hazard) - 1
            censor = rng.integers(0, MAX_MONTH + 1, m)
            table = pa.table(
                {
                    "stratum": stratum,
                    "months": np.minimum(death, censor).astype(np.int16),
                    "event": (death <= censor).astype(np.int8),
                },
                schema=schema,
            )
            writer.write_table(table, row_group_size=ROW_GROUP)
    return time.perf_counter() - start


EXTENT = ["in situ", "localized", "regional", "distant", "unknown"]
SITES = ["C16", "C17", "C18", "C25", "C34", "C73", "C80"]


def write_canonical(path: Path, n: int) -> float:
    """Registry-like columns: ordered categorical extent, text site, float months with NaN,
    nullable boolean dead, an exclusion reason on 0.2 % of rows, and a patient id."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    start = time.perf_counter()
    extent = pd.CategoricalDtype(EXTENT, ordered=True)
    writer = None
    for i, first in enumerate(range(0, n, ROW_GROUP)):
        m = min(ROW_GROUP, n - first)
        rng = np.random.default_rng([2027, i])
        code = rng.integers(0, len(EXTENT), m)
        death = rng.geometric(0.004 + 0.01 * code) - 1
        censor = rng.integers(0, MAX_MONTH + 1, m)
        months = np.minimum(death, censor).astype(float)
        months[rng.random(m) < 0.001] = np.nan
        dead = pd.array(death <= censor, dtype="boolean")
        dead[rng.random(m) < 0.001] = pd.NA
        exclusion = pd.array([None] * m, dtype="string")
        exclusion[rng.random(m) < 0.002] = "death certificate only"
        frame = pd.DataFrame(
            {
                "patient_id": np.char.mod("%09d", np.arange(first, first + m)),
                "survival_months": months,
                "dead": dead,
                "extent": pd.Categorical.from_codes(code, dtype=extent),
                "site": pd.array(np.array(SITES)[rng.integers(0, len(SITES), m)], dtype="string"),
                "exclusion": exclusion,
            }
        )
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema, compression="zstd")
        writer.write_table(table, row_group_size=ROW_GROUP)
    if writer is not None:
        writer.close()
    return time.perf_counter() - start


def digest(stratum: np.ndarray, time_: np.ndarray, *counts: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in (stratum, time_, *counts):
        h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
    return h.hexdigest()[:16]


def counts_digest(c: object) -> str:
    return digest(c.stratum, c.time, c.n_events, c.n_censored, c.n_at_risk)  # type: ignore[attr-defined]


def pandas_reference(df: object, kw: dict[str, object]) -> str:
    """Independent answer: pandas filter + group-by, risk set as a reverse cumsum per stratum
    (strata numbered in sorted / categorical order, as netsurv numbers them)."""
    by, t, e = list(kw["by"]), kw["time"], kw["event"]  # type: ignore[call-overload]
    keep = df[t].notna() & df[e].notna()  # type: ignore[index]
    if "exclusion" in df.columns:  # type: ignore[attr-defined]
        keep &= df["exclusion"].isna()  # type: ignore[index]
    d = df.loc[keep, [*by, t, e]]  # type: ignore[attr-defined]
    d[e] = d[e].astype("int64")
    g = d.groupby([*by, t], sort=True, observed=True)[e].agg(["sum", "count"]).reset_index()
    g["stratum"] = g.groupby(by, sort=True, observed=True).ngroup()
    at_risk = g.iloc[::-1].groupby("stratum", sort=False)["count"].cumsum().iloc[::-1]
    return digest(
        g["stratum"].to_numpy(),
        g[t].to_numpy(),
        g["sum"].to_numpy(),
        (g["count"] - g["sum"]).to_numpy(),
        at_risk.to_numpy(),
    )


KW = {
    "counts": {"time": "months", "event": "event", "by": ["stratum"]},
    "canonical": {"time": "survival_months", "event": "dead", "by": ["extent", "site"]},
}


def worker(engine: str, path: str, repeats: int, schema: str) -> dict[str, object]:
    """Run one engine ``repeats`` times in this process; report times, RSS and digest."""
    from netsurv.counting.sources import to_counts

    kw = KW[schema]
    load = None
    source: object = path
    if engine.endswith("-memory"):
        import pandas as pd

        t0 = time.perf_counter()
        source = pd.read_parquet(path)
        load = time.perf_counter() - t0
    times, result = [], ""
    for _ in range(repeats):
        t0 = time.perf_counter()
        if engine == "pandas-memory":
            result = pandas_reference(source, kw)
        else:
            name = engine.removesuffix("-memory")
            c = to_counts(source, engine=name, **kw)  # type: ignore[arg-type]
            result = counts_digest(c)
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    return {"engine": engine, "times": times, "load": load, "peak_rss_mb": peak, "digest": result}


def available_memory_mb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("inf")


def run(
    n: int, engines: list[str], repeats: int, workdir: Path, schema: str
) -> list[dict[str, object]]:
    path = workdir / f"registry_{n:.0e}.parquet"
    # written in a subprocess: on Linux a child's peak RSS starts at its parent's RSS at fork
    # time, so the parent must stay small for the engines' numbers to be their own
    cmd = [sys.executable, __file__, "--write", str(path), "--n", str(n), "--schema", schema]
    write_s = float(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    size_mb = path.stat().st_size / 2**20
    print(
        f"\n## {n:,} rows ({schema} schema): wrote {path.name} ({size_mb:.0f} MB) in {write_s:.1f} s",
        flush=True,
    )
    rows = []
    for engine in engines:
        # in memory: counts schema ~60 B/row of working arrays (5 B/row loaded); canonical
        # schema ~350 B/row (text patient ids and codes as Python strings)
        per_row = 60 if schema == "counts" else 350
        if engine.endswith("-memory") and n * per_row / 2**20 > 0.5 * available_memory_mb():
            print(f"{engine:>14}: skipped (would not fit comfortably in memory)", flush=True)
            continue
        cmd = [
            sys.executable,
            __file__,
            "--worker",
            engine,
            "--path",
            str(path),
            "--repeats",
            str(repeats),
            "--schema",
            schema,
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if out.returncode:
            print(f"{engine:>14}: FAILED\n{out.stderr[-2000:]}", flush=True)
            continue
        res = json.loads(out.stdout.strip().splitlines()[-1])
        res["n"], res["schema"] = n, schema
        rows.append(res)
        t = res["times"]
        load = f", load {res['load']:.2f} s" if res["load"] is not None else ""
        print(
            f"{engine:>14}: best {min(t):6.3f} s (runs {', '.join(f'{x:.2f}' for x in t)}"
            f"{load}), peak RSS {res['peak_rss_mb']:7.0f} MB, digest {res['digest']}",
            flush=True,
        )
    digests = {r["digest"] for r in rows}
    status = "identical across engines" if len(digests) == 1 else f"DIFFER: {digests}"
    print(f"results: {status}", flush=True)
    if len(digests) > 1:
        raise SystemExit(1)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--n", action="append", type=float, help="rows (repeatable); default 1e7 and 1e8"
    )
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="where to write the Parquet files")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument(
        "--schema",
        choices=["counts", "canonical"],
        default="counts",
        help="counts: stratum/months/event as in the issue; canonical: "
        "registry-like columns (see write_canonical)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--write", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        n = int((args.n or [1e6])[0])
        print((write_parquet if args.schema == "counts" else write_canonical)(Path(args.write), n))
        return
    if args.worker:
        print(json.dumps(worker(args.worker, args.path, args.repeats, args.schema)))
        return
    sizes = [int(x) for x in (args.n or [1e7, 1e8])]
    engines = [e for e in args.engines.split(",") if e]
    base = args.dir or Path(tempfile.gettempdir())
    need = max(sizes) * 2.5 / 2**20  # ~2.2 B/row on disk, with margin
    free = shutil.disk_usage(base).free / 2**20
    if free < 2 * need:
        raise SystemExit(f"{base}: {free:.0f} MB free, need about {2 * need:.0f} MB")
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}, free disk {free:.0f} MB")
    workdir = Path(tempfile.mkdtemp(prefix="netsurv-bench-", dir=base))
    results = []
    try:
        for n in sizes:
            results += run(n, engines, args.repeats, workdir, args.schema)
            for f in workdir.iterdir():
                f.unlink()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
