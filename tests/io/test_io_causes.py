"""SEER cause-specific death classification equals SEER's reference implementation, and SEER's rules.

Expected values come from:

* ``tests/reference/seer/cause/cause_output.csv.gz``: SEER's reference implementation
  (``imsweb/algorithms`` ``CauseSpecificUtils``, BSD-3, commit f8aad8d) run by the harness
  ``CauseReference.java`` on ``cause_input.csv.gz`` (see that folder's README);
* the reference implementation's documented test cases
  (``src/test/resources/causespecific/testCauseSpecific.csv``: inputs, expected codes and the
  rule each case illustrates; a selection, written out here);
* SEER's rule text, https://seer.cancer.gov/causespecific/.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netsurv.io import seer_cause_specific
from tests.paths import REFERENCE

HERE = REFERENCE / "seer" / "cause"


def test_every_reference_record_equals_seers_implementation() -> None:
    read = {"dtype": str, "keep_default_na": False}
    inputs = pd.read_csv(HERE / "cause_input.csv.gz", **read)
    expected = pd.read_csv(HERE / "cause_output.csv.gz", **read)
    assert len(inputs) == len(expected) >= 50_000
    mismatches = 0
    for cutoff, part in inputs.groupby("cutoff_year"):
        got = seer_cause_specific(
            part["sequence"],
            part["icd_revision"],
            part["cause_of_death"].replace("", None),  # the harness passes empty as null
            part["primary_site"],
            part["histology"],
            part["year_last_contact"],
            cutoff_year=int(cutoff),
        )
        want = expected.loc[part.index]
        mismatches += int((got["cause_specific"] != want["cause_specific"]).sum())
        mismatches += int((got["cause_other"] != want["cause_other"]).sum())
    assert mismatches == 0
    # every code and every rule is reached
    assert set(zip(expected["cause_specific"], expected["cause_other"], strict=True)) == {
        ("0", "0"),
        ("0", "1"),
        ("1", "0"),
        ("8", "8"),
        ("9", "9"),
    }


# testCauseSpecific.csv (imsweb/algorithms): sequence, ICD revision, cause, site, histology,
# year of last contact -> cause-specific, cause-other; the comment is the file's
DOCUMENTED = [
    ("", "1", "C798", "C400", "8000", "2012", "9", "9"),  # null sequence number
    ("AA", "1", "C798", "C400", "8000", "2012", "9", "9"),  # invalid sequence number
    ("02", "1", "C798", "C400", "8000", "2012", "1", "0"),  # seq 2-59
    ("66", "", "", "", "", "", "9", "9"),  # not supported sequence number
    ("00", "2", "C798", "C400", "8000", "2012", "0", "1"),  # not supported icd revision
    ("00", "0", "C798", "C400", "8000", "2012", "0", "0"),  # patient is alive
    ("00", "1", "", "C809", "8100", "2012", "8", "8"),  # cod blank
    ("00", "8", "7777", "", "", "", "8", "8"),  # unknown cod
    ("00", "8", "7797", "", "", "", "8", "8"),  # unknown cod
    ("00", "8", "2399", "", "", "2012", "1", "0"),  # icd-8 sequence 00 any cancer (140-239)
    ("00", "8", "2840", "C100", "9740", "2012", "1", "0"),  # icd-8 00 site specific misc.
    ("00", "8", "6152", "C569", "8140", "2012", "1", "0"),  # icd-8 00 site specific ovary
    ("01", "8", "199 ", "C569", "8140", "2012", "1", "0"),  # icd-8 01 unknown primary
    ("01", "8", "2169", "", "8740", "2012", "1", "0"),  # icd-8 sequence 01 melanoma
    ("01", "8", "5933", "C649", "8300", "2012", "1", "0"),  # icd-8 01 kidney and renal pelvis
    ("00", "9", "0422", "", "", "2012", "1", "0"),  # icd-9 00 hiv and malignant (042.2)
    ("00", "9", "0444", "C148", "8900", "2012", "1", "0"),  # icd-9 00 oral cavity and pharynx
    ("01", "9", "232 ", "C809", "8720", "2012", "1", "0"),  # icd-9 sequence 01 melanoma
    ("01", "9", "578 ", "C249", "8220", "2012", "1", "0"),  # icd-9 01 other biliary
    ("00", "1", "D48 ", "", "8989", "2012", "1", "0"),  # icd-10 00 any cancer (C00-D489)
    ("00", "1", "B215", "C111", "8888", "2012", "1", "0"),  # icd-10 00 aids and cancer
    ("00", "1", "K531", "C211", "8960", "2012", "1", "0"),  # icd-10 00 anus site specific
    ("01", "1", "C805", "", "", "2012", "1", "0"),  # icd-10 01 unknown primary (C80)
    ("01", "1", "C978", "C809", "", "2012", "1", "0"),  # icd-10 01 multiple cancer (C97)
    ("01", "1", "C94 ", "", "9963", "2012", "1", "0"),  # icd-10 01 last 4 rows misc.
    ("01", "1", "D619", "C774", "8985", "2012", "1", "0"),  # icd-10 01 misc. other
    ("01", "1", "D220", "C000", "8720", "2012", "1", "0"),  # icd-10 01 melanoma
    ("01", "1", "K510", "C480", "8120", "2012", "1", "0"),  # icd-10 01 retroperitoneum
    ("00", "8", "139 ", "", "", "", "0", "1"),  # icd-8 00 NOT in any cancer (140-239)
    ("01", "8", "2323", "C619", "8720", "", "0", "1"),  # icd-8 01 not site specific melanoma
    ("00", "9", "0420", "C140", "8220", "", "1", "0"),  # icd-9 00 other oral cavity
    ("00", "9", "0420", "C180", "8220", "", "0", "1"),  # icd-9 00 not site specific cecum
    ("01", "1", "D375", "", "8100", "2012", "0", "1"),  # site blank
    ("01", "1", "D375", "C480", "", "2012", "0", "1"),  # histology blank
]


@pytest.mark.parametrize("case", DOCUMENTED)
def test_documented_cases_of_the_reference_implementation(case: tuple[str, ...]) -> None:
    seq, icd, cod, site, hist, year, specific, other = case
    got = seer_cause_specific([seq], [icd], [cod or None], [site], [hist], [year])
    assert got.iloc[0].tolist() == [specific, other]


def test_a_last_contact_after_the_cutoff_year_counts_as_alive() -> None:
    # SEER: "if date of last contact is beyond this year, patient is assumed alive"
    args = (["00"] * 2, ["1"] * 2, ["C169"] * 2, ["C169"] * 2, ["8140"] * 2, ["2012", "2013"])
    got = seer_cause_specific(*args, cutoff_year=2012)
    assert got["cause_specific"].tolist() == ["1", "0"]
    assert got["cause_other"].tolist() == ["0", "0"]


def test_a_first_of_several_primaries_counts_only_its_own_site() -> None:
    # https://seer.cancer.gov/causespecific/: for sequence 01-59 only the causes listed for
    # the tumour's site (and unknown / ill-defined primaries) count; a lung primary (C34)
    # dying of lung cancer is dead of this cancer, dying of breast cancer is not
    got = seer_cause_specific(
        ["01", "01", "00"],
        ["1"] * 3,
        ["C349", "C509", "C509"],
        ["C341"] * 3,
        ["8240"] * 3,
        ["2015"] * 3,
        cutoff_year=2020,
    )
    assert got["cause_specific"].tolist() == ["1", "0", "1"]


_codes = st.sampled_from(["C169", "C509", "I219", "7777", "C80", "1510", "199", "0422", "B21", ""])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["00", "01", "05", "60", "99", ""]),
            st.sampled_from(["0", "1", "8", "9", ""]),
            _codes,
            st.sampled_from(["C169", "C341", "C809", "C421", ""]),
            st.sampled_from(["8140", "8240", "8720", "9960", ""]),
            st.sampled_from(["2010", "2020", ""]),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_records_are_classified_independently_and_codes_pair_as_seer_pairs_them(rows) -> None:
    cols = [list(c) for c in zip(*rows, strict=True)]
    got = seer_cause_specific(*cols, cutoff_year=2015)
    one = [seer_cause_specific(*[[v] for v in r], cutoff_year=2015).iloc[0].tolist() for r in rows]
    assert got.to_numpy().tolist() == one
    pairs = set(map(tuple, got.to_numpy().tolist()))
    assert pairs <= {("0", "0"), ("0", "1"), ("1", "0"), ("8", "8"), ("9", "9")}
    assert np.array_equal(got.index, np.arange(len(rows)))
