"""Check published survival figures against bundled data or a user's registry extract.

Each row of ``catalog.csv`` is one published number with the recipe to recompute it: the
``statistic`` (``survival_at``, ``relative_at``, ``median``, ``hazard_ratio``,
``logrank_chisq``), the month ``time``, the ``event`` column, the grouping column ``by`` and
its ``stratum``, and the cohort definition (``cohort``: JSON keyword arguments of
:func:`netsurv.select`). :func:`reproduce` recomputes every row some data can answer:

* RADIANT-4 rows use the bundled reconstruction (``load_radiant4``);
* registry rows use ``data`` when given, and otherwise only the rows whose ``dataset`` is
  ``synthetic_registry`` run, on the bundled synthetic registry — those rows (status
  ``calibration target``) are the published figures the simulator is calibrated to, each in
  its own subgroup, so "passed" there says the calibration holds, not that SEER was
  reproduced;
* trial rows without individual data, and rows marked not comparable (the published
  stratified RADIANT-4 hazard ratios), are reported as ``skipped`` — never as passed.
"""

from __future__ import annotations

import importlib.resources
import json
import math
import os
import pathlib
from collections.abc import Callable
from typing import Any

import pandas as pd

from netsurv.codes import classify
from netsurv.codes.cohort import select
from netsurv.datasets import load_radiant4, load_synthetic_registry
from netsurv.errors import InputError, NetsurvError
from netsurv.estimators.kaplan_meier import kaplan_meier
from netsurv.estimators.logrank import logrank
from netsurv.estimators.relative.net import relative_survival
from netsurv.io import read
from netsurv.published.digitised import PREFIX as _DIGITISED
from netsurv.published.digitised import load_digitised

__all__ = ["catalog", "reproduce", "reproduce_summary"]

RESULT_COLUMNS = (
    "id",
    "source",
    "quantity",
    "stratum",
    "published",
    "computed",
    "tolerance",
    "status",
    "note",
)
_BUNDLED_TIME = {"radiant4_pfs": "time", "radiant4_os": "time"}


def catalog() -> pd.DataFrame:
    """The catalog of published figures (``netsurv/published/catalog.csv``), one row each.

    Columns: ``id, source, citation, url, quantity, measure, method, stratum, value, ci_lower,
    ci_upper, unit, statistic, time, event, by, cohort, status, tolerance, dataset,
    comparison, note, cohort_source`` (see ``netsurv/published/README.md``).

    >>> cat = catalog()
    >>> bool(cat["id"].is_unique), sorted(cat["status"].unique())
    (True, ['calibration target', 'secondary', 'unverified', 'verified'])
    """
    path = importlib.resources.files("netsurv.published") / "catalog.csv"
    with importlib.resources.as_file(path) as file:
        text_columns = ["id", "source", "quantity", "stratum", "by", "cohort", "dataset"]
        text_columns += ["note", "cohort_source"]
        df = pd.read_csv(
            file,
            dtype=dict.fromkeys(text_columns, "object"),
            keep_default_na=False,
            na_values={
                "value": [""],
                "ci_lower": [""],
                "ci_upper": [""],
                "time": [""],
                "tolerance": [""],
            },
        )
    return df


def _registry(data: Any) -> pd.DataFrame | None:
    """The user's extract as a classified frame (a path is read with netsurv.read)."""
    if data is None:
        return None
    if isinstance(data, str | os.PathLike):
        return read(pathlib.Path(data))
    if not isinstance(data, pd.DataFrame):
        raise InputError(
            f"reproduce: data must be a DataFrame or a path to a registry file, got "
            f"{type(data).__name__}."
        )
    if "extent" not in data:
        return classify(data)
    return data


class _Frames:
    """Datasets and cohort selections, loaded once per reproduce() call."""

    def __init__(self, user: pd.DataFrame | None) -> None:
        self.user = user
        self._cache: dict[tuple[str, str], pd.DataFrame] = {}

    def source(self, row: pd.Series) -> tuple[str, pd.DataFrame | None, str]:
        """(name, frame, reason if none) for a catalog row."""
        dataset, cohort = row["dataset"], row["cohort"]
        if dataset in _BUNDLED_TIME:
            return dataset, self._bundled(dataset), ""
        if dataset.startswith(_DIGITISED):  # curves + at-risk tables: rebuilt with Guyot
            if (dataset, "") not in self._cache:
                self._cache[(dataset, "")] = load_digitised(dataset)
            return dataset, self._cache[(dataset, "")], ""
        if not cohort:
            return "", None, row["note"] or "no individual data available"
        if self.user is not None:
            return "your data", self._select("your data", self.user, cohort), ""
        if dataset == "synthetic_registry":
            frame = self._cache.get(("synthetic_registry", ""))
            if frame is None:
                frame = self._cache[("synthetic_registry", "")] = load_synthetic_registry()
            return dataset, self._select(dataset, frame, cohort), ""
        return "", None, "no bundled data can answer it: pass data= a registry extract"

    def _bundled(self, name: str) -> pd.DataFrame:
        if (name, "") not in self._cache:
            self._cache[(name, "")] = load_radiant4("pfs" if name.endswith("pfs") else "os")
        return self._cache[(name, "")]

    def _select(self, name: str, frame: pd.DataFrame, cohort: str) -> pd.DataFrame:
        key = (name, cohort)
        if key not in self._cache:
            self._cache[key] = select(frame, **json.loads(cohort)).data
        return self._cache[key]


