"""The attack's reproducers (issue 13): no silent record loss, bounded time and memory, netsurv
errors only. Each test is built from the minimal reproducer of one finding."""

from __future__ import annotations

import gzip
import os
import threading
import time
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest

import netsurv.io as nio
from netsurv.errors import ReadError
from tests.paths import DATA

NS = 'xmlns="http://naaccr.org/naaccrxml"'
PATIENT = '<Patient><Item naaccrId="patientIdNumber">{pid}</Item>{body}</Patient>'
TUMOR = '<Tumor><Item naaccrId="primarySite">{site}</Item></Tumor>'


def _xml(tmp_path: Path, body: str, name: str = "t.xml") -> Path:
    path = tmp_path / name
    path.write_text(f'<?xml version="1.0"?>\n<NaaccrData {NS}>\n{body}\n</NaaccrData>\n')
    return path


def _read(path: Path) -> pd.DataFrame:
    return nio.read(path, classify=False)


def test_tumour_directly_under_naaccr_data_is_kept_and_excluded(tmp_path: Path) -> None:
    body = '<Item naaccrId="registryId">0000001544</Item>' + TUMOR.format(site="C250")
    df = _read(_xml(tmp_path, body))
    assert df["primary_site"].tolist() == ["C250"]
    assert df["exclusion"].tolist() == ["tumour outside a patient"]
    assert df["registry_id"].tolist() == ["0000001544"]  # root items still copied


def test_tumour_after_a_patient_is_a_row_not_a_loss(tmp_path: Path) -> None:
    body = PATIENT.format(pid="1", body=TUMOR.format(site="C181")) + TUMOR.format(site="C250")
    df = _read(_xml(tmp_path, body))
    assert df["primary_site"].tolist() == ["C181", "C250"]
    assert df["patient_id"].isna().tolist() == [False, True]  # no patient's items borrowed
    assert df["exclusion"].iloc[1] == "tumour outside a patient"
    summary = nio.load_summary(df).set_index(["section", "item"])["count"]
    assert summary[("rows", "read")] == 2
    assert summary[("excluded", "tumour outside a patient")] == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # a Tumor inside another Tumor
        (
            PATIENT.format(pid="1", body="<Tumor>" + TUMOR.format(site="C250") + "</Tumor>"),
            "inside another <Tumor>",
        ),
        # a Patient nested in a Patient would discard the outer one's tumours
        (
            PATIENT.format(
                pid="1",
                body=TUMOR.format(site="C181")
                + PATIENT.format(pid="2", body=TUMOR.format(site="C250")),
            ),
            "inside another <Patient>",
        ),
        # a Tumor in a foreign-namespace wrapper (whose content is skipped)
        (
            '<x:ext xmlns:x="urn:x">'
            + PATIENT.format(pid="1", body=TUMOR.format(site="C250"))
            + "</x:ext>",
            "foreign-namespace",
        ),
        (
            PATIENT.format(
                pid="1", body='<x:ext xmlns:x="urn:x">' + TUMOR.format(site="C250") + "</x:ext>"
            ),
            "foreign-namespace",
        ),
        # an element inside an Item
        (
            PATIENT.format(
                pid="1", body='<Item naaccrId="a">' + TUMOR.format(site="C250") + "</Item>"
            ),
            "holds text only",
        ),
    ],
)
def test_tumour_that_cannot_be_attributed_refuses_the_file_naming_the_line(
    tmp_path: Path, body: str, message: str
) -> None:
    with pytest.raises(ReadError, match=message) as err:
        _read(_xml(tmp_path, body))
    assert "line 3" in str(err.value)  # the body is written on line 3


def test_rows_read_counts_tumour_elements_apart_from_rows_built(tmp_path: Path) -> None:
    body = (
        TUMOR.format(site="C170")
        + PATIENT.format(pid="1", body=TUMOR.format(site="C181") * 3)
        + PATIENT.format(pid="2", body="")
        + TUMOR.format(site="C250")
    )
    path = _xml(tmp_path, body)
    df = _read(path)
    tumours = path.read_text().count("<Tumor>")  # 5, counted on the bytes
    assert len(df) == tumours == df.attrs["netsurv_source"]["records_read"]
    summary = nio.load_summary(df)
    assert summary.loc[summary["item"] == "read", "count"].tolist() == [tumours]
    assert "returned" not in summary["item"].tolist()  # rows built = rows read


def _gz_repeat(path: Path, head: bytes, unit: bytes, reps: int, tail: bytes) -> Path:
    """A multi-member gzip holding head + unit * reps + tail (one compressed member re-used)."""
    member = gzip.compress(unit, 9)
    with open(path, "wb") as fh:
        fh.write(gzip.compress(head))
        for _ in range(reps):
            fh.write(member)
        fh.write(gzip.compress(tail))
    return path


HEAD = f'<NaaccrData {NS}><Patient><Tumor><Item naaccrId="x">'.encode()
TAIL = b"</Item></Tumor></Patient></NaaccrData>"


