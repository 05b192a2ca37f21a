"""Draw the pictures of docs/gallery.md (one PNG per plot option) into docs/img/gallery/.

Run from the repository root: ``python docs/make_gallery.py`` (about a minute). Every figure is
saved with a plain ``fig.savefig(path, dpi=...)``: no ``bbox_inches="tight"``, so what you see
is what a user's own ``savefig`` gives. The ``before_*.png`` pictures were drawn with the same
calls by netsurv at commit 2d40960 (before issue 17), on the registry bundled now (after its
final recalibration; ``before_forest.png`` from the rows ``cox_forest`` selects with the current
classification, so that only the drawing differs), and are kept as they were.

``DOCS`` draws the figures of docs/reporting.md and the README into docs/img/ the same way
(``python docs/make_gallery.py km_extent`` draws one of them).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import netsurv as ns  # noqa: E402

IMG = Path(__file__).resolve().parent / "img"
OUT = IMG / "gallery"
DPI = 80


@functools.cache
def df():
    """The bundled synthetic registry (100,000 simulated tumours), read once."""
    return ns.datasets.load_synthetic_registry()


def by_extent():
    return ns.kaplan_meier(df(), by="extent")


def pfs():
    data = ns.datasets.load_radiant4("pfs")
    return ns.kaplan_meier(data, time="time", event="event", by="arm", time_unit="months")


def user_subplots():
    fig, ax = plt.subplots()  # matplotlib's default figure: no layout engine
    by_extent().plot(ax=ax)
    return fig


def xlim_after():
    ax = by_extent().plot(time_unit="years")
    ax.set_xlim(0, 10)
    return ax.figure


def four_sites_by_extent():
    sites = ["small intestine", "pancreas", "lung", "rectum"]
    data = df()[df()["site_group"].isin(sites)].copy()
    data["site_group"] = data["site_group"].cat.remove_unused_categories()
    data = data[data["extent"] != "unknown"]
    data["extent"] = data["extent"].cat.remove_unused_categories()
    fit = ns.kaplan_meier(data, by=["site_group", "extent"])
    return fit.plot(facet="site_group", time_unit="years")[0].figure


def cox_forest():
    data = df().sample(20_000, random_state=1)
    data = data[(data["grade"] != "unknown") & (data["extent"] != "unknown")].copy()
    for col in ("grade", "extent"):
        data[col] = data[col].cat.remove_unused_categories()
    return ns.cox(data, covariates=["grade", "extent", "age_dx"]).plot().figure


def overlay():
    """Two single fits drawn one after the other on the current Axes (lifelines habit)."""
    data = ns.datasets.load_radiant4("pfs")
    plt.figure()
    for arm in ("everolimus", "placebo"):
        part = data[data["arm"] == arm]
        fit = ns.kaplan_meier(time=part["time"], event=part["event"], time_unit="months")
        fit.plot(labels=[arm], ylabel="Progression-free survival")
    return plt.gcf()


def lifelines_same_data():
    """The default lifelines figure of the same fit, for the comparison."""
    from lifelines import KaplanMeierFitter
    from lifelines.plotting import add_at_risk_counts

    data = df()[df()["exclusion"].isna()]
    fig, ax = plt.subplots()
    fitters = []
    for extent in ["localized", "regional", "distant", "unknown"]:
        part = data[data["extent"] == extent]
        kmf = KaplanMeierFitter().fit(part["survival_months"], part["dead"], label=extent)
        kmf.plot_survival_function(ax=ax)
        fitters.append(kmf)
    add_at_risk_counts(*fitters, ax=ax)
    fig.tight_layout()
    return fig


def twelve_sites():
    """The 12 most frequent primary sites: labels without fixed colours (12 colours × styles)."""
    data = df()[df()["exclusion"].isna()]
    top = data["site_detail"].value_counts().index[:12]
    data = data[data["site_detail"].isin(top)].copy()
    data["site_detail"] = data["site_detail"].astype(str)
    fit = ns.kaplan_meier(data, by="site_detail")
    return fit.plot(time_unit="years", title="12 strata: colour and line style both vary").figure


def four_sites_by_grade():
    sites = ["lung", "small intestine", "rectum", "pancreas"]
    data = df()[df()["site_group"].isin(sites)].copy()
    data["site_group"] = data["site_group"].cat.remove_unused_categories()
    fit = ns.kaplan_meier(data, by=["site_group", "grade"])
    return fit.plot(facet="site_group", time_unit="years", suppress_below=16)[0].figure


def cox_four_covariates():
    data = df().sample(20_000, random_state=1)
    data = data[(data["grade"] != "unknown") & (data["extent"] != "unknown")].copy()
    for col in ("grade", "extent", "site_group"):
        data[col] = data[col].cat.remove_unused_categories()
    return ns.cox(data, covariates=["grade", "extent", "age_dx", "site_group"]).plot().figure


DOCS: dict[str, Callable[[], object]] = {
    "km_extent": lambda: by_extent().plot().figure,
    "km_12_strata": twelve_sites,
    "km_facet_site_grade": four_sites_by_grade,
    "forest_cox": cox_four_covariates,
}

CASES: dict[str, Callable[[], object]] = {
    "after_default": lambda: by_extent().plot().figure,
    "after_user_subplots": user_subplots,
    "after_ticks": lambda: by_extent().plot(ticks=[0, 12, 36, 60, 120]).figure,
    "after_sites": lambda: ns.kaplan_meier(df(), by="site_group").plot().figure,
    "after_xlim": xlim_after,
    "colors": lambda: by_extent().plot(colors={"distant": "black", "unknown": "#BBBBBB"}).figure,
    "palette_labels_linestyles": lambda: (
        pfs()
        .plot(
            palette="Dark2",
            labels={"everolimus": "Everolimus", "placebo": "Placebo"},
            linestyles=["-", ":"],
            ylabel="Progression-free survival",
        )
        .figure
    ),
    "time_max_break_every": lambda: (
        by_extent().plot(time_unit="years", time_max=10, break_every=2).figure
    ),
    "kind_event": lambda: by_extent().plot(kind="event", time_unit="years").figure,
    "kind_cumhaz": lambda: by_extent().plot(kind="cumhaz", time_unit="years").figure,
    "median_pvalue": lambda: (
        pfs().plot(median=True, pvalue=True, ylabel="Progression-free survival").figure
    ),
    "risk_rows": lambda: (
        pfs()
        .plot(at_risk=["n_at_risk", "n_censored", "n_events"], ylabel="Progression-free survival")
        .figure
    ),
    "facet_column": four_sites_by_extent,
    "facet_count": lambda: (
        ns.kaplan_meier(df(), by="site_group").plot(facet=6, time_unit="years")[0].figure
    ),
    "cif_lines": lambda: ns.cumulative_incidence(df(), by="extent").plot(time_unit="years").figure,
    "cif_stacked": lambda: (
        ns.cumulative_incidence(df(), by="extent").plot(stacked=True, time_unit="years")[0].figure
    ),
    "after_forest": cox_forest,
    "overlay": overlay,
    "lifelines_add_at_risk_counts": lifelines_same_data,
}


def main(names: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names or [*CASES, *DOCS]:
        plt.close("all")
        fig = CASES[name]() if name in CASES else DOCS[name]()
        path = (OUT if name in CASES else IMG) / f"{name}.png"
        fig.savefig(path, dpi=DPI if name in CASES else 90)  # type: ignore[attr-defined]
        plt.close("all")
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
