"""Image tests: each plot option is rendered and compared with a committed baseline PNG.

Baselines live in ``tests/baseline/plotting/``; a person looked at every one (they are also
the gallery's pictures, docs/gallery.md). The comparison is matplotlib's own
``matplotlib.testing.compare.compare_images``: the RMS of the per-pixel difference on a
0–255 scale must stay below ``TOLERANCE``. Re-rendering on the same machine gives 0;
``test_tolerance_catches_a_recoloured_curve`` shows that recolouring one curve, a change a
reader would notice, is far above it. After an intended change, regenerate the baselines with
``python tests/test_plotting_images.py`` and look at them before committing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.testing.compare import compare_images  # noqa: E402

import netsurv as ns  # noqa: E402
from netsurv.present.plotting import plot_forest  # noqa: E402

BASELINE = Path(__file__).parent / "baseline" / "plotting"
TOLERANCE = 2.0  # RMS on 0-255; antialiasing noise between FreeType builds stays below 1
DPI = 60


class _PFS:
    """RADIANT-4 progression-free survival (bundled reconstructed IPD) by arm, labelled so."""

    def __init__(self) -> None:
        df = ns.datasets.load_radiant4("pfs")
        self.fit = ns.kaplan_meier(df, time="time", event="event", by="arm", time_unit="months")

    def plot(self, ax=None, **kwargs):
        if kwargs.get("kind", "survival") == "survival":
            kwargs.setdefault("ylabel", "Progression-free survival")
        return self.fit.plot(ax, **kwargs)


def _pfs() -> _PFS:
    return _PFS()


def _many() -> pd.DataFrame:
    """14 small groups with deaths and censorings at fixed months (deterministic)."""
    t = np.tile(np.arange(1.0, 21), 14) * np.repeat(np.linspace(0.6, 2.0, 14), 20)
    dead = np.tile(np.arange(20) % 3 != 0, 14)
    return pd.DataFrame(
        {
            "survival_months": np.ceil(t),
            "dead": dead,
            "site": np.repeat([f"site {i:02d}" for i in range(14)], 20),
        }
    )


def _registry() -> pd.DataFrame:
    """Registry-sized groups: five-digit counts at risk over 20 years (seeded)."""
    rng = np.random.default_rng(7)
    n = 60_000
    death, cens = np.ceil(rng.exponential(120.0, n)), rng.integers(1, 241, n).astype(float)
    return pd.DataFrame(
        {
            "survival_months": np.minimum(death, cens),
            "dead": death <= cens,
            "extent": np.where(rng.random(n) < 0.7, "localized", "distant"),
        }
    )


def _competing() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 400
    t = np.ceil(rng.exponential(60.0, n))
    cause = rng.random(n) < 0.6
    dead = t < 120
    g = np.where(rng.random(n) < 0.5, "localized", "distant")
    return pd.DataFrame(
        {
            "survival_months": np.minimum(t, 120),
            "dead": dead,
            "cancer_death": np.where(dead, cause, pd.NA),
            "extent": g,
        }
    )


def _user_subplots() -> object:
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))  # no layout engine
    fit = _pfs()
    fit.plot(ax=left)
    fit.plot(ax=right, kind="event", at_risk=["n_at_risk", "n_events"])
    return fig


def _forest() -> object:
    frame = pd.DataFrame(
        {
            "label": ["grade", "    G1", "    G2", "    G3", "age (per year)"],
            "hr": [np.nan, 1.0, 1.8, 4.2, 1.03],
            "lower": [np.nan, np.nan, 1.5, 3.4, 1.02],
            "upper": [np.nan, np.nan, 2.2, 5.1, 1.04],
            "p_value": [np.nan, np.nan, 1e-5, 1e-9, 0.002],
            "reference": [False, True, False, False, False],
            "ph_p_value": [np.nan, np.nan, 0.02, 0.4, 0.7],
        }
    )
    return plot_forest(frame).figure


def _overlay() -> object:
    """Two single fits drawn one after the other on the current Axes (lifelines habit)."""
    df = ns.datasets.load_radiant4("pfs")
    plt.figure()
    for arm in ("everolimus", "placebo"):
        part = df[df["arm"] == arm]
        ns.kaplan_meier(time=part["time"], event=part["event"]).plot(labels=[arm])
    return plt.gcf()


CASES: dict[str, Callable[[], object]] = {
    "overlay": _overlay,
    "default": lambda: _pfs().plot().figure,
    "colors_linestyles": lambda: (
        _pfs().plot(colors={"placebo": "black"}, linestyles={"everolimus": "--"}).figure
    ),
    "palette_labels": lambda: (
        _pfs().plot(palette="Dark2", labels=["Everolimus", "Placebo"], ci=False).figure
    ),
    "time_max_break_every": lambda: _pfs().plot(time_max=18, break_every=3).figure,
    "kind_event": lambda: _pfs().plot(kind="event").figure,
    "kind_cumhaz": lambda: _pfs().plot(kind="cumhaz").figure,
    "median_pvalue": lambda: _pfs().plot(median=True, pvalue=True).figure,
    "risk_rows": lambda: _pfs().plot(at_risk=["n_at_risk", "n_censored", "n_events"]).figure,
    "no_ci_all_marks": lambda: _pfs().plot(ci=False, censor_ticks=True).figure,
    "years": lambda: ns.kaplan_meier(_registry(), by="extent").plot(time_unit="years").figure,
    "overlapping_ticks": lambda: (
        ns.kaplan_meier(_registry(), by="extent").plot(ticks=[0, 12, 36, 60, 120]).figure
    ),
    "fourteen_strata_facets": lambda: ns.kaplan_meier(_many(), by="site").plot(facet=7)[0].figure,
    "twelve_strata": lambda: (
        ns.kaplan_meier(_many().query("site < 'site 12'"), by="site")
        .plot(at_risk=False, ci=False)
        .figure
    ),
    "user_subplots": _user_subplots,
    "cif_lines": lambda: ns.cumulative_incidence(_competing(), by="extent").plot().figure,
    "cif_stacked": lambda: (
        ns.cumulative_incidence(_competing(), by="extent").plot(stacked=True)[0].figure
    ),
    "forest": _forest,
}


def render(name: str, path: Path) -> None:
    """Draw one case with matplotlib's default style and save it with a plain savefig."""
    plt.close("all")
    with plt.style.context("default"):
        fig = CASES[name]()
        fig.savefig(path, dpi=DPI)  # type: ignore[attr-defined]
    plt.close("all")


