"""The block scan of NAACCR XML: rows of whole ``<Patient>`` elements found by regular expressions.

A block of text holding whole patients is split at ``<Patient>`` and ``<Tumor>``, and C-level
regular expressions find every ``<Item naaccrId="...">value</Item>``; the block is accepted only
when every ``<`` is accounted for by a recognised tag and the structure is ``Patient > Tumor``
with items only where they belong. Anything else raises
:class:`~netsurv.io._xmlsubset.NotSubset` (see :mod:`netsurv.io._xmlscan`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from netsurv.io._xmlevents import XmlLimits
from netsurv.io._xmlrefs import check_refs, unescape
from netsurv.io._xmlsubset import NotSubset, root_items

__all__ = ["BlockScan"]

# "]]>", U+FFFE and U+FFFF: text XML forbids (control bytes are refused before decoding)
_BAD_RUNS = ("]]>", "\ufffe", "\uffff")
_COMMENT = re.compile(r"<!--(?:[^-]|-[^-])*-->")  # "--" inside or "--->" is not a comment


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


class BlockScan:
    """State across blocks of whole patients."""

    def __init__(self, limits: XmlLimits, prefix: str) -> None:
        if limits.depth < 4 or limits.item_chars < 2 or limits.attribute_chars < 1:
            raise NotSubset  # limits below what the subset holds: the event stream applies them
        self.limits, self.prefix = limits, prefix
        self.head = b""  # the prolog and root start tag (for root_items)
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
            return unescape(dict(pairs), self.refs, self.exact)
        return dict(pairs)

    def _normalise(self, text: str) -> str:
        """Line ends as expat reads them, references checked (each only when the block holds
        one); the file's quote from its first item."""
        if any(run in text for run in _BAD_RUNS):
            raise NotSubset
        if "\r" in text:  # XML line-end normalisation, as expat does it
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.refs = check_refs(text) if "&" in text else {}
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
                self.root_items = root_items(self.head, parts[0], self.prefix, self.limits)
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
