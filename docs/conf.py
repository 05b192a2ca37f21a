"""Sphinx configuration: API reference (autodoc + numpydoc) and the Markdown pages (MyST).

Build with ``make docs`` (warnings are errors); the HTML goes to ``docs/_build/html``.
"""

from __future__ import annotations

import re

import netsurv

project = "netsurv"
author = "netsurv developers"
copyright = "2026, netsurv developers"
release = netsurv.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "img/**/README.md"]

# API reference: every page is written by hand in api/ (no generated stubs in the source dir);
# signatures show names and defaults, the numpydoc "Parameters" sections give the types.
autosummary_generate = False
autodoc_typehints = "none"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# Every cross-reference must resolve (nitpicky), except names of other projects' objects:
# the build runs offline, so there is no intersphinx inventory for them.
nitpicky = True
nitpick_ignore_regex = [
    (
        r"py:.*",
        r"(pd|pandas|np|numpy|npt|matplotlib|plt|pyarrow|pa|duckdb|dask|scipy|statsmodels|lifelines)\..*",
    ),
]

myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

html_theme = "alabaster"
html_theme_options = {"page_width": "1240px", "sidebar_width": "240px"}  # room for 100 columns
html_title = f"netsurv {release}"
html_static_path: list[str] = []


# Docstrings name functions the way a reader of the code does: by their defining module
# (``netsurv.counting.sources.to_counts``), or by a short name (``select``). The reference
# documents each public name once, where users reach it (``netsurv.to_counts``). A reference
# resolves to the one documented object of that kind whose dotted name ends like the target
# (or, failing that, ends with the target's last part); anything else stays a nitpicky error.
# A module reference (``:mod:``) names code, not API: it is shown as text if the module imports.
_ROLE_TYPES = {
    "func": {"function", "method", "classmethod", "staticmethod"},
    "meth": {"method", "classmethod", "staticmethod", "property"},
    "class": {"class", "exception"},
    "exc": {"exception", "class"},
    "attr": {"attribute", "property"},
    "data": {"data", "attribute"},
}


def _documented_match(env, target: str, role: str) -> tuple[str, str, str] | None:
    types = _ROLE_TYPES.get(role)
    objects = env.get_domain("py").objects
    for key in (target, target.rsplit(".", 1)[-1]):
        found = [
            (name, entry.docname, entry.node_id)
            for name, entry in objects.items()
            if (types is None or entry.objtype in types)
            and not entry.aliased
            and (name == key or name.endswith("." + key))
        ]
        if len(found) == 1:
            return found[0]
    return None


def _resolve_short_names(app, env, node, contnode):
    import importlib

    from docutils import nodes
    from sphinx.util.nodes import make_refnode

    if node.get("refdomain") != "py":
        return None
    target, role = node["reftarget"], node["reftype"]
    if role == "mod":
        # absolute, or relative to the documented object's module and its parents (``~.pohar``)
        here = (node.get("py:module") or "").split(".")
        for name in [target] + [".".join([*here[:i], target]) for i in range(len(here), 0, -1)]:
            try:
                importlib.import_module(name)
            except ImportError:
                continue
            return nodes.literal(name, name)
        return None
    match = _documented_match(env, target, role)
    if match is None:
        return None
    _, docname, node_id = match
    return make_refnode(app.builder, node["refdoc"], docname, node_id, contnode)


def setup(app):
    app.connect("missing-reference", _resolve_short_names)
    app.connect("autodoc-process-docstring", _split_description_lines, priority=400)


# netsurv's docstrings often write a short parameter's description on its name line
# (``by : column name(s) to stratify by.``) where numpydoc expects a type; numpydoc would show
# that text as the type. Such a line is split into the name and an indented description before
# numpydoc reads the docstring (a line that looks like a type is left alone).
_SECTIONS = {"Parameters", "Other Parameters", "Attributes", "Keyword Arguments"}
_NAME_LINE = re.compile(r"^(?P<indent>\s*)(?P<names>\**\w+(?:, \**\w+)*) : (?P<rest>.+)$")


def _looks_like_a_type(text: str) -> bool:
    return (
        len(text.split()) <= 4
        and not text.rstrip().endswith(".")
        and not any(c in text for c in "();`\"'")
    )


def _split_description_lines(app, what, name, obj, options, lines):
    section, out = None, []
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and lines[i + 1].strip() and set(lines[i + 1].strip()) == {"-"}:
            section = line.strip()
        match = _NAME_LINE.match(line)
        if section in _SECTIONS and match and not _looks_like_a_type(match["rest"]):
            out += [f"{match['indent']}{match['names']}", f"{match['indent']}    {match['rest']}"]
        else:
            out.append(line)
    lines[:] = out
