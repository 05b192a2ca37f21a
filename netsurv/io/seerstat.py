"""Read SEER*Stat case-listing exports (``.txt`` or ``.txt.gz`` with the ``.dic`` beside it).

The ``.dic`` says how the ``.txt`` is written (delimiter, numeric or label values, header line,
missing character, gzip); ``numeric`` exports hold SEER*Stat *index* codes that the
``[Format=<variable>]`` sections turn into labels, which are then mapped to registry codes
(``_seerlabels``). Every data line becomes one row; damaged lines raise :class:`ReadError` with
file, line, field and value. Layout sources: ``registry-formats.md`` §1.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netsurv.errors import ReadError
from netsurv.io._dic import SeerStatDictionary, parse_dic
from netsurv.io._files import GZIP_ERRORS, gzip_error, open_binary
from netsurv.io._seerarrow import NotFast, arrow_chunks
from netsurv.io._seerlabels import canonical_field, snake_case
from netsurv.io._seervalues import decode_column
from netsurv.io.canonical import clean_texts, finalize, maybe_classify

__all__ = ["columnar_frames", "line_frames", "locate_export", "read_seerstat", "refuse_session"]

CHUNK_ROWS = 50_000
_EMPTY = frozenset({"", "."})
_BLANK_LABELS = frozenset({"blank(s)", "blank"})


def locate_export(path: str | Path, dictionary: str | Path | None = None) -> tuple[Path, Path]:
    """Return ``(data_path, dic_path)`` for a ``.txt``, ``.txt.gz``, ``.gz`` or ``.dic`` path."""
    path = Path(path)
    if path.suffix.lower() == ".dic":
        dic = path
        stem = path.with_suffix("")
        candidates = [stem.with_suffix(s) for s in (".txt", ".txt.gz", ".gz", ".TXT")]
        found = [c for c in candidates if c.exists()]
        if not found:
            raise ReadError(
                "no data file beside the .dic (looked for .txt, .txt.gz, .gz); put the export's "
                "data file next to it.",
                path=path,
            )
        return found[0], dic
    if dictionary is not None:
        return path, Path(dictionary)
    base = path
    if base.suffix.lower() == ".gz":
        base = base.with_suffix("")
    dic = base.with_suffix(".dic")
    if not dic.exists():
        upper = base.with_suffix(".DIC")
        if not upper.exists():
            raise ReadError(
                f"no SEER*Stat dictionary {dic.name} beside the data file; SEER*Stat writes the "
                ".dic with every export. Put it next to the .txt or pass dictionary=.",
                path=path,
            )
        dic = upper
    return path, dic


def refuse_session(dic: SeerStatDictionary) -> None:
    kind = dic.session.get("Type", "").strip()
    if dic.life_page or kind.lower().startswith("survival"):
        raise ReadError(
            "this is a SEER*Stat survival session export (life page: actuarial intervals with "
            "'Alive at Start', 'Died', cumulative survival), not a case listing with one row per "
            "tumour. netsurv needs a case-listing export (Case Listing session) with survival "
            "months and vital status.",
            path=dic.path,
            field="Session Options/Type",
            value=kind or "Life Page Variables",
        )
    if kind.lower().startswith(("frequency", "rate")):
        raise ReadError(
            f"this is a SEER*Stat {kind} session export (aggregated counts), not a case listing "
            "with one row per tumour. Export a Case Listing session instead.",
            path=dic.path,
            field="Session Options/Type",
            value=kind,
        )


def _rows(data: Path, dic: SeerStatDictionary, encoding: str) -> Iterator[tuple[list, list[int]]]:
    """Yield chunks of (rows, line numbers); checks field counts and the header line."""
    n = len(dic.variables)
    with open_binary(data) as fh:
        text = io.TextIOWrapper(fh, encoding=encoding, newline="")
        space = dic.options.delimiter == " "
        reader = csv.reader(
            text, delimiter=dic.options.delimiter, quotechar='"', skipinitialspace=space
        )
        rows: list[list[str]] = []
        lines: list[int] = []
        first = True
        for row in _guarded(reader, data):
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if space and len(row) == n + 1 and row[-1] == "":
                row.pop()  # a trailing space before the line end
            if first and (dic.options.names_included or _is_header(row, dic)):
                first = False
                _check_header(row, dic, data)  # a header line is skipped even if not announced
                continue
            first = False
            if len(row) != n:
                _wrong_width(row, n, reader.line_num, dic, data)
            rows.append(row)
            lines.append(reader.line_num)
            if len(rows) >= CHUNK_ROWS:
                yield rows, lines
                rows, lines = [], []
        if rows or not lines:
            yield rows, lines


def _guarded(reader: Any, data: Path) -> Iterator[list[str]]:
    """Rows of ``reader``; a damaged gzip stream names the line where reading stopped."""
    try:
        yield from reader
    except GZIP_ERRORS as exc:
        raise gzip_error(data, exc, line=reader.line_num + 1) from exc


def _is_header(row: list[str], dic: SeerStatDictionary) -> bool:
    return [_norm_name(v) for v in row] == [_norm_name(v) for v in dic.variables]


def _norm_name(name: str) -> str:
    return " ".join(name.strip().strip('"').lower().split())


def _check_header(row: list[str], dic: SeerStatDictionary, data: Path) -> None:
    got = [_norm_name(v) for v in row]
    want = [_norm_name(v) for v in dic.variables]
    if got != want:
        bad = next((i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), None)
        where = (
            f"column {bad + 1} is {row[bad]!r} in the data but {dic.variables[bad]!r} in the .dic"
            if bad is not None
            else f"the data names {len(got)} columns, the .dic {len(want)}"
        )
        raise ReadError(
            f"the .dic does not match the data: {where}. Use the .dic exported with this file.",
            path=data,
            line=1,
            value=row[bad] if bad is not None else None,
        )


def _wrong_width(row: list[str], n: int, line: int, dic: SeerStatDictionary, data: Path) -> None:
    kind = "short" if len(row) < n else "long"
    field = dic.variables[min(len(row), n) - 1] if len(row) < n else None
    raise ReadError(
        f"{kind} data line: {len(row)} fields where the .dic lists {n} variables "
        f"(delimiter {dic.options.delimiter!r}). The line is damaged, or the .dic belongs to "
        "another export.",
        path=data,
        line=line,
        field=field,
        value=dic.options.delimiter.join(row),
    )


def _decode(
    rows: list[list[str]], lines: list[int], dic: SeerStatDictionary, data: Path
) -> pd.DataFrame:
    """Decode one chunk of the reference path: factorize each column, name first lines."""
    line_arr = np.asarray(lines)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in dic.variables]
    factorized = []
    for values in columns:
        codes, uniq = pd.factorize(np.asarray(values, dtype=object))
        first = np.zeros(len(uniq), dtype=np.int64)
        first[codes[::-1]] = np.arange(len(codes))[::-1]
        factorized.append((codes, uniq, line_arr[first] if len(line_arr) else line_arr))
    return _decode_columns(factorized, len(rows), dic, data)


def _decode_columns(
    columns: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray | None]],
    n_rows: int,
    dic: SeerStatDictionary,
    data: Path,
) -> pd.DataFrame:
    """Decode one chunk given per column (codes per row, distinct values, first line of each
    distinct value or None): each column is decoded on its distinct values (a registry column
    holds few), then expanded back to rows with ``take``."""
    numeric = dic.options.variable_format == "numeric"
    formats = {_norm_name(name): labels for name, labels in dic.formats.items()}
    out: dict[str, pd.Series] = {}
    used: set[str] = set()
    for var, (codes, uniq, first_lines) in zip(dic.variables, columns, strict=True):
        u_lines = first_lines if first_lines is not None else np.zeros(len(uniq), np.int64)
        s = pd.Series(clean_texts(uniq, strip='"', blanks=_EMPTY), dtype=object)
        labels = formats.get(_norm_name(var))
        if numeric and labels is not None:
            decoded = s.map(labels).astype(object)
            bad = decoded.isna() & s.notna()
            if bad.any():
                i = int(np.argmax(bad.to_numpy()))
                raise ReadError(
                    "the .dic does not match the data: this index code has no entry in "
                    f"[Format={var}]. Use the .dic exported with this file.",
                    path=data,
                    line=int(u_lines[i]),
                    field=var,
                    value=s.iloc[i],
                )
            s = decoded
        s = pd.Series(clean_texts(s.to_numpy(), blanks=_BLANK_LABELS, space=False), dtype=object)
        field = canonical_field(var)
        u_out: dict[str, pd.Series] = {}
        if field is None or field in used:
            name = snake_case(var)
            while name in out:
                name += "_"
            u_out[name] = s
        else:
            used.add(field)
            decode_column(u_out, var, field, s, u_lines, data)
        for name, u_values in u_out.items():
            if field == "_hist_behav" and name in out:
                continue  # separate histology / behaviour variables win
            out[name] = pd.Series(u_values.to_numpy()[codes], copy=False)
    return pd.DataFrame(out, index=pd.RangeIndex(n_rows), copy=False)  # not consolidated: faster


def read_seerstat(
    path: str | Path,
    *,
    dictionary: str | Path | None = None,
    classify: bool = True,
) -> pd.DataFrame:
    """Read a SEER*Stat case-listing export into the canonical frame (one row per tumour).

    Parameters
    ----------
    path : the ``.txt`` / ``.txt.gz`` data file or its ``.dic``.
    dictionary : the ``.dic`` when it is not beside the data file under the same name.
    classify : add the derived classification columns (``netsurv.classify``) when available.

    Returns
    -------
    DataFrame with the canonical columns, extra variables (snake_case of the SEER*Stat name) and
    ``exclusion`` (NA when the row can enter survival analysis).

    Raises
    ------
    ReadError
        Survival-session (life page) exports, a ``.dic`` that does not match the data, short or
        long lines, damaged gzip, values that are not numbers where numbers are required.
    """
    data, dic_path = locate_export(path, dictionary)
    dic = parse_dic(dic_path)
    refuse_session(dic)
    try:
        frames = _read_columnar(data, dic)
    except (NotFast, ReadError):  # the reference path reads it, or names the damaged line
        frames = _read_lines(data, dic)
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    df.attrs["netsurv_source"] = {"path": str(data), "format": "seerstat"}
    return maybe_classify(df, classify)


def _read_columnar(data: Path, dic: SeerStatDictionary) -> list[pd.DataFrame]:
    """Every batch decoded and finished (each rule is row-wise), via pyarrow's CSV reader."""
    return list(columnar_frames(data, dic))


