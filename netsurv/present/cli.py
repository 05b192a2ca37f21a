"""The ``netsurv`` command line: a thin shell over the library, one library call per command.

Errors print one line to stderr and exit non-zero (1 for netsurv's own errors and unreadable
files, 2 for bad command-line usage, 3 for an internal error); ``--debug`` shows the traceback.
Every subcommand is documented in ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from netsurv.counting.sources import to_counts
from netsurv.errors import NetsurvError
from netsurv.estimators.kaplan_meier import kaplan_meier
from netsurv.estimators.reconstruct import reconstruct_ipd
from netsurv.io import read
from netsurv.present.plotting import plot_survival
from netsurv.present.report import demo, report
from netsurv.present.tables import survival_table
from netsurv.published import reproduce

__all__ = ["build_parser", "main", "records"]

SUBCOMMANDS = ("survival", "plot", "report", "reproduce", "demo", "classify", "reconstruct")


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``netsurv survival: error: ... (see --help)``)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _times(text: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give times separated by commas, e.g. 12,36,60"
        ) from None
    if not values:
        raise argparse.ArgumentTypeError("give at least one time, e.g. 12,36,60")
    return values


def _read(path: str) -> pd.DataFrame:
    return read(path)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Row objects with plain Python values (NaN/NA -> None, numpy scalars -> int/float/bool);
    floats keep full precision (``json`` writes the shortest repr that round-trips)."""
    out = []
    for row in frame.to_dict("records"):
        clean: dict[str, Any] = {}
        for k, v in row.items():
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                clean[str(k)] = None
            elif hasattr(v, "item"):  # numpy scalar
                item = v.item()
                clean[str(k)] = None if isinstance(item, float) and math.isnan(item) else item
            elif isinstance(v, int | float | bool | str):
                clean[str(k)] = v
            else:
                clean[str(k)] = str(v)
        out.append(clean)
    return out


def _source(args: argparse.Namespace, by: Sequence[str]) -> Any:
    """The data for one command: a file read into memory, or — with ``--engine`` — counted
    where it lies (a large Parquet/CSV file, directory or glob), with a progress bar."""
    if args.engine is None:
        return _read(args.input)
    if getattr(args, "measure", "overall") == "relative":
        return args.input  # relative_survival reads it in chunks itself

    return to_counts(
        args.input,
        time=args.time,
        event=args.event,
        by=list(by),
        engine=args.engine,
        memory_limit=args.memory_limit,
        progress=True,
        registry_rules=True,
    )


