"""A self-contained HTML survival report: ``index.html`` + PNG figures + CSV tables + load log.

:func:`report` runs the whole flow on a registry file or frame — load log, data quality by year
of diagnosis, classification summary, survival tables and Kaplan–Meier figures by extent, site,
grade and differentiation, a Cox model, relative survival when life-table inputs exist — and
writes one page that needs no network, no JavaScript and no external files besides the PNGs
and CSVs next to it. Small-count suppression (``suppress_below=16``), primary and
complementary (:mod:`netsurv.present.disclosure`), applies to every table, total and
percentage on the page and in its CSV files, which show the same numbers.
"""

from __future__ import annotations

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

from netsurv.datasets import load_synthetic_registry
from netsurv.errors import InputError, NetsurvError
from netsurv.io import read
from netsurv.present.coxsection import cox_section
from netsurv.present.disclosure import SUPPRESSED, Ledger
from netsurv.present.figure_counts import axis_unit, hide_risk_counts, save_figure
from netsurv.present.page import methods, page_html, slug
from netsurv.present.sections import (
    Render,
    classification_section,
    cohort_rows,
    esc,
    figure_threshold,
    load_section,
    quality_section,
    survival_section,
)
from netsurv.present.tables import SurvivalTable

__all__ = ["Report", "demo", "report"]

FACTORS = ("extent", "site_group", "grade", "differentiation")


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


