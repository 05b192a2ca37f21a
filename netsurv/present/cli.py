"""The ``netsurv`` command line: a thin shell over the library, one library call per command.

Errors print one line to stderr and exit non-zero (1 for netsurv's own errors and unreadable
files, 2 for bad command-line usage, 3 for an internal error); ``--debug`` shows the traceback.
Every subcommand is documented in ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import warnings
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from netsurv.errors import InputError, NetsurvError
from netsurv.estimators.kaplan_meier import kaplan_meier
from netsurv.estimators.reconstruct import reconstruct_ipd
from netsurv.io import convert
from netsurv.present import cli_checks as check
from netsurv.present.cli_input import (
    column_options,
    data_options,
    read_input,
    select_cohort,
    source,
)
from netsurv.present.cli_output import one_line_warning, print_checks, records
from netsurv.present.plotting import plot_survival
from netsurv.present.report import demo, report
from netsurv.present.tables import survival_table
from netsurv.published import reproduce
from netsurv.ratetables import us

__all__ = ["build_parser", "main", "records"]

SUBCOMMANDS = (
    "survival",
    "plot",
    "report",
    "reproduce",
    "demo",
    "classify",
    "reconstruct",
    "convert",
)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``netsurv survival: error: ... (see --help)``) that
    suggest the closest option, command or choice ("did you mean")."""

    def error(self, message: str) -> NoReturn:
        self.exit(
            2, f"{self.prog}: error: {message}{self._hint(message)} (see {self.prog} --help)\n"
        )

    def _hint(self, message: str) -> str:
        bad = re.search(r"unrecognized arguments: (\S+)", message)
        if bad and bad.group(1).startswith("-"):
            word = bad.group(1).split("=")[0]
            return check.close(word, sorted(self._all_options()))
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if choice:
            options = re.findall(r"'?([^,' ]+)'?", choice.group(2))
            return check.close(choice.group(1), options)
        return ""

    def _all_options(self) -> set[str]:
        """Option strings of this parser and of its subcommands."""
        found = {o for a in self._actions for o in a.option_strings}
        for action in self._actions:
            for sub in (getattr(action, "choices", None) or {}).values():
                if isinstance(sub, argparse.ArgumentParser):
                    found |= {o for a in sub._actions for o in a.option_strings}
        return found


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


