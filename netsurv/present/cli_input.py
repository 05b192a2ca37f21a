"""Reading the input of a command: file checks, ``--study-cutoff``, the NEN default and
``--where`` (with the records left after each step), and the options that control them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netsurv.codes import select
from netsurv.counting.sources import to_counts
from netsurv.errors import InputError
from netsurv.io import read
from netsurv.present import cli_checks as check

__all__ = [
    "column_options",
    "data_options",
    "read_input",
    "select_cohort",
    "source",
    "suppress_option",
]

_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _sniff(path: str) -> None:
    """A CSV whose first line has no comma but another separator: say which, and the fix."""
    p = Path(path)
    if p.suffix.lower() not in (".csv", ".tsv") or not p.is_file():
        return
    with open(p, encoding="utf-8", errors="replace") as fh:
        first = fh.readline(65536)
    if "," in first:
        return
    for sep, name in _SEPARATORS.items():
        if sep in first:
            shown = "\\t" if sep == "\t" else sep
            raise InputError(
                f"{path}: the columns are separated by {name}, not commas; pass --sep '{shown}' "
                "(or save the file as comma-separated CSV)"
            )


def read_input(args: argparse.Namespace) -> pd.DataFrame:
    """Read INPUT (with ``--study-cutoff`` and ``--sep``); refuse an empty table, and a CSV
    separated by something other than commas unless ``--sep`` says so."""
    check.input_file(args.input, getattr(args, "engine", None))
    options: dict[str, Any] = {}
    if getattr(args, "sep", None):
        options["sep"] = "\t" if args.sep in ("\\t", "tab") else args.sep
    else:
        _sniff(args.input)
    if getattr(args, "survival", None):
        options["survival"] = args.survival
    df = read(args.input, study_cutoff=getattr(args, "study_cutoff", None), **options)
    if len(df) == 0:
        raise InputError(f"{args.input}: no records (the file has a header only or is empty)")
    return df


def select_cohort(args: argparse.Namespace, df: pd.DataFrame) -> pd.DataFrame:
    """NENs only (unless ``--all-records``), then ``--where``, printing each step's count."""
    say = partial(print, file=sys.stderr)
    where = getattr(args, "where", None)
    if where is not None:
        where.check_columns(df.columns)
    if not getattr(args, "all_records", True) and "nen_type" in df:
        nen = df["nen_type"].astype(str).ne("not NEN").to_numpy()
        if not nen.all():
            say(
                f"netsurv {args.command}: {len(df) - int(nen.sum()):,} of {len(df):,} records "
                "are not NENs (nen_type 'not NEN') and are left out; --all-records keeps them"
            )
            df = df[nen]
    df = _select(args, df, say)
    if where is None:
        return df
    keep = np.ones(len(df), dtype=bool)
    say(f"netsurv {args.command}: --where: {len(df):,} records")
    for step in where.steps():
        keep &= where.mask(df, step)
        say(f"  {check.describe(step)}: {int(keep.sum()):,} left")
    if not keep.any():
        raise InputError(f"--where {where.text!r}: no records left")
    return df[keep]


def _split(value: str | None) -> list[str] | None:
    return [x.strip() for x in value.split(",") if x.strip()] if value else None


def _select(args: argparse.Namespace, df: pd.DataFrame, say: Any) -> pd.DataFrame:
    """``--years``, ``--nen-type``, ``--sites``, ``--first-primary``: one call of
    :func:`netsurv.select` (no behaviour filter unless asked), its steps printed."""
    criteria: dict[str, Any] = {}
    if getattr(args, "years", None):
        criteria["years"] = args.years
    for name in ("nen_type", "sites"):
        if _split(getattr(args, name, None)):
            criteria[name] = _split(getattr(args, name))
    if getattr(args, "first_primary", False):
        criteria["first_primary"] = True
    if not criteria:
        return df
    chosen = select(df, behavior=None, **criteria)
    for _, step in chosen.steps.iloc[1:].iterrows():
        say(f"netsurv {args.command}: {step['criterion']}: {int(step['n_after']):,} left")
    if len(chosen.data) == 0:
        raise InputError("the cohort criteria leave no records")
    return chosen.data


def source(args: argparse.Namespace, by: Sequence[str]) -> Any:
    """The data for one command: a file read into memory, or — with ``--engine`` — counted
    where it lies (a large Parquet/CSV file, directory or glob), with a progress bar."""
    if args.engine is None:
        return select_cohort(args, read_input(args))
    if getattr(args, "where", None) is not None:
        raise InputError("--where needs the data in memory: leave out --engine, or select first")
    check.input_file(args.input, args.engine)
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


def data_options(q: argparse.ArgumentParser, *, measure: bool = False) -> None:
    """Options shared by the commands that read a registry file."""
    q.add_argument(
        "--study-cutoff",
        type=check.cutoff_date,
        default=None,
        metavar="DATE",
        help="end of follow-up (YYYY-MM-DD) for files without survival months (NAACCR XML)",
    )
    q.add_argument(
        "--survival",
        choices=("active", "presumed_alive"),
        default=None,
        help="NAACCR XML: SEER survival months with active follow-up (default) or presumed "
        "alive to the cutoff",
    )
    q.add_argument(
        "--where",
        type=_where,
        default=None,
        metavar="EXPR",
        help="cohort, e.g. \"nen_type == 'NET' and year_dx >= 2010\" (==, !=, <, <=, >, >=, "
        "in (...), and, or, not); prints the records left after each 'and'",
    )
    q.add_argument(
        "--sep",
        default=None,
        metavar="CHAR",
        help="column separator of a CSV file (default ','; e.g. ';' or '\\t')",
    )
    q.add_argument(
        "--all-records",
        action="store_true",
        help="keep records that are not NENs (nen_type 'not NEN'; left out by default)",
    )
    sel = q.add_argument_group("cohort criteria of netsurv.select (applied in this order)")
    sel.add_argument(
        "--years", default=None, metavar="FROM-TO", help="diagnosis years, e.g. 2000-2015"
    )
    sel.add_argument("--nen-type", default=None, metavar="TYPES", help="e.g. NET or NET,NEC")
    sel.add_argument(
        "--sites", default=None, metavar="SITES", help="site groups or details, e.g. pancreas,ileum"
    )
    sel.add_argument(
        "--first-primary", action="store_true", help="one tumour per patient (sequence 00 or 01)"
    )


def _where(text: str) -> check.Where:
    try:
        return check.Where(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--where: ")) from None


def suppress_option(q: argparse.ArgumentParser, text: str) -> None:
    """``--suppress-below N`` (default 16) with the command's own help text."""
    q.add_argument(
        "--suppress-below", type=check.suppress_below, default=16, metavar="N", help=text
    )


def column_options(q: argparse.ArgumentParser, *, measure: bool = False) -> None:
    """Follow-up and suppression options of the commands that estimate survival."""
    q.add_argument(
        "--time", default="survival_months", help="follow-up column (default survival_months)"
    )
    event = "dead, or cancer_death for --measure cause-specific" if measure else "dead"
    q.add_argument("--event", default=None, help=f"event column (default: {event})")
    suppress_option(q, "suppress groups with fewer than N cases (default 16; 0 = off)")
    q.add_argument(
        "--engine",
        choices=["numpy", "arrow", "duckdb", "dask"],
        default=None,
        help="count a large Parquet/CSV file, directory or glob without loading it (see docs/scale.md)",
    )
    q.add_argument(
        "--memory-limit",
        type=check.memory_limit,
        default="512MB",
        help="memory limit for --engine duckdb, e.g. 512MB or 4GB (default 512MB)",
    )
