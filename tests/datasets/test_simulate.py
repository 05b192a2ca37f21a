"""Tests of the synthetic registry simulator (netsurv.datasets.simulate_registry, true_survival).

Expected values come from the model's definition (docstring of netsurv/datasets/simulate.py),
SEER's rules (survival months = floor(days / (365.24 / 12)); registry-formats.md §4) and hand
calculation from the US life table CSV. The calibration targets (published figures, each in its
own subgroup) are tested in test_simulator_calibration.py.
"""

from __future__ import annotations

import gzip
import importlib.resources

import numpy as np
import pandas as pd
import pytest

import netsurv as ns
from netsurv.datasets import simulate_registry, true_survival
from netsurv.errors import InputError
from netsurv.io.canonical import CANONICAL_COLUMNS, finalize

N = 100_000


@pytest.fixture(scope="module")
def seeds() -> dict[int, pd.DataFrame]:
    """Three registries of 100,000 tumours (seeds never used for calibration, 20221231)."""
    return {s: simulate_registry(N, seed=s, truth=True) for s in (11, 12, 13)}


def five_year(df: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """KM survival through month 59 (SEER's 5-year survival in whole months)."""
    return ns.kaplan_meier(df, by=by).at([59])


def test_same_seed_gives_the_same_frame() -> None:
    a = simulate_registry(5_000, seed=42, truth=True, classify=False)
    b = simulate_registry(5_000, seed=42, truth=True, classify=False)
    pd.testing.assert_frame_equal(a, b)


def test_different_seeds_give_different_frames() -> None:
    a = simulate_registry(2_000, seed=1, classify=False)
    b = simulate_registry(2_000, seed=2, classify=False)
    assert not a["survival_months"].equals(b["survival_months"])


def test_frame_has_n_rows_and_the_canonical_dtypes() -> None:
    df = simulate_registry(3_000, seed=3, classify=False)
    assert len(df) == 3_000
    for column, dtype in CANONICAL_COLUMNS.items():
        assert str(df[column].dtype) == dtype, column
    assert not any(c.startswith("sim_") for c in df)  # truth columns only on request


def test_exclusions_agree_with_the_canonical_rules() -> None:
    # netsurv.io.canonical.finalize recomputes every exclusion from the raw columns
    df = simulate_registry(20_000, seed=4, classify=False)
    recomputed = finalize(df.drop(columns="exclusion"))["exclusion"]
    pd.testing.assert_series_equal(recomputed, df["exclusion"], check_names=False)
    reasons = set(df["exclusion"].dropna())
    assert reasons == {
        "death certificate or autopsy only",
        "survival months unknown",
        "alive with no survival time",
    }


def test_survival_months_are_whole_seer_months_of_the_dates() -> None:
    df = simulate_registry(20_000, seed=5, classify=False)
    ok = df[df["exclusion"].isna()]
    days = (ok["date_last_contact"] - ok["date_dx"]).dt.days
    np.testing.assert_array_equal(ok["survival_months"], np.floor(days / (365.24 / 12)))
    assert ok["survival_flag"].eq(np.where(days > 0, "1", "0")).all()


def test_follow_up_ends_at_the_study_cutoff() -> None:
    df = simulate_registry(20_000, seed=6, classify=False)
    assert df["date_last_contact"].max() <= pd.Timestamp("2022-12-31")
    assert df["date_dx"].between("2000-01-01", "2021-12-31").all()
    # alive rows diagnosed long ago and not lost are censored exactly at the cutoff
    assert (df.loc[df["dead"].eq(False), "date_last_contact"] == "2022-12-31").mean() > 0.8


def test_stage_fields_follow_the_coding_eras() -> None:
    df = simulate_registry(20_000, seed=7, classify=False)
    year = df["year_dx"]
    assert df.loc[year <= 2015, "stage_historic_a"].isin(["1", "2", "4", "9"]).all()
    assert df.loc[year > 2015, "stage_historic_a"].isna().all()
    assert df.loc[year.between(2004, 2017), "stage_combined"].notna().all()
    assert df.loc[(year < 2004) | (year > 2017), "stage_combined"].isna().all()
    assert df.loc[year >= 2018, "stage_ss2018"].isin(["1", "2", "3", "4", "7", "9"]).all()
    assert df.loc[year < 2018, "stage_ss2018"].isna().all()
    system = np.select([year <= 2015, year <= 2017], ["historic_a", "combined"], "ss2018")
    assert (df["stage_system"] == system).all()
    mid = year.between(2016, 2017)
    assert (df.loc[mid, "stage_code"] == df.loc[mid, "stage_combined"]).all()


def test_grade_and_ki67_follow_the_coding_eras() -> None:
    df = simulate_registry(30_000, seed=8, classify=False)
    year = df["year_dx"]
    old = year <= 2017
    assert (df["grade_system"] == np.where(old, "pre2018", "2018")).all()
    assert set(df.loc[old, "grade_code"]) == {"1", "2", "3", "4", "9"}
    # 2018+: NET table (1-3, A/B) for NETs of NET-schema sites, carcinoma table (1-4) otherwise
    assert set(df.loc[~old, "grade_code"]) == {"1", "2", "3", "4", "A", "B", "9"}
    net_schema = df["primary_site"].str.match(r"C1[6-9]|C20|C241|C25") & ~df["histology"].isin(
        ["8246", "8041", "8013"]
    )
    assert not df.loc[~old & net_schema, "grade_code"].eq("4").any()
    assert not df.loc[~old & ~net_schema, "grade_code"].isin(["A", "B"]).any()
    assert df.loc[year < 2021, ["ki67", "ki67_code"]].isna().all().all()
    recent = df.loc[year >= 2021, "ki67_code"].dropna()
    assert recent.str.fullmatch(r"\d{1,3}\.\d|XXX\.[4569]").all()
    exact = df["ki67"].notna()
    np.testing.assert_array_equal(df.loc[exact, "ki67"], df.loc[exact, "ki67_code"].astype(float))


def test_second_primaries_share_their_patients_follow_up() -> None:
    df = simulate_registry(20_000, seed=9, classify=False)
    multi = df[df["tumor_seq"] != "00"]
    assert set(df["tumor_seq"]) == {"00", "01", "02"}
    pairs = multi.groupby("patient_id")
    assert (pairs["tumor_seq"].agg(tuple) == ("01", "02")).all()
    assert (pairs["date_last_contact"].nunique() == 1).all()
    assert (pairs["dead"].nunique() == 1).all()
    assert (pairs["sex"].nunique() == 1).all()
    first, second = multi[multi["tumor_seq"] == "01"], multi[multi["tumor_seq"] == "02"]
    assert (second["date_dx"].to_numpy() > first["date_dx"].to_numpy()).all()


def test_some_causes_of_death_are_unknown_and_alive_rows_are_not_cancer_deaths() -> None:
    df = simulate_registry(20_000, seed=10, classify=False)
    dead = df["dead"].eq(True)
    assert 0.01 < df.loc[dead, "cancer_death"].isna().mean() < 0.06  # model: 3% unknown
    assert df.loc[df["dead"].eq(False), "cancer_death"].eq(False).all()


def test_bad_arguments_raise_input_error() -> None:
    for bad in (0, -5, 2.5, "100", True):
        with pytest.raises(InputError, match="n must be a positive integer"):
            simulate_registry(bad, seed=1)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="seed"):
        simulate_registry(10, seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="truth=True"):
        true_survival(simulate_registry(10, seed=1, classify=False))


