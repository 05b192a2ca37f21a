"""`netsurv survival/plot --engine`: a file counted where it lies gives the in-memory numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from netsurv.present.cli import main


@pytest.fixture()
def parquet(tmp_path):
    rng = np.random.default_rng(4)
    n = 3000
    df = pd.DataFrame(
        {
            "survival_months": rng.integers(0, 120, n).astype(float),
            "dead": rng.random(n) < 0.5,
            "extent": rng.choice(["localized", "regional", "distant"], n),
            "site": rng.choice(["lung", "pancreas"], n),
        }
    )
    raw = tmp_path / "raw.parquet"
    df.to_parquet(raw, index=False)
    # as documented: classify once (exclusion reasons, ordered categories), then count at scale
    path = tmp_path / "big.parquet"
    assert main(["classify", str(raw), "-o", str(path)]) == 0
    return path


@pytest.mark.parametrize("engine", ["duckdb", "arrow"])
def test_engine_output_equals_the_in_memory_output(parquet, engine, capsys):
    args = ["survival", str(parquet), "--by", "extent,site", "--format", "csv", "--times", "12,60"]
    assert main(args) == 0
    in_memory = capsys.readouterr().out
    assert main([*args, "--engine", engine]) == 0
    captured = capsys.readouterr()
    assert captured.out == in_memory
    assert captured.out.count("\n") == 7  # header + 6 groups


def test_plot_with_an_engine_writes_the_figure(parquet, tmp_path):
    out = tmp_path / "km.png"
    assert main(["plot", str(parquet), "--by", "extent", "--engine", "arrow", "-o", str(out)]) == 0
    assert out.stat().st_size > 10_000
