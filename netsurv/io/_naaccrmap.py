"""NAACCR XML items -> canonical columns (codes from ``registry-formats.md`` §3.2-§3.3)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from netsurv.errors import InputError, ReadError
from netsurv.io.canonical import race_group
from netsurv.io.causes import seer_cause_specific
from netsurv.io.survtime import parse_partial_dates, seer_survival_time

__all__ = ["CANONICAL_TO_ITEM", "ITEM_TO_CANONICAL", "RACE_CODES", "canonical_from_items"]

# naaccrId -> (canonical column, copied verbatim?) ; verbatim items are not repeated as extras
ITEM_TO_CANONICAL: dict[str, tuple[str, bool]] = {
    "patientIdNumber": ("patient_id", True),
    "sequenceNumberCentral": ("tumor_seq", True),
    "primarySite": ("primary_site", True),
    "histologicTypeIcdO3": ("histology", True),
    "behaviorCodeIcdO3": ("behavior", True),
    "grade": ("grade_pre2018", True),
    "gradeClinical": ("grade_clinical", True),
    "gradePathological": ("grade_pathological", True),
    "derivedSummaryGrade2018": ("grade_2018", True),
    "ki67": ("ki67_code", True),
    "typeOfReportingSource": ("reporting_source", True),
    "survFlagActiveFollowup": ("survival_flag", False),
    "stageHistoricA": ("stage_historic_a", True),
    "stageCombined": ("stage_combined", True),
    "seerSummaryStage2000": ("stage_ss2000", False),
    "derivedSs2000": ("stage_ss2000", False),
    "summaryStage2018": ("stage_ss2018", False),
    "derivedSummaryStage2018": ("stage_ss2018", False),
    "dateOfDiagnosis": ("date_dx", False),
    "dateOfLastContact": ("date_last_contact", False),
    "ageAtDiagnosis": ("age_dx", False),
    "sex": ("sex", False),
    "sexAssignedAtBirth": ("sex", False),
    "race1": ("race", False),
    "vitalStatus": ("dead", False),
    "vitalStatusRecode": ("dead", False),
    "survMosActiveFollowup": ("survival_months", False),
    "seerCauseSpecificCod": ("cancer_death", False),
}
# canonical column -> item the writer uses
CANONICAL_TO_ITEM: dict[str, str] = {
    "patient_id": "patientIdNumber",
    "tumor_seq": "sequenceNumberCentral",
    "primary_site": "primarySite",
    "histology": "histologicTypeIcdO3",
    "behavior": "behaviorCodeIcdO3",
    "grade_pre2018": "grade",
    "grade_clinical": "gradeClinical",
    "grade_pathological": "gradePathological",
    "grade_2018": "derivedSummaryGrade2018",
    "ki67_code": "ki67",
    "reporting_source": "typeOfReportingSource",
    "survival_flag": "survFlagActiveFollowup",
    "stage_historic_a": "stageHistoricA",
    "stage_combined": "stageCombined",
    "stage_ss2000": "seerSummaryStage2000",
    "stage_ss2018": "summaryStage2018",
}
# canonical race -> race1 (#160): 01 white, 02 black, 98 other race, 99 unknown
RACE_CODES = {"white": "01", "black": "02", "other": "98", "unknown": "99"}
_SEX = {"1": "male", "2": "female", "3": "other", "9": "unknown"}
_DEAD = {"0": True, "1": False}  # vitalStatus #1760 / vitalStatusRecode #1762: 0 dead, 1 alive


def _item(raw: pd.DataFrame, *names: str) -> pd.Series:
    """First non-blank value among items ``names`` (NaN when none), one column at a time."""
    out: np.ndarray | None = None
    for name in names:
        if name in raw:
            values = raw[name].to_numpy(dtype=object)
            values = np.where(values == "", np.nan, values)  # the parser strips item text
            out = values if out is None else np.where(pd.isna(out), values, out)
    return pd.Series(np.nan if out is None else out, index=raw.index, dtype=object)


def _by_value(values: pd.Series, rule: Callable[[object], object]) -> pd.Series:
    """``values.map(rule)`` with ``rule`` called once per distinct value (NaN -> NaN)."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([rule(v) for v in uniques] + [np.nan], dtype=object)
    return pd.Series(mapped[np.where(codes < 0, len(uniques), codes)], index=values.index)


