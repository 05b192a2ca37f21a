"""The NAACCR XML event stream: the whole file through expat and the event handlers.

The handlers (:mod:`netsurv.io._xmlevents`) turn every ``<Tumor>`` into one flat row and name
the line of any error. Here the file is fed to expat in chunks, and a run of more bytes than a
tag or item may hold without a ``>`` is refused before expat buffers it. This path reads every
file; its rules (refusals, limits, exclusions, line numbers) are the reference the regex scan
(:mod:`netsurv.io._xmlscan`) matches.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

from netsurv.errors import NetsurvError, ReadError
from netsurv.io._files import GZIP_ERRORS, gzip_error, open_binary
from netsurv.io._xmlevents import NAACCR_NS, EventStream, XmlLimits, event_parser

__all__ = ["NAACCR_NS", "XmlLimits", "stream_rows"]


class _RunGuard:
    """Refuse a run of bytes without ``>`` longer than a tag or an item may be, before expat
    buffers it (expat keeps an unfinished tag whole: a 100 MB attribute is 100 MB and more)."""

    def __init__(self, path: Path, limit: int) -> None:
        self.path, self.limit = path, limit
        self.run = 0  # bytes since the last ">"
        self.lines = 1  # line number at the start of the next chunk

    def check(self, chunk: bytes) -> None:
        first = chunk.find(b">")
        head = len(chunk) if first < 0 else first
        if self.run + head > self.limit:
            at = max(0, self.limit - self.run)
            raise ReadError(
                f"more than {self.limit:,} bytes without a '>': a tag or an item longer than "
                "XmlLimits allows (the file is damaged or hostile).",
                path=self.path,
                line=self.lines + chunk.count(b"\n", 0, at),
            )
        last = chunk.rfind(b">")
        self.run = self.run + len(chunk) if last < 0 else len(chunk) - last - 1
        self.lines += chunk.count(b"\n")


def _feed(path: Path, st: EventStream, parser: Any, rows_per_chunk: int) -> Iterator[list[dict]]:
    guard = _RunGuard(path, st.limits.run_bytes)
    with open_binary(path) as fh:
        while chunk := fh.read(st.limits.chunk_bytes):
            guard.check(chunk)
            parser.Parse(chunk, False)
            if len(st.rows) >= rows_per_chunk:
                yield st.rows
                st.rows = []
        parser.Parse(b"", True)


def stream_rows(
    path: Path, limits: XmlLimits, meta: dict[str, str], rows_per_chunk: int
) -> Iterator[list[dict[str, str]]]:
    """Yield lists of flattened Tumor rows; fills ``meta`` with root attributes at the end."""
    st = EventStream(path, limits)
    parser = event_parser(st)
    try:
        yield from _feed(path, st, parser, rows_per_chunk)
    except expat.ExpatError as exc:
        raise ReadError(
            f"the XML is not well formed ({expat.ErrorString(exc.code)}); the file may be "
            "truncated or damaged.",
            path=path,
            line=exc.lineno,
        ) from exc
    except GZIP_ERRORS as exc:
        raise gzip_error(path, exc, line=parser.CurrentLineNumber) from exc
    except (LookupError, ValueError) as exc:  # unknown or multi-byte encoding declared
        if isinstance(exc, NetsurvError):
            raise
        raise ReadError(
            f"cannot decode the XML ({exc}); NAACCR XML is UTF-8. Re-save the file as UTF-8.",
            path=path,
            line=parser.CurrentLineNumber,
            field="encoding",
        ) from exc
    if st.root is None:
        raise ReadError("the file holds no NAACCR XML (no <NaaccrData> element).", path=path)
    if st.rows_built != st.tumor_elements:  # never a silent loss
        raise ReadError(
            f"{st.tumor_elements} <Tumor> elements but {st.rows_built} rows built; please "
            "report this file to netsurv.",
            path=path,
        )
    meta.update(st.root)
    meta["_patients"] = str(st.patients)
    meta["_patients_without_tumors"] = str(st.patients_without_tumors)
    meta["_tumor_elements"] = str(st.tumor_elements)
    yield st.rows
