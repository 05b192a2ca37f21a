"""Checks of command-line input, each failing with one line that names the option, the value
and the fix: option values (times, dpi, memory limit, dates), output paths, input files, and the
``--where`` cohort expression, parsed by a small whitelisted grammar (never ``eval``).

``--where`` grammar::

    expr       := conjunct ("or" conjunct)*
    conjunct   := factor ("and" factor)*
    factor     := "not" factor | "(" expr ")" | comparison
    comparison := column op value | column ["not"] "in" "(" value ("," value)* ")"
    op         := "==" | "!=" | "<" | "<=" | ">" | ">="
    column     := identifier | `any text in backquotes`
    value      := 'text' | "text" | number

Strings compare with the column's text, numbers with its numeric value; a missing value never
satisfies a comparison (``!=`` included), as in SQL.
"""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from netsurv.errors import InputError

__all__ = [
    "IMAGE_TYPES",
    "MAX_TIMES",
    "Where",
    "close",
    "cutoff_date",
    "dpi",
    "image_path",
    "memory_limit",
    "times",
]

MAX_TIMES = 100  # report times per table: more is a typo or a loop, not a table
IMAGE_TYPES = ("png", "svg", "pdf", "jpg", "jpeg", "tif", "tiff", "webp", "eps", "ps", "svgz")
_MEMORY = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*", re.IGNORECASE)


def close(word: str, options: Sequence[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest option, or ``""``."""
    hit = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {hit[0]!r}?" if hit else ""


def times(text: str) -> list[float]:
    """``--times 12,36,60``: positive, finite, at most :data:`MAX_TIMES` values."""
    parts = [x.strip() for x in text.split(",") if x.strip()]
    try:
        values = [float(x) for x in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text[:60]!r}: give times separated by commas, e.g. 12,36,60"
        ) from None
    if not values:
        raise argparse.ArgumentTypeError("give at least one time, e.g. 12,36,60")
    if len(values) > MAX_TIMES:
        raise argparse.ArgumentTypeError(f"{len(values):,} times given; at most {MAX_TIMES}")
    if not all(np.isfinite(v) and v > 0 for v in values):
        raise argparse.ArgumentTypeError(f"{text[:60]!r}: times must be positive numbers")
    return values


def dpi(text: str) -> int:
    """``--dpi``: a whole number from 20 to 1200."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number such as 150") from None
    if not 20 <= value <= 1200:
        raise argparse.ArgumentTypeError(f"{value}: give a resolution from 20 to 1200 (e.g. 150)")
    return value


def suppress_below(text: str) -> int:
    """``--suppress-below``: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number such as 16") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value}: give 0 (off) or a positive number such as 16")
    return value


def memory_limit(text: str) -> str:
    """``--memory-limit``: a size such as ``512MB`` or ``4GB``."""
    if not _MEMORY.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r}: give a size such as 512MB or 4GB")
    return text.replace(" ", "")


def cutoff_date(text: str) -> str:
    """``--study-cutoff``: a date ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give the end of follow-up as YYYY-MM-DD, e.g. 2022-12-31"
        ) from None


def image_path(output: str) -> Path:
    """The file ``plot -o`` writes: a known image suffix, ``.png`` added when there is none,
    ``km.png`` inside an existing directory; an unknown suffix is an error."""
    path = Path(output)
    if path.is_dir() or output.endswith(("/", "\\")):
        return path / "km.png"
    suffix = path.suffix.lower().lstrip(".")
    if not suffix:
        return path.with_name(path.name + ".png")
    if suffix not in IMAGE_TYPES:
        raise InputError(
            f"-o {output}: unknown image type '.{suffix}'{close(suffix, IMAGE_TYPES)} "
            "(use .png, .svg or .pdf)"
        )
    if not path.parent.is_dir():
        raise InputError(f"-o {output}: the directory {str(path.parent)!r} does not exist")
    return path


def input_file(path: str, engine: str | None) -> None:
    """An input must not be a directory (except a folder of files for ``--engine``); a missing
    file is left to the reader, which names it."""
    p = Path(path)
    if engine is not None and (p.is_dir() or any(c in path for c in "*?[")):
        return
    if p.is_dir():
        raise InputError(
            f"{path}: is a directory; give a registry file (or --engine for a folder of files)"
        )


