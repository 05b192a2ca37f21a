"""``netsurv report``, ``demo`` and ``reproduce``: the HTML report on a registry file or on
the bundled synthetic registry, and the checks of published figures."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from netsurv.errors import InputError
from netsurv.present.cli_input import data_options, read_input, select_cohort, suppress_option
from netsurv.present.cli_output import print_checks, records
from netsurv.present.report import demo, report
from netsurv.published import reproduce

__all__ = ["demo_options", "report_options", "reproduce_options"]


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


def report_options(r: argparse.ArgumentParser) -> None:
    """The ``report`` and its options."""
    r.add_argument("input", help="registry file")
    r.add_argument("-o", "--output", default="report", help="output directory (default report/)")
    suppress_option(
        r, "small-count suppression, with complementary suppression (default 16; 0 = off)"
    )
    r.add_argument("--quiet", action="store_true", help="no progress messages")
    data_options(r)
    r.set_defaults(func=_cmd_report)


def demo_options(d: argparse.ArgumentParser) -> None:
    """The ``demo``."""
    d.add_argument("-o", "--output", default="report", help="output directory (default report/)")
    d.add_argument("--quiet", action="store_true", help="no progress messages")
    d.set_defaults(func=_cmd_demo)


def reproduce_options(e: argparse.ArgumentParser) -> None:
    """The ``reproduce``."""
    e.add_argument("input", nargs="?", default=None, help="registry file (default: bundled data)")
    e.add_argument("--format", choices=["table", "csv", "json"], default="table")
    e.set_defaults(func=_cmd_reproduce)
