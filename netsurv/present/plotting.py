"""Kaplan–Meier figures with a number-at-risk table, and forest plots of hazard ratios.

Plots draw one thing, take ``ax=None`` and return what they drew on; matplotlib is imported
only when a plot is made. The number-at-risk table is drawn *inside* each Axes, below its
x-axis, with x in data coordinates: its columns sit exactly under the tick marks, it survives
subplots and facets, and the figure saves with the usual ``fig.savefig`` (PNG/SVG/PDF). The
numbers are :func:`risk_table`, also available as a DataFrame.

Colours are fixed per category so a figure means the same thing everywhere: good → poor
prognosis runs blue → orange → vermillion (Okabe–Ito, safe for the common colour-vision
deficiencies), "unknown" is grey. Other labels cycle through 9 colours combined with four
line styles, so up to 36 curves differ in colour and style.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from netsurv.errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from netsurv.results.curves import SurvivalCurves

__all__ = ["CATEGORY_COLOURS", "plot_forest", "plot_survival", "risk_table", "style_for"]

# Okabe & Ito (2008) "Color Universal Design"; grey for unknown.
BLUE, SKY, GREEN, ORANGE, VERMILLION, PURPLE, GREY = (
    "#0072B2",
    "#56B4E9",
    "#009E73",
    "#E69F00",
    "#D55E00",
    "#CC79A7",
    "#8C8C8C",
)
CATEGORY_COLOURS: dict[str, str] = {
    "in situ": GREEN,
    "localized": BLUE,
    "regional": ORANGE,
    "distant": VERMILLION,
    "G1": BLUE,
    "G2": ORANGE,
    "G3": VERMILLION,
    "well": BLUE,
    "poor": VERMILLION,
    "NET": BLUE,
    "NEC": VERMILLION,
    "MiNEN": PURPLE,
    "other NEN": SKY,
    "unknown": GREY,
}
# Other labels: Okabe–Ito (yellow left out: too light on white) then Paul Tol's "muted"
# indigo, wine and olive (https://personal.sron.nl/~pault/), in an order that keeps
# neighbouring curves far apart.
CYCLE = (BLUE, VERMILLION, GREEN, ORANGE, PURPLE, "#000000", SKY, "#882255", "#999933")
LINESTYLES = ("-", "--", "-.", ":")
AUTO_CENSOR_MARKS = 150
_DIVISORS = {("months", "years"): 12.0, ("days", "years"): 365.25, ("days", "months"): 30.4375}


def style_for(labels: Sequence[tuple[str, ...]]) -> list[tuple[str, str]]:
    """(colour, line style) per stratum label tuple.

    When every value of the last grouping column has a fixed colour (extent, grade, ...), it
    sets the colour and the other columns set the line style; otherwise colour and style
    cycle together (9 colours × 4 styles: consecutive curves differ in both).
    """
    last = [lab[-1] if lab else "" for lab in labels]
    rest = [lab[:-1] for lab in labels]
    kinds = list(dict.fromkeys(rest))
    if labels and all(v in CATEGORY_COLOURS for v in last) and len(kinds) <= len(LINESTYLES):
        return [
            (CATEGORY_COLOURS[v], LINESTYLES[kinds.index(r)])
            for v, r in zip(last, rest, strict=True)
        ]
    return [(CYCLE[i % 9], LINESTYLES[i % 4]) for i in range(len(labels))]


def _scale(curves: SurvivalCurves, time_unit: str | None) -> tuple[float, str]:
    unit = curves.time_unit or "time"
    if time_unit is None or time_unit == unit:
        return 1.0, unit
    if (unit, time_unit) not in _DIVISORS:
        raise InputError(
            f"time_unit={time_unit!r}: cannot convert the fit's {unit!r} to it; "
            "choose 'months' or 'years' for month data, 'days', 'months' or 'years' for days"
        )
    return _DIVISORS[unit, time_unit], time_unit


def _default_ticks(tmax: float, unit: str) -> np.ndarray:
    if unit == "months" and tmax >= 24:
        step = next((s for s in (6, 12, 24, 36, 48, 60, 120) if tmax / s <= 10), 120)
        return np.arange(0, tmax + 1e-9, step, dtype=np.float64)
    from matplotlib.ticker import MaxNLocator

    locator = MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10], integer=unit == "years")
    ticks = np.asarray(locator.tick_values(0, tmax), dtype=np.float64)
    return np.asarray(ticks[(ticks >= 0) & (ticks <= tmax * 1.0001)], dtype=np.float64)


def risk_table(
    curves: SurvivalCurves, ticks: Sequence[float], *, time_unit: str | None = None
) -> pd.DataFrame:
    """Number at risk per stratum at each tick (ticks in ``time_unit``, default the fit's).

    Columns: the by-columns, ``time`` (in ``time_unit``) and ``n_at_risk`` =
    ``curves.at(ticks × unit factor)["n_at_risk"]``: subjects still under follow-up at the
    tick (time ≥ tick), the same numbers R's ``summary(fit, times=)`` prints.
    """
    factor, _ = _scale(curves, time_unit)
    t = np.asarray(ticks, dtype=np.float64)
    at = curves.at(t * factor)
    out = at[[*curves.by, "n_at_risk"]].copy()
    out.insert(len(curves.by), "time", np.tile(t, len(curves.strata)))
    return out


def _labels(curves: SurvivalCurves) -> list[tuple[str, ...]]:
    if not curves.by:
        return [("all",)]
    return [tuple(str(v) for v in row) for row in curves.strata.itertuples(index=False)]


def _count_text(n: float, suppress_below: int) -> str:
    if 0 < n < suppress_below:
        return f"<{suppress_below}"
    return f"{n:,.0f}"


def _draw_curve(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    cens: np.ndarray,
    colour: str,
    style: str,
    label: str,
    ci: bool,
    censor_ticks: bool | str,
) -> None:
    ax.plot(
        x,
        y,
        drawstyle="steps-post",
        color=colour,
        linestyle=style,
        linewidth=1.6,
        label=label,
        gid="curve",
    )
    if ci:
        with np.errstate(invalid="ignore"):
            band_lo = np.where(np.isnan(lo) & (y == 1), 1.0, lo)
            band_hi = np.where(np.isnan(hi) & (y == 1), 1.0, hi)
        ax.fill_between(
            x, band_lo, band_hi, step="post", color=colour, alpha=0.13, linewidth=0, gid="ci"
        )
    if censor_ticks == "auto":
        censor_ticks = int(cens.sum()) <= AUTO_CENSOR_MARKS
    if censor_ticks and cens.any():
        ax.plot(
            x[cens],
            y[cens],
            linestyle="none",
            marker="|",
            markersize=5,
            color=colour,
            markeredgewidth=1.0,
            gid="censor",
        )


def _draw_table(
    ax: Axes,
    ticks: np.ndarray,
    rows: list[tuple[str, np.ndarray, tuple[str, str]]],
    suppress_below: int,
    top: float = 42.0,
    step: float = 11.5,
) -> None:
    """Risk table below the x-axis: x in data coordinates, y in points below the axes.

    Each row starts with its label and a short sample of the curve's line (colour and style),
    ending ``gap`` points left of the axes, clear of a centred count at x = 0.
    """
    from matplotlib.lines import Line2D
    from matplotlib.transforms import ScaledTranslation

    first = ax.get_xlim()[0]
    widest = max((len(_count_text(r[1][0], suppress_below)) for r in rows), default=1)
    gap = 6.0 + (2.6 * widest if np.isclose(ticks[0], first) else 0.0)
    xform = ax.get_xaxis_transform()  # x: data, y: axes fraction
    fig: Any = ax.get_figure(root=True)
    axes_origin: Any = ax.transAxes
    origin = fig.dpi_scale_trans + ScaledTranslation(0, 0, axes_origin)  # inches from (0, 0)
    ax.annotate(
        "Number at risk",
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(-gap, -top),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=8.5,
        fontweight="bold",
        gid="risk-title",
    )
    for i, (label, counts, (colour, style)) in enumerate(rows):
        y = -top - step * (i + 1)
        ax.annotate(
            label,
            xy=(0, 0),
            xycoords="axes fraction",
            xytext=(-gap - 22, y),
            textcoords="offset points",
            ha="right",
            va="top",
            fontsize=8,
            color=colour,
            gid=f"risk-label-{i}",
        )
        sample = Line2D(
            np.array([-gap - 19, -gap - 3]) / 72,
            np.full(2, (y - 4.5) / 72),
            transform=origin,
            color=colour,
            linestyle=style,  # type: ignore[arg-type]
            linewidth=1.4,
            clip_on=False,
            gid=f"risk-line-{i}",
        )
        ax.add_artist(sample)
        for x, n in zip(ticks, counts, strict=True):
            ax.annotate(
                _count_text(n, suppress_below),
                xy=(x, 0),
                xycoords=xform,
                xytext=(0, y),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=8,
                color=colour,
                gid=f"risk-{i}",
            )


def _panel(
    ax: Axes,
    curves: SurvivalCurves,
    idx: Sequence[int],
    styles: list[tuple[str, str]],
    labels: list[str],
    opts: dict[str, Any],
) -> None:
    factor, unit, ticks = opts["factor"], opts["unit"], opts["ticks"]
    threshold = opts["suppress_below"]
    offsets = np.searchsorted(curves.stratum, np.arange(len(curves.strata) + 1))
    shown = [s for s in idx if curves.n[s] >= threshold]
    hidden = [labels[s] for s in idx if curves.n[s] < threshold]
    for s in shown:
        sl = slice(offsets[s], offsets[s + 1])
        x = np.r_[curves.start_time, curves.time[sl]] / factor
        y = np.r_[1.0, curves.survival[sl]]
        lo, hi = np.r_[np.nan, curves.lower[sl]], np.r_[np.nan, curves.upper[sl]]
        cens = np.r_[False, curves.n_censored[sl] > 0]
        colour, style = styles[s]
        _draw_curve(
            ax,
            x,
            y,
            lo,
            hi,
            cens,
            colour,
            style,
            f"{labels[s]} (n={curves.n[s]:,.0f})",
            opts["ci"],
            opts["censor_ticks"],
        )
    ax.set_xticks(ticks)
    ax.set_xlim(ticks[0], max(ticks[-1], opts["tmax"]) * 1.01)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"Time ({unit})")
    ax.set_ylabel(opts["ylabel"])
    ax.grid(True, color="#e6e6e6", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if opts["legend"] and shown:
        outside = len(shown) > 6
        leg = ax.legend(
            title=opts.get("legend_title", ", ".join(curves.by)) or None,
            fontsize=8,
            title_fontsize=8.5,
            frameon=False,
            loc="upper left" if outside else "best",
            bbox_to_anchor=(1.01, 1.0) if outside else None,
            handlelength=2.8,
        )
        leg.set_gid("legend")
    if hidden:
        ax.annotate(
            f"Not shown (fewer than {threshold} cases): {', '.join(hidden)}",
            xy=(0, 1),
            xycoords="axes fraction",
            xytext=(0, 4),
            textcoords="offset points",
            fontsize=7.5,
            color="#555555",
            gid="suppressed-note",
        )
    if opts["at_risk"] and shown:
        table = curves.at(ticks * factor)["n_at_risk"].to_numpy().reshape(len(curves.strata), -1)
        rows = [(labels[s], table[s], styles[s]) for s in shown]
        _draw_table(ax, ticks, rows, threshold)


def plot_survival(
    curves: SurvivalCurves,
    ax: Axes | None = None,
    *,
    at_risk: bool = True,
    ci: bool = True,
    censor_ticks: bool | Literal["auto"] = True,
    facet: str | None = None,
    time_unit: str | None = None,
    ticks: Sequence[float] | None = None,
    suppress_below: int = 0,
    legend: bool = True,
    title: str | None = None,
    ylabel: str | None = None,
) -> Any:
    """Kaplan–Meier (or relative) survival curves with CI bands and a number-at-risk table.

    Parameters
    ----------
    curves : a :class:`netsurv.results.curves.SurvivalCurves` (e.g. ``netsurv.estimators.kaplan_meier(...)``).
    ax : Axes to draw on; None makes a new figure sized for the risk table.
    at_risk : draw the number at risk under the x-axis, one row per curve, one column per
        tick; the numbers equal ``curves.at(ticks)["n_at_risk"]`` (see :func:`risk_table`).
        With frequency weights they count the subjects the weights stand for.
    ci : shade the pointwise confidence band. ``censor_ticks``: mark censoring times; "auto"
        marks them only on curves with at most 150 distinct censoring times (registry curves
        with a censoring in every month turn into a thick band otherwise).
    facet : one of the fit's ``by`` columns: one panel per value (e.g. ``"site_group"`` for a
        fit ``by=["site_group", "extent"]``), each with its own risk table; colours keep their
        meaning across panels. Cannot be combined with ``ax``.
    time_unit : axis unit, e.g. ``"years"`` for a fit in months (times divided by 12).
    ticks : x tick positions in ``time_unit`` (the risk table follows them); default every
        12 months (or a multiple) for month data, "nice" numbers otherwise.
    suppress_below : small-count suppression (0 = off; the report uses 16): curves of groups
        with fewer cases are not drawn (a note names them) and risk-table counts from 1 to
        ``suppress_below − 1`` print as ``<16``.
    legend, title, ylabel : legend with n per group; optional title; y label (default: the
        fit's measure).

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
    """
    factor, unit = _scale(curves, time_unit)
    tmax = float(np.nanmax(curves.last_time)) / factor if len(curves.time) else 1.0
    tick_arr = (
        np.asarray(ticks, dtype=np.float64) if ticks is not None else _default_ticks(tmax, unit)
    )
    if tick_arr.ndim != 1 or tick_arr.size == 0 or np.isnan(tick_arr).any():
        raise InputError(f"ticks={ticks!r}: give a list of times such as [0, 12, 24, 36]")
    labels_t = _labels(curves)
    styles = style_for(labels_t)
    opts = dict(
        factor=factor,
        unit=unit,
        ticks=tick_arr,
        tmax=tmax,
        ci=ci,
        legend=legend,
        censor_ticks=censor_ticks,
        at_risk=at_risk,
        suppress_below=int(suppress_below),
        ylabel=ylabel or curves.measure[0].upper() + curves.measure[1:],
    )
    k = len(curves.strata)
    if facet is None:
        labels = [", ".join(lab) for lab in labels_t]
        if ax is None:
            import matplotlib.pyplot as plt

            height = 4.2 + (0.17 * (k + 1) + 0.5 if at_risk else 0.0)
            _, ax = plt.subplots(figsize=(9.5 if k > 6 else 6.8, height), layout="constrained")
        _panel(ax, curves, range(k), styles, labels, opts)
        if title:
            ax.set_title(title, loc="left", fontsize=11)
        return ax
    return _facets(curves, ax, facet, labels_t, styles, opts, title)


def _facets(
    curves: SurvivalCurves,
    ax: Any,
    facet: str,
    labels_t: list[tuple[str, ...]],
    styles: list[tuple[str, str]],
    opts: dict[str, Any],
    title: str | None,
) -> Any:
    if ax is not None:
        raise InputError("facet: draws its own grid of panels; leave ax=None")
    if facet not in curves.by:
        raise InputError(
            f"facet={facet!r}: not a grouping column of the fit (by={list(curves.by)}); "
            f"fit with by=[{facet!r}, ...] first"
        )
    import matplotlib.pyplot as plt

    j = curves.by.index(facet)
    values = list(dict.fromkeys(lab[j] for lab in labels_t))
    rest = [tuple(v for i, v in enumerate(lab) if i != j) for lab in labels_t]
    if all(rest):  # colours by the remaining columns, same in every panel
        keys = list(dict.fromkeys(rest))
        per_key = dict(zip(keys, style_for(keys), strict=True))
        styles = [per_key[r] for r in rest]
    labels = [", ".join(r) or "all" for r in rest]
    opts = {**opts, "legend_title": ", ".join(c for c in curves.by if c != facet)}
    ncol = min(3, int(np.ceil(np.sqrt(len(values)))))
    nrow = -(-len(values) // ncol)
    per = max(sum(1 for lab in labels_t if lab[j] == v) for v in values)
    height = 3.4 + (0.17 * (per + 1) + 0.5 if opts["at_risk"] else 0.0)
    fig, grid = plt.subplots(
        nrow, ncol, figsize=(5.4 * ncol, height * nrow), squeeze=False, layout="constrained"
    )
    axes = grid.ravel()
    for panel, value in zip(axes, values, strict=False):
        idx = [s for s, lab in enumerate(labels_t) if lab[j] == value]
        _panel(panel, curves, idx, styles, labels, opts)
        panel.set_title(f"{facet} = {value}", loc="left", fontsize=10)
    for extra in axes[len(values) :]:
        extra.set_visible(False)
    if title:
        fig.suptitle(title)
    return axes[: len(values)]


def plot_forest(
    result: Any, ax: Axes | None = None, *, ph: bool = True, title: str | None = None
) -> Axes:
    """Forest plot of hazard ratios with CIs (log scale), with the PH test beside each row.

    Parameters
    ----------
    result : a :func:`netsurv.estimators.cox` result, or a DataFrame with columns ``label``, ``hr``,
        ``lower``, ``upper`` (and optionally ``p_value``, ``ph_p_value``, ``reference``).
    ax : Axes to draw on, or None for a new figure.
    ph : print the proportional-hazards test p-value (Schoenfeld residuals) of each row.

    Returns
    -------
    matplotlib.axes.Axes (the rows are drawn top-down; reference levels show as "reference").
    """
    frame = result.forest_frame() if hasattr(result, "forest_frame") else pd.DataFrame(result)
    missing = {"label", "hr", "lower", "upper"} - set(frame.columns)
    if missing:
        raise InputError(
            f"plot_forest: missing columns {sorted(missing)} (label, hr, lower, upper)"
        )
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8.5, 0.9 + 0.3 * len(frame)), layout="constrained")
    n = len(frame)
    y = np.arange(n)[::-1].astype(float)
    ref = frame.get("reference", pd.Series(False, index=frame.index)).fillna(False).to_numpy(bool)
    est = ~ref & frame["hr"].notna().to_numpy()
    hr, lo, hi = (frame[c].to_numpy(dtype=float) for c in ("hr", "lower", "upper"))
    ax.errorbar(
        hr[est],
        y[est],
        xerr=[hr[est] - lo[est], hi[est] - hr[est]],
        fmt="s",
        color=BLUE,
        ecolor=BLUE,
        markersize=5,
        capsize=0,
        linewidth=1.4,
        gid="hr",
    )
    ax.plot(
        np.ones(ref.sum()),
        y[ref],
        linestyle="none",
        marker="D",
        markersize=4,
        markerfacecolor="white",
        color=GREY,
        gid="reference",
    )
    ax.axvline(1.0, color="#444444", linewidth=0.8, linestyle="--")
    ax.set_xscale("log")
    ax.set_yticks(y, frame["label"].astype(str).tolist())
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel("Hazard ratio (log scale)")
    ax.grid(True, axis="x", color="#e6e6e6", linewidth=0.6)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    span = np.r_[lo[est], hi[est], hr[est], 1.0]
    left, right = np.nanmin(span) / 1.25, np.nanmax(span) * 1.25
    ax.set_xlim(left, right)
    grid = 2.0 ** np.arange(-8, 9)  # 1/256 ... 256: doublings read naturally as HRs
    ax.xaxis.set_major_locator(FixedLocator(grid[(grid >= left) & (grid <= right)]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_locator(NullLocator())
    for tick, is_head in zip(ax.get_yticklabels(), ~ref & ~est, strict=True):
        tick.set_fontweight("bold" if is_head else "normal")
    show_ph = ph and "ph_p_value" in frame
    columns = [(12.0, "HR (95% CI)")] + ([(110.0, "PH p")] if show_ph else [])
    for dx, head in columns:  # text columns right of the axes, placed in points
        _note(ax, 1.0, n - 0.4, dx, head, fontweight="bold", va="bottom", gid="forest-head")
    for i in range(n):
        text = (
            "reference" if ref[i] else (f"{hr[i]:.2f} ({lo[i]:.2f}–{hi[i]:.2f})" if est[i] else "")
        )
        _note(ax, 1.0, y[i], 12.0, text, va="center", gid="hr-text")
        php = frame["ph_p_value"].iloc[i] if show_ph else np.nan
        if show_ph and not pd.isna(php):
            p_text = "<0.001" if php < 0.001 else f"{php:.3f}"
            _note(
                ax,
                1.0,
                y[i],
                110.0,
                p_text,
                va="center",
                gid="ph-text",
                color=VERMILLION if php < 0.05 else "black",
            )
    if title:
        ax.set_title(title, loc="left", fontsize=11, pad=22)
    return ax


def _note(ax: Axes, x: float, y: float, dx: float, text: str, **kw: Any) -> None:
    """Text ``dx`` points right of axes-fraction x at data y (kept in constrained layout)."""
    ax.annotate(
        text,
        xy=(x, y),
        xycoords=ax.get_yaxis_transform(),
        xytext=(dx, 0),
        textcoords="offset points",
        fontsize=8.5,
        ha="left",
        **kw,
    )
