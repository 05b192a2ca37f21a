"""Read NAACCR XML (v21-v26, ``.xml`` / ``.xml.gz``) in bounded memory, one row per Tumor.

Structure (``registry-formats.md`` §3.1): ``NaaccrData`` > ``Patient`` > ``Tumor``, each holding
``<Item naaccrId="...">value</Item>``; NaaccrData- and Patient-level items are copied onto every
Tumor row. The file is streamed with :class:`xml.etree.ElementTree.XMLPullParser` and each
Patient element is cleared and detached once read. Safety: a file that declares a DOCTYPE or
ENTITY is refused before parsing (no entity expansion, no external entities, no network).
Survival months come from ``survMosActiveFollowup`` when present, else from dates with the SEER
algorithm (:mod:`netsurv.io.survtime`).
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from netsurv.errors import ReadError
from netsurv.io._files import GZIP_ERRORS, gzip_error, open_binary
from netsurv.io._naaccrmap import ITEM_TO_CANONICAL, canonical_from_items
from netsurv.io._seerlabels import snake_case
from netsurv.io.canonical import CANONICAL_COLUMNS, EXTRA_CANONICAL_COLUMNS, finalize
from netsurv.io.seerstat import _maybe_classify

__all__ = ["NAACCR_NS", "read_naaccr_xml"]

NAACCR_NS = "http://naaccr.org/naaccrxml"
CHUNK_BYTES = 1 << 20
CHUNK_TUMORS = 50_000
_FORBIDDEN = ("<!DOCTYPE", "<!ENTITY")
_ENCODING_DECL = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    m = _ENCODING_DECL.match(head.lstrip())
    if m:
        name = m.group(1).decode("ascii")
        try:
            codecs.lookup(name)
        except LookupError:
            return "utf-8"
        return name
    return "utf-8"


def _text_chunks(path: Path) -> Iterator[str]:
    """Decoded text of the file in chunks, refusing DOCTYPE / ENTITY declarations."""
    with open_binary(path) as fh:
        try:
            first = fh.read(CHUNK_BYTES)
            decoder = codecs.getincrementaldecoder(_encoding(first[:200]))("strict")
            tail = ""
            chunk = first
            while chunk:
                text = decoder.decode(chunk)
                window = tail + text
                for word in _FORBIDDEN:
                    if word in window:
                        raise ReadError(
                            f"the XML declares {word[2:]} — NAACCR XML never needs a DTD, and "
                            "netsurv does not expand entities or fetch external ones. Remove the "
                            "declaration (the file may be hostile).",
                            path=path,
                            field=word,
                        )
                tail = window[-len(_FORBIDDEN[0]) :]
                yield text.replace("\ufeff", "", 1) if text.startswith("\ufeff") else text
                chunk = fh.read(CHUNK_BYTES)
            yield decoder.decode(b"", final=True)
        except GZIP_ERRORS as exc:
            raise gzip_error(path, exc) from exc
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"the XML is not valid {exc.encoding} text ({exc.reason}); save it as UTF-8.",
                path=path,
            ) from exc


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


_TAGS = {name: (f"{{{NAACCR_NS}}}{name}", name) for name in ("Patient", "Tumor", "Item")}


def _items(elem: ET.Element, out: dict[str, str], where: str, path: Path) -> None:
    """Copy the direct <Item> children of ``elem`` into ``out`` (extensions are ignored)."""
    for child in elem:
        if child.tag in _TAGS["Item"]:
            key = child.get("naaccrId")
            if not key:
                raise ReadError(
                    "an <Item> has no naaccrId attribute; every NAACCR item must name itself.",
                    path=path,
                    line=where,
                    value=(child.text or "")[:40],
                )
            out[key] = (child.text or "").strip()


class _Stream:
    """Flattens each finished <Patient> into Tumor rows, then clears and detaches it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.root: ET.Element | None = None
        self.root_items: dict[str, str] = {}
        self.rows: list[dict[str, str]] = []
        self.patients = 0
        self.patients_without_tumors = 0

    def start(self, elem: ET.Element) -> None:
        if self.root is None:
            ns, name = _local(elem.tag)
            if name != "NaaccrData":
                raise ReadError(
                    f"not a NAACCR XML file: the root element is <{name}>, not <NaaccrData>.",
                    path=self.path,
                    value=elem.tag,
                )
            self.root = elem
        elif elem.tag in _TAGS["Patient"] and self.patients == 0:
            _items(self.root, self.root_items, "NaaccrData", self.path)

    def end(self, elem: ET.Element) -> None:
        if elem.tag not in _TAGS["Patient"] or self.root is None:
            return
        self.patients += 1
        patient: dict[str, str] = {}
        _items(elem, patient, f"Patient #{self.patients}", self.path)
        loc = f"Patient {patient.get('patientIdNumber') or '#' + str(self.patients)}"
        n = 0
        for child in elem:
            if child.tag in _TAGS["Tumor"]:
                n += 1
                where = f"{loc} / Tumor {n}"
                row = {**self.root_items, **patient}
                _items(child, row, where, self.path)
                row["_location"] = where
                self.rows.append(row)
        if n == 0:
            self.patients_without_tumors += 1
        elem.clear()
        self.root.remove(elem)


