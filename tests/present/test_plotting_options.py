"""Plot options assert on what was drawn: colours, labels, axis window, kinds, risk-table rows,
saving with any figure (Agg backend)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from netsurv.errors import InputError  # noqa: E402
from netsurv.estimators.kaplan_meier import kaplan_meier  # noqa: E402
from netsurv.estimators.logrank import logrank  # noqa: E402
from netsurv.present.plotting import plot_survival  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    plt.close("all")
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


def _big(n: int = 60_000, seed: int = 1) -> pd.DataFrame:
    """Registry-sized groups (five-digit counts) followed up to 240 whole months."""
    rng = np.random.default_rng(seed)
    death = np.ceil(rng.exponential(120.0, n))
    cens = rng.integers(1, 241, n).astype(float)
    return pd.DataFrame(
        {
            "survival_months": np.minimum(death, cens),
            "dead": death <= cens,
            "g": np.where(rng.random(n) < 0.75, "large", "small"),
        }
    )


def _texts(ax, gid: str, visible_only: bool = False) -> list[str]:
    return [
        t.get_text()
        for t in ax.texts
        if t.get_gid() == gid and (t.get_visible() or not visible_only)
    ]


def _by_gid(ax, gid: str) -> list:
    return [a for a in ax.get_children() if a.get_gid() == gid]


def test_colors_by_label_recolour_line_band_marks_and_risk_table() -> None:
    ax = plot_survival(kaplan_meier(_toy(), by="g"), colors={"b": "#000000"})
    curves = _by_gid(ax, "curve")
    assert to_hex(curves[1].get_color()) == "#000000"
    assert to_hex(curves[0].get_color()) == "#0072b2"  # a keeps its default (Okabe–Ito blue)
    band_b = _by_gid(ax, "ci")[1]
    assert to_hex(band_b.get_facecolor()[0][:3]) == "#000000"
    (marks,) = _by_gid(ax, "censor")  # only b is censored
    assert to_hex(marks.get_color()) == "#000000"
    assert {to_hex(t.get_color()) for t in ax.texts if t.get_gid() == "risk-1"} == {"#000000"}
    assert to_hex(_by_gid(ax, "risk-line-1")[0].get_color()) == "#000000"
    assert to_hex(_by_gid(ax, "risk-label-1")[0].get_color()) == "#000000"
    with pytest.raises(InputError, match="no curve labelled 'c'"):
        plot_survival(kaplan_meier(_toy(), by="g"), colors={"c": "red"})


def test_palette_linestyles_and_labels_reach_legend_and_risk_table() -> None:
    fit = kaplan_meier(_toy(), by="g")
    ax = plot_survival(
        fit, palette=["#111111", "#222222"], linestyles=[":", "-"], labels={"a": "Arm A"}
    )
    curves = _by_gid(ax, "curve")
    assert [to_hex(c.get_color()) for c in curves] == ["#111111", "#222222"]
    assert [c.get_linestyle() for c in curves] == [":", "-"]
    assert _by_gid(ax, "risk-line-0")[0].get_linestyle() == ":"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Arm A (n=10)", "b (n=5)"]
    assert _texts(ax, "risk-label-0") == ["Arm A"]
    _, fresh = plt.subplots()
    tab10 = plot_survival(fit, fresh, palette="tab10")
    assert [to_hex(c.get_color()) for c in _by_gid(tab10, "curve")] == ["#1f77b4", "#ff7f0e"]
    with pytest.raises(InputError, match="2 curves"):
        plot_survival(fit, colors=["red"])


def test_time_max_keeps_ticks_and_risk_columns_inside_the_axis() -> None:
    fit = kaplan_meier(_toy(), by="g")
    ax = plot_survival(fit, time_max=6, break_every=2)
    assert ax.get_xlim() == (0.0, 6.0)
    np.testing.assert_array_equal(ax.get_xticks(), [0, 2, 4, 6])
    # at risk at 0, 2, 4, 6 = #{time >= t}, by hand: a 10, 9, 7, 5; b 5, 5, 4, 3
    assert _texts(ax, "risk-0") == ["10", "9", "7", "5"]
    assert _texts(ax, "risk-1") == ["5", "5", "4", "3"]
    _, fresh = plt.subplots()
    same = plot_survival(fit, fresh, xlim=(0, 6), break_every=2)
    assert _texts(same, "risk-0") == _texts(ax, "risk-0")


def test_set_xlim_after_plotting_hides_risk_columns_outside_the_axis() -> None:
    ax = plot_survival(kaplan_meier(_toy(), by="g"), ticks=[0, 2, 4, 6, 8, 10])
    ax.set_xlim(0, 5)
    ax.figure.canvas.draw()
    assert _texts(ax, "risk-0", visible_only=True) == ["10", "9", "7"]  # ticks 0, 2, 4


def test_documented_ticks_never_print_overlapping_counts() -> None:
    fit = kaplan_meier(_big(), by="g")
    ax = plot_survival(fit, ticks=[0, 12, 36, 60, 120])
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for row in ("risk-0", "risk-1"):
        shown = [t for t in ax.texts if t.get_gid() == row and t.get_visible()]
        boxes = sorted((t.get_window_extent(renderer) for t in shown), key=lambda b: b.x0)
        assert all(left.x1 < right.x0 for left, right in zip(boxes, boxes[1:], strict=False))
        assert len(shown) >= 3  # 0, 36, 60, 120 fit; 12 is too close to 0 for 5-digit counts
    # every column a row shows is that tick's number at risk
    at = fit.at([0, 12, 36, 60, 120])["n_at_risk"].to_numpy().reshape(2, -1)
    xs = [t.xy[0] for t in ax.texts if t.get_gid() == "risk-0" and t.get_visible()]
    shown0 = _texts(ax, "risk-0", visible_only=True)
    idx = [[0, 12, 36, 60, 120].index(x) for x in xs]
    assert shown0 == [f"{n:,.0f}" for n in at[0, idx]]


def test_default_ticks_on_a_registry_sized_fit_print_every_column() -> None:
    fit = kaplan_meier(_big(), by="g")
    ax = plot_survival(fit)
    ax.figure.canvas.draw()
    ticks = ax.get_xticks()
    assert _texts(ax, "risk-0", visible_only=True) == [
        f"{n:,.0f}" for n in fit.at(ticks)["n_at_risk"].iloc[: len(ticks)]
    ]


@pytest.mark.parametrize("layout", [None, "constrained", "tight"])
def test_risk_table_is_inside_a_saved_figure_made_with_user_subplots(tmp_path, layout) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), layout=layout)
    fit = kaplan_meier(_toy(), by="g")
    fit.plot(ax=left)
    plot_survival(fit, ax=right, at_risk=["n_at_risk", "n_censored", "n_events"])
    path = tmp_path / "km.png"
    fig.savefig(path, dpi=fig.dpi)  # plain savefig: no bbox_inches="tight"
    image = plt.imread(path)
    height, width = image.shape[:2]
    renderer = fig.canvas.get_renderer()
    table = [
        t
        for ax in (left, right)
        for t in ax.texts
        if str(t.get_gid()).startswith(("risk", "censored", "events"))
    ]
    assert len(table) > 20
    for text in table:
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, text
        # the text's pixels were drawn: something darker than the white page in its box
        rows = slice(int(height - box.y1), int(np.ceil(height - box.y0)))
        cols = slice(int(box.x0), int(np.ceil(box.x1)))
        assert image[rows, cols, :3].min() < 0.8, text.get_text()


def test_ax_none_draws_on_the_current_axes_when_a_figure_is_open() -> None:
    fig, (first, second) = plt.subplots(1, 2)
    plt.sca(first)
    assert plot_survival(kaplan_meier(_toy(), by="g")) is first
    plt.close("all")
    made = plot_survival(kaplan_meier(_toy(), by="g"))  # no figure open: a new sized one
    assert made.figure.get_figheight() > 4.2


def test_event_and_cumhaz_kinds_transform_curve_and_band() -> None:
    fit = kaplan_meier(_toy(), by="g")
    ax = plot_survival(fit, kind="event", at_risk=False)
    a = _by_gid(ax, "curve")[0]
    # group a: 1 − S steps up by 1/10 at each month (hand calculation)
    np.testing.assert_allclose(a.get_ydata(), np.arange(0.0, 11) / 10, atol=1e-12)
    assert ax.get_ylabel() == "Cumulative event (1 − S)"
    _, fresh = plt.subplots()
    ax = plot_survival(fit, fresh, kind="cumhaz", at_risk=False)
    a = _by_gid(ax, "curve")[0]
    expected = -np.log(1 - np.arange(0.0, 10) / 10)  # −log S before S reaches 0
    np.testing.assert_allclose(a.get_ydata()[:10], expected, atol=1e-12)
    assert np.isnan(a.get_ydata()[10])  # S = 0: −log S is not drawn
    with pytest.raises(InputError, match="kind"):
        plot_survival(fit, kind="hazard")


def test_median_lines_end_at_each_median_and_pvalue_is_the_logrank_p() -> None:
    df = _toy()
    fit = kaplan_meier(df, by="g")
    ax = plot_survival(fit, median=True, pvalue=True)
    verticals = [ln for ln in _by_gid(ax, "median") if ln.get_xdata()[0] == ln.get_xdata()[1]]
    # a: S = 0.5 exactly on [5, 6), so the median is the midpoint 5.5 (R's quantile.survfit
    # rule, by hand); b has no deaths and no median: one vertical line only
    assert [ln.get_xdata()[0] for ln in verticals] == [5.5]
    p = logrank(df, by="g", include_unknown=True).p_value
    text = _texts(ax, "pvalue")[0]
    assert text == ("Log-rank p < 0.001" if p < 0.001 else f"Log-rank p = {p:.3f}")
    _, fresh = plt.subplots()
    assert _texts(plot_survival(fit, fresh, pvalue=0.0312), "pvalue") == ["p = 0.031"]


def test_pvalue_compares_only_the_curves_drawn_when_groups_are_suppressed() -> None:
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "survival_months": rng.integers(1, 60, 45).astype(float),
            "dead": rng.random(45) < 0.7,
            "g": ["a"] * 20 + ["b"] * 20 + ["c"] * 5,  # c: fewer than 16 cases, not drawn
        }
    )
    fit = kaplan_meier(df, by="g")
    ax = plot_survival(fit, pvalue=True, suppress_below=16)
    p = logrank(df[df["g"] != "c"], by="g").p_value  # the two drawn groups, by hand
    shown = "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"
    assert _texts(ax, "pvalue") == [f"Log-rank {shown}"]
    assert p != logrank(df, by="g").p_value  # c would change it
    _, fresh = plt.subplots()  # one group drawn: nothing to compare, no p
    assert _texts(plot_survival(fit, fresh, pvalue=True, suppress_below=21), "pvalue") == []


def test_censored_and_event_rows_are_cumulative_counts() -> None:
    ax = plot_survival(
        kaplan_meier(_toy(), by="g"),
        ticks=[0, 5, 10],
        at_risk=["n_at_risk", "n_censored", "n_events"],
    )
    # by hand: a dies at 1..10 (events through 0, 5, 10 = 0, 5, 10); b censored at 2..10
    assert _texts(ax, "events-0") == ["0", "5", "10"]
    assert _texts(ax, "censored-1") == ["0", "2", "5"]
    assert _texts(ax, "risk-0") == ["10", "6", "1"]
    assert _texts(ax, "censored-title") == ["Censored"] and _texts(ax, "events-title") == ["Events"]
    with pytest.raises(InputError, match="unknown row"):
        plot_survival(kaplan_meier(_toy(), by="g"), at_risk=["deaths"])


def test_more_than_twelve_curves_warn_and_facet_by_count_splits_them() -> None:
    df = pd.DataFrame(
        {"survival_months": np.arange(1.0, 15), "dead": True, "g": [f"s{i:02d}" for i in range(14)]}
    )
    fit = kaplan_meier(df, by="g")
    with pytest.warns(UserWarning, match="14 curves"):
        plot_survival(fit, at_risk=False)
    axes = plot_survival(fit, facet=7, at_risk=False)
    assert [len(_by_gid(ax, "curve")) for ax in axes] == [7, 7]
    styles = {
        (to_hex(ln.get_color()), ln.get_linestyle()) for ax in axes for ln in _by_gid(ax, "curve")
    }
    assert len(styles) == 14  # every curve keeps its own colour × style across panels


def test_fits_drawn_one_after_another_on_one_axes_share_it_like_lifelines() -> None:
    df = _toy()
    fig, ax = plt.subplots()
    for g in ("a", "b"):  # one fit per group, drawn on the same Axes (lifelines habit)
        part = df[df["g"] == g]
        kaplan_meier(time=part["survival_months"], event=part["dead"]).plot(ax=ax, labels=[g])
    curves = _by_gid(ax, "curve")
    assert len({(to_hex(c.get_color()), c.get_linestyle()) for c in curves}) == 2
    ticks = list(ax.get_xticks())
    fit = kaplan_meier(df, by="g")  # the same numbers as one fit by group
    expected = fit.at(ticks)["n_at_risk"].astype(int).astype(str).tolist()
    assert _texts(ax, "risk-0") + _texts(ax, "risk-1") == expected
    assert _texts(ax, "risk-title") == ["Number at risk"]  # one table, two rows
    y0 = {t.xyann[1] for t in ax.texts if t.get_gid() == "risk-0"}
    y1 = {t.xyann[1] for t in ax.texts if t.get_gid() == "risk-1"}
    assert len(y0) == len(y1) == 1 and y1.pop() < y0.pop()  # the second row lies below
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a (n=10)", "b (n=5)"]


def test_figure_with_a_risk_table_pickles_and_still_chooses_its_columns() -> None:
    import pickle

    ax = plot_survival(kaplan_meier(_big(), by="g"), ticks=[0, 1, 2, 12, 60, 120])
    fig = pickle.loads(pickle.dumps(ax.figure))
    fig.canvas.draw()
    shown = [t.xy[0] for t in fig.axes[0].texts if t.get_gid() == "risk-0" and t.get_visible()]
    # five-digit counts (about 30 points wide) at ticks 1, 2 and 12 months lie within 20
    # points of the 0 column on a 20-year axis 6.8 inches wide: they are left out
    assert shown == [0, 60, 120]


def test_lifelines_keywords_get_netsurvs_name_and_typos_a_suggestion() -> None:
    fit = kaplan_meier(_toy(), by="g")
    with pytest.raises(InputError, match="lifelines calls it ci_show=, netsurv ci="):
        fit.plot(ci_show=False)
    with pytest.raises(InputError, match="did you mean censor_ticks="):
        fit.plot(censor_tick=False)