_TOKEN = re.compile(
    r"\s*(?:(?P<num>[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(?P<str>'[^']*'|\"[^\"]*\")"
    r"|(?P<col>`[^`]+`)|(?P<op>==|!=|<=|>=|<|>|\(|\)|,)|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)
_KEYWORDS = {"and", "or", "not", "in"}


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise InputError(
                f"--where: cannot read {text[pos : pos + 20]!r} (at character {pos + 1}); "
                "write e.g. \"nen_type == 'NET' and year_dx >= 2010\""
            )
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "word" and value.lower() in _KEYWORDS:
            kind, value = "kw", value.lower()
        out.append((kind, value))
        pos = m.end()
    return out


@dataclass
class Where:
    """A parsed ``--where`` expression; :meth:`steps` gives its top-level ``and`` terms."""

    text: str

    def __post_init__(self) -> None:
        self._toks = _tokens(self.text)
        self._i = 0
        if not self._toks:
            raise InputError("--where: empty expression")
        self.tree = self._expr()
        if self._i != len(self._toks):
            raise InputError(f"--where: unexpected {self._toks[self._i][1]!r} in {self.text!r}")

    # -- parsing: nested tuples ("and"|"or", a, b), ("not", a), ("cmp", col, op, values)
    def _peek(self) -> tuple[str, str] | None:
        return self._toks[self._i] if self._i < len(self._toks) else None

    def _take(self, kind: str, value: str | None = None) -> str:
        tok = self._peek()
        if tok is None or tok[0] != kind or (value is not None and tok[1] != value):
            want = value or kind
            got = "the end" if tok is None else repr(tok[1])
            raise InputError(f"--where: expected {want} but found {got} in {self.text!r}")
        self._i += 1
        return tok[1]

    def _expr(self) -> tuple:
        node = self._conj()
        while self._peek() == ("kw", "or"):
            self._i += 1
            node = ("or", node, self._conj())
        return node

    def _conj(self) -> tuple:
        node = self._factor()
        while self._peek() == ("kw", "and"):
            self._i += 1
            node = ("and", node, self._factor())
        return node

    def _factor(self) -> tuple:
        tok = self._peek()
        if tok == ("kw", "not"):
            self._i += 1
            return ("not", self._factor())
        if tok == ("op", "("):
            self._i += 1
            node = self._expr()
            self._take("op", ")")
            return node
        return self._comparison()

    def _value(self) -> str | float:
        tok = self._peek()
        if tok and tok[0] == "num":
            self._i += 1
            return float(tok[1])
        return self._take("str")[1:-1]

    def _comparison(self) -> tuple:
        tok = self._peek()
        if tok is None or tok[0] not in ("word", "col"):
            got = "the end" if tok is None else repr(tok[1])
            raise InputError(f"--where: expected a column name but found {got} in {self.text!r}")
        self._i += 1
        col = tok[1].strip("`")
        negate = False
        if self._peek() == ("kw", "not"):
            self._i += 1
            negate = True
            self._take("kw", "in")
        if negate or self._peek() == ("kw", "in"):
            if not negate:
                self._i += 1
            self._take("op", "(")
            values = [self._value()]
            while self._peek() == ("op", ","):
                self._i += 1
                values.append(self._value())
            self._take("op", ")")
            return ("cmp", col, "not in" if negate else "in", values)
        op = self._take("op")
        if op not in ("==", "!=", "<", "<=", ">", ">="):
            raise InputError(f"--where: {op!r} is not a comparison in {self.text!r}")
        value = self._value()
        if op not in ("==", "!=") and isinstance(value, str):
            raise InputError(f"--where: {col} {op} needs a number, got {value!r}")
        return ("cmp", col, op, [value])

    # -- evaluation
    def check_columns(self, columns: Sequence[str]) -> None:
        """Fail before any work when the expression names a column the data lack."""
        names = [str(c) for c in columns]

        def walk(node: tuple) -> None:
            if node[0] == "cmp":
                if node[1] not in names:
                    raise InputError(f"--where: no column {node[1]!r}{close(node[1], names)}")
            else:
                for child in node[1:]:
                    walk(child)

        walk(self.tree)

    def steps(self) -> list[tuple]:
        """The top-level ``and`` terms, in order (one term when there is no ``and``)."""
        out, node = [], self.tree
        while node[0] == "and":
            out.append(node[2])
            node = node[1]
        return [node, *reversed(out)]

    def mask(self, df: pd.DataFrame, node: tuple | None = None) -> np.ndarray:
        """Rows satisfying the expression (or one of its :meth:`steps`)."""
        node = self.tree if node is None else node
        ops: dict[str, Callable[[], np.ndarray]] = {
            "and": lambda: self.mask(df, node[1]) & self.mask(df, node[2]),
            "or": lambda: self.mask(df, node[1]) | self.mask(df, node[2]),
            "not": lambda: ~self.mask(df, node[1]),
        }
        if node[0] in ops:
            return ops[node[0]]()
        _, col, op, values = node
        if col not in df:
            raise InputError(
                f"--where: no column {col!r}{close(col, [str(c) for c in df.columns])}"
            )
        return _compare(df[col], op, values)


def _compare(series: pd.Series, op: str, values: list[str | float]) -> np.ndarray:
    numeric = all(isinstance(v, float) for v in values)
    if numeric:
        x = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        x = series.astype("string").to_numpy(dtype=object, na_value=None)
    known = ~pd.isna(x)
    if op in ("in", "not in"):
        hit = pd.Series(x).isin(values).to_numpy()
        return known & (hit if op == "in" else ~hit)
    v = values[0]
    with np.errstate(invalid="ignore"):
        table = {"==": x == v, "!=": x != v, "<": x < v, "<=": x <= v, ">": x > v, ">=": x >= v}
    return known & np.asarray(table[op], dtype=bool)


def describe(node: tuple) -> str:
    """A step of a ``--where`` expression as text (for the per-step counts)."""
    if node[0] == "cmp":
        _, col, op, values = node
        shown = ", ".join(repr(v) if isinstance(v, str) else f"{v:g}" for v in values)
        return f"{col} {op} ({shown})" if op.endswith("in") else f"{col} {op} {shown}"
    if node[0] == "not":
        return f"not ({describe(node[1])})"
    return f"({describe(node[1])} {node[0]} {describe(node[2])})"
