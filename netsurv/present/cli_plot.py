"""``netsurv plot``: a Kaplan–Meier figure with a number-at-risk table, every option of
:func:`netsurv.present.plotting.plot_survival` as a flag.

Flag values are checked when the command line is read: a colour matplotlib does not know, a
line style, a colormap or a risk-table row that does not exist is a one-line usage error
(exit 2) with the closest valid name. Labels in ``LABEL=VALUE`` pairs are checked against the
fitted curves (exit 1, naming the curves there are).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable
from typing import Any

from netsurv.estimators.kaplan_meier import kaplan_meier
from netsurv.present import cli_checks as check
from netsurv.present.cli_input import column_options, data_options, source
from netsurv.present.plotting import plot_survival

__all__ = ["plot_options"]

LINESTYLE_NAMES = {"solid": "-", "dashed": "--", "dashdot": "-.", "dotted": ":"}
RISK_ROWS = {"at-risk": "n_at_risk", "censored": "n_censored", "events": "n_events"}
CENSOR_TICKS: dict[str, bool | str] = {"auto": "auto", "on": True, "off": False}
_ITEMS = re.compile(r",(?!\s)")  # "a,b" splits; "pancreas, distant" (a curve label) does not

EXAMPLES = """examples:
  netsurv plot reg.csv --by extent -o km.png
  netsurv plot reg.csv --by extent --time-unit years --time-max 10 --break-every 2
  netsurv plot reg.csv --colors localized=black distant=#D55E00 --linestyles distant=dashed
  netsurv plot reg.csv --palette Dark2 --labels localized=Local 'distant=Distant (M1)'
  netsurv plot reg.csv --kind event --median --pvalue --risk-table at-risk,censored,events
  netsurv plot reg.csv --by site_group extent --facet site_group -o sites.png
"""


def _colour(text: str) -> str:
    """A colour matplotlib knows: a name (``black``), ``#0072B2``, ``C1`` or a grey ``0.5``."""
    import matplotlib.colors as mcolors

    if mcolors.is_color_like(text):
        return text
    names = [*mcolors.BASE_COLORS, *mcolors.TABLEAU_COLORS, *mcolors.CSS4_COLORS]
    raise argparse.ArgumentTypeError(
        f"{text!r}: not a colour{check.close(text, names)} (give a name such as black, "
        "or a hex code such as #0072B2)"
    )


def _linestyle(text: str) -> str:
    """``solid``, ``dashed``, ``dashdot``, ``dotted`` (or matplotlib's ``-``, ``--``, ...)."""
    if text in LINESTYLE_NAMES.values():
        return text
    if text in LINESTYLE_NAMES:
        return LINESTYLE_NAMES[text]
    raise argparse.ArgumentTypeError(
        f"{text!r}: not a line style{check.close(text, list(LINESTYLE_NAMES))} "
        f"(choose from {', '.join(LINESTYLE_NAMES)})"
    )


def _palette(text: str) -> str | list[str]:
    """A matplotlib colormap name, or colours separated by commas."""
    import matplotlib

    if text in matplotlib.colormaps:
        return text
    if "," in text or text.startswith("#"):
        return [_colour(c.strip()) for c in text.split(",") if c.strip()]
    raise argparse.ArgumentTypeError(
        f"{text!r}: not a matplotlib colormap{check.close(text, list(matplotlib.colormaps))} "
        "(e.g. tab10, Set1, Dark2, viridis; or colours separated by commas)"
    )


