"""The two NAACCR XML paths, for tests that compare them: the event stream's frame, and
whether the fast scan reads a file without leaving its subset."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from netsurv.io import naaccr
from netsurv.io._xmlscan import NotSubset, scan_rows
from netsurv.io._xmlstream import XmlLimits, stream_rows


def stream_frame(path: Path, limits: XmlLimits) -> pd.DataFrame:
    """The frame the event stream gives (ReadError raised as the reader would)."""
    chunks = stream_rows(path, limits, {}, 10**6)
    frames = naaccr._frames(chunks, path=path, study_cutoff=None, survival="active")
    return pd.concat(frames, ignore_index=True)


def scan_reads(path: Path, limits: XmlLimits) -> bool:
    """Whether the fast scan reads the whole file (False: it would fall back to the stream)."""
    try:
        for _ in scan_rows(path, limits, {}, 10**6):
            pass
    except NotSubset:
        return False
    return True
