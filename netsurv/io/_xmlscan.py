"""The fast path for NAACCR XML: a regex scan of the well-formed subset that writers produce.

Most NAACCR XML files are written the same way: an XML declaration, ``<NaaccrData ...>``, then
``<Patient>``, ``<Tumor>`` and ``<Item naaccrId="...">value</Item>`` elements without
attributes, comments, CDATA, entity references or a namespace prefix. For such text, C-level
regular expressions and ``str.split`` find every item; expat calls a Python function per element
and is 3-4 times slower. The scan proves the file belongs to the subset as it goes: every ``<``
is accounted for by a recognised tag, the text holds no character XML forbids, the structure
is ``NaaccrData > Patient > Tumor`` with items only where they belong, and the prolog and root
tag are parsed by expat (so a DOCTYPE or an unknown encoding never passes). Anything else raises
:class:`NotSubset`, and the caller reads the file with the event stream
(:mod:`netsurv.io._xmlstream`), whose rules (refusals, limits, exclusions, line numbers) are the
reference: both give the same frame on every file the scan accepts.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.parsers import expat

from netsurv.io._files import open_binary
from netsurv.io._xmlstream import NAACCR_NS, XmlLimits

__all__ = ["NotSubset", "scan_rows"]

_ROOT = re.compile(rb"<NaaccrData[\s>/]")
# what may precede the root: BOM, XML declaration, comments (expat checks their syntax)
_PROLOG = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^<>]*\?>)?(?:\s|<!--.*?-->)*\Z", re.DOTALL)
# bytes XML forbids in text (C0 controls), '&' (references: the event stream expands them)
_BAD_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), ord("&")])
_BAD_RUNS = re.compile(rb"]]>|\xef\xbf[\xbe\xbf]")  # "]]>", U+FFFE, U+FFFF
_PATIENT_END = "</Patient>"
_TUMOR_END = "</Tumor>"


class NotSubset(Exception):
    """The file is outside the subset the scan reads: use the event stream."""


@lru_cache(maxsize=8)
def _items(item_chars: int, attribute_chars: int) -> re.Pattern[str]:
    # an item with other attributes, white space at either end of its text (the event stream
    # strips it) or text longer than the cap does not match: the '<' count then differs and
    # the event stream reads the file (and names any error)
    return re.compile(
        rf'<Item naaccrId="([A-Za-z0-9_]{{1,{min(64, attribute_chars)}}})"'
        rf'(?: naaccrNum="[0-9]{{1,{min(9, attribute_chars)}}}")?>'
        rf"([^<\s](?:[^<]{{0,{item_chars - 2}}}[^<\s])?)?</Item>"
    )


def _root(head: bytes, limit: int) -> dict[str, str]:
    """Attributes of ``<NaaccrData>`` from the file's first bytes, parsed by expat."""
    found: dict[str, Any] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        found.setdefault("attrs", attrs)

    def decl(version: str, encoding: str | None, standalone: int) -> None:
        found["encoding"] = encoding

    def refuse(*args: object) -> None:
        raise NotSubset

    p = expat.ParserCreate()
    p.StartElementHandler = start
    p.XmlDeclHandler = decl
    p.StartDoctypeDeclHandler = refuse
    try:
        p.Parse(head, False)
    except (expat.ExpatError, LookupError, ValueError) as exc:
        raise NotSubset from exc
    attrs = found.get("attrs")
    encoding = (found.get("encoding") or "utf-8").lower().replace("_", "-")
    if attrs is None or encoding not in ("utf-8", "utf8"):
        raise NotSubset
    if attrs.get("xmlns", NAACCR_NS) != NAACCR_NS:
        raise NotSubset
    plain = {k: v for k, v in attrs.items() if k != "xmlns" and not k.startswith("xmlns:")}
    if any(":" in k or len(v) > limit for k, v in plain.items()):
        raise NotSubset  # prefixed attribute names or long values: the event stream's rules
    return plain


def _check(data: bytes) -> None:
    """Refuse (to the event stream) bytes the scan does not read as expat would."""
    if len(data.translate(None, _BAD_BYTES)) != len(data) or _BAD_RUNS.search(data):
        raise NotSubset


def _blank(text: str) -> bool:
    return not text or text.isspace()


