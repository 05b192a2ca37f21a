"""Reader rows of issue 16's speed table: netsurv's readers against the bare parsers, one run.

Run: ``.venv/bin/python benchmarks/bench_read.py [--n 150000] [--repeat 3]``, or on files of
your own: ``bench_read.py --seerstat export.txt --naaccr tumours.xml`` (each option may be given
several times; a SEER*Stat export needs its ``.dic`` beside it, as ``netsurv.read`` does;
``benchmarks/make_read_files.py`` writes four files unlike the bundled registry).

Writes ``n`` tumours resampled (seeded) from the bundled synthetic registry
(``netsurv.datasets.load_synthetic_registry``) as a SEER*Stat export (``write_seerstat``: numeric,
tab-delimited, with header) and as NAACCR XML (``write_naaccr_xml``) into a temporary folder,
then times, in this process and on the same bytes:

- ``netsurv.read(export.txt)`` against pandas' C parser reading the same file as strings
  (``pd.read_csv(sep="\\t", dtype=str, keep_default_na=False)``);
- ``netsurv.read(tumours.xml)`` against one pyexpat pass with a Python start-element handler
  (and, for scale, without any handler).

Times are CPU seconds of this process (``time.process_time``), the median of ``--repeat`` runs:
every parser here runs on one thread, and CPU time is what a shared machine does not distort.
``netsurv.read`` is timed without classification (the readers' own work) and with it (the
default). Memory: the peak of Python allocations while reading (``tracemalloc``, a separate
untimed run) over the size of the frame returned (``memory_usage(deep=True)``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from xml.parsers import expat

import numpy as np
import pandas as pd

import netsurv.io as nio
from netsurv.datasets import load_synthetic_registry
from netsurv.io._dic import parse_dic
from netsurv.io.seerstat import locate_export


def registry(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` tumours drawn with replacement from the bundled synthetic registry, new ids."""
    base = load_synthetic_registry()
    rng = np.random.default_rng(seed)
    df = base.iloc[rng.integers(0, len(base), n)].reset_index(drop=True)
    df["patient_id"] = [f"{i:08d}" for i in range(1, n + 1)]
    df["tumor_seq"] = "00"
    return df


def median(func: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        func()
        times.append(time.process_time() - start)
    return float(np.median(times))


def expat_pass(path: Path, handler: bool) -> None:
    parser = expat.ParserCreate(namespace_separator="\x1f")
    if handler:
        parser.StartElementHandler = lambda tag, attrs: None
    with open(path, "rb") as fh:
        parser.ParseFile(fh)


def memory_ratio(path: Path) -> tuple[float, float]:
    """(peak Python allocations while reading, size of the frame) in MiB."""
    tracemalloc.start()
    df = nio.read(path, classify=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20, df.memory_usage(deep=True).sum() / 2**20


def pandas_pass(path: Path) -> Callable[[], object]:
    """pandas' C parser reading a SEER*Stat export's data file as strings (its .dic's delimiter;
    every line, a header line too, as data: the same bytes netsurv reads)."""
    data, dic = locate_export(path)
    delimiter = parse_dic(dic).options.delimiter
    return lambda: pd.read_csv(
        data, sep=delimiter, dtype=str, keep_default_na=False, header=None, quotechar='"'
    )


def seerstat_row(path: Path, label: str, r: int) -> str:
    """The SEER*Stat row of the table: ``netsurv.read`` against pandas on the same file."""
    pandas_s = median(pandas_pass(path), r)
    seer = median(lambda: nio.read(path, classify=False), r)
    seer_cls = median(lambda: nio.read(path), r)
    return (
        f"| read {label} | {seer:.2f} s ({seer_cls:.2f} s with classify) | pandas' C parser "
        f"reading the same file as strings {pandas_s:.2f} s | {seer / pandas_s:.1f}× "
        f"({seer_cls / pandas_s:.1f}×) |"
    )


def naaccr_row(path: Path, label: str, r: int) -> str:
    """The NAACCR XML row: ``netsurv.read`` against one pyexpat pass on the same file."""
    expat_h = median(lambda: expat_pass(path, True), r)
    expat_0 = median(lambda: expat_pass(path, False), r)
    naaccr = median(lambda: nio.read(path, classify=False), r)
    naaccr_cls = median(lambda: nio.read(path), r)
    return (
        f"| read {label} | {naaccr:.2f} s ({naaccr_cls:.2f} s with classify) | one pyexpat pass "
        f"with a Python start-element handler {expat_h:.2f} s (no handler: {expat_0:.2f} s) | "
        f"{naaccr / expat_h:.1f}× ({naaccr_cls / expat_h:.1f}×) |"
    )


def print_table(rows: list[str], mem: dict[str, tuple[float, float]], r: int) -> None:
    print("CPU seconds, median of", r)
    print()
    print("| task | netsurv | limit / peer | gap |")
    print("|---|---|---|---|")
    print(*rows, sep="\n")
    print()
    for name, (peak, size) in mem.items():
        print(f"{name}: peak Python allocations {peak:.0f} MiB for a {size:.0f} MiB frame")


def user_files(args: argparse.Namespace) -> None:
    """Rows for the files named by --seerstat / --naaccr."""
    rows, mem = [], {}
    for path in map(Path, args.seerstat):
        size = locate_export(path)[0].stat().st_size / 2**20
        rows.append(
            seerstat_row(path, f"the SEER*Stat export {path.name} ({size:.1f} MiB)", args.repeat)
        )
        mem[path.name] = memory_ratio(path)
    for path in map(Path, args.naaccr):
        size = path.stat().st_size / 2**20
        rows.append(naaccr_row(path, f"the NAACCR XML {path.name} ({size:.1f} MiB)", args.repeat))
        mem[path.name] = memory_ratio(path)
    print_table(rows, mem, args.repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=150_000, help="tumours (default 150000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median kept)")
    parser.add_argument(
        "--seerstat", action="append", default=[], help="time this SEER*Stat export instead"
    )
    parser.add_argument(
        "--naaccr", action="append", default=[], help="time this NAACCR XML file instead"
    )
    args = parser.parse_args()
    if args.seerstat or args.naaccr:
        user_files(args)
        return
    frame = registry(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        txt = nio.write_seerstat(frame, Path(tmp) / "export.txt").data_path
        xml = nio.write_naaccr_xml(frame, Path(tmp) / "tumours.xml")
        r = args.repeat
        rows = [
            seerstat_row(txt, f"a SEER*Stat export of {args.n:,} tumours", r),
            naaccr_row(xml, f"the same {args.n:,} tumours as NAACCR XML", r),
        ]
        mem = {name: memory_ratio(p) for name, p in (("seerstat", txt), ("naaccr", xml))}
        sizes = txt.stat().st_size / 2**20, xml.stat().st_size / 2**20
    print(f"{args.n:,} tumours; SEER*Stat export {sizes[0]:.1f} MiB, NAACCR XML {sizes[1]:.1f} MiB")
    print_table(rows, mem, r)


if __name__ == "__main__":
    main()
