"""SEER survival time from dates: the public "Calculation of Survival Time Fields" algorithm.

Source: https://seer.cancer.gov/survivaltime/ ("Calculation of Survival Time Fields", SEER
program, NCI), as its BSD-3 reference implementation ``imsweb/algorithms``
(``SurvivalTimeUtils``, version 2.2) computes it. netsurv equals that implementation on every
record of ``tests/reference/seer/survival`` (>= 100,000 random patients; no code is shared).

The algorithm, per patient (all tumour records of one ``patient_id``):

1. Records that disagree on the date of last contact or on the vital status make the whole
   patient unknown: survival 9999 months, flag 9, on every record (and the vital status recode
   is unknown when the vital statuses disagree).
2. A diagnosis year that is unknown, before 1900 or after the cutoff year makes that record
   unknown (flag 9); an invalid month makes month and day unknown, an invalid day the day. A
   date of last contact in the future or before 1900 is unknown.
3. The records are sorted by diagnosis date as far as it is known, then sequence number, with
   federal numbers (00-59, 98, 99) before non-federal ones (60-97); partial dates are placed
   among the complete ones by SEER's insertion rule.
4. Unknown parts are imputed in that order, the date of last contact last: an unknown day is
   the floor mid-point between the previous date in the same month (imputed or not; the birth
   day for the first record) or day 1, and the next known day in that month or the month's last
   day; an unknown month the same in days within the year (previous date in that year, next
   date with a known month in that year, else Jan 1 / Dec 31). So one record's imputed
   diagnosis date bounds the next, and the last contact is imputed against the imputed
   diagnosis dates ("2011" and "2011" -> Jul 2 and Oct 1: 91 days, 2 months).
5. Active follow-up ends at the date of last contact, or the cutoff when it is later (the patient
   is then alive at the cutoff: SEER's vital status recode). Presumed alive ends at the cutoff
   for every patient alive at last contact (and is computed even when the last contact is
   unknown for them).
6. months = floor(days / (365.24 / 12)); a negative interval is unknown (flag 9).
7. Flags: 0 complete dates, 0 days; 1 complete dates, > 0 days; 2 incomplete dates that agree
   as far as known (could be 0 days); 3 incomplete dates that differ; 8 death certificate or
   autopsy only (reporting source 6, 7; months unknown); 9 unknown. Going through a patient's
   records from the last, a 2 becomes 3 when a later record has flag 1 or 3.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from netsurv.errors import InputError
from netsurv.io._survdates import date_parts, fix_invalid, last_contact_parts, parse_partial_dates
from netsurv.io._survorder import (
    day_number,
    impute_dates,
    patient_order,
    sequence_key,
)
from netsurv.rules import DAYS_PER_MONTH, EXCLUSION_REASONS

__all__ = ["DAYS_PER_MONTH", "SurvivalTime", "parse_partial_dates", "seer_survival_time"]

Ints = npt.NDArray[np.int64]
Parts = tuple[Ints, Ints, Ints]


@dataclass(frozen=True)
class SurvivalTime:
    """Result of :func:`seer_survival_time`, one entry per tumour record.

    Attributes
    ----------
    months : float64, active follow-up, whole months (NaN when SEER codes 9999).
    days : float64, days from the (imputed) diagnosis to the end point (NaN when unknown).
    flag : object, SEER survival months flag "0", "1", "2", "3", "8", "9".
    dead : boolean, SEER's vital status recode: vital status at the end point (a death after the
        cutoff is alive), NA when unknown or when the patient's records disagree.
    date_dx : datetime64, the diagnosis date after imputation (NaT when unknown).
    exclusion : object, "diagnosis after study cutoff" / "dates inconsistent" or NaN.
    months_presumed_alive, days_presumed_alive, flag_presumed_alive : the presumed-alive variant
        (a patient alive at last contact is followed to the cutoff).
    """

    months: npt.NDArray[np.float64]
    days: npt.NDArray[np.float64]
    flag: npt.NDArray[np.object_]
    dead: pd.Series
    date_dx: npt.NDArray[np.datetime64]
    exclusion: npt.NDArray[np.object_]
    months_presumed_alive: npt.NDArray[np.float64]
    days_presumed_alive: npt.NDArray[np.float64]
    flag_presumed_alive: npt.NDArray[np.object_]


def _patients(patient_id: npt.ArrayLike | None, n: int) -> Ints:
    if patient_id is None:
        return np.arange(n, dtype=np.int64)
    codes = pd.factorize(pd.Series(np.asarray(patient_id, dtype=object)))[0].astype(np.int64)
    if len(codes) != n:
        raise InputError(f"patient_id needs {n} values (one per record); it has {len(codes)}.")
    missing = codes < 0
    codes[missing] = codes.max(initial=-1) + 1 + np.arange(missing.sum())  # each its own patient
    return codes


def _disagree(group: Ints, key: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Per row: True when the rows of its patient have more than one value of ``key``."""
    codes = pd.factorize(np.asarray(key), use_na_sentinel=False)[0]
    first = _first_rows(group)
    other = codes != codes[first[group]]
    return np.bincount(group, weights=other, minlength=len(first))[group] > 0


