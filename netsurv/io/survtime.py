"""SEER survival time from dates (the public "Calculation of Survival Time Fields" algorithm).

Reference: https://seer.cancer.gov/survivaltime/ and the BSD-3 reference implementation
``imsweb/algorithms`` ``SurvivalTimeUtils.java`` (see ``registry-formats.md`` §4):

* unknown day of a date -> the floor mid-point between the previous known date in that month
  (else day 1) and the next known date in that month (else the month's last day); unknown month ->
  the same in days within the year (Jan 1 .. Dec 31). Known neighbours used here: the date of
  birth before diagnosis, the date of last contact after it (and the diagnosis date before the
  date of last contact);
* end point = min(date of last contact, study cutoff) (active follow-up); a death after the
  cutoff is recoded alive at the cutoff, as SEER's "vital status recode (study cutoff used)";
* months = floor(days / (365.24 / 12)); negative intervals -> unknown;
* flag: 0 complete dates, 0 days; 1 complete dates, > 0 days; 2 incomplete dates, could be 0 days;
  3 incomplete dates, cannot be 0 days; 8 death certificate / autopsy only; 9 unknown.

Simplification (documented): the per-patient pass that orders several tumours of one patient and
upgrades flag 2 to 3 across them is not done; each tumour is imputed against its own dates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from netsurv.errors import InputError
from netsurv.rules import EXCLUSION_REASONS

__all__ = ["DAYS_PER_MONTH", "SurvivalTime", "parse_partial_dates", "seer_survival_time"]

DAYS_PER_MONTH = 365.24 / 12


@dataclass(frozen=True)
class SurvivalTime:
    """Result of :func:`seer_survival_time`, one entry per tumour.

    Attributes
    ----------
    months : float64, whole months (NaN when unknown).
    days : float64, days from (imputed) diagnosis to the end point (NaN when unknown).
    flag : object, SEER survival months flag "0", "1", "2", "3", "8", "9".
    dead : boolean, vital status at the end point (a death after the cutoff is alive).
    date_dx : datetime64, the diagnosis date after imputation (NaT when the year is unknown).
    exclusion : object, "diagnosis after study cutoff" / "dates inconsistent" or NaN.
    """

    months: npt.NDArray[np.float64]
    days: npt.NDArray[np.float64]
    flag: npt.NDArray[np.object_]
    dead: pd.Series
    date_dx: npt.NDArray[np.datetime64]
    exclusion: npt.NDArray[np.object_]


def parse_partial_dates(
    values: npt.ArrayLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split NAACCR dates ``YYYY``, ``YYYYMM``, ``YYYYMMDD`` (``-`` allowed) into parts.

    Returns ``(year, month, day, invalid)``: float arrays with NaN for unknown parts (blank, or
    ``99`` fillers) and a bool array marking values that are not dates at all.

    >>> y, m, d, bad = parse_partial_dates(["20110315", "201103", "2011", "", "2011x"])
    >>> y.tolist()[:3], m.tolist()[1], bool(np.isnan(d[1])), bad.tolist()
    ([2011.0, 2011.0, 2011.0], 3.0, True, [False, False, False, False, True])
    """
    s = pd.Series(np.asarray(values, dtype=object)).astype("string").str.strip()
    s = s.str.replace("-", "", regex=False).fillna("")
    parts = s.str.extract(r"^(\d{4})(\d{2})?(\d{2})?$")
    invalid = (s != "") & parts[0].isna()
    y = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype=float)
    m = pd.to_numeric(parts[1], errors="coerce").to_numpy(dtype=float)
    d = pd.to_numeric(parts[2], errors="coerce").to_numpy(dtype=float)
    m[m == 99] = np.nan
    d[(d == 99) | np.isnan(m)] = np.nan
    y[y == 9999] = np.nan
    bad_month = ~np.isnan(m) & ((m < 1) | (m > 12))
    last = _month_end(np.nan_to_num(y, nan=2000), np.nan_to_num(m, nan=1)) - _month_start(
        np.nan_to_num(y, nan=2000), np.nan_to_num(m, nan=1)
    )
    bad_day = ~np.isnan(d) & ((d < 1) | (d > last + 1))
    invalid = invalid.to_numpy(dtype=bool) | bad_month | bad_day | (~np.isnan(y) & (y < 1800))
    for a in (y, m, d):
        a[invalid] = np.nan
    return y, m, d, invalid


