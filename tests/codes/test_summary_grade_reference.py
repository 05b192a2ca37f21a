"""Derived Summary Grade 2018 equals SEER's reference implementation, record by record.

Expected values: ``tests/reference/seer/grade/derived_summary_grade.csv``, written by SEER's
``DerivedSummaryGradeUtils.deriveSummaryGrade`` (imsweb/algorithms, BSD-3) through the committed
generator ``GradeReferenceGenerator.java`` (see the README there). Exact string comparison.
"""

from __future__ import annotations

import doctest

import pandas as pd

import netsurv as ns
from netsurv.codes import summary_grade
from netsurv.codes.summary_grade import derived_summary_grade, frame_summary_grade
from netsurv.io.canonical import finalize
from tests.paths import REFERENCE as REFERENCE_DIR

REFERENCE = REFERENCE_DIR / "seer" / "grade" / "derived_summary_grade.csv"


def _none(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s != "", None)


def test_every_reference_record_gets_seers_derived_summary_grade():
    ref = pd.read_csv(REFERENCE, dtype=str, keep_default_na=False)
    assert len(ref) >= 50_000
    got = derived_summary_grade(
        _none(ref["grade_clinical"]),
        _none(ref["grade_pathological"]),
        schema_id=_none(ref["schema_id"]),
        behavior=_none(ref["behavior"]),
    )
    expected = ref["derived_summary_grade"]
    mismatch = got.fillna("") != expected
    assert not mismatch.any(), ref[mismatch].head(10).to_string()


def test_the_reference_covers_every_list_and_the_codes_outside_them():
    ref = pd.read_csv(REFERENCE, dtype=str, keep_default_na=False)
    chosen = ref["derived_summary_grade"]
    # breast with a behaviour other than 2/3 has no list: SEER returns null
    odd_breast = (ref["schema_id"] == "00480") & ~ref["behavior"].isin(["2", "3"])
    assert odd_breast.sum() > 100 and (chosen[odd_breast] == "").all()
    # "8" wins only in the lymphoma and heme schemas
    heme = ref["schema_id"].isin(["00790", "00795", "00811", "00812", "00821", "00822", "00830"])
    assert (chosen[heme] == "8").sum() > 100
    assert (chosen[~heme] == "8").sum() == 0
    # every code of the "other" list is chosen somewhere
    assert set("S54321EDCBAHML9") <= set(chosen[~heme & (ref["schema_id"] != "00480")])


def test_ties_go_to_clinical_and_the_higher_priority_wins():
    # NAACCR #1975: priority S,5,4,3,2,1,E,D,C,B,A,H,M,L,9 outside breast and lymphoma schemas
    clinical = ["3", "1", "A", "9", "S", "L"]
    pathological = ["3", "2", "D", "1", "3", "H"]
    assert derived_summary_grade(clinical, pathological).tolist() == ["3", "2", "D", "1", "S", "H"]


def test_a_code_outside_the_list_never_wins_not_even_over_a_blank():
    # imsweb DerivedSummaryGradeUtils: blank is the last entry of every list, "X"/"8" are in none
    assert derived_summary_grade(["X", None, "8"], [None, "X", None]).tolist() == [None] * 3
    assert derived_summary_grade(["X", "8"], ["2", "9"]).tolist() == ["2", "9"]


def test_breast_ranks_nottingham_above_nuclear_grade_only_when_malignant():
    # NAACCR #1975 breast lists: in situ H,M,L,3,2,1,...; malignant 3,2,1,H,M,L,...
    got = derived_summary_grade(
        ["H", "H", "H"], ["1", "1", "1"], schema_id="00480", behavior=["2", "3", "1"]
    )
    assert got.tolist() == ["H", "1", None]


def test_the_frame_rule_infers_breast_and_heme_schemas_without_a_schema_id():
    df = pd.DataFrame(
        {
            "primary_site": ["C504", "C504", "C779", "C250"],
            "histology": ["8246", "8246", "9680", "8240"],
            "behavior": ["3", "2", "3", "3"],
            "grade_clinical": ["H", "H", "8", "8"],
            "grade_pathological": ["1", "1", None, None],
        }
    )
    # breast malignant: 1 beats H; breast in situ: H beats 1; heme: 8 wins; other: 8 never
    assert frame_summary_grade(df).tolist() == ["1", "H", "8", None]


def test_the_module_examples_run():
    assert doctest.testmod(summary_grade).failed == 0


def test_the_readers_and_classify_choose_the_same_2018_grade():
    # one rule everywhere: io.canonical.finalize (the readers) and classify both apply SEER's
    # Derived Summary Grade 2018 to Grade Clinical / Grade Pathological (NAACCR #1975)
    ref = pd.read_csv(REFERENCE, dtype=str, keep_default_na=False).head(2_000)
    raw = pd.DataFrame(
        {
            "year_dx": 2019,
            "primary_site": "C172",
            "histology": "8240",
            "behavior": _none(ref["behavior"]),
            "grade_clinical": _none(ref["grade_clinical"]),
            "grade_pathological": _none(ref["grade_pathological"]),
        }
    )
    read = finalize(raw)
    expected = derived_summary_grade(raw["grade_clinical"], raw["grade_pathological"])
    assert read["grade_code"].fillna("").tolist() == expected.fillna("").tolist()
    classified = ns.classify(raw)
    via_code = ns.classify(read[["year_dx", "primary_site", "histology", "grade_code"]])
    for column in ("grade", "differentiation", "grade_source"):
        assert classified[column].astype(str).tolist() == via_code[column].astype(str).tolist()
