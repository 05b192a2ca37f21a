"""Tests of netsurv.select: each criterion, the named exclusion groups and the step counts.

Expected rows are worked out by hand from the toy frame below and the rules of issue 4
(exclusion groups: small-cell lung 8041-8045 at C34, Merkel 8247, paraganglioma 8680-8682,
8690-8693, 8700, goblet cell 8243; first primary = sequence 00 or 01).
"""

from __future__ import annotations

import pandas as pd
import pytest

import netsurv as ns
from netsurv.codes import code_table
from netsurv.codes.cohort import Selection
from netsurv.errors import InputError

# patient, seq, year, behaviour, histology, site, age, sex
TOY = [
    ("p1", "00", 2005, "3", "8240", "C172", 60.0, "1"),  # ileum NET
    ("p2", "01", 2010, "3", "8041", "C349", 70.0, "2"),  # small-cell lung
    ("p2", "02", 2012, "3", "8240", "C250", 71.0, "2"),  # second primary of p2
    ("p3", "00", 1999, "3", "8240", "C181", 40.0, "1"),  # appendix NET before 2000
    ("p4", "00", 2011, "1", "8240", "C181", 30.0, "2"),  # appendix NET coded /1
    ("p5", "00", 2015, "3", "8247", "C449", 80.0, "1"),  # Merkel cell carcinoma
    ("p6", "00", 2016, "3", "8693", "C481", 50.0, "2"),  # extra-adrenal paraganglioma
    ("p7", "00", 2017, "3", "8683", "C170", 55.0, "1"),  # gangliocytic paraganglioma (NET)
    ("p8", "00", 2018, "3", "8243", "C181", 45.0, "2"),  # goblet cell
    ("p9", "00", 2019, "3", "8041", "C250", 65.0, "1"),  # small-cell NEC of pancreas
    ("p10", "1", 2020, "3", "8246", "C250", 58.0, "1"),  # sequence written without zero
]


def toy() -> pd.DataFrame:
    columns = ["patient_id", "tumor_seq", "year_dx", "behavior", "histology", "primary_site"]
    df = pd.DataFrame(TOY, columns=[*columns, "age_dx", "sex"])
    return ns.classify(df.assign(grade_code="9", grade_system="pre2018"))


def kept(selection: Selection) -> list[str]:
    return (selection.data["patient_id"] + "/" + selection.data["tumor_seq"]).tolist()


def test_defaults_keep_malignant_rows_only():
    sel = ns.select(toy())
    assert "p4/00" not in kept(sel) and len(sel) == 10  # p4 has behaviour 1
    assert sel.steps["criterion"].tolist() == ["input", "behavior in ['3']"]
    assert sel.steps["removed"].tolist() == [0, 1]


def test_behavior_none_keeps_every_row_and_a_tuple_keeps_several_codes():
    assert len(ns.select(toy(), behavior=None)) == 11
    assert len(ns.select(toy(), behavior=("1", "3"))) == 11
    assert len(ns.select(toy(), behavior=1)) == 1


def test_years_are_inclusive_and_accept_text_and_open_ends():
    df = toy()
    # 2005..2015 inclusive: p1 2005, p2 2010, p2 2012, p4 2011 (behaviour 1), p5 2015
    assert len(ns.select(df, years=(2005, 2015), behavior=None)) == 5
    assert len(ns.select(df, years="2005-2015", behavior=None)) == 5
    assert len(ns.select(df, years=(2018, None), behavior=None)) == 3  # 2018, 2019, 2020
    assert len(ns.select(df, years=2016, behavior=None)) == 1


def test_rows_with_unknown_year_are_removed_by_a_year_criterion():
    df = toy()
    df.loc[0, "year_dx"] = None
    sel = ns.select(df, years=(1990, 2030), behavior=None)
    assert "p1/00" not in kept(sel) and sel.steps["removed"].tolist() == [0, 1]


def test_each_exclusion_group_removes_exactly_its_histologies():
    df = toy()
    expected_removed = {
        "small-cell lung": ["p2/01"],  # 8041 at C34 only; 8041 at the pancreas stays
        "merkel": ["p5/00"],
        "paraganglioma": ["p6/00"],  # 8683 gangliocytic paraganglioma is a NET and stays
        "goblet cell": ["p8/00"],
    }
    everyone = kept(ns.select(df, behavior=None))
    for group, removed in expected_removed.items():
        sel = ns.select(df, behavior=None, exclude=[group])
        assert sorted(set(everyone) - set(kept(sel))) == removed, group


def test_every_exclusion_table_row_is_exercised_by_its_histology_range():
    # hand list per issue 4: paraganglioma 8680-8682, 8690-8693, 8700; the others single codes
    by_hand = {
        "small-cell lung": [8041, 8042, 8043, 8044, 8045],
        "merkel": [8247],
        "paraganglioma": [8680, 8681, 8682, 8690, 8691, 8692, 8693, 8700],
        "goblet cell": [8243],
    }
    rules = code_table("exclusions")
    for group, codes in by_hand.items():
        rows = rules[rules["group"] == group]
        covered = {
            c
            for r in rows.itertuples()
            for c in range(int(r.histology_from), int(r.histology_to) + 1)
        }
        assert covered == set(codes), group
        site = "C341" if group == "small-cell lung" else "C509"
        df = ns.classify(
            pd.DataFrame(
                {"histology": [str(c) for c in [*codes, 8683, 8240]], "primary_site": site}
            )
        )
        sel = ns.select(df, behavior=None, exclude=group)
        assert sel.data["histology"].tolist() == ["8683", "8240"], group