def _cmd_plot(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")

    target = check.image_path(args.output)  # before the work: a bad -o fails at once
    by = list(dict.fromkeys([*([args.facet] if args.facet else []), *args.by]))
    fit = kaplan_meier(source(args, by), time=args.time, event=args.event, by=by)
    drawn = plot_survival(
        fit,
        facet=args.facet,
        ticks=args.ticks,
        time_unit=args.time_unit,
        suppress_below=args.suppress_below,
    )
    first = drawn[0] if args.facet else drawn
    first.get_figure(root=True).savefig(target, dpi=args.dpi)  # the type follows the suffix
    print(f"wrote {target}", file=sys.stderr)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise InputError(f"-o {args.output}: is a file; give a directory for the report")
    nen_only = not args.all_records
    args.all_records = True  # the page itself says how many records are not NENs
    df = select_cohort(args, read_input(args))
    where = f" (--where {args.where.text})" if args.where is not None else ""
    res = report(
        df,
        out,
        suppress_below=args.suppress_below,
        progress=not args.quiet,
        nen_only=nen_only,
        source=f"{args.input}{where}",
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
    if args.format == "json":
        print(json.dumps(records(frame[shown]), ensure_ascii=False, allow_nan=False))
    elif args.format == "csv":
        sys.stdout.write(frame[shown].to_csv(index=False))
    else:
        print_checks(frame[shown])
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
    out = Path(args.output)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise InputError(
            f"-o {args.output}: give a .parquet or .csv file{check.close(out.suffix.lower(), ['.csv', '.parquet'])}"
        )
    given = Path(args.input).resolve()
    if out.resolve() in {given, given.with_suffix(".dic"), given.with_suffix(".txt")}:
        raise InputError(
            f"-o {args.output}: would overwrite the input ({args.input} or its .dic/.txt); choose another name"
        )
    if out.is_dir():
        raise InputError(f"-o {args.output}: is a directory; give a file name")
    df = select_cohort(args, read_input(args))
    if out.suffix.lower() == ".csv":
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


def _cmd_convert(args: argparse.Namespace) -> int:
    rows = convert(args.input, args.output, classify=args.classify)
    print(f"wrote {args.output} ({rows:,} rows)", file=sys.stderr)
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

    q = sub.add_parser(
        "plot", parents=[common], help="Kaplan–Meier figure with number-at-risk table"
    )
    q.add_argument("input", help="registry file")
    q.add_argument(
        "--by", nargs="+", default=["extent"], help="grouping column(s) (default extent)"
    )
    q.add_argument(
        "-o",
        "--output",
        default="km.png",
        help="image file: .png, .svg, .pdf, .jpg, ... (default km.png; a directory gets km.png)",
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
        type=check.times,
        default=None,
        help="x ticks (and risk-table columns), comma-separated, in the axis unit",
    )
    q.add_argument(
        "--dpi", type=check.dpi, default=150, help="resolution, 20 to 1200 (default 150)"
    )
    data_options(q)
    column_options(q)
    q.set_defaults(func=_cmd_plot)

    r = sub.add_parser(
        "report", parents=[common], help="HTML report: tables, figures, data quality, methods"
    )
    r.add_argument("input", help="registry file")
    r.add_argument("-o", "--output", default="report", help="output directory (default report/)")
    r.add_argument(
        "--suppress-below",
        type=check.suppress_below,
        default=16,
        metavar="N",
        help="small-count suppression, with complementary suppression (default 16; 0 = off)",
    )
    r.add_argument("--quiet", action="store_true", help="no progress messages")
    data_options(r)
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
    e.add_argument("--format", choices=["table", "csv", "json"], default="table")
    e.set_defaults(func=_cmd_reproduce)

    c = sub.add_parser(
        "classify",
        parents=[common],
        help="add site group, extent, grade, differentiation, NEN type",
    )
    c.add_argument("input", help="registry file")
    c.add_argument("-o", "--output", default="classified.parquet", help="output .parquet (or .csv)")
    data_options(c)
    c.set_defaults(func=_cmd_classify, all_records=True)

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

    v = sub.add_parser(
        "convert",
        parents=[common],
        help="stream a registry file to Parquet in chunks (for the out-of-core engines)",
    )
    v.add_argument("input", help="SEER*Stat export (.txt/.txt.gz + .dic), NAACCR XML or table")
    v.add_argument("output", help="the .parquet file to write")
    v.add_argument("--classify", action="store_true", help="add the classification columns")
    v.set_defaults(func=_cmd_convert)
    return p


# a user's file that pandas cannot parse or decode is bad input, not a netsurv bug
_USER_FILE_ERRORS = (
    NetsurvError,
    OSError,
    pd.errors.EmptyDataError,
    pd.errors.ParserError,
    UnicodeDecodeError,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``netsurv`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "by", None):  # --by extent site, or --by extent,site
        args.by = [b for value in args.by for b in value.split(",") if b]
    args.all_records = getattr(args, "all_records", True)
    if getattr(args, "event", "x") is None:
        args.event = "cancer_death" if getattr(args, "measure", "") == "cause-specific" else "dead"
    try:
        with warnings.catch_warnings():
            if not args.debug:  # one line per warning, without the source line
                warnings.showwarning = partial(one_line_warning, args.command)
            return int(args.func(args))
    except BrokenPipeError:  # the output went to `head` or similar: not an error
        return 0
    except _USER_FILE_ERRORS as exc:  # netsurv's own, or a file that cannot be read as given
        if args.debug:
            raise
        message = " ".join(str(exc).split()) or type(exc).__name__
        where = (
            f"{args.input}: "
            if not isinstance(exc, NetsurvError | OSError) and getattr(args, "input", None)
            else ""
        )
        print(f"netsurv {args.command}: error: {where}{message}", file=sys.stderr)
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
