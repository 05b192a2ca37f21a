"""Rebuild the bundled synthetic registry ``netsurv/datasets/data/synthetic_registry.parquet``.

Usage (from the repository root)::

    .venv/bin/python data/make_synthetic_registry.py          # write the Parquet + JSON sidecar
    .venv/bin/python data/make_synthetic_registry.py --check  # regenerate and compare, write nothing

The file is ``simulate_registry(100_000, seed=2022, truth=True, classify=False)``: synthetic
tumours, no real person. It is stored unclassified (raw registry codes plus the simulator's
``sim_*`` columns) so that ``load_synthetic_registry()`` classifies it with the code tables of
the installed netsurv. Codes are stored as dictionary-encoded (categorical) columns, years as
Int16, compressed with zstd; ``load_synthetic_registry`` restores the canonical dtypes.

The sidecar ``synthetic_registry.json`` records the SHA-256 of the frame's *content*
(``netsurv.datasets.loaders.frame_checksum``: names, kinds and values — not the file's bytes,
which change with the pyarrow version and compression settings) together with the versions
that built it. ``tests/test_datasets.py`` recomputes the checksum of the loaded frame and
compares the bundled frame with a fresh simulation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pathlib
import sys

import numpy as np
import pandas as pd
import pyarrow

import netsurv
from netsurv.datasets.loaders import frame_checksum, from_compact, to_compact
from netsurv.datasets.simulate import simulate_registry

N, SEED = 100_000, 2022
ROOT = pathlib.Path(__file__).resolve().parents[1]
PARQUET = ROOT / "netsurv" / "datasets" / "data" / "synthetic_registry.parquet"
SIDECAR = PARQUET.with_suffix(".json")


def build() -> pd.DataFrame:
    """The frame that the bundled file holds."""
    return simulate_registry(N, seed=SEED, truth=True, classify=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the bundled file")
    args = parser.parse_args(argv)
    df = build()
    # what load_synthetic_registry returns is the stored frame read back through from_compact
    roundtrip = from_compact(to_compact(df))
    checksum = frame_checksum(roundtrip)
    if args.check:
        recorded = json.loads(SIDECAR.read_text())["content_sha256"]
        print(f"fresh simulation {checksum}\nbundled file     {recorded}")
        return 0 if checksum == recorded else 1
    to_compact(df).to_parquet(PARQUET, compression="zstd", index=False)
    meta = {
        "file": PARQUET.name,
        "rows": len(df),
        "call": f"simulate_registry({N}, seed={SEED}, truth=True, classify=False)",
        "content_sha256": checksum,
        "built": dt.date.today().isoformat(),
        "versions": {
            "netsurv": netsurv.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "pyarrow": pyarrow.__version__,
            "python": sys.version.split()[0],
        },
        "synthetic": True,
    }
    SIDECAR.write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {PARQUET} ({PARQUET.stat().st_size:,} bytes), content sha256 {checksum}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
