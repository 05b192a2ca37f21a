"""Docstring examples are part of the documentation: they must run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "netsurv",
    "netsurv.counting.kernel",
    "netsurv.estimators.kaplan_meier",
    "netsurv.estimators.logrank",
    "netsurv.estimators.actuarial",
    "netsurv.datasets.simulate",
    "netsurv.datasets.truth",
    "netsurv.datasets.loaders",
    "netsurv.published.checks",
    "netsurv.present.tables",
    "netsurv.present.disclosure",
    "netsurv.present.formatting",
    "netsurv.estimators.cox",
    "netsurv.present.plotting",
    "netsurv.codes",
    "netsurv.codes.cohort",
    "netsurv.estimators.relative.net",
    "netsurv.ratetables",
    "netsurv.ratetables.ratetable",
    "netsurv.estimators.standardize",
    "netsurv.estimators.competing",
    "netsurv.estimators.period",
    "netsurv.counting.sources",
    "netsurv.counting.segments",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
