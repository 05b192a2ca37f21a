"""Fuzz: mutated registry files thrown at every reader; only netsurv's own errors may come out.

A mutation is a few line edits (duplicate, drop, join), a short list of byte edits (replace,
insert, delete) and an optional truncation,
applied to a valid fixture; for SEER*Stat exports the .dic is mutated too. A reader must either
return a DataFrame (rows read = rows returned) or raise a NetsurvError — never a KeyError,
IndexError, UnicodeDecodeError, ParseError or other bug.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import netsurv.io as nio
from netsurv.errors import NetsurvError
from tests.paths import DATA

DATA = DATA
SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
# bytes that matter to the formats: delimiters, quotes, line ends, markup, digits, high bytes
INTERESTING = st.sampled_from([*b'\t,;" \r\n<>/=&!?[]019.-+', 0x00, 0x80, 0xC3, 0xFF])
EDIT = st.tuples(
    st.floats(0, 1, allow_nan=False), st.sampled_from(["replace", "insert", "delete"]), INTERESTING
)
LINE_EDIT = st.tuples(st.floats(0, 1, allow_nan=False), st.sampled_from(["dup", "drop", "join"]))
MUTATION = st.tuples(
    st.lists(EDIT, min_size=1, max_size=6),
    st.none() | st.floats(0.05, 1),
    st.lists(LINE_EDIT, max_size=2),
)


def _lines(data: bytes, edits: list[tuple[float, str]]) -> bytes:
    lines = data.split(b"\n")
    for where, op in edits:
        i = min(int(where * len(lines)), len(lines) - 1)
        if op == "dup":
            lines.insert(i, lines[i])
        elif op == "drop" and len(lines) > 1:
            del lines[i]
        elif op == "join" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + lines[i + 1]]
    return b"\n".join(lines)


def mutate(data: bytes, mutation: tuple) -> bytes:  # type: ignore[type-arg]
    """Apply line edits, then byte edits, then an optional truncation."""
    edits, cut, line_edits = mutation
    buf = bytearray(_lines(data, line_edits))
    for where, op, byte in edits:
        i = min(int(where * len(buf)), max(len(buf) - 1, 0))
        if op == "replace" and buf:
            buf[i] = byte
        elif op == "insert":
            buf.insert(i, byte)
        elif buf:
            del buf[i]
    if cut is not None:
        buf = buf[: int(cut * len(buf))]
    return bytes(buf)


def _check(path: Path) -> None:
    try:
        df = nio.read(path, classify=False)
    except NetsurvError:
        return
    assert isinstance(df, pd.DataFrame)


def _seer(name: str, data_mut: tuple, dic_mut: tuple | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        txt = Path(tmp) / f"{name}.txt"
        txt.write_bytes(mutate((DATA / "seerstat" / f"{name}.txt").read_bytes(), data_mut))
        dic = (DATA / "seerstat" / f"{name}.dic").read_bytes()
        (Path(tmp) / f"{name}.dic").write_bytes(dic if dic_mut is None else mutate(dic, dic_mut))
        _check(txt)


@SETTINGS
@given(MUTATION, st.none() | MUTATION)
def test_mutated_numeric_seerstat_export_gives_only_netsurv_errors(data_mut, dic_mut) -> None:  # type: ignore[no-untyped-def]
    _seer("numeric_tab", data_mut, dic_mut)


@SETTINGS
@given(MUTATION, st.none() | MUTATION)
def test_mutated_labels_seerstat_export_gives_only_netsurv_errors(data_mut, dic_mut) -> None:  # type: ignore[no-untyped-def]
    _seer("labels_comma", data_mut, dic_mut)


@SETTINGS
@given(MUTATION)
def test_mutated_gzip_seerstat_export_gives_only_netsurv_errors(mutation) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        gz = Path(tmp) / "labels_tab_unix.txt.gz"
        gz.write_bytes(mutate((DATA / "seerstat" / gz.name).read_bytes(), mutation))
        shutil.copy(DATA / "seerstat" / "labels_tab_unix.dic", Path(tmp) / "labels_tab_unix.dic")
        _check(gz)


@SETTINGS
@given(MUTATION)
def test_mutated_naaccr_xml_gives_only_netsurv_errors(mutation) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "m.xml"
        xml.write_bytes(mutate((DATA / "naaccr" / "multi_tumour.xml").read_bytes(), mutation))
        _check(xml)


@SETTINGS
@given(MUTATION)
def test_mutated_csv_table_gives_only_netsurv_errors(mutation) -> None:  # type: ignore[no-untyped-def]
    csv = (
        b"patient_id,tumor_seq,survival_months,dead,primary_site,year_dx\n"
        b"001,00,12,1,C250,2010\n002,01,0,0,C181,2012\n003,00,,1,C170,2019\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        path.write_bytes(mutate(csv, mutation))
        _check(path)
