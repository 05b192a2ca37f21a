"""SEER*Stat exports: the three fixture variants, errors on damaged files, the writer round trip.

Expected values are read off the fixture records by hand (tests/data/seerstat/make_fixtures.py,
RECORDS) using the code lists in shared/reference/registry-formats.md §1.3 and §3.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import netsurv.io as nio
from netsurv.errors import ReadError
from tests.paths import DATA

DATA = DATA / "seerstat"
VARIANTS = ["numeric_tab.txt", "labels_comma.txt", "labels_tab_unix.txt.gz"]


@pytest.fixture(scope="module", params=VARIANTS)
def frame(request: pytest.FixtureRequest) -> pd.DataFrame:
    return nio.read(DATA / request.param, classify=False)


def test_every_record_is_returned(frame: pd.DataFrame) -> None:
    # 10 data lines in each variant (RECORDS has 10 tuples)
    assert len(frame) == 10


def test_ids_and_sequence_numbers_stay_strings_with_leading_zeros(frame: pd.DataFrame) -> None:
    assert frame["patient_id"].tolist()[:3] == ["00000001", "00000002", "00000002"]
    # "1st/2nd of 2 or more primaries" -> 01 / 02; "One primary only" -> 00 (NAACCR #380)
    assert frame["tumor_seq"].tolist()[:4] == ["00", "01", "02", "00"]


def test_thousands_separators_are_removed_from_patient_id(frame: pd.DataFrame) -> None:
    # record 10: 10234567, written "10,234,567" in the comma export
    assert frame["patient_id"].iloc[9] == "10234567"


def test_registry_codes_are_decoded_from_labels_or_index_codes(frame: pd.DataFrame) -> None:
    assert frame["primary_site"].tolist()[:4] == ["C250", "C181", "C340", "C172"]
    assert frame["histology"].tolist()[:3] == ["8240", "8246", "8041"]
    assert set(frame["behavior"]) == {"3"}  # "Malignant" -> 3 (ICD-O-3 behaviour)
    assert frame["sex"].tolist()[:2] == ["male", "female"]
    assert frame["year_dx"].tolist() == [2010, 2012, 2014, 2016, 2019, 2015, 2018, 2011, 2013, 2017]
    # historic stage A: Localized 1, Distant 4, Regional 2, Unstaged 9 (HistoricStageUtils)
    assert frame["stage_historic_a"].iloc[[0, 1, 2, 5]].tolist() == ["1", "4", "2", "9"]
    # Grade Recode (thru 2017): Grade I -> 1, Grade III -> 3, Unknown -> 9 (NAACCR #440)
    assert frame["grade_pre2018"].iloc[[0, 1, 2]].tolist() == ["1", "3", "9"]
    # Derived Summary Grade 2018: category (2) -> 2, Well differentiated -> A (NAACCR #1975)
    assert frame["grade_2018"].iloc[[4, 6]].tolist() == ["2", "A"]
    assert frame["reporting_source"].iloc[5] == "7"  # Death certificate only -> 7


def test_blanks_become_missing(frame: pd.DataFrame) -> None:
    # record 4 (2016) has historic stage A "Blank(s)"; records before 2018 have grade 2018 blank
    assert pd.isna(frame["stage_historic_a"].iloc[3])
    assert frame["grade_2018"].iloc[[0, 1, 2, 3]].isna().all()


def test_age_groups_become_mid_points_with_a_flag(frame: pd.DataFrame) -> None:
    # "60-64 years" covers [60, 65) -> 62.5; "85+ years" -> 85 + 5/2 = 87.5 (a band as wide as
    # the other groups: documented convention)
    assert frame["age_dx"].iloc[0] == 62.5
    assert frame["age_dx"].iloc[4] == 87.5
    assert frame["age_dx_approx"].all()


def test_stage_follows_the_diagnosis_year(frame: pd.DataFrame) -> None:
    # 2010: historic stage A; 2016 with historic A blank: combined; 2019: combined (no SS2018)
    assert frame[["stage_code", "stage_system"]].iloc[0].tolist() == ["1", "historic_a"]
    assert frame[["stage_code", "stage_system"]].iloc[3].tolist() == ["Regional", "combined"]
    assert frame[["stage_code", "stage_system"]].iloc[4].tolist() == ["Localized", "combined"]


def test_grade_follows_the_diagnosis_year(frame: pd.DataFrame) -> None:
    assert frame[["grade_code", "grade_system"]].iloc[0].tolist() == ["1", "pre2018"]
    assert frame[["grade_code", "grade_system"]].iloc[4].tolist() == ["2", "2018"]


def test_vital_status_and_cause_specific_death(frame: pd.DataFrame) -> None:
    assert frame["dead"].tolist() == [
        False,
        True,
        True,
        False,
        True,
        True,
        False,
        True,
        False,
        False,
    ]
    cd = frame["cancer_death"]
    assert cd.iloc[1] == True  # noqa: E712 - "Dead (attributable to this cancer dx)"
    assert cd.iloc[0] == False  # noqa: E712 - "Alive or dead of other cause"
    assert pd.isna(cd.iloc[2])  # "N/A not first tumor"
    assert pd.isna(cd.iloc[4])  # "Dead (missing/unknown COD)"


def test_exclusions_follow_the_seer_rules(frame: pd.DataFrame) -> None:
    reasons = frame["exclusion"]
    assert reasons.iloc[5] == "death certificate or autopsy only"
    assert reasons.iloc[6] == "alive with no survival time"
    assert reasons.iloc[8] == "survival months unknown"
    assert reasons.isna().sum() == 7


def test_death_at_zero_months_is_an_event_not_an_exclusion(frame: pd.DataFrame) -> None:
    row = frame.iloc[7]
    assert row["survival_months"] == 0 and row["dead"] == True  # noqa: E712
    assert pd.isna(row["exclusion"])


def test_not_first_tumour_is_not_excluded(frame: pd.DataFrame) -> None:
    assert pd.isna(frame["exclusion"].iloc[2])


def test_unknown_survival_9999_is_missing(frame: pd.DataFrame) -> None:
    assert np.isnan(frame["survival_months"].iloc[8])
    assert frame["survival_months"].iloc[0] == 125.0


def test_other_variables_are_kept_as_snake_case_columns(frame: pd.DataFrame) -> None:
    assert frame["site_recode_icd_o_3_who_2008"].iloc[2] == "Lung and Bronchus"


def test_all_three_export_variants_read_the_same() -> None:
    frames = [nio.read(DATA / v, classify=False) for v in VARIANTS]
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], other)


def test_survival_session_export_is_refused_with_what_it_is() -> None:
    with pytest.raises(ReadError, match="survival session export"):
        nio.read(DATA / "survival_session.txt", classify=False)


def test_load_summary_counts_rows_and_reasons() -> None:
    summary = nio.load_summary(nio.read(DATA / "numeric_tab.txt", classify=False))
    counts = {(s, i): c for s, i, c in summary[["section", "item", "count"]].itertuples(False)}
    assert counts[("rows", "read")] == 10
    assert counts[("rows", "usable")] == 7
    assert counts[("excluded", "death certificate or autopsy only")] == 1
    assert counts[("missing", "cancer_death")] == 2


# ---- damaged files --------------------------------------------------------------------------


def _copy(tmp_path: Path, name: str = "numeric_tab") -> tuple[Path, Path]:
    txt = tmp_path / f"{name}.txt"
    shutil.copy(DATA / f"{name}.txt", txt)
    shutil.copy(DATA / f"{name}.dic", tmp_path / f"{name}.dic")
    return txt, tmp_path / f"{name}.dic"


def test_short_line_names_file_line_and_field(tmp_path: Path) -> None:
    txt, _ = _copy(tmp_path)
    lines = txt.read_bytes().split(b"\r\n")
    lines[2] = b"\t".join(lines[2].split(b"\t")[:-3])
    txt.write_bytes(b"\r\n".join(lines))
    with pytest.raises(ReadError, match="short data line") as err:
        nio.read(txt, classify=False)
    assert err.value.line == 3 and err.value.path == txt


def test_long_line_is_an_error(tmp_path: Path) -> None:
    txt, _ = _copy(tmp_path)
    lines = txt.read_bytes().split(b"\r\n")
    lines[0] += b"\t7"
    txt.write_bytes(b"\r\n".join(lines))
    with pytest.raises(ReadError, match="long data line") as err:
        nio.read(txt, classify=False)
    assert err.value.line == 1


def test_unknown_delimiter_is_an_error(tmp_path: Path) -> None:
    txt, dic = _copy(tmp_path)
    dic.write_text(dic.read_text().replace("Field delimiter=tab", "Field delimiter=pipe"))
    with pytest.raises(ReadError, match="unknown field delimiter") as err:
        nio.read(txt, classify=False)
    assert err.value.value == "pipe"


def test_index_code_missing_from_the_dic_is_a_mismatch(tmp_path: Path) -> None:
    txt, _ = _copy(tmp_path)
    lines = txt.read_bytes().split(b"\r\n")
    cells = lines[4].split(b"\t")
    cells[4] = b"7"  # Sex has levels 0 Female, 1 Male only
    lines[4] = b"\t".join(cells)
    txt.write_bytes(b"\r\n".join(lines))
    with pytest.raises(ReadError, match="does not match the data") as err:
        nio.read(txt, classify=False)
    assert (err.value.line, err.value.field, err.value.value) == (5, "Sex", "7")


def test_header_that_differs_from_the_dic_is_a_mismatch(tmp_path: Path) -> None:
    txt, dic = _copy(tmp_path, "labels_comma")
    dic.write_text(dic.read_text().replace("Var5Name=Sex", "Var5Name=Marital status"))
    with pytest.raises(ReadError, match="does not match the data"):
        nio.read(txt, classify=False)


def test_text_in_survival_months_is_an_error(tmp_path: Path) -> None:
    txt, _ = _copy(tmp_path)
    txt.write_bytes(txt.read_bytes().replace(b"\t125\t", b"\t12x\t"))
    with pytest.raises(ReadError, match="not a number") as err:
        nio.read(txt, classify=False)
    assert err.value.field == "Survival months" and err.value.line == 1


def test_truncated_gzip_is_an_error(tmp_path: Path) -> None:
    data = (DATA / "labels_tab_unix.txt.gz").read_bytes()
    gz = tmp_path / "labels_tab_unix.txt.gz"
    gz.write_bytes(data[: len(data) // 2])
    shutil.copy(DATA / "labels_tab_unix.dic", tmp_path / "labels_tab_unix.dic")
    with pytest.raises(ReadError, match="truncated"):
        nio.read(gz, classify=False)


def test_missing_dic_says_how_to_fix(tmp_path: Path) -> None:
    txt = tmp_path / "export.txt"
    txt.write_text("1\t2\n")
    with pytest.raises(ReadError, match=r"\.dic"):
        nio.read_seerstat(txt, classify=False)


# ---- writer round trip ----------------------------------------------------------------------

RAW = [
    "patient_id",
    "tumor_seq",
    "year_dx",
    "age_dx",
    "sex",
    "race",
    "primary_site",
    "histology",
    "behavior",
    "grade_code",
    "grade_system",
    "stage_code",
    "stage_system",
    "reporting_source",
    "survival_months",
    "survival_flag",
    "dead",
    "cancer_death",
    "exclusion",
    "stage_historic_a",
    "stage_combined",
    "grade_pre2018",
    "grade_2018",
    "site_recode_icd_o_3_who_2008",
]


@pytest.mark.parametrize("variable_format", ["numeric", "labels"])
@pytest.mark.parametrize("delimiter", ["tab", "comma"])
def test_write_then_read_returns_the_same_raw_columns(
    tmp_path: Path, variable_format: str, delimiter: str
) -> None:
    original = nio.read(DATA / "labels_comma.txt", classify=False)
    out = nio.write_seerstat(
        original, tmp_path / "out.txt", variable_format=variable_format, delimiter=delimiter
    )  # type: ignore[arg-type]
    back = nio.read(out.data_path, classify=False)
    pd.testing.assert_frame_equal(back[RAW], original[RAW])


def test_written_dic_has_the_documented_sections(tmp_path: Path) -> None:
    original = nio.read(DATA / "numeric_tab.txt", classify=False)
    out = nio.write_seerstat(original, tmp_path / "x.txt.gz", header=False, dos=False)
    text = out.dic_path.read_text()
    for section in ["[System]", "[Session Options]", "[Export Options]", "[Variables]"]:
        assert section in text
    assert "Var1Name=Patient ID" in text and "[Format=Sex]" in text
    assert "GZipped=true" in text and "File format=UNIX" in text
    assert gzip.decompress(out.data_path.read_bytes()).count(b"\n") == 10


def _write_export(tmp_path: Path, options: str, variables: list[str], lines: list[str]) -> Path:
    dic = "\n".join(
        [
            "[Session Options]",
            "Type=Listing",
            "",
            "[Export Options]",
            *options.split("|"),
            "",
            "[Variables]",
            *[f"Var{i}Name={v}" for i, v in enumerate(variables, 1)],
            "",
        ]
    )
    (tmp_path / "x.dic").write_text(dic)
    (tmp_path / "x.txt").write_text("\n".join(lines) + "\n")
    return tmp_path / "x.txt"


def test_semicolon_period_missing_and_unannounced_header(tmp_path: Path) -> None:
    txt = _write_export(
        tmp_path,
        "Variable format=labels|Field delimiter=semi-colon|Missing character=period|"
        "File format=UNIX|Variable names included=false",
        ["Patient ID", "Survival months", "Vital status recode (study cutoff used)", "Sex"],
        [
            "Patient ID;Survival months;Vital status recode (study cutoff used);Sex",
            "00000009;.;Alive;Female",
            "00000010;0007;Dead;.",
        ],
    )
    df = nio.read(txt, classify=False)
    assert df["patient_id"].tolist() == ["00000009", "00000010"]  # header line skipped
    assert np.isnan(df["survival_months"].iloc[0]) and df["survival_months"].iloc[1] == 7
    assert pd.isna(df["sex"].iloc[1])  # "." is the missing character
    assert df["exclusion"].tolist()[0] == "survival months unknown"


def test_grouped_years_are_kept_as_text_not_guessed(tmp_path: Path) -> None:
    txt = _write_export(
        tmp_path,
        "Variable format=labels|Field delimiter=tab",
        ["Year of diagnosis (1975-2019 by 5)", "Survival months"],
        ["2000-2004\t12", "2005-2009\t3"],
    )
    df = nio.read(txt, classify=False)
    assert df["year_dx"].isna().all()
    assert df["year_of_diagnosis_1975_2019_by_5"].tolist() == ["2000-2004", "2005-2009"]


def test_race_is_grouped_and_the_label_kept(frame: pd.DataFrame) -> None:
    # Race recode (White, Black, Other): the "Other (...)" label holds a comma (quoted in CSV)
    assert frame["race"].iloc[[0, 1, 3, 7]].tolist() == ["white", "black", "other", "unknown"]
    label = frame["race_recode_white_black_other"].iloc[3]
    assert label == "Other (American Indian/AK Native, Asian/Pacific Islander)"


def test_age_labels_single_years_infant_group_and_unknown(tmp_path: Path) -> None:
    txt = _write_export(
        tmp_path,
        "Variable format=labels|Field delimiter=tab",
        ["Age recode with <1 year olds", "Age recode with single ages and 85+"],
        ["00 years\t45 years", "85+ years\t85+ years", "Unknown\tUnknown"],
    )
    df = nio.read(txt, classify=False)
    # the first age variable is used: "00 years" = [0, 1) -> 0.5; 85+ -> 87.5; Unknown -> NaN
    assert df["age_dx"].tolist()[:2] == [0.5, 87.5] and np.isnan(df["age_dx"].iloc[2])
    assert df["age_dx_approx"].tolist()[:2] == [True, True]
    assert df["age_recode_with_single_ages_and_85"].tolist()[0] == "45 years"


def test_space_delimited_labels_with_quotes(tmp_path: Path) -> None:
    txt = _write_export(
        tmp_path,
        "Variable format=quotedlabels|Field delimiter=space|Missing character=period",
        ["Patient ID", "SEER historic stage A (1973-2015)", "Survival months"],
        ['00000001 "Localized" 12 ', '00000002  "Blank(s)"  .'],
    )
    df = nio.read(txt, classify=False)
    assert df["stage_historic_a"].tolist()[0] == "1" and pd.isna(df["stage_historic_a"].iloc[1])
    assert df["survival_months"].iloc[0] == 12 and np.isnan(df["survival_months"].iloc[1])


def test_reading_in_small_chunks_gives_the_same_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    import netsurv.io.seerstat as seerstat

    whole = nio.read(DATA / "labels_comma.txt", classify=False)
    monkeypatch.setattr(seerstat, "CHUNK_ROWS", 3)
    pd.testing.assert_frame_equal(nio.read(DATA / "labels_comma.txt", classify=False), whole)
