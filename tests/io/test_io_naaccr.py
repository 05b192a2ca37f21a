"""NAACCR XML: the project's fixture (hand-worked survival), vendored samples, hostile files."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

import netsurv.io as nio
from netsurv.errors import ReadError
from tests.paths import DATA

DATA = DATA
SAMPLES = DATA / "naaccr-samples"
FIXTURE = DATA / "naaccr" / "multi_tumour.xml"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return nio.read(FIXTURE, classify=False, study_cutoff="2021-12-31")


def test_one_row_per_tumour_with_patient_items_copied(frame: pd.DataFrame) -> None:
    assert len(frame) == 5  # 5 <Tumor> elements in 4 <Patient> elements
    assert frame["patient_id"].tolist() == [
        "00000101",
        "00000101",
        "00000102",
        "00000103",
        "00000104",
    ]
    assert frame["tumor_seq"].tolist() == ["01", "02", "00", "00", "00"]
    assert frame["sex"].tolist()[:2] == ["female", "female"]  # Patient-level sex 2 on both
    assert frame["date_of_birth"].iloc[1] == "19500704"
    # race1 01 white, 02 black, 99 unknown, 04 (Chinese) -> other
    assert frame["race"].tolist() == ["white", "white", "black", "unknown", "other"]


def test_naaccr_data_level_items_are_copied_to_every_tumour(frame: pd.DataFrame) -> None:
    assert frame["registry_id"].tolist() == ["0000001544"] * 5


def test_partial_dates_give_year_and_month(frame: pd.DataFrame) -> None:
    assert frame["year_dx"].tolist() == [2010, 2013, 2019, 2020, 2023]
    assert frame["month_dx"].iloc[1] == 3 and pd.isna(frame["month_dx"].iloc[2])
    assert pd.isna(frame["date_dx"].iloc[1])  # 201303: no full date
    assert frame["date_dx"].iloc[0] == pd.Timestamp("2010-01-15")


def test_survival_from_complete_dates(frame: pd.DataFrame) -> None:
    # 2010-01-15 -> 2015-06-20 = 1826 + 156 = 1982 days; floor(1982 / 30.4367) = 65, flag 1
    assert frame["survival_months"].iloc[0] == 65
    assert frame["survival_flag"].iloc[0] == "1"
    assert frame["dead"].iloc[0] == True  # noqa: E712 - vitalStatus 0 = dead


def test_survival_with_unknown_day_imputes_the_middle_of_the_month(frame: pd.DataFrame) -> None:
    # dx 2013-03 -> 2013-03-16 (1 + (31-1)//2); to 2015-06-20: 730 + 92 + 4 = 826 days -> 27
    # months; flag 3: incomplete dates whose known parts differ (cannot be 0 days)
    assert frame["survival_months"].iloc[1] == 27
    assert frame["survival_flag"].iloc[1] == "3"


def test_death_after_the_cutoff_is_alive_at_the_cutoff(frame: pd.DataFrame) -> None:
    # dx 2019 -> 2019-07-02 (Jan 1 + 364//2); last contact 2023 (dead) is after the cutoff
    # 2021-12-31: end = cutoff, alive; 731 + 182 = 913 days -> floor(913 / 30.4367) = 29
    row = frame.iloc[2]
    assert row["survival_months"] == 29 and row["dead"] == False  # noqa: E712
    assert row["cancer_death"] == False  # noqa: E712
    assert row["survival_flag"] == "3"


def test_dco_and_diagnosis_after_cutoff_are_excluded(frame: pd.DataFrame) -> None:
    assert frame["exclusion"].iloc[3] == "death certificate or autopsy only"
    assert frame["survival_flag"].iloc[3] == "8"
    assert frame["exclusion"].iloc[4] == "diagnosis after study cutoff"
    assert frame["exclusion"].iloc[:3].isna().all()


def test_stage_and_grade_chosen_by_year(frame: pd.DataFrame) -> None:
    assert frame[["stage_code", "stage_system"]].iloc[1].tolist() == ["7", "ss2000"]
    assert frame[["stage_code", "stage_system"]].iloc[2].tolist() == ["3", "ss2018"]
    # 2019: pathological 9 (unknown) gives way to clinical 2
    assert frame[["grade_code", "grade_system"]].iloc[2].tolist() == ["2", "2018"]
    assert frame["ki67"].iloc[2] == 5.5 and frame["ki67_code"].iloc[2] == "5.5"


def test_cause_of_death_without_seer_item_follows_seers_site_tables(frame: pd.DataFrame) -> None:
    # patient 101 died of C25.9 (ICD-10): SEER's table for a first of several primaries lists
    # C25-C26 for the pancreas (recode 21100) -> dead of this cancer; not for the appendix
    # (recode 21042: C17-C21, C26, D12...) -> dead of another cause
    # (https://seer.cancer.gov/causespecific/)
    assert frame["cancer_death"].iloc[:2].tolist() == [True, False]


@pytest.mark.parametrize(
    ("name", "tumours"),
    [
        ("naaccr-xml-sample-v210-incidence-100.xml.gz", 100),
        ("naaccr-xml-sample-v230-incidence-100.xml.gz", 100),
        ("naaccr-xml-sample-v250-incidence-100.xml.gz", 100),
        ("naaccr-xml-sample-v250-abstract-10.xml.gz", 10),
        ("naaccr-xml-sample-v250-incidence-1000.xml.gz", 1000),
    ],
)
def test_vendored_samples_read_with_every_tumour(name: str, tumours: int) -> None:
    # tumour counts: number of <Tumor> elements (zcat | grep -c "<Tumor>")
    df = nio.read(SAMPLES / name, classify=False, study_cutoff="2024-12-31")
    assert len(df) == tumours
    assert df["primary_site"].str.fullmatch(r"C\d{3}").all()
    assert df["patient_id"].str.len().eq(8).all()  # padding kept: 8-character ids


def test_vendored_v25_sample_keeps_nen_codes_as_strings() -> None:
    df = nio.read(SAMPLES / "naaccr-xml-sample-v250-incidence-1000.xml.gz", classify=False)
    # README: 8240 x9, 8246 x2, 8041 x20 in this file (registry-formats.md §3.4)
    counts = df["histology"].value_counts()
    assert (counts["8240"], counts["8246"], counts["8041"]) == (9, 2, 20)


@pytest.mark.parametrize("name", ["hostile_entity_bomb.xml", "hostile_external_entity.xml"])
def test_hostile_xml_is_refused(name: str) -> None:
    with pytest.raises(ReadError, match="DOCTYPE"):
        nio.read(DATA / "naaccr" / name, classify=False)


def test_unreadable_date_names_patient_tumour_and_item(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(FIXTURE.read_text().replace(">201303<", ">2013x3<"))
    with pytest.raises(ReadError, match="unreadable date") as err:
        nio.read(bad, classify=False)
    assert err.value.line == "Patient 00000101 / Tumor 2"
    assert (err.value.field, err.value.value) == ("dateOfDiagnosis", "2013x3")


@pytest.mark.parametrize(("text", "month"), [("20131399", None), ("20130231", 2.0)])
def test_impossible_month_or_day_is_unknown_as_seer_reads_it(
    tmp_path: Path, text: str, month: float | None
) -> None:
    # SEER's survival-time algorithm (imsweb/algorithms SurvivalTimeUtils): an invalid month
    # makes month and day unknown, an invalid day the day; the record and its year are kept
    bad = tmp_path / "bad.xml"
    bad.write_text(FIXTURE.read_text().replace(">201303<", f">{text}<"))
    good = nio.read(FIXTURE, classify=False)
    with pytest.warns(UserWarning, match=r"impossible month or day.*Patient 00000101 / Tumor 2"):
        df = nio.read(bad, classify=False)
    assert len(df) == len(good)
    row = df.iloc[1]
    assert row["year_dx"] == 2013
    if month is None:
        assert pd.isna(row["month_dx"])
    else:
        assert row["month_dx"] == month
    assert pd.isna(row["date_dx"])  # no full date without a valid day


def test_truncated_gzip_xml_is_an_error(tmp_path: Path) -> None:
    data = (SAMPLES / "naaccr-xml-sample-v250-incidence-100.xml.gz").read_bytes()
    bad = tmp_path / "cut.xml.gz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ReadError, match="truncated"):
        nio.read(bad, classify=False)


def test_truncated_xml_text_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "cut.xml"
    text = FIXTURE.read_text()
    bad.write_text(text[: len(text) // 2])
    with pytest.raises(ReadError, match="not well formed"):
        nio.read(bad, classify=False)


def test_other_xml_root_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.xml"
    other.write_text("<html><body/></html>")
    with pytest.raises(ReadError, match="not a NAACCR XML"):
        nio.read(other, classify=False)


def test_v26_sex_assigned_at_birth_is_read(tmp_path: Path) -> None:
    v26 = tmp_path / "v26.xml"
    text = FIXTURE.read_text().replace("dictionary-250", "dictionary-260")
    v26.write_text(text.replace('naaccrId="sex"', 'naaccrId="sexAssignedAtBirth"'))
    assert nio.read(v26, classify=False)["sex"].tolist()[:3] == ["female", "female", "male"]


def test_written_xml_reads_back_the_same_raw_columns(tmp_path: Path) -> None:
    original = nio.read(FIXTURE, classify=False, study_cutoff="2021-12-31")
    path = nio.write_naaccr_xml(original, tmp_path / "round.xml.gz")
    back = nio.read(path, classify=False)
    columns = [
        "patient_id",
        "tumor_seq",
        "year_dx",
        "month_dx",
        "date_dx",
        "age_dx",
        "sex",
        "primary_site",
        "histology",
        "behavior",
        "grade_code",
        "grade_system",
        "ki67_code",
        "stage_code",
        "stage_system",
        "reporting_source",
        "survival_months",
        "survival_flag",
        "dead",
        "cancer_death",
        "registry_id",
    ]
    pd.testing.assert_frame_equal(back[columns], original[columns])
    assert gzip.decompress(path.read_bytes()).count(b"<Tumor>") == 5


def test_seerstat_frame_can_be_written_as_naaccr_xml(tmp_path: Path) -> None:
    seer = nio.read(DATA / "seerstat" / "numeric_tab.txt", classify=False)
    back = nio.read(nio.write_naaccr_xml(seer, tmp_path / "s.xml"), classify=False)
    columns = [
        "patient_id",
        "tumor_seq",
        "stage_code",
        "stage_system",
        "grade_code",
        "survival_months",
        "dead",
        "cancer_death",
        "exclusion",
    ]
    pd.testing.assert_frame_equal(back[columns], seer[columns])


def test_patient_without_tumour_is_reported_in_the_load_summary(tmp_path: Path) -> None:
    xml = tmp_path / "p.xml"
    xml.write_text(
        '<NaaccrData xmlns="http://naaccr.org/naaccrxml"><Patient>'
        '<Item naaccrId="patientIdNumber">1</Item></Patient></NaaccrData>'
    )
    df = nio.read(xml, classify=False)
    assert len(df) == 0
    s = nio.load_summary(df)
    assert s.loc[s["section"] == "not rows", "count"].tolist() == [1]


def test_reading_in_small_chunks_gives_the_same_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    import netsurv.io.naaccr as naaccr

    path = SAMPLES / "naaccr-xml-sample-v250-incidence-1000.xml.gz"
    whole = nio.read(path, classify=False)
    monkeypatch.setattr(naaccr, "CHUNK_TUMORS", 7)  # chunks end at patient boundaries
    pieces = nio.read(path, classify=False)
    pd.testing.assert_frame_equal(pieces[whole.columns], whole)


def test_survival_items_are_used_when_present(tmp_path: Path) -> None:
    xml = tmp_path / "s.xml"
    xml.write_text(
        '<NaaccrData xmlns="http://naaccr.org/naaccrxml"><Patient>'
        '<Item naaccrId="patientIdNumber">1</Item><Item naaccrId="vitalStatusRecode">0</Item>'
        '<Tumor><Item naaccrId="survMosActiveFollowup">0042</Item>'
        '<Item naaccrId="survFlagActiveFollowup">1</Item></Tumor>'
        '<Tumor><Item naaccrId="survMosPresumedAlive">0007</Item>'
        '<Item naaccrId="survFlagPresumedAlive">3</Item></Tumor>'
        '<Tumor><Item naaccrId="survMosActiveFollowup">9999</Item></Tumor>'
        "</Patient></NaaccrData>"
    )
    df = nio.read(xml, classify=False)
    # 0042 -> 42 (active follow-up), 0007 -> 7 (presumed alive only), 9999 -> unknown
    assert df["survival_months"].tolist()[:2] == [42.0, 7.0]
    assert df["survival_flag"].tolist()[:2] == ["1", "3"]
    assert df["exclusion"].iloc[2] == "survival months unknown"
    assert df["dead"].tolist() == [True, True, True]  # vitalStatusRecode 0 = dead


def test_namespace_prefix_cdata_comments_and_naaccr_num_are_xml_not_text(tmp_path: Path) -> None:
    # naaccr_data_1.8.xsd allows a prefixed namespace and a naaccrNum attribute
    xml = tmp_path / "p.xml"
    xml.write_text(
        '<?xml version="1.0"?>\n<n:NaaccrData xmlns:n="http://naaccr.org/naaccrxml" '
        'baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-240.xml" '
        'recordType="I"><n:Patient><n:Item naaccrNum="20" naaccrId="patientIdNumber">'
        '00000042</n:Item><n:Tumor><n:Item naaccrId="primarySite"><![CDATA[C250]]></n:Item>'
        '<!-- a comment --><n:Item naaccrId="histologicTypeIcdO3">8&#50;40</n:Item>'
        "</n:Tumor></n:Patient></n:NaaccrData>"
    )
    df = nio.read(xml, classify=False)
    assert df[["patient_id", "primary_site", "histology"]].iloc[0].tolist() == [
        "00000042",
        "C250",
        "8240",
    ]


def test_bad_study_cutoff_is_an_input_error() -> None:
    from netsurv.errors import InputError

    with pytest.raises(InputError, match="study_cutoff"):
        nio.read(FIXTURE, classify=False, study_cutoff="end of 2021")