def _load(source: Any, progress: _Progress) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        progress("using the frame given")
        return source, "a DataFrame passed to netsurv.present.report"
    path = Path(source)
    progress(f"reading {path.name}")
    return read(path), str(path)


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
    nen_only: bool = True,
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
    suppress_below : small-count suppression threshold for everything on the page and its CSV
        files, with complementary suppression across all of them (0 = off).
    nen_only : analyse only neuroendocrine neoplasms (``nen_type`` other than "not NEN") when
        the frame is classified; the page says how many records were left out.
    title : page title. source : how to name the data on the page (default: the path).
    progress : numbered steps on stderr.

    Returns
    -------
    Report
        ``path`` of ``index.html``, the files written, the survival tables (with the counts
        the page hides marked), and the sections left out with their reason.
    """
    out = Path(out_dir)
    factors = list(dict.fromkeys(by))
    step = _Progress(progress, 8 + len(factors))
    source_label = source
    full, source = _load(df_or_path, step)
    if not isinstance(full, pd.DataFrame) or len(full) == 0:
        raise InputError(f"report: no records in {source}")
    if not isinstance(suppress_below, int | np.integer) or suppress_below < 0:
        raise InputError(f"suppress_below={suppress_below!r}: give a whole number such as 16")
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
    page = _Sections(full, out, opts, nen_only)
    _descriptive_sections(page, step)
    for factor in factors:
        step(f"survival by {factor}")
        page.survival(factor, factor, "overall", f"Overall survival by {factor.replace('_', ' ')}")
    _model_sections(page, step)
    step("disclosure control and page")
    return _write_page(page, title or "Survival report", source_label or source)


def _descriptive_sections(page: _Sections, step: _Progress) -> None:
    """Load log, cohort, data quality by year and classification summary."""
    out, time, event = page.out, page.opts["time"], page.opts["event"]
    step("load log")
    page.add("load", "Records and exclusions", lambda: load_section(page.full, out, page.ledger))
    if page.cohort_note:
        page.add("cohort", "Cohort", page.cohort_section)
    step("data quality by year of diagnosis")
    page.add(
        "quality",
        "Data quality by year of diagnosis",
        lambda: quality_section(page.df, out, page.ledger, page.lift, time, event),
    )
    step("classification summary")
    page.add(
        "classification",
        "Classification summary",
        lambda: classification_section(page.df, out, page.ledger, page.lift),
    )


def _write_page(page: _Sections, title: str, source: str) -> Report:
    """Suppress, render every section, write ``index.html``; the :class:`Report`."""
    out, full = page.out, page.full
    sections = page.render()
    if page.unavailable:
        items = "".join(
            f"<li>{esc(k)}: not available — {esc(v)}</li>" for k, v in page.unavailable.items()
        )
        sections.append(
            ("unavailable", "Sections not available", f'<ul class="missing">{items}</ul>')
        )
    methods_html = methods(page.opts, page.tables, "relative" in page.tables)
    sections.append(("methods", "Methods", methods_html))
    html_text = page_html(title, source, sections)
    (out / "index.html").write_text(html_text, encoding="utf-8")
    used = re.findall(r'(?:src|href)="([^"#:]+)"', html_text)  # the files the page links to
    files = ["index.html", *[f for f in used if (out / f).is_file()]]
    n_excl = int(full["exclusion"].notna().sum()) if "exclusion" in full else 0
    return Report(
        path=out / "index.html",
        out_dir=out,
        files=tuple(dict.fromkeys(files)),
        tables=page.tables,
        unavailable=page.unavailable,
        n_rows=len(full),
        n_excluded=n_excl,
    )


class _Sections:
    """The page being built: sections in order (as render functions), the ledger of every
    count they publish, tables by key, sections left out and why."""

    def __init__(self, full: pd.DataFrame, out: Path, opts: dict[str, Any], nen_only: bool) -> None:
        self.full, self.out, self.opts = full, out, opts
        self.ledger = Ledger(len(full), int(opts["suppress_below"]))
        self.parts: list[tuple[str, str, Render | str]] = []
        self.unavailable: dict[str, str] = {}
        self.tables: dict[str, SurvivalTable] = {}
        self.marked: dict[str, Callable[[set[Any]], SurvivalTable]] = {}
        rows = np.arange(len(full))
        self.cohort_note = ""
        if nen_only and "nen_type" in full:
            nen = full["nen_type"].astype(str).ne("not NEN").to_numpy()
            if not nen.all():
                rows = np.flatnonzero(nen)
                self.ledger.add(("cohort", "nen"), nen)
                self.ledger.add(("cohort", "not nen"), ~nen)
                self.cohort_note = "nen"
        self.df = full.iloc[rows].reset_index(drop=True) if len(rows) < len(full) else full
        self.lift = cohort_rows(len(full), rows)

    def cohort_section(self) -> Render:
        def render(hidden: set[Any]) -> str:
            def count(key: tuple[str, str]) -> str:
                v = self.ledger.values[key]
                return SUPPRESSED if key in hidden or 0 < v < self.ledger.threshold else f"{v:,}"

            return (
                f"<p>Neuroendocrine neoplasms analysed below: {count(('cohort', 'nen'))}; "
                f"records that are not NENs (nen_type 'not NEN'), left out of every section "
                f"below: {count(('cohort', 'not nen'))}. Pass nen_only=False "
                "(netsurv report --all-records) to analyse every record.</p>"
            )

        return render

    def add(self, sid: str, head: str, build: Callable[[], Render]) -> None:
        """Add a section; a failure becomes "not available — reason", warnings become notes."""
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                render = build()
            said = dict.fromkeys(
                str(w.message).splitlines()[0]
                for w in caught
                if not issubclass(w.category, DeprecationWarning)
            )
            notes = "".join(f'<p class="note">Note: {esc(m)}</p>' for m in said)
            self.parts.append((sid, head, lambda hidden: render(hidden) + notes))
        except (NetsurvError, ImportError, KeyError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.unavailable[head] = reason
            self.parts.append(
                (sid, head, f'<p class="missing">{esc(head)}: not available — {esc(reason)}</p>')
            )

    def survival(self, key: str, factor: str, measure: str, head: str) -> None:
        """A survival table + figure section (``tables[key]``)."""
        if factor not in self.df:
            self.unavailable[head] = f"no {factor!r} column"
            return

        def build() -> Render:
            tab, marked = survival_section(
                self.df, self.ledger, self.lift, key, factor, self.opts, measure
            )
            self.tables[key] = tab
            self.marked[key] = marked
            return lambda hidden: self._survival_html(key, factor, marked(hidden), hidden)

        self.add(f"surv-{key}", head, build)

    def _survival_html(self, name: str, factor: str, tab: SurvivalTable, hidden: set[Any]) -> str:
        self.tables[name] = tab
        out = self.out
        key = slug(name)  # a file name, whatever the column is called
        tab.masked_frame().to_csv(out / f"survival_{key}.csv", index=False)
        tab.to_csv(out / f"survival_{key}_formatted.csv")
        fit, threshold = tab.curves, figure_threshold(tab, self.opts["suppress_below"])
        ax = fit.plot(suppress_below=threshold, time_unit=axis_unit(fit), censor_ticks="auto")
        hide_risk_counts(ax, fit, threshold, name, hidden)
        save_figure(ax, out / f"km_{key}.png")
        return (
            f'<div class="scroll">{tab.to_html()}</div>'  # wide tables scroll, not overflow
            + f'<p><img src="km_{esc(key)}.png" alt="{esc(tab.method)} by {esc(factor)}"></p>'
            + f'<p class="note">Numbers: <a href="survival_{esc(key)}.csv">survival_{esc(key)}.csv</a> (full '
            f'precision, counts masked as here); as printed: <a href="survival_{esc(key)}_formatted.csv">'
            f"survival_{esc(key)}_formatted.csv</a>.</p>"
        )

    def render(self) -> list[tuple[str, str, str]]:
        """Decide what to hide (primary + complementary suppression), then write everything."""
        hidden = self.ledger.protect()
        return [
            (sid, head, part if isinstance(part, str) else part(hidden))
            for sid, head, part in self.parts
        ]


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
        page.add("cox", "Hazard ratios (Cox model)", lambda: cox_section(page))


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
