"""SEER*Stat export dictionary (``.dic``): a tolerant INI parser and a writer.

Layout (``registry-formats.md`` §1.2, from the real file ``cran/JPSurv:inst/extdata/
breast.example.dic`` and NCI's reader ``R/ReadWriteSEERSTAT.R``): sections ``[System]``,
``[Session Options]``, ``[Export Options]``, ``[Variables]`` (case listings) or
``[Life Page Variables]`` (survival sessions) with ``VarNName=`` in column order, and one
``[Format=<variable>]`` section per coded variable mapping SEER*Stat index codes to labels.
Duplicate keys occur in real files (``Var9Name`` twice), so keys are kept in order, not in a dict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from netsurv.errors import ReadError

__all__ = ["DELIMITERS", "ExportOptions", "SeerStatDictionary", "format_dic", "parse_dic"]

DELIMITERS = {"tab": "\t", "comma": ",", "space": " ", "semi-colon": ";", "semicolon": ";"}
_VAR_KEY = re.compile(r"^Var(\d+)Name$", re.IGNORECASE)


@dataclass(frozen=True)
class ExportOptions:
    """The ``[Export Options]`` of a ``.dic`` that decide how the ``.txt`` is read."""

    delimiter: str = "\t"
    variable_format: str = "numeric"
    names_included: bool = False
    missing: str = " "
    gzipped: bool = False
    dos: bool = True
    remove_thousands: bool = True


@dataclass(frozen=True)
class SeerStatDictionary:
    """A parsed ``.dic``: session type, export options, variables in column order, formats."""

    path: Path
    session: dict[str, str]
    options: ExportOptions
    variables: tuple[str, ...]
    formats: dict[str, dict[str, str]] = field(default_factory=dict)
    life_page: bool = False


def _bool(value: str) -> bool:
    return value.strip().lower() in ("true", "yes", "1")


def _sections(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("[") and line.endswith("]"):
            sections.append((line[1:-1].strip(), []))
        elif "=" in line and sections:
            key, _, value = line.partition("=")
            sections[-1][1].append((key.strip(), value.strip()))
    return sections


def _options(items: list[tuple[str, str]], path: Path) -> ExportOptions:
    opts = {k.lower(): v for k, v in items}
    delim_name = opts.get("field delimiter", "tab").strip().lower()
    if delim_name not in DELIMITERS:
        raise ReadError(
            "unknown field delimiter; SEER*Stat writes tab, comma, space or semi-colon. "
            "Re-export with one of these or correct the .dic.",
            path=path,
            field="Field delimiter",
            value=delim_name,
        )
    fmt = opts.get("variable format", "numeric").strip().lower()
    if fmt not in ("numeric", "labels", "quotedlabels"):
        raise ReadError(
            "unknown variable format; expected numeric, labels or quotedlabels.",
            path=path,
            field="Variable format",
            value=fmt,
        )
    return ExportOptions(
        delimiter=DELIMITERS[delim_name],
        variable_format=fmt,
        names_included=_bool(opts.get("variable names included", "false")),
        missing="." if opts.get("missing character", "space").strip().lower() == "period" else " ",
        gzipped=_bool(opts.get("gzipped", "false")),
        dos=opts.get("file format", "DOS/Windows").strip().lower().startswith("dos"),
        remove_thousands=_bool(opts.get("remove thousands separators", "true")),
    )


def parse_dic(path: str | Path) -> SeerStatDictionary:
    """Parse a SEER*Stat ``.dic`` file tolerantly (duplicate keys, blank lines, BOM, CRLF)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReadError(
            f"cannot open the SEER*Stat dictionary: {exc.strerror}.", path=path
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    sections = _sections(text)
    names = {name.lower() for name, _ in sections}
    if not sections or not ({"variables", "life page variables"} & names):
        raise ReadError(
            "not a SEER*Stat export dictionary: no [Variables] or [Life Page Variables] section.",
            path=path,
        )
    session: dict[str, str] = {}
    options = ExportOptions()
    variables: list[str] = []
    formats: dict[str, dict[str, str]] = {}
    life_page = False
    for name, items in sections:
        low = name.lower()
        if low == "session options":
            session.update(dict(items))
        elif low == "export options":
            options = _options(items, path)
        elif low in ("variables", "life page variables"):
            life_page = life_page or low == "life page variables"
            variables += [v for k, v in items if _VAR_KEY.match(k)]
        elif low.startswith("format="):
            formats[name.partition("=")[2].strip()] = {k: v.strip('"') for k, v in items}
    return SeerStatDictionary(path, session, options, tuple(variables), formats, life_page)


def format_dic(
    *,
    data_name: str,
    variables: list[str],
    formats: dict[str, list[str]],
    variable_format: str,
    delimiter_name: str,
    missing_name: str,
    names_included: bool,
    gzipped: bool,
    dos: bool,
) -> str:
    """Text of a case-listing ``.dic`` in SEER*Stat's layout (sections in SEER*Stat's order)."""
    tf = {True: "true", False: "false"}
    lines = [
        "[System]",
        f"Output filename={data_name}",
        "Matrix filename=netsurv.slm",
        "Database name=netsurv export",
        "Title1=Case listing written by netsurv",
        "",
        "[Session Options]",
        "Type=Listing",
        "",
        "[Export Options]",
        f"GZipped={tf[gzipped]}",
        f"Variable format={variable_format}",
        f"File format={'DOS/Windows' if dos else 'UNIX'}",
        f"Field delimiter={delimiter_name}",
        f"Missing character={missing_name}",
        "Fields with delimiter in quotes=true",
        "Remove thousands separators=true",
        "Flags included=false",
        f"Variable names included={tf[names_included]}",
        "Column Variables as Stats=false",
        "",
        "[Variables]",
        *[f"Var{i}Name={name}" for i, name in enumerate(variables, start=1)],
        "",
    ]
    for name in variables:
        if name in formats:
            lines.append(f"[Format={name}]")
            lines += [f"{i}={label}" for i, label in enumerate(formats[name])]
            lines.append("")
    return ("\r\n" if dos else "\n").join(lines)
