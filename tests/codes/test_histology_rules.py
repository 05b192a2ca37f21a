"""Histology, behaviour, site and stage rules of issue 12 (item 4), written by hand from the sources.

Sources: ICD-O-3 (2000), ICD-O-3.1 (2011) and ICD-O-3.2 morphology lists; WHO classification of
digestive system tumours 2019 (5th ed.); WHO classification of thoracic tumours 2021; WHO 2022
endocrine and neuroendocrine tumours; WHO 2020 female genital tumours; NAACCR #764 Summary
Stage 2018 code list; SEER SINQ 20100050 (appendix carcinoid reportable from 2015).
"""

from __future__ import annotations

import importlib
import importlib.resources

import pandas as pd
import pytest

import netsurv as ns


def classify(rows: list[dict[str, object]], **options: bool) -> pd.DataFrame:
    return ns.classify(pd.DataFrame(rows), **options)


def text(out: pd.DataFrame, column: str) -> list[object]:
    return [None if pd.isna(v) else str(v) for v in out[column]]


def test_8157_enteroglucagonoma_is_a_net():
    # ICD-O-3 8157/1 enteroglucagonoma NOS, 8157/3 malignant: an L-cell NET
    out = classify([{"histology": "8157", "behavior": "3", "primary_site": "C172"}])
    assert text(out, "nen_type") == ["NET"]
    assert text(out, "differentiation") == ["well"]


def test_strumal_carcinoid_is_a_net_that_behaviour_1_keeps_out_of_malignant_nets():
    # ICD-O-3 9091/1 strumal carcinoid of the ovary (C56.9); WHO 2020 female genital: a NET
    rows = [
        {"histology": "9091", "behavior": "1", "primary_site": "C569"},
        {"histology": "9091", "behavior": "3", "primary_site": "C569"},
    ]
    out = classify(rows)
    assert text(out, "nen_type") == ["other NEN", "NET"]
    assert out["reclassified_behavior"].tolist() == [True, False]
    assert text(classify(rows, nonmalignant_nen=True), "nen_type") == ["NET", "NET"]


def test_goblet_cell_8243_is_an_adenocarcinoma_unless_the_older_definition_is_asked():
    # WHO 2019 digestive: goblet cell adenocarcinoma (8243/3), not a NEN; WHO 2010 / ICD-O-3:
    # "goblet cell carcinoid", listed with the NENs
    rows = [{"histology": "8243", "behavior": "3", "primary_site": "C181"}]
    assert text(classify(rows), "nen_type") == ["not NEN"]
    assert text(classify(rows, goblet_cell_nen=True), "nen_type") == ["other NEN"]


def test_8244_is_a_mixed_neoplasm_in_every_icdo_edition():
    # ICD-O-3 (2000) 8244/3 composite carcinoid; ICD-O-3.1 MANEC; ICD-O-3.2 MiNEN is 8154/3
    rows = [{"histology": h, "behavior": "3", "primary_site": "C181"} for h in ("8244", "8154")]
    assert text(classify(rows), "nen_type") == ["MiNEN", "MiNEN"]
    readme = importlib.resources.files("netsurv.codes").joinpath("README.md").read_text("utf-8")
    assert "composite carcinoid" in readme and "ICD-O-3.1" in readme


@pytest.mark.parametrize(
    ("histology", "site", "nen_type"),
    [
        ("8345", "C739", "other NEN"),  # MTC with amyloid stroma
        ("8346", "C739", "other NEN"),  # mixed medullary and follicular
        ("8347", "C739", "other NEN"),  # mixed medullary and papillary
        ("8510", "C739", "other NEN"),  # medullary carcinoma NOS of the thyroid = MTC
        ("8510", "c73.9", "other NEN"),
        ("8510", "C509", "not NEN"),  # medullary carcinoma of the breast is no NEN
        ("8510", "C189", "not NEN"),
        ("8510", None, "not NEN"),
    ],
)
def test_medullary_thyroid_carcinoma_is_other_nen_and_8510_only_at_the_thyroid(
    histology, site, nen_type
):
    # ICD-O-3 8345-8347, 8510 at C73.9; WHO 2022 endocrine: MTC is a C-cell NEN of the thyroid
    out = classify([{"histology": histology, "behavior": "3", "primary_site": site}])
    assert text(out, "nen_type") == [nen_type]
    assert out["invalid_codes"].isna().all()


def test_net_cohorts_leave_out_medullary_thyroid_carcinoma_by_default():
    df = classify(
        [
            {"histology": "8240", "behavior": "3", "primary_site": "C172"},
            {"histology": "8345", "behavior": "3", "primary_site": "C739"},
            {"histology": "8510", "behavior": "3", "primary_site": "C739"},
            {"histology": "8247", "behavior": "3", "primary_site": "C449"},
        ]
    )
    assert len(ns.select(df, nen_type="NET")) == 1
    wide = ns.select(df, nen_type=["NET", "other NEN"], exclude="medullary thyroid")
    assert wide.data["histology"].tolist() == ["8240", "8247"]
    assert wide.steps["removed"].tolist() == [0, 0, 0, 2]


