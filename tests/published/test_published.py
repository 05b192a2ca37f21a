"""Tests of the published-figures catalog and netsurv.reproduce.

Expected values: the published numbers themselves (published-figures.md), R survival 3.5-3
output on the bundled RADIANT-4 rows (tests/reference/logrank.json and km_median.csv, written by
tests/reference/make_reference.R; netsurv/published/radiant4_reference.R for the Cox HRs).
"""

from __future__ import annotations

import importlib
import json

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.datasets import load_synthetic_registry, simulate_registry
from netsurv.errors import InputError
from netsurv.published import catalog, reproduce, reproduce_summary
from tests.paths import REFERENCE

REFERENCE = REFERENCE
STATUSES = {"verified", "secondary", "unverified", "calibration target"}
# the module (the package attribute `reproduce` is the function of the same name)
reproduce_module = importlib.import_module("netsurv.published.checks")


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    return reproduce().set_index("id")


def test_catalog_rows_are_complete_and_unique() -> None:
    cat = catalog()
    assert cat["id"].is_unique
    assert set(cat["status"]) <= STATUSES
    assert cat[["source", "citation", "url", "quantity", "measure", "stratum"]].ne("").all().all()
    assert cat["value"].notna().all()
    checkable = cat[cat["dataset"].ne("") | cat["cohort"].ne("")]
    assert set(checkable["statistic"]) <= {
        "survival_at",
        "relative_at",
        "median",
        "hazard_ratio",
        "logrank_chisq",
    }
    compared = checkable[checkable["comparison"] == "tolerance"]
    assert (compared["tolerance"] > 0).all()
    has_ci = cat["ci_lower"].notna()
    assert (cat.loc[has_ci, "ci_lower"] <= cat.loc[has_ci, "value"]).all()
    assert (cat.loc[has_ci, "value"] <= cat.loc[has_ci, "ci_upper"]).all()


def test_every_cohort_definition_is_accepted_by_select() -> None:
    df = load_synthetic_registry()
    for row in catalog().itertuples():
        if row.cohort:
            ns.select(df, **json.loads(row.cohort))  # raises InputError if a keyword is wrong


def test_the_90_85_57_rows_are_labelled_calibration_targets_not_seer() -> None:
    cat = catalog().set_index("id")
    for extent, value in (("localized", 0.90), ("regional", 0.85), ("distant", 0.57)):
        row = cat.loc[f"mayo-5y-os-{extent}"]
        assert row["value"] == value
        assert row["status"] == "calibration target"
        assert "calibration target of the synthetic registry" in row["note"]
        assert row["dataset"] == "synthetic_registry"
        # assigned to well-differentiated GEP NETs (published-figures.md §10), said so
        cohort = json.loads(row["cohort"])
        assert cohort["nen_type"] == "NET"
        assert set(cohort["sites"].split(";")) == {
            "stomach",
            "small intestine",
            "appendix",
            "colon",
            "rectum",
            "pancreas",
        }
        assert "Assigned here" in row["cohort_source"]


def test_registry_cohorts_match_their_sources() -> None:
    # issue 12 item 5 / published-figures.md §4a, §2, §10
    cat = catalog().set_index("id")
    registry = cat[cat["cohort"] != ""]
    assert registry["cohort_source"].ne("").all()
    for rid, row in registry.iterrows():
        source = row["cohort_source"]
        assert any(w in source for w in ("abstract", "page", "table", "methods")), rid
    for rid in [i for i in cat.index if i.startswith("man-")]:
        cohort = json.loads(cat.loc[rid, "cohort"])
        assert set(cohort["sites"].split(";")) == {
            "lung",
            "small intestine",
            "rectum",
            "colon",
            "pancreas",
            "stomach",
        }, rid
    for rid in [i for i in cat.index if i.startswith("dasari2017")]:
        assert "NEC" in json.loads(cat.loc[rid, "cohort"])["nen_type"], rid  # high grade kept
    assert (
        not (cat["status"] == "calibration target").any()
        or not (
            cat.loc[cat["status"] == "calibration target", "note"].str.contains("verified\b")
        ).all()
    )  # the published number's own status is in the note, not in `status`


