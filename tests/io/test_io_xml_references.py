"""References in NAACCR XML item text: the regex scan reads them as the event stream does.

Expected values are written by hand from XML 1.0: the five predefined entities (section 4.6),
character references by code point (4.1), a reference's character is never read as markup or
as the start of another reference (4.4.5, "included"), and a character reference to a carriage
return is not a line end (2.11 normalises literal line ends only). Item text is then stripped
at both ends with ``str.strip`` (the event stream's rule), so a white space character produced
by a reference at either end goes too. Each case also checks that the scan, not the fallback,
read the file (``scan_rows`` raises ``NotSubset`` when it leaves the subset) and that its frame
equals the event stream's.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from netsurv.errors import ReadError
from netsurv.io import naaccr
from netsurv.io._xmlscan import scan_rows
from netsurv.io._xmlstream import XmlLimits
from tests.io.xml_paths import scan_reads, stream_frame

_FILE = """<?xml version="1.0" encoding="UTF-8"?>
<NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-250.xml"
 recordType="I" xmlns="http://naaccr.org/naaccrxml">
<Item naaccrId="registryId">{root}</Item>
<Patient>
<Item naaccrId="patientIdNumber">{pid}</Item>
<Item naaccrId="textUsual">{patient}</Item>
<Tumor>
<Item naaccrId="textRemarks">{tumour}</Item>
<Item naaccrId="primarySite">C250</Item>
<Item naaccrId="textStaging">{tumour}</Item>
</Tumor>
<Tumor><Item naaccrId="primarySite">C181</Item></Tumor>
</Patient>
</NaaccrData>
"""

CASES = [
    ("A &amp; B", "A & B"),
    ("&lt;5 mm &gt;2 cm", "<5 mm >2 cm"),
    ("&#60;Item&#62;x&#60;/Item&#62;", "<Item>x</Item>"),  # markup from references is text
    ("&quot;x&apos; &#34;y&#39;", "\"x' \"y'"),
    ("&amp;amp; &amp;lt;", "&amp; &lt;"),  # the '&' of '&amp;' does not start a reference
    ("&#38;amp; &#x26;lt;", "&amp; &lt;"),  # nor does a character reference's '&'
    ("&amp;", "&"),  # a reference the whole text
    ("&#32;a b&#32;", "a b"),  # white space from references at either end is stripped
    ("&#9;&#10;a&#x20;&#10;", "a"),
    ("a&#10;&#9;b", "a\n\tb"),  # ... and kept inside
    ("a&#13;b", "a\rb"),  # a reference to CR is not a line end
    ("&#160;a&#x2028;", "a"),  # str.strip removes U+00A0 and U+2028 as the stream does
    ("&#xE9;t&#233; &#x1F600;", "\u00e9t\u00e9 \U0001f600"),
]


def _write(tmp: Path, text: str, pid: str = "00000101") -> Path:
    path = tmp / "refs.xml"
    body = _FILE.format(root=text, pid=pid, patient=text, tumour=text)
    path.write_bytes(body.encode())
    return path


@pytest.mark.parametrize(("raw", "value"), CASES)
def test_references_in_item_text_read_by_the_scan_as_xml_defines_them(
    tmp_path: Path, raw: str, value: str
) -> None:
    path = _write(tmp_path, raw)
    assert scan_reads(path, XmlLimits())
    df = naaccr.read_naaccr_xml(path, classify=False)
    # root, patient and two tumour-level items (at a tumour's start and end) hold the text
    for column in ("registry_id", "text_usual", "text_remarks", "text_staging"):
        assert df[column].iloc[0] == value, column
    assert df["registry_id"].iloc[1] == value and df["text_usual"].iloc[1] == value
    pd.testing.assert_frame_equal(df, stream_frame(path, XmlLimits()))


def test_a_patient_id_with_references_names_the_rows_expanded(tmp_path: Path) -> None:
    path = _write(tmp_path, "x", pid="&#32;A&amp;1")
    assert scan_reads(path, XmlLimits())
    rows = next(iter(scan_rows(path, XmlLimits(), {}, 10**6)))
    assert [r["_location"] for r in rows] == ["Patient A&1 / Tumor 1", "Patient A&1 / Tumor 2"]
    pd.testing.assert_frame_equal(
        naaccr.read_naaccr_xml(path, classify=False), stream_frame(path, XmlLimits())
    )


def test_an_item_named_twice_keeps_its_last_text_expanded(tmp_path: Path) -> None:
    twice = (
        '<Item naaccrId="textRemarks">&amp;amp;</Item><Item naaccrId="textRemarks">&amp;</Item>'
        '<Item naaccrId="textRemarks">&amp;amp;</Item>'
    )
    path = _write(tmp_path, "x")
    path.write_text(path.read_text().replace("<Tumor>", "<Tumor>" + twice, 1))
    assert scan_reads(path, XmlLimits())
    df = naaccr.read_naaccr_xml(path, classify=False)
    assert df["text_remarks"].iloc[0] == "x"  # the item after the three (the fixture's own)
    path.write_text(path.read_text().replace('<Item naaccrId="textRemarks">x</Item>', "", 1))
    df = naaccr.read_naaccr_xml(path, classify=False)
    assert df["text_remarks"].iloc[0] == "&amp;"  # the third: '&amp;amp;' once expanded
    pd.testing.assert_frame_equal(df, stream_frame(path, XmlLimits()))


@pytest.mark.parametrize(
    "raw",
    ["&foo;", "a & b", "&#65", "&amp", "&#0;", "&#xD800;", "&#xFFFE;", "&#x110000;", "&#1114112;"],
)
def test_references_xml_does_not_define_are_refused_as_the_stream_refuses_them(
    tmp_path: Path, raw: str
) -> None:
    path = _write(tmp_path, raw)
    assert not scan_reads(path, XmlLimits())
    with pytest.raises(ReadError, match="not well formed"):
        naaccr.read_naaccr_xml(path, classify=False)


def test_an_undefined_entity_in_an_overridden_or_unused_item_is_still_refused(
    tmp_path: Path,
) -> None:
    # the patient's textRemarks is replaced on every row by the tumour's; a patient without
    # tumours gives no row: expat refuses the file all the same
    overridden = _write(tmp_path, "x")
    text = overridden.read_text().replace(
        '<Item naaccrId="textUsual">x</Item>', '<Item naaccrId="textRemarks">&foo;</Item>'
    )
    overridden.write_text(
        text.replace("<Tumor><Item", '<Tumor><Item naaccrId="textRemarks">y</Item><Item')
    )
    assert not scan_reads(overridden, XmlLimits())
    with pytest.raises(ReadError, match="not well formed"):
        naaccr.read_naaccr_xml(overridden, classify=False)
    lonely = _write(tmp_path, "x")
    lonely.write_text(
        lonely.read_text().replace(
            "</NaaccrData>",
            '<Patient><Item naaccrId="textUsual">&#0;</Item></Patient></NaaccrData>',
        )
    )
    assert not scan_reads(lonely, XmlLimits())
    with pytest.raises(ReadError, match="not well formed"):
        naaccr.read_naaccr_xml(lonely, classify=False)


def test_a_reference_outside_item_text_leaves_the_scan_and_the_stream_reads_it(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, "x")
    path.write_text(path.read_text().replace("<Tumor>\n", "<Tumor> &amp; \n", 1))
    assert not scan_reads(path, XmlLimits())
    df = naaccr.read_naaccr_xml(path, classify=False)
    assert df["text_remarks"].iloc[0] == "x"  # text between elements is not an item's
    pd.testing.assert_frame_equal(df, stream_frame(path, XmlLimits()))


@pytest.mark.parametrize(
    ("raw", "scan"),
    [
        ("&amp;" * 4, True),  # 20 characters written, 4 read: within the cap of 20
        ("&amp;" * 4 + "x", False),  # 21 written, 5 read: the stream reads it
        ("&#32;" + "x" * 15, True),  # 20 written, 16 read, 15 after stripping
        ("&#32;" * 4 + "y", False),  # 21 written, 5 read (4 spaces count against the cap)
    ],
)
def test_the_length_cap_applies_to_the_text_as_written_in_the_scan(
    tmp_path: Path, raw: str, scan: bool
) -> None:
    limits = XmlLimits(item_chars=20)
    path = _write(tmp_path, raw)
    assert scan_reads(path, limits) == scan
    df = naaccr.read_naaccr_xml(path, classify=False, limits=limits)
    pd.testing.assert_frame_equal(df, stream_frame(path, limits))


def test_a_text_longer_than_the_cap_once_read_is_refused_by_both_paths(tmp_path: Path) -> None:
    limits = XmlLimits(item_chars=20)
    path = _write(tmp_path, "&amp;" * 21)  # 21 characters read
    assert not scan_reads(path, limits)
    with pytest.raises(ReadError, match="longer than 20 characters"):
        naaccr.read_naaccr_xml(path, classify=False, limits=limits)
