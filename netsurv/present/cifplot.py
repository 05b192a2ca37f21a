"""Cumulative incidence of cancer death and of other-cause death, with a number-at-risk table.

Unstacked (default): one colour per stratum, cancer death solid and other causes dashed (one
stratum: vermillion and grey), with pointwise bands. Stacked: one panel per stratum, cancer
death from 0 up, other causes on top of it, so the top edge is 1 − S (all-cause death) and
the white space above it is the probability of being alive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from netsurv.errors import InputError
from netsurv.present import atrisk, curvelines, timeaxis
from netsurv.present.plotstyle import GREY, VERMILLION, resolve_labels, resolve_styles

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_cumulative_incidence"]

CAUSES = {"cancer": "cancer death", "other": "other causes"}


def _strata(cif: Any) -> tuple[list[tuple[str, ...]], list[pd.DataFrame]]:
    table = cif.table
    if not cif.by:
        return [("all",)], [table]
    groups = table.groupby(list(cif.by), sort=False, observed=True)
    keys = [k if isinstance(k, tuple) else (k,) for k, _ in groups]
    return [tuple(str(v) for v in k) for k in keys], [g for _, g in groups]


def _at_risk(part: pd.DataFrame, times: np.ndarray) -> np.ndarray:
    """Subjects under follow-up at each time (first row at or after t; 0 past the end)."""
    t, n = part["time"].to_numpy(), part["n_at_risk"].to_numpy(dtype=np.float64)
    pos = np.searchsorted(t, times, side="left")
    return np.where(pos < len(t), n[np.minimum(pos, len(t) - 1)], 0.0)


def _step(part: pd.DataFrame, col: str, factor: float) -> tuple[np.ndarray, np.ndarray]:
    return np.r_[0.0, part["time"].to_numpy() / factor], np.r_[0.0, part[col].to_numpy()]


def _draw_lines(
    ax: Axes, parts: list[pd.DataFrame], styles: list[Any], names: list[str], opts: dict[str, Any]
) -> None:
    single = len(parts) == 1
    for part, (colour, _), name in zip(parts, styles, names, strict=True):
        for cause, dash in (("cancer", "-"), ("other", "--")):
            c = (
                (VERMILLION if cause == "cancer" else GREY)
                if single and not opts["recoloured"]
                else colour
            )
            x, y = _step(part, f"cif_{cause}", opts["factor"])
            label = CAUSES[cause] if single else f"{name}: {CAUSES[cause]}"
            ax.plot(
                x,
                y,
                drawstyle="steps-post",
                color=c,
                linestyle=dash,
                linewidth=1.6,
                label=label,
                gid=f"cif-{cause}",
            )
            if opts["ci"]:
                _, lo = _step(part, f"lower_{cause}", opts["factor"])
                _, hi = _step(part, f"upper_{cause}", opts["factor"])
                ax.fill_between(x, lo, hi, step="post", color=c, alpha=0.12, linewidth=0, gid="ci")


def _draw_stacked(ax: Axes, part: pd.DataFrame, factor: float) -> None:
    x, cancer = _step(part, "cif_cancer", factor)
    _, other = _step(part, "cif_other", factor)
    ax.fill_between(
        x,
        0,
        cancer,
        step="post",
        color=VERMILLION,
        alpha=0.75,
        linewidth=0,
        label=CAUSES["cancer"],
        gid="stack-cancer",
    )
    ax.fill_between(
        x,
        cancer,
        cancer + other,
        step="post",
        color=GREY,
        alpha=0.55,
        linewidth=0,
        label=CAUSES["other"],
        gid="stack-other",
    )


def plot_cumulative_incidence(
    cif: Any,
    ax: Axes | None = None,
    *,
    stacked: bool = False,
    ci: bool = True,
    at_risk: bool = True,
    colors: Any = None,
    palette: Any = None,
    labels: Any = None,
    time_unit: str | None = None,
    xlim: tuple[float, float] | None = None,
    time_max: float | None = None,
    ticks: Any = None,
    break_every: float | None = None,
    legend: bool = True,
    title: str | None = None,
) -> Any:
    """Cumulative incidence of cancer death and other-cause death (Aalen–Johansen).

    Parameters
    ----------
    cif : a :class:`netsurv.competing.CumulativeIncidence` (``ns.cumulative_incidence``).
    ax : Axes (unstacked only); None draws on the current Axes when a figure is open.
    stacked : one panel per stratum with cancer death and other causes stacked (their sum
        is 1 − S); returns an array of Axes.
    ci, at_risk, colors, palette, labels, time_unit, xlim, time_max, ticks, break_every,
    legend, title : as in :func:`netsurv.plot_survival` (times of the fit in months).

    Returns
    -------
    matplotlib.axes.Axes, or with ``stacked=True`` a 1-D numpy array of Axes.
    """
    keys, parts = _strata(cif)
    factor, unit = timeaxis.scale(getattr(cif, "time_unit", "months"), time_unit)
    tmax = float(cif.table["time"].max()) / factor if len(cif.table) else 1.0
    lo, hi, given = timeaxis.window(0.0, tmax, xlim, time_max)
    styles = resolve_styles(keys, colors=colors, palette=palette)
    names = resolve_labels(keys, labels)
    opts: dict[str, Any] = dict(
        factor=factor,
        unit=unit,
        lo=lo,
        hi=hi,
        given=given,
        kind="event",
        ci=ci,
        ticks=timeaxis.tick_array(ticks, break_every, lo, hi, unit),
        ylabel="Cumulative incidence (probability of death)",
        recoloured=colors is not None or palette is not None,
    )
    if stacked:
        return _stacked(cif, ax, keys, parts, names, styles, opts, at_risk, title)
    if ax is None:
        ax = _new_axes(len(parts), at_risk)
    _draw_lines(ax, parts, styles, names, opts)
    curvelines.finish_axes(ax, opts, opts["ticks"])
    if legend:
        outside = len(parts) > 2
        ax.legend(
            fontsize=8,
            frameon=False,
            loc="upper left",
            handlelength=2.8,
            bbox_to_anchor=(1.01, 1.0) if outside else None,
        ).set_gid("legend")
    if at_risk:
        _table(ax, parts, names, styles, opts)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    return ax


def _new_axes(n_rows: int, at_risk: bool) -> Axes:
    import matplotlib.pyplot as plt

    if plt.get_fignums():
        return plt.gca()
    height = 4.2 + atrisk.table_height_inches(n_rows, 1 if at_risk else 0)
    return plt.subplots(figsize=(6.8 if n_rows <= 2 else 8.8, height), layout="constrained")[1]


def _table(
    ax: Axes, parts: list[pd.DataFrame], names: list[str], styles: list[Any], opts: dict[str, Any]
) -> None:
    ticks = opts["ticks"]
    counts = np.array([_at_risk(p, ticks * opts["factor"]) for p in parts])
    single = len(parts) == 1 and not opts["recoloured"]
    rows = [(n, ("black", "none") if single else s) for n, s in zip(names, styles, strict=True)]
    atrisk.draw_table(ax, ticks, {"n_at_risk": counts}, rows, 0)
    atrisk.ensure_layout(ax)


def _stacked(
    cif: Any,
    ax: Any,
    keys: list[tuple[str, ...]],
    parts: list[pd.DataFrame],
    names: list[str],
    styles: list[Any],
    opts: dict[str, Any],
    at_risk: bool,
    title: str | None,
) -> Any:
    if ax is not None:
        raise InputError("stacked=True: draws one panel per stratum; leave ax=None")
    import matplotlib.pyplot as plt

    ncol = min(3, int(np.ceil(np.sqrt(len(parts)))))
    nrow = -(-len(parts) // ncol)
    height = 3.4 + atrisk.table_height_inches(1, 1 if at_risk else 0)
    fig, grid = plt.subplots(
        nrow,
        ncol,
        figsize=(4.6 * ncol, height * nrow),
        squeeze=False,
        layout="constrained",
        sharey=True,
    )
    axes = grid.ravel()
    for panel, part, name, style in zip(axes, parts, names, styles, strict=False):
        _draw_stacked(panel, part, opts["factor"])
        curvelines.finish_axes(panel, opts, opts["ticks"])
        if cif.by:
            panel.set_title(name, loc="left", fontsize=10)
        if at_risk:
            _table(panel, [part], [name], [style], {**opts, "recoloured": True})
    axes[0].legend(fontsize=8, frameon=False, loc="upper left").set_gid("legend")
    for extra in axes[len(parts) :]:
        extra.set_visible(False)
    if title:
        fig.suptitle(title)
    return axes[: len(parts)]