def _number(text: str, *, positive: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        want = "a positive number" if positive else "a number, 0 or more"
        raise argparse.ArgumentTypeError(f"{text!r}: give {want}, e.g. 12")
    return value


def _positive(text: str) -> float:
    """A positive number (``--time-max``, ``--break-every``)."""
    return _number(text, positive=True)


def _ticks(text: str) -> list[float]:
    """``--ticks 0,12,36,60``: times of 0 or more in the axis unit."""
    values = [_number(x.strip(), positive=False) for x in text.split(",") if x.strip()]
    if not values or len(values) > check.MAX_TIMES:
        raise argparse.ArgumentTypeError(
            f"{text[:60]!r}: give 1 to {check.MAX_TIMES} times separated by commas, e.g. 0,12,36"
        )
    return values


def _xlim(text: str) -> tuple[float, float]:
    """``--xlim 0,120``: left and right end of the x-axis in the axis unit."""
    parts = [x.strip() for x in text.split(",")]
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"{text!r}: give LEFT,RIGHT, e.g. 0,120")
    left, right = (_number(x, positive=False) for x in parts)
    if not right > left:
        raise argparse.ArgumentTypeError(f"{text!r}: RIGHT must be larger than LEFT, e.g. 0,120")
    return left, right


def _risk_rows(text: str) -> list[str] | bool:
    """``--risk-table at-risk,censored,events`` (any of them, in order) or ``none``."""
    if text.strip() == "none":
        return False
    names = [x.strip() for x in text.split(",") if x.strip()]
    for name in names:
        if name not in RISK_ROWS:
            raise argparse.ArgumentTypeError(
                f"{name!r}: not a risk-table row{check.close(name, [*RISK_ROWS, 'none'])} "
                f"(give {', '.join(RISK_ROWS)} separated by commas, or none)"
            )
    return [RISK_ROWS[n] for n in names] or False


def _facet(text: str) -> str | int:
    """A grouping column, or a whole number of curves per panel."""
    if text.isdigit():
        if int(text) < 1:
            raise argparse.ArgumentTypeError(f"{text!r}: give a column or 1 or more curves")
        return int(text)
    return text


class _PerCurve(argparse.Action):
    """``VALUE ...`` (one per curve, in legend order) or ``LABEL=VALUE ...`` (by curve label),
    each value checked by ``convert``; stored as a list or a dict."""

    def __init__(
        self, *args: Any, convert: Callable[[str], Any] = str, split: bool = True, **kw: Any
    ) -> None:
        super().__init__(*args, **{**kw, "nargs": "+"})
        self.convert, self.split = convert, split

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        items = [x for v in values for x in (_ITEMS.split(v) if self.split else [v]) if x]
        pairs = ["=" in x for x in items]
        try:
            if all(pairs):
                found: Any = {
                    k.strip(): self.convert(v.strip())
                    for k, v in (x.partition("=")[::2] for x in items)
                }
            elif not any(pairs):
                found = [self.convert(x) for x in items]
            else:
                raise argparse.ArgumentTypeError(
                    "give one value per curve or LABEL=VALUE pairs, not both"
                )
        except argparse.ArgumentTypeError as exc:
            parser.error(f"argument {option_string}: {exc}")
        setattr(namespace, self.dest, found)