def _dates(raw: pd.DataFrame, item: str, path: Path) -> tuple[np.ndarray, ...]:
    """Year, month, day, full date and raw text of a date item, parsed once per distinct value."""
    values = _item(raw, item)
    codes, uniques = pd.factorize(values)
    take = np.where(codes < 0, len(uniques), codes)  # NaN: the appended blank
    parts = parse_partial_dates(np.append(uniques, [np.nan]))
    y, m, d, invalid = (a[take] for a in parts)
    if invalid.any():
        _refuse_or_warn(invalid, np.isnan(y), raw, item, values, path)
    full = pd.to_datetime(
        pd.DataFrame({"year": parts[0], "month": parts[1], "day": parts[2]}).dropna(),
        errors="coerce",
    ).reindex(pd.RangeIndex(len(uniques) + 1))
    full = pd.Series(full.to_numpy(dtype="datetime64[ns]")[take], index=raw.index)
    return y, m, d, full, values


def _refuse_or_warn(
    invalid: np.ndarray,
    no_year: np.ndarray,
    raw: pd.DataFrame,
    item: str,
    values: pd.Series,
    path: Path,
) -> None:
    """A value that is not a date at all is an error naming the record; an impossible month
    or day (``20131399``) is read as unknown, as SEER's algorithms read it, with a warning."""
    where = raw["_location"] if "_location" in raw else pd.Series([None] * len(raw))
    malformed = invalid & no_year
    if malformed.any():
        i = int(np.argmax(malformed))
        raise ReadError(
            "unreadable date; NAACCR dates are YYYY, YYYYMM or YYYYMMDD.",
            path=path,
            line=None if where.iloc[i] is None else str(where.iloc[i]),
            field=item,
            value=values.iloc[i],
        )
    i = int(np.argmax(invalid))
    warnings.warn(
        f"{path}: {int(invalid.sum()):,} {item} value(s) with an impossible month or day, "
        f"first {values.iloc[i]!r} ({where.iloc[i]}); read as SEER does: an invalid month "
        "makes month and day unknown, an invalid day the day.",
        UserWarning,
        stacklevel=4,
    )


def _cancer_death(
    raw: pd.DataFrame, dead: pd.Series, seq: pd.Series, study_cutoff: str | None
) -> pd.Series:
    """seerCauseSpecificCod where present, else SEER's classification from the cause of death.

    The code (1 dead of this cancer -> True, 0 -> False, 8 unknown cause and 9 not applicable
    -> NA) comes from the item when the file has it, else from
    :func:`netsurv.io.seer_cause_specific` (SEER's rules and site tables) on the sequence
    number, ICD revision, cause of death, site, histology and year of last contact. Alive at
    the end of follow-up -> False.
    """
    cutoff = None if study_cutoff is None else pd.Timestamp(study_cutoff).year
    code = _item(raw, "seerCauseSpecificCod")
    todo = code.isna().to_numpy()  # SEER's rules are row-wise: only where the item is blank
    if todo.any():
        derived = seer_cause_specific(
            seq[todo],
            _item(raw, "icdRevisionNumber")[todo],
            _item(raw, "causeOfDeath")[todo],
            _item(raw, "primarySite")[todo],
            _item(raw, "histologicTypeIcdO3")[todo],
            _item(raw, "dateOfLastContact")[todo].str.slice(0, 4),
            cutoff_year=cutoff,
        )["cause_specific"]
        code[todo] = derived.to_numpy()
    result = code.map({"1": True, "0": False}).astype("boolean")
    return result.where(~dead.eq(False).fillna(False), False).astype("boolean")