def test_true_survival_of_one_person_equals_the_life_table_by_hand() -> None:
    # One man, exact age 60.5, diagnosed 2010-01-01, cancer hazard 0.1/year (Weibull shape 1).
    # Background: follow-up year 0 uses age floor(60.5 + 0.5) = 61 and calendar year
    # floor(2010.0014 + 0.5) = 2010; year 1 uses age 62 and 2011 (model rule, _background.py).
    path = importlib.resources.files("netsurv") / "ratetables/data/us_by_age_sex_year.csv.gz"
    with gzip.open(str(path), "rt") as f:
        table = pd.read_csv(f).set_index(["sex", "age", "year"])["daily_hazard"]
    h61, h62 = table[("male", 61, 2010)], table[("male", 62, 2011)]
    row = pd.DataFrame(
        {
            "sex": ["male"],
            "date_dx": [pd.Timestamp("2010-01-01")],
            "sim_offset_days": [0.0],
            "sim_age0": [60.5],
            "sim_rate": [0.1],
            "sim_shape": [1.0],
            "exclusion": [np.nan],
        }
    )
    got = true_survival(row, months=13, by=None, kind="marginal")
    # survival through month 11 = P(death day >= ceil(12 * 365.24 / 12) = 366)
    h_bg = h61 * 365.25 + h62 * (366 - 365.25)
    expected = np.exp(-h_bg - 0.1 * 366 / 365.25)
    assert got["survival"].iloc[11] == pytest.approx(expected, rel=1e-12)


