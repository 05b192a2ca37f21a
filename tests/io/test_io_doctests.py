"""The examples in the docstrings of netsurv.io run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "netsurv.io._seerlabels",
    "netsurv.io.canonical",
    "netsurv.io.survtime",
    "netsurv.io.causes",
    "netsurv.io.seerstat_writer",
    "netsurv.io.naaccr_writer",
    "netsurv.io.reader",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
