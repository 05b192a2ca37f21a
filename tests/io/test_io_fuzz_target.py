"""Seeded fuzz target for the readers: thousands of mutated files per reader per run.

Each mutation (seeded numpy generator, so a failure reproduces) swaps, duplicates, drops or
joins lines, renames or moves markup, and edits bytes of a valid fixture. A reader must

- raise nothing but a NetsurvError (no KeyError, UnicodeDecodeError, ExpatError, ...);
- finish within ``HANG_SECONDS`` (a SIGALRM timer turns a hang into a failure);
- lose no row: a NAACCR XML file read returns one row per ``<Tumor>`` element, counted here
  independently with ``xml.etree.ElementTree``; a SEER*Stat export read by the columnar path
  equals the reference (``csv`` module) path, whose rows are the file's non-blank data lines.
"""

from __future__ import annotations

import gzip
import re
import signal
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import netsurv.io as nio
from netsurv.errors import NetsurvError, ReadError
from netsurv.io import naaccr, seerstat
from netsurv.io._dic import parse_dic
from netsurv.io._xmlstream import XmlLimits, stream_rows
from tests.io.xml_paths import scan_reads, stream_frame
from tests.paths import DATA

HANG_SECONDS = 10
N_MUTATIONS = {"naaccr-xml": 700, "seerstat": 600}  # per fixture: ~15 CPU-s per test
N_REFERENCE_CASES = 200  # ~15 CPU-s
_BYTES = np.frombuffer(b'\t,;" \r\n<>/=&!?[]019.-+\x00\x80\xc3\xff', dtype=np.uint8)
_MARKUP = [b"<Tumor>", b"</Tumor>", b"<Patient>", b"</Patient>", b"<Item", b"</Item>"]


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    def hang(signum: int, frame: object) -> None:
        raise TimeoutError(f"a reader ran longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def mutate(data: bytes, rng: np.random.Generator) -> bytes:
    """A few line edits (swap, duplicate, drop, join), markup moves and byte edits."""
    lines = data.split(b"\n")
    for _ in range(rng.integers(0, 4)):
        i, j = rng.integers(0, len(lines), 2)
        op = rng.integers(0, 5)
        if op == 0:
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 1:
            lines.insert(i, lines[j])
        elif op == 2 and len(lines) > 1:
            del lines[i]
        elif op == 3 and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + lines[i + 1]]
        elif op == 4:  # put a piece of markup where it does not belong
            lines.insert(i, _MARKUP[rng.integers(0, len(_MARKUP))])
    buf = bytearray(b"\n".join(lines))
    for _ in range(rng.integers(0, 4)):
        i = int(rng.integers(0, max(len(buf), 1)))
        op = rng.integers(0, 3)
        byte = int(_BYTES[rng.integers(0, len(_BYTES))])
        if op == 0 and buf:
            buf[min(i, len(buf) - 1)] = byte
        elif op == 1:
            buf.insert(i, byte)
        elif buf:
            del buf[min(i, len(buf) - 1)]
    if rng.random() < 0.1:
        buf = buf[: int(rng.integers(0, len(buf) + 1))]
    return bytes(buf)


