"""Read NAACCR XML (v21-v26, ``.xml`` / ``.xml.gz``) in bounded memory, one row per Tumor.

Structure (``registry-formats.md`` §3.1): ``NaaccrData`` > ``Patient`` > ``Tumor``, each holding
``<Item naaccrId="...">value</Item>``; NaaccrData- and Patient-level items are copied onto every
Tumor row. The file is streamed through expat (``xml.parsers.expat``) with handlers that keep
only the current Patient, so memory is bounded by the largest Patient, not by the file. Safety:
a DOCTYPE or ENTITY declaration is refused as soon as expat meets it (no entity expansion, no
external entities, no network; parameter-entity parsing is off).
Survival months come from ``survMosActiveFollowup`` when present, else from dates with the SEER
algorithm (:mod:`netsurv.io.survtime`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal
from xml.parsers import expat

import pandas as pd

from netsurv.errors import InputError, ReadError
from netsurv.io._files import GZIP_ERRORS, gzip_error, open_binary
from netsurv.io._naaccrmap import ITEM_TO_CANONICAL, canonical_from_items
from netsurv.io._seerlabels import snake_case
from netsurv.io.canonical import (
    CANONICAL_COLUMNS,
    EXTRA_CANONICAL_COLUMNS,
    finalize,
    maybe_classify,
)

__all__ = ["NAACCR_NS", "read_naaccr_xml"]

NAACCR_NS = "http://naaccr.org/naaccrxml"
CHUNK_BYTES = 1 << 20
CHUNK_TUMORS = 20_000
_SEP = "\x1f"  # namespace separator: expat reports "uri<SEP>local"


def _local(tag: str) -> tuple[str, str]:
    ns, sep, name = tag.rpartition(_SEP)
    return (ns, name) if sep else ("", tag)


_NAMES = {name: {f"{NAACCR_NS}{_SEP}{name}", name} for name in ("Patient", "Tumor", "Item")}
_ITEM_TAGS = frozenset(_NAMES["Item"])


class _Stream:
    """SAX-style handlers: flatten each finished <Patient> into Tumor rows (nothing kept after)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.root: dict[str, str] | None = None
        self.root_items: dict[str, str] = {}
        self.patient: dict[str, str] | None = None
        self.tumors: list[dict[str, str]] = []
        self.tumor: dict[str, str] | None = None
        self.key: str | None = None
        self.text = ""
        self.target: dict[str, str] = self.root_items
        self.foreign = 0
        self.rows: list[dict[str, str]] = []
        self.patients = 0
        self.patients_without_tumors = 0

    def where(self) -> str:
        if self.patient is None:
            return "NaaccrData"
        pid = self.patient.get("patientIdNumber") or f"#{self.patients}"
        if self.tumor is None:
            return f"Patient {pid}"
        return f"Patient {pid} / Tumor {len(self.tumors) + 1}"

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag in _ITEM_TAGS and not self.foreign:  # the hot path: most elements are Items
            key = attrs.get("naaccrId")
            if not key:
                raise ReadError(
                    "an <Item> has no naaccrId attribute; every NAACCR item must name itself.",
                    path=self.path,
                    line=self.where(),
                )
            self.key, self.text = key, ""
            target = self.tumor if self.tumor is not None else self.patient
            self.target = target if target is not None else self.root_items
        elif self.foreign or (_SEP in tag and not tag.startswith(NAACCR_NS + _SEP)):
            self.foreign += 1
        elif tag in _NAMES["Tumor"]:
            self.tumor = {}
        elif tag in _NAMES["Patient"]:
            self.patient, self.tumors = {}, []
            self.patients += 1
        elif self.root is None:
            if _local(tag)[1] != "NaaccrData":
                raise ReadError(
                    f"not a NAACCR XML file: the root element is <{_local(tag)[1]}>, not "
                    "<NaaccrData>.",
                    path=self.path,
                    value=tag.replace(_SEP, ":"),
                )
            self.root = dict(attrs)

    def data(self, text: str) -> None:
        if self.key is not None:
            self.text += text

    def end(self, tag: str) -> None:
        if self.key is not None:
            self.target[self.key] = self.text.strip()
            self.key = None
        elif self.foreign:
            self.foreign -= 1
        elif tag in _NAMES["Tumor"] and self.tumor is not None:
            self.tumors.append(self.tumor)
            self.tumor = None
        elif tag in _NAMES["Patient"] and self.patient is not None:
            pid = self.patient.get("patientIdNumber") or f"#{self.patients}"
            for i, tumor in enumerate(self.tumors, start=1):
                row = {**self.root_items, **self.patient, **tumor}
                row["_location"] = f"Patient {pid} / Tumor {i}"
                self.rows.append(row)
            if not self.tumors:
                self.patients_without_tumors += 1
            self.patient, self.tumors = None, []

    def refuse(self, *args: Any) -> None:
        raise ReadError(
            "the XML declares a DOCTYPE or ENTITY; NAACCR XML never needs one, and netsurv does "
            "not expand entities or fetch external ones. Remove the declaration (the file may be "
            "hostile).",
            path=self.path,
            field="DOCTYPE",
            value=str(args[0])[:40] if args else None,
        )


