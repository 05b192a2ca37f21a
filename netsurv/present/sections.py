"""The report's sections: each registers every count it publishes in the page's
:class:`netsurv.disclosure.Ledger` (with the records it counts) and returns a *render*
function that writes its CSV files and HTML once the ledger has decided what to hide.

Nothing is written before :meth:`Ledger.protect` has run, so the page and its CSV files show
the same numbers and hide the same ones.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netsurv.codes import classification_summary
from netsurv.errors import InputError
from netsurv.estimators.kaplan_meier import kaplan_meier
from netsurv.io import load_summary
from netsurv.present.disclosure import SUPPRESSED, Ledger
from netsurv.present.figure_counts import add_risk_counts
from netsurv.present.formatting import DASH, mask_count
from netsurv.present.tables import SurvivalTable, survival_table

__all__ = [
    "Render",
    "frame_html",
    "load_section",
    "quality_section",
    "classification_section",
    "survival_section",
    "cohort_rows",
]

Render = Callable[[set[Hashable]], str]


def esc(x: object) -> str:
    """HTML-escape any text (quotes too: it may end up in an attribute)."""
    return html.escape(str(x), quote=True)


def frame_html(df: pd.DataFrame, left: int = 1) -> str:
    """A DataFrame as an HTML table; the first ``left`` columns (labels) left-aligned."""
    table = df.to_html(index=False, border=0, na_rep=DASH, escape=True, classes=f"left{left}")
    return f'<div class="scroll">{table}</div>'


def _flags(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=bool)


def cohort_rows(full: int, rows: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Lift a mask over the analysed subset (positions ``rows`` of the full frame) to the
    full frame, so that every count of the page refers to the same records."""

    def lift(mask: np.ndarray) -> np.ndarray:
        out = np.zeros(full, dtype=bool)
        out[rows] = _flags(mask)
        return out

    return lift


# ----------------------------------------------------------------------------- load log
def _log_rows(df: pd.DataFrame, section: str, item: str) -> np.ndarray | None:
    excl = df["exclusion"] if "exclusion" in df else pd.Series(pd.NA, index=df.index)
    if section == "rows":
        return np.ones(len(df), dtype=bool) if item == "read" else _flags(excl.isna())
    if section == "excluded":
        return _flags(excl.notna() & (excl.astype(str) == item))
    if section == "missing" and item in df:
        return _flags(df[item].isna())
    return None  # unknown codes, unrecognised values: opaque


def load_section(df: pd.DataFrame, out: Path, led: Ledger) -> Render:
    """Rows read / usable / excluded by reason (``load_log.csv``)."""
    log = load_summary(df).reset_index(drop=True)
    for i, row in log.iterrows():
        led.add(
            ("load", i), _log_rows(df, str(row["section"]), str(row["item"])), int(row["count"])
        )
    excl = df["exclusion"].notna() if "exclusion" in df else pd.Series(False, index=df.index)
    led.add(("load", "excluded"), _flags(excl))
    read_key = (
        "load",
        int(np.flatnonzero((log["section"] == "rows") & (log["item"] == "read"))[0]),
    )

    def render(hidden: set[Hashable]) -> str:
        shown = log[["section", "item"]].copy()
        shown["count"] = [
            mask_count(v, led.threshold, ("load", i) in hidden, False)
            for i, v in enumerate(log["count"])
        ]
        shown["percent"] = [
            DASH
            if pd.isna(p)
            else SUPPRESSED
            if ("load", i) in hidden or read_key in hidden
            else f"{p:.1f}"
            for i, p in enumerate(log["percent"])
        ]
        shown.to_csv(out / "load_log.csv", index=False)
        th = led.threshold
        printed = [  # the page groups thousands (100,000), the CSV does not
            mask_count(v, th, ("load", i) in hidden) for i, v in enumerate(log["count"])
        ]

        def count(key: Hashable) -> str:
            return mask_count(led.values[key], th, key in hidden)

        usable = (
            "load",
            int(np.flatnonzero((log["section"] == "rows") & (log["item"] == "usable"))[0]),
        )
        body = (
            f"<p>Records read: {count(read_key)}; usable for survival analysis: {count(usable)}; "
            f"excluded: {count(('load', 'excluded'))} (each kept with its reason, never dropped "
            "silently).</p>" + frame_html(shown.assign(count=printed), left=2)
        )
        note = f"{SUPPRESSED.capitalize()}: see the methods. " if SUPPRESSED in body else ""
        return (
            f'{body}<p class="note">{note}<a href="load_log.csv">load_log.csv</a> holds the '
            "same numbers.</p>"
        )

    return render


