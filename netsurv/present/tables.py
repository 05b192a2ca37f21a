"""Publication survival tables ("Table 2"): numbers first, formatting only on export.

:func:`survival_table` returns a frozen :class:`SurvivalTable` holding a DataFrame of numbers
(``n``, ``n_events``, median with CI, survival with CI at each requested time, log-rank p, and
``suppressed`` / ``unreliable`` flags). Strings such as ``"0.91 (0.89–0.93)"`` are made only by
``to_markdown()``, ``to_html()``, ``to_latex()``, ``to_csv()`` and ``_repr_html_``, which also
mask small counts and add footnotes.

Small-count suppression
    Groups with fewer than ``suppress_below`` cases (default 16) get NA estimates and
    ``suppressed=True``; exported formats also print counts from 1 to ``suppress_below - 1`` as
    ``"<16"``. The default 16 is the U.S. Cancer Statistics (CDC/NCI) rule for *counts and
    rates* (16 cases ≈ a relative standard error of 25% for a rate, and a confidentiality
    limit). It is **not** a SEER rule for survival: SEER*Stat leaves the minimum number of cases
    to the user, and the SEER research data agreement only asks users to avoid publishing
    statistics for very small groups. Treat it as a configurable default.

Reliability flag
    ``unreliable_{t}`` is True when the standard error of S(t) exceeds ``max_std_err`` (default
    0.10, absolute: a 95% CI then spans more than ±0.2 around the estimate, too wide to be read
    as a point value) or fewer than ``min_at_risk`` (default 10) subjects are still at risk at
    t (the Greenwood variance is unstable in the tail of a curve). An absolute rather than a
    relative SE is used because survival proportions near 0 have large relative SEs even when
    precisely estimated. ``unreliable`` is True when any reported time is unreliable.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from netsurv.counting.table import Counts
from netsurv.counting.validate import as_by
from netsurv.errors import InputError
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
    whole_numbers,
)
from netsurv.present.table_fits import (
    check_relative_options,
    curves,
    group_test,
    warn_implausible,
    whole_follow_up,
)

__all__ = ["SurvivalTable", "survival_table", "mask_count", "format_p"]

Measure = Literal["overall", "cause-specific", "relative"]
_EVENTS = {"overall": "dead", "cause-specific": "cancer_death", "relative": "dead"}


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
        elif self.event == _EVENTS[self.measure]:
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


def survival_table(
    df: pd.DataFrame | Counts,
    *,
    by: str | Sequence[str] | None = None,
    times: Sequence[float] = (12, 36, 60, 120),
    measure: Measure = "overall",
    time: str = "survival_months",
    event: str | None = None,
    conf_type: Literal["log-log", "log", "plain"] = "log-log",
    conf_level: float = 0.95,
    suppress_below: int = 16,
    max_std_err: float = 0.10,
    min_at_risk: int = 10,
    whole_months: bool | None = None,
    time_unit: str | None = None,
    style: Style = "proportion",
    **relative_kw: Any,
) -> SurvivalTable:
    """Publication survival table: N, events, median and t-time survival with CIs, log-rank p.

    Parameters
    ----------
    df : canonical registry frame (or any DataFrame with the named columns).
    by : grouping column(s) (e.g. ``"extent"``), or None (default) for one row; categorical
        order is kept.
    times : report times in the unit of ``time`` (months for SEER: 12, 36, 60, 120).
    measure : "overall" (event ``dead``), "cause-specific" (event ``cancer_death``; other deaths
        censored, unknown cause left out and counted) or "relative" (calls
        :func:`netsurv.relative_survival`; extra keyword arguments are passed to it).
    event : override the event column implied by ``measure``.
    conf_type, conf_level : pointwise CI of S(t) (log-log by default, as SEER*Stat and
        lifelines); the median's CI is where the band crosses 0.5 (R's rule).
    suppress_below : groups with fewer cases get NA estimates and ``suppressed=True``; 0 turns
        suppression off. See the module notes for where 16 comes from.
    max_std_err, min_at_risk : thresholds of the ``unreliable`` flags.
    whole_months : apply SEER's whole-month convention (S at t = KM through month t − 1).
        None (default) applies it when ``time == "survival_months"`` and every follow-up time
        is a whole number, i.e. SEER's integer survival months; pass False for follow-up
        computed from dates, True to force it.
    time_unit : name of the unit of ``time`` for headings ("months" is assumed for
        ``survival_months``).
    style : "proportion" (``0.90 (0.90–0.91)``) or "percent" (``90.2% (89.8–90.6)``) for the
        exported formats.

    The log-rank p compares the groups whose estimates are shown: groups labelled "unknown"
    and suppressed groups are left out, and no p is given when fewer than two remain.

    Returns
    -------
    SurvivalTable
        ``.table`` (numbers), ``.p_value``, ``to_markdown()``, ``to_html()``, ``to_latex()``,
        ``to_csv()``.

    Examples
    --------
    Without censoring, survival at 2 is the fraction still alive after time 2; a group with
    fewer than 16 cases is suppressed:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [1, 2, 3, 4] * 5, "d": 1, "g": ["a"] * 16 + ["b"] * 4})
    >>> tab = survival_table(df, by="g", times=[2], time="t", event="d")
    >>> tab.table[["g", "n", "survival_2", "suppressed"]].to_dict("list")
    {'g': ['a', 'b'], 'n': [16, 4], 'survival_2': [0.5, nan], 'suppressed': [False, True]}
    """
    if not isinstance(measure, str) or measure not in _EVENTS:
        raise InputError(f"measure={measure!r}: choose 'overall', 'cause-specific' or 'relative'")
    by_cols = as_by(by)
    try:
        grid = np.atleast_1d(np.asarray(times, dtype=np.float64))
    except (TypeError, ValueError):
        grid = np.array([np.nan])
    if grid.size == 0 or grid.ndim != 1 or not np.isfinite(grid).all() or (grid <= 0).any():
        raise InputError(f"times={times!r}: give positive times such as [12, 36, 60, 120]")
    if not isinstance(suppress_below, int | np.integer) or suppress_below < 0:
        raise InputError(f"suppress_below={suppress_below!r}: give a whole number such as 16")
    check_relative_options(relative_kw, measure)
    event = event or _EVENTS[measure]
    if measure != "relative" and not isinstance(df, pd.DataFrame | Counts):
        raise InputError(
            f"df: expected a pandas DataFrame or netsurv.Counts, got {type(df).__name__}"
        )
    fit = curves(df, by_cols, time, event, measure, conf_type, conf_level, time_unit, relative_kw)
    if whole_months is None:
        whole_months = time == "survival_months" and whole_follow_up(df, time, fit)
    lookup = grid - 1.0 if whole_months else grid
    summary = fit.summary().reset_index(drop=True)
    out = summary.rename(columns={"lower": "median_lower", "upper": "median_upper"})
    for col in ("n", "n_events"):  # counts are whole numbers unless weights made them not
        if whole_numbers(out[col].to_numpy(float)):
            out[col] = out[col].round().astype("int64")
    at = fit.at(lookup)
    k = len(grid)
    any_bad = np.zeros(len(out), dtype=bool)
    for j, x in enumerate(grid):
        rows = at.iloc[j::k].reset_index(drop=True)  # at() returns stratum-major rows
        key = f"{x:g}"
        for name in ("survival", "lower", "upper", "std_err", "n_at_risk"):
            out[f"{name}_{key}"] = rows[name].to_numpy()
        bad = (rows["std_err"].to_numpy() > max_std_err) | (
            rows["n_at_risk"].to_numpy() < min_at_risk
        )
        bad &= rows["survival"].notna().to_numpy()
        out[f"unreliable_{key}"] = bad
        any_bad |= bad
    suppressed = out["n"].to_numpy() < suppress_below
    p, test = group_test(df, by_cols, out, suppressed, measure, time, event, relative_kw)
    out["p_value"] = p
    estimates = [
        c
        for c in out.columns
        if c.startswith(("median", "survival_", "lower_", "upper_", "std_err_"))
    ]
    out.loc[suppressed, estimates] = np.nan
    for x in grid:
        out.loc[suppressed, f"unreliable_{x:g}"] = False
    out["suppressed"] = suppressed
    out["unreliable"] = any_bad & ~suppressed
    if measure == "relative":
        warn_implausible(out, grid, by_cols, df, relative_kw)
    return SurvivalTable(
        table=out,
        by=by_cols,
        times=tuple(float(x) for x in grid),
        measure=measure,
        time_unit=fit.time_unit,
        conf_type=fit.conf_type,
        conf_level=fit.conf_level,
        whole_months=bool(whole_months),
        suppress_below=int(suppress_below),
        max_std_err=float(max_std_err),
        min_at_risk=int(min_at_risk),
        p_value=p,
        test=test,
        event=event,
        method=fit.measure,
        excluded=fit.excluded,
        curves=fit,
        style=style,
    )
