"""Survival curves in a grid of panels: one panel per value of a ``by`` column, or panels of
n curves each, every panel with its own risk table and the same colour for the same group."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from netsurv.errors import InputError
from netsurv.present import atrisk
from netsurv.present.plotstyle import resolve_styles, style_for
from netsurv.present.survpanel import draw_panel

if TYPE_CHECKING:
    from netsurv.results.curves import SurvivalCurves

__all__ = ["draw_facets", "panel_groups"]


def panel_groups(
    curves: SurvivalCurves, facet: str | int, labels_t: list[tuple[str, ...]]
) -> tuple[list[tuple[str, list[int]]], list[tuple[str, ...]] | None]:
    """(title, stratum indices) per panel, and the label tuples without the facet column."""
    if isinstance(facet, int) and not isinstance(facet, bool):
        if facet < 1:
            raise InputError(f"facet={facet!r}: give a by column or a positive number of curves")
        k = len(labels_t)
        groups = [list(range(i, min(i + facet, k))) for i in range(0, k, facet)]
        return [(f"curves {g[0] + 1}–{g[-1] + 1} of {k}", g) for g in groups], None
    if facet not in curves.by:
        raise InputError(
            f"facet={facet!r}: not a grouping column of the fit (by={list(curves.by)}); "
            f"fit with by=[{facet!r}, ...] first, or give a number of curves per panel"
        )
    j = curves.by.index(str(facet))
    values = list(dict.fromkeys(lab[j] for lab in labels_t))
    groups_v = [
        (f"{facet} = {v}", [s for s, lab in enumerate(labels_t) if lab[j] == v]) for v in values
    ]
    return groups_v, [tuple(v for i, v in enumerate(lab) if i != j) for lab in labels_t]


def draw_facets(
    curves: SurvivalCurves,
    ax: Any,
    facet: str | int,
    labels_t: list[tuple[str, ...]],
    styles: list[Any],
    names: list[str],
    opts: dict[str, Any],
    title: str | None,
) -> Any:
    """The panels on a new figure; returns the 1-D array of their Axes."""
    if ax is not None:
        raise InputError("facet: draws its own grid of panels; leave ax=None")
    import matplotlib.pyplot as plt

    groups, rest = panel_groups(curves, facet, labels_t)
    if rest is not None and all(rest):  # colours by the remaining columns, same in every panel
        keys = list(dict.fromkeys(rest))
        per_key = dict(zip(keys, style_for(keys), strict=True))
        default = resolve_styles(labels_t)
        styles = [
            per_key[r] if st == d else st for r, st, d in zip(rest, styles, default, strict=True)
        ]
        names = [
            ", ".join(r) if n == ", ".join(lab) else n
            for r, n, lab in zip(rest, names, labels_t, strict=True)
        ]
        opts = {**opts, "legend_title": ", ".join(c for c in curves.by if c != facet)}
    ncol = min(3, int(np.ceil(np.sqrt(len(groups)))))
    nrow = -(-len(groups) // ncol)
    per = max(len(g) for _, g in groups)
    height = 3.4 + atrisk.table_height_inches(per, len(opts["rows"]))
    fig, grid = plt.subplots(
        nrow, ncol, figsize=(5.4 * ncol, height * nrow), squeeze=False, layout="constrained"
    )
    axes = grid.ravel()
    for panel, (head, idx) in zip(axes, groups, strict=False):
        draw_panel(panel, curves, idx, styles, names, opts)
        panel.set_title(head, loc="left", fontsize=10)
    for extra in axes[len(groups) :]:
        extra.set_visible(False)
    if title:
        fig.suptitle(title)
    return axes[: len(groups)]