def columnar_frames(data: Path, dic: SeerStatDictionary) -> Iterator[pd.DataFrame]:
    """Finished frames, one per pyarrow batch; raises NotFast for the reference path."""

    def header(row: list[str]) -> bool:
        if dic.options.names_included or _is_header(row, dic):
            _check_header(row, dic, data)
            return True
        return False

    for columns, n in arrow_chunks(data, dic, header):
        yield finalize(
            _decode_columns([(c, u, None) for c, u in columns], n, dic, data), copy=False
        )


def _read_lines(data: Path, dic: SeerStatDictionary) -> list[pd.DataFrame]:
    """The reference path: the ``csv`` module, line numbers kept for every error."""
    try:
        return list(line_frames(data, dic, "utf-8-sig"))
    except UnicodeDecodeError:
        return list(line_frames(data, dic, "latin-1"))


def line_frames(data: Path, dic: SeerStatDictionary, encoding: str) -> Iterator[pd.DataFrame]:
    """Finished frames of the reference path, one per chunk of lines (lower peak memory)."""
    try:
        for rows, lines in _rows(data, dic, encoding):
            yield finalize(_decode(rows, lines, dic, data), copy=False)
    except GZIP_ERRORS as exc:
        raise gzip_error(data, exc) from exc
    except csv.Error as exc:
        raise ReadError(f"malformed delimited text ({exc}).", path=data) from exc