def test_km_limit_of_one_person_shows_only_the_whole_month_grouping_bias() -> None:
    # With one row, censoring cannot depend on covariates, so the KM limit differs from the
    # survival itself only because KM on whole months keeps people lost during month m at risk
    # for the whole month: each month's hazard is scaled by G(mid)/G(start) = 1 - eps with
    # eps = 0.01/yr x (about half a month) = 0.01 x 15.2 / 365.25. Hence
    # S_km / S = exp(eps x (H(m) - H(0))), H = -log S (loss to follow-up starts on day 31).
    row = pd.DataFrame(
        {
            "sex": ["female"],
            "date_dx": [pd.Timestamp("2001-03-05")],
            "sim_offset_days": [0.0],
            "sim_age0": [70.5],
            "sim_rate": [0.3],
            "sim_shape": [0.75],
            "exclusion": [np.nan],
        }
    )
    km = true_survival(row, months=120, by=None, kind="km")["survival"].to_numpy()
    marginal = true_survival(row, months=120, by=None, kind="marginal")["survival"].to_numpy()
    eps = 0.01 * (365.24 / 24) / 365.25
    cum_h = -np.log(marginal)
    np.testing.assert_allclose(km / marginal, np.exp(eps * (cum_h - cum_h[0])), rtol=2e-5)
    assert km[0] == pytest.approx(marginal[0], rel=1e-12)  # nobody is lost in month 0


def test_km_estimate_matches_the_simulators_analytic_survival(seeds) -> None:
    # the analytic curve is the large-sample limit of KM on the same rows and censoring, so
    # the only difference is sampling error: |z| < 3.5 at 1, 3, 5 and 10 years for every extent
    for seed, df in seeds.items():
        months = 120 if seed == 11 else 60  # 10 years for one seed keeps the test fast
        truth = true_survival(df, months=months).set_index(["extent", "time"])["survival"]
        at = ns.kaplan_meier(df, by="extent").at([11, 35, 59, 119][: 4 if seed == 11 else 3])
        for row in at.itertuples():
            expected = truth[(row.extent, row.time)]
            assert abs(row.survival - expected) < 3.5 * row.std_err, (seed, row)


