"""CSV / Parquet tables, format detection, the load summary and the classify hook."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
import netsurv.io as nio
from netsurv.errors import InputError, ReadError
from tests.paths import DATA

SEER = DATA / "seerstat" / "numeric_tab.txt"


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["007", "008", "009", "010"],
            "seq": ["00", "01", "02", "00"],
            "months": [12, 0, np.nan, 0],
            "status": [1, 0, 0, 1],
            "site": ["C250", "C181", "C170", "C209"],
            "arm": ["a", "b", "a", "b"],
        }
    )


def test_csv_with_columns_mapping_is_canonical(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    _table().to_csv(path, index=False)
    mapping = {
        "patient_id": "id",
        "tumor_seq": "seq",
        "survival_months": "months",
        "dead": "status",
        "primary_site": "site",
    }
    df = nio.read(path, classify=False, columns=mapping)
    assert df["patient_id"].tolist() == ["007", "008", "009", "010"]  # leading zeros kept
    assert df["tumor_seq"].tolist() == ["00", "01", "02", "00"]
    assert df["dead"].dtype == "boolean" and df["dead"].tolist() == [True, False, False, True]
    # row 2 alive at 0 months; row 3 unknown months; row 4 dead at 0 months stays usable
    assert df["exclusion"].tolist()[1:3] == [
        "alive with no survival time",
        "survival months unknown",
    ]
    assert pd.isna(df["exclusion"].iloc[3])
    assert df["arm"].tolist() == ["a", "b", "a", "b"]  # other columns kept


def test_parquet_written_from_a_read_frame_reads_back_unchanged(tmp_path: Path) -> None:
    original = nio.read(SEER, classify=False)
    path = tmp_path / "t.parquet"
    original.to_parquet(path)
    back = nio.read(path, classify=False)
    pd.testing.assert_frame_equal(back[original.columns], original)


def test_plain_table_without_registry_columns_gets_no_exclusions(tmp_path: Path) -> None:
    path = tmp_path / "trial.csv"
    pd.DataFrame({"time": [1.5, 2.0], "event": [1, 0], "arm": ["x", "y"]}).to_csv(path, index=False)
    df = nio.read(path, classify=False)
    assert list(df.columns) == ["time", "event", "arm"]
    assert df["time"].dtype == float


def test_columns_naming_absent_columns_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    _table().to_csv(path, index=False)
    with pytest.raises(InputError, match="not in t.csv"):
        nio.read(path, classify=False, columns={"survival_months": "time"})


def test_unknown_format_is_a_read_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\tworld\n")
    with pytest.raises(ReadError, match="cannot tell the format"):
        nio.read(path, classify=False)


def test_missing_file_is_a_read_error(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="not found"):
        nio.read(tmp_path / "absent.csv")


def test_detect_format_by_content_and_dic() -> None:
    assert nio.detect_format(SEER) == "seerstat"
    assert nio.detect_format(SEER.with_suffix(".dic")) == "seerstat"
    xml = DATA / "naaccr" / "multi_tumour.xml"
    assert nio.detect_format(xml) == "naaccr-xml"


def test_load_summary_lists_reasons_missing_and_unrecognised_codes() -> None:
    df = pd.DataFrame(
        {
            "exclusion": [np.nan, "survival months unknown", np.nan, np.nan],
            "sex": ["male", "Unknown", "female", np.nan],
        }
    )
    s = nio.load_summary(df)
    table = {(a, b): (c, p) for a, b, c, p in s.itertuples(index=False)}
    assert table[("rows", "read")] == (4, 100.0)
    assert table[("rows", "usable")] == (3, 75.0)
    assert table[("excluded", "survival months unknown")] == (1, 25.0)
    assert table[("missing", "sex")] == (1, 25.0)
    assert table[("unrecognised", "sex")] == (1, 25.0)  # "Unknown" is kept as label text


def test_read_classifies_unless_asked_not_to() -> None:
    added = set(ns.codes.ADDED_COLUMNS)
    assert added <= set(nio.read(SEER).columns)
    assert not added & set(nio.read(SEER, classify=False).columns)


def test_study_cutoff_with_a_seerstat_export_is_refused() -> None:
    with pytest.raises(InputError, match="study_cutoff"):
        nio.read(SEER, study_cutoff="2020-12-31")


def test_options_of_another_format_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="do not apply"):
        nio.read(SEER, columns={"patient_id": "id"})


def test_load_summary_counts_unknown_registry_codes() -> None:
    # numeric_tab fixture: grade 9 on records 3 and 6; stage Unstaged (9) on record 6
    s = nio.load_summary(nio.read(SEER, classify=False))
    table = {(a, b): c for a, b, c, _ in s.itertuples(index=False)}
    assert table[("unknown code", "grade_code")] == 2
    assert table[("unknown code", "stage_code")] == 1
