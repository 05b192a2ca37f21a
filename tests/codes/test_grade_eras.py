"""Grade without a break at 2018 (issue 12, item 3), written by hand from the sources.

- Grade thru 2017 (NAACCR #440): 1 well, 2 moderately, 3 poorly differentiated,
  4 undifferentiated; netsurv reads 1/2/3-4 as G1/G2/G3.
- 2018 carcinoma grade tables (EOD 2018 grade_clinical_73056 lung/colon/small intestine,
  _6485 and the generic G1-G4 tables; registry-formats.md §6): 1 G1 well, 2 G2 moderately,
  3 G3 poorly differentiated, 4 G4 undifferentiated — the same differentiation, so the same grade.
- WHO 2021 classification of thoracic tumours: typical carcinoid (8240) is low grade, atypical
  carcinoid (8249) intermediate grade; the grade of a lung or thymic carcinoid is its type.
"""

from __future__ import annotations

import pandas as pd
import pytest

import netsurv as ns

SITES_2018_CARCINOMA = {
    "lung (8246)": ("C341", "8246"),
    "thymus (8246)": ("C379", "8246"),
    "unknown primary": ("C809", "8240"),
    "esophagus": ("C155", "8240"),
    "liver": ("C220", "8240"),
    "gallbladder": ("C239", "8240"),
    "extrahepatic bile duct": ("C240", "8240"),
    "pancreas (8246 moved to NET)": ("C250", "8246"),
}
# code -> (grade, differentiation) for both eras, from NAACCR #440 and the 2018 carcinoma tables
SAME_MEANING = {"1": ("G1", "well"), "2": ("G2", "well"), "3": ("G3", "poor"), "4": ("G3", "poor")}


@pytest.mark.parametrize("where", sorted(SITES_2018_CARCINOMA))
@pytest.mark.parametrize("code", sorted(SAME_MEANING))
def test_a_grade_code_means_the_same_before_and_after_2018(where, code):
    site, histology = SITES_2018_CARCINOMA[where]
    rows = pd.DataFrame(
        {
            "primary_site": site,
            "histology": histology,
            "year_dx": [2017, 2018],
            "grade_pre2018": [code, None],
            "grade_clinical": [None, code],
        }
    )
    out = ns.classify(rows)
    grade, differentiation = SAME_MEANING[code]
    assert out["grade"].astype(str).tolist() == [grade, grade]
    assert out["differentiation"].astype(str).tolist() == [differentiation] * 2
    assert out["grade_source"].astype(str).tolist() == ["code", "code"]
    assert out["grade_table"].astype(str).tolist() == ["pre-2018", "2018 carcinoma table"]


def test_8246_moved_to_net_by_a_2018_code_keeps_the_grade_the_code_records():
    # an 8246 with carcinoma code 1/2 becomes a NET (issue 4 rule) and is G1/G2 (issue 12), at a
    # site outside the carcinoma_grade list too (breast, C504, behaviour 3 malignant)
    rows = pd.DataFrame(
        {
            "primary_site": ["C504", "C504", "C504"],
            "histology": "8246",
            "behavior": ["3", "3", None],
            "year_dx": 2019,
            "grade_clinical": ["1", "2", "1"],
        }
    )
    out = ns.classify(rows)
    assert out["nen_type"].astype(str).tolist() == ["NET", "NET", "NEC"]
    assert out["grade"].astype(str).tolist() == ["G1", "G2", "unknown"]
    # without a behaviour the breast schema has no priority list: SEER's Derived Summary Grade
    # is blank (NAACCR #1975; imsweb DerivedSummaryGradeUtils), so no grade is read at all
    assert out["grade_table"].astype(str).tolist()[2] == "none"


@pytest.mark.parametrize(
    ("site", "histology", "grade"),
    [
        ("C341", "8240", "G1"),
        ("C349", "8249", "G2"),
        ("C379", "8240", "G1"),
        ("C379", "8249", "G2"),
    ],
)
@pytest.mark.parametrize("year", [2005, 2017, 2018, 2021])
def test_lung_and_thymus_carcinoids_are_graded_by_their_type_in_every_era(
    site, histology, grade, year
):
    # WHO 2021 thoracic: typical = low grade (G1), atypical = intermediate grade (G2); no grade
    # code, a code 9, a carcinoma code and a Ki-67 all give the same grade
    field = "grade_pre2018" if year <= 2017 else "grade_clinical"
    rows = pd.DataFrame(
        {
            "primary_site": site,
            "histology": histology,
            "year_dx": year,
            field: [None, "9", "2", "3"],
            "ki67": [None, 30.0, None, 1.0],
        }
    )
    out = ns.classify(rows)
    assert out["grade"].astype(str).tolist() == [grade] * 4
    assert out["grade_source"].astype(str).tolist() == ["histology"] * 4
    # the code still gives the differentiation; a code 3 on a carcinoid is a counted conflict
    assert out["differentiation"].astype(str).tolist() == ["well", "well", "well", "poor"]
    assert out["grade_conflict"].tolist() == [False, False, False, True]


def test_a_lung_nec_is_not_graded_as_a_carcinoid():
    # 8041 small-cell and 8013 large-cell NEC are high grade by definition (WHO 2021 thoracic)
    rows = pd.DataFrame({"primary_site": "C349", "histology": ["8041", "8013"], "year_dx": 2019})
    out = ns.classify(rows)
    assert out["grade"].astype(str).tolist() == ["G3", "G3"]
    assert out["grade_source"].astype(str).tolist() == ["histology", "histology"]


def test_the_grade_source_vocabulary_is_code_ki67_histology_unknown():
    rows = pd.DataFrame(
        {
            "primary_site": ["C172", "C172", "C349", "C172"],
            "histology": ["8240", "8240", "8240", "8240"],
            "year_dx": 2021,
            "grade_clinical": ["2", "9", None, "9"],
            "ki67": [None, 10.0, None, None],
        }
    )
    out = ns.classify(rows)
    assert list(out["grade_source"].cat.categories) == ["code", "Ki-67", "histology", "unknown"]
    assert out["grade_source"].astype(str).tolist() == ["code", "Ki-67", "histology", "unknown"]