def _parser(st: _Stream) -> Any:
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
    return p


def _parse(path: Path, meta: dict[str, str]) -> Iterator[list[dict[str, str]]]:
    """Yield lists of flattened Tumor rows; fills ``meta`` with root attributes at the end."""
    st = _Stream(path)
    parser = _parser(st)
    try:
        with open_binary(path) as fh:
            while chunk := fh.read(CHUNK_BYTES):
                parser.Parse(chunk, False)
                if len(st.rows) >= CHUNK_TUMORS:
                    yield st.rows
                    st.rows = []
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise ReadError(
            f"the XML is not well formed ({expat.ErrorString(exc.code)}); the file may be "
            "truncated or damaged.",
            path=path,
            line=exc.lineno,
        ) from exc
    except GZIP_ERRORS as exc:
        raise gzip_error(path, exc, line=parser.CurrentLineNumber) from exc
    if st.root is None:
        raise ReadError("the file holds no NAACCR XML (no <NaaccrData> element).", path=path)
    meta.update(st.root)
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
    survival: Literal["active", "presumed_alive"] = "active",
) -> pd.DataFrame:
    """Read a NAACCR XML file (v21-v26, gzip allowed) into the canonical frame.

    Parameters
    ----------
    path : ``.xml`` or ``.xml.gz`` file.
    study_cutoff : ``"YYYY-MM-DD"`` end of follow-up for survival months computed from dates
        (rows without ``survMosActiveFollowup``); a death after it counts as alive at the cutoff.
        None: the date of last contact ends follow-up.
    classify : add the classification columns (``netsurv.classify``) when available.
    survival : which SEER survival months become ``survival_months``/``survival_flag``:
        ``"active"`` follow-up (items #1784/#1783) or ``"presumed_alive"`` (#1787/#1786:
        a patient alive at last contact is followed to the cutoff); computed from dates with
        :func:`netsurv.io.seer_survival_time` where the file lacks them.

    Returns
    -------
    DataFrame, one row per Tumor, canonical columns first, then every other item as a string
    column named in snake_case (``dateOfBirth`` -> ``date_of_birth``).
    """
    path = Path(path)
    if study_cutoff is not None:
        try:
            valid = not pd.isna(pd.Timestamp(study_cutoff))
        except (ValueError, TypeError):
            valid = False
        if not valid:
            raise InputError(
                f"study_cutoff={study_cutoff!r} is not a date; write it as YYYY-MM-DD."
            )
    frames: list[pd.DataFrame] = []
    meta: dict[str, str] = {}
    for rows in _parse(path, meta):
        if not rows and frames:
            continue
        raw = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
        canon = canonical_from_items(raw, path=path, study_cutoff=study_cutoff, survival=survival)
        frames.append(finalize(pd.concat([canon, _extras(raw)], axis=1)))  # row-wise rules
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    df.attrs["netsurv_source"] = {
        "path": str(path),
        "format": "naaccr-xml",
        "base_dictionary": meta.get("baseDictionaryUri", ""),
        "record_type": meta.get("recordType", ""),
        "patients": int(meta.get("_patients", "0")),
        "patients_without_tumors": int(meta.get("_patients_without_tumors", "0")),
        "study_cutoff": study_cutoff,
    }
    return maybe_classify(df, classify)


def naaccr_version(base_dictionary_uri: str) -> str | None:
    """``"250"`` from ``http://naaccr.org/naaccrxml/naaccr-dictionary-250.xml`` (else None)."""
    m = re.search(r"naaccr-dictionary-(\d{3})\.xml", base_dictionary_uri)
    return m.group(1) if m else None
