"""``netsurv classify``, ``reconstruct`` and ``convert``: one file in, one file out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from netsurv.errors import InputError
from netsurv.estimators.reconstruct import reconstruct_ipd
from netsurv.io import convert
from netsurv.present import cli_checks as check
from netsurv.present.cli_input import data_options, read_input, select_cohort

__all__ = ["classify_options", "convert_options", "reconstruct_options"]


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


def classify_options(c: argparse.ArgumentParser) -> None:
    """The ``classify``."""
    c.add_argument("input", help="registry file")
    c.add_argument("-o", "--output", default="classified.parquet", help="output .parquet (or .csv)")
    data_options(c)
    c.set_defaults(func=_cmd_classify, all_records=True)


def reconstruct_options(k: argparse.ArgumentParser) -> None:
    """The ``reconstruct``."""
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


def convert_options(v: argparse.ArgumentParser) -> None:
    """The ``convert``."""
    v.add_argument("input", help="SEER*Stat export (.txt/.txt.gz + .dic), NAACCR XML or table")
    v.add_argument("output", help="the .parquet file to write")
    v.add_argument("--classify", action="store_true", help="add the classification columns")
    v.set_defaults(func=_cmd_convert)
