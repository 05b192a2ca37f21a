"""The numbers a report figure prints — its number-at-risk table — as counts of the page's
disclosure ledger (:mod:`netsurv.present.disclosure`), so that complementary suppression
covers them as it covers every table count.

A figure's risk table adds counts a table does not show: the number at risk n(t) of each group
at each tick. Without them in the ledger, two shown numbers could give a small count back by
subtraction: consecutive ticks of one row (records that left the risk set in between), or the
same group and tick in the overall and the cause-specific figure (records whose cause of death
is unknown, still at risk at t). Each n(t) counts the analysed records of its group with
follow-up time ≥ t (R's ``summary(fit, times = t)``); :func:`add_risk_counts` gives the ledger
that row set, and after :meth:`~netsurv.present.disclosure.Ledger.protect`,
:func:`hide_risk_counts` prints the numbers it hid as "suppressed" on the drawn Axes, and
:func:`save_figure` writes the figure beside the page.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netsurv.present import timeaxis
from netsurv.present.disclosure import SUPPRESSED, Ledger
from netsurv.present.plotting import default_ticks, risk_table

__all__ = ["add_risk_counts", "axis_unit", "hide_risk_counts", "save_figure"]


def save_figure(ax: Any, path: Path) -> None:
    """Save the figure of ``ax`` as the report does (110 dpi) and close it."""
    import matplotlib.pyplot as plt

    fig = ax.get_figure(root=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def axis_unit(fit: Any) -> str | None:
    """The report's x-axis unit: years for month data followed longer than 6 years."""
    return "years" if fit.time_unit == "months" and np.nanmax(fit.last_time) > 72 else None


def _key(key: str, label: str, j: int) -> tuple[str, str, str, int]:
    return ("fig", key, label, j)


def add_risk_counts(
    led: Ledger,
    lift: Callable[[np.ndarray], np.ndarray],
    key: str,
    fit: Any,
    df: pd.DataFrame,
    keep: np.ndarray,
    time: str,
) -> None:
    """Put every number at risk of ``fit``'s report figure in the ledger, with its records:
    the rows of ``df`` in ``keep`` (the analysed ones) of the group with ``time`` ≥ the tick.
    A number whose records cannot be retraced is hidden (counted, but opaque); the number at
    the start, N itself, is the table's count and is not added twice."""
    unit = axis_unit(fit)
    factor, _ = timeaxis.scale(fit.time_unit, unit)
    ticks = default_ticks(fit, time_unit=unit)
    table = risk_table(fit, ticks.tolist(), time_unit=unit)
    follow = pd.to_numeric(df[time], errors="coerce").to_numpy(dtype=np.float64)
    group = (
        df[list(fit.by)].astype(str).agg(", ".join, axis=1).to_numpy()
        if fit.by
        else np.full(len(df), "all")
    )
    names = _labels(fit)
    k = len(ticks)
    start = float(fit.start_time)
    for row, value in enumerate(table["n_at_risk"].to_numpy(dtype=np.float64)):
        label, j = names[row // k], row % k
        if ticks[j] * factor <= start and value == fit.n[row // k]:
            continue  # everyone is at risk at the start: the table's N, already counted
        with np.errstate(invalid="ignore"):
            rows = keep & (group == label) & (follow >= ticks[j] * factor)
        good = int(rows.sum()) == value
        led.add(_key(key, label, j), lift(rows) if good else None, int(value), hide=not good)


def _labels(fit: Any) -> list[str]:
    if not fit.by:
        return ["all"]
    return [", ".join(str(v) for v in row) for row in fit.strata.itertuples(index=False)]


def hide_risk_counts(ax: Any, fit: Any, threshold: int, key: str, hidden: set[Hashable]) -> None:
    """Print "suppressed" for the numbers at risk the ledger hid, on a figure drawn with
    ``suppress_below=threshold`` (its risk-table texts carry gids ``risk-<row>``, one per
    tick, in tick order; rows are the groups drawn). A row whose texts do not match the
    ticks is masked whole."""
    ticks = default_ticks(fit, time_unit=axis_unit(fit))
    names = _labels(fit)
    drawn = [s for s in range(len(names)) if fit.n[s] >= threshold]
    for pos, s in enumerate(drawn):
        texts = [t for t in ax.texts if t.get_gid() == f"risk-{pos}"]
        for j, text in enumerate(texts):
            if len(texts) != len(ticks) or _key(key, names[s], j) in hidden:
                text.set_text(SUPPRESSED)
