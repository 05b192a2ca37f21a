"""The fast path for NAACCR XML: a regex scan of the well-formed subset that writers produce.

Most NAACCR XML files are written the same way: an XML declaration, ``<NaaccrData ...>``, then
``<Patient>``, ``<Tumor>`` and ``<Item naaccrId="...">value</Item>`` elements without other
attributes or markup. For such text, C-level regular expressions and ``str.find`` find every
item; expat calls a Python function per element and is 3-4 times slower. The subset also takes
the forms the NAACCR XML specification allows and other writers use: one namespace prefix
bound to the NAACCR namespace (``<n:Item>``), ``naaccrNum`` before or after ``naaccrId``, single
or double quotes (one kind per file), empty items (``<Item naaccrId="x"/>``), comments, and the
five predefined entity and numeric character references in item text (``&amp;``, ``&#233;``;
long text items hold them). The scan proves the file belongs to the subset as it goes: every
``<`` is accounted for by a recognised tag, every ``&`` lies in an item text whose references
expat itself expands (and refuses when XML does not define them), the text holds no character
XML forbids, the structure is ``NaaccrData > Patient > Tumor`` with
items only where they belong, and the prolog and root tag are parsed by expat (so a DOCTYPE or
an unknown encoding never passes). Anything else raises :class:`NotSubset`, and the caller reads
the file with the event stream (:mod:`netsurv.io._xmlstream`), whose rules (refusals, limits,
exclusions, line numbers) are the reference: both give the same frame on every file the scan
accepts (``tests/io/test_io_fuzz_target.py`` checks it on mutated files and on item texts
full of references near the length cap).

The parts: :mod:`netsurv.io._xmlsubset` checks the prolog, root tag and bytes;
:mod:`netsurv.io._xmlblock` finds the rows of each block of whole patients;
:mod:`netsurv.io._xmlrefs` expands references; the event handlers both paths share are in
:mod:`netsurv.io._xmlevents`.

Measured (``benchmarks/bench_read.py``, files of ``benchmarks/make_read_files.py``): a file with
long text items holding ``&amp;`` or a namespace prefix left the older subset and took the event
stream, 2.7-2.9 times one expat pass with a start handler; through the scan, see README "Speed".
On ``wide.xml`` (long texts with dozens of references per item), expanding references with
``str.replace`` per item and per distinct reference made the reader 2.5 times the expat pass;
one expat pass over the block's item texts that hold an ``&`` brought it to 2.1 (CPU seconds,
same run: 7.6 s and 6.6 s against 3.1 s), an item regex without a bounded repeat to 2.0.
``variant.xml`` (naaccrNum first, comments, empty items) took the flexible regex for every
item, 2.3 times the expat pass; the plain regex, which now takes naaccrNum first too, on the
text with comments removed and empty items in full: 1.9.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from netsurv.io._files import open_binary
from netsurv.io._xmlblock import BlockScan
from netsurv.io._xmlevents import XmlLimits
from netsurv.io._xmlsubset import NotSubset, check_bytes, is_blank, parse_root, read_head

__all__ = ["CHUNK_CHARS", "NotSubset", "scan_rows"]

# a chunk of rows also ends after this much text: wide files (a hundred items and long texts
# per tumour) made 20,000 rows hold ~300 MB of Python objects (bench_read.py on wide.xml of
# benchmarks/make_read_files.py: peak 682 MiB for a 214 MiB frame)
CHUNK_CHARS = 96 << 20


def scan_rows(
    path: Path, limits: XmlLimits, meta: dict[str, str], rows_per_chunk: int
) -> Iterator[list[dict[str, str]]]:
    """Yield lists of flattened Tumor rows as the event stream does; raise :class:`NotSubset`
    (possibly after yielding) when the file leaves the subset."""
    pending = 0  # characters of the rows not yet yielded
    carry_limit = max(8 << 20, 2 * limits.run_bytes)  # a patient is far smaller
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with open_binary(path) as fh:
            head, rest = read_head(fh, 1 << 20)
            root, prefix = parse_root(head, limits.attribute_chars)
            scan = BlockScan(limits, prefix)
            scan.head = head
            patient_end = f"</{prefix}Patient>"
            check_bytes(rest)
            carry, first, last = decoder.decode(rest), True, rest[-2:]
            while chunk := fh.read(limits.chunk_bytes):
                check_bytes(last + chunk)  # runs across the chunk boundary too
                last = chunk[-2:]
                text = carry + decoder.decode(chunk)
                cut = text.rfind(patient_end, max(0, len(carry) - len(patient_end)))
                if cut < 0:
                    if len(text) > carry_limit:
                        raise NotSubset
                    carry = text
                    continue
                cut += len(patient_end)
                scan.block(text[:cut], first)
                carry, first, pending = text[cut:], False, pending + cut
                if len(scan.rows) >= rows_per_chunk or pending >= CHUNK_CHARS:
                    pending = 0
                    yield scan.rows
                    scan.rows = []
            tail = carry + decoder.decode(b"", final=True)
    except (UnicodeDecodeError, OSError, EOFError) as exc:
        raise NotSubset from exc
    root_end = f"</{prefix}NaaccrData>"
    end = tail.rfind(root_end)
    if end < 0 or not is_blank(tail[end + len(root_end) :]):
        raise NotSubset
    scan.block(tail[:end], first)
    meta.update(root)
    meta["_patients"] = str(scan.patients)
    meta["_patients_without_tumors"] = str(scan.without_tumors)
    meta["_tumor_elements"] = str(scan.tumors)
    yield scan.rows