def _cutoff(study_cutoff: str | pd.Timestamp | None) -> pd.Timestamp | None:
    if study_cutoff is None:
        return None
    try:
        cut = pd.Timestamp(study_cutoff)
    except (ValueError, TypeError) as exc:
        raise InputError(f"study_cutoff={study_cutoff!r} is not a date (YYYY-MM-DD).") from exc
    if pd.isna(cut):
        raise InputError("study_cutoff is missing; give a date (YYYY-MM-DD) or None.")
    return cut.normalize()


def _vital(dead: npt.ArrayLike, n: int) -> Ints:
    """Vital status as SEER codes it here: 0 dead, 1 alive, 9 unknown."""
    status = pd.array(np.asarray(dead, dtype=object), dtype="boolean")
    if len(status) != n:
        raise InputError(f"dead needs {n} values (one per record); it has {len(status)}.")
    return np.where(status.isna(), 9, np.where(status.fillna(False), 0, 1)).astype(np.int64)


def _first_rows(group: Ints) -> Ints:
    """Index of the first record (input order) of every patient code 0..G-1."""
    first = np.full(group.max(initial=-1) + 1, len(group), dtype=np.int64)
    np.minimum.at(first, group, np.arange(len(group)))
    return first


def _elements(
    order: Ints, group: Ints, consistent_group: npt.NDArray[np.bool_]
) -> tuple[Ints, Ints, Ints]:
    """Element layout: per consistent patient its sorted records, then its last contact.

    Returns the element position of each record of ``order``, of each patient's last contact
    (-1 for patients left out) and the element start / end of each patient.
    """
    n_groups = len(consistent_group)
    g = group[order]
    count = np.bincount(g, minlength=n_groups)
    size = np.where(consistent_group, count + 1, 0)
    start = np.cumsum(size) - size
    first_rec = np.cumsum(count) - count
    rec_pos = start[g] + np.arange(len(order)) - first_rec[g]
    dolc_pos = np.where(consistent_group, start + count, -1)
    return rec_pos, dolc_pos, np.stack([start, start + size])


def _upgrade(flag: npt.NDArray[np.object_], g: Ints) -> npt.NDArray[np.object_]:
    """SEER's reverse pass over a patient's sorted records: 2 -> 3 after a later 1 or 3."""
    later = np.isin(flag, ["1", "3"]).astype(np.int64)[::-1]
    base = (g.max(initial=0) - g[::-1]) * 2  # groups are contiguous: reset per patient
    seen = (np.maximum.accumulate(base + later) - base)[::-1] > 0
    return np.where((flag == "2") & seen, "3", flag).astype(object)


def _flags(days: Ints, known: npt.NDArray[np.bool_], dx: Parts, end: Parts) -> np.ndarray:
    partial = (dx[1] == 99) | (dx[2] == 99) | (end[1] == 99) | (end[2] == 99)
    agree = (dx[0] == end[0]) & ((dx[1] == end[1]) | (dx[1] == 99) | (end[1] == 99))
    flag = np.where(partial, np.where(agree, "2", "3"), np.where(days > 0, "1", "0"))
    return np.where(known & (days >= 0), flag, "9").astype(object)


@dataclass(frozen=True)
class _Patients:
    """Per-patient inputs (index = patient code) after SEER's checks."""

    consistent: npt.NDArray[np.bool_]
    last_contact: Parts
    birth: Parts
    vital: Ints


def _patient_table(
    group: Ints,
    last_contact: Parts,
    date_of_birth: npt.ArrayLike | None,
    vital: Ints,
    differs: npt.NDArray[np.bool_],
) -> _Patients:
    """Last contact, birth date and vital status of each patient, from its first record."""
    first = _first_rows(group)
    ly, lm, ld = (p[first] for p in last_contact)
    lc = last_contact_parts((ly, lm, ld), _dt.date.today())
    n = len(group)
    _, by, bm, bd = date_parts(date_of_birth if date_of_birth is not None else [""] * n, n)
    by, bm, bd = by[first], bm[first], bd[first]
    bm = np.where(by == 9999, 99, bm)
    bm, bd = fix_invalid(by, bm, bd)
    return _Patients(~differs[first], lc, (by, bm, bd), vital[first])


