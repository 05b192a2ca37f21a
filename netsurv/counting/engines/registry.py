"""The reader's exclusion rules, applied to a registry file counted where it lies.

``netsurv.read`` gives every row of a registry extract an ``exclusion`` reason when it cannot
enter survival analysis (``netsurv.io.canonical``): death certificate or autopsy only, negative
or unknown survival months, unknown vital status, alive with no survival time. With
``to_counts(..., registry_rules=True)`` the engines apply the same rules to the raw columns, so a
file counted out of core gives what ``netsurv.read(path)`` and an in-memory estimate give. A
given ``exclusion`` reason wins; a rule applies only when its columns are in the file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from netsurv.counting.engines.values import floats
from netsurv.rules import EXCLUSION_REASONS, POSITIVE_SURVIVAL_FLAGS, SURVIVAL_MONTHS_MAX

__all__ = ["COLUMNS", "REASONS", "arrow_codes", "sql_code"]

COLUMNS = ("reporting_source", "survival_flag", "survival_months", "dead")
# code -> reason, in the reader's order (the first rule that applies wins)
REASONS = {
    1: EXCLUSION_REASONS["dco"],
    2: EXCLUSION_REASONS["dates"],
    3: EXCLUSION_REASONS["survival_unknown"],
    4: EXCLUSION_REASONS["vital_unknown"],
    5: EXCLUSION_REASONS["alive_zero"],
}


def _text_in(arr: pa.Array | pa.ChunkedArray, values: Sequence[str]) -> np.ndarray:
    text = pc.utf8_trim_whitespace(pc.cast(arr, pa.string()))
    return np.asarray(pc.fill_null(pc.is_in(text, value_set=pa.array(list(values))), False))


def arrow_codes(batch: pa.RecordBatch | pa.Table) -> np.ndarray | None:
    """Rule code per row (0: no rule applies), from the registry columns present."""
    names = set(batch.schema.names)
    if not names & {"survival_months", "dead", "reporting_source", "survival_flag"}:
        return None
    n = batch.num_rows
    masks: dict[int, np.ndarray] = {}
    if names & {"reporting_source", "survival_flag"}:
        dco = np.zeros(n, bool)
        if "reporting_source" in names:
            dco |= _text_in(batch.column("reporting_source"), ["6", "7"])
        if "survival_flag" in names:
            dco |= _text_in(batch.column("survival_flag"), ["8"])
        masks[1] = dco
    months = (
        floats(batch.column("survival_months"), "time", "survival_months")
        if "survival_months" in names
        else None
    )
    dead = floats(batch.column("dead"), "event", "dead") if "dead" in names else None
    with np.errstate(invalid="ignore"):
        if months is not None:
            masks[2] = months < 0
            masks[3] = np.isnan(months) | (months > SURVIVAL_MONTHS_MAX)
        if dead is not None:
            masks[4] = np.isnan(dead)
        if months is not None and dead is not None:
            masks[5] = (months == 0) & (dead == 0)
            if "survival_flag" in names:  # more than 0 days: lost in the first month, kept
                flag = batch.column("survival_flag")
                masks[5] &= ~_text_in(flag, POSITIVE_SURVIVAL_FLAGS)
    codes = np.zeros(n, np.int8)
    for k in sorted(masks, reverse=True):  # the first rule wins: apply the last ones first
        codes[masks[k]] = k
    return codes


def sql_code(types: dict[str, str], quote: Callable[[str], str]) -> str | None:
    """The same rule code as a SQL expression over the file's columns (``q`` quotes names)."""
    cases = []
    if "reporting_source" in types or "survival_flag" in types:
        parts = []
        if "reporting_source" in types:
            parts.append(f"trim(CAST({quote('reporting_source')} AS VARCHAR)) IN ('6', '7')")
        if "survival_flag" in types:
            parts.append(f"trim(CAST({quote('survival_flag')} AS VARCHAR)) = '8'")
        cases.append(f"WHEN coalesce({' OR '.join(parts)}, false) THEN 1")
    m = f"TRY_CAST({quote('survival_months')} AS DOUBLE)" if "survival_months" in types else None
    d = f"TRY_CAST({quote('dead')} AS DOUBLE)" if "dead" in types else None
    if m is not None:
        cases += [
            f"WHEN {m} < 0 THEN 2",
            f"WHEN {m} IS NULL OR isnan({m}) OR {m} > {SURVIVAL_MONTHS_MAX} THEN 3",
        ]
    if d is not None:
        cases.append(f"WHEN {d} IS NULL THEN 4")
    if m is not None and d is not None:
        positive = "false"
        if "survival_flag" in types:
            flags = ", ".join(f"'{f}'" for f in POSITIVE_SURVIVAL_FLAGS)
            flag = f"trim(CAST({quote('survival_flag')} AS VARCHAR))"
            positive = f"coalesce({flag} IN ({flags}), false)"
        cases.append(f"WHEN {m} = 0 AND {d} = 0 AND NOT {positive} THEN 5")
    return f"(CASE {' '.join(cases)} ELSE 0 END)" if cases else None
