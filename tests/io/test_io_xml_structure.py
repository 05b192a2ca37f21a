"""Structure the regex scan finds by position: anything but ``Patient > Tumor > Item`` leaves it.

The scan locates ``<Patient>``, ``<Tumor>`` and their end tags with ``str.find`` and counts the
``<`` it read; markup elsewhere (an item after a tumour, between patients, a tumour after its
patient's end, a nested element) must make it hand the file to the event stream, whose rules
decide: the NAACCR XML layout (naaccr_data_1.8.xsd) and the event handlers'
(``netsurv/io/_xmlevents.py``: an item belongs to the innermost open Patient or Tumor, or to
NaaccrData). Each case checks the scan's decision and that the frame (or error) is the stream's.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from netsurv.errors import ReadError
from netsurv.io import naaccr
from netsurv.io._xmlscan import NotSubset, scan_rows
from netsurv.io._xmlstream import XmlLimits, stream_rows

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<NaaccrData recordType="I" '
    'xmlns="http://naaccr.org/naaccrxml">\n<Item naaccrId="registryId">1</Item>\n'
)
_PATIENT = (
    '<Patient>\n<Item naaccrId="patientIdNumber">{pid}</Item><Item naaccrId="sex">2</Item>\n'
    '<Tumor><Item naaccrId="primarySite">C250</Item></Tumor>\n'
    '<Tumor><Item naaccrId="primarySite">C181</Item></Tumor>\n</Patient>\n'
)
_FILE = _HEAD + _PATIENT.format(pid="P1") + _PATIENT.format(pid="P2") + "</NaaccrData>\n"


def _frame_or_error(path: Path, scan: bool) -> pd.DataFrame | str:
    try:
        if scan:
            return naaccr.read_naaccr_xml(path, classify=False)
        chunks = stream_rows(path, XmlLimits(), {}, 10**6)
        frames = naaccr._frames(chunks, path=path, study_cutoff=None, survival="active")
        return pd.concat(frames, ignore_index=True)
    except ReadError as exc:
        return str(exc)


def _scan_reads(path: Path) -> bool:
    try:
        for _ in scan_rows(path, XmlLimits(), {}, 10**6):
            pass
    except NotSubset:
        return False
    return True


@pytest.mark.parametrize(
    ("old", "new", "scan"),
    [
        ("", "", True),  # the file as it is
        ("<Tumor>", "<Tumor> text between tags, ignored ", True),
        ("</Tumor>\n</Patient>", '</Tumor><Item naaccrId="sex">1</Item>\n</Patient>', False),
        ("</Patient>\n<Patient>", '</Patient><Item naaccrId="registryId">9</Item><Patient>', False),
        (
            "</Patient>\n<Patient>",
            '</Patient><Tumor><Item naaccrId="primarySite">C170</Item></Tumor><Patient>',
            False,
        ),
        ("</Patient>\n<Patient>", "</Patient></Patient>\n<Patient>", False),
        ("<Tumor><Item", "<Tumor><Tumor></Tumor><Item", False),
        ('<Item naaccrId="sex">', '<Patient></Patient><Item naaccrId="sex">', False),
        ("</Tumor>\n</Patient>", "\n</Patient>", False),
        ("<Tumor><Item", "<Tumor><!-- a comment --><Item", True),
        ("<Tumor><Item", "<Tumor><X/><Item", False),
        # attribute order: naaccrNum first is read; given twice it is not XML (the stream says so)
        ('<Item naaccrId="sex">', '<Item naaccrNum="220" naaccrId="sex">', True),
        ('<Item naaccrId="sex">', '<Item naaccrNum="220" naaccrId="sex" naaccrNum="2">', False),
        ('<Item naaccrId="sex">', '<Item naaccrNum="220"  naaccrId="sex">', True),  # flexible
    ],
)
def test_markup_outside_patient_tumour_item_leaves_the_scan_and_the_stream_decides(
    tmp_path: Path, old: str, new: str, scan: bool
) -> None:
    path = tmp_path / "s.xml"
    path.write_text(_FILE.replace(old, new, 1) if old else _FILE)
    assert _scan_reads(path) == scan
    got, want = _frame_or_error(path, True), _frame_or_error(path, False)
    if isinstance(want, str):
        assert got == want
    else:
        assert not isinstance(got, str), got
        pd.testing.assert_frame_equal(got, want)
