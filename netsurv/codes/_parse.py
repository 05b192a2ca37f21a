"""Normalise raw registry codes once per distinct value, then index rows by integer ids.

Every function here works on the *distinct* values of a column (``pd.factorize``), so the cost
does not grow with the number of rows beyond one factorisation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

__all__ = ["BLANK", "INVALID", "keys", "lookup", "norm_histology", "norm_site", "norm_text"]

BLANK = -1  # no value in the field (NA, empty, "Blank(s)")
INVALID = -2  # a value that is not in the code table

_BLANK_TEXT = {"", ".", "blank(s)", "blank"}  # "Blank(s)": field not used; ".": missing
_SPACES = re.compile(r"\s+")
_SITE = re.compile(r"^C?\s*(\d{2})\.?(\d)(?:[^0-9].*)?$")
_HISTOLOGY = re.compile(r"^M?-?(\d{4})(?:[^0-9].*)?$")
_FLOAT_INT = re.compile(r"^(\d+)\.0+$")


def norm_text(value: object) -> str | None:
    """Key of a code or label: trimmed, case-folded, inner blanks collapsed; None when blank."""
    text = _SPACES.sub(" ", str(value)).strip().casefold()
    if text in _BLANK_TEXT:
        return None
    whole = _FLOAT_INT.match(text)  # a code read as a float, "1.0" -> "1"
    return whole.group(1) if whole else text


def norm_site(value: object) -> str | None:
    """ICD-O-3 topography as ``C250``; accepts ``C25.0``, ``c25.0``, ``250``, ``C25.0-Pancreas``."""
    text = norm_text(value)
    if text is None:
        return None
    match = _SITE.match(text.upper())
    return f"C{match.group(1)}{match.group(2)}" if match else "?" + text


def norm_histology(value: object) -> str | None:
    """ICD-O-3 morphology as 4 digits; accepts ``8240``, ``8240/3``, ``8240/3: Carcinoid``."""
    text = norm_text(value)
    if text is None:
        return None
    match = _HISTOLOGY.match(text.upper())
    return match.group(1) if match else "?" + text


def keys(
    column: pd.Series | None, n: int, norm: Callable[[object], str | None]
) -> tuple[np.ndarray, list[str]]:
    """Row ids into a list of distinct normalised keys (``BLANK`` for blank rows).

    >>> ids, distinct = keys(pd.Series(["C25.0", "c250", None, "250"]), 4, norm_site)
    >>> ids.tolist(), distinct
    ([0, 0, -1, 0], ['C250'])
    """
    if column is None:
        return np.full(n, BLANK, dtype=np.int64), []
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    normalised = [norm(u) for u in uniques]
    distinct = sorted({k for k in normalised if k is not None})
    position = {k: i for i, k in enumerate(distinct)}
    # one id per factorised value, plus a trailing BLANK that code -1 (NA) picks up
    remap = np.array([position[k] if k is not None else BLANK for k in normalised] + [BLANK])
    return remap[codes].astype(np.int64, copy=False), distinct


def lookup(ids: np.ndarray, distinct: list[str], table: Mapping[str, int]) -> np.ndarray:
    """Map row ids to table values; ``BLANK`` stays blank, keys missing from the table are ``INVALID``."""
    values = np.array([table.get(k, INVALID) for k in distinct] + [BLANK], dtype=np.int64)
    return values[ids]