def _parse(path: Path, meta: dict[str, str]) -> Iterator[list[dict[str, str]]]:
    """Yield lists of flattened Tumor rows; fills ``meta`` with root attributes at the end."""
    parser: ET.XMLPullParser = ET.XMLPullParser(events=("start", "end"))
    st = _Stream(path)
    try:
        for text in _text_chunks(path):
            parser.feed(text)
            for event in parser.read_events():
                if event[0] == "end":
                    st.end(event[1])  # type: ignore[arg-type,misc]
                else:
                    st.start(event[1])  # type: ignore[arg-type,misc]
            if len(st.rows) >= CHUNK_TUMORS:
                yield st.rows
                st.rows = []
        parser.close()
    except ET.ParseError as exc:
        line = getattr(exc, "position", (None,))[0]
        raise ReadError(
            f"the XML is not well formed ({exc}); the file may be truncated or damaged.",
            path=path,
            line=line,
        ) from exc
    if st.root is None:
        raise ReadError("the file holds no XML element.", path=path)
    if st.patients == 0:
        _items(st.root, st.root_items, "NaaccrData", path)
    meta.update(st.root.attrib)
    meta["_patients"] = str(st.patients)
    meta["_patients_without_tumors"] = str(st.patients_without_tumors)
    yield st.rows


def _extras(raw: pd.DataFrame) -> pd.DataFrame:
    """Every item that is not copied verbatim into a canonical column, snake_case named."""
    reserved = set(CANONICAL_COLUMNS) | set(EXTRA_CANONICAL_COLUMNS)
    out = {}
    for item in raw.columns:
        if item.startswith("_") or ITEM_TO_CANONICAL.get(item, (None, False))[1]:
            continue
        name = snake_case(item)
        if name in reserved:
            name = f"naaccr_{name}"
        out[name] = raw[item].astype(pd.StringDtype("pyarrow"))
    return pd.DataFrame(out, index=raw.index)


def read_naaccr_xml(
    path: str | Path,
    *,
    study_cutoff: str | None = None,
    classify: bool = True,
) -> pd.DataFrame:
    """Read a NAACCR XML file (v21-v26, gzip allowed) into the canonical frame.

    Parameters
    ----------
    path : ``.xml`` or ``.xml.gz`` file.
    study_cutoff : ``"YYYY-MM-DD"`` end of follow-up for survival months computed from dates
        (rows without ``survMosActiveFollowup``); a death after it counts as alive at the cutoff.
        None: the date of last contact ends follow-up.
    classify : add the classification columns (``netsurv.classify``) when available.

    Returns
    -------
    DataFrame, one row per Tumor, canonical columns first, then every other item as a string
    column named in snake_case (``dateOfBirth`` -> ``date_of_birth``).
    """
    path = Path(path)
    if study_cutoff is not None:
        try:
            pd.Timestamp(study_cutoff)
        except ValueError as exc:
            raise ReadError(
                "study_cutoff is not a date; write it as YYYY-MM-DD.",
                field="study_cutoff",
                value=study_cutoff,
            ) from exc
    frames: list[pd.DataFrame] = []
    meta: dict[str, str] = {}
    for rows in _parse(path, meta):
        if not rows and frames:
            continue
        raw = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
        canon = canonical_from_items(raw, path=path, study_cutoff=study_cutoff)
        frames.append(pd.concat([canon, _extras(raw)], axis=1))
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    df = finalize(df)
    df.attrs["netsurv_source"] = {
        "path": str(path),
        "format": "naaccr-xml",
        "base_dictionary": meta.get("baseDictionaryUri", ""),
        "record_type": meta.get("recordType", ""),
        "patients": int(meta.get("_patients", "0")),
        "patients_without_tumors": int(meta.get("_patients_without_tumors", "0")),
        "study_cutoff": study_cutoff,
    }
    return _maybe_classify(df, classify)


def naaccr_version(base_dictionary_uri: str) -> str | None:
    """``"250"`` from ``http://naaccr.org/naaccrxml/naaccr-dictionary-250.xml`` (else None)."""
    m = re.search(r"naaccr-dictionary-(\d{3})\.xml", base_dictionary_uri)
    return m.group(1) if m else None
