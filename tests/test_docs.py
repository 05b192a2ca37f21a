"""The API reference documents every public name; a new export without docs fails here.

The reference is ``docs/api/*.rst`` (built by ``make docs``, which ``make test`` runs with
warnings as errors, so every name listed here also has to import and render).
"""

from __future__ import annotations

import importlib
import inspect
import re
import typing
from pathlib import Path

import pytest

import netsurv

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "api"
# subpackages whose ``__all__`` is public API (reached as ``ns.io.convert``, ``ns.datasets...``)
PUBLIC_SUBPACKAGES = ("codes", "datasets", "io", "published", "ratetables")
# return types of public functions that are other projects' classes, named only as strings
FOREIGN_RETURNS = {"Axes"}

_DIRECTIVE = re.compile(
    r"^\.\. (currentmodule|autofunction|autoclass|autoexception)::\s*(\S+)", re.MULTILINE
)


def documented_names() -> set[str]:
    """Full dotted names of the objects ``docs/api/*.rst`` documents with autodoc."""
    names: set[str] = set()
    for page in sorted(API.glob("*.rst")):
        module = ""
        for kind, name in _DIRECTIVE.findall(page.read_text(encoding="utf-8")):
            if kind == "currentmodule":
                module = name
            elif name.startswith("netsurv."):
                names.add(name)
            else:
                names.add(f"{module}.{name}")
    return names


def test_the_reader_finds_the_directives_of_a_page() -> None:
    # the parser above, on a page written here: relative and absolute names
    text = ".. currentmodule:: netsurv.io\n\n.. autofunction:: convert\n.. autoclass:: netsurv.X\n"
    assert _DIRECTIVE.findall(text) == [
        ("currentmodule", "netsurv.io"),
        ("autofunction", "convert"),
        ("autoclass", "netsurv.X"),
    ]


@pytest.mark.parametrize("name", sorted(netsurv._EXPORTS))
def test_every_top_level_export_is_in_the_api_reference(name: str) -> None:
    assert f"netsurv.{name}" in documented_names(), (
        f"netsurv.{name} is exported (netsurv._EXPORTS) but not documented: add "
        f"'.. autofunction:: {name}' (or autoclass) to the right page in docs/api/"
    )


@pytest.mark.parametrize(
    ("package", "name"),
    [
        (package, name)
        for package in PUBLIC_SUBPACKAGES
        for name in importlib.import_module(f"netsurv.{package}").__all__
        if callable(getattr(importlib.import_module(f"netsurv.{package}"), name))
    ],
)
def test_every_public_function_and_class_of_a_subpackage_is_documented(
    package: str, name: str
) -> None:
    obj = getattr(importlib.import_module(f"netsurv.{package}"), name)
    where = {f"netsurv.{package}.{name}"}
    if getattr(netsurv, name, None) is obj:  # also exported at the top: documented there
        where.add(f"netsurv.{name}")
    assert where & documented_names(), f"netsurv.{package}.{name} is not in docs/api/"


@pytest.mark.parametrize("name", netsurv._SUBPACKAGES)
def test_every_subpackage_netsurv_exports_is_described_in_the_api_reference(name: str) -> None:
    text = "\n".join(page.read_text(encoding="utf-8") for page in sorted(API.glob("*.rst")))
    assert f"netsurv.{name}" in text, f"netsurv.{name} is not named in docs/api/packages.rst"


def _return_type(func: typing.Any) -> typing.Any:
    try:
        return typing.get_type_hints(func).get("return")
    except NameError:  # a parameter annotated with a name imported only for type checkers
        annotation = inspect.signature(func).return_annotation
        try:
            return eval(annotation, func.__globals__)  # a name of the function's module
        except NameError:
            assert annotation in FOREIGN_RETURNS, (func, annotation)
            return None


def _netsurv_classes(annotation: typing.Any) -> list[type]:
    found = [annotation] if inspect.isclass(annotation) else []
    found += [c for arg in typing.get_args(annotation) for c in _netsurv_classes(arg)]
    return [c for c in found if c.__module__.startswith("netsurv")]


@pytest.mark.parametrize(
    "name", sorted(n for n in netsurv._EXPORTS if not inspect.isclass(getattr(netsurv, n)))
)
def test_the_result_class_an_exported_function_returns_is_documented(name: str) -> None:
    documented = documented_names()
    for cls in _netsurv_classes(_return_type(getattr(netsurv, name))):
        places = {f"{cls.__module__}.{cls.__qualname__}"}
        places |= {
            f"netsurv.{short}" for short in netsurv._EXPORTS if getattr(netsurv, short) is cls
        }
        places |= {
            f"netsurv.{package}.{cls.__name__}"
            for package in PUBLIC_SUBPACKAGES
            if getattr(importlib.import_module(f"netsurv.{package}"), cls.__name__, None) is cls
        }
        assert places & documented, f"{name} returns {cls}, which docs/api/ does not document"


def test_a_result_class_is_found_in_a_return_annotation() -> None:
    # the walk above, on annotations whose answer is known
    from netsurv.results.curves import SurvivalCurves

    assert _netsurv_classes(SurvivalCurves | None) == [SurvivalCurves]
    assert _netsurv_classes(dict[str, int]) == []
