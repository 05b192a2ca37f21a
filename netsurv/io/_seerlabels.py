"""SEER*Stat variable names and label texts mapped to canonical columns and registry codes.

Sources: ``../shared/reference/registry-formats.md`` §1.3 (label texts seen in labelled exports),
§3.2-§3.3 (registry codes: NAACCR items 380, 440, 500, 523, 759/764, 1783, 1914, 1975).
A label that is not recognised is kept as its text, and ``load_summary`` counts it as unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

__all__ = ["FIELD_PATTERNS", "canonical_field", "decode_label", "encode_label", "snake_case"]

# (regex on the lower-cased SEER*Stat variable name, canonical field); first match wins
FIELD_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    (r"^survival months flag", "survival_flag"),
    (r"^survival months$", "survival_months"),
    (r"^vital status recode", "_vital"),
    (r"^seer cause[- ]specific death classification", "_cod"),
    (r"historic stage a", "stage_historic_a"),
    (r"^combined summary stage", "stage_combined"),
    (r"summary stage 2018", "stage_ss2018"),
    (r"summary stage 2000", "stage_ss2000"),
    (r"^derived summary grade 2018", "grade_2018"),
    (r"^grade clinical", "grade_clinical"),
    (r"^grade pathological", "grade_pathological"),
    (r"^grade( recode)?( \(thru 2017\))?$", "grade_pre2018"),
    (r"^ki-?67", "ki67_code"),
    (r"^histologic type icd-o-3", "histology"),
    (r"^behavior (code icd-o-3|recode for analysis)", "behavior"),
    (r"^icd-o-3 hist/behav", "_hist_behav"),
    (r"^primary site( - labeled)?$", "primary_site"),
    (r"^year of diagnosis", "year_dx"),
    (r"^month of diagnosis", "month_dx"),
    (r"^age (recode|at diagnosis)", "age_dx"),
    (r"^sex$", "sex"),
    (r"^race recode", "race"),
    (r"^sequence number", "tumor_seq"),
    (r"^patient id", "patient_id"),
    (r"^type of reporting source", "reporting_source"),
)
_COMPILED: Final = tuple((re.compile(p), f) for p, f in FIELD_PATTERNS)


def canonical_field(name: str) -> str | None:
    """Canonical field (or ``_internal`` name) for a SEER*Stat variable name, else None.

    >>> canonical_field("Vital status recode (study cutoff used)")
    '_vital'
    >>> canonical_field("Site recode ICD-O-3/WHO 2008") is None
    True
    """
    low = " ".join(name.strip().lower().split())
    for pattern, field in _COMPILED:
        if pattern.search(low):
            return field
    return None


def snake_case(name: str) -> str:
    """Column name for an extra variable: ``Site recode ICD-O-3/WHO 2008`` -> ``site_recode_icd_o_3_who_2008``.

    >>> snake_case("Marital status at diagnosis")
    'marital_status_at_diagnosis'
    >>> snake_case("dateOfBirth")
    'date_of_birth'
    """
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    s = re.sub(r"[^0-9a-zA-Z]+", "_", s).strip("_").lower()
    return s or "unnamed"


def _norm(label: str) -> str:
    text = label.strip().strip('"').lower().replace("'", "").replace("\u2019", "")
    return " ".join(text.split())


# ---- label -> registry code per field -------------------------------------------------------
_HISTORIC_A: Final = {
    "In situ": "0",
    "Localized": "1",
    "Regional": "2",
    "Distant": "4",
    "Localized/regional (Prostate cases)": "8",
    "Unstaged": "9",
}
_SUMMARY_STAGE: Final = {
    "In situ": "0",
    "Localized": "1",
    "Localized only": "1",
    "Regional by direct extension only": "2",
    "Regional lymph nodes involved only": "3",
    "Regional by both direct extension and lymph node involvement": "4",
    "Regional, NOS": "5",
    "Regional": "5",
    "Distant": "7",
    "Distant site(s)/node(s) involved": "7",
    "Not applicable": "8",
    "Benign/borderline": "8",
    "Unknown/unstaged": "9",
    "Unknown/unstaged/unspecified/DCO": "9",
}
_GRADE_PRE2018: Final = {
    "Well differentiated; Grade I": "1",
    "Moderately differentiated; Grade II": "2",
    "Poorly differentiated; Grade III": "3",
    "Undifferentiated; anaplastic; Grade IV": "4",
    "T-cell": "5",
    "B-cell; pre-B; B-precursor": "6",
    "Null cell; non T-non B": "7",
    "NK cell; natural killer cell (1995+)": "8",
    "Unknown": "9",
}
_GRADE_2018: Final = {
    **{f"Site-specific grade system category ({i})": str(i) for i in range(1, 6)},
    "Well differentiated": "A",
    "Moderately differentiated": "B",
    "Poorly differentiated": "C",
    "Undifferentiated and anaplastic": "D",
    "Site-specific grade system category (E)": "E",
    "High grade": "H",
    "Low grade": "L",
    "Site-specific grade system category (M)": "M",
    "Site-specific grade system category (S)": "S",
    "Not applicable": "8",
    "Unknown": "9",
}
_BEHAVIOR: Final = {
    "Benign": "0",
    "Borderline malignancy": "1",
    "In situ": "2",
    "Malignant": "3",
}
_REPORTING: Final = {
    "Hospital inpatient/outpatient or clinic": "1",
    "Radiation treatment or medical oncology center": "2",
    "Laboratory only (hospital or private)": "3",
    "Physicians office/private medical practitioner (LMD)": "4",
    "Nursing/convalescent home/hospice": "5",
    "Autopsy only": "6",
    "Death certificate only": "7",
    "Other hospital outpatient unit or surgery center": "8",
}
_FLAG: Final = {
    "Complete dates are available and there are 0 days of survival": "0",
    "Complete dates are available and there are more than 0 days of survival": "1",
    "Incomplete dates are available and there could be zero days of follow-up": "2",
    "Incomplete dates are available and there cannot be zero days of follow-up": "3",
    "Not calculated because a Death Certificate Only or Autopsy Only case": "8",
    "Could not calculate survival due to missing or invalid dates": "9",
}
_SEX: Final = {"Male": "male", "Female": "female", "1": "male", "2": "female"}
_MONTHS: Final = {
    m: str(i + 1)
    for i, m in enumerate(
        "January February March April May June July August September October November December".split()
    )
}
_ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th) of (\d+) or more primaries")


def _seq(label: str) -> str | None:
    low = _norm(label)
    if low.startswith("one primary only"):
        return "00"
    m = _ORDINAL.match(low)
    if m:
        return f"{int(m.group(1)):02d}"
    if low.startswith("unknown seq"):
        return "99"
    return None


def _site(label: str) -> str | None:
    text = label.strip()
    if text.isdigit() and len(text) <= 3:  # "Primary Site" as a number: 181 -> C181, 9 -> C009
        return f"C{int(text):03d}"
    m = re.match(r"^c?(\d{2})\.?(\d)\b", label.strip(), flags=re.IGNORECASE)
    return f"C{m.group(1)}{m.group(2)}" if m else None


_TABLES: Final[dict[str, dict[str, str]]] = {
    "stage_historic_a": _HISTORIC_A,
    "stage_ss2000": _SUMMARY_STAGE,
    "stage_ss2018": _SUMMARY_STAGE,
    "grade_pre2018": _GRADE_PRE2018,
    "grade_2018": _GRADE_2018,
    "grade_clinical": _GRADE_2018,
    "grade_pathological": _GRADE_2018,
    "behavior": _BEHAVIOR,
    "reporting_source": _REPORTING,
    "survival_flag": _FLAG,
    "sex": _SEX,
    "month_dx": _MONTHS,
}
_FUNCS: Final[dict[str, Callable[[str], str | None]]] = {"tumor_seq": _seq, "primary_site": _site}
# fields whose values may already be registry codes of this shape
_CODE_SHAPE: Final = {
    "stage_historic_a": r"[0-9]",
    "stage_ss2000": r"[0-9]",
    "stage_ss2018": r"[0-9]",
    "grade_pre2018": r"[0-9]",
    "grade_2018": r"[0-9A-Z]",
    "grade_clinical": r"[0-9A-Z]",
    "grade_pathological": r"[0-9A-Z]",
    "behavior": r"[0-9]",
    "reporting_source": r"[0-9]",
    "survival_flag": r"[0-9]",
    "tumor_seq": r"[0-9]{2}",
    "month_dx": r"[0-9]{1,2}",
}


def decode_label(field: str, label: str) -> str:
    """Registry code for a SEER*Stat label of ``field`` (the label itself when unknown).

    >>> decode_label("stage_historic_a", "Distant")
    '4'
    >>> decode_label("tumor_seq", "2nd of 2 or more primaries")
    '02'
    >>> decode_label("primary_site", "C25.0-Head of pancreas")
    'C250'
    >>> decode_label("primary_site", "9")
    'C009'
    """
    text = label.strip()
    shape = _CODE_SHAPE.get(field)
    if shape is not None and re.fullmatch(shape, text):
        return text
    if field in _FUNCS:
        found = _FUNCS[field](text)
        return found if found is not None else text
    table = _LOOKUP.get(field)
    if table is None:
        return text
    return table.get(_norm(text), text)


_LOOKUP: Final = {f: {_norm(k): v for k, v in t.items()} for f, t in _TABLES.items()}
# code -> preferred (first listed) label
_REVERSE: Final = {f: {v: k for k, v in reversed(list(t.items()))} for f, t in _TABLES.items()}


def encode_label(field: str, code: str) -> str:
    """SEER*Stat label text for a registry code (inverse of :func:`decode_label`).

    >>> encode_label("stage_historic_a", "4")
    'Distant'
    >>> encode_label("tumor_seq", "00")
    'One primary only'
    """
    if field == "tumor_seq":
        if code == "00":
            return "One primary only"
        if code.isdigit() and 1 <= int(code) <= 59:
            n = int(code)
            suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10 if n % 100 not in (11, 12, 13) else 0)
            return f"{n}{suffix or 'th'} of 2 or more primaries"
        return code
    return _REVERSE.get(field, {}).get(code, code)
