"""Catalog rows checked on trials rebuilt from digitised curves (netsurv/published/digitised.py)."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

import netsurv.published.checks as checks
import netsurv.published.digitised as digitised
from netsurv.errors import InputError
from netsurv.published import catalog, reproduce
from tests.paths import REFERENCE


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return reproduce(ids=lambda i: "-digitised-" in i).set_index("id")


def test_radiant4_medians_from_the_digitised_curves_pass(rows: pd.DataFrame) -> None:
    medians = rows[rows.index.str.contains("median")]
    assert len(medians) == 2 and (medians["status"] == "passed").all(), medians
    # published (Yao 2016 abstract) 11.0 and 3.9 months; tolerances 0.5 and 0.8 (catalog notes)
    assert medians["published"].tolist() == [11.0, 3.9]


def test_stratified_hazard_ratios_are_computed_but_not_compared(rows: pd.DataFrame) -> None:
    hrs = rows[rows.index.str.endswith("-hr")]
    assert len(hrs) == 2 and (hrs["status"] == "skipped").all()
    assert hrs["note"].str.contains("not comparable: unstratified reconstruction").all()
    # the rebuilt unstratified HRs lie near the bundled reconstruction's (R coxph: 0.558 PFS,
    # 0.656 OS; published-figures.md section 7a): a rebuilt trial differs by a few events
    computed = hrs["computed"].to_numpy()
    np.testing.assert_allclose(computed, [0.558, 0.656], atol=0.03)


def test_rebuilt_arms_equal_guyots_algorithm_run_in_r() -> None:
    # R: kmdata's ipd_() with Guyot's limits on the same bundled files (make_reference_ipd.R)
    ref = pd.read_csv(REFERENCE / "ipd_reference.csv", float_precision="round_trip")
    for endpoint in ("pfs", "os"):
        ours = digitised.load_digitised(f"digitised:radiant4_{endpoint}")
        for arm in ("everolimus", "placebo"):
            case = ref[(ref["case"] == f"radiant4_{endpoint}_{arm}") & (ref["run"] == "guyot")]
            mine = ours[ours["arm"] == arm].sort_values(["time", "event"])
            expected = case.sort_values(["time", "event"])
            np.testing.assert_allclose(mine["time"], expected["time"], rtol=1e-14)
            np.testing.assert_array_equal(mine["event"], expected["event"])


def test_a_landmark_row_is_checked_on_the_rebuilt_trial(monkeypatch) -> None:
    # 12-month PFS of the bundled reconstruction, R survfit: 44.9% everolimus, 27.8% placebo
    # (published-figures.md section 7a); digitising and rebuilding moves landmarks by ~0.01
    # (benchmark: 90th percentile of |dS| at the axis ticks), so tolerance 0.02
    base = catalog()
    row = base[base["id"] == "radiant4-pfs-digitised-median-placebo"].iloc[0].copy()
    extra = []
    for arm, value in (("everolimus", 0.449), ("placebo", 0.278)):
        landmark = row.copy()
        landmark[["id", "statistic", "time", "stratum", "value", "tolerance"]] = [
            f"landmark-{arm}",
            "survival_at",
            12.0,
            arm,
            value,
            0.02,
        ]
        extra.append(landmark)
    monkeypatch.setattr(checks, "catalog", lambda: pd.DataFrame(extra))
    res = checks.reproduce()
    assert res["status"].tolist() == ["passed", "passed"], res


def test_a_wrong_published_median_fails(monkeypatch) -> None:
    wrong = catalog()
    wrong.loc[wrong["id"] == "radiant4-pfs-digitised-median-placebo", "value"] = 5.5
    monkeypatch.setattr(checks, "catalog", lambda: wrong)
    res = checks.reproduce(ids=lambda i: i == "radiant4-pfs-digitised-median-placebo")
    assert res["status"].tolist() == ["failed"]  # rebuilt 4.58 is 0.92 away, tolerance 0.8


def test_unknown_digitised_dataset_and_arm_mismatch_raise() -> None:
    with pytest.raises(InputError, match="no bundled digitised curve"):
        digitised.load_digitised("digitised:netter1_pfs")
    curve = pd.DataFrame({"arm": ["a"], "time": [1.0], "survival": [0.9]})
    risk = pd.DataFrame({"arm": ["b"], "time": [0.0], "n_at_risk": [10]})
    with pytest.raises(InputError, match="only one of"):
        digitised.rebuild_arms(curve, risk)


def test_every_digitised_catalog_dataset_has_both_files_documented() -> None:
    readme = (REFERENCE.parents[1] / "netsurv" / "datasets" / "data" / "README.md").read_text()
    names = {d for d in catalog()["dataset"] if d.startswith(digitised.PREFIX)}
    assert names == {"digitised:radiant4_pfs", "digitised:radiant4_os"}
    for name in names:
        for suffix in ("curve", "at_risk"):
            assert f"{name.removeprefix(digitised.PREFIX)}_{suffix}.csv" in readme


def test_docstring_examples_run() -> None:
    failures, tried = doctest.testmod(digitised, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 0 and failures == 0
