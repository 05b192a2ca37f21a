"""What the command line prints: JSON-ready rows, the ``reproduce`` table within 100
columns, and warnings as one line each, said once, in terms of options rather than Python."""

from __future__ import annotations

import math
import re
import sys
import textwrap
from typing import Any

import pandas as pd

__all__ = ["SAID", "one_line_warning", "print_checks", "records"]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Row objects with plain Python values (NaN/NA -> None, numpy scalars -> int/float/bool);
    floats keep full precision (``json`` writes the shortest repr that round-trips)."""
    out = []
    for row in frame.to_dict("records"):
        clean: dict[str, Any] = {}
        for k, v in row.items():
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                clean[str(k)] = None
            elif hasattr(v, "item"):  # numpy scalar
                item = v.item()
                clean[str(k)] = None if isinstance(item, float) and math.isnan(item) else item
            elif isinstance(v, int | float | bool | str):
                clean[str(k)] = v
            else:
                clean[str(k)] = str(v)
        out.append(clean)
    return out


def print_checks(frame: pd.DataFrame, width: int = 100) -> None:
    """The checks as a table no wider than ``width`` (numbers to 4 significant digits, long
    text cut with "…"), each note wrapped below its row."""

    def cell(v: Any, cut: int) -> str:
        text = f"{v:.4g}" if isinstance(v, float) else str(v)
        return text if len(text) <= cut else text[: cut - 1] + "…"

    cols = [c for c in frame.columns if c != "note"]
    for cut in range(36, 7, -2):
        lines = frame[cols].map(lambda v, cut=cut: cell(v, cut)).to_string(index=False).splitlines()
        if max(map(len, lines)) <= width:
            break
    print(lines[0])
    notes = frame["note"] if "note" in frame else pd.Series([""] * len(frame))
    for line, note in zip(lines[1:], notes, strict=True):
        print(line)
        if isinstance(note, str) and note.strip():
            print(textwrap.fill(note, width=width, initial_indent="    ", subsequent_indent="    "))


SAID: set[str] = set()
_FOR_SHELL = (  # library advice in Python, as the same advice in options
    (
        re.compile(r"lifetable=netsurv\.ratetables\.us\(\)\.with_beyond_year\(YEAR\)"),
        "--beyond-year YEAR (e.g. --beyond-year 2019)",
    ),
)


def one_line_warning(command: str, message: Warning | str, *_: Any, **__: Any) -> None:
    text = " ".join(str(message).split())
    for pattern, option in _FOR_SHELL:
        text = pattern.sub(option, text)
    if text not in SAID:  # each warning once
        SAID.add(text)
        print(f"netsurv {command}: warning: {text}", file=sys.stderr)
