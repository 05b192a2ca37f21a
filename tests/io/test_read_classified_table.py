"""A table that already carries a classification keeps it when read (and classified) again."""

from __future__ import annotations

import pandas as pd

import netsurv as ns


def test_given_extent_and_grade_are_kept_not_recomputed_as_unknown(tmp_path):
    path = tmp_path / "classified.csv"
    path.write_text(
        "survival_months,dead,extent,grade\n10,1,Localized,G1\n20,0,distant,G3\n5,1,regional,unknown\n"
    )
    df = ns.read(path)
    # no raw stage/grade codes in the file: classify() alone would say "unknown" everywhere
    assert df["extent"].astype(str).tolist() == ["localized", "distant", "regional"]
    assert df["grade"].astype(str).tolist() == ["G1", "G3", "unknown"]
    # netsurv's ordered categories, so estimates come out localized -> regional -> distant
    assert df["extent"].cat.ordered
    med = ns.kaplan_meier(df, by="extent").median()
    assert med["extent"].astype(str).tolist() == ["localized", "regional", "distant"]


def test_values_outside_the_vocabulary_stay_as_given(tmp_path):
    path = tmp_path / "own.csv"
    pd.DataFrame(
        {"survival_months": [1, 2], "dead": [1, 0], "extent": ["stage I", "stage IV"]}
    ).to_csv(path, index=False)
    assert ns.read(path)["extent"].tolist() == ["stage I", "stage IV"]
