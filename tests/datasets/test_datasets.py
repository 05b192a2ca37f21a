"""Tests of the bundled data sets and their loaders (netsurv.datasets).

Expected counts come from the data's documentation: RADIANT-4 arms 205 vs 97 (Yao et al.,
Lancet 2016) and the event counts of the kmdata reconstruction as R reports them
(published-figures.md §7a: PFS events 109/205 and 60/97, OS deaths 42 and 28).
"""

from __future__ import annotations

import importlib.resources
import json
import pathlib

import pandas as pd
import pytest

from netsurv.datasets import load_radiant4, load_synthetic_registry, simulate_registry
from netsurv.datasets.loaders import frame_checksum
from netsurv.errors import InputError
from netsurv.io.canonical import CANONICAL_COLUMNS
from tests.paths import ROOT

DATA = pathlib.Path(str(importlib.resources.files("netsurv.datasets") / "data"))


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    return load_synthetic_registry(classify=False)


@pytest.mark.parametrize(("endpoint", "events"), [("pfs", (109, 60)), ("os", (42, 28))])
def test_radiant4_has_302_patients_with_the_reconstructed_events(endpoint, events) -> None:
    df = load_radiant4(endpoint)
    assert list(df.columns) == ["time", "event", "arm"]
    assert (str(df["time"].dtype), str(df["event"].dtype)) == ("float64", "int64")
    assert df["arm"].value_counts().to_dict() == {"everolimus": 205, "placebo": 97}
    assert set(df["event"]) <= {0, 1}
    assert tuple(df.groupby("arm")["event"].sum()[["everolimus", "placebo"]]) == events
    assert (df["time"] >= 0).all()


def test_radiant4_rejects_an_unknown_endpoint() -> None:
    with pytest.raises(InputError, match="'pfs' or 'os'"):
        load_radiant4("dfs")  # type: ignore[arg-type]


def test_bundled_registry_content_matches_its_recorded_checksum(registry) -> None:
    # the checksum covers the frame's values, not the Parquet bytes (see make_synthetic_registry)
    meta = json.loads((DATA / "synthetic_registry.json").read_text())
    assert meta["synthetic"] is True and meta["rows"] == len(registry) == 100_000
    assert frame_checksum(registry) == meta["content_sha256"]


def test_bundled_registry_is_what_the_simulator_makes_today(registry) -> None:
    # guards against the simulator drifting from the bundled file (rebuild with
    # data/make_synthetic_registry.py); floats compared to 1e-12 so a last-bit difference in
    # numpy's exp/pow on another CPU does not fail it
    fresh = simulate_registry(100_000, seed=2022, truth=True, classify=False)
    pd.testing.assert_frame_equal(registry, fresh, check_exact=False, rtol=1e-12)


def test_checksum_changes_when_one_value_changes(registry) -> None:
    small = registry.head(50).copy()
    before = frame_checksum(small)
    small.loc[3, "histology"] = "8246" if small.loc[3, "histology"] != "8246" else "8240"
    assert frame_checksum(small) != before


def test_bundled_registry_has_canonical_dtypes_and_is_small(registry) -> None:
    for column, dtype in CANONICAL_COLUMNS.items():
        assert str(registry[column].dtype) == dtype, column
    size = (DATA / "synthetic_registry.parquet").stat().st_size
    assert size < 5_000_000  # "a few MB"


def test_loader_classifies_and_can_drop_the_truth_columns() -> None:
    df = load_synthetic_registry(truth=False)
    assert not any(c.startswith("sim_") for c in df)
    assert {"site_group", "extent", "grade", "differentiation", "nen_type"} <= set(df.columns)


def test_every_bundled_file_is_documented() -> None:
    package_readme = (DATA / "README.md").read_text()
    repo_readme = (ROOT / "data" / "README.md").read_text()
    for path in DATA.iterdir():
        if path.name != "README.md" and not path.name.startswith("."):
            assert path.name in package_readme, path.name
            assert path.name in repo_readme, path.name
    for word in ("synthetic", "licence", "columns"):
        assert word in package_readme.lower()