def _tumours(path: Path) -> int | None:
    """``<Tumor>`` elements (NAACCR namespace or none) counted by ElementTree; None if the
    file is not well formed for it."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, ValueError, LookupError):
        return None
    names = {"Tumor", "{http://naaccr.org/naaccrxml}Tumor"}
    return sum(1 for el in root.iter() if el.tag in names)


def _run(name: str, make: Callable[[Path, np.random.Generator], Path]) -> dict[str, int]:
    """Read ``N_MUTATIONS[reader]`` mutated files; return the outcome counts (asserting as it goes)."""
    rng = np.random.default_rng(sum(name.encode()))  # seeded by the name: reproducible
    counts = {"inputs": 0, "rows": 0, "netsurv errors": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(N_MUTATIONS[name.split()[0]]):
            path = make(Path(tmp), rng)
            counts["inputs"] += 1
            try:
                with _deadline(HANG_SECONDS):
                    df = nio.read(path, classify=False)
            except NetsurvError:
                counts["netsurv errors"] += 1
                continue
            except Exception as exc:  # a foreign exception is the failure being hunted
                raise AssertionError(f"{name} mutation {k}: {type(exc).__name__}: {exc}") from exc
            counts["rows"] += len(df)
            _check_no_loss(path, df, f"{name} mutation {k}")
    return counts


def _check_no_loss(path: Path, df: pd.DataFrame, what: str) -> None:
    if path.suffix == ".xml":
        expected = _tumours(path)
        assert expected is not None, f"{what}: ElementTree refuses a file netsurv read"
        assert len(df) == expected, f"{what}: {expected} <Tumor> elements, {len(df)} rows"
        assert df.attrs["netsurv_source"]["records_read"] == expected
        # the regex scan (used when the file is in its subset) equals the event stream
        chunks = stream_rows(path, XmlLimits(), {}, 10**6)
        stream = naaccr._frames(chunks, path=path, study_cutoff=None, survival="active")
        pd.testing.assert_frame_equal(df, pd.concat(stream, ignore_index=True), obj=what)
    elif path.suffix in (".txt", ".gz"):
        data, dic_path = seerstat.locate_export(path)
        reference = pd.concat(seerstat._read_lines(data, parse_dic(dic_path)), ignore_index=True)
        pd.testing.assert_frame_equal(df, reference, obj=what)  # columnar path = reference


_FIXTURE = (DATA / "naaccr" / "multi_tumour.xml").read_bytes()
# the fixture without its extension element and comments: inside the regex scan's subset
_SUBSET = re.sub(rb"<!--.*?-->|\n *<ext:Note>.*?</ext:Note>", b"", _FIXTURE, flags=re.DOTALL)


def _spec_forms(data: bytes) -> bytes:
    """The subset fixture in other forms naaccr_data_1.8.xsd and XML allow, which the regex scan
    reads too: a namespace prefix, single quotes, naaccrNum before and after naaccrId, entity and
    character references, an empty item, a comment inside a patient and CRLF line ends."""
    text = re.sub(r"<(/?)(NaaccrData|Patient|Tumor|Item)\b", r"<\1n:\2", data.decode())
    text = text.replace(
        'xmlns="http://naaccr.org/naaccrxml"', 'xmlns:n="http://naaccr.org/naaccrxml"'
    )
    text = re.sub(r'naaccrId="(sex|grade)"', r"naaccrNum='7' naaccrId='\1'", text)
    text = re.sub(r'naaccrId="(\w+)"', r"naaccrId='\1' naaccrNum='9'", text, count=3)
    text = re.sub(r'naaccrId="(\w+)"', r"naaccrId='\1'", text)
    extra = (
        "<n:Item naaccrId='textRemarks'>A &amp; B &lt;3 &#233;t&#xE9; &quot;x&apos;&#32;</n:Item>"
        "<n:Item naaccrId='textStaging'/><!-- a comment -->\n"
    )
    text = text.replace("<n:Tumor>", "<n:Tumor>" + extra, 2)
    return text.replace("\n", "\r\n").encode()


_FORMS = _spec_forms(_SUBSET)


def _xml(tmp: Path, rng: np.random.Generator) -> Path:
    path = tmp / "m.xml"
    path.write_bytes(mutate(_FIXTURE, rng))
    return path


def _xml_subset(tmp: Path, rng: np.random.Generator) -> Path:
    path = tmp / "m.xml"
    path.write_bytes(mutate(_SUBSET, rng))
    return path


def _xml_forms(tmp: Path, rng: np.random.Generator) -> Path:
    path = tmp / "m.xml"
    path.write_bytes(mutate(_FORMS, rng))
    return path


def _seer(stem: str, gz: bool = False) -> Callable[[Path, np.random.Generator], Path]:
    def make(tmp: Path, rng: np.random.Generator) -> Path:
        src = DATA / "seerstat" / (stem + (".txt.gz" if gz else ".txt"))
        raw = src.read_bytes()
        text = mutate(gzip.decompress(raw) if gz else raw, rng)
        path = tmp / src.name
        path.write_bytes(gzip.compress(text, 1) if gz else text)
        dic = (DATA / "seerstat" / f"{stem}.dic").read_bytes()
        (tmp / f"{stem}.dic").write_bytes(mutate(dic, rng) if rng.random() < 0.2 else dic)
        return path

    return make


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("naaccr-xml", _xml),
        ("naaccr-xml subset", _xml_subset),
        ("naaccr-xml spec forms", _xml_forms),
        ("seerstat numeric tab", _seer("numeric_tab")),
        ("seerstat labels comma", _seer("labels_comma")),
        ("seerstat labels tab gzip", _seer("labels_tab_unix", gz=True)),
    ],
)
def test_mutated_registry_files_give_netsurv_errors_or_every_row(
    name: str, make: Callable[[Path, np.random.Generator], Path]
) -> None:
    counts = _run(name, make)
    # both outcomes occur, so the mutations neither always break nor never touch the files
    assert counts["netsurv errors"] > 0
    assert counts["rows"] > 0


# item text pieces: references that give white space, markup characters, '&' and quotes, one
# that is not a line end (&#13;), characters str.strip removes (U+00A0, U+2028, U+0085), raw
# characters, and now and then one XML does not define or allow
_PIECES = [
    *("a", "Z", "9", "\u00e9", ">", '"', "'", "]"),
    *("&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#38;amp;", "&#x26;lt;", "&amp;amp;"),
    *("&#32;", "&#x20;", "&#9;", "&#10;", "&#13;", "&#160;", "&#x2028;", "&#133;"),
    *("&#60;", "&#62;", "&#34;", "&#39;", "&#233;", "&#xE9;", "&#x1F600;", "&#0065;"),
]
_BAD_PIECES = ["&foo;", "&", "&#0;", "&#xD800;", "&#xFFFE;", "&#x110000;", "&amp"]
_SPACES = [" ", "\t", "\n", "\r\n", "\r"]  # raw: at either end of a text, the scan leaves
_SITES = ["<Tumor>", "</Tumor>", "<Patient>", "</Patient>", "recordType"]


def _item_text(rng: np.random.Generator, length: int) -> str:
    """Pieces drawn until the next would pass ``length`` characters as written."""
    text = ""
    while True:
        draw = rng.random()
        piece = str(rng.choice(_BAD_PIECES if draw < 0.01 else _SPACES if draw < 0.05 else _PIECES))
        if len(text) + len(piece) > length:
            return text
        text += piece


def _with_text_items(rng: np.random.Generator, cap: int) -> bytes:
    """The subset fixture with 1-5 text items (near ``cap`` characters as written) at the
    start or end of the root, of patients and of tumours, some of them named twice."""
    text = _SUBSET.decode()
    for _ in range(rng.integers(1, 6)):
        name = rng.choice(["textRemarks", "textStaging", "patientIdNumber", "registryId"])
        item = f'<Item naaccrId="{name}">{_item_text(rng, cap + int(rng.integers(-8, 2)))}</Item>'
        site = str(rng.choice(_SITES))
        spots = [m.start() for m in re.finditer(re.escape(site), text)]
        at = spots[int(rng.integers(0, len(spots)))]
        if site == "recordType":  # the root's first item
            at = text.index(">", at) + 1
        elif not site.startswith("</"):
            at += len(site)
        text = text[:at] + item + text[at:]
    return text.encode()


def _read(path: Path, limits: XmlLimits, scan: bool) -> pd.DataFrame | str:
    """The frame ``read_naaccr_xml`` returns (scan, else stream) or the event stream's frame;
    the ReadError message instead of a frame."""
    try:
        if scan:
            return naaccr.read_naaccr_xml(path, classify=False, limits=limits)
        return stream_frame(path, limits)
    except ReadError as exc:
        return str(exc)


def test_references_and_texts_near_the_cap_read_by_the_scan_equal_the_event_stream() -> None:
    rng = np.random.default_rng(2026)
    outcomes = {"scan": 0, "fallback": 0, "errors": 0}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "refs.xml"
        for k in range(N_REFERENCE_CASES):
            limits = XmlLimits(item_chars=int(rng.integers(12, 60)))
            path.write_bytes(_with_text_items(rng, limits.item_chars))
            outcomes["scan" if scan_reads(path, limits) else "fallback"] += 1
            got, want = _read(path, limits, True), _read(path, limits, False)
            if isinstance(want, str):
                outcomes["errors"] += 1
                assert got == want, f"case {k}"
            else:
                assert not isinstance(got, str), f"case {k}: {got}"
                pd.testing.assert_frame_equal(got, want, obj=f"case {k}")
    # each outcome occurs often: the cases reach the scan, its fallback and the stream's errors
    assert min(outcomes.values()) >= N_REFERENCE_CASES // 10, outcomes
