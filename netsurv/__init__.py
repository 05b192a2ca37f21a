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
import warnings
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it (no module is named like a public function)
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
    "select": "netsurv.codes",
    # count
    "counts": "netsurv.counting.kernel",
    "to_counts": "netsurv.counting.sources",
    "Counts": "netsurv.counting.table",
    # estimate
    "kaplan_meier": "netsurv.estimators.kaplan_meier",
    "logrank": "netsurv.estimators.logrank",
    "life_table": "netsurv.estimators.actuarial",
    "relative_survival": "netsurv.estimators.relative.net",
    "expected_survival": "netsurv.estimators.relative.expected",
    "relative_survival_test": "netsurv.estimators.relative.compare",
    "period_window": "netsurv.estimators.period",
    "standardize": "netsurv.estimators.standardize",
    "cumulative_incidence": "netsurv.estimators.competing",
    "cox": "netsurv.estimators.cox",
    "excess_hazard": "netsurv.estimators.relative.excess",
    "RateMap": "netsurv.estimators.relative.ratemap",
    "reconstruct_ipd": "netsurv.estimators.reconstruct",
    # present
    "survival_table": "netsurv.present.tables",
    "plot_survival": "netsurv.present.plotting",
    "plot_forest": "netsurv.present.plotting",
    "report": "netsurv.present.report",
    "reproduce": "netsurv.published",
    # errors
    "NetsurvError": "netsurv.errors",
    "InputError": "netsurv.errors",
    "ReadError": "netsurv.errors",
}
_SUBPACKAGES = (
    "codes",
    "counting",
    "datasets",
    "estimators",
    "io",
    "present",
    "published",
    "ratetables",
    "results",
    "rules",
)
# old names of subpackages, kept for a release with a DeprecationWarning
_RENAMED = {"lifetables": "ratetables", "engines": "counting.sources"}

__all__ = sorted([*_EXPORTS, *_SUBPACKAGES, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"netsurv.{name}")
    elif name in _RENAMED:
        warnings.warn(
            f"netsurv.{name} is now netsurv.{_RENAMED[name]}",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.import_module(f"netsurv.{_RENAMED[name]}")
    else:
        raise AttributeError(f"module 'netsurv' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
