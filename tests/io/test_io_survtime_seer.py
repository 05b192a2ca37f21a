"""SEER survival time equals SEER's reference implementation record by record, and SEER's examples.

Expected values come from three places, each named at its test:

* ``tests/reference/seer/survival/survival_output.csv.gz``: SEER's reference implementation
  (``imsweb/algorithms`` ``SurvivalTimeUtils``, BSD-3, commit f8aad8d) run by the harness
  ``SurvivalReference.java`` on ``survival_input.csv.gz`` (see that folder's README);
* the NAACCR data dictionary's examples for the survival items #1782, #1785 and #1788;
* the reference implementation's own unit test ``SurvivalTimeUtilsTest.testLogic`` (its worked
  patients: inputs and expected values only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netsurv.io.naaccr import read_naaccr_xml
from netsurv.io.reader import read
from netsurv.io.survtime import DAYS_PER_MONTH, seer_survival_time
from tests.paths import REFERENCE

HERE = REFERENCE / "seer" / "survival"


def _reference() -> pd.DataFrame:
    read = {"dtype": str, "keep_default_na": False}
    inputs = pd.read_csv(HERE / "survival_input.csv.gz", **read)
    outputs = pd.read_csv(HERE / "survival_output.csv.gz", **read)
    return pd.concat([inputs, outputs], axis=1)


def _coded(values: np.ndarray, unknown: str, width: int) -> np.ndarray:
    """netsurv floats as SEER writes them: zero-padded integers, 9999 / 99999 when unknown."""
    out = np.full(len(values), unknown, dtype=object)
    known = ~np.isnan(values)
    out[known] = [str(int(v)).zfill(width) for v in values[known]]
    return out


def _run(part: pd.DataFrame, cutoff: str):
    dead = part["vital_status"].map({"0": True, "1": False, "": pd.NA})
    return seer_survival_time(
        part["date_dx"],
        part["date_last_contact"],
        dead,
        study_cutoff=f"{cutoff}-12-31",
        reporting_source=part["reporting_source"],
        date_of_birth=part["date_of_birth"],
        patient_id=part["patient_id"],
        sequence=part["sequence"],
    )


def test_every_reference_record_equals_seers_implementation() -> None:
    ref = _reference()
    assert len(ref) > 200_000 and ref["patient_id"].nunique() >= 20_000
    assert ref.groupby(["cutoff_year", "patient_id"]).ngroups == 100_000
    mismatches: dict[str, int] = {}
    for cutoff, part in ref.groupby("cutoff_year", sort=False):
        got = _run(part, cutoff)
        dead = got.dead.map({True: "0", False: "1"}).fillna("").to_numpy(dtype=object)
        pairs = {
            "months": (_coded(got.months, "9999", 4), part["months"]),
            "days": (_coded(got.days, "99999", 5), part["days"]),
            "flag": (got.flag, part["flag"]),
            "months_presumed_alive": (
                _coded(got.months_presumed_alive, "9999", 4),
                part["months_presumed_alive"],
            ),
            "days_presumed_alive": (
                _coded(got.days_presumed_alive, "99999", 5),
                part["days_presumed_alive"],
            ),
            "flag_presumed_alive": (got.flag_presumed_alive, part["flag_presumed_alive"]),
            "vital_status_recode": (
                dead,
                part["vital_status_recode"].where(lambda s: s != "9", ""),
            ),
        }
        # the imputed diagnosis date, where SEER's output is a complete calendar date (SEER
        # leaves the raw parts when it computed nothing: unknown last contact, not alive)
        text = part["dx_year"] + part["dx_month"] + part["dx_day"]
        full = text.str.fullmatch(r"\d{8}") & (part["dx_month"].str.len() == 2)
        expected = pd.to_datetime(text.where(full), format="%Y%m%d", errors="coerce")
        date = pd.Series(got.date_dx, index=part.index)
        pairs["date_dx"] = (date[expected.notna()].to_numpy(), expected.dropna().to_numpy())
        for name, (a, b) in pairs.items():
            bad = int((np.asarray(a) != np.asarray(b)).sum())
            mismatches[name] = mismatches.get(name, 0) + bad
    assert mismatches == dict.fromkeys(mismatches, 0)


def test_reference_covers_every_flag_and_the_hard_cases() -> None:
    ref = _reference()
    assert set(ref["flag"]) == {"0", "1", "2", "3", "8", "9"}
    assert set(ref["flag_presumed_alive"]) == {"0", "1", "2", "3", "8", "9"}
    by_patient = ref.groupby(["cutoff_year", "patient_id"])
    disagree = by_patient["date_last_contact"].transform("nunique") > 1
    assert disagree.sum() > 1_000 and (ref.loc[disagree, "flag"] == "9").all()
    assert (by_patient["vital_status"].transform("nunique") > 1).sum() > 1_000
    seq = pd.to_numeric(ref["sequence"], errors="coerce")
    assert seq.between(60, 97).sum() > 10_000 and seq.isin([98, 99]).sum() > 1_000


# --- NAACCR data dictionary examples (items #1788, #1782, #1785) ---------------------------


def test_naaccr_1788_unknown_day_lies_between_the_first_and_the_last_contact() -> None:
    # Surv-Date DX Recode example 1: dx 20111199, last contact 20111120 -> 20111110
    got = seer_survival_time(["20111199"], ["20111120"], [False], study_cutoff="2011-12-31")
    assert str(got.date_dx[0])[:10] == "2011-11-10"


def test_naaccr_1788_unknown_month_lies_between_jan_1_and_the_last_contact() -> None:
    # Surv-Date DX Recode example 2: dx 2011, last contact 20111120 -> 20110611
    got = seer_survival_time(["2011"], ["20111120"], [False], study_cutoff="2011-12-31")
    assert str(got.date_dx[0])[:10] == "2011-06-11"


def test_naaccr_1782_unknown_last_contact_day_is_the_month_mid_point() -> None:
    # Surv-Date Active Followup example 2: last contact 201111 -> 20111115 (floor((1+30)/2));
    # diagnosed 2011-10-15: 31 days to Nov 15 -> 1 month (31 / 30.437), incomplete -> flag 3
    got = seer_survival_time(["20111015"], ["201111"], [False], study_cutoff="2011-12-31")
    assert (got.days[0], got.months[0], got.flag[0]) == (31, 1, "3")


def test_naaccr_1785_presumed_alive_ends_at_the_cutoff() -> None:
    # Surv-Date Presumed Alive example: alive, last contact 20111120, cutoff 20111231
    got = seer_survival_time(["20110101"], ["20111120"], [False], study_cutoff="2011-12-31")
    assert got.days[0] == 323 and got.days_presumed_alive[0] == 364
    assert got.flag_presumed_alive[0] == "1"


def test_last_contact_is_imputed_against_the_imputed_diagnosis() -> None:
    # dx "2011" and last contact "2011": dx Jan 1 + floor(364 / 2) = Jul 2; last contact then
    # lies between Jul 2 and Dec 31: Jul 2 + floor(182 / 2) = Oct 1 -> 91 days, 2 months, flag 2
    got = seer_survival_time(["2011"], ["2011"], [False], study_cutoff="2012-12-31")
    assert (got.days[0], got.months[0], got.flag[0]) == (91, 2, "2")


# --- SurvivalTimeUtilsTest.testLogic (imsweb/algorithms), inputs and expected values -----


def test_seven_records_of_one_patient_bound_each_other() -> None:
    # one patient, alive, last contact 2009-11-??, born 2008-03-04, end point year 2010
    dx = ["20090901", "2008", "200803", "9999", "20099923", "20080405", "200911"]
    got = seer_survival_time(
        dx,
        ["200911"] * 7,
        [False] * 7,
        study_cutoff="2010-12-31",
        date_of_birth=["20080304"] * 7,
        patient_id=["p"] * 7,
        sequence=["1", "2", "3", "4", "5", "6", "7"],
    )
    assert np.nan_to_num(got.months, nan=9999).tolist() == [2, 20, 20, 9999, 1, 19, 0]
    assert np.nan_to_num(got.days, nan=99999).tolist() == [82, 622, 616, 99999, 45, 596, 7]
    assert got.flag.tolist() == ["3", "3", "3", "9", "2", "3", "2"]
    assert np.nan_to_num(got.months_presumed_alive, nan=9999).tolist() == [
        15,
        33,
        33,
        9999,
        14,
        32,
        13,
    ]
    assert got.flag_presumed_alive.tolist() == ["1", "3", "3", "9", "3", "1", "3"]
    dates = [str(d)[:10] for d in got.date_dx]
    assert dates == [
        "2009-09-01",
        "2008-03-10",
        "2008-03-16",
        "NaT",
        "2009-10-08",
        "2008-04-05",
        "2009-11-15",
    ]


def test_birth_date_bounds_the_first_record_and_dco_records_get_flag_8() -> None:
    # dead, last contact 2010, born 2008-03-04; records 2 and 3 are DCO / autopsy only (6, 7)
    got = seer_survival_time(
        ["2008", "2010", "201003", "2010"],
        ["2010"] * 4,
        [True] * 4,
        study_cutoff="2010-12-31",
        reporting_source=["1", "6", "7", "1"],
        date_of_birth=["20080304"] * 4,
        patient_id=["p"] * 4,
        sequence=["1", "2", "3", "4"],
    )
    assert np.nan_to_num(got.months, nan=9999).tolist() == [26, 9999, 9999, 2]
    assert np.nan_to_num(got.days, nan=99999).tolist() == [808, 99999, 99999, 72]
    assert got.flag.tolist() == ["3", "8", "8", "2"]
    assert [str(d)[:10] for d in got.date_dx] == [
        "2008-08-02",
        "2010-02-07",
        "2010-03-16",
        "2010-08-08",
    ]
    # end point year 2008: the death in 2010 is after it, so alive at the cutoff (recode 1)
    late = seer_survival_time(
        ["2008"], ["2010"], [True], study_cutoff="2008-12-31", date_of_birth=["20080304"]
    )
    assert late.dead.tolist() == [False]


def test_complete_dates_give_flags_0_and_1() -> None:
    got = seer_survival_time(
        ["20091110", "20091111"],
        ["20091111"] * 2,
        [False] * 2,
        study_cutoff="2010-12-31",
        date_of_birth=["20080304"] * 2,
        patient_id=["p", "p"],
        sequence=["1", "2"],
    )
    assert got.days.tolist() == [1, 0] and got.flag.tolist() == ["1", "0"]
    assert got.days_presumed_alive.tolist() == [416, 415]
    assert got.months_presumed_alive.tolist() == [13, 13]
    assert got.flag_presumed_alive.tolist() == ["1", "1"]


def test_records_that_disagree_on_last_contact_or_vital_status_make_the_patient_unknown() -> None:
    # the same patient with two dates of last contact, then with two vital statuses
    for lc, dead in ((["20120101", "20130101"], [True, True]), (["20120101"] * 2, [True, False])):
        got = seer_survival_time(
            ["20100101", "20110101"], lc, dead, study_cutoff="2015-12-31", patient_id=["p", "p"]
        )
        assert got.flag.tolist() == ["9", "9"] and got.flag_presumed_alive.tolist() == ["9", "9"]
        assert np.isnan(got.months).all() and np.isnan(got.months_presumed_alive).all()
    assert got.dead.isna().all()  # vital statuses disagree: the recode is unknown


def test_a_diagnosis_after_the_cutoff_year_is_unknown_and_excluded() -> None:
    # SurvivalTimeUtilsTest: dx 2011-09-15, last contact 2010, end point year 2010
    got = seer_survival_time(["20110915"], ["2010"], [False], study_cutoff="2010-12-31")
    assert got.flag.tolist() == ["9"] and got.flag_presumed_alive.tolist() == ["9"]
    assert got.exclusion.tolist() == ["diagnosis after study cutoff"]


def test_a_last_contact_in_the_future_is_unknown() -> None:
    # SEER blanks a date of last contact after today: active follow-up unknown; an alive
    # patient is still presumed alive to the cutoff
    got = seer_survival_time(
        ["20100101"] * 2, ["29990101"] * 2, [True, False], study_cutoff="2012-12-31"
    )
    assert got.flag.tolist() == ["9", "9"]
    assert got.flag_presumed_alive.tolist() == ["9", "1"]


def test_federal_sequence_numbers_come_before_non_federal_ones() -> None:
    # SurvivalTimeUtilsTest (#359): 2010-03-01 seq 61 and 2010-??-?? seq 99 -> the federal 99
    # is ordered first, so its imputed date is bounded by the later non-federal record
    got = seer_survival_time(
        ["20100301", "2010"],
        ["20121231"] * 2,
        [False] * 2,
        study_cutoff="2012-12-31",
        patient_id=["p", "p"],
        sequence=["61", "99"],
    )
    assert str(got.date_dx[1])[:10] == "2010-01-30"  # Jan 1 + floor(59 / 2): before Mar 1


# --- properties --------------------------------------------------------------------------

_dates = st.builds(
    lambda y, m, d, cut: f"{y}{m:02d}{d:02d}"[:cut],
    st.integers(1990, 2012),
    st.integers(1, 12),
    st.integers(1, 28),
    st.sampled_from([4, 6, 8, 8]),
)
_patient = st.tuples(
    st.lists(
        st.tuples(_dates, st.sampled_from(["00", "01", "02", "61", "99", ""])),
        min_size=1,
        max_size=4,
    ),
    _dates,
    st.sampled_from([True, False, None]),
)


def _call(patients: list, offset: int = 0):
    rows = [
        (f"p{i + offset}", dx, seq, lc, dead)
        for i, (records, lc, dead) in enumerate(patients)
        for dx, seq in records
    ]
    pid, dx, seq, lc, dead = (list(c) for c in zip(*rows, strict=True))
    return seer_survival_time(
        dx,
        lc,
        pd.array(dead, dtype="boolean"),
        study_cutoff="2010-12-31",
        patient_id=pid,
        sequence=seq,
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(_patient, min_size=2, max_size=6))
def test_patients_are_computed_independently_of_each_other(patients: list) -> None:
    together = _call(patients)
    parts = [_call([p], offset=i) for i, p in enumerate(patients)]
    assert together.flag.tolist() == [f for p in parts for f in p.flag]
    assert together.flag_presumed_alive.tolist() == [
        f for p in parts for f in p.flag_presumed_alive
    ]
    days = np.concatenate([p.days for p in parts])
    assert np.array_equal(together.days, days, equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(_patient, min_size=1, max_size=6))
def test_months_are_whole_months_of_days_and_presumed_alive_is_never_shorter(
    patients: list,
) -> None:
    got = _call(patients)
    known = ~np.isnan(got.days)
    assert np.array_equal(got.months[known], np.floor(got.days[known] / DAYS_PER_MONTH))
    assert (got.days[known] >= 0).all() and set(got.flag[known]) <= {"0", "1", "2", "3"}
    assert set(got.flag[~known]) <= {"8", "9"}
    both = known & ~np.isnan(got.days_presumed_alive)
    assert (got.days_presumed_alive[both] >= got.days[both]).all()
    assert (got.flag[got.days > 0] != "0").all()


@pytest.mark.parametrize("sep", ["-", ""])
def test_iso_dates_equal_naaccr_dates(sep: str) -> None:
    got = seer_survival_time([f"2010{sep}03{sep}05"], [f"2012{sep}01{sep}01"], [True])
    assert (got.days[0], got.flag[0]) == (667, "1")


_XML = """<?xml version="1.0" encoding="UTF-8"?>
<NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-250.xml"
            recordType="I" specificationVersion="1.7" xmlns="http://naaccr.org/naaccrxml">
  <Patient>
    <Item naaccrId="patientIdNumber">1</Item>
    <Item naaccrId="dateOfLastContact">20200601</Item>
    <Item naaccrId="vitalStatus">1</Item>
    <Tumor>
      <Item naaccrId="sequenceNumberCentral">00</Item>
      <Item naaccrId="dateOfDiagnosis">20200115</Item>
      <Item naaccrId="typeOfReportingSource">1</Item>
    </Tumor>
  </Patient>
</NaaccrData>
"""


@pytest.mark.parametrize("reader", [read_naaccr_xml, read], ids=["read_naaccr_xml", "read"])
@pytest.mark.parametrize(("variant", "months"), [("active", 4), ("presumed_alive", 23)])
def test_naaccr_reader_chooses_the_survival_variant(
    tmp_path: Path, variant: str, months: int, reader: Any
) -> None:
    # alive, dx 2020-01-15: last contact 2020-06-01 is 138 days (4.5 months); presumed alive
    # to the cutoff 2021-12-31 is 716 days (23.5 months); the same through netsurv.read()
    path = tmp_path / "one.xml"
    path.write_text(_XML)
    df = reader(path, study_cutoff="2021-12-31", classify=False, survival=variant)
    assert df["survival_months"].tolist() == [months] and df["survival_flag"].tolist() == ["1"]
