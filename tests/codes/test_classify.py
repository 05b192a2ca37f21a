"""Tests of netsurv.classify and netsurv.classification_summary.

Every expected classification below is written by hand from the published rules quoted in
issue 4 (ICD-O-3 NEN codes, SEER historic stage A / Summary Stage code lists, NAACCR grade
items, EOD 2018 NET and carcinoma grade tables, WHO 2019 Ki-67 cut-offs), never read from the
package's own CSV tables. The tables are only used to make sure every row is exercised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.codes import code_table
from netsurv.errors import InputError

# ---------------------------------------------------------------- hand-written rule tables
# issue 4 "nen_type": NET / NEC (with subtype) / MiNEN / other NEN
# issue 12: 8157 enteroglucagonoma (ICD-O-3) and 9091 strumal carcinoid (ICD-O-3, WHO 2020
# female genital) are NETs
NET_CODES = [8240, 8241, 8242, 8249, 8150, 8151, 8152, 8153, 8155, 8156, 8157, 8158, 8683, 9091]
NEC_SUBTYPES = {8246: "NOS", 8013: "large-cell", **dict.fromkeys(range(8041, 8046), "small-cell")}
MINEN_CODES = [8154, 8244]
# issue 12: medullary thyroid carcinoma (ICD-O-3 8345-8347; 8510 at C73.9; WHO 2022 endocrine)
OTHER_NEN_CODES = [8245, 8247, 8680, 8681, 8682, 8690, 8691, 8692, 8693, 8700, 8345, 8346, 8347]
OTHER_NEN_CODES += [8510]
# issue 12: 8243 is goblet cell adenocarcinoma in WHO 2019 digestive, not a NEN
NOT_NEN_CODES = [8243]
# rows that apply at one site only; elsewhere the code is a valid morphology but not a NEN
SITE_OF = {"8510": "C739"}
EXPECTED_NEN = {
    **{str(c): ("NET", None) for c in NET_CODES},
    **{str(c): ("NEC", s) for c, s in NEC_SUBTYPES.items()},
    **{str(c): ("MiNEN", None) for c in MINEN_CODES},
    **{str(c): ("other NEN", None) for c in OTHER_NEN_CODES},
    **{str(c): ("not NEN", None) for c in NOT_NEN_CODES},
}
# issue 4 "differentiation ... else from histology": NET well, 8013/8041-8045 poor, MiNEN poor
HIST_DIFFERENTIATION = {
    **{str(c): "well" for c in NET_CODES},
    **{str(c): "poor" for c in [8013, *range(8041, 8046), *MINEN_CODES]},
}
# issue 4 "grade": small- and large-cell NEC are G3 by definition
HIST_G3 = {str(c) for c in [8013, *range(8041, 8046)]}


def expected_site_group(code: str) -> str:
    """Issue 4 site_group rule, written out for a C-code like 'C181'."""
    two = code[:3]
    if two == "C34":
        return "lung"
    if two == "C37":
        return "thymus"
    if two == "C15":
        return "esophagus"
    if two == "C16":
        return "stomach"
    if two == "C17":
        return "small intestine"
    if code == "C181":
        return "appendix"
    if two == "C18" or code == "C260":
        return "colon"
    if two in ("C19", "C20"):
        return "rectum"
    if two == "C25":
        return "pancreas"
    if two in ("C22", "C23", "C24"):
        return "hepatobiliary"
    if code == "C809":
        return "unknown primary"
    return "other"


# SEER historic stage A and Summary Stage 2000/2018 code lists (registry-formats.md §3.3)
EXPECTED_STAGE = {
    **{
        ("historic_a", c): e for c, e in {"0": "in situ", "1": "localized", "2": "regional"}.items()
    },
    ("historic_a", "4"): "distant",
    ("historic_a", "8"): "unknown",
    ("historic_a", "9"): "unknown",
    **{
        (s, c): e
        for s in ("ss2000", "ss2018")
        for c, e in {
            "0": "in situ",
            "1": "localized",
            "2": "regional",
            "3": "regional",
            "4": "regional",
            "5": "regional",
            "7": "distant",
            "8": "unknown",
            "9": "unknown",
        }.items()
        if (s, c) != ("ss2018", "5")  # SS2018 has no code 5 (NAACCR #764; issue 12)
    },
}
# SEER*Stat label texts (historic stage A, Combined Summary Stage, Summary Stage labels)
EXPECTED_STAGE_LABELS = {
    "In situ": "in situ",
    "Localized": "localized",
    "Regional": "regional",
    "Distant": "distant",
    "Unstaged": "unknown",
    "Unknown/unstaged": "unknown",
    "Localized/regional (Prostate cases)": "unknown",
    "Localized only": "localized",
    "Regional by direct extension only": "regional",
    "Regional lymph nodes involved only": "regional",
    "Regional by both direct extension and lymph node involvement": "regional",
    "Regional, NOS": "regional",
    "Distant site(s)/node(s) involved": "distant",
    "Unknown/unstaged/unspecified/DCO": "unknown",
}

# grade codes: (grade recorded by the code, differentiation recorded by the code)
# pre-2018 (NAACCR #440): 1 G1 well, 2 G2 well, 3/4 G3 poor, 5-8 cell lineage, 9 unknown
EXPECTED_PRE2018 = {
    "1": ("G1", "well"),
    "2": ("G2", "well"),
    "3": ("G3", "poor"),
    "4": ("G3", "poor"),
    **dict.fromkeys(["5", "6", "7", "8", "9", "Unknown"], ("unknown", "unknown")),
    "Well differentiated; Grade I": ("G1", "well"),
    "Moderately differentiated; Grade II": ("G2", "well"),
    "Poorly differentiated; Grade III": ("G3", "poor"),
    "Undifferentiated; anaplastic; Grade IV": ("G3", "poor"),
}
# EOD 2018 NET schema tables: 1/2/3 G1/G2/G3 (all well differentiated), A/B well, C/D poor
EXPECTED_NET2018 = {
    "1": ("G1", "well"),
    "2": ("G2", "well"),
    "3": ("G3", "well"),
    "A": ("unknown", "well"),
    "B": ("unknown", "well"),
    "C": ("unknown", "poor"),
    "D": ("unknown", "poor"),
    "9": ("unknown", "unknown"),
    "Unknown": ("unknown", "unknown"),
    "Site-specific grade system category (1)": ("G1", "well"),
    "Site-specific grade system category (2)": ("G2", "well"),
    "Site-specific grade system category (3)": ("G3", "well"),
    "Well differentiated": ("unknown", "well"),
    "Moderately differentiated": ("unknown", "well"),
    "Poorly differentiated": ("unknown", "poor"),
    "Undifferentiated and anaplastic": ("unknown", "poor"),
}
# carcinoma tables: differentiation only (1, 2 well; 3, 4 poor; generic A/B well, C/D poor)
EXPECTED_CARCINOMA2018 = {
    **dict.fromkeys(["1", "2", "A", "B"], ("unknown", "well")),
    **dict.fromkeys(["3", "4", "C", "D"], ("unknown", "poor")),
    **dict.fromkeys(["5", "8", "9", "E", "H", "L", "M", "S"], ("unknown", "unknown")),
    **dict.fromkeys(["Unknown", "High grade", "Low grade"], ("unknown", "unknown")),
    "Site-specific grade system category (1)": ("unknown", "well"),
    "Site-specific grade system category (2)": ("unknown", "well"),
    "Site-specific grade system category (3)": ("unknown", "poor"),
    "Site-specific grade system category (4)": ("unknown", "poor"),
    "Well differentiated": ("unknown", "well"),
    "Moderately differentiated": ("unknown", "well"),
    "Poorly differentiated": ("unknown", "poor"),
    "Undifferentiated and anaplastic": ("unknown", "poor"),
}
# Ki-67 SSDI range codes (NAACCR #3863): .4 <3% G1, .5 3-20% G2, .6 >20% G3, .7-.9 no value
EXPECTED_KI67_CODES = {
    "XXX.4": "G1",
    "XXX.5": "G2",
    "XXX.6": "G3",
    "XXX.7": "unknown",
    "XXX.8": "unknown",
    "XXX.9": "unknown",
}


def classify_rows(rows: list[dict], **options: object) -> pd.DataFrame:
    return ns.classify(pd.DataFrame(rows), **options)  # type: ignore[arg-type]


def summary_n(out: pd.DataFrame, kind: str, column: str, value: str) -> int:
    s = ns.classification_summary(out)
    hit = s[(s["kind"] == kind) & (s["column"] == column) & (s["value"] == value)]
    assert len(hit) == 1
    return int(hit["n"].iloc[0])


def as_text(out: pd.DataFrame, column: str) -> list[str | None]:
    return [None if pd.isna(v) else str(v) for v in out[column]]


# ---------------------------------------------------------------- every code-table row
def test_histology_table_holds_exactly_the_nen_codes_of_the_rules():
    assert set(code_table("histology")["histology"]) == set(EXPECTED_NEN)


def test_every_histology_row_gives_its_nen_type_subtype_differentiation_and_grade():
    codes = sorted(EXPECTED_NEN)
    out = classify_rows([{"histology": c, "primary_site": SITE_OF.get(c, "C509")} for c in codes])
    assert as_text(out, "nen_type") == [EXPECTED_NEN[c][0] for c in codes]
    assert as_text(out, "nec_subtype") == [EXPECTED_NEN[c][1] for c in codes]
    assert as_text(out, "differentiation") == [
        HIST_DIFFERENTIATION.get(c, "unknown") for c in codes
    ]
    assert as_text(out, "grade") == ["G3" if c in HIST_G3 else "unknown" for c in codes]
    assert not out["reclassified_8246"].any()


def test_every_topography_row_gives_the_site_group_of_the_rule():
    sites = code_table("sites")["site"].tolist()
    out = classify_rows([{"primary_site": s} for s in sites])
    assert as_text(out, "site_group") == [expected_site_group(s) for s in sites]
    assert out["invalid_codes"].isna().all()


@pytest.mark.parametrize(
    ("raw", "group", "detail"),
    [
        ("C250", "pancreas", "pancreatic head"),
        ("C25.0", "pancreas", "pancreatic head"),
        ("c25.0", "pancreas", "pancreatic head"),
        ("250", "pancreas", "pancreatic head"),
        (" C25.1 ", "pancreas", "pancreatic body"),
        ("C25.2-Tail of pancreas", "pancreas", "pancreatic tail"),
        ("C170", "small intestine", "duodenum"),
        ("c17.1", "small intestine", "jejunum"),
        ("172", "small intestine", "ileum"),
        ("C18.0", "colon", "cecum"),
        ("c18.1", "appendix", "appendix"),
        ("181", "appendix", "appendix"),
        ("C260", "colon", "intestinal tract, NOS"),
        ("C24.1", "hepatobiliary", "ampulla of Vater"),
        ("C199", "rectum", "rectosigmoid junction"),
        ("C20.9", "rectum", "rectum"),
        ("C37.9", "thymus", "thymus"),
        ("809", "unknown primary", "unknown primary site"),
    ],
)
def test_site_codes_in_any_spelling_give_group_and_detail(raw, group, detail):
    out = classify_rows([{"primary_site": raw}])
    assert (str(out["site_group"][0]), str(out["site_detail"][0])) == (group, detail)


@pytest.mark.parametrize("raw", ["C255", "C350", "C999", "C25", "2500", "pancreas", "X"])
def test_invalid_site_codes_are_unknown_and_flagged(raw):
    # C25.5, C35.0 do not exist in ICD-O-3; C25 lacks the subsite digit
    out = classify_rows([{"primary_site": raw}])
    assert str(out["site_group"][0]) == "unknown"
    assert out["invalid_codes"][0] == "primary_site"


def test_every_stage_row_gives_the_extent_of_the_rule():
    table = code_table("stage")
    coded = table[table["system"] != "label"]
    assert set(zip(coded["system"], coded["code"], strict=True)) == set(EXPECTED_STAGE)
    keys = sorted(EXPECTED_STAGE)
    out = classify_rows([{"stage_system": s, "stage_code": c} for s, c in keys])
    assert as_text(out, "extent") == [EXPECTED_STAGE[k] for k in keys]
    assert as_text(out, "extent_source") == [s for s, _ in keys]


def test_every_stage_label_gives_its_extent_under_any_system():
    labels = code_table("stage").query("system == 'label'")["code"].tolist()
    assert set(labels) == set(EXPECTED_STAGE_LABELS)
    rows = [{"stage_system": "combined", "stage_code": lab} for lab in labels]
    rows += [{"stage_system": "historic_a", "stage_code": lab.upper()} for lab in labels]
    out = classify_rows(rows)
    assert as_text(out, "extent") == [EXPECTED_STAGE_LABELS[lab] for lab in labels] * 2


@pytest.mark.parametrize(
    ("system", "code"),
    [("historic_a", "3"), ("historic_a", "7"), ("ss2000", "6"), ("ss2018", "X"), ("ss2018", "5")],
)
def test_stage_codes_outside_the_code_list_are_unknown_and_flagged(system, code):
    out = classify_rows([{"stage_system": system, "stage_code": code}])
    assert str(out["extent"][0]) == "unknown"
    assert out["invalid_codes"][0] == "stage"


def _grade_context(table: str) -> dict:
    """A row whose grade code is read with ``table`` and whose histology adds nothing."""
    if table == "pre2018":
        return {"histology": "8140", "primary_site": "C509", "year_dx": 2010}
    if table == "net2018":  # NET histology at a NET-schema site; histology says well
        return {"histology": "8240", "primary_site": "C172", "year_dx": 2019}
    return {"histology": "8140", "primary_site": "C509", "year_dx": 2019}  # breast carcinoma


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("pre2018", EXPECTED_PRE2018),
        ("net2018", EXPECTED_NET2018),
        ("carcinoma2018", EXPECTED_CARCINOMA2018),
    ],
)
def test_every_grade_row_gives_the_grade_and_differentiation_of_the_rule(table, expected):
    rows_in_table = code_table("grade").query("table == @table")["code"].tolist()
    assert set(rows_in_table) == set(expected)
    system = "pre2018" if table == "pre2018" else "2018"
    rows = [
        {**_grade_context(table), "grade_system": system, "grade_code": c} for c in rows_in_table
    ]
    out = classify_rows(rows)
    assert as_text(out, "grade") == [expected[c][0] for c in rows_in_table]
    # a NET histology gives 'well' when the code records no differentiation (rule: else histology)
    fallback = "well" if table == "net2018" else "unknown"
    want = [expected[c][1] if expected[c][1] != "unknown" else fallback for c in rows_in_table]
    assert as_text(out, "differentiation") == want
    assert out["invalid_codes"].isna().all()


def test_every_ki67_row_gives_the_who_grade():
    table = code_table("ki67")
    ranges = table.loc[table["code"] != "value", "code"].tolist()
    assert set(ranges) == set(EXPECTED_KI67_CODES)
    # the three value rows: one value inside each interval, pancreas NET with unknown grade
    values = [1.0, 10.0, 50.0]
    base = {"histology": "8240", "primary_site": "C250", "year_dx": 2021}
    rows = [{**base, "ki67_code": c.lower()} for c in ranges] + [
        {**base, "ki67": v} for v in values
    ]
    out = classify_rows(rows)
    assert as_text(out, "grade") == [EXPECTED_KI67_CODES[c] for c in ranges] + ["G1", "G2", "G3"]


def test_exclusion_groups_table_covers_the_named_groups():
    groups = set(code_table("exclusions")["group"])
    assert groups == {
        "small-cell lung",
        "large-cell lung",
        "merkel",
        "paraganglioma",
        "goblet cell",
        "medullary thyroid",
    }


# ---------------------------------------------------------------- tricky cases, by hand
PANCREAS_2019 = {
    "histology": "8246",
    "primary_site": "C250",
    "year_dx": 2019,
    "grade_system": "2018",
}
ILEUM_NET_2019 = {
    "histology": "8240",
    "primary_site": "C172",
    "year_dx": 2019,
    "grade_system": "2018",
}
PRE = {"grade_system": "pre2018", "year_dx": 2010, "primary_site": "C250"}

# (inputs, expected nen_type, grade, differentiation, grade_source) — from the issue 4 rules,
# and the issue 12 grade rules
TRICKY = [
    # 8246 with a pre-2018 well/moderate grade is a NET (moved); poor/undifferentiated stays NEC
    ({**PRE, "histology": "8246", "grade_code": "1"}, "NET", "G1", "well", "code"),
    ({**PRE, "histology": "8246", "grade_code": "2"}, "NET", "G2", "well", "code"),
    ({**PRE, "histology": "8246", "grade_code": "3"}, "NEC", "G3", "poor", "code"),
    ({**PRE, "histology": "8246", "grade_code": "4"}, "NEC", "G3", "poor", "code"),
    ({**PRE, "histology": "8246", "grade_code": "9"}, "NEC", "unknown", "unknown", "unknown"),
    ({**PRE, "histology": "8246"}, "NEC", "unknown", "unknown", "unknown"),
    # 8246 from 2018 reads the carcinoma table: 1/2 -> NET; issue 12: the carcinoma codes 1-4
    # are G1-G4 differentiation as before 2018 (EOD 2018 grade_clinical_73056/_6485), so
    # 1 -> G1, 2 -> G2, 3/4 -> G3 exactly as the pre-2018 codes; the code beats Ki-67
    ({**PANCREAS_2019, "grade_code": "1"}, "NET", "G1", "well", "code"),
    ({**PANCREAS_2019, "grade_code": "2", "ki67": 15.0}, "NET", "G2", "well", "code"),
    ({**PANCREAS_2019, "grade_code": "3"}, "NEC", "G3", "poor", "code"),
    ({**PANCREAS_2019, "grade_code": "9", "ki67": 60.0}, "NEC", "G3", "unknown", "Ki-67"),
    ({**PANCREAS_2019, "grade_code": "4", "ki67_code": "XXX.6"}, "NEC", "G3", "poor", "code"),
    ({**PANCREAS_2019, "grade_code": "9", "ki67_code": "XXX.6"}, "NEC", "G3", "unknown", "Ki-67"),
    # NET schema from 2018: 1/2/3 grade; A-D differentiation only; Ki-67 fills the grade
    ({**ILEUM_NET_2019, "grade_code": "3"}, "NET", "G3", "well", "code"),
    ({**ILEUM_NET_2019, "grade_code": "A"}, "NET", "unknown", "well", "unknown"),
    ({**ILEUM_NET_2019, "grade_code": "B", "ki67": 3.0}, "NET", "G2", "well", "Ki-67"),
    ({**ILEUM_NET_2019, "grade_code": "C"}, "NET", "unknown", "poor", "unknown"),
    ({**ILEUM_NET_2019, "grade_code": "D", "ki67": 21.0}, "NET", "G3", "poor", "Ki-67"),
    ({**ILEUM_NET_2019, "grade_code": "a"}, "NET", "unknown", "well", "unknown"),
    # NET G3 (well differentiated) versus NEC (poorly differentiated), both G3
    (
        {**ILEUM_NET_2019, "histology": "8249", "grade_code": "3"},
        "NET",
        "G3",
        "well",
        "code",
    ),
    (
        {**ILEUM_NET_2019, "histology": "8041", "grade_code": "9"},
        "NEC",
        "G3",
        "poor",
        "histology",
    ),
    (
        {**ILEUM_NET_2019, "histology": "8013"},
        "NEC",
        "G3",
        "poor",
        "histology",
    ),
    # lung and thymus: WHO 2021 thoracic tumours grade carcinoids by histology, typical
    # (8240) low grade = G1, atypical (8249) intermediate grade = G2, whatever the code or Ki-67;
    # the code still gives the differentiation
    (
        {**ILEUM_NET_2019, "primary_site": "C349", "grade_code": "1", "ki67": 25.0},
        "NET",
        "G1",
        "well",
        "histology",
    ),
    (
        {**ILEUM_NET_2019, "primary_site": "C379", "grade_code": "3"},
        "NET",
        "G1",
        "poor",
        "histology",
    ),
    (
        {**ILEUM_NET_2019, "primary_site": "C341", "histology": "8249", "grade_code": "9"},
        "NET",
        "G2",
        "well",
        "histology",
    ),
    ({**PRE, "primary_site": "C349", "histology": "8249"}, "NET", "G2", "well", "histology"),
    # other NENs of the lung keep the code: 8246 moved to NET by its 2018 carcinoma code 2
    ({**PANCREAS_2019, "primary_site": "C349", "grade_code": "2"}, "NET", "G2", "well", "code"),
    # a NET histology at a non-NET-schema digestive site (esophagus) reads the carcinoma table,
    # whose code 2 is G2 as before 2018 (issue 12)
    ({**ILEUM_NET_2019, "primary_site": "C155", "grade_code": "2"}, "NET", "G2", "well", "code"),
    # a carcinoma-table code at a site outside the issue 12 list (breast) is differentiation only
    (
        {**ILEUM_NET_2019, "primary_site": "C504", "grade_code": "2"},
        "NET",
        "unknown",
        "well",
        "unknown",
    ),
    # the ampulla of Vater is in the small-intestine NET schema and is gastro-entero-pancreatic
    (
        {**ILEUM_NET_2019, "primary_site": "C241", "grade_code": "2"},
        "NET",
        "G2",
        "well",
        "code",
    ),
    ({**ILEUM_NET_2019, "primary_site": "C241", "ki67": 2.0}, "NET", "G1", "well", "Ki-67"),
    # NET histology with pre-2018 grade 3-4: stays NET, poorly differentiated, G3 (a conflict)
    ({**PRE, "histology": "8240", "grade_code": "3"}, "NET", "G3", "poor", "code"),
    (
        {**PRE, "histology": "8240", "grade_code": "Undifferentiated; anaplastic; Grade IV"},
        "NET",
        "G3",
        "poor",
        "code",
    ),
    # pre-2018 grade applies at any site but the thoracic ones (histology: typical = G1);
    # MiNEN is poorly differentiated by histology
    (
        {**PRE, "primary_site": "C349", "histology": "8240", "grade_code": "2"},
        "NET",
        "G1",
        "well",
        "histology",
    ),
    (
        {**PRE, "primary_site": "C172", "histology": "8240", "grade_code": "2"},
        "NET",
        "G2",
        "well",
        "code",
    ),
    ({**PRE, "histology": "8154"}, "MiNEN", "unknown", "poor", "unknown"),
    (
        {**PRE, "histology": "8244", "grade_code": "Well differentiated; Grade I"},
        "MiNEN",
        "G1",
        "well",
        "code",
    ),
    (
        {**PRE, "histology": "8247", "primary_site": "C449"},
        "other NEN",
        "unknown",
        "unknown",
        "unknown",
    ),
    ({**PRE, "histology": "8140", "grade_code": "9"}, "not NEN", "unknown", "unknown", "unknown"),
]


@pytest.mark.parametrize(("row", "nen", "grade", "diff", "source"), TRICKY)
def test_tricky_combinations_follow_the_published_rules(row, nen, grade, diff, source):
    out = classify_rows([row])
    got = [str(out[c][0]) for c in ("nen_type", "grade", "differentiation", "grade_source")]
    assert got == [nen, grade, diff, source]


def test_8246_reclassification_is_flagged_and_can_be_turned_off():
    rows = [{**PRE, "histology": "8246", "grade_code": c} for c in ("1", "2", "3")]
    moved = classify_rows(rows)
    assert moved["reclassified_8246"].tolist() == [True, True, False]
    assert as_text(moved, "nec_subtype") == [None, None, "NOS"]
    kept = classify_rows(rows, nec_8246_by_grade=False)
    assert as_text(kept, "nen_type") == ["NEC", "NEC", "NEC"]
    assert as_text(kept, "nec_subtype") == ["NOS", "NOS", "NOS"]
    # the option changes nen_type only: the grade code still records G1/G2/G3
    assert as_text(kept, "grade") == ["G1", "G2", "G3"]
    assert not kept["reclassified_8246"].any()
    assert summary_n(moved, "reclassified", "nen_type", "8246 with well/moderate grade -> NET") == 2


@pytest.mark.parametrize(
    ("ki67", "grade"),
    [
        (0.0, "G1"),
        (2.9, "G1"),
        (2.999999, "G1"),
        (3.0, "G2"),  # WHO 2019: G2 is 3-20 %, both ends included
        (3.0000001, "G2"),
        (19.99, "G2"),
        (20.0, "G2"),
        (20.000001, "G3"),
        (20.1, "G3"),
        (100.0, "G3"),
    ],
)
def test_ki67_boundaries_three_and_twenty(ki67, grade):
    out = classify_rows([{**ILEUM_NET_2019, "grade_code": "9", "ki67": ki67}])
    assert (str(out["grade"][0]), str(out["grade_source"][0])) == (grade, "Ki-67")


@pytest.mark.parametrize(
    ("ki67", "code", "grade", "invalid"),
    [
        (None, "3", "G2", None),  # exact value written in the SSDI field
        (None, "20.0", "G2", None),
        (None, "20.1", "G3", None),
        (None, "xxx.5", "G2", None),
        (None, "XXX.9", "unknown", None),
        (25.0, "XXX.4", "G3", None),  # the exact value beats the range code
        (None, "abc", "unknown", "ki67"),
        (100.5, None, "unknown", "ki67"),
        (-1.0, None, "unknown", "ki67"),
        (None, "150", "unknown", "ki67"),
    ],
)
def test_ki67_codes_and_values(ki67, code, grade, invalid):
    out = classify_rows([{**ILEUM_NET_2019, "grade_code": "9", "ki67": ki67, "ki67_code": code}])
    assert str(out["grade"][0]) == grade
    assert (None if pd.isna(out["invalid_codes"][0]) else out["invalid_codes"][0]) == invalid


def test_recorded_grade_wins_over_ki67_and_the_disagreement_is_counted():
    rows = [
        {**ILEUM_NET_2019, "grade_code": "1", "ki67": 25.0},  # G1 recorded, Ki-67 says G3
        {**ILEUM_NET_2019, "grade_code": "2", "ki67": 10.0},  # agree
        {**PRE, "histology": "8240", "grade_code": "1", "ki67_code": "XXX.5"},  # G1 vs G2
        {
            **ILEUM_NET_2019,
            "primary_site": "C349",
            "grade_code": "1",
            "ki67": 25.0,
        },  # lung: graded by histology (WHO 2021 thoracic), Ki-67 plays no part
    ]
    out = classify_rows(rows)
    assert as_text(out, "grade") == ["G1", "G2", "G1", "G1"]
    assert out["ki67_conflict"].tolist() == [True, False, True, False]
    assert summary_n(out, "conflict", "grade", "recorded grade disagrees with Ki-67") == 2


def test_net_histology_with_pre2018_grade_3_or_4_is_a_counted_conflict():
    rows = [
        {**PRE, "histology": "8240", "grade_code": "3"},
        {**PRE, "histology": "8249", "grade_code": "4"},
        {**PRE, "histology": "8240", "grade_code": "2"},
        {**PRE, "histology": "8246", "grade_code": "3"},  # NEC with grade 3 is no conflict
        {**ILEUM_NET_2019, "grade_code": "3"},  # NET schema G3 is a real grade, no conflict
    ]
    out = classify_rows(rows)
    assert out["grade_conflict"].tolist() == [True, True, False, False, False]
    assert as_text(out, "nen_type") == ["NET", "NET", "NET", "NEC", "NET"]
    assert summary_n(out, "conflict", "grade", LABEL_CONFLICT) == 2


LABEL_CONFLICT = "NET histology with grade code 3-4 (pre-2018 or 2018 carcinoma table)"


def test_clinical_and_pathological_grades_combine_by_derived_grade_priority():
    # NAACCR #1975 priority for NETs: 3 > 2 > 1 > D > C > B > A > 9; ties prefer clinical
    base = {k: v for k, v in ILEUM_NET_2019.items() if k != "grade_system"}
    rows = [
        {**base, "grade_clinical": "1", "grade_pathological": "2"},
        {**base, "grade_clinical": "3", "grade_pathological": "A"},
        {**base, "grade_clinical": "A", "grade_pathological": "C"},
        {**base, "grade_clinical": "9", "grade_pathological": None},
        {**base, "grade_clinical": None, "grade_pathological": "2"},
        {**base, "grade_clinical": "1", "grade_pathological": "2", "grade_2018": "3"},
    ]
    out = classify_rows(rows)
    assert as_text(out, "grade") == ["G2", "G3", "unknown", "unknown", "G2", "G3"]
    assert as_text(out, "differentiation") == ["well", "well", "poor", "well", "well", "well"]


def test_the_grade_field_follows_the_diagnosis_year():
    rows = [
        # up to 2017 Grade thru 2017 is read; from 2018 the 2018 grade items
        {
            "histology": "8240",
            "primary_site": "C172",
            "year_dx": 2015,
            "grade_pre2018": "2",
            "grade_clinical": "3",
        },
        {
            "histology": "8240",
            "primary_site": "C172",
            "year_dx": 2018,
            "grade_pre2018": "2",
            "grade_clinical": "3",
        },
        {
            "histology": "8240",
            "primary_site": "C172",
            "year_dx": 2018,
            "grade_pre2018": "Blank(s)",
            "grade_clinical": "1",
        },
        # without a system the era decides how grade_code is read
        {"histology": "8240", "primary_site": "C172", "year_dx": 2012, "grade_code": "3"},
        {"histology": "8240", "primary_site": "C172", "year_dx": 2020, "grade_code": "3"},
    ]
    out = classify_rows(rows)
    assert as_text(out, "grade") == ["G2", "G3", "G1", "G3", "G3"]
    assert as_text(out, "grade_table") == [
        "pre-2018",
        "2018 NET schema",
        "2018 NET schema",
        "pre-2018",
        "2018 NET schema",
    ]
    assert as_text(out, "differentiation") == ["well", "well", "well", "poor", "well"]


def test_unknown_grade_system_is_unknown_and_flagged():
    out = classify_rows(
        [{**PRE, "histology": "8140", "grade_system": "who2010", "grade_code": "1"}]
    )
    assert (str(out["grade"][0]), out["invalid_codes"][0]) == ("unknown", "grade")


def test_the_stage_field_follows_the_diagnosis_year():
    fields = {"stage_historic_a": "1", "stage_combined": "Regional", "stage_ss2018": "7"}
    rows = [
        {"year_dx": 2010, **fields},  # historic stage A to 2015
        {"year_dx": 2010, **fields, "stage_historic_a": None},  # blank: Combined Summary Stage
        {"year_dx": 2010, **fields, "stage_historic_a": "Blank(s)"},
        {"year_dx": 2016, **fields},  # 2016-2017: Combined Summary Stage
        {"year_dx": 2018, **fields},  # 2018+: SS2018
        {"year_dx": 2021, **fields, "stage_ss2018": None},  # SS2018 blank: Combined
        {"year_dx": 2010, "stage_historic_a": "9", "stage_combined": "Distant"},  # 9 is not blank
    ]
    out = classify_rows(rows)
    assert as_text(out, "extent") == [
        "localized",
        "regional",
        "regional",
        "regional",
        "distant",
        "regional",
        "unknown",
    ]
    assert as_text(out, "extent_source") == [
        "historic_a",
        "combined",
        "combined",
        "combined",
        "ss2018",
        "combined",
        "historic_a",
    ]


def test_stage_code_with_stage_system_is_used_when_no_raw_fields_exist():
    rows = [
        {"stage_code": "4", "stage_system": "historic_a"},  # historic A 4 = distant
        {"stage_code": "4", "stage_system": "ss2000"},  # SS2000 4 = regional
        {"stage_code": "4", "stage_system": "SS2018"},
        {"stage_code": "Unknown/unstaged", "stage_system": "combined"},
        {"stage_code": "Distant", "stage_system": None},  # a label needs no system
        {"stage_code": "4", "stage_system": None},  # a number without system is not guessed
        {"stage_code": "Blank(s)", "stage_system": "combined"},
    ]
    out = classify_rows(rows)
    assert as_text(out, "extent") == [
        "distant",
        "regional",
        "regional",
        "unknown",
        "distant",
        "unknown",
        "unknown",
    ]
    assert as_text(out, "extent_source") == [
        "historic_a",
        "ss2000",
        "ss2018",
        "combined",
        "unknown system",
        "unknown system",
        "none",
    ]
    assert as_text(out, "invalid_codes") == [None, None, None, None, None, "stage", None]


# ---------------------------------------------------------------- frame-level behaviour
def test_missing_and_all_na_columns_give_unknown_for_every_row():
    empty = pd.DataFrame({"patient_id": ["1", "2", "3"]})
    all_na = empty.assign(
        primary_site=None, histology=np.nan, grade_code=None, ki67=np.nan, stage_code=None
    )
    for frame in (empty, all_na):
        out = ns.classify(frame)
        for column in ("site_group", "extent", "grade", "differentiation", "nen_type"):
            assert as_text(out, column) == ["unknown"] * 3
        assert summary_n(out, "value", "extent", "unknown") == 3
        assert summary_n(out, "missing", "histology", "missing") == 3
        assert summary_n(out, "missing", "stage", "missing") == 3


def test_invalid_codes_are_counted_per_field():
    rows = [
        {"primary_site": "C999", "histology": "8240", "year_dx": 2010},
        {"primary_site": "C250", "histology": "82x0", "year_dx": 2010},
        {"primary_site": "banana", "histology": "12", "year_dx": "soon"},
        {"primary_site": "C250", "histology": "8240", "year_dx": 2010},
    ]
    out = classify_rows(rows)
    assert as_text(out, "invalid_codes") == [
        "primary_site",
        "histology",
        "primary_site;histology;year_dx",
        None,
    ]
    summary = ns.classification_summary(out).query("kind == 'invalid'").set_index("column")["n"]
    assert summary.to_dict() == {
        "primary_site": 2,
        "histology": 2,
        "grade": 0,
        "ki67": 0,
        "stage": 0,
        "year_dx": 1,
        "behavior": 0,
    }


def test_output_columns_are_ordered_categoricals_with_the_published_levels():
    out = classify_rows([{"histology": "8240"}])
    expected = {
        "extent": ["in situ", "localized", "regional", "distant", "unknown"],
        "grade": ["G1", "G2", "G3", "unknown"],
        "differentiation": ["well", "poor", "unknown"],
        "nen_type": ["NET", "NEC", "MiNEN", "other NEN", "not NEN", "unknown"],
        "nec_subtype": ["small-cell", "large-cell", "NOS"],
        "site_group": [
            "lung",
            "thymus",
            "esophagus",
            "stomach",
            "small intestine",
            "appendix",
            "colon",
            "rectum",
            "pancreas",
            "hepatobiliary",
            "unknown primary",
            "other",
            "unknown",
        ],
    }
    for column, levels in expected.items():
        dtype = out[column].dtype
        assert isinstance(dtype, pd.CategoricalDtype) and dtype.ordered
        assert list(dtype.categories) == levels


def test_input_is_not_modified_rows_and_index_are_kept_and_classify_is_idempotent():
    df = pd.DataFrame(
        {
            "primary_site": ["C25.0", "c181", None, "bad"],
            "histology": ["8246", "8240", "8041", "8240"],
            "grade_code": ["1", "3", None, "A"],
            "grade_system": ["pre2018", "pre2018", None, "2018"],
            "year_dx": pd.array([2010, 2012, None, 2020], dtype="Int64"),
            "stage_code": ["Localized", "4", None, "7"],
            "stage_system": ["combined", "historic_a", None, "ss2018"],
        },
        index=[10, 5, 7, 99],
    )
    before = df.copy(deep=True)
    once = ns.classify(df)
    pd.testing.assert_frame_equal(df, before)
    assert once.index.tolist() == [10, 5, 7, 99]
    assert list(once.columns[: df.shape[1]]) == list(df.columns)
    pd.testing.assert_frame_equal(ns.classify(once), once)
    # re-classifying with another option replaces the derived columns of the copy only
    snapshot = once.copy(deep=True)
    other = ns.classify(once, nec_8246_by_grade=False)
    pd.testing.assert_frame_equal(once, snapshot)
    assert (str(once.loc[10, "nen_type"]), str(other.loc[10, "nen_type"])) == ("NET", "NEC")


def test_classify_rejects_a_non_dataframe():
    with pytest.raises(InputError, match="DataFrame"):
        ns.classify([{"histology": "8240"}])  # type: ignore[arg-type]


def test_summary_requires_a_classified_frame():
    with pytest.raises(InputError, match="classify"):
        ns.classification_summary(pd.DataFrame({"histology": ["8240"]}))


def test_summary_counts_every_category_of_a_small_frame():
    rows = [
        {
            **PRE,
            "histology": "8240",
            "grade_code": "1",
            "stage_system": "historic_a",
            "stage_code": "1",
        },
        {
            **PRE,
            "histology": "8240",
            "grade_code": "2",
            "stage_system": "historic_a",
            "stage_code": "4",
        },
        {
            **PRE,
            "histology": "8041",
            "primary_site": "C349",
            "stage_system": "historic_a",
            "stage_code": "4",
        },
    ]
    summary = ns.classification_summary(classify_rows(rows))
    values = summary.query("kind == 'value'").set_index(["column", "value"])["n"]
    # by hand: two pancreas NETs (G1, G2), one lung small-cell NEC (G3 by definition)
    assert values["site_group"].to_dict()["pancreas"] == 2
    assert values["extent"].to_dict() == {
        "in situ": 0,
        "localized": 1,
        "regional": 0,
        "distant": 2,
        "unknown": 0,
    }
    assert values["grade"].to_dict() == {"G1": 1, "G2": 1, "G3": 1, "unknown": 0}
    assert values["nec_subtype"].to_dict() == {
        "small-cell": 1,
        "large-cell": 0,
        "NOS": 0,
        "NA (not NEC)": 2,
    }
    assert list(summary.columns) == ["column", "value", "n", "kind"]


# ---------------------------------------------------------------- property-based checks
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_TEXT = st.text(alphabet="0123456789.CcXx /-ABab", max_size=6)
_MAYBE = st.none() | st.just("") | st.just("Blank(s)")
_ROW_FIELDS = {
    "primary_site": _MAYBE
    | st.sampled_from(["C250", "C25.0", "c181", "172", "C349", "C379", "C809", "C509"])
    | _TEXT,
    "histology": _MAYBE | st.sampled_from([*EXPECTED_NEN, "8140", "8000"]) | _TEXT,
    "year_dx": st.none() | st.integers(1970, 2025) | st.just("19x5"),
    "grade_code": _MAYBE | st.sampled_from([*EXPECTED_PRE2018, *EXPECTED_CARCINOMA2018]) | _TEXT,
    "grade_system": _MAYBE | st.sampled_from(["pre2018", "2018", "other"]),
    "grade_clinical": _MAYBE | st.sampled_from(["1", "2", "3", "A", "C", "9", "Z"]),
    "ki67": st.none() | st.just(float("nan")) | st.floats(-5, 120),
    "ki67_code": _MAYBE | st.sampled_from([*EXPECTED_KI67_CODES, "12.5", "3", "x"]),
    "stage_code": _MAYBE
    | st.sampled_from([*EXPECTED_STAGE_LABELS, "0", "1", "2", "4", "7", "9"])
    | _TEXT,
    "stage_system": _MAYBE | st.sampled_from(["historic_a", "ss2000", "ss2018", "combined", "x"]),
    "stage_historic_a": _MAYBE | st.sampled_from(["0", "1", "2", "4", "8", "9", "3"]),
}
_ROW = st.fixed_dictionaries(_ROW_FIELDS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(_ROW, min_size=1, max_size=25), drop=st.sets(st.sampled_from(list(_ROW_FIELDS)))
)
def test_random_code_combinations_never_crash_drop_rows_or_leave_the_vocabulary(rows, drop):
    df = pd.DataFrame(rows).drop(columns=list(drop))
    out = ns.classify(df)
    assert len(out) == len(df) and out.index.equals(df.index)
    levels = {
        "extent": {"in situ", "localized", "regional", "distant", "unknown"},
        "grade": {"G1", "G2", "G3", "unknown"},
        "differentiation": {"well", "poor", "unknown"},
        "nen_type": {"NET", "NEC", "MiNEN", "other NEN", "not NEN", "unknown"},
    }
    for column, allowed in levels.items():
        assert out[column].notna().all() and set(out[column].astype(str)) <= allowed
    is_nec = out["nen_type"] == "NEC"
    assert (out["nec_subtype"].notna() == is_nec).all()
    assert ((out["grade"] == "unknown") == (out["grade_source"] == "unknown")).all()
    # each row is classified on its own: classifying rows one by one gives the same frame
    singles = [ns.classify(df.iloc[[i]]) for i in range(len(df))]
    for column in (
        "site_group",
        "site_detail",
        "extent",
        "grade",
        "grade_source",
        "nen_type",
        "invalid_codes",
    ):
        assert out[column].astype(str).tolist() == [str(s[column].iloc[0]) for s in singles]
    pd.testing.assert_frame_equal(ns.classify(out), out)


def test_every_code_table_row_cites_a_source_and_the_readme_documents_each_table():
    from importlib import resources

    from netsurv.codes import TABLE_NAMES

    readme = resources.files("netsurv.codes").joinpath("README.md").read_text(encoding="utf-8")
    for name in TABLE_NAMES:
        table = code_table(name)
        assert len(table) > 0 and (table["source"].str.strip() != "").all(), name
        assert f"## {name}.csv" in readme
    assert "MIT" in readme


def test_code_table_rejects_an_unknown_name():
    with pytest.raises(InputError, match="histology"):
        code_table("morphology")