# ------------------------------------------------------------------ quality by year
_QUALITY: dict[str, tuple[str, Callable[[pd.DataFrame], pd.Series]]] = {
    "DCO/autopsy only": (
        "reporting_source",
        lambda d: d["reporting_source"].astype(str).isin(["6", "7"]),
    ),
    "unknown stage": ("extent", lambda d: d["extent"].astype(str).eq("unknown")),
    "unknown grade": ("grade", lambda d: d["grade"].astype(str).eq("unknown")),
}


def quality_section(
    df: pd.DataFrame,
    out: Path,
    led: Ledger,
    lift: Callable[[np.ndarray], np.ndarray],
    time: str,
    event: str,
) -> Render:
    """Cases, % DCO/autopsy, % unknown stage and grade, median follow-up by year of diagnosis."""
    if "year_dx" not in df:
        raise InputError("no year_dx column")
    year = pd.to_numeric(df["year_dx"], errors="coerce").astype("Int64")
    years = [int(y) for y in sorted(year.dropna().unique())]
    labels = ["all years", *map(str, years)]
    sets = {"all years": _flags(year.notna())} | {str(y): _flags(year == y) for y in years}
    hits = {
        lab: _flags(test(df).fillna(False)) for lab, (col, test) in _QUALITY.items() if col in df
    }
    for y in labels:
        led.add(("quality", "n", y), lift(sets[y]))
        for lab, hit in hits.items():
            led.add(("quality", lab, y), lift(sets[y] & hit))
    fu = kaplan_meier(
        df.assign(_year=year.astype("float64")), time=time, event=event, by="_year"
    ).follow_up()
    median = dict(zip(fu["_year"].astype(int).astype(str), fu["median"], strict=True))
    median["all years"] = float(
        kaplan_meier(df, time=time, event=event).follow_up()["median"].iloc[0]
    )
    order = [*map(str, years), "all years"]

    def render(hidden: set[Hashable]) -> str:
        shown = pd.DataFrame(
            [_quality_row(y, led, hidden, set(hits), median.get(y, np.nan)) for y in order]
        )
        shown.assign(cases=shown["cases"].str.replace(",", "")).to_csv(
            out / "quality_by_year.csv", index=False
        )
        return (
            frame_html(shown)
            + '<p class="note">DCO/autopsy only: reporting source 6 or 7 (share of all records). '
            "Median follow-up by the reverse Kaplan–Meier method (censorings as events) among usable "
            f"records, in the unit of {esc(time)}. A suppressed year shows no percentages and no "
            'follow-up. <a href="quality_by_year.csv">quality_by_year.csv</a></p>'
        )

    return render


def _quality_row(
    y: str, led: Ledger, hidden: set[Hashable], known: set[str], median: float
) -> dict[str, str]:
    """One year of the quality table, masked: cases, the shares, median follow-up."""
    n_key = ("quality", "n", y)
    n = led.values[n_key]
    row = {"year of diagnosis": y, "cases": mask_count(n, led.threshold, n_key in hidden)}
    for lab in _QUALITY:
        key = ("quality", lab, y)
        if lab not in known:
            row[f"% {lab}"] = "n/a"
        elif key in hidden or n_key in hidden or n == 0:
            row[f"% {lab}"] = SUPPRESSED if n else DASH
        else:
            row[f"% {lab}"] = f"{100 * led.values[key] / n:.1f}"
    row["median follow-up"] = (
        SUPPRESSED if n_key in hidden else "not reached" if np.isnan(median) else f"{median:.0f}"
    )
    return row


# ------------------------------------------------------------------ classification
def _class_rows(df: pd.DataFrame, column: str, value: str, kind: str) -> np.ndarray | None:
    if column not in df or kind not in ("value", "missing"):
        return None
    if kind == "missing":
        return _flags(df[column].isna())
    if value.startswith("NA ("):
        return _flags(df[column].isna())
    return _flags(df[column].notna() & (df[column].astype(str) == value))


