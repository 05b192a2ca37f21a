"""Time ``netsurv.classify`` on a synthetic frame of registry codes (default 1,000,000 rows).

Run: ``.venv/bin/python benchmarks/bench_classify.py [n_rows]``. The codes are drawn at random
from realistic vocabularies (dotted and undotted sites, labels, range codes, invalid values),
so every lookup path is exercised. Prints rows, seconds and rows per second.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd


def synthetic_codes(n: int, seed: int = 1) -> pd.DataFrame:
    """A canonical-looking frame with random codes in every input column of ``classify``."""
    rng = np.random.default_rng(seed)

    def pick(values: list[object]) -> np.ndarray:
        return rng.choice(np.array(values, dtype=object), size=n)

    sites = ["C250", "C25.2", "c181", "C170", "172", "C209", "C349", "C379", "C809", "C509", "x"]
    histology = ["8240", "8246", "8249", "8041", "8013", "8154", "8150", "8247", "8140", None]
    ki67 = rng.uniform(0, 60, n)
    ki67[rng.random(n) < 0.7] = np.nan
    return pd.DataFrame(
        {
            "patient_id": np.arange(n).astype(str),
            "year_dx": rng.integers(2000, 2023, n),
            "primary_site": pick(sites),
            "histology": pick(histology),
            "behavior": pick(["3", "3", "3", "1", "2"]),
            "grade_code": pick(["1", "2", "3", "4", "9", "A", "C", None]),
            "grade_system": pick(["pre2018", "2018"]),
            "ki67": ki67,
            "ki67_code": pick(["XXX.4", "XXX.5", "XXX.6", "XXX.9", None, None]),
            "stage_code": pick(["1", "2", "4", "7", "9", "Localized", "Distant", None]),
            "stage_system": pick(["historic_a", "ss2000", "ss2018", "combined"]),
        }
    )


def with_raw_fields(df: pd.DataFrame, seed: int = 2) -> pd.DataFrame:
    """Add the raw stage and grade fields the NAACCR / SEER*Stat readers keep beside the codes."""
    rng = np.random.default_rng(seed)
    n = len(df)

    def pick(values: list[object]) -> np.ndarray:
        return rng.choice(np.array(values, dtype=object), size=n)

    return df.assign(
        stage_historic_a=pick(["0", "1", "2", "4", "9", None]),
        stage_combined=pick(["Localized", "Regional", "Distant", "Unknown/unstaged", None]),
        stage_ss2018=pick(["1", "2", "3", "7", "9", None]),
        grade_pre2018=pick(["1", "2", "3", "9", None]),
        grade_clinical=pick(["1", "2", "3", "A", "9", None]),
        grade_pathological=pick(["1", "2", "3", "B", "9", None]),
    )


def main(n: int = 1_000_000) -> dict[str, float]:
    import netsurv as ns

    frames = {"codes only": synthetic_codes(n)}
    frames["with raw reader fields"] = with_raw_fields(frames["codes only"])
    ns.classify(frames["codes only"].head(1000))  # load the code tables once, outside the timing
    timings = {}
    for name, df in frames.items():
        start = time.perf_counter()
        out = ns.classify(df)
        seconds = time.perf_counter() - start
        if len(out) != n:
            raise RuntimeError(f"classify returned {len(out)} rows for {n}")
        start = time.perf_counter()
        ns.classification_summary(out)
        summary = time.perf_counter() - start
        print(
            f"classify ({name}): {n:,} rows in {seconds:.2f} s ({n / seconds:,.0f} rows/s); "
            f"classification_summary {summary:.2f} s"
        )
        timings[name] = seconds
    return timings


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