def _day_numbers(y: Ints, m: Ints, d: Ints) -> Ints:
    """Day numbers of complete dates; elements with an unknown year get 0 (never used)."""
    known = y != 9999
    safe = np.where(known, y, 1970), np.where(known, m, 1), np.where(known, d, 1)
    return np.where(known, day_number(*safe), 0)


def _end_points(
    lc_day: Ints, lc_known: npt.NDArray[np.bool_], alive: npt.NDArray[np.bool_], cut_day: int | None
) -> tuple[tuple[Ints, npt.NDArray[np.bool_]], tuple[Ints, npt.NDArray[np.bool_]]]:
    """(end day, known) of active follow-up and of presumed alive."""
    if cut_day is None:
        return (lc_day, lc_known), (lc_day, lc_known)
    active = np.minimum(lc_day, cut_day)
    return (active, lc_known), (np.where(alive, cut_day, active), lc_known | alive)


def _compute(
    valid: npt.NDArray[np.bool_],
    group: Ints,
    dx: Parts,
    seq: Ints,
    pat: _Patients,
    cut: pd.Timestamp | None,
) -> dict[str, np.ndarray]:
    """Sort, impute and compute both variants for the valid records (in SEER's order)."""
    sub = np.flatnonzero(valid)
    order = sub[patient_order(group[sub], dx[0][sub], dx[1][sub], dx[2][sub], seq[sub])]
    rec_pos, dolc_pos, bounds = _elements(order, group, pat.consistent)
    owner = np.repeat(np.arange(len(dolc_pos)), bounds[1] - bounds[0])
    has = dolc_pos >= 0
    parts = []
    for rec_part, lc_part in zip(dx, pat.last_contact, strict=True):
        element = np.empty(len(owner), dtype=np.int64)
        element[rec_pos] = rec_part[order]
        element[dolc_pos[has]] = lc_part[has]
        parts.append(element)
    by, bm, bd = (b[owner] for b in pat.birth)
    month, day = impute_dates(
        bounds[0][owner], bounds[1][owner], parts[0], parts[1], parts[2], (by, bm, bd)
    )
    value = _day_numbers(parts[0], month, day)
    lc_value = np.r_[value, 0][np.where(has, dolc_pos, -1)]  # 0 for patients left out
    lc_known = pat.last_contact[0] != 9999
    cut_day = None if cut is None else int((cut - pd.Timestamp("1970-01-01")).days)
    g = group[order]
    ends = _end_points(lc_value[g], lc_known[g], pat.vital[g] == 1, cut_day)
    dx_o: Parts = (dx[0][order], dx[1][order], dx[2][order])
    lc_o: Parts = (pat.last_contact[0][g], pat.last_contact[1][g], pat.last_contact[2][g])
    result: dict[str, np.ndarray] = {"order": order, "dx_day": value[rec_pos]}
    for name, (end, known) in zip(("active", "presumed"), ends, strict=True):
        days = end - value[rec_pos]
        flag = _flags(days, known, dx_o, _end_parts(end, lc_o, cut))
        result[f"days_{name}"] = np.where(known & (days >= 0), days, -1)
        result[f"flag_{name}"] = _upgrade(flag, g)
    after = np.zeros(len(has), dtype=bool)
    if cut_day is not None:
        after = has & lc_known & (lc_value > cut_day)
    result["alive_after_cutoff"] = after
    result["negative"] = (ends[0][1]) & (ends[0][0] - value[rec_pos] < 0)
    return result


def _end_parts(end: Ints, last_contact: Parts, cut: pd.Timestamp | None) -> Parts:
    """Date parts the flag compares: the cutoff's where the end point is the cutoff."""
    if cut is None:
        return last_contact
    at_cut = end == int((cut - pd.Timestamp("1970-01-01")).days)
    y, m, d = (
        np.where(at_cut, c, p)
        for c, p in zip((cut.year, cut.month, cut.day), last_contact, strict=True)
    )
    return y, m, d


