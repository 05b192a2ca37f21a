"""The rulebook: every rule that more than one path applies, written once.

Readers, the in-memory counting kernel, every out-of-core engine, the Cox model and the
report import these; none keeps a copy. A test runs each estimator in memory and through each
engine over label and missing-value edge cases and requires equal results.

* **Units.** A SEER month is 365.24 / 12 days (SEER's survival-months divisor); a year of
  follow-up 365.24 days; rate tables cut ages at 365.25-day years (``survexp.us``).
* **Missing values.** What counts as missing in a grouping or analysed column, whatever the
  source (pandas, CSV text, Arrow, SQL): NA/None/NaN and the texts in :data:`MISSING_TEXTS`.
* **Unknown groups.** Group labels meaning "unknown" (:data:`UNKNOWN_LABELS`) are left out
  of comparisons between groups (log-rank) unless asked for; "unknown primary site" is a
  site group and is compared like the others.
* **Exclusions.** Reasons a row cannot enter an analysis, in the order they are checked (the
  first that applies is the one counted): the reader's registry reasons
  (:data:`EXCLUSION_REASONS`, in the ``exclusion`` column), then the analysis reasons built by
  :func:`analysis_reasons`.
* **Survival months.** At most :data:`SURVIVAL_MONTHS_MAX` (four digits, 9999 unknown);
  larger or infinite values are "survival months unknown" in readers and engines alike.
* **Resource limits.** :data:`LOGRANK_MAX_GROUPS`, :data:`LIFE_TABLE_MAX_INTERVALS`.
* **Counting paths.** Whole-number times on a small stratum x time grid are counted on the
  grid (``np.bincount``); other times are sorted, and near-ties merged as R's ``aeqSurv``
  does (:data:`TIMEFIX_TOLERANCE`). :func:`dense_grid_fits` decides, for every engine.
"""

from __future__ import annotations

from typing import Final

import numpy as np

__all__ = [
    "BOOLEAN_TEXTS",
    "DAYS_PER_AGE_YEAR",
    "DAYS_PER_MONTH",
    "DAYS_PER_YEAR",
    "DENSE_LIMIT",
    "EXCLUSION",
    "EXCLUSION_REASONS",
    "LIFE_TABLE_MAX_INTERVALS",
    "LOGRANK_MAX_GROUPS",
    "MISSING_TEXTS",
    "POSITIVE_SURVIVAL_FLAGS",
    "RANKED_MIN_ROWS",
    "SURVIVAL_MONTHS_MAX",
    "TIMEFIX_TOLERANCE",
    "UNIT_DAYS",
    "UNKNOWN_GROUP_REASON",
    "UNKNOWN_LABELS",
    "analysis_reasons",
    "cause_unknown_reason",
    "dense_grid_fits",
    "is_unknown_text",
    "missing_reason",
]

# ------------------------------------------------------------------------------ units
DAYS_PER_YEAR: Final = 365.24  # a year of follow-up (SEER)
DAYS_PER_MONTH: Final = DAYS_PER_YEAR / 12  # SEER's survival-months divisor
DAYS_PER_AGE_YEAR: Final = 365.25  # rate-table age cut points (R survexp.us)
UNIT_DAYS: Final[dict[str, float]] = {
    "days": 1.0,
    "months": DAYS_PER_MONTH,
    "years": DAYS_PER_YEAR,
}

# -------------------------------------------------------------------- missing / unknown
EXCLUSION: Final = "exclusion"  # the column readers fill with a reason (NA when usable)
# texts that mean "no value" in a CSV file, exactly as pandas' ``read_csv`` reads them by
# default (its documented ``na_values``), so that a file counted by an engine and the same
# file read into memory with pandas have the same missing values
MISSING_TEXTS: Final = frozenset(
    {
        "",
        "#N/A",
        "#N/A N/A",
        "#NA",
        "-1.#IND",
        "-1.#QNAN",
        "-NaN",
        "-nan",
        "1.#IND",
        "1.#QNAN",
        "<NA>",
        "N/A",
        "NA",
        "NULL",
        "NaN",
        "None",
        "n/a",
        "nan",
        "null",
    }
)
# texts that mean true / false in a CSV file, as pandas' read_csv reads them by default
BOOLEAN_TEXTS: Final[dict[str, bool]] = {
    "True": True,
    "TRUE": True,
    "true": True,
    "False": False,
    "FALSE": False,
    "false": False,
}
# group labels that mean "unknown": left out of tests between groups
UNKNOWN_LABELS: Final = frozenset({"unknown", "unstaged", "unknown/unstaged"})
UNKNOWN_GROUP_REASON: Final = "unknown group (left out of the test)"


