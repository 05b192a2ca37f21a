"""Counts of a classified frame: every derived category, unknowns, invalid codes, conflicts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from netsurv.codes._parse import BLANK, keys, norm_text
from netsurv.codes._vocab import INPUT_FIELDS
from netsurv.codes.classification import ADDED_COLUMNS
from netsurv.errors import InputError

__all__ = ["classification_summary"]

# the derived categories (ADDED_COLUMNS up to nec_subtype; the flags after it are counted apart)
_COUNTED = ADDED_COLUMNS[: ADDED_COLUMNS.index("nec_subtype") + 1]
_NOT_NEC = "NA (not NEC)"


def classification_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Count the classification of every row, with unknowns, invalid codes and conflicts.

    Parameters
    ----------
    df : a frame returned by :func:`netsurv.classify` (any later row selection is fine: all
        counts are computed from its columns).

    Returns
    -------
    DataFrame
        Tidy, one row per count, columns ``column, value, n, kind``:

        - ``kind="value"``: rows per category of each derived column (all categories, zeros
          included, except ``site_detail`` which lists the observed ones; ``nec_subtype`` NA is
          reported as ``"NA (not NEC)"``). The ``"unknown"`` rows are the unknowns.
        - ``kind="missing"``: rows without a value for an input field (``column`` names it;
          ``grade`` and ``stage`` count rows where no grade/stage field was filled).
        - ``kind="invalid"``: rows whose input field held a code the tables do not know
          (these rows are ``"unknown"`` in the derived columns).
        - ``kind="conflict"``: ``grade_conflict`` (NET histology with grade code 3-4 (pre-2018 or 2018 carcinoma table)) and
          ``ki67_conflict`` (recorded grade disagrees with Ki-67; the recorded grade wins).
        - ``kind="reclassified"``: 8246 rows moved to NET by their grade; NET/NEC/MiNEN
          histologies with behaviour 0 or 1 classified ``other NEN``.

    Examples
    --------
    >>> import pandas as pd, netsurv as ns
    >>> df = ns.classify(pd.DataFrame({"histology": ["8240", "8246", "8246", "oops"],
    ...                                "grade_code": ["3", "1", "3", "9"],
    ...                                "grade_system": "pre2018"}))
    >>> s = ns.classification_summary(df)
    >>> s.query("kind == 'value' and column == 'nen_type'").set_index("value")["n"].to_dict()
    {'NET': 2, 'NEC': 1, 'MiNEN': 0, 'other NEN': 0, 'not NEN': 0, 'unknown': 1}
    >>> flagged = s.query("kind != 'value' and kind != 'missing' and n > 0")
    >>> print(flagged[["column", "n", "kind"]].to_string(index=False))
       column  n         kind
    histology  1      invalid
        grade  1     conflict
     nen_type  1 reclassified
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(
            f"classification_summary: expected a pandas DataFrame, got {type(df).__name__}."
        )
    missing = [c for c in ADDED_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(
            f"classification_summary: the frame lacks the classified columns {missing}; "
            "run netsurv.classify(df) first (netsurv.read() does it unless classify=False)."
        )
    parts = [_values(df), _missing(df), _invalid(df), _flags(df)]
    return pd.concat(parts, ignore_index=True)[["column", "value", "n", "kind"]]


def _values(df: pd.DataFrame) -> pd.DataFrame:
    frames = []
    for name in _COUNTED:
        column = df[name]
        counts = column.value_counts(sort=False, dropna=False)
        if name == "site_detail":
            counts = counts[counts > 0]
        values = ["" if pd.isna(v) else str(v) for v in counts.index]
        frames.append(
            pd.DataFrame(
                {
                    "column": name,
                    "value": [v if v else _NOT_NEC for v in values],
                    "n": counts.to_numpy(dtype="int64"),
                    "kind": "value",
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _blank(column: pd.Series | None, n: int) -> np.ndarray:
    """True where a raw input field holds no value (NA, empty, ``.``, ``Blank(s)``)."""
    if column is None:
        return np.ones(n, dtype=bool)
    ids, _ = keys(column, n, norm_text)
    return ids == BLANK


def _missing(df: pd.DataFrame) -> pd.DataFrame:
    n = len(df)

    def get(name: str) -> pd.Series | None:
        return df[name] if name in df.columns else None

    counts = {
        "primary_site": _blank(get("primary_site"), n).sum(),
        "histology": _blank(get("histology"), n).sum(),
        "year_dx": _blank(get("year_dx"), n).sum(),
        "grade": (df["grade_table"] == "none").sum(),
        "ki67": (_blank(get("ki67"), n) & _blank(get("ki67_code"), n)).sum(),
        "stage": (df["extent_source"] == "none").sum(),
        "behavior": _blank(get("behavior"), n).sum(),
    }
    return pd.DataFrame(
        {
            "column": list(counts),
            "value": "missing",
            "n": [int(v) for v in counts.values()],
            "kind": "missing",
        }
    )


def _invalid(df: pd.DataFrame) -> pd.DataFrame:
    per_label = df["invalid_codes"].value_counts(sort=False)  # labels like "histology;stage"
    counts = dict.fromkeys(INPUT_FIELDS, 0)
    for label, n in per_label.items():
        for field in str(label).split(";"):
            counts[field] += int(n)
    return pd.DataFrame(
        {
            "column": list(counts),
            "value": "invalid code",
            "n": list(counts.values()),
            "kind": "invalid",
        }
    )


def _flags(df: pd.DataFrame) -> pd.DataFrame:
    rows = [
        (
            "grade",
            "NET histology with grade code 3-4 (pre-2018 or 2018 carcinoma table)",
            "grade_conflict",
            "conflict",
        ),
        ("grade", "recorded grade disagrees with Ki-67", "ki67_conflict", "conflict"),
        ("nen_type", "8246 with well/moderate grade -> NET", "reclassified_8246", "reclassified"),
        (
            "nen_type",
            "NEN histology with behaviour 0/1 -> other NEN",
            "reclassified_behavior",
            "reclassified",
        ),
    ]
    return pd.DataFrame(
        {
            "column": [r[0] for r in rows],
            "value": [r[1] for r in rows],
            "n": [int(df[r[2]].fillna(False).astype(bool).sum()) for r in rows],
            "kind": [r[3] for r in rows],
        }
    )
