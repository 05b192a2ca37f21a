"""The number-at-risk table under a survival plot (and optional censored / event rows).

The table is drawn *inside* the Axes, below its x-axis, with x in data coordinates: its
columns sit exactly under the tick marks and it travels with the Axes into subplots and
facets. Three things keep it readable and saved with any figure:

* at draw time, when the real Axes width is known, a small controller artist shows only the
  columns inside the current x-limits whose numbers do not overlap their left neighbour
  (``ticks=[0, 12, 36, 60, 120]`` on a 20-year axis drops the 12-month column instead of
  printing "44,46843,124"); ``ax.set_xlim`` afterwards is followed too;
* a figure without a layout engine gets matplotlib's constrained layout, which makes room for
  the table, so a plain ``fig.savefig(path)`` keeps it (no ``bbox_inches="tight"`` needed);
* the numbers are :func:`risk_counts`, the same as ``curves.at(ticks)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from netsurv.errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase

__all__ = ["ROWS", "count_text", "draw_table", "ensure_layout", "risk_counts", "table_rows"]

ROWS = {"n_at_risk": "Number at risk", "n_censored": "Censored", "n_events": "Events"}
ROW_ALIASES = {"at_risk": "n_at_risk", "censored": "n_censored", "events": "n_events"}
TOP, STEP, GAP_AFTER_BLOCK = 42.0, 11.5, 6.0  # points below the axes


def table_rows(at_risk: bool | str | Sequence[str]) -> list[str]:
    """Row blocks to draw: True → number at risk; or any of n_at_risk, n_censored, n_events."""
    if at_risk is True:
        return ["n_at_risk"]
    if at_risk is False or at_risk is None:
        return []
    names = [at_risk] if isinstance(at_risk, str) else list(at_risk)
    out = [ROW_ALIASES.get(n, n) for n in names]
    bad = [n for n in out if n not in ROWS]
    if bad:
        raise InputError(
            f"at_risk={at_risk!r}: unknown row {bad[0]!r}; give True, False or a list of "
            f"{', '.join(map(repr, ROWS))}"
        )
    return out


def risk_counts(curves: Any, times: np.ndarray, rows: Sequence[str]) -> dict[str, np.ndarray]:
    """Per row block, a (strata × times) array.

    ``n_at_risk`` is ``curves.at(times)["n_at_risk"]`` (time ≥ t, R's
    ``summary(fit, times=)``); ``n_censored`` and ``n_events`` are cumulative from the start
    through each time, as lifelines' ``add_at_risk_counts`` and survminer's cumulative tables
    print them.
    """
    k = len(curves.strata)
    at = curves.at(times, extend=True)
    out = {}
    for row in rows:
        values = at[row].to_numpy(dtype=np.float64).reshape(k, -1)
        out[row] = values if row == "n_at_risk" else np.cumsum(values, axis=1)
    return out


def count_text(n: float, suppress_below: int) -> str:
    """A count as printed: thousands separators; 1 … suppress_below − 1 as ``<16``."""
    if 0 < n < suppress_below:
        return f"<{suppress_below}"
    return f"{n:,.0f}"


def _columns_to_show(ax: Axes, columns: list[list[Any]], ticks: np.ndarray, renderer: Any) -> None:
    """Show the columns inside the x-limits that clear their left neighbour by 4 points."""
    lo, hi = sorted(ax.get_xlim())
    eps = 1e-9 * max(1.0, abs(hi - lo))
    pad = 4.0 * ax.get_figure(root=True).dpi / 72.0  # type: ignore[union-attr]
    last_right = -np.inf
    for x, texts in zip(ticks, columns, strict=True):
        show = lo - eps <= x <= hi + eps
        if show:
            for t in texts:
                t.set_visible(True)
            extents = [t.get_window_extent(renderer) for t in texts if t.get_text()]
            left = min((e.x0 for e in extents), default=np.inf)
            show = left >= last_right + pad
            if show:
                last_right = max((e.x1 for e in extents), default=last_right)
        for t in texts:
            t.set_visible(show)


_ARTISTS: dict[str, type] = {}


def __getattr__(name: str) -> Any:
    """``RiskColumns``, a matplotlib Artist subclass, made on first use (PEP 562).

    matplotlib is imported only when a plot is made, so the class cannot be defined at import;
    defined here under this module's name, it still pickles with the figure.
    """
    if name != "RiskColumns":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name not in _ARTISTS:
        from matplotlib.artist import Artist

        class RiskColumns(Artist):
            """Invisible; drawn before the table's texts, it picks the columns to show."""

            def __init__(self, ax: Axes, columns: list[list[Any]], ticks: np.ndarray) -> None:
                super().__init__()
                self.table_axes, self.columns, self.ticks = ax, columns, ticks

            def draw(self, renderer: RendererBase) -> None:
                _columns_to_show(self.table_axes, self.columns, self.ticks, renderer)

        RiskColumns.__module__, RiskColumns.__qualname__ = __name__, "RiskColumns"
        _ARTISTS[name] = RiskColumns
    return _ARTISTS[name]


