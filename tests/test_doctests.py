"""Docstring examples are part of the documentation: they must run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "netsurv",
    "netsurv._counts",
    "netsurv.kaplan_meier",
    "netsurv.compare",
    "netsurv.lifetable",
    "netsurv.datasets.simulate",
    "netsurv.datasets.truth",
    "netsurv.datasets.loaders",
    "netsurv.published.reproduce",
    "netsurv.tables",
    "netsurv.cox",
    "netsurv.plotting",
    "netsurv.codes",
    "netsurv.cohort",
    "netsurv.relative",
    "netsurv.lifetables",
    "netsurv.lifetables.ratetable",
    "netsurv.standardize",
    "netsurv.competing",
    "netsurv.period",
    "netsurv.engines",
    "netsurv._segments",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
