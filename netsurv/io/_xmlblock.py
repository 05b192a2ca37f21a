"""The block scan of NAACCR XML: rows of whole ``<Patient>`` elements found by regular expressions.

In a block of text holding whole patients, ``str.find`` locates ``<Patient>``, ``<Tumor>`` and
their end tags, and C-level regular expressions find every ``<Item naaccrId="...">value</Item>``
between them; the block is accepted only when every ``<`` is accounted for by a tag found (a
count: each found tag is a distinct ``<``, so equal counts leave no other markup) and every ``&``
lies in an item text that expat expands (:mod:`netsurv.io._xmlrefs`). Anything else raises
:class:`~netsurv.io._xmlsubset.NotSubset` (see :mod:`netsurv.io._xmlscan`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import compress, repeat
from operator import contains, itemgetter

from netsurv.io._xmlevents import XmlLimits
from netsurv.io._xmlrefs import expand
from netsurv.io._xmlsubset import NotSubset, root_items

__all__ = ["BlockScan"]

_VALUE = itemgetter(1)
_COMMENT = re.compile(r"<!--(?:[^-]|-[^-])*-->")  # "--" inside or "--->" is not a comment


@lru_cache(maxsize=16)
def _items(attribute_chars: int, prefix: str, quote: str, flexible: bool) -> re.Pattern[str]:
    r"""The item regex; ``flexible`` allows any white space in the tag and naaccrNum first.

    An item with other attributes or white space at either end of its text (the event stream
    strips it) does not match: the '<' count then differs and the event stream reads the file
    (and names any error). The text's length is checked apart (``BlockScan._flat``): a bounded
    repeat and a last character class (``[^<]{0,n}[^<\s]``) made the plain regex 1.35 times
    slower than an unbounded repeat between two one-character lookarounds (blocks of the
    bundled registry and of ``wide.xml``). naaccrNum may come first only when naaccrId ends
    the tag (the lookahead), so no tag holds it twice. The plain form (one space between
    attributes: what writers write) is tried first; it finds items a fifth faster (blocks of
    ``variant.xml``, whose items give naaccrNum first)."""
    q, p = quote, re.escape(prefix)
    key = f"{q}([A-Za-z0-9_]{{1,{min(64, attribute_chars)}}}){q}"
    digits = f"{q}[0-9]{{1,{min(9, attribute_chars)}}}{q}"
    text = rf"((?!\s)[^<]*(?<!\s))</{p}Item>"
    if not flexible:  # one space; naaccrNum first only when naaccrId ends the tag
        first = f"(?: naaccrNum={digits}(?= naaccrId={q}[A-Za-z0-9_]+{q}>))?"
        return re.compile(rf"<{p}Item{first} naaccrId={key}(?: naaccrNum={digits})?>{text}")
    sp = "[ \t\n]"
    num = f"{sp}+naaccrNum{sp}*={sp}*{digits}"
    before = f"(?:{num}(?={sp}+naaccrId{sp}*={sp}*{q}[A-Za-z0-9_]+{q}{sp}*>))?"
    return re.compile(rf"<{p}Item{before}{sp}+naaccrId{sp}*={sp}*{key}(?:{num})?{sp}*>{text}")


class BlockScan:
    """State across blocks of whole patients.

    A block's rows are built once the whole block is read: the raw text of every item that
    holds an ``&`` is expanded by :func:`~netsurv.io._xmlrefs.expand` in one expat pass (see
    there), in place in the item dictionaries (``slots``), before the patient and tumour items
    are copied onto the rows. Every ``&`` of the block must lie in such a text."""

    def __init__(self, limits: XmlLimits, prefix: str) -> None:
        if limits.depth < 4 or limits.item_chars < 2 or limits.attribute_chars < 1:
            raise NotSubset  # limits below what the subset holds: the event stream applies them
        self.limits, self.prefix = limits, prefix
        self.head = b""  # the prolog and root start tag (for root_items)
        self._quote('"')
        self.quoted = False  # the file's quote is known (from its first naaccrId)
        self.forms = False  # comments and empty items are looked for (_other_forms)
        self.empty = re.compile(rf"<{re.escape(prefix)}Item[ \t\n][^<>/]*")
        self.tags = {t: f"<{prefix}{t}>" for t in ("Patient", "Tumor")}
        self.tags |= {f"/{t}": f"</{prefix}{t}>" for t in ("Patient", "Tumor")}
        self.root_items: dict[str, str] = {}
        self.rows: list[dict[str, str]] = []
        self.patients = 0
        self.without_tumors = 0
        self.tumors = 0
        self.n_items = 0
        self.amp = False  # the block holds an '&'
        self.amps = 0  # '&' of the block read by the event handlers (its root segment)
        self.slots: list[tuple[dict[str, str], str, str]] = []  # (items, name, raw text)
        self.staged: list[tuple[dict[str, str], int, list[dict[str, str]]]] = []

    def _quote(self, quote: str) -> None:
        """Item regexes for the file's quote: the plain form first, the flexible one after."""
        attrs = self.limits.attribute_chars
        self.items = _items(attrs, self.prefix, quote, False)
        self.flexible = _items(attrs, self.prefix, quote, True)

    def _flat(self, text: str, start: int, stop: int) -> dict[str, str]:
        """The items of ``text[start:stop]``; those holding an ``&`` wait in ``slots``."""
        pairs = self.items.findall(text, start, stop)
        self.n_items += len(pairs)
        cap = self.limits.item_chars
        if stop - start > cap and pairs and max(map(len, map(_VALUE, pairs))) > cap:
            raise NotSubset  # a text longer than the cap as written: the event stream's rule
        if not self.amp or text.find("&", start, stop) < 0:
            return dict(pairs)
        flat = dict(pairs)
        amp = compress(pairs, map(contains, map(_VALUE, pairs), repeat("&")))  # C, not Python
        self.slots += [(flat, key, value) for key, value in amp]
        return flat

    def _expand(self, amps: int) -> None:
        """The waiting item texts with their references expanded, in place. A name given
        twice keeps its last text (as ``dict(pairs)`` and the event stream do): every text is
        checked, and only the slot whose raw text is still there (the same object) is
        replaced."""
        texts = expand([raw for _, _, raw in self.slots], amps)
        for (flat, key, raw), value in zip(self.slots, texts, strict=True):
            if flat[key] is raw:
                flat[key] = value

    def _normalise(self, text: str) -> str:
        """Line ends as expat reads them; the file's quote from its first item."""
        # text XML forbids (control bytes are refused before decoding); ']' first: memchr
        if "]" in text and "]]>" in text or "\ufffe" in text or "\uffff" in text:
            raise NotSubset
        if "\r" in text:  # XML line-end normalisation, as expat does it
            text = text.replace("\r\n", "\n").replace("\r", "\n")
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
        whole, on the text without comments and with empty items in full, then the flexible
        regex (each step kept for the rest of the file: looking for these forms in every block
        cost a tenth of the scan)."""
        text = self._normalise(text)
        if self.forms:
            text = self._other_forms(text)
        state = self.patients, self.without_tumors, self.tumors
        while True:
            try:
                self._block(text, first)
                break
            except NotSubset:
                if self.items is self.flexible:
                    raise
                self.patients, self.without_tumors, self.tumors = state
                if self.forms:
                    self.items = self.flexible
                else:
                    self.forms = True
                    text = self._other_forms(text)
        self._rows()

    def _block(self, text: str, first: bool) -> None:
        """Stage the block's patients; check that every '<' and '&' in it was read."""
        amps = text.count("&")
        self.n_items, self.amp, self.amps, self.slots, self.staged = 0, amps > 0, 0, [], []
        tag, tag_end = self.tags["Patient"], self.tags["/Patient"]
        at = text.find(tag)
        tags = self._root(text, len(text) if at < 0 else at) if first else 0
        while at >= 0:  # tags: '<' that are not items (<Patient>, </Patient>, <Tumor>, ...)
            start = at + len(tag)
            end = text.find(tag_end, start)
            if end < 0:
                raise NotSubset
            tags += 2 + 2 * self._patient(text, start, end)
            at = text.find(tag, end)
        if text.count("<") != 2 * self.n_items + tags:
            raise NotSubset  # markup the scan does not read: the event stream decides
        if amps:
            self._expand(amps - self.amps)  # every other '&' in the item texts expanded

    def _root(self, text: str, end: int) -> int:
        """The root items (``text[:end]``, before the first patient); returns the '<' there
        that are not items."""
        self.root_items = self._flat(text, 0, end)
        if text.count("<", 0, end) == 2 * self.n_items:
            return 0
        segment = text[:end]  # an extension element, say: the event handlers read it
        self.root_items = root_items(self.head, segment, self.prefix, self.limits)
        self.n_items, self.slots, self.amps = 0, [], segment.count("&")
        return segment.count("<")

    def _patient(self, text: str, start: int, end: int) -> int:
        """Stage one ``<Patient>`` (its text ``text[start:end]``, between ``<Patient>`` and
        ``</Patient>``) and its tumours; returns the number of tumours.

        Only the tags found are counted: a nested ``<Patient>`` or ``<Tumor>``, a second end
        tag, items after a tumour or after ``</Patient>`` are not read, and their '<' make the
        block's count differ."""
        self.patients += 1
        tag, tag_end = self.tags["Tumor"], self.tags["/Tumor"]
        at = text.find(tag, start, end)
        patient = self._flat(text, start, end if at < 0 else at)
        tumors = []
        while at >= 0:
            begin = at + len(tag)
            close = text.find(tag_end, begin, end)
            if close < 0:
                raise NotSubset
            tumors.append(self._flat(text, begin, close))
            at = text.find(tag, close, end)
        self.staged.append((patient, self.patients, tumors))
        self.tumors += len(tumors)
        self.without_tumors += not tumors
        return len(tumors)

    def _rows(self) -> None:
        """The staged patients' rows: root, patient and tumour items, and where they were."""
        root, rows = self.root_items, self.rows
        for patient, number, tumors in self.staged:
            pid = patient.get("patientIdNumber") or f"#{number}"
            if len(tumors) == 1:  # most patients: one dictionary, not two
                rows.append(
                    {**root, **patient, **tumors[0], "_location": f"Patient {pid} / Tumor 1"}
                )
                continue
            base = {**root, **patient}
            for i, tumor in enumerate(tumors, start=1):
                rows.append({**base, **tumor, "_location": f"Patient {pid} / Tumor {i}"})
        self.staged = []