def _cmd_plot(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    target = check.image_path(args.output)  # before the work: a bad -o fails at once
    by = list(dict.fromkeys([*([args.facet] if isinstance(args.facet, str) else []), *args.by]))
    fit = kaplan_meier(source(args, by), time=args.time, event=args.event, by=by)
    drawn = plot_survival(fit, **_keywords(args))
    figure = (drawn[0] if args.facet is not None else drawn).get_figure(root=True)
    figure.savefig(target, dpi=args.dpi)  # the type follows the suffix
    plt.close(figure)
    print(f"wrote {target}", file=sys.stderr)
    return 0


def _keywords(args: argparse.Namespace) -> dict[str, Any]:
    """The keywords of ``plot_survival`` the flags set."""
    names = ("kind", "ci", "colors", "palette", "linestyles", "labels", "xlim", "time_max")
    more = ("ticks", "break_every", "time_unit", "median", "pvalue", "facet", "suppress_below")
    return {
        **{name: getattr(args, name) for name in (*names, *more, "legend", "title", "ylabel")},
        "at_risk": args.risk_table,
        "censor_ticks": CENSOR_TICKS[args.censor_ticks],
    }


def _curve_options(q: argparse.ArgumentParser) -> None:
    g = q.add_argument_group("curves (one value per curve in legend order, or LABEL=VALUE)")
    g.add_argument(
        "--kind",
        choices=["survival", "event", "cumhaz"],
        default="survival",
        help="survival S, cumulative event probability 1 − S, or cumulative hazard −log S",
    )
    g.add_argument(
        "--colors",
        action=_PerCurve,
        convert=_colour,
        default=None,
        metavar="COLOUR",
        help="e.g. --colors black '#D55E00' or --colors distant=black; bands, censoring "
        "marks and risk-table rows follow",
    )
    g.add_argument(
        "--palette",
        type=_palette,
        default=None,
        help="colormap for the default colours, e.g. Dark2 or tab10, or a list red,blue,green",
    )
    g.add_argument(
        "--linestyles",
        action=_PerCurve,
        convert=_linestyle,
        default=None,
        metavar="STYLE",
        help="solid, dashed, dashdot or dotted, e.g. --linestyles solid dashed",
    )
    g.add_argument(
        "--labels",
        action=_PerCurve,
        split=False,
        default=None,
        metavar="LABEL",
        help="names in legend and risk table, e.g. --labels Local Regional "
        "or --labels 'distant=Distant (M1)'",
    )
    g.add_argument("--no-ci", dest="ci", action="store_false", help="no confidence bands")
    g.add_argument(
        "--censor-ticks",
        choices=list(CENSOR_TICKS),
        default="auto",
        help="censoring marks: auto (only on curves with at most 150 censoring times), on, off",
    )
    g.add_argument(
        "--median", action="store_true", help="dashed lines to each median survival time"
    )
    g.add_argument(
        "--pvalue", action="store_true", help="print the log-rank p between the curves drawn"
    )
    g.add_argument("--no-legend", dest="legend", action="store_false", help="no legend")
    g.add_argument("--title", default=None, help="title above the plot")
    g.add_argument("--ylabel", default=None, help="y-axis label (default: the measure)")


def _axis_options(q: argparse.ArgumentParser) -> None:
    g = q.add_argument_group("time axis and risk table")
    g.add_argument(
        "--time-unit",
        choices=["months", "years", "days"],
        default=None,
        help="axis unit (default: the data's)",
    )
    end = g.add_mutually_exclusive_group()
    end.add_argument(
        "--xlim", type=_xlim, default=None, metavar="LEFT,RIGHT", help="x-axis range, e.g. 0,120"
    )
    end.add_argument(
        "--time-max", type=_positive, default=None, metavar="T", help="x-axis end, e.g. 10"
    )
    step = g.add_mutually_exclusive_group()
    step.add_argument(
        "--ticks",
        type=_ticks,
        default=None,
        help="x ticks (and risk-table columns), comma-separated, e.g. 0,12,36,60",
    )
    step.add_argument(
        "--break-every",
        type=_positive,
        default=None,
        metavar="STEP",
        help="a tick (and risk-table column) every STEP, e.g. 12 (months) or 2 (years)",
    )
    g.add_argument(
        "--risk-table",
        type=_risk_rows,
        default=["n_at_risk"],
        metavar="ROWS",
        help="rows under the plot: at-risk,censored,events (cumulative counts) or none "
        "(default at-risk)",
    )
    g.add_argument(
        "--facet",
        type=_facet,
        default=None,
        help="one panel per value of this column (added to --by), or N curves per panel",
    )


def plot_options(q: argparse.ArgumentParser) -> None:
    """The ``plot`` and its options."""
    q.description = "Kaplan–Meier curves with confidence bands and a number-at-risk table."
    q.epilog = EXAMPLES
    q.formatter_class = argparse.RawDescriptionHelpFormatter
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
    q.add_argument(
        "--dpi", type=check.dpi, default=150, help="resolution, 20 to 1200 (default 150)"
    )
    _curve_options(q)
    _axis_options(q)
    data_options(q)
    column_options(q)
    q.set_defaults(func=_cmd_plot)
