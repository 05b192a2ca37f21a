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
from typing import Literal

import pandas as pd
import pyarrow as pa

from netsurv.errors import InputError, ReadError
from netsurv.io._naaccrmap import ITEM_TO_CANONICAL, canonical_from_items
from netsurv.io._seerlabels import snake_case
from netsurv.io._xmlscan import NotSubset, scan_rows
from netsurv.io._xmlstream import NAACCR_NS, XmlLimits, stream_rows
from netsurv.io.canonical import (
    CANONICAL_COLUMNS,
    EXTRA_CANONICAL_COLUMNS,
    finalize,
    maybe_classify,
)

__all__ = ["NAACCR_NS", "XmlLimits", "read_naaccr_xml"]

CHUNK_TUMORS = 20_000


def _extras(raw: pd.DataFrame) -> pd.DataFrame:
    """Every item that is not copied verbatim into a canonical column, snake_case named.

    ``pa.array`` of the object column wrapped as pandas' pyarrow strings: the same column as
    ``astype(pd.StringDtype("pyarrow"))`` in half the time (pandas checks every value first)."""
    reserved = set(CANONICAL_COLUMNS) | set(EXTRA_CANONICAL_COLUMNS)
    out = {}
    for item in raw.columns:
        if item.startswith("_") or ITEM_TO_CANONICAL.get(item, (None, False))[1]:
            continue
        name = snake_case(item)
        if name in reserved:
            name = f"naaccr_{name}"
        values = pa.array(raw[item].to_numpy(), type=pa.string(), from_pandas=True)
        out[name] = pd.Series(pd.arrays.ArrowStringArray(values), index=raw.index, copy=False)
    return pd.DataFrame(out, index=raw.index, copy=False)


def _frames(
    chunks: Iterator[list[dict[str, str]]],
    *,
    path: Path,
    study_cutoff: str | None,
    survival: Literal["active", "presumed_alive"],
) -> list[pd.DataFrame]:
    """One finished canonical frame per chunk of flattened Tumor rows (rules are row-wise)."""
    frames: list[pd.DataFrame] = []
    for rows in chunks:
        if not rows and frames:
            continue
        raw = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
        canon = canonical_from_items(raw, path=path, study_cutoff=study_cutoff, survival=survival)
        if "_exclusion" in raw:  # structural reasons (tumour outside a patient) come first
            canon["exclusion"] = raw["_exclusion"].where(
                raw["_exclusion"].notna(), canon["exclusion"]
            )
        frames.append(finalize(pd.concat([canon, _extras(raw)], axis=1, copy=False)))
    return frames


def read_naaccr_xml(
    path: str | Path,
    *,
    study_cutoff: str | None = None,
    classify: bool = True,
    survival: Literal["active", "presumed_alive"] = "active",
    limits: XmlLimits | None = None,
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
    limits : caps on item text, attribute length and nesting depth (:class:`XmlLimits`);
        a file beyond them is refused with a ReadError.

    Returns
    -------
    DataFrame, one row per ``<Tumor>`` element (a Tumor outside any Patient keeps its row with
    the exclusion "tumour outside a patient"), canonical columns first, then every other item as a string
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
    limits = limits or XmlLimits()
    meta: dict[str, str] = {}
    try:  # the regex scan of the common subset; the event stream is the reference
        chunks = scan_rows(path, limits, meta, CHUNK_TUMORS)
        frames = _frames(chunks, path=path, study_cutoff=study_cutoff, survival=survival)
    except (NotSubset, ReadError):  # outside the subset, or an error to name exactly
        meta.clear()
        chunks = stream_rows(path, limits, meta, CHUNK_TUMORS)
        frames = _frames(chunks, path=path, study_cutoff=study_cutoff, survival=survival)
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    df.attrs["netsurv_source"] = {
        "path": str(path),
        "format": "naaccr-xml",
        "base_dictionary": meta.get("baseDictionaryUri", ""),
        "record_type": meta.get("recordType", ""),
        "patients": int(meta.get("_patients", "0")),
        "patients_without_tumors": int(meta.get("_patients_without_tumors", "0")),
        "records_read": int(meta.get("_tumor_elements", "0")),
        "study_cutoff": study_cutoff,
    }
    return maybe_classify(df, classify)


def naaccr_version(base_dictionary_uri: str) -> str | None:
    """``"250"`` from ``http://naaccr.org/naaccrxml/naaccr-dictionary-250.xml`` (else None)."""
    m = re.search(r"naaccr-dictionary-(\d{3})\.xml", base_dictionary_uri)
    return m.group(1) if m else None