def _controller(ax: Axes, columns: list[list[Any]], ticks: np.ndarray) -> Any:
    """The column chooser of one table, drawn first (Axes draw children by zorder)."""
    artist = __getattr__("RiskColumns")(ax, columns, ticks)
    artist.set_zorder(-100)
    artist.set_gid("risk-columns")
    artist.set_in_layout(False)
    return artist


def draw_table(
    ax: Axes,
    ticks: np.ndarray,
    blocks: dict[str, np.ndarray],
    rows: list[tuple[str, tuple[Any, Any]]],
    suppress_below: int,
) -> None:
    """Risk table below the x-axis: x in data coordinates, y in points below the axes.

    ``blocks`` maps a row kind to a (curves × ticks) array; ``rows`` gives each curve's label
    and (colour, line style). Texts carry gids ``risk-i`` (number at risk of curve i),
    ``censored-i``, ``events-i``; labels ``risk-label-i``; line samples ``risk-line-i``.
    """
    first = ax.get_xlim()[0]
    widest = max(
        (len(count_text(v[0], suppress_below)) for arr in blocks.values() for v in arr), default=1
    )
    gap = 6.0 + (2.6 * widest if np.isclose(ticks[0], first) else 0.0)
    columns: list[list[Any]] = [[] for _ in ticks]
    # a table already under these Axes (another fit drawn on them): continue below it
    y_rows, y, first, last_kind = getattr(ax, "_netsurv_risk_table", (-TOP, -TOP, 0, None))
    for kind, values in blocks.items():
        if len(blocks) == 1 and kind == last_kind:  # the same rows: no second title
            y = y_rows
        else:
            _text(ax, ROWS[kind], (-gap, y), f"{_PREFIX[kind]}-title", fontweight="bold")
        for i, (label, (colour, style)) in enumerate(rows, start=first):
            y -= STEP
            _row_head(ax, label, colour, style, gap, y, f"{_PREFIX[kind]}-{{}}-{i}")
            for j, (x, n) in enumerate(zip(ticks, values[i - first], strict=True)):
                columns[j].append(_count(ax, x, y, count_text(n, suppress_below), colour))
                columns[j][-1].set_gid(f"{_PREFIX[kind]}-{i}")
        y_rows = y
        y -= STEP + GAP_AFTER_BLOCK
        last_kind = kind
    setattr(ax, "_netsurv_risk_table", (y_rows, y, first + len(rows), last_kind))  # noqa: B010
    ax.add_artist(_controller(ax, columns, ticks))


_PREFIX = {"n_at_risk": "risk", "n_censored": "censored", "n_events": "events"}


def _text(ax: Axes, text: str, at: tuple[float, float], gid: str, **style: Any) -> Any:
    """Text left of the Axes, ``at`` in points from its bottom-left corner, right-aligned."""
    return ax.annotate(
        text,
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=at,
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=style.pop("fontsize", 8.5),
        gid=gid,
        **style,
    )


def _row_head(
    ax: Axes, label: str, colour: Any, style: Any, gap: float, y: float, gid: str
) -> None:
    """A row's label and a sample of its curve's line, left of the first column."""
    from matplotlib.lines import Line2D
    from matplotlib.transforms import ScaledTranslation

    _text(ax, label, (-gap - 22, y), gid.format("label"), fontsize=8, color=colour)
    fig: Any = ax.get_figure(root=True)
    axes_origin: Any = ax.transAxes
    origin = fig.dpi_scale_trans + ScaledTranslation(0, 0, axes_origin)  # inches from (0, 0)
    sample = Line2D(
        np.array([-gap - 19, -gap - 3]) / 72,
        np.full(2, (y - 4.5) / 72),
        transform=origin,
        color=colour,
        linestyle=style,
        linewidth=1.4,
        clip_on=False,
        gid=gid.format("line"),
    )
    ax.add_artist(sample)


def _count(ax: Axes, x: float, y: float, text: str, colour: Any) -> Any:
    """One number of the table: x in data coordinates (under its tick), y in points."""
    return ax.annotate(
        text,
        xy=(x, 0),
        xycoords=ax.get_xaxis_transform(),  # x: data, y: axes fraction
        xytext=(0, y),
        textcoords="offset points",
        ha="center",
        va="top",
        fontsize=8,
        color=colour,
        annotation_clip=False,
    )


def table_height_inches(n_rows: int, n_blocks: int) -> float:
    """Height the table needs below the axes (for figures netsurv creates)."""
    if n_blocks == 0:
        return 0.0
    return (TOP + n_blocks * (STEP * (n_rows + 1) + GAP_AFTER_BLOCK)) / 72 - 0.1


def ensure_layout(ax: Axes) -> None:
    """Give a figure without a layout engine the constrained layout, so the table is saved.

    Figures with a layout engine (constrained or tight) keep theirs: both make room for the
    table's texts. Without one, ``fig.savefig(path)`` would cut off everything below the
    axes' bottom margin.
    """
    fig: Any = ax.get_figure(root=True)
    if fig is not None and fig.get_layout_engine() is None:
        fig.set_layout_engine("constrained")