def test_grade_differentiation_and_site_keep_their_published_order(seeds) -> None:
    # Dasari 2017 (published-figures.md §2): median OS G1 > G2 > G3; appendix and rectum best;
    # NEC worse than NET (§4g, §5); unknown-primary NEC worst (Dasari 2018: 2.5 months)
    for df in seeds.values():
        grade = five_year(df, "grade").set_index("grade")["survival"]
        assert grade["G1"] > grade["G2"] > grade["G3"]
        diff = five_year(df, "differentiation").set_index("differentiation")["survival"]
        assert diff["well"] > diff["poor"]
        site = five_year(df, "site_group").set_index("site_group")["survival"]
        best = min(site["appendix"], site["rectum"])
        assert best > site.drop(["appendix", "rectum"]).max()
        assert site["small intestine"] > site["pancreas"]
        assert site["lung"] > site["pancreas"]
        nen = five_year(df, ["site_group", "nen_type"]).set_index(["site_group", "nen_type"])
        for group in ("lung", "pancreas", "colon", "stomach"):
            assert nen.loc[(group, "NET"), "survival"] > nen.loc[(group, "NEC"), "survival"]


def test_true_survival_reports_every_extent_for_each_month(seeds) -> None:
    df = seeds[11]
    truth = true_survival(df, months=24)
    assert set(truth["extent"]) == {"localized", "regional", "distant", "unknown"}
    assert (truth.groupby("extent")["time"].agg(list).map(len) == 24).all()
    assert truth.groupby("extent")["survival"].apply(lambda s: s.is_monotonic_decreasing).all()


def test_seerstat_round_trip_gives_the_same_survival(tmp_path) -> None:
    # issue 7 proof: simulate (a seed not used elsewhere) -> SEER*Stat export -> read ->
    # classify -> kaplan_meier equals the in-memory frame (SEER*Stat exports carry no dates)
    df = simulate_registry(5_000, seed=8191)
    ns.write_seerstat(df, tmp_path / "export.txt")
    back = ns.read(tmp_path / "export.txt")
    assert len(back) == len(df)
    for column in (
        "patient_id",
        "tumor_seq",
        "primary_site",
        "histology",
        "stage_code",
        "grade_code",
        "survival_months",
        "dead",
        "cancer_death",
        "exclusion",
    ):
        pd.testing.assert_series_equal(back[column].astype(str), df[column].astype(str))
    pd.testing.assert_series_equal(back["extent"].astype(str), df["extent"].astype(str))
    a = ns.kaplan_meier(df, by="extent").at([12, 59])
    b = ns.kaplan_meier(back, by="extent").at([12, 59])
    pd.testing.assert_frame_equal(a, b)


def test_naaccr_xml_round_trip_keeps_every_canonical_column(tmp_path) -> None:
    # NAACCR XML carries the dates; read(..., study_cutoff=...) recomputes survival months
    # from them with SEER's algorithm (netsurv.io.survtime), an independent check of the
    # simulator's floor(days / (365.24 / 12)) and of its exclusions
    df = simulate_registry(3_000, seed=4242)
    ns.write_naaccr_xml(df, tmp_path / "tumours.xml")
    back = ns.read(tmp_path / "tumours.xml", study_cutoff="2022-12-31")
    assert len(back) == len(df)
    for column in CANONICAL_COLUMNS:
        pd.testing.assert_series_equal(back[column].astype(str), df[column].astype(str))


def test_net_truth_is_the_cancer_only_survival_by_hand() -> None:
    # one row, Weibull cancer hazard rate 0.3, shape 0.75 (t in years): net survival through
    # month 11 = exp(-0.3 * (366 / 365.25) ** 0.75), 366 = ceil(12 * 365.24 / 12) days
    row = pd.DataFrame(
        {
            "sex": ["male"],
            "date_dx": [pd.Timestamp("2005-06-01")],
            "sim_offset_days": [0.0],
            "sim_age0": [64.5],
            "sim_rate": [0.3],
            "sim_shape": [0.75],
            "exclusion": [np.nan],
        }
    )
    net = true_survival(row, months=12, by=None, kind="net")["survival"]
    assert net.iloc[11] == pytest.approx(np.exp(-0.3 * (366 / 365.25) ** 0.75), rel=1e-12)
