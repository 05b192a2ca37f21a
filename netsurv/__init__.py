"""netsurv — survival statistics for cancer-registry data on neuroendocrine neoplasms.

The public API is listed in ``__all__``. Names are imported on first use, so
``import netsurv`` stays fast and matplotlib is only loaded when a plot is drawn.

>>> import netsurv as ns
>>> fit = ns.kaplan_meier(ns.datasets.load_radiant4("pfs"), time="time", event="event", by="arm")
>>> fit.median()["median"].round(2).tolist()
[11.3, 4.01]
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # read and write registry files
    "read": "netsurv.io",
    "read_seerstat": "netsurv.io",
    "read_naaccr_xml": "netsurv.io",
    "read_table": "netsurv.io",
    "write_seerstat": "netsurv.io",
    "write_naaccr_xml": "netsurv.io",
    "load_summary": "netsurv.io",
    # classify and select
    "classify": "netsurv.codes",
    "classification_summary": "netsurv.codes",
    "select": "netsurv.cohort",
    # count and estimate
    "counts": "netsurv._counts",
    "to_counts": "netsurv.engines",
    "Counts": "netsurv._counts",
    "kaplan_meier": "netsurv.kaplan_meier",
    "logrank": "netsurv.compare",
    "life_table": "netsurv.lifetable",
    "relative_survival": "netsurv.relative",
    "expected_survival": "netsurv.relative",
    "relative_survival_test": "netsurv.relative",
    "period_window": "netsurv.period",
    "standardize": "netsurv.standardize",
    "cumulative_incidence": "netsurv.competing",
    "cox": "netsurv.cox",
    # present
    "survival_table": "netsurv.tables",
    "plot_survival": "netsurv.plotting",
    "plot_forest": "netsurv.plotting",
    "report": "netsurv.report",
    "reproduce": "netsurv.published",
    # errors
    "NetsurvError": "netsurv.errors",
    "InputError": "netsurv.errors",
    "ReadError": "netsurv.errors",
}
_SUBPACKAGES = ("datasets", "lifetables", "io", "codes", "published", "engines")

__all__ = sorted([*_EXPORTS, *_SUBPACKAGES, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"netsurv.{name}")
    else:
        raise AttributeError(f"module 'netsurv' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


class _Package(types.ModuleType):
    """Keeps public functions from being shadowed by same-named submodules.

    Importing ``netsurv.kaplan_meier`` (the module) makes Python set the package attribute
    ``kaplan_meier`` to the module; the public name must stay the function.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            self.__dict__.pop(name, None)  # resolved again, lazily, by __getattr__
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
