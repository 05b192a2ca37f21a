"""Kaplan–Meier figures and forest plots: assert on what was drawn (Agg backend)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from netsurv.errors import InputError  # noqa: E402
from netsurv.estimators.kaplan_meier import kaplan_meier  # noqa: E402
from netsurv.present.plotting import (  # noqa: E402
    CATEGORY_COLOURS,
    plot_forest,
    plot_survival,
    risk_table,
    style_for,
)


@pytest.fixture(autouse=True)
def _close_figures():
    plt.close("all")  # ax=None draws on an open figure: start from none
    yield
    plt.close("all")


def _toy() -> pd.DataFrame:
    """Group a: deaths at 1..10 months; group b: censored at 2, 4, 6, 8, 10 (whole months)."""
    return pd.DataFrame(
        {
            "survival_months": np.r_[np.arange(1.0, 11), [2.0, 4, 6, 8, 10]],
            "dead": [True] * 10 + [False] * 5,
            "g": ["a"] * 10 + ["b"] * 5,
        }
    )


def _texts(ax, gid: str) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


def test_step_curve_line_data_equal_the_fitted_curve() -> None:
    fit = kaplan_meier(_toy(), by="g")
    ax = plot_survival(fit)
    curves = [ln for ln in ax.lines if ln.get_gid() == "curve"]
    assert len(curves) == 2
    a = curves[0]
    # group a: S steps down by 1/10 at each month 1..10 (hand calculation), drawn post-steps
    assert a.get_drawstyle() == "steps-post"
    np.testing.assert_allclose(a.get_xdata(), np.arange(0.0, 11))
    np.testing.assert_allclose(a.get_ydata(), 1 - np.arange(0.0, 11) / 10, atol=1e-12)


def test_risk_table_text_equals_the_number_at_risk_at_each_tick() -> None:
    fit = kaplan_meier(_toy(), by="g")
    ticks = [0, 2, 4, 6, 8, 10]
    ax = plot_survival(fit, ticks=ticks)
    # by hand: a has times 1..10 -> at risk at t = #{time >= t}: 10, 9, 7, 5, 3, 1;
    # b has censorings at 2,4,6,8,10 -> 5, 5, 4, 3, 2, 1
    assert _texts(ax, "risk-0") == ["10", "9", "7", "5", "3", "1"]
    assert _texts(ax, "risk-1") == ["5", "5", "4", "3", "2", "1"]
    expected = fit.at(ticks)["n_at_risk"].astype(int).astype(str).tolist()
    assert _texts(ax, "risk-0") + _texts(ax, "risk-1") == expected
    assert _texts(ax, "risk-label-0") == ["a"] and _texts(ax, "risk-label-1") == ["b"]
    # each row carries a sample of its curve's line: same colour and style
    curves = [ln for ln in ax.lines if ln.get_gid() == "curve"]
    for i, curve in enumerate(curves):
        sample = next(a for a in ax.get_children() if a.get_gid() == f"risk-line-{i}")
        assert sample.get_color() == curve.get_color()
        assert sample.get_linestyle() == curve.get_linestyle()


def test_risk_table_columns_sit_at_the_tick_positions() -> None:
    ax = plot_survival(kaplan_meier(_toy(), by="g"), ticks=[0, 3, 6, 9])
    xs = [t.xy[0] for t in ax.texts if t.get_gid() == "risk-0"]
    np.testing.assert_array_equal(xs, ax.get_xticks())
    np.testing.assert_array_equal(xs, [0, 3, 6, 9])


def test_risk_table_is_exported_as_a_dataframe() -> None:
    fit = kaplan_meier(_toy(), by="g")
    tab = risk_table(fit, [0, 5, 10])
    assert list(tab.columns) == ["g", "time", "n_at_risk", "n_censored", "n_events"]
    assert tab["n_at_risk"].tolist() == [10, 6, 1, 5, 3, 1]  # #{time >= t}, by hand
    # cumulative through each tick, by hand: a dies at 1..10, b is censored at 2, 4, ..., 10
    assert tab["n_events"].tolist() == [0, 5, 10, 0, 0, 0]
    assert tab["n_censored"].tolist() == [0, 0, 0, 0, 2, 5]


def test_years_axis_divides_months_by_12_and_counts_follow() -> None:
    df = pd.DataFrame({"survival_months": [6.0, 18, 30, 42, 54, 66], "dead": True})
    fit = kaplan_meier(df)
    ax = plot_survival(fit, time_unit="years", ticks=[0, 1, 2, 3, 4, 5])
    line = next(ln for ln in ax.lines if ln.get_gid() == "curve")
    np.testing.assert_allclose(line.get_xdata(), [0, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5])
    # at risk at 0..5 years = #{months >= 12k}: 6, 5, 4, 3, 2, 1 (hand calculation)
    assert _texts(ax, "risk-0") == ["6", "5", "4", "3", "2", "1"]
    assert ax.get_xlabel() == "Time (years)"


def test_censor_ticks_mark_censoring_times_and_ci_band_is_drawn() -> None:
    ax = plot_survival(kaplan_meier(_toy(), by="g"))
    marks = [ln for ln in ax.lines if ln.get_gid() == "censor"]
    assert len(marks) == 1  # only group b has censorings
    np.testing.assert_allclose(marks[0].get_xdata(), [2, 4, 6, 8, 10])
    assert sum(c.get_gid() == "ci" for c in ax.collections) == 2
    _, fresh = plt.subplots()
    bare = plot_survival(
        kaplan_meier(_toy(), by="g"), fresh, ci=False, censor_ticks=False, at_risk=False
    )
    assert not [ln for ln in bare.lines if ln.get_gid() == "censor"]
    assert not bare.collections and not _texts(bare, "risk-0")


def test_legend_shows_n_per_group() -> None:
    ax = plot_survival(kaplan_meier(_toy(), by="g"))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a (n=10)", "b (n=5)"]


def test_ordered_categories_get_their_fixed_colour_blind_safe_colours() -> None:
    df = pd.DataFrame(
        {
            "survival_months": np.arange(1.0, 9),
            "dead": True,
            "extent": pd.Categorical(
                ["distant", "localized", "unknown", "regional"] * 2,
                categories=["localized", "regional", "distant", "unknown"],
                ordered=True,
            ),
        }
    )
    ax = plot_survival(kaplan_meier(df, by="extent"))
    colours = [
        matplotlib.colors.to_hex(ln.get_color()) for ln in ax.lines if ln.get_gid() == "curve"
    ]
    # Okabe–Ito blue, orange, vermillion; grey for unknown
    assert colours == ["#0072b2", "#e69f00", "#d55e00", "#8c8c8c"]
    assert CATEGORY_COLOURS["G1"] == CATEGORY_COLOURS["localized"]


def test_twelve_strata_differ_in_colour_and_line_style() -> None:
    styles = style_for([(f"site {i}",) for i in range(12)])
    assert len(set(styles)) == 12
    # neighbours differ in both colour and style
    assert all(a[0] != b[0] and a[1] != b[1] for a, b in zip(styles, styles[1:], strict=False))


def test_suppression_hides_small_groups_and_masks_small_risk_counts() -> None:
    df = pd.concat([_toy().assign(g="a"), _toy().assign(g="a"), _toy().assign(g="c")])
    ax = plot_survival(kaplan_meier(df, by="g"), ticks=[0, 5, 10], suppress_below=16)
    # a has 30 cases (drawn); c has 15 (< 16: not drawn, named in a note)
    assert len([ln for ln in ax.lines if ln.get_gid() == "curve"]) == 1
    assert "c" in _texts(ax, "suppressed-note")[0]
    # at risk in a at 0, 5, 10 = 30, 2 * (6 + 3) = 18, 2 * (1 + 1) = 4 -> "<16" (hand)
    assert _texts(ax, "risk-0") == ["30", "18", "<16"]


def test_facets_draw_one_panel_per_value_each_with_its_risk_table() -> None:
    df = pd.concat([_toy().assign(site="lung"), _toy().assign(site="rectum")], ignore_index=True)
    fit = kaplan_meier(df, by=["site", "g"])
    axes = plot_survival(fit, facet="site", ticks=[0, 5, 10])
    assert isinstance(axes, np.ndarray) and len(axes) == 2
    assert all(ax.figure is axes[0].figure for ax in axes)
    for ax in axes:
        assert _texts(ax, "risk-0") == ["10", "6", "1"] and _texts(ax, "risk-1") == ["5", "3", "1"]
        assert len([ln for ln in ax.lines if ln.get_gid() == "curve"]) == 2
    assert axes[1].get_title(loc="left") == "site = rectum"
    with pytest.raises(InputError, match="facet"):
        plot_survival(kaplan_meier(_toy(), by="g"), facet="site")


def test_axes_passed_in_are_drawn_on_and_returned_and_fit_plot_delegates() -> None:
    fig, (left, right) = plt.subplots(1, 2)
    fit = kaplan_meier(_toy(), by="g")
    assert plot_survival(fit, ax=right) is right
    assert fit.plot(ax=left, ticks=[0, 10]) is left
    assert _texts(left, "risk-0") == ["10", "1"]
    assert len(fig.get_axes()) == 2  # the risk table lives inside each Axes: no extra Axes


def test_figure_saves_to_png_svg_and_pdf(tmp_path) -> None:
    ax = plot_survival(kaplan_meier(_toy(), by="g"))
    for ext in ("png", "svg", "pdf"):
        ax.figure.savefig(tmp_path / f"km.{ext}")
        assert (tmp_path / f"km.{ext}").stat().st_size > 1000


def test_forest_plot_draws_hazard_ratios_on_a_log_axis_with_reference_rows() -> None:
    frame = pd.DataFrame(
        {
            "label": ["grade", "G1", "G2", "G3"],
            "hr": [np.nan, 1.0, 2.0, 4.0],
            "lower": [np.nan, np.nan, 1.5, 3.0],
            "upper": [np.nan, np.nan, 2.5, 5.0],
            "reference": [False, True, False, False],
            "ph_p_value": [np.nan, np.nan, 0.5, 0.01],
        }
    )
    ax = plot_forest(frame)
    assert ax.get_xscale() == "log"
    assert _texts(ax, "hr-text") == ["", "reference", "2.00 (1.50–2.50)", "4.00 (3.00–5.00)"]
    assert _texts(ax, "ph-text") == ["0.500", "0.010"]
    with pytest.raises(InputError, match="missing columns"):
        plot_forest(pd.DataFrame({"hr": [1.0]}))


def test_auto_censor_ticks_are_left_out_only_for_curves_with_many_censorings() -> None:
    many = pd.DataFrame({"survival_months": np.arange(1.0, 202), "dead": False, "g": "many"})
    few = _toy().assign(g="few")
    fit = kaplan_meier(pd.concat([few, many], ignore_index=True), by="g")
    ax = plot_survival(fit, censor_ticks="auto")
    marks = [ln for ln in ax.lines if ln.get_gid() == "censor"]
    # "few" has 5 censorings (drawn); "many" has 201 > 150 (not drawn)
    assert len(marks) == 1 and len(marks[0].get_xdata()) == 5


def test_importing_the_presentation_modules_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = (
        "import sys, netsurv.present.plotting, netsurv.present.tables, netsurv.present.report, netsurv.present.cli, "
        "netsurv.estimators.cox; print('matplotlib' in sys.modules, 'lifelines' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
