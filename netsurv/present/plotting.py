"""Survival curves with a number-at-risk table; forest plots of hazard ratios.

Plots draw one thing, take ``ax=None`` and return what they drew on; matplotlib is imported
only when a plot is made. ``ax=None`` draws on the current Axes when a figure is open (as
``plt.plot`` does) and otherwise makes a figure sized for the risk table. The table lives
inside each Axes (:mod:`netsurv.present.atrisk`) and is saved with any figure.

Every element of a curve — line, band, censoring marks, median line, risk-table row, legend —
takes its colour and style from one list (:mod:`netsurv.present.plotstyle`): recolour with
``colors=``/``palette=``/``linestyles=`` and everything follows. One panel is drawn by
:mod:`netsurv.present.survpanel`, a grid of panels by :mod:`netsurv.present.facets`.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from netsurv.errors import InputError
from netsurv.present import atrisk, curvelines, timeaxis
from netsurv.present.cifplot import plot_cumulative_incidence
from netsurv.present.facets import draw_facets
from netsurv.present.forest import plot_forest
from netsurv.present.plotstyle import (
    CATEGORY_COLOURS,
    resolve_labels,
    resolve_styles,
    style_for,
)
from netsurv.present.survpanel import draw_single, label_tuples

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from netsurv.results.curves import SurvivalCurves

__all__ = [
    "CATEGORY_COLOURS",
    "check_keywords",
    "default_ticks",
    "plot_cumulative_incidence",
    "plot_forest",
    "plot_survival",
    "risk_table",
    "style_for",
]


def risk_table(
    curves: SurvivalCurves, ticks: Sequence[float], *, time_unit: str | None = None
) -> pd.DataFrame:
    """Number at risk per stratum at each tick (ticks in ``time_unit``, default the fit's).

    Columns: the by-columns, ``time`` (in ``time_unit``), ``n_at_risk`` =
    ``curves.at(ticks × unit factor)["n_at_risk"]`` (subjects still under follow-up at the
    tick, time ≥ tick, as R's ``summary(fit, times=)``), and ``n_censored``/``n_events``
    cumulative from the start through the tick (the optional rows of the plotted table).
    """
    factor, _ = timeaxis.scale(curves.time_unit, time_unit)
    t = np.asarray(ticks, dtype=np.float64)
    at = curves.at(t * factor)
    out = at[[*curves.by, "n_at_risk"]].copy()
    out.insert(len(curves.by), "time", np.tile(t, len(curves.strata)))
    more = atrisk.risk_counts(curves, t * factor, ["n_censored", "n_events"])
    for row, values in more.items():
        out[row] = values.ravel()
    return out


def plot_survival(
    curves: SurvivalCurves,
    ax: Axes | None = None,
    *,
    kind: curvelines.Kind = "survival",
    at_risk: bool | Sequence[str] = True,
    ci: bool = True,
    censor_ticks: bool | Literal["auto"] = "auto",
    colors: Any = None,
    palette: str | Sequence[str] | None = None,
    linestyles: Any = None,
    labels: Any = None,
    xlim: tuple[float, float] | None = None,
    time_max: float | None = None,
    ticks: Sequence[float] | None = None,
    break_every: float | None = None,
    time_unit: str | None = None,
    median: bool = False,
    pvalue: Any = False,
    facet: str | int | None = None,
    suppress_below: int = 0,
    legend: bool = True,
    title: str | None = None,
    ylabel: str | None = None,
) -> Any:
    """Survival curves with CI bands and a number-at-risk table.

    Parameters
    ----------
    curves : a :class:`netsurv.results.SurvivalCurves` (e.g. ``netsurv.kaplan_meier(...)``).
    ax : Axes to draw on. None draws on the current Axes when a figure is open (like
        ``plt.plot``; lifelines' ``plot`` does the same), else on a new figure sized for
        the risk table.
    kind : ``"survival"`` (S), ``"event"`` (1 − S, cumulative event probability) or
        ``"cumhaz"`` (−log S); bands are transformed with the curve.
    at_risk : the table under the x-axis: True (number at risk), False, or a list of rows
        among ``"n_at_risk"``, ``"n_censored"``, ``"n_events"`` (censored and events are
        cumulative through each tick, as lifelines and survminer print them). Numbers at
        risk equal ``curves.at(ticks)["n_at_risk"]`` (see :func:`risk_table`). Columns
        whose numbers would overlap their left neighbour, or that fall outside the x-limits
        (also after ``ax.set_xlim``), are left out when the figure is drawn.
        A figure without a layout engine gets matplotlib's constrained layout so that a
        plain ``fig.savefig(path)`` keeps the table (``fig.subplots_adjust`` then has no
        effect; draw with ``at_risk=False`` to keep your own margins). Another fit drawn on
        the same Axes adds its rows below, with the next colour and line style.
    ci : shade the pointwise confidence band.
    censor_ticks : mark censoring times; ``"auto"`` (default) marks them only on curves with
        at most 150 distinct censoring times (registry curves censored every month would
        turn into a thick band).
    colors, linestyles : one per curve, or a dict keyed by the curve's label (e.g.
        ``{"distant": "black"}``); bands, marks, median lines and the risk table follow.
    palette : a list of colours or a matplotlib colormap name (``"tab10"``, ``"Dark2"``)
        replacing the default colours in curve order.
    labels : legend and risk-table names, one per curve or a dict by label.
    xlim, time_max : x-axis range ``(left, right)`` or just its right end, in ``time_unit``;
        ticks and risk-table columns stay inside it.
    ticks, break_every : tick positions (the risk-table columns), or the step between them
        (``break_every=12`` gives 0, 12, 24, …). Default: every 12 months (or a multiple)
        for month data, "nice" numbers otherwise.
    time_unit : axis unit, e.g. ``"years"`` for a fit in months (times divided by 12).
    median : dashed lines at S = 0.5 to each median survival time and down to the axis.
    pvalue : True prints the log-rank p between the curves drawn (Kaplan–Meier fits; "unknown"
        included, groups hidden by ``suppress_below`` left out, no p when fewer than two are
        drawn); or give a number or a test result with ``p_value``.
    facet : one of the fit's ``by`` columns (one panel per value, e.g. ``"site_group"`` of a
        fit ``by=["site_group", "extent"]``), or an integer n (panels of n curves each).
        A single panel holds at most 12 distinguishable curves; more warn and ask for this.
    suppress_below : small-count suppression (0 = off; the report uses 16): curves of groups
        with fewer cases are not drawn (a note names them) and risk-table counts from 1 to
        ``suppress_below − 1`` print as ``<16``.
    legend, title, ylabel : legend with n per group; optional title; y label (default: the
        fit's measure, or the transformed scale's name).

    Returns
    -------
    matplotlib.axes.Axes, or with ``facet`` a 1-D numpy array of Axes (one per panel, in
    category order; their figure is ``axes[0].figure``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import netsurv as ns
    >>> fit = ns.kaplan_meier(ns.datasets.load_radiant4("pfs"), time="time", event="event",
    ...                       by="arm", time_unit="months")
    >>> ax = plot_survival(fit, ticks=[0, 6, 12, 18, 24])
    >>> drawn = [t.get_text() for t in ax.texts if t.get_gid() == "risk-0"]  # everolimus row
    >>> drawn == [str(n) for n in fit.at([0, 6, 12, 18, 24])["n_at_risk"].iloc[:5].astype(int)]
    True
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    if kind not in ("survival", "event", "cumhaz"):
        raise InputError(f"kind={kind!r}: choose 'survival', 'event' or 'cumhaz'")
    if facet is not None and pvalue is not False and pvalue is not None:
        raise InputError("pvalue with facet: test each panel with ns.logrank and annotate it")
    opts = _options(curves, time_unit, xlim, time_max, ticks, break_every)
    opts.update(
        ci=ci,
        legend=legend,
        censor_ticks=censor_ticks,
        rows=atrisk.table_rows(at_risk),
        suppress_below=int(suppress_below),
        kind=kind,
        median=median,
        pvalue=curvelines.pvalue_text(curves, pvalue, int(suppress_below)),  # None with facet
        ylabel=ylabel
        or curvelines.KIND_LABELS.get(kind, curves.measure[0].upper() + curves.measure[1:]),
    )
    labels_t = label_tuples(curves)
    styles = resolve_styles(labels_t, colors=colors, palette=palette, linestyles=linestyles)
    names = resolve_labels(labels_t, labels)
    if facet is not None:
        return draw_facets(curves, ax, facet, labels_t, styles, names, opts, title)
    drawn = draw_single(
        curves,
        ax,
        styles,
        names,
        opts,
        restyle=colors is None and palette is None and linestyles is None,
        share=xlim is None and time_max is None and ticks is None and break_every is None,
    )
    if title:
        drawn.set_title(title, loc="left", fontsize=11)
    return drawn


def default_ticks(curves: SurvivalCurves, *, time_unit: str | None = None) -> np.ndarray:
    """The ticks — and risk-table columns — ``plot_survival(curves, time_unit=...)`` draws
    when no ``xlim``, ``time_max``, ``ticks`` or ``break_every`` is given, in ``time_unit``."""
    return np.asarray(_options(curves, time_unit, None, None, None, None)["ticks"])


def _options(
    curves: SurvivalCurves,
    time_unit: str | None,
    xlim: Any,
    time_max: float | None,
    ticks: Any,
    break_every: float | None,
) -> dict[str, Any]:
    """The time axis in display units: unit factor, window and ticks (the risk-table columns)."""
    factor, unit = timeaxis.scale(curves.time_unit, time_unit)
    start = float(curves.start_time) / factor
    tmax = float(np.nanmax(curves.last_time)) / factor if len(curves.time) else start + 1.0
    lo, hi, given = timeaxis.window(start, tmax, xlim, time_max)
    return dict(
        factor=factor,
        unit=unit,
        ticks=timeaxis.tick_array(ticks, break_every, lo, hi, unit),
        lo=lo,
        hi=hi,
        given=given,
    )


# lifelines' plot keywords and what netsurv calls them
LIFELINES_NAMES = {
    "ci_show": "ci",
    "show_censors": "censor_ticks",
    "at_risk_counts": "at_risk",
    "label": "labels",
    "color": "colors",
    "c": "colors",
    "linestyle": "linestyles",
    "ls": "linestyles",
    "loc": "xlim",
    "iloc": "xlim",
}


def check_keywords(kwargs: dict[str, Any], function: Any = None) -> None:
    """InputError for a keyword ``plot_survival`` does not take, naming the one it does."""
    allowed = inspect.signature(function or plot_survival).parameters
    for name in kwargs:
        if name in allowed:
            continue
        if name in LIFELINES_NAMES:
            hint = f"; lifelines calls it {name}=, netsurv {LIFELINES_NAMES[name]}="
        else:
            close = difflib.get_close_matches(name, list(allowed), n=1)
            hint = f"; did you mean {close[0]}=?" if close else ""
        raise InputError(f"plot: no option {name}={kwargs[name]!r}{hint}")
