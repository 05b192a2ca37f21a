"""Loaders of population rate tables: qx frames, R ``ratetable`` exports, HMD files.

Each returns a :class:`~netsurv.ratetables.ratetable.RateTable` on a grid of single years of
age and calendar years, with the table's own year length for the age cut points.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from netsurv.errors import InputError, ReadError
from netsurv.ratetables.ratetable import DAYS_PER_AGE_YEAR, RateTable, from_long

__all__ = ["from_qx_frame", "read_hmd", "read_ratetable"]


def from_qx_frame(
    df: pd.DataFrame,
    *,
    age: str = "age",
    sex: str = "sex",
    year: str = "year",
    qx: str = "qx",
    race: str | None = None,
    source: str = "user table",
    days_per_age_year: float = DAYS_PER_AGE_YEAR,
) -> RateTable:
    """Build a rate table from annual death probabilities ``qx`` by age, sex, year [, race].

    Daily hazard = −log(1 − qx) / d with d = ``days_per_age_year`` (365.25:
    ``survexp.us``'s construction; 365.241: relsurv's ``transrate``), and ages cut at
    multiples of d days. Ages must be consecutive single years; the last age is treated as
    open ("and over"). Calendar years change on 1 January (no birthday shift: that is
    specific to the US tables).

    >>> import pandas as pd
    >>> t = from_qx_frame(pd.DataFrame({"age": [0, 0, 1, 1], "sex": ["male", "female"] * 2,
    ...                                 "year": 2000, "qx": [0.01, 0.01, 0.5, 0.5]}))
    >>> round(float(t.hazard[1, 0, 0, 0] * 365.25), 6)  # -log(0.5)
    0.693147
    """
    cols = {"age": age, "sex": sex, "year": year, "qx": qx} | ({"race": race} if race else {})
    missing = [f"{k}={v!r}" for k, v in cols.items() if v not in df.columns]
    if missing:
        raise InputError(f"life table: no column {', '.join(missing)}; columns: {list(df.columns)}")
    q = pd.to_numeric(df[qx], errors="coerce").to_numpy(dtype=np.float64)
    if not ((q >= 0) & (q < 1)).all():
        raise InputError(f"life table: {qx!r} must be probabilities in [0, 1); fix the values")
    frame = pd.DataFrame(
        {
            "age": df[age].astype(int),
            "sex": df[sex],
            "year": df[year].astype(int),
            "daily_hazard": -np.log1p(-q) / days_per_age_year,
        }
    )
    if race:
        frame["race"] = df[race].astype(str).str.lower()
    return from_long(frame, bool(race), source, False, days_per_age_year)


def read_ratetable(path: str | Path) -> RateTable:
    """Read an R ``ratetable`` exported cell by cell (age x sex x year), e.g. one built by
    relsurv's ``transrate``/``transrate.hmd`` or ``survexp.us``.

    The CSV (optionally gzipped) has columns ``age`` (years), ``age_cut_days`` (the table's
    age cut point, days), ``sex``, ``year_cut`` (the year's cut point, a 1 January date),
    ``year_type`` (R's type of the year dimension: 4 = US special, year changing on the
    birthday; else 3) and ``daily_hazard``; ``tests/reference/make_reference_methods.R``
    has the R function (``export_ratetable``) that writes it. The age cut points must be
    ``age × d`` for one year length d (365.241 for relsurv's tables, 365.25 for ``survexp.us``),
    which becomes ``days_per_age_year``.
    """
    try:
        t = pd.read_csv(path, dtype={"sex": str})
    except (OSError, ValueError) as exc:
        raise ReadError(f"cannot read the rate table: {exc}", path=path) from exc
    need = ["age", "age_cut_days", "sex", "year_cut", "year_type", "daily_hazard"]
    missing = [c for c in need if c not in t.columns]
    if missing:
        raise ReadError(f"missing columns {missing}; expected {need}", path=path)
    cut = pd.to_datetime(t["year_cut"], errors="coerce")
    if cut.isna().any() or not ((cut.dt.month == 1) & (cut.dt.day == 1)).all():
        raise ReadError("year cut points must be 1 January dates", path=path, field="year_cut")
    ages = t["age"].to_numpy(dtype=np.float64)
    pos = ages > 0
    d = float(np.median(t["age_cut_days"].to_numpy()[pos] / ages[pos])) if pos.any() else 365.25
    if not np.allclose(t["age_cut_days"], ages * d, rtol=1e-12, atol=1e-9):
        raise ReadError(
            "age cut points are not whole multiples of one year length",
            path=path,
            field="age_cut_days",
        )
    frame = pd.DataFrame(
        {
            "age": t["age"].astype(int),
            "sex": t["sex"],
            "year": cut.dt.year,
            "daily_hazard": t["daily_hazard"],
        }
    )
    shift = bool((t["year_type"] == 4).any())
    return from_long(frame, False, f"R ratetable export {path}", shift, d)


def read_hmd(
    path: str | Path,
    female: str | Path | None = None,
    *,
    days_per_age_year: float = DAYS_PER_AGE_YEAR,
) -> RateTable:
    """Read a Human Mortality Database table: ``Mx_1x1.txt``, or ``mltper_1x1.txt`` (male)
    with ``female=`` ``fltper_1x1.txt``.

    From ``Mx_1x1`` (central death rates m by year, age, Female/Male) the daily hazard is
    m / d; from the period life tables (``qx``) it is −log(1 − qx) / d, with d =
    ``days_per_age_year`` (365.25; 365.241 gives R ``relsurv::transrate.hmd``'s table, ages
    cut at 365.241-day years). Age ``110+`` becomes the open last age 110. In the life
    tables a qx of 1 makes that age and every later one 0.999, as ``transrate.hmd`` does.
    Missing rates (``.``) are an error.
    """
    if female is not None:
        frames = []
        for p, label in ((path, "male"), (female, "female")):
            t = _read_hmd_text(Path(p)).sort_values(["Year", "Age"])
            # qx = 1 (everyone dies): 0.999 from that age on, year by year (transrate.hmd)
            last = t["qx"].ge(1).astype(int).groupby(t["Year"]).cummax().astype(bool)
            qx = t["qx"].where(~last, 0.999)
            frames.append(
                pd.DataFrame({"age": t["Age"], "sex": label, "year": t["Year"], "qx": qx})
            )
        return from_qx_frame(
            pd.concat(frames),
            source=f"HMD period life tables {path}, {female}",
            days_per_age_year=days_per_age_year,
        )
    t = _read_hmd_text(Path(path))
    if "Male" not in t.columns or "Female" not in t.columns:
        raise ReadError("expected columns Year Age Female Male Total (HMD Mx_1x1)", path=path)
    long = t.melt(id_vars=["Year", "Age"], value_vars=["Male", "Female"], var_name="sex")
    frame = pd.DataFrame(
        {
            "age": long["Age"],
            "sex": long["sex"].str.lower(),
            "year": long["Year"],
            "daily_hazard": long["value"] / days_per_age_year,
        }
    )
    return from_long(frame, False, f"HMD Mx_1x1 {path}", False, days_per_age_year)


def _read_hmd_text(path: Path) -> pd.DataFrame:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise ReadError(f"cannot read the file: {exc}", path=path) from exc
    head = next((i for i, line in enumerate(lines) if line.split()[:2] == ["Year", "Age"]), None)
    if head is None:
        raise ReadError("no 'Year Age ...' header line; is this an HMD 1x1 file?", path=path)
    names = lines[head].split()
    rows = [line.split() for line in lines[head + 1 :] if line.strip()]
    for i, r in enumerate(rows):
        if len(r) != len(names):
            raise ReadError(
                f"expected {len(names)} fields ({' '.join(names)}), found {len(r)}",
                path=path,
                line=head + 2 + i,
            )
    t = pd.DataFrame(rows, columns=names)
    t["Age"] = t["Age"].str.rstrip("+").astype(int)
    t["Year"] = t["Year"].astype(int)
    for c in names[2:]:
        t[c] = pd.to_numeric(t[c], errors="coerce")
        if t[c].isna().any():
            i = int(np.flatnonzero(t[c].isna())[0])
            raise ReadError(
                "missing rate; choose years without gaps", path=path, line=head + 2 + i, field=c
            )
    return t
