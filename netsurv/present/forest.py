"""Forest plot of hazard ratios (log scale) with their p-values and the PH test beside them.

The proportional-hazards test answers another question than the hazard ratio's p-value ("does
this hazard ratio change over follow-up?"), so its column is headed "PH test p", printed in
grey like every other number (no colour that reads as significance) and explained in a note
under the axes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from netsurv.errors import InputError
from netsurv.present.plotstyle import BLUE, GREY

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_forest"]

PH_NOTE = (
    "PH test p: Schoenfeld-residual test of proportional hazards. A small value means the\n"
    "hazard ratio changes over follow-up; it says nothing about the ratio's significance (p)."
)


def _p_text(p: float) -> str:
    return "" if pd.isna(p) else ("<0.001" if p < 0.001 else f"{p:.3f}")


def _axis(ax: Axes, y: np.ndarray, labels: list[str], span: np.ndarray) -> None:
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    ax.axvline(1.0, color="#444444", linewidth=0.8, linestyle="--")
    ax.set_xscale("log")
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.7, len(y) - 0.3)
    ax.set_xlabel("Hazard ratio (log scale)")
    ax.grid(True, axis="x", color="#e6e6e6", linewidth=0.6)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    left, right = np.nanmin(span) / 1.25, np.nanmax(span) * 1.25
    ax.set_xlim(left, right)
    grid = 2.0 ** np.arange(-8, 9)  # 1/256 ... 256: doublings read naturally as HRs
    ax.xaxis.set_major_locator(FixedLocator(grid[(grid >= left) & (grid <= right)]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_locator(NullLocator())


def plot_forest(
    result: Any, ax: Axes | None = None, *, ph: bool = True, title: str | None = None
) -> Axes:
    """Forest plot of hazard ratios with CIs (log scale), their p-values and the PH test.

    Parameters
    ----------
    result : a :func:`netsurv.cox` result, or a DataFrame with columns ``label``, ``hr``,
        ``lower``, ``upper`` (and optionally ``p_value``, ``ph_p_value``, ``reference``).
    ax : Axes to draw on; None draws on the current Axes when a figure is open
        (``plt.gca()``), else on a new figure.
    ph : print the proportional-hazards test p-value of each row (grey column "PH test p",
        explained in a note under the plot).

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
    import matplotlib.pyplot as plt

    if ax is None:
        if plt.get_fignums():
            ax = plt.gca()
        else:
            _, ax = plt.subplots(figsize=(9.0, 1.2 + 0.3 * len(frame)), layout="constrained")
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
    _axis(ax, y, frame["label"].astype(str).tolist(), np.r_[lo[est], hi[est], hr[est], 1.0])
    for tick, is_head in zip(ax.get_yticklabels(), ~ref & ~est, strict=True):
        tick.set_fontweight("bold" if is_head else "normal")
    _columns(ax, frame, ref, est, y, ph and "ph_p_value" in frame)
    if title:
        ax.set_title(title, loc="left", fontsize=11, pad=22)
    return ax


def _columns(
    ax: Axes, frame: pd.DataFrame, ref: np.ndarray, est: np.ndarray, y: np.ndarray, show_ph: bool
) -> None:
    """Text columns right of the axes: HR (95% CI), p, and (grey) PH test p."""
    hr, lo, hi = (frame[c].to_numpy(dtype=float) for c in ("hr", "lower", "upper"))
    has_p = "p_value" in frame
    columns = [(12.0, "HR (95% CI)", "black")]
    columns += [(112.0, "p", "black")] if has_p else []
    columns += [(160.0 if has_p else 112.0, "PH test p", "#666666")] if show_ph else []
    n = len(frame)
    for dx, head, colour in columns:
        _note(
            ax,
            1.0,
            n - 0.4,
            dx,
            head,
            fontweight="bold",
            va="bottom",
            color=colour,
            gid="forest-head",
        )
    for i in range(n):
        text = (
            "reference" if ref[i] else (f"{hr[i]:.2f} ({lo[i]:.2f}–{hi[i]:.2f})" if est[i] else "")
        )
        _note(ax, 1.0, y[i], 12.0, text, va="center", gid="hr-text")
        if has_p and est[i]:
            _note(
                ax, 1.0, y[i], 112.0, _p_text(frame["p_value"].iloc[i]), va="center", gid="p-text"
            )
        php = frame["ph_p_value"].iloc[i] if show_ph else np.nan
        if show_ph and not pd.isna(php):
            _note(
                ax,
                1.0,
                y[i],
                columns[-1][0],
                _p_text(php),
                va="center",
                gid="ph-text",
                color="#666666",
            )
    if show_ph:
        ax.annotate(
            PH_NOTE,
            xy=(0, 0),
            xycoords="axes fraction",
            xytext=(0, -30),
            textcoords="offset points",
            va="top",
            fontsize=7.5,
            color="#555555",
            gid="ph-note",
        )


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