def _cmd_survival(args: argparse.Namespace) -> int:
    extra = {"engine": args.engine} if args.engine and args.measure == "relative" else {}
    tab = survival_table(
        _source(args, args.by),
        by=args.by,
        times=args.times,
        measure=args.measure,
        time=args.time,
        event=args.event,
        suppress_below=args.suppress_below,
        conf_type=args.conf_type,
        time_unit=args.time_unit,
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


def _cmd_plot(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")

    by = list(dict.fromkeys([*([args.facet] if args.facet else []), *args.by]))
    fit = kaplan_meier(_source(args, by), time=args.time, event=args.event, by=by)
    drawn = plot_survival(
        fit,
        facet=args.facet,
        ticks=args.ticks,
        time_unit=args.time_unit,
        suppress_below=args.suppress_below,
    )
    first = drawn[0] if args.facet else drawn
    first.get_figure(root=True).savefig(args.output, dpi=args.dpi)  # PNG, SVG or PDF by suffix
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    res = report(
        args.input, args.output, suppress_below=args.suppress_below, progress=not args.quiet
    )
    print(f"wrote {res.path}", file=sys.stderr)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    res = demo(args.output, progress=not args.quiet)
    print(f"wrote {res.path}", file=sys.stderr)
    return 0


def _cmd_reproduce(args: argparse.Namespace) -> int:
    result = reproduce(args.input) if args.input else reproduce()
    frame = result if isinstance(result, pd.DataFrame) else pd.DataFrame(result)
    shown = [
        c
        for c in ("id", "stratum", "published", "computed", "tolerance", "status", "note")
        if c in frame
    ]
    with pd.option_context("display.max_colwidth", 70, "display.width", 200):
        print(frame[shown].to_string(index=False))
    status = (
        frame["status"].astype(str).str.lower() if "status" in frame else pd.Series([], dtype=str)
    )
    failed = int(status.isin(["failed", "not reproduced", "fail"]).sum())
    counts = status.value_counts()
    print(
        f"{int(counts.get('passed', 0))} passed, {failed} not reproduced, "
        f"{int(counts.get('skipped', 0))} skipped (not checkable with these data)",
        file=sys.stderr,
    )
    return 1 if failed else 0


def _cmd_classify(args: argparse.Namespace) -> int:
    df = read(args.input, classify=True)
    if Path(args.output).suffix.lower() == ".csv":
        df.to_csv(args.output, index=False)
    else:
        df.to_parquet(args.output, index=False)
    print(f"wrote {args.output} ({len(df):,} rows)", file=sys.stderr)
    return 0


def _cmd_reconstruct(args: argparse.Namespace) -> int:
    at_risk = pd.read_csv(args.at_risk) if args.at_risk else None
    ipd = reconstruct_ipd(
        pd.read_csv(args.input), at_risk, total_events=args.total_events, n=args.n
    )
    ipd.to_csv(args.output, index=False)
    print(
        f"wrote {args.output} ({len(ipd)} patients, {int(ipd['event'].sum())} events)",
        file=sys.stderr,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (used by ``main`` and by the documentation test)."""
    common = _Parser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    p = _Parser(
        prog="netsurv",
        parents=[common],
        description="Survival statistics for cancer-registry data on neuroendocrine neoplasms.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def cols(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--time", default="survival_months", help="follow-up column (default survival_months)"
        )
        q.add_argument(
            "--event",
            default=None,
            help="event column (default: dead, or cancer_death for --measure cause-specific)",
        )
        q.add_argument(
            "--suppress-below",
            type=int,
            default=16,
            metavar="N",
            help="suppress groups with fewer than N cases (default 16; 0 = off)",
        )
        q.add_argument(
            "--engine",
            choices=["numpy", "arrow", "duckdb", "dask"],
            default=None,
            help="count a large Parquet/CSV file, directory or glob without loading it (see docs/scale.md)",
        )
        q.add_argument(
            "--memory-limit",
            default="512MB",
            help="memory limit for --engine duckdb (default 512MB)",
        )

    s = sub.add_parser(
        "survival",
        parents=[common],
        help="survival table (N, events, median, x-year survival, log-rank p)",
    )
    s.add_argument("input", help="registry file: SEER*Stat export, NAACCR XML, CSV or Parquet")
    s.add_argument(
        "--by", nargs="+", default=["extent"], help="grouping column(s) (default extent)"
    )
    s.add_argument(
        "--times",
        type=_times,
        default=[12.0, 36.0, 60.0, 120.0],
        help="report times, comma-separated (default 12,36,60,120)",
    )
    s.add_argument(
        "--measure", choices=["overall", "cause-specific", "relative"], default="overall"
    )
    s.add_argument("--format", choices=["table", "csv", "json", "markdown"], default="table")
    s.add_argument("--conf-type", choices=["log-log", "log", "plain"], default="log-log")
    s.add_argument(
        "--time-unit", default=None, help="unit of --time for headings (months for survival_months)"
    )
    cols(s)
    s.set_defaults(func=_cmd_survival)

    q = sub.add_parser(
        "plot", parents=[common], help="Kaplan–Meier figure with number-at-risk table"
    )
    q.add_argument("input", help="registry file")
    q.add_argument(
        "--by", nargs="+", default=["extent"], help="grouping column(s) (default extent)"
    )
    q.add_argument(
        "-o", "--output", default="km.png", help="image file: .png, .svg or .pdf (default km.png)"
    )
    q.add_argument("--facet", default=None, help="one panel per value of this column")
    q.add_argument(
        "--time-unit",
        choices=["months", "years", "days"],
        default=None,
        help="axis unit (default: the data's)",
    )
    q.add_argument(
        "--ticks",
        type=_times,
        default=None,
        help="x ticks (and risk-table columns), comma-separated, in the axis unit",
    )
    q.add_argument("--dpi", type=int, default=150)
    cols(q)
    q.set_defaults(func=_cmd_plot)

    r = sub.add_parser(
        "report", parents=[common], help="HTML report: tables, figures, data quality, methods"
    )
    r.add_argument("input", help="registry file")
    r.add_argument("-o", "--output", default="report", help="output directory (default report/)")
    r.add_argument(
        "--suppress-below",
        type=int,
        default=16,
        metavar="N",
        help="small-count suppression (default 16)",
    )
    r.add_argument("--quiet", action="store_true", help="no progress messages")
    r.set_defaults(func=_cmd_report)

    d = sub.add_parser(
        "demo", parents=[common], help="the report on the bundled synthetic registry"
    )
    d.add_argument("-o", "--output", default="report", help="output directory (default report/)")
    d.add_argument("--quiet", action="store_true", help="no progress messages")
    d.set_defaults(func=_cmd_demo)

    e = sub.add_parser(
        "reproduce",
        parents=[common],
        help="check published figures; exit 1 if one is not reproduced",
    )
    e.add_argument("input", nargs="?", default=None, help="registry file (default: bundled data)")
    e.set_defaults(func=_cmd_reproduce)

    c = sub.add_parser(
        "classify",
        parents=[common],
        help="add site group, extent, grade, differentiation, NEN type",
    )
    c.add_argument("input", help="registry file")
    c.add_argument("-o", "--output", default="classified.parquet", help="output .parquet (or .csv)")
    c.set_defaults(func=_cmd_classify)

    k = sub.add_parser(
        "reconstruct",
        parents=[common],
        help="patient data rebuilt from a digitised Kaplan–Meier curve (Guyot 2012)",
    )
    k.add_argument("input", help="digitised curve: CSV with columns time, survival (0-1 or %%)")
    k.add_argument(
        "--at-risk", default=None, help="at-risk table: CSV with columns time, n_at_risk"
    )
    k.add_argument(
        "--n", type=int, default=None, help="patients at time 0 (needed without --at-risk)"
    )
    k.add_argument(
        "--total-events", type=int, default=None, help="the published number of events, if known"
    )
    k.add_argument(
        "-o", "--output", default="ipd.csv", help="output CSV with time, event (default ipd.csv)"
    )
    k.set_defaults(func=_cmd_reconstruct)
    return p


def _one_line_warning(command: str, message: Warning | str, *_: Any, **__: Any) -> None:
    print(f"netsurv {command}: warning: {' '.join(str(message).split())}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``netsurv`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "by", None):  # --by extent site, or --by extent,site
        args.by = [b for value in args.by for b in value.split(",") if b]
    if getattr(args, "event", "x") is None:
        args.event = "cancer_death" if getattr(args, "measure", "") == "cause-specific" else "dead"
    try:
        with warnings.catch_warnings():
            if not args.debug:  # one line per warning, without the source line
                warnings.showwarning = partial(_one_line_warning, args.command)
            return int(args.func(args))
    except (NetsurvError, OSError) as exc:
        if args.debug:
            raise
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"netsurv {args.command}: error: {message}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: say so, in one line
        if args.debug:
            raise
        print(
            f"netsurv {args.command}: internal error: {type(exc).__name__}: "
            f"{' '.join(str(exc).split())[:300]} (rerun with --debug for the traceback)",
            file=sys.stderr,
        )
        return 3