def _spread(
    res: dict[str, np.ndarray], name: str, n: int, dco: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Days and flags of one variant back in input order (unknown: NaN, "9"; DCO: "8")."""
    days = np.full(n, np.nan)
    days[res["order"]] = np.where(res[f"days_{name}"] >= 0, res[f"days_{name}"], np.nan)
    flag = np.full(n, "9", dtype=object)
    flag[res["order"]] = res[f"flag_{name}"]
    days[dco], flag[dco] = np.nan, "8"
    return days, flag


def _exclusion(
    inconsistent: np.ndarray, dco: np.ndarray, dx: Parts, cut: pd.Timestamp | None
) -> np.ndarray:
    """ "dates inconsistent" (records disagree, negative interval; not for DCO) and "diagnosis
    after study cutoff" (the earliest possible diagnosis date is after it)."""
    exclusion = np.full(len(dco), np.nan, dtype=object)
    exclusion[inconsistent & ~dco] = EXCLUSION_REASONS["dates"]
    if cut is not None:
        y, m, d = dx
        earliest = _day_numbers(y, np.where(m == 99, 1, m), np.where(d == 99, 1, d))
        late = (y >= 1900) & (y != 9999) & (earliest > (cut - pd.Timestamp("1970-01-01")).days)
        exclusion[late] = EXCLUSION_REASONS["after_cutoff"]
    return exclusion


def seer_survival_time(
    date_dx: npt.ArrayLike,
    date_last_contact: npt.ArrayLike,
    dead: npt.ArrayLike,
    *,
    study_cutoff: str | pd.Timestamp | None = None,
    reporting_source: npt.ArrayLike | None = None,
    date_of_birth: npt.ArrayLike | None = None,
    patient_id: npt.ArrayLike | None = None,
    sequence: npt.ArrayLike | None = None,
) -> SurvivalTime:
    """SEER survival months, days and flags (active follow-up and presumed alive) from dates.

    Parameters
    ----------
    date_dx, date_last_contact : NAACCR dates ``YYYY[MM[DD]]`` (strings; ``-`` allowed; blank
        or ``99`` parts unknown).
    dead : vital status at last contact (True dead, False alive, NA unknown).
    study_cutoff : end of follow-up (``"YYYY-MM-DD"``; SEER uses Dec 31 of its cutoff year).
        Records diagnosed after its year are unknown; None ends follow-up at the last contact
        (and presumed alive then equals active follow-up).
    reporting_source : NAACCR type of reporting source; 6 / 7 (autopsy / DCO) get flag 8.
    date_of_birth : the first record's birth date (per patient) bounds the imputation.
    patient_id, sequence : a patient's records are processed together (see the module
        docstring); without ``patient_id`` every record is its own patient.

    Returns
    -------
    SurvivalTime

    Examples
    --------
    SEER's documented imputation example: diagnosed in November 2011 (day unknown), last contact
    2011-11-20 -> diagnosis 2011-11-10, 10 days, 0 months, flag 2 (could be 0 days).

    >>> st = seer_survival_time(["201111"], ["20111120"], [False])
    >>> str(st.date_dx[0])[:10], float(st.days[0]), float(st.months[0]), st.flag[0]
    ('2011-11-10', 10.0, 0.0, '2')

    Presumed alive follows a living patient to the cutoff:

    >>> st = seer_survival_time(["20100101"], ["20100201"], [False], study_cutoff="2010-12-31")
    >>> float(st.months[0]), float(st.months_presumed_alive[0]), st.flag_presumed_alive[0]
    (1.0, 11.0, '1')
    """
    n = len(np.asarray(date_dx, dtype=object))
    _, dy, dm, dd = date_parts(date_dx, n)
    lc_key, ly, lm, ld = date_parts(date_last_contact, n)
    cut = _cutoff(study_cutoff)
    group = _patients(patient_id, n)
    vital = _vital(dead, n)
    lc_differs, vs_differs = _disagree(group, lc_key), _disagree(group, vital)
    pat = _patient_table(group, (ly, lm, ld), date_of_birth, vital, lc_differs | vs_differs)
    dm, dd = fix_invalid(dy, dm, dd)
    end_year = cut.year if cut is not None else 9998
    valid = (dy >= 1900) & (dy <= end_year) & pat.consistent[group]
    res = _compute(valid, group, (dy, dm, dd), sequence_key(sequence, n), pat, cut)
    dco = np.zeros(n, dtype=bool)
    if reporting_source is not None:
        source = pd.Series(np.asarray(reporting_source, dtype=object))
        dco = valid & source.isin(["6", "7"]).to_numpy()
    out = {name: _spread(res, name, n, dco) for name in ("active", "presumed")}
    order = res["order"]
    date = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    date[order] = res["dx_day"].astype("datetime64[D]")
    status = pd.Series(pd.array(np.asarray(dead, dtype=object), dtype="boolean"))
    status[vs_differs] = pd.NA
    status[pat.consistent[group] & res["alive_after_cutoff"][group]] = False
    negative = np.zeros(n, dtype=bool)
    negative[order] = res["negative"]
    exclusion = _exclusion(lc_differs | negative, dco, (dy, dm, dd), cut)
    (days_a, flag_a), (days_p, flag_p) = out["active"], out["presumed"]
    return SurvivalTime(
        months=np.floor(days_a / DAYS_PER_MONTH),
        days=days_a,
        flag=flag_a,
        dead=status,
        date_dx=date.astype("datetime64[ns]"),
        exclusion=exclusion,
        months_presumed_alive=np.floor(days_p / DAYS_PER_MONTH),
        days_presumed_alive=days_p,
        flag_presumed_alive=flag_p,
    )
