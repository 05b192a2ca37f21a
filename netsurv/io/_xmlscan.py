"""The fast path for NAACCR XML: a regex scan of the well-formed subset that writers produce.

Most NAACCR XML files are written the same way: an XML declaration, ``<NaaccrData ...>``, then
``<Patient>``, ``<Tumor>`` and ``<Item naaccrId="...">value</Item>`` elements without other
attributes or markup. For such text, C-level regular expressions and ``str.split`` find every
item; expat calls a Python function per element and is 3-4 times slower. The subset also takes
the forms the NAACCR XML specification allows and other writers use: one namespace prefix
bound to the NAACCR namespace (``<n:Item>``), ``naaccrNum`` before or after ``naaccrId``, single
or double quotes (one kind per file), empty items (``<Item naaccrId="x"/>``), comments, and the
five predefined entity and numeric character references in item text (``&amp;``, ``&#233;``;
long text items hold them). The scan proves the file belongs to the subset as it goes: every
``<`` is accounted for by a recognised tag, every ``&`` by a reference to a character XML allows,
the text holds no character XML forbids, the structure is ``NaaccrData > Patient > Tumor`` with
items only where they belong, and the prolog and root tag are parsed by expat (so a DOCTYPE or
an unknown encoding never passes). Anything else raises :class:`NotSubset`, and the caller reads
the file with the event stream (:mod:`netsurv.io._xmlstream`), whose rules (refusals, limits,
exclusions, line numbers) are the reference: both give the same frame on every file the scan
accepts (``tests/io/test_io_fuzz_target.py`` checks it on mutated files).

Measured (``benchmarks/bench_read.py``, files of ``benchmarks/make_read_files.py``): a file with
long text items holding ``&amp;`` or a namespace prefix left the older subset and took the event
stream, 2.7-2.9 times one expat pass with a start handler; through the scan, see README "Speed".
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.parsers import expat

from netsurv.errors import NetsurvError
from netsurv.io._files import open_binary
from netsurv.io._xmlstream import NAACCR_NS, XmlLimits, _parser, _Stream

__all__ = ["CHUNK_CHARS", "NotSubset", "scan_rows"]

# a chunk of rows also ends after this much text: wide files (a hundred items and long texts
# per tumour) made 20,000 rows hold ~300 MB of Python objects (bench_read.py on wide.xml of
# benchmarks/make_read_files.py: peak 682 MiB for a 214 MiB frame)
CHUNK_CHARS = 96 << 20

_ROOT = re.compile(rb"<(?:([A-Za-z_][A-Za-z0-9_.-]{0,63}):)?NaaccrData[\s>/]")
# what may precede the root: BOM, XML declaration, comments (expat checks their syntax)
_PROLOG = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^<>]*\?>)?(?:\s|<!--.*?-->)*\Z", re.DOTALL)
# bytes XML forbids in text (C0 controls); "]]>", U+FFFE and U+FFFF are looked for in the text
_BAD_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32)])
_BAD_RUNS = ("]]>", "\ufffe", "\uffff")
# the references XML defines without a DTD: five entities and numeric character references
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}  # '&amp;' apart
_REF = re.compile(r"&(?:lt|gt|quot|apos|amp|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_COMMENT = re.compile(r"<!--(?:[^-]|-[^-])*-->")  # "--" inside or "--->" is not a comment


class NotSubset(Exception):
    """The file is outside the subset the scan reads: use the event stream."""


@lru_cache(maxsize=16)
def _items(
    item_chars: int, attribute_chars: int, prefix: str, quote: str, flexible: bool
) -> re.Pattern[str]:
    """The item regex; ``flexible`` allows any white space in the tag and naaccrNum first.

    An item with other attributes, white space at either end of its text (the event stream
    strips it) or text longer than the cap does not match: the '<' count then differs and the
    event stream reads the file (and names any error). naaccrNum may come first only when
    naaccrId ends the tag (the lookahead), so no tag holds it twice. The plain form (one space,
    naaccrId first: what writers write) is tried first; it finds items a third faster."""
    q, p = quote, re.escape(prefix)
    key = f"{q}([A-Za-z0-9_]{{1,{min(64, attribute_chars)}}}){q}"
    digits = f"{q}[0-9]{{1,{min(9, attribute_chars)}}}{q}"
    text = rf"([^<\s](?:[^<]{{0,{item_chars - 2}}}[^<\s])?)?</{p}Item>"
    if not flexible:
        return re.compile(rf"<{p}Item naaccrId={key}(?: naaccrNum={digits})?>{text}")
    sp = "[ \t\n]"
    num = f"{sp}+naaccrNum{sp}*={sp}*{digits}"
    before = f"(?:{num}(?={sp}+naaccrId{sp}*={sp}*{q}[A-Za-z0-9_]+{q}{sp}*>))?"
    return re.compile(rf"<{p}Item{before}{sp}+naaccrId{sp}*={sp}*{key}(?:{num})?{sp}*>{text}")


def _code(ref: str) -> int:
    """The code point of a numeric reference matched by ``_REF``."""
    return int(ref[3:-1], 16) if ref[2] == "x" else int(ref[2:-1])


def _char(ref: str) -> str:
    """The character of a reference matched by ``_REF`` (its code point checked before)."""
    return _ENTITIES.get(ref, "&") if ref[1] != "#" else chr(_code(ref))


def _expand(value: str, refs: dict[str, str], exact: bool) -> str:
    """``value`` with its references replaced as expat replaces them, then stripped.

    ``str.replace`` per distinct reference of the block (``refs``), not one ``re.sub`` calling
    a function per reference: a text item holds dozens of references, and the function calls
    made the scan of ``wide.xml`` (``benchmarks/make_read_files.py``) 1.6 times slower.
    Replaced text is never read again: '&amp;' goes last (its '&' could start another
    reference), and a block with a numeric reference to '&' (``&#38;amp;``) takes the exact
    path, one ``re.sub``."""
    if exact:
        return _REF.sub(lambda m: _char(m.group()), value).strip()
    for ref, char in refs.items():
        if ref != "&amp;":
            value = value.replace(ref, char)
    return value.replace("&amp;", "&").strip()


def _unescape(pairs: dict[str, str], refs: dict[str, str], exact: bool) -> dict[str, str]:
    """Item texts with their references replaced (then stripped, as the event stream does)."""
    return {k: _expand(v, refs, exact) if "&" in v else v for k, v in pairs.items()}


def _xml_char(code: int) -> bool:
    """Is ``code`` a character XML 1.0 allows (a reference to any other is an expat error)?"""
    return (
        code in (9, 10, 13)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or (0x10000 <= code <= 0x10FFFF)
    )


def _check_refs(text: str) -> dict[str, str]:
    """Every ``&`` starts a reference the scan expands exactly as expat does; returns the
    block's distinct references and their characters."""
    refs = _REF.findall(text)
    if len(refs) != text.count("&"):
        raise NotSubset  # another entity (undefined without a DTD) or a bare '&'
    numeric = {ref: _code(ref) for ref in set(refs) if ref[1] == "#"}
    if not all(map(_xml_char, numeric.values())):
        raise NotSubset
    named = {ref: _char(ref) for ref in set(refs) if ref[1] != "#"}
    return named | {ref: chr(code) for ref, code in numeric.items()}


def _root(head: bytes, limit: int) -> tuple[dict[str, str], str]:
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


def _check(data: bytes) -> None:
    """Refuse (to the event stream) bytes the scan does not read as expat would."""
    if len(data.translate(None, _BAD_BYTES)) != len(data):
        raise NotSubset


def _blank(text: str) -> bool:
    return not text or text.isspace()


class _Scan:
    """State across blocks of whole patients."""

    def __init__(self, limits: XmlLimits, prefix: str) -> None:
        if limits.depth < 4 or limits.item_chars < 2 or limits.attribute_chars < 1:
            raise NotSubset  # limits below what the subset holds: the event stream applies them
        self.limits, self.prefix = limits, prefix
        self.head = b""  # the prolog and root start tag (for _root_items)
        self._quote('"')
        self.quoted = False  # the file's quote is known (from its first naaccrId)
        self.empty = re.compile(rf"<{re.escape(prefix)}Item[ \t\n][^<>/]*")
        self.tags = {t: f"<{prefix}{t}>" for t in ("Patient", "Tumor")}
        self.tags |= {f"/{t}": f"</{prefix}{t}>" for t in ("Patient", "Tumor")}
        self.root_items: dict[str, str] = {}
        self.rows: list[dict[str, str]] = []
        self.patients = 0
        self.without_tumors = 0
        self.tumors = 0
        self.n_items = 0
        self.refs: dict[str, str] = {}  # the block's references and their characters
        self.exact = False  # ... one of them a numeric reference to '&' (see _expand)

    def _quote(self, quote: str) -> None:
        """Item regexes for the file's quote: the plain form first, the flexible one after."""
        chars, attrs = self.limits.item_chars, self.limits.attribute_chars
        self.items = _items(chars, attrs, self.prefix, quote, False)
        self.flexible = _items(chars, attrs, self.prefix, quote, True)

    def _flat(self, text: str, start: int, stop: int) -> dict[str, str]:
        pairs = self.items.findall(text, start, stop)
        self.n_items += len(pairs)
        if self.refs and text.find("&", start, stop) >= 0:
            return _unescape(dict(pairs), self.refs, self.exact)
        return dict(pairs)

    def _normalise(self, text: str) -> str:
        """Line ends as expat reads them, references checked (each only when the block holds
        one); the file's quote from its first item."""
        if any(run in text for run in _BAD_RUNS):
            raise NotSubset
        if "\r" in text:  # XML line-end normalisation, as expat does it
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.refs = _check_refs(text) if "&" in text else {}
        self.exact = any(c == "&" for r, c in self.refs.items() if r != "&amp;")
        if not self.quoted and (at := text.find("naaccrId")) >= 0:
            self.quoted = True
            if text[at : at + 40].partition("=")[2].lstrip()[:1] == "'":
                self._quote("'")
        return text

    def _other_forms(self, text: str) -> str:
        """Comments removed and empty items written in full (what expat reads in them)."""
        if "<!--" in text:
            text = _COMMENT.sub("", text)
        if "/>" in text:
            text = self._full_empties(text)
        return text

    def _full_empties(self, text: str) -> str:
        """``<Item naaccrId="x"/>`` written ``<Item naaccrId="x"></Item>``: at each ``/>``, the
        tag since the last ``<`` (one ``re.sub`` over the text tried every item: 0.6 s of the
        2 s scan of ``variant.xml``, ``benchmarks/make_read_files.py``)."""
        pieces = text.split("/>")
        for k in range(len(pieces) - 1):
            head = pieces[k]
            start = head.rfind("<")
            if start >= 0 and self.empty.fullmatch(head, start):
                pieces[k] = f"{head}></{self.prefix}Item>"
            else:
                pieces[k] = head + "/>"
        return "".join(pieces)

    def block(self, text: str, first: bool) -> None:
        """Rows of a block of whole ``<Patient>`` elements (and, first, the root items).

        The plain item regex on the text as it is first; when it does not read the block
        whole, the flexible regex on the text without comments and with empty items in full
        (from then on: looking for these forms in every block cost a tenth of the scan)."""
        text = self._normalise(text)
        if self.items is self.flexible:
            text = self._other_forms(text)
        state = len(self.rows), self.patients, self.without_tumors, self.tumors
        try:
            self._block(text, first)
        except NotSubset:
            if self.items is self.flexible:
                raise
            del self.rows[state[0] :]
            self.patients, self.without_tumors, self.tumors = state[1:]
            self.items = self.flexible
            self._block(self._other_forms(text), first)

    def _block(self, text: str, first: bool) -> None:
        self.n_items = 0
        parts = text.split(self.tags["Patient"])
        tags = 0  # '<' that are not items: <Patient>, </Patient>, <Tumor>, </Tumor>
        if first:
            self.root_items = self._flat(parts[0], 0, len(parts[0]))
            if parts[0].count("<") != 2 * self.n_items:  # an extension element, say
                self.root_items = _root_items(self.head, parts[0], self.prefix, self.limits)
                self.n_items, tags = 0, parts[0].count("<")
        for seg in parts[1:]:
            tags += 2 + 2 * self._patient(seg)
        if text.count("<") != 2 * self.n_items + tags:
            raise NotSubset  # markup the scan does not read: the event stream decides

    def _patient(self, seg: str) -> int:
        """Rows of one ``<Patient>`` (``seg``: its text after ``<Patient>``); its tumours."""
        self.patients += 1
        end = seg.rfind(self.tags["/Patient"])
        tumors = seg.split(self.tags["Tumor"])
        patient = self._flat(tumors[0], 0, end if len(tumors) == 1 else len(tumors[0]))
        pid = patient.get("patientIdNumber") or f"#{self.patients}"
        base = {**self.root_items, **patient}
        offset = len(seg) - len(tumors[-1])  # where the last tumour's text starts in seg
        tumor_end = self.tags["/Tumor"]
        if end < 0 or (len(tumors) > 1 and seg.rfind(tumor_end) > end) or end < offset:
            raise NotSubset
        for i, part in enumerate(tumors[1:], start=1):
            stop = part.find(tumor_end)
            if stop < 0:
                raise NotSubset
            row = {**base, **self._flat(part, 0, stop)}
            row["_location"] = f"Patient {pid} / Tumor {i}"
            self.rows.append(row)
        self.tumors += len(tumors) - 1
        self.without_tumors += len(tumors) == 1
        return len(tumors) - 1


def _root_items(head: bytes, segment: str, prefix: str, limits: XmlLimits) -> dict[str, str]:
    """Items of ``<NaaccrData>`` read by the event stream from the text before the first
    ``<Patient>`` (extension elements in other namespaces there are skipped as it skips them);
    a ``<Tumor>`` there, or any error, is the event stream's to report."""
    stream = _Stream(Path("<root>"), limits)
    parser = _parser(stream)
    try:
        parser.Parse(head, False)
        parser.Parse(segment.encode(), False)
        parser.Parse(f"</{prefix}NaaccrData>".encode(), True)
    except (expat.ExpatError, NetsurvError) as exc:
        raise NotSubset from exc
    if stream.tumor_elements or stream.patients:
        raise NotSubset
    return stream.root_items


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
    pending = 0  # characters of the rows not yet yielded
    carry_limit = max(8 << 20, 2 * limits.run_bytes)  # a patient is far smaller
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with open_binary(path) as fh:
            head, rest = _head(fh, 1 << 20)
            root, prefix = _root(head, limits.attribute_chars)
            scan = _Scan(limits, prefix)
            scan.head = head
            patient_end = f"</{prefix}Patient>"
            _check(rest)
            carry, first, last = decoder.decode(rest), True, rest[-2:]
            while chunk := fh.read(limits.chunk_bytes):
                _check(last + chunk)  # runs across the chunk boundary too
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
    if end < 0 or not _blank(tail[end + len(root_end) :]):
        raise NotSubset
    scan.block(tail[:end], first)
    meta.update(root)
    meta["_patients"] = str(scan.patients)
    meta["_patients_without_tumors"] = str(scan.without_tumors)
    meta["_tumor_elements"] = str(scan.tumors)
    yield scan.rows
