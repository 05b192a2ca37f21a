"""Opening registry files: gzip detected from the bytes, gzip damage reported as ReadError."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from netsurv.errors import ReadError

__all__ = ["GZIP_ERRORS", "is_gzip", "open_binary", "gzip_error"]

GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)


def is_gzip(path: Path) -> bool:
    """True when the file starts with the gzip magic bytes (whatever its name)."""
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


@contextmanager
def open_binary(path: str | Path) -> Iterator[BinaryIO]:
    """Open ``path`` for reading bytes, decompressing gzip transparently."""
    path = Path(path)
    try:
        raw = open(path, "rb")  # opened once: a pipe cannot be opened twice
    except OSError as exc:
        raise ReadError(f"cannot open the file: {exc.strerror or exc}.", path=path) from exc
    try:
        magic = raw.peek(2)[:2]
        fh: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if magic == b"\x1f\x8b" else raw  # type: ignore[assignment]
        yield fh
    finally:
        raw.close()


def gzip_error(path: Path, exc: BaseException, line: object = None) -> ReadError:
    """The ReadError for a damaged or truncated gzip stream."""
    return ReadError(
        f"the gzip file is damaged or truncated ({exc}); copy or download it again.",
        path=path,
        line=line,
    )
