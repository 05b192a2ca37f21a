"""``netsurv plot`` flags: each one reaches the figure (asserted on the Axes the command drew),
and bad values are one-line usage errors (exit 2) with the closest valid name."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from netsurv.estimators.kaplan_meier import kaplan_meier  # noqa: E402
from netsurv.estimators.logrank import logrank  # noqa: E402
from netsurv.present import cli_plot  # noqa: E402
from netsurv.present.cli import build_parser, main  # noqa: E402

EXTENTS = ["localized", "regional", "distant"]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    """40 cases per extent, whole months up to 96; distant dies fastest."""
    rng = np.random.default_rng(17)
    extent = np.repeat(EXTENTS, 40)
    rate = np.select([extent == "distant", extent == "regional"], [0.05, 0.02], 0.008)
    death, censor = np.ceil(rng.exponential(1 / rate)), rng.integers(1, 97, len(extent))
    return pd.DataFrame(
        {
            "survival_months": np.minimum(death, censor).astype(float),
            "dead": (death <= censor).astype(int),
            "extent": extent,
            "site_group": np.tile(["pancreas", "lung"], len(extent) // 2),
        }
    )


@pytest.fixture(scope="module")
def csv(data: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plot") / "reg.csv"
    data.to_csv(path, index=False)
    return path


@pytest.fixture
def drawn(csv, tmp_path, monkeypatch, capsys):
    """Run ``netsurv plot`` with extra flags; return what plot_survival returned (the Axes)."""
    seen: list = []
    real = cli_plot.plot_survival

    def run(*flags: str):
        monkeypatch.setattr(
            cli_plot, "plot_survival", lambda fit, **kw: seen.append(real(fit, **kw)) or seen[-1]
        )
        code = main(["plot", str(csv), "-o", str(tmp_path / "km.png"), *flags])
        capsys.readouterr()
        assert code == 0 and (tmp_path / "km.png").stat().st_size > 0
        return seen[-1]

    yield run
    plt.close("all")


def _gid(ax, gid: str) -> list:
    return [a for a in ax.get_children() if a.get_gid() == gid]


def _colours(ax) -> list[str]:
    return [to_hex(line.get_color()) for line in _gid(ax, "curve")]


def _usage_error(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and len(err.strip().splitlines()) == 1, err
    return err


def test_kind_event_and_cumhaz_change_the_curve_and_the_y_label(drawn, data) -> None:
    fit = kaplan_meier(data, by="extent")
    s = fit.to_frame().query("extent == 'distant'")["survival"].to_numpy()
    event = drawn("--kind", "event")
    assert event.get_ylabel() == "Cumulative event (1 − S)"
    distant = _gid(event, "curve")[2].get_ydata()
    np.testing.assert_allclose(distant[1:], 1 - s)  # 1 − S from the fit's own table
    cumhaz = drawn("--kind", "cumhaz")
    assert cumhaz.get_ylabel() == "Cumulative hazard (−log S)"
    np.testing.assert_allclose(_gid(cumhaz, "curve")[2].get_ydata()[1:][s > 0], -np.log(s[s > 0]))


def test_colors_one_per_curve_or_by_label_recolour_line_and_risk_table(drawn) -> None:
    ax = drawn("--colors", "black", "#00ff00", "C2")
    assert _colours(ax) == ["#000000", "#00ff00", to_hex("C2")]
    assert {to_hex(t.get_color()) for t in ax.texts if t.get_gid() == "risk-0"} == {"#000000"}
    ax = drawn("--colors", "distant=black")
    # localized and regional keep their category colours (Okabe–Ito blue and orange)
    assert _colours(ax) == ["#0072b2", "#e69f00", "#000000"]


def test_palette_takes_a_colormap_or_a_list(drawn) -> None:
    dark2 = [to_hex(c) for c in matplotlib.colormaps["Dark2"].colors[:3]]
    assert _colours(drawn("--palette", "Dark2")) == dark2
    assert _colours(drawn("--palette", "red,blue,green")) == ["#ff0000", "#0000ff", "#008000"]


def test_linestyles_by_name_reach_curves_and_risk_table_samples(drawn) -> None:
    ax = drawn("--linestyles", "dotted", "dashed", "solid")
    assert [line.get_linestyle() for line in _gid(ax, "curve")] == [":", "--", "-"]
    assert _gid(ax, "risk-line-0")[0].get_linestyle() == ":"


def test_labels_rename_legend_and_risk_table_rows(drawn) -> None:
    ax = drawn("--labels", "distant=Distant (M1)")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["localized (n=40)", "regional (n=40)", "Distant (M1) (n=40)"]
    assert [t.get_text() for t in ax.texts if t.get_gid() == "risk-label-2"] == ["Distant (M1)"]
    ax = drawn("--labels", "Local", "Regional, nodes", "Distant")
    assert [t.get_text() for t in ax.get_legend().get_texts()][1] == "Regional, nodes (n=40)"


def test_no_ci_no_legend_title_and_ylabel(drawn) -> None:
    assert len(_gid(drawn(), "ci")) == 3
    ax = drawn("--no-ci", "--no-legend", "--title", "NET by extent", "--ylabel", "Alive")
    assert _gid(ax, "ci") == [] and ax.get_legend() is None
    assert ax.get_title(loc="left") == "NET by extent" and ax.get_ylabel() == "Alive"


def test_censor_ticks_on_and_off(drawn) -> None:
    assert len(_gid(drawn("--censor-ticks", "on"), "censor")) == 3
    assert _gid(drawn("--censor-ticks", "off"), "censor") == []


def test_median_lines_end_at_the_medians_and_pvalue_is_the_logrank_p(drawn, data) -> None:
    ax = drawn("--median", "--pvalue")
    fit = kaplan_meier(data, by="extent")
    medians = fit.median()["median"].dropna().to_numpy()
    ends = sorted(line.get_xdata()[0] for line in _gid(ax, "median")[1:])  # vertical lines
    np.testing.assert_allclose(ends, sorted(medians))
    p = logrank(data, by="extent").p_value
    (text,) = [t.get_text() for t in ax.texts if t.get_gid() == "pvalue"]
    expected = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    assert text == f"Log-rank {expected}"


def test_xlim_and_time_max_set_the_axis_and_keep_ticks_inside(drawn) -> None:
    ax = drawn("--xlim", "0,48")
    assert ax.get_xlim() == (0.0, 48.0) and max(ax.get_xticks()) <= 48
    ax = drawn("--time-unit", "years", "--time-max", "5")
    assert ax.get_xlim()[1] == 5.0 and ax.get_xlabel() == "Time (years)"


def test_ticks_and_break_every_set_the_risk_table_columns(drawn, data) -> None:
    ax = drawn("--ticks", "0,12,36,60")
    assert list(ax.get_xticks()) == [0, 12, 36, 60]
    assert len([t for t in ax.texts if t.get_gid() == "risk-0"]) == 4
    ax = drawn("--break-every", "24")
    last = data["survival_months"].max()
    assert list(ax.get_xticks()) == list(np.arange(0, last + 1, 24))


def test_risk_table_rows_censored_events_and_none(drawn, data) -> None:
    flags = ["--risk-table", "at-risk,censored,events", "--ticks", "0,48"]
    ax = drawn(*flags, "--suppress-below", "0")
    titles = [t.get_text() for t in ax.texts if t.get_gid().endswith("-title")]
    assert titles == ["Number at risk", "Censored", "Events"]
    local = data[data["extent"] == "localized"]
    events_by_48 = int(local.loc[local["survival_months"] <= 48, "dead"].sum())  # by hand
    assert [t.get_text() for t in ax.texts if t.get_gid() == "events-0"] == ["0", str(events_by_48)]
    assert 0 < events_by_48 < 16  # so the default suppression masks it
    ax = drawn(*flags)
    assert [t.get_text() for t in ax.texts if t.get_gid() == "events-0"] == ["0", "<16"]
    ax = drawn("--risk-table", "none")
    assert not [t for t in ax.texts if str(t.get_gid()).startswith("risk")]


def test_facet_by_column_or_by_number_of_curves(drawn) -> None:
    axes = drawn("--facet", "extent")
    assert [a.get_title(loc="left") for a in axes] == [f"extent = {e}" for e in EXTENTS]
    axes = drawn("--facet", "2")
    assert [len(_gid(a, "curve")) for a in axes] == [2, 1]


def test_bad_flag_values_are_one_line_usage_errors_with_the_closest_name(csv, capsys) -> None:
    base = ["plot", str(csv)]
    assert "did you mean 'black'?" in _usage_error([*base, "--colors", "balck"], capsys)
    assert "did you mean 'dashed'?" in _usage_error([*base, "--linestyles", "dashd"], capsys)
    assert "did you mean 'Dark2'?" in _usage_error([*base, "--palette", "Drak2"], capsys)
    assert "did you mean 'censored'?" in _usage_error([*base, "--risk-table", "censord"], capsys)
    assert "did you mean 'event'?" in _usage_error([*base, "--kind", "evnt"], capsys)
    assert "did you mean '--time-max'?" in _usage_error([*base, "--time-maxx", "5"], capsys)
    assert "not both" in _usage_error([*base, "--colors", "black", "distant=red"], capsys)
    assert "RIGHT must be larger" in _usage_error([*base, "--xlim", "10,5"], capsys)
    assert "not allowed with" in _usage_error(
        [*base, "--ticks", "0,12", "--break-every", "12"], capsys
    )
    assert "positive" in _usage_error([*base, "--break-every", "0"], capsys)


def test_a_label_that_is_not_a_curve_names_the_curves(csv, tmp_path, capsys) -> None:
    code = main(["plot", str(csv), "-o", str(tmp_path / "x.png"), "--colors", "distnt=red"])
    err = capsys.readouterr().err
    assert code == 1 and "no curve labelled 'distnt'" in err and "'distant'" in err


def test_plot_help_names_only_options_plot_has(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["plot", "--help"])
    text = capsys.readouterr().out
    sub = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    options = {o for a in sub.choices["plot"]._actions for o in a.option_strings}
    mentioned = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", text))
    assert mentioned and mentioned <= options, mentioned - options
    assert "examples:" in text  # every example line runs as written: flags checked above


def test_every_example_in_plot_help_runs(csv, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # examples without -o write km.png here
    lines = [x.strip() for x in cli_plot.EXAMPLES.splitlines() if x.strip().startswith("netsurv")]
    assert len(lines) == 6
    for line in lines:
        argv = [str(csv) if a == "reg.csv" else a for a in shlex.split(line)[1:]]
        assert main(argv) == 0, (line, capsys.readouterr().err)
        plt.close("all")
