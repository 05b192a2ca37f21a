"""A self-contained HTML survival report: ``index.html`` + PNG figures + CSV tables + load log.

:func:`report` runs the whole flow on a registry file or frame — load log, data quality by year
of diagnosis, classification summary, survival tables and Kaplan–Meier figures by extent, site,
grade and differentiation, a Cox model, relative survival when life-table inputs exist — and
writes one page that needs no network, no JavaScript and no external files besides the PNGs
and CSVs next to it. Small-count suppression (``suppress_below=16``) applies to every table
and figure on the page, risk tables included; the exact counts stay in the CSV files, which
are for the analyst, not for publication.
"""

from __future__ import annotations

import datetime as _dt
import html
import importlib.metadata
import platform
import re
import sys
import time as _time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netsurv.codes import classification_summary
from netsurv.datasets import load_synthetic_registry
from netsurv.errors import InputError, NetsurvError
from netsurv.estimators.cox import cox
from netsurv.estimators.kaplan_meier import kaplan_meier
from netsurv.io import load_summary, read
from netsurv.present.tables import SurvivalTable, mask_count, survival_table

__all__ = ["Report", "demo", "report"]

FACTORS = ("extent", "site_group", "grade", "differentiation")
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 margin:0 auto;max-width:1120px;padding:1.2em 1.5em 4em;color:#1d1d1f;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em} h2{border-bottom:2px solid #0072B2;padding-bottom:.2em;
 margin-top:2.2em} h3{margin-top:1.6em} .meta,.note,ul.footnotes{color:#555;font-size:.9em}
nav ol{columns:2;font-size:.95em} .scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.88em;margin:.6em 0;font-variant-numeric:tabular-nums}
th,td{padding:.3em .7em;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}
th{background:#f3f6f9;border-bottom:2px solid #bbb} td:first-child,th:first-child{text-align:left}
tr:hover td{background:#fafafa} img{max-width:100%;height:auto;border:1px solid #eee}
.missing{background:#fff6e5;border-left:4px solid #E69F00;padding:.4em .8em}
table.left2 td:nth-child(2),table.left2 th:nth-child(2),table.left3 td:nth-child(-n+3),
 table.left3 th:nth-child(-n+3){text-align:left}
.methods{background:#f7f7f7;padding:.6em 1em;border-radius:4px}
"""


@dataclass(frozen=True)
class Report:
    """What :func:`report` wrote. ``path`` is ``index.html``; ``files`` the page and every file
    it links to (relative to ``out_dir``); ``tables`` the survival tables by section key; ``unavailable``
    maps a section to the reason it was left out."""

    path: Path
    out_dir: Path
    files: tuple[str, ...]
    tables: dict[str, SurvivalTable] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    n_rows: int = 0
    n_excluded: int = 0


class _Progress:
    """Numbered steps on stderr with elapsed seconds (silent when ``enabled`` is False)."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled, self.total, self.step, self.t0 = enabled, total, 0, _time.perf_counter()

    def __call__(self, what: str) -> None:
        self.step += 1
        if self.enabled:
            took = _time.perf_counter() - self.t0
            print(f"[{self.step}/{self.total}] {what} ({took:.1f} s)", file=sys.stderr, flush=True)


def _esc(x: object) -> str:
    return html.escape(str(x))


def _frame_html(df: pd.DataFrame, left: int = 1) -> str:
    """A DataFrame as an HTML table; the first ``left`` columns (labels) left-aligned."""
    table = df.to_html(index=False, border=0, na_rep="–", escape=True, classes=f"left{left}")
    return f'<div class="scroll">{table}</div>'


def _mask(df: pd.DataFrame, cols: Sequence[str], threshold: int) -> pd.DataFrame:
    out = df.copy()
    for c in cols:
        out[c] = [mask_count(v, threshold) for v in out[c]]
    return out


def _load(source: Any, progress: _Progress) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        progress("using the frame given")
        return source, "a DataFrame passed to netsurv.present.report"
    path = Path(source)
    progress(f"reading {path.name}")

    return read(path), str(path)


def _load_section(df: pd.DataFrame, out: Path, th: int) -> tuple[str, int]:
    log = load_summary(df)
    log.to_csv(out / "load_log.csv", index=False)
    n_excl = int(df["exclusion"].notna().sum()) if "exclusion" in df else 0
    shown = _mask(log, ["count"], th)
    body = (
        f"<p>{len(df):,} records read; {len(df) - n_excl:,} usable for survival analysis; "
        f"{n_excl:,} excluded (each kept with its reason, never dropped silently).</p>"
        + _frame_html(shown, left=2)
        + f'<p class="note">Counts from 1 to {th - 1} are shown as &lt;{th}; the exact log is '
        '<a href="load_log.csv">load_log.csv</a> (for the analyst, not for publication).</p>'
    )
    return body, n_excl


_QUALITY: dict[str, tuple[str, Callable[[pd.DataFrame], pd.Series]]] = {
    "DCO/autopsy only": (
        "reporting_source",
        lambda d: d["reporting_source"].astype(str).isin(["6", "7"]),
    ),
    "unknown stage": ("extent", lambda d: d["extent"].astype(str).eq("unknown")),
    "unknown grade": ("grade", lambda d: d["grade"].astype(str).eq("unknown")),
}


def _quality_section(df: pd.DataFrame, out: Path, th: int, time: str, event: str) -> str:
    if "year_dx" not in df:
        raise InputError("no year_dx column")
    year = pd.to_numeric(df["year_dx"], errors="coerce").astype("Int64")
    data = df.assign(_year=year)
    exact = pd.DataFrame({"n": data.groupby("_year", dropna=True).size()})
    exact.index = exact.index.astype(str)
    for label, (col, test) in _QUALITY.items():
        if col in df:
            hits = data.assign(_hit=test(df)).groupby("_year", dropna=True)["_hit"].sum()
            exact[label] = hits.set_axis(hits.index.astype(str)).reindex(exact.index)
    fu = kaplan_meier(
        data.assign(_year=year.astype("float64")), time=time, event=event, by="_year"
    ).follow_up()
    by_year = dict(zip(fu["_year"].astype(int).astype(str), fu["median"], strict=True))
    exact["median follow-up"] = [by_year.get(y, np.nan) for y in exact.index]
    total = exact.drop(columns="median follow-up").sum().to_dict()
    total["median follow-up"] = float(
        kaplan_meier(df, time=time, event=event).follow_up()["median"].iloc[0]
    )
    exact.loc["all years"] = pd.Series(total)
    exact.to_csv(out / "quality_by_year.csv", index_label="year_dx")
    shown = pd.DataFrame(
        {"year of diagnosis": exact.index, "cases": [mask_count(v, th) for v in exact["n"]]}
    )
    for label in _QUALITY:
        if label not in exact:
            shown[f"% {label}"] = "n/a"
            continue
        k, n = exact[label].to_numpy(float), exact["n"].to_numpy(float)
        shown[f"% {label}"] = [
            f"{100 * a / b:.1f}" if (a == 0 or a >= th) else f"<{th} cases"
            for a, b in zip(k, n, strict=True)
        ]
    shown["median follow-up"] = [
        "not reached" if np.isnan(v) else f"{v:.0f}" for v in exact["median follow-up"]
    ]
    return (
        _frame_html(shown)
        + '<p class="note">DCO/autopsy only: reporting source 6 or 7 (share of all records). '
        "Median follow-up by the reverse Kaplan–Meier method (censorings as events) among usable "
        f"records, in the unit of {_esc(time)}. Percentages resting on 1 to {th - 1} cases are "
        f'not shown. <a href="quality_by_year.csv">quality_by_year.csv</a></p>'
    )


def _classification_section(df: pd.DataFrame, out: Path, th: int) -> str:
    summ = classification_summary(df)
    summ.to_csv(out / "classification_summary.csv", index=False)
    parts = []
    for col, part in summ[summ["kind"] == "value"].groupby("column", sort=False):
        t = _mask(part[["value", "n"]].rename(columns={"value": str(col)}), ["n"], th)
        parts.append(
            f'<div style="display:inline-block;vertical-align:top;margin-right:1.5em">{_frame_html(t)}</div>'
        )
    other = summ[summ["kind"] != "value"]
    extra = _frame_html(_mask(other, ["n"], th), left=2) if len(other) else ""
    return (
        "".join(parts)
        + extra
        + '<p class="note"><a href="classification_summary.csv">classification_summary.csv</a></p>'
    )


def _survival_section(
    df: pd.DataFrame,
    out: Path,
    key: str,
    factor: str,
    opts: dict[str, Any],
    measure: str = "overall",
) -> tuple[str, SurvivalTable]:
    th = opts["suppress_below"]
    kw = dict(
        time=opts["time"], times=opts["times"], suppress_below=th, time_unit=opts["time_unit"]
    )
    if measure != "overall":
        tab = survival_table(df, by=factor, measure=measure, **kw)  # type: ignore[arg-type]
    else:
        tab = survival_table(df, by=factor, event=opts["event"], **kw)  # type: ignore[arg-type]
    tab.to_frame().to_csv(out / f"survival_{key}.csv", index=False)
    tab.to_csv(out / f"survival_{key}_formatted.csv")
    body = tab.to_html()
    fit = tab.curves
    years = fit.time_unit == "months" and np.nanmax(fit.last_time) > 72
    ax = fit.plot(suppress_below=th, time_unit="years" if years else None, censor_ticks="auto")
    _save(ax, out / f"km_{key}.png")
    body += f'<p><img src="km_{key}.png" alt="{_esc(tab.method)} by {_esc(factor)}"></p>'
    body += f'<p class="note">Numbers: <a href="survival_{key}.csv">survival_{key}.csv</a> (full precision, unmasked counts); as printed: <a href="survival_{key}_formatted.csv">survival_{key}_formatted.csv</a>.</p>'
    return body, tab


def _save(ax: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig = ax.get_figure(root=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _cox_section(df: pd.DataFrame, out: Path, opts: dict[str, Any]) -> str:
    covs = [c for c in ("grade", "extent", "age_dx", "site_group") if c in df]
    if "grade" not in covs or len(covs) < 2:
        raise InputError("needs grade and at least one of extent, age_dx, site_group")
    th = opts["suppress_below"]
    data = df[df["exclusion"].isna()] if "exclusion" in df else df
    dropped = []
    for c in covs:  # levels with fewer than th cases are left out (suppression)
        if c != "age_dx":
            vc = data[c].astype(str).value_counts()
            small = vc[vc < th].index
            if len(small):
                dropped.append(f"{c}: {', '.join(map(str, small))}")
                data = data[~data[c].astype(str).isin(small)]
    res = cox(data, time=opts["time"], event=opts["event"], covariates=covs)
    res.hazard_ratios.to_csv(out / "cox_hazard_ratios.csv", index=False)
    ax = res.plot(
        title=f"Hazard ratios, adjusted for each other (n = {res.n:,}, events = {res.n_events:,})"
    )
    _save(ax, out / "cox_forest.png")
    worst = res.ph_test["p_value"].min()
    sampled = f", on a random sample of {res.ph_rows:,} rows" if res.ph_rows < res.n else ""
    note = (
        f"Cox proportional-hazards model (lifelines CoxPHFitter, Efron ties) of "
        f"{_esc(opts['event'])} on {', '.join(covs)} (age per year). Proportional hazards: "
        f"scaled Schoenfeld residuals against ranked time (lifelines "
        f"proportional_hazard_test{sampled}); smallest per-term p = {worst:.3g}"
        + (
            " — some hazard ratios change over follow-up; read them as averages."
            if worst < 0.05
            else "."
        )
        + (f" Left out (fewer than {th} cases): {_esc('; '.join(dropped))}." if dropped else "")
    )
    return (
        f'<p><img src="cox_forest.png" alt="forest plot"></p><p class="note">{note} '
        '<a href="cox_hazard_ratios.csv">cox_hazard_ratios.csv</a></p>'
    )


def _methods(opts: dict[str, Any], tables: dict[str, SurvivalTable], relative: bool) -> str:
    import lifelines
    import matplotlib

    any_tab = next(iter(tables.values()), None)
    whole = any_tab is not None and any_tab.whole_months
    th = opts["suppress_below"]
    text = [
        "Survival was estimated with the Kaplan–Meier product-limit method; pointwise 95% "
        "confidence intervals use Greenwood's variance on the log(−log) scale. Median survival "
        "and its CI follow R survival (where the curve and its CI band cross 0.5).",
        f"Follow-up is {_esc(opts['time'])} in {_esc(opts['time_unit'] or 'the unit of the data')};"
        f" event: {_esc(opts['event'])}. Patients alive at the end of follow-up were censored; for "
        "cause-specific survival, deaths from other causes were censored and deaths of unknown "
        "cause left out.",
    ]
    if whole:
        text.append(
            "Follow-up is in SEER whole months: survival at t months is survival through "
            "month t−1 (a death recorded in month t lived at least t months), as SEER*Stat."
        )
    text.append(
        "Groups were compared with the log-rank test; groups labelled 'unknown' were not "
        "compared. Records with an exclusion reason or missing analysis data were left out "
        "and counted (load log)."
    )
    if relative:
        text.append(
            "Net survival: Pohar Perme estimator with US population life tables matched "
            "by age, sex and calendar year."
        )
    text.append(
        f"Estimates for groups with fewer than {th} cases are suppressed and counts from 1 "
        f"to {th - 1} shown as <{th} (the U.S. Cancer Statistics rule for counts and rates, "
        "used here as a configurable default; SEER*Stat leaves the minimum to the user). "
        "Estimates with a standard error above 0.10 or fewer than 10 at risk are marked *."
    )
    text.append(
        f"Software: netsurv {importlib.metadata.version('netsurv')}, Python {platform.python_version()}, "
        f"numpy {np.__version__}, pandas {pd.__version__}, lifelines {lifelines.__version__}, "
        f"matplotlib {matplotlib.__version__}; report written {_dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}."
    )
    return '<div class="methods"><p>' + " ".join(text) + "</p></div>"


def _page(title: str, source: str, sections: list[tuple[str, str, str]]) -> str:
    nav = "".join(f'<li><a href="#{sid}">{_esc(head)}</a></li>' for sid, head, _ in sections)
    body = "".join(
        f'<section id="{sid}"><h2>{_esc(head)}</h2>{html_}</section>'
        for sid, head, html_ in sections
    )
    stamp = f"{_dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>"
        f'<h1>{_esc(title)}</h1><p class="meta">Source: {_esc(source)} · written {stamp} by '
        f"netsurv</p><nav><ol>{nav}</ol></nav>{body}</body></html>\n"
    )


def report(
    df_or_path: pd.DataFrame | str | Path,
    out_dir: str | Path,
    *,
    by: Sequence[str] = FACTORS,
    times: Sequence[float] = (12, 36, 60, 120),
    time: str = "survival_months",
    event: str = "dead",
    time_unit: str | None = None,
    suppress_below: int = 16,
    title: str | None = None,
    source: str | None = None,
    progress: bool = True,
) -> Report:
    """Write a survival report for a registry file or frame into ``out_dir``.

    Parameters
    ----------
    df_or_path : a canonical frame, or any file :func:`netsurv.read` accepts (read with
        :func:`netsurv.read`: derived columns already in the file are kept).
    out_dir : directory to create (or reuse) for ``index.html`` and the files beside it.
    by : grouping columns that get a survival table and a Kaplan–Meier figure each (those
        present in the data; default extent, site group, grade, differentiation).
    times, time, event, time_unit : report times and follow-up columns (SEER months default).
    suppress_below : small-count suppression threshold for everything on the page (0 = off).
    title : page title. source : how to name the data on the page (default: the path).
    progress : numbered steps on stderr.

    Returns
    -------
    Report
        ``path`` of ``index.html``, the files written, the survival tables, and the sections
        left out with their reason (they also say so on the page).
    """
    out = Path(out_dir)
    factors = list(dict.fromkeys(by))
    step = _Progress(progress, 7 + len(factors))
    source_label = source
    df, source = _load(df_or_path, step)
    if not isinstance(df, pd.DataFrame) or len(df) == 0:
        raise InputError(f"report: no records in {source}")
    out.mkdir(parents=True, exist_ok=True)
    if time == "survival_months" and time_unit is None:
        time_unit = "months"
    opts = dict(
        time=time,
        event=event,
        times=list(times),
        time_unit=time_unit,
        suppress_below=suppress_below,
    )
    page = _Sections(df, out, opts)
    step("load log")
    load_html, n_excl = _load_section(df, out, suppress_below)
    page.sections.append(("load", "Records and exclusions", load_html))
    step("data quality by year of diagnosis")
    page.attempt(
        "quality",
        "Data quality by year of diagnosis",
        lambda: _quality_section(df, out, suppress_below, time, event),
    )
    step("classification summary")
    page.attempt(
        "classification",
        "Classification summary",
        lambda: _classification_section(df, out, suppress_below),
    )
    for factor in factors:
        step(f"survival by {factor}")
        page.survival(factor, factor, "overall", f"Overall survival by {factor.replace('_', ' ')}")
    _model_sections(page, step)
    if page.unavailable:
        items = "".join(
            f"<li>{_esc(k)}: not available — {_esc(v)}</li>" for k, v in page.unavailable.items()
        )
        page.sections.append(
            ("unavailable", "Sections not available", f'<ul class="missing">{items}</ul>')
        )
    step("methods and page")
    page.sections.append(
        ("methods", "Methods", _methods(opts, page.tables, "relative" in page.tables))
    )
    html_text = _page(title or "Survival report", source_label or source, page.sections)
    (out / "index.html").write_text(html_text, encoding="utf-8")
    used = re.findall(r'(?:src|href)="([^"#:]+)"', html_text)  # the files the page links to
    files = ["index.html", *[f for f in used if (out / f).is_file()]]
    return Report(
        path=out / "index.html",
        out_dir=out,
        files=tuple(dict.fromkeys(files)),
        tables=page.tables,
        unavailable=page.unavailable,
        n_rows=len(df),
        n_excluded=n_excl,
    )


class _Sections:
    """The page being built: sections in order, tables by key, sections left out and why."""

    def __init__(self, df: pd.DataFrame, out: Path, opts: dict[str, Any]) -> None:
        self.df, self.out, self.opts = df, out, opts
        self.sections: list[tuple[str, str, str]] = []
        self.unavailable: dict[str, str] = {}
        self.tables: dict[str, SurvivalTable] = {}

    def attempt(self, sid: str, head: str, build: Callable[[], str]) -> None:
        """Add a section; a failure becomes "not available — reason", warnings become notes."""
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                body = build()
            said = dict.fromkeys(
                str(w.message).splitlines()[0]
                for w in caught
                if not issubclass(w.category, DeprecationWarning)
            )
            body += "".join(f'<p class="note">Note: {_esc(m)}</p>' for m in said)
            self.sections.append((sid, head, body))
        except (NetsurvError, ImportError, KeyError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.unavailable[head] = reason
            self.sections.append(
                (sid, head, f'<p class="missing">{_esc(head)}: not available — {_esc(reason)}</p>')
            )

    def survival(self, key: str, factor: str, measure: str, head: str) -> None:
        """A survival table + figure section (``tables[key]``)."""
        if factor not in self.df:
            self.unavailable[head] = f"no {factor!r} column"
            return

        def build() -> str:
            body, tab = _survival_section(self.df, self.out, key, factor, self.opts, measure)
            self.tables[key] = tab
            return body

        self.attempt(f"surv-{key}", head, build)


def _model_sections(page: _Sections, step: _Progress) -> None:
    """Cause-specific and net survival by extent, and the Cox model, when their inputs exist."""
    df, months = page.df, page.opts["time"] == "survival_months"
    if "cancer_death" in df:
        page.survival(
            "cause_specific_extent", "extent", "cause-specific", "Cause-specific survival by extent"
        )
    elif months:
        page.unavailable["Cause-specific survival by extent"] = "no cancer_death column"
    step("relative survival")
    if all(c in df for c in ("age_dx", "sex", "year_dx")) and months:
        page.survival("relative", "extent", "relative", "Net (relative) survival by extent")
    elif months:
        page.unavailable["Net (relative) survival by extent"] = (
            "needs age_dx, sex and year_dx columns"
        )
    step("Cox model")
    if "grade" in df:
        page.attempt(
            "cox", "Hazard ratios (Cox model)", lambda: _cox_section(df, page.out, page.opts)
        )


def demo(out_dir: str | Path = "report", *, progress: bool = True) -> Report:
    """The report on the bundled synthetic registry (``netsurv demo``)."""
    df = load_synthetic_registry()
    return report(
        df,
        out_dir,
        progress=progress,
        title="Demo: synthetic NET/NEC registry (simulated, not real people)",
        source=f"netsurv.datasets.load_synthetic_registry() — {len(df):,} simulated tumours",
    )
