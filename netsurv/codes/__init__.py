"""Classify tumours from registry codes: NEN type, differentiation, WHO grade, site, extent.

The rules are CSV code tables in this package (``histology.csv``, ``behavior.csv``,
``sites.csv``, ``stage.csv``, ``grade.csv``, ``derived_grade.csv``, ``ki67.csv``,
``exclusions.csv``), each row with its source; ``README.md`` here documents them.
:func:`classify` adds the derived columns, :func:`classification_summary` counts them,
:func:`code_table` returns a table, :func:`select` picks a cohort, and
:func:`derived_summary_grade` is SEER's Derived Summary Grade 2018 (the one rule that both
``classify`` and the readers apply to the 2018 grade fields).
"""

from __future__ import annotations

from netsurv.codes.classification import ADDED_COLUMNS, classify
from netsurv.codes.cohort import Selection, select
from netsurv.codes.summary import classification_summary
from netsurv.codes.summary_grade import derived_summary_grade
from netsurv.codes.tables import TABLE_NAMES, code_table

__all__ = [
    "ADDED_COLUMNS",
    "TABLE_NAMES",
    "Selection",
    "classification_summary",
    "classify",
    "code_table",
    "derived_summary_grade",
    "select",
]
