"""Reader rows of issue 16's speed table: netsurv's readers against the bare parsers, one run.

Run: ``.venv/bin/python benchmarks/bench_read.py [--n 150000] [--repeat 3]``.

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=150_000, help="tumours (default 150000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median kept)")
    args = parser.parse_args()
    frame = registry(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        txt = nio.write_seerstat(frame, Path(tmp) / "export.txt").data_path
        xml = nio.write_naaccr_xml(frame, Path(tmp) / "tumours.xml")
        r = args.repeat
        pandas_s = median(lambda: pd.read_csv(txt, sep="\t", dtype=str, keep_default_na=False), r)
        seer = median(lambda: nio.read(txt, classify=False), r)
        seer_cls = median(lambda: nio.read(txt), r)
        expat_h = median(lambda: expat_pass(xml, True), r)
        expat_0 = median(lambda: expat_pass(xml, False), r)
        naaccr = median(lambda: nio.read(xml, classify=False), r)
        naaccr_cls = median(lambda: nio.read(xml), r)
        mem = {name: memory_ratio(p) for name, p in (("seerstat", txt), ("naaccr", xml))}
        sizes = txt.stat().st_size / 2**20, xml.stat().st_size / 2**20
    print(f"{args.n:,} tumours; SEER*Stat export {sizes[0]:.1f} MiB, NAACCR XML {sizes[1]:.1f} MiB")
    print("CPU seconds, median of", r)
    print()
    print("| task | netsurv | limit / peer | gap |")
    print("|---|---|---|---|")
    print(
        f"| read a SEER*Stat export of {args.n:,} tumours | {seer:.2f} s "
        f"({seer_cls:.2f} s with classify) | pandas' C parser reading the same file as strings "
        f"{pandas_s:.2f} s | {seer / pandas_s:.1f}× ({seer_cls / pandas_s:.1f}×) |"
    )
    print(
        f"| read the same {args.n:,} tumours as NAACCR XML | {naaccr:.2f} s "
        f"({naaccr_cls:.2f} s with classify) | one pyexpat pass with a Python start-element "
        f"handler {expat_h:.2f} s (no handler: {expat_0:.2f} s) | {naaccr / expat_h:.1f}× "
        f"({naaccr_cls / expat_h:.1f}×) |"
    )
    print()
    for name, (peak, size) in mem.items():
        print(f"{name}: peak Python allocations {peak:.0f} MiB for a {size:.0f} MiB frame")


if __name__ == "__main__":
    main()
