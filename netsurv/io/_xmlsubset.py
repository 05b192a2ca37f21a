"""The file-level checks of the NAACCR XML regex scan: prolog, root tag, bytes, root items.

The regex scan (:mod:`netsurv.io._xmlscan`) reads only the well-formed subset writers produce;
these checks prove a file's head and bytes belong to it: the prolog (BOM, XML declaration,
comments) and the ``<NaaccrData>`` start tag are parsed by expat, so a DOCTYPE or an encoding
other than UTF-8 never passes, and no byte XML forbids in text is present. Anything else raises
:class:`NotSubset`, and the caller reads the file with the event stream
(:mod:`netsurv.io._xmlstream`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.parsers import expat

from netsurv.errors import NetsurvError
from netsurv.io._xmlevents import NAACCR_NS, EventStream, XmlLimits, event_parser

__all__ = ["NotSubset", "check_bytes", "is_blank", "parse_root", "read_head", "root_items"]

_ROOT = re.compile(rb"<(?:([A-Za-z_][A-Za-z0-9_.-]{0,63}):)?NaaccrData[\s>/]")
# what may precede the root: BOM, XML declaration, comments (expat checks their syntax)
_PROLOG = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^<>]*\?>)?(?:\s|<!--.*?-->)*\Z", re.DOTALL)
# bytes XML forbids in text (C0 controls); "]]>", U+FFFE and U+FFFF are looked for in the text
_BAD_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32)])


class NotSubset(Exception):
    """The file is outside the subset the scan reads: use the event stream."""


def parse_root(head: bytes, limit: int) -> tuple[dict[str, str], str]:
    """Attributes of ``<NaaccrData>`` from the file's first bytes, parsed by expat, and the
    prefix (``"n:"`` or ``""``) the file's NAACCR elements carry."""
    found: dict[str, Any] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        found.setdefault("attrs", attrs)
        found.setdefault("tag", tag)

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
    prefix = found["tag"].rpartition(":")[0]
    if (
        attrs.get(f"xmlns:{prefix}" if prefix else "xmlns", "" if prefix else NAACCR_NS)
        != NAACCR_NS
    ):
        raise NotSubset
    plain = {k: v for k, v in attrs.items() if k != "xmlns" and not k.startswith("xmlns:")}
    if any(":" in k or len(v) > limit for k, v in plain.items()):
        raise NotSubset  # prefixed attribute names or long values: the event stream's rules
    return plain, f"{prefix}:" if prefix else ""


def check_bytes(data: bytes) -> None:
    """Refuse (to the event stream) bytes the scan does not read as expat would."""
    if len(data.translate(None, _BAD_BYTES)) != len(data):
        raise NotSubset


def is_blank(text: str) -> bool:
    """Empty or white space only."""
    return not text or text.isspace()


def root_items(head: bytes, segment: str, prefix: str, limits: XmlLimits) -> dict[str, str]:
    """Items of ``<NaaccrData>`` read by the event handlers from the text before the first
    ``<Patient>`` (extension elements in other namespaces there are skipped as they skip them);
    a ``<Tumor>`` there, or any error, is the event stream's to report."""
    stream = EventStream(Path("<root>"), limits)
    parser = event_parser(stream)
    try:
        parser.Parse(head, False)
        parser.Parse(segment.encode(), False)
        parser.Parse(f"</{prefix}NaaccrData>".encode(), True)
    except (expat.ExpatError, NetsurvError) as exc:
        raise NotSubset from exc
    if stream.tumor_elements or stream.patients:
        raise NotSubset
    return stream.root_items


def read_head(fh: Any, limit: int) -> tuple[bytes, bytes]:
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
