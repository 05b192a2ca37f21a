"""One curve of a survival plot: step line, confidence band, censoring marks, median lines.

``kind`` chooses the scale: survival S, cumulative event probability 1 − S, or cumulative
hazard −log S (the band is transformed with the curve, so it stays the same interval).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from netsurv.errors import InputError
from netsurv.estimators.logrank import logrank

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from netsurv.results.curves import SurvivalCurves

__all__ = [
    "KIND_LABELS",
    "Kind",
    "curve_arrays",
    "draw_curve",
    "finish_axes",
    "median_lines",
    "pvalue_text",
]

Kind = Literal["survival", "event", "cumhaz"]
KIND_LABELS = {
    "event": "Cumulative event (1 − S)",
    "cumhaz": "Cumulative hazard (−log S)",
}
AUTO_CENSOR_MARKS = 150


def transform(kind: str, y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, ...]:
    """y, lower, upper on the scale of ``kind`` (survival, 1 − S, or −log S)."""
    if kind == "survival":
        return y, lo, hi
    if kind == "event":
        return 1 - y, 1 - hi, 1 - lo
    with np.errstate(divide="ignore"):
        out = tuple(-np.log(v) for v in (y, hi, lo))
    return tuple(np.where(np.isinf(v), np.nan, v) for v in out)


def draw_curve(
    ax: Axes,
    x: np.ndarray,
    ys: tuple[np.ndarray, ...],
    cens: np.ndarray,
    style: tuple[Any, Any],
    label: str,
    opts: dict[str, Any],
) -> None:
    y, lo, hi = ys
    colour, linestyle = style
    ax.plot(
        x,
        y,
        drawstyle="steps-post",
        color=colour,
        linestyle=linestyle,
        linewidth=1.6,
        label=label,
        gid="curve",
    )
    if opts["ci"]:
        ax.fill_between(x, lo, hi, step="post", color=colour, alpha=0.13, linewidth=0, gid="ci")
    marks = opts["censor_ticks"]
    if marks == "auto":
        marks = int(cens.sum()) <= AUTO_CENSOR_MARKS
    if marks and cens.any():
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


def curve_arrays(
    curves: SurvivalCurves, s: int, offsets: np.ndarray, opts: dict[str, Any]
) -> tuple[np.ndarray, tuple[np.ndarray, ...], np.ndarray]:
    sl = slice(offsets[s], offsets[s + 1])
    x = np.r_[curves.start_time, curves.time[sl]] / opts["factor"]
    y = np.r_[1.0, curves.survival[sl]]
    with np.errstate(invalid="ignore"):
        lo = np.r_[
            1.0,
            np.where(
                np.isnan(curves.lower[sl]) & (curves.survival[sl] == 1), 1.0, curves.lower[sl]
            ),
        ]
        hi = np.r_[
            1.0,
            np.where(
                np.isnan(curves.upper[sl]) & (curves.survival[sl] == 1), 1.0, curves.upper[sl]
            ),
        ]
    cens = np.r_[False, curves.n_censored[sl] > 0]
    return x, transform(opts["kind"], y, lo, hi), cens


def median_lines(
    ax: Axes, curves: SurvivalCurves, shown: list[int], styles: list[Any], opts: dict[str, Any]
) -> None:
    """Dashed lines at S = 0.5 to each median and down to the x-axis (survminer's "hv")."""
    med = curves.median()["median"].to_numpy(dtype=np.float64) / opts["factor"]
    level = {"survival": 0.5, "event": 0.5, "cumhaz": float(np.log(2.0))}[opts["kind"]]
    reached = [s for s in shown if np.isfinite(med[s])]
    if not reached:
        return
    left = ax.get_xlim()[0]
    ax.plot(
        [left, max(med[s] for s in reached)],
        [level, level],
        color="#555555",
        linestyle=(0, (4, 3)),
        linewidth=0.9,
        gid="median",
    )
    for s in reached:
        ax.plot(
            [med[s], med[s]],
            [0.0, level],
            color=styles[s][0],
            linestyle=(0, (4, 3)),
            linewidth=0.9,
            gid="median",
        )


def pvalue_text(curves: SurvivalCurves, pvalue: Any, suppress_below: int = 0) -> str | None:
    """The p-value line: ``pvalue=True`` tests the curves drawn (groups with fewer than
    ``suppress_below`` cases are not drawn and not compared; no p when fewer than two are
    left), a number or a test result is printed as given."""
    if pvalue is False or pvalue is None:
        return None
    if pvalue is True:
        if curves.counts is None or len(curves.strata) < 2:
            raise InputError(
                "pvalue=True: needs a Kaplan–Meier fit of two or more groups; "
                "pass the p-value (a number) or a test result (ns.logrank(...)) instead"
            )
        drawn = np.flatnonzero(np.asarray(curves.n, dtype=np.float64) >= suppress_below)
        if len(drawn) < 2:
            return None
        counts = curves.counts
        if len(drawn) < len(curves.strata):
            counts = counts.take(np.isin(counts.stratum, drawn))
        p, name = logrank(counts, by=curves.by, include_unknown=True).p_value, "Log-rank"
    elif hasattr(pvalue, "p_value"):
        p, name = (
            float(pvalue.p_value),
            str(getattr(pvalue, "method", "")).split(" ")[0] or "Log-rank",
        )
    else:
        p, name = float(pvalue), ""
    body = "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"
    return f"{name} {body}".strip()


def finish_axes(ax: Axes, opts: dict[str, Any], ticks: np.ndarray) -> None:
    """Ticks, limits, labels, light grid, no top/right spines."""
    ax.set_xticks(ticks)
    ax.set_xlim(opts["lo"], opts["hi"] if opts["given"] else opts["hi"] * 1.01 + (opts["hi"] == 0))
    if opts["kind"] == "cumhaz":
        ax.set_ylim(bottom=0)
    else:
        ax.set_ylim(0, 1.02)
    ax.set_xlabel("Time" if opts["unit"] == "time" else f"Time ({opts['unit']})")
    ax.set_ylabel(opts["ylabel"])
    ax.grid(True, color="#e6e6e6", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
