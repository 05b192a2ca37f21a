"""The ``netsurv`` command line: a thin shell over the library, one library call per command.

Errors print one line to stderr and exit non-zero (1 for netsurv's own errors and unreadable
files, 2 for bad command-line usage, 3 for an internal error); ``--debug`` shows the traceback.
Every subcommand is documented in ``docs/cli.md``. Each subcommand group lives in its own
module with its options and its one library call: :mod:`~netsurv.present.cli_survival`
(``survival``), :mod:`~netsurv.present.cli_plot` (``plot``), :mod:`~netsurv.present.cli_report`
(``report``, ``demo``, ``reproduce``) and :mod:`~netsurv.present.cli_files` (``classify``,
``reconstruct``, ``convert``).
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from collections.abc import Sequence
from functools import partial
from typing import NoReturn

import pandas as pd

from netsurv.errors import NetsurvError
from netsurv.present import cli_checks as check
from netsurv.present import cli_files, cli_plot, cli_report, cli_survival
from netsurv.present.cli_output import one_line_warning, records

__all__ = ["build_parser", "main", "records"]

# name, one-line help, the function adding its options (in the order ``--help`` lists them)
COMMANDS = (
    (
        "survival",
        "survival table (N, events, median, x-year survival, log-rank p)",
        cli_survival.survival_options,
    ),
    ("plot", "Kaplan–Meier figure with number-at-risk table", cli_plot.plot_options),
    ("report", "HTML report: tables, figures, data quality, methods", cli_report.report_options),
    ("demo", "the report on the bundled synthetic registry", cli_report.demo_options),
    (
        "reproduce",
        "check published figures; exit 1 if one is not reproduced",
        cli_report.reproduce_options,
    ),
    (
        "classify",
        "add site group, extent, grade, differentiation, NEN type",
        cli_files.classify_options,
    ),
    (
        "reconstruct",
        "patient data rebuilt from a digitised Kaplan–Meier curve (Guyot 2012)",
        cli_files.reconstruct_options,
    ),
    (
        "convert",
        "stream a registry file to Parquet in chunks (for the out-of-core engines)",
        cli_files.convert_options,
    ),
)
SUBCOMMANDS = tuple(name for name, _, _ in COMMANDS)


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
            owners = self._owners().get(word)
            if owners:  # a real option, of another command
                return f"; {word} is an option of " + ", ".join(f"'netsurv {c}'" for c in owners)
            return check.close(word, sorted(self._all_options()))
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if choice:
            options = re.findall(r"'?([^,' ]+)'?", choice.group(2))
            return check.close(choice.group(1), options)
        return ""

    def _owners(self) -> dict[str, list[str]]:
        """Option string -> the subcommands that take it."""
        owners: dict[str, list[str]] = {}
        for action in self._actions:
            for name, sub in (getattr(action, "choices", None) or {}).items():
                if isinstance(sub, argparse.ArgumentParser):
                    for o in {o for a in sub._actions for o in a.option_strings}:
                        owners.setdefault(o, []).append(name)
        return owners

    def _all_options(self) -> set[str]:
        """Option strings of this parser and of its subcommands."""
        found = {o for a in self._actions for o in a.option_strings}
        for action in self._actions:
            for sub in (getattr(action, "choices", None) or {}).values():
                if isinstance(sub, argparse.ArgumentParser):
                    found |= {o for a in sub._actions for o in a.option_strings}
        return found


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
    for name, text, options in COMMANDS:
        options(sub.add_parser(name, parents=[common], help=text))
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
