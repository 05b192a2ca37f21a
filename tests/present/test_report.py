"""report(): one self-contained page with suppression everywhere, checked on built data."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from netsurv.present.report import report  # noqa: E402
from netsurv.present.tables import survival_table  # noqa: E402


def registry_frame(n: int = 3000, seed: int = 11) -> pd.DataFrame:
    """A small canonical frame: ordered extent/grade/differentiation, site groups (one with
    only 10 cases), SEER whole months, dead / cancer_death, and 40 excluded rows."""
    rng = np.random.default_rng(seed)
    cat = pd.Categorical
    extent = cat(
        rng.choice(["localized", "regional", "distant", "unknown"], n, p=[0.45, 0.25, 0.2, 0.1]),
        categories=["in situ", "localized", "regional", "distant", "unknown"],
        ordered=True,
    )
    grade = cat(
        rng.choice(["G1", "G2", "G3", "unknown"], n, p=[0.4, 0.25, 0.15, 0.2]),
        categories=["G1", "G2", "G3", "unknown"],
        ordered=True,
    )
    diff = cat(
        np.where(grade == "G3", "poor", np.where(grade == "unknown", "unknown", "well")),
        categories=["well", "poor", "unknown"],
        ordered=True,
    )
    site = np.array(rng.choice(["small intestine", "pancreas", "lung"], n), dtype=object)
    site[:10] = "thymus"  # a group under the suppression threshold
    rate = np.select(
        [extent == "localized", extent == "regional", extent == "distant"],
        [0.004, 0.01, 0.04],
        0.015,
    )
    death, censor = rng.exponential(1 / rate), rng.uniform(0, 180, n)
    months = np.floor(np.minimum(death, censor))
    dead = death <= censor
    cancer = dead & (rng.uniform(size=n) < 0.7)
    exclusion = pd.array([pd.NA] * n, dtype="string")
    exclusion[10:40] = "death certificate or autopsy only"
    exclusion[40:50] = "survival months unknown"
    return pd.DataFrame(
        {
            "year_dx": rng.integers(2000, 2020, n),
            "age_dx": rng.integers(30, 85, n).astype(float),
            "sex": rng.choice(["male", "female"], n),
            "reporting_source": np.where(np.arange(n) < 40, "7", "1"),
            "survival_months": months,
            "dead": pd.array(dead, dtype="boolean"),
            "cancer_death": pd.array(cancer, dtype="boolean"),
            "exclusion": exclusion,
            "extent": extent,
            "grade": grade,
            "differentiation": diff,
            "site_group": pd.Categorical(site),
        }
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    df = registry_frame()
    out = tmp_path_factory.mktemp("report")
    res = report(df, out, progress=False)
    return df, res, (out / "index.html").read_text(encoding="utf-8")


def test_page_is_self_contained_and_its_figures_sit_beside_it(built) -> None:
    _, res, page = built
    assert "<script" not in page and "<link" not in page
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)
    images = re.findall(r'<img src="([^"]+)"', page)
    assert {"km_extent.png", "km_grade.png", "km_site_group.png", "km_differentiation.png"} <= set(
        images
    )
    for name in images + re.findall(r'<a href="([^"#]+)"', page):
        assert (res.out_dir / name).is_file(), name
    assert '<meta name="viewport"' in page


def test_load_summary_reports_the_exact_exclusion_count(built) -> None:
    _, res, page = built
    # 30 + 10 excluded rows were built in (registry_frame)
    assert res.n_rows == 3000 and res.n_excluded == 40
    assert "Records read: 3,000; usable for survival analysis: " in page
    log = pd.read_csv(res.out_dir / "load_log.csv", dtype=str)
    # the 10 is hidden, on the page and in the CSV, and so is its percentage
    assert log.loc[
        log["item"] == "survival months unknown", ["count", "percent"]
    ].values.tolist() == [["suppressed", "suppressed"]]
    assert "<td>suppressed</td>" in page and "<td>10</td>" not in page


def test_survival_tables_on_the_page_equal_the_library_tables(built) -> None:
    df, res, page = built
    for factor in ("extent", "site_group", "grade", "differentiation"):
        direct = survival_table(df, by=factor).to_frame()
        pd.testing.assert_frame_equal(res.tables[factor].to_frame(), direct)
        csv = pd.read_csv(res.out_dir / f"survival_{factor}.csv", float_precision="round_trip")
        np.testing.assert_array_equal(
            csv["survival_60"].to_numpy(), direct["survival_60"].to_numpy()
        )
        assert res.tables[factor].to_html() in page
    ext = res.tables["extent"].table.set_index("extent")
    assert f"{100 * ext.loc['localized', 'survival_60']:.1f}% (" in page  # the percent style


def test_small_groups_are_suppressed_on_the_page(built) -> None:
    _, res, page = built
    site = res.tables["site_group"].table.set_index("site_group")
    assert site.loc["thymus", "suppressed"] and np.isnan(site.loc["thymus", "survival_12"])
    assert "<td>thymus †</td>\n      <td>suppressed</td>" in page


def test_data_quality_table_has_one_row_per_diagnosis_year(built) -> None:
    df, res, page = built
    q = pd.read_csv(res.out_dir / "quality_by_year.csv", dtype=str).set_index("year of diagnosis")
    years = q.drop(index="all years")
    assert len(years) == 20 and q.loc["all years", "cases"] == "3000"
    # every year has 150 ± 40 cases (3000 over 20 years): shown, with a follow-up
    assert (years["cases"] != "suppressed").all() and (
        years["median follow-up"] != "suppressed"
    ).all()
    assert "<td>all years</td>\n      <td>3,000</td>" in page
    assert "% DCO/autopsy only" in page and "median follow-up" in page


def test_methods_paragraph_names_estimator_ci_censoring_and_versions(built) -> None:
    _, _, page = built
    import netsurv

    methods = page[page.index('id="methods"') :]
    for phrase in (
        "Kaplan–Meier",
        "log(−log)",
        "censored",
        "month 12x − 1",
        f"netsurv {netsurv.__version__}",
        "fewer than 16",
        "complementary suppression",
    ):
        assert phrase in methods, phrase


def test_cox_forest_plot_is_written_with_its_ph_test(built) -> None:
    _, res, page = built
    assert (res.out_dir / "cox_forest.png").is_file()
    hr = pd.read_csv(res.out_dir / "cox_hazard_ratios.csv")
    assert {"hr", "lower", "upper", "ph_p_value"} <= set(hr.columns)
    assert "thymus" not in hr["level"].astype(str).tolist()  # fewer than 16 cases: left out
    assert "Schoenfeld" in page


def test_missing_inputs_degrade_to_a_stated_reason(tmp_path) -> None:
    df = registry_frame(400).drop(columns=["year_dx", "grade"])
    res = report(df, tmp_path, progress=False, by=["extent"])
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Data quality by year of diagnosis: not available — no year_dx column" in page
    assert "Net (relative) survival by extent" in res.unavailable


def test_report_lists_the_page_and_every_file_it_links_to(built) -> None:
    _, res, page = built
    assert res.files[0] == "index.html"
    assert {
        "load_log.csv",
        "quality_by_year.csv",
        "km_extent.png",
        "survival_extent.csv",
        "survival_extent_formatted.csv",
        "cox_forest.png",
    } <= set(res.files)
    assert all((res.out_dir / f).is_file() for f in res.files)


def test_load_log_notes_suppression_only_when_it_hides_a_count(built, tmp_path) -> None:
    _, _, page = built
    note = 'Suppressed: see the methods. <a href="load_log.csv">'
    assert note in page  # 10 'survival months unknown' records: below 16, hidden
    assert "<td>3,000</td>" in page  # the page groups thousands; load_log.csv does not
    plain = report(registry_frame(), tmp_path / "off", progress=False, suppress_below=0)
    assert note not in plain.path.read_text(encoding="utf-8")
    assert '<a href="load_log.csv">' in plain.path.read_text(encoding="utf-8")


def test_wide_survival_tables_scroll_inside_the_page(built) -> None:
    _, _, page = built
    tables = page.count('class="dataframe netsurv-table"')
    assert (
        tables >= 4
        and page.count('<div class="scroll"><table class="dataframe netsurv-table"') == tables
    )