def is_unknown_text(text: str) -> bool:
    """Whether a group label means unknown (case and surrounding blanks ignored).

    >>> is_unknown_text(" Unknown "), is_unknown_text("unknown primary site")
    (True, False)
    """
    return text.strip().lower() in UNKNOWN_LABELS


# --------------------------------------------------------------------------- exclusions
# key -> the exact string readers write in the ``exclusion`` column, in the order checked
EXCLUSION_REASONS: Final[dict[str, str]] = {
    "outside_patient": "tumour outside a patient",  # NAACCR XML <Tumor> not in a <Patient>
    "after_cutoff": "diagnosis after study cutoff",
    "dco": "death certificate or autopsy only",
    "dates": "dates inconsistent",
    "survival_unknown": "survival months unknown",
    "vital_unknown": "vital status unknown",
    "alive_zero": "alive with no survival time",
}

# SEER survival months are four digits, 9999 meaning unknown (SEER's SurvivalTimeUtils
# ``UNKNOWN_SURVIVAL``; NAACCR survMosActiveFollowup), so 0-9998 are the possible months. A
# larger value (99999999 in a hand-made file) or an infinite one is no survival time: it is
# "survival months unknown", in the reader (``netsurv.io.canonical``) and in every engine
# (``netsurv.counting.engines.registry``).
SURVIVAL_MONTHS_MAX: Final = 9998

# SEER survival months flags meaning "more than 0 days of survival" (1 complete dates, 3
# incomplete dates that differ). SEER*Stat, with pre-calculated months, "only consider[s] zero
# days as zero survival": an alive case with 0 months and one of these flags is not "alive with
# no survival time" but lost to follow-up in the first month (SEER*Stat help, Survival
# Parameters Tab, https://seer.cancer.gov/help/seerstat/survival-session/survival-parameters-tab).
POSITIVE_SURVIVAL_FLAGS: Final = ("1", "3")


def missing_reason(column: str) -> str:
    """The reason for a row whose analysed ``column`` is missing."""
    return f"missing {column}"


def cause_unknown_reason(event: str, cause: str) -> str:
    """The reason for a row with the event and an unknown cause (competing risks)."""
    return f"{event}, {cause} unknown"


def analysis_reasons(
    time: str,
    event: str,
    by: tuple[str, ...] = (),
    weights: str | None = None,
    entry: str | None = None,
) -> list[str]:
    """Analysis exclusion reasons in the order they are checked (after ``exclusion``).

    >>> analysis_reasons("t", "d", ("g",), entry="s")
    ['missing t', 'missing d', 'missing g', 'missing s', 's not before t']
    """
    out = [missing_reason(time), missing_reason(event), *map(missing_reason, by)]
    if weights is not None:
        out.append(missing_reason(weights))
    if entry is not None:
        out += [missing_reason(entry), f"{entry} not before {time}"]
    return out


# ---------------------------------------------------------------------- counting paths
TIMEFIX_TOLERANCE: Final = float(np.sqrt(np.finfo(float).eps))  # R: sqrt(.Machine$double.eps)
DENSE_LIMIT: Final = 50_000_000  # cells of the (stratum x whole time) grid, at most
RANKED_MIN_ROWS: Final = 1_000_000  # below this one sort is as fast as hashing float times


def dense_grid_fits(cells: float, n_rows: float) -> bool:
    """Whether whole-number times are counted on the stratum x time grid (else sorted).

    The grid is used when it is small, absolutely and relative to the data: at most
    :data:`DENSE_LIMIT` cells and at most max(DENSE_LIMIT / 10, 4 x rows). Every engine
    takes the same decision, so R's timefix is applied to the same data everywhere.

    >>> dense_grid_fits(192 * 241, 1_000), dense_grid_fits(10**9, 10**9)
    (True, False)
    """
    return bool(cells <= DENSE_LIMIT and cells <= max(DENSE_LIMIT // 10, 4 * n_rows))


# ----------------------------------------------------------------------- resource limits
# The log-rank variance is a groups x groups matrix (8 bytes x groups^2; R ``survdiff`` builds
# the same one); more groups than this are refused with a hint to combine levels.
LOGRANK_MAX_GROUPS: Final = 1_000
# A life table's intervals (strata x intervals cells are allocated): more are refused, naming
# the width that would make them.
LIFE_TABLE_MAX_INTERVALS: Final = 100_000
