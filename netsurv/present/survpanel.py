"""One panel of survival curves: the Axes to draw on, the curves of some strata with their
legend and notes, and the risk table under them.

:func:`netsurv.present.plotting.plot_survival` resolves styles, labels and the time axis once
(the ``opts`` dict) and calls :func:`draw_single` for one Axes or
:mod:`netsurv.present.facets` for a grid of panels, each drawn by :func:`draw_panel`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from netsurv.present import atrisk, curvelines, timeaxis
from netsurv.present.plotstyle import MAX_CURVES_PER_PANEL, resolve_styles

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from netsurv.results.curves import SurvivalCurves

__all__ = ["axes_for", "draw_panel", "draw_single", "label_tuples"]


def label_tuples(curves: SurvivalCurves) -> list[tuple[str, ...]]:
    """Each stratum's values of the ``by`` columns as strings (``("all",)`` without ``by``)."""
    if not curves.by:
        return [("all",)]
    return [tuple(str(v) for v in row) for row in curves.strata.itertuples(index=False)]


def _legend(ax: Axes, curves: SurvivalCurves, n_shown: int, opts: dict[str, Any]) -> None:
    outside = n_shown > 6
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


def _notes(ax: Axes, opts: dict[str, Any], hidden: list[str]) -> None:
    """The p-value (bottom left) and the names of the groups not drawn (above the Axes)."""
    if opts["pvalue"]:
        ax.annotate(
            opts["pvalue"],
            xy=(0.02, 0.03),
            xycoords="axes fraction",
            fontsize=9,
            ha="left",
            va="bottom",
            gid="pvalue",
        )
    if hidden:
        ax.annotate(
            f"Not shown (fewer than {opts['suppress_below']} cases): {', '.join(hidden)}",
            xy=(0, 1),
            xycoords="axes fraction",
            xytext=(0, 4),
            textcoords="offset points",
            fontsize=7.5,
            color="#555555",
            gid="suppressed-note",
        )


def draw_panel(
    ax: Axes,
    curves: SurvivalCurves,
    idx: Sequence[int],
    styles: list[Any],
    labels: list[str],
    opts: dict[str, Any],
) -> None:
    """The strata ``idx`` of ``curves`` on ``ax``: curves of groups with at least
    ``suppress_below`` cases, axes, median lines, notes, legend and risk table."""
    threshold = opts["suppress_below"]
    offsets = np.searchsorted(curves.stratum, np.arange(len(curves.strata) + 1))
    shown = [s for s in idx if curves.n[s] >= threshold]
    for s in shown:
        x, ys, cens = curvelines.curve_arrays(curves, s, offsets, opts)
        curvelines.draw_curve(
            ax, x, ys, cens, styles[s], f"{labels[s]} (n={curves.n[s]:,.0f})", opts
        )
    curvelines.finish_axes(ax, opts, opts["ticks"])
    if opts["median"]:
        curvelines.median_lines(ax, curves, shown, styles, opts)
    _notes(ax, opts, [labels[s] for s in idx if curves.n[s] < threshold])
    if opts["legend"] and shown:
        _legend(ax, curves, len(shown), opts)
    if opts["rows"] and shown:
        ticks = opts["ticks"]
        counts = atrisk.risk_counts(curves, ticks * opts["factor"], opts["rows"])
        blocks = {row: values[shown] for row, values in counts.items()}
        atrisk.draw_table(ax, ticks, blocks, [(labels[s], styles[s]) for s in shown], threshold)
        atrisk.ensure_layout(ax)


def draw_single(
    curves: SurvivalCurves,
    ax: Axes | None,
    styles: list[Any],
    names: list[str],
    opts: dict[str, Any],
    *,
    restyle: bool,
    share: bool,
) -> Axes:
    """All curves on one Axes (given, current, or new). On Axes that already hold curves
    (another fit, a lifelines habit) the next default styles are used when ``restyle`` and the
    x-axis already there is kept when ``share``."""
    k = len(curves.strata)
    ax = axes_for(ax, k, len(opts["rows"]), wide=k > 6)
    earlier = sum(1 for line in ax.lines if line.get_gid() == "curve")
    if earlier:
        if restyle:
            styles = resolve_styles(label_tuples(curves), offset=earlier)
        if share:
            _share_axis(ax, opts)
    if k > MAX_CURVES_PER_PANEL:
        warnings.warn(
            f"{k} curves in one panel: more than {MAX_CURVES_PER_PANEL} are hard to tell "
            f"apart; use facet=<a by column> or facet={MAX_CURVES_PER_PANEL // 2} "
            "(panels of that many curves)",
            UserWarning,
            stacklevel=3,
        )
    draw_panel(ax, curves, range(k), styles, names, opts)
    return ax


def _share_axis(ax: Axes, opts: dict[str, Any]) -> None:
    """Keep the x-range and ticks already on ``ax`` (widened to this fit if it is longer),
    so the risk tables of several fits drawn on one Axes share their columns."""
    left, right = ax.get_xlim()
    mine = opts["hi"] * 1.01
    if mine > right:  # this fit runs longer: its own ticks over the wider range
        opts.update(lo=min(left, opts["lo"]), hi=mine, given=True)
        opts["ticks"] = timeaxis.tick_array(None, None, opts["lo"], opts["hi"], opts["unit"])
        return
    old = np.asarray(ax.get_xticks(), dtype=np.float64)
    opts.update(lo=left, hi=right, given=True, ticks=old[(old >= left) & (old <= right)])


def axes_for(ax: Axes | None, k: int, n_blocks: int, *, wide: bool) -> Axes:
    """The given Axes, the current one when a figure is open, or a new sized figure."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    if plt.get_fignums():
        return plt.gca()
    height = 4.2 + atrisk.table_height_inches(k, n_blocks)
    _, new = plt.subplots(figsize=(9.5 if wide else 6.8, height), layout="constrained")
    return new
