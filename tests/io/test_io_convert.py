"""``netsurv.io.convert`` and ``netsurv convert``: chunked Parquet equal to ``netsurv.read``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import netsurv.io as nio
import netsurv.io.seerstat as seerstat
from netsurv.errors import InputError
from netsurv.io.streaming import convert
from netsurv.present.cli import main
from tests.paths import DATA


def _same_as_read(src: Path, out: Path) -> None:
    given = nio.read(src, classify=False)
    back = nio.read(out, classify=False)
    assert list(back.columns) == list(given.columns)
    pd.testing.assert_frame_equal(back, given, check_dtype=False)  # string storage may differ


@pytest.mark.parametrize(
    "name",
    ["seerstat/numeric_tab.txt", "seerstat/labels_tab_unix.txt.gz", "naaccr/multi_tumour.xml"],
)
def test_converted_parquet_reads_back_as_the_registry_file(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out.parquet"
    assert convert(DATA / name, out) == len(nio.read(DATA / name, classify=False))
    _same_as_read(DATA / name, out)


def test_chunks_with_different_columns_are_written_under_one_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import netsurv.io.naaccr as naaccr

    src = DATA / "naaccr-samples" / "naaccr-xml-sample-v250-incidence-100.xml.gz"
    monkeypatch.setattr(naaccr, "CHUNK_TUMORS", 7)  # many chunks; items differ between them
    monkeypatch.setattr("netsurv.io.streaming.CHUNK_TUMORS", 7)
    out = tmp_path / "out.parquet"
    assert convert(src, out) == 100
    _same_as_read(src, out)


def test_a_file_the_fast_path_cannot_read_is_converted_by_the_reference_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def refuse(*args: object) -> None:
        calls.append(args)
        raise seerstat.NotFast

    monkeypatch.setattr("netsurv.io.streaming.columnar_frames", refuse)
    out = tmp_path / "out.parquet"
    convert(DATA / "seerstat" / "labels_comma.txt", out)
    assert calls  # the columnar path was tried, then the csv path wrote the file
    _same_as_read(DATA / "seerstat" / "labels_comma.txt", out)


def test_convert_refuses_its_input_and_other_suffixes(tmp_path: Path) -> None:
    src = tmp_path / "t.parquet"
    pd.DataFrame({"patient_id": ["1"], "survival_months": [1.0], "dead": [True]}).to_parquet(src)
    with pytest.raises(InputError, match="is the input"):
        convert(src, src)
    with pytest.raises(InputError, match=".parquet suffix"):
        convert(src, tmp_path / "t.csv")


def test_cli_convert_writes_parquet_and_says_how_many_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "e.parquet"
    assert main(["convert", str(DATA / "seerstat" / "numeric_tab.txt"), str(out)]) == 0
    assert "wrote" in capsys.readouterr().err
    _same_as_read(DATA / "seerstat" / "numeric_tab.txt", out)