def test_select_can_leave_out_small_cell_and_large_cell_lung_carcinoma():
    # WHO 2021 thoracic: SCLC (8041-8045) and LCNEC (8013) are lung NECs that NET studies drop
    df = classify(
        [
            {"histology": "8041", "behavior": "3", "primary_site": "C349"},
            {"histology": "8013", "behavior": "3", "primary_site": "C341"},
            {"histology": "8013", "behavior": "3", "primary_site": "C250"},  # not lung: stays
            {"histology": "8240", "behavior": "3", "primary_site": "C349"},
        ]
    )
    sel = ns.select(df, exclude=["small-cell lung", "large-cell lung"])
    assert sel.data["primary_site"].tolist() == ["C250", "C349"]
    assert sel.steps["criterion"].tolist()[-2:] == [
        "exclude small-cell lung",
        "exclude large-cell lung",
    ]
    assert sel.steps["removed"].tolist()[-2:] == [1, 1]


@pytest.mark.parametrize(
    ("site", "grade"),
    [
        ("C155", "G2"),  # esophagus
        ("C220", "G2"),  # liver
        ("C221", "G2"),  # intrahepatic bile duct
        ("C239", "G2"),  # gallbladder
        ("C240", "G2"),  # extrahepatic bile duct
        ("C211", "G2"),  # anal canal
        ("C172", "G2"),  # ileum (a NET-schema site, as before)
        ("C739", "unknown"),  # thyroid: not a digestive site
        ("C569", "unknown"),  # ovary
    ],
)
def test_ki67_grades_every_digestive_nen_as_who_2019_digestive_does(site, grade):
    # WHO 2019 digestive (5th ed.): Ki-67 3-20 % = G2 for NENs of every digestive organ
    out = classify([{"histology": "8240", "primary_site": site, "year_dx": 2021, "ki67": 10.0}])
    assert text(out, "grade") == [grade]
    assert text(out, "grade_source") == ["Ki-67" if grade != "unknown" else "unknown"]


@pytest.mark.parametrize(
    ("behavior", "nen_type", "flag", "invalid"),
    [
        ("0", "other NEN", True, None),
        ("1", "other NEN", True, None),
        ("Borderline malignancy", "other NEN", True, None),
        ("2", "NET", False, None),
        ("3", "NET", False, None),
        ("Malignant", "NET", False, None),
        (None, "NET", False, None),  # unknown behaviour: the histology's type is kept
        ("5", "NET", False, "behavior"),  # not an ICD-O-3 behaviour code
    ],
)
def test_behaviour_0_and_1_are_not_malignant_nets(behavior, nen_type, flag, invalid):
    # ICD-O-3 behaviour: /0 benign, /1 uncertain, /2 in situ, /3 malignant
    out = classify([{"histology": "8240", "behavior": behavior, "primary_site": "C181"}])
    assert text(out, "nen_type") == [nen_type]
    assert out["reclassified_behavior"].tolist() == [flag]
    assert text(out, "invalid_codes") == [invalid]


def test_a_nonmalignant_nec_loses_its_subtype_and_is_counted():
    out = classify(
        [
            {"histology": "8041", "behavior": "1", "primary_site": "C349"},
            {"histology": "8041", "behavior": "3", "primary_site": "C349"},
            {"histology": "8140", "behavior": "0", "primary_site": "C349"},  # not NEN: unchanged
        ]
    )
    assert text(out, "nen_type") == ["other NEN", "NEC", "not NEN"]
    assert text(out, "nec_subtype") == [None, "small-cell", None]
    summary = ns.classification_summary(out).set_index("value")["n"]
    assert summary["NEN histology with behaviour 0/1 -> other NEN"] == 1


def test_summary_stage_2018_code_5_is_not_regional():
    # NAACCR #764 Summary Stage 2018 codes: 0, 1, 2, 3, 4, 7, 8, 9 (no 5); SS2000 has 5
    out = ns.classify(
        pd.DataFrame({"stage_system": ["ss2018", "ss2000"], "stage_code": ["5", "5"]})
    )
    assert text(out, "extent") == ["unknown", "regional"]
    assert text(out, "invalid_codes") == ["stage", None]


def test_the_cohort_notes_say_appendix_carcinoid_became_reportable_in_2015():
    # SEER SINQ 20100050: carcinoid NOS of the appendix reportable from 2015
    module = importlib.import_module(ns.select.__module__)
    note = " ".join(str(module.__doc__).split())
    assert "reportable to SEER, as malignant, for cases diagnosed from 2015" in note
    assert "no behaviour filter can recover them" in note