def _month_start(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    months = ((y - 1970) * 12 + (m - 1)).astype("int64")
    return months.astype("datetime64[M]").astype("datetime64[D]").astype("int64")


def _month_end(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    months = ((y - 1970) * 12 + m).astype("int64")
    return months.astype("datetime64[M]").astype("datetime64[D]").astype("int64") - 1


def _bounds(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last possible day number of each partial date (day numbers since 1970)."""
    yy = np.nan_to_num(y, nan=1970)
    mm = np.nan_to_num(m, nan=1)
    lo = np.where(np.isnan(m), _month_start(yy, np.ones_like(yy)), _month_start(yy, mm))
    hi = np.where(np.isnan(m), _month_end(yy, np.full_like(yy, 12)), _month_end(yy, mm))
    exact = ~np.isnan(d)
    lo = np.where(exact, lo + np.nan_to_num(d, nan=1).astype("int64") - 1, lo)
    hi = np.where(exact, lo, hi)
    return lo, hi


def _impute(lo: np.ndarray, hi: np.ndarray, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Floor mid-point of [lo, hi] after narrowing it by known neighbouring dates."""
    lo2 = np.where((before >= lo) & (before <= hi), before, lo)
    hi2 = np.where((after >= lo2) & (after <= hi), after, hi)
    return lo2 + (hi2 - lo2) // 2


def _precision(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(m), 1, np.where(np.isnan(d), 2, 3))


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
    """SEER survival months and flag from (partial) diagnosis and last-contact dates.

    Parameters
    ----------
    date_dx, date_last_contact : NAACCR dates ``YYYY[MM[DD]]`` (strings; blank when unknown).
    dead : vital status at last contact (True dead, False alive, NA unknown).
    study_cutoff : end of follow-up (``"YYYY-MM-DD"``); None uses the date of last contact.
    reporting_source : NAACCR type of reporting source; 6 / 7 (autopsy / DCO) get flag 8.
    date_of_birth : complete birth dates bound the imputation of a diagnosis date.
    patient_id, sequence : with them, tumours of one patient are ordered by diagnosis year,
        then sequence number (60-97 after 00-59), and the complete diagnosis dates of a
        patient's other tumours bound each imputation; a flag 2 becomes 3 when a later tumour
        of the patient has survival > 0 days (SEER's reverse pass).

    Examples
    --------
    SEER's documented imputation example: diagnosed in November 2011 (day unknown), last contact
    2011-11-20 -> diagnosis 2011-11-10, 10 days, 0 months, flag 2 (incomplete dates that agree
    as far as they are known: could be 0 days).

    >>> st = seer_survival_time(["201111"], ["20111120"], [False])
    >>> str(st.date_dx[0])[:10], float(st.days[0]), float(st.months[0]), st.flag[0]
    ('2011-11-10', 10.0, 0.0, '2')
    >>> float(seer_survival_time(["20100101"], ["20100201"], [True]).months[0])  # 31 / 30.437
    1.0
    """
    y, m, d, bad_dx = parse_partial_dates(date_dx)
    ly, lm, ld, bad_lc = parse_partial_dates(date_last_contact)
    n = len(y)
    if len(ly) != n:
        raise InputError("date_dx and date_last_contact must have the same length.")
    alive_dead = pd.array(np.asarray(dead, dtype=object), dtype="boolean")
    no_date = np.iinfo(np.int64).min // 4
    birth = np.full(n, no_date, dtype="int64")
    if date_of_birth is not None:
        by, bm, bd, _ = parse_partial_dates(date_of_birth)
        full = ~np.isnan(bd)
        birth = np.where(full, _bounds(by, bm, bd)[0], no_date)
    dx_lo, dx_hi = _bounds(y, m, d)
    lc_lo, lc_hi = _bounds(ly, lm, ld)
    dx_exact = ~np.isnan(d)
    lc_exact = ~np.isnan(ld)
    before, after = birth, np.where(lc_exact, lc_lo, -no_date)
    order = group = None
    if patient_id is not None:
        order, group = _patient_order(patient_id, sequence, np.where(np.isnan(y), 0, dx_lo), n)
        prev, nxt = _neighbours(np.where(dx_exact, dx_lo, no_date), order, group, no_date)
        before, after = np.maximum(before, prev), np.minimum(after, nxt)
    dx_day = _impute(dx_lo, dx_hi, before, after)
    lc_day = _impute(lc_lo, lc_hi, np.where(dx_exact, dx_lo, no_date), np.full(n, -no_date))
    known = ~np.isnan(y) & ~np.isnan(ly)
    end = lc_day.copy()
    prec_end = _precision(ly, lm, ld)
    end_y, end_m, end_d = ly.copy(), lm.copy(), ld.copy()
    dead_out = pd.Series(alive_dead, dtype="boolean")
    exclusion = np.full(n, np.nan, dtype=object)
    if study_cutoff is not None:
        try:
            cut = pd.Timestamp(study_cutoff)
        except (ValueError, TypeError) as exc:
            raise InputError(f"study_cutoff={study_cutoff!r} is not a date (YYYY-MM-DD).") from exc
        if pd.isna(cut):
            raise InputError("study_cutoff is missing; give a date (YYYY-MM-DD) or None.")
        cut_day = int((cut.normalize() - pd.Timestamp("1970-01-01")).days)
        after = known & (lc_day > cut_day)
        end[after] = cut_day
        prec_end[after] = 3
        end_y[after], end_m[after], end_d[after] = cut.year, cut.month, cut.day
        dead_out[after] = False
        late = ~np.isnan(y) & (dx_lo > cut_day)
        exclusion[late] = EXCLUSION_REASONS["after_cutoff"]
        known &= ~late
    days = (end - dx_day).astype(float)
    negative = known & (days < 0)
    exclusion[negative] = EXCLUSION_REASONS["dates"]
    usable = known & ~negative
    days[~usable] = np.nan
    months = np.floor(days / DAYS_PER_MONTH)
    flag = _flags(usable, days, (y, m, d), (end_y, end_m, end_d), prec_end)
    if order is not None and group is not None:
        later = _later_positive(np.nan_to_num(days, nan=0) > 0, order, group)
        flag[(flag == "2") & later] = "3"
    if reporting_source is not None:
        dco = pd.Series(np.asarray(reporting_source, dtype=object)).isin(["6", "7"]).to_numpy()
        months[dco], days[dco], flag[dco] = np.nan, np.nan, "8"
        exclusion[dco & negative] = np.nan  # DCO / autopsy is the reason, not the dates
    dates = np.where(np.isnan(y), np.datetime64("NaT"), dx_day.astype("datetime64[D]"))
    return SurvivalTime(
        months=months,
        days=days,
        flag=flag,
        dead=dead_out,
        date_dx=dates.astype("datetime64[ns]"),
        exclusion=exclusion,
    )


def _patient_order(
    patient_id: npt.ArrayLike, sequence: npt.ArrayLike | None, dx_lo: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row order by (patient, diagnosis, sequence) and the patient code of each sorted row."""
    codes = pd.factorize(pd.Series(np.asarray(patient_id, dtype=object)))[0]
    seq = pd.to_numeric(
        pd.Series(np.asarray(sequence if sequence is not None else [""] * n, dtype=object)),
        errors="coerce",
    )
    seq_key = np.where(seq.between(60, 97), seq + 100, seq.fillna(999)).astype(float)
    # SEER compares known date parts and breaks ties (unknown parts) by sequence number;
    # sequence numbers follow diagnosis order, so within a year they decide here
    year = (dx_lo.astype("datetime64[D]").astype("datetime64[Y]")).astype("int64")
    order = np.lexsort((dx_lo, seq_key, year, codes))
    return order, codes[order]


def _neighbours(
    known: np.ndarray, order: np.ndarray, group: np.ndarray, no_date: int
) -> tuple[np.ndarray, np.ndarray]:
    """Latest known date before and earliest known date after each row, within its patient."""
    s = pd.Series(known[order])
    prev = s.groupby(group).cummax().groupby(group).shift(1).fillna(no_date)
    later = pd.Series(np.where(known[order] == no_date, -no_date, known[order]))[::-1]
    nxt = later.groupby(group[::-1]).cummin().groupby(group[::-1]).shift(1).fillna(-no_date)
    out_prev = np.empty_like(known)
    out_next = np.empty_like(known)
    out_prev[order] = prev.to_numpy(dtype="int64")
    out_next[order] = nxt[::-1].to_numpy(dtype="int64")
    return out_prev, out_next


def _later_positive(positive: np.ndarray, order: np.ndarray, group: np.ndarray) -> np.ndarray:
    """True where a later tumour of the same patient has survival > 0 days."""
    rev = pd.Series(positive[order].astype(int))[::-1]
    seen = rev.groupby(group[::-1]).cummax().groupby(group[::-1]).shift(1).fillna(0)
    out = np.empty(len(positive), dtype=bool)
    out[order] = seen[::-1].to_numpy() > 0
    return out


def _flags(
    usable: np.ndarray,
    days: np.ndarray,
    dx: tuple[np.ndarray, ...],
    end: tuple[np.ndarray, ...],
    prec_end: np.ndarray,
) -> np.ndarray:
    prec_dx = _precision(*dx)
    prec = np.minimum(prec_dx, prec_end)
    same = dx[0] == end[0]
    same &= (prec < 2) | (dx[1] == end[1])
    same &= (prec < 3) | (dx[2] == end[2])
    partial = prec < 3
    flag = np.where(partial, np.where(same, "2", "3"), np.where(days > 0, "1", "0"))
    return np.where(usable, flag, "9").astype(object)
