"""The NAACCR XML event handlers: expat callbacks that turn every ``<Tumor>`` into one flat row.

No record is lost: each ``<Tumor>`` start is counted, and each becomes a row (items of the
NaaccrData root, of its ``<Patient>`` and its own), or the file is refused with a ReadError that
names the line. A ``<Tumor>`` outside any ``<Patient>`` (directly under ``<NaaccrData>``, after a
``</Patient>``) becomes a row with the root items and the exclusion reason
``EXCLUSION_REASONS["outside_patient"]``; a ``<Tumor>`` or ``<Patient>`` that cannot be attributed
(inside another ``<Tumor>``, a ``<Patient>`` inside a ``<Patient>``, either inside an ``<Item>`` or
inside a foreign-namespace element, whose content NAACCR readers skip) is refused.

Resource limits (:class:`XmlLimits`) keep hostile files cheap: item text and attribute values
have a length cap and nesting has a depth cap. Item text is collected in a list (linear time).
DOCTYPE and ENTITY declarations are refused when expat meets them. The event stream
(:mod:`netsurv.io._xmlstream`) feeds whole files through these handlers; the regex scan
(:mod:`netsurv.io._xmlscan`) feeds them the text before the first ``<Patient>`` when it holds
more than items.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

from netsurv.errors import ReadError
from netsurv.rules import EXCLUSION_REASONS

__all__ = ["NAACCR_NS", "EventStream", "XmlLimits", "event_parser"]

NAACCR_NS = "http://naaccr.org/naaccrxml"
_SEP = "\x1f"  # namespace separator: expat reports "uri<SEP>local"
_NAMES = {name: frozenset({f"{NAACCR_NS}{_SEP}{name}", name}) for name in ("Patient", "Tumor")}
_ITEM_TAGS = frozenset({f"{NAACCR_NS}{_SEP}Item", "Item"})
_ROOT_TAGS = frozenset({f"{NAACCR_NS}{_SEP}NaaccrData", "NaaccrData"})
OUTSIDE_PATIENT = EXCLUSION_REASONS["outside_patient"]


@dataclass(frozen=True)
class XmlLimits:
    """Caps that bound the time and memory a NAACCR XML file can take.

    Parameters
    ----------
    item_chars : longest ``<Item>`` text (NAACCR's longest items, text fields, hold 4,000).
    attribute_chars : longest attribute value (``naaccrId`` names hold ~30, URIs ~100).
    depth : deepest element nesting (NAACCR XML nests 4 deep; extensions may add a few).
    chunk_bytes : bytes handed to the parser at a time.
    """

    item_chars: int = 100_000
    attribute_chars: int = 10_000
    depth: int = 100
    chunk_bytes: int = 1 << 20

    @property
    def run_bytes(self) -> int:
        """Most bytes a tag or an item's text may span without a ``>`` (8 bytes per char:
        UTF-8 or a character reference), beyond which the file is refused unparsed."""
        return 8 * max(self.item_chars, self.attribute_chars) + (1 << 16)


def _local(tag: str) -> str:
    return tag.rpartition(_SEP)[2]


class EventStream:
    """SAX-style handlers: flatten each finished ``<Patient>`` into Tumor rows."""

    def __init__(self, path: Path, limits: XmlLimits) -> None:
        self.path, self.limits = path, limits
        self.parser: Any = None
        self.root: dict[str, str] | None = None
        self.root_items: dict[str, str] = {}
        self.patient: dict[str, str] | None = None
        self.tumors: list[dict[str, str]] = []
        self.tumor: dict[str, str] | None = None
        self.key: str | None = None
        self.parts: list[str] = []
        self.size = 0
        self.target: dict[str, str] = self.root_items
        self.depth = 0
        self.foreign = 0  # depth inside a foreign-namespace element (its content is skipped)
        self.rows: list[dict[str, str]] = []
        self.patients = 0
        self.patients_without_tumors = 0
        self.tumor_elements = 0  # every <Tumor> start, counted apart from the rows built
        self.rows_built = 0

    def where(self) -> str:
        line = self.parser.CurrentLineNumber if self.parser is not None else "?"
        if self.patient is None:
            return f"line {line} (NaaccrData)"
        pid = self.patient.get("patientIdNumber") or f"#{self.patients}"
        if self.tumor is None:
            return f"line {line} (Patient {pid})"
        return f"line {line} (Patient {pid} / Tumor {len(self.tumors) + 1})"

    def fail(self, message: str, field: str | None = None, value: object = None) -> ReadError:
        return ReadError(message, path=self.path, line=self.where(), field=field, value=value)

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > self.limits.depth:
            raise self.fail(
                f"elements nest deeper than {self.limits.depth} levels (NAACCR XML nests 4); "
                "the file is damaged or hostile. Raise XmlLimits(depth=...) if it is genuine."
            )
        if self.key is not None:
            raise self.fail(f"an <Item> holds text only, but <{_local(tag)}> starts inside it.")
        if tag in _ITEM_TAGS and not self.foreign:  # the hot path: most elements are Items
            key = attrs.get("naaccrId")
            if not key:
                raise self.fail("an <Item> has no naaccrId attribute; every item must name itself.")
            if len(key) > self.limits.attribute_chars:
                raise self.fail(
                    f"a naaccrId longer than {self.limits.attribute_chars} characters.",
                    field="naaccrId",
                    value=key[:40],
                )
            self.key, self.parts, self.size = key, [], 0
            target = self.tumor if self.tumor is not None else self.patient
            self.target = target if target is not None else self.root_items
            return
        self._check_attributes(attrs)
        if self.root is None:
            if tag not in _ROOT_TAGS:
                raise ReadError(
                    f"not a NAACCR XML file: the root element is <{_local(tag)}>, not "
                    "<NaaccrData>.",
                    path=self.path,
                    value=tag.replace(_SEP, ":"),
                )
            self.root = dict(attrs)
        elif tag in _NAMES["Tumor"]:
            self._start_tumor()
        elif tag in _NAMES["Patient"]:
            self._start_patient()
        elif self.foreign or (_SEP in tag and not tag.startswith(NAACCR_NS + _SEP)):
            self.foreign += 1

    def _check_attributes(self, attrs: dict[str, str]) -> None:
        for name, value in attrs.items():
            if len(value) > self.limits.attribute_chars:
                raise self.fail(
                    f"an attribute value longer than {self.limits.attribute_chars} characters.",
                    field=_local(name),
                    value=value[:40],
                )

    def _refuse_inside_foreign(self, what: str) -> None:
        if self.foreign:
            raise self.fail(
                f"a <{what}> inside a foreign-namespace element, whose content NAACCR readers "
                f"skip; move the <{what}> out of it or remove it."
            )

    def _start_tumor(self) -> None:
        self.tumor_elements += 1
        self._refuse_inside_foreign("Tumor")
        if self.tumor is not None:
            raise self.fail("a <Tumor> inside another <Tumor>; close the first one before.")
        self.tumor = {}

    def _start_patient(self) -> None:
        self._refuse_inside_foreign("Patient")
        if self.tumor is not None:
            raise self.fail("a <Patient> inside a <Tumor>; close the <Tumor> first.")
        if self.patient is not None:
            raise self.fail("a <Patient> inside another <Patient>; close the first one before.")
        self.patient, self.tumors = {}, []
        self.patients += 1

    def data(self, text: str) -> None:
        if self.key is not None:
            self.size += len(text)
            if self.size > self.limits.item_chars:
                raise self.fail(
                    f"an <Item> text longer than {self.limits.item_chars} characters (NAACCR "
                    "items hold at most a few thousand). Raise XmlLimits(item_chars=...) if "
                    "the file is genuine.",
                    field=self.key,
                )
            self.parts.append(text)

    def end(self, tag: str) -> None:
        self.depth -= 1
        if self.key is not None:
            self.target[self.key] = "".join(self.parts).strip()
            self.key, self.parts = None, []
        elif self.foreign:
            self.foreign -= 1
        elif tag in _NAMES["Tumor"] and self.tumor is not None:
            if self.patient is None:  # outside any patient: a row of its own, excluded
                self._emit([self.tumor], {}, "", OUTSIDE_PATIENT)
            else:
                self.tumors.append(self.tumor)
            self.tumor = None
        elif tag in _NAMES["Patient"] and self.patient is not None:
            pid = self.patient.get("patientIdNumber") or f"#{self.patients}"
            self._emit(self.tumors, self.patient, f"Patient {pid} / ", None)
            if not self.tumors:
                self.patients_without_tumors += 1
            self.patient, self.tumors = None, []

    def _emit(
        self, tumors: list[dict[str, str]], patient: dict[str, str], where: str, why: str | None
    ) -> None:
        for i, tumor in enumerate(tumors, start=1):
            row = {**self.root_items, **patient, **tumor}
            row["_location"] = f"{where}Tumor {i}" if why is None else f"{self.where()}: Tumor"
            if why is not None:
                row["_exclusion"] = why
            self.rows.append(row)
        self.rows_built += len(tumors)

    def refuse(self, *args: Any) -> None:
        raise ReadError(
            "the XML declares a DOCTYPE or ENTITY; NAACCR XML never needs one, and netsurv does "
            "not expand entities or fetch external ones. Remove the declaration (the file may be "
            "hostile).",
            path=self.path,
            field="DOCTYPE",
            value=str(args[0])[:40] if args else None,
        )


def event_parser(st: EventStream) -> Any:
    p = expat.ParserCreate(namespace_separator=_SEP)
    p.buffer_text = True
    p.buffer_size = 1 << 16
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.StartElementHandler = st.start
    p.EndElementHandler = st.end
    p.CharacterDataHandler = st.data
    p.StartDoctypeDeclHandler = st.refuse
    p.EntityDeclHandler = st.refuse
    p.ExternalEntityRefHandler = st.refuse  # type: ignore[assignment]
    st.parser = p
    return p