class _Scan:
    """State across blocks of whole patients."""

    def __init__(self, limits: XmlLimits) -> None:
        if limits.depth < 4 or limits.item_chars < 2 or limits.attribute_chars < 1:
            raise NotSubset  # limits below what the subset holds: the event stream applies them
        self.items = _items(limits.item_chars, limits.attribute_chars)
        self.root_items: dict[str, str] = {}
        self.rows: list[dict[str, str]] = []
        self.patients = 0
        self.without_tumors = 0
        self.tumors = 0
        self.n_items = 0

    def _flat(self, text: str, start: int, stop: int) -> dict[str, str]:
        pairs = self.items.findall(text, start, stop)
        self.n_items += len(pairs)
        return dict(pairs)

    def block(self, text: str, first: bool) -> None:
        """Rows of a block of whole ``<Patient>`` elements (and, first, the root items)."""
        if "\r" in text:  # XML line-end normalisation, as expat does it
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.n_items = 0
        parts = text.split("<Patient>")
        if first:
            self.root_items = self._flat(parts[0], 0, len(parts[0]))
        tags = 0  # '<' that are not items: <Patient>, </Patient>, <Tumor>, </Tumor>
        for seg in parts[1:]:
            tags += 2 + 2 * self._patient(seg)
        if text.count("<") != 2 * self.n_items + tags:
            raise NotSubset  # markup the scan does not read: the event stream decides

    def _patient(self, seg: str) -> int:
        """Rows of one ``<Patient>`` (``seg``: its text after ``<Patient>``); its tumours."""
        self.patients += 1
        end = seg.rfind(_PATIENT_END)
        tumors = seg.split("<Tumor>")
        patient = self._flat(tumors[0], 0, end if len(tumors) == 1 else len(tumors[0]))
        pid = patient.get("patientIdNumber") or f"#{self.patients}"
        base = {**self.root_items, **patient}
        offset = len(seg) - len(tumors[-1])  # where the last tumour's text starts in seg
        if end < 0 or (len(tumors) > 1 and seg.rfind(_TUMOR_END) > end) or end < offset:
            raise NotSubset
        for i, part in enumerate(tumors[1:], start=1):
            stop = part.find(_TUMOR_END)
            if stop < 0:
                raise NotSubset
            row = {**base, **self._flat(part, 0, stop)}
            row["_location"] = f"Patient {pid} / Tumor {i}"
            self.rows.append(row)
        self.tumors += len(tumors) - 1
        self.without_tumors += len(tumors) == 1
        return len(tumors) - 1


def _head(fh: Any, limit: int) -> tuple[bytes, bytes]:
    """(prolog + root start tag, the bytes after it), reading at most ``limit`` bytes."""
    buf = b""
    while len(buf) < limit:
        more = fh.read(1 << 16)
        if not more:
            break
        buf += more
        m = _ROOT.search(buf)
        if m and buf.find(b">", m.start()) >= 0:
            close = buf.find(b">", m.start())
            if not _PROLOG.match(buf[: m.start()]) or buf[close - 1 : close] == b"/":
                raise NotSubset
            return buf[: close + 1], buf[close + 1 :]
    raise NotSubset


def scan_rows(
    path: Path, limits: XmlLimits, meta: dict[str, str], rows_per_chunk: int
) -> Iterator[list[dict[str, str]]]:
    """Yield lists of flattened Tumor rows as the event stream does; raise :class:`NotSubset`
    (possibly after yielding) when the file leaves the subset."""
    scan = _Scan(limits)
    carry_limit = max(8 << 20, 2 * limits.run_bytes)  # a patient is far smaller
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with open_binary(path) as fh:
            head, rest = _head(fh, 1 << 20)
            root = _root(head, limits.attribute_chars)
            _check(rest)
            carry, first, last = decoder.decode(rest), True, rest[-2:]
            while chunk := fh.read(limits.chunk_bytes):
                _check(last + chunk)  # runs across the chunk boundary too
                last = chunk[-2:]
                text = carry + decoder.decode(chunk)
                cut = text.rfind(_PATIENT_END, max(0, len(carry) - len(_PATIENT_END)))
                if cut < 0:
                    if len(text) > carry_limit:
                        raise NotSubset
                    carry = text
                    continue
                cut += len(_PATIENT_END)
                scan.block(text[:cut], first)
                carry, first = text[cut:], False
                if len(scan.rows) >= rows_per_chunk:
                    yield scan.rows
                    scan.rows = []
            tail = carry + decoder.decode(b"", final=True)
    except (UnicodeDecodeError, OSError, EOFError) as exc:
        raise NotSubset from exc
    end = tail.rfind("</NaaccrData>")
    if end < 0 or not _blank(tail[end + len("</NaaccrData>") :]):
        raise NotSubset
    scan.block(tail[:end], first)
    meta.update(root)
    meta["_patients"] = str(scan.patients)
    meta["_patients_without_tumors"] = str(scan.without_tumors)
    meta["_tumor_elements"] = str(scan.tumors)
    yield scan.rows