def _pick(table: pd.DataFrame, by: str, stratum: str, column: str) -> float:
    if by:
        table = table[table[by].astype(str) == stratum]
    if len(table) != 1:
        raise InputError(f"no rows with {by} = {stratum!r} in the data")
    return float(table[column].iloc[0])


def _compute(row: pd.Series, df: pd.DataFrame, time: str) -> float:
    """The catalog row's statistic on ``df`` (rows already selected)."""
    by, stratum, event, kind = row["by"], row["stratum"], row["event"], row["statistic"]
    if kind in ("survival_at", "relative_at", "median"):
        if kind == "relative_at":
            fit = relative_survival(df, time=time, event=event, by=by or None, method="ederer2")
        else:
            fit = kaplan_meier(df, time=time, event=event, by=by or None)
        if kind == "median":
            return _pick(fit.median(), by, stratum, "median")
        return _pick(fit.at([float(row["time"])]), by, stratum, "survival")
    treated, _, control = stratum.partition(" vs ")
    two = df[df[by].astype(str).isin([treated, control])]
    if kind == "logrank_chisq":
        return float(logrank(two, time=time, event=event, by=by).statistic)
    if kind == "hazard_ratio":
        from lifelines import CoxPHFitter

        design = pd.DataFrame(
            {
                "t": two[time],
                "e": two[event].astype(int),
                "x": (two[by].astype(str) == treated).astype(int),
            }
        )
        return float(CoxPHFitter().fit(design, "t", "e").hazard_ratios_["x"])
    raise InputError(f"catalog row {row['id']}: unknown statistic {kind!r}")


def _check(row: pd.Series, frames: _Frames) -> dict[str, Any]:
    out = {
        "id": row["id"],
        "source": row["source"],
        "quantity": row["quantity"],
        "stratum": row["stratum"],
        "published": row["value"],
        "computed": math.nan,
        "tolerance": row["tolerance"],
    }
    name, df, reason = frames.source(row)
    if df is None:
        return out | {"status": "skipped", "note": reason}
    time = "time" if name.startswith(_DIGITISED) else _BUNDLED_TIME.get(name, "survival_months")
    try:
        computed = _compute(row, df, time)
    except (NetsurvError, KeyError, ValueError) as exc:
        # bundled data must always answer; a user's extract may lack a column or stratum
        status = "failed" if name != "your data" else "skipped"
        return out | {"status": status, "note": f"{name}: could not compute ({exc})"}
    out["computed"] = computed
    label = "your data" if name == "your data" else name.replace("_", " ")
    if row["comparison"] != "tolerance":
        return out | {"status": "skipped", "note": f"{row['comparison']} ({label})"}
    if not math.isfinite(computed) and name == "your data":
        return out | {
            "status": "skipped",
            "note": f"{label}: not estimable (e.g. median not reached, or follow-up too short)",
        }
    passed = math.isfinite(computed) and abs(computed - row["value"]) <= row["tolerance"]
    note = f"{label}; {row['note']}" if row["note"] else label
    return out | {"status": "passed" if passed else "failed", "note": note}


def reproduce(data: Any = None, *, ids: Callable[[str], bool] | None = None) -> pd.DataFrame:
    """Recompute the published figures of the catalog and compare them with the published value.

    Parameters
    ----------
    data : None (bundled data only), a classified canonical frame, or a path that
        :func:`netsurv.read` reads: every registry row's cohort definition is then run on it.
    ids : optional filter on the catalog ``id`` (e.g. ``lambda i: i.startswith("radiant4")``).

    Returns
    -------
    pandas.DataFrame
        One row per catalog entry: ``id, source, quantity, stratum, published, computed,
        tolerance, status, note``; ``status`` is ``passed``
        (``|computed - published| <= tolerance``), ``failed`` or ``skipped`` (no data can
        answer it, or the comparison is not meaningful — the note says why). Skipped rows are never counted as passed;
        :func:`reproduce_summary` gives the counts.

    Examples
    --------
    >>> res = reproduce(ids=lambda i: i.startswith("radiant4-pfs-median"))
    >>> res["stratum"].tolist(), res["status"].tolist()
    (['everolimus', 'placebo', 'everolimus', 'placebo'], ['passed', 'passed', 'passed', 'passed'])
    """
    frames = _Frames(_registry(data))
    rows = catalog()
    if ids is not None:
        rows = rows[rows["id"].map(ids).astype(bool)]
    result = pd.DataFrame(
        [_check(row, frames) for _, row in rows.iterrows()], columns=list(RESULT_COLUMNS)
    )
    return result


def reproduce_summary(result: pd.DataFrame) -> str:
    """One line: how many figures were checked, passed, failed, and how many were skipped.

    >>> reproduce_summary(pd.DataFrame({"status": ["passed", "failed", "skipped"]}))
    'checked 2 of 3 published figures: 1 passed, 1 failed; 1 skipped (not checked, never counted as passed)'
    """
    counts = result["status"].value_counts()
    passed, failed, skipped = (int(counts.get(k, 0)) for k in ("passed", "failed", "skipped"))
    return (
        f"checked {passed + failed} of {len(result)} published figures: {passed} passed, "
        f"{failed} failed; {skipped} skipped (not checked, never counted as passed)"
    )