def test_catalog_r_values_equal_the_r_reference_files() -> None:
    cat = catalog().set_index("id")
    logrank = {
        c["case"]: c for c in json.loads((REFERENCE / "logrank.json").read_text())["logrank"]
    }
    for ep in ("pfs", "os"):
        r = logrank[f"radiant4_{ep}_rho0"]["statistic"]  # R: survdiff(Surv(time, event) ~ arm)
        assert cat.loc[f"radiant4-{ep}-logrank-r", "value"] == pytest.approx(r, rel=1e-12)
    medians = pd.read_csv(REFERENCE / "km_median.csv", dtype={"stratum": str})
    pfs = medians[medians["case"] == "radiant4_pfs_log"].set_index("stratum")["median"]
    for arm in ("everolimus", "placebo"):  # R: quantile(survfit(...), 0.5)
        assert cat.loc[f"radiant4-pfs-median-{arm}-r", "value"] == pytest.approx(pfs[arm])


def test_radiant4_medians_hazard_ratios_and_logrank_pass(bundled) -> None:
    radiant = bundled[bundled.index.str.startswith("radiant4") & ~bundled.index.str.endswith("-hr")]
    assert (radiant["status"] == "passed").all(), radiant
    # published 11.0 / 3.9 months; the reconstruction gives 11.30 / 4.01 (R survfit)
    assert bundled.loc["radiant4-pfs-median-everolimus", "computed"] == pytest.approx(11.30)
    assert bundled.loc["radiant4-pfs-median-placebo", "computed"] == pytest.approx(4.01)
    # R coxph(Surv(time, event) ~ arm), placebo reference: 0.5576874153 (radiant4_reference.R)
    assert bundled.loc["radiant4-pfs-hr-r", "computed"] == pytest.approx(0.5576874153, abs=1e-5)


def test_published_stratified_hazard_ratios_are_shown_but_not_compared(bundled) -> None:
    for key, published in (("radiant4-pfs-hr", 0.48), ("radiant4-os-hr", 0.64)):
        row = bundled.loc[key]
        assert row["status"] == "skipped"
        assert row["published"] == published
        assert "not comparable: unstratified reconstruction" in row["note"]
        assert np.isfinite(row["computed"])  # the unstratified value is still shown


def test_calibration_rows_pass_on_the_synthetic_registry(bundled) -> None:
    for extent in ("localized", "regional", "distant"):
        row = bundled.loc[f"mayo-5y-os-{extent}"]
        assert row["status"] == "passed"
        assert "synthetic registry" in row["note"]


def test_rows_without_data_are_skipped_never_passed(bundled) -> None:
    cat = catalog().set_index("id")
    no_data = cat.index[(cat["dataset"] == "")]
    assert (bundled.loc[no_data, "status"] == "skipped").all()
    assert bundled.loc[no_data, "computed"].isna().all()
    summary = reproduce_summary(bundled.reset_index())
    n_pass, n_fail = (bundled["status"] == "passed").sum(), (bundled["status"] == "failed").sum()
    n_skip = (bundled["status"] == "skipped").sum()
    assert summary.startswith(f"checked {n_pass + n_fail} of {len(bundled)} published figures")
    assert f"{n_skip} skipped" in summary


def test_a_wrong_published_value_fails(monkeypatch) -> None:
    wrong = catalog()
    wrong.loc[wrong["id"] == "radiant4-pfs-median-placebo", "value"] = 5.0  # 4.01 is 0.99 away
    monkeypatch.setattr(reproduce_module, "catalog", lambda: wrong)
    res = reproduce(ids=lambda i: i == "radiant4-pfs-median-placebo")
    assert res["status"].tolist() == ["failed"]


def test_a_users_extract_runs_every_registry_cohort() -> None:
    df = simulate_registry(20_000, seed=31)
    res = reproduce(df).set_index("id")
    cat = catalog().set_index("id")
    registry = cat.index[cat["cohort"] != ""]
    ran = res.loc[registry]
    assert (ran["status"] != "skipped").sum() >= len(registry) - 2  # medians may not be reached
    assert ran["note"].str.startswith("your data").all()


def test_data_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(InputError, match="DataFrame or a path"):
        reproduce(data=[1, 2, 3])


def test_a_registry_file_path_is_read_and_checked(tmp_path) -> None:
    ns.write_seerstat(simulate_registry(5_000, seed=32), tmp_path / "export.txt")
    res = reproduce(tmp_path / "export.txt", ids=lambda i: i.startswith("mayo")).set_index("id")
    assert res["note"].str.startswith("your data").all()
    assert res["computed"].notna().all()