def classification_section(
    df: pd.DataFrame, out: Path, led: Ledger, lift: Callable[[np.ndarray], np.ndarray]
) -> Render:
    """Counts per category of each derived column, unknowns, invalid codes, conflicts."""
    summ = classification_summary(df).reset_index(drop=True)
    for i, r in summ.iterrows():
        rows = _class_rows(df, str(r["column"]), str(r["value"]), str(r["kind"]))
        led.add(("class", i), None if rows is None else lift(rows), int(r["n"]))

    def render(hidden: set[Hashable]) -> str:
        shown = summ.copy()
        shown["n"] = [
            mask_count(v, led.threshold, ("class", i) in hidden, False)
            for i, v in enumerate(summ["n"])
        ]
        shown.to_csv(out / "classification_summary.csv", index=False)
        parts = []
        for col, part in shown[shown["kind"] == "value"].groupby("column", sort=False):
            t = part[["value", "n"]].rename(columns={"value": str(col)})
            parts.append(
                f'<div style="display:inline-block;vertical-align:top;margin-right:1.5em">{frame_html(t)}</div>'
            )
        other = shown[shown["kind"] != "value"]
        extra = frame_html(other, left=2) if len(other) else ""
        return (
            "".join(parts)
            + extra
            + '<p class="note"><a href="classification_summary.csv">classification_summary.csv</a></p>'
        )

    return render


# ------------------------------------------------------------------ survival tables
def _analysed(
    df: pd.DataFrame, tab: SurvivalTable
) -> tuple[np.ndarray, dict[str, np.ndarray | None]]:
    """The rows a table analysed and the rows of each exclusion reason (first reason wins,
    as the estimators count them); a reason netsurv cannot retrace maps to None."""
    excl = df["exclusion"] if "exclusion" in df else pd.Series(pd.NA, index=df.index)
    keep = _flags(excl.isna())
    reasons: dict[str, np.ndarray | None] = {}
    for reason in tab.excluded.index.astype(str):
        if (excl.astype(str) == reason).any():
            reasons[reason] = _flags(excl.notna() & (excl.astype(str) == reason))
        elif reason.startswith("missing ") and reason[8:] in df:
            hit = keep & _flags(df[reason[8:]].isna())
            reasons[reason], keep = hit, keep & ~hit
        else:
            reasons[reason] = None
    return keep, reasons


def survival_section(
    df: pd.DataFrame,
    led: Ledger,
    lift: Callable[[np.ndarray], np.ndarray],
    key: str,
    factor: str,
    opts: dict[str, Any],
    measure: str,
) -> tuple[SurvivalTable, Callable[[set[Hashable]], SurvivalTable]]:
    """A survival table whose N, events and exclusion counts, and its figure's numbers at risk,
    are in the ledger; returns the table and a function giving it with the ledger's hidden
    cells marked."""
    th = opts["suppress_below"]
    kw: dict[str, Any] = dict(
        time=opts["time"],
        times=opts["times"],
        suppress_below=th,
        time_unit=opts["time_unit"],
        style="percent",
    )
    if measure == "overall":
        kw["event"] = opts["event"]
    tab = survival_table(df, by=factor, measure=measure, **kw)  # type: ignore[arg-type]
    keep, reasons = _analysed(df, tab)
    event = df[tab.event].astype("Float64").fillna(0).to_numpy() > 0
    labels = df[factor].astype(str).to_numpy()
    for i, g in enumerate(tab.table[factor].astype(str)):
        rows = keep & (labels == g)
        for col, mask in (("n", rows), ("n_events", rows & event)):
            value = int(tab.table[col].iloc[i])
            good = int(mask.sum()) == value
            led.add(
                ("surv", key, i, col),
                lift(mask) if good else None,
                value,
                hide=not good,
                pinned=col == "n",
            )
    for reason, value in tab.excluded.items():
        mask = reasons.get(str(reason))
        good = mask is not None and int(mask.sum()) == int(value)
        led.add(
            ("surv", key, "excluded", str(reason)),
            lift(mask) if good and mask is not None else None,
            int(value),
            hide=not good and mask is not None,
        )

    add_risk_counts(led, lift, key, tab.curves, df, keep, opts["time"])

    def marked(hidden: set[Hashable]) -> SurvivalTable:
        cells = {
            (i, col)
            for (s, k, i, col) in (h for h in hidden if isinstance(h, tuple) and len(h) == 4)
            if s == "surv" and k == key
        }
        return dataclasses.replace(tab, hidden=frozenset(cells))

    return tab, marked


def figure_threshold(tab: SurvivalTable, threshold: int) -> int:
    """Suppression threshold for a table's figure: above every hidden group size, so that a
    group whose N is hidden has no curve, legend n or risk table there either."""
    hidden_n = [
        int(tab.table["n"].iloc[i]) for (i, col) in tab.hidden if col == "n" and isinstance(i, int)
    ]
    return max([threshold, *[n + 1 for n in hidden_n]])


def check_factors(by: Sequence[str]) -> list[str]:
    """Unique grouping columns, in order."""
    return list(dict.fromkeys(by))