def test_exclusions_are_separate_steps_in_the_order_given():
    sel = ns.select(toy(), behavior=None, exclude=("merkel", "small-cell lung", "goblet cell"))
    steps = sel.steps.set_index("criterion")["removed"]
    assert steps.to_dict() == {
        "input": 0,
        "exclude merkel": 1,
        "exclude small-cell lung": 1,
        "exclude goblet cell": 1,
    }


def test_first_primary_keeps_sequence_00_or_01_and_one_row_per_patient():
    df = toy()
    sel = ns.select(df, behavior=None, first_primary=True)
    assert "p2/02" not in kept(sel) and "p2/01" in kept(sel)
    assert "p10/1" in kept(sel)  # "1" is sequence 01 written without its zero
    twice = pd.concat([df.iloc[[0]], df.iloc[[0]].assign(tumor_seq="01")], ignore_index=True)
    one = ns.select(twice, behavior=None, first_primary=True)
    assert len(one) == 1 and one.steps["removed"].tolist() == [0, 1]


def test_classified_criteria_filter_on_the_derived_columns():
    df = toy()
    # NET: p1 8240, p2/02 8240, p3, p7 8683; p10 8246 with grade 9 stays NEC; p4 (8240 with
    # behaviour 1) is other NEN: /1 is not a malignant NET (issue 12) unless asked
    net = ns.select(df, nen_type="NET", behavior=None)
    assert kept(net) == ["p1/00", "p2/02", "p3/00", "p7/00"]
    asked = ns.select(ns.classify(df, nonmalignant_nen=True), nen_type="NET", behavior=None)
    assert kept(asked) == ["p1/00", "p2/02", "p3/00", "p4/00", "p7/00"]
    nec = ns.select(df, nen_type=["NEC"], sites="pancreas")
    assert kept(nec) == ["p9/00", "p10/1"]
    ileum = ns.select(df, sites=["ileum", "appendix"], behavior=None)
    assert kept(ileum) == ["p1/00", "p3/00", "p4/00", "p8/00"]
    small_cell = ns.select(df, grade="G3", differentiation="poor")
    assert kept(small_cell) == ["p2/01", "p9/00"]
    assert len(ns.select(df, extent="unknown")) == 10  # no stage recorded: all unknown


def test_age_and_sex_criteria():
    sel = ns.select(toy(), behavior=None, ages=(50, 65), sex="1")
    # sex 1 and 50 <= age <= 65: p1 60, p7 55, p9 65, p10 58
    assert kept(sel) == ["p1/00", "p7/00", "p9/00", "p10/1"]


def test_steps_count_rows_removed_in_order_and_criteria_reproduce_the_selection():
    df = toy()
    sel = ns.select(
        df,
        nen_type="NET",
        years=(2000, 2020),
        first_primary=True,
        exclude=("small-cell lung", "merkel", "paraganglioma"),
    )
    # by hand: 11 rows; years drops p3 (1999) -> 10; behaviour drops p4 -> 9; NET keeps p1,
    # p2/02, p7 -> 3; exclusions remove none of these; first primary drops p2/02 -> 2
    assert sel.steps["n_after"].tolist() == [11, 10, 9, 3, 3, 3, 3, 2]
    assert sel.steps["removed"].tolist() == [0, 1, 1, 6, 0, 0, 0, 1]
    assert (sel.steps["n_before"] - sel.steps["removed"] == sel.steps["n_after"]).all()
    assert kept(sel) == ["p1/00", "p7/00"]
    again = ns.select(df, **sel.criteria)
    pd.testing.assert_frame_equal(again.data, sel.data)
    assert sel.criteria["exclude"] == ["small-cell lung", "merkel", "paraganglioma"]


def test_criteria_given_as_catalog_text_work_like_lists():
    df = toy()
    as_text = ns.select(df, nen_type="NET; NEC", exclude="merkel, small-cell lung", years="2000-")
    as_lists = ns.select(
        df, nen_type=["NET", "NEC"], exclude=["merkel", "small-cell lung"], years=(2000, None)
    )
    pd.testing.assert_frame_equal(as_text.data, as_lists.data)


def test_selection_unpacks_and_does_not_modify_the_input():
    df = toy()
    before = df.copy(deep=True)
    data, steps = ns.select(df, nen_type="NET")
    pd.testing.assert_frame_equal(df, before)
    # NET with behaviour 3: p1, p2/02, p3, p7 (p4 is NET but behaviour 1)
    assert len(data) == 4 and list(steps.columns) == [
        "step",
        "criterion",
        "n_before",
        "removed",
        "n_after",
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"nen_type": "carcinoid"}, "nen_type"),
        ({"exclude": ["lymphoma"]}, "exclude"),
        ({"sites": ["moon"]}, "sites"),
        ({"years": "recent"}, "years"),
        ({"grade": "G4"}, "grade"),
    ],
)
def test_unknown_values_raise_an_input_error_naming_the_argument(kwargs, message):
    with pytest.raises(InputError, match=message):
        ns.select(toy(), **kwargs)


def test_derived_criteria_on_an_unclassified_frame_say_to_classify_first():
    raw = pd.DataFrame({"histology": ["8240"], "behavior": ["3"]})
    with pytest.raises(InputError, match="classify"):
        ns.select(raw, nen_type="NET")
    with pytest.raises(InputError, match="tumor_seq"):
        ns.select(raw, first_primary=True)


def test_selection_repr_shows_the_steps_not_the_data():
    text = repr(ns.select(toy(), exclude="merkel"))
    # 11 rows, behaviour 3 drops p4, Merkel drops p5: 9 kept
    assert text.startswith("Selection(9 rows kept)") and "exclude merkel" in text