def _survival(
    raw: pd.DataFrame,
    out: pd.DataFrame,
    dead: pd.Series,
    dates: tuple[pd.Series, pd.Series, pd.Series],
    study_cutoff: str | None,
    survival: str,
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Survival months, flag, vital status recode and exclusion: the file's items, else SEER's
    algorithm on the dates (diagnosis, last contact, birth) of the records without them."""
    dx_raw, lc_raw, birth_raw = dates
    dead = dead.copy()
    # the chosen variant's items; the other variant's when a file only has that one
    (months_item, flag_item), (other_months, other_flag) = _VARIANTS[survival]
    chosen = _item(raw, months_item)
    use = chosen.notna()
    months_raw = chosen.where(use, _item(raw, other_months))
    out["survival_flag"] = _item(raw, flag_item).where(use, _item(raw, other_flag))
    months = pd.to_numeric(months_raw, errors="coerce")
    given = months.notna()
    months = months.where(months != 9999)
    flag = out["survival_flag"].copy()
    exclusion = pd.Series(np.nan, index=raw.index, dtype=object)
    todo = (~given).to_numpy()
    if todo.any():
        st = seer_survival_time(
            dx_raw[todo],
            lc_raw[todo],
            _item(raw, "vitalStatus").map(_DEAD).astype("boolean")[todo],
            study_cutoff=study_cutoff,
            reporting_source=out["reporting_source"][todo],
            date_of_birth=birth_raw[todo],
            patient_id=out["patient_id"][todo],
            sequence=out["tumor_seq"][todo],
        )
        presumed = survival == "presumed_alive"
        months[todo] = st.months_presumed_alive if presumed else st.months
        flag[todo] = st.flag_presumed_alive if presumed else st.flag
        dead[todo] = st.dead.to_numpy()
        exclusion[todo] = st.exclusion
    return months, flag, dead, exclusion


_ACTIVE = ("survMosActiveFollowup", "survFlagActiveFollowup")  # items #1784, #1783
_PRESUMED = ("survMosPresumedAlive", "survFlagPresumedAlive")  # items #1787, #1786
# survival variant -> (months item, flag item) pairs, preferred first
_VARIANTS = {"active": (_ACTIVE, _PRESUMED), "presumed_alive": (_PRESUMED, _ACTIVE)}


def canonical_from_items(
    raw: pd.DataFrame, *, path: Path, study_cutoff: str | None, survival: str = "active"
) -> pd.DataFrame:
    """Canonical raw columns from flattened NAACCR items (one row per Tumor)."""
    if survival not in _VARIANTS:
        raise InputError(f"survival={survival!r}: use 'active' or 'presumed_alive'.")
    out = pd.DataFrame(index=raw.index)
    for item, (column, verbatim) in ITEM_TO_CANONICAL.items():
        if verbatim:
            out[column] = _item(raw, item)
    out["tumor_seq"] = _item(raw, "sequenceNumberCentral", "sequenceNumberHospital")
    out["stage_ss2000"] = _item(
        raw, "seerSummaryStage2000", "derivedSs2000", "seerSummaryStage1977"
    )
    out["stage_ss2018"] = _item(raw, "summaryStage2018", "derivedSummaryStage2018")
    y, m, _, date_dx, dx_raw = _dates(raw, "dateOfDiagnosis", path)
    *_, date_lc, lc_raw = _dates(raw, "dateOfLastContact", path)
    *_, birth_raw = _dates(raw, "dateOfBirth", path)
    out["year_dx"] = pd.array(np.where(np.isnan(y), np.nan, y), dtype="Float64").astype("Int64")
    out["month_dx"] = pd.array(np.where(np.isnan(m), np.nan, m), dtype="Float64").astype("Int64")
    out["date_dx"] = date_dx
    out["date_last_contact"] = date_lc
    age = pd.to_numeric(_item(raw, "ageAtDiagnosis"), errors="coerce")
    out["age_dx"] = age.where(age < 999)
    out["age_dx_approx"] = False
    sex = _item(raw, "sexAssignedAtBirth", "sex")
    out["sex"] = _by_value(sex, lambda v: _SEX.get(str(v), v))
    out["race"] = _by_value(_item(raw, "race1"), race_group)
    dead = _item(raw, "vitalStatusRecode", "vitalStatus").map(_DEAD).astype("boolean")
    months, flag, dead, exclusion = _survival(
        raw, out, dead, (dx_raw, lc_raw, birth_raw), study_cutoff, survival
    )
    out["survival_months"] = months
    out["survival_flag"] = flag
    out["dead"] = dead
    out["cancer_death"] = _cancer_death(raw, dead, out["tumor_seq"], study_cutoff)
    if "seerCauseSpecificCod" in raw:
        out["cause_specific_code"] = _item(raw, "seerCauseSpecificCod")
    out["exclusion"] = exclusion
    return out