def _refused_fast(path: Path, match: str) -> None:
    """ReadError within 5 s (the attack measured minutes) and < 64 MiB of Python allocations
    (pyexpat allocates through Python's allocator, so its buffers are counted)."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ReadError, match=match):
            _read(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 5.0
    assert peak < 64 * 2**20


def test_two_gigabyte_item_in_a_two_megabyte_gzip_is_refused_fast(tmp_path: Path) -> None:
    # attack: 200 MB of item text took 14 s, 800 MB 270 s (quadratic text accumulation)
    path = _gz_repeat(tmp_path / "big.xml.gz", HEAD, b"A" * (1 << 24), 128, TAIL)
    assert path.stat().st_size < 3 * 2**20
    _refused_fast(path, "longer than 100000 characters")


def test_item_text_cap_holds_when_the_text_has_closing_brackets(tmp_path: Path) -> None:
    path = _gz_repeat(tmp_path / "gt.xml.gz", HEAD, b"A>" * (1 << 22), 16, TAIL)
    _refused_fast(path, "longer than 100000 characters")


def test_five_megabyte_naaccr_id_is_refused_before_expat_buffers_it(tmp_path: Path) -> None:
    # attack: 819 MB resident for 5 MB; a 13.7 GiB allocation for 100 MB
    path = tmp_path / "attr.xml"
    item = b'<Item naaccrId="' + b"a" * 5_000_000 + b'">1</Item>'
    path.write_bytes(f"<NaaccrData {NS}><Patient>".encode() + item + b"</Patient></NaaccrData>")
    _refused_fast(path, "without a '>'")


def test_long_attribute_within_the_byte_guard_is_refused_by_the_attribute_cap(
    tmp_path: Path,
) -> None:
    path = _xml(tmp_path, PATIENT.format(pid="1", body=f'<Item naaccrId="{"a" * 20_000}">1</Item>'))
    _refused_fast(path, "naaccrId longer than 10000")


def test_ten_million_nested_elements_are_refused_at_the_depth_cap(tmp_path: Path) -> None:
    # attack: 0.16 MB of gzip -> 1.3 GB resident
    path = tmp_path / "deep.xml.gz"
    path.write_bytes(gzip.compress(f"<NaaccrData {NS}>".encode() + b"<a>" * 10_000_000, 6))
    _refused_fast(path, "nest deeper than 100")


def test_limits_are_configurable(tmp_path: Path) -> None:
    body = PATIENT.format(
        pid="1", body='<Tumor><Item naaccrId="textRemarks">' + "x" * 50 + "</Item></Tumor>"
    )
    path = _xml(tmp_path, body)
    assert len(nio.read(path, classify=False, limits=nio.XmlLimits(item_chars=50))) == 1
    with pytest.raises(ReadError, match="longer than 49 characters"):
        nio.read(path, classify=False, limits=nio.XmlLimits(item_chars=49))
    with pytest.raises(ReadError, match="deeper than 3"):
        nio.read(path, classify=False, limits=nio.XmlLimits(depth=3))


@pytest.mark.parametrize("encoding", ["EBCDIC", "UTF-32", "rot13", "x-unknown"])
def test_unknown_xml_encoding_is_a_read_error(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "e.xml"
    path.write_bytes(f'<?xml version="1.0" encoding="{encoding}"?><NaaccrData {NS}/>'.encode())
    with pytest.raises(ReadError, match="UTF-8"):
        _read(path)


@pytest.mark.parametrize("year", ["inf", "-inf", "1e308", "99999999999999999999999"])
def test_year_of_diagnosis_beyond_any_integer_is_unknown_not_a_crash(
    tmp_path: Path, year: str
) -> None:
    path = tmp_path / "t.csv"
    path.write_text(f"patient_id,year_dx,survival_months,dead\n1,{year},12,1\n2,2010,3,0\n")
    df = _read(path)
    assert df["year_dx"].isna().tolist() == [True, False]
    summary = nio.load_summary(df)
    assert summary.loc[summary["item"] == "year_dx", "count"].tolist() == [1]  # counted missing


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xml"])
def test_a_dic_beside_a_table_or_xml_does_not_make_it_seerstat(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame({"patient_id": ["1"], "survival_months": [12.0], "dead": [True]})
    path = tmp_path / f"x{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    else:
        nio.write_naaccr_xml(frame, path)
    (tmp_path / "x.dic").write_text("[Variables]\nVar1Name=Something else\n")
    assert nio.detect_format(path) == ("naaccr-xml" if suffix == ".xml" else "table")
    assert _read(path)["patient_id"].tolist() == ["1"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
@pytest.mark.parametrize("dic_beside", [False, True])
def test_a_named_pipe_is_read_once_without_hanging(tmp_path: Path, dic_beside: bool) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    if dic_beside:  # a .dic beside a .csv does not make it a SEER*Stat export
        (tmp_path / "pipe.dic").write_text("[Variables]\nVar1Name=Other\n")
    payload = b"patient_id,survival_months,dead\n1,12,1\n2,5,0\n"

    def write() -> None:
        with open(fifo, "wb") as fh:
            fh.write(payload)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    result: dict[str, object] = {}
    reader = threading.Thread(target=lambda: result.update(df=_read(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=20)
    if reader.is_alive():  # unblock a reader stuck on a second open, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a named pipe hung (it was opened twice)")
    assert len(result["df"]) == 2  # type: ignore[arg-type]


def test_a_gigabyte_of_blank_lines_in_a_seerstat_gzip_reads_in_seconds(tmp_path: Path) -> None:
    # attack: 1 GB of blank lines in a .txt.gz took 131 s (a Python loop per line); here 256 MiB,
    # timed in CPU seconds (the old path needs ~30, the columnar one ~1)
    src = DATA / "seerstat" / "labels_tab_unix.txt.gz"
    text = gzip.decompress(src.read_bytes())
    header, rows = text.split(b"\n", 1)
    path = _gz_repeat(tmp_path / "blank.txt.gz", header + b"\n", b"\n" * (1 << 24), 16, rows)
    (tmp_path / "blank.dic").write_bytes((DATA / "seerstat" / "labels_tab_unix.dic").read_bytes())
    start = time.process_time()
    df = _read(path)
    assert time.process_time() - start < 10.0
    assert len(df) == len(_read(src))
