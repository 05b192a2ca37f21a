"""Time netsurv's registry readers on synthetic files: rows per second and peak memory.

Run: ``.venv/bin/python benchmarks/bench_read.py [--n 100000] [--formats seerstat,naaccr]``.
Writes a synthetic SEER*Stat export (numeric, tab) and a NAACCR XML file (gzip) of ``n``
tumours with ``netsurv.io.write_seerstat`` / ``write_naaccr_xml`` into a temporary folder, then
reads each in a fresh Python process so that the peak resident memory (``ru_maxrss``) is the
reader's own. Prints one line per format: rows, file size, seconds, rows/s, peak RSS.

Measured 2026-11-21 on the shared 2-core CI machine (load average ~3, so times are pessimistic),
19 variables / ~18 NAACCR items per tumour; a Python process with netsurv.io imported is ~108 MiB:

    n = 100,000    seerstat  1.4 s   ~70,000 rows/s  peak 222 MiB
                   naaccr    5.4 s   ~18,500 rows/s  peak 286 MiB
    n = 1,000,000  seerstat 16.1 s   ~62,000 rows/s  peak 685 MiB   (run with nice -n 19)
                   naaccr   62.5 s   ~16,000 rows/s  peak 878 MiB

Parser state is bounded (one NAACCR Patient, one 20,000-tumour / 50,000-line chunk); the rest
of the peak is the returned frame itself. NAACCR time grows with the number of items per
tumour (expat calls a Python handler per element): about 300,000 items/s, e.g. the vendored
v25 sample with 78 items per tumour reads ~3,800 tumours/s (CPU time).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def synthetic_frame(n: int, seed: int = 1) -> pd.DataFrame:
    """A canonical frame of ``n`` tumours with realistic code vocabularies (not realistic survival)."""
    rng = np.random.default_rng(seed)

    def pick(values: list[str]) -> np.ndarray:
        return rng.choice(np.array(values, dtype=object), size=n)

    year = rng.integers(2000, 2022, n)
    pre = year <= 2017
    months = np.floor(rng.exponential(60, n)).clip(0, 12 * (2022 - year))
    return pd.DataFrame(
        {
            "patient_id": np.char.zfill((np.arange(n) // 1.1).astype(int).astype(str), 8),
            "tumor_seq": pick(["00", "00", "00", "01", "02"]),
            "year_dx": year,
            "month_dx": rng.integers(1, 13, n),
            "age_dx": rng.integers(20, 95, n).astype(float),
            "sex": pick(["male", "female"]),
            "race": pick(["White", "Black", "Unknown"]),
            "primary_site": pick(["C250", "C181", "C170", "C172", "C209", "C349", "C160"]),
            "histology": pick(["8240", "8246", "8249", "8041", "8013", "8150"]),
            "behavior": "3",
            "grade_pre2018": np.where(pre, pick(["1", "2", "3", "4", "9"]), None),
            "grade_2018": np.where(pre, None, pick(["1", "2", "3", "A", "C", "9"])),
            "stage_historic_a": np.where(year <= 2015, pick(["1", "2", "4", "9"]), None),
            "stage_combined": pick(["Localized", "Regional", "Distant", "Unknown/unstaged"]),
            "reporting_source": pick(["1"] * 30 + ["7"]),
            "survival_months": months,
            "survival_flag": "1",
            "dead": rng.random(n) < 0.4,
            "cancer_death": rng.random(n) < 0.25,
        }
    )


def _read_one(path: str) -> None:
    """Child process: read ``path`` and print JSON with rows, seconds and peak RSS."""
    import netsurv.io as nio

    start = time.perf_counter()
    df = nio.read(path, classify=False)
    seconds = time.perf_counter() - start
    # VmHWM (peak resident set of this process image); ru_maxrss would include the parent's
    # peak, which Linux carries across fork + exec
    status = Path("/proc/self/status")
    hwm = (
        [ln for ln in status.read_text().splitlines() if ln.startswith("VmHWM")]
        if status.exists()
        else []
    )
    peak_kib = int(hwm[0].split()[1]) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": len(df), "seconds": seconds, "peak_mib": peak_kib / 1024}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="tumours (default 20000)")
    parser.add_argument("--formats", default="seerstat,naaccr")
    parser.add_argument("--read", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        _read_one(args.read)
        return
    import netsurv.io as nio

    frame = synthetic_frame(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        if "seerstat" in args.formats:
            files["seerstat"] = nio.write_seerstat(frame, Path(tmp) / "export.txt").data_path
        if "naaccr" in args.formats:
            files["naaccr"] = nio.write_naaccr_xml(frame, Path(tmp) / "tumours.xml.gz")
        for name, path in files.items():
            out = subprocess.run(
                [sys.executable, __file__, "--read", str(path)],
                check=True,
                capture_output=True,
                text=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            size = path.stat().st_size / 2**20
            print(
                f"{name:9s} rows={r['rows']:>9,d} file={size:7.1f} MiB "
                f"seconds={r['seconds']:7.2f} rows/s={r['rows'] / r['seconds']:>10,.0f} "
                f"peak_rss={r['peak_mib']:7.0f} MiB"
            )


if __name__ == "__main__":
    main()