@pytest.mark.parametrize("name", sorted(CASES))
def test_plot_matches_its_baseline_image(name: str, tmp_path: Path) -> None:
    expected = BASELINE / f"{name}.png"
    assert expected.exists(), f"no baseline {expected}; run python {__file__} and look at it"
    actual = tmp_path / f"{name}.png"
    render(name, actual)
    result = compare_images(str(expected), str(actual), tol=TOLERANCE, in_decorator=True)
    assert result is None, f"{name}: RMS {result['rms']:.2f} > {TOLERANCE} (diff: {result['diff']})"  # type: ignore[index]


def test_tolerance_catches_a_recoloured_curve(tmp_path: Path) -> None:
    changed = tmp_path / "changed.png"
    plt.close("all")
    with plt.style.context("default"):
        _pfs().plot(colors={"placebo": "#009E73"}).figure.savefig(changed, dpi=DPI)
    plt.close("all")
    result = compare_images(
        str(BASELINE / "default.png"), str(changed), tol=TOLERANCE, in_decorator=True
    )
    assert result is not None and result["rms"] > 2 * TOLERANCE


if __name__ == "__main__":  # regenerate the baselines (then look at every one)
    BASELINE.mkdir(parents=True, exist_ok=True)
    for case in sys.argv[1:] or sorted(CASES):
        render(case, BASELINE / f"{case}.png")
        print(BASELINE / f"{case}.png")
