"""infer_grade_schema works on distinct values; it must equal the row-by-row definition.

Reference: the definition written out per row (its docstring): breast ("00480") when the site,
upper-cased without dots, is C500-C509 and the first four characters of the histology are a
number in 8000-8799; "00830" when that number is in 9590-9993; else None (also for NA).
"""

from __future__ import annotations

import re

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from netsurv.codes.summary_grade import infer_grade_schema

SITES = ["C504", "c50.9", "C500", "C509", "C510", "C250", "C50", "C5012", "", None, "C779"]
HISTS = ["8500", "8240", "9680", "9590", "9993", "9994", "8799", "8800", "8000", "85003", "x", None]


def _row(site: object, hist: object) -> str | None:
    s = None if site is None else str(site).upper().replace(".", "")
    h = None if hist is None else str(hist)[:4]
    morph = float(h) if h is not None and re.fullmatch(r"\s*[+-]?\d+(\.\d*)?\s*", h) else None
    if morph is not None and 9590 <= morph <= 9993:
        return "00830"
    if s is not None and re.match(r"^C50\d$", s) and morph is not None and 8000 <= morph <= 8799:
        return "00480"
    return None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SITES), st.sampled_from(HISTS)), max_size=40))
def test_equals_the_row_by_row_definition(pairs: list[tuple[object, object]]) -> None:
    sites = pd.Series([p[0] for p in pairs], dtype=object)
    hists = pd.Series([p[1] for p in pairs], dtype=object)
    got = infer_grade_schema(sites, hists).tolist()
    assert got == [_row(s, h) for s, h in pairs]


def test_categorical_and_string_columns() -> None:
    sites = pd.Series(["C504", "C250", None], dtype="category")
    hists = pd.Series(["8500", "9680", "8500"], dtype="string")
    assert infer_grade_schema(sites, hists).tolist() == ["00480", "00830", None]
