"""``netsurv survival``: the survival table of :func:`netsurv.survival_table` as text, CSV,
JSON or Markdown."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from netsurv.errors import InputError
from netsurv.present import cli_checks as check
from netsurv.present.cli_input import column_options, data_options, source
from netsurv.present.cli_output import records
from netsurv.present.tables import survival_table
from netsurv.ratetables import us

__all__ = ["survival_options"]


def _cmd_survival(args: argparse.Namespace) -> int:
    extra: dict[str, Any] = (
        {"engine": args.engine} if args.engine and args.measure == "relative" else {}
    )
    if args.beyond_year is not None:
        if args.measure != "relative":
            raise InputError("--beyond-year applies to --measure relative (life-table rates)")
        extra["lifetable"] = us().with_beyond_year(args.beyond_year)
    tab = survival_table(
        source(args, args.by),
        by=args.by,
        times=args.times,
        measure=args.measure,
        time=args.time,
        event=args.event,
        suppress_below=args.suppress_below,
        conf_type=args.conf_type,
        time_unit=args.time_unit,
        style=args.style,
        **extra,
    )
    frame = tab.to_frame()
    if args.format == "json":
        print(json.dumps(records(frame), ensure_ascii=False, allow_nan=False))
    elif args.format == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    elif args.format == "markdown":
        sys.stdout.write(tab.to_markdown())
    else:
        print(tab.formatted().to_string(index=False))
        print()
        print("\n".join(tab.footnotes()))
    return 0


def survival_options(s: argparse.ArgumentParser) -> None:
    """The ``survival`` and its options."""
    s.add_argument("input", help="registry file: SEER*Stat export, NAACCR XML, CSV or Parquet")
    s.add_argument(
        "--by", nargs="+", default=["extent"], help="grouping column(s) (default extent)"
    )
    s.add_argument(
        "--times",
        type=check.times,
        default=[12.0, 36.0, 60.0, 120.0],
        help=f"report times, comma-separated (default 12,36,60,120; at most {check.MAX_TIMES})",
    )
    s.add_argument(
        "--measure", choices=["overall", "cause-specific", "relative"], default="overall"
    )
    s.add_argument("--format", choices=["table", "csv", "json", "markdown"], default="table")
    s.add_argument(
        "--style",
        choices=["percent", "proportion"],
        default="proportion",
        help="survival as 90.2%% (89.8–90.6) or 0.90 (0.90–0.91) in table/markdown output",
    )
    s.add_argument("--conf-type", choices=["log-log", "log", "plain"], default="log-log")
    s.add_argument(
        "--time-unit", default=None, help="unit of --time for headings (months for survival_months)"
    )
    s.add_argument(
        "--beyond-year",
        type=int,
        default=None,
        metavar="YEAR",
        help="--measure relative: use YEAR's US life-table rates after the table's last year",
    )
    data_options(s)
    column_options(s, measure=True)
    s.set_defaults(func=_cmd_survival)
