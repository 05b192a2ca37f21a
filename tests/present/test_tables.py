"""survival_table: numbers, the SEER whole-month convention, suppression and formatting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import netsurv as ns
from netsurv.errors import InputError
from netsurv.present.tables import format_p, mask_count, survival_table


def _uncensored(n: int = 20) -> pd.DataFrame:
    """n deaths at months 1, 2, ..., n: S(t) = 1 - t/n, SE = sqrt(S(1-S)/n) (binomial)."""
    return pd.DataFrame({"survival_months": np.arange(1.0, n + 1), "dead": True, "g": "a"})


def test_x_month_survival_is_survival_through_month_x_minus_1_with_seer_months() -> None:
    # 20 cases, 4 deaths recorded in month 12, 16 alive at 24 months. SEER counts a death
    # in month 12 as having lived 12 months, so 12-month survival is 1.0 (KM through month
    # 11); 24-month survival is 16/20 = 0.8 (hand calculation).
    df = pd.DataFrame(
        {"survival_months": [12.0] * 4 + [24.0] * 16, "dead": [True] * 4 + [False] * 16}
    )
    tab = survival_table(df, by=None, times=[12, 24], suppress_below=0)
    assert tab.whole_months
    assert tab.table["survival_12"].iloc[0] == 1.0
    assert tab.table["survival_24"].iloc[0] == pytest.approx(0.8, abs=1e-12)


def test_whole_month_convention_can_be_switched_off() -> None:
    # Right-continuous KM at 12 counts the 4 deaths at 12: S(12) = 16/20 (hand calculation).
    df = pd.DataFrame(
        {"survival_months": [12.0] * 4 + [24.0] * 16, "dead": [True] * 4 + [False] * 16}
    )
    tab = survival_table(df, by=None, times=[12], suppress_below=0, whole_months=False)
    assert not tab.whole_months
    assert tab.table["survival_12"].iloc[0] == pytest.approx(0.8, abs=1e-12)


def test_convention_is_not_applied_to_fractional_follow_up_or_other_columns() -> None:
    df = pd.DataFrame(
        {"survival_months": [12.5] * 4 + [24.0] * 16, "dead": [True] * 4 + [False] * 16}
    )
    assert not survival_table(df, by=None, times=[12], suppress_below=0).whole_months
    other = df.rename(columns={"survival_months": "t"}).assign(t=lambda d: d.t.round())
    assert not survival_table(other, by=None, times=[12], time="t", suppress_below=0).whole_months


def test_median_of_uncensored_data_uses_the_midpoint_of_the_flat_at_one_half() -> None:
    # S = 1 - t/20 is exactly 0.5 on [10, 11): R's rule gives the median (10 + 11)/2 = 10.5.
    tab = survival_table(_uncensored(), by="g", times=[5], whole_months=False)
    row = tab.table.iloc[0]
    assert row["n"] == 20 and row["n_events"] == 20
    assert row["median"] == pytest.approx(10.5)
    assert row["median_lower"] <= 10.5 <= row["median_upper"]


def test_survival_and_greenwood_se_equal_the_binomial_values_without_censoring() -> None:
    # S(5) = 15/20 = 0.75; Greenwood without censoring = binomial SE sqrt(.75 * .25 / 20).
    tab = survival_table(_uncensored(), by="g", times=[5], whole_months=False)
    row = tab.table.iloc[0]
    assert row["survival_5"] == pytest.approx(0.75, abs=1e-12)
    assert row["std_err_5"] == pytest.approx(np.sqrt(0.75 * 0.25 / 20), rel=1e-10)
    assert row["lower_5"] < 0.75 < row["upper_5"]
    assert row["n_at_risk_5"] == 16  # times 5..20 still under follow-up at 5


def test_unreliable_flag_marks_fewer_than_10_at_risk_or_large_standard_error() -> None:
    # at 5: 16 at risk, SE 0.0968 <= 0.1 -> reliable; at 15: 6 at risk (times 15..20) -> flagged.
    tab = survival_table(_uncensored(), by="g", times=[5, 15], whole_months=False)
    row = tab.table.iloc[0]
    assert not row["unreliable_5"] and row["unreliable_15"] and row["unreliable"]
    # a stricter SE threshold flags 5 as well (0.0968 > 0.05)
    strict = survival_table(_uncensored(), by="g", times=[5], whole_months=False, max_std_err=0.05)
    assert strict.table["unreliable_5"].iloc[0]


def test_groups_under_the_threshold_are_suppressed_with_na_estimates() -> None:
    df = pd.concat([_uncensored(20), _uncensored(15).assign(g="b")], ignore_index=True)
    tab = survival_table(df, by="g", times=[5], whole_months=False)
    t = tab.table.set_index("g")
    assert t.loc["b", "suppressed"] and not t.loc["a", "suppressed"]
    assert np.isnan(t.loc["b", ["median", "survival_5", "lower_5", "upper_5"]].astype(float)).all()
    assert t.loc["b", "n"] == 15  # counts stay in the numbers; exports mask them
    assert tab.table["survival_5"].dtype == np.float64  # numbers, not strings


def test_exported_formats_mask_counts_below_the_threshold_with_a_footnote() -> None:
    df = pd.concat([_uncensored(20), _uncensored(15).assign(g="b")], ignore_index=True)
    tab = survival_table(df, by="g", times=[5], whole_months=False)
    md = tab.to_markdown()
    assert "| b † | suppressed | suppressed |" in md and "Fewer than 16 cases" in md
    assert "| a | 20 | 20 |" in md
    assert "0.75 (" in md  # formatting happens here
    for html in (tab.to_html(), tab._repr_html_()):
        assert "<td>suppressed</td>" in html and "<td>15</td>" not in html
    csv = tab.to_csv() or ""
    assert "b †,suppressed,suppressed," in csv and ",15," not in csv
    assert "suppressed" in tab.to_latex()


def test_p_value_is_the_log_rank_test_without_the_unknown_group() -> None:
    # a: deaths at 1, 3; b: deaths at 2, 4. By hand: O_a = 2, E_a = 1/2 + 1/3 + 1/2 = 4/3,
    # V = 1/4 + 2/9 + 1/4 = 13/18, chi2 = (2/3)^2 / (13/18) = 8/13 on 1 df.
    df = pd.DataFrame(
        {"t": [1, 3, 2, 4, 0.5, 0.5], "d": 1, "g": ["a", "a", "b", "b", "unknown", "unknown"]}
    )
    tab = survival_table(df, by="g", times=[1], time="t", event="d", suppress_below=0)
    expected = stats.chi2.sf(8 / 13, 1)
    assert tab.p_value == pytest.approx(expected, rel=1e-12)
    assert (tab.table["p_value"] == tab.p_value).all()
    assert "unknown" in tab.table["g"].tolist()  # reported, just not compared


def test_cause_specific_survival_censors_other_deaths_and_counts_unknown_cause() -> None:
    # 20 cases: 4 cancer deaths at month 3, 4 other deaths at month 3, 2 unknown cause.
    df = pd.DataFrame(
        {
            "survival_months": [3.0] * 10 + [24.0] * 10,
            "dead": [True] * 10 + [False] * 10,
            "cancer_death": pd.array(
                [True] * 4 + [False] * 4 + [None] * 2 + [False] * 10, dtype="boolean"
            ),
        }
    )
    tab = survival_table(df, by=None, times=[12], measure="cause-specific", suppress_below=0)
    row = tab.table.iloc[0]
    # 18 analysed; through month 11: 4 cancer deaths among 18 -> 14/18 (hand calculation)
    assert row["n"] == 18 and row["n_events"] == 4
    assert row["survival_12"] == pytest.approx(14 / 18, abs=1e-12)
    assert tab.excluded.sum() == 2


def test_formatting_helpers_follow_journal_style() -> None:
    assert (
        mask_count(15, 16) == "suppressed"
        and mask_count(0, 16) == "0"
        and mask_count(1234, 16) == "1,234"
    )
    assert format_p(0.0004) == "<0.001" and format_p(0.0123) == "0.012" and format_p(0.5) == "0.50"


def test_bad_arguments_raise_input_errors_that_name_the_parameter() -> None:
    df = _uncensored()
    with pytest.raises(InputError, match="measure"):
        survival_table(df, by="g", measure="net")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="times"):
        survival_table(df, by="g", times=[-1])
    with pytest.raises(InputError, match="by"):
        survival_table(df, by="grade")


def test_suppression_footnote_appears_only_when_something_is_masked() -> None:
    big = pd.concat([_uncensored(20), _uncensored(20).assign(g="b")], ignore_index=True)
    assert "Fewer than 16" not in survival_table(big, by="g", times=[5]).to_markdown()
    small = pd.concat([big, _uncensored(3).assign(g="c")], ignore_index=True)
    assert "Fewer than 16" in survival_table(small, by="g", times=[5]).to_markdown()


# --------------------------------------------------------------- issue 17: tables and formats
def _two_groups(n_a: int = 200, n_b: int = 40) -> pd.DataFrame:
    """Group a: deaths at months 1..n_a (no censoring); group b likewise (hand-checkable)."""
    return pd.concat(
        [
            pd.DataFrame({"survival_months": np.arange(1.0, n_a + 1), "dead": True, "g": "a"}),
            pd.DataFrame({"survival_months": np.arange(1.0, n_b + 1), "dead": True, "g": "b"}),
        ],
        ignore_index=True,
    )


def test_percent_style_prints_journal_percentages() -> None:
    # group a at 12 months (whole months: through month 11): 189/200 = 94.5% (hand calculation)
    tab = survival_table(_two_groups(), by="g", times=[12], style="percent")
    cell = tab.formatted()["1-year (95% CI)"].iloc[0]
    assert cell.startswith("94.5% (") and cell.endswith(")") and "–" in cell


def test_no_interval_prints_as_one_number_when_its_limits_differ() -> None:
    # 20,000 cases, 1% dead by month 11: the CI is about 0.9886–0.9914, "0.99–0.99" at 2 digits
    n = 20_000
    df = pd.DataFrame(
        {"survival_months": np.where(np.arange(n) < 200, 5.0, 100.0), "dead": np.arange(n) < 200}
    )
    tab = survival_table(df, by=None, times=[12])
    lo, hi = tab.table[["lower_12", "upper_12"]].iloc[0]
    assert f"{lo:.2f}" == f"{hi:.2f}"  # the old output would collapse
    cell = tab.formatted()["1-year (95% CI)"].iloc[0]
    low, high = cell.split("(")[1].rstrip(")").split("–")
    assert low != high and len(low.split(".")[1]) == 3
    pct = tab.formatted(style="percent")["1-year (95% CI)"].iloc[0]
    assert pct.startswith("99.0% (98.9–99.1)")


def test_counts_are_integers_and_whole_month_medians_have_no_decimals() -> None:
    tab = survival_table(_two_groups(), by="g", times=[12])
    assert tab.table["n"].dtype == np.int64 and tab.table["n_events"].dtype == np.int64
    # group a: S = 1 - t/200 is 0.5 on [100, 101): R's median is the midpoint 100.5; group b:
    # 20.5; both CIs are whole months (the band crosses 0.5 at event times)
    medians = tab.formatted()["Median, months (95% CI)"].tolist()
    assert medians[0].startswith("100.5 (") and medians[1].startswith("20.5 (")
    assert all(".0" not in m for m in medians)


def test_a_unitless_time_heading_says_time() -> None:
    df = _two_groups().rename(columns={"survival_months": "t"})
    heads = survival_table(df, by="g", times=[12], time="t", event="dead").formatted().columns
    assert "time 12 (95% CI)" in heads and "Median, time (95% CI)" in heads
    assert not any("time unit" in h for h in heads)


def test_every_table_footnote_states_the_meaning_of_x_year_survival() -> None:
    seer = survival_table(_two_groups(), by="g", times=[60]).footnotes()
    assert any("through month 12x − 1" in n for n in seer)
    dates = survival_table(_two_groups(), by="g", times=[60], whole_months=False).footnotes()
    assert any("R's summary(fit, times = t)" in n for n in dates)


def test_net_survival_means_the_same_x_year_as_overall_survival() -> None:
    # the whole-month rule comes from the data, for every measure: with a life table of zero
    # mortality net survival equals overall survival, so both read the curve through month 11
    df = _two_groups().assign(age_dx=60.0, sex="male", year_dx=2010)
    net = survival_table(df, by="g", times=[12], measure="relative", lifetable=_table(0.0))
    overall = survival_table(df, by="g", times=[12])
    assert net.whole_months and overall.whole_months
    np.testing.assert_allclose(net.table["survival_12"], overall.table["survival_12"], atol=1e-12)


def _table(qx: float, years: range = range(2000, 2031)) -> object:
    """A user life table with the same annual death probability at every age, sex and year."""
    from netsurv.ratetables import from_qx_frame

    grid = pd.MultiIndex.from_product(
        [range(111), ["male", "female"], years], names=["age", "sex", "year"]
    ).to_frame(index=False)
    return from_qx_frame(grid.assign(qx=qx))


def test_implausible_net_survival_warns_instead_of_printing_212_percent() -> None:
    # population deaths of 50% a year against a cohort that dies far slower: net survival
    # far above 100% means the life table does not fit (wrong units, sexes or ages)
    df = _two_groups(200, 200).assign(age_dx=60.0, sex="male", year_dx=2010)
    with pytest.warns(UserWarning, match="implausible"):
        survival_table(df, by="g", times=[60], measure="relative", lifetable=_table(0.5))


def test_a_life_table_starting_after_the_diagnoses_warns() -> None:
    df = _two_groups().assign(age_dx=60.0, sex="male", year_dx=2010)
    with pytest.warns(UserWarning, match="starts in 2015 but diagnoses start in 2010"):
        survival_table(
            df, by="g", times=[12], measure="relative", lifetable=_table(0.01, range(2015, 2031))
        )


def test_one_month_survival_counts_deaths_in_month_0_for_every_measure() -> None:
    # 4 of 20 die in month 0 (SEER survival months 0), 16 alive at 24 months. Through month 0
    # the observed survival is 16/20 (hand calculation); relative survival gives month-0
    # deaths half a month (zero_time="auto") and must count them too: below 1 and equal to
    # its own curve read inside month 0. Before the fix the relative column read 1.00.
    df = pd.DataFrame(
        {
            "survival_months": [0.0] * 4 + [24.0] * 16,
            "dead": [True] * 4 + [False] * 16,
            "age_dx": 60.0,
            "sex": "female",
            "year_dx": 2010,
        }
    )
    observed = survival_table(df, times=[1], suppress_below=0)
    assert observed.table["survival_1"].iloc[0] == pytest.approx(0.8, abs=1e-12)
    relative = survival_table(df, times=[1], suppress_below=0, measure="relative")
    fit = ns.relative_survival(df)
    inside_month_0 = fit.at([0.5])["survival"].iloc[0]
    assert relative.table["survival_1"].iloc[0] == pytest.approx(inside_month_0, abs=1e-12)
    assert inside_month_0 < 0.81  # 4 deaths of 20 with an expected survival near 1
