"""The publication survival table as a result: :class:`SurvivalTable` holds the numbers (a
DataFrame) and makes every formatted export of them — strings, Markdown, HTML, LaTeX, CSV —
with masked small counts and footnotes. :func:`netsurv.present.tables.survival_table` builds it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from netsurv.present.disclosure import SUPPRESSED
from netsurv.present.formatting import (
    DASH,
    Style,
    column_digits,
    estimate,
    format_p,
    mask_count,
    median_text,
    time_label,
)

__all__ = ["EVENTS", "SurvivalTable", "x_year_note"]

EVENTS = {"overall": "dead", "cause-specific": "cancer_death", "relative": "dead"}


def x_year_note(whole_months: bool) -> str:
    """The one meaning of "x-year survival" in every table (printed as a footnote)."""
    if whole_months:
        return (
            "x-year survival is survival through month 12x − 1 of SEER whole-month follow-up "
            "(a death recorded in month 60 lived at least 60 months; SEER*Stat's count); "
            "t-month survival likewise through month t − 1."
        )
    return (
        "Survival at time t is the estimate just after t (deaths at t counted), R's "
        "summary(fit, times = t)."
    )


@dataclass(frozen=True)
class SurvivalTable:
    """Survival by group at fixed times, as numbers (frozen; build with :func:`survival_table`).

    ``table`` columns: the ``by`` columns, ``n`` (cases analysed), ``n_events``, ``median``,
    ``median_lower``, ``median_upper`` (in the time unit of the data), then for each time t:
    ``survival_{t}``, ``lower_{t}``, ``upper_{t}`` (pointwise CI), ``std_err_{t}``,
    ``n_at_risk_{t}``, ``unreliable_{t}``; then ``p_value`` (log-rank across the known groups,
    the same on every row), ``suppressed`` and ``unreliable``. With SEER whole months
    (``whole_months=True``), ``survival_{t}`` is survival *through month t − 1*, SEER*Stat's
    t-month survival: a death recorded in month 60 lived at least 60 months. ``curves`` is
    the fitted :class:`netsurv.results.curves.SurvivalCurves` behind the table (for plotting).
    ``style`` is the exports' default format ("proportion" or "percent"); ``hidden`` holds
    ``(row, "n" | "n_events")`` and ``("excluded", reason)`` cells that exports print as
    "suppressed" beyond the small ones (the report's complementary suppression).
    """

    table: pd.DataFrame
    by: tuple[str, ...]
    times: tuple[float, ...]
    measure: str
    time_unit: str | None
    conf_type: str
    conf_level: float
    whole_months: bool
    suppress_below: int
    max_std_err: float
    min_at_risk: int
    p_value: float
    test: str
    event: str = "dead"
    method: str = ""
    excluded: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    curves: Any = field(default=None, repr=False, compare=False)
    style: Style = "proportion"
    hidden: frozenset[tuple[Any, str]] = frozenset()

    def to_frame(self) -> pd.DataFrame:
        """A copy of the numbers."""
        return self.table.copy()

    # ------------------------------------------------------------- formatting
    def formatted(self, digits: int | None = None, style: Style | None = None) -> pd.DataFrame:
        """The table as strings: masked counts, ``"90.2% (89.8–90.6)"`` (``style="percent"``)
        or ``"0.90 (0.90–0.91)"``, ``*`` if unreliable. ``digits`` is the least number of
        decimals (default 1 for percent, 2 for proportions); a column gets more when an
        interval would otherwise print as one number."""
        t = self.table
        style = style or self.style
        pct = int(round(self.conf_level * 100))
        out = pd.DataFrame({c: t[c].astype(str) for c in self.by})
        if not self.by:
            out["group"] = ["all"] * len(t)
        th = self.suppress_below
        for col, head in (("n", "N"), ("n_events", "Events")):
            out[head] = [mask_count(v, th, (i, col) in self.hidden) for i, v in enumerate(t[col])]
        out[f"Median, {self.time_unit or 'time'} ({pct}% CI)"] = [
            DASH if s else median_text(m, lo, hi, whole=self.whole_months)
            for m, lo, hi, s in zip(
                t["median"], t["median_lower"], t["median_upper"], t["suppressed"], strict=True
            )
        ]
        for x in self.times:
            k = f"{x:g}"
            rows = list(zip(t[f"survival_{k}"], t[f"lower_{k}"], t[f"upper_{k}"], strict=True))
            d = column_digits(rows, style, digits)
            cells = [
                estimate(s, lo, hi, d, style) + ("*" if bad and not pd.isna(s) else "")
                for (s, lo, hi), bad in zip(rows, t[f"unreliable_{k}"], strict=True)
            ]
            out[f"{time_label(x, self.time_unit)} ({pct}% CI)"] = cells
        if self.by and not pd.isna(self.p_value):
            head = "p (net survival test)" if self.measure == "relative" else "p (log-rank)"
            out[head] = [format_p(self.p_value)] + [""] * (len(t) - 1)
        out.loc[t["suppressed"].to_numpy(), out.columns[0]] += " †"
        return out

    def masked_frame(self) -> pd.DataFrame:
        """The numbers (:meth:`to_frame`) safe to publish: every count column masked as in the
        formatted table (``"suppressed"``); numbers at risk left out."""
        t = self.to_frame()
        t = t.drop(columns=[c for c in t if c.startswith("n_at_risk_")])
        for col in ("n", "n_events"):
            t[col] = [
                mask_count(v, self.suppress_below, (i, col) in self.hidden, False)
                for i, v in enumerate(t[col])
            ]
        return t

    def footnotes(self) -> list[str]:
        """Footnotes for exported tables (suppression, reliability, conventions, test)."""
        t = self.table
        notes = []
        counts = np.r_[
            t["n"].to_numpy(float), t["n_events"].to_numpy(float), self.excluded.to_numpy(float)
        ]
        masked = ((counts > 0) & (counts < self.suppress_below)).any() or bool(self.hidden)
        if self.suppress_below > 0 and (masked or t["suppressed"].any()):
            notes.append(
                f"† Fewer than {self.suppress_below} cases: estimates suppressed. "
                f"{SUPPRESSED.capitalize()}: a count from 1 to {self.suppress_below - 1}, or a "
                "count hidden so that none can be worked out by subtraction (complementary "
                "suppression; see the methods)."
            )
        if t["unreliable"].any():
            notes.append(
                f"* Unreliable: standard error above {self.max_std_err:g} or fewer than "
                f"{self.min_at_risk} at risk."
            )
        if self.measure == "relative":
            what = self.method or "relative survival"
        elif self.event == EVENTS[self.measure]:
            what = f"{self.measure} survival, Kaplan–Meier"
        else:
            what = f"survival (event column {self.event!r}), Kaplan–Meier"
        notes.append(
            f"{what[0].upper()}{what[1:]}, with {self.conf_type} confidence intervals "
            f"({self.conf_level:.0%}); medians with the CI where the band crosses 0.5."
        )
        notes.append(x_year_note(self.whole_months))
        if self.by and not pd.isna(self.p_value):
            notes.append(
                f"p: {self.test}; groups labelled 'unknown' and suppressed groups are not compared."
            )
        elif self.by and self.test:
            notes.append(f"p: {self.test}.")
        if len(self.excluded):
            parts = ", ".join(
                f"{k}: {mask_count(v, self.suppress_below, ('excluded', k) in self.hidden)}"
                for k, v in self.excluded.items()
            )
            notes.append(f"Excluded from the estimates: {parts}.")
        return notes

    def to_markdown(self, digits: int | None = None) -> str:
        """GitHub-flavoured Markdown table followed by the footnotes."""
        f = self.formatted(digits)
        head = "| " + " | ".join(f.columns) + " |"
        rule = "|" + "|".join("---" for _ in f.columns) + "|"
        rows = ["| " + " | ".join(map(str, r)) + " |" for r in f.itertuples(index=False)]
        notes = "\n".join(f"{n}  " for n in self.footnotes())
        return "\n".join([head, rule, *rows]) + "\n\n" + notes + "\n"

    def to_html(self, digits: int | None = None) -> str:
        """An HTML ``<table>`` (class ``netsurv-table``) with the footnotes below it."""
        body = self.formatted(digits).to_html(index=False, classes="netsurv-table", border=0)
        notes = "".join(f"<li>{_escape(n)}</li>" for n in self.footnotes())
        return f'{body}\n<ul class="footnotes">{notes}</ul>'

    def to_latex(self, digits: int | None = None) -> str:
        """A LaTeX ``tabular`` (booktabs rules) with the footnotes as a ``tablenotes`` list."""
        f = self.formatted(digits)
        esc = _latex_escape
        spec = "l" * len(self.by or ["group"]) + "r" * (f.shape[1] - len(self.by or ["group"]))
        lines = [f"\\begin{{tabular}}{{{spec}}}", "\\toprule"]
        lines.append(" & ".join(esc(c) for c in f.columns) + " \\\\")
        lines.append("\\midrule")
        lines += [" & ".join(esc(str(v)) for v in r) + " \\\\" for r in f.itertuples(index=False)]
        lines += ["\\bottomrule", "\\end{tabular}", "\\begin{itemize}"]
        lines += [f"\\item[] {esc(n)}" for n in self.footnotes()]
        lines.append("\\end{itemize}")
        return "\n".join(lines) + "\n"

    def to_csv(self, path: Any = None, digits: int | None = None) -> str | None:
        """Formatted table as CSV, footnotes as trailing ``#`` lines; the numbers with full
        precision are ``to_frame().to_csv()``. Returns the text when ``path`` is None."""
        buf = io.StringIO()
        self.formatted(digits).to_csv(buf, index=False)
        buf.write("".join(f"# {n}\n" for n in self.footnotes()))
        if path is None:
            return buf.getvalue()
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(buf.getvalue())
        return None

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        f = self.formatted()
        return f"SurvivalTable({self.measure})\n{f.to_string(index=False)}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _latex_escape(text: str) -> str:
    for a, b in (
        ("\\", r"\textbackslash{}"),
        ("&", r"\&"),
        ("%", r"\%"),
        ("#", r"\#"),
        ("_", r"\_"),
        ("<", r"\textless{}"),
        ("–", "--"),
        ("†", r"\dag{}"),
        ("−", "-"),
        ("≥", r"$\geq$"),
    ):
        text = text.replace(a, b)
    return text
