"""Category vocabularies of the columns that :func:`netsurv.classify` adds (one place for all)."""

from __future__ import annotations

__all__ = [
    "DIFFERENTIATION",
    "DIFFERENTIATION_SOURCE",
    "EXTENT",
    "EXTENT_SOURCE",
    "GRADE",
    "GRADE_SOURCE",
    "GRADE_TABLE",
    "INPUT_FIELDS",
    "NEC_SUBTYPE",
    "NEN_TYPE",
    "SITE_GROUP",
    "UNKNOWN",
]

UNKNOWN = "unknown"
EXTENT = ("in situ", "localized", "regional", "distant", UNKNOWN)
GRADE = ("G1", "G2", "G3", UNKNOWN)
DIFFERENTIATION = ("well", "poor", UNKNOWN)
NEN_TYPE = ("NET", "NEC", "MiNEN", "other NEN", "not NEN", UNKNOWN)
NEC_SUBTYPE = ("small-cell", "large-cell", "NOS")
SITE_GROUP = (
    "lung",
    "thymus",
    "esophagus",
    "stomach",
    "small intestine",
    "appendix",
    "colon",
    "rectum",
    "pancreas",
    "hepatobiliary",
    "unknown primary",
    "other",
    UNKNOWN,
)
EXTENT_SOURCE = ("historic_a", "combined", "ss2000", "ss2018", "unknown system", "none")
# where a grade comes from: a grade code (``grade_table`` says which), Ki-67 (% or range code),
# histology (thoracic carcinoids by type, NECs G3 by definition), or nowhere
GRADE_SOURCE = ("code", "Ki-67", "histology", UNKNOWN)
GRADE_TABLE = ("pre-2018", "2018 NET schema", "2018 carcinoma table", "none")
DIFFERENTIATION_SOURCE = (
    "pre-2018 grade",
    "2018 grade (NET schema)",
    "2018 grade (carcinoma table)",
    "histology",
    "none",
)
# input fields whose present-but-unrecognised codes are flagged in the ``invalid_codes`` column
INPUT_FIELDS = ("primary_site", "histology", "grade", "ki67", "stage", "year_dx", "behavior")
