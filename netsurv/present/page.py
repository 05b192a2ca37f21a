"""The HTML page around the report's sections: style sheet, navigation, methods paragraph."""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import platform
import re
from typing import Any

import numpy as np
import pandas as pd

from netsurv.present.disclosure import SUPPRESSED
from netsurv.present.sections import esc
from netsurv.present.tables import SurvivalTable, x_year_note

__all__ = ["methods", "page_html", "slug"]

CSS = """
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


def methods(opts: dict[str, Any], tables: dict[str, SurvivalTable], relative: bool) -> str:
    import lifelines
    import matplotlib

    any_tab = next(iter(tables.values()), None)
    whole = any_tab is not None and any_tab.whole_months
    th = opts["suppress_below"]
    text = [
        "Survival was estimated with the Kaplan–Meier product-limit method; pointwise 95% "
        "confidence intervals use Greenwood's variance on the log(−log) scale. Median survival "
        "and its CI follow R survival (where the curve and its CI band cross 0.5).",
        f"Follow-up is {esc(opts['time'])} in {esc(opts['time_unit'] or 'the unit of the data')};"
        f" event: {esc(opts['event'])}. Patients alive at the end of follow-up were censored; for "
        "cause-specific survival, deaths from other causes were censored and deaths of unknown "
        "cause left out.",
        esc(x_year_note(whole)) + " The same definition holds in every table of this page, the "
        "net-survival table included.",
        "Groups were compared with the log-rank test among the groups shown (groups labelled "
        "'unknown' and suppressed groups were not compared). Records with an exclusion reason or "
        "missing analysis data were left out and counted (load log).",
    ]
    if relative:
        text.append(
            "Net survival: Pohar Perme estimator with US population life tables matched "
            "by age, sex and calendar year."
        )
    if th > 0:
        text.append(
            f"Small counts: estimates for groups with fewer than {th} cases are not shown, and "
            f"every count from 1 to {th - 1} on this page and in its CSV files is printed as "
            f"'{SUPPRESSED}' (primary suppression; {th} is the U.S. Cancer Statistics threshold "
            "for counts and rates). Further counts are printed as "
            f"'{SUPPRESSED}' (complementary suppression) until no hidden count, and no difference "
            "or sum of hidden counts that is a count of records from 1 to "
            f"{th - 1}, can be computed from the shown counts of all tables on the page and the "
            "numbers at risk under its figures by adding and subtracting them (in the figures a "
            f"small number at risk prints as <{th}, or below the figure's threshold when a "
            "group's N is hidden); percentages and follow-up of a hidden group are not shown. "
            "Estimates with a standard error above 0.10 or fewer than 10 at risk are marked *."
        )
    text.append(
        f"Software: netsurv {importlib.metadata.version('netsurv')}, Python {platform.python_version()}, "
        f"numpy {np.__version__}, pandas {pd.__version__}, lifelines {lifelines.__version__}, "
        f"matplotlib {matplotlib.__version__}; report written {_dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}."
    )
    return '<div class="methods"><p>' + " ".join(text) + "</p></div>"


def slug(text: str) -> str:
    """A name safe in a file name and an HTML id, whatever a column is called."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def page_html(title: str, source: str, sections: list[tuple[str, str, str]]) -> str:
    nav = "".join(f'<li><a href="#{slug(sid)}">{esc(head)}</a></li>' for sid, head, _ in sections)
    body = "".join(
        f'<section id="{slug(sid)}"><h2>{esc(head)}</h2>{html_}</section>'
        for sid, head, html_ in sections
    )
    stamp = f"{_dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f'<h1>{esc(title)}</h1><p class="meta">Source: {esc(source)} · written {stamp} by '
        f"netsurv</p><nav><ol>{nav}</ol></nav>{body}</body></html>\n"
    )
